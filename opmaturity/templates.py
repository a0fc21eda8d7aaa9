"""Assessment forms that import exactly: a team workbook to fill in Excel, and a Google Apps Script that builds
the Google Form for the model.

The team workbook is a tidy table (one item a row) that the importer reads with no mapping: product, team and
rater already filled, the respondent's name once at the top of its column (the importer fills it down), the
model's items with their level guide, a level drop-down of the model's level labels (Excel data validation),
importance and comment columns, and the team's level of the last round for reference. The Apps Script, pasted
into script.google.com and run, creates a Google Form whose response export imports as `google_forms`.
"""

from __future__ import annotations

import io
import json

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .export import neutralise
from .model import Model

_HEAD = {
    "ja": {
        "product": "プロダクト", "team": "チーム", "rater": "回答者ロール", "respondent": "回答者", "round": "ラウンド",
        "category": "カテゴリ", "item": "項目", "level": "現状レベル", "importance": "重要度", "comment": "コメント",
        "previous": "前回のレベル（参考）", "guide": "レベルの目安", "key": "キー",
        "title": "プロダクト運用成熟度 自己評価 — {product} / {team}",
        "how": "回答者欄は最初の行だけ記入してください（下の行にも同じ人として読み込まれます）。"
               "現状レベルはリストから選び、当てはまらない項目は N/A を選んでください。重要度は 1（低）〜3（高）です。",
        "legend": "レベル", "rater_value": "プロダクトチーム", "na": "N/A",
    },
    "en": {
        "product": "product", "team": "team", "rater": "rater", "respondent": "respondent", "round": "round",
        "category": "category", "item": "item", "level": "level", "importance": "importance", "comment": "comment",
        "previous": "last round (for reference)", "guide": "level guide", "key": "key",
        "title": "Product operations maturity self-assessment — {product} / {team}",
        "how": "Write your name in the first row of the respondent column only (it counts for every row below). "
               "Pick the level from the list; choose N/A where an item does not apply. Importance is 1 (low) to 3 "
               "(high).",
        "legend": "levels", "rater_value": "team", "na": "N/A",
    },
}  # fmt: skip
HEADER_ROW = 1  # the header in the first row: a title block above it would read as a hand-made sheet


def level_labels(model: Model, lang: str) -> list[str]:
    """`0 未着手`-style labels the importer reads as levels, in scale order, then N/A."""
    return [f"{lv.level} {lv.title(lang)}" for lv in model.levels] + [_HEAD[lang]["na"]]


def team_workbook(
    model: Model,
    product: str,
    team: str,
    *,
    previous: pd.DataFrame | None = None,
    round_name: str | None = None,
    rater: str = "team",
    lang: str = "ja",
) -> bytes:
    """The xlsx a team fills in. `previous`: the team's items of the last round (columns item, level)."""
    words = _HEAD[lang if lang in _HEAD else "ja"]
    book = Workbook()
    sheet = book.active
    sheet.title = "自己評価" if lang == "ja" else "assessment"
    columns = ["product", "team", "rater", "respondent", *(["round"] if round_name else []), "category", "key",
               "item", "level", "importance", "comment", "previous", "guide"]  # fmt: skip
    book.properties.title = str(neutralise(words["title"].format(product=product, team=team)))
    for n, column in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, n, words[column])
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    last = {} if previous is None else dict(zip(previous["item"], previous["level"], strict=True))
    rater_value = "SRE" if rater == "sre" else words["rater_value"]
    row = HEADER_ROW
    for category in model.categories:
        for item in category.items:
            row += 1
            guide = " / ".join(f"{n}: {g}" for n, g in enumerate(item.guide.get(lang, ()), start=1))
            before = last.get(item.key)
            values = {
                "product": product, "team": team, "rater": rater_value, "respondent": "",
                "round": round_name or "", "category": category.title(lang), "key": item.key,
                "item": item.title(lang), "level": "", "importance": "", "comment": "",
                "previous": None if before is None or pd.isna(before) else round(float(before), 1), "guide": guide,
            }  # fmt: skip
            for n, column in enumerate(columns, start=1):
                value = values[column]
                sheet.cell(row, n, neutralise(value) if isinstance(value, str) else value)
    first, last_row = HEADER_ROW + 1, row
    legend = book.create_sheet(words["legend"])  # no item column: the importer skips it, and says so
    for n, label in enumerate(level_labels(model, lang), start=1):
        legend.cell(n, 1, label)
    for n, level in enumerate(model.levels, start=1):
        legend.cell(n, 2, level.meaning.get(lang, ""))
    legend.cell(len(model.levels) + 3, 1, str(neutralise(words["title"].format(product=product, team=team))))
    legend.cell(len(model.levels) + 3, 1).font = Font(bold=True)
    legend.cell(len(model.levels) + 4, 1, words["how"]).alignment = Alignment(wrap_text=True)
    legend.column_dimensions["A"].width = 24
    legend.column_dimensions["B"].width = 80
    level_col = get_column_letter(columns.index("level") + 1)
    levels = DataValidation(
        type="list", formula1=f"='{legend.title}'!$A$1:$A${len(model.levels) + 1}", allow_blank=True,
        showErrorMessage=True, errorTitle=words["level"], error=", ".join(level_labels(model, lang)),
    )  # fmt: skip
    levels.add(f"{level_col}{first}:{level_col}{last_row}")
    importance_col = get_column_letter(columns.index("importance") + 1)
    importance = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True, showErrorMessage=True)
    importance.add(f"{importance_col}{first}:{importance_col}{last_row}")
    sheet.add_data_validation(levels)
    sheet.add_data_validation(importance)
    widths = {"product": 16, "team": 16, "rater": 16, "respondent": 18, "round": 12, "category": 18, "key": 8,
              "item": 34, "level": 16, "importance": 9, "comment": 40, "previous": 12, "guide": 80}  # fmt: skip
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = widths[column]
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, columns.index("item") + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def team_workbook_for(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    product: str,
    team: str,
    *,
    round_name: str | None = None,
    lang: str = "ja",
) -> bytes:
    """The team workbook with the team's levels of the latest round for reference (none for a new team)."""
    from . import metrics, store
    from .queries import scalar

    previous = None
    known = scalar(
        con, "SELECT count(*) FROM teams t JOIN products p USING (product_id) WHERE p.name = ? AND t.name = ?",
        [product, team],
    )  # fmt: skip
    if known and store.latest_round(con) is not None:
        previous = metrics.team_items(con, None, product, team)[["item", "level"]]
    return team_workbook(model, product, team, previous=previous, round_name=round_name, lang=lang)


def apps_script(model: Model, lang: str = "ja") -> str:
    """A Google Apps Script (JavaScript) that creates the Google Form for the model, whose response export
    imports with no mapping: product, team and rater questions, one grid per category (the items as rows, the
    level labels as columns), a category importance grid, and a free-text question."""
    ja = lang != "en"
    # Google names a grid's columns `Title [Row]`: every grid is titled 現状レベル (a section header above it
    # names the category), its rows `Category: Item`, so that each column names its item unambiguously.
    grids = [
        {"section": c.title(lang), "title": "現状レベル" if ja else "Current level",
         "rows": [f"{c.title(lang)}: {i.title(lang)}" for i in c.items]}
        for c in model.categories
    ]  # fmt: skip
    spec = {
        "title": model.title.get(lang, model.key) + (" 自己評価" if ja else " self-assessment"),
        "product": "プロダクト" if ja else "Product",
        "team": "チーム" if ja else "Team",
        "rater": "回答者ロール" if ja else "Rater",
        "raters": ["プロダクトチーム", "SRE"] if ja else ["team", "SRE"],
        "levels": level_labels(model, lang),
        "grids": grids,
        "importance": "温度感" if ja else "Importance",
        "importance_rows": [c.title(lang) for c in model.categories],
        "importance_levels": ["1", "2", "3"],
        "free_text": "自由記述（困っていること・要望）" if ja else "Anything else (problems, wishes)",
    }
    data = json.dumps(spec, ensure_ascii=False, indent=2)
    return _SCRIPT.replace("__SPEC__", data)


_SCRIPT = """/**
 * opmaturity: creates the Google Form for the maturity model. Paste into script.google.com, then Run.
 * The form collects e-mail addresses; its responses, downloaded as CSV, import into opmaturity as they are.
 */
var SPEC = __SPEC__;

function createForm() {
  var form = FormApp.create(SPEC.title);
  form.setCollectEmail(true);
  form.addTextItem().setTitle(SPEC.product).setRequired(true);
  form.addTextItem().setTitle(SPEC.team).setRequired(true);
  form.addMultipleChoiceItem().setTitle(SPEC.rater).setChoiceValues(SPEC.raters).setRequired(true);
  SPEC.grids.forEach(function (grid) {
    form.addSectionHeaderItem().setTitle(grid.section);
    form.addGridItem().setTitle(grid.title).setRows(grid.rows).setColumns(SPEC.levels);
  });
  form.addGridItem().setTitle(SPEC.importance).setRows(SPEC.importance_rows).setColumns(SPEC.importance_levels);
  form.addParagraphTextItem().setTitle(SPEC.free_text);
  Logger.log('Form: ' + form.getEditUrl());
  Logger.log('Answer here: ' + form.getPublishedUrl());
}
"""
