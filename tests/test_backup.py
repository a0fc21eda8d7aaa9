"""Backup to Parquet with a manifest, and restore into a new file: whole, checked, never over existing data."""

import json
import time

import pytest

from opmaturity import audit, backup, schema, store, summary, views
from opmaturity.errors import OpmaturityError
from opmaturity.reports import translator


@pytest.fixture
def demo_con(demo_db, model):
    con = store.connect(demo_db, model)
    yield con
    con.close()


def test_a_backup_restores_into_a_database_with_the_same_rows_and_figures(demo_con, tmp_path, model):
    written = backup.backup(demo_con, tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert manifest["tables"]["responses"]["rows"] == written.counts["responses"] > 5000
    restored = backup.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert {k: v for k, v in restored.counts.items()} == {
        k: v for k, v in written.counts.items() if k != "schema_version"
    }
    con = store.connect(tmp_path / "restored.duckdb", model)
    try:
        assert summary.summary(con) == summary.summary(demo_con)
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


# --- one zip to download and upload (the Backup page) ----------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_backup_zip_replaces_the_database_and_keeps_the_one_before(demo_db, tmp_path, model):
    con = store.connect(demo_db, model)
    try:
        archive = backup.backup_archive(con)
        answers = store.scalar(con, "SELECT count(*) FROM responses")
        con.execute("DELETE FROM notes")  # a mistake made after the backup
    finally:
        con.close()
    manifest = backup.unpack_archive(archive, tmp_path / "unpacked", "opmaturity-backup.zip")
    assert manifest["tables"]["responses"]["rows"] == answers  # type: ignore[index]
    done = backup.replace_database(tmp_path / "unpacked", demo_db)
    assert done.restored.path == demo_db and done.kept.name.startswith("demo.before-restore-")
    con = store.connect(demo_db, model)
    try:
        assert store.scalar(con, "SELECT count(*) FROM notes") > 0  # the notes are back
        assert store.scalar(con, "SELECT count(*) FROM responses") == answers
        last = audit.recent(con).iloc[0]  # the restore is in the change log of the file it made
        assert (last["action"], last["subject"]) == ("restore", manifest["created_at"])  # the backup made then
        total = sum(done.restored.counts.values())
        assert json.loads(last["detail"]) == {"rows": total, "kept": done.kept.name}
        shown = views.audit_table(audit.recent(con), translator("ja")).iloc[0]
        assert shown["操作"] == "バックアップから復元"
        assert shown["内容"] == f"以前のファイル: {done.kept.name}, 行数: {total}"
    finally:
        con.close()
    kept = store.connect(done.kept)
    try:
        assert store.scalar(kept, "SELECT count(*) FROM notes") == 0  # the data before the restore, as it was
    finally:
        kept.close()


def _backup_then_lose_the_notes(demo_db, model, folder):
    """A backup of the demo unpacked into `folder`, and the notes deleted from the file after it."""
    con = store.connect(demo_db, model)
    try:
        archive = backup.backup_archive(con)
        con.execute("DELETE FROM notes")
    finally:
        con.close()
    backup.unpack_archive(archive, folder, "opmaturity-backup.zip")


def _notes_the_next_run_reads(demo_db, model) -> int:
    con = store.attach(demo_db, model)  # as the dashboard's next run does
    try:
        return store.scalar(con, "SELECT count(*) FROM notes")
    finally:
        store.detach(con)


def test_restores_while_the_dashboards_sessions_keep_reading_are_neither_held_up_nor_stuck(demo_db, tmp_path, model):
    """Three restores in a row beside four sessions whose runs keep attaching and letting go of the file: every
    restore finishes (none waits on the dashboard's own hold, none deadlocks with a run whose first checks write),
    and no run fails."""
    import threading

    _backup_then_lose_the_notes(demo_db, model, tmp_path / "unpacked")
    stop, seen, failed, kept = threading.Event(), [], [], []

    def session():  # page runs one after another, overlapping the other sessions' (as a busy dashboard's)
        while not stop.is_set():
            try:
                con = store.attach(demo_db, model, wait=5)
            except OpmaturityError as error:  # a run that could not get the file: the page would show an error
                failed.append(str(error))
                return
            try:
                seen.append(store.scalar(con, "SELECT count(*) FROM notes"))
            finally:
                store.detach(con)

    def restores():
        for _ in range(3):
            kept.append(backup.replace_database(tmp_path / "unpacked", demo_db, wait=5).kept)
            time.sleep(0.05)

    threads = [threading.Thread(target=session, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    restoring = threading.Thread(target=restores, daemon=True)  # daemons: a deadlock fails the test, not the run
    restoring.start()
    restoring.join(timeout=60)
    stuck = restoring.is_alive()
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert not stuck, "a restore never finished"
    assert len(set(kept)) == 3 and all(path.exists() for path in kept) and seen and failed == []  # each kept
    assert _notes_the_next_run_reads(demo_db, model) > 0  # the restored file, not the one it replaced


def test_a_run_reading_during_a_restore_finishes_on_the_old_file_and_the_next_reads_the_new(demo_db, tmp_path, model):
    _backup_then_lose_the_notes(demo_db, model, tmp_path / "unpacked")
    old = store.attach(demo_db, model)
    backup.replace_database(tmp_path / "unpacked", demo_db, wait=1)
    assert store.scalar(old, "SELECT count(*) FROM notes") == 0  # its own file to the end of the run
    store.detach(old)
    assert _notes_the_next_run_reads(demo_db, model) > 0  # never the old data under the new file's name


def test_a_second_restore_while_a_run_still_reads_the_file_the_first_replaced_is_not_held_up_by_it(
    demo_db, tmp_path, model
):
    _backup_then_lose_the_notes(demo_db, model, tmp_path / "unpacked")
    old = store.attach(demo_db, model)
    backup.replace_database(tmp_path / "unpacked", demo_db, wait=5)
    started = time.monotonic()
    backup.replace_database(tmp_path / "unpacked", demo_db, wait=5)  # the old run's file is no other program's
    assert time.monotonic() - started < 4
    store.detach(old)
    assert _notes_the_next_run_reads(demo_db, model) > 0


def test_a_restore_refused_because_another_program_holds_the_file_leaves_no_copy_behind(demo_db, tmp_path, model):
    import subprocess
    import sys

    _backup_then_lose_the_notes(demo_db, model, tmp_path / "unpacked")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb,time; c=duckdb.connect({str(demo_db)!r}); print('ok', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(OpmaturityError, match="held by another program"):
            backup.replace_database(tmp_path / "unpacked", demo_db, wait=0.5)  # the page's wait, not 30 s
    finally:
        holder.kill()
        holder.wait()
    assert sorted(p.name for p in demo_db.parent.iterdir() if p.name.startswith("demo.")) == ["demo.duckdb"]


@pytest.mark.parametrize(
    "members, says",
    [
        ({"manifest.json": b"{}", "../evil.parquet": b"x"}, '"../evil.parquet" is not a file a backup holds'),
        ({"manifest.json": b"{}", "sub/notes.parquet": b"x"}, '"sub/notes.parquet" is not a file a backup holds'),
        ({"manifest.json": b"{}", "run.sh": b"x"}, '"run.sh" is not a file a backup holds'),
        ({}, "A backup is a zip holding only manifest.json"),
    ],
)
def test_an_uploaded_zip_that_is_not_a_backup_is_refused_before_anything_is_unpacked(tmp_path, members, says):
    with pytest.raises(OpmaturityError, match="is not an opmaturity backup") as caught:
        backup.unpack_archive(_zip(members), tmp_path / "out", "upload.zip")
    assert says in str(caught.value)
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.parquet").exists()


def test_a_damaged_or_foreign_zip_is_refused_before_anything_is_restored(demo_db, tmp_path, model):
    con = store.connect(demo_db, model)
    try:
        archive = backup.backup_archive(con)
    finally:
        con.close()
    import io
    import zipfile

    original = zipfile.ZipFile(io.BytesIO(archive))
    members = {info.filename: original.read(info) for info in original.infolist()}
    members["notes.parquet"] = members["notes.parquet"][:-10] + b"0123456789"
    with pytest.raises(OpmaturityError, match="is damaged: nothing was restored") as caught:
        backup.unpack_archive(_zip(members), tmp_path / "out", "upload.zip")
    assert "the file of table notes has changed since the backup (checksum)" in str(caught.value)
    with pytest.raises(OpmaturityError, match="a.zip is not an opmaturity backup"):
        backup.unpack_archive(b"not a zip at all", tmp_path / "x", "a.zip")
