"""Queries: the small helpers (`rows`, `scalar`, `frame`) and the analytic queries, `opmaturity/sql/<name>.sql`
files loaded by name; both always run with bound parameters.

A file may build on others (`-- uses: a, b`): they are prepended as CTEs, so each definition is written once.
Values are always bound as parameters; nothing a user picks is ever written into SQL text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from . import config

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_USES = re.compile(r"^--\s*uses:\s*(.+)$", re.MULTILINE)
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """All rows of a parameterised query (fetched completely, as DuckDB 2.0 requires)."""
    return con.execute(sql, list(params)).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row, or None."""
    found = rows(con, sql, params)
    return found[0][0] if found else None


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """A parameterised query as a DataFrame."""
    return con.execute(sql, list(params)).df()


def _read_sql(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"Not a query name: {name!r}")
    return (config.SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _uses(text: str) -> list[str]:
    found = _USES.search(text)
    return [part.strip() for part in found.group(1).split(",") if part.strip()] if found else []


def _dependencies(
    name: str, seen: list[str], path: tuple[str, ...] = (), given: frozenset[str] = frozenset()
) -> list[str]:
    """The queries `name` builds on, dependencies first; those `given` (and what only they use) left out."""
    if name in path:
        raise ValueError(f"The SQL files use each other in a circle: {' -> '.join((*path, name))}")
    for dependency in _uses(_read_sql(name)):
        if dependency not in seen and dependency not in given:
            _dependencies(dependency, seen, (*path, name), given)
            seen.append(dependency)
    return seen


@functools.cache
def sql_text(name: str, reuse: frozenset[str] = frozenset()) -> str:
    """The SQL of query `name`, with the queries it uses prepended as CTEs (dependencies first); those named in
    `reuse` are left out, so that a table of that name computed once beforehand (see `materialized`) serves, and
    so are the queries only they use."""
    main = _read_sql(name)
    dependencies = _dependencies(name, [], given=reuse)
    if not dependencies:
        return main
    lines = main.splitlines(keepends=True)
    split = next((n for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("--")), 0)
    header, body = "".join(lines[:split]), "".join(lines[split:])
    ctes = ",\n".join(f"{dep} AS (\n{_read_sql(dep).rstrip()}\n)" for dep in dependencies)
    if re.match(r"with\b", body, re.IGNORECASE):
        return f"{header}WITH {ctes},\n{body[4:].lstrip()}"
    return f"{header}WITH {ctes}\n{body}"


def sql_parameters(name: str, reuse: frozenset[str] = frozenset()) -> frozenset[str]:
    """The `$name` parameters query `name` binds (comments left out)."""
    return frozenset(_PARAMETER.findall(_COMMENT.sub("", sql_text(name, reuse))))


def _bound(name: str, params: Mapping[str, Any], reuse: frozenset[str]) -> dict[str, Any]:
    needed = sql_parameters(name, reuse)
    missing = needed - params.keys()
    if missing:
        raise ValueError(f"The query {name} needs the parameter(s) {', '.join(sorted(missing))}")
    return {key: params[key] for key in needed}


def sql_frame(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], reuse: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Query `name` run with the parameters it needs taken from `params`, as a DataFrame."""
    return con.execute(sql_text(name, reuse), _bound(name, params, reuse)).df()


def sql_table(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], reuse: frozenset[str] = frozenset()
) -> pa.Table:
    """Query `name` as an Arrow table (immutable: safe to keep and to share between threads)."""
    return arrow(con, sql_text(name, reuse), _bound(name, params, reuse))


def arrow(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
    """The answer to `sql` as an Arrow table, read without an extra copy (the relation API; `execute` would
    copy) and without the progress bar a relation draws on a terminal during a long query (stdout may be JSON)."""
    con.execute("SET enable_progress_bar = false")
    return con.sql(sql, params=dict(params or {})).to_arrow_table()


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pa.Table]) -> Iterator[frozenset[str]]:
    """`tables` readable by name on `con` for the block (DuckDB scans them in place); yields the `reuse` set
    that lets queries read them instead of computing them."""
    for name, table in tables.items():
        if not _NAME.fullmatch(name):
            raise ValueError(f"Not a query name: {name!r}")
        con.register(name, table)
    try:
        yield frozenset(tables)
    finally:
        for name in tables:
            con.unregister(name)


@contextmanager
def materialized(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], reuse: frozenset[str] = frozenset()
) -> Iterator[frozenset[str]]:
    """Query `name` computed once into a temporary table of that name (reading the tables `reuse` names), for
    the block; yields the `reuse` set, with `name` added, that lets other queries read it instead of recomputing
    it. The table goes when the block ends."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"Not a query name: {name!r}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql_text(name, reuse)}", _bound(name, params, reuse))
    try:
        yield reuse | {name}
    finally:
        con.execute(f"DROP TABLE IF EXISTS {name}")
