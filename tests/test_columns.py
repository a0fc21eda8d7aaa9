"""The columnar import path: a large tidy table is checked column by column and still names every bad cell;
answers travel from the worker as Arrow columns; the rows a person sees are the rows of the file."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, datetime

import pyarrow as pa
import pytest
from openpyxl import Workbook

from opmaturity import codec
from opmaturity.batch import ANSWER_SCHEMA, Answer, Answers, Batch, settle
from opmaturity.importer import ImportOptions, import_file
from opmaturity.readers import Table, read
from opmaturity.readers.columns import coded_columns

HEADER = ["プロダクト", "チーム", "回答者", "回答者ロール", "項目", "現状レベル", "温度感", "コメント", "実施日"]
ITEMS = ["OBS-1", "OBS-2", "OBS-3", "INC-1", "INC-2"]


def tidy_rows(people: int) -> list[list[str]]:
    """Every person answers five items: products A/B, teams by person, SRE every third person."""
    rows = []
    for person in range(people):
        for n, item in enumerate(ITEMS):
            rows.append([f"P{person % 2}", f"T{person % 4}", f"r{person:04d}", "SRE" if person % 3 == 0 else "開発",
                         item, str((person + n) % 5), "高", "", "2024-05-20"])  # fmt: skip
    return rows


def as_csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_large_csv_is_read_as_columns_and_every_bad_cell_is_named(con, model):
    rows = tidy_rows(800)  # 4,000 answers
    rows[10][5] = "5"  # Excel row 12: a level out of range
    rows[2500][4] = "OBS-99"  # Excel row 2502: no such item
    rows[3999][3] = "営業"  # Excel row 4001, the last: no rater word
    data = as_csv(rows)
    source = read("big.csv", data)
    assert source.tables[0].columns is not None  # read by Arrow, no Python row per answer
    report = import_file(con, "big.csv", data, model, ImportOptions(round="2024-H1"))
    assert report.status == "rejected"
    where = [(p.row, p.column, p.value) for p in report.problems]
    assert where == [(12, "現状レベル", "5"), (2502, "項目", "OBS-99"), (4001, "回答者ロール", "営業")]
    assert report.skippable
    report = import_file(con, "big.csv", data, model, ImportOptions(round="2024-H1", skip_invalid=True))
    assert report.status == "imported"
    assert report.skipped == 3
    assert con.execute("SELECT count(*) FROM responses").fetchone() == (3997,)
    # Hand-counted: persons 2, 6, 10 … 798 are on T2 (200); 67 of them (6, 18, 30 …) are SRE, 133 the team.
    # Person 2's OBS-1 (Excel row 12) was the bad level, so the team's OBS-1 has 132 answers, OBS-2 133.
    counts = con.execute(
        """SELECT item_key, count(*) FROM responses r JOIN teams t USING (team_id)
           WHERE t.name = 'T2' AND r.rater = 'team' GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    assert counts == [("INC-1", 133), ("INC-2", 133), ("OBS-1", 132), ("OBS-2", 133), ("OBS-3", 133)]


def test_group_cells_left_blank_are_filled_down_and_footers_are_left_out(con, model):
    rows = [
        ["学び放題", "検索", "r1", "開発", "OBS-1", "2", "", "", ""],
        ["", "", "", "", "OBS-2", "3", "", "", ""],  # product, team, person and rater filled down
        ["学び放題", "決済", "r2", "SRE", "OBS-1", "1", "", "", ""],
        ["平均", "", "", "", "", "2.0", "", "", ""],  # a footer row: said, never an answer or a problem
    ]
    report = import_file(con, "fill.csv", as_csv(rows), model, ImportOptions(round="2024-H1"))
    assert report.status == "imported", report.problems
    assert report.answered == 3
    stored = con.execute(
        """SELECT t.name, r.rater, r.item_key, r.level FROM responses r JOIN teams t USING (team_id)
           ORDER BY t.name, r.item_key"""
    ).fetchall()
    assert stored == [("検索", "team", "OBS-1", 2), ("検索", "team", "OBS-2", 3), ("決済", "sre", "OBS-1", 1)]
    assert any("平均" in str(m) and "5" in str(m) for m in report.messages)  # the footer, at Excel row 5


def test_utf8_cut_in_the_middle_is_read_by_the_general_path():
    """A file whose start is UTF-8 but which holds cp932 further on is decoded as cp932, never half and half."""
    data = b"product,team\n" + b"a,b\n" * 20_000 + "あ,い\n".encode("cp932")
    source = read("mixed.csv", data)
    assert source.encoding == "cp932"
    assert source.tables[0].rows[-1] == ["あ", "い"]


def test_ragged_rows_are_read_by_the_row_reader():
    source = read("board.csv", "フレーム\n付箋1,付箋2\n付箋3\n".encode())
    assert source.tables[0].columns is None
    assert source.tables[0].rows == [["フレーム"], ["付箋1", "付箋2"], ["付箋3"]]


def test_a_workbook_column_of_mixed_types_keeps_one_one_point_oh_and_true_apart():
    table = Table("s", [["h"], [1], ["x"], [1.0], [True], [1], [datetime(2024, 5, 20)]])
    (column,) = coded_columns(table, 1, 1)
    assert column.uniques == [1, "x", 1.0, True, datetime(2024, 5, 20)]
    assert column.codes.to_pylist() == [0, 1, 2, 3, 0, 4]


def test_a_tidy_workbook_with_numbers_and_dates_imports_like_its_csv(con, model):
    book = Workbook()
    sheet = book.active
    sheet.title = "回答"
    sheet.append(HEADER)
    for row in tidy_rows(20):
        sheet.append([*row[:5], int(row[5]), *row[6:8], datetime(2024, 5, 20)])
    out = io.BytesIO()
    book.save(out)
    report = import_file(con, "tidy.xlsx", out.getvalue(), model, ImportOptions(round="2024-H1"))
    assert report.status == "imported", report.problems
    assert report.answered == 100
    assert con.execute("SELECT DISTINCT assessed_on FROM responses").fetchall() == [(date(2024, 5, 20),)]


def test_answers_keep_the_order_of_appends_and_tables():
    answers = Answers([Answer("P", "T", "r1", "team", "OBS-1", 1, row=2)])
    table = pa.table({name: [None] for name in ANSWER_SCHEMA.names}, schema=ANSWER_SCHEMA)
    answers.add(table.set_column(0, "product", pa.array(["Q"])))
    answers.append(Answer("P", "T", "r2", "sre", "OBS-2", None, row=9))
    assert [a.product for a in answers] == ["P", "Q", "P"]
    assert len(answers) == 3
    assert answers.table.column("level").to_pylist() == [1, None, None]


def test_answers_travel_as_arrow_and_anything_else_is_refused():
    batch = Batch("f.csv", "tidy", "x", answers=[Answer("P", "T", "r1", "team", "OBS-1", 3, comment="①髙")])
    back = codec.batch_from_json(codec.loads(codec.dumps(codec.batch_to_json(batch))))
    assert list(back.answers) == list(batch.answers)
    forged = codec.batch_to_json(batch)
    other = pa.table({"product": ["P"]})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, other.schema) as writer:
        writer.write_table(other)
    forged["answers"] = base64.b64encode(sink.getvalue().to_pybytes()).decode()
    with pytest.raises(ValueError, match="unexpected answer columns"):
        codec.batch_from_json(forged)


def test_settling_a_large_batch_compares_only_the_repeated_keys():
    answers = [Answer("P", "T", f"r{n}", "team", "OBS-1", n % 5, row=n + 2) for n in range(5000)]
    answers.append(Answer("P", "T", "r7", "team", "OBS-1", 2, row=5002))  # the same as row 9: a repeat
    answers.append(Answer("P", "T", "r8", "team", "OBS-1", 0, row=5003))  # row 10 said 3: a conflict
    batch = Batch("f.csv", "tidy", "x", answers=answers)
    assert settle(batch, "f.csv") == 2  # both answers of r8 are left out
    assert len(batch.answers) == 4999  # 5,002 less the repeat and r8's two
    (problem,) = batch.problems
    assert (problem.row, problem.value) == (5003, "0")
    assert any("5002" in str(m) for m in batch.messages)
