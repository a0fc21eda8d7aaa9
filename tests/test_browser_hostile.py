"""In a real browser: product, team and round names full of markup and script show as typed, run nothing and
load nothing, on every page that names them (the sidebar's round, the Overview's sentences, the heatmap's rows
and caption, the Team page)."""

from __future__ import annotations

import html
import os

import pytest
from browser_support import CHROMIUM, LAUNCH_ARGS, MISSING, dashboard

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
    from opmaturity import demo, importer, store
    from opmaturity.model import load_model

    db = tmp_path_factory.mktemp("browser_hostile") / "demo.duckdb"
    os.environ.setdefault("OPMATURITY_SECRET", "browser-test")
    con = store.connect(db, load_model())
    demo.load_demo(con, load_model())
    data = ("round,product,team,respondent,rater,item,level\n" + ROWS).encode()
    report = importer.import_file(con, "evil.csv", data, load_model(), importer.ImportOptions())
    con.close()
    assert report.status == "imported", report.problems
    with dashboard(db) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        tab = chromium.new_page(viewport={"width": 1400, "height": 1400})
        yield tab
        chromium.close()


@pytest.mark.parametrize("path", ["/overview", "/heatmap", "/team", "/gaps"])
def test_hostile_names_show_as_typed_and_run_or_load_nothing(server, page, path):
    from urllib.parse import urlencode

    from playwright.sync_api import expect

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    query = {"lang": "English"} | ({"product": PRODUCT, "team": TEAM} if path == "/team" else {})
    page.goto(f"{server}{path}?{urlencode(query)}")
    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1, timeout=60_000)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
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
