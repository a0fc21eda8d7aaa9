"""readers: bytes to raw tables, whatever the encoding, delimiter or extension says."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from opmaturity.readers import Table, decode, expand_merged, limits, read, sniff_delimiter

IMPORTS = Path(__file__).parent / "data" / "imports"


def fixture(name: str) -> bytes:
    return (IMPORTS / name).read_bytes()


def test_a_google_forms_csv_keeps_every_cell_as_text_and_quoted_line_breaks():
    source = read("google_forms.csv", fixture("google_forms.csv"))
    assert (source.kind, source.encoding, source.delimiter, source.problems) == ("csv", "utf-8", ",", [])
    rows = source.tables[0].rows
    assert rows[0][0] == "タイムスタンプ" and len(rows) == 4
    assert rows[3][9] == "Datadogに移行した\n夜間の確認も済み"  # a bare LF inside a quoted cell, records end in CRLF
    assert all(isinstance(cell, str) for row in rows for cell in row)


def test_leading_zeros_and_full_width_digits_stay_text():
    source = read("tidy.csv", fixture("tidy.csv"))
    rows = source.tables[0].rows
    assert rows[1][1] == "007"
    assert rows[2][6] == "３"


def test_a_cp932_csv_keeps_circled_digits_rare_kanji_and_the_wave_dash_byte_for_byte():
    data = fixture("google_forms_excel_cp932.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    source = read("google_forms_excel_cp932.csv", data)
    assert source.encoding == "cp932"
    comment = source.tables[0].rows[3][9]
    assert comment == "①の手順は髙橋さん～確認済み"
    assert "\uff5e" in comment  # FULLWIDTH TILDE, as typed; shift_jis would give WAVE DASH U+301C
    assert comment.encode("cp932") in data


def test_a_utf8_bom_csv_loses_the_bom_from_its_first_header():
    source = read("google_forms_bom.csv", fixture("google_forms_bom.csv"))
    assert source.encoding == "utf-8-sig"
    assert source.tables[0].rows[0][0] == "Timestamp"


def test_excel_unicode_text_is_read_as_utf16_tab_separated():
    source = read("google_forms_unicode.txt", fixture("google_forms_unicode.txt"))
    assert (source.kind, source.encoding, source.delimiter) == ("csv", "utf-16", "\t")
    assert source.tables[0].rows[0][5] == "現状レベル [監視・アラート: サービスダッシュボード]"
    assert source.tables[0].rows[1][4] == "プロダクトチーム（開発）"


def test_semicolon_separated_text_is_sniffed():
    assert sniff_delimiter("a;b;c\r\n1;2;3\r\n4;5;6\r\n") == ";"
    assert sniff_delimiter('"a,b";c\r\n"x";y\r\n') == ";"
    assert sniff_delimiter("only one column\r\nsecond\r\n") == ","


def test_decoding_tries_utf8_before_cp932_and_refuses_tiny_unknown_bytes():
    assert decode("ランブック".encode()) == ("ランブック", "utf-8")
    assert decode("ランブック".encode("cp932")) == ("ランブック", "cp932")
    assert decode(b"\x80\xfd\xfe\x85") is None


def test_an_xlsx_is_read_every_sheet_with_typed_dates_and_merged_ranges():
    source = read("workbook.xlsx", fixture("workbook.xlsx"))
    assert source.kind == "xlsx" and source.problems == []
    assert [t.name for t in source.tables] == ["学び放題", "ポイント管理", "凡例"]
    first, second = source.tables[0], source.tables[1]
    assert first.rows[0][0] == "プロダクト運用成熟度チェック — 学び放題"  # rows[0] is Excel row 1
    assert (3, 2, 3, 3) in first.merged  # 現状レベル over SRE評価 / PT評価
    assert second.rows[1][1] == date(2024, 5, 14)  # typed, not text
    assert first.rows[5][3] == "３"


def test_merged_cells_are_expanded_from_their_top_left_value():
    table = Table("s", [["a", ""], ["", ""], ["c", "d"]], merged=[(0, 0, 1, 1)])
    assert expand_merged(table) == [["a", "a"], ["a", "a"], ["c", "d"]]
    assert table.rows[1] == ["", ""]  # the original stays as read


def test_a_csv_renamed_xlsx_is_read_as_csv_and_said_so():
    source = read("renamed_csv.xlsx", fixture("renamed_csv.xlsx"))
    assert source.kind == "csv" and source.problems == []
    assert source.messages == ["the file is named .xlsx but holds CSV text; read as CSV text"]


def test_an_image_renamed_csv_is_refused_saying_what_is_accepted():
    source = read("picture.csv", fixture("picture.csv"))
    assert source.kind == ""
    assert source.problems[0].message.startswith("this is a PNG image, not a spreadsheet. Save it as CSV")


def test_an_empty_file_is_refused():
    assert read("empty.csv", b"").problems[0].message == "the file is empty (0 bytes)"


def test_bytes_in_no_known_encoding_are_refused_rather_than_guessed():
    source = read("bad_encoding.csv", fixture("bad_encoding.csv"))
    assert "cannot tell the text encoding" in source.problems[0].message


def test_a_damaged_zip_and_a_zip_that_is_no_workbook_are_clear_refusals():
    damaged = read("x.xlsx", b"PK\x03\x04" + b"\x00" * 40)
    assert "damaged" in damaged.problems[0].message
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    other = read("x.xlsx", buffer.getvalue())
    assert other.problems[0].message.startswith("this zip archive is not an Excel workbook")


def test_a_file_over_the_byte_limit_is_refused_naming_the_limit():
    source = read("google_forms.csv", fixture("google_forms.csv"), limits(max_bytes=100))
    message = source.problems[0].message
    assert message.startswith("the file is 973 bytes; the limit is 100 bytes (OPMATURITY_MAX_BYTES)")
    assert source.tables == []


def test_row_and_cell_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPMATURITY_MAX_ROWS", "2")
    assert limits().max_rows == 2
    source = read("google_forms.csv", fixture("google_forms.csv"))
    assert source.problems[0].message.startswith("the file has more than 2 rows; the limit is 2 rows (OPMATURITY_")
    monkeypatch.delenv("OPMATURITY_MAX_ROWS")
    cells = read("google_forms.csv", fixture("google_forms.csv"), limits(max_cells=20))
    assert "OPMATURITY_MAX_CELLS" in cells.problems[0].message


def test_a_workbook_over_the_row_limit_is_refused_before_it_is_converted():
    wb = Workbook()
    for n in range(50):
        wb.active.append([n, "x"])
    buffer = io.BytesIO()
    wb.save(buffer)
    source = read("big.xlsx", buffer.getvalue(), limits(max_rows=10))
    assert source.problems[0].message.startswith("the file has 50 rows; the limit is 10 rows (OPMATURITY_MAX_ROWS)")


def test_a_very_long_cell_survives_whole():
    text = "長" * 300_000
    source = read("long.csv", f"項目,コメント\r\n外形監視,{text}\r\n".encode())
    assert source.tables[0].rows[1][1] == text


def test_json_is_parsed_as_a_payload_for_the_miro_layout():
    source = read("miro_api.json", fixture("miro_api.json"))
    assert source.kind == "json"
    assert source.payload["type"] == "cursor-list" and len(source.payload["data"]) == 5


def test_broken_json_is_refused_with_its_line():
    source = read("board.json", b'{"data": [\n{"id": 1,}\n]}')
    assert source.problems[0].message.startswith("the file looks like JSON but is not valid JSON (line 2")
