"""The package builds as a wheel holding only `opmaturity`, with its SQL, strings and model as package data."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_the_package_and_the_files_it_reads(tmp_path):
    source = tmp_path / "src"  # a copy, so that the build leaves nothing in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "__pycache__", "*.duckdb*", "data", "build"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("opmaturity-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"opmaturity", wheel.name.split("-py")[0] + ".dist-info"}
    for needed in (
        "opmaturity/models/default.yaml",
        "opmaturity/sql/item_scores.sql",
        "opmaturity/strings/common.yaml",
    ):
        assert needed in names
    sql_files = {p.name for p in (ROOT / "opmaturity" / "sql").glob("*.sql")}
    assert sql_files == {Path(n).name for n in names if n.startswith("opmaturity/sql/")}
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "opmaturity = opmaturity.cli:main" in entry_points
