from pathlib import Path

import pytest

from opmaturity.errors import OpmaturityError
from opmaturity.model import load_model, parse_model

# A copy of the design notes' default-model.md, so that a fresh clone checks the shipped titles against it too.
DESIGN_MODEL = Path(__file__).resolve().parent / "data" / "default-model.md"


def test_shipped_model_has_37_items_in_12_categories(model):
    assert len(model.categories) == 12
    assert len(model.items) == 37
    assert [c.key for c in model.categories] == [
        "OBS", "SLO", "INC", "REL", "BCP", "SEC", "LOG", "TST", "MNT", "CAP", "COST", "ORG",
    ]  # fmt: skip


def test_every_item_has_descriptions_and_a_four_step_guide_in_both_languages(model):
    for item in model.items:
        assert item.description["ja"] and item.description["en"], item.key
        assert len(item.guide["ja"]) == 4 and len(item.guide["en"]) == 4, item.key
        assert item.key.startswith(item.category + "-")


def test_shipped_titles_match_the_design_table_character_for_character(model):
    rows = [line.split("|")[1:6] for line in DESIGN_MODEL.read_text(encoding="utf-8").splitlines()]
    table = {
        r[0].strip(): [c.strip() for c in r] for r in rows if len(r) == 5 and "-" in r[0] and r[0].strip()[0].isupper()
    }
    assert len(table) == 37
    for item in model.items:
        key, cat_ja, cat_en, item_ja, item_en = table[item.key]
        category = model.category(item.category)
        assert (category.ja, category.en, item.ja, item.en) == (cat_ja, cat_en, item_ja, item_en)


def test_level_words_and_synonyms_map_to_levels(model):
    words = model.level_words()
    assert words["運用・計測"] == 3
    assert words["measured"] == 3
    assert words["属人的"] == 1
    assert words["optimised"] == 4
    assert "n/a" in model.na_words() and "－" not in model.na_words()  # normalised: NFKC turns － into -
    assert "-" in model.na_words()


def test_item_names_match_titles_keys_and_grid_columns_in_either_language(model):
    names = model.item_names()
    assert names["obs-1"] == "OBS-1"
    assert names["サービスダッシュボード"] == "OBS-1"
    assert names["監視・アラート[サービスダッシュボード]"] == "OBS-1"
    assert names["incidentresponse:runbooks"] == "INC-2"


def test_nearest_item_suggests_a_title_for_a_typo(model):
    assert model.nearest_item("SLOの合意形成").key == "SLO-2"


BROKEN = """
key: broken
title: {ja: 壊れた, en: Broken}
scale:
  default_target: 9
  levels:
    - {level: 0, ja: なし, en: None}
    - {level: 2, ja: 定義, en: Defined}
importance:
  - {level: 1, ja: 低, en: Low}
categories:
  - key: OBS
    ja: 監視
    en: Monitoring
    items:
      - {key: OBS-1, ja: ダッシュボード, en: Dashboards}
      - {key: OBS-1, ja: 重複, en: Duplicate}
      - {key: OBS-2, en: No Japanese title}
  - key: EMPTY
    ja: 空
    en: Empty
"""


def test_a_broken_model_reports_every_problem_naming_the_file_and_entry():
    with pytest.raises(OpmaturityError) as caught:
        parse_model(BROKEN, "broken.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert all(m.startswith("broken.yaml: ") for m in messages)
    joined = "\n".join(messages)
    assert "levels must count up by one without gaps, got [0, 2]" in joined
    assert "scale.default_target: must be a level 0-2, got 9" in joined
    assert 'the item key "OBS-1" appears more than once' in joined
    assert "item OBS-2: `ja` must be a non-empty text" in joined
    assert "category EMPTY: must have a non-empty list of `items`" in joined


def test_invalid_yaml_names_the_line():
    with pytest.raises(OpmaturityError) as caught:
        parse_model("key: x\ncategories: [\n", "bad.yaml")
    assert caught.value.title == "The model file bad.yaml is not valid YAML"
    assert caught.value.problems[0].row is not None


def test_a_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(OpmaturityError, match="Cannot read the model file"):
        load_model(tmp_path / "nope.yaml")
