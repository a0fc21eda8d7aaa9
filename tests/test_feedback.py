"""Workshop notes on the Feedback page: search, filters, facets and a person relinking a note."""

from datetime import date

import pandas as pd
import pytest

from opmaturity import feedback, store
from opmaturity.batch import Batch, Note
from opmaturity.errors import OpmaturityError


def load_notes(con, round_name, notes, *, held_on=None):
    digest = Batch.digest(repr((round_name, notes)).encode())
    batch = Batch(file="board.csv", layout="miro", sha256=digest, notes=notes, round_date=held_on)
    assert store.commit_batch(con, batch, round_name).status == "imported"


@pytest.fixture
def board(con):
    load_notes(
        con,
        "R1",
        [
            Note("監視ツールがDatadogとSentryで役割が曖昧", "学び放題", "検索", "課題", ("監視",), item="OBS-5"),
            Note("QA環境のマスクデータが古い", "学び放題", "検索", "課題", ("テスト",), item="TST-2"),
            Note("Runbooks are out of date", "Shop", "Cart", "Problems", ("incident", "docs")),
        ],
        held_on=date(2024, 1, 10),
    )
    load_notes(
        con,
        "R2",
        [
            Note("DATADOG monitors have no owner", "Shop", "Cart", "Problems", ("monitoring",), item="OBS-5"),
            Note("全社共通のメンテ画面がほしい", "Shop", None, "やりたいこと", ()),
        ],
        held_on=date(2024, 7, 10),
    )
    return con


def ids(frame):
    return frame["note_id"].tolist()


def test_notes_of_every_round_come_with_their_round_product_team_and_item(board):
    notes = feedback.notes_table(board)
    assert len(notes) == 5
    first = notes.iloc[0]
    assert (first["round"], first["product"], first["team"], first["group_name"]) == ("R1", "学び放題", "検索", "課題")
    assert (first["item_key"], first["category"], first["linked_by"], first["tags"]) == (
        "OBS-5",
        "OBS",
        "rule",
        ["監視"],
    )
    assert pd.isna(notes.iloc[4]["team"]) and notes.iloc[4]["tags"] == []


def test_a_round_keeps_only_its_notes(board):
    assert ids(feedback.notes_table(board, "R2")) == [4, 5]


def test_search_ignores_case_and_character_width(board):
    assert ids(feedback.notes_table(board, query="ｄａｔａｄｏｇ")) == [1, 4]
    assert ids(feedback.notes_table(board, query="RUNBOOKS")) == [3]


def test_search_needs_every_word_and_also_looks_at_group_and_tags(board):
    assert ids(feedback.notes_table(board, query="datadog owner")) == [4]
    assert ids(feedback.notes_table(board, query="やりたいこと")) == [5]
    assert ids(feedback.notes_table(board, query="docs")) == [3]
    assert ids(feedback.notes_table(board, query="   ")) == [1, 2, 3, 4, 5]


def test_filters_combine_product_team_tag_group_and_item(board):
    assert ids(feedback.notes_table(board, product="Shop")) == [3, 4, 5]
    # note 5 names Shop but no team: it is the product's note, shown with every team of Shop
    assert ids(feedback.notes_table(board, product="Shop", team="Cart")) == [3, 4, 5]
    assert ids(feedback.notes_table(board, product="学び放題", team="検索")) == [1, 2]
    assert ids(feedback.notes_table(board, tag="テスト")) == [2]
    assert ids(feedback.notes_table(board, group="Problems", item="OBS-5")) == [4]
    assert ids(feedback.notes_table(board, linked=False)) == [3, 5]


def test_a_filter_value_is_bound_never_read_as_sql(board):
    assert feedback.notes_table(board, product="Shop' OR '1'='1").empty


def test_facets_list_the_filter_values_of_a_round_with_items_in_model_order(board):
    assert feedback.note_facets(board, "R1") == {
        "products": ["Shop", "学び放題"],
        "teams": ["Cart", "検索"],
        "tags": ["docs", "incident", "テスト", "監視"],
        "groups": ["Problems", "課題"],
        "items": ["OBS-5", "TST-2"],
    }
    assert feedback.note_facets(board)["groups"] == ["Problems", "やりたいこと", "課題"]


def test_facets_of_an_empty_database_are_empty_lists(con):
    assert feedback.note_facets(con) == {"products": [], "teams": [], "tags": [], "groups": [], "items": []}


def test_a_person_relinks_a_note_and_the_data_revision_moves(board):
    before = store.revision(board)
    feedback.relink_note(board, 3, "INC-2")
    note = feedback.notes_table(board).set_index("note_id").loc[3]
    assert (note["item_key"], note["category"], note["linked_by"]) == ("INC-2", "INC", "person")
    assert store.revision(board) == before + 1


def test_a_person_can_unlink_a_note(board):
    feedback.relink_note(board, 1, None)
    note = feedback.notes_table(board).set_index("note_id").loc[1]
    assert pd.isna(note["item_key"]) and note["linked_by"] == "person"


def test_relinking_an_unknown_note_is_an_error(board):
    with pytest.raises(OpmaturityError, match="There is no note #99"):
        feedback.relink_note(board, 99, "OBS-1")


def test_relinking_to_an_unknown_item_is_an_error_that_suggests_the_nearest_key(board):
    with pytest.raises(OpmaturityError, match='no item "obs-51"') as raised:
        feedback.relink_note(board, 1, "obs-51")
    assert [p.message for p in raised.value.problems] == ['Did you mean "OBS-5"?']
    assert feedback.notes_table(board).set_index("note_id").loc[1]["item_key"] == "OBS-5"  # unchanged
