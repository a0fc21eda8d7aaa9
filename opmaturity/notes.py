"""Workshop notes: linking a sticky's text to a model item by the keyword rules in the model file."""

from __future__ import annotations

import re

from .model import Item, Model
from .text import normalize


def _pattern(keyword: str) -> re.Pattern[str]:
    """Latin keywords match whole words (`SLA` is not in `Slack`); Japanese ones match anywhere."""
    word = re.escape(normalize(keyword))
    if keyword.isascii():
        return re.compile(rf"(?<![a-z0-9]){word}(?![a-z0-9])")
    return re.compile(word)


def linked_item(text: str, model: Model) -> str | None:
    """The key of the item whose keywords the text mentions most (ties: model order), or None."""
    norm = normalize(text)
    best, best_hits = None, 0
    for item in model.items:
        hits = sum(1 for word in item.keywords if normalize(word) and _pattern(word).search(norm))
        if hits > best_hits:
            best, best_hits = item.key, hits
    return best


def _titles(item: Item) -> set[str]:
    """An item's titles as a note may write them: both languages, and the Japanese one without its の (a note
    writes コスト可視化 for コストの可視化)."""
    ja = normalize(item.ja)
    return {t for t in (ja, ja.replace("の", ""), normalize(item.en)) if len(t) >= 2}


def named_item(text: str | None, model: Model) -> str | None:
    """The item a text names outright, or None: the item whose key it names (`OBS-5`, `OBS-5 監視ツール`), else
    whose title it holds in either language (the longest such title: `SLOの合意` before `SLO`)."""
    norm = normalize(text)
    if not norm:
        return None
    for item in model.items:
        if _pattern(item.key).search(norm):
            return item.key
    held = [(len(t), item.key) for item in model.items for t in _titles(item) if t in norm]
    return max(held)[1] if held else None


_PARTS = re.compile(r"[の・と、,/\s]+")  # what joins the parts of a Japanese item title


def category_item(text: str, frame: str | None, model: Model) -> str | None:
    """Where the frame names a category (its key or title: a frame titled メンテナンス), the item of that category
    whose title's parts the note mentions (告知 of メンテナンス手順と告知), when exactly one does; else None."""
    where = normalize(frame)
    if not where:
        return None
    named = [c for c in model.categories if where in {normalize(c.key), normalize(c.ja), normalize(c.en)}]
    if len(named) != 1:
        return None
    norm = normalize(text)
    hits = {
        item.key: sum(1 for part in _PARTS.split(normalize(item.ja)) if len(part) >= 2 and part in norm)
        for item in named[0].items
    }
    best = max(hits.values(), default=0)
    found = [key for key, n in hits.items() if n == best]
    return found[0] if best and len(found) == 1 else None


def note_item(text: str, frame: str | None, model: Model) -> str | None:
    """The item a sticky is about: the one it names itself (key or title), else the one its frame names, else the
    one its own words' keywords point to, else the item of the frame's category whose title the note mentions in
    part, else the frame's keywords'. A frame titled `OBS-5 アラートの通知先` says more than a keyword (`Datadog`)
    in one of its notes: an outside review saw such a note linked to another item."""
    return (
        named_item(text, model)
        or named_item(frame, model)
        or linked_item(text, model)
        or category_item(text, frame, model)
        or (linked_item(frame, model) if frame else None)
    )
