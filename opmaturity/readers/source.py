"""What every reader fills: a file's tables (or JSON payload) and read problems, and the limits it must keep."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..i18n import Message

if TYPE_CHECKING:
    import pyarrow as pa

    from .columns import Coded

Cell = str | float | int | bool | datetime | date | time | timedelta

# Defaults, each overridable by $OPMATURITY_MAX_BYTES/_ROWS/_CELLS/_TEXT/_COLS (settings.py) and by ImportOptions.
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
MAX_CELLS = 10_000_000
MAX_TEXT = 160_000_000  # characters of cell text a workbook may expand to (a shared string counts per use)
MAX_COLS = 16_384  # columns of one row or sheet: Excel's own limit (A to XFD)
MAX_CELL_CHARS = 32_767  # Excel's limit on the text of one cell, kept by every reader (not a setting)


_KEPT = 64  # rows a released table keeps: enough for any header search after it


class Table:
    """One sheet (or the one table of a CSV): rows of cells as read, rows[0] is Excel row 1.

    A CSV is read into columns (`columns`, an Arrow table of text), a workbook's sheet into columns of codes
    (`coded`, one `Coded` per column, every one as long as the sheet); the rows are only built when some layout
    asks for them all (forms, boards). The tidy layout reads the columns as they are (`readers.columns.coded`),
    and header detection only looks at the first rows (`head`).
    """

    def __init__(
        self,
        name: str,
        rows: list[list[Cell]] | None = None,
        merged: list[tuple[int, int, int, int]] | None = None,
        columns: pa.Table | None = None,
        coded: list[Coded] | None = None,
    ) -> None:
        self.name = name
        self._rows = rows if rows is not None or columns is not None or coded is not None else []
        self.merged = merged or []  # 0-based r0, c0, r1, c1 inclusive
        self.columns = columns
        self.coded = coded

    def __repr__(self) -> str:
        return f"Table({self.name!r}, {self.height} rows)"

    @property
    def rows(self) -> list[list[Cell]]:
        """Every row as a list of cells (built once from the columns where the table was read as columns)."""
        if self._rows is None:
            self._rows = self.head(self.height)
        return self._rows

    @property
    def height(self) -> int:
        """How many rows the table has."""
        if self._rows is not None:
            return len(self._rows)
        if self.coded is not None:
            return len(self.coded[0]) if self.coded else 0
        return self.columns.num_rows  # type: ignore[union-attr]

    @property
    def width(self) -> int:
        """How many columns the widest row has."""
        if self._rows is not None:
            return max((len(r) for r in self._rows), default=0)
        if self.coded is not None:
            return len(self.coded)
        return self.columns.num_columns  # type: ignore[union-attr]

    def release(self) -> None:
        """Let go of the columns once a layout holds what it needs of them (the first rows stay)."""
        if self._rows is None:
            self._rows = self.head(_KEPT)
            self.columns = self.coded = None

    def head(self, count: int) -> list[list[Cell]]:
        """The first `count` rows (without building the others)."""
        if self._rows is not None:
            return self._rows[:count]
        if self.coded is not None:
            cells = ([c.uniques[k] for k in c.codes.slice(0, count).to_pylist()] for c in self.coded)
        else:
            cells = (c.to_pylist() for c in self.columns.slice(0, count).columns)  # type: ignore[union-attr]
        return [list(row) for row in zip(*cells, strict=True)]

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
    """How much one file may hold: bytes, rows (all sheets together), cells, characters of cell text, and columns
    (of any one row or sheet)."""

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_cells: int = MAX_CELLS
    max_text: int = MAX_TEXT
    max_cols: int = MAX_COLS


def limits(
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_cells: int | None = None,
    max_text: int | None = None,
    max_cols: int | None = None,
    *,
    base: Limits | None = None,
) -> Limits:
    """`base` (the settings' limits; else the defaults) with the values given put in."""
    given = {
        "max_bytes": max_bytes, "max_rows": max_rows, "max_cells": max_cells, "max_text": max_text,
        "max_cols": max_cols,
    }  # fmt: skip
    return replace(base or Limits(), **{name: int(value) for name, value in given.items() if value is not None})


def accepted() -> Message:
    """What files are accepted, in words (the end of most refusals)."""
    return Message("msg.read.accepted")


def fail(
    source: Source, message: Message, value: str = "", sheet: str = "", row: int | None = None, column: str = ""
) -> Source:
    """The source emptied and marked unreadable, with one problem added (where in the file, as far as known)."""
    source.kind = ""
    source.tables = []
    source.payload = None
    source.problems.append(Problem(message, file=source.file, sheet=sheet, row=row, column=column, value=value))
    return source


def size(count: int) -> Message:
    """A byte count in words: bytes, KB or MB."""
    if count < 1024:
        return Message("msg.size.bytes", n=count)
    if count < 1024 * 1024:
        return Message("msg.size.kb", n=count / 1024)
    return Message("msg.size.mb", n=count / 1024 / 1024)


def sizes(count: int, limit: int) -> tuple[Message, Message]:
    """Two byte counts in words, exact (`52,428,801 bytes (50.0 MB)`) where rounding would make them look equal."""
    shown, allowed = size(count), size(limit)
    if shown != allowed:
        return shown, allowed
    return Message("msg.size.exact", n=count, shown=shown), Message("msg.size.exact", n=limit, shown=allowed)


def too_big(count: int, limit: Limits) -> Message:
    """The message for a file over the byte limit."""
    shown, allowed = sizes(count, limit.max_bytes)
    return Message("msg.read.too_big", size=shown, allowed=allowed)


def below_header(rows: int) -> int:
    """The rows of a table that count against the row limit: all but its first, the header's (a CSV's first line,
    a sheet's row 1), so that a file of as many answers as the limit is read whatever its header. Where a title
    block stands above the header (a hand-made sheet), its few rows count too."""
    return max(rows - 1, 0)


def too_many_rows(count: int, limit: Limits, at_least: bool = False) -> Message:
    """The message for a table with more rows below its header than the limit (`count` of them)."""
    key = "msg.read.too_many_rows_at_least" if at_least else "msg.read.too_many_rows"
    return Message(key, count=count, limit=limit.max_rows)


def too_many_cells(limit: Limits) -> Message:
    """The message for a file over the cell limit."""
    return Message("msg.read.too_many_cells", limit=limit.max_cells)


def too_many_columns(count: int, limit: Limits) -> Message:
    """The message for a row of a text file with more columns than the limit (the row is the problem's place)."""
    return Message("msg.read.too_many_columns", count=count, limit=limit.max_cols)


def cell_too_long(row: int, col: int, length: int) -> Message:
    """The message for a cell (0-based row and column) holding more text than a cell may (MAX_CELL_CHARS)."""
    cell = f"{column_letter(col + 1)}{row + 1}"
    return Message("msg.read.cell_too_long", cell=cell, length=length, limit=MAX_CELL_CHARS)


def clipped(text: str, limit: int = 80) -> str:
    """The start of a long text, for a problem's value (the data itself is never clipped)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_letter(number: int) -> str:
    """Excel's name of the 1-based column `number`: 1 -> A, 27 -> AA, 16384 -> XFD (without importing openpyxl)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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
