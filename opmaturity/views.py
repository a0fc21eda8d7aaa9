"""Display tables: data shaped and titled for the pages (pure pandas, no Streamlit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .importer import IGNORE
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
    out = frame[present].copy()
    for column in present:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(2)  # figures are means of 0-4 levels: two decimals say it all
    return out.rename(columns={c: tr(columns[c]) for c in present})


def team_item_table(items: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """The team's items ranked by priority, with level, SRE's level, target, gap and importance."""
    out = with_titles(items, titles, "item", "category")
    out["importance"] = [
        None if pd.isna(v) else f"{v:.1f}" + (" *" if assumed else "")
        for v, assumed in zip(out["importance"], out["importance_assumed"].fillna(False), strict=True)
    ]
    return renamed(
        out,
        tr,
        {"item": "common.item", "category": "common.category", "priority": "common.priority",
         "level": "common.team_level", "target": "common.target", "gap": "common.gap",
         "importance": "common.importance", "sre_level": "common.sre_level", "n": "common.n"},
    )  # fmt: skip


def perception_table(items: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Items both sides rated, the largest difference between SRE and the team first."""
    both = items[items["perception_gap"].notna()]
    both = both.reindex(both["perception_gap"].abs().sort_values(ascending=False).index)
    return renamed(
        with_titles(both, titles, "item", "category"),
        tr,
        {"item": "common.item", "category": "common.category", "perception_gap": "common.perception_gap",
         "level": "common.team_level", "sre_level": "common.sre_level"},
    )  # fmt: skip


def disagreement_table(items: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Items where at least k members answered, the widest spread first."""
    shown = items[items["disagreement_status"] == "ok"].sort_values("sd", ascending=False)
    return renamed(
        with_titles(shown, titles, "item", "category"),
        tr,
        {"item": "common.item", "category": "common.category", "sd": "common.spread",
         "min_level": "views.lowest", "max_level": "views.highest", "n": "common.n"},
    )  # fmt: skip


def notes_table(notes: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Workshop notes with the item they are linked to, as the Team and Feedback pages show them."""
    return renamed(
        with_titles(notes, titles, "item_key"),
        tr,
        {"text": "views.note", "group_name": "views.group", "tags": "views.tags", "item_key": "common.item",
         "product": "common.product", "team": "common.team", "round": "common.round"},
    )  # fmt: skip


def actions_table(actions: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Agreed improvement actions: title, item, owner, status, due date."""
    out = with_titles(actions, titles, "item_key")
    out["status"] = out["status"].map(lambda s: tr(f"views.status.{s}"))
    return renamed(
        out,
        tr,
        {"title": "views.action", "item_key": "common.item", "owner": "views.owner", "status": "views.status",
         "due": "views.due", "round": "common.round"},
    )  # fmt: skip


def coverage_totals(coverage: pd.DataFrame, notes: int) -> dict[str, int]:
    """The round's headline counts: teams known and answered, respondents, answers, notes."""
    return {
        "teams": int(coverage["teams"].sum()),
        "teams_answered": int(coverage["teams_answered"].sum()),
        "respondents": int(coverage["team_respondents"].sum() + coverage["sre_respondents"].sum()),
        "answers": int(coverage["answers"].sum()),
        "notes": notes,
    }


def coverage_table(coverage: pd.DataFrame, tr: Translate) -> pd.DataFrame:
    """Per product: tier, teams answered of known, respondents, answers, coverage share."""
    out = coverage.copy()
    out["answered"] = [f"{a} / {t}" for a, t in zip(out["teams_answered"], out["teams"], strict=True)]
    out["coverage"] = (out["coverage"] * 100).round().astype("Int64").astype(str) + "%"
    return renamed(
        out,
        tr,
        {"product": "common.product", "tier": "common.tier", "answered": "overview.metric.teams",
         "coverage": "views.coverage", "team_respondents": "common.rater.team", "sre_respondents": "common.rater.sre",
         "answers": "overview.metric.answers"},
    )  # fmt: skip


def imports_table(history: pd.DataFrame, tr: Translate) -> pd.DataFrame:
    """Imports newest first, as the Overview and Import pages list them."""
    out = history.copy()
    out["state"] = ["" if pd.isna(u) else tr("views.undone") for u in out["undone_at"]]
    return renamed(
        out,
        tr,
        {"import_id": "views.import_id", "file_name": "views.file", "layout": "views.layout", "round": "common.round",
         "responses": "overview.metric.answers", "notes": "overview.metric.notes", "replaced": "views.replaced",
         "imported_at": "views.imported_at", "state": "views.status"},
    )  # fmt: skip


def weak_items_table(weak: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Org-weak items: share of teams below target, teams, mean level and target."""
    out = with_titles(weak, titles, "item", "category")
    out["share_below"] = (out["share_below"] * 100).round(0)
    return renamed(
        out,
        tr,
        {"item": "common.item", "category": "common.category", "share_below": "gaps.share_below_pct",
         "teams_below": "gaps.teams_below", "teams": "gaps.teams", "mean_level": "gaps.mean_level",
         "mean_target": "common.target"},
    )  # fmt: skip


def movers_table(movers: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """The biggest moves up and down: team, category, level now and before, change."""
    out = with_titles(movers, titles, "category", "item")
    out["direction"] = out["direction"].map({"up": "↑", "down": "↓"})
    return renamed(
        out,
        tr,
        {"direction": "views.direction", "product": "common.product", "team": "common.team",
         "category": "common.category", "change": "common.change", "level": "common.level",
         "previous_level": "trends.previous"},
    )  # fmt: skip


NOTE_EDITOR_COLUMNS = ("note_id", "text", "item", "product", "team", "group_name", "tags", "linked_by")


def note_editor_frame(notes: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """Notes for the editor: the linked item shown as `KEY title` so a person can pick another."""
    out = notes.copy()
    out["item"] = [None if pd.isna(k) else item_choice(k, titles) for k in out["item_key"]]
    out["tags"] = [", ".join(t) if isinstance(t, list | tuple) else t for t in out["tags"]]
    return out[list(NOTE_EDITOR_COLUMNS)]


def item_choice(key: str, titles: dict[str, str]) -> str:
    """How an item appears in a pick list: `TST-2 本番マスクデータの投入`."""
    return f"{key} {titles.get(key, '')}".strip()


def relinked_notes(notes: pd.DataFrame, edited: pd.DataFrame, titles: dict[str, str]) -> dict[int, str | None]:
    """note_id -> new item key (None = unlinked) for the notes whose item the person changed."""
    before = dict(zip(notes["note_id"], notes["item_key"], strict=True))
    changes: dict[int, str | None] = {}
    for note_id, choice in zip(edited["note_id"], edited["item"], strict=True):
        new = None if choice is None or pd.isna(choice) else str(choice).split(" ", 1)[0]
        old = before.get(note_id)
        old = None if old is None or pd.isna(old) else old
        if new != old:
            changes[int(note_id)] = new
    return changes


@dataclass(frozen=True)
class Finding:
    """One plain sentence about the round, and the page (with its URL parameters) that shows it."""

    sentence: str
    page: str
    query_params: dict[str, str]


def standouts(summary: dict[str, Any], titles: dict[str, str], tr: Translate) -> list[Finding]:
    """The top entry of each ranked list of the summary, said in one sentence each."""
    found: list[Finding] = []

    def team_page(entry: dict[str, Any]) -> dict[str, str]:
        # The round and language travel by themselves: their sidebar widgets are bound to the URL.
        return {"product": entry["product"], "team": entry["team"]}

    if summary.get("top_gaps"):
        e = summary["top_gaps"][0]
        found.append(Finding(tr("standout.top_gap", team=_who(e), item=titles.get(e["item"], e["item"]),
                                level=e["level"], target=e["target"], priority=e["priority"]),
                             "app_pages/team.py", team_page(e)))  # fmt: skip
    if summary.get("perception_gaps"):
        e = summary["perception_gaps"][0]
        found.append(Finding(tr("standout.perception", team=_who(e), item=titles.get(e["item"], e["item"]),
                                team_level=e["team_level"], sre_level=e["sre_level"]),
                             "app_pages/team.py", team_page(e)))  # fmt: skip
    if summary.get("disagreements"):
        e = summary["disagreements"][0]
        found.append(Finding(tr("standout.disagreement", team=_who(e), item=titles.get(e["item"], e["item"]),
                                low=e["min_level"], high=e["max_level"], n=e["n"]),
                             "app_pages/team.py", team_page(e)))  # fmt: skip
    if summary.get("org_weak_items"):
        e = summary["org_weak_items"][0]
        found.append(Finding(tr("standout.weak", item=titles.get(e["item"], e["item"]), below=e["teams_below"],
                                teams=e["teams"], level=e["mean_level"]),
                             "app_pages/gaps.py", {}))  # fmt: skip
    if summary.get("changes"):
        e = summary["changes"][0]
        key = "standout.up" if e["change"] > 0 else "standout.down"
        found.append(Finding(tr(key, team=_who(e), category=titles.get(e["category"], e["category"]),
                                change=abs(e["change"]), before=e["previous_level"], now=e["level"]),
                             "app_pages/trends.py", team_page(e)))  # fmt: skip
    return found


def _who(entry: dict[str, Any]) -> str:
    return f"{entry['product']} / {entry['team']}"


def layout_name(layout: str, tr: Translate) -> str:
    """The layout's name in the UI language (the key itself when unknown, e.g. `demo`)."""
    try:
        return tr(f"import.layout.{layout}")
    except KeyError:
        return layout or "?"


def mappings_table(mappings: dict[str, str], titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Remembered header mappings: the header as normalised, and the item it means (or "ignored")."""
    return pd.DataFrame(
        {
            tr("import.mapping_header"): list(mappings),
            tr("import.mapping_item"): [
                tr("import.mapping_ignore") if key == IGNORE else item_choice(key, titles) for key in mappings.values()
            ],
        }
    )


def expand_products(products: pd.DataFrame, teams: pd.DataFrame, expanded: list[str]) -> pd.DataFrame:
    """Product heatmap rows with the chosen products' team rows right below their product row."""
    parts = []
    for product, rows in products.groupby("product", sort=False):
        parts.append(rows)
        if product in expanded:
            parts.append(teams[teams["product"] == product])
    return pd.concat(parts, ignore_index=True) if parts else products
