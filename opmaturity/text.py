"""Text normalisation shared by every matcher: width, case and spacing never decide a match."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: object) -> str:
    """NFKC (full-width to half-width), case folded, whitespace squeezed and stripped."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return _SPACES.sub(" ", folded).strip()


def visible(text: str) -> str:
    """`text` without invisible format characters (zero-width spaces and joiners, bidi marks, embeddings and
    overrides, a BOM, soft hyphens: Unicode's Cf) and surrounding blanks. A name with them looked the same as
    one without and split a team in two; `\u202e` showed a name backwards (an outside review)."""
    if text.isascii():
        return text.strip()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def compact(text: object) -> str:
    """`normalize` without any spaces: `Monitoring&alerting [ランブック]` style loose keys."""
    return normalize(text).replace(" ", "")


def note_key(item_id: str | None, group: str | None, text: str) -> str:
    """A workshop note's natural key: `id:` and the Miro item id where the export has one, else `text:` with
    its group and text normalised (width, case, spacing; HTML entities are already decoded by the reader)."""
    if item_id:
        return f"id:{item_id.strip()}"
    return f"text:{normalize(group)}|{normalize(text)}"
