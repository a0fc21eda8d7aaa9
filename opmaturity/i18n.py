"""Text in Japanese and English: every string a person reads comes through `t`, directly or as a `Message`.

Strings live in `opmaturity/strings/*.yaml` (one file per area, merged), each key mapping to
`{ja: ..., en: ...}`, with `{name}` placeholders filled by keyword arguments.

The core never writes text for a person: it builds a `Message` (a key and its parameters) and the page or the
command line renders it in the reader's language with `Message.text(lang, surface)`. A parameter may itself be a
`Message` (rendered in the same language) or an `Advice`: how to choose something on import, which a page says
with its own controls and the command line with its flags (`surface` "page" or "cli").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import config
from .rounding import FORMATTER

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"
MESSAGE_LANG = "en"  # what a Message is as a plain str: logs, the JSON contract, tests
SURFACES = ("page", "cli")
MESSAGE_SURFACE = "cli"
STRINGS_DIR = config.PACKAGE_DIR / "strings"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C one where libyaml exists: 5-8x faster


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every UI string by key; two files defining one key is an error."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(Path(STRINGS_DIR).glob("*.yaml")):
        entries = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506  (a safe loader)
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"{path.name}: the UI string {key!r} is defined twice")
            missing = [lang for lang in LANGS if not isinstance(texts, dict) or not texts.get(lang)]
            if missing:
                raise ValueError(f"{path.name}: the UI string {key!r} has no {', '.join(missing)} text")
            merged[key] = texts
    return merged


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """The UI string `key` in `lang`, placeholders filled; an unknown key raises KeyError."""
    text = catalog()[key][lang if lang in LANGS else DEFAULT_LANG]
    if not values:
        return text
    if "f}" in text or "|" in text:  # {x:.1f}: halves up; {n:note|notes}: the word for the count
        return FORMATTER.format(text, **values)
    return text.format(**values)


def lang_from_env(environ: dict[str, str]) -> str:
    """ja when the locale ($LC_ALL, else $LC_MESSAGES, else $LANG) is Japanese, else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


class Quoted(tuple[str, ...]):
    """Names a person wrote (sheets, columns), listed: `"a", "b"` in English, `「a」、「b」` in Japanese."""

    def text(self, lang: str, surface: str = MESSAGE_SURFACE) -> str:
        """The names quoted and joined the way `lang` writes a list."""
        return t("list.separator", lang).join(t("list.quoted", lang, name=name) for name in self)


class QuotedBoth(Quoted):
    """Two or more names that must all be there: `"a" and "b"` in English, `「a」と「b」` in Japanese."""

    def text(self, lang: str, surface: str = MESSAGE_SURFACE) -> str:
        """The names quoted and joined with `and`."""
        return t("list.and", lang).join(t("list.quoted", lang, name=name) for name in self)


class Listed(tuple[Any, ...]):
    """Words listed as they are (level words, layouts): `a, b` in English, `a、b` in Japanese."""

    def text(self, lang: str, surface: str = MESSAGE_SURFACE) -> str:
        """The words (messages rendered in `lang`) joined the way `lang` writes a list."""
        return t("list.separator", lang).join(text(word, lang, surface) for word in self)


class AndListed(Listed):
    """Words listed with `and` before the last: `a, b and c` in English, `a、b、c` in Japanese."""

    def text(self, lang: str, surface: str = MESSAGE_SURFACE) -> str:
        """The words rendered in `lang`, the last joined with `and`."""
        words = [text(word, lang, surface) for word in self]
        if len(words) < 2:
            return "".join(words)
        return t("list.separator", lang).join(words[:-1]) + t("list.last", lang) + words[-1]


class Named(str):
    """A name the model gives in both languages (a level word): its English as a plain str, `text(lang)` in
    `lang`; listed in a message, it is read in the message's language."""

    ja: str
    en: str

    def __new__(cls, ja: str, en: str) -> Named:
        self = super().__new__(cls, en)
        self.ja, self.en = ja, en
        return self

    def text(self, lang: str, surface: str = MESSAGE_SURFACE) -> str:
        """The name in `lang`."""
        return self.ja if lang == "ja" else self.en

    def __reduce__(self) -> tuple[Any, ...]:
        return (Named, (self.ja, self.en))


class Message(str):
    """A text for a person: a catalogue key and its parameters.

    As a plain str it is its English command-line text, so logs, the JSON contract and comparisons keep working;
    a page or the command line shows `text(lang, surface)`.
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Message:
        self = super().__new__(cls, _render(key, params, MESSAGE_LANG, MESSAGE_SURFACE))
        self.key = key
        self.params = params
        return self

    def text(self, lang: str, surface: str = MESSAGE_SURFACE) -> str:
        """The message in `lang`, advice worded for `surface` ("page" or "cli")."""
        return _render(self.key, self.params, lang, surface)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled by st.cache_data: rebuild from the key, not the English
        return (_message, (self.key, self.params))


def _message(key: str, params: dict[str, Any]) -> Message:
    return Message(key, **params)


class Advice(Message):
    """How to choose something the file does not say: a page names its own control, the command line its flag.

    The catalogue holds `advice.<name>.page` and `advice.<name>.cli`; as a plain str it is the command line's.
    """

    def __new__(cls, name: str, /, **params: Any) -> Advice:
        key = f"advice.{name}"
        self = str.__new__(cls, _render(f"{key}.{MESSAGE_SURFACE}", params, MESSAGE_LANG, MESSAGE_SURFACE))
        self.key = key
        self.params = params
        return self

    def text(self, lang: str, surface: str = MESSAGE_SURFACE) -> str:
        """The advice in `lang` for `surface` ("page" or "cli")."""
        return _render(f"{self.key}.{surface if surface in SURFACES else MESSAGE_SURFACE}", self.params, lang, surface)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_advice, (self.key.removeprefix("advice."), self.params))


def _advice(name: str, params: dict[str, Any]) -> Advice:
    return Advice(name, **params)


def _render(key: str, params: dict[str, Any], lang: str, surface: str) -> str:
    """The text of `key` with every parameter rendered in `lang` (nested messages and advice included)."""
    values = {
        name: value.text(lang, surface) if isinstance(value, (Message, Quoted, Listed, Named)) else value
        for name, value in params.items()
    }
    return t(key, lang, **values)


def text(value: object, lang: str, surface: str = MESSAGE_SURFACE) -> str:
    """A Message rendered in `lang`; any other value as it is (a str written by no catalogue, such as a name)."""
    return value.text(lang, surface) if isinstance(value, (Message, Named)) else str(value)


def counted(n: int, noun: str) -> Message:
    """`1 answer` / `5 answers` (`回答 5 件`): the catalogue holds `count.<noun>.one` and `count.<noun>.other`."""
    return Message(f"count.{noun}.{'one' if n == 1 else 'other'}", n=n)
