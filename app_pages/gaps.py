"""Gaps: items weak across the org, how answers spread per item, and where teams and SRE differ."""

import streamlit as st

from opmaturity import charts, metrics, ui, views

tr = ui.tr
st.title(tr("gaps.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
titles, model = ui.titles(), ui.model()

st.subheader(tr("gaps.weak"))
st.caption(tr("gaps.weak.caption"))
weak = ui.query(metrics.org_weak_items, round_name)
ui.table(views.weak_items_table(weak, titles, tr))
ui.download(weak, f"org-weak-items-{round_name}.csv", key="weak_csv")

st.subheader(tr("figures.silent"))
st.caption(tr("figures.silent.caption"))
silent = ui.query(metrics.silent_gaps, round_name)
if silent.empty:
    st.info(tr("figures.silent.none"))
else:
    ui.table(views.silent_gaps_table(silent, titles, tr))
    ui.download(silent.rename(columns=views.SILENT_NOTES), f"silent-gaps-{round_name}.csv", key="silent_csv")

st.subheader(tr("gaps.distribution"))
st.caption(tr("gaps.distribution.caption"))
rater = st.segmented_control(
    tr("common.rater"), ("team", "sre"), default="team", required=True, key="rater",
    format_func=lambda r: tr(f"common.rater.{r}"),
)  # fmt: skip
counted = ui.query(metrics.answer_distributions, round_name, rater=rater)
withheld = counted[counted["status"] == "too_few"]["item"].drop_duplicates()
dist = views.with_titles(counted[counted["status"] == "ok"], titles, "item")
if len(withheld):  # said as the reason when nothing is left to draw
    (st.info if dist.empty else st.caption)(tr("figures.withheld", count=len(withheld), k=metrics.DEFAULT_K))
if dist.empty and not len(withheld):
    st.info(tr("figures.empty.distribution", round=ui.escape_markdown(round_name)))
elif not dist.empty:
    names = {lv.level: lv.title(ui.lang()) for lv in model.levels}
    likert = charts.likert_frame(dist, model.max_level)
    chart = charts.likert_chart(
        likert, names, tr("gaps.share"), item_title=tr("common.item"), level_title=tr("common.level")
    )
    st.altair_chart(chart, width="stretch")

st.subheader(tr("gaps.perception"))
st.caption(tr("metric.perception_gap.help"))
matrix = ui.query(metrics.heatmap, round_name, metric="perception_gap", rater="sre", rows="team", columns="category")
rated, unrated = views.rows_with_values(matrix)
if rated.empty:
    st.info(tr("figures.perception.none", round=ui.escape_markdown(round_name)))
    st.stop()
cells = charts.heatmap_frame(rated, "perception_gap", titles, tr=tr)
height = charts.scroll_height(cells["row"].nunique())
drawn, spec = charts.heatmap_view(
    cells, metric="perception_gap", metric_title=tr("metric.perception_gap"), row_title=tr("common.team"),
    column_title=tr("common.category"), tr=tr, max_level=model.max_level, columns_on_top=height is not None,
)  # fmt: skip
st.html(charts.WIDE_CSS)
with st.container(key="wide_perception" if height is None else "tall_perception", height=height or "content"):
    event = st.vega_lite_chart(
        drawn, spec, key="perception", on_select="rerun", selection_mode=charts.SELECTIONS, width="content"
    )
st.caption(tr("charts.colours.perception"))
if unrated:
    st.caption(tr("figures.perception.unrated", n=unrated))
picked = charts.selected_cell(event)
if picked is not None:
    st.switch_page("app_pages/team.py", query_params=ui.team_link(picked["product"], picked.get("team")))
