"""Team: one team's levels against target and the org, its priorities, perception gaps,
disagreements, trend, workshop notes and agreed actions. Bookmarkable: ?product=…&team=…"""

import streamlit as st

from opmaturity import charts, feedback, metrics, reports, store, ui, views

tr = ui.tr
st.title(tr("team.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
teams = ui.query(store.teams)
k = metrics.DEFAULT_K

left, right = st.columns(2)
# No default choice: a chosen product and team always stay in the URL, so the link can be shared.
product = left.selectbox(
    tr("common.product"), teams["product"].drop_duplicates().tolist(), key="product", bind="query-params", index=None,
    placeholder=tr("team.pick"),
)  # fmt: skip
team = right.selectbox(
    tr("common.team"), teams.loc[teams["product"] == product, "team"].tolist(), key="team", bind="query-params",
    index=None, placeholder=tr("team.pick"),
)  # fmt: skip
if not product or not team:
    st.info(tr("team.pick"))
    st.stop()
st.caption(tr("team.link"))
titles = ui.titles()

categories = ui.query(metrics.team_categories, round_name, product, team)
items = ui.query(metrics.team_items, round_name, product, team, k=k)
if not items["n"].any() and not items["sre_n"].any():
    st.warning(tr("team.no_answers"))

st.subheader(tr("team.categories"))
bars = views.with_titles(categories, titles, "category")
st.altair_chart(
    charts.category_bars(
        bars,
        lang_titles={"level": tr("common.team_level"), "target": tr("common.target"),
                     "org_median": tr("common.org_median")},
        max_level=ui.model().max_level,
    ),
    width="stretch",
)  # fmt: skip
st.caption(tr("team.categories.caption"))

st.subheader(tr("team.items"))
st.caption(tr("team.items.caption"))
st.dataframe(views.team_item_table(items, titles, tr), hide_index=True, width="stretch")

st.subheader(tr("team.perception"))
st.caption(tr("metric.perception_gap.help"))
st.dataframe(views.perception_table(items, titles, tr), hide_index=True, width="stretch")

st.subheader(tr("team.disagreement"))
st.caption(tr("team.disagreement.caption", k=k))
st.dataframe(views.disagreement_table(items, titles, tr), hide_index=True, width="stretch")

st.subheader(tr("team.trend"))
ui.trend_chart(product, team)

st.subheader(tr("team.notes"))
notes = ui.query(feedback.notes_table, round_name, product=product, team=team)
st.dataframe(views.notes_table(notes, titles, tr), hide_index=True, width="stretch")

st.subheader(tr("team.actions"))
actions = ui.query(store.team_actions, product, team)
st.dataframe(views.actions_table(actions, titles, tr), hide_index=True, width="stretch")
left, right = st.columns(2)
with left:
    ui.download(items, f"team-{product}-{team}-{round_name}.csv", key="team_csv")
right.download_button(
    tr("team.hearing_sheet"),
    ui.query(reports.hearing_sheet, ui.model(), product, team, round_name),
    file_name=f"hearing-{product}-{team}-{round_name}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    help=tr("team.hearing_sheet.help"),
    key="team_hearing",
)
