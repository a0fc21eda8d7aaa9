"""Time importing a 100,000-row tidy workbook: `python bench/bench_import.py [ROWS]` (not run by pytest)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OPMATURITY_SECRET", "bench-secret")

from opmaturity import store  # noqa: E402
from opmaturity.importer import ImportOptions, import_file  # noqa: E402
from opmaturity.model import load_model  # noqa: E402

HEADER = ["プロダクト", "チーム", "回答者", "回答者ロール", "カテゴリ", "項目", "現状レベル", "目標", "温度感",
          "コメント", "実施日"]  # fmt: skip


def make_workbook(path: Path, rows: int) -> None:
    """A tidy workbook of `rows` answers: every respondent answers every item once."""
    model = load_model()
    items = model.items
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("回答")
    ws.append(HEADER)
    for n in range(rows):
        person, item = divmod(n, len(items))
        product = f"プロダクト{person % 20:02d}"
        ws.append([
            product, f"チーム{person % 3}", f"回答者{person:05d}", "SRE" if person % 4 == 0 else "開発",
            model.category(items[item].category).ja, items[item].ja, n % 5, 3, "高中低"[n % 3],
            "コメント" if n % 10 == 0 else None, datetime(2024, 5, 20),
        ])  # fmt: skip
    wb.save(path)


def main(rows: int = 100_000) -> None:
    model = load_model()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "tidy_100k.xlsx"
        started = time.perf_counter()
        make_workbook(book, rows)
        print(f"wrote {rows:,} rows ({book.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        con = store.connect(Path(tmp) / "bench.duckdb", model)
        data = book.read_bytes()
        started = time.perf_counter()
        report = import_file(con, book.name, data, model, ImportOptions())
        elapsed = time.perf_counter() - started
        stored = store.scalar(con, "SELECT count(*) FROM responses")
        print(f"import_file: {report.status}, {report.responses:,} answers, {stored:,} rows stored in {elapsed:.2f} s")
        for problem in report.problems[:5]:
            print(f"  - {problem}")
        con.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
