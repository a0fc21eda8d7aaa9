"""Files people take to meetings: the round's report (Excel, or its answers as CSV) and a team's hearing sheet
(Excel, or one printable HTML page: see printable.py). Every title, header and word is in the chosen language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import duckdb
import pandas as pd
from openpyxl.formatting.rule import ColorScaleRule

from . import feedback, i18n, metrics, store, views
from .actions import action_progress, list_actions
from .errors import OpmaturityError
from .export import Sheet, csv_bytes, xlsx_bytes
from .model import Model
from .views import Translate, target_text

# How many entries of each kind the hearing agenda lists.
AGENDA_PRIORITIES = 5
AGENDA_PERCEPTION = 5
AGENDA_DISAGREEMENTS = 5
PERCEPTION_THRESHOLD = 1.0  # a difference of a whole level or more is worth a conversation
# The round report's sheets, in order (their names: reports.sheet.<name>).
ROUND_SHEETS = ("heatmap", "gap_heatmap", "top_gaps", "perception_gaps", "disagreements", "org_weak_items",
                "silent_gaps", "changes", "actions", "answers")  # fmt: skip
# Agenda topic -> its name.
TOPICS = {"priority": "pages.hearing.topic.priority", "team_vs_sre": "pages.hearing.topic.team_vs_sre",
          "members_disagree": "pages.hearing.topic.members_disagree", "note": "reports.topic.note",
          "open_action": "reports.topic.open_action"}  # fmt: skip
HEARING_SHEETS = ("overview", "agenda", "categories", "items", "notes", "actions")
# The heatmap sheets' colours: lighter than the dashboard's ends, so that black figures stay readable on them.
LEVEL_SCALE = ("F7FBFF", "4292C6")  # sequential blues, 0 to the top level
GAP_SCALE = ("67A9CF", "F7F7F7", "EF8A62")  # blue above target, white on it, red below it


def translator(lang: str) -> Translate:
    """`tr` for a file written in `lang` (not the page's session)."""
    return partial(_t, lang)


def _t(lang: str, key: str, **values: object) -> str:
    return i18n.t(key, lang, **values)


def _round(con: duckdb.DuckDBPyConnection, round_name: str | None) -> str:
    name = round_name or store.shown_round(con)
    if name is None:
        raise OpmaturityError.of("msg.store.empty")
    store.round_id(con, name)  # an unknown round is a clear error listing the known ones
    return name


# --- the round report -----------------------------------------------------------------------------


def round_report(
    con: duckdb.DuckDBPyConnection, model: Model, round_name: str | None, suffix: str, lang: str = "ja"
) -> bytes:
    """The round as `.xlsx` (heatmaps, the ranked findings, actions and every answer) or `.csv` (the answers),
    headers, titles and words in `lang`."""
    if suffix not in (".csv", ".xlsx"):
        raise OpmaturityError.of("msg.report.suffix" if suffix else "msg.report.no_suffix", suffix=suffix)
    name = _round(con, round_name)
    tr, names = translator(lang), model.titles(lang)
    answers = views.download_frame(store.answers_table(con, name), names, tr, {"round": name})
    if suffix == ".csv":
        return csv_bytes(answers, lang)
    level, gap = heatmap_sheets(con, model, name, lang)
    weak = metrics.org_weak_items(con, name)  # shares as whole percents: views.download_frame
    silent = metrics.silent_gaps(con, name).rename(columns=views.SILENT_NOTES)
    tables = {
        "top_gaps": metrics.top_gaps(con, name),
        "perception_gaps": metrics.perception_gaps(con, name),
        "disagreements": metrics.disagreements(con, name),  # k-masked: only items at least k members answered
        "org_weak_items": weak,
        "silent_gaps": silent,
        "changes": metrics.changes(con, name).drop(columns=["item"]),  # per category: no item to name
    }
    sheets: dict[str, pd.DataFrame | Sheet] = {"heatmap": level, "gap_heatmap": gap}
    sheets |= {sheet: views.download_frame(frame, names, tr, {"round": name}) for sheet, frame in tables.items()}
    sheets["actions"] = actions_frame(con, names, tr)
    sheets["answers"] = answers
    return xlsx_bytes({tr(f"reports.sheet.{sheet}"): frame for sheet, frame in sheets.items()}, lang)


def heatmap_sheets(con: duckdb.DuckDBPyConnection, model: Model, round_name: str, lang: str) -> tuple[Sheet, Sheet]:
    """Team × category of the team's own level (blues, cells below target in bold red) and of the gap to target
    (diverging around 0, red below target), one decimal as the dashboard's heatmap."""
    scores = metrics.category_scores(con, round_name)
    scores = scores[scores["rater"] == "team"]
    keys = [c.key for c in model.categories]
    tr = translator(lang)
    header = [tr("common.product"), tr("common.team"), *(c.title(lang) for c in model.categories)]

    def grid(metric: str) -> pd.DataFrame:
        table = scores.pivot_table(index=["product", "team"], columns="category", values=metric, aggfunc="first")
        table = table.reindex(columns=keys).reset_index()
        table.columns = header
        return table

    level, gap = grid("level"), grid("gap")
    below = {(r, c) for r, c in zip(*(gap.iloc[:, 2:].to_numpy(dtype=float) > 1e-9).nonzero(), strict=True)}
    level_rule = ColorScaleRule(start_type="num", start_value=0, start_color=LEVEL_SCALE[0], end_type="num",
                                end_value=model.max_level, end_color=LEVEL_SCALE[1])  # fmt: skip
    e = max(1.0, float(scores["gap"].abs().max())) if scores["gap"].notna().any() else 1.0
    gap_rule = ColorScaleRule(start_type="num", start_value=-e, start_color=GAP_SCALE[0], mid_type="num",
                              mid_value=0, mid_color=GAP_SCALE[1], end_type="num", end_value=e,
                              end_color=GAP_SCALE[2])  # fmt: skip
    marked = {(int(r), int(c) + 2) for r, c in below}
    return (
        Sheet(level, decimals=1, frozen=2, scale=level_rule, scale_from=2, marked=marked),
        Sheet(gap, decimals=1, frozen=2, scale=gap_rule, scale_from=2),
    )


def actions_frame(
    con: duckdb.DuckDBPyConnection,
    names: dict[str, str],
    tr: Translate,
    product: str | None = None,
    team: str | None = None,
) -> pd.DataFrame:
    """The actions (of one product or team) as a file shows them: number, product, team, item and its title,
    action, owner, status, due, the round agreed in, and what its item did since (finished ones)."""
    found = list_actions(con, product, team)
    moved = progress_texts(action_progress(con, product, team), tr)
    out = pd.DataFrame(
        {
            "action_no": found["id"],
            "product": found["product"],
            "team": found["team"],
            "item": found["item"],
            "title": found["title"],
            "owner": found["owner"],
            "action_status": [tr(f"views.status.{s}") for s in found["status"]],
            "due": views.dates(found["due"]),
            "round": found["round"],
            "moved": [moved.get(int(i), "") for i in found["id"]],
            "note": found["note"],
        }
    )
    if product is not None:
        out = out.drop(columns=["product", "team"])
    return views.download_frame(out, names, tr)


def progress_texts(progress: pd.DataFrame, tr: Translate) -> dict[int, str]:
    """Action id -> what its item did since the round the action was agreed in: `↑ +0.7`, `↑ +0.7 (SRE ↑ +1.0)`,
    `no answer yet` (see actions.action_progress)."""
    texts = {}
    for row in progress.itertuples(index=False):
        said = views.moved_text(row.level_before, row.level_after, tr)
        if not pd.isna(row.sre_moved):
            said += tr("reports.moved.sre", moved=views.moved_text(row.sre_before, row.sre_after, tr))
        texts[int(row.id)] = said
    return texts


# --- the hearing sheet ----------------------------------------------------------------------------


def hearing_agenda(
    items: pd.DataFrame,
    perception: pd.DataFrame,
    disagreements: pd.DataFrame,
    tr: Translate | None = None,
    notes: pd.DataFrame | None = None,
    actions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What to talk about with the team, in order: top priorities (`items`, as metrics.team_items ranks them),
    large team/SRE differences (`perception`, as metrics.perception_gaps ranks them), split opinions
    (`disagreements`, as metrics.disagreements ranks them: the lists keep the order summary and export give), then
    (when given) the workshop notes about those items and the open actions (the figures said in `tr`'s language,
    English by default). Columns: topic (a code), item (a key), figures, notes (empty, for the hearing)."""
    tr = tr or translator("en")
    rows = []
    ranked = items[items["priority"] > 0].sort_values("priority", ascending=False, kind="stable")
    for _, r in ranked.head(AGENDA_PRIORITIES).iterrows():
        target = target_text(r["target"], r.get("target_low"), r.get("target_high"))  # a level, not a mean
        rows.append(("priority", r["item"], tr("pages.hearing.figures.priority", level=r["level"], target=target,
                                               importance=r["importance"], priority=r["priority"])))  # fmt: skip
    apart = perception[perception["perception_gap"].abs() >= PERCEPTION_THRESHOLD]  # in the order given
    for _, r in apart.head(AGENDA_PERCEPTION).iterrows():
        rows.append(("team_vs_sre", r["item"], tr("pages.hearing.figures.team_vs_sre", level=r["team_level"],
                                                  sre_level=r["sre_level"])))  # fmt: skip
    for _, r in disagreements.head(AGENDA_DISAGREEMENTS).iterrows():
        rows.append(("members_disagree", r["item"], tr("pages.hearing.figures.members_disagree", low=r["min_level"],
                                                       high=r["max_level"], sd=r["sd"], n=r["n"])))  # fmt: skip
    still_open = actions[actions["status"] != "done"] if actions is not None else None
    # Notes about any item on the agenda so far, or about an item an open action works on.
    on_agenda = list(dict.fromkeys([*(row[1] for row in rows), *([] if still_open is None else still_open["item"])]))
    if notes is not None and not notes.empty:
        related = notes[notes["item_key"].isin(on_agenda)]
        related = related.assign(_order=related["item_key"].map(on_agenda.index)).sort_values("_order", kind="stable")
        rows += [("note", r.item_key, r.text) for r in related.itertuples(index=False)]
    if still_open is not None:
        for r in still_open.itertuples(index=False):
            said = [r.title, tr(f"views.status.{r.status}"), r.owner, views.dates(pd.Series([r.due]))[0]]
            rows.append(("open_action", r.item, " · ".join(str(s) for s in said if isinstance(s, str) and s)))
    agenda = pd.DataFrame(rows, columns=["topic", "item", "figures"])
    agenda["notes"] = ""  # filled in during the hearing
    return agenda


@dataclass(frozen=True)
class Hearing:
    """Everything one team's hearing sheet shows, gathered once for the Excel and the HTML file."""

    product: str
    team: str
    round: str
    items: pd.DataFrame
    categories: pd.DataFrame
    notes: pd.DataFrame
    actions: pd.DataFrame
    progress: dict[int, str]
    agenda: pd.DataFrame

    def counts(self) -> dict[str, object]:
        """The overview: product, team, round, answers of the team and of SRE, notes, actions."""
        return {"product": self.product, "team": self.team, "round": self.round,
                "team_n": int(self.items["n"].sum()), "sre_n": int(self.items["sre_n"].sum()),
                "notes": len(self.notes), "actions": len(self.actions)}  # fmt: skip


def hearing(
    con: duckdb.DuckDBPyConnection, product: str, team: str, round_name: str | None, lang: str = "ja"
) -> Hearing:
    """One team's hearing of a round (default: the latest): items, categories, notes (without who wrote them),
    actions and what finished ones moved, and the agenda."""
    name = _round(con, round_name)
    tr = translator(lang)
    figures = metrics.round_figures(con, name)  # once, for every list below
    items = metrics.team_items(con, name, product, team, figures=figures)
    perception = metrics.perception_gaps(con, name, product=product, team=team, figures=figures)
    disagreements = metrics.disagreements(con, name, product=product, team=team, figures=figures)
    notes = feedback.notes_table(con, name, product=product, team=team).drop(columns=["author"], errors="ignore")
    actions = list_actions(con, product, team)
    progress = progress_texts(action_progress(con, product, team), tr)
    agenda = hearing_agenda(items, perception, disagreements, tr, notes, actions)
    categories = metrics.team_categories(con, name, product, team, figures=figures)
    return Hearing(product, team, name, items, categories, notes, actions, progress, agenda)


def hearing_sheet(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    product: str,
    team: str,
    round_name: str | None,
    lang: str = "ja",
) -> bytes:
    """An Excel workbook that prepares one team's hearing: overview, agenda, categories, items, notes, actions
    (sheets, headers, topics and titles in `lang`, each key with its title beside it)."""
    found = hearing(con, product, team, round_name, lang)
    tr, names = translator(lang), model.titles(lang)
    agenda = found.agenda.assign(topic=[tr(TOPICS[t]) for t in found.agenda["topic"]])
    fields = [tr(f"pages.hearing.field.{n}") for n in found.counts()]
    context: dict[str, str | None] = {"product": product, "team": team, "round": found.round}
    frames = {
        "overview": pd.DataFrame({tr("pages.col.field"): fields, tr("pages.col.value"): list(found.counts().values())}),
        "agenda": views.download_frame(agenda, names, tr),
        "categories": views.download_frame(found.categories, names, tr, context),
        "items": views.download_frame(found.items, names, tr, context),
        "notes": views.download_frame(found.notes, names, tr),
        "actions": actions_frame(con, names, tr, product, team),
    }
    return xlsx_bytes({tr(f"pages.hearing.sheet.{sheet}"): frame for sheet, frame in frames.items()}, lang)
