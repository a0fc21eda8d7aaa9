"""opmaturity dashboard: the router. Run with `streamlit run app.py`.

The page scripts live in `app_pages/`, not `pages/`: Streamlit treats a `pages/` folder beside the
entrypoint as its legacy multipage app until some session has called `st.navigation`, so a shared
link such as `/team?product=…` opened first after a restart would run the page without this router
(no sidebar, no language switch, no round).
"""

import streamlit as st

from opmaturity import ui, ui_auth
from opmaturity.errors import OpmaturityError

st.set_page_config(page_title="opmaturity", page_icon="🧭", layout="wide")

ui.begin_run()
try:
    ui.sidebar()
    actor = ui_auth.sidebar()
except OpmaturityError as error:  # e.g. the database is locked by another program
    ui.show_error(error)
    ui.end_run()
    st.stop()

tr = ui.tr
overview = st.Page("app_pages/overview.py", title=tr("nav.overview"), icon=":material/home:", url_path="overview")


def home() -> None:
    """The app's root URL: open the Overview at /overview, so that both addresses work and the
    sidebar marks the page (a default page is served at / only; /overview would be "not found")."""
    st.switch_page(overview, query_params={})  # {}: the bound language and round carry themselves over


pages = {
    tr("nav.explore"): [
        st.Page(home, title=tr("nav.overview"), url_path="home", default=True, visibility="hidden"),
        overview,
        st.Page("app_pages/heatmap.py", title=tr("nav.heatmap"), icon=":material/grid_on:", url_path="heatmap"),
        st.Page("app_pages/team.py", title=tr("nav.team"), icon=":material/groups:", url_path="team"),
        st.Page("app_pages/gaps.py", title=tr("nav.gaps"), icon=":material/trending_down:", url_path="gaps"),
        st.Page("app_pages/trends.py", title=tr("nav.trends"), icon=":material/show_chart:", url_path="trends"),
        st.Page(
            "app_pages/feedback.py", title=tr("nav.feedback"), icon=":material/sticky_note_2:", url_path="feedback"
        ),
    ],
}
manage = [  # script, title, icon, address
    ("app_pages/import_page.py", tr("nav.import"), ":material/upload_file:", "import"),
    ("app_pages/model_page.py", tr("nav.model"), ":material/architecture:", "model"),
    ("app_pages/backup_page.py", tr("nav.backup"), ":material/backup:", "backup"),
]
if actor.can("change"):
    pages[tr("nav.manage")] = [st.Page(script, title=t, icon=i, url_path=url) for script, t, i, url in manage]
else:  # a viewer never runs a Manage page; its address, followed from a link, says why it is closed
    pages[tr("nav.explore")] += [
        st.Page(ui_auth.closed_page(t), title=t, icon=i, url_path=url, visibility="hidden") for _, t, i, url in manage
    ]
with ui.run_scope():  # the database file is held only while this run needs it
    st.navigation(pages).run()
