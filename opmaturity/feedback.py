"""Workshop notes for the Feedback page: search and filter them, list the filter values, relink a note."""

from __future__ import annotations

import difflib

import duckdb
import pandas as pd

from . import audit, store
from .auth import Actor, require
from .errors import OpmaturityError, Problem
from .queries import rows, scalar, sql_frame
from .schema import transaction
from .text import normalize

FACETS = ("products", "teams", "tags", "groups", "items")
_FACET_OF = {"product": "products", "team": "teams", "tag": "tags", "group": "groups", "item": "items"}


def _round_id(con: duckdb.DuckDBPyConnection, round_name: str | None) -> int | None:
    return store.round_id(con, round_name) if round_name is not None else None


def _matches(terms: list[str], *texts: object) -> bool:
    haystack = " ".join(normalize(t) for t in texts if t is not None)
    return all(term in haystack for term in terms)


def notes_table(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    product: str | None = None,
    team: str | None = None,
    tag: str | None = None,
    group: str | None = None,
    item: str | None = None,
    linked: bool | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """Notes of a round (None: every round) matching every filter given, oldest first.

    Columns: note_id, round, product, team, text, group_name, tags (a list), colour, author, item_key, category,
    linked_by (rule | person | None).

    Filters are exact values bound as parameters; `linked` True/False keeps only linked/unlinked notes. `query`
    searches text, group and tags ignoring case and character width (ＤａｔａＤｏｇ finds Datadog); every word
    of it must occur.
    """
    params = {
        "round_id": _round_id(con, round_name),
        "product": product,
        "team": team,
        "tag": tag,
        "group": group,
        "item": item,
        "linked": linked,
    }
    notes = sql_frame(con, "notes", params)
    terms = normalize(query).split()
    if terms:
        keep = [
            _matches(terms, text, grp, " ".join(tags))
            for text, grp, tags in zip(notes["text"], notes["group_name"], notes["tags"], strict=True)
        ]
        notes = notes[keep].reset_index(drop=True)
    notes["tags"] = [list(tags) for tags in notes["tags"]]
    return notes


def note_facets(con: duckdb.DuckDBPyConnection, round_name: str | None = None) -> dict[str, list[str]]:
    """The values notes of a round (None: every round) can be filtered by: products, teams, tags, groups (by
    name) and items (item keys in model order)."""
    found = sql_frame(con, "note_facets", {"round_id": _round_id(con, round_name)})
    facets: dict[str, list[str]] = {name: [] for name in FACETS}
    for facet, value in zip(found["facet"], found["value"], strict=True):
        facets[_FACET_OF[facet]].append(value)
    return facets


def relink_note(
    con: duckdb.DuckDBPyConnection, note_id: int, item_key: str | None, *, actor: Actor | None = None
) -> None:
    """Link note `note_id` to the item `item_key` (None: to no item) as a person decided (linked_by 'person')."""
    actor = require(actor, "change")
    if not scalar(con, "SELECT count(*) FROM notes WHERE note_id = ?", [note_id]):
        raise OpmaturityError.of("msg.store.no_note", note_id=note_id)
    if item_key is not None:
        keys = [key for (key,) in rows(con, "SELECT item_key FROM items ORDER BY position")]
        if item_key not in keys:
            near = difflib.get_close_matches(item_key.upper(), keys, n=1, cutoff=0.5)
            hint = [Problem.of("msg.store.did_you_mean", name=near[0])] if near else []
            raise OpmaturityError.of("msg.store.no_item", hint, item=item_key)
    with transaction(con):
        con.execute("UPDATE notes SET item_key = ?, linked_by = 'person' WHERE note_id = ?", [item_key, note_id])
        audit.record(con, actor, "relink", f"#{note_id}", item=item_key)
        store.bump(con, store.NO_LEVELS)
