"""Tidy long tables (CSV or xlsx): one answer per row, English or Japanese headers, group cells filled down."""

from __future__ import annotations

from ..batch import Batch, Response
from ..readers import Cell, Source, Table, expand_merged
from ..validate import IGNORE, Invalid, display, parse_date, shown
from .common import FOOTER, ROLE_WORDS, Context, filled, item_header, item_key, name_of, role_of, text_of

REQUIRED = ("item", "level")
# Cells of these columns left blank below the first row of a group (a merged-cell artefact) are filled down.
GROUPS = ("product", "team", "respondent", "email", "name", "rater", "category", "assessed_on", "round", "tier")
USED = frozenset(GROUPS) | {"item", "level", "target", "importance", "comment"}
MEASURES = ("level", "target", "importance", "comment")


def find_header(table: Table, limit: int = 10) -> tuple[int, dict[str, int]] | None:
    """The first row (0-based) naming an item column, with its roles, or None."""
    return item_header(table.rows, limit)


def parse(source: Source, ctx: Context) -> Batch:
    """A Batch from every sheet that has a tidy header; other sheets are skipped and said so."""
    batch = ctx.batch("tidy")
    rounds: dict[str, int] = {}
    found: list[tuple[Table, int, dict[str, int]]] = []
    for table in source.tables:
        header = find_header(table)
        if header is None:
            if source.kind == "xlsx":
                batch.messages.append(f'sheet "{table.name}" has no 項目 / item column; skipped')
            continue
        found.append((table, *header))
    answering = [f for f in found if "level" in f[2]]
    for table, top, roles in found:
        if "level" not in roles and answering:  # an item list or legend beside the answer sheets
            batch.messages.append(f'sheet "{table.name}" has no level column (現状レベル / level); skipped')
            continue
        _table(table, top, roles, ctx, batch, rounds)
    if not found:
        batch.problems.append(ctx.problem(_need("no header row with an item column")))
    elif not batch.responses and not batch.problems:
        batch.problems.append(ctx.problem("the file has a header but no answers below it"))
    if len(rounds) > 1:
        names = ", ".join(f'"{r}" (row {n})' for r, n in rounds.items())
        batch.problems.append(ctx.problem(f"one file holds one round, but the round column names several: {names}"))
    elif rounds:
        batch.round = next(iter(rounds))
    return batch


def _footer_item(item: Cell) -> bool:
    """True when a row's item cell fits a footer row: empty, or itself 平均 / 合計 / ※ …."""
    text = display(item).strip()
    return not text or bool(FOOTER.match(text))


def _need(start: str) -> str:
    """The message for a tidy table without its required columns."""
    words = {r: " / ".join(ROLE_WORDS[r][:3]) for r in REQUIRED}
    return (
        f"{start}: a tidy table needs an item column ({words['item']}) and a level column ({words['level']}); "
        "product, team, rater, respondent, category, target, importance, comment and date are optional"
    )


def _table(table: Table, top: int, roles: dict[str, int], ctx: Context, batch: Batch, rounds: dict[str, int]) -> None:
    """Add one sheet's answers to the batch, filling group cells down (merged cells count as filled down)."""
    sheet = table.name
    rows = expand_merged(table) if table.merged else table.rows
    header = rows[top]
    where = f'sheet "{sheet}" ' if sheet else ""
    missing = [r for r in REQUIRED if r not in roles]
    if missing:
        found = ", ".join(f'"{display(h)}"' for h in header if display(h).strip()) or "none"
        batch.problems.append(ctx.problem(_need(f"missing column {missing[0]}") + f"; found {found}", sheet, top + 1))
        return
    body = [(top + offset + 2, row, cells) for offset, row in enumerate(rows[top + 1 :]) if (cells := filled(row))]
    first = body[0][0] if body else top + 2
    if "product" not in roles and not ctx.product:
        message = "no product: add a product column (プロダクト) or choose the product on import (--product)"
        batch.problems.append(ctx.problem(message, sheet, first))
        ctx.skipped += len(body)
        return
    if "rater" not in roles and not ctx.rater:
        batch.problems.append(
            ctx.problem(
                "no rater: add a rater column (回答者ロール / rater) or choose team or sre on import (--rater)",
                sheet,
                first,
            )
        )
        ctx.skipped += len(body)
        return
    used = {n for role, n in roles.items() if role in USED}
    for n, head in enumerate(header):
        if n not in used and display(head).strip():
            what = "" if role_of(head) is None else " by a tidy table"
            ctx.once(batch, f'{where}column "{display(head).strip()}" is not used{what}; ignored')
    who = next((r for r in ("respondent", "email", "name") if r in roles), None)
    carry: dict[str, Cell] = {}
    values = ctx.values
    columns = {m: display(header[roles[m]]).strip() for m in MEASURES if m in roles}

    def cell(row: list[Cell], role: str) -> Cell:
        index = roles.get(role)
        value = row[index] if index is not None and index < len(row) else ""
        if role in GROUPS:
            if value == "" or (isinstance(value, str) and not value.strip()):
                return carry.get(role, "")
            carry[role] = value
        return value

    for number, row, cells in body:
        problems = len(batch.problems)

        def fail(message: str, role: str, value: Cell, number: int = number) -> None:
            batch.problems.append(ctx.problem(message, sheet, number, header[roles[role]], value))

        item_at = roles["item"]
        item_raw = row[item_at] if item_at < len(row) else ""
        lead = row[cells[0]]
        if isinstance(lead, str) and FOOTER.match(lead) and _footer_item(item_raw):
            footer = f'{where}row {number} ("{shown(lead, 40)}") is a footer row (平均, 合計, ※ …); skipped'
            batch.messages.append(footer)
            continue
        product = name_of(cell(row, "product")) or ctx.product or ""
        team = name_of(cell(row, "team")) or ctx.team_for(product)
        person = name_of(cell(row, who)) if who else ""
        category, item_cell = cell(row, "category"), cell(row, "item")
        round_name = name_of(cell(row, "round"))
        if round_name:
            rounds.setdefault(round_name, number)
        tier = name_of(cell(row, "tier"))
        if tier and product:
            batch.tiers.setdefault(product, tier)
        if not display(item_cell).strip():
            answered = [roles[r] for r in MEASURES if r in roles]
            if any(i < len(row) and display(row[i]).strip() for i in answered):
                fail("this answer names no item; fill in the item", "item", item_cell)
                ctx.skipped += 1
            continue
        if values.mapped(item_cell) == IGNORE:
            ctx.once(batch, f'item "{display(item_cell).strip()}" ignored (mapped to "{IGNORE}" on import)')
            continue
        item = item_key(ctx, category, item_cell)
        if item is None:
            ctx.unknown(display(item_cell).strip())
            fail(values.unknown_item(item_cell), "item", item_cell)
        elif isinstance(item, Invalid):
            fail(item.message, "category", category)
            item = None
        rater: str | None = ctx.rater
        if "rater" in roles:
            raw = cell(row, "rater")
            try:
                rater = values.rater(raw) or ctx.rater
            except Invalid as exc:
                fail(exc.message, "rater", raw)
            if rater is None and display(raw).strip() == "":
                fail("the rater is empty; write team or sre (or 開発, PT, SRE)", "rater", raw)
        if not product:
            fail("the product is empty; fill it in or choose the product on import (--product)", "product", "")
        converted: dict[str, object] = {}
        for role in ("level", "target", "importance"):
            if role not in roles:
                continue
            raw = cell(row, role)
            try:
                converted[role] = values.importance(raw) if role == "importance" else values.level(raw, role)
            except Invalid as exc:
                fail(exc.message, role, raw)
        assessed_on = None
        if "assessed_on" in roles:
            raw = cell(row, "assessed_on")
            try:
                assessed_on = parse_date(raw)
            except Invalid as exc:
                fail(exc.message, "assessed_on", raw)
        comment_cell = cell(row, "comment") if "comment" in roles else ""
        comment = text_of(comment_cell) if display(comment_cell).strip() else None
        if len(batch.problems) > problems or item is None or rater is None:
            ctx.skipped += 1
            continue
        level_cell = row[roles["level"]] if roles["level"] < len(row) else ""
        unanswered = all(converted.get(r) is None for r in ("level", "target", "importance")) and comment is None
        if unanswered and display(level_cell).strip() == "":
            continue  # not answered at all
        response = Response(
            product=product,
            team=team,
            respondent=ctx.person(person) if person else ctx.group(rater),
            rater=rater,
            item=item,
            level=converted.get("level"),  # type: ignore[arg-type]
            target=converted.get("target"),  # type: ignore[arg-type]
            importance=converted.get("importance"),  # type: ignore[arg-type]
            comment=comment,
            assessed_on=assessed_on,
            sheet=sheet,
            row=number,
        )
        ctx.remember_columns(response, columns)
        batch.responses.append(response)
        if assessed_on and (batch.round_date is None or assessed_on < batch.round_date):
            batch.round_date = assessed_on
