"""Where the time goes: profiles of the slowest pages, `summary` and `export` on a generated organisation.

    python bench/profiling.py calls --db FILE                 # pyinstrument: summary, hearing sheet, export
    py-spy record --format raw -o page.txt -- python bench/profiling.py page heatmap --db FILE --times 3
    python bench/profiling.py collapse page.txt               # the script thread's time by function

`page` opens the page cold under AppTest `--times` times (caches cleared each time), so that py-spy, which
samples every thread, sees the script thread Streamlit runs it in (pyinstrument sees only its own thread).
Not run by pytest.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def calls(db: Path) -> None:
    from pyinstrument import Profiler

    from opmaturity import reports, store, summary
    from opmaturity.model import load_model

    model = load_model()
    con = store.connect(db, model)
    teams = store.teams(con)
    product, team = teams.iloc[0]["product"], teams.iloc[0]["team"]
    for label, fn in (
        ("summary.summary", lambda: summary.summary(con)),
        ("reports.hearing_sheet (the Team page builds it on every cold run)",
         lambda: reports.hearing_sheet(con, model, product, team, None)),
        ("reports.round_report .xlsx (export)", lambda: reports.round_report(con, model, None, ".xlsx")),
    ):  # fmt: skip
        profiler = Profiler(interval=0.005)
        profiler.start()
        fn()
        profiler.stop()
        print(f"\n===== {label}\n")
        print(profiler.output_text(unicode=False, color=False))


def page(name: str, db: Path, times: int, warm: int = 0) -> None:
    os.environ["OPMATURITY_DB"] = str(db)
    os.environ.setdefault("OPMATURITY_SECRET", "bench-secret")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from opmaturity import store

    con = store.connect(db)
    teams = store.teams(con)
    con.close()
    query = {"product": teams.iloc[0]["product"], "team": teams.iloc[0]["team"]} if name == "team" else {}
    for _ in range(times):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        st.cache_data.clear()
        st.cache_resource.clear()
        at.switch_page(f"app_pages/{name}.py")
        for key, value in query.items():
            at.query_params[key] = value
        start = time.perf_counter()
        at.run()
        print(f"{name} cold {time.perf_counter() - start:.2f} s", file=sys.stderr)
    if warm:  # reruns flipping the page's widget of bench/run.py between two values already cached
        import run

        kind, key, a, b = run.WIDGETS[name]
        if a is None:
            raise SystemExit(f"{name}: its warm values depend on the data (see bench/run.py)")
        for value in (a, b):
            getattr(at, kind)(key=key).set_value(value).run()
        start = time.perf_counter()
        for n in range(warm):
            getattr(at, kind)(key=key).set_value((a, b)[n % 2]).run()
        print(f"{name} warm {(time.perf_counter() - start) / warm:.3f} s per rerun", file=sys.stderr)


PAGES = ("overview", "heatmap", "team", "gaps", "trends", "feedback", "import_page", "model_page")
FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def collapse(path: Path, top: int = 40, page: str | None = None) -> None:
    """Inclusive samples per function of the thread that ran the page scripts (py-spy --format raw).

    With `page`, stacks inside another page's script (the Overview the first run lands on) are left out; the
    router's part (sidebar, connection, model) still counts that first run's too."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "ScriptRunner" not in stack and "script_runner" not in stack:
            continue
        frames = stack.split(";")
        if not any("(app.py" in f for f in frames):
            continue
        if page and any(f.startswith("<module> (") and f[10:].split(".py")[0] in PAGES and f"({page}.py" not in f
                        for f in frames):  # fmt: skip
            continue
        n = int(count)
        total += n
        seen = set()
        for frame in frames:
            found = FRAME.match(frame)
            func, file = (found["func"], found["file"]) if found else (frame, "")
            file = re.sub(r".*site-packages/", "", file).replace(str(ROOT) + "/", "")
            key = f"{func} ({file})"
            if key not in seen:
                seen.add(key)
                inclusive[key] += n
    print(f"{total} samples in page scripts")
    for key, n in inclusive.most_common(top):
        print(f"{100 * n / max(total, 1):5.1f}%  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("calls")
    c.add_argument("--db", type=Path, required=True)
    p = sub.add_parser("page")
    p.add_argument("name")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--times", type=int, default=3)
    p.add_argument("--warm", type=int, default=0, help="then this many warm reruns (the widget bench/run.py flips)")
    k = sub.add_parser("collapse")
    k.add_argument("path", type=Path)
    k.add_argument("--top", type=int, default=40)
    k.add_argument("--page", help="leave out stacks in other pages' scripts")
    args = parser.parse_args()
    if args.command == "calls":
        calls(args.db)
    elif args.command == "page":
        page(args.name, args.db, args.times, args.warm)
    else:
        collapse(args.path, args.top, args.page)


if __name__ == "__main__":
    main()
