"""Reports out of the dashboard: CSV and Excel, with formula-like user text neutralised."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

# A spreadsheet program runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Cell-safe text: control characters dropped, formula-like text prefixed with `'`, lists joined."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str):
        # Control characters (a vertical tab pasted from Word) cannot live in a spreadsheet cell;
        # they go first, so that "\x01=cmd" cannot turn into a bare formula afterwards.
        text: str = ILLEGAL_CHARACTERS_RE.sub("", value)
        if text.startswith(FORMULA_START):
            return "'" + text
        return text
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headers) can be opened in a spreadsheet safely."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM, so Excel on Japanese Windows opens it with the right encoding."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook, one sheet per frame, cells written as values (never formulas)."""
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=_sheet_title(name))
        safe = safe_frame(frame)
        sheet.append([str(c) for c in safe.columns])
        for record in safe.itertuples(index=False):
            sheet.append([None if _missing(v) else v for v in record])
        for n, column in enumerate(safe.columns, start=1):
            width = max([len(str(column)), *(len(str(v)) for v in safe[column].head(200))], default=8)
            sheet.column_dimensions[get_column_letter(n)].width = min(60, max(8, width + 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _sheet_title(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return (cleaned or "Sheet")[:31]
