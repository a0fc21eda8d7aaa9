"""Hand-made workbooks: a sheet per product, title block, two-row merged headers, merged groups, footers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..batch import Answer, Batch
from ..dates import parse_date
from ..i18n import Advice, Message
from ..readers import Cell, Source, Table, expand_merged
from ..values import IGNORE, Invalid, display
from .common import FOOTER, PEOPLE, Context, filled, item_header, item_key, name_of, role_of, text_of

_LABEL = re.compile(r"^(.+?)\s*[:：]\s*(.*)$", re.S)
_TITLE_SPLIT = re.compile(r"\s*[—–―]\s*|\s+[-－|｜/／]\s+")  # `… — product`; never `X：Y` (a label)
_GENERIC_SHEET = re.compile(r"^(sheet|シート|sheet\s*\d+|シート\s*\d+|data|データ|回答)\s*\d*$", re.I)
_TITLE_ROLES = ("product", "team", "assessed_on", "round", "tier", "respondent")
MEASURES = ("level", "target", "importance", "comment")


@dataclass(frozen=True)
class _Column:
    """An answer column of a hand-made sheet: what it measures and for which rater."""

    index: int
    label: str  # the header as written; both rows joined with " / " for a two-row header
    measure: str
    rater: str | None


def find_header(rows: list[list[Cell]], limit: int = 30) -> tuple[int, dict[str, int]] | None:
    """The first row (0-based) naming an item column, with its roles, below a title block, or None."""
    return item_header(rows, limit)


def parse(source: Source, ctx: Context) -> Batch:
    """A Batch from every sheet with an item header; instruction and legend sheets are skipped and said so."""
    batch = ctx.batch("workbook")
    dates: list[date] = []
    sheets = 0
    for table in source.tables:
        rows = expand_merged(table) if table.merged else table.rows
        found = find_header(rows)
        if found is None:
            if filled_rows(rows):
                batch.messages.append(Message("msg.parse.sheet_holds_no_answers", sheet=table.name))
            continue
        sheets += 1
        when = _sheet(table, rows, found[0], found[1], ctx, batch, fill_importance=source.kind != "xlsx")
        if when:
            dates.append(when)
    if not sheets:
        batch.problems.append(ctx.problem(Message("msg.parse.no_sheet_with_items")))
    elif not batch.answers and not batch.problems:
        batch.problems.append(ctx.problem(Message("msg.parse.no_answers")))
    batch.round_date = min(dates) if dates else None
    return batch


def filled_rows(rows: list[list[Cell]]) -> int:
    """How many rows hold anything."""
    return sum(1 for r in rows if filled(r))


def _sheet(
    table: Table,
    rows: list[list[Cell]],
    top: int,
    roles: dict[str, int],
    ctx: Context,
    batch: Batch,
    fill_importance: bool,
) -> date | None:
    """Add one product sheet's answers to the batch; returns the sheet's date."""
    sheet = table.name
    columns, first = _columns(rows, top, roles, ctx)
    if not any(c.measure == "level" for c in columns):  # an item list or legend: no answers to read
        batch.messages.append(Message("msg.parse.sheet_no_rater_level_column", sheet=sheet))
        return None
    _report(ctx, sheet, rows, top, roles, columns)
    answered = sum(1 for row in rows[first:] if filled(row))
    title = _title_block(rows[:top], _merged_copies(table.merged, top), sheet, ctx, batch)
    product = title.names.get("product") or ctx.product or ""
    if not product:
        batch.problems.append(ctx.problem(Message("msg.parse.workbook_no_product", advice=Advice("product")), sheet, 1))
        ctx.skipped += answered
        return None
    team = title.names.get("team") or ctx.team_for(product)
    when = None
    if title.date != "":
        try:
            when = parse_date(title.date)
        except Invalid as exc:
            batch.problems.append(
                ctx.problem(
                    Message("msg.parse.title_date", message=exc.message),
                    sheet,
                    title.date_row,
                    title.date_label,
                    title.date,
                )
            )
    if title.names.get("round"):
        batch.round = batch.round or title.names["round"]
    if title.names.get("tier"):
        batch.tiers.setdefault(product, title.names["tier"])
    for c in columns:
        if c.rater is None and c.measure == "level" and not ctx.rater:
            batch.problems.append(
                ctx.problem(
                    Message("msg.parse.workbook_no_rater", column=c.label, advice=Advice("rater")),
                    sheet,
                    top + 1,
                    c.label,
                )
            )
            ctx.skipped += answered
            return when
    person = title.names.get("respondent", "")
    category: Cell = ""
    importance: Cell = ""
    cat_at, item_at = roles.get("category"), roles["item"]
    heads = {
        "item": display(rows[top][item_at]).strip(),
        "category": display(_at(rows[top], cat_at)).strip() if cat_at is not None else "",
    }
    imp_col = next((c.index for c in columns if c.measure == "importance"), None)
    for offset, row in enumerate(rows[first:]):
        number = first + offset + 1
        cells = filled(row)
        if not cells or FOOTER.match(display(row[cells[0]])):
            continue
        cat_cell = _at(row, cat_at)
        if display(cat_cell).strip() and cat_cell != category:
            category, importance = cat_cell, ""
        item_cell = _at(row, item_at)
        if not display(item_cell).strip():
            if any(display(_at(row, c.index)).strip() for c in columns):
                batch.problems.append(ctx.problem(Message("msg.parse.no_item"), sheet, number, heads["item"]))
                ctx.skipped += 1
            continue
        if FOOTER.match(display(item_cell)):
            continue
        if ctx.values.mapped(item_cell) == IGNORE:
            ctx.once(batch, Message("msg.parse.item_mapped_to_ignore", item=display(item_cell).strip(), ignore=IGNORE))
            continue
        if imp_col is not None and fill_importance:
            if display(_at(row, imp_col)).strip():
                importance = _at(row, imp_col)
            elif importance != "":
                row = [*row[:imp_col], importance, *row[imp_col + 1 :]]
        _row(row, number, sheet, (product, team, person), category, item_cell, columns, heads, ctx, batch, when)
    return when


def _row(
    row: list[Cell],
    number: int,
    sheet: str,
    who: tuple[str, str, str],
    category: Cell,
    item_cell: Cell,
    columns: list[_Column],
    heads: dict[str, str],
    ctx: Context,
    batch: Batch,
    when: date | None,
) -> None:
    """Add one item row's answers (one per rater column) to the batch, or its problems.

    `who` is (product, team, respondent name or ""); `heads` the item and category headers as written.
    """
    product, team, person = who
    before = len(batch.problems)
    item = item_key(ctx, category, item_cell)
    if item is None:
        ctx.unknown(display(item_cell).strip())
        unknown = ctx.values.unknown_item(item_cell, cell=True)
        batch.problems.append(ctx.problem(unknown, sheet, number, heads["item"], item_cell))
    elif isinstance(item, Invalid):
        batch.problems.append(ctx.problem(item.message, sheet, number, heads["category"], category))
    shared: dict[str, object] = {}
    levels: dict[str, int | None] = {}
    comments: dict[str | None, str] = {}
    for c in columns:
        raw = _at(row, c.index)
        if c.measure == "comment":
            if display(raw).strip():
                comments[c.rater] = text_of(raw)
            continue
        try:
            if c.measure == "importance":
                shared["importance"] = ctx.values.importance(raw)
            elif c.measure == "target":
                shared["target"] = ctx.values.level(raw, "target")
            elif display(raw).strip():
                levels[c.rater or ctx.rater or ""] = ctx.values.level(raw)
        except Invalid as exc:
            batch.problems.append(ctx.problem(exc.message, sheet, number, c.label, raw))
    if len(batch.problems) > before or not isinstance(item, str):
        given = [c for c in columns if c.measure == "level" and display(_at(row, c.index)).strip()]
        ctx.skipped += max(len(given), 1)
        return
    shared_heads = {c.measure: c.label for c in columns if c.measure in ("target", "importance")}
    for rater, level in levels.items():
        response = Answer(
            product=product,
            team=team,
            respondent=ctx.person(person) if person else ctx.group(rater),
            rater=rater,
            item=item,
            level=level,
            target=shared.get("target"),  # type: ignore[arg-type]
            importance=shared.get("importance"),  # type: ignore[arg-type]
            comment=comments.get(rater, comments.get(None)),
            assessed_on=when,
            sheet=sheet,
            row=number,
        )
        level_head = next((c.label for c in columns if c.measure == "level" and (c.rater or ctx.rater) == rater), "")
        comment_head = next((c.label for c in columns if c.measure == "comment" and c.rater in (rater, None)), "")
        ctx.remember_columns(response, {**shared_heads, "level": level_head, "comment": comment_head})
        batch.answers.append(response)


def _report(
    ctx: Context, sheet: str, rows: list[list[Cell]], top: int, roles: dict[str, int], columns: list[_Column]
) -> None:
    """Say what each column of the header was read as: the category and item columns, each answer column's
    measure (of the item on each row), and every other column ignored (a person's choice, or nothing it names)."""
    answers = {c.index: c for c in columns}
    read = {n: role for role, n in roles.items() if role in ("category", "item")}
    below = rows[top + 1] if top + 1 < len(rows) else []
    for n in range(max(len(rows[top]), len(below))):
        text = display(_at(rows[top], n)).strip()
        if n in answers:
            ctx.column(sheet, answers[n].label, answers[n].measure)
        elif n in read:
            ctx.column(sheet, text, read[n])
        elif text:
            ctx.column(sheet, text, "ignore", how="mapped" if ctx.values.role(text) else "unknown")


def _at(row: list[Cell], index: int | None) -> Cell:
    """The cell at `index`, or "" past the row's end."""
    return row[index] if index is not None and index < len(row) else ""


@dataclass
class _Title:
    """What the block above the header says: labelled names, the date cell and where it is."""

    names: dict[str, str] = field(default_factory=dict)  # product, team, round, tier, respondent
    date: Cell = ""
    date_row: int | None = None
    date_label: str = ""


def _merged_copies(merged: list[tuple[int, int, int, int]], top: int) -> set[tuple[int, int]]:
    """The cells above row `top` that only repeat a merged range's top-left value (expand_merged's copies)."""
    copies: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in merged:
        for r in range(r0, min(r1, top - 1) + 1):
            copies.update((r, c) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))
    return copies


def _title_block(
    rows: list[list[Cell]], copies: set[tuple[int, int]], sheet: str, ctx: Context, batch: Batch
) -> _Title:
    """Product, team, date, round, tier and respondent from the labelled cells and the title above the header.

    A label's value is the first filled cell after it that is not a merged copy of the label itself (`チーム`
    merged over A2:B2 with the team in C2). A person's label (記入者, 担当者, 回答者, 氏名, 名前, メール) names
    the respondent, who is only ever stored as a pseudonym. A cell `X：Y` whose X is no label is neither a
    label nor the title: only `… — <product>` titles and labelled cells name the product.
    """
    found = _Title()
    title = ""
    for r, row in enumerate(rows):
        used: set[int] = set()
        for c, cell in enumerate(row):
            text = display(cell).strip()
            if c in used or (r, c) in copies or not text:
                continue
            label = _LABEL.match(text)
            # `… — <product>` is a title even where its words hold a label's (髙橋サービス: サービス names a product)
            titled = not label and len([p for p in _TITLE_SPLIT.split(text) if p.strip()]) > 1
            role = None if titled else role_of(label.group(1) if label else text)
            if role in PEOPLE:
                role = "respondent"
            if role in _TITLE_ROLES:
                value: Cell = label.group(2).strip() if label else ""
                if value == "":
                    nxt = next(
                        (k for k in range(c + 1, len(row)) if (r, k) not in copies and display(row[k]).strip()),
                        None,
                    )
                    if nxt is not None:
                        value = row[nxt]
                        used.add(nxt)
                if role == "assessed_on" and value != "" and found.date_row is None:
                    found.date, found.date_row = value, r + 1
                    found.date_label = label.group(1).strip() if label else text
                elif role and value != "":
                    found.names.setdefault(role, name_of(value))
            elif not title and not label and isinstance(cell, str):
                title = text
    if "product" not in found.names:
        parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()] if title else []
        if len(parts) > 1 and not _is_date(parts[-1]):
            found.names["product"] = parts[-1].strip()
            ctx.once(
                batch,
                _on_sheet(sheet, Message("msg.parse.product_from_title", product=found.names["product"], title=title)),
            )
        elif sheet and not _GENERIC_SHEET.match(sheet.strip()):
            found.names["product"] = sheet.strip()
            ctx.once(batch, _on_sheet(sheet, Message("msg.parse.product_from_sheet", product=sheet.strip())))
    return found


def _on_sheet(sheet: str, message: Message) -> Message:
    """`sheet "x": …` in front of a message about one sheet."""
    return Message("msg.on_sheet", sheet=sheet, message=message) if sheet else message


def _is_date(text: str) -> bool:
    """True when the text reads as a date (so a dated title does not name a product)."""
    try:
        return parse_date(text.strip()) is not None
    except Invalid:
        return False


def _columns(rows: list[list[Cell]], top: int, roles: dict[str, int], ctx: Context) -> tuple[list[_Column], int]:
    """The answer columns of a one- or two-row header, and the first data row (0-based)."""
    head = rows[top]
    sub = rows[top + 1] if top + 1 < len(rows) else []
    item_at = roles["item"]
    two_rows = display(_at(sub, item_at)).strip() in ("", display(head[item_at]).strip()) and any(
        _rater(ctx, cell) for n, cell in enumerate(sub) if display(cell).strip() != display(_at(head, n)).strip()
    )
    columns = []
    for n, cell in enumerate(head):
        top_text = display(cell).strip()
        below = display(_at(sub, n)).strip() if two_rows else ""
        if below == top_text:
            below = ""
        label = f"{top_text} / {below}" if top_text and below else top_text or below
        if not label or n in (roles.get("category"), item_at) or _chosen(ctx, top_text) == "ignore":
            continue
        role = _chosen(ctx, top_text) or role_of(top_text)
        rater = _rater(ctx, below) if below else None
        if role is None and below and role_of(below) in MEASURES:
            role, rater = role_of(below), _rater(ctx, top_text)
        if role is None:
            rater = rater or _rater(ctx, top_text)
            role = "level" if rater else None
        if role in MEASURES:
            columns.append(_Column(n, label, role, rater))
    return columns, top + (2 if two_rows else 1)


def _chosen(ctx: Context, header: str) -> str | None:
    """The role a person chose for this header where a hand-made sheet can use it: a measure of each row's item
    (level, target, importance, comment) or ignore; None otherwise."""
    chosen = ctx.values.role(header) if header else None
    if chosen is None or chosen[1] is not None:
        return None
    return chosen[0] if chosen[0] in (*MEASURES, "ignore") else None


def _rater(ctx: Context, text: Cell) -> str | None:
    """The rater a header names, or None."""
    try:
        return ctx.values.rater(text) if display(text).strip() else None
    except Invalid:
        return None
