"""Overview: who has answered this round, what stands out, the org per category, latest imports."""

import streamlit as st

from opmaturity import actions, charts, feedback, metrics, reports, store, summary, ui, ui_auth, views

tr = ui.tr
st.title(tr("overview.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
titles = ui.titles()

coverage = ui.query(metrics.coverage, round_name)
totals = views.coverage_totals(coverage, len(ui.query(feedback.notes_table, round_name)))
counts = ui.query(actions.action_counts)
# Side by side, each as wide as its label and wrapping when the page is narrow (fifths of a 1024 px page cut
# ワークショップメモ and 未完了のアクション to "ワークショッ…"); counts as 1,000, not 1000.
row = st.container(horizontal=True, gap="medium")
row.metric(tr("overview.metric.teams"), f"{totals['teams_answered']:,} / {totals['teams']:,}", width="content")
row.metric(tr("overview.metric.respondents"), f"{totals['respondents']:,}", width="content")
row.metric(tr("overview.metric.answers"), f"{totals['answers']:,}", width="content")
row.metric(tr("overview.metric.notes"), f"{totals['notes']:,}", width="content")
row.metric(tr("loop.actions.open"), f"{counts['open']:,}", tr("loop.actions.overdue_count", count=counts["overdue"]),
           delta_color="inverse" if counts["overdue"] else "off", delta_arrow="off", width="content")  # fmt: skip

model, lang = ui.model(), ui.lang()
# The round's report holds every answer (pseudonymised): for who may see answer-level data, as the hearing sheet.
if ui_auth.can("answers"):
    with st.container(border=True, key="report_downloads"):  # the round's report: built only when clicked
        st.download_button(
            tr("reports.download.report"),
            lambda: ui.query(reports.round_report, model, round_name, ".xlsx", lang),
            file_name=f"report-{round_name}-{lang}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            help=tr("reports.download.report_help"), key="round_report", icon=":material/download:",
            on_click="ignore",
        )  # fmt: skip

answered = ui.answered(round_name)  # a round of workshop notes only has nothing to stand out and no gaps
if not answered:
    st.info(tr("figures.empty.overview", round=ui.escape_markdown(round_name), notes=int(totals["notes"])))
else:
    st.subheader(tr("overview.standout"))
    highlights = ui.query(summary.highlights, round_name)
    for finding in views.standouts(highlights, titles, tr):
        line, link = st.columns([5, 1])
        line.markdown(f"- {finding.sentence}")
        link.page_link(finding.page, label=tr("overview.open"), query_params=finding.query_params)

    st.subheader(tr("figures.silent"))
    st.caption(tr("figures.silent.caption"))
    silent = ui.query(metrics.silent_gaps, round_name, limit=5)
    if silent.empty:
        st.info(tr("figures.silent.none"))
    else:
        ui.table(views.silent_gaps_table(silent, titles, tr))

st.subheader(tr("overview.coverage"))
st.caption(tr("overview.coverage.caption"))
ui.table(views.coverage_table(coverage, tr))

if answered:
    st.subheader(tr("overview.category_avg"))
    st.caption(tr("overview.category_avg.caption"))
    org = views.with_titles(ui.query(metrics.org_categories, round_name), titles, "category")
    st.altair_chart(
        charts.category_bars(
            org.rename(columns={"level": "team_level"}),
            lang_titles={
                "level": tr("common.level"),
                "target": tr("common.target"),
                "org_median": tr("common.org_median"),
                "category": tr("common.category"),
            },
            max_level=model.max_level,
        ),
        width="stretch",
    )

st.subheader(tr("overview.imports"))
ui.imports_list(views.imports_table(ui.query(store.import_history).head(10), tr))
