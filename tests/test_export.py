import csv
import io

import pandas as pd
from openpyxl import load_workbook

from opmaturity.export import CELL_LIMIT, FORMULA_START, Sheet, csv_bytes, csv_field, cut, neutralise, xlsx_bytes

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


# --- CSV quoting and list separators --------------------------------------------------------------


def test_every_csv_text_field_is_quoted_and_numbers_are_not():
    text = csv_bytes(pd.DataFrame({"メモ": ["a,b", "plain", ""], "n": [1, -2, 3]})).decode("utf-8-sig")
    assert text.splitlines() == ['"メモ","n"', '"a,b",1', '"plain",-2', '"",3']


def test_a_part_after_a_list_separator_that_would_start_a_formula_is_made_text():
    assert csv_field("ok;=1+1") == "ok;'=1+1"
    assert csv_field("a, -b; @c") == "a,' -b;' @c"
    assert csv_field("=x;=y") == "'=x;'=y"
    assert csv_field("ok;fine, 3") == "ok;fine, 3"
    assert csv_field(12) == 12


def test_an_excel_splitting_on_semicolons_gets_no_formula_from_ok_semicolon_formula():
    data = csv_bytes(pd.DataFrame({"comment": ["ok;=1+1", "a;+SUM(A1)"], "n": [1, 2]}))
    text = data.decode("utf-8-sig")
    assert '"ok;\'=1+1"' in text
    # A reader that honours the quotes keeps the field whole ...
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [["ok;'=1+1", "1"], ["a;'+SUM(A1)", "2"]]
    # ... and one that splits at every ";" and "," regardless makes parts that are all text.
    parts = [p.strip('"') for line in text.splitlines() for field in line.split(",") for p in field.split(";")]
    assert not [p for p in parts if p.startswith(FORMULA_START)]


def test_the_stored_text_is_left_as_it_was():
    frame = pd.DataFrame({"comment": ["ok;=1+1"]})
    csv_bytes(frame)
    xlsx_bytes({"s": frame})
    assert frame["comment"].tolist() == ["ok;=1+1"]


# --- Excel's cell limit ---------------------------------------------------------------------------


def test_a_text_longer_than_a_cell_holds_is_cut_and_says_how_much_in_english():
    text = "x" * 40_000
    # "…[cut: 7,257 characters]" is 24 characters: 32,743 kept, 40,000 - 32,743 = 7,257 left out
    assert cut(text, "en") == "x" * 32_743 + "…[cut: 7,257 characters]"
    assert len(cut(text, "en")) == CELL_LIMIT == 32_767


def test_the_cut_mark_speaks_japanese_by_default():
    # "…［以下 7,249 文字省略］" is 16 characters: 32,751 kept, 40,000 - 32,751 = 7,249 left out
    assert neutralise("あ" * 40_000) == "あ" * 32_751 + "…［以下 7,249 文字省略］"


def test_a_text_of_exactly_the_limit_is_kept_whole_unless_its_quote_pushes_it_over():
    assert neutralise("y" * CELL_LIMIT, "en") == "y" * CELL_LIMIT
    # with its quote the text is 32,768 long; the mark "…[cut: 22 characters]" is 21: 32,746 kept (the quote one
    # of them), so 32,767 - 32,745 = 22 characters of the text are left out
    risky = neutralise("=" + "y" * (CELL_LIMIT - 1), "en")
    assert risky == "'=" + "y" * 32_744 + "…[cut: 22 characters]"


def test_an_xlsx_cell_holds_the_cut_text_with_its_mark_never_a_silently_shorter_one():
    data = xlsx_bytes({"answers": pd.DataFrame({"comment": ["z" * 50_000]})}, "en")
    value = load_workbook(io.BytesIO(data)).active.cell(row=2, column=1).value
    # "…[cut: 17,258 characters]" is 25 characters: 32,742 kept, 50,000 - 32,742 = 17,258 left out
    assert value == "z" * 32_742 + "…[cut: 17,258 characters]"


def test_a_csv_field_is_cut_the_same_way():
    text = csv_bytes(pd.DataFrame({"c": ["q" * 33_000]}), "en").decode("utf-8-sig")
    assert text.splitlines()[1] == '"' + "q" * (CELL_LIMIT - 22) + '…[cut: 255 characters]"'


# --- the sheets -----------------------------------------------------------------------------------


def test_every_sheet_has_a_bold_frozen_header_a_filter_and_numbers_rounded_to_its_decimals():
    frame = pd.DataFrame({"team": ["A", "B"], "level": [1.733333333, 2.0], "n": [3, 4]})
    book = load_workbook(io.BytesIO(xlsx_bytes({"t": frame, "h": Sheet(frame, decimals=1, frozen=1)})))
    two, one = book["t"], book["h"]
    assert (two.freeze_panes, one.freeze_panes) == ("A2", "B2")
    assert two.auto_filter.ref == "A1:C3" and two["A1"].font.b
    assert (two["B2"].value, two["B2"].number_format) == (1.73, "0.00")
    # one decimal shown, the figure's two kept: 1.73 (a cell of 0.25 read 0.2 when cut to one, half to even)
    assert (one["B2"].value, one["B2"].number_format) == (1.73, "0.0")
    assert two["C2"].value == 3 and two["C2"].data_type == "n"
