"""UI text in Japanese and English: every string the pages show comes through `t`.

Strings live in `opmaturity/strings/*.yaml` (one file per area, merged), each key mapping to
`{ja: ..., en: ...}`, with `{name}` placeholders filled by keyword arguments.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from . import config

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"
STRINGS_DIR = config.PACKAGE_DIR / "strings"


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every UI string by key; two files defining one key is an error."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(Path(STRINGS_DIR).glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"{path.name}: the UI string {key!r} is defined twice")
            missing = [lang for lang in LANGS if not isinstance(texts, dict) or not texts.get(lang)]
            if missing:
                raise ValueError(f"{path.name}: the UI string {key!r} has no {', '.join(missing)} text")
            merged[key] = texts
    return merged


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The UI string `key` in `lang`, placeholders filled; an unknown key raises KeyError."""
    text = catalog()[key][lang if lang in LANGS else DEFAULT_LANG]
    return text.format(**values) if values else text
