"""Tidy long tables (CSV or xlsx): one answer per row, English or Japanese headers, group cells filled down."""

from __future__ import annotations

from ..batch import Batch, Note, Response
from ..i18n import Advice, Message, Quoted
from ..notes import linked_item
from ..readers import Cell, Source, Table, expand_merged
from ..validate import IGNORE, Invalid, Values, display, parse_date, shown
from .common import (
    FOOTER,
    ROLE_WORDS,
    Context,
    ambiguous_columns,
    conflicts,
    filled,
    header_columns,
    item_header,
    item_key,
    name_of,
    rater_by_values,
    role_of,
    text_of,
)
from .forms import several_rounds

REQUIRED = ("item", "level")
# Cells of these columns left blank below the first row of a group (a merged-cell artefact) are filled down.
GROUPS = ("product", "team", "respondent", "email", "name", "rater", "category", "assessed_on", "round", "tier")
USED = frozenset(GROUPS) | {"item", "level", "target", "importance", "comment", "free_text"}
# Roles one column holds: a second column claiming one makes the table ambiguous (two `現状レベル`, 1 and 4).
SINGLE = ("product", "team", "rater", "category", "item", "level", "target", "importance", "comment", "assessed_on",
          "round", "tier")  # fmt: skip
MEASURES = ("level", "target", "importance", "comment")


def find_header(table: Table, limit: int = 10, values: Values | None = None) -> tuple[int, dict[str, int]] | None:
    """The first row (0-based) naming an item column, with its roles (a person's choices included), or None."""
    return item_header(table.rows, limit, values)


def parse(source: Source, ctx: Context) -> Batch:
    """A Batch from every sheet that has a tidy header; other sheets are skipped and said so."""
    batch = ctx.batch("tidy")
    rounds: dict[str, int] = {}
    found: list[tuple[Table, int, dict[str, int]]] = []
    for table in source.tables:
        header = find_header(table, values=ctx.values)
        if header is None:
            if source.kind == "xlsx":
                batch.messages.append(Message("msg.parse.sheet_no_item_column", sheet=table.name))
            continue
        found.append((table, *header))
    answering = [f for f in found if "level" in f[2]]
    for table, top, roles in found:
        if "level" not in roles and answering:  # an item list or legend beside the answer sheets
            batch.messages.append(Message("msg.parse.sheet_no_level_column", sheet=table.name))
            continue
        _table(table, top, roles, ctx, batch, rounds)
    if not found:
        batch.problems.append(ctx.problem(_need(Message("msg.parse.no_item_header"))))
    elif not batch.responses and not batch.problems:
        batch.problems.append(ctx.problem(Message("msg.parse.no_answers")))
    if len(rounds) > 1:
        batch.problems.append(ctx.problem(several_rounds(rounds)))
    elif rounds:
        batch.round = next(iter(rounds))
    return batch


def _footer_item(item: Cell) -> bool:
    """True when a row's item cell fits a footer row: empty, or itself 平均 / 合計 / ※ …."""
    text = display(item).strip()
    return not text or bool(FOOTER.match(text))


def _need(start: Message, found: Message | Quoted | None = None) -> Message:
    """The message for a tidy table without its required columns (and the headers it has, where known)."""
    words = {r: " / ".join(ROLE_WORDS[r][:3]) for r in REQUIRED}
    need = Message("msg.parse.tidy_needs", start=start, item=words["item"], level=words["level"])
    return Message("msg.parse.tidy_found", need=need, found=found) if found is not None else need


def _on_sheet(sheet: str, message: Message) -> Message:
    """`sheet "x" …` in front of a message about one sheet's rows (a CSV has no sheet name)."""
    return Message("msg.parse.sheet_prefix", sheet=sheet, message=message) if sheet else message


def _table(table: Table, top: int, roles: dict[str, int], ctx: Context, batch: Batch, rounds: dict[str, int]) -> None:
    """Add one sheet's answers to the batch, filling group cells down (merged cells count as filled down)."""
    sheet = table.name
    rows = expand_merged(table) if table.merged else table.rows
    header = rows[top]
    missing = [r for r in REQUIRED if r not in roles]
    if missing:
        heads = [display(h) for h in header if display(h).strip()]
        found = Quoted(heads) if heads else Message("msg.parse.none")
        start = Message("msg.parse.missing_column", column=missing[0])
        batch.problems.append(ctx.problem(_need(start, found), sheet, top + 1))
        return
    body = [(top + offset + 2, row, cells) for offset, row in enumerate(rows[top + 1 :]) if (cells := filled(row))]
    values = ctx.values
    claims = header_columns(header, values)
    clash = conflicts(ctx, batch, header, claims, SINGLE, sheet, top + 1)
    claimed = {n for found in claims.values() for n in found}
    by_values = None if "rater" in roles else rater_by_values(header, rows[top + 1 :], claimed, values)
    if by_values is not None:
        roles = {**roles, "rater": by_values}
        said = Message("msg.parse.rater_by_values", column=display(header[by_values]).strip())
        ctx.once(batch, _on_sheet(sheet, said))
    role_at = {n: role for role, found in claims.items() for n in found} | {n: r for r, n in roles.items()}
    used = {n for role, n in roles.items() if role in USED} | clash
    taken = claimed | ({by_values} if by_values is not None else set())
    unclear, refused = ambiguous_columns(ctx, batch, header, roles, taken, sheet, top + 1)
    for n, head in enumerate(header):
        text = display(head).strip()
        if not text:
            continue
        if n in unclear:
            ctx.column(sheet, text, None, how="ambiguous", candidates=unclear[n])
            continue
        if n in used:
            how = "conflict" if n in clash else "values" if n == by_values else "header"
            ctx.column(sheet, text, role_at[n], how=how)
            continue
        chosen = values.role(text)
        ctx.column(sheet, text, "ignore", how="mapped" if chosen else "unknown")
        if chosen is None:
            key = "msg.parse.column_unused" if role_of(head) is None else "msg.parse.column_unused_by_tidy"
            ctx.once(batch, _on_sheet(sheet, Message(key, column=text)))
        elif chosen[0] == "ignore":
            ctx.once(batch, Message("msg.parse.column_mapped_to_ignore", column=text, ignore=IGNORE))
    if clash or refused:
        ctx.skipped += len(body)
        return
    first = body[0][0] if body else top + 2
    if "product" not in roles and not ctx.product:
        message = Message("msg.parse.tidy_no_product", advice=Advice("product"))
        batch.problems.append(ctx.problem(message, sheet, first))
        ctx.skipped += len(body)
        return
    if "rater" not in roles and not ctx.rater:
        batch.problems.append(ctx.problem(Message("msg.parse.tidy_no_rater", advice=Advice("rater")), sheet, first))
        ctx.skipped += len(body)
        return
    who = next((r for r in ("respondent", "email", "name") if r in roles), None)
    carry: dict[str, Cell] = {}
    noted: set[tuple[str, str, str, str]] = set()
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

        def fail(message: Message, role: str, value: Cell, number: int = number) -> None:
            batch.problems.append(ctx.problem(message, sheet, number, header[roles[role]], value))

        item_at = roles["item"]
        item_raw = row[item_at] if item_at < len(row) else ""
        lead = row[cells[0]]
        if isinstance(lead, str) and FOOTER.match(lead) and _footer_item(item_raw):
            batch.messages.append(_on_sheet(sheet, Message("msg.parse.footer_row", row=number, value=shown(lead, 40))))
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
        free = text_of(cell(row, "free_text")) if "free_text" in roles else ""
        if free.strip() and product and (product, team, person, free) not in noted:
            noted.add((product, team, person, free))  # a response's comment repeats on each of its answer rows
            author = ctx.person(person) if person else None
            group = display(header[roles["free_text"]]).strip()
            batch.notes.append(Note(text=free, product=product, team=team, group=group, author=author,
                                    item=linked_item(free, ctx.model), sheet=sheet, row=number))  # fmt: skip
        if not display(item_cell).strip():
            answered = [roles[r] for r in MEASURES if r in roles]
            if any(i < len(row) and display(row[i]).strip() for i in answered):
                fail(Message("msg.parse.no_item"), "item", item_cell)
                ctx.skipped += 1
            continue
        if values.mapped(item_cell) == IGNORE:
            ctx.once(batch, Message("msg.parse.item_mapped_to_ignore", item=display(item_cell).strip(), ignore=IGNORE))
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
                fail(Message("msg.parse.rater_empty"), "rater", raw)
        if not product:
            fail(Message("msg.parse.product_empty", advice=Advice("product")), "product", "")
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
