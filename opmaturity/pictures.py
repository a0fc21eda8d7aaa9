"""Charts made ready to draw from the cached figures, once per data revision and language (`ui.derived`).

A heatmap of 1,000 teams is 12,000 cells: labelling them and building the spec was two thirds of the Heatmap page's
script on every visit (0.09 s of 0.13 s for a new session whose figures were all cached already), and the same
again on every widget change that does not touch them. Built here from a `Source` (the figures at one revision,
strings in one language) and shared read-only by every session: nothing here imports Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import pandas as pd
import pyarrow as pa

from . import charts, metrics, store, views
from .model import Model


@dataclass(frozen=True)
class Source:
    """What a picture is made from: `read(fn, *args, **kwargs)` gives `fn`'s figures at one data revision (the
    pages' own cached queries), `tr` says a string in one language, `model` is the model at that revision."""

    read: Callable[..., Any]
    tr: charts.Translate
    model: Model
    language: str

    def titles(self) -> dict[str, str]:
        """Category and item key -> title in this language."""
        return self.model.titles(self.language)


class Heatmap(NamedTuple):
    """A heatmap ready to draw. Shared by every session: read it, never change it."""

    cells: pd.DataFrame  # heatmap_frame: the figures with their labels (the CSV leaves charts.DISPLAY_COLUMNS out)
    drawn: pd.DataFrame  # what the browser receives
    spec: str  # the spec without data, as JSON (`spec_dict` gives a copy Streamlit may add to)
    height: int | None  # the box it scrolls in (charts.scroll_height), None when it fits the page
    products: tuple[str, ...]  # the products among the rows, in order (the page offers to expand them)
    answers: int  # the answers behind it
    unrated: int  # rows left out for having no value anywhere (only_rated)

    @property
    def empty(self) -> bool:
        return self.cells.empty

    def spec_dict(self) -> dict[str, Any]:
        return json.loads(self.spec)


def heatmap(
    source: Source, round_name: str | None, *, metric: str, rater: str, rows: str, columns: str, k: int,
    titles: tuple[str, str, str], expanded: tuple[str, ...] = (), by_value: bool = False, only_rated: bool = False,
) -> Heatmap:  # fmt: skip
    """The org heatmap of `round_name` (metrics.heatmap), the `expanded` products' team rows under their product
    row; `titles` are the metric's, the rows' and the columns' as the page says them; `only_rated` leaves out the
    rows without any value (views.rows_with_values)."""
    figures = dict(metric=metric, rater=rater, columns=columns, k=k)
    data = source.read(metrics.heatmap, round_name, rows=rows, **figures)
    answers = int(data["n"].fillna(0).sum())  # metrics.heatmap gives its columns even when empty
    products = tuple(data["product"].drop_duplicates().tolist())
    unrated = 0
    if only_rated:
        data, unrated = views.rows_with_values(data)
    if expanded:
        teams = source.read(metrics.heatmap, round_name, rows="team", **figures)
        data = views.expand_products(data, teams, list(expanded))
    if data.empty:
        return Heatmap(data, data, "{}", None, products, answers, unrated)
    cells = charts.heatmap_frame(data, metric, source.titles(), k, tr=source.tr)
    height = charts.scroll_height(cells["row"].nunique())
    metric_title, row_title, column_title = titles
    drawn, spec = charts.heatmap_drawing(
        cells, metric=metric, metric_title=metric_title, row_title=row_title, column_title=column_title,
        tr=source.tr, max_level=source.model.max_level, sort_by_value=by_value, columns_on_top=height is not None,
    )  # fmt: skip
    return Heatmap(cells, drawn, spec, height, products, answers, unrated)


class Distribution(NamedTuple):
    """How a round's answers spread over the levels, item by item (charts.likert_chart). Shared: read only."""

    withheld: int  # items left out for having fewer than k respondents
    spec: str | None  # the chart's spec with its data, as JSON; None when no item can be drawn

    def spec_dict(self) -> dict[str, Any]:
        return json.loads(self.spec or "{}")


def distribution(source: Source, round_name: str | None, *, rater: str, titles: tuple[str, str, str]) -> Distribution:
    """The answers' spread of `round_name` by `rater` (metrics.answer_distributions); `titles` are the share's,
    the item's and the level's as the page says them."""
    counted = source.read(metrics.answer_distributions, round_name, rater=rater)
    withheld = int(counted.loc[counted["status"] == "too_few", "item"].nunique())
    dist = views.with_titles(counted[counted["status"] == "ok"], source.titles(), "item")
    if dist.empty:
        return Distribution(withheld, None)
    names = {level.level: level.title(source.language) for level in source.model.levels}
    share, item, level = titles
    frame = charts.likert_frame(dist, source.model.max_level)
    chart = charts.likert_chart(frame, names, share, item_title=item, level_title=level)
    return Distribution(withheld, json.dumps(chart.to_dict(), ensure_ascii=False))


def targets_table(source: Source) -> pa.Table | pd.DataFrame | None:
    """The targets set for tiers, products and teams as the Model page lists them (views.targets_table), as the
    Arrow table st.dataframe sends (views.as_arrow); None when none is set."""
    rows = source.read(store.targets_table)
    return None if rows.empty else views.as_arrow(views.targets_table(rows, source.titles(), source.tr))


def target_scopes(source: Source) -> Mapping[str, str]:
    """What a target can be set for, `kind:name` -> its label: every tier, every product, and every team (a team's
    own target). At 1,000 teams, labelling them on every run of the Model page was a sixth of it."""
    teams, tr = source.read(store.teams), source.tr
    scopes = {f"tier:{t.key}": views.scope_label(tr, tier=t.key) for t in source.model.tiers}
    scopes |= {f"product:{p}": views.scope_label(tr, product=p) for p in teams["product"].unique()}
    scopes |= {f"team:{p}\x1f{t}": views.scope_label(tr, product=p, team=t)
               for p, t in zip(teams["product"], teams["team"], strict=True)}  # fmt: skip
    return MappingProxyType(scopes)
