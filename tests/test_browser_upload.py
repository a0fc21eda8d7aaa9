"""A hostile upload in a real browser: the Import page refuses it with a message while another page of the same
server keeps working (the file's reading is fenced in a worker with tight limits for this server)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from browser_support import MISSING, ROOT, dashboard
from test_browser import _wait_for_run, browser  # noqa: F401  (the module's Chromium, a fixture)
from test_guard import book, sheet_xml

pytestmark = pytest.mark.browser
if MISSING:
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)"),
    ]
playwright = pytest.importorskip("playwright.sync_api")


def far_cell_xlsx() -> bytes:
    """2 KB: a header row, then one cell at XFD1048576 whose tag has a newline after `<c` (calamine: 550 GB)."""
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>項目</t></is></c></row>'
    return book({"S": sheet_xml(cells + '<row r="1048576"><c\nr="XFD1048576"><v>1</v></c></row>')})


def big_csv(rows: int) -> bytes:
    head = "プロダクト,チーム,回答者,回答者ロール,カテゴリ,項目,現状レベル\r\n"
    return (head + "".join(f"P{n % 7},T{n % 3},r{n},開発,SLO,SLOの合意,{n % 5}\r\n" for n in range(rows))).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo organisation served with a worker allowed 256 MB (a 300,000-row file needs more)."""
    db = tmp_path_factory.mktemp("upload") / "demo.duckdb"
    env = {**os.environ, "OPMATURITY_DB": str(db), "OPMATURITY_SECRET": "browser-test"}
    subprocess.run([sys.executable, "-m", "opmaturity", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPMATURITY_FENCE_MEMORY_MB", "256")
        with dashboard(db) as url:
            yield url


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("far.xlsx", far_cell_xlsx(), 'sheet "S" reaches row 1,048,576 and column XFD'),
        # 300,000 rows: clearly past 256 MB of address space (150,000 now and then fitted: whether glibc gave
        # Arrow's reading thread an arena of its own decided it)
        ("big.csv", big_csv(300_000), "this file needed more memory than allowed (256 MB"),
    ],
    ids=["xfd1048576", "memory"],
)
def test_a_hostile_upload_is_refused_with_a_message_while_another_page_keeps_working(server, browser, name, data, said):  # noqa: F811
    from playwright.sync_api import expect

    uploader = browser.new_page(viewport={"width": 1400, "height": 1000})
    uploader.goto(f"{server}/import?lang=English")
    _wait_for_run(uploader)
    uploader.locator('input[type="file"]').set_input_files(files=[{"name": name, "mimeType": "", "buffer": data}])
    expect(uploader.get_by_text(f"{name} was refused (1 problem)")).to_be_visible(timeout=120_000)
    _wait_for_run(uploader)
    problems = uploader.locator('[data-testid="stDataFrame"]').first  # the file's problems (the history is below)
    expect(problems).to_be_visible()
    expect(problems.get_by_text(said, exact=False)).to_have_count(1, timeout=30_000)
    assert uploader.locator('[data-testid="stException"]').count() == 0

    viewer = browser.new_page(viewport={"width": 1400, "height": 1000})  # another session, same server
    viewer.goto(f"{server}/heatmap?lang=English")
    _wait_for_run(viewer)
    expect(viewer.locator('[data-testid="stVegaLiteChart"] svg g.mark-rect path').first).to_be_visible(timeout=60_000)
    assert viewer.locator('[data-testid="stException"]').count() == 0
    viewer.close()
    uploader.close()
