"""A worksheet handed to python-calamine a few thousand rows at a time, so that a large sheet never sits in memory
whole (calamine keeps every cell of the sheet it loads, a new string each: 490 MB for 500,000 answers).

A worksheet part is `<worksheet …><sheetData><row>…</row>…</sheetData><mergeCells>…</worksheet>`. It is read
from the zip member in chunks and cut after a row's closing tag; each run of rows is wrapped in the part's own
opening (its `<dimension>` left out) and closing tags and put, with the parts that give cells their meaning
(workbook, relationships, styles for dates, shared strings), into a small uncompressed workbook that calamine
reads like the original. Rows keep their references (`<row r="250001">`), so calamine places them where they
are; the last run carries what follows the rows (merged ranges).

A cut is made only where it cannot fall inside markup: the part's text escapes `<`, so `</row>` is a tag; a
run that holds a comment or CDATA (`<!`) is not cut any further. A run whose first row does not follow the rows
before it (rows out of order, or without references) cannot be placed by itself: `Unordered` tells the caller
to read the sheet whole.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .columns import Coded, Distinct, from_cells
from .guard import is_shared_strings
from .source import Cell

CHUNK = 4 * 1024 * 1024  # bytes of sheet XML read at a time (at least twice the shared strings': see `chunk`)
_KEPT = ("[content_types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml")
_SHEET_DATA = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet\b")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*>")


class Unordered(Exception):
    """A run of rows that starts above where the rows before it ended: the sheet must be read whole."""


@dataclass
class Piece:
    """Rows calamine read from one run of a sheet: `rows[0]` is 0-based row `top`, `rows[n][0]` column `left`."""

    top: int = 0
    left: int = 0
    rows: list[list[Cell]] = field(default_factory=list)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def kept_parts(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """The parts besides worksheets that calamine needs to read a sheet as the workbook means it."""
    return {
        info.filename: archive.read(info)
        for info in archive.infolist()
        if info.filename.lower() in _KEPT or is_shared_strings(info.filename)
    }


def chunk(kept: dict[str, bytes]) -> int:
    """Bytes of sheet XML per run: every run makes calamine read the shared strings again, so a run is at least
    twice their size (reading them never costs more than half of reading the sheet)."""
    strings = sum(len(data) for name, data in kept.items() if is_shared_strings(name))
    return max(CHUNK, 2 * strings)


def book(kept: dict[str, bytes], part: str = "", xml: bytes = b"") -> Any:
    """A calamine workbook of the kept parts and, where given, one worksheet part."""
    from python_calamine import load_workbook

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in kept.items():
            archive.writestr(name, data)
        if part:
            archive.writestr(part, xml)
    out.seek(0)
    return load_workbook(out)


def read(sheet: Any) -> Piece:
    """What calamine loaded of one sheet: its used rows and its merged ranges."""
    start = sheet.start
    if start is None:
        return Piece(merged=list(sheet.merged_cell_ranges or []))
    return Piece(start[0], start[1], sheet.to_python(skip_empty_area=True), list(sheet.merged_cell_ranges or []))


def pieces(archive: zipfile.ZipFile, part: str, name: str, kept: dict[str, bytes]) -> Iterator[Piece]:
    """The sheet `name` (held in `part`) as calamine reads it, one run of rows after another."""
    size = chunk(kept)

    def load(xml: bytes) -> Piece:
        loaded = book(kept, part, xml)
        try:
            return read(loaded.get_sheet_by_name(name))
        finally:
            loaded.close()

    with archive.open(part) as stream:
        buffer = bytearray()
        while (found := _SHEET_DATA.search(buffer)) is None:
            data = stream.read(size)
            if not data:
                yield load(bytes(buffer))  # no rows element at all: calamine says what the part holds
                return
            buffer += data
        if found.group(2):  # <sheetData/>: no rows
            yield load(bytes(buffer + stream.read()))
            return
        root = _ROOT.search(buffer)
        prefix, outer = found.group(1) or b"", (root.group(1) or b"") if root else b""
        head = _DIMENSION.sub(b"", bytes(buffer[: found.end()]))
        close_row = b"</" + prefix + b"row>"
        tail = b"</" + prefix + b"sheetData></" + outer + b"worksheet>"
        del buffer[: found.end()]
        whole = False
        while data := stream.read(size):
            buffer += data
            if whole:
                continue
            cut = buffer.rfind(close_row)
            if cut < 0:
                continue
            cut += len(close_row)
            if buffer.find(b"<!", 0, cut) >= 0:
                whole = True  # a comment or CDATA: the rest goes in one run
                continue
            yield load(head + bytes(buffer[:cut]) + tail)
            del buffer[:cut]
        yield load(head + bytes(buffer))


class Stack:
    """Columns of codes (`Coded`) grown one piece of rows at a time: rows above or between pieces, and columns
    left or right of a piece, are empty cells ("")."""

    def __init__(self) -> None:
        self.height = 0
        self.merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self._columns: list[_Growing] = []

    def add(self, piece: Piece) -> None:
        """Put a piece's rows below those added so far; Unordered if it starts above where they end."""
        self.merged = piece.merged or self.merged
        if not piece.rows:
            return
        if piece.top < self.height:
            raise Unordered
        gap, count, width = piece.top - self.height, len(piece.rows), piece.left + piece.width
        while len(self._columns) < width:
            self._columns.append(_Growing(self.height))
        cells = zip(*piece.rows, strict=True)
        for n, column in enumerate(self._columns):
            column.pad(gap)
            if piece.left <= n < width:
                column.extend(from_cells(next(cells)))
            else:
                column.pad(count)
        self.height = piece.top + count

    def columns(self) -> list[Coded]:
        """Every column, all of `height` rows."""
        return [column.done() for column in self._columns]


class _Growing:
    """One column's codes in parts, into distinct values kept across the parts."""

    def __init__(self, empty_rows: int) -> None:
        self.distinct = Distinct()
        self.parts: list[pa.Array] = []
        self.pad(empty_rows)

    def pad(self, count: int) -> None:
        if count:
            self.parts.append(pa.repeat(pa.scalar(self.distinct.code(""), pa.int32()), count))

    def extend(self, part: Coded) -> None:
        remap = pa.array([self.distinct.code(value) for value in part.uniques], pa.int32())
        self.parts.append(pc.take(remap, part.codes))

    def done(self) -> Coded:
        """The whole column (its parts let go of, so that only one column is held twice at a time)."""
        codes = pa.concat_arrays(self.parts) if self.parts else pa.array([], pa.int32())
        self.parts = []
        return Coded(codes, self.distinct.uniques)
