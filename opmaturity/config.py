"""Where things live: every path is resolved here, from the package location, never the cwd."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import fence

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
MODELS_DIR = PACKAGE_DIR / "models"  # shipped with the package (package data), like sql/ and strings/
DEFAULT_MODEL_PATH = MODELS_DIR / "default.yaml"
SQL_DIR = PACKAGE_DIR / "sql"


def _user_dir(variable: str, fallback: str) -> Path:
    base = os.environ.get(variable)
    return (Path(base).expanduser() if base else Path.home() / fallback) / "opmaturity"


# In a checkout (beside app.py) the database lives in data/; an installed package keeps it in the user's data
# folder ($XDG_DATA_HOME/opmaturity, else ~/.local/share/opmaturity), never in site-packages or the cwd.
IS_CHECKOUT = (PROJECT_DIR / "app.py").is_file()
DATA_DIR = PROJECT_DIR / "data" if IS_CHECKOUT else _user_dir("XDG_DATA_HOME", ".local/share")


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database file: `explicit`, else $OPMATURITY_DB, else data/opmaturity.duckdb."""
    chosen = explicit or os.environ.get("OPMATURITY_DB")
    return Path(chosen).expanduser().resolve() if chosen else DATA_DIR / "opmaturity.duckdb"


LEGACY_SECRET_PATH = PROJECT_DIR / "data" / "secret.key"  # where versions before 0.2 kept it, beside the database


def secret_key_path() -> Path:
    """The file that holds the pseudonym key when $OPMATURITY_SECRET is not set.

    $OPMATURITY_SECRET_FILE, else the user's config folder ($XDG_CONFIG_HOME/opmaturity/secret.key, else
    ~/.config/opmaturity/secret.key): apart from the database, so that a copy of the data folder is not enough
    to test guesses against the pseudonyms. A key an older version created in data/ is still used (a new key
    would turn every known person into a new respondent); move it to the config folder when convenient.
    """
    chosen = os.environ.get("OPMATURITY_SECRET_FILE")
    if chosen:
        return Path(chosen).expanduser().resolve()
    default = _user_dir("XDG_CONFIG_HOME", ".config") / "secret.key"
    if not default.exists() and LEGACY_SECRET_PATH.is_file():
        return LEGACY_SECRET_PATH
    return default


LOCK_WAIT_SECONDS = 30.0  # how long the command line waits for the dashboard (or another import) to let go
PAGE_WAIT_SECONDS = 8.0  # how long a page waits before it says another program holds the file


def lock_wait() -> float:
    """Seconds the command line waits for another process's hold on the database ($OPMATURITY_LOCK_WAIT)."""
    return _seconds("OPMATURITY_LOCK_WAIT", LOCK_WAIT_SECONDS)


def page_wait() -> float:
    """Seconds a dashboard page waits for another process's hold on the database ($OPMATURITY_PAGE_WAIT)."""
    return _seconds("OPMATURITY_PAGE_WAIT", PAGE_WAIT_SECONDS)


def _seconds(variable: str, default: float) -> float:
    chosen = os.environ.get(variable, "").strip()
    try:
        return max(0.0, float(chosen)) if chosen else default
    except ValueError:
        return default


def fence_limits(environ: Any = None) -> fence.Limits:
    """The worker's limits: $OPMATURITY_FENCE_MEMORY_MB, _CPU_SECONDS, _WALL_SECONDS, _OUTPUT_MB, else defaults."""
    environ = os.environ if environ is None else environ
    default = fence.Limits()

    def pick(name: str, fallback: float, scale: int = 1) -> Any:
        raw = str(environ.get(f"OPMATURITY_FENCE_{name}", "")).strip()
        try:
            value = float(raw) if raw else None
        except ValueError:
            value = None
        return fallback if value is None or value <= 0 else type(fallback)(value * scale)

    return fence.Limits(
        memory_bytes=pick("MEMORY_MB", default.memory_bytes, 1024**2),
        cpu_seconds=pick("CPU_SECONDS", default.cpu_seconds),
        wall_seconds=pick("WALL_SECONDS", default.wall_seconds),
        output_bytes=pick("OUTPUT_MB", default.output_bytes, 1024**2),
    )
