"""Altair chart builders: data in, chart out (no Streamlit, no database)."""

from __future__ import annotations

import altair as alt
import pandas as pd

# One colour language across views: sequential for levels and counts, diverging around 0 for signed figures.
SIGNED_METRICS = frozenset({"gap", "priority_signed", "perception_gap", "change"})
SEQUENTIAL = {"level": "blues", "n": "greys", "priority": "oranges", "disagreement": "purples"}
# gap: positive = below target = bad (red); change and perception gap: red for negative.
DIVERGING = {"gap": "redblue", "perception_gap": "purpleorange", "change": "redblue"}
REVERSED = frozenset({"gap"})
NO_DATA_COLOUR = "#eeeeee"
SELECTION = "cell"
LABEL_SELECTION = "cell_label"
SELECTIONS = (SELECTION, LABEL_SELECTION)


def color_scale(metric: str, values: pd.Series, max_level: int = 4) -> alt.Scale:
    """The colour scale of `metric`: fixed 0-max for levels, symmetric around 0 for signed metrics."""
    if metric in DIVERGING:
        extent = _extent(values)
        return alt.Scale(
            scheme=DIVERGING[metric], domain=[-extent, extent], domainMid=0, reverse=metric not in REVERSED
        )
    if metric == "level":
        return alt.Scale(scheme=SEQUENTIAL["level"], domain=[0, max_level])
    return alt.Scale(scheme=SEQUENTIAL.get(metric, "greys"), domainMin=0)


def heatmap_chart(
    data: pd.DataFrame,
    *,
    metric: str,
    metric_title: str,
    row_title: str,
    column_title: str,
    max_level: int = 4,
    selectable: bool = True,
) -> alt.LayerChart:
    """Rows x columns coloured by the metric; grey where there is no data; a click selects a cell.

    `data` (from `heatmap_frame`) needs: row, column, the metric's own column, n, respondents, status,
    label, product, team, key and position; the colour encodes the metric's column by name.
    """
    order = data.sort_values("position")["column"].drop_duplicates().tolist()
    base = alt.Chart(data).encode(
        x=alt.X(
            "column:N",
            title=column_title,
            sort=order,
            axis=alt.Axis(labelAngle=-45, labelLimit=180, labelOverlap=False),
        ),
        y=alt.Y("row:N", title=row_title, sort=None, axis=alt.Axis(labelLimit=220)),
    )
    tooltip = [
        alt.Tooltip("row:N", title=row_title),
        alt.Tooltip("column:N", title=column_title),
        alt.Tooltip(f"{metric}:Q", title=metric_title, format=".2f"),
        alt.Tooltip("n:Q", title="n"),
        alt.Tooltip("respondents:Q", title="respondents"),
        alt.Tooltip("status:N", title="status"),
    ]
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.condition(
            f"isValid(datum[{metric!r}])",
            alt.Color(f"{metric}:Q", title=metric_title, scale=color_scale(metric, data[metric], max_level)),
            alt.value(NO_DATA_COLOUR),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition(_dark_cell(metric, data[metric], max_level), alt.value("white"), alt.value("#333")),
        tooltip=tooltip,
    )
    rows = max(1, data["row"].nunique())
    if selectable:
        # A click on the cell or on the number printed over it selects the cell.
        fields = ["product", "team", "key"]
        rect = rect.add_params(alt.selection_point(name=SELECTION, fields=fields, on="click"))
        text = text.add_params(alt.selection_point(name=LABEL_SELECTION, fields=fields, on="click"))
    return alt.layer(rect, text).properties(height=min(900, 28 * rows + 40))


def _dark_cell(metric: str, values: pd.Series, max_level: int) -> str:
    field = f"datum[{metric!r}]"
    if metric == "level":
        return f"isValid({field}) && {field} >= {0.7 * max_level}"
    return f"isValid({field}) && abs({field}) >= {0.7 * _extent(values)}"


def _extent(values: pd.Series) -> float:
    """Half the width of a diverging scale: the largest absolute value, at least 1."""
    return max(float(values.abs().max()) if values.notna().any() else 1.0, 1.0)


def cell_label(value: float | None, status: str, k: int = 3) -> str:
    """What a heatmap cell reads: the value, `–` without data, `n<k` where too few answered."""
    if status == "too_few":
        return f"n<{k}"
    if status == "no_data" or value is None or pd.isna(value):
        return "–"
    return f"{value:.1f}"


def category_bars(data: pd.DataFrame, *, lang_titles: dict[str, str], max_level: int = 4) -> alt.LayerChart:
    """Per category: the team's level as a bar, the target as a tick, the org median as a dot.

    `data` needs: category (title), position, team_level, target, org_median.
    """
    order = data.sort_values("position")["category"].tolist()
    y = alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    x_scale = alt.Scale(domain=[0, max_level])
    bars = (
        alt.Chart(data)
        .mark_bar(color="#4c78a8", height=14)
        .encode(
            x=alt.X("team_level:Q", scale=x_scale, title=lang_titles["level"]),
            y=y,
            tooltip=[
                alt.Tooltip("category:N"),
                alt.Tooltip("team_level:Q", title=lang_titles["level"], format=".2f"),
                alt.Tooltip("target:Q", title=lang_titles["target"], format=".2f"),
                alt.Tooltip("org_median:Q", title=lang_titles["org_median"], format=".2f"),
            ],
        )
    )
    target = alt.Chart(data).mark_tick(color="#e45756", thickness=3, size=22).encode(x="target:Q", y=y)
    median = alt.Chart(data).mark_point(color="#333", filled=True, size=50).encode(x="org_median:Q", y=y)
    layers = [bars, target, median]
    if "sre_level" in data.columns and data["sre_level"].notna().any():
        sre = alt.Chart(data).mark_point(color="#f58518", shape="diamond", filled=True, size=90)
        layers.append(sre.encode(x="sre_level:Q", y=y, tooltip=[alt.Tooltip("sre_level:Q", format=".2f")]))
    return alt.layer(*layers).properties(height=28 * max(1, len(data)) + 30)


def heatmap_frame(data: pd.DataFrame, metric: str, titles: dict[str, str], k: int = 3) -> pd.DataFrame:
    """The metric table made ready to draw: `value` renamed to the metric, a `row` label, a `column`
    title and a cell `label`."""
    out = data.copy()
    teams = out["team"] if "team" in out.columns else pd.Series(None, index=out.index, dtype=object)
    out["row"] = [p if pd.isna(t) else f"{p} / {t}" for p, t in zip(out["product"], teams, strict=True)]
    out["column"] = out["key"].map(lambda key: titles.get(key, key))
    out["label"] = [cell_label(v, s, k) for v, s in zip(out["value"], out["status"], strict=True)]
    out = out.drop(columns=[metric], errors="ignore")  # "n" is both a metric and the answer count
    return out.assign(value=out["value"].astype("float64")).rename(columns={"value": metric})


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


def trend_lines(data: pd.DataFrame, level_title: str, max_level: int = 4) -> alt.Chart:
    """Category levels by round: one line per category, rounds in their order.

    `data` needs: round, round_position, category (title), level, n.
    """
    order = data.sort_values("round_position")["round"].drop_duplicates().tolist()
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("round:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("level:Q", scale=alt.Scale(domain=[0, max_level]), title=level_title),
            color=alt.Color("category:N", title=None, sort=None, legend=alt.Legend(symbolLimit=0, labelLimit=240)),
            tooltip=["round:N", "category:N", alt.Tooltip("level:Q", format=".2f"), "n:Q"],
        )
        .properties(height=420)  # room for the legend of every category
    )


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


def likert_chart(frame: pd.DataFrame, level_names: dict[int, str], share_title: str) -> alt.Chart:
    """Diverging stacked bars: one row per item, red for low levels, blue for high ones."""
    levels = sorted(level_names)
    return (
        alt.Chart(frame[frame["share"] > 0])
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title=share_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[-1, 1])),
            x2="end:Q",
            y=alt.Y("item:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "level:O",
                title=None,
                scale=alt.Scale(domain=levels, scheme="redblue"),
                legend=alt.Legend(orient="top", labelExpr=_label_expr(level_names)),
            ),
            tooltip=["item:N", "level:O", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=max(120, 24 * frame["item"].nunique()))
    )


def _label_expr(level_names: dict[int, str]) -> str:
    """A Vega expression that shows `2 定義済み` for the legend entry 2."""
    cases = " : ".join(f"datum.value == {lv} ? {f'{lv} {name}'!r}" for lv, name in level_names.items())
    return f"{cases} : datum.label"
