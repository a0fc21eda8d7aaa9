"""The Backup page: one zip to download, and a restore from such a zip after a confirmation."""

import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from opmaturity import backup, store

ROOT = Path(__file__).resolve().parents[1]


def open_backup_page(lang: str = "English") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/backup_page.py")
    at.query_params["lang"] = lang
    return at.run()


def test_the_backup_page_offers_the_download_and_restores_an_uploaded_backup(demo_db, model):
    con = store.connect(demo_db, model)
    try:
        archive = backup.backup_archive(con)
        notes = store.scalar(con, "SELECT count(*) FROM notes")
        con.execute("DELETE FROM notes")
    finally:
        con.close()
    at = open_backup_page()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Download a backup"]
    at.file_uploader(key="backup_upload").upload("opmaturity-backup.zip", archive, "application/zip").run()
    assert not at.exception and not at.error
    assert "A backup made at" in at.markdown[0].value
    assert at.button(key="backup_run").disabled  # nothing happens before the confirmation
    at.checkbox(key="backup_confirm").check().run()
    at.button(key="backup_run").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("Restored ")
    assert f"kept in {demo_db.parent}/demo.before-restore-" in re.sub(r"\\(.)", r"\1", at.success[0].value)
    con = store.connect(demo_db, model)
    try:
        assert store.scalar(con, "SELECT count(*) FROM notes") == notes
    finally:
        con.close()


def test_an_uploaded_file_that_is_not_a_backup_is_an_error_in_the_users_language(demo_db):
    at = open_backup_page("日本語")
    at.file_uploader(key="backup_upload").upload("写真.zip", b"PK\x05\x06" + b"\0" * 18, "application/zip").run()
    assert not at.exception
    assert (
        at.error[0].value.replace("\\.", ".").startswith("写真.zip は opmaturity のバックアップ（zip）ではありません")
    )
    assert not at.button or not [b for b in at.button if b.key == "backup_run"]


def test_a_backup_built_on_click_waits_for_the_command_line_as_long_as_the_command_line_would(demo_db, monkeypatch):
    """The download's file is made when its button is clicked, where a failure reaches only the server's log: while
    an import from the command line holds the file longer than a page waits, the backup waits for it."""
    import subprocess
    import sys
    import time

    from opmaturity import ui

    monkeypatch.setenv("OPMATURITY_PAGE_WAIT", "0.1")
    monkeypatch.setenv("OPMATURITY_LOCK_WAIT", "20")
    holding = f"import duckdb, time; c = duckdb.connect({str(demo_db)!r}); print('ok', flush=True); time.sleep(1.5)"
    holder = subprocess.Popen([sys.executable, "-c", holding], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(duckdb.IOException, match="lock"):  # the premise: the other program holds the file now
            duckdb.connect(str(demo_db)).close()
        started = time.monotonic()
        archive = ui.using_database(backup.backup_archive, actor=None)  # outside a run, as a click builds it
        waited = time.monotonic() - started
        # it waited for the other program rather than failing at 0.1 s
        assert waited > 0.5, f"{waited:.3f} s; the other program's exit status: {holder.poll()}"
    finally:
        holder.kill()
        holder.wait()
    assert archive[:2] == b"PK"  # the zip
    store.connect(demo_db).close()  # and let go of the file after


def test_a_backup_whose_counts_do_not_match_restores_nothing_and_says_which_table(demo_db, model):
    """A manifest that promises more rows than its files hold (hand-edited, or cut short): the page said only
    that the database "does not match", not that nothing was replaced (an outside review)."""
    import io
    import json
    import zipfile

    con = store.connect(demo_db, model)
    try:
        archive = backup.backup_archive(con)
        actions = store.scalar(con, "SELECT count(*) FROM actions")
    finally:
        con.close()
    before = demo_db.read_bytes()
    packed, tampered = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as out:
        for name in packed.namelist():
            data = packed.read(name)
            if name.endswith("manifest.json"):
                manifest = json.loads(data)
                manifest["tables"]["actions"]["rows"] += 1
                data = json.dumps(manifest).encode()
            out.writestr(name, data)
    at = open_backup_page()
    at.file_uploader(key="backup_upload").upload("backup.zip", tampered.getvalue(), "application/zip").run()
    at.checkbox(key="backup_confirm").check().run()
    at.button(key="backup_run").click().run()
    assert not at.exception and not at.success
    title = re.sub(r"\\(.)", r"\1", at.error[0].value)
    assert title.startswith("The restored database does not match the backup, so nothing was replaced")
    assert not at.dataframe  # a problem of no file or cell: a sentence, not a table of empty columns
    assert [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown if m.value.startswith("- ")] == [
        f"- table actions: {actions} rows restored, the backup says {actions + 1}"
    ]
    assert demo_db.read_bytes() == before
