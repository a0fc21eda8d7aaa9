"""Where things live, and the pseudonym key: apart from the database, pinned so respondents keep their token."""

import pytest

from opmaturity import config, pseudonym
from opmaturity.settings import Settings


def test_a_pseudonym_is_pinned_so_a_change_of_normalisation_cannot_rekey_everyone():
    # HMAC-SHA256(b"pinned-key", NFKC + casefolded + squeezed text), first 16 hex digits, worked out apart.
    assert pseudonym.pseudonym("Tanaka.Hanako@Example.co.jp", b"pinned-key") == "p-c30e2525445c1380"
    assert pseudonym.pseudonym(" ＴＡＮＡＫＡ.hanako@example.co.jp ", b"pinned-key") == "p-c30e2525445c1380"
    assert pseudonym.pseudonym("髙橋 一郎", b"pinned-key") == "p-babeee779b7d7e1c"  # 髙 stays 髙


def test_the_key_lives_in_the_users_config_folder_not_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "LEGACY_SECRET_PATH", tmp_path / "no-such" / "secret.key")
    settings = Settings.from_env({"XDG_CONFIG_HOME": str(tmp_path / "config")})
    path = settings.secret_file
    assert path == tmp_path / "config" / "opmaturity" / "secret.key"
    assert settings.db.parent not in path.parents
    assert settings.secret is None
    key = settings.key()
    assert len(key) == 64 and oct(path.stat().st_mode & 0o777) == "0o600"
    assert settings.key() == key  # the same key next time


def test_a_key_given_in_the_environment_or_the_dashboards_secrets_is_used_as_it_is(tmp_path):
    key_file = {"OPMATURITY_SECRET_FILE": str(tmp_path / "unused.key")}
    assert Settings.from_env({**key_file, "OPMATURITY_SECRET": "s3cret"}).key() == b"s3cret"
    from_secrets = Settings.from_env(key_file, secrets={"opmaturity_secret": "from-toml"})
    assert from_secrets.key() == b"from-toml"
    assert Settings.from_env({**key_file, "OPMATURITY_SECRET": "env"}, secrets={"opmaturity_secret": "toml"}).key() == (
        b"env"
    )  # the environment beats the secrets, as the README says
    assert not (tmp_path / "unused.key").exists()
    assert "s3cret" not in repr(Settings.from_env({**key_file, "OPMATURITY_SECRET": "s3cret"}))


def test_a_key_an_older_version_kept_in_data_is_still_used(tmp_path, monkeypatch):
    legacy = tmp_path / "data" / "secret.key"
    legacy.parent.mkdir()
    legacy.write_text("ab" * 32, encoding="ascii")
    monkeypatch.setattr(config, "LEGACY_SECRET_PATH", legacy)
    assert Settings.from_env({"XDG_CONFIG_HOME": str(tmp_path / "config")}).secret_file == legacy


def test_the_database_is_db_else_opmaturity_db_else_data_in_a_checkout(tmp_path):
    assert Settings.from_env({}).db == config.PROJECT_DIR / "data" / "opmaturity.duckdb"
    assert Settings.from_env({"OPMATURITY_DB": str(tmp_path / "env.duckdb")}).db == tmp_path / "env.duckdb"
    explicit = Settings.from_env({"OPMATURITY_DB": str(tmp_path / "env.duckdb")}, db=tmp_path / "arg.duckdb")
    assert explicit.db == tmp_path / "arg.duckdb"


def test_an_installed_package_keeps_its_database_in_the_users_data_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IS_CHECKOUT", False)
    settings = Settings.from_env({"XDG_DATA_HOME": str(tmp_path / "share")})
    assert settings.db == tmp_path / "share" / "opmaturity" / "opmaturity.duckdb"


def test_the_waits_come_from_the_environment_never_below_zero_else_defaults():
    chosen = Settings.from_env({"OPMATURITY_LOCK_WAIT": "2.5", "OPMATURITY_PAGE_WAIT": "-3"})
    assert (chosen.lock_wait, chosen.page_wait) == (2.5, 0.0)
    assert (Settings.from_env({"OPMATURITY_LOCK_WAIT": "soon"}).lock_wait, Settings.from_env({}).page_wait) == (30, 8)


@pytest.mark.parametrize("folder", ["sql", "strings", "models"])
def test_the_files_the_package_reads_live_inside_it(folder):
    assert (config.PACKAGE_DIR / folder).is_dir() and any((config.PACKAGE_DIR / folder).iterdir())
