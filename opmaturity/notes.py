"""Workshop notes: linking a sticky's text to a model item by the keyword rules in the model file."""

from __future__ import annotations

import re

from .model import Model
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


def named_item(text: str | None, model: Model) -> str | None:
    """The item a text names outright, or None: the item whose key it names (`OBS-5`, `OBS-5 監視ツール`), else
    whose title it holds in either language (the longest such title: `SLOの合意` before `SLO`)."""
    norm = normalize(text)
    if not norm:
        return None
    for item in model.items:
        if _pattern(item.key).search(norm):
            return item.key
    held = [(len(t), item.key) for item in model.items for t in (normalize(item.ja), normalize(item.en)) if t in norm]
    return max(held)[1] if held else None


def note_item(text: str, frame: str | None, model: Model) -> str | None:
    """The item a sticky is about: the one it names itself (key or title), else the one its frame names, else the
    one its own words' keywords point to, else its frame's. A frame titled `OBS-5 アラートの通知先` says more than
    a keyword (`Datadog`) in one of its notes: an outside review saw such a note linked to another item."""
    return (
        named_item(text, model)
        or named_item(frame, model)
        or linked_item(text, model)
        or (linked_item(frame, model) if frame else None)
    )
