"""Eight people open the dashboard while an import runs (issue: faults and load).

Serves the dashboard with `streamlit run` on a copy of a database, then opens the Overview in 8 fresh
Chromium pages at once, twice: on a quiet server, and while the command line imports a 60,000-answer file
into the same database (which it can do while the dashboard runs: the dashboard holds the file only while a
page is computed). Prints, per phase, each page's time until drawn, the slowest, the ratio of the two phases,
and any exception or error box a page showed (there must be none).

    python bench/bench_sessions.py [--db FILE] [--sessions 8] [--page overview]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import CHROMIUM, LAUNCH_ARGS, dashboard  # noqa: E402

DRAWN = '[data-testid="stApp"][data-test-script-state="notRunning"]'


async def open_pages(url: str, sessions: int) -> list[tuple[float, int, int]]:
    """(seconds until drawn, exceptions, error boxes) for each of `sessions` pages opened at once."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)

        async def one() -> tuple[float, int, int]:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            started = time.perf_counter()
            await page.goto(url)
            await page.wait_for_selector(DRAWN, timeout=180_000)
            await page.locator("h1").first.wait_for(timeout=180_000)
            took = time.perf_counter() - started
            found = (took, await page.locator('[data-testid="stException"]').count(),
                     await page.locator('[data-testid="stAlertContentError"]').count())  # fmt: skip
            await context.close()
            return found

        results = await asyncio.gather(*(one() for _ in range(sessions)))
        await browser.close()
        return list(results)


def big_file(folder: Path) -> Path:
    path = folder / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["round", "product", "team", "respondent", "rater", "item", "level"])
        for n in range(60_000):
            writer.writerow(["2027-H1", f"P{n % 50}", f"T{n % 300}", f"r{n}@example.jp", "team",
                             ("OBS-1", "OBS-2", "SLO-1")[n % 3], n % 5])  # fmt: skip
    return path


def report(name: str, results: list[tuple[float, int, int]]) -> float:
    times = sorted(t for t, _, _ in results)
    problems = sum(e + b for _, e, b in results)
    print(f"{name:>8}: median {statistics.median(times):5.1f} s, slowest {times[-1]:5.1f} s, "
          f"exceptions or error boxes: {problems}  ({', '.join(f'{t:.1f}' for t in times)})")  # fmt: skip
    return times[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database to copy (default: the demo)")
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--page", default="overview")
    args = parser.parse_args()
    env = {**os.environ, "OPMATURITY_SECRET": "bench"}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        db = folder / "org.duckdb"
        if args.db:
            shutil.copyfile(args.db, db)
        else:
            subprocess.run([sys.executable, "-m", "opmaturity", "demo", "--db", str(db)], env=env, check=True,
                           cwd=ROOT, capture_output=True)  # fmt: skip
        csv_file = big_file(folder)
        with dashboard(db) as url:
            page = f"{url}/{args.page}"
            asyncio.run(open_pages(page, 1))  # the server's first run, not measured
            quiet = report("quiet", asyncio.run(open_pages(page, args.sessions)))
            importing = subprocess.Popen(
                [sys.executable, "-m", "opmaturity", "import", str(csv_file), "--db", str(db)],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            busy = report("import", asyncio.run(open_pages(page, args.sessions)))
            _, err = importing.communicate(timeout=600)
            print(f"the import: exit {importing.returncode} {err.strip()[-200:]}")
            print(f"slowest page while importing / quiet: {busy / quiet:.2f}x (target: at most 2x)")


if __name__ == "__main__":
    main()
