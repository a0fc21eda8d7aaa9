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
    _titled,
    hearing_agenda,
    hearing_sheet,
    round_report,
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


def topic(agenda: pd.DataFrame, name: str) -> pd.DataFrame:
    return agenda[agenda["topic"] == name]


# --- hearing_agenda on the demo -------------------------------------------------------------------


def test_the_agenda_of_every_demo_team_keeps_to_its_limits_and_rules(demo):
    teams = store.teams(demo)
    most: dict[str, int] = {"priority": 0, "team_vs_sre": 0, "members_disagree": 0}
    for product, team in zip(teams["product"], teams["team"], strict=True):
        items = metrics.team_items(demo, None, product, team).set_index("item")
        agenda = hearing_agenda(items.reset_index())
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
    # the demo is rich enough that every limit is reached by some team
    assert most == {"priority": 5, "team_vs_sre": 5, "members_disagree": 5}


def test_a_team_with_no_large_difference_with_sre_gets_no_team_vs_sre_topic(demo):
    items = metrics.team_items(demo, None, "社内ポータル", "Workflow")
    assert not (items["perception_gap"].abs() >= 1).any()
    agenda = hearing_agenda(items)
    assert topic(agenda, "team_vs_sre").empty
    assert set(agenda["topic"]) == {"priority", "members_disagree"}


# --- hearing_agenda by hand -----------------------------------------------------------------------


def test_the_agenda_takes_at_most_five_positive_priorities_in_the_order_given():
    items = items_frame(priority=[9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 0.0, -1.0, NAN])
    agenda = hearing_agenda(items)
    assert topic(agenda, "priority")["item"].tolist() == ["OBS-1", "OBS-2", "OBS-3", "OBS-4", "OBS-5"]
    assert topic(agenda, "priority")["figures"].iloc[0] == "level 1.0 / target 3, importance 3.0, priority 9.0"


def test_no_positive_priority_means_no_priority_topic():
    agenda = hearing_agenda(items_frame(priority=[0.0, -2.0, NAN]))
    assert topic(agenda, "priority").empty


def test_team_vs_sre_lists_at_most_five_differences_largest_first_either_way():
    gaps = [0.5, -2.0, 1.0, NAN, 1.9, -0.99, -1.0, 1.5, 1.75, -1.25]
    items = items_frame(level=[2.0] * 10, perception_gap=gaps, sre_level=[2.0 + g for g in gaps])
    listed = topic(hearing_agenda(items), "team_vs_sre")
    assert listed["item"].tolist() == ["OBS-2", "OBS-5", "OBS-9", "OBS-8", "OBS-10"]
    assert listed["figures"].tolist()[:2] == ["team 2.0 / SRE 0.0", "team 2.0 / SRE 3.9"]


def test_team_vs_sre_starts_at_a_difference_of_one_whole_level():
    gaps = [1.0, -0.99, -1.0, 0.0]
    items = items_frame(level=[2.0] * 4, perception_gap=gaps, sre_level=[2.0 + g for g in gaps])
    assert sorted(topic(hearing_agenda(items), "team_vs_sre")["item"]) == ["OBS-1", "OBS-3"]


def test_members_disagree_lists_only_groups_large_enough_to_show_widest_spread_first():
    items = items_frame(
        sd=[0.5, 1.9, 1.2, 0.0, 1.0],
        min_level=[2, 0, 1, 3, 0],
        max_level=[3, 4, 4, 3, 2],
        n=[4, 2, 3, 3, 5],
        disagreement_status=["ok", "too_few", "ok", "ok", "ok"],
    )
    listed = topic(hearing_agenda(items), "members_disagree")
    assert listed["item"].tolist() == ["OBS-3", "OBS-5", "OBS-1"]  # too_few and no spread at all are left out
    assert listed["figures"].iloc[0] == "answers 1-4, spread 1.20 over 3 answers"


def test_the_agenda_orders_topics_and_leaves_an_empty_notes_column_for_the_hearing():
    items = items_frame(
        priority=[2.0, NAN],
        perception_gap=[NAN, 2.0],
        sre_level=[NAN, 3.0],
        sd=[1.0, NAN],
        min_level=[0, NAN],
        max_level=[2, NAN],
        disagreement_status=["ok", "too_few"],
    )
    agenda = hearing_agenda(items)
    assert agenda.columns.tolist() == ["topic", "item", "figures", "notes"]
    assert agenda["topic"].tolist() == ["priority", "team_vs_sre", "members_disagree"]
    assert agenda["notes"].tolist() == ["", "", ""]


def test_an_empty_item_list_gives_an_empty_agenda_with_its_columns():
    agenda = hearing_agenda(items_frame(item=[]))
    assert agenda.empty and agenda.columns.tolist() == ["topic", "item", "figures", "notes"]


# --- _titled --------------------------------------------------------------------------------------


def test_titled_puts_japanese_and_english_titles_right_after_each_key_column(model):
    frame = pd.DataFrame({"item": ["OBS-1", "INC-2"], "level": [3, 1], "category": ["OBS", "INC"]})
    out = _titled(frame, model, "category", "item")
    assert out.columns.tolist() == [
        "item", "item_ja", "item_en", "level", "category", "category_ja", "category_en",
    ]  # fmt: skip
    assert out.loc[0, ["item_ja", "item_en"]].tolist() == ["サービスダッシュボード", "Service dashboards"]
    assert out.loc[1, ["item_ja", "item_en"]].tolist() == ["ランブック", "Runbooks"]
    assert out.loc[0, ["category_ja", "category_en"]].tolist() == ["監視・アラート", "Monitoring & alerting"]
    assert frame.columns.tolist() == ["item", "level", "category"]  # the input is left alone


def test_titled_leaves_unknown_keys_untitled_and_skips_absent_columns(model):
    out = _titled(pd.DataFrame({"item_key": ["TST-2", "GONE-1"]}), model, "item_key", "category")
    assert out.columns.tolist() == ["item_key", "item_key_ja", "item_key_en"]
    assert out["item_key_ja"].iloc[0] == "本番マスクデータの投入"
    assert pd.isna(out["item_key_ja"].iloc[1]) and pd.isna(out["item_key_en"].iloc[1])


# --- round_report ---------------------------------------------------------------------------------


def answers_in(con, round_name: str) -> int:
    sql = "SELECT count(*) FROM current_responses JOIN rounds USING (round_id) WHERE rounds.name = ?"
    return count(con, sql, [round_name])


def test_the_csv_report_holds_every_answer_of_the_chosen_round_with_titles(demo, model):
    data = round_report(demo, model, "2025-H2", ".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    answers = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(answers) == answers_in(demo, "2025-H2")
    assert answers.columns.tolist()[4:10] == ["category", "category_ja", "category_en", "item", "item_ja", "item_en"]
    assert answers["item_en"].notna().all() and answers["category_ja"].notna().all()


def test_the_excel_report_holds_the_ranked_findings_the_heatmap_and_every_answer(demo, model):
    book = load_workbook(io.BytesIO(round_report(demo, model, None, ".xlsx")), read_only=True)
    found = metrics.summary(demo)
    assert book.sheetnames == [
        "heatmap", "top_gaps", "perception_gaps", "disagreements", "org_weak_items", "changes", "answers",
    ]  # fmt: skip
    for name in book.sheetnames[:-1]:
        rows = list(book[name].iter_rows(values_only=True))
        assert len(rows) - 1 == len(found[name]), name
        assert "category_ja" in rows[0] and "category_en" in rows[0], name
    top = list(book["top_gaps"].iter_rows(min_row=1, max_row=2, values_only=True))
    assert dict(zip(top[0], top[1], strict=True))["item_en"] == "Masked production data for QA"
    assert sum(1 for _ in book["answers"].iter_rows(min_row=2)) == answers_in(demo, "2026-H1")


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
def hearing(demo, model):
    """The hearing workbook of 会員ID / 認証 in the latest round, as sheet -> rows (header first)."""
    book = load_workbook(io.BytesIO(hearing_sheet(demo, model, "会員ID", "認証", None)))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_the_hearing_overview_counts_the_teams_answers_sres_answers_notes_and_actions(demo, hearing):
    answered = """SELECT count(r.level) FROM current_responses r JOIN rounds rd USING (round_id)
                  JOIN teams t USING (team_id) JOIN products p USING (product_id)
                  WHERE rd.name = '2026-H1' AND p.name = '会員ID' AND t.name = '認証' AND r.rater = ?"""
    overview = dict(hearing["overview"][1:])
    assert overview == {
        "product": "会員ID",
        "team": "認証",
        "round": "2026-H1",
        "answers (team)": count(demo, answered, ["team"]),
        "answers (SRE)": count(demo, answered, ["sre"]),
        "workshop notes": len(hearing["notes"]) - 1,
        "actions": len(hearing["actions"]) - 1,
    }
    assert overview["answers (team)"] > 0 and overview["answers (SRE)"] > 0 and overview["workshop notes"] > 0


def test_the_hearing_agenda_sheet_titles_its_items_in_both_languages(hearing):
    header, *rows = hearing["agenda"]
    assert header == ("topic", "item", "item_ja", "item_en", "figures", "notes")
    assert rows[0][:4] == ("priority", "LOG-3", "問い合わせ調査のためのユーザーログ", "User logs for support enquiries")


def test_the_hearing_sheet_leaves_out_who_wrote_each_workshop_note(demo, hearing):
    authors = {row[0] for row in demo.execute("SELECT author FROM notes WHERE author IS NOT NULL").fetchall()}
    assert authors
    assert "author" not in hearing["notes"][0]
    assert not authors & {cell for sheet in hearing.values() for row in sheet for cell in row}


def test_a_hearing_for_a_team_the_product_does_not_have_is_refused(demo, model):
    with pytest.raises(OpmaturityError, match='There is no team "決済" in the product "会員ID"'):
        hearing_sheet(demo, model, "会員ID", "決済", None)


def test_a_workshop_note_holding_a_control_character_still_makes_a_hearing_sheet(con, model):
    survey = "プロダクト,チーム,回答者ロール,項目,現状レベル\n学び放題,A,SRE,外形監視,2\n".encode()
    board = "id,type,parent,content,fillColor,tags\n10,frame,,課題,,\n11,sticky_note,10,<p>手順が\v古い</p>,yellow,\n"
    assert import_file(con, "survey.csv", survey, model, ImportOptions()).status == "imported"
    options = ImportOptions(product="学び放題", team="A")
    assert import_file(con, "board.csv", board.encode(), model, options).notes == 1
    book = load_workbook(io.BytesIO(hearing_sheet(con, model, "学び放題", "A", None)))
    header, *rows = book["notes"].iter_rows(values_only=True)
    (text,) = [row[header.index("text")] for row in rows]
    assert text.startswith("手順が") and text.endswith("古い") and "\v" not in text


def test_the_dashboards_hearing_sheet_speaks_the_ui_language_throughout(demo, model):
    book = load_workbook(io.BytesIO(hearing_sheet(demo, model, "会員ID", "認証", None, lang="ja")))
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
    assert list(sheets) == ["概要", "議題", "カテゴリ", "項目", "ワークショップのメモ", "改善アクション"]
    assert dict(sheets["概要"][1:])["チームの回答数"] > 0
    header, *rows = sheets["議題"]
    assert header == ("議題", "項目キー", "項目", "数字", "ヒアリングのメモ")
    assert rows[0][:3] == ("優先度が高い項目", "LOG-3", "問い合わせ調査のためのユーザーログ")
    assert rows[0][3].startswith("現状 ") and "優先度" in rows[0][3]
    assert sheets["項目"][0][:7] == ("プロダクト", "チーム", "ラウンド", "カテゴリキー", "カテゴリ", "項目キー", "項目")
    for title, (header, *rows) in sheets.items():
        assert not [h for h in header if re.fullmatch(r"[a-z_]+", str(h))], (title, header)
        cells = {str(cell) for row in rows for cell in row if cell is not None}  # None: an empty cell
        assert not cells & {"None", "nan", "NaT"}, title
        assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d{3,}", c)], title  # rounded as on screen


def test_the_command_lines_hearing_sheet_keeps_both_languages_and_column_names(hearing):
    assert list(hearing) == ["overview", "agenda", "categories", "items", "notes", "actions"]
