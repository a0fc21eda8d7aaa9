"""Where a page's time in the browser goes: the minimal page, the same heatmap inside the dashboard's shell,
and the dashboard's Heatmap page, each opened in a fresh tab in turn.

    python bench/browser_shell.py --scale 0.2 --repeat 6      # bench/data/org-0.2.duckdb, 200 rows
    python bench/browser_shell.py --db FILE --rows 1000

Prints the median time until drawn of each, and their ratios to the minimal page (issue 11's 1.2x). Not run
by pytest; `bench/run.py` measures every page against the minimal one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as R  # noqa: E402  (bench/run.py: serving, Chromium, the "drawn" test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--rows", type=int, help="the minimal heatmap's rows (default: the file's teams)")
    parser.add_argument("--repeat", type=int, default=6)
    args = parser.parse_args()
    db = args.db or R.BENCH / "data" / f"org-{args.scale:g}.duckdb"
    rows = args.rows or int(1000 * args.scale)
    env = {**R.cached_bytecode(os.environ), "OPMATURITY_DB": str(db), "OPMATURITY_SECRET": "bench-secret",
           "BENCH_ROWS": str(rows), "BENCH_COLS": "12"}  # fmt: skip
    from playwright.sync_api import sync_playwright

    served = {"minimal": R._serve("bench/minimal_page.py", env), "shell": R._serve("bench/shell_page.py", env),
              "heatmap page": R._serve("app.py", env)}  # fmt: skip
    paths = {"minimal": "", "shell": "/minimal", "heatmap page": "/heatmap"}
    times: dict[str, list[float]] = {name: [] for name in served}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=R.CHROMIUM, headless=True, args=R.LAUNCH_ARGS)
            for rep in range(args.repeat + 1):  # the first round warms each server's caches
                for name, (_, url) in served.items():
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.goto(url + paths[name], wait_until="commit")
                    drawn = page.wait_for_function(R.DRAWN, arg=1, polling="raf", timeout=300_000).json_value()
                    page.close()
                    if rep:
                        times[name].append(drawn / 1000)
    finally:
        for proc, _ in served.values():
            R._stop(proc)
    floor = statistics.median(times["minimal"])
    print(f"{db.name}, {rows} rows, {args.repeat} fresh tabs each (seconds until drawn, median):")
    for name, samples in times.items():
        middle = statistics.median(samples)
        print(f"  {name:<13} {middle:5.2f} s  {middle / floor:4.2f}x  ({', '.join(f'{s:.2f}' for s in samples)})")


if __name__ == "__main__":
    main()
