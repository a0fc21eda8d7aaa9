"""The model as a file a person edits: YAML (the shipped format) and an Excel template, written and read back.

The xlsx has one sheet per part of the YAML (model, levels, importance, raters, tiers, categories, items), a
header in the first row (frozen, bold, readable widths) and data validation where Excel can help (an item's
category from the categories sheet, targets as whole levels). Sheet names and headers are written in the chosen
language and read back in either language (or as the YAML field names). Reading collects every problem (file,
sheet, Excel row, column, value, what is accepted) and then validates the result as a model, so a file that
reads is a model that loads.
"""

from __future__ import annotations

import difflib
import io
from typing import Any

import yaml

from . import readers
from .errors import OpmaturityError, Problem
from .export import neutralise
from .i18n import LANGS, Message, Quoted, t
from .model import Model, parse_model
from .text import normalize

# Sheet -> its columns (YAML field names). `guide_ja` and `guide_en` stand for one column per level 1..max.
SHEETS: dict[str, tuple[str, ...]] = {
    "model": ("setting", "value"),
    "levels": ("level", "ja", "en", "meaning_ja", "meaning_en", "synonyms"),
    "importance": ("level", "ja", "en", "synonyms"),
    "raters": ("rater", "words"),
    "tiers": ("key", "ja", "en", "default_target"),
    "categories": ("key", "ja", "en"),
    "items": ("key", "category", "ja", "en", "description_ja", "description_en", "guide_ja", "guide_en", "keywords",
              "default_target", "replaces"),
}  # fmt: skip
SETTINGS = ("key", "version", "title_ja", "title_en", "default_target", "not_applicable")
WIDTHS = {"key": 10, "category": 12, "ja": 30, "en": 30, "setting": 24, "value": 60, "level": 8, "rater": 10,
          "words": 80, "synonyms": 40, "meaning_ja": 50, "meaning_en": 50, "description_ja": 50,
          "description_en": 50, "guide": 36, "keywords": 30, "default_target": 12, "replaces": 16}  # fmt: skip
LIST_SEPARATORS = (",", "、", "\n")


def sheet_name(sheet: str, lang: str) -> str:
    """The sheet's name in `lang`."""
    return t(f"modelfile.sheet.{sheet}", lang)


def column_header(column: str, lang: str) -> str:
    """A column's header in `lang` (`guide_ja_2`: the level 2 guide in Japanese)."""
    if column.startswith("guide_"):
        _, language, level = column.split("_")
        return t(f"modelfile.col.guide_{language}", lang, level=level)
    return t(f"modelfile.col.{column}", lang)


def setting_name(setting: str, lang: str) -> str:
    """A row name of the model sheet in `lang`."""
    return t(f"modelfile.setting.{setting}", lang)


def _columns(sheet: str, max_level: int) -> list[str]:
    out: list[str] = []
    for column in SHEETS[sheet]:
        if column in ("guide_ja", "guide_en"):
            out += [f"{column}_{n}" for n in range(1, max_level + 1)]
        else:
            out.append(column)
    return out


def _words(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(values)


# --- writing ----------------------------------------------------------------------------------------------


def model_dict(model: Model) -> dict[str, Any]:
    """The model as the YAML file holds it (what `parse_model` reads back to an equal model)."""

    def level(lv: Any, meaning: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"level": lv.level, "ja": lv.ja, "en": lv.en}
        if meaning and lv.meaning:
            out["meaning"] = dict(lv.meaning)
        if lv.synonyms:
            out["synonyms"] = list(lv.synonyms)
        return out

    def item(i: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"key": i.key, "ja": i.ja, "en": i.en}
        if i.description:
            out["description"] = dict(i.description)
        if i.guide:
            out["guide"] = {lang: list(lines) for lang, lines in i.guide.items()}
        if i.keywords:
            out["keywords"] = list(i.keywords)
        if i.default_target is not None:
            out["default_target"] = i.default_target
        if i.replaces:
            out["replaces"] = list(i.replaces)
        return out

    return {
        "key": model.key,
        "version": model.version,
        "title": dict(model.title),
        "scale": {"default_target": model.default_target, "levels": [level(lv) for lv in model.levels]},
        "not_applicable": list(model.not_applicable),
        "importance": [level(lv, meaning=False) for lv in model.importance],
        "raters": {rater: list(words) for rater, words in model.raters.items()},
        "tiers": [{"key": t_.key, "ja": t_.ja, "en": t_.en, "default_target": t_.default_target} for t_ in model.tiers],
        "categories": [
            {"key": c.key, "ja": c.ja, "en": c.en, "items": [item(i) for i in c.items]} for c in model.categories
        ],
    }


def model_yaml(model: Model) -> str:
    """The model as YAML text (UTF-8, Japanese written as it is)."""
    return yaml.safe_dump(model_dict(model), allow_unicode=True, sort_keys=False, width=1000)


def model_xlsx(model: Model, lang: str = "ja") -> bytes:
    """The model as an Excel template to edit (see the module docstring)."""
    from openpyxl import Workbook  # imported here: the command line starts without it (0.2 s)
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    top = model.max_level
    rows: dict[str, list[list[Any]]] = {
        "model": [
            [setting_name("key", lang), model.key],
            [setting_name("version", lang), model.version],
            [setting_name("title_ja", lang), model.title.get("ja", "")],
            [setting_name("title_en", lang), model.title.get("en", "")],
            [setting_name("default_target", lang), model.default_target],
            [setting_name("not_applicable", lang), _words(model.not_applicable)],
        ],
        "levels": [
            [lv.level, lv.ja, lv.en, lv.meaning.get("ja", ""), lv.meaning.get("en", ""), _words(lv.synonyms)]
            for lv in model.levels
        ],
        "importance": [[lv.level, lv.ja, lv.en, _words(lv.synonyms)] for lv in model.importance],
        "raters": [[rater, _words(words)] for rater, words in model.raters.items()],
        "tiers": [[t_.key, t_.ja, t_.en, t_.default_target] for t_ in model.tiers],
        "categories": [[c.key, c.ja, c.en] for c in model.categories],
        "items": [
            [i.key, i.category, i.ja, i.en, i.description.get("ja", ""), i.description.get("en", ""),
             *[(list(i.guide.get("ja", ())) + [""] * top)[n] for n in range(top)],
             *[(list(i.guide.get("en", ())) + [""] * top)[n] for n in range(top)],
             _words(i.keywords), i.default_target, _words(i.replaces)]
            for i in model.items
        ],
    }  # fmt: skip
    sheets = {}
    for sheet, body in rows.items():
        ws = book.create_sheet(sheet_name(sheet, lang))
        sheets[sheet] = ws
        columns = _columns(sheet, top)
        for n, column in enumerate(columns, start=1):
            cell = ws.cell(1, n, column_header(column, lang))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
            ws.column_dimensions[get_column_letter(n)].width = WIDTHS.get(column.rsplit("_", 1)[0], 0) or WIDTHS.get(
                column, 16
            )
        for r, values in enumerate(body, start=2):
            for n, value in enumerate(values, start=1):
                cell = ws.cell(r, n, neutralise(value) if isinstance(value, str) else value)
                cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > 40)
        ws.freeze_panes = "B2" if sheet in ("items", "categories", "tiers", "model") else "A2"
    _validations(sheets, model, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _validations(sheets: dict[str, Any], model: Model, lang: str) -> None:
    """Drop-downs and whole-number checks where Excel can stop a mistake as it is typed."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    top, last = model.max_level, 1000
    items_cols = _columns("items", top)
    cats = sheets["categories"]
    category = DataValidation(
        type="list", formula1=f"='{cats.title}'!$A$2:$A${last}", allow_blank=False, showErrorMessage=True,
        errorTitle=column_header("category", lang), error=t("modelfile.validation.category", lang),
    )  # fmt: skip
    col = get_column_letter(items_cols.index("category") + 1)
    category.add(f"{col}2:{col}{last}")
    sheets["items"].add_data_validation(category)
    for sheet, column, blank in (("items", "default_target", True), ("tiers", "default_target", False)):
        target = DataValidation(
            type="whole", operator="between", formula1="0", formula2=str(top), allow_blank=blank,
            showErrorMessage=True, errorTitle=column_header(column, lang),
            error=t("modelfile.validation.level", lang, top=top),
        )  # fmt: skip
        col = get_column_letter(_columns(sheet, top).index(column) + 1)
        target.add(f"{col}2:{col}{last}")
        sheets[sheet].add_data_validation(target)
    raters = DataValidation(type="list", formula1='"team,sre"', allow_blank=False, showErrorMessage=True)
    raters.add(f"A2:A{last}")
    sheets["raters"].add_data_validation(raters)


# --- reading ----------------------------------------------------------------------------------------------


def read_model_file(name: str, data: bytes, known: set[str] | None = None) -> Model:
    """The model in an uploaded file (.yaml/.yml text or the .xlsx template), validated; OpmaturityError naming
    every problem otherwise. `known`: the item keys earlier versions had, which `replaces` may name (besides the
    file's own keys); None: not checked."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("yaml", "yml"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problem = Problem.of("msg.modelfile.not_utf8", file=name, detail=str(exc.reason))
            raise OpmaturityError.of("msg.modelfile.unreadable", [problem], file=name) from exc
        model = _parsed(text, name)
        _check_replaces_yaml(model, name, known)
        return model
    if suffix != "xlsx":
        problem = Problem.of("msg.modelfile.suffix", file=name, value=suffix, got=suffix)
        raise OpmaturityError.of("msg.modelfile.unreadable", [problem], file=name)
    source = readers.read(name, data)
    if source.problems or source.kind != "xlsx":
        raise OpmaturityError.of("msg.modelfile.unreadable", source.problems, file=name)
    reader = _SheetReader(name, {table.name: table for table in source.tables}, known)
    raw = reader.model()
    if reader.problems:
        raise OpmaturityError.of("msg.modelfile.problems", reader.problems, file=name, count=len(reader.problems))
    return _parsed(model_yaml_from(raw), name)


def _parsed(text: str, name: str) -> Model:
    """`parse_model`, its refusal titled as an uploaded file's ("… nothing was saved", as every other problem of
    a model file is; an outside review saw both titles)."""
    try:
        return parse_model(text, name)
    except OpmaturityError as error:
        if error.code != "msg.model.problems":
            raise
        count = len(error.problems)
        raise OpmaturityError.of("msg.modelfile.problems", error.problems, file=name, count=count) from None


def model_yaml_from(raw: dict[str, Any]) -> str:
    """YAML text for a model dict (the source kept for each version)."""
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)


def _names(kind: str, key: str) -> set[str]:
    """What a sheet, header or setting may be called: its name in either language or its YAML field name."""
    if kind == "col" and key.startswith("guide_"):
        _, language, level = key.split("_")
        said = {t(f"modelfile.col.guide_{language}", lang, level=level) for lang in LANGS}
    else:
        said = {t(f"modelfile.{kind}.{key}", lang) for lang in LANGS}
    return {normalize(n) for n in said | {key}}


class _SheetReader:
    """Reads the template's sheets into the YAML's structure, collecting every problem with its place."""

    def __init__(self, file: str, tables: dict[str, readers.Table], known: set[str] | None = None) -> None:
        self.file = file
        self.tables = tables
        self.known = known
        self.problems: list[Problem] = []
        self.top = 4

    def fail(self, key: str, /, sheet: str = "", row: int | None = None, column: str = "", value: object = "",
             **params: Any) -> None:  # fmt: skip
        shown = "" if value is None else str(int(value) if isinstance(value, float) and value.is_integer() else value)
        self.problems.append(Problem.of(f"msg.modelfile.{key}", file=self.file, sheet=sheet, row=row, column=column,
                                        value=shown, got=shown, **params))  # fmt: skip

    def table(self, sheet: str) -> readers.Table | None:
        names = _names("sheet", sheet)
        found = next((table for name, table in self.tables.items() if normalize(name) in names), None)
        if found is None:
            self.fail(
                "missing_sheet", name=Message(f"modelfile.sheet.{sheet}"), names=Quoted(sorted(_names("sheet", sheet)))
            )
        return found

    def records(self, sheet: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
        """(Excel row, column -> cell value, column -> header as written) for every non-empty row below the header."""
        table = self.table(sheet)
        if table is None or not table.rows:
            return []
        header = [str(h).strip() for h in table.rows[0]]
        where: dict[str, int] = {}
        missing = False
        for column in _columns(sheet, self.top):
            names = _names("col", column)
            at = next((n for n, h in enumerate(header) if normalize(h) in names), None)
            if at is not None:
                where[column] = at
            elif column in required:
                missing = True
                self.fail("missing_column", sheet=table.name, row=1, column=column_header(column, "en"),
                          names=Quoted(sorted(names)))  # fmt: skip
        if missing:  # said once for the column: not again as an empty cell on every row below it
            return []
        out = []
        for r, line in enumerate(table.rows[1:], start=2):
            values = {c: _cell(line[n]) if n < len(line) else "" for c, n in where.items()}
            if all(v in ("", None) for v in values.values()):
                continue
            out.append((r, values, {c: header[n] for c, n in where.items()}))
        return out

    def whole(self, value: Any, sheet: str, row: int, column: str, low: int, high: int, blank: bool = False) -> Any:
        if value in ("", None):
            if blank:
                return None
            self.fail("needs_whole", sheet=sheet, row=row, column=column, value="", low=low, high=high)
            return None
        number = value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
            self.fail("needs_whole", sheet=sheet, row=row, column=column, value=value, low=low, high=high)
            return None
        return number

    def text(self, value: Any, sheet: str, row: int, column: str) -> str:
        if value in ("", None):
            self.fail("needs_text", sheet=sheet, row=row, column=column)
            return ""
        return str(value).strip()

    def model(self) -> dict[str, Any]:
        levels = self._levels()
        self.top = max((lv["level"] for lv in levels), default=4)
        settings = self._settings()
        tiers: list[dict[str, Any]] = []
        for row, v, h in self.records("tiers", ("key", "ja", "en", "default_target")):
            sheet = self._sheet("tiers")
            key = self.text(v.get("key"), sheet, row, h.get("key", ""))
            if key and key in {tier["key"] for tier in tiers}:  # said here with its row, as a category twice is
                self.fail("twice", sheet=sheet, row=row, column=h.get("key", ""), value=key)
                continue
            tiers.append({"key": key,
                          "ja": self.text(v.get("ja"), sheet, row, h.get("ja", "")),
                          "en": self.text(v.get("en"), sheet, row, h.get("en", "")),
                          "default_target": self.whole(v.get("default_target"), sheet, row,
                                                       h.get("default_target", ""), 0, self.top)})  # fmt: skip
        categories: dict[str, dict[str, Any]] = {}
        for row, v, h in self.records("categories", ("key", "ja", "en")):
            sheet = self._sheet("categories")
            key = self.text(v.get("key"), sheet, row, h.get("key", ""))
            if key in categories:
                self.fail("twice", sheet=sheet, row=row, column=h.get("key", ""), value=key)
                continue
            categories[key] = {"key": key, "ja": self.text(v.get("ja"), sheet, row, h.get("ja", "")),
                               "en": self.text(v.get("en"), sheet, row, h.get("en", "")), "items": []}  # fmt: skip
        self._items(categories)
        default_target = settings.pop("default_target", self.top)
        return {
            **settings,
            "scale": {"default_target": default_target, "levels": levels},
            "importance": self._importance(),
            "raters": self._raters(),
            "tiers": tiers,
            "categories": list(categories.values()),
        }

    def _sheet(self, sheet: str) -> str:
        names = _names("sheet", sheet)
        return next((name for name in self.tables if normalize(name) in names), sheet)

    def _settings(self) -> dict[str, Any]:
        table = self.table("model")
        found: dict[str, Any] = {}
        if table is None:
            return {"key": "", "version": 1, "title": {}}
        for r, line in enumerate(table.rows[1:], start=2):
            name = normalize(str(_cell(line[0]) if line else ""))
            value = _cell(line[1]) if len(line) > 1 else ""
            setting = next((s for s in SETTINGS if name in _names("setting", s)), None)
            if setting is None:
                if name:
                    self.fail("unknown_setting", sheet=table.name, row=r, column=column_header("setting", "en"),
                              value=line[0], names=Quoted([setting_name(s, "en") for s in SETTINGS]))  # fmt: skip
                continue
            if setting in ("version", "default_target"):
                high = 10**6 if setting == "version" else self.top
                value = self.whole(value, table.name, r, setting_name(setting, "en"), 0 if setting != "version" else 1,
                                   high)  # fmt: skip
            found[setting] = value
        key = found.get("key")
        if key in ("", None):
            self.fail("needs_text", sheet=table.name, column=setting_name("key", "en"))
        out: dict[str, Any] = {"key": str(key or ""), "version": found.get("version") or 1,
                               "title": {lang: str(found.get(f"title_{lang}") or "") for lang in LANGS}}  # fmt: skip
        if found.get("default_target") is not None:
            out["default_target"] = found["default_target"]
        out["not_applicable"] = _split(found.get("not_applicable"))
        return out

    def _levels(self) -> list[dict[str, Any]]:
        out = []
        for row, v, h in self.records("levels", ("level", "ja", "en")):
            sheet = self._sheet("levels")
            number = self.whole(v.get("level"), sheet, row, h.get("level", ""), 0, 10)
            entry: dict[str, Any] = {"level": number if number is not None else -1,
                                     "ja": self.text(v.get("ja"), sheet, row, h.get("ja", "")),
                                     "en": self.text(v.get("en"), sheet, row, h.get("en", ""))}  # fmt: skip
            meaning = {lang: str(v[f"meaning_{lang}"]) for lang in LANGS if v.get(f"meaning_{lang}") not in ("", None)}
            if meaning:
                entry["meaning"] = meaning
            if _split(v.get("synonyms")):
                entry["synonyms"] = _split(v.get("synonyms"))
            out.append(entry)
        return out

    def _importance(self) -> list[dict[str, Any]]:
        out = []
        for row, v, h in self.records("importance", ("level", "ja", "en")):
            sheet = self._sheet("importance")
            entry: dict[str, Any] = {"level": self.whole(v.get("level"), sheet, row, h.get("level", ""), 1, 10),
                                     "ja": self.text(v.get("ja"), sheet, row, h.get("ja", "")),
                                     "en": self.text(v.get("en"), sheet, row, h.get("en", ""))}  # fmt: skip
            if _split(v.get("synonyms")):
                entry["synonyms"] = _split(v.get("synonyms"))
            out.append(entry)
        return out

    def _raters(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for row, v, h in self.records("raters", ("rater", "words")):
            rater = str(v.get("rater") or "").strip().lower()
            if rater not in ("team", "sre"):
                self.fail("rater", sheet=self._sheet("raters"), row=row, column=h.get("rater", ""), value=rater)
                continue
            out[rater] = _split(v.get("words"))
        return out

    def _items(self, categories: dict[str, dict[str, Any]]) -> None:
        seen: set[str] = set()
        named: list[tuple[int, str, str]] = []  # (row, header, key) of every predecessor named
        for row, v, h in self.records("items", ("key", "category", "ja", "en")):
            sheet = self._sheet("items")
            key = self.text(v.get("key"), sheet, row, h.get("key", ""))
            if key in seen:
                self.fail("twice", sheet=sheet, row=row, column=h.get("key", ""), value=key)
                continue
            seen.add(key)
            category = str(v.get("category") or "").strip()
            if category not in categories:
                self.fail("unknown_category", sheet=sheet, row=row, column=h.get("category", ""), value=category,
                          known=Quoted(list(categories)))  # fmt: skip
            item: dict[str, Any] = {"key": key, "ja": self.text(v.get("ja"), sheet, row, h.get("ja", "")),
                                    "en": self.text(v.get("en"), sheet, row, h.get("en", ""))}  # fmt: skip
            description = {lang: str(v[f"description_{lang}"]) for lang in LANGS
                           if v.get(f"description_{lang}") not in ("", None)}  # fmt: skip
            if description:
                item["description"] = description
            guide = {}
            for lang in LANGS:
                lines = [str(v.get(f"guide_{lang}_{n}") or "") for n in range(1, self.top + 1)]
                if any(lines):
                    guide[lang] = lines
            if guide:
                item["guide"] = guide
            if _split(v.get("keywords")):
                item["keywords"] = _split(v.get("keywords"))
            target = self.whole(v.get("default_target"), sheet, row, h.get("default_target", ""), 0, self.top, True)
            if target is not None:
                item["default_target"] = target
            replaces = _split(v.get("replaces"))
            if key and key in replaces:
                self.fail("replaces_itself", sheet=sheet, row=row, column=h.get("replaces", ""), value=key)
            if replaces:
                item["replaces"] = replaces
                named += [(row, h.get("replaces", ""), r) for r in replaces]
            if category in categories:
                categories[category]["items"].append(item)
        if self.known is not None:
            for row, header, key in named:
                if key not in self.known and key not in seen:
                    self.fail("unknown_replaces", sheet=self._sheet("items"), row=row, column=header, value=key,
                              hint=_nearest(key, self.known | seen))  # fmt: skip


def _nearest(key: str, keys: set[str]) -> Message:
    close = difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.5)
    return Message("msg.modelfile.did_you_mean", key=close[0]) if close else Message("msg.modelfile.no_such_key")


def _check_replaces_yaml(model: Model, file: str, known: set[str] | None) -> None:
    if known is None:
        return
    keys = {i.key for i in model.items}
    problems = [
        Problem.of("msg.modelfile.unknown_replaces_entry", file=file, value=r, got=r, item=i.key,
                   hint=_nearest(r, known | keys))
        for i in model.items for r in i.replaces if r not in known and r not in keys
    ]  # fmt: skip
    if problems:
        raise OpmaturityError.of("msg.modelfile.problems", problems, file=file, count=len(problems))


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def _split(value: Any) -> list[str]:
    if value in ("", None):
        return []
    text = str(value)
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [word.strip() for word in text.split(LIST_SEPARATORS[0]) if word.strip()]
