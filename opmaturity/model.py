"""The maturity model: categories, items and the level scale, loaded from YAML and validated."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import config
from .errors import OpmaturityError, Problem, os_reason
from .i18n import Listed, Message
from .text import compact, normalize

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 5-8x faster on the model file

LANGS = ("ja", "en")
RATERS = ("team", "sre")


@dataclass(frozen=True)
class Level:
    level: int
    ja: str
    en: str
    meaning: dict[str, str] = field(default_factory=dict)
    synonyms: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Item:
    key: str
    category: str
    ja: str
    en: str
    description: dict[str, str] = field(default_factory=dict)
    guide: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    default_target: int | None = None
    replaces: tuple[str, ...] = ()  # the keys of the items this one renames, splits or merges (its predecessors)

    def title(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Category:
    key: str
    ja: str
    en: str
    items: tuple[Item, ...]

    def title(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Tier:
    key: str
    ja: str
    en: str
    default_target: int

    def title(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Model:
    key: str
    version: int
    title: dict[str, str]
    levels: tuple[Level, ...]
    default_target: int
    not_applicable: tuple[str, ...]
    importance: tuple[Level, ...]
    raters: dict[str, tuple[str, ...]]
    tiers: tuple[Tier, ...]
    categories: tuple[Category, ...]
    source: str = ""

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in model order."""
        return tuple(i for c in self.categories for i in c.items)

    @property
    def min_level(self) -> int:
        return self.levels[0].level

    @property
    def max_level(self) -> int:
        return self.levels[-1].level

    def titles(self, lang: str) -> dict[str, str]:
        """Category and item key -> title in `lang`."""
        return {c.key: c.title(lang) for c in self.categories} | {i.key: i.title(lang) for i in self.items}

    def item(self, key: str) -> Item:
        """The item with this key (KeyError when unknown)."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def category(self, key: str) -> Category:
        """The category with this key (KeyError when unknown)."""
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(key)

    def tier(self, key: str | None) -> Tier | None:
        """The tier with this key, or None."""
        return next((t for t in self.tiers if t.key == key), None)

    def level_words(self) -> dict[str, int]:
        """Normalised level word or synonym (either language) -> level."""
        words: dict[str, int] = {}
        for lv in self.levels:
            for word in (lv.ja, lv.en, *lv.synonyms):
                words[normalize(word)] = lv.level
        return words

    def importance_words(self) -> dict[str, int]:
        """Normalised importance word (高/中/低, High, ...) -> 1..3."""
        words: dict[str, int] = {}
        for lv in self.importance:
            for word in (lv.ja, lv.en, *lv.synonyms):
                words[normalize(word)] = lv.level
        return words

    def na_words(self) -> frozenset[str]:
        """Normalised answers that mean "not applicable / don't know"."""
        return frozenset(normalize(w) for w in self.not_applicable) | {""}

    def rater_words(self) -> dict[str, str]:
        """Normalised rater word -> `team` or `sre`."""
        words = {r: r for r in RATERS}
        for rater, synonyms in self.raters.items():
            for word in synonyms:
                words[normalize(word)] = rater
        return words

    def item_names(self) -> dict[str, str]:
        """Compacted key, ja/en title and `Category [Item]` / `Category: Item` forms -> item key."""
        names: dict[str, str] = {}
        for category in self.categories:
            for item in category.items:
                for name in (item.key, item.ja, item.en):
                    names[compact(name)] = item.key
                for cat in (category.ja, category.en, category.key):
                    for it in (item.ja, item.en):
                        names[compact(f"{cat} [{it}]")] = item.key
                        names[compact(f"{cat}: {it}")] = item.key
        return names

    def nearest_item(self, text: str) -> Item | None:
        """The item whose title reads most like `text` (for "did you mean" hints)."""
        titles = {compact(t): i for i in self.items for t in (i.ja, i.en, i.key)}
        best = difflib.get_close_matches(compact(text), list(titles), n=1, cutoff=0.4)
        return titles[best[0]] if best else None


def load_model(path: str | Path | None = None) -> Model:
    """The model in `path` (default: the shipped opmaturity/models/default.yaml), validated; OpmaturityError if not."""
    path = Path(path) if path else config.DEFAULT_MODEL_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OpmaturityError(
            Message("msg.model.unreadable", path=str(path)),
            [Problem(Message("msg.os_error", detail=os_reason(exc)), file=path.name)],
        ) from exc
    return parse_model(text, path.name)


def parse_model(text: str, file_name: str = "model.yaml") -> Model:
    """A Model from YAML text; every problem found is reported at once, naming the entry."""
    try:
        raw = yaml.load(text, Loader=_LOADER)  # noqa: S506  (a safe loader: the C one where libyaml exists)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise OpmaturityError(
            Message("msg.model.not_yaml", file=file_name),
            [
                Problem(
                    Message("msg.model.yaml_detail", detail=str(getattr(exc, "problem", exc))), file=file_name, row=row
                )
            ],
        ) from exc
    checker = _Checker(file_name)
    model = checker.model(raw, text)
    if checker.problems:
        raise OpmaturityError(
            Message("msg.model.problems", file=file_name, count=len(checker.problems)), checker.problems
        )
    assert model is not None
    return model


class _Checker:
    """Builds the model while collecting every problem instead of stopping at the first."""

    def __init__(self, file_name: str) -> None:
        self.file = file_name
        self.problems: list[Problem] = []

    def fail(self, entry: str, key: str, /, **params: Any) -> None:
        """Note a problem with one entry of the file: `entry` names it, `msg.model.<key>` says what is wrong."""
        self.problems.append(
            Problem(
                Message("msg.model.entry", entry=entry, message=Message(f"msg.model.{key}", **params)), file=self.file
            )
        )

    def text(self, raw: dict[str, Any], name: str, entry: str) -> str:
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            self.fail(entry, "non_empty_text", name=name)
            return ""
        return value

    def mapping(self, raw: Any, entry: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.fail(entry, "mapping")
            return {}
        return raw

    def words(self, raw: Any, entry: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(w, (str, int)) for w in raw):
            self.fail(entry, "words")
            return ()
        return tuple(str(w) for w in raw)

    def per_lang(self, raw: Any, entry: str) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            self.fail(entry, "per_lang")
            return {}
        return {str(k): v for k, v in raw.items()}

    def level_list(self, raw: Any, entry: str) -> tuple[Level, ...]:
        if not isinstance(raw, list) or not raw:
            self.fail(entry, "non_empty_list")
            return ()
        levels = []
        for n, lv in enumerate(raw, start=1):
            where = f"{entry} #{n}"
            lv = self.mapping(lv, where)
            number = lv.get("level")
            if not isinstance(number, int) or isinstance(number, bool):
                self.fail(where, "whole_level")
                continue
            levels.append(
                Level(
                    level=number,
                    ja=self.text(lv, "ja", where),
                    en=self.text(lv, "en", where),
                    meaning=self.per_lang(lv.get("meaning"), f"{where} meaning"),
                    synonyms=self.words(lv.get("synonyms"), f"{where} synonyms"),
                )
            )
        numbers = [lv.level for lv in levels]
        if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            self.fail(entry, "levels_in_steps", numbers=str(numbers))
        return tuple(levels)

    def model(self, raw: Any, source: str) -> Model | None:
        raw = self.mapping(raw, "top level")
        scale = self.mapping(raw.get("scale"), "scale")
        levels = self.level_list(scale.get("levels"), "scale.levels")
        lo, hi = (levels[0].level, levels[-1].level) if levels else (0, 0)
        if levels and (lo != 0 or hi < 2 or hi > 10):
            self.fail("scale.levels", "scale_range", low=lo, high=hi)
        default_target = scale.get("default_target", hi)
        if not isinstance(default_target, int) or not lo <= default_target <= hi:
            self.fail("scale.default_target", "level_between", low=lo, high=hi, value=repr(default_target))
            default_target = hi
        self._duplicate_words(levels, "scale.levels")
        importance = self.level_list(raw.get("importance"), "importance")
        raters_raw = self.mapping(raw.get("raters", {}), "raters")
        raters = {}
        for rater, words in raters_raw.items():
            if rater not in RATERS:
                self.fail(f"raters.{rater}", "rater_groups", raters=Listed(RATERS))
            raters[str(rater)] = self.words(words, f"raters.{rater}")
        tiers = self._tiers(raw.get("tiers") or [], lo, hi)
        categories = self._categories(raw.get("categories"), lo, hi)
        return Model(
            key=self.text(raw, "key", "top level"),
            version=int(raw.get("version", 1)) if str(raw.get("version", 1)).isdigit() else 1,
            title=self.per_lang(raw.get("title"), "title"),
            levels=levels,
            default_target=default_target,
            not_applicable=self.words(raw.get("not_applicable"), "not_applicable"),
            importance=importance,
            raters=raters,
            tiers=tiers,
            categories=categories,
            source=source,
        )

    def _duplicate_words(self, levels: tuple[Level, ...], entry: str) -> None:
        seen: dict[str, int] = {}
        for lv in levels:
            for word in {normalize(w) for w in (lv.ja, lv.en, *lv.synonyms)}:
                if word in seen and seen[word] != lv.level:
                    self.fail(entry, "word_twice", word=word, first=seen[word], second=lv.level)
                seen[word] = lv.level

    def _tiers(self, raw: Any, lo: int, hi: int) -> tuple[Tier, ...]:
        if not isinstance(raw, list):
            self.fail("tiers", "list")
            return ()
        tiers = []
        for n, t in enumerate(raw, start=1):
            where = f"tiers #{n}"
            t = self.mapping(t, where)
            target = t.get("default_target")
            if not isinstance(target, int) or not lo <= target <= hi:
                self.fail(where, "default_target_between", low=lo, high=hi, value=repr(target))
                target = hi
            tiers.append(Tier(self.text(t, "key", where), self.text(t, "ja", where), self.text(t, "en", where), target))
        self._unique([t.key for t in tiers], "tiers", "tier")
        return tuple(tiers)

    def _categories(self, raw: Any, lo: int, hi: int) -> tuple[Category, ...]:
        if not isinstance(raw, list) or not raw:
            self.fail("categories", "non_empty_list")
            return ()
        categories = []
        for n, c in enumerate(raw, start=1):
            c = self.mapping(c, f"categories #{n}")
            ckey = self.text(c, "key", f"categories #{n}")
            where = f"category {ckey or '#' + str(n)}"
            items_raw = c.get("items")
            if not isinstance(items_raw, list) or not items_raw:
                self.fail(where, "items")
                items_raw = []
            items = [self._item(i, ckey, f"{where} item #{m}", lo, hi) for m, i in enumerate(items_raw, start=1)]
            categories.append(Category(ckey, self.text(c, "ja", where), self.text(c, "en", where), tuple(items)))
        self._unique([c.key for c in categories], "categories", "category")
        self._unique([i.key for c in categories for i in c.items], "categories", "item")
        return tuple(categories)

    def _item(self, raw: Any, category: str, where: str, lo: int, hi: int) -> Item:
        raw = self.mapping(raw, where)
        key = self.text(raw, "key", where)
        where = f"item {key}" if key else where
        guide = {}
        for lang, lines in (raw.get("guide") or {}).items():
            guide[str(lang)] = self.words(lines, f"{where} guide.{lang}")
        target = raw.get("default_target")
        if target is not None and (not isinstance(target, int) or not lo <= target <= hi):
            self.fail(where, "default_target_between", low=lo, high=hi, value=repr(target))
            target = None
        replaces = self.words(raw.get("replaces") if not isinstance(raw.get("replaces"), str) else [raw["replaces"]],
                              f"{where} replaces")  # fmt: skip
        if key and key in replaces:
            self.fail(where, "replaces_itself", key=key)
        return Item(
            key=key,
            category=category,
            ja=self.text(raw, "ja", where),
            en=self.text(raw, "en", where),
            description=self.per_lang(raw.get("description"), f"{where} description"),
            guide=guide,
            keywords=self.words(raw.get("keywords"), f"{where} keywords"),
            default_target=target,
            replaces=tuple(dict.fromkeys(r.strip() for r in replaces if r.strip())),
        )

    def _unique(self, keys: list[str], entry: str, what: str) -> None:
        seen: set[str] = set()
        for key in keys:
            if key and key in seen:
                self.fail(entry, "key_twice", what=Message(f"msg.model.what.{what}"), name=key)
            seen.add(key)
