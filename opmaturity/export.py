"""Reports out of the dashboard: CSV and Excel, with formula-like user text neutralised.

The rules every text cell of every export follows (the stored text stays verbatim; only the file changes):
- Control characters a spreadsheet cell cannot hold are dropped.
- A text longer than Excel's cell limit (32,767 characters) is cut and says so at its end
  (`…[cut: 1,234 characters]`, in the report's language), never cut silently.
- A text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that no
  spreadsheet runs it as a formula.
- CSV only: every text field is quoted, and inside a text every part that follows a `;` or `,` and begins
  (after spaces) with one of those characters gets a `'` right after the separator (`ok;=1+1` is written
  `"ok;'=1+1"`). An Excel set to another list separator than the file's, or one that ignores the quotes,
  may split a field there: the part it makes is text, never a formula.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from . import i18n
from .rounding import half_up

if TYPE_CHECKING:  # openpyxl is imported where a workbook is written: the command line starts without it (0.12 s)
    from openpyxl import Workbook
    from openpyxl.formatting.rule import Rule

# A spreadsheet program runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CELL_LIMIT = 32_767  # the most characters an Excel cell holds
# A list separator (`,` or `;`) whose next part begins, after spaces, like a formula.
_RISKY_PART = re.compile(r"([;,])(?=[ ]*[=+\-@\t\r])")
# The control characters a spreadsheet cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, which refuses them).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
HEADER_FILL = "DDE6F0"
BELOW_TARGET_COLOR = "CA0020"  # the dashboard's red: the bad side


def neutralise(value: object, lang: str = i18n.DEFAULT_LANG) -> object:
    """Cell-safe text: control characters dropped, an over-long text cut with a mark, formula-like text
    prefixed with `'`, lists joined. Anything but text is returned as it is."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str):
        # Control characters (a vertical tab pasted from Word) cannot live in a spreadsheet cell;
        # they go first, so that "\x01=cmd" cannot turn into a bare formula afterwards.
        text = cut(ILLEGAL_CHARACTERS_RE.sub("", value), lang)
        if text.startswith(FORMULA_START):
            text = "'" + text
            if len(text) > CELL_LIMIT:  # the quote pushed a text of exactly the limit over it
                text = cut(text, lang)
        return text
    return value


def cut(text: str, lang: str = i18n.DEFAULT_LANG, limit: int = CELL_LIMIT) -> str:
    """`text` as it fits in one cell: whole when short enough, else its start and a mark saying how many
    characters were left out (the mark counted within the limit)."""
    if len(text) <= limit:
        return text
    left_out = len(text) - limit
    while True:  # the mark's own length depends on the number it says
        mark = i18n.t("reports.cut", lang, n=f"{left_out:,}")
        kept = limit - len(mark)
        if len(text) - kept == left_out:
            return text[:kept] + mark
        left_out = len(text) - kept


def csv_field(value: object, lang: str = i18n.DEFAULT_LANG) -> object:
    """A CSV text field: `neutralise`d, and each `;`/`,`-separated part that would start a formula made text."""
    safe = neutralise(value, lang)
    return _RISKY_PART.sub(r"\1'", safe) if isinstance(safe, str) else safe


def safe_frame(frame: pd.DataFrame, lang: str = i18n.DEFAULT_LANG, *, csv_parts: bool = False) -> pd.DataFrame:
    """A copy whose text cells (and headers) can be opened in a spreadsheet safely."""
    clean = csv_field if csv_parts else neutralise
    out = frame.copy()
    out.columns = [clean(str(c), lang) for c in out.columns]
    for n in range(out.shape[1]):
        values = out.iloc[:, n]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            out.iloc[:, n] = values.map(lambda v: clean(v, lang))
    return out


def csv_bytes(frame: pd.DataFrame, lang: str = i18n.DEFAULT_LANG) -> bytes:
    """CSV in UTF-8 with a BOM, so Excel on Japanese Windows opens it with the right encoding; every text
    field quoted (numbers are not)."""
    return safe_frame(frame, lang, csv_parts=True).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


@dataclass
class Sheet:
    """One sheet of a report: the table, how its numbers read and what is coloured.

    `decimals`: every float is shown with this many places (1 for heatmap cells, 2 for the tables, as the pages
    show them) and kept with at least two, the figures' own precision. `frozen`: the columns kept in view when
    scrolling sideways (the header row always is). `scale`: a conditional-formatting rule over the numeric cells
    from column `scale_from` (0-based) to the last. `marked`: (row, column) positions (0-based, in the frame)
    written in bold red."""

    frame: pd.DataFrame
    decimals: int = 2
    frozen: int = 0
    scale: Rule | None = None
    scale_from: int = 0
    marked: set[tuple[int, int]] = field(default_factory=set)


def xlsx_bytes(sheets: dict[str, pd.DataFrame | Sheet], lang: str = i18n.DEFAULT_LANG) -> bytes:
    """An Excel workbook, one sheet per frame: cells written as values (never formulas), a bold header row kept
    in view with a filter on it, readable column widths, numbers rounded as on screen.

    Written in openpyxl's write-only mode, row by row, so that the answers of a large round do not sit in
    memory as cell objects."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, given in sheets.items():
        spec = given if isinstance(given, Sheet) else Sheet(given)
        _write_sheet(book, _sheet_title(name), spec, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(book: Workbook, title: str, spec: Sheet, lang: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    below_target_font = Font(bold=True, color=BELOW_TARGET_COLOR)
    sheet = book.create_sheet(title=title)
    safe = safe_frame(spec.frame, lang)
    headers = [str(c) for c in safe.columns]
    for n, header in enumerate(headers, start=1):  # widths and panes go before the first row
        values = safe.iloc[:200, n - 1]
        shown = [_shown(v, spec.decimals) for v in values]
        width = max([_width(header), *(_width(v) for v in shown)], default=8)
        sheet.column_dimensions[get_column_letter(n)].width = min(60, max(8, width + 2))
    sheet.freeze_panes = f"{get_column_letter(spec.frozen + 1)}2"
    head = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(vertical="top")
        head.append(cell)
    sheet.append(head)
    number_format = "0" if spec.decimals == 0 else "0." + "0" * spec.decimals
    for r, record in enumerate(safe.itertuples(index=False, name=None)):
        row: list[object] = []
        for c, value in enumerate(record):
            if _missing(value):
                row.append(None)
            elif isinstance(value, float):
                # Kept to the figures' two decimals and shown with the sheet's: a cell of 0.25 shown as 0.3 (Excel
                # rounds halves up when it shows a number), not stored as 0.2.
                cell = WriteOnlyCell(sheet, value=half_up(value, max(spec.decimals, 2)))
                cell.number_format = number_format
                if (r, c) in spec.marked:
                    cell.font = below_target_font
                row.append(cell)
            else:
                row.append(value.item() if hasattr(value, "item") else value)  # numpy scalars as plain numbers
        sheet.append(row)
    last_row, last_col = len(safe) + 1, max(len(headers), 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(last_col)}{last_row}"
    if spec.scale is not None and len(safe) and spec.scale_from < len(headers):
        area = f"{get_column_letter(spec.scale_from + 1)}2:{get_column_letter(last_col)}{last_row}"
        sheet.conditional_formatting.add(area, spec.scale)


def _shown(value: object, decimals: int) -> object:
    if isinstance(value, float) and not _missing(value):
        return f"{value:.{decimals}f}"
    return value


def _width(value: object) -> int:
    """Roughly how many narrow characters wide `value` reads (a CJK character counts two); the first line only."""
    if _missing(value):
        return 0
    text = str(value).split("\n", 1)[0][:80]
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _sheet_title(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return (cleaned or "Sheet")[:31]
