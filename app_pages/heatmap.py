"""Org heatmap: products or teams by categories or items, one metric; a click opens the team.

The controls live in the URL by key (`?metric=gap&rater=team&rows=product&columns=item`), so a view can be
shared; a value outside the allow-list opens the default.
"""

import streamlit as st

from opmaturity import charts, metrics, pictures, ui

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
    key=ui.translated("metric"),
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
titles = (tr(f"metric.{metric}"), tr(f"heatmap.rows.{rows}"), tr(f"heatmap.columns.{columns}"))
figures = dict(metric=metric, rater=rater, rows=rows, columns=columns, k=k, by_value=by_value, titles=titles)
heatmap = ui.derived(pictures.heatmap, round_name, **figures)  # built once for every session (pictures.py)
if heatmap.empty:
    st.info(tr("figures.empty.heatmap", round=ui.escape_markdown(round_name)))
    st.stop()
if not heatmap.answers:  # the round has answers, none by this rater: a grid of empty cells says nothing
    rater_name = tr(f"common.rater.{rater}")
    st.info(tr("figures.empty.heatmap_rater", round=ui.escape_markdown(round_name), rater=rater_name))
    st.stop()
if rows == "product":
    expanded = st.multiselect(tr("heatmap.expand"), heatmap.products, key="expand", placeholder=ui.choose_many())
    if expanded:
        heatmap = ui.derived(pictures.heatmap, round_name, expanded=tuple(expanded), **figures)
st.html(charts.WIDE_CSS)
tall = heatmap.height is not None  # hundreds of teams scroll in a box, not down the page
with st.container(key="tall_heatmap" if tall else "wide_heatmap", height=heatmap.height or "content"):
    event = st.vega_lite_chart(
        heatmap.drawn, heatmap.spec_dict(), key="heatmap", on_select="rerun", selection_mode=charts.SELECTIONS,
        width="content",
    )  # fmt: skip
if columns == "item":
    st.caption(tr("charts.scroll_hint"))
if metric in charts.SIGNED_METRICS:
    st.caption(tr("charts.colours.perception" if metric == "perception_gap" else "charts.colours.signed"))
st.caption(tr("heatmap.caption", round=ui.escape_markdown(round_name), rater=tr(f"common.rater.{rater}"), k=k))
st.caption(tr("heatmap.answers", n=f"{heatmap.answers:,}"))  # 340,726, not 340726

picked = charts.selected_cell(event)
if picked is not None:
    st.switch_page("app_pages/team.py", query_params=ui.team_link(picked["product"], picked.get("team")))

ui.download(heatmap.cells.drop(columns=charts.DISPLAY_COLUMNS), f"heatmap-{round_name}-{metric}.csv", key="heatmap_csv")
