"""readers: bytes to raw tables, whatever the encoding, delimiter or extension says."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from opmaturity.readers import Limits, Table, decode, expand_merged, limits, read, sniff_delimiter
from opmaturity.settings import Settings

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


def test_row_and_cell_limits_come_from_the_environment():
    chosen = Settings.from_env({"OPMATURITY_MAX_ROWS": "2", "OPMATURITY_MAX_TEXT": "many"}).limits
    assert (chosen.max_rows, chosen.max_bytes, chosen.max_text) == (2, 50 * 1024 * 1024, 160_000_000)
    source = read("google_forms.csv", fixture("google_forms.csv"), chosen)
    assert source.problems[0].message.startswith("the file has 3 rows below its first row (the header); the limit is 2")
    assert limits(max_cells=7, base=chosen) == Limits(50 * 1024 * 1024, 2, 7, 160_000_000)
    cells = read("google_forms.csv", fixture("google_forms.csv"), limits(max_cells=20))
    assert "OPMATURITY_MAX_CELLS" in cells.problems[0].message


def test_a_workbook_over_the_row_limit_is_refused_before_it_is_converted():
    wb = Workbook()
    for n in range(50):
        wb.active.append([n, "x"])
    buffer = io.BytesIO()
    wb.save(buffer)
    source = read("big.xlsx", buffer.getvalue(), limits(max_rows=10))
    (problem,) = source.problems
    assert problem.sheet == "Sheet"
    assert problem.message.startswith(
        'sheet "Sheet" reaches row 50 and column B (A1:B50, 50 rows x 2 columns = 100 cells); '
        "the limit is 10 rows below the first row (OPMATURITY_MAX_ROWS)"
    )


def test_a_cell_as_long_as_excel_allows_survives_whole():
    text = "長" * 32_767
    source = read("long.csv", f"項目,コメント\r\n外形監視,{text}\r\n".encode())
    assert source.tables[0].rows[1][1] == text


def test_json_is_parsed_as_a_payload_for_the_miro_layout():
    source = read("miro_api.json", fixture("miro_api.json"))
    assert source.kind == "json"
    assert source.payload["type"] == "cursor-list" and len(source.payload["data"]) == 5


def test_broken_json_is_refused_with_its_line():
    source = read("board.json", b'{"data": [\n{"id": 1,}\n]}')
    assert source.problems[0].message.startswith("the file looks like JSON but is not valid JSON (line 2")


# --- crafted workbooks: sizes are checked before python-calamine allocates anything ------------------

ROOT = Path(__file__).resolve().parents[1]
_LIMITED_READ = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
sys.path.insert(0, sys.argv[1])
from opmaturity.readers import expand_merged, read
source = read(sys.argv[2], open(sys.argv[2], "rb").read())
print(json.dumps({
    "kind": source.kind,
    "problems": [[p.sheet, p.message] for p in source.problems],
    "tables": [[t.name, len(expand_merged(t)), max(map(len, expand_merged(t)), default=0), t.merged]
               for t in source.tables],
}))
"""


def read_with_2gb(path: Path) -> dict:
    """read() (and expand_merged) in a child process limited to 2 GB: a regression fails here, not the runner."""
    pytest.importorskip("resource")
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED_READ, str(ROOT), str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"the read died (status {done.returncode}): {done.stderr[-1500:]}"
    return json.loads(done.stdout)


def saved(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def far_cell_book(path: Path, cell: str, value: str = "x") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["項目", "現状レベル"])
    ws.append(["ランブック", 3])
    ws[cell] = value
    return saved(wb, path)


def rewritten(path: Path, member: str, change) -> Path:
    """The workbook at `path` with one zip member's bytes passed through `change`."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    out = path.with_name("crafted-" + path.name)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(data) if info.filename == member else data)
    return out


def test_one_cell_at_xfd1048576_is_refused_by_its_size_before_calamine_allocates_512_gb(tmp_path):
    result = read_with_2gb(far_cell_book(tmp_path / "far.xlsx", "XFD1048576"))
    assert result["kind"] == "" and result["tables"] == []
    ((sheet, message),) = result["problems"]
    assert sheet == "S"
    assert message.startswith(
        'sheet "S" reaches row 1,048,576 and column XFD (A1:XFD1048576, 1,048,576 rows x 16,384 columns = '
        "17,179,869,184 cells); the limit is 500,000 rows below the first row (OPMATURITY_MAX_ROWS), 16,384 columns "
        "(OPMATURITY_MAX_COLS) and 10,000,000 cells"
    )
    assert "delete the stray cells far from it (Ctrl+End in Excel goes to the last one)" in message


def test_a_stray_space_far_to_the_right_is_refused_naming_the_sheet_and_its_size(tmp_path):
    result = read_with_2gb(far_cell_book(tmp_path / "stray.xlsx", "XFD20000", " "))
    ((sheet, message),) = result["problems"]
    assert (sheet, result["kind"]) == ("S", "")
    assert message.startswith('sheet "S" reaches row 20,000 and column XFD (A1:XFD20000, 20,000 rows x 16,384 columns')


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', xml), id="lying"),
        pytest.param(lambda xml: re.sub(rb"<dimension [^>]*>", b"", xml), id="missing"),
        pytest.param(
            lambda xml: xml.replace(b'<c r="XFD1048576" t=', b'<c t="inlineStr" x=').replace(
                b'x="inlineStr"', b'r="XFD1048576"'
            ),
            id="r-not-first",
        ),  # fmt: skip
    ],
)
def test_the_size_comes_from_the_cells_themselves_not_from_the_dimension_element(tmp_path, change):
    book = far_cell_book(tmp_path / "far.xlsx", "XFD1048576")
    result = read_with_2gb(rewritten(book, "xl/worksheets/sheet1.xml", change))
    ((sheet, message),) = result["problems"]
    assert (sheet, message[:52]) == ("S", 'sheet "S" reaches row 1,048,576 and column XFD (A1:X')


def test_a_shared_string_table_claiming_billions_of_strings_is_refused_before_it_is_reserved(tmp_path):
    wb = Workbook()
    wb.active["A1"] = "項目"
    book = saved(wb, tmp_path / "sst.xlsx")
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" '
        b'uniqueCount="4000000000"><si><t>x</t></si></sst>'
    )
    with zipfile.ZipFile(book, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", sst)
    ((_, message),) = read_with_2gb(book)["problems"]
    assert message.startswith(
        "the workbook's shared string table claims 4,000,000,000 strings; the limit is 10,000,000 cells"
    )


def test_a_merge_over_the_whole_width_is_clipped_to_the_data_and_costs_nothing(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    for n in range(3000):
        ws.append([f"項目{n}", n % 5])
    merges = b'<mergeCells count="2"><mergeCell ref="C1:XFD3000"/><mergeCell ref="A1:XFD2"/></mergeCells>'
    book = rewritten(  # written into the XML: openpyxl itself would build 49 million cells for C1:XFD3000
        saved(wb, tmp_path / "merge.xlsx"),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + merges),
    )
    result = read_with_2gb(book)
    assert result["problems"] == []
    assert result["tables"] == [["S", 3000, 2, [[0, 0, 1, 1]]]]  # C1:XFD3000 dropped, A1:XFD2 clipped to A1:B2


def test_merged_cells_count_against_the_cell_limit(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    for n in range(20):
        ws.append([*[n] * 10, "k"])  # 20 rows x 11 columns = 220 cells
    for top in range(1, 20, 2):
        ws.merge_cells(f"A{top}:J{top + 1}")  # 10 merges of 20 cells each: 200 more
    source = read("m.xlsx", saved(wb, tmp_path / "m.xlsx").read_bytes(), limits(max_cells=300))
    (problem,) = source.problems
    assert problem.sheet == "S"
    assert problem.message == (
        'the merged cells of sheet "S" cover 200 cells, which brings the file over the limit of 300 cells '
        "(OPMATURITY_MAX_CELLS); unmerge them or split the file"
    )


def test_expanding_merged_cells_never_reaches_past_the_data():
    table = Table("s", [["a", "b"], ["c", "d"]], merged=[(0, 1, 5000, 16383), (1, 0, 1, 1)])
    assert expand_merged(table) == [["a", "b"], ["c", "c"]]


def test_hidden_sheets_are_skipped_and_named_in_the_messages(tmp_path):
    wb = Workbook()
    wb.active.title = "今回"
    wb.active.append(["項目", "現状レベル"])
    for name in ("前回", "前々回"):
        hidden = wb.create_sheet(name)
        hidden.sheet_state = "hidden"
        hidden.append(["項目", "現状レベル"])
    source = read("h.xlsx", saved(wb, tmp_path / "h.xlsx").read_bytes())
    assert [t.name for t in source.tables] == ["今回"]
    assert source.messages == ['hidden sheets "前回", "前々回" skipped (unhide to import)']


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "an Excel 97-2003 workbook (.xls)"),
        ("book.xlsb", "xl/workbook.bin", "an Excel binary workbook (.xlsb)"),
        ("sheet.ods", "content.xml", "an OpenDocument spreadsheet (.ods)"),
    ],
    ids=["xls", "xlsb", "ods"],
)
def test_workbooks_that_cannot_be_sized_before_reading_are_refused_asking_for_xlsx(name, data, what):
    if isinstance(data, str):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(data, "<x/>")
        data = buffer.getvalue()
    (problem,) = read(name, data).problems
    assert what in problem.message
    assert problem.message.endswith("save it as an Excel workbook (.xlsx), then import that")


# --- text and JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["[" * 200_000 + "]" * 200_000, '{"data": ' + "[" * 100 + "]" * 100 + "}"], ids=["deep", "nested-65"]
)
def test_deeply_nested_json_is_a_problem_not_a_recursion_error(text):
    (problem,) = read("deep.json", text.encode()).problems
    assert problem.message == (
        "the JSON nests lists or objects more than 64 levels deep, which no Miro export does; "
        "export the board items again"
    )


def test_a_file_just_over_the_byte_limit_shows_both_sizes_to_the_byte():
    source = read("big.csv", b"x" * (1024 * 1024 + 1), limits(max_bytes=1024 * 1024))
    assert source.problems[0].message.startswith(
        "the file is 1,048,577 bytes (1.0 MB); the limit is 1,048,576 bytes (1.0 MB) (OPMATURITY_MAX_BYTES)"
    )


def whole(path: Path) -> dict[str, tuple[list[list], list]]:
    """Every sheet as calamine reads the workbook whole: rows from A1, and merged ranges within them."""
    from python_calamine import load_workbook

    book = load_workbook(path)
    found = {}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        bottom, right = len(rows) - 1, max(map(len, rows), default=0) - 1
        clipped = [(r0, c0, min(r1, bottom), min(c1, right)) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges]
        kept = [((r0, c0), (r1, c1)) for r0, c0, r1, c1 in clipped if r0 <= r1 and c0 <= c1 and (r0, c0) != (r1, c1)]
        found[name] = (rows, sorted(kept))
    return found


def read_in_runs(path: Path, monkeypatch, chunk: int = 512) -> tuple[dict[str, tuple[list[list], list]], list[int]]:
    """Every sheet as `read` gives it with runs of about `chunk` bytes of sheet XML, and the rows of every run."""
    from opmaturity.readers import pieces

    runs: list[int] = []
    real = pieces.read

    def counted(sheet):
        piece = real(sheet)
        runs.append(len(piece.rows))
        return piece

    monkeypatch.setattr(pieces, "CHUNK", chunk)
    monkeypatch.setattr(pieces, "read", counted)
    source = read(path.name, path.read_bytes())
    assert not source.problems, source.problems
    tables = {t.name: (t.rows, sorted(((r0, c0), (r1, c1)) for r0, c0, r1, c1 in t.merged)) for t in source.tables}
    return tables, runs


def test_sheet_rows_start_at_a1_whatever_the_used_range_and_repeat_no_text(tmp_path):
    from datetime import datetime

    wb = Workbook()
    offset = wb.active
    offset.title = "ずれた表"
    offset["C3"], offset["D4"], offset["C5"], offset["E5"] = "髙橋①", 2, datetime(2024, 5, 20), True
    offset["C6"], offset["D6"] = "髙橋①", "２"
    far = wb.create_sheet("遠い")
    far["E9"] = "only"
    wb.create_sheet("空")
    path = saved(wb, tmp_path / "shapes.xlsx")
    source = read(path.name, path.read_bytes())
    tables = {t.name: t for t in source.tables}
    for name, (rows, _) in whole(path).items():
        assert tables[name].rows == rows, name
    rows = tables["ずれた表"].rows
    assert rows[2][2] == "髙橋①" and rows[2][2] is rows[5][2]  # equal texts share one string
    assert rows[5][3] == "２" and rows[4][2] == date(2024, 5, 20) and rows[4][4] is True


def long_book(path: Path, write_only: bool = False) -> Path:
    """A workbook that needs many runs: 600 answer rows under a title, a gap, a block further right and wider,
    dates, numbers beside text in one column, and merged ranges (shared strings; inline ones when write_only)."""
    from datetime import datetime

    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("回答") if write_only else wb.active
    ws.title = "回答"
    ws.append(["成熟度アンケート", None, None])
    ws.append(["プロダクト", "項目", "現状レベル", "実施日"])
    for n in range(600):
        ws.append([f"プロダクト{n % 7}", "ランブック", n % 5 if n % 9 else "未回答", datetime(2024, 5, 1 + n % 28)])
    for _ in range(40):
        ws.append([])
    for n in range(300):
        ws.append([None, None, None, "髙橋①", n, "ＳＲＥ", f"メモ{n}"])
    if not write_only:
        ws.merge_cells("A1:C1")
        ws.merge_cells("D700:G701")
    return saved(wb, path)


@pytest.mark.parametrize("write_only", [False, True], ids=["shared strings", "inline strings"])
def test_a_sheet_read_in_runs_of_rows_is_the_sheet_read_whole(tmp_path, monkeypatch, write_only):
    path = long_book(tmp_path / "long.xlsx", write_only)
    tables, runs = read_in_runs(path, monkeypatch)
    assert tables == whole(path)
    assert len(runs) > 20 and max(runs) < 100  # a run of 512 bytes holds a few rows, never the sheet


def prefixed(data: bytes) -> bytes:
    """Sheet XML written with a namespace prefix on every element (`<x:row>`), as some generators do."""
    text = data.replace(b'<worksheet xmlns="', b'<worksheet xmlns:x="')
    return re.sub(rb"<(/?)(?!\?|!)([A-Za-z]+)", rb"<\1x:\2", text)


def commented(data: bytes) -> bytes:
    """A comment that looks like a row's end in the middle of the rows."""
    return data.replace(b'<row r="300"', b'<!-- </row> --><row r="300"', 1)


def unordered(data: bytes) -> bytes:
    """Row 5 moved after row 400 (Excel never writes it so; calamine still places it)."""
    row = re.search(rb'<row r="5".*?</row>', data).group(0)
    return data.replace(row, b"", 1).replace(b'<row r="401"', row + b'<row r="401"', 1)


def unreferenced(data: bytes) -> bytes:
    """Rows and cells without references: each follows the one before it."""
    return re.sub(rb' r="[A-Z]*[0-9]+"', b"", data)


@pytest.mark.parametrize("change", [prefixed, commented, unordered, unreferenced])
def test_sheet_xml_written_unusually_is_read_as_calamine_reads_it_whole(tmp_path, monkeypatch, change):
    path = rewritten(long_book(tmp_path / "long.xlsx"), "xl/worksheets/sheet1.xml", change)
    tables, runs = read_in_runs(path, monkeypatch)
    assert tables == whole(path)
    assert tables["回答"][0][1][:3] == ["プロダクト", "項目", "現状レベル"]
    if change is prefixed:
        assert len(runs) > 20  # cut at `</x:row>` as at `</row>`
