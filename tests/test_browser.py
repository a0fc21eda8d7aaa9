"""One real-browser smoke test: `streamlit run` on a free port, headless Debian Chromium via Playwright."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import CHROMIUM, LAUNCH_ARGS, MISSING, ROOT, dashboard

pytestmark = pytest.mark.browser
if MISSING:
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)"),
    ]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the demo organisation, served by `streamlit run` until the module ends."""
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    env = {**os.environ, "OPMATURITY_DB": str(db), "OPMATURITY_SECRET": "browser-test"}
    subprocess.run([sys.executable, "-m", "opmaturity", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    _add_one_team_round(db)
    with dashboard(db) as url:
        yield url


ONE_TEAM_ROUND = "2024-H1"  # an older round in which only one team answered: the first real import


def _add_one_team_round(db: Path) -> None:
    """Add ONE_TEAM_ROUND to the demo database: one team's answers of the demo's first survey, a year earlier."""
    from dataclasses import replace
    from datetime import date

    from opmaturity import demo, store
    from opmaturity.batch import Batch
    from opmaturity.model import load_model

    model = load_model()
    _, _, survey = demo.demo_batches(model)[0]
    first = survey.answers[0]
    answers = [r for r in survey.answers if (r.product, r.team) == (first.product, first.team)]
    batch = replace(survey, file="one team", answers=answers, notes=[], round=ONE_TEAM_ROUND,
                    round_date=date(2024, 4, 15), sha256=Batch.digest(b"one team"))  # fmt: skip
    con = store.connect(db, model)
    try:
        assert store.commit_batch(con, batch, ONE_TEAM_ROUND, imported_by="test").status == "imported"
    finally:
        con.close()


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
    row = label.split(" · ")[0]  # the cell as a screen reader says it: its row (product / team) first
    assert " / " in row, label
    product_name, team_name = row.split(" / ", 1)
    expect(page.get_by_role("combobox", name="Product")).to_have_value(product_name)
    expect(page.get_by_role("combobox", name="Team")).to_have_value(team_name)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


# --- the heatmap as people read it: every label drawn, rows high enough, red where it is bad ----------------

CHART_PROBE = """
el => {
  const shown = t => getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0';
  const axes = [...el.querySelectorAll('g.role-axis-label')].map(g => {
    const texts = [...g.querySelectorAll('text')];
    return [texts.filter(shown).length, texts.length];
  });
  const cells = [...el.querySelectorAll('g.mark-rect.role-mark path')].map(p => p.getBoundingClientRect());
  const numbers = [...el.querySelectorAll('g.mark-text.role-mark text')].map(t => t.getBoundingClientRect());
  return {axes, cells: cells.length, height: Math.min(...cells.map(b => b.height)),
          width: Math.min(...cells.map(b => b.width)), number: Math.max(...numbers.map(b => b.width))};
}
"""
CELLS = "svg g.mark-rect.role-mark path"  # the heatmap's cells (not its legend's gradient)
LANGS = {"ja": "%E6%97%A5%E6%9C%AC%E8%AA%9E", "en": "English"}  # the language switch's labels, URL-encoded
VIEWS = [  # (query, rows, columns)
    (f"round={ONE_TEAM_ROUND}", 1, 12),
    (f"round={ONE_TEAM_ROUND}&columns=item", 1, 37),
    ("rows=product", 6, 12),
    ("rows=product&columns=item", 6, 37),
    ("rows=team", 17, 12),
    ("rows=team&columns=item", 17, 37),
]


def _open_chart(page, url: str, cells: int):
    """The first chart of the page at `url`, once its `cells` cells are drawn."""
    from playwright.sync_api import expect

    page.goto(url)
    _wait_for_run(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]:has(g.mark-text.role-mark)').first  # the heatmap
    expect(chart.locator(CELLS)).to_have_count(cells, timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    return chart


@pytest.mark.parametrize("lang", LANGS)
def test_the_heatmap_draws_every_label_and_keeps_rows_readable_from_1_to_17_rows_and_12_to_37_columns(
    server, browser, lang
):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    for query, rows, columns in VIEWS:
        chart = _open_chart(page, f"{server}/heatmap?lang={LANGS[lang]}&{query}", rows * columns)
        drawn = chart.evaluate(CHART_PROBE)
        assert sorted(total for _, total in drawn["axes"]) == sorted([rows, columns]), (query, drawn)
        assert all(shown == total for shown, total in drawn["axes"]), (query, drawn["axes"])  # none dropped
        assert drawn["height"] >= 18, (query, drawn)
        assert drawn["number"] < drawn["width"], (query, drawn)  # numbers fit their cells, so never overlap
    page.close()


def _rgb(fill: str) -> tuple[int, int, int]:
    if fill.startswith("#"):
        return int(fill[1:3], 16), int(fill[3:5], 16), int(fill[5:7], 16)
    red, green, blue = (int(float(v)) for v in re.findall(r"[\d.]+", fill)[:3])
    return red, green, blue


def _reddish(fill: str) -> bool:
    red, green, blue = _rgb(fill)
    return red > blue + 40 and red > green + 20


def test_a_below_target_cell_is_red_and_an_above_target_cell_is_not(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    chart = _open_chart(page, f"{server}/heatmap?lang=English&metric=gap&rows=team", 17 * 12)
    page.wait_for_url(re.compile(r"columns=category"), timeout=30_000)  # the page writes every control back by key
    assert all(f"{key}=" in page.url for key in ("lang", "metric", "rater", "rows", "sort")), page.url
    cells = chart.locator(CELLS).evaluate_all(
        "paths => paths.map(p => [p.getAttribute('aria-label') || '', p.getAttribute('fill') || ''])"
    )
    gaps = []
    for label, fill in cells:
        # what a screen reader says: row · column · the value as the tooltip writes it · its status
        found = re.fullmatch(r"(.+) · (.+) · Gap to target (-?\d+\.\d\d|–) · (.+)", label)
        assert found, label  # never the raw -0.444444444 Vega-Lite's own label read
        if found.group(3) != "–":
            gaps.append((float(found.group(3)), fill))
    gaps.sort()
    (lowest, low_fill), (highest, high_fill) = gaps[0], gaps[-1]
    assert lowest < 0 < highest
    assert _reddish(high_fill), (highest, high_fill)  # the furthest below target
    assert not _reddish(low_fill), (lowest, low_fill)  # above target
    zero = [fill for value, fill in gaps if value == 0]
    assert not zero or not _reddish(zero[0])
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_gaps_page_draws_every_axis_label(server, browser, lang):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    _open_chart(page, f"{server}/gaps?lang={LANGS[lang]}", 15 * 12)  # the demo's SRE assessed 15 of 17 teams
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(2, timeout=30_000)
    for n in range(2):
        axes = charts.nth(n).evaluate(CHART_PROBE)["axes"]
        assert axes and all(shown == total for shown, total in axes), (n, axes)
    page.close()
