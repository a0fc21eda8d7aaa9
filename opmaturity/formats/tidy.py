"""Tidy long tables (CSV or xlsx): one answer per row, English or Japanese headers, group cells filled down."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc

from ..batch import Batch, Note, answer_table
from ..dates import parse_date
from ..errors import Problem
from ..i18n import Advice, Message, Quoted
from ..notes import linked_item
from ..readers import Cell, Source, Table, expand_merged
from ..readers.columns import Coded, any_of, coded_columns, constant, positions, rows_where
from ..values import IGNORE, Invalid, Values, display, shown
from .common import (
    FOOTER,
    ROLE_WORDS,
    Context,
    ambiguous_columns,
    conflicts,
    header_columns,
    is_filled,
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
# A form's timestamps (Google: タイムスタンプ; Microsoft: 完了時刻 before 開始時刻) date the answers of a table
# that has no date column of its own (formats.detect reads a form answered item by item as tidy).
STAMPS = ("timestamp", "completed", "start")


def find_header(table: Table, limit: int = 10, values: Values | None = None) -> tuple[int, dict[str, int]] | None:
    """The first row (0-based) naming an item column, with its roles (a person's choices included), or None."""
    return item_header(table.head(limit), limit, values)


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
    elif not batch.answers and not batch.problems:
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
    """Add one sheet's answers to the batch, filling group cells down (merged cells count as filled down).

    The sheet is read column by column: each distinct value of a column (a level word, an item title, a name) is
    converted once and the result spread over the rows; only the rows with a problem are looked at one by one.
    """
    sheet = table.name
    if table.merged:
        table = Table(sheet, expand_merged(table))
    head = table.head(top + 202)
    header = head[top]
    missing = [r for r in REQUIRED if r not in roles]
    if missing:
        heads = [display(h) for h in header if display(h).strip()]
        found = Quoted(heads) if heads else Message("msg.parse.none")
        start = Message("msg.parse.missing_column", column=missing[0])
        batch.problems.append(ctx.problem(_need(start, found), sheet, top + 1))
        return
    stamp = next((r for r in STAMPS if r in roles), None)
    if "assessed_on" not in roles and stamp is not None:  # a form answered item by item: each answer's day
        roles = {("assessed_on" if role == stamp else role): n for role, n in roles.items()}
    values = ctx.values
    claims = header_columns(header, values)
    clash = conflicts(ctx, batch, header, claims, SINGLE, sheet, top + 1)
    claimed = {n for found in claims.values() for n in found}
    by_values = None if "rater" in roles else rater_by_values(header, head[top + 1 :], claimed, values)
    if by_values is not None:
        roles = {**roles, "rater": by_values}
        said = Message("msg.parse.rater_by_values", column=display(header[by_values]).strip())
        ctx.once(batch, _on_sheet(sheet, said))
    taken = claimed | ({by_values} if by_values is not None else set())
    unclear, refused = ambiguous_columns(ctx, batch, header, roles, taken, sheet, top + 1)
    _report_columns(header, roles, claims, clash, unclear, by_values, sheet, ctx, batch)
    width = max(table.width, len(header))
    cells = coded_columns(table, top + 1, width)
    below = max(table.height - top - 1, 0)
    table.release()  # a large CSV's text is held as codes from here on
    body = any_of([c.where(is_filled) for c in cells], below)
    footers = _footer_rows(cells, roles["item"], body)
    for at in footers:
        lead = next(c.cell(at) for c in cells if is_filled(c.cell(at)))
        batch.messages.append(
            _on_sheet(sheet, Message("msg.parse.footer_row", row=top + 2 + at, value=shown(lead, 40)))
        )
    if footers:
        body = pc.and_(body, pc.invert(pc.is_in(positions(len(body)), pa.array(footers, pa.int64()))))
    numbers = pc.filter(positions(len(body), top + 2), body)
    rows = len(numbers)
    if clash or refused:
        ctx.skipped += rows
        return
    first = numbers[0].as_py() if rows else top + 2
    if "product" not in roles and not ctx.product:
        message = Message("msg.parse.tidy_no_product", advice=Advice("product"))
        batch.problems.append(ctx.problem(message, sheet, first))
        ctx.skipped += rows
        return
    if "rater" not in roles and not ctx.rater:
        batch.problems.append(ctx.problem(Message("msg.parse.tidy_no_rater", advice=Advice("rater")), sheet, first))
        ctx.skipped += rows
        return
    _answers(
        _Sheet(sheet, header, roles, {r: cells[n].keep(body) for r, n in roles.items()}, numbers), ctx, batch, rounds
    )


def _blank(value: Cell) -> bool:
    return not is_filled(value)


def _footer_rows(cells: list[Coded], item_at: int, body: pa.BooleanArray) -> list[int]:
    """The rows (0-based below the header) that are a footer: led by 平均 / 合計 / ※ … with no item of their own."""
    if not cells:
        return []
    marked = any_of([c.where(lambda v: isinstance(v, str) and bool(FOOTER.match(v))) for c in cells], len(body))
    found = []
    for at in rows_where(pc.and_(marked, body)):
        lead = next(c.cell(at) for c in cells if is_filled(c.cell(at)))
        item = cells[item_at].cell(at) if item_at < len(cells) else ""
        if isinstance(lead, str) and FOOTER.match(lead) and _footer_item(item):
            found.append(at)
    return found


def _report_columns(
    header: list[Cell],
    roles: dict[str, int],
    claims: dict[str, list[int]],
    clash: set[int],
    unclear: dict[int, tuple[str, ...]],
    by_values: int | None,
    sheet: str,
    ctx: Context,
    batch: Batch,
) -> None:
    """Say what every column was read as (the mapping step and `--json`), and which columns are not used."""
    values = ctx.values
    role_at = {n: role for role, found in claims.items() for n in found} | {n: r for r, n in roles.items()}
    used = {n for role, n in roles.items() if role in USED} | clash
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


@dataclass
class _Sheet:
    """The body of one tidy sheet, column by role: its name, header, roles, cells and Excel row numbers."""

    name: str
    header: list[Cell]
    roles: dict[str, int]
    cells: dict[str, Coded]
    numbers: pa.Int64Array

    def column(self, role: str, down: bool = False) -> Coded | None:
        """The role's cells (group cells filled down where `down`), or None when no column has the role."""
        found = self.cells.get(role)
        return found.filled_down(_blank) if found is not None and down else found


# The order in which a row's problems are told (the order the checks read a row).
_ITEM, _CATEGORY, _RATER, _RATER_EMPTY, _PRODUCT, _LEVEL, _TARGET, _IMPORTANCE, _DATE = range(9)


def _answers(s: _Sheet, ctx: Context, batch: Batch, rounds: dict[str, int]) -> None:
    """The sheet's answers as columns, and a problem for each bad cell, naming its row, column and value."""
    values, rows = ctx.values, len(s.numbers)
    found: list[tuple[int, int, Problem]] = []  # (row, check, problem): told in the order of the rows
    bad = pa.repeat(False, rows)

    def fail(mask: pa.BooleanArray, check: int, role: str, cells: Coded, message: Callable[[Cell], Message]) -> None:
        nonlocal bad
        bad = pc.or_(bad, mask)
        head = s.header[s.roles[role]] if role in s.roles else ""
        for at in rows_where(mask):
            value = cells.cell(at)
            found.append((at, check, ctx.problem(message(value), s.name, s.numbers[at].as_py(), head, value)))

    def group(role: str) -> Coded:
        return s.column(role, down=True) or constant(rows)

    product_cells, team_cells = group("product"), group("team")
    product = product_cells.spread([name_of(u) or ctx.product or "" for u in product_cells.uniques], pa.string())
    team_named = team_cells.spread([name_of(u) for u in team_cells.uniques], pa.string())
    no_team = pc.equal(team_named, "")
    if ctx.team:
        team = pc.if_else(no_team, ctx.team, team_named)
    else:
        for name in pc.unique(pc.filter(product, no_team)).to_pylist():
            ctx.team_for(name)  # remembered: the team was named after its product
        team = pc.if_else(no_team, product, team_named)
    who = next((r for r in ("respondent", "email", "name") if r in s.roles), None)
    person_cells = group(who) if who else group("")
    person_names = [name_of(u) for u in person_cells.uniques]
    person = person_cells.spread(person_names, pa.string())
    _rounds(group("round"), s, rounds)
    _tiers(group("tier"), product, batch)
    if "free_text" in s.roles:
        _free_text(group("free_text"), product, team, person, s, ctx, batch)
    # An answer needs an item: a row without one is left out (with a problem when it answered something).
    item_cells, category_cells = s.cells["item"], group("category")
    measured = [s.cells[m].where(is_filled) for m in MEASURES if m in s.cells]
    no_item = item_cells.where(lambda v: not display(v).strip())
    fail(pc.and_(no_item, any_of(measured, rows)), _ITEM, "item", item_cells, lambda v: Message("msg.parse.no_item"))
    ignored = item_cells.where(lambda v: values.mapped(v) == IGNORE)
    for at in rows_where(pc.and_(ignored, pc.invert(no_item))):
        raw = display(item_cells.cell(at)).strip()
        ctx.once(batch, Message("msg.parse.item_mapped_to_ignore", item=raw, ignore=IGNORE))
    width = len(item_cells.uniques)  # a (category, item) pair as one number: category code * width + item code
    pair = pc.add(pc.multiply(category_cells.codes.cast(pa.int64()), width), item_cells.codes)
    encoded = pair.dictionary_encode()
    pairs = Coded(encoded.indices, encoded.dictionary.to_pylist())
    keys: list[str | None] = []
    wrong: list[Message | None] = []
    for code in cast(list[int], pairs.uniques):
        category, item = category_cells.uniques[code // width], item_cells.uniques[code % width]
        if not display(item).strip() or values.mapped(item) == IGNORE:
            keys.append(None)
            wrong.append(None)
            continue
        key = item_key(ctx, category, item)
        keys.append(key if isinstance(key, str) else None)
        wrong.append(key.message if isinstance(key, Invalid) else None)
        if key is None:
            ctx.unknown(display(item).strip())
    answered = pc.invert(pc.or_(no_item, ignored))
    item = pairs.names(keys)
    unknown = pc.and_(
        answered, pairs.spread([k is None and w is None for k, w in zip(keys, wrong, strict=True)], pa.bool_())
    )
    fail(unknown, _ITEM, "item", item_cells, lambda v: values.unknown_item(v, cell=True))
    if "category" in s.roles:
        wrong_at = pc.and_(answered, pairs.spread([w is not None for w in wrong], pa.bool_()))
        by_pair = dict(zip(pairs.uniques, wrong, strict=True))
        for at in rows_where(wrong_at):
            value = category_cells.cell(at)
            message = by_pair[pair[at].as_py()]
            assert message is not None
            head = s.header[s.roles["category"]]
            found.append((at, _CATEGORY, ctx.problem(message, s.name, s.numbers[at].as_py(), head, value)))
        bad = pc.or_(bad, wrong_at)
    rater = _raters(group("rater") if "rater" in s.roles else None, answered, s, ctx, fail)
    fail(
        pc.and_(answered, pc.equal(product, "")),
        _PRODUCT,
        "product",
        constant(rows),
        lambda v: Message("msg.parse.product_empty", advice=Advice("product")),
    )
    converted: dict[str, pa.Array] = {}
    for role, check in (("level", _LEVEL), ("target", _TARGET), ("importance", _IMPORTANCE)):
        cells = s.cells.get(role)
        if cells is None:
            converted[role] = pa.nulls(rows, pa.int8())
            continue
        convert: Callable[[Cell], int | None] = (
            values.importance if role == "importance" else functools.partial(values.level, what=role)
        )
        converted[role], invalid = _convert(cells, convert, pa.int8())
        fail(
            pc.and_(answered, cells.spread(invalid, pa.bool_())),
            check,
            role,
            cells,
            functools.partial(_invalid, convert),
        )
    assessed_on = pa.nulls(rows, pa.date32())
    if "assessed_on" in s.roles:
        cells = group("assessed_on")
        assessed_on, invalid = _convert(cells, parse_date, pa.date32())
        fail(
            pc.and_(answered, cells.spread(invalid, pa.bool_())),
            _DATE,
            "assessed_on",
            cells,
            lambda v: _invalid(parse_date, v),
        )
    comment: pa.Array = pa.nulls(rows, pa.string())
    if "comment" in s.cells:
        cells = s.cells["comment"]
        comment = cells.names([text_of(u) if display(u).strip() else None for u in cells.uniques])
    found.sort(key=lambda f: (f[0], f[1]))
    batch.problems.extend(p for _, _, p in found)
    usable = pc.and_(pc.and_(answered, pc.invert(bad)), pc.and_(pc.is_valid(item), pc.is_valid(rater)))
    ctx.skipped += int(pc.sum(pc.and_(pc.invert(usable), answered)).as_py() or 0) + int(
        pc.sum(pc.and_(no_item, any_of(measured, rows))).as_py() or 0
    )
    level_cell = s.cells["level"].where(lambda v: bool(display(v).strip()))
    nothing = pc.and_(
        pc.and_(pc.is_null(converted["level"]), pc.is_null(converted["target"])),
        pc.and_(pc.is_null(converted["importance"]), pc.is_null(comment)),
    )
    keep = pc.and_(usable, pc.invert(pc.and_(nothing, pc.invert(level_cell))))
    respondent = _respondents(person_cells, person_names, rater, ctx)
    answers = answer_table(
        {
            "product": product.dictionary_encode(),
            "team": team.dictionary_encode(),
            "respondent": respondent,
            "rater": rater,
            "item": item,
            "level": converted["level"],
            "target": converted["target"],
            "importance": converted["importance"],
            "comment": comment,
            "assessed_on": assessed_on,
            "sheet": constant(rows, s.name).names([s.name]),
            "row": s.numbers,
        }
    ).filter(keep)
    ctx.remember_sheet_columns(s.name, {m: display(s.header[s.roles[m]]).strip() for m in MEASURES if m in s.roles})
    batch.answers.add(answers)
    earliest = pc.min(answers["assessed_on"]).as_py()
    if earliest and (batch.round_date is None or earliest < batch.round_date):
        batch.round_date = earliest


def _convert(cells: Coded, convert: Callable[[Cell], Any], kind: pa.DataType) -> tuple[pa.Array, list[bool]]:
    """The converted value of every row (null where invalid) and, per distinct value, whether it is invalid."""
    results, invalid = _converted(cells, convert)
    return cells.spread(results, kind), invalid


def _converted(cells: Coded, convert: Callable[[Cell], Any]) -> tuple[list[Any], list[bool]]:
    """Per distinct value: the converted value (None where invalid), and whether it is invalid."""
    results: list[Any] = []
    invalid: list[bool] = []
    for value in cells.uniques:
        try:
            results.append(convert(value))
            invalid.append(False)
        except Invalid:
            results.append(None)
            invalid.append(True)
    return results, invalid


def _invalid(convert: Callable[[Cell], Any], value: Cell) -> Message:
    """Why `convert` refuses the value (it does: only refused values are asked)."""
    try:
        convert(value)
    except Invalid as exc:
        return exc.message
    raise AssertionError(f"{value!r} converts")


def _raters(
    cells: Coded | None,
    answered: pa.BooleanArray,
    s: _Sheet,
    ctx: Context,
    fail: Callable[[pa.BooleanArray, int, str, Coded, Callable[[Cell], Message]], None],
) -> pa.Array:
    """The rater group of every row (null where the cell is no rater word), from the column or the options."""
    if cells is None:
        return constant(len(s.numbers)).names([ctx.rater])
    results, invalid = _converted(cells, lambda v: ctx.values.rater(v) or ctx.rater)
    groups = cells.names(results)
    fail(
        pc.and_(answered, cells.spread(invalid, pa.bool_())),
        _RATER,
        "rater",
        cells,
        lambda v: _invalid(ctx.values.rater, v),
    )
    empty = [
        not bad and ctx.values.rater(u) is None and ctx.rater is None and not display(u).strip()
        for u, bad in zip(cells.uniques, invalid, strict=True)
    ]
    fail(
        pc.and_(answered, cells.spread(empty, pa.bool_())),
        _RATER_EMPTY,
        "rater",
        cells,
        lambda v: Message("msg.parse.rater_empty"),
    )
    return groups


def _respondents(person: Coded, names: list[str], rater: pa.DictionaryArray, ctx: Context) -> pa.DictionaryArray:
    """Every row's respondent as a pseudonym: the person's (`names` per distinct cell), else the rater group's
    when the row names nobody (null where the row has no rater group either)."""
    pseudonyms = [ctx.person(n) if n else None for n in names]
    stand_ins = [ctx.group(g) for g in rater.dictionary.to_pylist()]
    nobody = person.spread([p is None for p in pseudonyms], pa.bool_())
    codes = pc.if_else(nobody, pc.add(rater.indices, len(pseudonyms)).cast(pa.int32()), person.codes)
    return Coded(codes, []).names([*pseudonyms, *stand_ins])


def _rounds(cells: Coded, s: _Sheet, rounds: dict[str, int]) -> None:
    """Each round the sheet names, with the first row naming it."""
    names = cells.spread([name_of(u) for u in cells.uniques], pa.string())
    for name in pc.unique(names).to_pylist():
        if name:
            rounds.setdefault(name, s.numbers[pc.index(names, name).as_py()].as_py())


def _tiers(cells: Coded, product: pa.Array, batch: Batch) -> None:
    """The tier each product is given first."""
    tiers = cells.spread([name_of(u) for u in cells.uniques], pa.string())
    named = pc.and_(pc.not_equal(tiers, ""), pc.not_equal(product, ""))
    if not pc.any(named).as_py():
        return
    pairs = pa.table({"product": pc.filter(product, named), "tier": pc.filter(tiers, named)})
    first = pairs.group_by("product", use_threads=False).aggregate([("tier", "first")])
    for name, tier in zip(first["product"].to_pylist(), first["tier_first"].to_pylist(), strict=True):
        batch.tiers.setdefault(name, tier)


def _free_text(
    cells: Coded, product: pa.Array, team: pa.Array, person: pa.Array, s: _Sheet, ctx: Context, batch: Batch
) -> None:
    """A response's free-text answer, kept once as a note (it repeats on each of the response's rows)."""
    written = pc.and_(cells.where(lambda v: bool(text_of(v).strip())), pc.not_equal(product, ""))
    group = display(s.header[s.roles["free_text"]]).strip()
    noted: set[tuple[str, str, str, str]] = set()
    for at in rows_where(written):
        free = text_of(cells.cell(at))
        who = (product[at].as_py(), team[at].as_py(), person[at].as_py(), free)
        if who in noted:
            continue
        noted.add(who)
        author = ctx.person(who[2]) if who[2] else None
        batch.notes.append(
            Note(
                text=free,
                product=who[0],
                team=who[1],
                group=group,
                author=author,
                item=linked_item(free, ctx.model),
                sheet=s.name,
                row=s.numbers[at].as_py(),
            )
        )
