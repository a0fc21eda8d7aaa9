"""reports: the round's Excel/CSV report and a team's hearing sheet, on the demo organisation and by hand."""

from __future__ import annotations

import io
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from opmaturity import metrics, store
from opmaturity.errors import OpmaturityError
from opmaturity.importer import ImportOptions, import_file
from opmaturity.reports import (
    AGENDA_DISAGREEMENTS,
    AGENDA_PERCEPTION,
    AGENDA_PRIORITIES,
    ROUND_SHEETS,
    hearing_agenda,
    hearing_sheet,
    round_report,
    translator,
)

NAN = math.nan


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: Path, model):
    """A connection to one copy of the demo database, shared by this module's tests (they only read)."""
    path = tmp_path_factory.mktemp("reports") / "demo.duckdb"
    shutil.copyfile(demo_template, path)
    con = store.connect(path, model)
    yield con
    con.close()


def count(con, sql: str, params: list) -> int:
    return int(con.execute(sql, params).fetchone()[0])


def items_frame(**columns: list) -> pd.DataFrame:
    """A team_items-like frame: one row per item, the columns hearing_agenda reads, defaults for the rest."""
    n = len(next(iter(columns.values())))
    base = {
        "item": [f"OBS-{i + 1}" for i in range(n)],
        "level": [1.0] * n,
        "target": [3.0] * n,
        "importance": [3.0] * n,
        "priority": [NAN] * n,
        "sre_level": [NAN] * n,
        "perception_gap": [NAN] * n,
        "sd": [NAN] * n,
        "min_level": [NAN] * n,
        "max_level": [NAN] * n,
        "n": [3] * n,
        "disagreement_status": ["no_data"] * n,
    }
    return pd.DataFrame(base | columns)


def ranked_perception(**columns: list) -> pd.DataFrame:
    """A metrics.perception_gaps-like frame (already ranked, as the SQL gives it)."""
    n = len(next(iter(columns.values())))
    base = {"item": [f"OBS-{i + 1}" for i in range(n)], "team_level": [2.0] * n, "sre_level": [NAN] * n,
            "perception_gap": [NAN] * n}  # fmt: skip
    return pd.DataFrame(base | columns)


def ranked_disagreements(**columns: list) -> pd.DataFrame:
    """A metrics.disagreements-like frame (already ranked, as the SQL gives it)."""
    n = len(next(iter(columns.values())))
    base = {"item": [f"OBS-{i + 1}" for i in range(n)], "sd": [1.0] * n, "min_level": [1] * n,
            "max_level": [3] * n, "n": [3] * n}  # fmt: skip
    return pd.DataFrame(base | columns)


NONE_APART, NONE_SPLIT = ranked_perception(item=[]), ranked_disagreements(item=[])


def agenda_of(items: pd.DataFrame, perception: pd.DataFrame = NONE_APART, split: pd.DataFrame = NONE_SPLIT):
    return hearing_agenda(items, perception, split)


def topic(agenda: pd.DataFrame, name: str) -> pd.DataFrame:
    return agenda[agenda["topic"] == name]


# --- hearing_agenda on the demo -------------------------------------------------------------------


def test_the_agenda_of_every_demo_team_keeps_to_its_limits_and_rules(demo):
    teams = store.teams(demo)
    most: dict[str, int] = {"priority": 0, "team_vs_sre": 0, "members_disagree": 0}
    for product, team in zip(teams["product"], teams["team"], strict=True):
        items = metrics.team_items(demo, None, product, team).set_index("item")
        perception = metrics.perception_gaps(demo, None, product=product, team=team)
        split = metrics.disagreements(demo, None, product=product, team=team)
        agenda = hearing_agenda(items.reset_index(), perception, split)
        chosen = {name: items.loc[topic(agenda, name)["item"]] for name in most}
        for name, rows in chosen.items():
            most[name] = max(most[name], len(rows))
        assert len(chosen["priority"]) <= AGENDA_PRIORITIES
        assert len(chosen["team_vs_sre"]) <= AGENDA_PERCEPTION
        assert len(chosen["members_disagree"]) <= AGENDA_DISAGREEMENTS
        assert (chosen["priority"]["priority"] > 0).all(), (product, team)
        assert (chosen["team_vs_sre"]["perception_gap"].abs() >= 1).all(), (product, team)
        assert (chosen["members_disagree"]["disagreement_status"] == "ok").all(), (product, team)
        # ... and they are the top ones of each kind
        positive = items["priority"][items["priority"] > 0]
        assert sorted(chosen["priority"]["priority"]) == sorted(positive.nlargest(AGENDA_PRIORITIES))
        apart = items["perception_gap"].abs()
        apart = apart[apart >= 1]
        assert sorted(chosen["team_vs_sre"]["perception_gap"].abs()) == sorted(apart.nlargest(AGENDA_PERCEPTION))
        # ... in the order the lists of every team rank them (summary, export)
        assert (
            topic(agenda, "team_vs_sre")["item"].tolist()
            == perception["item"][perception["perception_gap"].abs() >= 1].head(AGENDA_PERCEPTION).tolist()
        )
        assert topic(agenda, "members_disagree")["item"].tolist() == split["item"].head(AGENDA_DISAGREEMENTS).tolist()
    # the demo is rich enough that every limit is reached by some team
    assert most == {"priority": 5, "team_vs_sre": 5, "members_disagree": 5}


def test_a_team_with_no_large_difference_with_sre_gets_no_team_vs_sre_topic(demo):
    items = metrics.team_items(demo, None, "社内ポータル", "Workflow")
    assert not (items["perception_gap"].abs() >= 1).any()
    perception = metrics.perception_gaps(demo, None, product="社内ポータル", team="Workflow")
    split = metrics.disagreements(demo, None, product="社内ポータル", team="Workflow")
    agenda = hearing_agenda(items, perception, split)
    assert topic(agenda, "team_vs_sre").empty
    assert set(agenda["topic"]) == {"priority", "members_disagree"}


# --- hearing_agenda by hand -----------------------------------------------------------------------


def test_the_agenda_takes_at_most_five_positive_priorities_in_the_order_given():
    items = items_frame(priority=[9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 0.0, -1.0, NAN])
    agenda = agenda_of(items)
    assert topic(agenda, "priority")["item"].tolist() == ["OBS-1", "OBS-2", "OBS-3", "OBS-4", "OBS-5"]
    assert topic(agenda, "priority")["figures"].iloc[0] == "level 1.00 / target 3, importance 3.00, priority 9.00"


def test_no_positive_priority_means_no_priority_topic():
    agenda = agenda_of(items_frame(priority=[0.0, -2.0, NAN]))
    assert topic(agenda, "priority").empty


def test_team_vs_sre_lists_the_first_five_differences_of_a_level_or_more_in_the_order_given():
    gaps = [-2.0, 1.9, 1.75, 1.5, -1.25, -1.0, 1.0, -0.99, 0.5]  # ranked as metrics.perception_gaps gives them
    perception = ranked_perception(perception_gap=gaps, sre_level=[2.0 + g for g in gaps])
    listed = topic(agenda_of(items_frame(item=[]), perception), "team_vs_sre")
    assert listed["item"].tolist() == ["OBS-1", "OBS-2", "OBS-3", "OBS-4", "OBS-5"]
    assert listed["figures"].tolist()[:2] == ["team 2.00 / SRE 0.00", "team 2.00 / SRE 3.90"]


def test_team_vs_sre_starts_at_a_difference_of_one_whole_level():
    gaps = [1.0, -1.0, -0.99, 0.5]
    perception = ranked_perception(perception_gap=gaps, sre_level=[2.0 + g for g in gaps])
    assert topic(agenda_of(items_frame(item=[]), perception), "team_vs_sre")["item"].tolist() == ["OBS-1", "OBS-2"]


def test_members_disagree_lists_the_first_five_in_the_order_given():
    split = ranked_disagreements(sd=[1.2, 1.0, 1.0, 0.9, 0.5, 0.4], min_level=[1, 0, 2, 1, 2, 2],
                                 max_level=[4, 2, 4, 3, 3, 3], n=[3, 5, 3, 4, 4, 3])  # fmt: skip
    listed = topic(agenda_of(items_frame(item=[]), split=split), "members_disagree")
    assert listed["item"].tolist() == ["OBS-1", "OBS-2", "OBS-3", "OBS-4", "OBS-5"]
    assert listed["figures"].iloc[0] == "answers 1-4, spread 1.20 over 3 answers"


def test_the_agenda_orders_topics_and_leaves_an_empty_notes_column_for_the_hearing():
    items = items_frame(priority=[2.0, NAN])
    agenda = agenda_of(items, ranked_perception(item=["OBS-2"], perception_gap=[2.0], sre_level=[3.0]),
                       ranked_disagreements(item=["OBS-1"], sd=[1.0], min_level=[0], max_level=[2]))  # fmt: skip
    assert agenda.columns.tolist() == ["topic", "item", "figures", "notes"]
    assert agenda["topic"].tolist() == ["priority", "team_vs_sre", "members_disagree"]
    assert agenda["notes"].tolist() == ["", "", ""]


def test_an_empty_item_list_gives_an_empty_agenda_with_its_columns():
    agenda = agenda_of(items_frame(item=[]))
    assert agenda.empty and agenda.columns.tolist() == ["topic", "item", "figures", "notes"]


def test_the_agenda_adds_notes_on_its_items_then_the_open_actions_in_that_order():
    items = items_frame(priority=[3.0, NAN, NAN], item=["OBS-1", "OBS-2", "OBS-3"])
    notes = pd.DataFrame({"item_key": ["OBS-3", "OBS-1", None, "OBS-2"], "text": ["c", "a", "unlinked", "b"]})
    actions = pd.DataFrame(
        {"item": ["OBS-2", "OBS-3"], "title": ["runbook", "done already"], "status": ["doing", "done"],
         "owner": ["山田", None], "due": [pd.Timestamp("2026-07-01").date(), None]}
    )  # fmt: skip
    agenda = hearing_agenda(items, NONE_APART, NONE_SPLIT, translator("en"), notes, actions)
    assert agenda[["topic", "item", "figures"]].values.tolist() == [
        ["priority", "OBS-1", "level 1.00 / target 3, importance 3.00, priority 3.00"],  # a target is a level
        ["note", "OBS-1", "a"],  # about an item on the agenda
        ["note", "OBS-2", "b"],  # about the item of an open action; OBS-3's action is done, the unlinked note is not
        ["open_action", "OBS-2", "runbook · Doing · 山田 · 2026-07-01"],
    ]


# --- round_report ---------------------------------------------------------------------------------


def answers_in(con, round_name: str) -> int:
    sql = "SELECT count(*) FROM current_responses JOIN rounds USING (round_id) WHERE rounds.name = ?"
    return count(con, sql, [round_name])


def sheets_of(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


@pytest.fixture(scope="module")
def report_en(demo, model):
    return round_report(demo, model, None, ".xlsx", "en")


@pytest.fixture(scope="module")
def report_ja(demo, model):
    return round_report(demo, model, "2025-H2", ".xlsx", "ja")


def test_the_excel_report_names_its_sheets_in_the_chosen_language(report_en, report_ja):
    assert list(sheets_of(report_en)) == [
        "Heatmap (level)", "Heatmap (gap)", "Gaps and priorities", "Perception gaps", "Disagreements",
        "Org-weak items", "Silent gaps", "Changes", "Actions", "Answers (pseudonymised)",
    ]  # fmt: skip
    assert list(sheets_of(report_ja)) == [
        "ヒートマップ（レベル）", "ヒートマップ（ギャップ）", "ギャップと優先度", "SREとの認識の違い",
        "メンバー間の意見の割れ", "組織全体の弱い項目", "声が上がっていないギャップ", "前回からの変化",
        "改善アクション", "回答（仮名化済み）",
    ]  # fmt: skip
    assert len(ROUND_SHEETS) == 10


def test_every_header_of_the_report_is_words_and_every_item_key_has_its_title_beside_it(report_en, report_ja):
    for data in (report_en, report_ja):
        for title, (header, *rows) in sheets_of(data).items():
            assert not [h for h in header if re.fullmatch(r"[a-z_]+", str(h))], (title, header)
            cells = {str(c) for row in rows for c in row if c is not None}
            assert not cells & {"None", "nan", "NaT"}, title
    en = sheets_of(report_en)
    header, *rows = en["Gaps and priorities"]
    assert header[:7] == ("Round", "Product", "Team", "Category key", "Category", "Item key", "Item")
    assert rows[0][5:7] == ("TST-2", "Masked production data for QA")
    header, *rows = sheets_of(report_ja)["ギャップと優先度"]
    assert header[5:7] == ("項目キー", "項目")
    assert all(row[6] and row[6] != row[5] for row in rows)  # a title, not the key again


def test_the_report_rounds_as_the_screen_one_decimal_in_heatmaps_two_elsewhere(report_en, demo):
    book = load_workbook(io.BytesIO(report_en))
    for sheet in book:
        floats = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, float)]
        decimals = 1 if sheet.title.startswith("Heatmap") else 2
        assert all(round(c.value, 2) == c.value for c in floats), sheet.title  # the figures' two decimals kept
        assert {c.number_format for c in floats} <= {"0.0" if decimals == 1 else "0.00"}, sheet.title
    # one cell by hand: the team's own level of a category, as the heatmap shows it
    scores = metrics.category_scores(demo)
    row = scores[(scores["rater"] == "team") & (scores["team"] == "認証") & (scores["category"] == "LOG")].iloc[0]
    heat = book["Heatmap (level)"]
    header = [c.value for c in heat[1]]
    (line,) = [r for r in heat.iter_rows(min_row=2, values_only=True) if r[1] == "認証"]
    assert line[header.index("Log management")] == round(row["level"], 2) == 0.78  # shown 0.8, as on screen


def test_the_heatmaps_carry_colour_scales_and_mark_the_cells_below_target_in_red(report_en, demo):
    book = load_workbook(io.BytesIO(report_en))
    level, gap = book["Heatmap (level)"], book["Heatmap (gap)"]
    (level_rules,) = [(str(r.sqref), r.rules) for r in level.conditional_formatting]
    assert level_rules[0] == f"C2:N{level.max_row}"
    scale = level_rules[1][0].colorScale
    assert [v.val for v in scale.cfvo] == [0.0, 4.0] and [c.rgb[-6:] for c in scale.color] == ["F7FBFF", "4292C6"]
    (gap_rules,) = [r.rules for r in gap.conditional_formatting]
    scale = gap_rules[0].colorScale
    assert [c.rgb[-6:] for c in scale.color] == ["67A9CF", "F7F7F7", "EF8A62"]  # blue, white at 0, red below target
    assert scale.cfvo[1].val == 0 and scale.cfvo[0].val == -scale.cfvo[2].val
    header = [c.value for c in level[1]]
    row = next(r for r in level.iter_rows(min_row=2) if r[1].value == "認証")
    below = row[header.index("Log management")]  # level 0.78 against target 3
    assert below.font.b and below.font.color.rgb.endswith("CA0020")
    met = row[header.index("Incident response")]  # level 3.83 against target 3.08: met
    assert not met.font.b


def test_every_sheet_keeps_its_header_in_view_has_a_filter_and_readable_widths(report_en):
    book = load_workbook(io.BytesIO(report_en))
    for sheet in book:
        assert sheet.freeze_panes == ("C2" if sheet.title.startswith("Heatmap") else "A2"), sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(8 <= w <= 60 for w in widths), sheet.title
    answers = book["Answers (pseudonymised)"]
    header = [c.value for c in answers[1]]
    assert answers.column_dimensions[answers.cell(1, header.index("Item") + 1).column_letter].width >= 20


def test_the_report_holds_every_answer_with_pseudonyms_and_only_disagreements_k_members_answered(report_en, demo):
    sheets = sheets_of(report_en)
    header, *answers = sheets["Answers (pseudonymised)"]
    assert len(answers) == answers_in(demo, "2026-H1")
    assert all(str(r[header.index("Respondent (pseudonym)")]).startswith("p-") for r in answers)
    header, *split = sheets["Disagreements"]
    assert split and min(r[header.index("Answers")] for r in split) >= metrics.DEFAULT_K
    assert len(split) == len(metrics.disagreements(demo))


def test_the_report_lists_actions_and_what_the_finished_ones_moved(report_en):
    header, *rows = sheets_of(report_en)["Actions"]
    moved = {r[header.index("Team")]: r[header.index("Moved since")] for r in rows}
    # 検索チーム's OBS-5: 1.00 in 2025-H2, 2.25 in 2026-H1, +1.25 read +1.3 (SRE did not rate it in 2025-H2);
    # ポイント交換's INC-2: 2.25 then 2.67 (+0.42), SRE 2 then 3 (see test_actions for a case computed by hand)
    assert moved == {"検索チーム": "↑ +1.3", "ポイント交換": "↑ +0.4 (SRE ↑ +1.0)"} | {
        r[header.index("Team")]: None for r in rows if r[header.index("Status")] != "Done"
    }


def test_the_csv_report_holds_every_answer_of_the_chosen_round_with_titles_in_the_language(demo, model):
    data = round_report(demo, model, "2025-H2", ".csv", "en")
    assert data.startswith(b"\xef\xbb\xbf")
    answers = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(answers) == answers_in(demo, "2025-H2")
    assert answers.columns.tolist()[:9] == [
        "Round", "Product", "Team", "Respondent (pseudonym)", "Rater", "Category key", "Category", "Item key", "Item",
    ]  # fmt: skip
    assert answers["Item"].notna().all() and set(answers["Rater"]) == {"Team (self)", "SRE"}
    ja = pd.read_csv(io.BytesIO(round_report(demo, model, "2025-H2", ".csv", "ja")), encoding="utf-8-sig")
    assert ja.columns.tolist()[7:9] == ["項目キー", "項目"]


def test_a_report_of_an_unknown_round_names_the_known_ones(demo, model):
    with pytest.raises(OpmaturityError, match=r'There is no round "2019-H1"\. Known rounds: 2025-H2, 2026-H1\.'):
        round_report(demo, model, "2019-H1", ".csv")


def test_a_report_in_another_format_or_of_an_empty_database_is_refused(demo, con, model):
    with pytest.raises(OpmaturityError, match=r'written as \.xlsx or \.csv, got "\.pdf"'):
        round_report(demo, model, None, ".pdf")
    with pytest.raises(OpmaturityError, match='got "no extension"'):
        round_report(demo, model, None, "")
    with pytest.raises(OpmaturityError, match="The database holds no round yet"):
        round_report(con, model, None, ".csv")


# --- hearing_sheet --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hearing_en(demo, model):
    """The hearing workbook of 会員ID / 認証 in the latest round, in English, as sheet -> rows (header first)."""
    return sheets_of(hearing_sheet(demo, model, "会員ID", "認証", None, "en"))


def test_the_hearing_overview_counts_the_teams_answers_sres_answers_notes_and_actions(demo, hearing_en):
    answered = """SELECT count(r.level) FROM current_responses r JOIN rounds rd USING (round_id)
                  JOIN teams t USING (team_id) JOIN products p USING (product_id)
                  WHERE rd.name = '2026-H1' AND p.name = '会員ID' AND t.name = '認証' AND r.rater = ?"""
    overview = dict(hearing_en["Overview"][1:])
    assert overview == {
        "Product": "会員ID",
        "Team": "認証",
        "Round": "2026-H1",
        "Answers (team)": count(demo, answered, ["team"]),
        "Answers (SRE)": count(demo, answered, ["sre"]),
        "Workshop notes": len(hearing_en["Workshop notes"]) - 1,
        "Actions": len(hearing_en["Actions"]) - 1,
    }
    assert overview["Answers (team)"] > 0 and overview["Answers (SRE)"] > 0 and overview["Workshop notes"] > 0


def test_the_hearing_agenda_runs_priorities_differences_disagreements_notes_then_open_actions(hearing_en):
    header, *rows = hearing_en["Agenda"]
    assert header == ("Topic", "Item key", "Item", "Figures", "Notes from the hearing")
    topics = list(dict.fromkeys(r[0] for r in rows))
    assert topics == ["Top priority", "Team and SRE see it differently", "Members disagree",
                      "Workshop note on the item", "Open action"]  # fmt: skip
    assert rows[0][1:3] == ("LOG-3", "User logs for support enquiries")
    assert rows[-1][1:4] == ("BCP-2", "Restore drills", "四半期ごとのリストア訓練を始める · To do · SRE · 2026-09-30")


def test_the_hearing_sheet_leaves_out_who_wrote_each_workshop_note(demo, hearing_en):
    authors = {row[0] for row in demo.execute("SELECT author FROM notes WHERE author IS NOT NULL").fetchall()}
    assert authors
    assert not authors & {cell for sheet in hearing_en.values() for row in sheet for cell in row}


def test_a_hearing_for_a_team_the_product_does_not_have_is_refused(demo, model):
    with pytest.raises(OpmaturityError, match='There is no team "決済" in the product "会員ID"'):
        hearing_sheet(demo, model, "会員ID", "決済", None)


def test_a_workshop_note_holding_a_control_character_still_makes_a_hearing_sheet(con, model):
    survey = "プロダクト,チーム,回答者ロール,項目,現状レベル\n学び放題,A,SRE,外形監視,2\n".encode()
    board = "id,type,parent,content,fillColor,tags\n10,frame,,課題,,\n11,sticky_note,10,<p>手順が\v古い</p>,yellow,\n"
    assert import_file(con, "survey.csv", survey, model, ImportOptions()).status == "imported"
    options = ImportOptions(product="学び放題", team="A")
    assert import_file(con, "board.csv", board.encode(), model, options).notes == 1
    book = load_workbook(io.BytesIO(hearing_sheet(con, model, "学び放題", "A", None, "en")))
    header, *rows = book["Workshop notes"].iter_rows(values_only=True)
    (text,) = [row[header.index("Note")] for row in rows]
    assert text.startswith("手順が") and text.endswith("古い") and "\v" not in text


def test_the_hearing_sheet_speaks_japanese_by_default_throughout(demo, model):
    sheets = sheets_of(hearing_sheet(demo, model, "会員ID", "認証", None))
    assert list(sheets) == ["概要", "議題", "カテゴリ", "項目", "ワークショップのメモ", "改善アクション"]
    assert dict(sheets["概要"][1:])["チームの回答数"] > 0
    header, *rows = sheets["議題"]
    assert header == ("議題", "項目キー", "項目", "数字", "ヒアリングのメモ")
    assert rows[0][:3] == ("優先度が高い項目", "LOG-3", "問い合わせ調査のためのユーザーログ")
    assert rows[0][3].startswith("現状 ") and "優先度" in rows[0][3]
    assert sheets["項目"][0][:7] == ("プロダクト", "チーム", "ラウンド", "カテゴリキー", "カテゴリ", "項目キー", "項目")
    assert sheets["改善アクション"][0] == ("No.", "項目キー", "項目", "アクション", "担当", "状態", "期限", "ラウンド",
                                    "その後の変化", "メモ")  # fmt: skip
    for title, (header, *rows) in sheets.items():
        assert not [h for h in header if re.fullmatch(r"[a-z_]+", str(h))], (title, header)
        cells = {str(cell) for row in rows for cell in row if cell is not None}  # None: an empty cell
        assert not cells & {"None", "nan", "NaT"}, title
        assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d{3,}", c)], title  # rounded as on screen


def no_raw_keys(header: tuple) -> bool:
    """Every header cell is words: no column's own name (`change_items`) in it, and no header twice."""
    return not [h for h in header if re.search(r"[a-z]+_[a-z_]+", str(h))] and len(set(header)) == len(header)


def test_no_header_of_a_report_or_hearing_sheet_shows_a_raw_key_or_appears_twice(demo, model, report_en, report_ja):
    """An outside review: the hearing's Categories sheet had 「比べた項目数」 twice, the second as
    「比べた項目数 (change_items)」."""
    hearings = [hearing_sheet(demo, model, "会員ID", "認証", None, lang) for lang in ("ja", "en")]
    for data in (report_en, report_ja, *hearings):
        for title, (header, *_) in sheets_of(data).items():
            assert no_raw_keys(header), (title, header)
    ja, en = (sheets_of(data)["カテゴリ" if n == 0 else "Categories"][0] for n, data in enumerate(hearings))
    assert (
        ja[ja.index("SREと比べた項目数")],
        ja[ja.index("前回からの変化") + 1],
    ) == ("SREと比べた項目数", "前回と比べた項目数")
    assert {"Items compared with SRE", "Items compared with last round"} <= set(en)


def column(rows: list[tuple], name: str) -> list:
    header, *body = rows
    return [row[header.index(name)] for row in body]


def test_a_change_within_noise_is_said_in_the_export_as_on_the_page_never_an_empty_cell(report_en, demo, model):
    """An outside review: 誤差を超える変化 was はい or an empty cell; the Trends page says 誤差の範囲."""
    en = column(sheets_of(report_en)["Changes"], "Beyond noise")
    ja = column(sheets_of(round_report(demo, model, None, ".xlsx", "ja"))["前回からの変化"], "誤差を超える変化")
    assert set(en) == {"yes", "within noise"} and set(ja) == {"はい", "誤差の範囲"}
    assert [v == "yes" for v in en] == [v == "はい" for v in ja]
    hearing = sheets_of(hearing_sheet(demo, model, "会員ID", "認証", None, "ja"))
    assert set(column(hearing["カテゴリ"], "誤差を超える変化")) <= {"はい", "誤差の範囲", None}  # None: no change
    assert "誤差の範囲" in column(hearing["カテゴリ"], "誤差を超える変化")


def test_the_hearing_sheet_says_whether_a_spread_is_shown_and_an_assumed_importance_in_words(demo, model):
    """An outside review: ばらつきの表示 read `OK`."""
    ja = sheets_of(hearing_sheet(demo, model, "会員ID", "認証", None, "ja"))["項目"]
    en = sheets_of(hearing_sheet(demo, model, "会員ID", "認証", None, "en"))["Items"]
    assert set(column(ja, "ばらつきの表示")) <= {"はい", "いいえ（回答が少なすぎる）", "いいえ（回答なし）"}
    assert "はい" in column(ja, "ばらつきの表示")
    assert set(column(en, "Spread shown")) <= {"yes", "no (too few answers)", "no (no answers)"}
    assert set(column(ja, "温度感を仮定（中）")) <= {"はい", "いいえ", None}
    assert set(column(en, "Importance assumed (medium)")) <= {"yes", "no", None}


def test_a_single_target_is_a_number_in_the_report_and_a_range_is_text(report_en):
    book = load_workbook(io.BytesIO(report_en))
    for title in ("Gaps and priorities", "Org-weak items"):
        sheet = book[title]
        column = [c.value for c in sheet[1]].index("Target")
        cells = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value is not None]
        assert cells, title
        for cell in cells:  # a target stored as text was flagged "number stored as text" by Excel
            assert cell.data_type == "n" or re.fullmatch(r"\d–\d", cell.value), (title, cell.value)
    gaps = book["Gaps and priorities"]
    column = [c.value for c in gaps[1]].index("Target")
    assert {row[column].data_type for row in gaps.iter_rows(min_row=2)} == {"n", "s"}  # the demo has both
