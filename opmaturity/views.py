"""Display tables: data shaped and titled for the pages (pure pandas, no Streamlit)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .model import Model

Translate = Callable[[str], str]


def levels_table(model: Model, lang: str, tr: Translate) -> pd.DataFrame:
    """The level scale: level, word, meaning, other accepted words."""
    return pd.DataFrame(
        {
            tr("common.level"): [lv.level for lv in model.levels],
            "": [lv.title(lang) for lv in model.levels],
            tr("model.description"): [lv.meaning.get(lang, "") for lv in model.levels],
            tr("model.synonyms"): [", ".join([lv.en if lang == "ja" else lv.ja, *lv.synonyms]) for lv in model.levels],
        }
    )


def items_table(model: Model, lang: str, category: str, tr: Translate) -> pd.DataFrame:
    """One category's items: key, title, description, level guide, note keywords."""
    items = model.category(category).items
    return pd.DataFrame(
        {
            "key": [i.key for i in items],
            tr("common.item"): [i.title(lang) for i in items],
            tr("model.description"): [i.description.get(lang, "") for i in items],
            tr("model.guide"): [
                " / ".join(f"{n}: {g}" for n, g in enumerate(i.guide.get(lang, ()), start=1)) for i in items
            ],
            tr("model.keywords"): [", ".join(i.keywords) for i in items],
        }
    )


def tiers_table(model: Model, lang: str, tr: Translate) -> pd.DataFrame:
    """Tiers with their default target."""
    return pd.DataFrame(
        {
            tr("common.tier"): [t.key for t in model.tiers],
            "": [t.title(lang) for t in model.tiers],
            tr("model.default_target"): [t.default_target for t in model.tiers],
        }
    )


def with_titles(frame: pd.DataFrame, titles: dict[str, str], *columns: str) -> pd.DataFrame:
    """A copy where each named key column (item or category keys) shows titles instead."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].map(lambda key: titles.get(key, key))
    return out


def renamed(frame: pd.DataFrame, tr: Translate, columns: dict[str, str]) -> pd.DataFrame:
    """The chosen columns only, in order, headed in the UI language (`column -> string key`)."""
    present = [c for c in columns if c in frame.columns]
    return frame[present].rename(columns={c: tr(columns[c]) for c in present})
