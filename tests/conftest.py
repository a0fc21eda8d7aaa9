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
