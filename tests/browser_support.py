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
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
