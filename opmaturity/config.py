"""Where things live: every path is resolved here, from the package location, never the cwd."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PROJECT_DIR / "data"
MODELS_DIR = DATA_DIR / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "default.yaml"
SQL_DIR = PACKAGE_DIR / "sql"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database file: `explicit`, else $OPMATURITY_DB, else data/opmaturity.duckdb."""
    chosen = explicit or os.environ.get("OPMATURITY_DB")
    return Path(chosen).expanduser().resolve() if chosen else DATA_DIR / "opmaturity.duckdb"


def secret_key_path() -> Path:
    """The file that holds the pseudonym key when $OPMATURITY_SECRET is not set."""
    chosen = os.environ.get("OPMATURITY_SECRET_FILE")
    return Path(chosen).expanduser().resolve() if chosen else DATA_DIR / "secret.key"
