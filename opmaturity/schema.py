"""The DuckDB schema: versioned migration steps applied on connect, and the one way to write: `transaction`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from .errors import OpmaturityError, Problem
from .i18n import Listed
from .queries import rows, scalar
from .rounds import date_from_name


def _date_rounds(con: duckdb.DuckDBPyConnection) -> None:
    """Give every undated round a date: the period its name states, else its earliest answer, else its creation."""
    for round_id, name in con.execute("SELECT round_id, name FROM rounds WHERE held_on IS NULL").fetchall():
        con.execute(
            """UPDATE rounds SET held_on = coalesce(?, (SELECT min(assessed_on) FROM responses WHERE round_id = ?),
                   CAST(created_at AS DATE)) WHERE round_id = ?""",
            [date_from_name(name), round_id, round_id],
        )


def _tiers_from_stored_model(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the new tiers table and models.max_level from the model YAML each database keeps."""
    from .model import parse_model  # the model module is only needed by this one step

    for model_key, source in con.execute("SELECT model_key, source FROM models").fetchall():
        try:
            model = parse_model(source or "", "stored model")
        except OpmaturityError:
            continue  # the next sync_model writes them
        con.execute("UPDATE models SET max_level = ? WHERE model_key = ?", [model.max_level, model_key])
        for position, tier in enumerate(model.tiers):
            con.execute(
                "INSERT INTO tiers VALUES (?, ?, ?, ?, ?)", [tier.key, position, tier.ja, tier.en, tier.default_target]
            )


def _version_stored_model(con: duckdb.DuckDBPyConnection) -> None:
    """Record the model a database already holds as its first version; its rounds used that version."""
    from .model import parse_model  # only this step needs it

    for version, source in con.execute("SELECT coalesce(version, 1), source FROM models").fetchall():
        try:
            model = parse_model(source or "", "stored model")
        except OpmaturityError:
            continue  # the next sync_model records the shipped model
        con.execute(
            """INSERT INTO model_versions (version, model_key, source, origin, saved_at)
               VALUES (?, ?, ?, 'shipped', current_timestamp)""",
            [version, model.key, source],
        )
        for item in model.items:
            con.execute(
                "INSERT INTO model_version_items VALUES (?, ?, ?, ?, ?, ?)",
                [version, item.key, item.category, item.ja, item.en, list(item.replaces)],
            )
        con.execute("UPDATE rounds SET model_version = ?", [version])


def _key_notes(con: duckdb.DuckDBPyConnection) -> None:
    """Give every earlier note its natural key (group and text, normalised): a re-import can then replace it."""
    from .text import note_key  # only this step and the store need it

    for note_id, group, text in con.execute("SELECT note_id, group_name, text FROM notes").fetchall():
        con.execute("UPDATE notes SET note_key = ? WHERE note_id = ?", [note_key(None, group, text), note_id])


Step = str | Callable[[duckdb.DuckDBPyConnection], None]

# Each step moves the schema up one version; a step is never edited once released, only added.
MIGRATIONS: tuple[tuple[Step, ...], ...] = (
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
    # 5: every round has a place in time (rounds used to sort undated ones last, as if newest)
    (_date_rounds,),
    # 6: the model's tiers and scale as tables, so that SQL joins them instead of taking them as parameters
    (
        """CREATE TABLE tiers (tier_key VARCHAR PRIMARY KEY, position INTEGER, title_ja VARCHAR,
               title_en VARCHAR, default_target SMALLINT)""",
        "ALTER TABLE models ADD COLUMN max_level SMALLINT",
        _tiers_from_stored_model,
    ),
    # 7: notes have a natural key (a Miro item id, else group and text) and can be replaced like answers
    (
        "ALTER TABLE notes ADD COLUMN note_key VARCHAR",
        "ALTER TABLE notes ADD COLUMN board VARCHAR",
        "ALTER TABLE notes ADD COLUMN superseded_by INTEGER",
        _key_notes,
        "CREATE VIEW current_notes AS SELECT * FROM notes WHERE superseded_by IS NULL",
    ),
    # 8: improvement actions a team can keep up to date: todo/doing/done, a note, who changed them and when
    (
        """CREATE TABLE actions_v8 (action_id INTEGER PRIMARY KEY DEFAULT nextval('action_ids'),
               team_id INTEGER NOT NULL, round_id INTEGER, item_key VARCHAR, title VARCHAR NOT NULL,
               owner VARCHAR, status VARCHAR NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),
               due DATE, note VARCHAR, created_at TIMESTAMP DEFAULT current_timestamp, created_by VARCHAR,
               updated_at TIMESTAMP DEFAULT current_timestamp, updated_by VARCHAR)""",
        """INSERT INTO actions_v8 (action_id, team_id, round_id, item_key, title, owner, status, due, note,
               created_at, updated_at)
           SELECT action_id, team_id, round_id, item_key, title, owner,
                  CASE status WHEN 'planned' THEN 'todo' WHEN 'dropped' THEN 'done' ELSE status END, due,
                  CASE status WHEN 'dropped' THEN 'dropped' END, created_at, created_at
           FROM actions""",
        "DROP TABLE actions",
        "ALTER TABLE actions_v8 RENAME TO actions",
    ),
    # 9: a target can be one team's own (an override of its product's and tier's)
    ("ALTER TABLE targets ADD COLUMN team_id INTEGER",),
    # 10: who changed what and when (imports, undo, targets, tiers, rounds, note links, actions)
    (
        "CREATE SEQUENCE audit_ids START 1",
        """CREATE TABLE audit (audit_id INTEGER PRIMARY KEY DEFAULT nextval('audit_ids'), changed_at TIMESTAMP NOT NULL,
               actor VARCHAR NOT NULL, action VARCHAR NOT NULL, subject VARCHAR, detail VARCHAR)""",
    ),
    # 11: model versions (each model the database used, its items), the lineage of replaced items, and the
    # model version each round used
    (
        """CREATE TABLE model_versions (version INTEGER PRIMARY KEY, model_key VARCHAR, source VARCHAR NOT NULL,
               sha256 VARCHAR, origin VARCHAR NOT NULL CHECK (origin IN ('shipped', 'imported')),
               file_name VARCHAR, saved_at TIMESTAMP, saved_by VARCHAR, changes VARCHAR)""",
        """CREATE TABLE model_version_items (version INTEGER NOT NULL, item_key VARCHAR NOT NULL,
               category_key VARCHAR, title_ja VARCHAR, title_en VARCHAR, replaces VARCHAR[],
               PRIMARY KEY (version, item_key))""",
        "CREATE TABLE item_lineage (item_key VARCHAR NOT NULL, current_key VARCHAR NOT NULL, "
        "PRIMARY KEY (item_key, current_key))",
        "ALTER TABLE rounds ADD COLUMN model_version INTEGER",
        _version_stored_model,
    ),
    # 12: the names a team had before it was renamed or merged (store.rename_team): a later file that still
    # writes the old name imports into the team, never into a new one of that name
    (
        """CREATE TABLE team_aliases (product_id INTEGER NOT NULL, name VARCHAR NOT NULL, team_id INTEGER NOT NULL,
               PRIMARY KEY (product_id, name))""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, keep: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """`with transaction(con):` commits what the block wrote, or rolls all of it back if the block raises
    (or when `keep` is False: a dry run that sees its own writes and leaves nothing behind). Inside another
    `transaction` on the same connection, the block is part of that one (committed or rolled back with it).

    Transactions of one process run one at a time (the dashboard's sessions queue here rather than fail on
    DuckDB's "Conflict on update"); other processes cannot hold the file meanwhile (DuckDB's file lock).
    A write the disk refuses (full, too large, read-only) becomes the user's message "nothing was changed"
    rather than a traceback: DuckDB's write-ahead log keeps the file as it was before the transaction.
    """
    with _WRITES:
        depth = _OPEN.__dict__.setdefault("depth", {})
        if depth.get(id(con)):  # inside another transaction on this connection: its block joins that one
            if not keep:
                raise RuntimeError("a dry run cannot join an open transaction")
            yield con
            return
        depth[id(con)] = 1
        try:
            yield from _transaction(con, keep)
        finally:
            depth.pop(id(con), None)


_WRITES = threading.RLock()
_OPEN = threading.local()  # per thread: the connections that have a transaction open (the outermost one)


@contextmanager
def writes_paused() -> Iterator[None]:
    """No transaction of this process runs inside the block (a restore swaps the database file here)."""
    with _WRITES:
        yield


def _transaction(con: duckdb.DuckDBPyConnection, keep: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    con.begin()
    try:
        yield con
    except BaseException as exc:
        _rollback(con)
        if isinstance(exc, duckdb.IOException | duckdb.FatalException) and _refused_write(exc):
            raise write_failed(exc) from exc  # a write refused inside the block (a damaged file reads fail instead)
        raise
    if not keep:
        con.rollback()
        return
    try:
        con.commit()
    except duckdb.Error as exc:  # "Failed to commit: Could not write file …: No space left on device"
        _rollback(con)
        raise write_failed(exc) from exc


def _refused_write(exc: BaseException) -> bool:
    """DuckDB's words for a write the file system refused: "Could not write file …: No space left on device"."""
    said = str(exc).lower()
    return any(word in said for word in ("write", "space left", "too large", "read-only", "read only"))


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.rollback()
    except duckdb.Error:
        pass  # nothing left to roll back (a failed commit ends the transaction), or DuckDB invalidated it


def write_failed(exc: BaseException) -> OpmaturityError:
    """The error for a write the file system refused, with DuckDB's reason (first line only)."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return OpmaturityError.of("msg.store.write_failed", [Problem.of("msg.store.write_failed_detail", detail=detail)])


# Tables of this connection's database other than a (left empty) schema_version: another program's.
_OTHER_TABLES = (
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
    "AND schema_name = current_schema() AND table_name <> 'schema_version' ORDER BY table_name"
)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of this database (0 for an empty file)."""
    has_table = scalar(  # in this connection's database: the dashboard attaches files to one instance
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
        "AND database_name = current_database() AND schema_name = current_schema()",
    )
    if not has_table:
        return 0
    return int(scalar(con, "SELECT max(version) FROM schema_version") or 0)


def migrate(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing migration steps up to `target`, each in its own transaction."""
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise OpmaturityError.of("msg.store.newer_schema", version=version, known=SCHEMA_VERSION)
    if version == 0:  # a new file, or another program's database: never written into (an outside review)
        others = [name for (name,) in rows(con, _OTHER_TABLES)]
        if others:
            raise OpmaturityError.of("msg.store.not_ours", tables=Listed(others[:5]), count=len(others))
    for step in range(version + 1, target + 1):
        with transaction(con):  # the first step makes schema_version too: a failed start leaves nothing
            if step == 1:
                con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
            for statement in MIGRATIONS[step - 1]:
                if callable(statement):
                    statement(con)
                else:
                    con.execute(statement)
            con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [step])
    return max(version, target)  # what schema_version(con) now says, without asking it twice on every open
