"""User text made safe for Streamlit's markdown, with search hits highlighted (pure, no Streamlit).

Notes and comments are data, never markup: `**x**`, `![](http://…)`, `<img onerror=…>`,
`[link](javascript:…)`, `$x$` or `:red[x]` in a note must show exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata

from .text import normalize

# CommonMark lets a backslash escape any ASCII punctuation, and an escaped character is always literal
# text: no emphasis, link, image, HTML, table, heading, list, math ($) or Streamlit directive (:red[…]).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# The colour a search hit is marked with (a Streamlit markdown directive).
HIGHLIGHT = "orange-background"


def escape(text: object) -> str:
    """`text` as markdown that shows it literally; line breaks kept, leading indentation dropped."""
    return _escaped(_tidy(text))


def _tidy(text: object) -> str:
    """One kind of line break, each line stripped: indentation would turn a line into a code block."""
    if text is None:
        return ""
    return "\n".join(line.strip() for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _escaped(text: str) -> str:
    """Punctuation backslash-escaped; a trailing "  " keeps each line break."""
    return _PUNCTUATION.sub(r"\\\1", text).replace("\n", "  \n")


def hits(text: str, query: str | None) -> list[tuple[int, int]]:
    """Where the words of `query` occur in `text` as (start, end) spans, ignoring case and width like
    the search does (`ﾏｽｸ` marks `マスク`), overlapping spans merged."""
    words = normalize(query).split()
    if not words or not text:
        return []
    # Normalise one character at a time so that every position maps back to the original text.
    folded, origin = [], []
    for at, char in enumerate(text):
        for out in unicodedata.normalize("NFKC", char).casefold():
            folded.append(out)
            origin.append(at)
    haystack = "".join(folded)
    spans = []
    for word in words:
        start = haystack.find(word)
        while start != -1:
            end = start + len(word)
            spans.append((origin[start], origin[end - 1] + 1))
            start = haystack.find(word, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlighted(text: object, query: str | None = None) -> str:
    """`text` escaped for markdown, each search hit wrapped in the highlight colour."""
    raw = _tidy(text)
    out, last = [], 0
    for start, end in hits(raw, query):
        out.append(_escaped(raw[last:start]))
        out.append(f":{HIGHLIGHT}[{_escaped(raw[start:end].replace(chr(10), ' '))}]")  # a highlight stays on one line
        last = end
    out.append(_escaped(raw[last:]))
    return "".join(out)
