"""Bytes to raw tables: the file type from the bytes, text encodings, delimiters, every sheet of a workbook."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from .errors import Problem
from .i18n import Message, Quoted

Cell = str | float | int | bool | datetime | date | time | timedelta

# Defaults, each overridable by an environment variable of the same name and by ImportOptions.
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
MAX_CELLS = 10_000_000
UNZIP_FACTOR = 10  # an xlsx may unpack to at most this many times max_bytes (zip bombs)
MAX_JSON_DEPTH = 64  # a Miro item list nests four or five levels; deeper JSON is refused, never recursed into

_SIGNATURES = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}  # -> msg.kind.<name>
_DELIMITERS = (",", "\t", ";")
_ACCEPTED = Message("msg.read.accepted")
_TOO_DEEP = Message("msg.read.json_too_deep", depth=MAX_JSON_DEPTH)


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
    messages: list[Message] = field(default_factory=list)


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
        return _fail(source, Message("msg.read.empty"))
    if len(data) > limit.max_bytes:
        size, allowed = _sizes(len(data), limit.max_bytes)
        return _fail(source, Message("msg.read.too_big", size=size, allowed=allowed))
    for magic, what in _SIGNATURES.items():
        if data.startswith(magic):
            return _fail(source, Message("msg.read.not_a_table", what=Message(f"msg.kind.{what}"), accepted=_ACCEPTED))
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(b"PK") or data.startswith(b"\xd0\xcf\x11\xe0"):
        _read_workbook(source, data, limit)
        if source.kind and suffix in ("csv", "tsv", "txt", "json"):
            source.messages.append(Message("msg.read.named_but_workbook", suffix=suffix))
        return source
    _read_text(source, data, limit)
    if source.kind and suffix in ("xlsx", "xlsm", "xls"):
        kind = "json" if source.kind == "json" else "csv"
        source.messages.append(Message(f"msg.read.named_but_{kind}", suffix=suffix))
    return source


def _fail(source: Source, message: Message, value: str = "", sheet: str = "") -> Source:
    """The source emptied and marked unreadable, with one problem added."""
    source.kind = ""
    source.tables = []
    source.problems.append(Problem(message, file=source.file, sheet=sheet, value=value))
    return source


def _size(size: int) -> Message:
    """A byte count in words: bytes, KB or MB."""
    if size < 1024:
        return Message("msg.size.bytes", n=size)
    if size < 1024 * 1024:
        return Message("msg.size.kb", n=size / 1024)
    return Message("msg.size.mb", n=size / 1024 / 1024)


def _sizes(size: int, limit: int) -> tuple[Message, Message]:
    """Two byte counts in words, exact (`52,428,801 bytes (50.0 MB)`) where rounding would make them look equal."""
    shown, allowed = _size(size), _size(limit)
    if shown != allowed:
        return shown, allowed
    return Message("msg.size.exact", n=size, shown=shown), Message("msg.size.exact", n=limit, shown=allowed)


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
        _fail(source, Message("msg.read.encoding_unknown", accepted=_ACCEPTED))
        return
    text, encoding = decoded
    source.encoding = encoding
    if encoding not in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp932"):
        source.messages.append(Message("msg.read.encoding_detected", encoding=encoding))
    if text.startswith("\ufeff"):
        text = text[1:]
    if _binary(text):
        _fail(source, Message("msg.read.binary", accepted=_ACCEPTED))
        return
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            source.payload = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if stripped.startswith("{"):
                _fail(source, Message("msg.read.json_invalid", line=exc.lineno, detail=exc.msg))
                return
        except RecursionError:
            _fail(source, _TOO_DEEP)
            return
        except ValueError as exc:  # e.g. a number too long to convert
            _fail(source, Message("msg.read.json_unreadable", detail=str(exc)))
            return
        else:
            if _depth(source.payload) > MAX_JSON_DEPTH:
                _fail(source, _TOO_DEEP)
                return
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
        _fail(source, Message("msg.read.csv_malformed", row=reader.line_num, detail=str(exc)))
        return
    source.kind = "csv"
    source.tables = [Table(name="", rows=rows)]


def _depth(payload: Any) -> int:
    """How deeply lists and objects nest in a JSON payload (counted without recursion)."""
    deepest = 0
    stack = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _binary(text: str) -> bool:
    """True when decoded text holds NULs or many control characters (not a text export)."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return "\x00" in sample or controls > max(8, len(sample) // 50)


def _too_many_rows(count: int, limit: Limits, at_least: bool = False) -> Message:
    """The message for a file over the row limit."""
    key = "msg.read.too_many_rows_at_least" if at_least else "msg.read.too_many_rows"
    return Message(key, count=count, limit=limit.max_rows)


def _too_many_cells(count: int, limit: Limits) -> Message:
    """The message for a file over the cell limit."""
    return Message("msg.read.too_many_cells", limit=limit.max_cells)


# --- workbooks ------------------------------------------------------------------------------------

_OTHER_BOOKS = {"xl/workbook.bin": "xlsb", "content.xml": "ods"}  # -> msg.kind.<name>
_RESAVE = Message("msg.read.resave")
_SCAN_CHUNK = 1 << 20
_FAST_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*)>')
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]+)[0-9]+"')
_CELL_ROW = re.compile(rb'<c r="[A-Z]+([0-9]+)"')
_EMPTY_CELL = re.compile(rb'<c r="[^"]*"[^>]*/>')
_ANY_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]*)([0-9]*)["\']')
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_RID = re.compile(rb'\s[\w.-]+:id\s*=\s*["\']([^"\']*)["\']')
_UNIQUE_COUNT = re.compile(rb'uniqueCount\s*=\s*["\']([0-9]+)["\']')


@dataclass
class _Extent:
    """How far a worksheet's cells reach, found by scanning its XML without loading it: 1-based last row and column."""

    rows: int = 0
    cols: int = 0

    @property
    def area(self) -> int:
        """The cells a reader allocates for the sheet read from A1: rows x columns."""
        return self.rows * self.cols

    def widen(self, other: _Extent) -> None:
        """Grow to cover another extent too."""
        self.rows, self.cols = max(self.rows, other.rows), max(self.cols, other.cols)


def _read_workbook(source: Source, data: bytes, limit: Limits) -> None:
    """Fill the source from workbook bytes: every visible worksheet's rows and merged ranges, within the limits.

    The size of every sheet is read from its XML before python-calamine loads it: calamine allocates the whole
    rectangle from A1 to the farthest cell holding a value, so one stray cell at XFD1048576 would ask for
    hundreds of gigabytes and abort the process. (python-calamine 0.9 cannot load a bounded range: `to_python`
    takes `nrows`, but only after the whole range is in memory.)
    """
    if not data.startswith(b"PK"):
        _fail(source, Message("msg.read.legacy_office", resave=_RESAVE))
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _fail(source, Message("msg.read.zip_damaged", accepted=_ACCEPTED))
        return
    with archive:
        names = {i.filename for i in infos}
        other = next((what for part, what in _OTHER_BOOKS.items() if part in names), None)
        if other and "xl/workbook.xml" not in names:
            _fail(source, Message("msg.read.other_workbook", what=Message(f"msg.kind.{other}"), resave=_RESAVE))
            return
        if "xl/workbook.xml" not in names:
            _fail(source, Message("msg.read.zip_not_workbook", accepted=_ACCEPTED))
            return
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limit.max_bytes * UNZIP_FACTOR:
            _fail(
                source,
                Message(
                    "msg.read.unzip_too_big", size=_size(unpacked), factor=UNZIP_FACTOR, limit=_size(limit.max_bytes)
                ),
            )
            return
        try:
            problem = _shared_strings_problem(archive, infos, limit)
            if problem:
                _fail(source, problem)
                return
            parts = _sheet_parts(archive, names)
            _load_sheets(source, data, archive, parts, names, limit)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            _fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=_ACCEPTED))


def _load_sheets(
    source: Source, data: bytes, archive: zipfile.ZipFile, parts: dict[str, str], names: set[str], limit: Limits
) -> None:
    """Load the visible worksheets through calamine, each only after its scanned size is within the limits."""
    from python_calamine import CalamineError, PasswordError, SheetTypeEnum, SheetVisibleEnum, load_workbook

    try:
        book = load_workbook(io.BytesIO(data))
    except PasswordError:
        _fail(source, Message("msg.read.password"))
        return
    except (CalamineError, ValueError, OSError) as exc:
        _fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=_ACCEPTED))
        return
    total_rows = total_cells = 0
    hidden: list[str] = []
    worst: _Extent | None = None
    try:
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                continue
            part = parts.get(meta.name)
            if part in names:
                extent = _scan_sheet(archive, part)
            else:  # a sheet whose XML part is not where the workbook says: assume the largest sheet of the file
                if worst is None:
                    worst = _Extent()
                    for name in sorted(names):
                        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                            worst.widen(_scan_sheet(archive, name))
                extent = worst
            if extent.rows > limit.max_rows or extent.area > limit.max_cells:
                _fail(source, _too_big_sheet(meta.name, extent, limit), sheet=meta.name)
                return
            total_rows += extent.rows
            total_cells += extent.area
            if total_rows > limit.max_rows:
                _fail(source, _too_many_rows(total_rows, limit))
                return
            if total_cells > limit.max_cells:
                _fail(source, _too_many_cells(total_cells, limit))
                return
            sheet = book.get_sheet_by_name(meta.name)
            top, left = sheet.start or (0, 0)
            if (sheet.height + top) * max(sheet.width + left, 1) > max(extent.area, 1):  # the scan missed cells
                loaded = _Extent(sheet.height + top, sheet.width + left)
                _fail(source, _too_big_sheet(meta.name, loaded, limit), sheet=meta.name)
                return
            rows = sheet.to_python(skip_empty_area=False)
            merged, covered = _clip_merged(sheet.merged_cell_ranges or [], rows)
            total_cells += covered
            if total_cells > limit.max_cells:
                _fail(
                    source,
                    Message("msg.read.merged_too_big", sheet=meta.name, covered=covered, limit=limit.max_cells),
                    sheet=meta.name,
                )
                return
            source.tables.append(Table(name=meta.name, rows=rows, merged=merged))
    except (CalamineError, ValueError, OSError) as exc:
        _fail(source, Message("msg.read.workbook_unreadable", detail=str(exc), accepted=_ACCEPTED))
        return
    finally:
        book.close()
    if hidden:
        key = "msg.read.hidden_sheets" if len(hidden) > 1 else "msg.read.hidden_sheet"
        source.messages.append(Message(key, sheets=Quoted(hidden)))
    source.kind = "xlsx"


def _too_big_sheet(name: str, extent: _Extent, limit: Limits) -> Message:
    """The message for a sheet whose cells reach too far: its size, the limits and how to fix it."""
    return Message(
        "msg.read.sheet_too_big",
        sheet=name,
        rows=extent.rows,
        column=_column_name(extent.cols),
        cols=extent.cols,
        cells=extent.area,
        max_rows=limit.max_rows,
        max_cells=limit.max_cells,
    )


def _column_name(number: int) -> str:
    """Excel's letters for a 1-based column number: 1 -> A, 16384 -> XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def _column_number(letters: bytes) -> int:
    """The 1-based column number of Excel's letters: A -> 1, XFD -> 16384."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A zip member's bytes in pieces that each end just after a `>`, so no tag is ever split."""
    with archive.open(name) as stream:
        carry = b""
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            if not chunk:
                if carry:
                    yield carry
                return
            buffer = carry + chunk
            cut = buffer.rfind(b">") + 1
            carry = buffer[cut:]
            if cut:
                yield buffer[:cut]


def _scan_sheet(archive: zipfile.ZipFile, name: str) -> _Extent:
    """How far the cells holding a value reach in one worksheet part, streamed (never held whole in memory)."""
    extent = _Extent()
    for piece in _chunks(archive, name):
        cols: Sequence[bytes] = _CELL_COLUMN.findall(piece)
        if len(cols) != piece.count(b"<c ") + piece.count(b"<c>") or b":c " in piece or b":c>" in piece:
            return _scan_sheet_slowly(archive, name)  # cells without a leading r="A1", or prefixed tags
        if not cols:
            continue
        rows: Sequence[bytes]
        if _EMPTY_CELL.search(piece):  # styled but empty cells (`<c r="Z9" s="1"/>`): calamine skips them
            found = [cell for cell in _FAST_CELL.findall(piece) if not cell[2].endswith(b"/")]
            if not found:
                continue
            cols, rows, _ = zip(*found, strict=True)
        else:
            rows = _CELL_ROW.findall(piece)
        extent.rows = max(extent.rows, max(map(int, set(rows))))
        extent.cols = max(extent.cols, max(map(_column_number, set(cols))))
    return extent


def _scan_sheet_slowly(archive: zipfile.ZipFile, name: str) -> _Extent:
    """_scan_sheet for unusual XML: every row and cell tag in order, positions counted as calamine counts them."""
    extent = _Extent()
    row = col = 0
    for piece in _chunks(archive, name):
        for tag in _ANY_TAG.finditer(piece):
            kind, attributes = tag.group(1), tag.group(2)
            ref = _REF.search(attributes)
            if kind == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                continue
            col = _column_number(ref.group(1)) if ref and ref.group(1) else col + 1
            at = int(ref.group(2)) if ref and ref.group(2) else max(row, 1)
            if not attributes.rstrip().endswith(b"/"):
                extent.rows, extent.cols = max(extent.rows, at), max(extent.cols, col)
    return extent


def _shared_strings_problem(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limit: Limits) -> Message | None:
    """A problem when the shared string table claims more strings than the file may hold (calamine reserves them)."""
    for info in infos:
        if not info.filename.lower().endswith("sharedstrings.xml"):
            continue
        with archive.open(info) as stream:
            head = stream.read(4096)
        claimed = _UNIQUE_COUNT.search(head)
        if claimed and int(claimed.group(1)) > limit.max_cells:
            return Message(
                "msg.read.shared_strings", claimed=int(claimed.group(1)), limit=limit.max_cells, resave=_RESAVE
            )
    return None


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML, from xl/workbook.xml and its relationships."""
    rels_name = "xl/_rels/workbook.xml.rels"
    book = _small_member(archive, "xl/workbook.xml")
    rels = _small_member(archive, rels_name) if rels_name in names else b""
    targets: dict[bytes, str] = {}
    for found in _RELATIONSHIP.finditer(rels):
        rid, target = _attribute(found.group(1), b"Id"), _attribute(found.group(1), b"Target")
        if rid is None or target is None:
            continue
        path = html.unescape(target.decode("utf-8", "replace"))
        path = path.lstrip("/") if path.startswith("/") else posixpath.join("xl", path)
        targets[rid] = posixpath.normpath(path)
    parts: dict[str, str] = {}
    for sheet in _SHEET.finditer(book):
        name, link = _attribute(sheet.group(1), b"name"), _RID.search(sheet.group(1))
        if name is not None and link and link.group(1) in targets:
            parts[html.unescape(name.decode("utf-8", "replace"))] = targets[link.group(1)]
    return parts


def _small_member(archive: zipfile.ZipFile, name: str, cap: int = 16 * 1024 * 1024) -> bytes:
    """A small zip member whole; ValueError for one too large to be what it claims."""
    if archive.getinfo(name).file_size > cap:
        raise ValueError(f"{name} is larger than {_size(cap)}")
    return archive.read(name)


def _attribute(attributes: bytes, name: bytes) -> bytes | None:
    """The value of one XML attribute in a tag's attribute text, or None."""
    found = re.search(rb"(?:^|\s)" + name + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attributes)
    if not found:
        return None
    return found.group(1) if found.group(1) is not None else found.group(2)


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


def expand_merged(table: Table) -> list[list[Cell]]:
    """A copy of the rows where every cell of a merged range holds the range's top-left value (within the data)."""
    rows = [list(r) for r in table.rows]
    height, width = len(rows), max((len(r) for r in rows), default=0)
    for r0, c0, r1, c1 in table.merged:
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        if r0 > r1 or c0 > c1:
            continue
        value = table.cell(r0, c0)
        for r in range(r0, r1 + 1):
            line = rows[r]
            if len(line) <= c1:
                line.extend([""] * (c1 + 1 - len(line)))
            for c in range(c0, c1 + 1):
                line[c] = value
    return rows
