"""Workbooks: every visible worksheet of an .xlsx read with python-calamine, once the guard has sized it."""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any

from ..i18n import Message, Quoted
from .guard import Extent, Guard, Refused, resave, too_big_sheet
from .source import Cell, Limits, Source, Table, accepted, fail, size

UNZIP_FACTOR = 10  # an xlsx may unpack to at most this many times max_bytes (zip bombs)
_OTHER_BOOKS = {"xl/workbook.bin": "xlsb", "content.xml": "ods"}  # -> msg.kind.<name>
# What reading a damaged archive raises: a bad header or CRC, a broken deflate stream, a cut-off member, an
# unknown compression method, bytes that are no XML text.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, UnicodeDecodeError)


def read_workbook(source: Source, data: bytes, limit: Limits) -> None:
    """Fill the source from workbook bytes: every visible worksheet's rows and merged ranges, within the limits."""
    if not data.startswith(b"PK"):
        fail(source, Message("msg.read.legacy_office", resave=resave()))
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        fail(source, Message("msg.read.zip_damaged", accepted=accepted()))
        return
    with archive:
        names = {i.filename for i in infos}
        other = next((what for part, what in _OTHER_BOOKS.items() if part in names), None)
        if other and "xl/workbook.xml" not in names:
            fail(source, Message("msg.read.other_workbook", what=Message(f"msg.kind.{other}"), resave=resave()))
            return
        if "xl/workbook.xml" not in names:
            fail(source, Message("msg.read.zip_not_workbook", accepted=accepted()))
            return
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limit.max_bytes * UNZIP_FACTOR:
            fail(
                source,
                Message(
                    "msg.read.unzip_too_big", size=size(unpacked), factor=UNZIP_FACTOR, limit=size(limit.max_bytes)
                ),
            )
            return
        try:
            guard = Guard(archive, limit)
            _load_sheets(source, data, guard)
        except Refused as refused:
            fail(source, refused.message, sheet=refused.sheet)
        except ZIP_ERRORS as exc:
            fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=accepted()))


def _load_sheets(source: Source, data: bytes, guard: Guard) -> None:
    """Load the visible worksheets through calamine, each only after the guard has admitted it."""
    from python_calamine import CalamineError, PasswordError, SheetTypeEnum, SheetVisibleEnum, load_workbook

    try:
        book = load_workbook(io.BytesIO(data))
    except PasswordError:
        fail(source, Message("msg.read.password"))
        return
    except (CalamineError, ValueError, OSError) as exc:
        fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=accepted()))
        return
    hidden: list[str] = []
    try:
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                continue
            extent = guard.admit(meta.name)
            sheet = book.get_sheet_by_name(meta.name)
            top, left = sheet.start or (0, 0)
            if (sheet.height + top) * max(sheet.width + left, 1) > max(extent.area, 1):  # the guard missed cells
                loaded = Extent(sheet.height + top, sheet.width + left)
                raise Refused(too_big_sheet(meta.name, loaded, guard.limit), meta.name)
            rows = _rows(sheet)
            merged, covered = _clip_merged(sheet.merged_cell_ranges or [], rows)
            guard.cells += covered
            if guard.cells > guard.limit.max_cells:
                message = Message(
                    "msg.read.merged_too_big", sheet=meta.name, covered=covered, limit=guard.limit.max_cells
                )
                raise Refused(message, meta.name)
            source.tables.append(Table(name=meta.name, rows=rows, merged=merged))
    except (CalamineError, ValueError, OSError) as exc:
        fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=accepted()))
        return
    finally:
        book.close()
    if hidden:
        key = "msg.read.hidden_sheets" if len(hidden) > 1 else "msg.read.hidden_sheet"
        source.messages.append(Message(key, sheets=Quoted(hidden)))
    source.kind = "xlsx"


def _rows(sheet: Any) -> list[list[Cell]]:
    """The sheet's rows from A1 (as `to_python(skip_empty_area=False)` gives them), each distinct text held once.

    calamine makes a new string for every cell; a long export repeats its products, items and levels on every
    row, so the rows are read one at a time and equal texts share one string (a 500,000-answer workbook held
    its rows in 760 MB, now in a fraction)."""
    top, left = sheet.start or (0, 0)
    same: dict[str, str] = {}
    keep = same.setdefault
    pad: list[Cell] = [""] * left
    rows: list[list[Cell]] = [[*pad, *(keep(c, c) if type(c) is str else c for c in row)] for row in sheet.iter_rows()]
    if len(rows) == sheet.height and top:  # rows counted from the first used one: the empty ones above first
        width = left + sheet.width
        empty: list[list[Cell]] = [[""] * width for _ in range(top)]
        rows = empty + rows
    return rows


def _clip_merged(
    ranges: list[tuple[tuple[int, int], tuple[int, int]]], rows: list[list[Cell]]
) -> tuple[list[tuple[int, int, int, int]], int]:
    """Merged ranges clipped to the data (height and widest row), and how many cells they cover in all."""
    height, width = len(rows), max((len(r) for r in rows), default=0)
    clipped, covered = [], 0
    for (r0, c0), (r1, c1) in ranges:
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        if r0 > r1 or c0 > c1 or (r0 == r1 and c0 == c1):
            continue
        clipped.append((r0, c0, r1, c1))
        covered += (r1 - r0 + 1) * (c1 - c0 + 1)
    return clipped, covered
