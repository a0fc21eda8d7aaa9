"""Text files: the encoding (UTF-8 with or without a BOM, UTF-16, cp932, then a detector), the delimiter, and
the rows of a CSV or the payload of a JSON file."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..i18n import Message
from .source import (
    MAX_CELL_CHARS,
    Cell,
    Limits,
    Source,
    Table,
    accepted,
    below_header,
    cell_too_long,
    clipped,
    fail,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)

if TYPE_CHECKING:
    import pyarrow as pa

MAX_JSON_DEPTH = 64  # a Miro item list nests four or five levels; deeper JSON is refused, never recursed into
_DELIMITERS = (",", "\t", ";")
_KNOWN = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp932")  # encodings not worth a message


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
        widths = [w for w in rows if w > 1]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        score = widths.count(modal) * modal
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_text(source: Source, data: bytes, limit: Limits) -> None:
    """Fill the source from text bytes: JSON payload or CSV rows, within the limits."""
    if _read_utf8_columns(source, data, limit):
        return
    decoded = decode(data)
    if decoded is None:
        fail(source, Message("msg.read.encoding_unknown", accepted=accepted()))
        return
    text, encoding = decoded
    source.encoding = encoding
    if encoding not in _KNOWN:
        source.messages.append(Message("msg.read.encoding_detected", encoding=encoding))
    if text.startswith("\ufeff"):
        text = text[1:]
    if _binary(text):
        fail(source, Message("msg.read.binary", accepted=accepted()))
        return
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) and _read_json(source, stripped, limit):
        return
    delimiter = "\t" if encoding.startswith("utf-16") and "\t" in text[:4096] else sniff_delimiter(text)
    source.delimiter = delimiter
    if _too_wide(source, text, 0, delimiter, limit):
        return
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else text.encode("utf-8")
    if not _read_columns(source, utf8, delimiter, limit):
        _read_csv(source, text, delimiter, limit)


def _read_utf8_columns(source: Source, data: bytes, limit: Limits) -> bool:
    """The common case without decoding the whole file in Python: a UTF-8 CSV (BOM or not) read by Arrow, which
    checks the UTF-8 itself. False (the source untouched) when the start is no UTF-8 CSV text, or Arrow finds
    invalid UTF-8 or ragged rows: the general path then decodes and reads it."""
    bom = data.startswith(b"\xef\xbb\xbf")
    body = memoryview(data)[3:] if bom else memoryview(data)
    head = bytes(body[:65536])
    if b"\x00" in head[:4096]:
        return False
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3 or len(head) < 65536:
            return False
        sample = head[: exc.start].decode("utf-8")  # a character cut by the end of the sample
    if not sample.strip() or sample.lstrip().startswith(("{", "[")) or _binary(sample):
        return False
    delimiter = sniff_delimiter(sample)
    if _too_wide(source, data, 3 if bom else 0, delimiter, limit):
        return True
    if not _read_columns(source, body, delimiter, limit):
        return False
    source.encoding, source.delimiter = ("utf-8-sig" if bom else "utf-8"), delimiter
    return True


_TEXT_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_BYTE_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?")


def _too_wide(source: Source, data: str | bytes, start: int, delimiter: str, limit: Limits) -> bool:
    """Refuse a file whose first row has more columns than the limit, before any parse reads it: Arrow and the
    row reader both take minutes and hundreds of MB over a row of 100,000 cells.

    The delimiters of the first line are counted first, a byte search (a delimiter inside quotes counts too, so
    the line can only seem wider than it is); only a line that seems too wide has its row read exactly by the csv
    module. A row wider than its first line (a quoted line break in the header) is caught by the readers after.
    """
    sep: Any = delimiter if isinstance(data, str) else delimiter.encode()
    newline: Any = "\n" if isinstance(data, str) else b"\n"
    end = data.find(newline, start)
    if data.count(sep, start, len(data) if end < 0 else end) < limit.max_cols:
        return False
    width = _first_width(data, start, delimiter)
    if width <= limit.max_cols:
        return False
    fail(source, too_many_columns(width, limit), row=1)
    return True


def _first_width(data: str | bytes, start: int, delimiter: str) -> int:
    """How many cells the first row of CSV text has (0 when the csv module cannot read it)."""
    if isinstance(data, str):
        lines: Iterator[str] = (match.group() for match in _TEXT_LINES.finditer(data, start))
    else:
        lines = (match.group().decode("utf-8", "replace") for match in _BYTE_LINES.finditer(data, start))
    csv.field_size_limit(max(csv.field_size_limit(), min(len(data), 2**31 - 1)))
    try:
        return len(next(csv.reader(lines, delimiter=delimiter), []))
    except csv.Error:
        return 0


def _read_json(source: Source, text: str, limit: Limits) -> bool:
    """Fill the source from JSON text; False when the text is no JSON and may still be CSV (`[` opens a cell)."""
    try:
        source.payload = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.startswith("{"):
            return False
        fail(source, Message("msg.read.json_invalid", line=exc.lineno, detail=exc.msg))
        return True
    except RecursionError:
        fail(source, _too_deep())
        return True
    except ValueError as exc:  # e.g. a number too long to convert
        fail(source, Message("msg.read.json_unreadable", detail=str(exc)))
        return True
    if _depth(source.payload) > MAX_JSON_DEPTH:
        fail(source, _too_deep())
        return True
    items = source.payload.get("data") if isinstance(source.payload, dict) else source.payload
    if isinstance(items, list) and len(items) > limit.max_rows:  # a board's items: no header among them
        fail(source, Message("msg.read.too_many_items", count=len(items), limit=limit.max_rows))
        return True
    source.kind = "json"
    return True


# Every column is text, as Excel shows it (`007` stays `007`); Arrow names the columns f0, f1 …. Each column
# comes as codes into its distinct values (an export repeats its products, items and levels on every row): the
# parsers work on the codes, and no text is held twice.
_TEXT_COLUMNS = tuple(f"f{n}" for n in range(4096))


def _read_columns(source: Source, utf8: bytes | memoryview, delimiter: str, limit: Limits) -> bool:
    """Fill the source with the CSV's columns read by Arrow (every cell as text); False when Arrow cannot read it
    as one rectangle (ragged rows, as a Miro board has, or an empty line), and the row reader must.

    Arrow reads a large export in a fraction of the time and memory of Python rows; an empty line stays a row
    (so row numbers stay Excel's), and quotes are read as Excel writes them.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    start = bytes(utf8[:65536])
    if b"\r" in start and b"\r\n" not in start:
        return False  # old Mac line ends: the row reader knows them
    try:
        columns = pcsv.read_csv(
            pa.BufferReader(utf8),
            read_options=pcsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(_TEXT_COLUMNS, pa.dictionary(pa.int32(), pa.string())),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # ragged rows, invalid UTF-8: the row reader decides
        return False
    if columns.num_columns > limit.max_cols:  # a header wider than its first line (_too_wide)
        fail(source, too_many_columns(columns.num_columns, limit), row=1)
        return True
    if any(not pa.types.is_dictionary(t) for t in columns.schema.types):
        return False  # wider than _TEXT_COLUMNS: the row reader keeps every cell as text
    if below_header(columns.num_rows) > limit.max_rows:
        fail(source, too_many_rows(below_header(columns.num_rows), limit))
        return True
    if columns.num_rows * columns.num_columns > limit.max_cells:
        fail(source, too_many_cells(limit))
        return True
    long = _long_cell(columns)
    if long is not None:
        row, col = long
        _refuse_long(source, columns.column(col)[0].as_py(), row, col, columns.column(col)[row].as_py())
        return True
    source.kind = "csv"
    source.tables = [Table(name="", columns=columns)]
    return True


def _long_cell(columns: pa.Table) -> tuple[int, int] | None:
    """(row, column), 0-based, of the first cell (by rows, then columns) holding more characters than a cell may
    (MAX_CELL_CHARS), or None. Arrow measures each column's distinct values, in bytes first (no text has more
    characters than UTF-8 bytes): no cell is looked at from Python."""
    import pyarrow.compute as pc

    found: tuple[int, int] | None = None
    for col, column in enumerate(columns.columns):
        offset = 0
        for chunk in column.chunks:
            values = chunk.dictionary
            if len(values) and pc.max(pc.binary_length(values)).as_py() > MAX_CELL_CHARS:
                long = pc.greater(pc.utf8_length(values), MAX_CELL_CHARS)
                at = pc.index(pc.take(long, chunk.indices), True).as_py() if pc.any(long).as_py() else -1
                if at >= 0:
                    if found is None or offset + at < found[0]:
                        found = (offset + at, col)
                    break  # the first in this column
            offset += len(chunk)
    return found


def _refuse_long(source: Source, header: Cell, row: int, col: int, text: str) -> None:
    """Refuse the file for one cell (0-based row and column) too long, named by its header where it has one."""
    column = clipped(str(header), 200) if row and str(header).strip() else ""
    fail(source, cell_too_long(row, col, len(text)), value=clipped(text), row=row + 1, column=column)


def _read_csv(source: Source, text: str, delimiter: str, limit: Limits) -> None:
    """Fill the source with the rows of CSV text, every cell as text, within the row and cell limits."""
    rows: list[list[Cell]] = []
    cells = 0
    csv.field_size_limit(max(csv.field_size_limit(), min(limit.max_bytes, 2**31 - 1)))  # very long cells
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(list(row))
            cells += len(row)
            if len(row) > limit.max_cols:
                fail(source, too_many_columns(len(row), limit), row=len(rows))
                return
            if row and max(map(len, row)) > MAX_CELL_CHARS:
                col = next(n for n, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS)
                _refuse_long(source, rows[0][col] if col < len(rows[0]) else "", len(rows) - 1, col, row[col])
                return
            if below_header(len(rows)) > limit.max_rows:  # more may follow: the message says "more than"
                fail(source, too_many_rows(below_header(len(rows)), limit, at_least=True))
                return
            if cells > limit.max_cells:
                fail(source, too_many_cells(limit))
                return
    except csv.Error as exc:
        fail(source, Message("msg.read.csv_malformed", row=reader.line_num, detail=str(exc)))
        return
    source.kind = "csv"
    source.tables = [Table(name="", rows=rows)]


def _too_deep() -> Message:
    return Message("msg.read.json_too_deep", depth=MAX_JSON_DEPTH)


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
