"""Files for people outside the dashboard: the round's data (Excel or CSV) and a team's hearing sheet."""

from __future__ import annotations

import duckdb
import pandas as pd

from . import feedback, i18n, metrics, store, views
from .actions import list_actions
from .errors import OpmaturityError
from .export import csv_bytes, xlsx_bytes
from .model import Model
from .views import Translate, target_text

# How many entries of each kind the hearing agenda lists.
AGENDA_PRIORITIES = 5
AGENDA_PERCEPTION = 5
AGENDA_DISAGREEMENTS = 5
PERCEPTION_THRESHOLD = 1.0  # a difference of a whole level or more is worth a conversation


def _titled(frame: pd.DataFrame, model: Model, *columns: str) -> pd.DataFrame:
    """Beside each key column, its Japanese and English titles (reports are read in both languages)."""
    out = frame.copy()
    ja = {c.key: c.ja for c in model.categories} | {i.key: i.ja for i in model.items}
    en = {c.key: c.en for c in model.categories} | {i.key: i.en for i in model.items}
    for column in columns:
        if column in out.columns:
            at = list(out.columns).index(column) + 1
            out.insert(at, f"{column}_en", out[column].map(en))
            out.insert(at, f"{column}_ja", out[column].map(ja))
    return out


def _round(con: duckdb.DuckDBPyConnection, round_name: str | None) -> str:
    name = round_name or store.latest_round(con)
    if name is None:
        raise OpmaturityError.of("msg.store.empty")
    store.round_id(con, name)  # an unknown round is a clear error listing the known ones
    return name


def round_report(con: duckdb.DuckDBPyConnection, model: Model, round_name: str | None, suffix: str) -> bytes:
    """The round as `.xlsx` (the ranked findings, the heatmap and every answer) or `.csv` (the answers)."""
    if suffix not in (".csv", ".xlsx"):
        raise OpmaturityError.of("msg.report.suffix" if suffix else "msg.report.no_suffix", suffix=suffix)
    name = _round(con, round_name)
    answers = _titled(store.answers_table(con, name), model, "category", "item")
    if suffix == ".csv":
        return csv_bytes(answers)
    found = metrics.summary(con, name)
    sheets = {
        "heatmap": _titled(pd.DataFrame(found["heatmap"]), model, "category"),
        "top_gaps": _titled(pd.DataFrame(found["top_gaps"]), model, "category", "item"),
        "perception_gaps": _titled(pd.DataFrame(found["perception_gaps"]), model, "category", "item"),
        "disagreements": _titled(pd.DataFrame(found["disagreements"]), model, "category", "item"),
        "org_weak_items": _titled(pd.DataFrame(found["org_weak_items"]), model, "category", "item"),
        "changes": _titled(pd.DataFrame(found["changes"]), model, "category"),
        "answers": answers,
    }
    return xlsx_bytes(sheets)


def _english(key: str, **values: object) -> str:
    return i18n.t(key, "en", **values)


def hearing_agenda(items: pd.DataFrame, tr: Translate = _english) -> pd.DataFrame:
    """What to talk about with the team: top priorities, large team/SRE differences, split opinions
    (the figures said in `tr`'s language, English by default)."""
    rows = []
    ranked = items[items["priority"] > 0].sort_values("priority", ascending=False, kind="stable")
    for _, r in ranked.head(AGENDA_PRIORITIES).iterrows():
        target = target_text(r["target"], r.get("target_low"), r.get("target_high"))  # a level, not a mean
        rows.append(("priority", r["item"], tr("pages.hearing.figures.priority", level=r["level"], target=target,
                                               importance=r["importance"], priority=r["priority"])))  # fmt: skip
    apart = items[items["perception_gap"].abs() >= PERCEPTION_THRESHOLD]
    apart = apart.reindex(apart["perception_gap"].abs().sort_values(ascending=False).index)
    for _, r in apart.head(AGENDA_PERCEPTION).iterrows():
        rows.append(("team_vs_sre", r["item"], tr("pages.hearing.figures.team_vs_sre", level=r["level"],
                                                  sre_level=r["sre_level"])))  # fmt: skip
    split = items[items["disagreement_status"] == "ok"].sort_values("sd", ascending=False)
    for _, r in split[split["sd"] > 0].head(AGENDA_DISAGREEMENTS).iterrows():
        rows.append(("members_disagree", r["item"], tr("pages.hearing.figures.members_disagree", low=r["min_level"],
                                                       high=r["max_level"], sd=r["sd"], n=r["n"])))  # fmt: skip
    agenda = pd.DataFrame(rows, columns=["topic", "item", "figures"])
    agenda["notes"] = ""  # filled in during the hearing
    return agenda


def hearing_sheet(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    product: str,
    team: str,
    round_name: str | None,
    lang: str | None = None,
) -> bytes:
    """An Excel workbook that prepares one team's hearing: agenda, categories, items, notes, actions.

    Without `lang` (the command line) every key carries its Japanese and English titles and the
    headers are column names; with `lang` (the dashboard) sheets, headers, topics and titles are in
    that language, as the page's CSV downloads are."""
    name = _round(con, round_name)
    items = metrics.team_items(con, name, product, team)
    categories = metrics.team_categories(con, name, product, team)
    notes = feedback.notes_table(con, name, product=product, team=team).drop(columns=["author"], errors="ignore")
    actions = list_actions(con, product, team).rename(columns={"id": "action_id", "item": "item_key"})
    actions = actions[["action_id", "item_key", "title", "owner", "status", "due", "round"]]
    actions = actions.assign(due=pd.to_datetime(actions["due"]))  # a day column, as the sheets write days
    counts = {"product": product, "team": team, "round": name, "answers (team)": int(items["n"].sum()),
              "answers (SRE)": int(items["sre_n"].sum()), "workshop notes": len(notes),
              "actions": len(actions)}  # fmt: skip
    if lang is None:
        return xlsx_bytes(
            {
                "overview": pd.DataFrame({"field": list(counts), "value": list(counts.values())}),
                "agenda": _titled(hearing_agenda(items), model, "item"),
                "categories": _titled(categories, model, "category"),
                "items": _titled(items, model, "category", "item"),
                "notes": _titled(notes, model, "item_key", "category"),
                "actions": _titled(actions, model, "item_key"),
            }
        )

    def tr(key: str, **values: object) -> str:
        return i18n.t(key, lang, **values)

    titles = {c.key: c.title(lang) for c in model.categories} | {i.key: i.title(lang) for i in model.items}
    agenda = hearing_agenda(items, tr)
    agenda["topic"] = [tr(f"pages.hearing.topic.{t}") for t in agenda["topic"]]
    actions = actions.assign(status=[tr(f"views.status.{s}") for s in actions["status"]]).rename(
        columns={"status": "action_status"}
    )
    fields = [tr(f"pages.hearing.field.{n}") for n in ("product", "team", "round", "team_n", "sre_n", "notes",
                                                      "actions")]  # fmt: skip
    context: dict[str, str | None] = {"product": product, "team": team, "round": name}
    frames = {
        "overview": pd.DataFrame({tr("pages.col.field"): fields, tr("pages.col.value"): list(counts.values())}),
        "agenda": views.download_frame(agenda, titles, tr),
        "categories": views.download_frame(categories, titles, tr, context),
        "items": views.download_frame(items, titles, tr, context),
        "notes": views.download_frame(notes, titles, tr),
        "actions": views.download_frame(actions, titles, tr),
    }
    return xlsx_bytes({tr(f"pages.hearing.sheet.{sheet}"): frame for sheet, frame in frames.items()})
