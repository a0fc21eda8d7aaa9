"""The export layouts the importer understands, and `detect`, which tells them apart from a file's tables."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..batch import Batch
from ..i18n import Advice, Listed, Message
from ..readers import Cell, Source, Table, expand_merged
from ..readers.columns import coded
from ..values import Invalid, Values, display
from . import google_forms, miro, ms_forms, tidy, workbook
from .common import FOOTER, Context, filled, header_roles, role_of
from .forms import find_header as form_header

LAYOUTS: tuple[str, ...] = ("google_forms", "ms_forms", "tidy", "workbook", "miro")
PARSERS: dict[str, Callable[[Source, Context], Batch]] = {
    "google_forms": google_forms.parse,
    "ms_forms": ms_forms.parse,
    "tidy": tidy.parse,
    "workbook": workbook.parse,
    "miro": miro.parse,
}
_MARKUP = re.compile(r"^\s*<(?:!doctype|html|\?xml|head|body|svg|table|div|p)\b", re.I)
_PEOPLE_OR_GROUP = ("product", "team", "rater", "respondent", "email", "name")
_HEAD = 32  # rows enough to find a header below a title block (workbook.find_header looks at 30) and the row under it


@dataclass(frozen=True)
class Detection:
    """The layout a file looks like (None when none fits) and why, in words for the user."""

    layout: str | None
    reason: Message


def detect(source: Source, values: Values) -> Detection:
    """The layout of a read file: forms by their fixed columns, tidy vs hand-made by every sheet's shape, Miro.

    A form export whose header has an item and a level column (a form that asks for one item's level per
    submission, or a tidy table with a timestamp) is tidy: its grid parser would find no question columns and
    import nothing. A workbook is judged as a whole: sheets without answer columns (an item list, a legend,
    instructions) never decide it; a sheet with a title block, rater columns or footer rows (平均, ※) makes it
    hand-made, unless its header names a product, team, rater or person column: then every row is an answer of
    its own (a long table under a title), which is tidy.
    """
    if source.kind == "json":
        return Detection("miro", Message("msg.detect.miro_json"))
    for table in source.tables:
        forms = ((google_forms.LAYOUT, "msg.detect.google_forms"), (ms_forms.LAYOUT, "msg.detect.ms_forms"))
        for layout, reason in forms:
            found = form_header(table, layout)
            if found and {"item", "level"} <= found[1].keys():  # a form answered item by item: a row per answer
                return Detection("tidy", Message("msg.detect.tidy_form"))
            if found:
                return Detection(layout.name, Message(reason))
        if miro.find_header(table):
            return Detection("miro", Message("msg.detect.miro_flat"))
    tidy_found: Detection | None = None
    unanswered: Detection | None = None  # the tidy parser then says which column is missing
    for table in source.tables:
        rows = expand_merged(table) if table.merged else table.head(_HEAD)
        found = workbook.find_header(rows)
        if found is None:
            continue
        top, roles = found
        raters = _rater_columns(rows, top, roles, values)
        if "level" not in roles and not raters:
            unanswered = unanswered or Detection("tidy", Message("msg.detect.no_level"))
            continue  # an item list or a legend: it holds no answers
        first = next((n for n, row in enumerate(rows) if filled(row)), top)
        per_row = any(r in roles for r in _PEOPLE_OR_GROUP)  # each row names its product, team or person
        if top > first and not per_row:
            return Detection("workbook", _on_sheet(table.name, Message("msg.detect.title_block", row=top + 1)))
        if raters:
            return Detection("workbook", _on_sheet(table.name, Message("msg.detect.rater_columns")))
        if not per_row and _footer(table, top, roles["item"]):
            return Detection("workbook", _on_sheet(table.name, Message("msg.detect.footer")))
        titled = Message("msg.detect.tidy_below_title", row=top + 1) if top > first else None
        reason = _on_sheet(table.name, titled) if titled else Message("msg.detect.tidy")
        tidy_found = tidy_found or Detection("tidy", reason)
    table_found = tidy_found or unanswered
    if table_found:
        return table_found
    if source.kind == "csv" and _markup(source):
        return Detection(None, Message("msg.detect.markup"))
    if source.kind == "csv":
        board = _board(source)
        if board:
            return Detection("miro", board)
    # Made here, not on import: a message reads the string catalogue, which `summary` never needs.
    return Detection(None, Message("msg.detect.unrecognised", advice=Advice("layout", layouts=Listed(LAYOUTS))))


def _on_sheet(sheet: str, message: Message) -> Message:
    """`sheet "x": …` in front of a message about one sheet (a CSV has no sheet name)."""
    return Message("msg.on_sheet", sheet=sheet, message=message) if sheet else message


def _footer(table: Table, top: int, item_at: int) -> bool:
    """True when a row below the header starts with, or names as its item, 平均 / 合計 / ※ (a hand-made footer)."""
    if table.merged:
        table = Table(table.name, expand_merged(table))
    return any(
        isinstance(cell, str) and FOOTER.match(cell) for n in {0, item_at} for cell in coded(table, n, top + 1).uniques
    )


def _rater_columns(rows: list[list[Cell]], top: int, roles: dict[str, int], values: Values) -> bool:
    """True when the header (or a second header row) has columns named for raters (SRE評価, PT評価)."""
    lines = [rows[top]]
    below = rows[top + 1] if top + 1 < len(rows) else []
    item_at = roles["item"]
    if item_at >= len(below) or display(below[item_at]).strip() in ("", display(rows[top][item_at]).strip()):
        lines.append(below)  # a second header row has no item of its own
    for line in lines:
        for n, cell in enumerate(line):
            if n in roles.values() or role_of(cell) is not None or not display(cell).strip():
                continue
            try:
                if values.rater(cell):
                    return True
            except Invalid:
                continue
    return False


def _markup(source: Source) -> bool:
    """True when the text's first cell opens an HTML or XML document."""
    for table in source.tables:
        for row in table.rows:
            cells = filled(row)
            if cells:
                return bool(_MARKUP.match(display(row[cells[0]])))
    return False


def _board(source: Source) -> Message | None:
    """Why the file is a Miro board export (a headerless grid of stickies under frame titles), or None.

    Arbitrary headerless text is not a board: it must hold several cells in rows of more than one cell, with a
    frame title (a single-cell row) followed by more stickies; a leading BOM (Miro writes one) is enough with a
    few cells. A frame may be named like a column (現状, 目標, メモ): only a row naming several columns is a header.
    """
    rows = [row for table in source.tables for row in table.rows if filled(row)]
    cells = sum(len(filled(row)) for row in rows)
    if not rows:
        return None
    if any(len(header_roles(row)) > 1 for row in rows[:10]):
        return None
    bom = source.encoding == "utf-8-sig"
    titled = any(
        len(filled(row)) == 1 and n + 1 < len(rows) for n, row in enumerate(rows[:50])
    )  # a single-cell row with stickies after it
    grid = any(len(filled(row)) > 1 for row in rows)
    if titled and (grid or bom) and (cells >= 3 or (bom and cells >= 2)):
        return Message("msg.detect.miro_board")
    return None
