"""In a real browser: /overview and / open the Overview, and a note full of markup shows as typed.

Streamlit draws markdown in the browser, so only a browser can prove that a note's `![](…)` loads no
image, its `<img onerror>` runs nothing and its `[link](javascript:…)` is no link.
"""

from __future__ import annotations

import pytest
from browser_support import MISSING, chromium_page, dashboard, demo_database, open_page, server_log, settled
from test_pages import NASTY_BOARD, NASTY_NOTE  # the same note the AppTest checks, here in a browser

pytestmark = pytest.mark.browser
if MISSING:
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason="Debian chromium is not installed")]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the demo organisation plus one note full of markup, served by `streamlit run`."""
    from opmaturity.importer import ImportOptions

    nasty = ("nasty.csv", NASTY_BOARD, ImportOptions(product="Shop Connect", team="Storefront"))
    with dashboard(demo_database(tmp_path_factory.mktemp("browser_pages"), nasty)) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with chromium_page() as tab:
        yield tab


@pytest.mark.parametrize("path", ["/", "/overview", "/overview?lang=English"])
def test_the_overview_opens_at_its_own_address_and_at_the_root(server, page, path):
    from playwright.sync_api import expect

    open_page(page, server + path)
    expect(page.locator("h1").first).to_have_text("Overview" if "English" in path else "概要")
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.url.split("?")[0].endswith("/overview")  # the sidebar marks the Overview
    current = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
    expect(current).to_contain_text("Overview" if "English" in path else "概要")


def test_a_note_full_of_markup_shows_as_typed_and_loads_or_links_nothing(server, page):
    from playwright.sync_api import expect

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_page(page, f"{server}/feedback?lang=English&q=bold")
    text = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"]').filter(has_text="onerror")
    expect(text).to_have_count(1)
    assert text.inner_text().strip() == NASTY_NOTE
    assert text.locator("img, strong, em, script, .katex").count() == 0
    # Markdown links a bare web address (GFM autolinks, found in the text after escapes are read): that
    # is the only link there may be, and it says where it goes; no javascript: link, no image.
    links = text.locator("a")
    for n in range(links.count()):
        assert links.nth(n).get_attribute("href") == links.nth(n).inner_text() == "http://127.0.0.1:9/pixel.png"
    expect(text.locator("span").filter(has_text="bold").first).to_be_visible()  # the highlighted search hit
    assert dialogs == [] and not [r for r in requests if "pixel.png" in r]


CSV_BUTTONS = [
    ("English", "Download the data as CSV", ["Round", "Product"]),
    ("日本語", "データをCSVでダウンロード", ["ラウンド", "プロダクト"]),
]


# Counts the page's script runs from now on (the app marks a run on its root element).
RUNS_COUNTED = """() => {
  window.scriptRuns = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute("data-test-script-state") === "running") window.scriptRuns++;
  }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


@pytest.mark.parametrize(("lang", "button", "headers"), CSV_BUTTONS)
def test_a_heatmaps_csv_is_made_when_its_button_is_clicked_in_the_pages_language(server, page, lang, button, headers):
    import csv
    import io
    from pathlib import Path

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    said: list[str] = []
    page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
    open_page(page, f"{server}/heatmap?lang={lang}")
    expect(page.locator("svg g.mark-rect.role-mark path").first).to_be_visible(timeout=60_000)
    found = page.get_by_role("button", name=button)
    expect(found.first).to_be_visible()
    page.evaluate(RUNS_COUNTED)
    # One click, as a person clicks once. Until the download stopped rerunning the page, a click now and then
    # in full CI runs gave nothing and left the button spinning (the rerun's start dropped the file's address,
    # queued for the browser): the page and server are reported if that ever comes back.
    try:
        with page.expect_download(timeout=30_000) as download:
            found.first.click()
    except PlaywrightTimeout:
        raise AssertionError(
            f"no CSV for one click; the browser said: {said[-10:]}; the server said: {server_log(server)}"
        ) from None
    assert page.evaluate("window.scriptRuns") == 0  # the page was not computed again for the click
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == headers and len(rows) > 20  # the round the page shows, then the heatmap's cells
    assert {"学び放題", "Shop Connect"} <= {row[1] for row in rows[1:]}
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]


@pytest.mark.parametrize(
    ("path", "picks"),
    [
        ("/heatmap?lang=English&metric=gap", {"Metric": "Gap to target", "指標": "目標とのギャップ"}),
        ("/feedback?lang=English", {"Product": "(all)", "プロダクト": "（すべて）"}),
    ],
)
def test_after_a_language_switch_the_chosen_option_is_shown_in_the_new_language(server, page, path, picks):
    """Streamlit 1.67 kept showing the chosen option as last sent ("Gap to target" under 指標): see
    tests/test_pages_language.py. Left at "all", the box shows its placeholder, which says "all"."""
    from playwright.sync_api import expect

    (english, shown_en), (japanese, shown_ja) = picks.items()
    open_page(page, f"{server}{path}")
    expect(page.get_by_role("combobox", name=english)).to_have_value(shown_en)
    page.locator('[data-testid="stSidebar"]').get_by_text("日本語").click()
    expect(page.get_by_role("combobox", name=japanese)).to_be_visible(timeout=30_000)
    settled(page)
    box = page.get_by_role("combobox", name=japanese)
    if shown_ja.startswith("（"):  # None is sent as no value: the placeholder says it
        expect(box).to_have_value("")
        expect(box).to_have_attribute("placeholder", shown_ja)
    else:
        expect(box).to_have_value(shown_ja)
    assert page.locator('[data-testid="stException"]').count() == 0
