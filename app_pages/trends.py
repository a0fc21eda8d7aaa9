"""Trends: category levels round by round, and the biggest movers up and down."""

import streamlit as st

from opmaturity import metrics, store, ui, views

tr = ui.tr
st.title(tr("trends.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
titles = ui.titles()
teams = ui.query(store.teams)

left, right = st.columns(2)
product = left.selectbox(
    tr("common.product"), [None, *teams["product"].drop_duplicates()], key=ui.translated("product"),
    bind="query-params", placeholder=tr("trends.all_products"),
    format_func=lambda p: tr("trends.all_products") if p is None else p,
)  # fmt: skip
team_options = [None, *teams.loc[teams["product"] == product, "team"]] if product else [None]
team = right.selectbox(
    tr("common.team"), team_options, key=ui.translated("team"), bind="query-params", disabled=product is None,
    placeholder=tr("trends.all_teams"), format_func=lambda t: tr("trends.all_teams") if t is None else t,
)  # fmt: skip

ui.trend_chart(product, team)

st.subheader(tr("trends.movers"))
st.caption(tr("figures.movers.caption"))
movers = ui.query(metrics.movers, round_name, product=product, team=team)
if movers.empty:
    st.info(tr("trends.no_movers"))
else:
    fixed = ("product", "team") if team else ("product",) if product else ()  # the same in every row: not shown
    ui.table(views.movers_table(movers, titles, tr, chosen=fixed))
