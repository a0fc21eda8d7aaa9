"""Remembered column roles: what a person chose for a header on an earlier import, listed and forgotten.

The Import page and `python -m opmaturity mapping list|forget` call these. A header is remembered normalised
(width, case and spacing folded, as `import --map` stores it), so `forget` accepts it as the file wrote it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import duckdb

from . import store
from .auth import Actor
from .errors import OpmaturityError, Problem
from .formats.roles import decode
from .i18n import Quoted
from .text import normalize


@dataclass(frozen=True)
class Remembered:
    """One remembered header: its role and the item or category the role names (None for a role of its own)."""

    header: str
    role: str
    key: str | None

    def to_dict(self) -> dict[str, str | None]:
        """The command line's JSON for it: `{header, role, key}`."""
        return {"header": self.header, "role": self.role, "key": self.key}


def remembered(con: duckdb.DuckDBPyConnection) -> list[Remembered]:
    """Every remembered header with its role, by header."""
    return [Remembered(header, *decode(target)) for header, target in sorted(store.header_mappings(con).items())]


def forget(con: duckdb.DuckDBPyConnection, headers: list[str], *, actor: Actor | None = None) -> list[str]:
    """Forget what these headers (as written or as remembered) were mapped to; the normalised headers forgotten.

    All or nothing: a header nobody mapped is an OpmaturityError naming it (and the nearest remembered one), and
    then nothing is forgotten.
    """
    known = store.header_mappings(con)
    wanted = list(dict.fromkeys(normalize(h) for h in headers if normalize(h)))
    problems = [_not_remembered(header, known) for header in wanted if header not in known]
    if problems or not wanted:
        raise OpmaturityError.of("msg.mappings.not_forgotten", problems or [Problem.of("msg.mappings.no_header")])
    store.forget_mappings(con, wanted, actor=actor)
    return wanted


def _not_remembered(header: str, known: dict[str, str]) -> Problem:
    """The problem of a header that has no remembered mapping, with the nearest remembered headers."""
    if not known:
        return Problem.of("msg.mappings.none_remembered", header=header)
    near = difflib.get_close_matches(header, list(known), n=3, cutoff=0.5) or sorted(known)[:5]
    return Problem.of("msg.mappings.not_remembered", header=header, near=Quoted(near))
