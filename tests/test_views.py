"""views: display tables and the round's standout findings, shaped for the pages (pure pandas, real UI strings)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from opmaturity import i18n, views
from opmaturity.views import (
    Finding,
    coverage_totals,
    disagreement_table,
    note_editor_frame,
    perception_table,
    relinked_notes,
    renamed,
    standouts,
    team_item_table,
    with_titles,
)

NAN = math.nan
TEAM_PAGE = "app_pages/team.py"


def en(key: str, **values: object) -> str:
    return i18n.t(key, "en", **values)


def ja(key: str, **values: object) -> str:
    return i18n.t(key, "ja", **values)


@pytest.fixture(scope="module")
def titles_en(model) -> dict[str, str]:
    return {c.key: c.en for c in model.categories} | {i.key: i.en for i in model.items}


@pytest.fixture(scope="module")
def titles_ja(model) -> dict[str, str]:
    return {c.key: c.ja for c in model.categories} | {i.key: i.ja for i in model.items}


def summary(**lists: list[dict]) -> dict:
    """A summary --json object with the given lists (the others empty)."""
    empty = {name: [] for name in ("heatmap", "top_gaps", "perception_gaps", "disagreements", "org_weak_items")}
    return {"round": "2026-H1", **empty, "changes": [], **lists}


TOP_GAP = {"product": "会員ID", "team": "認証", "category": "LOG", "item": "LOG-3", "level": 0.67, "n": 3,
           "target": 3.0, "gap": 2.33, "importance": 3.0, "importance_assumed": False, "priority": 7.0}  # fmt: skip
PERCEPTION = {"product": "学び放題", "team": "Mobile App", "category": "OBS", "item": "OBS-5", "team_level": 3.4,
              "sre_level": 0.0, "perception_gap": -3.4, "team_n": 4, "sre_n": 1}  # fmt: skip
DISAGREEMENT = {"product": "ポイント基盤", "team": "ポイント付与", "category": "SLO", "item": "SLO-2", "level": 1.33,
                "sd": 1.89, "min_level": 0, "max_level": 4, "n": 3}  # fmt: skip
WEAK = {"item": "MNT-2", "category": "MNT", "teams": 17, "teams_below": 16, "share_below": 0.94, "mean_level": 0.74,
        "mean_target": 2.93}  # fmt: skip
RISE = {"product": "Shop Connect", "team": "Checkout", "category": "ORG", "previous_round": "2025-H2", "level": 3.17,
        "previous_level": 1.73,
        "change": 1.44, "n": 8, "n_before": 15, "n_after": 8, "items": 3, "significant": True}  # fmt: skip
FALL = {"product": "学び放題", "team": "動画配信", "category": "MNT", "previous_round": "2024-H2", "level": 1.75,
        "previous_level": 3.11,
        "change": -1.36, "n": 9, "n_before": 9, "n_after": 14, "items": 3, "significant": True}  # fmt: skip
NOISE = RISE | {"change": 0.33, "significant": False}
FULL = summary(top_gaps=[TOP_GAP], perception_gaps=[PERCEPTION], disagreements=[DISAGREEMENT],
               org_weak_items=[WEAK], changes=[RISE])  # fmt: skip


# --- standouts ------------------------------------------------------------------------------------


def test_standouts_give_one_finding_per_non_empty_list_with_its_page_and_team(titles_en):
    found = standouts(FULL, titles_en, en)
    assert all(isinstance(f, Finding) for f in found)
    assert [(f.page, f.query_params) for f in found] == [
        (TEAM_PAGE, {"product": "会員ID", "team": "認証"}),
        (TEAM_PAGE, {"product": "学び放題", "team": "Mobile App"}),
        (TEAM_PAGE, {"product": "ポイント基盤", "team": "ポイント付与"}),
        ("app_pages/gaps.py", {}),
        ("app_pages/trends.py", {"product": "Shop Connect", "team": "Checkout"}),
    ]


def test_standout_links_never_carry_round_or_language_because_those_widgets_are_bound_to_the_url(titles_en):
    for finding in standouts(FULL, titles_en, en):
        assert not {"round", "lang"} & set(finding.query_params), finding


def test_standouts_skip_empty_lists_and_an_empty_round_has_none(titles_en):
    found = standouts(summary(org_weak_items=[WEAK], changes=[FALL, RISE]), titles_en, en)
    assert [f.page for f in found] == ["app_pages/gaps.py", "app_pages/trends.py"]
    assert standouts({"round": None, **{k: [] for k in FULL if k != "round"}}, titles_en, en) == []


def test_standouts_only_speak_of_the_top_entry_of_each_list(titles_en):
    second = TOP_GAP | {"product": "Partner Hub", "team": "Data Pipeline", "priority": 6.0}
    (finding,) = standouts(summary(top_gaps=[TOP_GAP, second]), titles_en, en)
    assert finding.query_params == {"product": "会員ID", "team": "認証"}
    assert "Partner Hub" not in finding.sentence


def said(finding: Finding) -> str:
    """The sentence as a reader sees it: the escapes that keep names from being markdown removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", finding.sentence)


def test_names_in_a_sentence_are_escaped_so_markdown_shows_them_literally(titles_en):
    hostile = TOP_GAP | {"product": "**x**", "team": "![](http://evil/)"}
    (finding,) = standouts(summary(top_gaps=[hostile]), titles_en, en)
    assert "\\*\\*x\\*\\*" in finding.sentence and "\\!\\[\\]\\(http" in finding.sentence
    assert said(finding).startswith("**x** / ![](http://evil/):")


def test_standout_sentences_in_english(titles_en):
    assert [said(f) for f in standouts(FULL, titles_en, en)] == [
        '会員ID / 認証: "User logs for support enquiries" matters to the team yet stands at 0.7 against a target of '
        "3, the highest priority (7.0) in the org.",
        '学び放題 / Mobile App: the team (3.4) and SRE (0.0) see "Monitoring tool roles and ownership" most '
        "differently.",
        'ポイント基盤 / ポイント付与: members\' answers on "Agreed SLOs" range from 0 to 4 (3 answers), a topic for '
        "the hearing.",
        '"Per-URL maintenance mode" is below target in 16 of 17 teams (mean 0.7): a candidate for a shared platform '
        "solution.",
        'Shop Connect / Checkout: "Ownership & docs" rose by 1.44 since 2025-H2 (1.73 → 3.17 over the 3 '
        "items rated both times), beyond noise.",
    ]


def test_a_top_gap_whose_importance_was_assumed_is_not_said_to_matter_to_the_team(titles_en, titles_ja):
    """The team gave no importance (assumed medium, 2): the Overview said the item "matters to the team" (an
    outside review)."""
    assumed = TOP_GAP | {"importance": 2.0, "importance_assumed": True, "priority": 4.67}
    (finding,) = standouts(summary(top_gaps=[assumed]), titles_en, en)
    assert said(finding) == (
        '会員ID / 認証: "User logs for support enquiries" stands at 0.7 against a target of 3, the highest priority '
        "(4.7) in the org (the team gave no importance: assumed medium, 2)."
    )
    (finding,) = standouts(summary(top_gaps=[assumed]), titles_ja, ja)
    assert said(finding) == (
        "会員ID / 認証：「問い合わせ調査のためのユーザーログ」が現状 0.7（目標 3）。優先度 4.7 で組織内の最上位です"
        "（チームは温度感を答えていないため、中（2）とみなしています）。"
    )


def test_a_standout_names_the_target_as_levels_never_as_their_mean(titles_en):
    mixed = TOP_GAP | {"target": 3.4, "target_low": 3, "target_high": 4}  # answers asked for 3 and for 4
    (finding,) = standouts(summary(top_gaps=[mixed]), titles_en, en)
    assert "against a target of 3–4," in said(finding)


def test_standout_sentences_in_japanese(titles_ja):
    assert [said(f) for f in standouts(FULL, titles_ja, ja)] == [
        "会員ID / 認証：「問い合わせ調査のためのユーザーログ」がチーム自身の重要項目なのに現状 0.7（目標 3）。"
        "優先度 7.0 で組織内の最上位です。",
        "学び放題 / Mobile App：「監視ツールの役割とオーナーシップ」の見方がチーム（3.4）とSRE（0.0）で"
        "最も食い違っています。",
        "ポイント基盤 / ポイント付与：「SLOの合意」でメンバーの回答が 0 から 4 まで割れています（3 人）。"
        "ヒアリングで話し合う候補です。",
        "「URL単位のメンテナンス」は 17 チーム中 16 チームが目標未達（平均 0.7）。共通基盤での解決の候補です。",
        "Shop Connect / Checkout：「体制・ドキュメント」が2025-H2から 1.44 上がりました（1.73 → 3.17、"
        "両方で答えた 3 項目）。誤差を超える変化です。",
    ]


def test_a_fall_is_said_to_fall_by_its_size_and_a_rise_to_rise(titles_en, titles_ja):
    (fall,) = standouts(summary(changes=[FALL]), titles_en, en)
    assert said(fall) == (
        '学び放題 / 動画配信: "Maintenance" fell by 1.36 since 2024-H2 (3.11 → 1.75 over the 3 items rated '
        "both times), beyond noise."  # 3.11 − 1.75: the figures shown add up (1.4 beside 3.1 → 1.8 did not)
    )
    (fall_ja,) = standouts(summary(changes=[FALL]), titles_ja, ja)
    assert "「メンテナンス」が2024-H2から 1.36 下がりました（3.11 → 1.75、両方で答えた 3 項目）" in fall_ja.sentence
    (rise,) = standouts(summary(changes=[RISE]), titles_en, en)
    assert " rose by 1.44 " in rise.sentence and "fell" not in rise.sentence


def test_a_key_without_a_title_is_said_as_the_key(titles_en):
    (finding,) = standouts(summary(org_weak_items=[WEAK | {"item": "X-9"}]), titles_en, en)
    assert said(finding).startswith('"X-9" is below target in 16 of 17 teams')


def test_a_change_within_noise_is_not_said_to_be_a_move(titles_en):
    (finding,) = standouts(summary(changes=[NOISE]), titles_en, en)
    assert finding.sentence == "None of the 1 moves since the last round is beyond the noise of the answers behind it."
    (first,) = standouts(summary(changes=[NOISE, FALL]), titles_en, en)  # the first change beyond noise
    assert "fell by 1.36" in first.sentence


def test_silent_gaps_get_a_sentence_and_the_weak_item_sentence_names_another_item(titles_en):
    silent = {"item": "MNT-2", "category": "MNT", "teams_below_target": 16, "teams": 17, "share": 0.94,
              "mean_gap": 2.19, "notes": 2}  # fmt: skip
    other = WEAK | {"item": "TST-2"}
    found = standouts(summary(silent_gaps=[silent], org_weak_items=[WEAK, other]), titles_en, en)
    assert [said(f) for f in found] == [
        '"Per-URL maintenance mode" is below target in 16 of 17 teams, yet only 2 notes or comments mention it: a '
        "problem nobody has raised yet.",
        '"Masked production data for QA" is below target in 16 of 17 teams (mean 0.7): a candidate for a shared '
        "platform solution.",
    ]


# --- coverage_totals ------------------------------------------------------------------------------


def test_coverage_totals_sum_the_products_and_count_both_raters_as_respondents():
    coverage = pd.DataFrame(
        {
            "product": ["会員ID", "学び放題"],
            "teams": [2, 4],
            "teams_answered": [2, 3],
            "team_respondents": [6, 9],
            "sre_respondents": [1, 2],
            "answers": [300, 420],
            "coverage": [1.0, 0.75],
        }
    )
    totals = coverage_totals(coverage, notes=33)
    assert totals == {"teams": 6, "teams_answered": 5, "respondents": 18, "answers": 720, "notes": 33}
    assert all(type(v) is int for v in totals.values())


def test_coverage_totals_of_a_round_without_products_are_zero():
    empty = pd.DataFrame(columns=["teams", "teams_answered", "team_respondents", "sre_respondents", "answers"])
    assert coverage_totals(empty, notes=0) == {
        "teams": 0, "teams_answered": 0, "respondents": 0, "answers": 0, "notes": 0,
    }  # fmt: skip


# --- relinked_notes -------------------------------------------------------------------------------


NOTES = pd.DataFrame(
    {
        "note_id": [1, 2, 3, 4, 5, 6],
        "text": ["a", "b", "c", "d", "e", "f"],
        "item_key": ["OBS-1", "OBS-2", "INC-2", None, NAN, "SLO-1"],
        "product": ["会員ID"] * 6,
        "team": ["認証"] * 6,
        "group_name": ["課題"] * 6,
        "tags": [["ログ"], [], ["a", "b"], [], [], []],
        "linked_by": ["rule", "rule", "person", None, None, "rule"],
    }
)


def test_relinked_notes_report_changed_and_unlinked_notes_and_skip_unchanged_ones(titles_en):
    edited = pd.DataFrame(
        {
            "note_id": [1, 2, 3, 4, 5, 6],
            "item": ["OBS-1 Service dashboards", "SLO-2 Agreed SLOs", None, None, "INC-2 Runbooks", NAN],
        }
    )
    changes = relinked_notes(NOTES, edited, titles_en)
    assert changes == {2: "SLO-2", 3: None, 5: "INC-2", 6: None}
    assert all(type(k) is int for k in changes)


def test_an_editor_frame_saved_without_edits_relinks_nothing(titles_ja):
    frame = note_editor_frame(NOTES, titles_ja)
    assert frame["item"].tolist()[:3] == [
        "OBS-1 サービスダッシュボード",
        "OBS-2 アラート設計と通知先",
        "INC-2 ランブック",
    ]
    assert frame["tags"].tolist()[:3] == ["ログ", "", "a, b"]
    assert relinked_notes(NOTES, frame, titles_ja) == {}


# --- with_titles and renamed ----------------------------------------------------------------------


def test_with_titles_shows_titles_in_the_named_columns_only_and_keeps_unknown_keys(titles_en):
    frame = pd.DataFrame({"item": ["OBS-1", "X-9"], "category": ["OBS", "OBS"], "note": ["OBS-1", "INC"]})
    out = with_titles(frame, titles_en, "item", "category", "absent")
    assert out.to_dict("list") == {
        "item": ["Service dashboards", "X-9"],
        "category": ["Monitoring & alerting", "Monitoring & alerting"],
        "note": ["OBS-1", "INC"],
    }
    assert frame["item"].tolist() == ["OBS-1", "X-9"]  # a copy: the input is left alone


def test_renamed_keeps_the_chosen_columns_in_the_order_given_headed_in_the_ui_language():
    frame = pd.DataFrame({"level": [1], "item": ["a"], "secret": ["x"], "n": [3]})
    columns = {"item": "common.item", "level": "common.level", "missing": "common.target", "n": "common.n"}
    assert renamed(frame, en, columns).columns.tolist() == ["Item", "Level", "Answers"]
    assert renamed(frame, ja, columns).columns.tolist() == ["項目", "現状レベル", "回答数"]


# --- team, perception and disagreement tables ----------------------------------------------------


def items(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "item": [f"OBS-{i + 1}" for i in range(n)],
        "category": ["OBS"] * n,
        "priority": [1.0] * n,
        "level": [2.0] * n,
        "target": [3.0] * n,
        "gap": [1.0] * n,
        "importance": [2.0] * n,
        "importance_assumed": [False] * n,
        "sre_level": [NAN] * n,
        "perception_gap": [NAN] * n,
        "sd": [NAN] * n,
        "min_level": [NAN] * n,
        "max_level": [NAN] * n,
        "n": [3] * n,
        "disagreement_status": ["no_data"] * n,
    }
    return pd.DataFrame(base | columns)


def test_team_item_table_marks_assumed_importance_with_a_star(titles_en):
    frame = items(importance=[3.0, 2.0, NAN, 1.0], importance_assumed=[False, True, False, None])
    table = team_item_table(frame, titles_en, en)
    shown = table["Importance"].tolist()
    assert shown == ["3.00", "2.00 *", "", "1.00"]  # an empty cell, never "None" or "nan"
    assert table.columns.tolist() == [
        "Item", "Priority", "Team's own level", "Target", "Gap to target", "Importance", "SRE's level", "Answers",
        "Category",
    ]  # the figures right after the item, the category last: at 1024 px the figures were cut off  # fmt: skip
    assert table["Item"].tolist()[:2] == ["Service dashboards", "Actionable alerts and routing"]
    assert frame["importance"].tolist()[:2] == [3.0, 2.0]  # the metric frame keeps its numbers


def test_perception_table_keeps_the_order_it_is_given_never_sorting_again(titles_en):
    # as metrics.perception_gaps ranks them: |gap| largest first, ties in model order (here OBS-4 before OBS-1)
    frame = pd.DataFrame({"item": ["OBS-2", "OBS-4", "OBS-1", "OBS-5"], "category": ["OBS"] * 4,
                          "team_level": [2.0, 2.0, 2.0, 2.0], "sre_level": [0.0, 3.0, 1.0, 1.75],
                          "perception_gap": [-2.0, 1.0, -1.0, -0.25]})  # fmt: skip
    table = perception_table(frame, titles_en, en)
    assert table.columns.tolist() == ["Item", "Perception gap (SRE − team)", "Team's own level", "SRE's level",
                                      "Category"]  # fmt: skip
    assert table["Perception gap (SRE − team)"].tolist() == [-2.0, 1.0, -1.0, -0.25]
    assert table["Item"].tolist() == [titles_en[key] for key in ("OBS-2", "OBS-4", "OBS-1", "OBS-5")]


def test_disagreement_table_keeps_the_order_it_is_given_never_sorting_again(titles_en):
    frame = pd.DataFrame({"item": ["OBS-3", "OBS-4", "OBS-1"], "category": ["OBS"] * 3, "sd": [1.2, 0.5, 0.5],
                          "min_level": [1, 2, 2], "max_level": [4, 3, 3], "n": [3, 5, 4]})  # fmt: skip
    table = disagreement_table(frame, titles_en, en)
    assert table.columns.tolist() == ["Item", "Spread (standard deviation)", "Lowest", "Highest", "Answers", "Category"]
    assert table["Item"].tolist() == [titles_en[key] for key in ("OBS-3", "OBS-4", "OBS-1")]
    assert table["Spread (standard deviation)"].tolist() == [1.2, 0.5, 0.5]


def test_expanded_products_show_their_teams_right_below_them():
    products = pd.DataFrame({"product": ["A", "A", "B"], "team": [None, None, None], "key": ["X", "Y", "X"]})
    teams = pd.DataFrame(
        {"product": ["A", "A", "B", "B"], "team": ["a1", "a1", "b1", "b2"], "key": ["X", "Y", "X", "X"]}
    )
    shown = views.expand_products(products, teams, ["B"])
    assert list(zip(shown["product"], shown["team"], strict=True)) == [
        ("A", None), ("A", None), ("B", None), ("B", "b1"), ("B", "b2")]  # fmt: skip
    assert views.expand_products(products, teams, []).equals(products)


# --- model page tables: translated headers, dates as dates, no None -------------------------------

RAW_NAMES = {"key", "round_id", "held_on", "item_key", "tier", "product", "level", "name", "due", ""}


def no_missing_text(frame: pd.DataFrame) -> bool:
    """No cell a reader would see as None, nan or NaT (numbers may be missing: the grid shows "—")."""
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        for value in frame[column]:
            if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
                return False
            if str(value) in {"None", "nan", "NaN", "NaT", "<NA>"} or "00:00:00" in str(value):
                return False
    return True


@pytest.mark.parametrize("tr", [en, ja])
def test_model_tables_have_a_translated_header_over_every_column(model, tr):
    for table in (views.levels_table(model, "en", tr), views.items_table(model, "en", "OBS", tr),
                  views.tiers_table(model, "en", tr)):  # fmt: skip
        assert not set(table.columns) & RAW_NAMES, table.columns.tolist()
    assert views.items_table(model, "en", "OBS", en).columns[0] == "Key"
    assert views.levels_table(model, "ja", ja).columns.tolist()[:2] == ["現状レベル", "呼び方"]


TARGETS = pd.DataFrame(
    {"tier": ["T1", None, None], "product": [None, "会員ID", "会員ID"], "item_key": [None, None, "SEC-2"],
     "level": [3, 2, 4]}
)  # fmt: skip


def test_targets_say_what_they_apply_to_and_which_item_in_the_ui_language(titles_en, titles_ja):
    table = views.targets_table(TARGETS, titles_en, en)
    assert table.columns.tolist() == ["Applies to", "Item", "Target"]
    assert table.values.tolist() == [
        ["Tier T1", "(all items)", 3], ["Product 会員ID", "(all items)", 2],
        ["Product 会員ID", "SEC-2 Access management", 4]]  # fmt: skip
    assert no_missing_text(table)
    assert views.targets_table(TARGETS, titles_ja, ja).iloc[1].tolist() == ["プロダクト 会員ID", "（全項目）", 2]


def test_rounds_show_their_day_as_a_date_and_an_undated_round_says_so():
    rounds = pd.DataFrame(
        {"round_id": [1, 2, 3], "name": ["2025-H2", "2026-H1", "2023-H1"],
         "held_on": pd.to_datetime(["2025-10-15", "2026-05-20", None])}
    )  # fmt: skip
    table = views.rounds_table(rounds, en)
    assert table.columns.tolist() == ["Round", "Held on"]
    assert table["Held on"].tolist() == ["2025-10-15", "2026-05-20", "(no date)"]
    assert no_missing_text(table)
    assert views.rounds_table(rounds, ja).columns.tolist() == ["ラウンド", "実施日"]


def test_renamed_shows_missing_text_as_an_empty_cell_and_keeps_missing_numbers_numeric():
    frame = pd.DataFrame({"item": ["a", None], "level": [1.23456, NAN]})
    out = renamed(frame, en, {"item": "common.item", "level": "common.level"})
    assert out["Item"].tolist() == ["a", ""]
    assert out["Level"].iloc[0] == 1.23 and pd.isna(out["Level"].iloc[1])


# --- downloads ------------------------------------------------------------------------------------


def test_a_download_has_headers_in_the_ui_language_titles_beside_keys_and_its_context_first(titles_ja):
    items = pd.DataFrame(
        {"category": ["OBS"], "item": ["OBS-1"], "position": [0], "level": [1.7333333], "gap": [-0.0000001],
         "importance_assumed": [True], "disagreement_status": ["too_few"], "sre_level": [NAN]}
    )  # fmt: skip
    out = views.download_frame(items, titles_ja, ja, {"product": "会員ID", "team": "認証", "round": "2026-H1"})
    assert out.columns.tolist() == [
        "プロダクト", "チーム", "ラウンド", "カテゴリキー", "カテゴリ", "項目キー", "項目", "現状レベル",
        "目標とのギャップ", "温度感を仮定（中）", "ばらつきの表示", "SRE評価"]  # fmt: skip
    row = out.iloc[0]
    assert row["カテゴリ"] == "監視・アラート" and row["項目"] == titles_ja["OBS-1"]
    assert row["現状レベル"] == 1.73  # rounded as on screen
    assert str(row["目標とのギャップ"]) == "0.0"  # never -0.0
    assert row["温度感を仮定（中）"] == "はい" and row["ばらつきの表示"] == "いいえ（回答が少なすぎる）"
    assert pd.isna(row["SRE評価"])  # an empty cell in the CSV


def test_a_download_of_notes_drops_ids_and_pseudonyms_and_keeps_no_none(titles_en):
    notes = pd.DataFrame(
        {"note_id": [1, 2], "round": ["2026-H1", "2026-H1"], "product": ["A", None], "team": ["a", None],
         "text": ["=1+1", "ok"], "group_name": [None, "G"], "tags": [["x", "y"], []], "colour": ["yellow", None],
         "author": ["p-123", None], "item_key": ["OBS-1", None], "category": ["OBS", None],
         "linked_by": ["rule", None]}
    )  # fmt: skip
    out = views.download_frame(notes, titles_en, en, {"round": "2026-H1"})
    assert out.columns.tolist() == [
        "Round", "Product", "Team", "Note", "Group (frame)", "Tags", "Item key", "Item", "Category key", "Category",
        "Linked by"]  # fmt: skip
    assert out["Linked by"].tolist() == ["Keyword rule", ""]
    assert no_missing_text(out)
    from opmaturity.export import csv_bytes

    text = csv_bytes(out).decode("utf-8-sig")
    assert "'=1+1" in text and "p-123" not in text and "None" not in text and "nan" not in text


def test_a_heatmap_download_names_the_item_or_says_the_category_once(titles_en):
    cells = pd.DataFrame(
        {"product": ["A"], "team": [None], "key": ["OBS-1"], "category": ["OBS"], "position": [0], "level": [2.0],
         "n": [3], "status": ["ok"], "row": ["A"], "column": ["Service dashboards"]}
    )  # fmt: skip
    items = views.download_frame(cells, titles_en, en)
    assert items.columns.tolist() == [
        "Product", "Team", "Item key", "Item", "Category key", "Category", "Level", "Answers", "Cell status",
    ]  # fmt: skip
    categories = views.download_frame(cells.assign(key="OBS"), titles_en, en)
    assert "Item key" not in categories.columns and "Key" not in categories.columns


def test_every_column_the_pages_download_has_a_header_in_both_languages(demo_template, model):
    """The frames behind the Team, Feedback, Gaps and heatmap downloads, straight from the demo."""
    import shutil
    import tempfile
    from pathlib import Path

    from opmaturity import charts, feedback, metrics, store

    path = Path(tempfile.mkdtemp()) / "demo.duckdb"
    shutil.copyfile(demo_template, path)
    con = store.connect(path, model)
    try:
        latest = store.latest_round(con)
        frames = [
            metrics.team_items(con, latest, "Shop Connect", "Storefront"),
            feedback.notes_table(con, latest),
            metrics.org_weak_items(con, latest),
            charts.heatmap_frame(
                metrics.heatmap(con, latest, metric="gap", rater="team", rows="team", columns="item"),
                "gap",
                {},
                tr=en,
            ),  # fmt: skip
            metrics.team_categories(con, latest, "Shop Connect", "Storefront"),
            metrics.silent_gaps(con, latest),
            metrics.changes(con, latest),
        ]
    finally:
        con.close()
    for frame in frames:
        for tr in (en, ja):
            out = views.download_frame(frame, {}, tr, {"round": latest})
            raw = [c for c in out.columns if re.fullmatch(r"[a-z_]+", str(c))]
            assert raw == [], f"untranslated download headers: {raw}"
            assert no_missing_text(out)


# --- the team page's bookmark ---------------------------------------------------------------------

TEAMS = pd.DataFrame({"product": ["会員ID", "会員ID", "Shop Connect"], "team": ["認証", "Member API", "Checkout"]})


def test_a_bookmark_to_a_team_that_does_not_exist_is_recognised():
    assert views.unknown_team(TEAMS, "会員ID", "認証") is None
    assert views.unknown_team(TEAMS, "会員ID", "Nope") == "team"
    assert views.unknown_team(TEAMS, "会員ID", "Checkout") == "team"  # a team of another product
    assert views.unknown_team(TEAMS, "Nope", "認証") == "product"
    assert views.unknown_team(TEAMS, "Nope", None) == "product"
    assert views.unknown_team(TEAMS, None, None) is None and views.unknown_team(TEAMS, "会員ID", None) is None


def test_the_import_history_names_layouts_in_the_ui_language_and_times_to_the_minute():
    history = pd.DataFrame(
        {"import_id": [2, 1], "file_name": ["a.csv", "demo: 2026-H1"], "layout": ["google_forms", "demo"],
         "round": ["2026-H1", None], "responses": [3, 0], "notes": [0, 0], "replaced": [0, 0],
         "imported_at": pd.to_datetime(["2026-05-20 09:30:12", "2026-05-19 18:00:59"]),
         "undone_at": pd.to_datetime([None, "2026-05-21 10:00"])}
    )  # fmt: skip
    table = views.imports_table(history, ja)
    assert table["形式"].tolist() == ["Google フォーム / スプレッドシート", "デモ"]
    assert table["取り込み日時"].tolist() == ["2026-05-20 09:30", "2026-05-19 18:00"]
    assert table["状態"].tolist() == ["", "取り消し済み"]
    assert no_missing_text(table)


def test_rows_with_values_keeps_every_cell_of_a_row_with_any_value_and_counts_the_rows_left_out():
    cells = pd.DataFrame({
        "product": ["A", "A", "A", "A", "B", "B"],
        "team": ["x", "x", "y", "y", None, None],
        "key": ["OBS", "SLO"] * 3,
        "value": [None, 0.5, None, None, -1.0, None],
    })  # fmt: skip
    kept, left_out = views.rows_with_values(cells)
    assert kept.index.tolist() == [0, 1, 4, 5] and left_out == 1  # A / x and B (a product row) stay whole
    assert views.rows_with_values(cells.drop(columns="team"))[1] == 0
    assert views.rows_with_values(cells.iloc[:0])[1] == 0


def test_a_download_gives_shares_as_the_page_shows_them_whole_percents_under_a_header_that_says_so(titles_en):
    weak = pd.DataFrame([WEAK, WEAK | {"item": "OBS-1", "category": "OBS", "share_below": 0.375}])
    out = views.download_frame(weak, titles_en, en)
    assert out["Below target (%)"].tolist() == [94, 38]
    assert (
        out["Below target (%)"].tolist() == views.weak_items_table(weak, titles_en, en)["Below target (%)"].tolist()
    )  # the file says what the page says
    silent = pd.DataFrame({"item": ["OBS-1"], "category": ["OBS"], "teams_below_target": [3], "teams": [4],
                           "share": [0.75], "mean_gap": [-1.2], "notes": [0]})  # fmt: skip
    assert views.download_frame(silent, titles_en, en)["Below target (%)"].tolist() == [75]


def test_a_download_keeps_a_single_target_as_a_number_and_a_range_as_text(titles_en):
    # A spreadsheet flagged "number stored as text" on every target of the report (outside review, 30 November).
    gaps = pd.DataFrame({"item": ["OBS-1", "OBS-2", "OBS-3", "OBS-4"], "target": [3.0, 3.5, 2.67, None],
                         "target_low": [3, 3, None, None], "target_high": [3, 4, None, None]})  # fmt: skip
    out = views.download_frame(gaps, titles_en, en)
    assert out["Target"].tolist() == [3, "3–4", 2.67, ""]
    assert [type(v) for v in out["Target"]] == [int, str, float, str]
    shown = views.with_target_levels(gaps)["target"].tolist()  # the pages read every target as text
    assert shown == ["3", "3–4", "2.67", ""]


def test_the_change_log_says_a_remembered_header_as_its_role_in_words_and_its_item():
    import json

    changes = pd.DataFrame(
        {
            "changed_at": [pd.Timestamp("2026-11-30 15:09:00")] * 4,
            "actor": ["root"] * 4,
            "action": ["mapping", "mapping", "mapping", "target"],
            "subject": ["所属部署", "監視の見出し", "備考欄", "Product A"],
            "detail": [json.dumps({"item": v}) for v in ("product", "OBS-1", "-")] + [json.dumps({"item": "OBS-1"})],
        }
    )
    shown = views.audit_table(changes, en)["Values"].tolist()
    assert shown == ["role: product", "role: level, item: OBS-1", "role: ignore", "item: OBS-1"]  # a target as it was
    assert views.audit_table(changes, ja)["内容"].tolist()[:2] == ["役割: プロダクト", "役割: 現状レベル, 項目: OBS-1"]


def test_the_change_log_names_a_tiers_target_in_words_and_keeps_older_records_as_written():
    changes = pd.DataFrame(
        {"audit_id": [3, 2, 1], "changed_at": pd.to_datetime(["2026-11-30 10:00"] * 3), "actor": ["admin"] * 3,
         "action": ["target", "target", "target"], "subject": ["tier T2", "会員ID / 認証", "tier T1"],
         "detail": ['{"level": 3, "tier": "T2"}', '{"item": "OBS-1", "level": 4}', '{"level": 2}']}
    )  # fmt: skip
    table = views.audit_table(changes, ja)
    assert table["対象"].tolist() == ["ティア T2", "会員ID / 認証", "tier T1"]  # the oldest kept its words
    assert table["内容"].tolist() == ["レベル: 3", "項目: OBS-1, レベル: 4", "レベル: 2"]  # the tier said once
    assert views.audit_table(changes, en)["Subject"].tolist()[0] == "Tier T2"


def trend_frame() -> pd.DataFrame:
    """A trend (metrics.trend) of two teams: all answered R1, one skipped R2, both R3 (OBS-6 new in R3)."""
    columns = ["round", "round_position", "category", "position", "level", "n", "teams", "round_teams", "teams_total",
               "items", "previous_round", "paired_previous", "paired_level", "paired_change", "paired_teams",
               "paired_items", "like_for_like"]  # fmt: skip
    rows = [
        ("R1", 1, "OBS", 0, 1.5, 8, 2, 2, 2, 5, None, None, None, None, 0, 0, None),
        ("R2", 2, "OBS", 0, 1.75, 4, 1, 1, 2, 5, "R1", 1.25, 1.75, 0.5, 1, 5, False),
        ("R3", 3, "OBS", 0, 1.958333, 9, 2, 2, 2, 6, "R2", 1.766667, 1.8, 0.033333, 1, 5, False),
    ]
    return pd.DataFrame(rows, columns=columns)


def test_trend_points_give_each_point_its_teams_and_its_like_for_like_step(titles_en, titles_ja):
    points = views.trend_points(trend_frame(), ["R1", "R2", "R3"], titles_en, en)
    assert points["category"].tolist() == ["Monitoring & alerting"] * 3
    assert points["teams_text"].tolist() == ["2 of 2", "1 of 2", "2 of 2"]
    assert points["step_text"].tolist() == [
        "(first point)",
        "+0.50 since R1 (1.25 → 1.75; 1 team, 5 items)",
        "+0.03 since R2 (1.77 → 1.80; 1 team, 5 items)",
    ]
    assert points["dashed"].tolist() == [False, True, True]
    ja_points = views.trend_points(trend_frame(), ["R1", "R2", "R3"], titles_ja, ja)
    assert ja_points["step_text"].tolist()[2] == "+0.03（R2 1.77 → 1.80、1 チーム・5 項目）"
    assert ja_points["teams_text"].tolist()[1] == "1/2"


def test_a_trend_step_is_dashed_where_a_round_was_skipped_even_over_the_same_items(titles_en):
    trend = trend_frame().iloc[[0, 2]].assign(like_for_like=[None, True], previous_round=[None, "R1"])
    points = views.trend_points(trend, ["R1", "R2", "R3"], titles_en, en)
    assert points["dashed"].tolist() == [False, True]
    assert views.trend_notes(trend, ["R1", "R2", "R3"], en) == [
        "No answers from the teams chosen in R2: the line skips it, dashed."
    ]


def test_trend_notes_name_the_teams_behind_each_round_where_they_differ():
    assert views.trend_notes(trend_frame(), ["R1", "R2", "R3"], en) == [
        "The teams behind the line differ from round to round: R1 2 of 2, R2 1 of 2, R3 2 of 2."
    ]
    assert views.trend_notes(trend_frame(), ["R1", "R2", "R3"], ja) == [
        "点ごとにチームの数が違います：R1 2/2 チーム、R2 1/2 チーム、R3 2/2 チーム。"
    ]
    assert views.trend_notes(trend_frame().iloc[[0]], ["R0", "R1", "R2", "R3"], en) == []


def test_a_trend_step_with_nothing_in_common_says_so(titles_en):
    trend = trend_frame().assign(paired_teams=0)
    assert views.trend_points(trend, ["R1", "R2", "R3"], titles_en, en)["step_text"].tolist()[1] == (
        "No team and item in common with R1"
    )


def test_a_change_standout_names_the_round_it_is_since_and_says_the_last_round_where_none_is_given(titles_en):
    """A team that skipped a round is compared with an older one: "since the last round" misread it (an outside
    review); the round is named."""
    (finding,) = standouts(summary(changes=[RISE | {"previous_round": "2024-H1"}]), titles_en, en)
    assert "rose by 1.44 since 2024-H1 (1.73 → 3.17" in said(finding)
    bare = {k: v for k, v in RISE.items() if k != "previous_round"}
    (finding,) = standouts(summary(changes=[bare]), titles_en, en)
    assert "rose by 1.44 since the last round (1.73 → 3.17" in said(finding)


def test_a_disagreement_standout_says_the_answers_as_people_gave_them(titles_en):
    """The lowest and highest answers read "from 0.0 to 4.0" once they came through summary's floats."""
    (finding,) = standouts(summary(disagreements=[DISAGREEMENT | {"min_level": 0.0, "max_level": 4.0}]), titles_en, en)
    assert "range from 0 to 4 (3 answers)" in said(finding)
