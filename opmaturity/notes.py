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
