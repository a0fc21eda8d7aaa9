"""Org heatmap: products or teams by categories or items, one metric; a click opens the team."""

import streamlit as st

from opmaturity import charts, metrics, ui, views

tr = ui.tr
st.title(tr("heatmap.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
k = metrics.DEFAULT_K

left, mid, right, far = st.columns([2, 1, 1, 1])
metric = left.selectbox(
    tr("heatmap.metric"),
    metrics.HEATMAP_METRICS,
    format_func=lambda m: tr(f"metric.{m}"),
    key="metric",
    placeholder=ui.choose(),
)
rater = mid.segmented_control(
    tr("common.rater"), ("team", "sre"), default="team", required=True, key="rater",
    format_func=lambda r: tr(f"common.rater.{r}"),
)  # fmt: skip
rows = right.segmented_control(
    tr("heatmap.rows"), ("team", "product"), default="team", required=True, key="rows",
    format_func=lambda r: tr(f"heatmap.rows.{r}"),
)  # fmt: skip
columns = far.segmented_control(
    tr("heatmap.columns"), ("category", "item"), default="category", required=True, key="columns",
    format_func=lambda c: tr(f"heatmap.columns.{c}"),
)  # fmt: skip

st.caption(tr(f"metric.{metric}.help"))
data = ui.query(metrics.heatmap, round_name, metric=metric, rater=rater, rows=rows, columns=columns, k=k)
if data.empty:
    st.info(tr("common.none"))
    st.stop()
shown = data
if rows == "product":
    expanded = st.multiselect(
        tr("heatmap.expand"), data["product"].drop_duplicates().tolist(), key="expand", placeholder=ui.choose_many()
    )
    if expanded:
        teams = ui.query(metrics.heatmap, round_name, metric=metric, rater=rater, rows="team", columns=columns, k=k)
        shown = views.expand_products(data, teams, expanded)
cells = charts.heatmap_frame(shown, metric, ui.titles(), k)
chart = charts.heatmap_chart(
    cells,
    metric=metric,
    metric_title=tr(f"metric.{metric}"),
    row_title=tr(f"heatmap.rows.{rows}"),
    column_title=tr(f"heatmap.columns.{columns}"),
    max_level=ui.model().max_level,
)
event = st.altair_chart(chart, key="heatmap", on_select="rerun", selection_mode=charts.SELECTIONS, width="stretch")
st.caption(tr("heatmap.caption", round=round_name, rater=tr(f"common.rater.{rater}"), k=k))
st.caption(tr("heatmap.answers", n=int(data["n"].fillna(0).sum())))

picked = charts.selected_cell(event)
if picked is not None:
    st.switch_page("app_pages/team.py", query_params=ui.team_link(picked["product"], picked.get("team")))

ui.download(cells.drop(columns=["label"]), f"heatmap-{round_name}-{metric}.csv", key="heatmap_csv")
