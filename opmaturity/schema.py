"""The DuckDB schema: versioned migration steps applied on connect, and the small query helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

from .errors import OpmaturityError

# Each step moves the schema up one version; a step is never edited once released, only added.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the model, the organisation, imports and answers
    (
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        "INSERT INTO meta VALUES ('revision', '0')",
        """CREATE TABLE models (model_key VARCHAR PRIMARY KEY, version INTEGER, title_ja VARCHAR,
               title_en VARCHAR, default_target SMALLINT, source VARCHAR, loaded_at TIMESTAMP)""",
        """CREATE TABLE categories (category_key VARCHAR PRIMARY KEY, position INTEGER,
               title_ja VARCHAR, title_en VARCHAR)""",
        """CREATE TABLE items (item_key VARCHAR PRIMARY KEY, category_key VARCHAR, position INTEGER,
               title_ja VARCHAR, title_en VARCHAR, default_target SMALLINT)""",
        "CREATE SEQUENCE round_ids START 1",
        """CREATE TABLE rounds (round_id INTEGER PRIMARY KEY DEFAULT nextval('round_ids'),
               name VARCHAR NOT NULL UNIQUE, held_on DATE, created_at TIMESTAMP DEFAULT current_timestamp)""",
        "CREATE SEQUENCE product_ids START 1",
        """CREATE TABLE products (product_id INTEGER PRIMARY KEY DEFAULT nextval('product_ids'),
               name VARCHAR NOT NULL UNIQUE, tier VARCHAR)""",
        "CREATE SEQUENCE team_ids START 1",
        """CREATE TABLE teams (team_id INTEGER PRIMARY KEY DEFAULT nextval('team_ids'),
               product_id INTEGER NOT NULL, name VARCHAR NOT NULL, UNIQUE (product_id, name))""",
        "CREATE SEQUENCE import_ids START 1",
        """CREATE TABLE imports (import_id INTEGER PRIMARY KEY DEFAULT nextval('import_ids'),
               file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, layout VARCHAR NOT NULL,
               round_id INTEGER, responses INTEGER NOT NULL DEFAULT 0, answers INTEGER NOT NULL DEFAULT 0,
               notes INTEGER NOT NULL DEFAULT 0, replaced INTEGER NOT NULL DEFAULT 0,
               messages VARCHAR, imported_at TIMESTAMP NOT NULL, imported_by VARCHAR,
               undone_at TIMESTAMP)""",
        # No key constraint: a response superseded by a later import stays, for undo.
        """CREATE TABLE responses (import_id INTEGER NOT NULL, round_id INTEGER NOT NULL,
               team_id INTEGER NOT NULL, respondent VARCHAR NOT NULL,
               rater VARCHAR NOT NULL CHECK (rater IN ('team', 'sre')), item_key VARCHAR NOT NULL,
               level SMALLINT CHECK (level BETWEEN 0 AND 10),
               target SMALLINT CHECK (target BETWEEN 0 AND 10),
               importance SMALLINT CHECK (importance BETWEEN 1 AND 3),
               comment VARCHAR, assessed_on DATE, superseded_by INTEGER)""",
        """CREATE VIEW current_responses AS
               SELECT * FROM responses WHERE superseded_by IS NULL""",
    ),
    # 2: workshop notes and the improvement actions teams agree
    (
        "CREATE SEQUENCE note_ids START 1",
        """CREATE TABLE notes (note_id INTEGER PRIMARY KEY DEFAULT nextval('note_ids'),
               import_id INTEGER, round_id INTEGER, product_id INTEGER, team_id INTEGER,
               text VARCHAR NOT NULL, group_name VARCHAR, tags VARCHAR[], colour VARCHAR,
               author VARCHAR, item_key VARCHAR, linked_by VARCHAR)""",
        "CREATE SEQUENCE action_ids START 1",
        """CREATE TABLE actions (action_id INTEGER PRIMARY KEY DEFAULT nextval('action_ids'),
               team_id INTEGER NOT NULL, round_id INTEGER, item_key VARCHAR, title VARCHAR NOT NULL,
               owner VARCHAR, status VARCHAR NOT NULL DEFAULT 'planned'
                   CHECK (status IN ('planned', 'doing', 'done', 'dropped')),
               due DATE, created_at TIMESTAMP DEFAULT current_timestamp)""",
    ),
    # 3: targets per tier or per product (an item, or every item when item_key is NULL)
    (
        "CREATE SEQUENCE target_ids START 1",
        """CREATE TABLE targets (target_id INTEGER PRIMARY KEY DEFAULT nextval('target_ids'),
               tier VARCHAR, product_id INTEGER, item_key VARCHAR,
               level SMALLINT NOT NULL CHECK (level BETWEEN 0 AND 10),
               CHECK ((tier IS NULL) <> (product_id IS NULL)))""",
    ),
    # 4: survey headers a person mapped to an item by hand, remembered for the next import
    (
        """CREATE TABLE header_mappings (header VARCHAR PRIMARY KEY, item_key VARCHAR NOT NULL,
               mapped_at TIMESTAMP DEFAULT current_timestamp)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """All rows of a parameterised query (fetched completely, as DuckDB 2.0 requires)."""
    return con.execute(sql, list(params)).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row, or None."""
    found = rows(con, sql, params)
    return found[0][0] if found else None


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """A parameterised query as a DataFrame."""
    return con.execute(sql, list(params)).df()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of this database (0 for an empty file)."""
    has_table = scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version'")
    if not has_table:
        return 0
    return int(scalar(con, "SELECT max(version) FROM schema_version") or 0)


def migrate(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing migration steps up to `target`, each in its own transaction."""
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise OpmaturityError.of("msg.store.newer_schema", version=version, known=SCHEMA_VERSION)
    if version == 0:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
    for step in range(version + 1, target + 1):
        con.begin()
        try:
            for statement in MIGRATIONS[step - 1]:
                con.execute(statement)
            con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [step])
            con.commit()
        except Exception:
            con.rollback()
            raise
    return schema_version(con)
