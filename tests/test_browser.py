"""One real-browser smoke test: `streamlit run` on a free port, headless Debian Chromium via Playwright."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip

pytestmark = pytest.mark.browser
if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)"),
    ]
playwright = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the demo organisation, served by `streamlit run` until the module ends."""
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    env = {**os.environ, "OPMATURITY_DB": str(db), "OPMATURITY_SECRET": "browser-test"}
    subprocess.run([sys.executable, "-m", "opmaturity", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("streamlit did not start:\n" + (proc.stdout.read().decode() if proc.stdout else ""))
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


PAGES = ["", "heatmap", "team", "gaps", "trends", "feedback", "import", "model"]  # "" is the Overview


def _wait_for_run(page) -> None:
    """Until the app's script has finished running (Streamlit marks it on the app's root element)."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1, timeout=60_000)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)


def test_a_shared_team_link_opens_through_the_router_even_as_the_first_visit(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/team?product=%E4%BC%9A%E5%93%A1ID&team=%E8%AA%8D%E8%A8%BC&lang=English")
    _wait_for_run(page)
    expect(page.locator("h1").first).to_have_text("Team")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Org heatmap")).to_be_visible()
    expect(sidebar.get_by_text("言語 / Language")).to_be_visible()
    expect(page.get_by_role("combobox", name="Team")).to_have_value("認証")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


def test_every_page_opens_without_an_exception_and_a_heatmap_click_opens_the_team(server, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    for name in PAGES:
        page.goto(f"{server}/{name}")
        _wait_for_run(page)
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception on {name}"
        assert page.get_by_text("Page not found").count() == 0, f"/{name} is not a page"

    page.goto(f"{server}/heatmap?lang=English")
    _wait_for_run(page)
    cells = page.locator('[data-testid="stVegaLiteChart"] svg g.mark-rect path')
    expect(cells.first).to_be_visible(timeout=30_000)
    assert cells.count() >= 17 * 12  # every team by every category, grey where there is no data
    page.screenshot(path=str(tmp_path / "heatmap.png"))
    label = cells.nth(14).get_attribute("aria-label") or ""
    page.locator('[data-testid="stVegaLiteChart"] svg g.mark-text text').nth(14).click()  # the number on the cell
    page.wait_for_url(re.compile(r"/team\?.*product="), timeout=30_000)
    _wait_for_run(page)
    expect(page.locator("h1").first).to_have_text("Team")
    team = re.search(r"Teams?: ([^;]+)", label)
    assert team, label
    product_name, team_name = team.group(1).split(" / ", 1)
    expect(page.get_by_role("combobox", name="Product")).to_have_value(product_name)
    expect(page.get_by_role("combobox", name="Team")).to_have_value(team_name)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
