"""What holding the database only for a moment costs the dashboard (issue: the command line beside the dashboard).

The dashboard opens the file when a script run misses its caches and closes it at the end of the run; a run whose
queries all hit the caches never opens it. This measures, on one database file:
- open: `store.connect` (a DuckDB instance, the file lock, the schema check, the model check) and close, what the
  command line pays; attach: `store.attach` and `detach` (the file attached to the process's instance), the cost a
  missing run of the dashboard pays;
- signature: `store.signature`, the stat calls every query pays to key its cache;
- a page run under AppTest, warm (every query cached) and after the data changed (every query missing, one open).

    python bench/bench_connection.py --db bench/data/org-0.2.duckdb [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opmaturity import store  # noqa: E402
from opmaturity.model import load_model  # noqa: E402


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--page", default="heatmap")
    args = parser.parse_args()
    os.environ.setdefault("OPMATURITY_SECRET", "bench")
    model = load_model()
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "bench.duckdb"
        shutil.copyfile(args.db, db)
        store.connect(db, model).close()
        print(f"database: {db.stat().st_size / 1e6:.1f} MB")
        print(f"open + close:  {timed(lambda: store.connect(db, model).close(), args.repeat) * 1000:7.1f} ms")
        attach = timed(lambda: store.detach(store.attach(db, model)), args.repeat)
        print(f"attach + detach: {attach * 1000:5.1f} ms")
        print(f"signature:     {timed(lambda: store.signature(db), args.repeat * 50) * 1e6:7.1f} µs")

        from streamlit.testing.v1 import AppTest

        os.environ["OPMATURITY_DB"] = str(db)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.switch_page(f"app_pages/{args.page}.py")
        at.run()
        warm = timed(lambda: at.run(), max(3, args.repeat // 4))

        def changed() -> None:
            con = store.connect(db, model)
            try:
                store.bump(con)  # a commit: the file's signature moves, every cached query misses
            finally:
                con.close()
            at.run()

        cold = timed(changed, max(3, args.repeat // 4))
        print(f"{args.page} warm run:       {warm * 1000:7.1f} ms  (no open)")
        print(f"{args.page} after a change: {cold * 1000:7.1f} ms  (one open, every query again)")


if __name__ == "__main__":
    main()
