"""The importer against its floor: `python bench/bench_import.py [ANSWERS] [--repeat N] [--formats csv,xlsx]`.

For a tidy CSV and a tidy xlsx of ANSWERS answers (default 500,000; every respondent answers every item once),
it measures in one run, on the same files:

- the floor: reading the file alone (Arrow's CSV reader; python-calamine for the workbook) plus one bulk insert
  of what was read into a new DuckDB table;
- `import_file` (the fenced worker included: its start, reading, detecting the layout, checking every cell,
  settling, the answers' way back, the round, the products and teams, the insert, the audit line);
- the command line end to end (`python -m opmaturity import` into an organisation's database that exists, as
  `import` usually runs: making a new file's schema is not the import's work), next to a script doing the floor's
  work, both including the start of Python;
- peak memory of the command line and of its worker (ru_maxrss), next to the file's decoded size (the answers
  as UTF-8 text).

The issue's target: import at most 3x the floor, memory below 4x the decoded size. Results go to stdout and to
bench/results/import-ANSWERS.{json,md}. Not run by pytest.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OPMATURITY_SECRET", "bench-secret")

from run import cached_bytecode  # noqa: E402  (bench/run.py)

from opmaturity.model import load_model  # noqa: E402

HEADER = ["プロダクト", "チーム", "回答者", "回答者ロール", "カテゴリ", "項目", "現状レベル", "目標", "温度感",
          "コメント", "実施日"]  # fmt: skip
LIMITS = {"OPMATURITY_MAX_BYTES": str(2**31 - 1), "OPMATURITY_MAX_ROWS": "10000000",
          "OPMATURITY_MAX_CELLS": "200000000", "OPMATURITY_MAX_TEXT": str(2**31 - 1)}  # fmt: skip
RESULTS = ROOT / "bench" / "results"


def rows(count: int) -> list[list[object]]:
    """The answers as rows: 20 products, 3 teams each, a quarter of respondents SRE, a comment every 10th."""
    model = load_model()
    items = model.items
    out: list[list[object]] = []
    for n in range(count):
        person, item = divmod(n, len(items))
        out.append([
            f"プロダクト{person % 20:02d}", f"チーム{person % 3}", f"回答者{person:06d}",
            "SRE" if person % 4 == 0 else "開発",
            model.category(items[item].category).ja, items[item].ja, n % 5, 3, "高中低"[n % 3],
            "コメント" if n % 10 == 0 else "", "2024-05-20",
        ])  # fmt: skip
    return out


def write_csv(path: Path, body: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(body)


def write_xlsx(path: Path, body: list[list[object]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("回答")
    sheet.append(HEADER)
    for line in body:
        sheet.append([*line[:10], datetime(2024, 5, 20)])
    book.save(path)


FLOOR = """
import resource, sys, time
import duckdb
started = time.perf_counter()
path, db = sys.argv[1], sys.argv[2]
if path.endswith(".csv"):
    import pyarrow.csv
    read_table = pyarrow.csv.read_csv(path)
else:
    import pyarrow as pa
    from python_calamine import load_workbook
    book = load_workbook(path)
    cells = book.get_sheet_by_index(0).to_python()
    header, body = cells[0], cells[1:]
    read_table = pa.table({f"c{n}": pa.array([str(r[n]) for r in body]) for n in range(len(header))})
read = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
con = duckdb.connect(db)
con.execute("CREATE TABLE answers AS SELECT * FROM read_table")
con.close()
print(f"{read} {time.perf_counter() - started} {peak}")
"""

MEASURE = """
import json, os, resource, sys, time
started = time.perf_counter()
from pathlib import Path
from opmaturity import store
from opmaturity.importer import ImportOptions, import_file
from opmaturity.model import load_model
path, db = Path(sys.argv[1]), sys.argv[2]
model = load_model()
con = store.connect(db, model)
data = path.read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = import_file(con, path.name, data, model, ImportOptions(round="2024-H1"))
elapsed = time.perf_counter() - started
con.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "status": report.status, "answers": report.answered,
                  "problems": [str(p) for p in report.problems[:3]],
                  "parent_before_mb": before / 1024, "parent_peak_mb": peak, "worker_peak_mb": worker}))
"""


def run(args: list[str], env: dict[str, str]) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode:
        raise SystemExit(f"{args[:4]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout, time.perf_counter() - started


def measure(path: Path, work: Path, repeat: int) -> dict[str, object]:
    env = {**cached_bytecode(os.environ), **LIMITS, "PYTHONPATH": str(ROOT)}
    best: dict[str, float] = {}
    detail: dict[str, object] = {}

    def keep(name: str, value: float) -> None:
        best[name] = min(best.get(name, value), value)

    for n in range(repeat):
        db = work / f"floor-{path.suffix[1:]}-{n}.duckdb"
        out, wall = run([sys.executable, "-c", FLOOR, str(path), str(db)], env)
        read, total, peak = map(float, out.split())
        detail_floor_peak = peak
        keep("floor_read", read)
        keep("floor", total)
        keep("floor_process", wall)
        db = work / f"import-{path.suffix[1:]}-{n}.duckdb"
        out, wall = run([sys.executable, "-c", MEASURE, str(path), str(db)], env)
        found = json.loads(out)
        if found["status"] != "imported":
            raise SystemExit(f"import refused: {found}")
        keep("import_file", found["seconds"])
        detail = {**found, "floor_peak_mb": detail_floor_peak}
        db = work / f"cli-{path.suffix[1:]}-{n}.duckdb"
        run([sys.executable, "-m", "opmaturity", "summary", "--db", str(db), "--json"], env)  # the database exists
        cli = [sys.executable, "-m", "opmaturity", "import", str(path), "--db", str(db), "--round", "2024-H1", "--json"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        _, wall = run(cli, env)
        keep("cli_process", wall)
        detail["cli_peak_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return {**best, **detail}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", nargs="?", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    body = rows(args.answers)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv_path = work / "tidy.csv"
        write_csv(csv_path, body)
        decoded = csv_path.stat().st_size  # the answers as UTF-8 text: the decoded size of either file
        results: dict[str, object] = {"answers": args.answers, "decoded_mb": decoded / 1e6, "cpus": os.cpu_count()}
        for kind in args.formats.split(","):
            path = csv_path
            if kind == "xlsx":
                path = work / "tidy.xlsx"
                write_xlsx(path, body)
            found = measure(path, work, args.repeat)
            found["file_mb"] = path.stat().st_size / 1e6
            found["ratio"] = found["import_file"] / found["floor"]  # type: ignore[operator]
            found["process_ratio"] = found["cli_process"] / found["floor_process"]  # type: ignore[operator]
            results[kind] = found
            print(f"{kind}: {json.dumps(found, ensure_ascii=False)}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"import-{args.answers}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))


def markdown(results: dict[str, object]) -> str:
    lines = [
        f"Import of {results['answers']:,} answers ({results['decoded_mb']:.1f} MB as UTF-8 text), "
        f"{results['cpus']} CPUs, best of the runs.",
        "",
        "| file | MB | floor read | floor read+insert | import_file | ratio | CLI (process) | floor (process) "
        "| ratio | parent before/peak MB | worker peak MB | floor read peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("csv", "xlsx"):
        r = results.get(kind)
        if not isinstance(r, dict):
            continue
        lines.append(
            f"| {kind} | {r['file_mb']:.1f} | {r['floor_read']:.2f} s | {r['floor']:.2f} s "
            f"| {r['import_file']:.2f} s | {r['ratio']:.2f}x | {r['cli_process']:.2f} s | {r['floor_process']:.2f} s "
            f"| {r['process_ratio']:.2f}x | {r['parent_before_mb']:.0f} / {r['parent_peak_mb']:.0f} "
            f"| {r['worker_peak_mb']:.0f} | {r.get('floor_peak_mb', 0):.0f} |"
        )
    lines += [
        "",
        "Peaks are whole processes (a Python with pyarrow loaded is about 60 MB; the command line's parent also holds "
        "pandas, DuckDB and the answers). `floor read peak` is the floor's process once the file is read (for a "
        "workbook: calamine's cells as Python values).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
