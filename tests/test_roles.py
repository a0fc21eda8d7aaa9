"""Column roles from survey questions as people write them, in Japanese and English, and from the values."""

import pytest

from opmaturity.formats import roles


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("対象プロダクト", "product"),
        ("プロダクト名", "product"),
        ("Which product do you work on?", "product"),
        ("サービス", "product"),
        ("チーム名", "team"),
        ("所属チーム（任意）", "team"),
        ("Your team", "team"),
        ("あなたのロール", "rater"),
        ("役割", "rater"),
        ("立場を選んでください", "rater"),
        ("Your role", "rater"),
        ("お名前", "respondent"),
        ("氏名", "respondent"),
        ("メールアドレス", "respondent"),
        ("Email address", "respondent"),
        ("温度感（1=低・3=高）", "importance"),
        ("重要度", "importance"),
        ("自由記述（困っていること・要望）", "free_text"),
        ("コメント", "comment"),
        ("Q3. Which product do you work on?", "product"),
        ("①　対象プロダクト", "product"),
        ("ＴＥＡＭ", "team"),
        ("タイムスタンプ", "date"),
    ],
)
def test_a_header_is_read_for_what_it_means(header, role):
    assert roles.header_role(header) == role


@pytest.mark.parametrize("header", ["", "監視・アラート", "Product team name", "producer", "チームのプロダクト"])
def test_a_header_that_names_no_role_or_two_gives_none(header):
    assert roles.header_role(header) is None


def test_a_grid_header_splits_into_its_question_and_row():
    found = roles.grid("温度感（1=低・3=高） [監視・アラート]")
    assert (found.question, found.row, found.role) == ("温度感（1=低・3=高）", "監視・アラート", "importance")
    assert roles.grid("現状レベル［SLO: SLOの合意］").row == "SLO: SLOの合意"  # full-width brackets
    assert roles.grid("対象プロダクト") is None


def test_a_column_of_rater_words_is_the_rater_column():
    def is_rater(value):  # as Values.rater does: hints in brackets say nothing about the group
        return roles.clean(value) in {"sre", "プロダクトチーム", "開発"}

    assert roles.values_role(["SRE", "開発", "", "プロダクトチーム（開発・PdM・QA）"], is_rater) == "rater"
    assert roles.values_role(["SRE", "3"], is_rater) is None
    assert roles.values_role(["SRE"], is_rater) is None  # one value says too little


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("対象プロダクト=product", ("対象プロダクト", "product", None)),
        ("温度感 [SLO]=category_importance:SLO", ("温度感 [SLO]", "category_importance", "SLO")),
        ("Q1 = level:OBS-1", ("Q1", "level", "OBS-1")),
        ("a=b=free_text", ("a=b", "free_text", None)),
        ("現状レベル=level", ("現状レベル", "level", None)),  # the level of each row's item (a tidy table)
    ],
)
def test_a_map_option_names_a_header_a_role_and_its_key(text, parsed):
    assert roles.parse_mapping(text) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("product", "not HEADER=ROLE"),
        ("X=colour", '"colour" is not a role'),
        ("X=category_importance", "needs a category key"),
        ("X=product:P1", "takes no key"),
    ],
)
def test_a_wrong_map_option_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        roles.parse_mapping(text)
