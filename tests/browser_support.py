"""What the browser tests share: Debian's Chromium and its launch flags, and the dashboard served by
`streamlit run` on a free port until the block ends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
# Skipped locally without Chromium; in CI (which installs it) a missing browser is a failure, never a skip.
MISSING = not Path(CHROMIUM).exists() and not os.environ.get("CI")


SERVER_LOGS: dict[str, object] = {}  # a served dashboard's URL -> its output so far (`server_log`)


def server_log(url: str, tail: int = 4000) -> str:
    """The last `tail` characters the dashboard at `url` wrote (its errors, a deferred download's among them)."""
    log = SERVER_LOGS.get(url)
    if log is None:
        return ""
    log.seek(0)  # type: ignore[attr-defined]
    return log.read().decode("utf-8", "replace")[-tail:]  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard(db: Path, environ: dict[str, str] | None = None) -> Iterator[str]:
    """The dashboard on the database file `db` (with these extra environment variables), served until the block
    ends; yields its URL."""
    env = {**os.environ, "OPMATURITY_DB": str(db), "OPMATURITY_SECRET": "browser-test", **(environ or {})}
    port = _free_port()
    with tempfile.TemporaryFile() as log:  # never a pipe: a chatty server would block once nobody reads it
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
                log.seek(0)
                pytest.fail("streamlit did not start:\n" + log.read().decode("utf-8", "replace"))
            time.sleep(0.3)
        SERVER_LOGS[url] = log
        try:
            yield url
        finally:
            SERVER_LOGS.pop(url, None)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


DRAWN = '[data-testid="stApp"][data-test-script-state="notRunning"]'  # the page's script has finished


def demo_database(folder: Path, *extra: tuple[str, bytes, object]) -> Path:
    """A new database in `folder` holding the demo organisation, plus each (file name, bytes, ImportOptions)
    imported after it."""
    from opmaturity import demo, importer, store
    from opmaturity.model import load_model

    db = folder / "demo.duckdb"
    os.environ.setdefault("OPMATURITY_SECRET", "browser-test")
    con = store.connect(db, load_model())
    try:
        demo.load_demo(con, load_model())
        for name, data, options in extra:
            report = importer.import_file(con, name, data, load_model(), options)  # type: ignore[arg-type]
            assert report.status == "imported", report.problems
    finally:
        con.close()
    return db


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator[object]:
    """One page of Debian's Chromium, headless, closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium.new_page(viewport={"width": width, "height": height})
        finally:
            chromium.close()


def settled(page) -> None:  # noqa: ANN001  (a playwright Page)
    """Wait until the page's script run has finished."""
    from playwright.sync_api import expect

    expect(page.locator(DRAWN)).to_have_count(1, timeout=60_000)


def open_page(page, url: str) -> None:  # noqa: ANN001
    """Go to `url` and wait until the page is drawn (its script finished, its title shown)."""
    from playwright.sync_api import expect

    page.goto(url)
    settled(page)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
