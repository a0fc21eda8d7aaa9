"""The metric layer: levels, gaps, priorities, perception gaps, spread and change of a round, as DataFrames.

Every figure is defined in the SQL file that computes it (`opmaturity/sql/<name>.sql`, header comment). A file
may build on others (`-- uses: a, b`): they are prepended as CTEs, so each definition is written once. Values
are always bound as parameters; a metric, rater or layout a user picks is checked against a fixed allow-list
and bound as a value too, never written into SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import levels, store
from .errors import OpmaturityError
from .queries import arrow, materialized, registered, scalar, sql_frame, sql_table

METRICS = ("level", "gap", "priority", "perception_gap", "change", "n")  # the heatmap's metric selector
HEATMAP_METRICS = (*METRICS, "disagreement")  # disagreement too: the only metric that can be "too_few"
RATERS = ("team", "sre")
ROWS = ("team", "product")
COLUMNS = ("category", "item")
CHANGE_LEVELS = ("category", "item")
STATUSES = ("ok", "no_data", "too_few")
DEFAULT_K = 3  # fewest respondents whose spread is shown: below that it would expose individuals

# --- the round and the model facts a query needs -------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    round: str | None
    params: dict[str, Any]


def _context(con: duckdb.DuckDBPyConnection, round_name: str | None) -> _Context:
    """The round (default: the newest with answers, `store.shown_of`; None in an empty database) and the rounds
    read for it.

    `round_ids` holds the round and the one before it (in time order: sql/round_order.sql), so that changes pair
    items across the two; `older_teams` and `older_rounds` each team that answered the round but not the one
    before, and the round it last answered (its changes pair with that); `round_id` is the round scored.
    """
    ordered = store.rounds(con)
    if round_name is None:
        round_name = store.shown_of(ordered)
    round_id = None
    round_ids: list[int] = []
    older: dict[str, list[int]] = {"older_teams": [], "older_rounds": []}
    if round_name is not None:
        round_id = store.round_id(con, round_name)
        row = ordered[ordered["round_id"] == round_id].iloc[0]
        round_name = str(row["name"])  # as stored (a name asked as `2026-h1` reads 2026-H1)
        previous = row["previous_round_id"]
        round_ids = [round_id] + ([] if pd.isna(previous) else [int(previous)])
        if not pd.isna(previous):
            older = _older_pairs(con, round_id, int(previous), ordered)
    return _Context(round_name, {"round_id": round_id, "round_ids": round_ids, "team_ids": None, **older})


# Per team and rater group that answered $round_id, the round it answered last before; kept where that is older
# than the round just before ($previous): such a team skipped it. Read from the stored item levels when they are
# those of the data (5 ms at 1,000 teams), else from the answers (35 ms).
_OLDER = """
WITH answered AS (
    SELECT DISTINCT a.team_id, a.rater, a.round_id, o.position
    FROM {source} AS a
    INNER JOIN (SELECT unnest($ids) AS round_id, unnest($positions) AS position) AS o ON o.round_id = a.round_id
    WHERE {answered} AND o.position <= $position
),
last AS (
    SELECT now.team_id, arg_max(b.round_id, b.position) AS round_id
    FROM answered AS now
    INNER JOIN answered AS b ON b.team_id = now.team_id AND b.rater = now.rater AND b.position < now.position
    WHERE now.round_id = $round_id
    GROUP BY now.team_id, now.rater
)
SELECT DISTINCT team_id, round_id FROM last WHERE round_id <> $previous ORDER BY team_id, round_id
"""
_OLDER_FROM_LEVELS = _OLDER.format(source="stored_item_levels", answered="a.n > 0")
_OLDER_FROM_ANSWERS = _OLDER.format(source="current_responses", answered="a.level IS NOT NULL")


def _older_pairs(con: duckdb.DuckDBPyConnection, round_id: int, previous: int, ordered: pd.DataFrame
                 ) -> dict[str, list[int]]:  # fmt: skip
    """The teams that answered `round_id` but not `previous` (the answered round just before), each with the
    round it last answered: `older_teams` and `older_rounds`, read besides the two rounds."""
    position = int(ordered.loc[ordered["round_id"] == round_id, "round_position"].iloc[0])
    params = {"ids": [int(i) for i in ordered["round_id"]], "positions": [int(p) for p in ordered["round_position"]],
              "position": position, "round_id": round_id, "previous": previous}  # fmt: skip
    found = con.execute(_OLDER_FROM_LEVELS if levels.fresh(con) else _OLDER_FROM_ANSWERS, params).fetchall()
    return {"older_teams": [int(t) for t, _ in found], "older_rounds": [int(r) for _, r in found]}


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise OpmaturityError.of("msg.metrics.unknown_choice", what=what, value=value, allowed=", ".join(allowed))
    return value


def _k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise OpmaturityError.of("msg.metrics.bad_k", value=repr(k))
    return int(k)


def _limit(limit: int | None) -> int | None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 0):
        raise OpmaturityError.of("msg.metrics.bad_limit", value=repr(limit))
    return None if limit is None else int(limit)


# --- the figures every list rolls up from ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Item and category figures computed once (`item_scores`, `category_scores` as Arrow tables, every column
    kept, ids and exact figures too), which every list, heatmap and page table rolls up from in SQL.

    `round` is the round scored (None: every round, for trends); `params` the parameters they were computed
    with (round_id, round_ids, k). Immutable, so a cache may share one between sessions.
    """

    round: str | None
    params: Mapping[str, Any]
    tables: Mapping[str, pa.Table]

    @contextmanager
    def registered(self, con: duckdb.DuckDBPyConnection) -> Iterator[frozenset[str]]:
        """The tables readable on `con` under their query names for the block; yields the `reuse` set."""
        with registered(con, self.tables) as reuse:
            yield reuse


def round_figures(con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K) -> Figures:
    """The round's (default: the latest) item_scores and category_scores, computed once from the answers of the
    round and the one before it (sql/item_scores.sql, sql/category_scores.sql)."""
    ctx = _context(con, round_name)
    params = ctx.params | {"k": _k(k)}
    with levels.registered_levels(con, params) as stored, materialized(con, "item_scores", params, stored) as reuse:
        tables = {
            "item_scores": arrow(con, "SELECT * FROM item_scores"),
            "category_scores": sql_table(con, "category_scores", params, reuse),
        }
    return Figures(ctx.round, params, tables)


_TREND_COLUMNS = ["round_id", "product", "team", "rater", "category", "category_position", "level", "n"]


def every_round_figures(
    con: duckdb.DuckDBPyConnection, product: str | None = None, team: str | None = None, *, steady: bool = False
) -> Figures:
    """The category levels of every round (the columns sql/trend.sql reads of category_scores), for the trends
    of the organisation, or of one product's or team's answers only: rolled up straight from the item levels
    (sql/category_levels.sql), not through every round's item scores (changes, perception gaps and spreads no
    trend reads took three quarters of the time). `steady`: only the teams that answered every round (steady_teams)."""
    every_round = [int(i) for i in store.rounds(con)["round_id"]]
    team_ids = None
    if steady:
        team_ids = steady_teams(con, product, team)
    elif product is not None or team is not None:
        team_ids = _team_ids(con, product, team)
    params = {"round_id": None, "round_ids": every_round, "k": DEFAULT_K, "team_ids": team_ids, **levels.NO_OLDER}
    with levels.registered_levels(con, params) as stored:
        categories = sql_table(con, "category_levels", params, stored).select(_TREND_COLUMNS)
        items = sql_table(con, "trend_items", params, stored)
    return Figures(None, params, {"category_scores": categories, "trend_items": items})


def figures_for(
    con: duckdb.DuckDBPyConnection, round_name: str | None, k: int = DEFAULT_K, figures: Figures | None = None
) -> Figures:
    """`figures` when given (checked to be the round and k asked for), else the round's computed now."""
    k = _k(k)
    if figures is None:
        return round_figures(con, round_name, k=k)
    if round_name is not None and figures.round != round_name or figures.params.get("k") != k:
        raise ValueError(
            f"Figures of round {figures.round!r} (k={figures.params.get('k')}) given for round {round_name!r} (k={k})"
        )
    return figures


def _scores(
    con: duckdb.DuckDBPyConnection,
    name: str,
    round_name: str | None,
    figures: Figures | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Query `name` rolled up from the round's figures (computed now unless given)."""
    found = figures_for(con, round_name, params.get("k", DEFAULT_K), figures)
    with found.registered(con) as reuse:
        return sql_frame(con, name, {**found.params, **params}, reuse)


def _ensure_team(con: duckdb.DuckDBPyConnection, product: str, team: str) -> None:
    found = scalar(
        con,
        "SELECT count(*) FROM teams t JOIN products p USING (product_id) WHERE p.name = ? AND t.name = ?",
        [product, team],
    )
    if not found:
        raise OpmaturityError.of("msg.store.no_team", team=team, product=product)


# --- the base tables ------------------------------------------------------------------------------------------

_IDS = ["round_id", "product_id", "team_id"]


def item_scores(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K, figures: Figures | None = None
) -> pd.DataFrame:
    """Every figure per product, team, rater and item of the round (definitions: sql/item_scores.sql).

    Columns: product, tier, team, rater, category, category_position, item, item_position, level, n, na,
    respondents, target, gap, importance, importance_assumed, priority, team_level, team_n, sre_level, sre_n,
    perception_gap, sd, min_level, max_level, disagreement_status, previous_level, previous_n, change, change_se,
    significant.
    """
    found = figures_for(con, round_name, k, figures)
    with found.registered(con):
        frame = con.execute("SELECT * FROM item_scores").df()
    order = ["product", "team", "rater", "item_position"]
    exact = [c for c in frame.columns if c.startswith("exact_")]  # for roll-ups in SQL only
    return frame.drop(columns=[*_IDS, *exact]).sort_values(order, ignore_index=True)


def category_scores(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K, figures: Figures | None = None
) -> pd.DataFrame:
    """item_scores rolled up per product, team, rater and category (definitions: sql/category_scores.sql).

    Columns: product, tier, team, rater, category, category_position, level, n, na, items, target, gap,
    importance, importance_assumed, priority, team_level, sre_level, perception_gap, perception_items (the items
    both sides rated: team_level and sre_level are over those), paired_level, previous_level, change,
    change_items, n_before, n_after (the items rated in both rounds: the two levels are over those),
    respondents, sd, items_reported, disagreement_status, change_se, significant.
    """
    found = figures_for(con, round_name, k, figures)
    with found.registered(con):
        frame = con.execute("SELECT * FROM category_scores").df()
    order = ["product", "team", "rater", "category_position"]
    return frame.drop(columns=_IDS).sort_values(order, ignore_index=True)


# --- views ----------------------------------------------------------------------------------------------------

HEATMAP_COLUMNS = ["product", "team", "key", "category", "position", "value", "n", "respondents", "status"]


def _heatmap_cells(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None,
    *,
    metric: str,
    rater: str,
    rows: str,
    columns: str,
    k: int,
    figures: Figures | None = None,
) -> pd.DataFrame:
    return _scores(
        con,
        "heatmap",
        round_name,
        figures,
        metric=_choice(metric, HEATMAP_METRICS, "metric"),
        rater=_choice(rater, RATERS, "rater group"),
        rows=_choice(rows, ROWS, "row kind"),
        columns=_choice(columns, COLUMNS, "column kind"),
        k=_k(k),
    )


def heatmap(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    metric: str = "level",
    rater: str = "team",
    rows: str = "team",
    columns: str = "category",
    k: int = DEFAULT_K,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """One cell per team (or product) and category (or item) of the round, every model column kept.

    Columns: product, team (None on product rows), key, category, position, value, n, respondents, status
    (ok | no_data | too_few). Definitions: sql/heatmap.sql.
    """
    cells = _heatmap_cells(
        con, round_name, metric=metric, rater=rater, rows=rows, columns=columns, k=k, figures=figures
    )
    return cells[HEATMAP_COLUMNS]


def team_categories(
    con: duckdb.DuckDBPyConnection, round_name: str | None, product: str, team: str, *, figures: Figures | None = None
) -> pd.DataFrame:
    """One team's categories in model order beside SRE's view, its target and the org median.

    Columns: category, position, team_level, team_n, sre_level, sre_n, target, gap, sre_gap, perception_gap,
    change, org_median, org_teams. Definitions: sql/team_categories.sql.
    """
    _ensure_team(con, product, team)
    return _scores(con, "team_categories", round_name, figures, product=product, team=team)


def team_items(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None,
    product: str,
    team: str,
    *,
    k: int = DEFAULT_K,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """One team's items (all of the model's) ranked by priority, highest first.

    Columns: category, item, category_position, position, level, n, na (the team's own), sre_level, sre_n,
    target, gap, importance, importance_assumed, priority, perception_gap, sd, min_level, max_level,
    disagreement_status, previous_level, change. Definitions: sql/team_items.sql.
    """
    _ensure_team(con, product, team)
    return _scores(con, "team_items", round_name, figures, product=product, team=team, k=_k(k))


def top_gaps(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    limit: int | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Team-rater items below target, ranked by priority (sql/top_gaps.sql).

    Columns: product, team, category, item, position, level, n, target, gap, importance, importance_assumed,
    priority.
    """
    return _scores(con, "top_gaps", round_name, figures, limit=_limit(limit))


def perception_gaps(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    limit: int | None = None,
    product: str | None = None,
    team: str | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Team items where SRE and the team differ, ranked by |SRE - team| (sql/perception_gaps.sql); of one
    product's or team's only where named, in the same order (the Team page and the hearing sheet list these).

    Columns: product, team, category, item, position, team_level, sre_level, perception_gap, team_n, sre_n.
    """
    return _scores(con, "perception_gaps", round_name, figures, limit=_limit(limit), product=product, team=team)


def disagreements(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    k: int = DEFAULT_K,
    limit: int | None = None,
    product: str | None = None,
    team: str | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Team items whose own respondents disagree (n >= k, sd > 0), ranked by sd (sql/disagreements.sql); of one
    product's or team's only where named, in the same order (the Team page and the hearing sheet list these).

    Columns: product, team, category, item, position, level, sd, min_level, max_level, n.
    """
    return _scores(con, "disagreements", round_name, figures, k=_k(k), limit=_limit(limit), product=product, team=team)


def org_weak_items(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    limit: int | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Items by share of teams below target, then lowest mean level (sql/org_weak_items.sql).

    Columns: item, category, position, teams, teams_below, share_below, mean_level, mean_target.
    """
    return _scores(con, "org_weak_items", round_name, figures, limit=_limit(limit))


def changes(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    level: str = "category",
    limit: int | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Team-rater level changes since the previous round per team and category (or item), over paired items.

    Significant changes first, then by |change|. Columns: product, team, category, item (None per category),
    position, previous_round (the team's own last assessment before: the org's previous round, or an older one
    for a team that skipped it), level, previous_level (both over the paired items), change, n, n_before, n_after,
    items (paired items), change_se, significant. Definitions: sql/changes.sql.
    """
    level = _choice(level, CHANGE_LEVELS, "change level")
    return _scores(con, "changes", round_name, figures, level=level, limit=_limit(limit))


def silent_gaps(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    limit: int | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Items many teams are below target on but (almost) nobody wrote about, by share below (sql/silent_gaps.sql).

    Columns: item, category, position, teams_below_target, teams, share, mean_gap, notes.
    """
    return _scores(con, "silent_gaps", round_name, figures, limit=_limit(limit))


def movers(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    limit: int = 10,
    level: str = "category",
    product: str | None = None,
    team: str | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """The `limit` biggest rises, then the `limit` biggest falls, each with the changes beyond noise first, of
    the teams chosen (`product`, and `team` of it; None: all; sql/movers.sql): direction (up | down) + `changes`
    columns."""
    level = _choice(level, CHANGE_LEVELS, "change level")
    params = {"level": level, "limit": None, "product": product, "team": team}
    moved = _scores(con, "movers", round_name, figures, **params)
    count = _limit(limit)
    up = moved[moved["change"] > 0].head(count)
    falls = moved[moved["change"] < 0]
    down = falls.sort_values(["significant", "change"], ascending=[False, True], kind="stable").head(count)
    frames = [part.assign(direction=direction) for part, direction in ((up, "up"), (down, "down"))]
    result = pd.concat(frames, ignore_index=True)
    return result[["direction", *moved.columns]]


def org_categories(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, figures: Figures | None = None
) -> pd.DataFrame:
    """The organisation per category in model order, from the teams' own category levels.

    Columns: category, position, level (mean of team levels), org_median, target, gap, n, teams.
    Definitions: sql/org_categories.sql.
    """
    return _scores(con, "org_categories", round_name, figures)


def answer_distributions(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    rater: str = "team",
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Org-wide answer counts per answered item (model order) and level 0..max, then N/A.

    Columns: item, category, position, level (None for N/A), answer, count, share (of the item's answers with a
    level; None on the N/A row), respondents, status ('too_few': fewer than k respondents, counts withheld).
    Definitions: sql/answer_distributions.sql.
    """
    ctx = _context(con, round_name)
    params = ctx.params | {"rater": _choice(rater, RATERS, "rater group"), "k": _k(k)}
    return sql_frame(con, "answer_distributions", params)


def _team_ids(con: duckdb.DuckDBPyConnection, product: str | None, team: str | None) -> list[int]:
    """The ids of the teams of `product` (any product: None) called `team` (any name: None)."""
    teams = store.teams(con)
    if product is not None:
        teams = teams[teams["product"] == product]
    if team is not None:
        teams = teams[teams["team"] == team]
    return [int(i) for i in teams["team_id"]]


def steady_teams(con: duckdb.DuckDBPyConnection, product: str | None = None, team: str | None = None) -> list[int]:
    """The ids of the teams of the selection (a product, a team, or every team) that assessed themselves in every
    round any of them did: a line over them alone compares the same teams from round to round."""
    chosen = _team_ids(con, product, team)
    return [int(t) for t in sql_frame(con, "steady_teams", {"team_ids": chosen})["team_id"]] if chosen else []


def trend(
    con: duckdb.DuckDBPyConnection,
    *,
    product: str | None = None,
    team: str | None = None,
    rater: str = "team",
    steady: bool = False,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Category levels per round, in round order, of one team, one product or the org (sql/trend.sql), from
    `figures` of every round (every_round_figures; computed now unless given); `steady`: of the teams that
    answered every round only (steady_teams), so that every step compares the same teams.

    Columns: round, round_position (1 = oldest), held_on, category, position, level, n, teams, round_teams,
    teams_total, items, and the step from the category's previous point compared like with like: previous_round,
    paired_previous, paired_level, paired_change, paired_teams, paired_items, like_for_like (sql/trend.sql).
    """
    params = {"rater": _choice(rater, RATERS, "rater group"), "product": product, "team": team}
    found = figures or every_round_figures(con, product, team, steady=steady)  # only the teams shown
    with found.registered(con) as reuse:
        return sql_frame(con, "trend", {**found.params, **params}, reuse)


def coverage(con: duckdb.DuckDBPyConnection, round_name: str | None = None) -> pd.DataFrame:
    """Who answered the round, per product (sql/coverage.sql).

    Columns: product, tier, teams, teams_answered, teams_assessed (by SRE), team_respondents, sre_respondents,
    answers (with a level), coverage (teams_answered / teams), notes (the round's notes about the product).
    """
    return sql_frame(con, "coverage", _context(con, round_name).params)
