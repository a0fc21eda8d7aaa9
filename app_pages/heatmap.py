"""Org heatmap: products or teams by categories or items, one metric; a click opens the team.

The controls live in the URL by key (`?metric=gap&rater=team&rows=product&columns=item`), so a view can be
shared; a value outside the allow-list opens the default.
"""

import streamlit as st

from opmaturity import charts, metrics, ui, views

tr = ui.tr
CONTROLS = {
    "metric": metrics.HEATMAP_METRICS,
    "rater": metrics.RATERS,
    "rows": metrics.ROWS,
    "columns": metrics.COLUMNS,
}
SORTS = ("name", "value")

st.title(tr("heatmap.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
k = metrics.DEFAULT_K

for name, allowed in CONTROLS.items():
    if name not in st.session_state:  # first run on this page: the URL decides (the widget does afterwards)
        wanted = st.query_params.get(name)
        st.session_state[name] = wanted if wanted in allowed else allowed[0]
st.session_state.setdefault("sort", st.query_params.get("sort") == "value")

left, right = st.columns([2, 1], vertical_alignment="bottom")
metric = left.selectbox(
    tr("heatmap.metric"),
    metrics.HEATMAP_METRICS,
    format_func=lambda m: tr(f"metric.{m}"),
    key="metric",
    placeholder=ui.choose(),
)
by_value = right.toggle(tr("charts.sort_by_value"), key="sort", help=tr("charts.sort_by_value.help"))
# Side by side, each as wide as its options, wrapping when the page is narrow (thirds of a 1024 px page cut
# チーム自己評価 | SRE評価 short).
controls = st.container(horizontal=True, gap="small")
rater = controls.segmented_control(
    tr("common.rater"), metrics.RATERS, required=True, key="rater", format_func=lambda r: tr(f"common.rater.{r}")
)
rows = controls.segmented_control(
    tr("heatmap.rows"), metrics.ROWS, required=True, key="rows", format_func=lambda r: tr(f"heatmap.rows.{r}")
)
columns = controls.segmented_control(
    tr("heatmap.columns"), metrics.COLUMNS, required=True, key="columns",
    format_func=lambda c: tr(f"heatmap.columns.{c}"),
)  # fmt: skip
for name, value in {"metric": metric, "rater": rater, "rows": rows, "columns": columns}.items():
    st.query_params[name] = value
st.query_params["sort"] = SORTS[by_value]

st.caption(tr(f"metric.{metric}.help"))
data = ui.query(metrics.heatmap, round_name, metric=metric, rater=rater, rows=rows, columns=columns, k=k)
if data.empty:
    st.info(tr("figures.empty.heatmap", round=ui.escape_markdown(round_name)))
    st.stop()
shown = data
if rows == "product":
    expanded = st.multiselect(
        tr("heatmap.expand"), data["product"].drop_duplicates().tolist(), key="expand", placeholder=ui.choose_many()
    )
    if expanded:
        teams = ui.query(metrics.heatmap, round_name, metric=metric, rater=rater, rows="team", columns=columns, k=k)
        shown = views.expand_products(data, teams, expanded)
cells = charts.heatmap_frame(shown, metric, ui.titles(), k, tr=tr)
height = charts.scroll_height(cells["row"].nunique())  # hundreds of teams scroll in a box, not down the page
drawn, spec = charts.heatmap_view(
    cells,
    metric=metric,
    metric_title=tr(f"metric.{metric}"),
    row_title=tr(f"heatmap.rows.{rows}"),
    column_title=tr(f"heatmap.columns.{columns}"),
    tr=tr,
    max_level=ui.model().max_level,
    sort_by_value=by_value,
    columns_on_top=height is not None,
)
st.html(charts.WIDE_CSS)
with st.container(key="wide_heatmap" if height is None else "tall_heatmap", height=height or "content"):
    event = st.vega_lite_chart(
        drawn, spec, key="heatmap", on_select="rerun", selection_mode=charts.SELECTIONS, width="content"
    )
if columns == "item":
    st.caption(tr("charts.scroll_hint"))
if metric in charts.SIGNED_METRICS:
    st.caption(tr("charts.colours.perception" if metric == "perception_gap" else "charts.colours.signed"))
st.caption(tr("heatmap.caption", round=ui.escape_markdown(round_name), rater=tr(f"common.rater.{rater}"), k=k))
st.caption(tr("heatmap.answers", n=f"{int(data['n'].fillna(0).sum()):,}"))  # 340,726, not 340726

picked = charts.selected_cell(event)
if picked is not None:
    st.switch_page("app_pages/team.py", query_params=ui.team_link(picked["product"], picked.get("team")))

ui.download(cells.drop(columns=charts.DISPLAY_COLUMNS), f"heatmap-{round_name}-{metric}.csv", key="heatmap_csv")
