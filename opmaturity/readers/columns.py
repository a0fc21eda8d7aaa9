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


def coded(table: Table, index: int, start: int) -> Coded:
    """Column `index` of the table from row `start` on (cells past a short row's end are "")."""
    height = max(table.height - start, 0)
    if table.columns is not None:
        if index >= table.columns.num_columns:
            return Coded(pa.array([0] * height, pa.int32()), [""])
        column = table.columns.column(index).slice(start).combine_chunks().dictionary_encode()
        return Coded(column.indices.cast(pa.int32()), column.dictionary.to_pylist())
    seen: dict[Any, int] = {}
    uniques: list[Cell] = []
    codes: list[int] = []
    for row in table.rows[start:]:
        value = row[index] if index < len(row) else ""
        key = value if type(value) is str else (type(value), value)  # 1, 1.0 and True are equal keys otherwise
        code = seen.get(key)
        if code is None:
            code = seen[key] = len(uniques)
            uniques.append(value)
        codes.append(code)
    return Coded(pa.array(codes, pa.int32()), uniques)


def any_of(masks: Sequence[pa.BooleanArray], length: int) -> pa.BooleanArray:
    """Rows where any of the masks is true (all false without masks)."""
    found = pa.array([False] * length, pa.bool_())
    for mask in masks:
        found = pc.or_(found, mask)
    return found


def rows_where(mask: pa.BooleanArray) -> list[int]:
    """The indexes of the rows where `mask` is true."""
    return pc.indices_nonzero(mask).to_pylist()
