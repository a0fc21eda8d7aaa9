"""The limits on a file's shape, told before the expensive work: columns of a row, characters of a cell, rows
below the header. Each refusal names the file, where (row, column, item) and the size against the limit, and
leaves the database as it was."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from opmaturity.importer import ImportOptions, import_file
from opmaturity.readers import limits, read
from opmaturity.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = Path(__file__).parent / "data" / "imports"
FORM_HEAD = ["タイムスタンプ", "メールアドレス", "プロダクト", "チーム", "回答者ロール"]
FORM_ANSWER = ["2024/01/07 7:41:40 午後 GMT+9", "tanaka@example.com", "学び放題", "チームA", "プロダクトチーム（開発）"]


def forms_csv(columns: int, answers: int = 2, encoding: str = "utf-8-sig", level: str = "3 運用・計測") -> bytes:
    """A Google Forms export as Forms writes it (every cell quoted, CRLF), `columns` wide: five fixed columns,
    then one level question per column."""
    questions = columns - len(FORM_HEAD)
    header = FORM_HEAD + [f"現状レベル [監視・アラート: 設問{n}]" for n in range(1, questions + 1)]
    lines = [header] + [FORM_ANSWER + [level] * questions] * answers
    return "".join(",".join(f'"{cell}"' for cell in line) + "\r\n" for line in lines).encode(encoding)


def snapshot(con) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a refusal changed nothing."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


def stored(path: Path) -> dict[str, list[tuple]]:
    """The snapshot of a database file the command line wrote."""
    con = duckdb.connect(str(path))
    try:
        return snapshot(con)
    finally:
        con.close()


def refused(con, model, name: str, data: bytes, **options) -> tuple[dict, dict]:
    """Import a file that must be refused, after a good one: its one problem as the JSON contract has it, and
    the database before and after."""
    import_file(con, "tidy.csv", (IMPORTS / "tidy.csv").read_bytes(), model, ImportOptions())
    before = snapshot(con)
    report = import_file(con, name, data, model, ImportOptions(**options))
    assert (report.status, report.answered, report.notes, report.import_id) == ("rejected", 0, 0, None)
    assert report.messages[-1] == "rejected: 1 problem; nothing was written"
    (problem,) = report.to_dict()["problems"]
    return problem, {"before": before, "after": snapshot(con)}


def only_problem(source) -> tuple[str, int | None, str, str]:
    assert source.kind == "" and source.tables == [] and source.payload is None
    (problem,) = source.problems
    return problem.file, problem.row, problem.column, problem.message


# --- columns --------------------------------------------------------------------------------------------

WIDER = (
    "this row has 16,385 columns; the limit is 16,384 columns (OPMATURITY_MAX_COLS; Excel itself stops at 16,384, "
    "column XFD); delete the columns that are not needed"
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_a_csv_wider_than_excel_is_refused_at_its_header_naming_the_count_and_the_limit(encoding):
    source = read("survey.csv", forms_csv(16_385, encoding=encoding))
    assert only_problem(source) == ("survey.csv", 1, "", WIDER)
    assert source.problems[0].full("ja") == (
        "survey.csv、1行目: この行には 16,385 列あり、上限の 16,384 列（OPMATURITY_MAX_COLS。Excel自体も16,384列、"
        "XFD列までです）を超えています。不要な列を削除してください"
    )


def test_a_csv_as_wide_as_excel_is_read():
    source = read("survey.csv", forms_csv(16_384, answers=1))
    assert (source.kind, source.problems, source.tables[0].width) == ("csv", [], 16_384)


def test_a_csv_too_wide_is_refused_by_the_importer_and_nothing_is_stored(con, model):
    problem, database = refused(con, model, "survey.csv", forms_csv(16_385))
    assert problem == {"sheet": "", "row": 1, "column": "", "value": "", "message": WIDER}
    assert database["after"] == database["before"]


def test_delimiters_inside_quoted_headers_are_not_columns():
    header = ",".join(f'"現状レベル [監視, アラート: 設問{n}]"' for n in range(4))
    source = read("survey.csv", f"{header}\r\n3,3,3,3\r\n".encode(), limits(max_cols=4))
    assert (source.kind, source.problems, source.tables[0].width) == ("csv", [], 4)


def test_a_header_wider_than_its_first_line_is_refused_after_arrow_reads_it():
    data = '"項目\r\n（監視）",現状レベル,目標,コメント\r\n外形監視,3,4,なし\r\n'.encode()  # a line break in a header
    assert only_problem(read("tidy.csv", data, limits(max_cols=3)))[1:] == (
        1, "", "this row has 4 columns; the limit is 3 columns (OPMATURITY_MAX_COLS; Excel itself stops at 16,384, "
        "column XFD); delete the columns that are not needed",
    )  # fmt: skip


def test_a_ragged_board_export_with_one_row_too_wide_names_that_row():
    board = "\ufeff監視の振り返り,,\r\nダッシュボードが古い,アラートが多い,通知先が不明\r\nインシデント対応,,\r\n"
    wide = board + ",".join(f"付箋{n}" for n in range(6)) + "\r\n"
    assert read("board.csv", board.encode(), limits(max_cols=3)).problems == []
    file, row, _, message = only_problem(read("board.csv", wide.encode(), limits(max_cols=5)))
    assert (file, row) == ("board.csv", 4)
    assert message.startswith("this row has 6 columns; the limit is 5 columns (OPMATURITY_MAX_COLS")


def test_the_column_limit_comes_from_the_environment():
    chosen = Settings.from_env({"OPMATURITY_MAX_COLS": "6"}).limits
    assert (chosen.max_cols, Settings.from_env({}).limits.max_cols) == (6, 16_384)
    assert read("survey.csv", forms_csv(6), chosen).problems == []
    assert only_problem(read("survey.csv", forms_csv(7), chosen))[1] == 1


def test_a_crafted_sheet_wider_than_excel_is_refused_naming_its_last_column():
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>項目</t></is></c>'
        '<c r="XFE1"><v>3</v></c></row></sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with zipfile.ZipFile(buffer) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, xml if part == "xl/worksheets/sheet1.xml" else content)
    source = read("survey.xlsx", crafted.getvalue())
    assert (source.kind, source.problems[0].sheet) == ("", "Sheet")
    assert source.problems[0].message.startswith(
        'sheet "Sheet" reaches row 1 and column XFE (A1:XFE1, 1 row x 16,385 columns = 16,385 cells); the limit is '
    )
    assert "16,384 columns (OPMATURITY_MAX_COLS)" in source.problems[0].message


def test_a_workbook_wider_than_a_lowered_column_limit_is_refused():
    wb = Workbook()
    wb.active.append(["項目", "現状レベル", "目標", "コメント"])
    wb.active.append(["外形監視", 3, 4, "なし"])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert read("tidy.xlsx", buffer.getvalue(), limits(max_cols=4)).problems == []
    source = read("tidy.xlsx", buffer.getvalue(), limits(max_cols=3))
    assert source.problems[0].message.startswith('sheet "Sheet" reaches row 2 and column D (A1:D2, 2 rows x 4 columns')


def test_the_command_line_refuses_a_csv_of_100000_columns_and_writes_nothing(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_bytes(forms_csv(100_000, answers=1))
    db = tmp_path / "survey.duckdb"
    env = {**os.environ, "OPMATURITY_SECRET": "test-secret", "OPMATURITY_LANG": "en"}
    run = [sys.executable, "-m", "opmaturity", "import"]
    subprocess.run(
        [*run, str(IMPORTS / "tidy.csv"), "--db", str(db)], cwd=ROOT, env=env, check=True, capture_output=True
    )
    before = stored(db)
    done = subprocess.run(
        [*run, str(wide), "--db", str(db), "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    (report,) = json.loads(done.stdout)["files"]
    assert (report["status"], report["layout"]) == ("rejected", "")
    assert report["problems"] == [
        {"sheet": "", "row": 1, "column": "", "value": "", "message": WIDER.replace("16,385", "100,000")}
    ]
    assert stored(db) == before
