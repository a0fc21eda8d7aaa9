"""Gaps: items weak across the org, how answers spread per item, and where teams and SRE differ."""

import streamlit as st

from opmaturity import charts, metrics, pictures, ui, views

tr = ui.tr
st.title(tr("gaps.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
titles = ui.titles()
if not ui.answered(round_name):  # a round of workshop notes only: no item is weak or silent in it
    st.info(tr("figures.empty.heatmap", round=ui.escape_markdown(round_name)))
    st.stop()

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
spread = ui.derived(
    pictures.distribution, round_name, rater=rater, titles=(tr("gaps.share"), tr("common.item"), tr("common.level"))
)
if spread.withheld:  # said as the reason when nothing is left to draw
    (st.info if spread.spec is None else st.caption)(tr("figures.withheld", count=spread.withheld, k=metrics.DEFAULT_K))
if spread.spec is None and not spread.withheld:
    st.info(tr("figures.empty.distribution", round=ui.escape_markdown(round_name)))
elif spread.spec is not None:
    st.vega_lite_chart(spec=spread.spec_dict(), width="stretch")

st.subheader(tr("gaps.perception"))
st.caption(tr("metric.perception_gap.help"))
perception = ui.derived(
    pictures.heatmap, round_name, metric="perception_gap", rater="sre", rows="team", columns="category",
    k=metrics.DEFAULT_K, titles=(tr("metric.perception_gap"), tr("common.team"), tr("common.category")),
    only_rated=True,
)  # fmt: skip
if perception.empty:
    st.info(tr("figures.perception.none", round=ui.escape_markdown(round_name)))
    st.stop()
st.html(charts.WIDE_CSS)
tall = perception.height is not None
with st.container(key="tall_perception" if tall else "wide_perception", height=perception.height or "content"):
    event = st.vega_lite_chart(
        perception.drawn, perception.spec_dict(), key="perception", on_select="rerun",
        selection_mode=charts.SELECTIONS, width="content",
    )  # fmt: skip
st.caption(tr("charts.colours.perception"))
if perception.unrated:
    st.caption(tr("figures.perception.unrated", n=perception.unrated))
picked = charts.selected_cell(event)
if picked is not None:
    st.switch_page("app_pages/team.py", query_params=ui.team_link(picked["product"], picked.get("team")))
