"""Item levels kept in the database: what sql/item_levels.sql says for every round, stored in the table
`stored_item_levels` so that the pages roll their figures up from it instead of from every answer (at 1,000
teams a round's figures take 0.4 s instead of 0.8 s, every round's category levels 0.15 s instead of 1.5 s).

The table is brought up to date in the transaction of every write that changes the data (`store.bump`): the
rounds an import or an undo touched, or all of it after a change of targets, tiers or the model. It is used only
while its key, the data revision and the definition (a hash of the SQL) it was computed with, is the current
one; otherwise the figures are computed from the answers as before. So a file restored from a backup, written by
an older version or changed by hand is never read through stale levels: `ensure` (on connect) recomputes them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb

from .queries import arrow, registered, rows, scalar, sql_text

TABLE = "stored_item_levels"  # named in the SQL below as it is
_KEY = "levels"
_READ = """SELECT * FROM stored_item_levels
    WHERE list_contains(CAST($round_ids AS INTEGER[]), round_id)
      AND ($team_ids IS NULL OR list_contains(CAST($team_ids AS INTEGER[]), team_id))
    UNION ALL
    SELECT * FROM stored_item_levels
    SEMI JOIN (
        SELECT unnest(CAST($older_teams AS INTEGER[])) AS team_id, unnest(CAST($older_rounds AS INTEGER[])) AS round_id
    ) AS older USING (team_id, round_id)
    WHERE NOT list_contains(CAST($round_ids AS INTEGER[]), round_id)"""


@functools.cache
def definition() -> str:
    """A hash of the SQL the levels are computed with: levels stored by another version of it are not used."""
    return hashlib.sha256(sql_text("item_levels").encode("utf-8")).hexdigest()[:16]


def _key(revision: int) -> str:
    return f"{revision}:{definition()}"


def _marks(con: duckdb.DuckDBPyConnection) -> tuple[int, str | None]:
    """The data revision and the key of the stored levels (None before any), in one read."""
    values = dict(rows(con, "SELECT key, value FROM meta WHERE key IN ('revision', ?)", [_KEY]))
    return int(values.get("revision") or 0), values.get(_KEY)


def fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the stored levels are those of the data as it is now."""
    revision, key = _marks(con)
    return key == _key(revision)


def keep(con: duckdb.DuckDBPyConnection, before: int, after: int, rounds: Sequence[int] | None) -> None:
    """Bring the stored levels to revision `after`, to which a write has just moved the data from `before`
    (inside its transaction): only `rounds` where the levels were those of `before` and the write changed
    nothing else (an import, an undo; `()`: nothing they are computed from), else all of them."""
    was_fresh = scalar(con, "SELECT value FROM meta WHERE key = ?", [_KEY]) == _key(before)
    if was_fresh and rounds is not None:
        if rounds:
            ids = [int(r) for r in rounds]
            con.execute(
                "DELETE FROM stored_item_levels WHERE list_contains(CAST($ids AS INTEGER[]), round_id)", {"ids": ids}
            )
            con.execute(f"INSERT INTO {TABLE} {sql_text('item_levels')}", _params(ids))
    else:
        every = [int(r) for (r,) in rows(con, "SELECT round_id FROM rounds")]
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS {sql_text('item_levels')}", _params(every))
    con.execute(
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [_KEY, _key(after)],
    )


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Compute the stored levels where they are not those of the data (a restored, upgraded or new file)."""
    from .schema import transaction

    revision, key = _marks(con)
    if key == _key(revision):
        return
    with transaction(con):
        keep(con, -1, revision, None)


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the stored levels as not those of the data (a restore brings the data of another file)."""
    con.execute("DELETE FROM meta WHERE key = ?", [_KEY])


@contextmanager
def registered_levels(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> Iterator[frozenset[str]]:
    """The stored levels of the rounds (`round_ids`) and teams (`team_ids`, None: all) readable as `item_levels`
    for the block, yielding the `reuse` set that lets queries read them; nothing while they are not fresh."""
    if not fresh(con):
        yield frozenset()
        return
    found = arrow(con, _READ, {"round_ids": list(params["round_ids"]), "team_ids": params.get("team_ids"),
                               "older_teams": list(params.get("older_teams", [])),
                               "older_rounds": list(params.get("older_rounds", []))})  # fmt: skip
    with registered(con, {"item_levels": found}) as reuse:
        yield reuse


def _params(round_ids: list[int]) -> dict[str, Any]:
    return {"round_ids": round_ids, "team_ids": None, **NO_OLDER}


NO_OLDER: dict[str, list[int]] = {"older_teams": [], "older_rounds": []}  # no pairs read besides the rounds
