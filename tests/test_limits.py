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


# --- characters of one cell ---------------------------------------------------------------------------

COMMENT = "コメント [サービスダッシュボード]"


def commented_csv(comment: str, encoding: str = "utf-8-sig") -> bytes:
    """A Google Forms export whose second answer carries `comment` in its comment column (J)."""
    header = [
        *FORM_HEAD,
        "現状レベル [監視・アラート: サービスダッシュボード]",
        "温度感",
        "利用しているツール",
        "回答日",
        COMMENT,
    ]
    first = [*FORM_ANSWER, "3 運用・計測", "高", "Datadog;Sentry", "2024/01/07", "Grafanaで見ている"]
    second = [*FORM_ANSWER, "2", "中", "Datadog", "2024/01/07", comment]
    return "".join(",".join(f'"{c}"' for c in line) + "\r\n" for line in (header, first, second)).encode(encoding)


LONGER = (
    "cell J3 holds 32,768 characters; the limit is 32,767 characters per cell, as in Excel; shorten the text and "
    "import the file again"
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_a_csv_cell_longer_than_excel_allows_is_refused_naming_its_row_column_and_length(encoding):
    comment = ("夜間のアラートが多すぎる。" * 3_000)[:32_768]
    file, row, column, message = only_problem(read("survey.csv", commented_csv(comment, encoding)))
    assert (file, row, column, message) == ("survey.csv", 3, COMMENT, LONGER)
    assert read("survey.csv", commented_csv(comment, encoding)).problems[0].full("ja") == (
        "survey.csv、3行目、列「コメント [サービスダッシュボード]」: セル J3 に 32,768 文字あり、"
        "1セルの上限の 32,767 文字（Excelと同じ）を超えています。文章を短くしてから、もう一度取り込んでください"
    )
    source = read("survey.csv", commented_csv(comment[:32_767], encoding))
    assert (source.kind, source.tables[0].rows[2][9]) == ("csv", comment[:32_767])


def test_a_header_longer_than_excel_allows_is_named_by_its_cell():
    data = f"項目,現状レベル,{'長' * 40_000}\r\n外形監視,3,なし\r\n".encode()
    assert only_problem(read("tidy.csv", data))[1:] == (
        1, "", "cell C1 holds 40,000 characters; the limit is 32,767 characters per cell, as in Excel; shorten the "
        "text and import the file again",
    )  # fmt: skip


def test_the_first_long_cell_by_rows_is_named_whichever_column_it_is_in():
    rows = ["項目,現状レベル,コメント", "外形監視,3,なし", f"ランブック,2,{'x' * 40_000}", f"{'y' * 50_000},1,なし"]
    source = read("tidy.csv", "\r\n".join(rows).encode())
    assert only_problem(source)[1:3] == (3, "コメント")


def test_a_long_sticky_in_a_board_export_read_row_by_row_is_refused():
    board = "\ufeff監視の振り返り,,\r\nダッシュボードが古い,アラートが多い,通知先が不明\r\nインシデント対応,,\r\n"
    board += "付" * 32_768 + "\r\n"
    file, row, _, message = only_problem(read("board.csv", board.encode()))  # ragged rows: the row reader's
    assert (file, row) == ("board.csv", 4)
    assert message.startswith("cell A4 holds 32,768 characters; the limit is 32,767 characters per cell")


def test_a_csv_with_a_cell_too_long_changes_nothing_even_when_only_valid_rows_are_asked_for(con, model):
    problem, database = refused(
        con, model, "survey.csv", commented_csv("長" * 40_000), skip_invalid=True, product="学び放題"
    )
    assert problem == {
        "sheet": "", "row": 3, "column": COMMENT, "value": "長" * 79 + "…",
        "message": LONGER.replace("32,768", "40,000"),
    }  # fmt: skip
    assert database["after"] == database["before"]


def miro_board(**changes: str) -> bytes:
    """The Miro REST API fixture with some items' text changed: `name=text`, the name being one of `frame`
    (the frame's title), `sticky` (the first sticky's HTML) or `text` (a text item, which is never stored)."""
    payload = json.loads((IMPORTS / "miro_api.json").read_text(encoding="utf-8"))
    where = {"frame": (0, "title"), "sticky": (1, "content"), "text": (3, "content")}
    for name, text in changes.items():
        n, field = where[name]
        payload["data"][n]["data"][field] = text
    return json.dumps(payload, ensure_ascii=False).encode()


def test_a_miro_sticky_longer_than_a_cell_is_refused_naming_the_item_and_nothing_is_stored(con, model):
    problem, database = refused(con, model, "board.json", miro_board(sticky=f"<p>{'付' * 40_000}</p>"))
    assert problem == {
        "sheet": "",
        "row": None,  # named by its id: a board's JSON has no rows to find (an outside review saw "row 2")
        "column": "",
        "value": "付" * 79 + "…",
        "message": "the text of board item 3458764500000000002 holds 40,000 characters; the limit is 32,767 "
        "characters, as for a cell in Excel; shorten it in Miro and export the board again",
    }
    assert database["after"] == database["before"]


def test_a_miro_frame_title_longer_than_a_cell_is_refused(con, model):
    report = import_file(con, "board.json", miro_board(frame="枠" * 32_768), model, ImportOptions(skip_invalid=True))
    assert report.status == "rejected" and report.notes == 0
    assert report.problems[0].full("ja") == (
        "board.json: ボードの項目 3458764500000000001 のフレームのタイトルが 32,768 文字あり、上限の 32,767 文字"
        "（Excelの1セルと同じ）を超えています。Miroで短くしてから、ボードをエクスポートし直してください"
    )
    assert con.execute("SELECT count(*) FROM notes").fetchone() == (0,)


def test_miro_text_is_measured_as_stored_and_items_never_stored_may_be_longer(con, model):
    board = miro_board(sticky=f"<p>{'付' * 32_767}</p>", text=f"<p>{'メモ' * 40_000}</p>")
    report = import_file(con, "board.json", board, model, ImportOptions(product="学び放題", team="チームA"))
    assert (report.status, report.problems) == ("imported", [])
    assert con.execute("SELECT max(length(text)) FROM notes").fetchone() == (32_767,)


# --- rows below the header ------------------------------------------------------------------------------


def answered_csv(answers: int) -> bytes:
    """The Google Forms fixture with `answers` respondents below its header, each answering as its first did."""
    header, first, *_ = (IMPORTS / "google_forms.csv").read_bytes().decode("utf-8").split("\r\n")
    rows = [first.replace("tanaka@", f"user{n}@") for n in range(answers)]
    return "\r\n".join([header, *rows, ""]).encode("utf-8-sig")


def test_a_csv_with_as_many_answers_as_the_row_limit_below_its_header_is_imported(con, model):
    report = import_file(con, "survey.csv", answered_csv(3), model, ImportOptions(max_rows=3))
    assert (report.status, report.problems, report.answered) == ("imported", [], 9)
    problem, database = refused(con, model, "more.csv", answered_csv(4), max_rows=3)
    assert problem["message"] == (
        "the file has 4 rows below its first row (the header); the limit is 3 rows (OPMATURITY_MAX_ROWS); split it "
        "into smaller files"
    )
    assert database["after"] == database["before"]


def test_the_row_reader_counts_rows_below_the_header_too():
    board = "\ufeff監視の振り返り\r\nダッシュボードが古い,アラートが多い,通知先が不明\r\nインシデント対応\r\n"  # ragged
    assert read("board.csv", board.encode(), limits(max_rows=2)).problems == []
    (problem,) = read("board.csv", board.encode(), limits(max_rows=1)).problems
    assert problem.full("ja") == (
        "board.csv: ファイルの1行目（見出し）の下の行数が上限の 1 行（OPMATURITY_MAX_ROWS）を超えています。"
        "小さなファイルに分けてください"
    )


def test_the_row_limit_from_the_environment_leaves_the_header_out():
    chosen = Settings.from_env({"OPMATURITY_MAX_ROWS": "2"}).limits
    assert read("survey.csv", forms_csv(7, answers=2), chosen).problems == []
    assert only_problem(read("survey.csv", forms_csv(7, answers=3), chosen))[3].startswith(
        "the file has 3 rows below its first row (the header); the limit is 2 rows (OPMATURITY_MAX_ROWS)"
    )


def workbook(*sheets: int) -> bytes:
    """A tidy workbook: one sheet per count, each a header row and that many answers."""
    wb = Workbook()
    wb.remove(wb.active)
    for n, answers in enumerate(sheets, start=1):
        sheet = wb.create_sheet(f"チーム{n}")
        sheet.append(["プロダクト", "回答者ロール", "項目", "現状レベル"])
        for _ in range(answers):
            sheet.append(["学び放題", "SRE", "外形監視", 3])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_sheet_with_as_many_answers_as_the_row_limit_below_its_header_is_read():
    assert read("tidy.xlsx", workbook(3), limits(max_rows=3)).problems == []
    (problem,) = read("tidy.xlsx", workbook(4), limits(max_rows=3)).problems
    assert problem.sheet == "チーム1"
    assert problem.message.startswith(
        'sheet "チーム1" reaches row 5 and column D (A1:D5, 5 rows x 4 columns = 20 cells); the limit is 3 rows '
        "below the first row (OPMATURITY_MAX_ROWS)"
    )


def test_the_sheets_of_a_workbook_count_their_rows_below_each_header_together():
    assert read("tidy.xlsx", workbook(2, 2), limits(max_rows=4)).problems == []
    (problem,) = read("tidy.xlsx", workbook(2, 3), limits(max_rows=4)).problems
    assert problem.message == (
        "the workbook's sheets have 5 rows in all below their first rows (the headers); the limit is 4 rows for "
        "the whole file (OPMATURITY_MAX_ROWS); split it into smaller files"
    )


def test_a_miro_board_over_the_row_limit_is_told_in_items():
    (problem,) = read("board.json", miro_board(), limits(max_rows=4)).problems
    assert problem.message == (
        "the board has 5 items; the limit is 4 items (OPMATURITY_MAX_ROWS); export it in smaller parts (a frame at "
        "a time, say)"
    )
    assert read("board.json", miro_board(), limits(max_rows=5)).problems == []
