"""A column of cells as codes into its distinct values, so that a parser converts each distinct value once and
spreads the result over every row with one Arrow `take` (a 500,000-row sheet holds a few hundred distinct
levels, items and names).

Only pyarrow is used (never numpy or pandas): this runs in the fenced worker, whose start-up is paid per file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .source import Cell, Table


@dataclass(frozen=True)
class Coded:
    """Cells as `codes` (one per row, into `uniques`): the cell of row i is uniques[codes[i]]."""

    codes: pa.Int32Array
    uniques: list[Cell]

    def __len__(self) -> int:
        return len(self.codes)

    def spread(self, per_value: Sequence[Any], kind: pa.DataType) -> pa.Array:
        """One value per row: `per_value[k]` (computed once for uniques[k]) where the row's cell is uniques[k]."""
        return pc.take(pa.array(per_value, kind), self.codes)

    def names(self, per_value: Sequence[str | None]) -> pa.DictionaryArray:
        """One name per row (`per_value[k]` for uniques[k], null for None) as codes into the distinct names: two
        cells that name the same thing (`学び放題` and ` 学び放題 `) share a code, so that equal names have equal
        codes and the names are never repeated per row."""
        distinct: dict[str, int] = {}
        remap = [None if name is None else distinct.setdefault(name, len(distinct)) for name in per_value]
        return pa.DictionaryArray.from_arrays(
            pc.take(pa.array(remap, pa.int32()), self.codes), pa.array(list(distinct), pa.string())
        )

    def where(self, test: Callable[[Cell], bool]) -> pa.BooleanArray:
        """True for the rows whose cell passes `test` (asked once per distinct value)."""
        return self.spread([bool(test(u)) for u in self.uniques], pa.bool_())

    def filled_down(self, blank: Callable[[Cell], bool]) -> Coded:
        """Blank cells take the last non-blank value above them (a group cell left empty below its first row, or
        merged), and "" above the first."""
        empty = [k for k, u in enumerate(self.uniques) if blank(u)]
        if not empty:
            return self
        nulled = pc.if_else(pc.is_in(self.codes, pa.array(empty, pa.int32())), None, self.codes)
        filled = pc.fill_null_forward(nulled)
        if filled.null_count == 0:
            return Coded(filled.cast(pa.int32()), self.uniques)
        uniques = [*self.uniques, ""]
        return Coded(pc.fill_null(filled, len(self.uniques)).cast(pa.int32()), uniques)

    def keep(self, mask: pa.BooleanArray) -> Coded:
        """Only the rows where `mask` is true (the distinct values stay as they are)."""
        return Coded(pc.filter(self.codes, mask), self.uniques)

    def cell(self, row: int) -> Cell:
        """The cell of one row."""
        return self.uniques[self.codes[row].as_py()]


def constant(length: int, cell: Cell = "") -> Coded:
    """A column of `length` rows that all hold `cell` (a role no column has)."""
    return Coded(pa.repeat(pa.scalar(0, pa.int32()), length), [cell])


def positions(length: int, start: int = 0) -> pa.Int64Array:
    """start, start + 1, … for `length` rows (without a Python list)."""
    return pc.add(pc.indices_nonzero(pa.repeat(True, length)).cast(pa.int64()), start)


def coded(table: Table, index: int, start: int) -> Coded:
    """Column `index` of the table from row `start` on (cells past a short row's end are "")."""
    height = max(table.height - start, 0)
    if table.coded is not None:
        if index >= len(table.coded):
            return constant(height)
        column = table.coded[index]
        return Coded(column.codes.slice(start), column.uniques)
    if table.columns is not None:
        if index >= table.columns.num_columns:
            return constant(height)
        return _encoded(table.columns.column(index).slice(start).combine_chunks())
    return from_cells([row[index] if index < len(row) else "" for row in table.rows[start:]])


def coded_columns(table: Table, start: int, width: int) -> list[Coded]:
    """Columns 0..width-1 of the table from row `start` on, read in one pass over the rows."""
    if table.columns is not None or table.coded is not None:
        return [coded(table, n, start) for n in range(width)]
    rows = table.rows[start:]
    if not rows:
        return [Coded(pa.array([], pa.int32()), [""]) for _ in range(width)]
    if any(len(row) != width for row in rows):
        rows = [row[:width] if len(row) >= width else [*row, *[""] * (width - len(row))] for row in rows]
    return [from_cells(column) for column in zip(*rows, strict=True)]


def _encoded(column: pa.Array) -> Coded:
    """Codes of a column read by Arrow: a CSV's come dictionary-encoded (its dictionary may hold values of the
    rows above `start` too, which no code points at)."""
    found = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    return Coded(found.indices.cast(pa.int32()), found.dictionary.to_pylist())


def from_cells(cells: Sequence[Cell]) -> Coded:
    """Codes for a column of cells as a workbook gives them: Arrow encodes a column of one type (text, numbers,
    dates); a column that mixes types (`3` beside `未回答`) is encoded here, 1, 1.0 and True kept apart."""
    try:
        typed = pa.array(cells)
        if typed.null_count == 0:
            return _encoded(typed)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        pass
    distinct = Distinct()
    return Coded(pa.array([distinct.code(value) for value in cells], pa.int32()), distinct.uniques)


class Distinct:
    """Distinct cell values in the order first seen, each with its code (1, 1.0 and True kept apart)."""

    def __init__(self) -> None:
        self.uniques: list[Cell] = []
        self._codes: dict[Any, int] = {}

    def code(self, value: Cell) -> int:
        """The code of `value`, a new one the first time it is seen."""
        key = value if type(value) is str else (type(value), value)
        found = self._codes.get(key)
        if found is None:
            found = self._codes[key] = len(self.uniques)
            self.uniques.append(value)
        return found


def any_of(masks: Sequence[pa.BooleanArray], length: int) -> pa.BooleanArray:
    """Rows where any of the masks is true (all false without masks)."""
    found = pa.repeat(False, length)
    for mask in masks:
        found = pc.or_(found, mask)
    return found


def rows_where(mask: pa.BooleanArray) -> list[int]:
    """The indexes of the rows where `mask` is true."""
    return pc.indices_nonzero(mask).to_pylist()
