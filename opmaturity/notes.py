"""Workshop notes: linking a sticky's text to a model item by the keyword rules in the model file."""

from __future__ import annotations

from .model import Model
from .text import normalize


def linked_item(text: str, model: Model) -> str | None:
    """The key of the item whose keywords the text mentions most (ties: model order), or None."""
    norm = normalize(text)
    best, best_hits = None, 0
    for item in model.items:
        hits = sum(1 for word in item.keywords if normalize(word) and normalize(word) in norm)
        if hits > best_hits:
            best, best_hits = item.key, hits
    return best
