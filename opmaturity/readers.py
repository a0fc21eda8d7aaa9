"""Bytes to raw tables: the file type from the bytes, text encodings, delimiters, every sheet of a workbook."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from .errors import Problem

Cell = str | float | int | bool | datetime | date | time | timedelta

# Defaults, each overridable by an environment variable of the same name and by ImportOptions.
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
MAX_CELLS = 10_000_000
UNZIP_FACTOR = 10  # an xlsx may unpack to at most this many times max_bytes (zip bombs)

_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
_DELIMITERS = (",", "\t", ";")
_ACCEPTED = "Save it as CSV (UTF-8 or the Excel default), Excel (.xlsx) or Miro JSON and try again."


@dataclass
class Table:
    """One sheet (or the one table of a CSV): rows of cells as read, rows[0] is Excel row 1."""

    name: str
    rows: list[list[Cell]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r0, c0, r1, c1 inclusive

    def cell(self, row: int, col: int) -> Cell:
        """The cell at 0-based (row, col), or "" outside the data."""
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return ""


@dataclass
class Source:
    """What a file holds before any layout is applied: its tables or JSON payload, and read problems."""

    file: str
    kind: str  # "csv" | "xlsx" | "json" | "" (unreadable)
    tables: list[Table] = field(default_factory=list)
    payload: Any = None
    encoding: str | None = None
    delimiter: str | None = None
    problems: list[Problem] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    """How much one file may hold: bytes, rows (all sheets together) and cells."""

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_cells: int = MAX_CELLS


def limits(max_bytes: int | None = None, max_rows: int | None = None, max_cells: int | None = None) -> Limits:
    """The limits in force: explicit values, else $OPMATURITY_MAX_BYTES/_ROWS/_CELLS, else the defaults."""

    def pick(explicit: int | None, env: str, default: int) -> int:
        if explicit is not None:
            return int(explicit)
        raw = os.environ.get(env, "").strip()
        return int(raw) if raw.isdigit() else default

    return Limits(
        pick(max_bytes, "OPMATURITY_MAX_BYTES", MAX_BYTES),
        pick(max_rows, "OPMATURITY_MAX_ROWS", MAX_ROWS),
        pick(max_cells, "OPMATURITY_MAX_CELLS", MAX_CELLS),
    )


def read(name: str, data: bytes, limit: Limits | None = None) -> Source:
    """The file's tables (or JSON payload); problems instead of exceptions for anything unreadable."""
    limit = limit or limits()
    source = Source(file=name, kind="")
    if not data:
        return _fail(source, "the file is empty (0 bytes)")
    if len(data) > limit.max_bytes:
        return _fail(
            source,
            f"the file is {_size(len(data))}; the limit is {_size(limit.max_bytes)} (OPMATURITY_MAX_BYTES); "
            "split it or ask an administrator to raise the limit",
        )
    for magic, what in _SIGNATURES.items():
        if data.startswith(magic):
            return _fail(source, f"this is {what}, not a spreadsheet. {_ACCEPTED}")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(b"PK") or data.startswith(b"\xd0\xcf\x11\xe0"):
        _read_workbook(source, data, limit)
        if source.kind and suffix in ("csv", "tsv", "txt", "json"):
            source.messages.append(f"the file is named .{suffix} but holds an Excel workbook; read as a workbook")
        return source
    _read_text(source, data, limit)
    if source.kind and suffix in ("xlsx", "xlsm", "xls"):
        what = "JSON" if source.kind == "json" else "CSV text"
        source.messages.append(f"the file is named .{suffix} but holds {what}; read as {what}")
    return source


def _fail(source: Source, message: str, value: str = "") -> Source:
    """The source emptied and marked unreadable, with one problem added."""
    source.kind = ""
    source.tables = []
    source.problems.append(Problem(message, file=source.file, value=value))
    return source


def _size(size: int) -> str:
    """A byte count in words: bytes, KB or MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# --- text -----------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding): strict UTF-8 (BOM aware), UTF-16 (BOM), strict cp932, then a detector; None if all fail."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _try(data, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _try(data, "utf-16")
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: ASCII characters leave every other byte zero.
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        guess = "utf-16-le" if odd > even else "utf-16-be"
        return _try(data, guess)
    for encoding in ("utf-8", "cp932"):
        found = _try(data, encoding)
        if found:
            return found
    if len(data) <= 20:  # detectors misjudge tiny files: better to refuse than to guess
        return None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return None
    return _try(data, best.encoding)


def _try(data: bytes, encoding: str) -> tuple[str, str] | None:
    """(text, encoding) when the bytes decode strictly, else None."""
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return None


def sniff_delimiter(text: str) -> str:
    """The delimiter (comma, tab or semicolon) that splits the first lines most consistently; comma by default."""
    sample = text[:65536]
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        rows = []
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                if any(row):
                    rows.append(len(row))
                if len(rows) >= 30:
                    break
        except csv.Error:
            continue
        if not rows:
            continue
        widths = [w for w in rows if w > 1]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        score = widths.count(modal) * modal
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_text(source: Source, data: bytes, limit: Limits) -> None:
    """Fill the source from text bytes: JSON payload or CSV rows, within the limits."""
    decoded = decode(data)
    if decoded is None:
        _fail(
            source,
            "cannot tell the text encoding of this file (not UTF-8, UTF-16 or Japanese Windows cp932). " + _ACCEPTED,
        )
        return
    text, encoding = decoded
    source.encoding = encoding
    if encoding not in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp932"):
        source.messages.append(f"the text encoding was detected as {encoding}")
    if text.startswith("\ufeff"):
        text = text[1:]
    if _binary(text):
        _fail(source, f"this file is not text, a workbook or JSON. {_ACCEPTED}")
        return
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            source.payload = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if stripped.startswith("{"):
                _fail(source, f"the file looks like JSON but is not valid JSON (line {exc.lineno}: {exc.msg})")
                return
        else:
            items = source.payload.get("data") if isinstance(source.payload, dict) else source.payload
            if isinstance(items, list) and len(items) > limit.max_rows:
                _fail(source, _too_many_rows(len(items), limit))
                return
            source.kind = "json"
            return
    delimiter = "\t" if encoding.startswith("utf-16") and "\t" in text[:4096] else sniff_delimiter(text)
    source.delimiter = delimiter
    rows: list[list[Cell]] = []
    cells = 0
    csv.field_size_limit(max(csv.field_size_limit(), min(limit.max_bytes, 2**31 - 1)))  # very long cells
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(list(row))
            cells += len(row)
            if len(rows) > limit.max_rows:
                _fail(source, _too_many_rows(len(rows), limit, at_least=True))
                return
            if cells > limit.max_cells:
                _fail(source, _too_many_cells(cells, limit))
                return
    except csv.Error as exc:
        _fail(source, f"the CSV text is malformed near row {reader.line_num}: {exc}")
        return
    source.kind = "csv"
    source.tables = [Table(name="", rows=rows)]


def _binary(text: str) -> bool:
    """True when decoded text holds NULs or many control characters (not a text export)."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return "\x00" in sample or controls > max(8, len(sample) // 50)


def _too_many_rows(count: int, limit: Limits, at_least: bool = False) -> str:
    """The message for a file over the row limit."""
    counted = f"more than {limit.max_rows:,}" if at_least else f"{count:,}"
    return (
        f"the file has {counted} rows; the limit is {limit.max_rows:,} rows (OPMATURITY_MAX_ROWS); "
        "split it into smaller files"
    )


def _too_many_cells(count: int, limit: Limits) -> str:
    """The message for a file over the cell limit."""
    return (
        f"the file has more than {limit.max_cells:,} cells; the limit is {limit.max_cells:,} cells "
        "(OPMATURITY_MAX_CELLS); split it into smaller files"
    )


# --- workbooks ------------------------------------------------------------------------------------


def _read_workbook(source: Source, data: bytes, limit: Limits) -> None:
    """Fill the source from workbook bytes: every worksheet's rows and merged ranges, within the limits."""
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            _fail(source, f"the file starts like a zip archive but is damaged. {_ACCEPTED}")
            return
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names and "content.xml" not in names:
            _fail(source, f"this zip archive is not an Excel workbook. {_ACCEPTED}")
            return
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limit.max_bytes * UNZIP_FACTOR:
            _fail(
                source,
                f"the workbook unpacks to {_size(unpacked)}, more than {UNZIP_FACTOR} times the limit of "
                f"{_size(limit.max_bytes)} (OPMATURITY_MAX_BYTES)",
            )
            return
    from python_calamine import CalamineError, PasswordError, SheetTypeEnum, load_workbook

    try:
        book = load_workbook(io.BytesIO(data))
    except PasswordError:
        _fail(source, "the workbook is password-protected; save a copy without the password and import that")
        return
    except (CalamineError, ValueError, OSError) as exc:
        _fail(source, f"cannot read this workbook ({exc}). {_ACCEPTED}")
        return
    total_rows = total_cells = 0
    try:
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            top, left = sheet.start or (0, 0)
            height, width = sheet.height + top, sheet.width + left
            total_cells += height * max(width, 1)
            total_rows += height
            if total_rows > limit.max_rows:
                _fail(source, _too_many_rows(total_rows, limit))
                return
            if total_cells > limit.max_cells:
                _fail(source, _too_many_cells(total_cells, limit))
                return
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            source.tables.append(Table(name=meta.name, rows=rows, merged=merged))
    except (CalamineError, ValueError, OSError) as exc:
        _fail(source, f"cannot read this workbook ({exc}). {_ACCEPTED}")
        return
    finally:
        book.close()
    source.kind = "xlsx"


def expand_merged(table: Table) -> list[list[Cell]]:
    """A copy of the rows where every cell of a merged range holds the range's top-left value."""
    rows = [list(r) for r in table.rows]
    for r0, c0, r1, c1 in table.merged:
        value = table.cell(r0, c0)
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            line = rows[r]
            if len(line) <= c1:
                line.extend([""] * (c1 + 1 - len(line)))
            for c in range(c0, c1 + 1):
                line[c] = value
    return rows
