"""Workbooks: every visible worksheet of an .xlsx read with python-calamine, once the guard has sized it, a run of
rows at a time (`pieces`)."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from ..i18n import Message, Quoted
from .guard import Extent, Guard, Refused, resave, too_big_sheet
from .pieces import Piece, Stack, Unordered, book, kept_parts, pieces, read
from .source import Limits, Source, Table, accepted, fail, size

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
    """Load the visible worksheets through calamine, each only after the guard has admitted it, a run of rows at
    a time (`pieces`) into columns of codes."""
    from python_calamine import CalamineError, PasswordError, SheetTypeEnum, SheetVisibleEnum

    kept = kept_parts(guard.archive)
    try:
        catalogue = book(kept)  # the sheets' names, kinds and visibility, without their cells
        try:
            metadata = catalogue.sheets_metadata
        finally:
            catalogue.close()
    except PasswordError:
        fail(source, Message("msg.read.password"))
        return
    except (CalamineError, ValueError, OSError) as exc:
        fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=accepted()))
        return
    hidden: list[str] = []
    whole = _Whole(data)
    try:
        for meta in metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                continue
            extent = guard.admit(meta.name)
            part = guard.parts.get(meta.name, "")
            try:
                stack = _stacked(
                    pieces(guard.archive, part, meta.name, kept) if part in guard.names else whole.sheet(meta.name),
                    meta.name,
                    extent,
                    guard,
                )
            except Unordered:  # rows out of order, or without references: calamine places them reading it whole
                stack = _stacked(whole.sheet(meta.name), meta.name, extent, guard)
            columns = stack.columns()
            merged, covered = _clip_merged(stack.merged, stack.height, len(columns))
            guard.cells += covered
            if guard.cells > guard.limit.max_cells:
                message = Message(
                    "msg.read.merged_too_big", sheet=meta.name, covered=covered, limit=guard.limit.max_cells
                )
                raise Refused(message, meta.name)
            source.tables.append(Table(name=meta.name, merged=merged, coded=columns))
    except PasswordError:
        fail(source, Message("msg.read.password"))
        return
    except (CalamineError, ValueError, OSError) as exc:
        fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=accepted()))
        return
    finally:
        whole.close()
    if hidden:
        key = "msg.read.hidden_sheets" if len(hidden) > 1 else "msg.read.hidden_sheet"
        source.messages.append(Message(key, sheets=Quoted(hidden)))
    source.kind = "xlsx"


def _stacked(runs: Iterable[Piece], name: str, extent: Extent, guard: Guard) -> Stack:
    """The runs of a sheet stacked into columns, each run checked against the extent the guard admitted."""
    stack = Stack()
    for piece in runs:
        bottom, right = piece.top + len(piece.rows), piece.left + piece.width
        if piece.rows and bottom * max(right, 1) > max(extent.area, 1):  # the guard missed cells
            raise Refused(too_big_sheet(name, Extent(bottom, right), guard.limit), name)
        stack.add(piece)
    return stack


class _Whole:
    """The workbook as given, loaded by calamine the first time a sheet must be read whole."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.book: Any = None

    def sheet(self, name: str) -> Iterator[Piece]:
        from python_calamine import load_workbook

        if self.book is None:
            self.book = load_workbook(io.BytesIO(self.data))
        yield read(self.book.get_sheet_by_name(name))

    def close(self) -> None:
        if self.book is not None:
            self.book.close()


def _clip_merged(
    ranges: list[tuple[tuple[int, int], tuple[int, int]]], height: int, width: int
) -> tuple[list[tuple[int, int, int, int]], int]:
    """Merged ranges clipped to the data (its height and width), and how many cells they cover in all."""
    clipped, covered = [], 0
    for (r0, c0), (r1, c1) in ranges:
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        if r0 > r1 or c0 > c1 or (r0 == r1 and c0 == c1):
            continue
        clipped.append((r0, c0, r1, c1))
        covered += (r1 - r0 + 1) * (c1 - c0 + 1)
    return clipped, covered
