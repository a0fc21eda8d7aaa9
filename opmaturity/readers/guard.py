"""The xlsx guard: what a workbook would cost, read in one streaming XML pass per part before python-calamine
loads anything.

python-calamine allocates the whole rectangle from A1 to the farthest cell holding a value (one cell at
XFD1048576 asks for hundreds of gigabytes and aborts the process), reserves the shared string table its header
claims, and copies a shared string into every cell that uses it. So before it runs, each part it would read is
parsed once with the standard library's expat-based XMLParser, fed in chunks straight from the zip member (never
held whole), with a target that only counts: tags are matched by their local name, so no namespace prefix,
attribute order or whitespace inside a tag changes what is seen. The pass is linear in the part's size: a tag
that runs on for more than MAX_TAG bytes is refused (expat would rescan it on every chunk), as is any document
type declaration (entities). Each part is read once however many sheets point at it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError, XMLParser

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.exceptions import CellCoordinatesException

from ..i18n import Message
from .source import MAX_CELL_CHARS, Limits, below_header, too_many_cells

MAX_TAG = 1024 * 1024  # bytes of XML that may pass without a single event (one tag, comment or declaration)
CHUNK = 64 * 1024  # bytes fed to the parser at a time
SHEETS_PART = "xl/workbook.xml"
RELS_PART = "xl/_rels/workbook.xml.rels"


class Refused(Exception):
    """A workbook the guard will not let a reader load: the message says why, `sheet` where."""

    def __init__(self, message: Message, sheet: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet


@dataclass
class Extent:
    """How far a worksheet's cells holding something reach (1-based last row and column) and their text's length."""

    rows: int = 0
    cols: int = 0
    text: int = 0

    @property
    def area(self) -> int:
        """The cells a reader allocates for the sheet read from A1: rows x columns."""
        return self.rows * self.cols

    def widen(self, other: Extent) -> None:
        """Grow to cover another extent too."""
        self.rows, self.cols = max(self.rows, other.rows), max(self.cols, other.cols)
        self.text = max(self.text, other.text)

    def past(self, limit: Limits) -> bool:
        """True when one sheet of this extent is past the limits on rows (below its first), columns or cells."""
        return below_header(self.rows) > limit.max_rows or self.cols > limit.max_cols or self.area > limit.max_cells


def is_shared_strings(part: str) -> bool:
    """True for a zip member holding a shared string table (`xl/sharedStrings.xml`, in any case)."""
    return part.lower().endswith("sharedstrings.xml")


def resave() -> Message:
    """The advice to save the workbook again as a plain .xlsx."""
    return Message("msg.read.resave")


def too_big_sheet(name: str, extent: Extent, limit: Limits) -> Message:
    """The message for a sheet whose cells reach too far: its size, the limits and how to fix it."""
    return Message(
        "msg.read.sheet_too_big",
        sheet=name,
        rows=extent.rows,
        column=get_column_letter(min(max(extent.cols, 1), 18278)),
        cols=extent.cols,
        cells=extent.area,
        max_rows=limit.max_rows,
        max_cols=limit.max_cols,
        max_cells=limit.max_cells,
    )


class Guard:
    """The checks of one workbook before it is loaded: its shared strings at once, then each sheet as it comes."""

    def __init__(self, archive: zipfile.ZipFile, limit: Limits) -> None:
        self.archive = archive
        self.limit = limit
        self.names = {info.filename for info in archive.infolist()}
        self.strings = self._shared_strings()
        self.parts = self._sheet_parts()
        self.rows = self.cells = self.text = 0  # the totals of the sheets admitted so far (rows below row 1)
        self._extents: dict[str, Extent] = {}

    def admit(self, sheet: str) -> Extent:
        """The sheet's extent, once it and the file's totals with it are within the limits; Refused if not."""
        part = self.parts.get(sheet)
        if part in self.names:
            extent = self._extent(part, sheet)
        else:  # a sheet whose part is not where the workbook says: assume the largest sheet of the file
            extent = Extent()
            for name in sorted(self.names):
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    extent.widen(self._extent(name, sheet))
        if extent.past(self.limit):
            raise Refused(too_big_sheet(sheet, extent, self.limit), sheet)
        self.rows += below_header(extent.rows)
        self.cells += extent.area
        self.text += extent.text
        if self.rows > self.limit.max_rows:
            raise Refused(Message("msg.read.too_many_sheet_rows", count=self.rows, limit=self.limit.max_rows))
        if self.cells > self.limit.max_cells:
            raise Refused(too_many_cells(self.limit))
        if self.text > self.limit.max_text:
            raise Refused(_text_too_big(sheet, self.limit), sheet)
        return extent

    def _extent(self, part: str, sheet: str) -> Extent:
        """The extent of one worksheet part, scanned the first time it is asked for: a plain sheet by the quick
        bound (`bound`), anything else, or a sheet whose bound passes a limit, by the exact pass."""
        if part not in self._extents:
            budget = self.limit.max_text - self.text
            found = bound(self.archive, part, self.strings, budget)
            if found is not None and (found.past(self.limit) or found.text > budget):
                found = None  # past a limit by the bound: the exact pass decides, and names what
            if found is None:
                found = parse(self.archive, part, _SheetScan(sheet, self.limit, self.strings, budget))
            self._extents[part] = found
        return self._extents[part]

    def _shared_strings(self) -> array[int]:
        """The length of every shared string (of the largest table, should a file hold several)."""
        found: array[int] = array("L")
        for name in sorted(self.names):
            if is_shared_strings(name):
                lengths = parse(self.archive, name, _StringsScan(self.limit))
                if sum(lengths) > sum(found):
                    found = lengths
        return found

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> the zip member holding its XML, from xl/workbook.xml and its relationships."""
        links = parse(self.archive, SHEETS_PART, _Collect("sheet", "name"))
        rels = parse(self.archive, RELS_PART, _Collect("Relationship", "Id")) if RELS_PART in self.names else []
        targets = {}
        for rel in rels:
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel["Id"]] = posixpath.normpath(path)
        parts = {}
        for link in links:
            rid = next((v for k, v in link.items() if k.endswith("}id")), None)
            if rid in targets:
                parts[link["name"]] = targets[rid]
        return parts


# The quick bound reads a sheet as Excel, openpyxl and Google Sheets write it: every cell tag `<c r="A1"` with
# its reference first, shared-string values as `t="s"><v>digits</v>`, no prefix, comment, DTD or CDATA, no run
# of text near Excel's cell limit. Anything else is left to the exact pass. Plain bytes searches and regular
# expressions that start with a literal keep it at hundreds of MB a second.
_CELL_START = re.compile(rb"<c[\s/>]")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_SHARED_VALUE = re.compile(
    rb'<c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]{1,6}")? t="s"(?: s="[0-9]{1,6}")?><v>([0-9]{1,10})</v>'
)
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]{1,7}:)?([A-Z]{1,3})([0-9]{1,7})"')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:|:[rt]\s*=")
_TAG = re.compile(rb"<[^<>]*>")
_WINDOW = 16 * 1024  # a run of text as long as Excel's cell limit fills at least one aligned window this long


def bound(archive: zipfile.ZipFile, part: str, strings: array[int], budget: int | None = None) -> Extent | None:
    """At least how far a plain worksheet reaches and how much text it holds, from byte searches run over its
    XML chunk by chunk (a fraction of the exact pass's time on a large sheet); None when the sheet is not plain
    and only the exact pass can tell.

    Every cell counts, empty styled ones too, and text is bounded by the part's bytes plus the shared strings its
    cells point at (each use counted): never less than the exact pass finds, so a bound within the limits is a
    sheet within them. Where the part's bytes alone pass the text `budget`, the bytes between tags are counted
    instead (slower, and still a bound).
    """
    tight = budget is not None and archive.getinfo(part).file_size > budget
    cells = rows = size = 0
    letters: set[bytes] = set()
    uses: Counter[bytes] = Counter()
    carry = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            piece = carry + chunk
            cut = len(piece) if not chunk else max(piece.rfind(b"<c "), piece.rfind(b"<row"), 0)
            piece, carry = piece[:cut], piece[cut:]
            if len(carry) > MAX_TAG or not _plain(piece):
                return None
            size += len(_TAG.sub(b"", piece)) if tight else len(piece)
            refs = _CELL_REF.findall(piece)
            if len(refs) != len(_CELL_START.findall(piece)):
                return None  # a cell without a reference first (or written in a way the searches do not read)
            cells += len(refs)
            if refs:
                columns, numbers = zip(*refs, strict=True)
                letters.update(columns)
                rows = max(rows, *map(int, set(numbers)))
            if b"<dimension" in piece:
                corner = _DIMENSION.search(piece)
                if corner is None:
                    return None
                rows, letters = max(rows, int(corner.group(2))), letters | {corner.group(1)}
            typed = piece.count(b't="s"')
            if typed:
                values = _SHARED_VALUE.findall(piece)
                if len(values) != typed:
                    return None
                uses.update(values)
            if not chunk:
                break
    cols = max((column_index_from_string(letter.decode("ascii")) for letter in letters), default=0)
    text = size + sum(strings[int(i)] * n for i, n in uses.items() if int(i) < len(strings))
    return Extent(rows, cols, text)


def _plain(piece: bytes) -> bool:
    """True when a stretch of sheet XML holds nothing the quick bound leaves to the exact pass."""
    if b"<!" in piece or b"t='" in piece or b"t =" in piece or b"t= " in piece:
        return False
    if b":" in piece and _PREFIXED.search(piece):
        return False
    return all(piece.find(b"<", start, start + _WINDOW) >= 0 for start in range(0, len(piece) - _WINDOW + 1, _WINDOW))


def parse(archive: zipfile.ZipFile, part: str, target: Any) -> Any:
    """What `target` makes of one zip member, fed to the XML parser in chunks; Refused for XML no workbook holds."""
    parser = XMLParser(target=target)
    quiet = 0
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                before = target.events
                parser.feed(chunk)
                quiet = quiet + len(chunk) if target.events == before else 0
                if quiet > MAX_TAG:
                    raise Refused(Message("msg.guard.tag_too_long", part=part, size=MAX_TAG // 1024, resave=resave()))
            return parser.close()
    except ParseError as exc:
        raise Refused(Message("msg.guard.xml_invalid", part=part, detail=str(exc), resave=resave())) from None


class _Scan:
    """A parser target that counts events and refuses document type declarations (and so entities).

    Targets have no `end` method, so the parser makes no call for closing tags: an element ends where the next
    one starts (or the part ends). Every call into Python costs more than expat's own work on a cell, so the
    fewer calls per cell, the faster the pass.
    """

    events = 0

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def local(self, tag: str) -> str:
        """The tag's name without its namespace: `{…/main}c` -> `c`."""
        found = tag.rpartition("}")[2]
        if len(self.names) < 256:
            self.names[tag] = found
        return found

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise Refused(Message("msg.guard.dtd", resave=resave()))

    def data(self, text: str) -> None:
        self.events += 1


class _Collect(_Scan):
    """The attributes of every element with one local name that carries a given attribute."""

    def __init__(self, name: str, required: str) -> None:
        super().__init__()
        self.name, self.required = name, required
        self.found: list[dict[str, str]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.events += 1
        if (self.names.get(tag) or self.local(tag)) == self.name and self.required in attrib:
            self.found.append(dict(attrib))

    def close(self) -> list[dict[str, str]]:
        return self.found


class _StringsScan(_Scan):
    """The shared string table: how many strings, how long each (its reading aside), within the limits."""

    def __init__(self, limit: Limits) -> None:
        super().__init__()
        self.limit = limit
        self.lengths: array[int] = array("L")
        self.total = self.length = 0
        self.open = self.collect = self.phonetic = False  # in an <si>; in its text; in its reading (<rPh>)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.events += 1
        name = self.names.get(tag) or self.local(tag)
        if name == "t":
            self.collect = self.open and not self.phonetic
            return
        self.collect = False
        if name == "si":
            self._close()
            self.open, self.length = True, 0
        elif name == "rPh":  # the reading of a Japanese text: not part of the cell's value
            self.phonetic = True
        elif name == "r":
            self.phonetic = False
        elif name == "sst":
            claimed = attrib.get("uniqueCount", "")
            if claimed.isdigit() and int(claimed) > self.limit.max_cells:
                raise Refused(self._too_many(int(claimed)))

    def data(self, text: str) -> None:
        self.events += 1
        if self.collect:
            self.length += len(text)
            if self.length > MAX_CELL_CHARS:
                raise Refused(Message("msg.guard.string_too_long", index=len(self.lengths) + 1, resave=resave()))

    def close(self) -> array[int]:
        self._close()
        return self.lengths

    def _close(self) -> None:
        """Count the string just read (if any)."""
        if not self.open:
            return
        self.open = self.phonetic = False
        self.lengths.append(self.length)
        self.total += self.length
        if len(self.lengths) > self.limit.max_cells:
            raise Refused(self._too_many(len(self.lengths)))
        if self.total > self.limit.max_text:
            raise Refused(Message("msg.guard.strings_too_big", limit=self.limit.max_text, resave=resave()))

    def _too_many(self, count: int) -> Message:
        return Message("msg.read.shared_strings", claimed=count, limit=self.limit.max_cells, resave=resave())


_VALUE, _INLINE_TEXT, _PHONETIC, _ROW, _CELL = "v", "t", "rPh", "row", "c"
_TEXT_TYPES = frozenset({"s", "str", "inlineStr", "e", "d"})  # cells whose text a reader keeps as a string


class _SheetScan(_Scan):
    """One worksheet: the declared dimension, every cell's place and the length of its text, checked as they come.

    A cell without a reference sits right of the one before it (a row without one below the row before), as
    calamine counts. A cell counts towards the extent when it holds anything (a value, a formula, an inline
    string); styled empty cells (`<c r="Z9" s="1"/>`) cost a reader nothing. Text is what the cell shows: its
    string value, its inline string, or the shared string it points at (counted each time it is used). A cell
    is settled when the next cell or row starts, or the part ends.
    """

    def __init__(self, sheet: str, limit: Limits, strings: array[int], budget: int) -> None:
        super().__init__()
        self.sheet, self.limit, self.strings, self.budget = sheet, limit, strings, budget
        self.extent = Extent()
        self.row = self.col = 0  # the place of the last row and cell opened
        self.ref = ""
        self.open = self.shared = self.text = self.filled = self.collect = self.phonetic = False
        self.length = 0
        self.index: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.events += 1
        name = self.names.get(tag) or self.local(tag)
        if self.open:
            if name in (_VALUE, _INLINE_TEXT):
                self.filled = True
                self.collect = self.text and not self.phonetic
                return
            self.collect = False
            if name == _PHONETIC:
                self.phonetic = True
                return
            if name not in (_CELL, _ROW):
                self.filled = True  # a formula, an inline string, anything a reader may take for a value
                return
            self._settle()
        if name == _CELL:
            ref = attrib.get("r") or _attribute(attrib, "r")
            if ref:
                try:
                    letters, self.row = coordinate_from_string(ref)
                    self.col = column_index_from_string(letters)
                except (CellCoordinatesException, ValueError):
                    raise Refused(self._bad(ref), self.sheet) from None
            else:
                self.row, self.col = max(self.row, 1), self.col + 1
            kind = attrib.get("t")
            if kind is None and len(attrib) > 2:  # r and s are all a number's cell carries; more may be x:t
                kind = _attribute(attrib, "t")
            self.ref, self.open, self.filled, self.length, self.phonetic = ref, True, False, 0, False
            if kind is not None:
                self.shared, self.text = kind == "s", kind in _TEXT_TYPES
                if self.shared:
                    self.index = []
            else:
                self.shared = self.text = False
        elif name == _ROW:
            ref = attrib.get("r") or _attribute(attrib, "r")
            self.row = int(ref) if ref.isdigit() else self.row + 1
            self.col = 0
        elif name == "dimension":
            self._dimension(attrib.get("ref") or _attribute(attrib, "ref"))

    def data(self, text: str) -> None:
        self.events += 1
        if not self.collect:
            return
        if self.shared:  # the index of a shared string: digits, never long
            if len(self.index) < 4:
                self.index.append(text)
            return
        self.length += len(text)
        if self.length > MAX_CELL_CHARS:
            raise Refused(self._too_long(), self.sheet)

    def close(self) -> Extent:
        if self.open:
            self._settle()
        return self.extent

    def _bad(self, ref: str) -> Message:
        return Message("msg.guard.bad_reference", sheet=self.sheet, ref=ref[:20])

    def _dimension(self, ref: str) -> None:
        """Refuse a sheet whose declared size is past the limits (a reader may reserve room for all of it)."""
        if not ref:
            return
        corner = ref.rpartition(":")[2]
        try:
            letters, rows = coordinate_from_string(corner)
            declared = Extent(rows, column_index_from_string(letters))
        except (CellCoordinatesException, ValueError):
            raise Refused(self._bad(corner), self.sheet) from None
        if declared.past(self.limit):
            raise Refused(too_big_sheet(self.sheet, declared, self.limit), self.sheet)

    def _settle(self) -> None:
        """Count the cell just read: its place against the limits, its text against Excel's and the budget."""
        self.open = self.collect = False
        if not self.filled:
            return
        extent = self.extent
        if self.row > extent.rows or self.col > extent.cols:
            extent.rows, extent.cols = max(extent.rows, self.row), max(extent.cols, self.col)
            if extent.past(self.limit):
                raise Refused(too_big_sheet(self.sheet, extent, self.limit), self.sheet)
        if self.shared:
            digits = "".join(self.index).strip()
            if digits.isdigit() and int(digits) < len(self.strings):
                self.length += self.strings[int(digits)]
        if self.length:
            if self.length > MAX_CELL_CHARS:
                raise Refused(self._too_long(), self.sheet)
            extent.text += self.length
            if extent.text > self.budget:
                raise Refused(_text_too_big(self.sheet, self.limit), self.sheet)

    def _too_long(self) -> Message:
        cell = self.ref or f"{get_column_letter(min(max(self.col, 1), 18278))}{self.row}"
        return Message("msg.guard.cell_too_long", sheet=self.sheet, cell=cell[:20], limit=MAX_CELL_CHARS)


def _attribute(attrib: dict[str, str], name: str) -> str:
    """An attribute by its local name, whatever namespace prefix it was written with ("" when it has none)."""
    return next((value for key, value in attrib.items() if key.rpartition("}")[2] == name), "")


def _text_too_big(sheet: str, limit: Limits) -> Message:
    return Message("msg.guard.text_too_big", sheet=sheet, limit=limit.max_text)
