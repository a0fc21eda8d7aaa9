"""One settings object: the database, the pseudonym key, the limits and the waits, read from the environment once
at the edges (the command line's `main`, the dashboard's run) and passed down; no other module reads it.

The variables (README, "Configuration"): OPMATURITY_DB, OPMATURITY_SECRET, OPMATURITY_SECRET_FILE,
OPMATURITY_MAX_BYTES/_ROWS/_CELLS/_TEXT/_COLS, OPMATURITY_FENCE_MEMORY_MB/_CPU_SECONDS/_WALL_SECONDS/_OUTPUT_MB,
OPMATURITY_LOCK_WAIT, OPMATURITY_PAGE_WAIT, OPMATURITY_LANG (the command line), OPMATURITY_ADMIN_PASSWORD, and
XDG_DATA_HOME / XDG_CONFIG_HOME for where an installed package keeps its files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config, fence, i18n
from .pseudonym import secret_key
from .readers import Limits


@dataclass(frozen=True)
class Settings:
    """Everything the environment decides, read once (`from_env`); frozen, so a function handed it cannot change
    what another sees. The secret and the password never show in its repr."""

    db: Path  # the database file
    secret_file: Path  # where the pseudonym key is kept when `secret` is None (created on first use)
    secret: str | None = field(default=None, repr=False)  # the pseudonym key itself, when given
    limits: Limits = Limits()  # how much one imported file may hold
    worker: fence.Limits = fence.Limits()  # what the parsing worker (fence.run) may use
    lock_wait: float = config.LOCK_WAIT_SECONDS  # the command line's wait for another process's hold on the file
    page_wait: float = config.PAGE_WAIT_SECONDS  # a page's wait for it
    lang: str = "en"  # the command line's language when --lang is not given
    admin_password: str | None = field(default=None, repr=False)  # the dashboard's shared admin password

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        db: str | os.PathLike[str] | None = None,
        secrets: Mapping[str, Any] | None = None,
    ) -> Settings:
        """The settings `environ` (default: the process's environment) gives. `db` (the command line's --db)
        beats $OPMATURITY_DB; `secrets` (the dashboard's Streamlit secrets) give the key as `opmaturity_secret`
        where $OPMATURITY_SECRET is not set."""
        env = os.environ if environ is None else environ
        from_secrets = (secrets or {}).get("opmaturity_secret")
        return cls(
            db=db_path(env, db),
            secret_file=secret_key_path(env),
            secret=env.get("OPMATURITY_SECRET") or (str(from_secrets) if from_secrets else None),
            limits=read_limits(env),
            worker=fence_limits(env),
            lock_wait=_seconds(env, "OPMATURITY_LOCK_WAIT", config.LOCK_WAIT_SECONDS),
            page_wait=_seconds(env, "OPMATURITY_PAGE_WAIT", config.PAGE_WAIT_SECONDS),
            lang=language(env),
            admin_password=env.get("OPMATURITY_ADMIN_PASSWORD") or None,
        )

    def key(self) -> bytes:
        """The pseudonym key: `secret`, else the key file's (created on first use, mode 600)."""
        return secret_key(self.secret, self.secret_file)


def _user_dir(env: Mapping[str, str], variable: str, fallback: str) -> Path:
    base = env.get(variable)
    return (Path(base).expanduser() if base else Path.home() / fallback) / "opmaturity"


def data_dir(env: Mapping[str, str]) -> Path:
    """Where the database lives by default: data/ in a checkout (beside app.py); an installed package keeps it in
    the user's data folder ($XDG_DATA_HOME/opmaturity, else ~/.local/share/opmaturity), never in site-packages or
    the working directory."""
    return config.PROJECT_DIR / "data" if config.IS_CHECKOUT else _user_dir(env, "XDG_DATA_HOME", ".local/share")


def db_path(env: Mapping[str, str], explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database file: `explicit`, else $OPMATURITY_DB, else opmaturity.duckdb in the data folder."""
    chosen = explicit or env.get("OPMATURITY_DB")
    return Path(chosen).expanduser().resolve() if chosen else data_dir(env) / "opmaturity.duckdb"


def secret_key_path(env: Mapping[str, str]) -> Path:
    """The file that holds the pseudonym key when $OPMATURITY_SECRET is not set.

    $OPMATURITY_SECRET_FILE, else the user's config folder ($XDG_CONFIG_HOME/opmaturity/secret.key, else
    ~/.config/opmaturity/secret.key): apart from the database, so that a copy of the data folder is not enough
    to test guesses against the pseudonyms. A key an older version created in data/ is still used (a new key
    would turn every known person into a new respondent); move it to the config folder when convenient.
    """
    chosen = env.get("OPMATURITY_SECRET_FILE")
    if chosen:
        return Path(chosen).expanduser().resolve()
    default = _user_dir(env, "XDG_CONFIG_HOME", ".config") / "secret.key"
    if not default.exists() and config.LEGACY_SECRET_PATH.is_file():
        return config.LEGACY_SECRET_PATH
    return default


def read_limits(env: Mapping[str, str]) -> Limits:
    """$OPMATURITY_MAX_BYTES/_ROWS/_CELLS/_TEXT/_COLS, each else its default."""
    default = Limits()

    def pick(name: str, fallback: int) -> int:
        raw = env.get(f"OPMATURITY_MAX_{name}", "").strip()
        return int(raw) if raw.isdigit() else fallback

    return Limits(
        pick("BYTES", default.max_bytes),
        pick("ROWS", default.max_rows),
        pick("CELLS", default.max_cells),
        pick("TEXT", default.max_text),
        pick("COLS", default.max_cols),
    )


def fence_limits(env: Mapping[str, str]) -> fence.Limits:
    """The worker's limits: $OPMATURITY_FENCE_MEMORY_MB, _CPU_SECONDS, _WALL_SECONDS, _OUTPUT_MB, else defaults."""
    default = fence.Limits()

    def pick(name: str, fallback: float, scale: int = 1) -> Any:
        raw = str(env.get(f"OPMATURITY_FENCE_{name}", "")).strip()
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


def language(env: Mapping[str, str]) -> str:
    """The command line's language when `--lang` is not given: $OPMATURITY_LANG, else the locale's (ja or en)."""
    chosen = env.get("OPMATURITY_LANG", "")
    return chosen if chosen in i18n.LANGS else i18n.lang_from_env(dict(env))


def _seconds(env: Mapping[str, str], variable: str, default: float) -> float:
    chosen = env.get(variable, "").strip()
    try:
        return max(0.0, float(chosen)) if chosen else default
    except ValueError:
        return default
