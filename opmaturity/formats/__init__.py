"""The export layouts the importer understands, and `detect`, which tells them apart from a file's tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..batch import Batch
from ..readers import Cell, Source, expand_merged
from ..validate import Invalid, Values, display
from . import google_forms, miro, ms_forms, tidy, workbook
from .common import Context, filled, header_roles, role_of
from .forms import find_header as form_header

LAYOUTS: tuple[str, ...] = ("google_forms", "ms_forms", "tidy", "workbook", "miro")
PARSERS: dict[str, Callable[[Source, Context], Batch]] = {
    "google_forms": google_forms.parse,
    "ms_forms": ms_forms.parse,
    "tidy": tidy.parse,
    "workbook": workbook.parse,
    "miro": miro.parse,
}
UNRECOGNISED = (
    "could not recognise the layout: expected a Google Forms export (a タイムスタンプ / Timestamp column), "
    "a Microsoft Forms workbook (ID, 開始時刻 / Start time, 完了時刻 / Completion time), a table with "
    "項目 / item and 現状レベル / level columns (tidy or hand-made), or a Miro export; "
    "fix the header row or choose the layout by hand"
)


@dataclass(frozen=True)
class Detection:
    """The layout a file looks like (None when none fits) and why, in words for the user."""

    layout: str | None
    reason: str


def detect(source: Source, values: Values) -> Detection:
    """The layout of a read file: forms by their fixed columns, tidy vs hand-made by the header's shape, Miro."""
    if source.kind == "json":
        return Detection("miro", "a JSON list of board items (Miro REST API)")
    for table in source.tables:
        if form_header(table, google_forms.LAYOUT):
            return Detection("google_forms", "a Timestamp / タイムスタンプ column (Google Forms)")
        if form_header(table, ms_forms.LAYOUT):
            return Detection("ms_forms", "ID and Completion time / 完了時刻 columns (Microsoft Forms)")
        if miro.find_header(table):
            return Detection("miro", "content and type / frame / colour columns (Miro items)")
    for table in source.tables:
        rows = expand_merged(table) if table.merged else table.rows
        found = workbook.find_header(rows)
        if found is None:
            continue
        top, roles = found
        first = next((n for n, row in enumerate(rows) if filled(row)), top)
        if top > first:
            return Detection("workbook", f"a title block above the header in row {top + 1} (hand-made sheet)")
        if _rater_columns(rows, top, roles, values):
            return Detection("workbook", "level columns per rater such as SRE評価 / PT評価 (hand-made sheet)")
        return Detection("tidy", "one answer per row under item and level columns (tidy table)")
    if source.kind == "csv" and _board(source):
        return Detection("miro", "a headerless grid of sticky notes with frame titles (Miro board export)")
    return Detection(None, UNRECOGNISED)


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


def _board(source: Source) -> bool:
    """True for a headerless grid with single-cell rows (frame titles): the Miro board export."""
    rows = [row for table in source.tables for row in table.rows if filled(row)]
    if not rows or any(header_roles(row) for row in rows[:10]):
        return False
    return any(len(filled(row)) == 1 for row in rows[:50])
