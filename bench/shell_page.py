"""The minimal page's heatmap inside the dashboard's shell: the router's sidebar (language, round, database),
the sign-in box and a navigation of as many pages as the dashboard's, around `minimal_page.py` as its page.

Served by `bench/browser_shell.py` beside the minimal page and the dashboard's own Heatmap page, so that the
browser's time splits into what Streamlit itself needs (minimal), what the dashboard's shell adds (this page)
and what the Heatmap page's own controls add. Not run by pytest.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opmaturity import ui, ui_auth  # noqa: E402  (the package beside bench/, as app.py finds it)

st.set_page_config(page_title="opmaturity", page_icon="🧭", layout="wide")
ui.begin_run()
ui.sidebar()
ui_auth.sidebar()
others = [st.Page(lambda: None, title=f"page {n}", url_path=f"page{n}") for n in range(8)]  # fmt: skip
pages = {"Explore": [st.Page("minimal_page.py", title="Minimal heatmap", url_path="minimal", default=True),
                     *others[:5]], "Manage": others[5:]}  # fmt: skip
with ui.run_scope():
    st.navigation(pages).run()
