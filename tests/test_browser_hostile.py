"""In a real browser: product, team and round names full of markup and script show as typed, run nothing and
load nothing, on every page that names them (the sidebar's round, the Overview's sentences, the heatmap's rows
and caption, the Team page)."""

from __future__ import annotations

import html

import pytest
from browser_support import MISSING, chromium_page, dashboard, demo_database, open_page

pytestmark = pytest.mark.browser
if MISSING:
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason="Debian chromium is not installed")]
playwright = pytest.importorskip("playwright.sync_api")

PRODUCT = "<img src=x onerror=alert(1)>**P**"
TEAM = "[T](javascript:alert(2)) ![](http://127.0.0.1:9/team.png)"
ROUND = "2027-H1 <script>alert(3)</script>"
ROWS = "".join(
    f'{ROUND},"{PRODUCT}","{TEAM}",{who}@example.jp,team,{item},{level}\n'
    for who, level in (("a", 1), ("b", 2), ("c", 1))
    for item in ("OBS-1", "OBS-2", "SLO-1")
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from opmaturity.importer import ImportOptions

    evil = ("evil.csv", ("round,product,team,respondent,rater,item,level\n" + ROWS).encode(), ImportOptions())
    with dashboard(demo_database(tmp_path_factory.mktemp("browser_hostile"), evil)) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with chromium_page(height=1400) as tab:
        yield tab


@pytest.mark.parametrize("path", ["/overview", "/heatmap", "/team", "/gaps"])
def test_hostile_names_show_as_typed_and_run_or_load_nothing(server, page, path):
    from urllib.parse import urlencode

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    query = {"lang": "English"} | ({"product": PRODUCT, "team": TEAM} if path == "/team" else {})
    open_page(page, f"{server}{path}?{urlencode(query)}")
    page.wait_for_timeout(500)  # let any image or script that slipped through try to load or run
    assert page.locator('[data-testid="stException"]').count() == 0
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("script, img[src='x'], a[href^='javascript']").count() == 0
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    assert html.escape(ROUND, quote=False) in picker.inner_html(), picker.inner_html()  # the round, as text
    if path in ("/team", "/heatmap"):  # the pickers and the heatmap's row labels hold the product as text
        assert html.escape(PRODUCT, quote=False) in main.inner_html()
    assert dialogs == []
    assert not [r for r in requests if "127.0.0.1:9" in r or r.endswith("/x")]
