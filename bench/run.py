"""Measure every page, the CLI and the server on one generated organisation; print and save the table.

    python bench/run.py --scale 0.05                # generates bench/data/org-0.05.duckdb when missing
    python bench/run.py --scale 0.2 --repeat 5 --no-browser
    python bench/run.py --db FILE --label mine      # any opmaturity database

In one run on the same data, for every page of app_pages/:
- AppTest `cold`: the page's script run (router + page) right after st.cache_data.clear() and
  st.cache_resource.clear(); `change`: the rerun after a widget change (new data for the new value);
  `warm`: reruns flipping that widget between two values already seen (every query cached);
- `bare`: the same data calls the page made in its cold run (recorded from `ui.query` and from what
  `ui.derived` reads), called directly on a cursor, a round's figures (metrics.round_figures) computed once
  for every call that rolls up from them, as the dashboard does: the floor the package's own functions give;
- `pandas`: the same figures computed with pandas from the raw answers held in memory (bench/pandas_figures.py;
  reading them in is timed once, apart);
- the browser: headless Chromium opens the page (a fresh tab each time) on `streamlit run app.py` and waits
  until it is drawn (script finished, no spinner, every chart's SVG or canvas there); next to it, each time,
  the same for a minimal Streamlit page drawing a heatmap of the same size from a ready DataFrame
  (bench/minimal_page.py);
- `python -m opmaturity summary --json` and `export --out x.xlsx` as the command line runs them;
- the peak memory of the server after every page, and of the AppTest process before and after a sweep through
  every heatmap metric, rater group, row and column kind.

Each side of a ratio is measured back to back with the other, `--repeat` times; the table shows medians.
Results: bench/results/<label>.json (every sample) and .md (the table). Each phase runs in its own process
(DuckDB lets one process hold the file). Not run by pytest.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

PAGES = ["overview", "heatmap", "team", "gaps", "trends", "feedback", "import_page", "model_page"]
URLS = {"overview": "overview", "import_page": "import", "model_page": "model"}
# The widget each warm measurement flips, and its two values (None: the page's team link, see _team_values).
WIDGETS: dict[str, tuple[str, str, Any, Any]] = {
    "overview": ("segmented_control", "lang", "English", "日本語"),
    "heatmap": ("selectbox", "metric", "gap", "level"),
    "team": ("selectbox", "team", None, None),
    "gaps": ("segmented_control", "rater", "sre", "team"),
    "trends": ("selectbox", "product", None, None),
    "feedback": ("text_input", "q", "Datadog", ""),
    "import_page": ("segmented_control", "lang", "English", "日本語"),  # its other widgets wait for an upload
    # not the language: AppTest formats the tier pick list outside the session language (see tests)
    "model_page": ("select_slider", "target_level", 3, 2),
}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]  # fmt: skip


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def timed(fn, *args, **kwargs) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def memory(pid: int | str = "self") -> dict[str, float]:
    """Peak and current resident memory in MB, from /proc (psutil is not a dependency)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return {"peak_mb": found.get("VmHWM", 0.0), "rss_mb": found.get("VmRSS", 0.0)}


# --- phase: command line ---------------------------------------------------------------------------------------


def cached_bytecode(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment with Python's bytecode caching on: as an installed package runs. With
    PYTHONDONTWRITEBYTECODE set (as in some containers) every command compiles the package again, a second on
    these machines, which no user's command pays."""
    return {key: value for key, value in environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def phase_cli(db: Path, repeat: int, export_repeat: int = 1) -> dict[str, Any]:
    """summary --json and export --out x.xlsx as subprocesses (Python start-up included).

    The export is repeated `export_repeat` times only: at full scale it takes minutes (openpyxl)."""
    env = {**cached_bytecode(os.environ), "OPMATURITY_DB": str(db), "OPMATURITY_SECRET": "bench-secret"}
    py = [sys.executable, "-m", "opmaturity"]
    samples: dict[str, list[float]] = {"summary_json": [], "export_xlsx": [], "python_import": []}
    subprocess.run([sys.executable, "-c", "import opmaturity.cli, opmaturity.metrics"], cwd=ROOT, env=env, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.xlsx"
        for rep in range(repeat):
            for name, cmd in (
                ("python_import", [sys.executable, "-c", "import opmaturity.cli, opmaturity.metrics"]),
                ("summary_json", [*py, "summary", "--json"]),
                ("export_xlsx", [*py, "export", "--out", str(out)]),
            ):
                if name == "export_xlsx" and rep >= export_repeat:
                    continue
                seconds, done = timed(subprocess.run, cmd, cwd=ROOT, env=env, capture_output=True)
                if done.returncode:
                    raise RuntimeError(f"{cmd} failed: {done.stderr.decode()[-2000:]}")
                samples[name].append(seconds)
        size = out.stat().st_size if out.exists() else None
    return {"samples": samples, "export_bytes": size}


# --- phase: AppTest, bare, pandas ------------------------------------------------------------------------------


def phase_apptest(db: Path, repeat: int, sweep: bool) -> dict[str, Any]:
    os.environ["OPMATURITY_DB"] = str(db)
    os.environ.setdefault("OPMATURITY_SECRET", "bench-secret")
    import logging

    import pandas_figures as pf
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest outside `streamlit run` warns per element

    from opmaturity import metrics, store, ui
    from opmaturity.model import load_model

    # Record every data call the pages make (and time the revision checks) without changing the package.
    calls: list[tuple[Any, tuple, dict]] = []
    counters = {"query": 0, "query_s": 0.0, "revision": 0, "revision_s": 0.0, "miss_s": 0.0}
    original_query, original_revision, original_cached = ui.query, store.revision, ui._cached

    def recording_query(fn, *args, **kwargs):
        calls.append((fn, args, kwargs))
        counters["query"] += 1
        seconds, result = timed(original_query, fn, *args, **kwargs)
        counters["query_s"] += seconds
        return result

    def counting_revision(con):
        counters["revision"] += 1
        seconds, result = timed(original_revision, con)
        counters["revision_s"] += seconds
        return result

    def recording_read(db: str, signature: tuple[int, ...], fn, *args, **kwargs):  # a picture's (ui.derived)
        calls.append((fn, args, kwargs))
        return original_read(db, signature, fn, *args, **kwargs)

    original_read = ui._read
    ui.query, ui._read = recording_query, recording_read
    store.revision = counting_revision

    model = load_model()
    con = store.attach(db, model)  # the dashboard's instance, which the pages under AppTest attach to as well
    teams = store.teams(con)
    latest = store.latest_round(con)
    big = teams.groupby("product").size().sort_values(ascending=False).index[0]
    team_a, team_b = teams.loc[teams["product"] == big, "team"].iloc[:2]
    query = {"product": big, "team": team_a}
    values = dict(WIDGETS)
    values["team"] = ("selectbox", "team", team_b, team_a)
    values["trends"] = ("selectbox", "product", big, None)
    round_id = store.round_id(con, latest)

    pandas_load_s, raw = timed(pf.load, con, model)
    ctx = pf.Context(round_id, big, team_a)

    def open_cold(page: str) -> tuple[AppTest, float, dict[str, Any]]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        params = query if page == "team" else {}
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        st.cache_data.clear()
        st.cache_resource.clear()
        at.switch_page(f"app_pages/{page}.py")
        for key, value in params.items():
            at.query_params[key] = value
        calls.clear()
        for key in counters:
            counters[key] = 0
        seconds, _ = timed(at.run)
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
        return at, seconds, dict(counters)

    def flip(at: AppTest, page: str, value: Any) -> float:
        kind, key, _, _ = values[page]
        getattr(at, kind)(key=key).set_value(value)
        seconds, _ = timed(at.run)
        if at.exception:
            raise RuntimeError(f"{page} after {key}={value!r}: {at.exception}")
        return seconds

    def bare(recorded: list[tuple[Any, tuple, dict]]) -> float:
        distinct = {}
        for fn, args, kwargs in recorded:
            distinct.setdefault((fn.__module__, fn.__qualname__, repr(args), repr(sorted(kwargs.items()))),
                                (fn, args, kwargs))  # fmt: skip
        start = time.perf_counter()
        shared: dict[tuple, Any] = {}  # as the dashboard does: a round's figures computed once for every list
        for fn, args, kwargs in distinct.values():
            cur = store.attach(db, model)  # a connection of its own (a cursor of `con` would start outside the file)
            signature = inspect.signature(fn)
            if "figures" in signature.parameters:
                bound = signature.bind(None, *args, **kwargs)
                bound.apply_defaults()
                if "round_name" in bound.arguments:
                    key = (bound.arguments["round_name"], bound.arguments.get("k", metrics.DEFAULT_K))
                    if key not in shared:
                        shared[key] = metrics.round_figures(cur, key[0], k=key[1])
                elif (key := ("every round",)) not in shared:
                    shared[key] = metrics.every_round_figures(cur)
                kwargs = {**kwargs, "figures": shared[key]}
            fn(cur, *args, **kwargs)
            store.detach(cur)
        return time.perf_counter() - start

    results: dict[str, dict[str, Any]] = {p: {"cold": [], "change": [], "warm": [], "bare": [], "pandas": []}
                                          for p in PAGES}  # fmt: skip
    for rep in range(repeat):
        for page in PAGES:
            at, cold, counted = open_cold(page)
            recorded = list(calls)
            r = results[page]
            r["cold"].append(cold)
            if rep == 0:
                r["calls"] = [f"{fn.__module__.split('.')[-1]}.{fn.__qualname__}" for fn, _, _ in recorded]
                r["cold_counters"] = counted
                r["charts"] = len(at.get("vega_lite_chart"))
                r["dataframes"] = len(at.dataframe)
            _, _, a, b = values[page]
            r["change"].append(flip(at, page, a))
            for _ in range(2):
                for value in (b, a):
                    calls.clear()
                    for key in counters:
                        counters[key] = 0
                    r["warm"].append(flip(at, page, value))
                    r.setdefault("warm_counters", dict(counters))
            r["bare"].append(bare(recorded))
            fn = pf.PAGES[page]
            if fn is not None:
                r["pandas"].append(timed(fn, raw, ctx)[0])
            print(f"  {page:<12} cold {cold:6.2f}s  warm {median(r['warm'][-4:]):6.2f}s  "
                  f"bare {r['bare'][-1]:6.2f}s", file=sys.stderr, flush=True)  # fmt: skip
    found: dict[str, Any] = {
        "pages": results,
        "pandas_load_s": pandas_load_s,
        "memory_after_pages": memory(),
        "query": query,
    }
    found["summary_inprocess"] = [timed(__import__("opmaturity.summary").summary.summary, con)[0]
                                  for _ in range(repeat)]  # fmt: skip
    if sweep:
        at, _, _ = open_cold("heatmap")
        before = memory()
        start = time.perf_counter()
        runs = 0
        for rows in ("team", "product"):
            at.segmented_control(key="rows").set_value(rows)
            for columns in ("category", "item"):
                at.segmented_control(key="columns").set_value(columns)
                for rater in ("team", "sre"):
                    at.segmented_control(key="rater").set_value(rater)
                    for metric in metrics.HEATMAP_METRICS:
                        at.selectbox(key="metric").set_value(metric)
                        at.run()
                        runs += 1
        found["sweep"] = {"runs": runs, "seconds": time.perf_counter() - start, "before": before, "after": memory()}
    ui.query, store.revision, ui._cached = original_query, original_revision, original_cached
    ui._read = original_read
    store.detach(con)
    return found


# --- phase: the browser ----------------------------------------------------------------------------------------

DRAWN = """(charts) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector('h1')) return false;
  if (document.querySelector('[data-testid="stSpinner"]')) return false;
  const found = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
  if (found.length < charts) return false;
  // Streamlit draws small charts as SVG and large ones (a heatmap of a few hundred teams) on a canvas
  for (const c of found) { if (!c.querySelector('svg.marks, canvas.marks, .vega-embed svg')) return false; }
  return performance.now();
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(script: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"streamlit run {script} did not start")
        time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def phase_browser(db: Path, repeat: int, charts: dict[str, int], rows: int, cols: int, query: dict) -> dict:
    from urllib.parse import urlencode

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    env = {**cached_bytecode(os.environ), "OPMATURITY_DB": str(db), "OPMATURITY_SECRET": "bench-secret",
           "BENCH_ROWS": str(rows), "BENCH_COLS": str(cols)}  # fmt: skip
    app, app_url = _serve("app.py", env)
    minimal, minimal_url = _serve("bench/minimal_page.py", env)
    found: dict[str, Any] = {"pages": {p: {"first": None, "times": [], "minimal": []} for p in PAGES}}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)

            def visit(url: str, expected_charts: int) -> float | None:
                """Seconds from navigation until drawn; None when not drawn within 5 minutes."""
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                try:
                    page.goto(url, wait_until="commit", timeout=300_000)
                    try:
                        handle = page.wait_for_function(DRAWN, arg=expected_charts, polling="raf", timeout=300_000)
                    except PlaywrightTimeout:
                        print(f"  not drawn within 5 minutes: {url}", file=sys.stderr, flush=True)
                        return None
                    drawn_ms = handle.json_value()
                    if page.locator('[data-testid="stException"]').count():
                        raise RuntimeError(f"exception on {url}")
                    return drawn_ms / 1000
                finally:
                    page.close()

            visit(minimal_url, 1)  # both servers have started a session once before any timing
            for rep in range(repeat + 1):  # the first round of visits is the server's first: kept apart
                for name in PAGES:
                    url = f"{app_url}/{URLS.get(name, name)}"
                    if name == "team":
                        url += "?" + urlencode(query)
                    seconds = visit(url, charts.get(name, 0))
                    entry = found["pages"][name]
                    if rep == 0:
                        entry["first"] = seconds
                        continue
                    floor = visit(minimal_url, 1)
                    if seconds is not None:
                        entry["times"].append(seconds)
                    if floor is not None:
                        entry["minimal"].append(floor)
                    print(f"  browser {name:<12} {seconds}s  minimal {floor}s", file=sys.stderr, flush=True)
            browser.close()
        found["server_memory"] = memory(app.pid)
        found["minimal_server_memory"] = memory(minimal.pid)
    finally:
        _stop(app)
        _stop(minimal)
    return found


# --- orchestration ---------------------------------------------------------------------------------------------


def _child(phase: str, args: argparse.Namespace, extra: dict | None = None) -> dict:
    """Run one phase in its own Python process and return what it measured."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        target = Path(out.name)
    cmd = [sys.executable, __file__, "--phase", phase, "--db", str(args.db), "--repeat", str(args.repeat),
           "--out", str(target), "--extra", json.dumps(extra or {}, ensure_ascii=False)]  # fmt: skip
    if not args.sweep:
        cmd.append("--no-sweep")
    subprocess.run(cmd, check=True)
    found = json.loads(target.read_text())
    target.unlink()
    return found


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.2f}{unit}"


def table(result: dict[str, Any]) -> str:
    """The Markdown report of one run."""
    meta = result["meta"]
    lines = [
        f"### {meta['label']}: {meta['teams']:,} teams, {meta['products']:,} products, {meta['rounds']} rounds, "
        f"{meta['answers']:,} live answers ({meta['db_mb']:.0f} MB)",
        "",
        f"{meta['when']} · {meta['machine']} · repeat {meta['repeat']} (medians) · run took {meta['seconds']:.0f} s",
        "",
        "| page | cold | change | warm | bare | pandas | cold/bare | warm/bare | warm/pandas | cold/pandas "
        "| bare/pandas | browser | minimal | browser/minimal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    app = result.get("apptest", {}).get("pages", {})
    web = result.get("browser", {}).get("pages", {})
    for page in PAGES:
        a, w = app.get(page, {}), web.get(page, {})
        cold, change, warm = median(a.get("cold", [])), median(a.get("change", [])), median(a.get("warm", []))
        bare, pand = median(a.get("bare", [])), median(a.get("pandas", []))
        shown, floor = median(w.get("times", [])), median(w.get("minimal", []))
        flags = []
        if cold and bare and cold > 3 * bare:
            flags.append("cold")
        if warm and bare and warm > 1.5 * bare:
            flags.append("warm")
        if warm and pand and warm > pand:
            flags.append("pandas")
        if shown and floor and shown > 1.2 * floor:
            flags.append("browser")
        lines.append(
            f"| {page} | {_fmt(cold)} | {_fmt(change)} | {_fmt(warm)} | {_fmt(bare)} | {_fmt(pand)} | "
            f"{_fmt(_ratio(cold, bare), '×')} | {_fmt(_ratio(warm, bare), '×')} | {_fmt(_ratio(warm, pand), '×')} | "
            f"{_fmt(_ratio(cold, pand), '×')} | {_fmt(_ratio(bare, pand), '×')} | "
            f"{_fmt(shown)} | {_fmt(floor)} | {_fmt(_ratio(shown, floor), '×')} |" + ("" if not flags else "")
        )
    lines += ["", "Seconds. Over target (cold ≤ 3× bare, warm ≤ 1.5× bare, warm < pandas, browser ≤ 1.2× minimal):"]
    misses = []
    for page in PAGES:
        a, w = app.get(page, {}), web.get(page, {})
        cold, warm = median(a.get("cold", [])), median(a.get("warm", []))
        bare, pand = median(a.get("bare", [])), median(a.get("pandas", []))
        shown, floor = median(w.get("times", [])), median(w.get("minimal", []))
        what = [label for label, bad in (
            ("cold > 1 s", cold is not None and cold > 1),
            ("cold > 3× bare", cold and bare and cold > 3 * bare),
            ("warm > 1.5× bare", warm and bare and warm > 1.5 * bare),
            ("warm slower than pandas", warm and pand and warm > pand),
            ("browser > 1.2× minimal", shown and floor and shown > 1.2 * floor),
        ) if bad]  # fmt: skip
        if what:
            misses.append(f"{page} ({', '.join(what)})")
    lines.append("; ".join(misses) + "." if misses else "none.")
    cli = result.get("cli", {}).get("samples", {})
    at = result.get("apptest", {})
    lines += [
        "",
        "| other | median |",
        "|---|---:|",
        f"| `python -m opmaturity summary --json` | {_fmt(median(cli.get('summary_json', [])), ' s')} |",
        f"| `python -m opmaturity export --out x.xlsx` | {_fmt(median(cli.get('export_xlsx', [])), ' s')} |",
        f"| Python start-up + `import opmaturity.cli, opmaturity.metrics` | "
        f"{_fmt(median(cli.get('python_import', [])), ' s')} |",
        f"| `summary.summary()` in process | {_fmt(median(at.get('summary_inprocess', [])), ' s')} |",
        f"| pandas: read the raw answers once | {_fmt(at.get('pandas_load_s'), ' s')} |",
    ]
    if "browser" in result:
        first = {p: result["browser"]["pages"][p]["first"] for p in PAGES}
        lines.append("| browser, first visit after start: " + ", ".join(f"{p} {_fmt(v)}" for p, v in first.items())
                     + " | s |")  # fmt: skip
        mem = result["browser"].get("server_memory", {})
        lines.append(f"| server peak RSS after every page (VmHWM) | {mem.get('peak_mb', 0):.0f} MB |")
        mini = result["browser"].get("minimal_server_memory", {})
        lines.append(f"| minimal page server peak RSS | {mini.get('peak_mb', 0):.0f} MB |")
    if "memory_after_pages" in at:
        lines.append(f"| AppTest process peak RSS after the pages | {at['memory_after_pages']['peak_mb']:.0f} MB |")
    if "sweep" in at:
        s = at["sweep"]
        lines.append(
            f"| heatmap sweep: {s['runs']} reruns (every metric × rater × rows × columns) | {s['seconds']:.1f} s, "
            f"RSS {s['before']['rss_mb']:.0f} → {s['after']['rss_mb']:.0f} MB |"
        )
    counters = {p: app[p].get("cold_counters") for p in PAGES if p in app}
    lines += ["", "Per cold run: data calls through `ui.query` (each checks the revision: one SQL query), and the "
              "seconds inside them; per warm run the same:", ""]  # fmt: skip
    for page in PAGES:
        c, w = counters.get(page) or {}, (app.get(page) or {}).get("warm_counters") or {}
        if c:
            lines.append(
                f"- {page}: cold {c['query']} calls, {c['query_s']:.2f} s inside, revision checks "
                f"{c['revision']} ({c['revision_s'] * 1000:.0f} ms); warm {w.get('query', 0)} calls, "
                f"{w.get('query_s', 0):.2f} s inside, revision {w.get('revision_s', 0) * 1000:.0f} ms"
            )
    return "\n".join(lines) + "\n"


def _counts(db: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        one = con.execute(
            """SELECT (SELECT count(*) FROM teams), (SELECT count(*) FROM products), (SELECT count(*) FROM rounds),
                      (SELECT count(*) FROM current_responses)"""
        ).fetchall()[0]
        latest = con.execute(
            """SELECT count(DISTINCT team_id) FROM current_responses WHERE round_id =
               (SELECT round_id FROM rounds ORDER BY held_on DESC LIMIT 1)"""
        ).fetchall()[0][0]
        cats = con.execute("SELECT count(*) FROM categories").fetchall()[0][0]
        teams = con.execute(
            """SELECT p.name, t.name FROM teams t JOIN products p USING (product_id)
               ORDER BY (SELECT count(*) FROM teams u WHERE u.product_id = t.product_id) DESC, p.name, t.name
               LIMIT 1"""
        ).fetchall()[0]
    finally:
        con.close()
    return {"teams": one[0], "products": one[1], "rounds": one[2], "answers": one[3], "latest_teams": latest,
            "categories": cats, "first_team": teams}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark opmaturity's pages on a generated organisation.")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--db", type=Path, help="default: bench/data/org-<scale>.duckdb, generated when missing")
    parser.add_argument("--label", help="the results file name (default: scale-<scale>)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--export-repeat", type=int, default=1, help="how often to time `export` (slow)")
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--no-apptest", dest="apptest", action="store_false")
    parser.add_argument("--no-sweep", dest="sweep", action="store_false", help="skip the heatmap memory sweep")
    parser.add_argument("--resume", action="store_true", help="keep the phases already saved under this label")
    parser.add_argument("--render", action="store_true", help="only rewrite the .md of --label from its .json")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # a child process: measure one phase, write JSON
        extra = json.loads(args.extra)
        if args.phase == "apptest":
            found = phase_apptest(args.db, args.repeat, args.sweep)
        else:
            found = phase_browser(args.db, args.repeat, extra["charts"], extra["rows"], extra["cols"], extra["query"])
        args.out.write_text(json.dumps(found, ensure_ascii=False, default=str))
        return

    if args.render:
        label = args.label or f"scale-{args.scale:g}"
        report = table(json.loads((RESULTS / f"{label}.json").read_text()))
        (RESULTS / f"{label}.md").write_text(report)
        print(report)
        return

    from generate import default_db, generate

    started = time.perf_counter()
    if args.db is None:
        args.db = default_db(args.scale)
        if not args.db.exists():
            args.db.parent.mkdir(parents=True, exist_ok=True)
            print(f"generating {args.db} ...", file=sys.stderr, flush=True)
            print(generate(args.db, args.scale), file=sys.stderr, flush=True)
    label = args.label or f"scale-{args.scale:g}"
    counts = _counts(args.db)
    result: dict[str, Any] = {"meta": {
        "label": label, "db": str(args.db), "db_mb": args.db.stat().st_size / 1e6, "repeat": args.repeat,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        **{k: v for k, v in counts.items() if k != "first_team"},
    }}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    saved = RESULTS / f"{label}.json"
    earlier = json.loads(saved.read_text()) if args.resume and saved.exists() else {}

    def save() -> str:
        result["meta"]["seconds"] = time.perf_counter() - started + earlier.get("meta", {}).get("seconds", 0)
        saved.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        report = table(result)
        (RESULTS / f"{label}.md").write_text(report)
        return report

    # Every phase is saved as soon as it is measured; --resume keeps the phases a stopped run already saved.
    for phase in ("cli", "apptest", "browser"):
        if phase in earlier:
            result[phase] = earlier[phase]
            continue
        if phase == "apptest" and not args.apptest or phase == "browser" and not args.browser:
            continue
        print(f"{phase} ...", file=sys.stderr, flush=True)
        if phase == "cli":
            result["cli"] = phase_cli(args.db, args.repeat, args.export_repeat)
        elif phase == "apptest":
            result["apptest"] = _child("apptest", args)
        else:
            charts = {p: v.get("charts", 0) for p, v in result.get("apptest", {}).get("pages", {}).items()}
            product, team = counts["first_team"]
            query = result.get("apptest", {}).get("query") or {"product": product, "team": team}
            extra = {"charts": charts, "rows": counts["latest_teams"], "cols": counts["categories"], "query": query}
            result["browser"] = _child("browser", args, extra)
        save()
    print(save())


if __name__ == "__main__":
    main()
