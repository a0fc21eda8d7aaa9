"""Team: one team's levels against target and the org, its priorities, perception gaps,
disagreements, trend, workshop notes and agreed actions. Bookmarkable: ?product=…&team=…"""

import streamlit as st

from opmaturity import charts, feedback, metrics, printable, reports, store, templates, ui, ui_auth, views

tr = ui.tr
st.title(tr("team.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
teams = ui.query(store.teams)
k = metrics.DEFAULT_K
asked = ui.url_values("product", "team")  # before the pick lists drop a name they do not offer

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
    unknown = views.unknown_team(teams, asked["product"], asked["team"])
    if teams.empty:
        st.info(tr("pages.team.no_teams"))
    elif unknown:
        st.warning(
            tr(f"pages.team.unknown_{unknown}", product=asked["product"], team=asked["team"]),
            icon=":material/person_search:",
        )
        st.subheader(tr("pages.team.existing"))
        ui.team_links(teams)
    else:
        st.info(tr("team.pick"))
    st.stop()
st.caption(tr("team.link"))
titles = ui.titles()
model, lang = ui.model(), ui.lang()  # the files are built only when a button is clicked (on another thread)

# The hearing sheet holds the notes and every figure: for who may see answer-level data.
if ui_auth.can("answers"):
    with st.container(border=True, key="hearing_downloads"):  # the meeting's files, first thing on the page
        st.markdown(f"**{tr('reports.downloads')}**")
        buttons = st.container(horizontal=True)  # each button as wide as its label, wrapping when the page is narrow
        buttons.download_button(
            tr("team.hearing_sheet"),
            lambda: ui.query(reports.hearing_sheet, model, product, team, round_name, lang=lang),
            file_name=f"hearing-{product}-{team}-{round_name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            help=tr("team.hearing_sheet.help"), key="team_hearing", icon=":material/table_view:",
            on_click="ignore",
        )  # fmt: skip
        buttons.download_button(
            tr("reports.download.hearing_html"),
            lambda: ui.query(printable.hearing_page, model, product, team, round_name, lang=lang),
            file_name=f"hearing-{product}-{team}-{round_name}.html", mime="text/html",
            help=tr("reports.download.hearing_help"), key="team_hearing_html", icon=":material/print:",
            on_click="ignore",
        )  # fmt: skip

categories = ui.query(metrics.team_categories, round_name, product, team)
items = ui.query(metrics.team_items, round_name, product, team, k=k)
answered = bool(items["n"].any() or items["sre_n"].any())
if not answered:
    st.warning(tr("team.no_answers"))
elif 0 < (most := int(items["n"].max())) < k:  # the team's own levels are close to what one person said
    st.info(tr("team.few_respondents", n=most, k=k), icon=":material/person:")

st.subheader(tr("team.categories"))
if answered:
    bars = views.with_titles(categories, titles, "category")
    if {"target_low", "target_high"} <= set(bars.columns):  # the tooltip names the target as levels
        bars["target_text"] = views.with_target_levels(bars[["target", "target_low", "target_high"]])["target"]
    st.altair_chart(
        charts.category_bars(
            bars,
            lang_titles={"level": tr("common.team_level"), "target": tr("common.target"),
                         "org_median": tr("common.org_median"), "category": tr("common.category"),
                         "sre_level": tr("common.sre_level")},
            max_level=ui.model().max_level,
        ),
        width="stretch",
    )  # fmt: skip
    # the SRE diamonds are drawn (and named) only where SRE assessed the team
    has_sre = "sre_level" in bars.columns and bool(bars["sre_level"].notna().any())
    st.caption(tr("team.categories.caption" if has_sre else "team.categories.caption_no_sre"))
else:  # empty axes under the warning would say nothing
    st.info(tr("pages.team.no_categories"))


def table_or(frame, empty: str) -> None:
    """The table, or a sentence saying why there is none."""
    if frame.empty:
        st.info(empty)
    else:
        ui.table(frame)


st.subheader(tr("team.items"))
st.caption(tr("team.items.caption"))
table_or(views.team_item_table(items, titles, tr) if answered else items.head(0), tr("pages.team.no_items"))
if answered and items["importance_assumed"].eq(True).any():  # the table's "2.0 *" says what it means
    st.caption(tr("team.items.assumed"))

st.subheader(tr("team.perception"))
st.caption(tr("metric.perception_gap.help"))
perception = ui.query(metrics.perception_gaps, round_name, product=product, team=team)  # ranked as summary ranks
both_rated = bool(items["perception_gap"].notna().any())
table_or(views.perception_table(perception, titles, tr),
         tr("pages.team.perception_agree" if both_rated else "pages.team.no_perception"))  # fmt: skip
if not perception.empty:
    st.caption(tr("figures.rounded_apart"))

st.subheader(tr("team.disagreement"))
st.caption(tr("team.disagreement.caption", k=k))
split = ui.query(metrics.disagreements, round_name, product=product, team=team, k=k)
enough = bool(items["disagreement_status"].eq("ok").any())
table_or(views.disagreement_table(split, titles, tr),
         tr("pages.team.members_agree" if enough else "pages.team.no_disagreement", k=k))  # fmt: skip

st.subheader(tr("team.trend"))
ui.trend_chart(product, team)

st.subheader(tr("team.notes"))
notes = ui.query(feedback.notes_table, round_name, product=product, team=team)
if notes.empty:
    st.info(tr("pages.team.no_notes"))
else:
    ui.note_cards(notes, key="team_notes")

st.subheader(tr("team.actions"))
ui.action_section(product, team, items)
left, right = st.columns(2)
with left:
    ui.download(
        items, f"team-{product}-{team}-{round_name}.csv", key="team_csv", context={"product": product, "team": team}
    )
right.download_button(
    tr("loop.workbook"),
    lambda: ui.query(templates.team_workbook_for, model, product, team, lang=lang),
    file_name=f"assessment-{product}-{team}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    help=tr("loop.workbook.help"),
    key="team_workbook",
    on_click="ignore",
)
