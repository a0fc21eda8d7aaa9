import io

import pandas as pd
from openpyxl import load_workbook

from opmaturity.export import csv_bytes, neutralise, xlsx_bytes

RISKY = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_formula_like_text_is_prefixed_and_plain_text_is_not():
    assert [neutralise(v) for v in RISKY] == ["'" + v for v in RISKY]
    assert neutralise("髙橋①") == "髙橋①"
    assert neutralise(-2) == -2


def test_csv_has_a_bom_keeps_japanese_and_carries_no_formula():
    data = csv_bytes(pd.DataFrame({"メモ": ["=1+1", "髙橋さん①"], "n": [-1, 2]}))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=1+1" in text and "髙橋さん①" in text and ",-1" in text


def test_xlsx_cells_are_values_never_formulas():
    data = xlsx_bytes({"notes/2024": pd.DataFrame({"text": RISKY, "level": [1, 2, None, 3, 4, 0]})})
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "notes_2024"
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(RISKY))]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)
    assert sheet.cell(row=4, column=2).value is None


def test_lists_such_as_note_tags_are_joined_and_still_neutralised():
    assert neutralise(["課題", "ops"]) == "課題, ops"
    assert neutralise(["=cmd", "x"]) == "'=cmd, x"
    data = xlsx_bytes({"notes": pd.DataFrame({"tags": [["a", "b"], []]})})
    assert load_workbook(io.BytesIO(data)).active.cell(row=2, column=1).value == "a, b"


def test_control_characters_are_dropped_before_the_formula_check():
    assert neutralise("a\x0bb") == "ab"
    assert neutralise("\x01=cmd") == "'=cmd"
