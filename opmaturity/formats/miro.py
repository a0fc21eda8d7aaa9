"""Miro workshop boards: the board's CSV export, the REST API v2 items JSON, and CSVs flattened from it."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from ..batch import Batch, Note
from ..dates import parse_date
from ..i18n import Advice, Listed, Message
from ..notes import note_item
from ..readers import Cell, Source, Table
from ..readers.source import MAX_CELL_CHARS, clipped
from ..text import normalize
from ..values import Invalid, display
from .common import Context, filled, header_roles, name_of, text_of

STICKY_TYPES = frozenset({"sticky_note", "sticky note", "sticky", "stickynote", "付箋"})
FRAME_TYPES = frozenset({"frame", "フレーム"})
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>|</div>\s*<div[^>]*>|</li>\s*<li[^>]*>", re.I)
_TAG_SPLIT = re.compile(r"\s*[;,|]\s*")


def plain(content: str) -> str:
    """Sticky text without its HTML: paragraphs and <br> become line breaks, entities are decoded."""
    if not (_TAG.search(content) or _ENTITY.search(content)):
        return content
    text = _BREAK.sub("\n", content)
    return html.unescape(_TAG.sub("", text))


def sticky_text(content: str, batch: Batch, row: int) -> str:
    """The text of a sticky's HTML; a sticky that is nothing but markup (`<img src=x onerror=…>`) keeps its
    content as literal text, and the report says so: a note is never dropped for its markup."""
    text = plain(content)
    if text.strip() or not content.strip():
        return text
    batch.messages.append(Message("msg.parse.markup_kept", row=row, text=content.strip()[:80]))
    return content


_TITLE_SPLIT = re.compile(r"\s*[｜|]\s*")
_DASH_SPLIT = re.compile(r"\s*[—–―]\s*|\s+[-－]\s+")  # `SREワークショップ — ポイント基盤`, as workbook titles
_WORKSHOP = re.compile(r"ワークショップ|ヒアリング|振り返り|レトロ|workshop|hearing|retro", re.I)


def board_title(text: str) -> tuple[str | None, date | None] | None:
    """(product, date) a board title proposes, or None when the text is no such title: parts between bars
    (`SREヒアリング ワークショップ｜GLOBIS 学び放題｜2024-05-21`: at least two, a date or a third part among them),
    or a workshop's name and the product after a dash (`SREワークショップ — ポイント基盤`; a first row `課題 — 監視`
    names no workshop and stays a frame)."""
    if "\n" in text:
        return None
    parts = [p for p in _TITLE_SPLIT.split(text.strip()) if p]
    dashed = len(parts) < 2
    if dashed:
        parts = [p for p in _DASH_SPLIT.split(text.strip()) if p]
        if len(parts) < 2 or not _WORKSHOP.search(parts[0]):
            return None
    day = None
    rest = []
    for part in parts:
        try:
            found = parse_date(part) if day is None else None
        except Invalid:
            found = None
        if found:
            day = found
        else:
            rest.append(part)
    if day is None and len(rest) < 3 and not dashed:  # bars need a date or a third part; a dash names a workshop
        return None
    product = rest[-1] if len(rest) >= 2 else None  # the first part names the workshop, a later one the product
    return product, day


def find_header(table: Table, limit: int = 5) -> tuple[int, dict[str, int]] | None:
    """The header row of a CSV flattened from the API (a content column with type, frame or colour)."""
    for n, row in enumerate(table.head(limit)):
        roles = header_roles(row)
        if "content" in roles and ({"type", "frame", "colour"} & roles.keys()):
            return n, roles
    return None


def parse(source: Source, ctx: Context) -> Batch:
    """A Batch of workshop notes (no scores); product and team from the file where it says, else the options."""
    batch = ctx.batch("miro")
    if source.kind == "json":
        _from_api(source.payload, ctx, batch)
    else:
        for table in source.tables:
            found = find_header(table)
            if found:
                _from_flat(table, found[0], found[1], ctx, batch)
            else:
                _from_board(table, ctx, batch)
    for note in batch.notes:  # its own words, else its frame's (notes.note_item)
        note.item = note_item(note.text, note.group, ctx.model)
    if not batch.notes and not batch.problems:
        batch.problems.append(ctx.problem(Message("msg.parse.no_stickies")))
    return batch


def _note(ctx: Context, text: str, *, product: str | None = None, team: str | None = None, **kw: Any) -> Note:
    """A Note with the file's or the chosen product/team and its linked item."""
    product = product or ctx.product
    team = (team or ctx.team) if product else None
    return Note(text=text, product=product, team=team, **kw)  # its item once its frame is known (parse)


def _from_api(payload: Any, ctx: Context, batch: Batch) -> None:
    """Add the sticky notes of a REST API v2 item list to the batch."""
    items = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        batch.problems.append(
            ctx.problem(Message("msg.parse.not_miro_json", expected='{"data": [...], "type": "cursor-list"}'))
        )
        return
    long = _long_text(items)
    if long is not None:  # the whole board is refused, as a workbook or CSV with such a cell is
        n, item, what, text, length = long
        message = Message("msg.parse.item_too_long", what=what, item=item, length=length, limit=MAX_CELL_CHARS)
        # named by its id, not a "row": a board's JSON has no rows a person could find (its place in the list is n)
        batch.problems.append(ctx.problem(message, value=clipped(text)))
        return
    frames = {
        str(i.get("id")): plain(display(_part(i, "data").get("title") or ""))
        for i in items
        if i.get("type") in FRAME_TYPES
    }
    others: dict[str, int] = {}
    dates: list[date] = []
    for n, item in enumerate(items, start=1):
        kind = str(item.get("type", ""))
        if kind not in STICKY_TYPES:
            if kind not in FRAME_TYPES:
                others[kind or "unknown"] = others.get(kind or "unknown", 0) + 1
            continue
        content = _part(item, "data").get("content")
        text = sticky_text(content, batch, n) if isinstance(content, str) else ""
        if not text.strip():
            continue
        parent = str(_part(item, "parent").get("id") or "")
        author = str(_part(item, "createdBy").get("id") or "")
        colour = _part(item, "style").get("fillColor")
        batch.notes.append(
            _note(
                ctx,
                text,
                group=frames.get(parent) or None,
                colour=str(colour) if colour else None,
                author=ctx.person(f"miro:{author}") if author else None,
                key=str(item["id"]) if item.get("id") is not None else None,  # a re-export replaces it
                row=n,
            )
        )
        for stamp in (item.get("createdAt"), item.get("modifiedAt")):
            try:
                day = parse_date(str(stamp)[:10]) if stamp else None
            except Invalid:
                day = None
            if day:
                dates.append(day)
    if others:
        kinds = Listed(f"{count} {kind}" for kind, count in sorted(others.items()))
        batch.messages.append(Message("msg.parse.skipped_board_items", kinds=kinds))
    batch.round_date = min(dates) if dates else None


def _long_text(items: list[dict[str, Any]]) -> tuple[int, str, Message, str, int] | None:
    """The first item with text longer than a cell may hold (MAX_CELL_CHARS) where it would be stored or said,
    as it would be: a sticky's text and a frame's title (its notes' group) without their HTML, its id, type or
    colour; (its place in the list, its id, what, the text, its length), or None when there is none. Other
    items' text (a doc's HTML, a shape's label) is never stored, and may be as long as Miro lets it be."""
    for n, item in enumerate(items, start=1):
        kind = str(item.get("type", ""))
        data = _part(item, "data")
        fields = [
            (Message("msg.parse.what.field", field="id"), item.get("id")),
            (Message("msg.parse.what.field", field="type"), kind),
            (Message("msg.parse.what.field", field="fillColor"), _part(item, "style").get("fillColor")),
        ]
        if kind in STICKY_TYPES:
            fields.append((Message("msg.parse.what.sticky"), data.get("content")))
        elif kind in FRAME_TYPES:
            fields.append((Message("msg.parse.what.frame"), data.get("title")))
        for what, value in fields:
            if not isinstance(value, str) or len(value) <= MAX_CELL_CHARS:
                continue
            text = plain(value) if what.key != "msg.parse.what.field" else value
            if kind in STICKY_TYPES and not text.strip():
                text = value  # a sticky of nothing but HTML is kept as it is (sticky_text)
            if len(text) > MAX_CELL_CHARS:
                found = item.get("id")
                name = clipped(str(found), 40) if found not in (None, "") else f"#{n}"
                return n, name, what, text, len(text)
    return None


def _part(item: dict[str, Any], key: str) -> dict[str, Any]:
    """An object-valued field of an API item (data, style, parent, createdBy), or {} when missing or malformed."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _from_flat(table: Table, top: int, roles: dict[str, int], ctx: Context, batch: Batch) -> None:
    """Add the sticky notes of a CSV flattened from the API (one row per item) to the batch."""

    def at(row: list[Cell], role: str) -> Cell:
        index = roles.get(role)
        return row[index] if index is not None and index < len(row) else ""

    body = table.rows[top + 1 :]
    frames = {
        name_of(at(r, "id")): plain(text_of(at(r, "content")))
        for r in body
        if normalize(at(r, "type")) in FRAME_TYPES and name_of(at(r, "id"))
    }
    skipped = 0
    for offset, row in enumerate(body):
        number = top + offset + 2
        if not filled(row):
            continue
        kind = normalize(at(row, "type"))
        if "type" in roles and kind not in STICKY_TYPES:
            skipped += kind not in FRAME_TYPES
            continue
        text = sticky_text(text_of(at(row, "content")), batch, number)
        if not text.strip():
            continue
        frame = name_of(at(row, "frame"))
        tags = tuple(t for t in _TAG_SPLIT.split(name_of(at(row, "tags"))) if t)
        author = name_of(at(row, "author"))
        batch.notes.append(
            _note(
                ctx,
                text,
                product=name_of(at(row, "product")) or None,
                team=name_of(at(row, "team")) or None,
                group=frames.get(frame, frame) or None,
                tags=tags,
                colour=name_of(at(row, "colour")) or None,
                author=ctx.person(f"miro:{author}") if author else None,
                key=name_of(at(row, "id")) or None,  # the Miro item id: a re-export replaces the note
                sheet=table.name,
                row=number,
            )
        )
    if skipped:
        batch.messages.append(Message("msg.parse.skipped_rows_not_stickies", count=skipped))


def _from_board(table: Table, ctx: Context, batch: Batch) -> None:
    """Add the notes of a board's CSV export: cells are notes. A frame title is a row whose single cell is in
    the first column with more of the board beneath it; a lone sticky elsewhere (the last column, say) is a
    note. A first-column cell alone on the last row, or between two such rows (a frame holding one sticky), is
    in doubt: it is kept as a note, and said."""
    group: str | None = None
    seen: dict[str, Note] = {}
    repeated = 0
    doubtful: list[int] = []
    grid = any(len(filled(row)) > 1 for row in table.rows)  # a one-column list holds notes only
    numbered = [(n, row, filled(row)) for n, row in enumerate(table.rows, start=1) if filled(row)]
    if numbered and numbered[0][2] == [0] and (title := board_title(text_of(numbered[0][1][0]))) is not None:
        batch.board = text_of(numbered[0][1][0]).strip()  # a re-export of this board replaces its notes
        _propose(ctx, batch, batch.board, *title)
        numbered = numbered[1:]  # the board's title: neither a note nor a frame
    lone = [grid and cells == [0] for _, _, cells in numbered]
    for position, (n, row, cells) in enumerate(numbered):
        if lone[position]:
            # A title heads the board beneath it; in a run of lone cells the first and the last are titles (the
            # first an empty frame where the run is two), the ones between are stickies alone on their row.
            inside = 0 < position < len(numbered) - 1 and lone[position - 1] and lone[position + 1]
            if position + 1 < len(numbered) and not inside:
                group = name_of(row[0])  # a frame or section title, not a note
                continue
            doubtful.append(n)
        for c in cells:
            text = text_of(row[c])
            earlier = seen.get(text)
            if earlier is not None:
                repeated += 1
                if earlier.group is None and group:
                    earlier.group = group
                continue
            note = _note(ctx, text, group=group, sheet=table.name, row=n)
            seen[text] = note
            batch.notes.append(note)
    if repeated:
        batch.messages.append(Message("msg.parse.stickies_twice", count=repeated))
    if doubtful:
        batch.messages.append(Message("msg.parse.lone_cells_kept", rows=Listed(str(n) for n in doubtful)))


def _propose(ctx: Context, batch: Batch, title: str, product: str | None, day: date | None) -> None:
    """Take the product and date a board title proposes where the person chose none, and say so."""
    if product and not ctx.product:
        ctx.product = product
        batch.messages.append(
            Message("msg.parse.board_product", title=title, product=product, advice=Advice("product"))
        )
    if day:
        batch.round_date = day
        batch.messages.append(Message("msg.parse.board_date", title=title, day=day.isoformat()))
