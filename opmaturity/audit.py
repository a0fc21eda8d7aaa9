"""Who changed what, and when: one row per change, written in the same transaction as the change itself."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from .auth import Actor
from .queries import frame

# What the audit records; the Import page names each (`auth.audit.action.<key>`).
ACTIONS = ("import", "undo", "target", "tier", "round_name", "round_date", "relink", "action_add", "action_set",
           "mapping", "mapping_forget", "model", "targets", "restore", "team_name", "team_merge")  # fmt: skip
# The values a record may carry; the Import page names each (`auth.audit.detail.<key>`). A remembered header's
# `item` (its encoded meaning) is shown as its role and item (views.audit_table), hence "role".
DETAILS = ("round", "answers", "notes", "replaced", "new_name", "held_on", "item", "level", "tier", "title", "owner",
           "status", "due", "note", "version", "cells", "role", "rows", "kept")  # fmt: skip


def record(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, subject: str, **detail: Any) -> None:
    """Record that `actor` did `action` to `subject` (a file, a product, a note …) with these values; call it
    inside the change's transaction, so the record and the change stand or fall together."""
    if action not in ACTIONS or not set(detail) <= set(DETAILS):
        raise ValueError(f"unknown audit action or detail: {action!r} {sorted(detail)}")
    values = {k: v for k, v in detail.items() if v is not None}
    con.execute(
        "INSERT INTO audit (changed_at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        [datetime.now(), actor.name, action, subject,
         json.dumps(values, ensure_ascii=False, default=str, sort_keys=True) if values else None],
    )  # fmt: skip


def recent(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """The latest changes, newest first: audit_id, changed_at, actor, action, subject, detail."""
    return frame(
        con,
        "SELECT audit_id, changed_at, actor, action, subject, detail FROM audit ORDER BY audit_id DESC LIMIT ?",
        [limit],
    )
