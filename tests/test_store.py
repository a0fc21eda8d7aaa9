import time
from datetime import date

import duckdb
import pytest

from opmaturity import schema, store
from opmaturity.batch import Answer, Batch, Note
from opmaturity.errors import OpmaturityError


def answers(*rows, sha="a"):
    return Batch(file=f"{sha}.csv", layout="tidy", sha256=sha, answers=[Answer(*r) for r in rows])


def live(con):
    return store.rows(con, "SELECT respondent, item_key, level FROM current_responses ORDER BY respondent, item_key")


def snapshot(con):
    tables = ["rounds", "products", "teams", "imports", "responses", "notes", "targets", "meta"]
    return {t: store.rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}


def test_a_new_file_is_migrated_to_the_latest_schema(con):
    assert schema.schema_version(con) == schema.SCHEMA_VERSION


def test_an_old_schema_upgrades_and_keeps_its_data(db_file, model):
    old = duckdb.connect(str(db_file))
    store.migrate(old, target=1)
    old.execute("INSERT INTO rounds (name) VALUES ('2024-H1')")
    old.close()
    con = store.connect(db_file, model)
    assert schema.schema_version(con) == schema.SCHEMA_VERSION
    assert store.rows(con, "SELECT name FROM rounds") == [("2024-H1",)]
    assert store.scalar(con, "SELECT count(*) FROM notes") == 0  # table from step 2 exists


def test_a_database_from_a_newer_version_is_refused(db_file, model):
    con = store.connect(db_file, model)
    con.execute("INSERT INTO schema_version VALUES (99, current_timestamp)")
    with pytest.raises(OpmaturityError, match="newer opmaturity"):
        store.migrate(con)


def test_the_model_catalogue_is_mirrored_into_tables(con, model):
    assert store.scalar(con, "SELECT count(*) FROM items") == 37
    assert store.scalar(con, "SELECT title_ja FROM items WHERE item_key = 'TST-2'") == "本番マスクデータの投入"


def test_commit_creates_round_product_and_team_and_counts_only_answers_with_a_level(con):
    result = store.commit_batch(
        con,
        answers(("学び放題", "検索", "p-1", "team", "OBS-1", 2), ("学び放題", "検索", "p-1", "team", "OBS-2", None)),
        "2024-H1",
    )
    assert (result.status, result.answered, result.answers) == ("imported", 1, 2)
    assert result.created == {"rounds": ["2024-H1"], "products": ["学び放題"], "teams": ["学び放題 / 検索"]}


def test_a_file_naming_known_and_new_teams_makes_only_the_new_ones_in_the_order_they_come(con):
    store.ensure_team(con, "学び放題", "検索")
    store.ensure_team(con, "法人", "営業")  # no tier yet
    batch = answers(
        ("髙島屋①", "B", "p-1", "team", "OBS-1", 2),
        ("学び放題", "検索", "p-1", "team", "OBS-1", 2),
        ("法人", "営業", "p-2", "team", "OBS-1", 1),
        ("学び放題", "動画", "p-1", "team", "OBS-2", 3),
        ("髙島屋①", "A", "p-3", "sre", "OBS-1", 4),
    )
    batch.tiers = {"法人": "Tier 1", "髙島屋①": "Tier 2"}
    batch.notes = [Note("付箋", product="新規", team="チーム")]
    result = store.commit_batch(con, batch, "2024-H1")
    assert result.created["products"] == ["髙島屋①", "新規"]
    assert result.created["teams"] == ["髙島屋① / B", "学び放題 / 動画", "髙島屋① / A", "新規 / チーム"]
    assert store.rows(con, "SELECT name, tier FROM products ORDER BY product_id") == [
        ("学び放題", None), ("法人", "Tier 1"), ("髙島屋①", "Tier 2"), ("新規", None)
    ]  # fmt: skip
    teams = "SELECT p.name, t.name FROM responses r JOIN teams t USING (team_id) JOIN products p USING (product_id)"
    assert sorted(store.rows(con, teams)) == sorted([
        ("髙島屋①", "B"), ("学び放題", "検索"), ("法人", "営業"), ("学び放題", "動画"), ("髙島屋①", "A")
    ])  # fmt: skip
    assert store.rows(con, "SELECT p.name, t.name FROM notes n JOIN teams t USING (team_id) JOIN products p "
                           "ON p.product_id = n.product_id") == [("新規", "チーム")]  # fmt: skip


def test_the_same_bytes_again_are_a_duplicate_and_add_nothing(con):
    batch = answers(("P", "T", "p-1", "team", "OBS-1", 2))
    first = store.commit_batch(con, batch, "R1")
    before = snapshot(con)
    again = store.commit_batch(con, batch, "R1")
    assert again.status == "duplicate" and again.import_id == first.import_id
    assert snapshot(con) == before


def test_a_corrected_file_replaces_the_answers_it_repeats_and_undo_brings_them_back(con):
    store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 1), ("P", "T", "p-1", "team", "OBS-2", 1)), "R1")
    fix = store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 3), sha="b"), "R1")
    assert fix.replaced == 1
    assert live(con) == [("p-1", "OBS-1", 3), ("p-1", "OBS-2", 1)]
    store.undo_import(con, fix.import_id)
    assert live(con) == [("p-1", "OBS-1", 1), ("p-1", "OBS-2", 1)]


def test_undoing_a_middle_import_keeps_the_newest_answer_live(con):
    store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 1), sha="a"), "R1")
    middle = store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 2), sha="b"), "R1")
    store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 3), sha="c"), "R1")
    store.undo_import(con, middle.import_id)
    assert live(con) == [("p-1", "OBS-1", 3)]


def test_answers_in_another_round_are_not_replaced(con):
    store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 1), sha="a"), "R1")
    result = store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 3), sha="b"), "R2")
    assert result.replaced == 0
    assert len(live(con)) == 2


def test_a_dry_run_reports_counts_and_leaves_the_database_unchanged(con):
    before = snapshot(con)
    result = store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 2)), "R1", dry_run=True)
    assert (result.status, result.answered, result.import_id) == ("imported", 1, None)
    assert snapshot(con) == before


def test_notes_keep_text_verbatim_with_tags_and_unknown_team(con):
    text = '=HYPERLINK("x")\n髙橋さん①の メモ　全角'
    batch = Batch(file="m.csv", layout="miro", sha256="m", notes=[Note(text, product="P", tags=("課題", "ops"))])
    store.commit_batch(con, batch, "R1")
    assert store.rows(con, "SELECT text, tags, team_id FROM notes") == [(text, ["課題", "ops"], None)]


def test_undo_twice_is_a_clear_error(con):
    result = store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 2)), "R1")
    store.undo_import(con, result.import_id)
    with pytest.raises(OpmaturityError, match="already undone"):
        store.undo_import(con, result.import_id)
    assert store.is_empty(con)


def test_every_write_changes_the_revision(con):
    before = store.revision(con)
    store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 2)), "R1")
    store.set_target(con, 3, tier="T1")
    assert store.revision(con) == before + 2


def test_a_target_is_set_for_a_tier_or_a_product_never_both(con):
    with pytest.raises(OpmaturityError):
        store.set_target(con, 3, tier="T1", product="P")
    store.set_target(con, 3, tier="T1")
    store.set_target(con, 2, tier="T1")
    assert store.rows(con, "SELECT tier, level FROM targets") == [("T1", 2)]


@pytest.mark.parametrize("opening", ["connect", "attach"])  # the command line's way and the dashboard's
def test_a_locked_database_file_is_a_clear_error(db_file, model, opening):
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db_file)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        started = time.monotonic()
        with pytest.raises(OpmaturityError, match="held by another program"):
            getattr(store, opening)(db_file, model, wait=0.5)
        assert time.monotonic() - started >= 0.5  # it waited (with backoff) before giving up
    finally:
        holder.kill()
        holder.wait()
    assert db_file not in store._attached  # nothing left attached: once the other program has gone, all is as before
    con = store.attach(db_file, model)
    assert schema.schema_version(con) == schema.SCHEMA_VERSION
    store.detach(con)


def test_a_header_mapping_is_remembered_and_can_be_changed(con):
    store.remember_mapping(con, "slo合意", "SLO-1")
    store.remember_mapping(con, "slo合意", "SLO-2")
    assert store.header_mappings(con) == {"slo合意": "SLO-2"}


def test_undo_removes_the_round_product_and_team_the_import_created_and_nothing_else_uses(con):
    store.commit_batch(con, answers(("P", "T", "p-1", "team", "OBS-1", 2), sha="a"), "2024-H1")
    typo = store.commit_batch(con, answers(("Pz", "T", "p-1", "team", "OBS-1", 2), sha="b"), "2O24-H1")
    store.undo_import(con, typo.import_id)
    assert store.rows(con, "SELECT name FROM rounds") == [("2024-H1",)]
    assert store.rows(con, "SELECT name FROM products") == [("P",)]
    assert store.latest_round(con) == "2024-H1"
    assert store.rows(con, "SELECT file_name, round FROM (SELECT * FROM imports) i LEFT JOIN "
                      "(SELECT round_id, name AS round FROM rounds) USING (round_id) ORDER BY import_id") == [
        ("a.csv", "2024-H1"), ("b.csv", None)]  # fmt: skip


def test_an_upgrade_fills_the_tiers_table_from_the_model_the_database_kept(db_file, model):
    old = duckdb.connect(str(db_file))
    store.migrate(old, target=5)
    old.execute("INSERT INTO models VALUES ('m', 1, 'モデル', 'Model', 3, ?, current_timestamp)", [model.source])
    old.close()
    con = store.connect(db_file)  # no model given: the stored one speaks
    try:
        tiers = store.rows(con, "SELECT tier_key, default_target FROM tiers ORDER BY position")
        assert tiers == [(t.key, t.default_target) for t in model.tiers] and tiers
        assert store.scalar(con, "SELECT max_level FROM models") == model.max_level
    finally:
        con.close()


# --- workshop notes have a natural key ------------------------------------------------------------------------


def _board(con, notes, *, tag, board=None):
    batch = Batch(file="board.csv", layout="miro", sha256=Batch.digest(tag.encode()), round_date=date(2024, 5, 21),
                  notes=[Note(**n) for n in notes], board=board)  # fmt: skip
    return store.commit_batch(con, batch, "2024-H1")


def _live_notes(con):
    return sorted(store.rows(con, "SELECT text, colour FROM current_notes"))


BOARD = [
    {"text": "ランブックがない", "product": "学び放題", "team": "A", "group": "インシデント対応", "key": "3458764"},
    {"text": "アラートが多すぎる", "product": "学び放題", "team": "A", "group": "監視", "key": "3458765"},
    {"text": "Sentryの通知先が不明", "product": "学び放題", "team": "A", "group": "監視", "key": "3458766"},
]


def test_a_re_exported_board_replaces_its_notes_instead_of_doubling_them(con):
    _board(con, BOARD, tag="v1")
    edited = [dict(BOARD[0]), dict(BOARD[1], text="アラートが多すぎる（夜間）"), dict(BOARD[2])]
    result = _board(con, edited, tag="v2")
    counts = result.note_counts
    assert (counts.stored, counts.new, counts.replaced, counts.unchanged) == (3, 0, 1, 2)
    assert [t for t, _ in _live_notes(con)] == sorted(
        ["ランブックがない", "アラートが多すぎる（夜間）", "Sentryの通知先が不明"]
    )


def test_notes_without_ids_are_matched_by_group_and_text_whatever_their_width_or_case(con):
    plain = [{k: v for k, v in n.items() if k != "key"} for n in BOARD]
    _board(con, plain, tag="v1")
    again = [dict(plain[0], text="ランブックがない "), dict(plain[1]), dict(plain[2], text="SENTRYの通知先が不明")]
    counts = _board(con, again, tag="v2").note_counts
    assert (counts.new, counts.replaced, counts.unchanged) == (0, 2, 1)
    assert len(_live_notes(con)) == 3


def test_a_board_named_again_drops_the_notes_it_no_longer_holds_and_undo_brings_them_back(con):
    first = _board(con, BOARD, tag="v1", board="SREヒアリング｜学び放題")
    second = _board(con, BOARD[:2], tag="v2", board="SREヒアリング｜学び放題")
    assert second.note_counts.removed == 1 and len(_live_notes(con)) == 2
    store.undo_import(con, second.import_id)
    assert len(_live_notes(con)) == 3
    assert store.scalar(con, "SELECT count(*) FROM notes WHERE import_id = ?", [first.import_id]) == 3


def test_undo_of_a_re_import_restores_the_earlier_notes(con):
    _board(con, BOARD, tag="v1")
    edited = [dict(BOARD[0], text="ランブックを作った")]
    second = _board(con, edited, tag="v2")
    assert "ランブックを作った" in [t for t, _ in _live_notes(con)]
    store.undo_import(con, second.import_id)
    assert sorted(t for t, _ in _live_notes(con)) == sorted(n["text"] for n in BOARD)


def test_a_link_a_person_chose_survives_the_re_import(con):
    from opmaturity import feedback

    _board(con, BOARD, tag="v1")
    note_id = store.scalar(con, "SELECT note_id FROM notes WHERE text = 'ランブックがない'")
    feedback.relink_note(con, note_id, "INC-2")
    _board(con, [dict(BOARD[0], colour="yellow")], tag="v2")
    assert store.rows(con, "SELECT item_key, linked_by FROM current_notes WHERE text = 'ランブックがない'") == [
        ("INC-2", "person")
    ]


def test_the_same_sticky_listed_twice_in_one_export_is_stored_once(con):
    result = _board(con, [BOARD[0], BOARD[0]], tag="twice")
    assert result.note_counts.stored == 1 and len(_live_notes(con)) == 1


def test_notes_of_an_older_database_get_their_natural_key_on_upgrade(db_file, model):
    old = duckdb.connect(str(db_file))
    store.migrate(old, target=6)
    old.execute("INSERT INTO notes (round_id, text, group_name) VALUES (1, 'ランブックが ない', '障害対応')")
    old.close()
    con = store.connect(db_file, model)
    try:
        assert store.rows(con, "SELECT note_key FROM current_notes") == [("text:障害対応|ランブックが ない",)]
    finally:
        con.close()


def test_a_transaction_inside_another_joins_it_and_falls_with_it(con):
    with pytest.raises(ValueError, match="outer fails"), store.transaction(con):
        with store.transaction(con):
            con.execute("INSERT INTO products (product_id, name) VALUES (nextval('product_ids'), 'Inner')")
        raise ValueError("outer fails")
    assert store.rows(con, "SELECT count(*) FROM products WHERE name = 'Inner'") == [(0,)]
    with (
        pytest.raises(RuntimeError, match="dry run cannot join"),
        store.transaction(con),
        store.transaction(con, keep=False),
    ):
        pass
    with store.transaction(con):  # and the connection takes a transaction of its own again afterwards
        con.execute("INSERT INTO products (product_id, name) VALUES (nextval('product_ids'), 'After')")
    assert store.rows(con, "SELECT count(*) FROM products WHERE name = 'After'") == [(1,)]


# --- the dashboard's connections: files attached to one DuckDB of the process ----------------------------------


def _lets_go(path) -> bool:
    """Another process can open the file: this one holds no lock on it."""
    import subprocess
    import sys

    code = f"import duckdb; duckdb.connect({str(path)!r}).close()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode == 0


def test_runs_share_an_attached_file_and_the_last_one_lets_go_of_it(db_file, model):
    first = store.attach(db_file, model)
    second = store.attach(db_file, model)  # another session's run at the same time
    assert schema.schema_version(first) == schema.SCHEMA_VERSION
    store.commit_batch(first, answers(("Shop", "Cart", "r1", "team", "OBS-1", 3)), "2024-H1")
    assert live(second) == [("r1", "OBS-1", 3)]  # one database: the other run reads what this one wrote
    store.detach(first)
    assert not _lets_go(db_file)  # the second run still holds it
    assert live(second) == [("r1", "OBS-1", 3)]
    store.detach(second)
    assert _lets_go(db_file)  # let go of: the command line can import now
    with store.connect(db_file, model) as con:  # and what the dashboard wrote is in the file
        assert live(con) == [("r1", "OBS-1", 3)]


def test_two_files_attached_at_once_keep_their_own_tables(tmp_path, model):
    full, empty = tmp_path / "full.duckdb", tmp_path / "empty.duckdb"
    a = store.attach(full, model)
    store.commit_batch(a, answers(("Shop", "Cart", "r1", "team", "OBS-1", 3)), "2024-H1")
    b = store.attach(empty, model)  # a new file, migrated although the other one already has every table
    assert schema.schema_version(b) == schema.SCHEMA_VERSION
    assert live(b) == [] and live(a) == [("r1", "OBS-1", 3)]
    store.detach(a)
    store.detach(b)
    assert _lets_go(full) and _lets_go(empty)


def test_a_damaged_file_is_said_to_the_dashboard_and_nothing_stays_attached(tmp_path, model):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database " * 500)
    with pytest.raises(OpmaturityError, match="cannot be read as an opmaturity database"):
        store.attach(bad, model)
    assert bad.read_bytes() == b"not a database " * 500  # touched nothing
    assert bad not in store._attached


def test_runs_on_many_threads_attach_read_and_detach_without_a_slip(db_file, model):
    from concurrent.futures import ThreadPoolExecutor

    con = store.attach(db_file, model)
    store.commit_batch(con, answers(("Shop", "Cart", "r1", "team", "OBS-1", 3)), "2024-H1")
    store.detach(con)

    def run(_):
        mine = store.attach(db_file, model)
        try:
            return live(mine)
        finally:
            store.detach(mine)

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(run, range(64)))
    assert found == [[("r1", "OBS-1", 3)]] * 64
    assert db_file not in store._attached and _lets_go(db_file)


def test_a_run_that_ends_without_saying_so_lets_go_of_the_file_with_its_thread(db_file, monkeypatch):
    import threading

    from opmaturity import ui

    monkeypatch.setenv("OPMATURITY_DB", str(db_file))

    def run():  # a script run stopped before end_run (a rerun asked for in the sidebar): Streamlit's thread ends
        ui.begin_run()
        assert live(ui.cursor()) == []

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert db_file not in store._attached and _lets_go(db_file)


def test_a_plain_connection_beside_the_dashboards_attachment_is_told_the_file_is_held_not_damaged(db_file, model):
    attached = store.attach(db_file, model)
    try:
        with pytest.raises(OpmaturityError, match="held by another program"):
            store.connect(db_file, model, wait=0.1)
    finally:
        store.detach(attached)
    store.connect(db_file, model).close()  # free again


def test_a_file_left_attached_by_a_failed_detach_is_used_again_not_refused(db_file, model):
    con = store.attach(db_file, model)
    name = store._runs.pop(id(con))  # as after a DETACH that raised: forgotten here, still attached to the instance
    del store._users[name], store._files[name], store._attached[db_file.resolve()]
    con.close()
    again = store.attach(db_file, model)
    assert schema.schema_version(again) == schema.SCHEMA_VERSION
    store.detach(again)
    assert _lets_go(db_file)
