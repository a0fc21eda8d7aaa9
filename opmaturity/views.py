"""Display tables: data shaped and titled for the pages (pure pandas, no Streamlit)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from .markup import escape
from .model import Model
from .rounding import half_up, half_up_array


class Translate(Protocol):
    """A page's `tr`: the UI string `key` in the session's language, placeholders filled from `values`."""

    def __call__(self, key: str, **values: object) -> str: ...


def levels_table(model: Model, lang: str, tr: Translate) -> pd.DataFrame:
    """The level scale: level, word, meaning, other accepted words."""
    return pd.DataFrame(
        {
            tr("common.level"): [lv.level for lv in model.levels],
            tr("pages.col.level_word"): [lv.title(lang) for lv in model.levels],
            tr("model.description"): [lv.meaning.get(lang, "") for lv in model.levels],
            tr("model.synonyms"): [", ".join([lv.en if lang == "ja" else lv.ja, *lv.synonyms]) for lv in model.levels],
        }
    )


def items_table(model: Model, lang: str, category: str, tr: Translate) -> pd.DataFrame:
    """One category's items: key, title, description, level guide, note keywords."""
    items = model.category(category).items
    return pd.DataFrame(
        {
            tr("pages.col.key"): [i.key for i in items],
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
            tr("pages.col.title"): [t.title(lang) for t in model.tiers],
            tr("model.default_target"): [t.default_target for t in model.tiers],
        }
    )


def scope_label(tr: Translate, tier: object = None, product: object = None, team: object = None) -> str:
    """What a target applies to, in words: a tier, a product, or one team of a product."""
    if not _missing(tier):
        return tr("pages.scope.tier", name=tier)
    if not _missing(team):
        return tr("loop.scope.team", product=product, team=team)
    return tr("pages.scope.product", name=product)


def targets_table(targets: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Targets set for tiers, products and teams: what they apply to, the item (or every item), the level."""
    teams = targets["team"] if "team" in targets.columns else [None] * len(targets)
    scopes = [scope_label(tr, *row) for row in zip(targets["tier"], targets["product"], teams, strict=True)]
    return pd.DataFrame(
        {
            tr("pages.col.applies_to"): scopes,
            tr("common.item"): [
                tr("model.all_items") if _missing(k) else item_choice(k, titles) for k in targets["item_key"]
            ],
            tr("common.target"): targets["level"].tolist(),
        }
    )


def rounds_table(rounds: pd.DataFrame, tr: Translate) -> pd.DataFrame:
    """Rounds oldest first: name and the day it was held (a date, not a timestamp)."""
    return pd.DataFrame(
        {
            tr("common.round"): rounds["name"].tolist(),
            tr("pages.col.held_on"): dates(rounds["held_on"], tr("pages.round_undated")),
        }
    )


def dates(values: pd.Series, missing: str = "") -> list[str]:
    """Days as `2026-05-20` (no `00:00:00`), `missing` where there is none."""
    return [missing if _missing(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def with_titles(frame: pd.DataFrame, titles: dict[str, str], *columns: str) -> pd.DataFrame:
    """A copy where each named key column (item or category keys) shows titles instead."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].map(lambda key: titles.get(key, key))
    return out


def target_text(target: object, low: object = None, high: object = None) -> str:
    """A target as the model's level: `3` where one target applies, `3–4` where several do (low to high); a
    mean only where the range is unknown. Empty where there is none."""
    if _missing(target):
        return ""
    if not _missing(low) and not _missing(high):
        low_, high_ = round(float(low), 2), round(float(high), 2)  # type: ignore[arg-type]
        shown = [f"{v:g}" for v in (low_, high_)]
        return shown[0] if low_ == high_ else f"{shown[0]}–{shown[1]}"
    return f"{round(float(target), 2):g}"  # type: ignore[arg-type]


def target_value(target: object, low: object = None, high: object = None) -> int | float | str | None:
    """target_text as a file keeps it: a number where one target applies (or only the mean is known), so that a
    spreadsheet can sum and filter it; a range (`3–4`) as text; None where there is none."""
    text = target_text(target, low, high)
    if not text or "–" in text:
        return text or None
    number = float(text)
    return int(number) if number.is_integer() else number


def with_target_levels(frame: pd.DataFrame, *, numbers: bool = False) -> pd.DataFrame:
    """A copy where `target` and `mean_target` read as levels (target_text; with `numbers`, target_value), where
    the frame has the range."""
    if not {"target_low", "target_high"} <= set(frame.columns):
        return frame
    out = frame.copy()
    read = target_value if numbers else target_text
    for column in ("target", "mean_target"):
        if column in out.columns:
            out[column] = pd.Series(
                [read(t, lo, hi) for t, lo, hi in zip(out[column], out["target_low"], out["target_high"], strict=True)],
                index=out.index, dtype=object if numbers else None,  # numbers beside ranges: one column of both
            )  # fmt: skip
    return out.drop(columns=["target_low", "target_high"])


def as_arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """A display table as the Arrow table st.dataframe would make of it (the index left out: tables hide it), to
    keep and send as it is rather than converted again on every run; the frame itself where Arrow cannot hold a
    column as it is (Streamlit mends such columns on its own)."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return frame


def renamed(frame: pd.DataFrame, tr: Translate, columns: dict[str, str]) -> pd.DataFrame:
    """The chosen columns only, in order, headed in the UI language (`column -> string key`); targets as levels."""
    frame = with_target_levels(frame)
    present = [c for c in columns if c in frame.columns]
    out = frame[present].copy()
    for column in present:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = _half_up(out[column], 2)  # the two decimals a 0-4 mean needs, halves up (rounding.py)
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].astype(object).where(out[column].notna(), "")  # never "None" or "nan"
    return out.rename(columns={c: tr(columns[c]) for c in present})


def team_item_table(items: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """The team's items ranked by priority, with level, SRE's level, target, gap and importance. Here and in the
    team's other tables the figures come right after the item, its category last: at 1024 px the figures were cut
    off the right edge behind long titles (an outside review)."""
    out = with_titles(items, titles, "item", "category")
    out["importance"] = [
        None if pd.isna(v) else f"{half_up(v, 2):.2f}" + (" *" if assumed else "")  # 2 decimals, as every figure
        for v, assumed in zip(out["importance"], out["importance_assumed"].fillna(False), strict=True)
    ]
    return renamed(
        out,
        tr,
        {"item": "common.item", "priority": "common.priority", "level": "common.team_level",
         "target": "common.target", "gap": "common.gap", "importance": "common.importance",
         "sre_level": "common.sre_level", "n": "common.n", "category": "common.category"},
    )  # fmt: skip


def perception_table(perception: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """One team's perception gaps as `metrics.perception_gaps` ranks them (the largest difference first, ties in
    model order, as summary, export and the hearing sheet list them): never sorted again here."""
    return renamed(
        with_titles(perception, titles, "item", "category"),
        tr,
        {"item": "common.item", "perception_gap": "common.perception_gap", "team_level": "common.team_level",
         "sre_level": "common.sre_level", "category": "common.category"},
    )  # fmt: skip


def disagreement_table(disagreements: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """One team's items where its members disagree, as `metrics.disagreements` ranks them (the widest spread
    first, then more answers, then model order): never sorted again here."""
    return renamed(
        with_titles(disagreements, titles, "item", "category"),
        tr,
        {"item": "common.item", "sd": "common.spread", "min_level": "views.lowest", "max_level": "views.highest",
         "n": "common.n", "category": "common.category"},
    )  # fmt: skip


def notes_table(notes: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Workshop notes with the item they are linked to, as the Team and Feedback pages show them."""
    return renamed(
        with_titles(notes, titles, "item_key"),
        tr,
        {"text": "views.note", "group_name": "views.group", "tags": "views.tags", "item_key": "common.item",
         "product": "common.product", "team": "common.team", "round": "common.round"},
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
    out["state"] = out["undone_at"].isna().map({True: "", False: tr("views.undone")})
    out["layout"] = out["layout"].map(_per_value(lambda v: layout_name(v if isinstance(v, str) else "", tr)))
    out["imported_at"] = pd.to_datetime(out["imported_at"]).dt.strftime("%Y-%m-%d %H:%M").fillna("")
    return renamed(
        out,
        tr,
        {"import_id": "views.import_id", "file_name": "views.file", "layout": "views.layout", "round": "common.round",
         "responses": "overview.metric.answers", "notes": "overview.metric.notes", "replaced": "views.replaced",
         "imported_at": "views.imported_at", "state": "views.status"},
    )  # fmt: skip


def whole_percent(shares: pd.Series) -> pd.Series:
    """Shares (0..1) as whole percents (94, not 94.12 or 0.9412)."""
    return (shares * 100).round(0).astype("Int64")


def weak_items_table(weak: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Org-weak items: share of teams below target, teams, mean level and target."""
    out = with_titles(weak, titles, "item", "category")
    out["share_below"] = whole_percent(out["share_below"])
    return renamed(
        out,
        tr,
        {"item": "common.item", "category": "common.category", "share_below": "gaps.share_below_pct",
         "teams_below": "gaps.teams_below", "teams": "gaps.teams", "mean_level": "gaps.mean_level",
         "mean_target": "common.target"},
    )  # fmt: skip


def movers_table(
    movers: pd.DataFrame, titles: dict[str, str], tr: Translate, *, chosen: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The biggest moves up and down, those beyond noise first: team, category, the change and the round it is
    since (the team's own previous assessment: an older round for a team that skipped the last one), whether it
    is beyond noise, level now and before (over the items rated in both rounds) and how many items that is. The
    change and its round come first: at 1024 px the columns after the names were cut off. `chosen`: the columns
    the page's filter has fixed ("product", "team"), left out: every row would repeat them."""
    out = with_titles(movers, titles, "category", "item").drop(columns=list(chosen))
    out["direction"] = out["direction"].map({"up": "↑", "down": "↓"})
    out["significant"] = out["significant"].map(lambda s: tr("figures.yes") if s else tr("figures.within_noise"))
    return renamed(
        out,
        tr,
        {"direction": "views.direction", "product": "common.product", "team": "common.team",
         "category": "common.category", "change": "common.change", "previous_round": "pages.col.previous_round",
         "significant": "figures.significant", "level": "figures.paired_level", "previous_level": "trends.previous",
         "items": "figures.change_items"},
    )  # fmt: skip


def trend_points(trend: pd.DataFrame, rounds: list[str], titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """The trend's points to draw (metrics.trend), category titles shown, with the tooltip's texts: teams
    answered of the selection's (`teams_text`), the like-for-like step from the previous point (`step_text`),
    and `dashed`: the step from the previous point rests on other teams or items, or skips one of `rounds` (the
    answered rounds in order), so its slope is not a change."""
    out = with_titles(trend, titles, "category")
    place = {name: i for i, name in enumerate(rounds)}
    pairs = zip(out["teams"], out["teams_total"], strict=True)
    out["teams_text"] = [tr("trend.tip.teams_value", teams=int(t), total=int(n)) for t, n in pairs]
    texts, dashed = [], []
    for point in out.itertuples():
        if _missing(point.previous_round):
            texts.append(tr("trend.tip.first"))
            dashed.append(False)
            continue
        skips = place.get(str(point.round), 0) - place.get(str(point.previous_round), 0) > 1
        dashed.append(bool(skips or not point.like_for_like))
        if point.paired_teams:
            texts.append(tr("trend.tip.step_value", change=float(point.paired_change), previous=point.previous_round,
                            before=float(point.paired_previous), after=float(point.paired_level),
                            teams=int(point.paired_teams), items=int(point.paired_items)))  # fmt: skip
        else:
            texts.append(tr("trend.tip.step_none", previous=point.previous_round))
    out["step_text"] = texts
    out["dashed"] = dashed
    return out


def trend_notes(trend: pd.DataFrame, rounds: list[str], tr: Translate) -> list[str]:
    """What a reader of the trend must know beside it (plain text): the answered rounds between its first and
    last point the teams chosen did not answer, and how many teams answered each round where that differs."""
    notes = []
    shown = set(trend["round"])
    inside = [i for i, name in enumerate(rounds) if name in shown]
    if inside:
        skipped = [name for name in rounds[inside[0] : inside[-1] + 1] if name not in shown]
        if skipped:
            notes.append(tr("trends.skipped", rounds=tr("list.separator").join(skipped)))
    per_round = trend.groupby("round_position", sort=True).agg(
        round=("round", "first"), teams=("round_teams", "max"), total=("teams_total", "max")
    )
    if per_round["teams"].nunique() > 1:
        counts = [tr("trends.teams_count", round=r.round, teams=int(r.teams), total=int(r.total))
                  for r in per_round.itertuples()]  # fmt: skip
        notes.append(tr("trends.teams_per_round", counts=tr("list.separator").join(counts)))
    return notes


def silent_gaps_table(silent: pd.DataFrame, titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Items many teams are below target on that (almost) nobody wrote about: share below, teams, mean gap, notes."""
    out = with_titles(silent, titles, "item", "category")
    out["share"] = whole_percent(out["share"])
    return renamed(
        out,
        tr,
        {"item": "common.item", "category": "common.category", "share": "gaps.share_below_pct",
         "teams_below_target": "gaps.teams_below", "teams": "gaps.teams", "mean_gap": "figures.mean_gap",
         "notes": "figures.notes_about"},
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


def _answer(level: Any) -> str:
    """One person's answer as they gave it: a whole level (0.0 read as 0), else to 2 decimals (a merged item's)."""
    value = float(level)
    return f"{value:.0f}" if value.is_integer() else f"{half_up(value, 2):.2f}"


def standouts(summary: dict[str, Any], titles: dict[str, str], tr: Translate) -> list[Finding]:
    """The top entry of each ranked list of the summary, said in one sentence each (markdown: every name and
    title in it escaped, since products, teams and model titles are data)."""
    found: list[Finding] = []

    def name(key: str) -> str:
        return escape(titles.get(key, key))

    def team_page(entry: dict[str, Any]) -> dict[str, str]:
        # The round and language travel by themselves: their sidebar widgets are bound to the URL.
        return {"product": entry["product"], "team": entry["team"]}

    if summary.get("top_gaps"):
        e = summary["top_gaps"][0]
        words = dict(team=_who(e), item=name(e["item"]), level=e["level"], priority=e["priority"],
                     target=target_text(e["target"], e.get("target_low"), e.get("target_high")))  # fmt: skip
        # "matters to the team" only where the team said so: an importance nobody gave is assumed (2)
        assumed = e.get("importance_assumed")
        text = tr("standout.top_gap_assumed", **words) if assumed else tr("standout.top_gap", **words)
        found.append(Finding(text, "app_pages/team.py", team_page(e)))
    if summary.get("silent_gaps"):
        e = summary["silent_gaps"][0]
        found.append(Finding(tr("figures.standout.silent", item=name(e["item"]), below=e["teams_below_target"],
                                teams=e["teams"], notes=e["notes"]),
                             "app_pages/gaps.py", {}))  # fmt: skip
    if summary.get("perception_gaps"):
        e = summary["perception_gaps"][0]
        found.append(Finding(tr("standout.perception", team=_who(e), item=name(e["item"]),
                                team_level=e["team_level"], sre_level=e["sre_level"]),
                             "app_pages/team.py", team_page(e)))  # fmt: skip
    if summary.get("disagreements"):
        e = summary["disagreements"][0]
        found.append(Finding(tr("standout.disagreement", team=_who(e), item=name(e["item"]),
                                low=_answer(e["min_level"]), high=_answer(e["max_level"]), n=e["n"]),
                             "app_pages/team.py", team_page(e)))  # fmt: skip
    said = {summary["silent_gaps"][0]["item"]} if summary.get("silent_gaps") else set()
    weak = [e for e in summary.get("org_weak_items", []) if e["item"] not in said]  # one item, one sentence
    if weak:
        e = weak[0]
        found.append(Finding(tr("standout.weak", item=name(e["item"]), below=e["teams_below"],
                                teams=e["teams"], level=e["mean_level"]),
                             "app_pages/gaps.py", {}))  # fmt: skip
    significant = [e for e in summary.get("changes", []) if e.get("significant")]
    if significant:
        e = significant[0]
        key = "figures.standout.up" if e["change"] > 0 else "figures.standout.down"
        since = e.get("previous_round") or tr("figures.last_round")  # a team that skipped a round: an older one
        found.append(Finding(tr(key, team=_who(e), category=name(e["category"]), change=abs(e["change"]),
                                before=e["previous_level"], now=e["level"], items=e["items"], since=since),
                             "app_pages/trends.py", team_page(e)))  # fmt: skip
    elif summary.get("changes"):
        moved = summary.get("moved", len(summary["changes"]))  # highlights() count them, summary() lists them
        found.append(Finding(tr("figures.standout.no_significant", moved=moved),
                             "app_pages/trends.py", {}))  # fmt: skip
    return found


def _who(entry: dict[str, Any]) -> str:
    return escape(f"{entry['product']} / {entry['team']}")


def layout_name(layout: str, tr: Translate) -> str:
    """The layout's name in the UI language (the key itself when unknown, e.g. `demo`)."""
    for key in (f"import.layout.{layout}", f"pages.layout.{layout}"):
        try:
            return tr(key)
        except KeyError:
            continue
    return layout or "?"


def mappings_table(mappings: dict[str, str], titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    """Remembered header mappings: the header as normalised, the role it was given and its item or category."""
    from .formats.roles import decode

    chosen = [decode(target) for target in mappings.values()]
    return pd.DataFrame(
        {
            tr("import.mapping_header"): list(mappings),
            tr("roles.role"): [tr(f"msg.role.{role}") for role, _ in chosen],
            tr("import.mapping_item"): [item_choice(key, titles) if key else "" for _, key in chosen],
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


def rows_with_values(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The heatmap cells of the rows (product, team) that have a value somewhere, and how many rows had none.

    A team SRE has not assessed has no perception gap anywhere: at 1,000 teams more than half the rows would be
    grey, pushing the differences the page is for out of sight (and taking the browser a second to draw)."""
    if cells.empty:
        return cells, 0
    keys = ["product", "team"] if "team" in cells.columns else ["product"]
    valued = cells["value"].notna().groupby([cells[k].fillna("") for k in keys], sort=False).transform("any")
    drawn = cells[valued.to_numpy()]
    rows = cells[keys].drop_duplicates()
    return drawn, len(rows) - len(drawn[keys].drop_duplicates())


# --- downloads ------------------------------------------------------------------------------------

# Column -> header key of a download. Key columns (below) get their title beside them.
DOWNLOAD_HEADERS = {
    "round": "common.round", "product": "common.product", "team": "common.team", "tier": "common.tier",
    "rater": "common.rater", "text": "views.note", "group_name": "views.group",
    "tags": "views.tags", "linked_by": "feedback.linked_by", "level": "common.level", "team_level": "common.team_level",
    "sre_level": "common.sre_level", "target": "common.target", "mean_target": "common.target",
    "gap": "common.gap", "sre_gap": "pages.col.sre_gap", "importance": "common.importance",
    "importance_assumed": "pages.col.importance_assumed", "priority": "common.priority",
    "perception_gap": "common.perception_gap", "change": "common.change", "previous_level": "pages.col.previous_level",
    "previous_round": "pages.col.previous_round",
    "sd": "common.spread", "disagreement": "metric.disagreement", "min_level": "views.lowest",
    "max_level": "views.highest", "n": "common.n", "na": "pages.col.n_na", "sre_n": "pages.col.sre_n",
    "team_n": "pages.col.team_n", "respondents": "pages.col.respondents",
    "disagreement_status": "pages.col.disagreement_status", "status": "pages.col.status",
    "org_median": "common.org_median", "org_teams": "pages.col.org_teams", "teams": "gaps.teams",
    "teams_below": "gaps.teams_below", "mean_level": "gaps.mean_level",
    "value": "pages.col.value", "topic": "pages.col.topic", "figures": "pages.col.figures",
    "notes": "pages.col.hearing_notes", "title": "views.action", "owner": "views.owner",
    "action_status": "views.status", "due": "views.due",
    "change_se": "figures.change_se", "change_significant": "figures.significant", "significant": "figures.significant",
    "perception_team_level": "figures.perception_team_level", "perception_sre_level": "figures.perception_sre_level",
    "perception_items": "figures.perception_items", "paired_level": "figures.paired_level",
    "change_items": "figures.change_items_before", "items": "figures.change_items_before",
    "n_before": "figures.n_before",
    "n_after": "figures.n_after", "previous_n": "figures.n_before", "teams_below_target": "gaps.teams_below",
    "mean_gap": "figures.mean_gap",
    # the reports (reports.py): answers, actions and shares shown as whole percents
    "respondent": "reports.col.respondent", "comment": "reports.col.comment", "assessed_on": "reports.col.assessed_on",
    "file": "views.file", "share_below_pct": "gaps.share_below_pct", "action_no": "reports.col.action_no",
    "moved": "reports.col.moved", "note": "loop.actions.note", "notes_about": "figures.notes_about",
}  # fmt: skip
# Shares (0..1) go out as the pages show them: whole percents, under a header that says so.
DOWNLOAD_PERCENTS = {"share_below": "share_below_pct", "share": "share_below_pct"}
# A silent gap's `notes` counts the notes about its item (the agenda's `notes` column is for the hearing's notes).
SILENT_NOTES = {"notes": "notes_about"}
# Key column -> (header of the key, header of the title put beside it).
DOWNLOAD_KEYS = {
    "category": ("pages.col.category_key", "common.category"),
    "item": ("pages.col.item_key", "common.item"),
    "item_key": ("pages.col.item_key", "common.item"),
    "key": ("pages.col.key", "pages.col.title"),
}
# Positions, ids, pseudonyms and drawing helpers: nothing a reader of the file needs.
DOWNLOAD_DROPPED = {"position", "category_position", "round_position", "round_id", "note_id", "action_id", "author",
                    "colour", "row", "column", "label", "value_text", "status_text"}  # fmt: skip
# Columns whose values are codes with a UI text: column -> string key prefix.
DOWNLOAD_CODES = {"status": "common.status.", "disagreement_status": "pages.spread_shown.",
                  "linked_by": "feedback.linked_by.", "rater": "common.rater."}  # fmt: skip
# Flags whose "no" the pages say in words of their own: a change within noise (Trends, movers_table).
DOWNLOAD_FLAGS = {"significant": ("figures.yes", "figures.within_noise"),
                  "change_significant": ("figures.yes", "figures.within_noise")}  # fmt: skip


def download_frame(
    frame: pd.DataFrame, titles: dict[str, str], tr: Translate, context: dict[str, str | None] | None = None
) -> pd.DataFrame:
    """The data behind a view as a reader of the CSV wants it: headers in the UI language, each item or
    category key with its title beside it, `context` columns (product, team, round) first where the
    frame lacks them, codes in words, numbers rounded as on screen, days as dates, no `None`."""
    out = with_target_levels(frame.drop(columns=[c for c in frame.columns if c in DOWNLOAD_DROPPED]), numbers=True)
    shares = {c: DOWNLOAD_PERCENTS[c] for c in out.columns if c in DOWNLOAD_PERCENTS}
    out = out.assign(**{c: whole_percent(out[c]) for c in shares}).rename(columns=shares)
    if {"key", "category"} <= set(out.columns) and "item" not in out.columns:
        # A heatmap cell's key is its category (then said once) or an item of that category.
        same = out["key"].equals(out["category"])
        out = out.drop(columns=["key"]) if same else out.rename(columns={"key": "item"})
    missing_context = {k: v for k, v in (context or {}).items() if k not in out.columns and v is not None}
    for position, (name, value) in enumerate(missing_context.items()):
        out.insert(position, name, value)
    columns: dict[str, pd.Series] = {}
    for name in out.columns:
        values = out[name]
        if name in DOWNLOAD_KEYS:
            key_header, title_header = DOWNLOAD_KEYS[name]
            columns[tr(key_header)] = _text(values)
            columns[tr(title_header)] = _text(
                values.map(lambda key: titles.get(key, key) if isinstance(key, str) else key)
            )
            continue
        if name in DOWNLOAD_CODES:
            values = values.map(_per_value(functools.partial(_code_text, prefix=DOWNLOAD_CODES[name], tr=tr)))
        elif name in DOWNLOAD_FLAGS or pd.api.types.is_bool_dtype(values):  # both answers said; none: empty
            yes, no = DOWNLOAD_FLAGS.get(name, ("pages.yes", "pages.no"))
            values = values.map({True: tr(yes), False: tr(no)})
        elif pd.api.types.is_datetime64_any_dtype(values):
            values = pd.Series(dates(values), index=values.index)
        elif pd.api.types.is_float_dtype(values):
            values = _half_up(values, 2)  # as on screen
        header = tr(DOWNLOAD_HEADERS[name]) if name in DOWNLOAD_HEADERS else str(name)
        if header in columns:
            header = f"{header} ({name})"
        columns[header] = values if pd.api.types.is_numeric_dtype(values) else _text(values)
    return pd.DataFrame(columns, index=out.index).reset_index(drop=True)


def moved_text(before: object, after: object, tr: Translate) -> str:
    """How far a level moved between two rounds, one decimal with its sign after an arrow (`↑ +0.7`, `↓ -0.3`,
    `→ ±0.0`: the arrow also keeps a spreadsheet from reading the text as a formula); "no answer yet" without a
    later level, "now 2.3 (no answer before)" without an earlier one."""
    if _missing(after):
        return tr("reports.moved.no_answer")
    if _missing(before):
        return tr("reports.moved.new", level=f"{half_up(float(after), 1):.1f}")  # type: ignore[arg-type]
    moved = half_up(float(after) - float(before), 1)  # type: ignore[arg-type]
    return "→ ±0.0" if moved == 0 else f"{'↑' if moved > 0 else '↓'} {moved:+.1f}"


def _half_up(values: pd.Series, digits: int) -> pd.Series:
    """A float column rounded for reading, halves away from zero (rounding.py)."""
    return pd.Series(half_up_array(values.to_numpy(dtype="float64", na_value=np.nan), digits), index=values.index)


def _text(values: pd.Series) -> pd.Series:
    """Text cells with an empty string where there is no value (never `None` or `nan`)."""
    return values.astype(object).where(values.notna(), "")


def _per_value(convert: Callable[[object], object]) -> Callable[[object], object]:
    """`convert`, asked once per distinct value (a page's table repeats a few codes on every row)."""
    done: dict[object, object] = {}

    def once(value: object) -> object:
        key = "" if _missing(value) else value
        if key not in done:
            done[key] = convert(value)
        return done[key]

    return once


def _code_text(code: object, prefix: str, tr: Translate) -> object:
    if _missing(code):
        return ""
    try:
        return tr(f"{prefix}{code}")
    except KeyError:
        return code


def unknown_team(teams: pd.DataFrame, product: str | None, team: str | None) -> str | None:
    """What a bookmark names that does not exist: "product", "team" (in a known product), or None."""
    if product is None:
        return None
    if product not in set(teams["product"]):
        return "product"
    if team is not None and team not in set(teams.loc[teams["product"] == product, "team"]):
        return "team"
    return None


def versions_table(versions: pd.DataFrame, tr: Translate) -> pd.DataFrame:
    """The model versions, newest first: number, where it came from, file, when and by whom, items, rounds."""
    return pd.DataFrame(
        {
            tr("mv.page.col.version"): versions["version"].astype(int).tolist(),
            tr("mv.page.col.origin"): [tr(f"mv.origin.{o}") for o in versions["origin"]],
            tr("mv.page.col.file"): _text(versions["file_name"]).tolist(),
            tr("mv.page.col.saved_at"): [
                "" if _missing(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M") for v in versions["saved_at"]
            ],
            tr("mv.page.col.saved_by"): _text(versions["saved_by"]).tolist(),
            tr("mv.page.col.items"): versions["items"].astype(int).tolist(),
            tr("mv.page.col.rounds"): versions["rounds"].astype(int).tolist(),
        }
    )


def _audit_detail(action: str, detail: dict[str, Any], tr: Translate) -> dict[str, Any]:
    """A change's values as the change log shows them: a remembered header's meaning as its role (in words) and
    its item or category, where the store keeps the encoded text ("product", "item:OBS-1")."""
    if action != "mapping" or not isinstance(detail.get("item"), str):
        return detail
    from .formats.roles import decode

    role, key = decode(detail["item"])
    return {"role": tr(f"msg.role.{role}")} | ({"item": key} if key else {})


def audit_table(changes: pd.DataFrame, tr: Translate) -> pd.DataFrame:
    """The latest changes, newest first: when, who, what, to what, with which values (in the UI language)."""
    out = changes.copy()
    out["changed_at"] = [
        "" if _missing(t) else pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S") for t in out["changed_at"]
    ]
    details = [_audit_detail(a, json.loads(d) if isinstance(d, str) and d else {}, tr)
               for a, d in zip(out["action"], out["detail"], strict=True)]  # fmt: skip
    # A tier's target names the tier in words ("ティア T2"); the store keeps "tier T2" and, since 30 November, the
    # tier among the values (older records keep their subject as written).
    out["subject"] = [scope_label(tr, tier=d.pop("tier")) if a == "target" and "tier" in d else subject
                      for a, d, subject in zip(out["action"], details, out["subject"], strict=True)]  # fmt: skip
    out["action"] = [tr(f"auth.audit.action.{a}") for a in out["action"]]
    out["detail"] = [", ".join(f"{tr(f'auth.audit.detail.{k}')}: {v}" for k, v in d.items()) for d in details]
    return renamed(
        out,
        tr,
        {"changed_at": "auth.audit.at", "actor": "auth.audit.actor", "action": "auth.audit.action", "subject":
         "auth.audit.subject", "detail": "auth.audit.detail"},
    )  # fmt: skip
