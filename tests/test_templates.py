"""Forms that import exactly: the team workbook and the Google Form's Apps Script, round-tripped."""

import csv
import io
import json
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from opmaturity import importer, store, templates


def _fill(data: bytes, model, levels, respondent="山田 太郎") -> bytes:
    """Fill the workbook as a person does in Excel: a level from the drop-down and an importance per item."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    head = [c.value for c in sheet[1]]
    level_at, importance_at = head.index("現状レベル") + 1, head.index("重要度") + 1
    labels = templates.level_labels(model, "ja")
    for n, level in enumerate(levels):
        sheet.cell(n + 2, level_at).value = labels[level] if level is not None else "N/A"
        sheet.cell(n + 2, importance_at).value = 1 + n % 3
    sheet.cell(2, head.index("回答者") + 1).value = respondent
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_filled_team_workbook_imports_answer_for_answer_with_no_mapping_and_no_problem(con, model):
    levels = [n % 5 if n % 7 else None for n in range(len(model.items))]
    filled = _fill(templates.team_workbook(model, "学び放題", "検索チーム"), model, levels)
    report = importer.import_file(con, "検索チーム.xlsx", filled, model, importer.ImportOptions(round="2024-H1"))
    assert (report.status, report.layout, report.problems, report.unmapped_headers) == ("imported", "tidy", [], [])
    stored = dict(store.rows(con, "SELECT item_key, level FROM responses"))
    assert stored == {item.key: level for item, level in zip(model.items, levels, strict=True)}
    people = store.rows(con, "SELECT DISTINCT respondent, rater FROM responses")
    assert len(people) == 1 and people[0][1] == "team" and "山田" not in people[0][0]
    assert store.rows(con, "SELECT DISTINCT p.name, t.name FROM teams t JOIN products p USING (product_id)") == [
        ("学び放題", "検索チーム")
    ]


def test_the_workbook_offers_the_level_labels_as_a_drop_down_and_shows_last_rounds_level(model):
    import pandas as pd

    previous = pd.DataFrame({"item": ["OBS-1", "OBS-2"], "level": [2.333333, None]})
    book = load_workbook(io.BytesIO(templates.team_workbook(model, "P", "T", previous=previous, round_name="2024-H2")))
    sheet, legend = book.worksheets
    head = [c.value for c in sheet[1]]
    assert head[:5] == ["プロダクト", "チーム", "回答者ロール", "回答者", "ラウンド"]
    rules = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    level_col = "ABCDEFGHIJKLMN"[head.index("現状レベル")]
    assert rules[f"{level_col}2:{level_col}{len(model.items) + 1}"] == f"='{legend.title}'!$A$1:$A$6"
    assert [legend.cell(n, 1).value for n in range(1, 7)] == templates.level_labels(model, "ja")
    previous_at = head.index("前回のレベル（参考）")
    assert [sheet.cell(2, previous_at + 1).value, sheet.cell(3, previous_at + 1).value] == [2.3, None]
    assert sheet.cell(2, head.index("ラウンド") + 1).value == "2024-H2"


def test_user_text_in_the_workbook_never_becomes_a_formula(model):
    book = load_workbook(io.BytesIO(templates.team_workbook(model, '=HYPERLINK("http://x")', "@SUM(1)")))
    assert book.worksheets[0].cell(2, 1).value.startswith("'=") and book.worksheets[0].cell(2, 2).value == "'@SUM(1)"


def _script_spec(script: str) -> dict:
    return json.loads(re.search(r"var SPEC = (\{.*?\n\});", script, re.S).group(1))


def test_the_apps_script_names_every_item_and_is_valid_javascript(model, tmp_path):
    script = templates.apps_script(model)
    spec = _script_spec(script)
    rows = [row for grid in spec["grids"] for row in grid["rows"]]
    assert len(rows) == len(model.items) and all(i.ja in script for i in model.items)
    assert spec["levels"] == templates.level_labels(model, "ja")
    node = shutil.which("node")
    if node is None:
        assert script.count("{") == script.count("}") and "function createForm()" in script
        pytest.skip("node is not installed: checked the structure only")
    path = tmp_path / "form.js"
    path.write_text(script, encoding="utf-8")
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_forms_response_export_imports_with_no_mapping(con, model):
    spec = _script_spec(templates.apps_script(model))
    header = ["タイムスタンプ", "メールアドレス", spec["product"], spec["team"], spec["rater"]]
    header += [f"{grid['title']} [{row}]" for grid in spec["grids"] for row in grid["rows"]]
    header += [f"{spec['importance']} [{row}]" for row in spec["importance_rows"]] + [spec["free_text"]]
    answers = [spec["levels"][n % len(spec["levels"])] for n in range(len(model.items))]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for who, rater in (("tanaka@example.com", spec["raters"][0]), ("sre@example.com", spec["raters"][1])):
        writer.writerow(["2024/05/20 10:31:00 午前 GMT+9", who, "学び放題", "検索チーム", rater, *answers,
                         *["3"] * len(spec["importance_rows"]), "夜間のアラートがつらい"])  # fmt: skip
    report = importer.import_file(con, "form.csv", out.getvalue().encode("utf-8"), model, importer.ImportOptions())
    assert (report.status, report.layout, report.problems, report.unmapped_headers) == (
        "imported", "google_forms", [], [],
    )  # fmt: skip
    assert store.scalar(con, "SELECT count(*) FROM responses") == 2 * len(model.items)
    assert store.rows(con, "SELECT DISTINCT importance FROM responses") == [(3,)]
