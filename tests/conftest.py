"""Shared fixtures: the shipped model and a fresh DuckDB file per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmaturity import store
from opmaturity.model import Model, load_model

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def model() -> Model:
    return load_model()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def con(db_file: Path, model: Model):
    connection = store.connect(db_file, model)
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never create data/secret.key in the checkout."""
    monkeypatch.setenv("OPMATURITY_SECRET", "test-secret")


@pytest.fixture(autouse=True)
def _english_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks English in tests whatever the machine's locale (tests that want ja say --lang ja)."""
    monkeypatch.setenv("OPMATURITY_LANG", "en")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, model: Model) -> Path:
    """A DuckDB file holding the demo organisation, built once per test session."""
    from opmaturity.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    connection = store.connect(path, model)
    load_demo(connection, model)
    connection.close()
    return path


@pytest.fixture
def demo_db(tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database, which the dashboard serves through OPMATURITY_DB."""
    import shutil

    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_template, path)
    monkeypatch.setenv("OPMATURITY_DB", str(path))
    return path
