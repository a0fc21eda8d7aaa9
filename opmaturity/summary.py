"""The `summary --json` contract and the Overview's highlights: the round's ranked lists from metrics' figures,
as plain JSON (floats rounded to 2 decimals, None for missing)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from .metrics import DEFAULT_K, RATERS, Figures, figures_for
from .queries import sql_frame
from .rounding import half_up

# --- the summary contract ------------------------------------------------------------------------------------

_SUMMARY_FIELDS = {
    "top_gaps": ["product", "team", "category", "item", "level", "n", "target", "gap", "importance",
                 "importance_assumed", "priority"],
    "perception_gaps": ["product", "team", "category", "item", "team_level", "sre_level", "perception_gap",
                        "team_n", "sre_n"],
    "disagreements": ["product", "team", "category", "item", "level", "sd", "min_level", "max_level", "n"],
    "org_weak_items": ["item", "category", "teams", "teams_below", "share_below", "mean_level", "mean_target"],
    "changes": ["product", "team", "category", "previous_round", "level", "previous_level", "change", "n",
                "n_before", "n_after", "items", "significant"],
    "silent_gaps": ["item", "category", "teams_below_target", "teams", "share", "mean_gap", "notes"],
}  # fmt: skip
_HEATMAP_FIELDS = ["product", "team", "category", "rater", "level", "n", "target", "gap", "respondents"]


def json_value(value: Any) -> Any:
    """`value` as plain JSON: None for missing or NaN, floats rounded to 2 decimals, numpy scalars unwrapped, times
    ISO 8601 to the second."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return rounded(float(value))
    if isinstance(value, (datetime, pd.Timestamp)):  # one form for every time a command prints: 2026-05-20T09:30:12
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    return value


def rounded(value: float) -> float | None:
    """A figure as the contract gives it: 2 decimals, None for NaN and infinity; noise goes first (9 decimals),
    a mean of 1.875 summed in another order must not read 1.87 once, 1.88 the next time."""
    return None if math.isnan(value) or math.isinf(value) else half_up(value, 2)


def records(frame: pd.DataFrame, fields: list[str] | None = None) -> list[dict[str, Any]]:
    """The rows of `frame` (only `fields`, in that order) as JSON-ready dicts.

    Column by column, each distinct value converted once (a heatmap of 1,000 teams is 100,000 rows that repeat
    a few hundred levels and names): converting cell by cell took 5 s of the 6 s `summary` needs at that size.
    """
    fields = fields or list(frame.columns)
    columns = [_json_column(frame[field]) for field in fields]
    return [dict(zip(fields, row, strict=True)) for row in zip(*columns, strict=True)]


def _json_column(column: pd.Series) -> list[Any]:
    """json_value of every value of a column: whole numbers and flags as they are, text with None for missing,
    other values (floats: rounded) converted once per distinct value."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biu":  # numpy ints and flags: none missing
        return column.tolist()
    if pd.api.types.is_string_dtype(column.dtype):
        return [value if type(value) is str else json_value(value) for value in column.tolist()]
    if column.dtype != object:  # one type (floats, nullable numbers, times): the distinct values found in C
        return _per_distinct(column, json_value, None)
    values = column.tolist()
    done: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    for value in values:
        if type(value) is float and math.isnan(value):
            out.append(None)
            continue
        key = (type(value), value)
        try:
            out.append(done[key])
        except KeyError:
            out.append(done.setdefault(key, json_value(value)))
        except TypeError:  # unhashable (a list)
            out.append(json_value(value))
    return out


def summary(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K, figures: Figures | None = None
) -> dict[str, Any]:
    """The `summary --json` object of a round (default: the latest), JSON-ready and ranked.

    Keys: round (None in an empty database), heatmap (per product, team, category and rater: level, n, target,
    gap, respondents), top_gaps, perception_gaps, disagreements, org_weak_items, changes (per team and
    category, over paired items, with n_before, n_after, items and significant), silent_gaps; items and
    categories by key, floats rounded to 2 decimals, None for missing.
    """
    tables = summary_frames(con, round_name, k=k, figures=figures)
    return {key: records(value) if isinstance(value, pd.DataFrame) else value for key, value in tables.items()}


def summary_frames(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K, figures: Figures | None = None
) -> dict[str, Any]:
    """`summary` before its lists become records: each a DataFrame of exactly the contract's fields, in order
    (`json_lines` writes them as JSON without making a dict per row)."""
    found = figures_for(con, round_name, k, figures)
    lists = {"heatmap": _HEATMAP_FIELDS, **_SUMMARY_FIELDS}
    result: dict[str, Any] = {"round": found.round, **{name: pd.DataFrame(columns=f) for name, f in lists.items()}}
    if found.round is None:
        return result
    params = {**found.params, "limit": None, "product": None, "team": None}  # every team's
    cells = {"metric": "level", "rows": "team", "columns": "category"}
    with found.registered(con) as reuse:  # every list rolls up from the same figures
        frames = [
            sql_frame(con, "heatmap", params | cells | {"rater": r}, reuse).assign(rater=r, _order=n)
            for n, r in enumerate(RATERS)
        ]
        heat = pd.concat(frames, ignore_index=True).sort_values(["product", "team", "position", "_order"])
        result["heatmap"] = heat[_HEATMAP_FIELDS].reset_index(drop=True)
        for name, fields in _SUMMARY_FIELDS.items():
            query_params = params | ({"level": "category"} if name == "changes" else {})
            result[name] = sql_frame(con, name, query_params, reuse)[fields]
    return result


def json_lines(frame: pd.DataFrame) -> list[str]:
    """Each row of `frame` as the compact JSON text of its record (`records`), exactly as
    `json.dumps(record, ensure_ascii=False)` writes it, made column by column: each distinct value of a column
    is converted and encoded once (a 1,000-team summary is 100,000 rows of a few hundred distinct values;
    a dict and an encoding per row took 1.6 s of the 2.8 s the command needed)."""
    columns = [_encoded_column(frame.iloc[:, i], f"{_ENCODE(str(field))}: ") for i, field in enumerate(frame.columns)]
    return ["{" + ", ".join(cells) + "}" for cells in zip(*columns, strict=True)]


_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _encoded_column(column: pd.Series, said: str) -> list[str]:
    """`said` followed by the JSON of json_value(value), for every value of `column`."""
    if column.dtype == object:  # mixed values (1, 1.0 and True are equal keys there): value by value
        return [said + _ENCODE(value) for value in _json_column(column)]
    if column.dtype.kind == "f":  # plain floats, most of the figures: as the json module writes a float
        return _per_distinct(
            column, lambda u: said + ("null" if (r := rounded(u)) is None else float.__repr__(r)), said + "null"
        )
    return _per_distinct(column, lambda u: said + _ENCODE(json_value(u)), said + "null")


def _per_distinct(column: pd.Series, convert: Callable[[Any], Any], missing: Any) -> list[Any]:
    """convert(value) for every value of a one-typed column, called once per distinct value (found in C);
    `missing` for a missing one."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    converted = np.array([*(convert(u) for u in uniques.tolist()), missing], dtype=object)
    return converted[codes].tolist()  # a missing value's code, -1, picks `missing` at the end


_HEADS = {"top_gaps": 1, "perception_gaps": 1, "disagreements": 1, "org_weak_items": 2, "changes": 1, "silent_gaps": 1}


def highlights(
    con: duckdb.DuckDBPyConnection, round_name: str | None = None, *, k: int = DEFAULT_K, figures: Figures | None = None
) -> dict[str, Any]:
    """What the Overview says stands out: the first entries of the summary's ranked lists (the same entries, in
    the same form, as `summary` gives first; two of org_weak_items), and `moved`, how many changes there are in
    all. No heatmap: only what the sentences need is computed and converted."""
    found = figures_for(con, round_name, k, figures)
    result: dict[str, Any] = {"round": found.round, **{name: [] for name in _SUMMARY_FIELDS}, "moved": 0}
    if found.round is None:
        return result
    with found.registered(con) as reuse:
        for name, fields in _SUMMARY_FIELDS.items():
            limit = None if name == "changes" else _HEADS[name]  # every change: `moved` counts them
            params = {**found.params, "limit": limit, "level": "category", "product": None, "team": None}
            frame = sql_frame(con, name, params, reuse)
            result[name] = records(frame.head(_HEADS[name]), fields)
            if name == "top_gaps" and {"target_low", "target_high"} <= set(frame.columns):
                for entry, low, high in zip(result[name], frame["target_low"], frame["target_high"], strict=False):
                    entry["target_low"], entry["target_high"] = json_value(low), json_value(high)  # a range
            if name == "changes":
                result["moved"] = len(frame)
    return result
