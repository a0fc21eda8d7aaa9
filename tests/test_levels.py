"""levels: the item levels kept in the database are, after every kind of write, exactly what the answers say;
figures read them only while they are those of the data."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal
from test_model_versions import edited_xlsx, v2_edit

from opmaturity import actions, backup, feedback, importer, levels, metrics, model_versions, store, summary
from opmaturity.auth import RIGHTS, Actor
from opmaturity.queries import arrow, sql_table

ADMIN = Actor("sre@example.com", frozenset(RIGHTS))
ORDER = ["round_id", "team_id", "rater", "item"]


@pytest.fixture
def demo(demo_db, model):
    con = store.connect(demo_db, model)
    yield con
    con.close()


def computed(con) -> list[dict]:
    """sql/item_levels.sql over every round, from the answers, now."""
    every = [int(r) for (r,) in store.rows(con, "SELECT round_id FROM rounds")]
    table = sql_table(con, "item_levels", {"round_ids": every, "team_ids": None, **levels.NO_OLDER})
    return table.sort_by([(c, "ascending") for c in ORDER]).to_pylist()


def stored(con) -> list[dict]:
    table = arrow(con, f"SELECT * FROM {levels.TABLE}")  # a fixed name
    return table.sort_by([(c, "ascending") for c in ORDER]).to_pylist()


def same(con) -> None:
    assert levels.fresh(con)
    found = stored(con)
    assert len(found) > 100
    assert found == computed(con)


def latest(con) -> str:
    return store.latest_round(con)


def one_answer(level: int) -> bytes:
    return f"product,team,respondent,rater,item,level\n学び放題,検索チーム,r2,team,OBS-1,{level}\n".encode()


def imported(round_name=None, level=0, **options):
    def run(con, model):
        chosen = importer.ImportOptions(round=round_name or latest(con), **options)
        return importer.import_file(con, "b.csv", one_answer(level), model, chosen, actor=ADMIN)

    return run


WRITES = {
    "import into the latest round": imported(),
    "import into a new round": imported("2031-H1", 4),
    "undo the latest import": lambda con, model: store.undo_import(
        con, store.scalar(con, "SELECT max(import_id) FROM imports"), actor=ADMIN
    ),
    "a tier's target": lambda con, model: store.set_target(con, 4, tier="T1", actor=ADMIN),
    "a team's target for one item": lambda con, model: store.set_target(
        con, 1, product="学び放題", team="検索チーム", item="OBS-1", actor=ADMIN
    ),
    "a product's tier": lambda con, model: store.set_product_tier(con, "学び放題", "T3", actor=ADMIN),
    "a round's new name": lambda con, model: store.rename_round(con, latest(con), "2030-H2", actor=ADMIN),
    "an action": lambda con, model: actions.add_action(con, "学び放題", "検索チーム", title="手順書", actor=ADMIN),
    "a model version that merges, renames and retires items": lambda con, model: model_versions.save(
        con, model_versions.preview(con, "v2.xlsx", edited_xlsx(model, v2_edit), model), actor=ADMIN
    ),
    "a note linked to an item": lambda con, model: feedback.relink_note(
        con, store.scalar(con, "SELECT min(note_id) FROM notes"), "OBS-2", actor=ADMIN
    ),
}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_after_every_kind_of_write_the_stored_levels_are_what_the_answers_say(demo, model, write):
    same(demo)
    WRITES[write](demo, model)
    same(demo)


def test_an_import_and_its_undo_recompute_only_their_round(demo, model, monkeypatch):
    rounds: list = []
    real = levels.keep
    monkeypatch.setattr(
        levels, "keep", lambda con, before, after, scope: (rounds.append(scope), real(con, before, after, scope))
    )
    imported()(demo, model)
    store.undo_import(demo, store.scalar(demo, "SELECT max(import_id) FROM imports"), actor=ADMIN)
    latest_id = store.round_id(demo, latest(demo))
    assert rounds == [[latest_id], [latest_id]]
    same(demo)


def test_figures_read_the_stored_levels_only_while_they_are_those_of_the_data(demo):
    honest = metrics.heatmap(demo)
    demo.execute(f"UPDATE {levels.TABLE} SET level = 0")  # a fixed name
    assert metrics.heatmap(demo)["value"].max() == 0  # fresh: the figures are rolled up from the stored levels
    demo.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR) WHERE key = 'revision'")
    assert not levels.fresh(demo)  # the data moved on without them (a change by hand)
    assert_frame_equal(metrics.heatmap(demo), honest, check_exact=False, rtol=1e-9)
    levels.ensure(demo)
    same(demo)
    assert_frame_equal(metrics.heatmap(demo), honest, check_exact=False, rtol=1e-9)  # sums in another order


def test_levels_of_another_definition_are_not_used(demo, monkeypatch):
    monkeypatch.setattr(levels, "definition", lambda: "another-sql")
    assert not levels.fresh(demo)
    levels.ensure(demo)
    assert levels.fresh(demo)


def test_a_backup_holds_no_levels_and_the_restored_file_computes_them_on_connect(demo, tmp_path, model):
    written = backup.backup(demo, tmp_path / "backup")
    assert levels.TABLE not in written.counts
    backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    con = store.connect(tmp_path / "restored.duckdb", model)
    try:
        same(con)
        assert summary.summary(con) == summary.summary(demo)
    finally:
        con.close()


def test_a_dry_run_leaves_the_stored_levels_as_they_were(demo, model):
    before = stored(demo)
    imported(dry_run=True)(demo, model)
    assert stored(demo) == before
    same(demo)
