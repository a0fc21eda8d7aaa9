"""values: cell values in the model's terms, never clamped, rounded or guessed."""

from __future__ import annotations

import gc
from datetime import date, datetime

import pytest

from opmaturity.values import IGNORE, Invalid, Values, choices, display

LEVEL_HELP = "level must be a whole number 0-4 or a level word (Not started, Ad hoc, Defined, Measured, Optimized)"


@pytest.fixture
def values(model):
    return Values(model)


@pytest.mark.parametrize(
    ("cell", "level"),
    [
        ("3", 3), ("３", 3), ("3.0", 3), (3.0, 3), (3, 3), ("０", 0), ("３．０", 3),
        ("3 運用・計測", 3), ("3: Measured", 3), ("3：運用・計測", 3), ("2 - 定義済み", 2), ("レベル3", 3),
        ("運用・計測", 3), ("Measured", 3), ("optimised", 4), ("属人的", 1), ("未実施", 0), ("ＭＥＡＳＵＲＥＤ", 3),
    ],
)  # fmt: skip
def test_levels_are_read_from_numbers_labels_and_level_words(values, cell, level):
    assert values.level(cell) == level


@pytest.mark.parametrize("cell", ["N/A", "n/a", "該当なし", "わからない", "-", "－", "―", "", None, "  "])
def test_not_applicable_and_blank_are_not_answered_never_zero(values, cell):
    assert values.level(cell) is None


@pytest.mark.parametrize("cell", ["7", "2.5", 2.5, "-1", -1, "abc", "5 最適化", True, datetime(2024, 3, 4)])
def test_anything_else_is_a_problem_that_says_what_is_accepted(values, cell):
    with pytest.raises(Invalid) as caught:
        values.level(cell)
    assert caught.value.message.startswith(LEVEL_HELP + ", got ")


def test_the_message_quotes_the_value_as_written(values):
    with pytest.raises(Invalid) as caught:
        values.level("7")
    assert caught.value.message == f'{LEVEL_HELP}, got "7"'
    with pytest.raises(Invalid) as caught:
        values.level(7.0)
    assert caught.value.message.endswith('got "7"')


@pytest.mark.parametrize(
    "cell", ["3 or 4", "3, 4", "3 - 4", "3 くらい？", "3 運用・計測 or 4", "2〜3", "3 (たぶん)", "1 Ad hoc-ish"]
)
def test_a_number_followed_by_anything_but_its_own_level_word_is_refused_not_guessed(values, cell):
    with pytest.raises(Invalid) as caught:
        values.level(cell)
    assert caught.value.message == f'{LEVEL_HELP}, got "{cell}"'


@pytest.mark.parametrize(
    ("cell", "level"),
    [("3・運用・計測", 3), ("3-運用・計測", 3), ("3.Measured", 3), ("３：運用・計測", 3), ("3 測定・運用", 3),
     ("1 (場当たり)", 1), ("1 partial", 1), ("0未着手", 0), ("4 - optimised", 4)],
)  # fmt: skip
def test_a_number_may_carry_its_own_level_word_or_synonym_after_a_separator(values, cell, level):
    assert values.level(cell) == level


@pytest.mark.parametrize(("cell", "importance"), [("3 高", 3), ("1: Low", 1), ("2 (中)", 2)])
def test_an_importance_label_names_its_own_number(values, cell, importance):
    assert values.importance(cell) == importance


@pytest.mark.parametrize("cell", ["3 or 2", "2 高", "3 くらい"])
def test_an_importance_label_that_says_something_else_is_refused(values, cell):
    with pytest.raises(Invalid) as caught:
        values.importance(cell)
    assert caught.value.message == f'importance must be 1-3 or 高/中/低, got "{cell}"'


def test_a_label_whose_number_and_word_disagree_is_refused(values):
    with pytest.raises(Invalid, match='starts with 3 but "最適化" is level 4'):
        values.level("3 最適化")


def test_a_target_speaks_of_targets(values):
    with pytest.raises(Invalid, match=r'^target must be a whole number 0-4 .*got "9"'):
        values.level("9", "target")


def test_repeated_invalid_values_raise_each_time(values):
    for _ in range(3):
        with pytest.raises(Invalid):
            values.level("abc")


def test_a_refused_value_leaves_no_reference_cycle_behind(values):
    # An exception kept in a local refers to its own frame: the frames above it (a parser's, holding whole
    # columns of a large file) then lived until the garbage collector ran.
    gc.collect()
    gc.disable()
    try:
        refused = ((values.level, "abc"), (values.level, "7"), (values.importance, "9"), (values.level, 2.5))
        for convert, cell in refused:
            try:
                convert(cell)
            except Invalid:
                pass
            else:
                raise AssertionError(f"{cell!r} was accepted")
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.parametrize(("cell", "importance"), [("高", 3), ("中", 2), ("低", 1), ("High", 3), (1, 1), ("3.0", 3)])
def test_importance_is_1_to_3_or_high_medium_low(values, cell, importance):
    assert values.importance(cell) == importance


def test_importance_outside_the_scale_is_a_problem(values):
    with pytest.raises(Invalid) as caught:
        values.importance("5")
    assert caught.value.message == 'importance must be 1-3 or 高/中/低, got "5"'


@pytest.mark.parametrize(
    ("cell", "rater"),
    [("開発", "team"), ("PT", "team"), ("PT評価", "team"), ("プロダクトチーム（開発）", "team"), ("product", "team"),
     ("SRE", "sre"), ("SRE評価", "sre"), ("ｓｒｅ", "sre"), ("team", "team"),
     # what an English form's "Your role" gets as answers, and Japanese job titles
     ("Product manager", "team"), ("QA Engineer", "team"), ("Software engineer", "team"), ("Designer", "team"),
     ("プロダクトマネージャー", "team"), ("ＰＭ", "team"), ("SRE engineer", "sre"),
     ("Site Reliability Engineering", "sre"), ("インフラエンジニア", "sre")],
)  # fmt: skip
def test_rater_words_map_to_team_or_sre(values, cell, rater):
    assert values.rater(cell) == rater


def test_an_unknown_rater_is_a_problem(values):
    with pytest.raises(Invalid) as caught:
        values.rater("営業")
    assert caught.value.message == 'rater must be team or sre (or a word such as 開発, PT, SRE), got "営業"'


@pytest.mark.parametrize(
    "header",
    ["OBS-1", "obs-1", "サービスダッシュボード", "Service dashboards", "service  DASHBOARDS",
     "監視・アラート [サービスダッシュボード]", "監視・アラート: サービスダッシュボード",
     "Monitoring & alerting [Service dashboards]", "ｻｰﾋﾞｽダッシュボード",
     "OBS-1 サービスダッシュボード", "1. サービスダッシュボード"],
)  # fmt: skip
def test_items_match_by_key_title_and_grid_forms_ignoring_width_case_and_spacing(values, header):
    assert values.item(header) == "OBS-1"


def test_an_unknown_item_is_reported_with_the_nearest_title(values):
    assert values.item("SLOの合意形成") is None
    message = values.unknown_item("SLOの合意形成")
    assert message.startswith('unknown item "SLOの合意形成": not an item key, title')
    assert 'did you mean "SLOの合意" (SLO-2)?' in message


def test_a_remembered_mapping_names_an_item(model):
    values = Values(model, {"ダッシュボード整備状況": "OBS-1"})
    assert values.item("ダッシュボード 整備状況") == "OBS-1"


def test_categories_match_by_key_and_titles(values):
    assert values.category("監視・アラート") == values.category("monitoring & alerting") == "OBS"


def test_display_shows_cells_as_a_spreadsheet_does():
    assert (display(7.0), display(2.5), display(date(2024, 5, 20)), display("=A1")) == ("7", "2.5", "2024-05-20", "=A1")


def test_checkbox_answers_split_on_semicolons_and_comma_space():
    assert choices("Datadog;Sentry;") == ["Datadog", "Sentry"]
    assert choices("Datadog, Sentry") == ["Datadog", "Sentry"]
    assert choices("1,000") == ["1,000"]


def test_a_mapping_to_ignore_names_no_item(model):
    values = Values(model, {"チームの人数": IGNORE})
    assert values.item("チームの人数") is None
    assert values.mapped("チームの 人数") == IGNORE == "-"


def test_the_unknown_item_message_offers_mapping_or_ignoring(values):
    assert values.unknown_item("チームの人数").endswith(
        'Correct it, or name its item on import (--map "HEADER=level:ITEM"), or ignore it (--map "HEADER=ignore")'
    )


def test_an_unknown_item_in_an_item_column_is_told_to_use_a_key_or_title_not_a_mapping(values):
    # A tidy or hand-made sheet's item cell: no --map names a cell (the advice offered one, an outside review saw).
    said = values.unknown_item("チームの人数", cell=True)
    assert said.endswith("Correct it, or use the model's item key (OBS-1, say) or its title (opmaturity model export "
                         "writes the list)")  # fmt: skip
    assert "--map" not in said
    assert "--map" in values.unknown_item("チームの人数")  # a header still is mapped


def test_a_huge_invalid_value_is_clipped_in_the_message_only(values):
    with pytest.raises(Invalid) as caught:
        values.level("x" * 10_000)
    assert len(caught.value.message) < 300 and 'x…"; leave a cell without an answer blank' in caught.value.message


def test_a_level_that_is_no_whole_number_is_told_so_with_the_level_words_of_the_language_read_in(values):
    from opmaturity.codec import value_from_json, value_to_json

    with pytest.raises(Invalid) as caught:
        values.level("2.5")  # "0-4" read as if 2.5 were fine (outside review)
    message = caught.value.message
    assert message == (
        "level must be a whole number 0-4 or a level word (Not started, Ad hoc, Defined, Measured, Optimized), "
        'got "2.5"'
    )
    ja = 'レベルは0〜4の整数か、レベルの言葉（未着手、場当たり、定義済み、運用・計測、最適化）で入力してください（値: "2.5"）'  # noqa: E501
    assert message.text("ja") == ja
    assert value_from_json(value_to_json(message)).text("ja") == ja  # as the fenced worker sends it
