"""Cell values in the model's terms: levels, importance, raters, items, categories and how a cell is shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from .i18n import Advice, Listed, Message, Named
from .model import Model
from .text import compact, normalize


class Invalid(ValueError):
    """A value the model does not accept; the message says what is accepted and what was given."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


_INT = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
# A number followed by a word (`3 運用・計測`, `3: Measured`, `2・定義済み`); the word must name the same level.
_LABEL = re.compile(r"^(\d+)\s*[:.\-・)、–—]?\s*(\D.*)$")
_LEVEL_PREFIX = re.compile(r"^(?:level|lv\.?|レベル)\s*(\d+)$")
_BRACKETED = re.compile(r"[(\[【「<][^)\]】」>]*[)\]】」>]")
_SPLIT = re.compile(r"\s*;\s*|\s*,\s+")
_RATER_SUFFIX = re.compile(r"\s*(?:の評価|評価|assessment|rating)$")
_NUMBERED = re.compile(r"^\d+(?:[.\-]\d+)*[.)、:]?\s*")
_KEYED = re.compile(r"^([a-z]+-\d+)\s*[:.)]?\s*(.*)$")


def _label_word(text: str) -> str:
    """The word of a `3 運用・計測` or `3 (高)` label, compacted and without surrounding brackets."""
    return compact(text.strip().strip("()[]「」【】"))


def display(value: object) -> str:
    """The value as a spreadsheet shows it: `7` for 7.0, dates as 2024-05-20, text verbatim."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def shown(value: object, limit: int = 80) -> str:
    """The value for a message: as displayed, clipped to `limit` characters (the data itself is never clipped)."""
    text = display(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choices(value: object) -> list[str]:
    """A checkbox answer split into its choices (`A;B;` from Forms, `A, B` from Sheets)."""
    text = display(value).strip()
    return [part for part in _SPLIT.split(text) if part] if text else []


@dataclass(frozen=True)
class _Failed:
    message: Message


_MISSING = object()


IGNORE = "-"  # a mapping to this instead of an item key means "ignore this column" (not a question of the model)


class Values:
    """Converts cells to the model's terms; built once per file (it caches what it has seen)."""

    def __init__(self, model: Model, mappings: dict[str, str] | None = None) -> None:
        self.model = model
        self.levels = model.level_words()
        self.level_labels = {compact(k): v for k, v in self.levels.items()}
        self.importances = model.importance_words()
        self.importance_labels = {compact(k): v for k, v in self.importances.items()}
        self.na = model.na_words()
        self.raters = {compact(k): v for k, v in model.rater_words().items()}
        self.names = model.item_names()
        from .formats.roles import decode  # formats import this module: only once both are loaded

        self.mappings = {compact(k): v for k, v in (mappings or {}).items()}
        self.roles = {k: decode(v) for k, v in self.mappings.items()}
        self.categories = {compact(n): c.key for c in model.categories for n in (c.key, c.ja, c.en)}
        self.level_help = Message(
            "msg.value.level_help",
            low=model.min_level,
            high=model.max_level,
            words=Listed(Named(lv.ja, lv.en) for lv in model.levels),  # in the language the message is read in
        )
        self._cache: dict[tuple[str, type, object], object] = {}
        self._unknown: dict[tuple[str, bool], Message] = {}

    def _memo(self, kind: str, value: object, compute: Callable[[object], object]) -> Any:
        """compute(value), remembered per distinct cell value (a 100,000-row file repeats few values)."""
        key = (kind, type(value), value)
        found = self._cache.get(key, _MISSING)
        if found is _MISSING:
            try:
                found = compute(value)
            except Invalid as exc:
                found = _Failed(exc.message)
            if len(self._cache) < 50_000:
                self._cache[key] = found
        if isinstance(found, _Failed):
            raise Invalid(found.message)
        return found

    def is_blank(self, value: object) -> bool:
        """True for an empty cell or a not-applicable word (N/A, 該当なし, －...)."""
        if value is None or value == "":
            return True
        return isinstance(value, str) and normalize(value) in self.na

    def level(self, value: object, what: str = "level") -> int | None:
        """The level 0-4 a cell means, None for blank or N/A; Invalid for anything else."""
        return self._memo(what, value, lambda v: self._level(v, what))

    def _level(self, value: object, what: str) -> int | None:
        """The level a cell means, computed (level() remembers it)."""
        # The message, not an Invalid kept in a local: an exception raised from a local refers to its own frame
        # (a cycle that keeps the caller's frames, and a parser's columns, alive until the garbage collector runs).
        bad = Message("msg.value.bad_level", what=_what(what), help=self.level_help, value=shown(value))
        if self.is_blank(value):
            return None
        if isinstance(value, (bool, datetime, date, time, timedelta)):
            raise Invalid(bad)
        if isinstance(value, float):
            if not value.is_integer():
                raise Invalid(bad)
            value = int(value)
        if isinstance(value, int):
            return self._in_range(value, bad)
        text = normalize(value)
        if _INT.match(text):
            return self._in_range(int(float(text)), bad)
        if _DECIMAL.match(text):
            raise Invalid(bad)
        if text in self.levels:
            return self.levels[text]
        prefix = _LEVEL_PREFIX.match(text)
        if prefix:
            return self._in_range(int(prefix.group(1)), bad)
        label = _LABEL.match(text)
        if label:
            number = self._in_range(int(label.group(1)), bad)
            word = label.group(2).strip()
            named = self.level_labels.get(_label_word(word))
            if named is None:
                raise Invalid(bad)  # `3 or 4`, `3 くらい？`: never guess which level was meant
            if named != number:
                raise Invalid(
                    Message(
                        "msg.value.level_mismatch",
                        what=_what(what),
                        value=shown(value),
                        number=number,
                        word=word,
                        named=named,
                        help=self.level_help,
                    )
                )
            return number
        na = Listed(self.model.not_applicable[:3])  # a word that is no level: perhaps meant as no answer
        raise Invalid(
            Message("msg.value.bad_level_word", what=_what(what), help=self.level_help, value=shown(value), na=na)
        )

    def _in_range(self, number: int, bad: Message) -> int:
        """The number when it is on the scale; an Invalid saying `bad` otherwise."""
        if not self.model.min_level <= number <= self.model.max_level:
            raise Invalid(bad)
        return number

    def importance(self, value: object) -> int | None:
        """Importance 1-3 (or 高/中/低, High/Medium/Low), None for blank or N/A; Invalid otherwise."""
        return self._memo("importance", value, self._importance)

    def _importance(self, value: object) -> int | None:
        """The importance a cell means, computed (importance() remembers it)."""
        levels = sorted(self.model.importance, key=lambda lv: -lv.level)
        bad = Message(
            "msg.value.bad_importance",
            low=levels[-1].level,
            high=levels[0].level,
            words="/".join(lv.ja for lv in levels),
            value=shown(value),
        )
        if self.is_blank(value):
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise Invalid(bad)
        text = normalize(display(value))
        if text in self.importances:
            return self.importances[text]
        label = None if _INT.match(text) else _LABEL.match(text)
        if label and self.importance_labels.get(_label_word(label.group(2))) != int(label.group(1)):
            raise Invalid(bad)  # `3 or 2`, `2 高`: a label must name the same importance as its number
        number = label.group(1) if label else text
        if _INT.match(number):
            n = int(float(number))
            if any(lv.level == n for lv in levels):
                return n
        raise Invalid(bad)

    def rater(self, value: object) -> str | None:
        """`team` or `sre` for a rater word (開発, PT評価, SRE...), None for blank; Invalid otherwise."""
        return self._memo("rater", value, self._rater)

    def _rater(self, value: object) -> str | None:
        """The rater group a cell means, computed (rater() remembers it)."""
        text = normalize(display(value))
        if not text:
            return None
        for candidate in (text, _BRACKETED.sub("", text).strip()):
            for word in (candidate, _RATER_SUFFIX.sub("", candidate)):
                found = self.raters.get(compact(word))
                if found:
                    return found
        written = shown(display(value).strip())
        raise Invalid(Message("msg.value.bad_rater", value=written))

    def item(self, text: object) -> str | None:
        """The item key a header or cell names (key, title, `Category [Item]`, a remembered mapping), or None."""
        return self._memo("item", text, self._item)

    def _item(self, text: object) -> str | None:
        """The item key a text names, computed (item() remembers it)."""
        raw = display(text)
        key = compact(raw)
        if not key:
            return None
        role, item = self.roles.get(key, (None, None))
        if role is not None and not (role in ("level", "importance", "target", "comment") and item):
            return None  # ignored, or mapped to a role that is no item (product, a category's importance …)
        found = item or self.names.get(key)
        if found:
            return found
        text = normalize(raw)
        keyed = _KEYED.match(text)
        if keyed and keyed.group(1) in self.names:
            key_found = self.names[keyed.group(1)]
            if not keyed.group(2) or self.names.get(compact(keyed.group(2))) == key_found:
                return key_found
        numbered = _NUMBERED.sub("", text)
        if numbered != text:
            return self.names.get(compact(numbered))
        return None

    def mapped(self, text: object) -> str | None:
        """What a person mapped this exact header or cell to on an import: an item key, IGNORE, or None."""
        return self.mappings.get(compact(display(text))) if self.mappings else None

    def role(self, text: object) -> tuple[str, str | None] | None:
        """The (role, item or category key) a person chose for this header, or None when nobody did."""
        return self.roles.get(compact(display(text))) if self.roles else None

    def category(self, text: object) -> str | None:
        """The category key a header or cell names (key or ja/en title), or None."""
        return self._memo("category", text, lambda v: self.categories.get(compact(display(v))))

    def unknown_item(self, text: object, *, cell: bool = False) -> Message:
        """`unknown item "…"` with the nearest item title, for headers and cells (`cell`: a value in an item
        column, which no --map names) that match nothing.

        The nearest title (difflib, about 2.5 ms) is looked for once per distinct text: a file repeats its
        unknown names on every row."""
        raw = display(text)
        found = self._unknown.get((raw, cell))
        if found is None:
            found = self._unknown_item(raw, cell)
            if len(self._unknown) < 50_000:
                self._unknown[(raw, cell)] = found
        return found

    def _unknown_item(self, raw: str, cell: bool) -> Message:
        near = self.model.nearest_item(raw)
        advice = Advice("item_cell") if cell else Advice("map_item")
        if near is None:
            return Message("msg.value.unknown_item", value=raw, advice=advice)
        return Message("msg.value.unknown_item_near", value=raw, title=near.ja, key=near.key, advice=advice)


def _what(what: str) -> Message:
    """The word for the measure a level cell holds (level or target)."""
    return Message("msg.what.target" if what == "target" else "msg.what.level")
