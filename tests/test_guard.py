"""The xlsx guard: crafted workbooks are refused by one streaming pass over their XML, before calamine runs."""

from __future__ import annotations

import io
import zipfile
from array import array

import pytest

from opmaturity.readers import guard, limits, read

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)


def sheet_xml(cells: str, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dim}'
    return f"{head}<sheetData>{cells}</sheetData></worksheet>"


def book(sheets: dict[str, str], shared: list[str] | None = None, parts: dict[str, str] | None = None) -> bytes:
    """An .xlsx built by hand: sheet name -> worksheet XML; `parts` maps a sheet to another sheet's part."""
    parts = parts or {}
    files = {name: f"worksheets/sheet{n}.xml" for n, name in enumerate(sheets, start=1)}
    links = "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, start=1))
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="{files[parts.get(name, name)]}"/>'
        for n, name in enumerate(sheets, start=1)
    )
    if shared is not None:
        rels += f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{links}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for name, xml in sheets.items():
            if name not in parts:
                archive.writestr(f"xl/{files[name]}", xml)
        if shared is not None:
            items = "".join(f"<si><t>{text}</t></si>" for text in shared)
            archive.writestr(
                "xl/sharedStrings.xml",
                f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
                f"{items}</sst>",
            )
    return buffer.getvalue()


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>項目</t></is></c><c r="B1"><v>3</v></c></row>'


def only_problem(data: bytes, **limit: int) -> tuple[str, str]:
    source = read("crafted.xlsx", data, limits(**limit))
    assert source.kind == "" and source.tables == []
    ((problem),) = source.problems
    return problem.sheet, problem.message


def test_a_hand_built_workbook_reads_through_the_guard():
    source = read("ok.xlsx", book({"S": sheet_xml(HEADER, "A1:B1")}, shared=["x"]))
    assert source.problems == [] and source.tables[0].rows == [["項目", 3.0]]


FAR = "XFD1048576"
FAR_CELLS = {
    "newline after <c": f'<row r="1048576"><c\nr="{FAR}" t="inlineStr"><is><t>x</t></is></c></row>',
    "tab after <c": f'<row r="1048576"><c\tr="{FAR}"><v>1</v></c></row>',
    "attributes reversed": f'<row r="1048576"><c t="inlineStr" s="0" r="{FAR}"><is><t>x</t></is></c></row>',
    "spaces around =": f"<row r='1048576'><c  t = 'n'  r = '{FAR}' ><v>1</v></c></row>",
    "no row number": f'<row><c r="{FAR}"><v>1</v></c></row>',
}


@pytest.mark.parametrize("cells", FAR_CELLS.values(), ids=FAR_CELLS.keys())
def test_a_cell_at_xfd1048576_is_refused_however_its_tag_is_written(cells):
    sheet, message = only_problem(book({"S": sheet_xml(HEADER + cells)}))
    assert sheet == "S"
    assert message.startswith('sheet "S" reaches row 1,048,576 and column XFD (A1:XFD1048576, 1,048,576 rows x 16,384')


def test_a_cell_at_xfd1048576_is_refused_behind_a_namespace_prefix():
    xml = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1">'
        f'<x:c r="A1"><x:v>1</x:v></x:c></x:row><x:row r="1048576"><x:c\n\tr="{FAR}"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    sheet, message = only_problem(book({"S": xml}))
    assert (sheet, message[:52]) == ("S", 'sheet "S" reaches row 1,048,576 and column XFD (A1:X')


def test_a_declared_dimension_past_the_limits_is_refused_before_any_cell():
    sheet, message = only_problem(book({"S": sheet_xml(HEADER, "A1:C600000")}))
    assert message.startswith('sheet "S" reaches row 600,000 and column C (A1:C600000, 600,000 rows x 3 columns')


def test_cells_without_references_are_placed_as_calamine_counts_them():
    cells = "<row>" + "<c><v>1</v></c>" * 30 + "</row>"  # row 1, columns A to AD
    sheet, message = only_problem(book({"S": sheet_xml(cells)}), max_cells=29)
    assert message.startswith('sheet "S" reaches row 1 and column AD (A1:AD1, 1 row x 30 columns = 30 cells)')


def test_styled_empty_cells_far_away_cost_nothing_and_are_read_past():
    cells = HEADER + f'<row r="900000"><c r="{FAR}" s="1"/></row>'
    source = read("styled.xlsx", book({"S": sheet_xml(cells)}))
    assert source.problems == [] and source.tables[0].rows == [["項目", 3.0]]


def test_a_cell_reference_that_is_no_address_is_refused():
    sheet, message = only_problem(book({"S": sheet_xml('<row><c r="ZZZZ1"><v>1</v></c></row>')}))
    assert message == 'sheet "S" has a cell at "ZZZZ1", which is no cell address; the file is damaged or crafted'


def test_an_inline_cell_longer_than_excels_limit_is_refused_naming_it():
    text = "長" * 32_768
    cells = HEADER + f'<row r="2"><c r="C2" t="inlineStr"><is><t>{text}</t></is></c></row>'
    sheet, message = only_problem(book({"S": sheet_xml(cells)}))
    assert (sheet, message) == (
        "S",
        'cell C2 of sheet "S" holds more than Excel\'s 32,767 characters per cell; the file is damaged or crafted',
    )


def test_a_cell_of_exactly_excels_limit_is_read():
    text = "x" * 32_767
    cells = HEADER + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{text}</t></is></c></row>'
    source = read("long.xlsx", book({"S": sheet_xml(cells)}))
    assert source.problems == [] and source.tables[0].rows[1][0] == text


def test_a_shared_string_longer_than_excels_limit_is_refused():
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    _, message = only_problem(book({"S": sheet_xml(cells)}, shared=["ok", "x" * 40_000]))
    assert message.startswith("text number 2 of the workbook's shared string table is longer than Excel's 32,767")


def test_the_reading_of_a_japanese_text_does_not_count_as_its_length():
    xml = f'<sst xmlns="{MAIN}"><si><t>{"漢" * 30_000}</t><rPh sb="0" eb="1"><t>{"カ" * 30_000}</t></rPh></si></sst>'
    lengths = parse_member("xl/sharedStrings.xml", xml, guard._StringsScan(limits()))
    assert list(lengths) == [30_000]


def test_one_shared_string_used_in_many_cells_is_counted_each_time_against_the_text_budget():
    # The attack: one 16 MB string used hundreds of times (a 7 KB file, 1.8 GB in memory); here in proportion.
    uses = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, 301))
    data = book({"S": sheet_xml(uses)}, shared=["x" * 20_000])
    sheet, message = only_problem(data, max_text=5_000_000)  # 300 uses x 20,000 = 6,000,000 characters
    assert (sheet, message) == (
        "S",
        'with sheet "S" the cells\' text comes to more than 5,000,000 characters (OPMATURITY_MAX_TEXT; a text '
        "repeated in many cells counts in each); split the file",
    )
    assert read("ok.xlsx", data, limits(max_text=6_000_000)).problems == []


def test_sheets_sharing_one_part_are_read_once_and_counted_once_each(monkeypatch):
    scans = []
    real, quick = guard.parse, guard.bound
    monkeypatch.setattr(guard, "parse", lambda archive, part, target: scans.append(part) or real(archive, part, target))
    monkeypatch.setattr(guard, "bound", lambda archive, part, *more: scans.append(part) or quick(archive, part, *more))
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 41))
    data = book({"S1": sheet_xml(rows), "S2": "", "S3": ""}, parts={"S2": "S1", "S3": "S1"})
    _, message = only_problem(data, max_rows=116)  # 3 x 39 rows below the first
    assert message.startswith("the workbook's sheets have 117 rows in all below their first rows (the headers)")
    assert scans.count("xl/worksheets/sheet1.xml") == 1
    source = read("ok.xlsx", data, limits(max_rows=117))
    assert [len(t.rows) for t in source.tables] == [40, 40, 40]


class Counting:
    """Counts the bytes fed to each XML parser the guard makes (one per part it reads)."""

    def __init__(self, monkeypatch):
        self.fed: list[int] = []
        real, fed = guard.XMLParser, self.fed

        class Parser(real):  # type: ignore[misc,valid-type]
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.index = len(fed)
                fed.append(0)

            def feed(self, data):
                fed[self.index] += len(data)
                return super().feed(data)

        monkeypatch.setattr(guard, "XMLParser", Parser)


def test_deflated_whitespace_inside_a_tag_is_refused_after_one_megabyte_in_one_pass(monkeypatch):
    counting = Counting(monkeypatch)
    xml = sheet_xml(HEADER + '<row r="2"><c' + " " * (8 * 1024 * 1024) + 'r="A2"><v>1</v></c></row>')
    data = book({"S": xml})
    assert len(data) < 60_000  # deflate packs 8 MB of spaces into a few KB
    _, message = only_problem(data)
    assert message.startswith("the workbook's XML (xl/worksheets/sheet1.xml) holds a tag longer than 1,024 KB")
    workbook, rels, sheet = counting.fed
    assert sheet <= guard.MAX_TAG + 2 * guard.CHUNK  # the chunk where the tag opens, 1 MB, the chunk past it


def test_whitespace_between_tags_is_read_in_one_linear_pass(monkeypatch):
    counting = Counting(monkeypatch)
    xml = sheet_xml(HEADER + "\n" * (4 * 1024 * 1024) + '<row r="2"><c r="A2"><v>1</v></c></row>')
    source = read("ws.xlsx", book({"S": xml}))
    assert source.problems == [] and len(source.tables[0].rows) == 2
    workbook, rels, sheet = counting.fed  # each part parsed once
    assert sheet == len(xml.encode())  # every byte fed once


def test_a_document_type_declaration_is_refused_before_any_entity_expands():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    _, message = only_problem(book({"S": xml}))
    assert message.startswith("the workbook's XML declares a document type (DTD), which Excel never writes")


def test_xml_that_is_not_well_formed_is_refused_naming_the_part():
    # A comment keeps the sheet from the quick bound: the exact pass names the part and the fault.
    _, message = only_problem(book({"S": sheet_xml('<!-- x --><row r="1"><c r="A1"><v>1</c></row>')}))
    assert message.startswith("the workbook's XML (xl/worksheets/sheet1.xml) is not well-formed (mismatched tag")


def test_a_plain_sheet_that_is_not_well_formed_is_refused_by_the_reader():
    # The quick bound only measures; the reader refuses what it cannot parse, in the user's words.
    _, message = only_problem(book({"S": sheet_xml('<row r="1"><c r="A1"><v>1</c></row>')}))
    assert message.startswith("cannot read this workbook (ill-formed document")
    assert message.endswith("Excel (.xlsx) or Miro JSON and try again.")


def test_the_quick_bound_never_finds_less_than_the_exact_pass():
    """For plain sheets the quick bound holds at least the exact extent; anything unusual is left to the exact pass."""
    plain = "".join(f'<row r="{n}"><c r="A{n}" s="1"/><c r="C{n}" t="inlineStr"><is><t>あ{n}</t></is></c></row>'
                    for n in range(1, 30))  # fmt: skip
    cases = {
        "plain": (sheet_xml(plain), True),
        "prefixed": (sheet_xml('<row r="1"><x:c r="A1"><v>1</v></x:c></row>'), False),
        "no reference": (sheet_xml('<row r="1"><c><v>1</v></c></row>'), False),
        "reference second": (sheet_xml('<row r="1"><c s="1" r="A1"><v>1</v></c></row>'), False),
        "comment": (sheet_xml('<!-- c --><row r="1"><c r="A1"><v>1</v></c></row>'), False),
        "long text": (sheet_xml(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"x" * 40_000}</t></is></c></row>'), False),
    }
    for name, (xml, quick) in cases.items():
        found = guard.bound(zipfile.ZipFile(io.BytesIO(book({"S": xml}))), "xl/worksheets/sheet1.xml", array("L"))
        assert (found is not None) is quick, name
        if found is not None:
            exact = parse_member("xl/worksheets/sheet1.xml", xml, guard._SheetScan("S", limits(), array("L"), 10**9))
            assert found.rows >= exact.rows and found.cols >= exact.cols and found.text >= exact.text, name
            assert (found.rows, found.cols) == (29, 3), name  # the styled empty cells in column A count too


def parse_member(name: str, xml: str, target):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, xml)
    with zipfile.ZipFile(buffer) as archive:
        return guard.parse(archive, name, target)
