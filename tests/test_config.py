"""Where things live, and the pseudonym key: apart from the database, pinned so respondents keep their token."""

import importlib
import os
from pathlib import Path

import pytest

from opmaturity import config, pseudonym


def test_a_pseudonym_is_pinned_so_a_change_of_normalisation_cannot_rekey_everyone():
    # HMAC-SHA256(b"pinned-key", NFKC + casefolded + squeezed text), first 16 hex digits, worked out apart.
    assert pseudonym.pseudonym("Tanaka.Hanako@Example.co.jp", b"pinned-key") == "p-c30e2525445c1380"
    assert pseudonym.pseudonym(" ＴＡＮＡＫＡ.hanako@example.co.jp ", b"pinned-key") == "p-c30e2525445c1380"
    assert pseudonym.pseudonym("髙橋 一郎", b"pinned-key") == "p-babeee779b7d7e1c"  # 髙 stays 髙


def test_the_key_lives_in_the_users_config_folder_not_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("OPMATURITY_SECRET_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(config, "LEGACY_SECRET_PATH", tmp_path / "no-such" / "secret.key")
    path = config.secret_key_path()
    assert path == tmp_path / "config" / "opmaturity" / "secret.key"
    assert config.db_path().parent not in path.parents
    monkeypatch.delenv("OPMATURITY_SECRET")
    key = pseudonym.secret_key()
    assert len(key) == 64 and oct(path.stat().st_mode & 0o777) == "0o600"
    assert pseudonym.secret_key() == key  # the same key next time


def test_a_key_an_older_version_kept_in_data_is_still_used(tmp_path, monkeypatch):
    monkeypatch.delenv("OPMATURITY_SECRET_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    legacy = tmp_path / "data" / "secret.key"
    legacy.parent.mkdir()
    legacy.write_text("ab" * 32, encoding="ascii")
    monkeypatch.setattr(config, "LEGACY_SECRET_PATH", legacy)
    assert config.secret_key_path() == legacy


def test_an_installed_package_keeps_its_database_in_the_users_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.delenv("OPMATURITY_DB", raising=False)
    monkeypatch.setattr(Path, "is_file", lambda self: False if self.name == "app.py" else os.path.isfile(self))
    try:
        reloaded = importlib.reload(config)
        assert reloaded.db_path() == tmp_path / "share" / "opmaturity" / "opmaturity.duckdb"
    finally:
        monkeypatch.undo()
        importlib.reload(config)


@pytest.mark.parametrize("folder", ["sql", "strings", "models"])
def test_the_files_the_package_reads_live_inside_it(folder):
    assert (config.PACKAGE_DIR / folder).is_dir() and any((config.PACKAGE_DIR / folder).iterdir())
