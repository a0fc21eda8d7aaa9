"""The metric layer: levels, gaps, priorities, perception gaps, spread and change of a round, as DataFrames.

Every figure is defined in the SQL file that computes it (`opmaturity/sql/<name>.sql`, header comment). A file
may build on others (`-- uses: a, b`): they are prepended as CTEs, so each definition is written once. Values
are always bound as parameters; a metric, rater or layout a user picks is checked against a fixed allow-list
and bound as a value too, never written into SQL text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import store
from .errors import OpmaturityError
from .queries import (  # noqa: F401  (sql_parameters, sql_text re-exported)
    arrow,
    materialized,
    registered,
    sql_frame,
    sql_parameters,
    sql_table,
    sql_text,
)

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
    """The round (default: the latest; None in an empty database) and the rounds read for it.

    `round_ids` holds the round and the one before it (in time order: sql/round_order.sql), so that changes pair
    items across the two; `round_id` is the round scored.
    """
    ordered = store.rounds(con)
    if round_name is None:
        round_name = ordered["name"].iloc[-1] if len(ordered) else None
    round_id = None
    round_ids: list[int] = []
    if round_name is not None:
        round_id = store.round_id(con, round_name)
        row = ordered[ordered["round_id"] == round_id].iloc[0]
        previous = row["previous_round_id"]
        round_ids = [round_id] + ([] if pd.isna(previous) else [int(previous)])
    return _Context(round_name, {"round_id": round_id, "round_ids": round_ids})


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
    with materialized(con, "item_scores", params) as reuse:
        tables = {
            "item_scores": arrow(con, "SELECT * FROM item_scores"),
            "category_scores": sql_table(con, "category_scores", params, reuse),
        }
    return Figures(ctx.round, params, tables)


_TREND_COLUMNS = ["round_id", "product", "team", "rater", "category", "category_position", "level", "n"]


def every_round_figures(con: duckdb.DuckDBPyConnection) -> Figures:
    """category_scores of every round (only the columns sql/trend.sql reads), for the trends."""
    every_round = [int(i) for i in store.rounds(con)["round_id"]]
    params = {"round_id": None, "round_ids": every_round, "k": DEFAULT_K}
    with materialized(con, "item_scores", params) as reuse:
        categories = sql_table(con, "category_scores", params, reuse).select(_TREND_COLUMNS)
    return Figures(None, params, {"category_scores": categories})


def _figures(con: duckdb.DuckDBPyConnection, round_name: str | None, k: int, figures: Figures | None) -> Figures:
    """`figures` when given (checked to be the round and k asked for), else the round's computed now."""
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
    found = _figures(con, round_name, params.get("k", DEFAULT_K), figures)
    with found.registered(con) as reuse:
        return sql_frame(con, name, {**found.params, **params}, reuse)


def _ensure_team(con: duckdb.DuckDBPyConnection, product: str, team: str) -> None:
    found = store.scalar(
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
    found = _figures(con, round_name, _k(k), figures)
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
    found = _figures(con, round_name, _k(k), figures)
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
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Team items where SRE and the team differ, ranked by |SRE - team| (sql/perception_gaps.sql).

    Columns: product, team, category, item, position, team_level, sre_level, perception_gap, team_n, sre_n.
    """
    return _scores(con, "perception_gaps", round_name, figures, limit=_limit(limit))


def disagreements(
    con: duckdb.DuckDBPyConnection,
    round_name: str | None = None,
    *,
    k: int = DEFAULT_K,
    limit: int | None = None,
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Team items whose own respondents disagree (n >= k, sd > 0), ranked by sd (sql/disagreements.sql).

    Columns: product, team, category, item, position, level, sd, min_level, max_level, n.
    """
    return _scores(con, "disagreements", round_name, figures, k=_k(k), limit=_limit(limit))


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
    position, level, previous_level (both over the paired items), change, n, n_before, n_after, items (paired
    items), change_se, significant. Definitions: sql/changes.sql.
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
    figures: Figures | None = None,
) -> pd.DataFrame:
    """The `limit` biggest rises, then the `limit` biggest falls, each with the changes beyond noise first:
    direction (up | down) + `changes` columns."""
    moved = changes(con, round_name, level=level, figures=figures)
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


def trend(
    con: duckdb.DuckDBPyConnection,
    *,
    product: str | None = None,
    team: str | None = None,
    rater: str = "team",
    figures: Figures | None = None,
) -> pd.DataFrame:
    """Category levels per round, in round order, of one team, one product or the org (sql/trend.sql), from
    `figures` of every round (every_round_figures; computed now unless given).

    Columns: round, round_position (1 = oldest), held_on, category, position, level, n, teams.
    """
    params = {"rater": _choice(rater, RATERS, "rater group"), "product": product, "team": team}
    found = figures or every_round_figures(con)
    with found.registered(con) as reuse:
        return sql_frame(con, "trend", {**found.params, **params}, reuse)


def coverage(con: duckdb.DuckDBPyConnection, round_name: str | None = None) -> pd.DataFrame:
    """Who answered the round, per product (sql/coverage.sql).

    Columns: product, tier, teams, teams_answered, teams_assessed (by SRE), team_respondents, sre_respondents,
    answers (with a level), coverage (teams_answered / teams), notes (the round's notes about the product).
    """
    return sql_frame(con, "coverage", _context(con, round_name).params)


# --- the summary contract ------------------------------------------------------------------------------------

_SUMMARY_FIELDS = {
    "top_gaps": ["product", "team", "category", "item", "level", "n", "target", "gap", "importance",
                 "importance_assumed", "priority"],
    "perception_gaps": ["product", "team", "category", "item", "team_level", "sre_level", "perception_gap",
                        "team_n", "sre_n"],
    "disagreements": ["product", "team", "category", "item", "level", "sd", "min_level", "max_level", "n"],
    "org_weak_items": ["item", "category", "teams", "teams_below", "share_below", "mean_level", "mean_target"],
    "changes": ["product", "team", "category", "level", "previous_level", "change", "n", "n_before", "n_after",
                "items", "significant"],
    "silent_gaps": ["item", "category", "teams_below_target", "teams", "share", "mean_gap", "notes"],
}  # fmt: skip
_HEATMAP_FIELDS = ["product", "team", "category", "rater", "level", "n", "target", "gap", "respondents"]


def json_value(value: Any) -> Any:
    """`value` as plain JSON: None for missing or NaN, floats rounded to 2 decimals, numpy scalars unwrapped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        # noise first (9 decimals), then 2: a mean of 1.875 summed in another order must not read 1.87 once, 1.88 next
        return None if math.isnan(value) or math.isinf(value) else round(round(float(value), 9), 2) + 0.0
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    return value


def records(frame: pd.DataFrame, fields: list[str] | None = None) -> list[dict[str, Any]]:
    """The rows of `frame` (only `fields`, in that order) as JSON-ready dicts."""
    fields = fields or list(frame.columns)
    return [
        {field: json_value(value) for field, value in zip(fields, row, strict=True)}
        for row in frame[fields].itertuples(index=False, name=None)
    ]


def summary(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K, figures: Figures | None = None
) -> dict[str, Any]:
    """The `summary --json` object of a round (default: the latest), JSON-ready and ranked.

    Keys: round (None in an empty database), heatmap (per product, team, category and rater: level, n, target,
    gap, respondents), top_gaps, perception_gaps, disagreements, org_weak_items, changes (per team and
    category, over paired items, with n_before, n_after, items and significant), silent_gaps; items and
    categories by key, floats rounded to 2 decimals, None for missing.
    """
    found = _figures(con, round_name, _k(k), figures)
    result: dict[str, Any] = {"round": found.round, "heatmap": [], **{name: [] for name in _SUMMARY_FIELDS}}
    if found.round is None:
        return result
    params = {**found.params, "limit": None}
    cells = {"metric": "level", "rows": "team", "columns": "category"}
    with found.registered(con) as reuse:  # every list rolls up from the same figures
        frames = [
            sql_frame(con, "heatmap", params | cells | {"rater": r}, reuse).assign(rater=r, _order=n)
            for n, r in enumerate(RATERS)
        ]
        heat = pd.concat(frames, ignore_index=True).sort_values(["product", "team", "position", "_order"])
        result["heatmap"] = records(heat, _HEATMAP_FIELDS)
        for name, fields in _SUMMARY_FIELDS.items():
            query_params = params | ({"level": "category"} if name == "changes" else {})
            result[name] = records(sql_frame(con, name, query_params, reuse), fields)
    return result


_HEADS = {"top_gaps": 1, "perception_gaps": 1, "disagreements": 1, "org_weak_items": 2, "changes": 1, "silent_gaps": 1}


def highlights(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K, figures: Figures | None = None
) -> dict[str, Any]:
    """What the Overview says stands out: the first entries of the summary's ranked lists (the same entries, in
    the same form, as `summary` gives first; two of org_weak_items), and `moved`, how many changes there are in
    all. No heatmap: only what the sentences need is computed and converted."""
    found = _figures(con, round_name, _k(k), figures)
    result: dict[str, Any] = {"round": found.round, **{name: [] for name in _SUMMARY_FIELDS}, "moved": 0}
    if found.round is None:
        return result
    with found.registered(con) as reuse:
        for name, fields in _SUMMARY_FIELDS.items():
            limit = None if name == "changes" else _HEADS[name]  # every change: `moved` counts them
            params = {**found.params, "limit": limit, "level": "category"}
            frame = sql_frame(con, name, params, reuse)
            result[name] = records(frame.head(_HEADS[name]), fields)
            if name == "top_gaps" and {"target_low", "target_high"} <= set(frame.columns):
                for entry, low, high in zip(result[name], frame["target_low"], frame["target_high"], strict=False):
                    entry["target_low"], entry["target_high"] = json_value(low), json_value(high)  # a range
            if name == "changes":
                result["moved"] = len(frame)
    return result
