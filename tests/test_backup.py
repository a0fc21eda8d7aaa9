"""Backup to Parquet with a manifest, and restore into a new file: whole, checked, never over existing data."""

import json

import pytest

from opmaturity import backup, metrics, store
from opmaturity.errors import OpmaturityError


@pytest.fixture
def demo_con(demo_db, model):
    con = store.connect(demo_db, model)
    yield con
    con.close()


def test_a_backup_restores_into_a_database_with_the_same_rows_and_figures(demo_con, tmp_path, model):
    written = backup.backup(demo_con, tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == store.SCHEMA_VERSION
    assert manifest["tables"]["responses"]["rows"] == written.counts["responses"] > 5000
    restored = backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert {k: v for k, v in restored.counts.items()} == {
        k: v for k, v in written.counts.items() if k != "schema_version"
    }
    con = store.connect(tmp_path / "restored.duckdb", model)
    try:
        assert metrics.summary(con) == metrics.summary(demo_con)
        before = store.scalar(demo_con, "SELECT max(note_id) FROM notes")
        assert store.scalar(con, "SELECT nextval('note_ids')") == before + 1  # new ids continue after the old
    finally:
        con.close()


def test_a_restore_never_writes_over_an_existing_database(demo_con, tmp_path, demo_db):
    backup.backup(demo_con, tmp_path / "backup")
    size = demo_db.stat().st_size
    with pytest.raises(OpmaturityError, match="already exists"):
        backup.restore(tmp_path / "backup", demo_db)
    assert demo_db.stat().st_size == size


def test_a_changed_backup_file_is_refused_before_anything_is_written(demo_con, tmp_path):
    backup.backup(demo_con, tmp_path / "backup")
    with (tmp_path / "backup" / "responses.parquet").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(OpmaturityError, match="damaged") as caught:
        backup.restore(tmp_path / "backup", tmp_path / "new.duckdb")
    assert "responses" in str(caught.value.problems[0])
    assert not (tmp_path / "new.duckdb").exists()


def test_a_backup_from_a_newer_schema_is_refused(demo_con, tmp_path):
    backup.backup(demo_con, tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(manifest | {"schema_version": 99}), encoding="utf-8")
    with pytest.raises(OpmaturityError, match="schema 99"):
        backup.restore(tmp_path / "backup", tmp_path / "new.duckdb")


def test_a_folder_without_a_manifest_is_not_a_backup(tmp_path):
    with pytest.raises(OpmaturityError, match="not an opmaturity backup"):
        backup.restore(tmp_path, tmp_path / "new.duckdb")


def test_a_backup_goes_only_into_a_new_or_empty_folder(demo_con, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(OpmaturityError, match="not empty"):
        backup.backup(demo_con, tmp_path / "full")
