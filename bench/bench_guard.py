"""The cost of the import's defences: the xlsx guard's one XML pass on a large workbook, and the fenced worker's
start-up per file.

    python bench/bench_guard.py                      # a ~50 MB workbook (400,000 rows x 12 columns), 3 repeats
    python bench/bench_guard.py --rows 100000 --repeat 5

Prints one line per measurement; the machine is shared, so compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl.utils.cell import get_column_letter  # noqa: E402

from opmaturity import fence, parsing, readers  # noqa: E402
from opmaturity.model import load_model  # noqa: E402
from opmaturity.readers.guard import Guard  # noqa: E402
from opmaturity.settings import Settings  # noqa: E402

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(rows: int, cols: int = 12, strings: int = 200_000) -> bytes:
    """A workbook of `rows` x `cols` cells, every other one a shared string out of `strings` random texts."""
    rnd = random.Random(7)
    letters = [get_column_letter(c) for c in range(1, cols + 1)]
    texts = [
        "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz運用監視手順", k=rnd.randint(4, 24))) for _ in range(strings)
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        sst = "".join(f"<si><t>{t}</t></si>" for t in texts)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" uniqueCount="{strings}">{sst}</sst>')
        sheet = [f'<worksheet xmlns="{MAIN}"><dimension ref="A1:{letters[-1]}{rows}"/><sheetData>']
        for r in range(1, rows + 1):
            cells = "".join(
                f'<c r="{c}{r}" t="s"><v>{rnd.randrange(strings)}</v></c>'
                if i % 2
                else f'<c r="{c}{r}"><v>{rnd.random() * 1e6:.6f}</v></c>'
                for i, c in enumerate(letters)
            )
            sheet.append(f'<row r="{r}">{cells}</row>')
        sheet.append("</sheetData></worksheet>")
        archive.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
    return buffer.getvalue()


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def show(label: str, times: list[float]) -> None:
    print(f"{label:58} median {statistics.median(times):7.3f} s  (min {min(times):.3f}, n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = workbook(args.rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    print(f"workbook: {len(data) / 1024**2:.1f} MB, unpacks to {unpacked / 1024**2:.0f} MB, {args.rows:,} rows x 12")
    settings = Settings.from_env()
    limit = readers.limits(max_bytes=max(len(data), settings.limits.max_bytes), base=settings.limits)

    def guard() -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            Guard(archive, limit).admit("S")

    show("guard: one XML pass (shared strings + sheet)", timed(guard, args.repeat))
    outcome: list[readers.Source] = []
    show("guard + calamine: readers.read", timed(lambda: outcome.append(readers.read("big.xlsx", data, limit)), 1))
    source = outcome[0]
    print(f"  read: kind {source.kind!r}, rows {sum(len(t.rows) for t in source.tables):,},", source.problems[:1])

    model = load_model()
    tiny = (Path(__file__).resolve().parents[1] / "tests" / "data" / "imports" / "tidy.csv").read_bytes()
    xlsx = (Path(__file__).resolve().parents[1] / "tests" / "data" / "imports" / "tidy.xlsx").read_bytes()
    limits = {"max_bytes": 10**8, "max_rows": 10**6, "max_cells": 10**8, "max_text": 10**9}
    with tempfile.TemporaryDirectory():
        for name, content in (("tidy.csv", tiny), ("tidy.xlsx", xlsx)):
            req = parsing.request(name, content, model_source=model.source, mappings={}, key=b"k", limits=limits)
            parsing.run(req.header, req.data)  # warm: imports done in this process
            show(
                f"in-process parse of {name} (imports already loaded)",
                timed(lambda r=req: parsing.run(r.header, r.data), args.repeat * 3),
            )
            show(
                f"fenced parse of {name} (child start-up + imports + parse)",
                timed(lambda r=req: parsing.parse(r, settings.worker), args.repeat * 3),
            )
    show(
        "fenced probe echo (bare child: python + opmaturity.fence)",
        timed(lambda: fence.run("probe", b"echo:x"), args.repeat * 3),
    )


if __name__ == "__main__":
    main()
