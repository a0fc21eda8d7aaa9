"""Altair chart builders: data in, chart out (no Streamlit, no database).

Colours speak one language on every page: red is the bad direction, blue the good one.
- Signed metrics diverge around 0 on a symmetric domain: gap (positive = below target = red) and change
  (negative = decline = red) share one red-blue range; a perception gap is bad in either direction, so both
  of its ends are warm (orange where the team rates itself higher, magenta where SRE does) and its centre is
  white: it never reads as "good" in blue.
- Levels are sequential blues (darker = more mature); priority is sequential reds (higher = more urgent);
  disagreement and answer counts are neutral sequential scales.
Sizes are fixed per row and column, never squeezed to the page: a heatmap with many columns grows wider than
the page and scrolls (the page wraps it in a container keyed `wide_…`, see WIDE_CSS).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

import altair as alt
import numpy as np
import pandas as pd
from altair.utils import schemapi
from altair.vegalite.v6.schema import core

from .rounding import half_up_array

# Altair checks every object (an axis, a scale, a channel) against Vega-Lite's schema when it is made ("debug
# mode", for better tracebacks while writing a chart) and then the whole spec when it is drawn. The second check
# is kept (Streamlit's to_dict; the tests make every chart's); the first was a fifth of the heatmap page's Python.
schemapi.disable_debug_mode()


class Translate(Protocol):
    """A page's `tr`: the UI string `key` in the session's language, placeholders filled from `values`."""

    def __call__(self, key: str, **values: object) -> str: ...


RED, NEUTRAL, BLUE = "#ca0020", "#f7f7f7", "#0571b0"
ORANGE, MAGENTA = "#e66101", "#d01c8b"
# Colours of a signed metric at -e, 0 and +e (a symmetric domain with its mid-point at 0).
HIGH_IS_BAD = (BLUE, NEUTRAL, RED)
LOW_IS_BAD = (RED, NEUTRAL, BLUE)
BOTH_ENDS_BAD = (ORANGE, NEUTRAL, MAGENTA)
DIVERGING = {"gap": HIGH_IS_BAD, "change": LOW_IS_BAD, "perception_gap": BOTH_ENDS_BAD}
SIGNED_METRICS = frozenset(DIVERGING)
SEQUENTIAL = {"level": "blues", "priority": "reds", "disagreement": "purples", "n": "greys"}
# Sorting rows by value puts the worst first: the lowest level or change, the largest of the rest (by size).
WORST_IS_LOWEST = frozenset({"level", "change"})
NO_DATA_COLOUR = "#d0d0d0"  # darker than the neutral centre of a diverging scale: no data is not 0

SELECTION = "cell"
LABEL_SELECTION = "cell_label"
SELECTIONS = (SELECTION, LABEL_SELECTION)

ROW_STEP = 26  # pixels per heatmap row, whatever the number of rows
COLUMN_STEP = 48  # pixels per column when the columns are few (categories)
NARROW_COLUMN_STEP = 36  # pixels per column when they are many (items): the chart scrolls sideways
MANY_COLUMNS = 15
ROW_LABEL_LIMIT = 220  # pixels; longer labels end in "…", the tooltip has the whole text
COLUMN_LABEL_LIMIT = 150
LABEL_ANGLE = -45
LIKERT_STEP = 22
# The page wraps a chart that may be wider than the page in st.container(key="wide_<name>"); this rule lets
# that container scroll sideways instead of Streamlit squeezing the chart or the page scrolling.
# A chart taller than MAX_HEIGHT (a heatmap of hundreds of teams) goes in a container of that height keyed
# `tall_<name>` instead, which scrolls both ways (its column labels then sit on top, see heatmap_chart).
WIDE_CSS = (
    "<style>[class*='st-key-wide_'] {overflow-x: auto; overflow-y: hidden}"
    " [class*='st-key-tall_'] {overflow: auto}</style>"
)
MAX_HEIGHT = 900  # pixels
HEATMAP_MARGIN = 230  # pixels around a heatmap's rows: the legend and the slanted column labels
# Columns heatmap_frame adds for drawing only (the CSV download leaves them out).
DISPLAY_COLUMNS = ["label", "value_text", "status_text"]
# Twelve categories, twelve colours that stay apart (Tableau 10, its light grey swapped, and two more).
CATEGORY_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                    "#b07aa1", "#ff9da7", "#9c755f", "#79706e", "#17becf", "#222222")  # fmt: skip
CATEGORY_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
                   "circle", "square", "triangle-up", "diamond", "cross", "triangle-down")  # fmt: skip


def number_texts(values: pd.Series, digits: int = 2) -> np.ndarray:
    """Each value rounded for reading (`digits` places, `-0.0` reads `0.0`, no value `–`), in one pass."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    # Halves away from zero, and -0.0 already 0.0 (rounding.py): `f"{1.25:.1f}"` alone reads 1.2.
    texts = np.array([f"{x:.{digits}f}" for x in half_up_array(numbers, digits).tolist()], dtype=object)
    texts[np.isnan(numbers)] = "–"
    return texts


def extent(values: pd.Series) -> float:
    """Half the width of a diverging scale: the largest absolute value, at least 1."""
    largest = values.abs().max()
    return 1.0 if pd.isna(largest) else max(float(largest), 1.0)


def color_scale(metric: str, spread: float, max_level: int = 4) -> alt.Scale:
    """The colour scale of `metric`: symmetric around 0 with red on the bad side for signed metrics (`spread`:
    the values' `extent`), fixed 0-max for levels, from 0 for the rest."""
    if metric in DIVERGING:
        return alt.Scale(domain=[-spread, spread], domainMid=0, range=list(DIVERGING[metric]), interpolate="lab")
    if metric == "level":
        return alt.Scale(scheme=SEQUENTIAL["level"], domain=[0, max_level])  # type: ignore[arg-type]
    return alt.Scale(scheme=SEQUENTIAL.get(metric, "greys"), domainMin=0)  # type: ignore[arg-type]


def heatmap_frame(
    data: pd.DataFrame, metric: str, titles: Mapping[str, str], k: int = 3, *, tr: Translate
) -> pd.DataFrame:
    """The metric table made ready to draw: `value` renamed to the metric, a `row` label, a `column` title,
    a cell `label` (the value to 1 decimal, `–` without data, `n<k` where too few answered), and the
    tooltip's `value_text` and `status_text` in the UI language.

    Column by column, not cell by cell: 1,000 teams are 12,000 cells, and a Python call per cell took a
    quarter of a second on every run of the page."""
    out = data.copy()
    if "team" not in out.columns:
        out["team"] = pd.Series(None, index=out.index, dtype=object)
    product = out["product"].astype("str")
    out["row"] = product.where(out["team"].isna(), product + " / " + out["team"].astype("str"))
    out["column"] = out["key"].map({key: titles.get(key, key) for key in out["key"].unique()})
    digits = 0 if metric == "n" else 2
    value = out["value"].astype("float64")
    out["label"] = np.select(
        [out["status"].eq("too_few").to_numpy(), (out["status"].eq("no_data") | value.isna()).to_numpy()],
        [f"n<{k}", "–"],
        number_texts(value, 1),
    )
    out["value_text"] = number_texts(value, digits)
    said = {status: tr(f"common.status.{status}") for status in out["status"].unique()}  # not per cell
    out["status_text"] = out["status"].map(said)
    out = out.drop(columns=[metric], errors="ignore")  # "n" is both a metric and the answer count
    return out.assign(value=value).rename(columns={"value": metric})


def row_order(data: pd.DataFrame, metric: str, *, by_value: bool = False) -> list[str]:
    """Heatmap rows in a stable order: by product, its own row first, then by team name. By value (on
    request): the worst rows first (see WORST_IS_LOWEST), rows without any value last."""
    rows = data.drop_duplicates("row")[["row", "product", "team"]]
    keys = [(str(p), t is not None and not pd.isna(t), "" if t is None or pd.isna(t) else str(t)) for p, t in
            zip(rows["product"], rows["team"], strict=True)]  # fmt: skip
    named = [row for _, row in sorted(zip(keys, rows["row"], strict=True))]
    if not by_value:
        return named
    values = data[metric].abs() if metric == "perception_gap" else data[metric]
    means = values.groupby(data["row"]).mean()
    sign = 1 if metric in WORST_IS_LOWEST else -1
    return sorted(named, key=lambda r: (pd.isna(means.get(r)), 0.0 if pd.isna(means.get(r)) else sign * means[r]))


def column_order(data: pd.DataFrame) -> list[str]:
    """Heatmap columns in model order."""
    pairs = data[["position", "column"]].drop_duplicates()  # a dozen, not every cell, to sort
    return pairs.sort_values("position", kind="stable")["column"].drop_duplicates().tolist()


def scroll_height(rows: int) -> int | None:
    """The height of the box a heatmap of `rows` rows scrolls in (MAX_HEIGHT), or None when it fits."""
    return MAX_HEIGHT if rows * ROW_STEP + HEATMAP_MARGIN > MAX_HEIGHT else None


ROW_RANK = "row_rank"  # a heatmap row's place from the top (row_order)


def drawn_rows(cells: pd.DataFrame) -> list[str]:
    """The rows of a heatmap's data in the order the chart draws them (top first)."""
    ranked = cells.drop_duplicates("row").sort_values(ROW_RANK, kind="stable")
    return ranked["row"].tolist()


def heatmap_chart(
    data: pd.DataFrame,
    *,
    metric: str,
    metric_title: str,
    row_title: str,
    column_title: str,
    tr: Translate,
    max_level: int = 4,
    selectable: bool = True,
    sort_by_value: bool = False,
    columns_on_top: bool = False,
) -> alt.LayerChart:
    """Rows x columns coloured by the metric; grey where there is no data; a click selects a cell.

    Every row and column keeps a fixed size (ROW_STEP, COLUMN_STEP) and every label is drawn: the chart grows
    with the data rather than squeezing it, and is as wide as its columns need (autosize `pad`).
    `data` (from `heatmap_frame`) needs: row, column, the metric's own column, n, respondents, status_text,
    value_text, label, product, team, key and position; the colour encodes the metric's column by name.
    `columns_on_top`: the column labels above the rows (a chart in a scrolling box shows them first).
    A page draws it with `heatmap_view` (the same chart, its spec made once per shape).
    """
    cells, shape = _heatmap_parts(
        data, metric=metric, metric_title=metric_title, row_title=row_title, column_title=column_title, tr=tr,
        max_level=max_level, selectable=selectable, sort_by_value=sort_by_value, columns_on_top=columns_on_top,
    )  # fmt: skip
    return _heatmap_layers(shape, cells)


def heatmap_view(data: pd.DataFrame, **options: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`heatmap_chart(data, **options)` as `st.vega_lite_chart` takes it: the frame the browser receives, and the
    spec without the data.

    The spec depends on the data only through its columns and the colour scale's extent, so it is made once per
    such shape (and language) and copied after: Altair's building of it was most of the page's Python on every
    run and every visit (0.1 s at 200 teams, while the browser waited for the chart)."""
    cells, spec = heatmap_drawing(data, **options)
    return cells, json.loads(spec)  # a fresh copy: Streamlit adds to the spec it is given


def heatmap_drawing(data: pd.DataFrame, **options: Any) -> tuple[pd.DataFrame, str]:
    """`heatmap_view`, its spec as JSON (immutable: kept by pictures.Heatmap, parsed for each use)."""
    cells, shape = _heatmap_parts(data, **options)
    return cells, _heatmap_spec(shape)


class _Shape(NamedTuple):
    """Everything a heatmap's spec holds apart from its rows: hashable, the key of the spec's cache."""

    metric: str
    metric_title: str
    row_title: str
    column_title: str
    tooltip_titles: tuple[str, str, str]  # answers, respondents, status
    max_level: int
    selectable: bool
    columns_on_top: bool
    columns: tuple[str, ...]
    spread: float  # half the width of a diverging scale, the top of a count's (extent)


def _heatmap_parts(
    data: pd.DataFrame, *, metric: str, metric_title: str, row_title: str, column_title: str, tr: Translate,
    max_level: int = 4, selectable: bool = True, sort_by_value: bool = False, columns_on_top: bool = False,
) -> tuple[pd.DataFrame, _Shape]:  # fmt: skip
    """The cells the chart reads (with each row's rank) and the shape of its spec."""
    rows = row_order(data, metric, by_value=sort_by_value)
    # The rows' order travels as a number in the data, not as a list in the spec: a list of 1,000 teams in both
    # layers took Altair's schema validation a third of a second on every rerun, and the browser its parse.
    cells = _drawn(data.assign(**{ROW_RANK: data["row"].map({row: n for n, row in enumerate(rows)})}), metric)
    shape = _Shape(
        metric, metric_title, row_title, column_title, (tr("common.n"), tr("common.respondents"), tr("charts.status")),
        max_level, selectable, columns_on_top, tuple(column_order(data)),
        0.0 if metric == "level" else extent(data[metric]),  # a level's scale is fixed: one spec for every round
    )  # fmt: skip
    return cells, shape


@functools.lru_cache(maxsize=64)
def _heatmap_spec(shape: _Shape) -> str:
    """The spec of a heatmap of this shape without its data, as JSON (immutable; `heatmap_view` parses a copy)."""
    spec = _heatmap_layers(shape, None).to_dict()
    del spec["datasets"]  # Altair's placeholder for a chart without data ("empty"): the page gives the frame
    for layer in spec["layer"]:
        del layer["data"]
    return json.dumps(spec)


def _heatmap_layers(shape: _Shape, data: pd.DataFrame | None) -> Drawn:
    """The heatmap's two layers (cells, numbers) of `shape`, with `data` (None: the spec alone)."""
    metric, columns = shape.metric, list(shape.columns)
    step = COLUMN_STEP if len(columns) <= MANY_COLUMNS else NARROW_COLUMN_STEP
    base = alt.Chart().encode(  # the data goes to the layer: each layer copied with it took a tenth of a second
        x=alt.X(
            "column:N",
            title=shape.column_title,
            sort=columns,
            axis=alt.Axis(
                labelAngle=LABEL_ANGLE,
                labelLimit=COLUMN_LABEL_LIMIT,
                labelOverlap=False,
                orient="top" if shape.columns_on_top else "bottom",
            ),
        ),
        y=alt.Y(
            "row:N",
            title=shape.row_title,
            sort=alt.EncodingSortField(field=ROW_RANK, op="min", order="ascending"),
            axis=alt.Axis(labelLimit=ROW_LABEL_LIMIT, labelOverlap=False),
        ),
    )
    answers, respondents, status = shape.tooltip_titles
    tooltip = [
        alt.Tooltip("row:N", title=shape.row_title),
        alt.Tooltip("column:N", title=shape.column_title),
        alt.Tooltip("value_text:N", title=shape.metric_title),
    ]
    if metric != "n":
        tooltip.append(alt.Tooltip("n:Q", title=answers))
    tooltip += [alt.Tooltip("respondents:Q", title=respondents), alt.Tooltip("status_text:N", title=status)]
    legend = alt.Legend(orient="top", direction="horizontal", gradientLength=240, titleLimit=600)
    # What a screen reader says for a cell: its row, column and the value as the tooltip writes it (Vega-Lite's
    # own label read the raw value, -0.444444444); the number printed over the cell is not read twice.
    title = json.dumps(shape.metric_title, ensure_ascii=False)  # a JavaScript string, quotes escaped
    spoken = " + ' · ' + ".join(["datum.row", "datum.column", f"{title} + ' ' + datum.value_text", "datum.status_text"])
    said = alt.DescriptionValue(value=alt.ExprRef(expr=spoken))
    # invalid="show": Vega-Lite would drop a cell without a value; it is drawn grey instead.
    # The conditions are built as the classes they are: alt.condition's dicts make Altair search its schema for
    # the class, a tenth of a second a chart on every run of the page.
    rect = base.mark_rect(stroke="white", strokeWidth=1, invalid="show").encode(
        color=alt.ColorValue(
            value=NO_DATA_COLOUR,
            condition=core.ConditionalPredicateMarkPropFieldOrDatumDef(
                test=f"isValid(datum[{metric!r}])",
                field=metric,
                type="quantitative",
                title=shape.metric_title,
                scale=color_scale(metric, shape.spread, shape.max_level),
                legend=legend,
            ),
        ),  # fmt: skip
        tooltip=tooltip,
        description=said,
    )
    dark = core.ConditionalPredicateValueDefGradientstringnullExprRef(
        test=_dark_test(metric, shape.spread, shape.max_level), value="white"
    )
    text = base.mark_text(fontSize=11, aria=False).encode(
        text="label:N", color=alt.ColorValue(value="#333", condition=dark), tooltip=tooltip
    )
    if shape.selectable:
        # A click on the cell or on the number printed over it selects the cell.
        fields = ["product", "team", "key"]
        rect = rect.add_params(alt.selection_point(name=SELECTION, fields=fields, on="click"))
        text = text.add_params(alt.selection_point(name=LABEL_SELECTION, fields=fields, on="click"))
    return Drawn(
        layer=[rect, text],
        data=alt.Undefined if data is None else data,
        width=alt.Step(step),
        height=alt.Step(ROW_STEP),
        autosize=alt.AutoSizeParams(type="pad"),
        config=alt.Config(
            scale=alt.ScaleConfig(invalid={"color": {"value": NO_DATA_COLOUR}})
        ),  # what invalid="show" paints
    )


class _Unchecked:
    """A chart whose spec is not checked against Vega-Lite's schema each time Streamlit draws it: the check took
    a tenth of a second of a heatmap's run at 1,000 teams and most of a small chart's (jsonschema over a spec of
    which only values change). The tests check every builder's spec, in every variant (`to_dict(validate=True)`,
    tests/test_charts.py)."""

    def to_dict(self, validate: bool = False, **kwargs: Any) -> dict[str, Any]:
        return super().to_dict(validate, **kwargs)  # type: ignore[misc]


class Drawn(_Unchecked, alt.LayerChart):
    """A layered chart drawn unchecked (see _Unchecked); its data given once, to the layer, not to each part."""


class DrawnChart(_Unchecked, alt.Chart):
    """A single chart drawn unchecked (see _Unchecked)."""


# What a heatmap's marks, tooltip and selection read; nothing else goes to the browser.
_DRAWN = ["row", "column", ROW_RANK, "label", "value_text", "n", "respondents", "status_text", "product", "team", "key"]


def _drawn(data: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Only the fields the chart reads, each text column as categories: the browser gets every distinct text
    once (a team's name is in 12 cells, a status in thousands), not once per cell (2.4 MB -> 0.5 MB at
    1,000 teams, parsed and turned into Vega's rows in a fraction of the time)."""
    drawn = data[list(dict.fromkeys([metric, *_DRAWN]))]
    texts = [c for c in drawn.columns if pd.api.types.is_string_dtype(drawn[c].dtype) or drawn[c].dtype == object]
    return drawn.astype(dict.fromkeys(texts, "category"))


def _dark_test(metric: str, spread: float, max_level: int) -> str:
    """Where the cell's colour is dark enough for white text (`spread`: the values' extent)."""
    field = f"datum[{metric!r}]"
    if metric == "level":
        return f"isValid({field}) && {field} >= {0.6 * max_level}"
    if metric in DIVERGING:
        return f"isValid({field}) && abs({field}) >= {0.6 * spread}"
    return f"isValid({field}) && {field} >= {0.6 * spread}"


def category_bars(data: pd.DataFrame, *, lang_titles: Mapping[str, str], max_level: int = 4) -> alt.LayerChart:
    """Per category: the team's level as a bar, the target as a tick, the org median as a dot (SRE's level as
    a diamond where SRE rated), with a legend naming each mark.

    `data` needs: category (title), position, team_level, target, org_median (sre_level optional).
    `lang_titles` needs level, target and org_median; category and sre_level are used when given.
    """
    order = data.sort_values("position")["category"].tolist()
    y = alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelLimit=ROW_LABEL_LIMIT, labelOverlap=False))
    x_scale = alt.Scale(domain=[0, max_level])
    level, target, median = lang_titles["level"], lang_titles["target"], lang_titles["org_median"]
    category = alt.Tooltip("category:N", title=lang_titles.get("category", "category"))
    tooltip = [
        category,
        alt.Tooltip("team_level:Q", title=level, format=".2f"),
        # the target as the model's levels ("3", "3–4") where the caller says so, never a mean such as 3.33
        alt.Tooltip("target_text:N", title=target)
        if "target_text" in data.columns
        else alt.Tooltip("target:Q", title=target, format=".2f"),
        alt.Tooltip("org_median:Q", title=median, format=".2f"),
    ]
    chart = alt.Chart()  # the data goes to the layer once: alt.layer deep-copied it with every part
    bars = _series(chart, level).mark_bar(height=14).encode(
        x=alt.X("team_level:Q", scale=x_scale, title=level), y=y, color=_key(level, "#4c78a8", "square"),
        tooltip=tooltip,
    )  # fmt: skip
    ticks = (
        _series(chart, target)
        .mark_tick(thickness=3, size=22)
        .encode(x="target:Q", y=y, color=_key(target, "#e45756", "M0,-1L0,1"), tooltip=tooltip)
    )
    dots = (
        _series(chart, median)
        .mark_point(filled=True, size=50, opacity=1)
        .encode(x="org_median:Q", y=y, color=_key(median, "#333333", "circle"), tooltip=tooltip)
    )
    layers = [bars, ticks, dots]
    if "sre_level" in data.columns and data["sre_level"].notna().any():
        sre = lang_titles.get("sre_level", "SRE")
        layers.append(
            _series(chart, sre)
            .mark_point(shape="diamond", filled=True, size=90, opacity=1)
            .encode(
                x="sre_level:Q",
                y=y,
                color=_key(sre, "#f58518", "diamond"),
                tooltip=[category, alt.Tooltip("sre_level:Q", title=sre, format=".2f")],
            )  # fmt: skip
        )
    return Drawn(
        layer=layers,
        data=data,
        resolve=alt.Resolve(
            scale=alt.ScaleResolveMap(color="independent"), legend=alt.LegendResolveMap(color="independent")
        ),
        height=alt.Step(28),
    )


def _key(label: str, colour: str, symbol: str) -> alt.Color:
    """A layer's one-entry legend: the mark's colour under its name, drawn as `symbol` (the layer needs the
    field `series` holding `label`, see _series). The entries stack right of the plot, which narrows to make
    room: side by side above it, four Japanese names ran past a 1024 px page's edge."""
    return alt.Color(
        "series:N",
        scale=alt.Scale(domain=[label], range=[colour]),
        legend=alt.Legend(
            title=None, orient="right", symbolType=symbol, symbolStrokeColor=colour, symbolStrokeWidth=3, labelLimit=160
        ),
    )


def _series(chart: alt.Chart, label: str) -> alt.Chart:
    """The chart with a constant field `series` = `label` for its legend entry."""
    return chart.transform_calculate(series=json.dumps(label, ensure_ascii=False))


def selected_cell(event: object) -> dict[str, str] | None:
    """The heatmap cell a click selected (`product`, `team`, `key`), on the cell or its label, or None."""
    try:
        selection = event["selection"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for name in SELECTIONS:
        points = selection.get(name) if hasattr(selection, "get") else None
        if isinstance(points, list) and points and isinstance(points[0], dict) and points[0].get("product"):
            return points[0]
    return None


def trend_lines(
    data: pd.DataFrame,
    level_title: str,
    max_level: int = 4,
    *,
    titles: Mapping[str, str] | None = None,
    rounds: list[str] | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """Category levels by round: one line per category in its own colour and point shape, rounds in order.

    `data` needs: round, round_position, category (title), level, n, and position (the category's, for the
    legend's order) where known; where given, `dashed` draws the step into a point dashed (views.trend_points),
    and teams_text, items, step_text join the tooltip. `titles` names the tooltip fields (round, category, n,
    teams, items, step) in the UI language. `rounds`: every round of the axis in order (default: those in
    `data`), so that a round the selection did not answer keeps its place, with no point.
    """
    titles = titles or {}
    ordered = data.sort_values("round_position", kind="stable")
    rounds = rounds or ordered["round"].drop_duplicates().tolist()
    by = ["position", "category"] if "position" in data.columns else ["category"]
    categories = data.sort_values(by)["category"].drop_duplicates().tolist()
    colours = [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in range(len(categories))]
    shapes = [CATEGORY_SHAPES[i % len(CATEGORY_SHAPES)] for i in range(len(categories))]
    legend = alt.Legend(symbolLimit=0, labelLimit=240, labelOverlap=False)
    tooltip = [
        alt.Tooltip("round:N", title=titles.get("round", "round")),
        alt.Tooltip("category:N", title=titles.get("category", "category")),
        alt.Tooltip("level:Q", title=level_title, format=".2f"),
    ]
    optional = [("teams_text", "teams"), ("items", "items"), ("n", "n"), ("step_text", "step")]
    tooltip += [alt.Tooltip(f"{field}:N", title=titles.get(name, name)) for field, name in optional if field in data]
    base = alt.Chart().encode(  # the data goes to the layer once
        x=alt.X("round:N", sort=rounds, scale=alt.Scale(domain=rounds), title=None,
                axis=alt.Axis(labelAngle=0, labelOverlap=False)),
        y=alt.Y("level:Q", scale=alt.Scale(domain=[0, max_level]), title=level_title),
        color=alt.Color("category:N", title=None, sort=categories,
                        scale=alt.Scale(domain=categories, range=colours), legend=legend),
    )  # fmt: skip
    lines = base.transform_filter(alt.datum.part == "step").mark_line(strokeWidth=2).encode(
        detail="step:N",
        strokeDash=alt.StrokeDash("dash:N", scale=alt.Scale(domain=["solid", "dashed"], range=[[1, 0], [6, 4]]),
                                  legend=None),
    )  # fmt: skip
    points = (
        base.transform_filter(alt.datum.part == "point")
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            shape=alt.Shape(
                "category:N", sort=categories, scale=alt.Scale(domain=categories, range=shapes), legend=legend
            ),
            tooltip=tooltip,
        )
    )
    drawn = pd.concat([ordered.assign(part="point"), _trend_steps(ordered)], ignore_index=True)
    return Drawn(layer=[lines, points], data=drawn, height=max(420, 24 * len(categories) + 40))


def _trend_steps(ordered: pd.DataFrame) -> pd.DataFrame:
    """Each step of every line as its own two-point line (`step` names it), `dash` = dashed where the point it
    leads to says so: a line's style cannot change along one line."""
    rows = []
    for category, line in ordered.groupby("category", sort=False):
        points = list(line.itertuples())
        for before, after in zip(points, points[1:], strict=False):
            dash = "dashed" if getattr(after, "dashed", False) else "solid"
            step = f"{before.round}→{after.round}"
            for point in (before, after):
                rows.append({"part": "step", "step": step, "dash": dash, "category": category,
                             "round": point.round, "level": point.level})  # fmt: skip
    return pd.DataFrame(rows, columns=["part", "step", "dash", "category", "round", "level"])


def likert_frame(dist: pd.DataFrame, max_level: int = 4) -> pd.DataFrame:
    """Answer shares per item and level, laid out to diverge around the middle level.

    `dist` needs: item (label), level (0..max; N/A rows are dropped), count. Each item's bars
    run from `start` to `end` (shares, so -1..1): levels below the middle on the left, above on
    the right, the middle level split across 0.
    """
    rows = dist.dropna(subset=["level"]).copy()
    rows["level"] = rows["level"].astype(int)
    rows["share"] = rows["count"] / rows.groupby("item")["count"].transform("sum")
    middle = max_level / 2
    out = []
    for item, group in rows.groupby("item", sort=False):
        shares = {int(lv): float(s) for lv, s in zip(group["level"], group["share"], strict=True)}
        left = -sum(s for lv, s in shares.items() if lv < middle) - shares.get(int(middle), 0.0) / 2
        position = left
        for level in range(0, max_level + 1):
            share = shares.get(level, 0.0)
            out.append({"item": item, "level": level, "share": share, "start": position, "end": position + share})
            position += share
    return pd.DataFrame(out, columns=["item", "level", "share", "start", "end"])


def likert_chart(
    frame: pd.DataFrame,
    level_names: Mapping[int, str],
    share_title: str,
    *,
    item_title: str = "item",
    level_title: str = "level",
) -> alt.Chart:
    """Diverging stacked bars: one row per item (a fixed height each, every label shown), red for low
    levels, blue for high ones; the axis reads shares either side of the middle (50% left, 50% right)."""
    levels = sorted(level_names)
    shown = frame[frame["share"] > 0].assign(
        level_text=lambda f: f["level"].map(lambda lv: _level_text(lv, level_names))
    )
    items = shown["item"].drop_duplicates().tolist()
    return (
        DrawnChart(shown)
        .mark_bar()
        .encode(
            x=alt.X(
                "start:Q",
                title=share_title,
                scale=alt.Scale(domain=[-1, 1]),
                axis=alt.Axis(
                    values=[-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1],
                    labelExpr="format(abs(datum.value), '.0%')",
                    labelOverlap=False,
                ),
            ),  # fmt: skip
            x2="end:Q",
            y=alt.Y("item:N", title=None, sort=items, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            color=alt.Color(
                "level:O",
                title=None,
                scale=alt.Scale(domain=levels, scheme="redblue"),
                legend=alt.Legend(orient="top", columns=3, labelExpr=_label_expr(level_names), labelLimit=200),
            ),
            tooltip=[
                alt.Tooltip("item:N", title=item_title),
                alt.Tooltip("level_text:N", title=level_title),
                alt.Tooltip("share:Q", title=share_title, format=".0%"),
            ],
        )
        .properties(height=alt.Step(LIKERT_STEP))
    )


def _level_text(level: int, level_names: Mapping[int, str]) -> str:
    return f"{level} {level_names[level]}" if level in level_names else str(level)


def _label_expr(level_names: Mapping[int, str]) -> str:
    """A Vega expression that shows `2 定義済み` for the legend entry 2."""
    cases = " : ".join(f"datum.value == {lv} ? {f'{lv} {name}'!r}" for lv, name in level_names.items())
    return f"{cases} : datum.label"
