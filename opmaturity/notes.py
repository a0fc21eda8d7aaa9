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


def titled_item(title: str | None, model: Model) -> str | None:
    """The item a frame (a board's group of notes) is titled after, or None: the item whose key it names
    (`OBS-5`, `OBS-5 監視ツール`), else whose title it holds in either language (the longest such title:
    `SLOの合意` before `SLO`), else whose keywords it mentions most (linked_item)."""
    norm = normalize(title)
    if not norm:
        return None
    for item in model.items:
        if _pattern(item.key).search(norm):
            return item.key
    held = [(len(t), item.key) for item in model.items for t in (normalize(item.ja), normalize(item.en)) if t in norm]
    if held:
        return max(held)[1]
    return linked_item(title or "", model)
