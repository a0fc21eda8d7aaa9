"""Improvement actions: what a team agreed to do about an item, kept up to date by the team and SRE.

An action belongs to a team and an item of the model: title, owner, status (todo, doing, done), due date, note,
the round it was agreed in (default: the latest), and who created and last changed it, when. The Team page and
`python -m opmaturity action add|set|list` call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from . import audit, store
from .auth import Actor, require
from .errors import OpmaturityError, Problem
from .i18n import Listed
from .queries import frame, rows, scalar, sql_frame
from .schema import transaction

STATUSES = ("todo", "doing", "done")
FIELDS = ("title", "owner", "status", "due", "note", "item")
COLUMNS = ["id", "product", "team", "item", "title", "owner", "status", "due", "round", "created_at", "updated_at"]
MAX_TITLE = 500


@dataclass(frozen=True)
class ActionChange:
    """The fields a person changes on one action; None leaves a field as it is, "" clears owner, due or note."""

    title: str | None = None
    owner: str | None = None
    status: str | None = None
    due: date | str | None = None
    note: str | None = None
    item: str | None = None


def _team_id(con: duckdb.DuckDBPyConnection, product: str, team: str) -> int:
    found = scalar(
        con,
        "SELECT t.team_id FROM teams t JOIN products p USING (product_id) WHERE p.name = ? AND t.name = ?",
        [product, team],
    )
    if found is None:
        raise OpmaturityError.of("msg.store.no_team", product=product, team=team)
    return int(found)


def _item(con: duckdb.DuckDBPyConnection, item: str | None) -> str | None:
    if item is None or not item.strip():
        return None
    if not scalar(con, "SELECT count(*) FROM items WHERE item_key = ?", [item.strip()]):
        raise OpmaturityError.of("msg.store.no_item", [Problem.of("msg.actions.item_hint")], item=item)
    return item.strip()


def _status(status: str) -> str:
    if status not in STATUSES:
        raise OpmaturityError.of("msg.actions.bad_status", allowed=Listed(STATUSES), value=status)
    return status


def _due(due: date | str | None) -> date | None:
    if due is None or due == "":
        return None
    if isinstance(due, datetime):
        return due.date()
    if isinstance(due, date):
        return due
    try:
        return date.fromisoformat(str(due).strip())
    except ValueError:
        raise OpmaturityError.of("msg.actions.bad_due", value=str(due)) from None


def _title(title: str) -> str:
    text = (title or "").strip()
    if not text:
        raise OpmaturityError.of("msg.actions.no_title")
    if len(text) > MAX_TITLE:
        raise OpmaturityError.of("msg.actions.long_title", most=MAX_TITLE, length=len(text))
    return text


def add_action(
    con: duckdb.DuckDBPyConnection,
    product: str,
    team: str,
    *,
    title: str,
    item: str | None = None,
    owner: str | None = None,
    status: str = "todo",
    due: date | str | None = None,
    note: str | None = None,
    round_name: str | None = None,
    actor: Actor | None = None,
) -> int:
    """Record an action the team agreed (in `round_name`, default the latest round) as `actor` (None: the
    command line's operator), an admin or one of the team's members; returns its id."""
    actor = require(actor, "change", (product, team))
    team_id = _team_id(con, product, team)
    round_name = round_name or store.latest_round(con)
    round_id = store.round_id(con, round_name) if round_name else None
    values: list[object] = [team_id, round_id, _item(con, item), _title(title), (owner or "").strip() or None]
    values += [_status(status), _due(due), (note or "").strip() or None, actor.name, actor.name]
    with transaction(con):
        new_id = scalar(
            con,
            """INSERT INTO actions (team_id, round_id, item_key, title, owner, status, due, note, created_by,
                   updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING action_id""",
            values,
        )
        audit.record(con, actor, "action_add", f"#{new_id} {product} / {team}", item=values[2], title=values[3])
        store.bump(con, store.NO_LEVELS)
    return int(new_id)


def set_action(
    con: duckdb.DuckDBPyConnection, action_id: int, change: ActionChange, *, actor: Actor | None = None
) -> None:
    """Change the fields `change` names on action `action_id` (and stamp who and when), as `actor` (None: the
    command line's operator), an admin or one of the action's team's members."""
    owner = rows(
        con,
        """SELECT p.name, t.name FROM actions a JOIN teams t USING (team_id) JOIN products p USING (product_id)
           WHERE a.action_id = ?""",
        [action_id],
    )
    if not owner:
        require(actor, "change")  # a viewer learns nothing about which actions exist
        raise OpmaturityError.of("msg.actions.no_action", action_id=action_id)
    product, team = owner[0]
    actor = require(actor, "change", (product, team))
    updates: dict[str, Any] = {}
    if change.title is not None:
        updates["title"] = _title(change.title)
    if change.owner is not None:
        updates["owner"] = change.owner.strip() or None
    if change.status is not None:
        updates["status"] = _status(change.status)
    if change.due is not None:
        updates["due"] = _due(change.due)
    if change.note is not None:
        updates["note"] = change.note.strip() or None
    if change.item is not None:
        updates["item_key"] = _item(con, change.item)
    if not updates:
        return
    with transaction(con):
        for column, value in updates.items():  # one bound statement per field; column names are our own
            con.execute(_UPDATES[column], [value, action_id])
        con.execute(
            "UPDATE actions SET updated_at = current_timestamp, updated_by = ? WHERE action_id = ?",
            [actor.name, action_id],
        )
        detail = {("item" if k == "item_key" else k): v for k, v in updates.items()}
        audit.record(con, actor, "action_set", f"#{action_id} {product} / {team}", **detail)
        store.bump(con, store.NO_LEVELS)


_UPDATES = {
    "title": "UPDATE actions SET title = ? WHERE action_id = ?",
    "owner": "UPDATE actions SET owner = ? WHERE action_id = ?",
    "status": "UPDATE actions SET status = ? WHERE action_id = ?",
    "due": "UPDATE actions SET due = ? WHERE action_id = ?",
    "note": "UPDATE actions SET note = ? WHERE action_id = ?",
    "item_key": "UPDATE actions SET item_key = ? WHERE action_id = ?",
}


def list_actions(
    con: duckdb.DuckDBPyConnection, product: str | None = None, team: str | None = None, *, today: date | None = None
) -> pd.DataFrame:
    """Actions (of one product or team), open ones first by due date: the `action list --json` columns, plus
    note, open (not done) and overdue (open and due before `today`)."""
    today = today or date.today()
    found = frame(
        con,
        """SELECT a.action_id AS id, p.name AS product, t.name AS team, a.item_key AS item, a.title, a.owner,
                  a.status, a.due, r.name AS round, a.created_at, a.updated_at, a.note,
                  a.status <> 'done' AS open, a.status <> 'done' AND a.due < ? AS overdue
           FROM actions a JOIN teams t USING (team_id) JOIN products p USING (product_id)
           LEFT JOIN rounds r ON r.round_id = a.round_id
           WHERE (? IS NULL OR p.name = ?) AND (? IS NULL OR t.name = ?)
           ORDER BY a.status = 'done', CASE a.status WHEN 'doing' THEN 0 ELSE 1 END, a.due NULLS LAST, a.action_id""",
        [today, product, product, team, team],
    )
    found["overdue"] = found["overdue"].fillna(False).astype(bool)
    found["due"] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in found["due"]]  # a day, not a time
    return found


def action_counts(con: duckdb.DuckDBPyConnection, *, today: date | None = None) -> dict[str, int]:
    """How many actions are open and how many of those are overdue, across the organisation."""
    actions = list_actions(con, today=today)
    return {"open": int(actions["open"].sum()), "overdue": int(actions["overdue"].sum())}


PROGRESS_COLUMNS = ["id", "product", "team", "item", "round", "next_round", "level_before", "level_after", "moved",
                    "sre_before", "sre_after", "sre_moved"]  # fmt: skip


def action_progress(
    con: duckdb.DuckDBPyConnection, product: str | None = None, team: str | None = None
) -> pd.DataFrame:
    """Did the items with finished actions move? One row per done action (of one product or team) that names an
    item and a round: its team's level of that item in the round the action was agreed in (`level_before`) and in
    the round after it (`level_after`, None while there is no later round or the team has not rated the item
    there), their difference `moved`, and the same for SRE's level of the team (`sre_*`, None where SRE did not
    rate the item in both). Levels are the raters' means, as the Team page shows them (metrics.item_scores)."""
    done = list_actions(con, product, team)
    done = done[(done["status"] == "done") & done["item"].notna() & done["round"].notna()]
    rounds = store.rounds(con)
    names = rounds["name"].tolist()
    following = dict(zip(names, names[1:], strict=False))
    levels: dict[tuple[str, str, str, str, str], float] = {}
    wanted = {*done["round"], *(following[r] for r in done["round"] if r in following)}
    if wanted:
        name_of = dict(zip(rounds["round_id"].astype(int), rounds["name"], strict=True))
        params = {"round_ids": [i for i, n in name_of.items() if n in wanted], "team_ids": _team_ids(con, done),
                  "older_teams": [], "older_rounds": []}  # fmt: skip
        found = sql_frame(con, "action_levels", params)  # only these teams' items: not every team's scores
        for row in found.itertuples(index=False):
            levels[(name_of[int(row.round_id)], row.product, row.team, row.rater, row.item)] = float(row.level)
    rows = []
    for a in done.itertuples(index=False):
        after_round = following.get(a.round)

        def level(round_name: str | None, rater: str, a: Any = a) -> float | None:
            return None if round_name is None else levels.get((round_name, a.product, a.team, rater, a.item))

        pairs = [(level(a.round, rater), level(after_round, rater)) for rater in ("team", "sre")]
        moved = [None if b is None or f is None else round(f - b, 9) for b, f in pairs]
        rows.append([a.id, a.product, a.team, a.item, a.round, after_round, *pairs[0], moved[0], *pairs[1], moved[1]])
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def _team_ids(con: duckdb.DuckDBPyConnection, actions: pd.DataFrame) -> list[int]:
    """The ids of the teams the actions belong to."""
    pairs = set(zip(actions["product"], actions["team"], strict=True))
    teams = store.teams(con)
    return [
        int(i) for p, t, i in zip(teams["product"], teams["team"], teams["team_id"], strict=True) if (p, t) in pairs
    ]
