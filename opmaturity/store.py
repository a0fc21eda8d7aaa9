"""DuckDB store: connections, the reads the pages share, and the write paths (commit a batch, undo it)."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

from . import audit, config, levels
from .auth import VIEWER, Actor, require
from .batch import Batch
from .errors import OpmaturityError, Problem, os_reason
from .i18n import Listed, Message, Quoted
from .model import Model
from .queries import frame, rows, scalar, sql_frame
from .rounds import round_date
from .schema import migrate, transaction
from .text import normalize, note_key, visible

IN_MEMORY = ":memory:"
T = TypeVar("T")


def connect(
    path: str | Path, model: Model | None = None, *, wait: float = config.LOCK_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """A read/write connection to the database file, migrated and holding `model`'s catalogue.

    DuckDB lets one process at a time hold a file: when another holds it (the dashboard for a moment, or an
    import from the command line), try again with backoff for up to `wait` seconds (Settings.lock_wait or
    .page_wait) before saying who holds it. Hold connections briefly: close them when the work is done.
    """
    memory = str(path) == IN_MEMORY  # an empty database that leaves no file (the command line on a missing path)
    file = Path(path) if memory else _located(path)
    con = duckdb.connect(IN_MEMORY) if memory else _open(file, wait)
    try:
        _prepare(con, model)
    except STORAGE_ERRORS as exc:  # truncated or damaged: noticed on the first reads
        con.close()
        raise unreadable(file, exc) from exc
    except BaseException:
        con.close()
        raise
    return con


def _located(path: str | Path) -> Path:
    """The database file's absolute path, its folder made where missing (a new file is made on opening)."""
    file = Path(path).expanduser().resolve()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = Problem.of("msg.os_error", file=str(file), detail=os_reason(exc))
        raise OpmaturityError.of("msg.store.cannot_open", [problem], path=str(file)) from exc
    return file


def _prepare(con: duckdb.DuckDBPyConnection, model: Model | None) -> None:
    """Migrate the file, record the package's model (sync_model) and bring the stored item levels up to date."""
    migrate(con)
    if model is not None:
        sync_model(con, model)
    levels.ensure(con)


# --- the dashboard's connections: the file attached to one DuckDB of the process while a run needs it ---------
# Starting a DuckDB instance takes 11-13 ms whatever it opens (an in-memory one as well), and closing it a few
# more: every page run that misses the cache paid that to open the file and let go of it again. ATTACH to an
# instance kept for the process takes 1-2 ms, and DETACH lets go of the file (its lock) as closing did. Runs of
# several sessions at once share the attachment; the last one to finish detaches.
# Taken before the lock of writes (schema.transaction, writes_paused), never after it: a new attachment's checks may
# write (store.sync_model), and a restore takes both (swapping). Reentrant: a restore's own checks take it again.
_SHARED = threading.RLock()
_instance: duckdb.DuckDBPyConnection | None = None
_attached: dict[Path, str] = {}  # file -> the name of its attachment, which new runs share
_users: dict[str, int] = {}  # attachment name -> the runs using it
_runs: dict[int, str] = {}  # id of a run's connection -> the name of the attachment it uses
_files: dict[str, Path] = {}  # attachment name -> its file, while attached (a restored file's old one too)
_restored: dict[Path, int] = {}  # file -> restores so far: a file replaced is attached under a name of its own


def attach(path: str | Path, model: Model | None = None, *, wait: float = config.LOCK_WAIT_SECONDS
           ) -> duckdb.DuckDBPyConnection:  # fmt: skip
    """A connection to the database file for one dashboard run, as `connect` gives it (migrated, holding
    `model`'s catalogue, waiting up to `wait` s while another program holds the file); give it back with
    `detach`, never `close`: the file is let go of once no run of this process uses it. A cursor of it
    (`con.cursor()`) would start in the instance's own empty database: ask `attach` again instead."""
    file = _located(path)
    # Tried again with backoff while the file is held (another program, or this process's attachment of a file
    # since replaced by a restore, which its runs let go of meanwhile): the waiting is done outside the lock.
    return _retrying(file, wait, lambda: _attach_once(file, model))


def _attach_once(file: Path, model: Model | None) -> duckdb.DuckDBPyConnection:
    global _instance
    with _SHARED:
        if _instance is None:
            _instance = duckdb.connect(IN_MEMORY)
        name = _attached.get(file)
        new = name is None
        if name is None:
            name = f"db_{hashlib.sha256(str(file).encode('utf-8')).hexdigest()[:16]}_{_restored.get(file, 0)}"
            # IF NOT EXISTS: a DETACH that failed leaves the file attached under its name, to be used again
            _instance.execute(f"ATTACH IF NOT EXISTS ? AS {name}", [str(file)])
        con = _instance.cursor()
        try:
            con.execute(f"USE {name}")  # a name made above from hex digits, not user text
            if new:  # attached just now: what `connect` does on opening (the file cannot change while held)
                _prepare(con, model)
        except BaseException as exc:
            con.close()
            if new:
                _instance.execute(f"DETACH {name}")
            if isinstance(exc, STORAGE_ERRORS):
                raise unreadable(file, exc) from exc
            raise
        _attached[file], _files[name] = name, file
        _users[name] = _users.get(name, 0) + 1
        _runs[id(con)] = name
    return con


def detach(con: duckdb.DuckDBPyConnection) -> None:
    """Give back a connection from `attach`: closed, and the file let go of when no other run uses it."""
    with _SHARED:
        con.close()
        name = _runs.pop(id(con), None)
        if name is None:
            return
        _users[name] -= 1
        if _users[name]:
            return
        del _users[name]
        file = _files.pop(name)
        if _attached.get(file) == name:  # not a file a restore replaced since (its new one has another name)
            del _attached[file]
        assert _instance is not None
        _instance.execute(f"DETACH {name}")


def retire(path: str | Path) -> None:
    """The file at `path` was replaced (a restore): runs still reading the old one keep it until they end, and the
    next run attaches the new file instead of sharing theirs (it would read the old data under the new file's
    signature, and cache it so); DuckDB lets it do so once those runs have ended (it waits as for a lock)."""
    file = Path(path).expanduser().resolve()
    with _SHARED:
        _attached.pop(file, None)
        _restored[file] = _restored.get(file, 0) + 1


@contextmanager
def swapping() -> Iterator[None]:
    """No run of this process attaches or lets go of a file inside the block (a restore swaps the file there); take
    it before schema.writes_paused, as attaching does before its checks write."""
    with _SHARED:
        yield


def free_elsewhere(path: str | Path, wait: float = config.LOCK_WAIT_SECONDS) -> None:
    """Return once no other program holds the file's lock (waiting up to `wait` s, then the usual message). This
    process's own attachment is no hold: while it has the file attached, no other program can have it (nor, while
    runs still read the file a restore replaced, can this process open the new one: DuckDB goes by the path)."""
    file = Path(path).expanduser().resolve()

    def probe() -> None:
        with _SHARED:
            if file in _files.values():
                return
        duckdb.connect(str(file)).close()  # ResourceInUse if a run attaches meanwhile: tried again, then seen

    _retrying(file, wait, probe)


def _open(file: Path, wait: float) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect(file)`, retried with backoff while another process holds the file's lock."""
    return _retrying(file, wait, lambda: duckdb.connect(str(file)))


def _retrying(file: Path, wait: float, open_file: Callable[[], T]) -> T:
    """`open_file()`, tried again with backoff for up to `wait` s while another process holds the file's lock;
    a file DuckDB cannot read is said to be unreadable, a lock held longer to be locked."""
    deadline = time.monotonic() + wait
    pause = 0.02
    while True:
        try:
            return open_file()
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            if not _is_lock_error(exc):
                raise unreadable(file, exc) from exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OpmaturityError.of("msg.store.locked", [Problem.advise("locked")], path=str(file)) from exc
        except duckdb.Error as exc:  # not a DuckDB file, truncated, written by an incompatible DuckDB
            raise unreadable(file, exc) from exc
        time.sleep(min(remaining, pause * (0.5 + random.random())))  # noqa: S311  (jitter, not security)
        pause = min(pause * 2, 0.5)


def _is_lock_error(exc: BaseException) -> bool:
    # ResourceInUse: another DuckDB of this process holds the file (a plain connect beside the dashboard's attach)
    return isinstance(exc, duckdb.ResourceInUseException) or "lock" in str(exc).lower()


# What DuckDB raises when the file's bytes are not a database it can read (truncated, damaged, another format).
STORAGE_ERRORS = (duckdb.IOException, duckdb.SerializationException, duckdb.FatalException)


def unreadable(file: str | Path, exc: BaseException) -> OpmaturityError:
    """The database file exists but cannot be read as one: say so, and touch nothing."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return OpmaturityError.of(
        "msg.store.unreadable", [Problem.of("msg.store.unreadable_detail", detail=detail)], path=str(file)
    )


def signature(path: str | Path) -> tuple[int, ...]:
    """A cheap fingerprint of the database file and its write-ahead log (size and modification time): it
    changes whenever a transaction commits, so results cached under it stay right without opening the file."""
    file = Path(path).expanduser().resolve()
    marks: list[int] = []
    for part in (file, file.with_name(file.name + ".wal")):
        try:
            found = part.stat()
        except FileNotFoundError:
            marks += [0, 0, 0]
            continue
        marks += [found.st_ino, found.st_size, found.st_mtime_ns]
    return tuple(marks)


def revision(con: duckdb.DuckDBPyConnection) -> int:
    """A number that changes whenever data changes: the key that invalidates cached queries."""
    return int(scalar(con, "SELECT value FROM meta WHERE key = 'revision'") or 0)


ALL_ROUNDS = None  # a write that may change the levels of every round (targets, tiers, the model)
NO_LEVELS: tuple[int, ...] = ()  # a write that changes nothing the item levels are computed from (actions, notes)


def bump(con: duckdb.DuckDBPyConnection, rounds: Sequence[int] | None = ALL_ROUNDS) -> None:
    """Mark the data as changed (cached queries keyed on `revision` reload), as the last write of a transaction:
    the stored item levels follow in it, those of `rounds` only where the write changed no others (levels.keep).
    """
    before = revision(con)
    con.execute("UPDATE meta SET value = ? WHERE key = 'revision'", [str(before + 1)])
    levels.keep(con, before, before + 1, rounds)


def sync_model(con: duckdb.DuckDBPyConnection, model: Model) -> Model:
    """Record the package's `model` as a version where it applies (model_versions.register_shipped) and make the
    catalogue tables mirror the database's current model; returns that current model."""
    from .model_versions import register_shipped

    with transaction(con):
        current = register_shipped(con, model)
    mirror_model(con, current)
    return current


def current_model(con: duckdb.DuckDBPyConnection, shipped: Model) -> Model:
    """The database's current model version (`shipped` where none is recorded yet)."""
    from .model_versions import current_model as stored

    return stored(con) or shipped


def mirror_model(con: duckdb.DuckDBPyConnection, model: Model, *, in_transaction: bool = False) -> None:
    """Make the models, categories, items and tiers tables mirror `model` (SQL joins titles and targets); in
    its own transaction unless the caller holds one."""
    current = scalar(con, "SELECT source FROM models WHERE model_key = ?", [model.key])
    if current == model.source and model.source:
        return
    if in_transaction:
        _mirror(con, model)
    else:
        with transaction(con):
            _mirror(con, model)


def _mirror(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    cats = pd.DataFrame(
        [(c.key, n, c.ja, c.en) for n, c in enumerate(model.categories)],
        columns=["category_key", "position", "title_ja", "title_en"],
    )
    items = pd.DataFrame(
        [(i.key, i.category, n, i.ja, i.en, i.default_target) for n, i in enumerate(model.items)],
        columns=["item_key", "category_key", "position", "title_ja", "title_en", "default_target"],
    ).astype({"default_target": "Int16"})
    tiers = pd.DataFrame(
        [(t.key, n, t.ja, t.en, t.default_target) for n, t in enumerate(model.tiers)],
        columns=["tier_key", "position", "title_ja", "title_en", "default_target"],
    ).astype({"default_target": "Int16", "position": "int32"})
    con.execute("DELETE FROM models")
    con.execute(
        """INSERT INTO models (model_key, version, title_ja, title_en, default_target, source, loaded_at,
               max_level) VALUES (?, ?, ?, ?, ?, ?, current_timestamp, ?)""",
        [
            model.key,
            model.version,
            model.title.get("ja"),
            model.title.get("en"),
            model.default_target,
            model.source,
            model.max_level,
        ],
    )
    con.execute("DELETE FROM categories")
    con.execute("DELETE FROM items")
    con.execute("DELETE FROM tiers")
    for table, rows_ in (("categories", cats), ("items", items), ("tiers", tiers)):
        con.from_df(rows_).insert_into(table)
    bump(con)


# --- reads the pages and the CLI share ------------------------------------------------------------


def rounds(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rounds oldest first (sql/round_order.sql): round_id, name, held_on, answered, round_position,
    previous_round_id (the answered round before)."""
    return sql_frame(con, "round_order", {}).sort_values("round_position", ignore_index=True)


def latest_round(con: duckdb.DuckDBPyConnection) -> str | None:
    """The name of the newest round, or None in an empty database."""
    names = rounds(con)["name"].tolist()
    return names[-1] if names else None


def shown_round(con: duckdb.DuckDBPyConnection) -> str | None:
    """The round figures show when none is asked for (`shown_of`)."""
    return shown_of(rounds(con))


def shown_of(ordered: pd.DataFrame) -> str | None:
    """Of rounds in order (`rounds`), the one figures show when none is asked for: the newest that holds answers
    (a later round of workshop notes only has no figures to show), else the newest; None when there is none."""
    answered = ordered[ordered["answered"]]
    names = (answered if len(answered) else ordered)["name"]
    return str(names.iloc[-1]) if len(names) else None


def known_round(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """The round `name` means as it is stored: a name that differs only in case, width or spaces (`2026-h1`,
    `２０２６-Ｈ１`) is that round, not a new one beside it; `name` itself where no round matches."""
    names = rows(con, "SELECT name FROM rounds")
    if any(stored == name for (stored,) in names):
        return name
    wanted = normalize(name)
    return next((stored for (stored,) in names if normalize(stored) == wanted), name)


def round_id(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The id of the round called `name` (or spelt so, see known_round); OpmaturityError listing the known
    rounds otherwise."""
    found = scalar(con, "SELECT round_id FROM rounds WHERE name = ?", [known_round(con, name)])
    if found is None:
        known = ", ".join(rounds(con)["name"])
        raise OpmaturityError.of("msg.store.no_round" if known else "msg.store.no_round_yet", name=name, known=known)
    return int(found)


def products(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every product with its tier (None where it has none yet): product, tier."""
    return frame(con, "SELECT name AS product, tier FROM products ORDER BY name")


def teams(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every team with its product and tier: team_id, product, team, tier."""
    return frame(
        con,
        """SELECT t.team_id, p.name AS product, t.name AS team, p.tier
           FROM teams t JOIN products p USING (product_id) ORDER BY p.name, t.name""",
    )


def import_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Imports newest first, with their counts and whether they were undone."""
    return frame(
        con,
        """SELECT i.import_id, i.file_name, i.layout, r.name AS round, i.responses, i.notes, i.replaced,
                  i.messages, i.imported_at, i.imported_by, i.undone_at
           FROM imports i LEFT JOIN rounds r USING (round_id) ORDER BY i.import_id DESC""",
    )


def answers_table(con: duckdb.DuckDBPyConnection, round_name: str) -> pd.DataFrame:
    """The live answers of a round, one row each (respondents as pseudonyms), with the file they came from."""
    return frame(
        con,
        """SELECT p.name AS product, t.name AS team, r.respondent, r.rater, i.category_key AS category,
                  r.item_key AS item, r.level, r.target, r.importance, r.comment, r.assessed_on,
                  im.file_name AS file
           FROM current_responses r
           JOIN rounds USING (round_id) JOIN teams t USING (team_id) JOIN products p USING (product_id)
           JOIN imports im USING (import_id) LEFT JOIN items i USING (item_key)
           WHERE rounds.name = ?
           ORDER BY p.name, t.name, r.rater, r.respondent, i.position""",
        [round_name],
    )


def targets_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Targets set for tiers, products and teams: tier, product, item_key (None = all items), level, team (None
    for a product's or tier's target)."""
    return frame(
        con,
        """SELECT t.tier, p.name AS product, t.item_key, t.level, tm.name AS team FROM targets t
           LEFT JOIN products p ON p.product_id = t.product_id LEFT JOIN teams tm ON tm.team_id = t.team_id
           ORDER BY t.tier NULLS LAST, p.name, tm.name NULLS FIRST, t.item_key NULLS FIRST""",
    )


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """True while nothing has been imported (the dashboard then offers the demo)."""
    return not scalar(con, "SELECT count(*) FROM imports WHERE undone_at IS NULL")


# --- writes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteCounts:
    """What an import did to workshop notes: stored, and of those new, replacing an edited one, or unchanged;
    removed: earlier notes of the same board that the new export no longer holds."""

    stored: int = 0
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class CommitResult:
    """What committing one batch did (or, for a dry run, would do)."""

    status: str  # imported | duplicate
    import_id: int | None = None
    round: str | None = None
    answered: int = 0  # answers with a level (imports.responses)
    answers: int = 0  # all answer rows, not-applicable included
    notes: int = 0
    replaced: int = 0  # earlier answers this file replaced
    created: dict[str, list[str]] = field(default_factory=dict)  # rounds/products/teams made new
    note_counts: NoteCounts = field(default_factory=NoteCounts)


def ensure_round(
    con: duckdb.DuckDBPyConnection, name: str, held_on: date | None = None, *, date_given: date | None = None
) -> tuple[int, bool]:
    """The round's id, creating it when new; the flag says whether it was created.

    A new (or still undated) round is dated by `date_given` (a person's choice), else by `held_on` (the file's
    earliest date) where it lies in the period the name states, else by that period's first day (`2024-H1`:
    1 January 2024), else by `held_on` (rounds.round_date).
    """
    found = scalar(con, "SELECT round_id FROM rounds WHERE name = ?", [name])
    held_on = round_date(name, held_on, date_given)
    if found is not None:
        if held_on is not None:
            con.execute("UPDATE rounds SET held_on = ? WHERE round_id = ? AND held_on IS NULL", [held_on, found])
        return int(found), False
    new_id = scalar(
        con,
        """INSERT INTO rounds (name, held_on, model_version) SELECT ?, ?, max(version) FROM model_versions
           RETURNING round_id""",
        [name, held_on],
    )  # a round records the model version it was first answered with
    return int(new_id), True


def ensure_product(con: duckdb.DuckDBPyConnection, product: str, tier: str | None = None) -> tuple[int, bool]:
    """The product's id, creating it when new (a tier given for a product without one is kept)."""
    product_id = scalar(con, "SELECT product_id FROM products WHERE name = ?", [product])
    if product_id is not None:
        if tier is not None:
            con.execute("UPDATE products SET tier = ? WHERE product_id = ? AND tier IS NULL", [tier, product_id])
        return int(product_id), False
    new_id = scalar(con, "INSERT INTO products (name, tier) VALUES (?, ?) RETURNING product_id", [product, tier])
    return int(new_id), True


def ensure_team(
    con: duckdb.DuckDBPyConnection, product: str, team: str, tier: str | None = None
) -> tuple[int, list[str]]:
    """The team's id, creating its product and itself when new; returns what was created."""
    product_id, new_product = ensure_product(con, product, tier)
    created = [f"product:{product}"] if new_product else []
    team_id = scalar(con, "SELECT team_id FROM teams WHERE product_id = ? AND name = ?", [product_id, team])
    if team_id is None:  # a name the team had before it was renamed or merged (rename_team)
        team_id = scalar(con, "SELECT team_id FROM team_aliases WHERE product_id = ? AND name = ?", [product_id, team])
    if team_id is None:
        sql = "INSERT INTO teams (product_id, name) VALUES (?, ?) RETURNING team_id"
        team_id = scalar(con, sql, [product_id, team])
        created.append(f"team:{product} / {team}")
    return int(team_id), created


def _ensure_teams(
    con: duckdb.DuckDBPyConnection,
    pairs: list[tuple[str, str]],
    tiers: Mapping[str, str],
    created: dict[str, list[str]],
) -> dict[tuple[str, str], int]:
    """The id of every (product, team) pair, making the products and teams that are new in a few statements
    (not a few per team: an organisation's first import names hundreds); what was made is added to `created`,
    in the order the pairs come. The tier `tiers` gives a product without one is kept, as `ensure_product` does."""
    order = list(dict.fromkeys(pairs))
    if not order:
        return {}
    wanted = pa.table({"product": [p for p, _ in order], "team": [t for _, t in order],
                       "tier": [tiers.get(p) for p, _ in order], "seq": list(range(len(order)))})  # fmt: skip
    con.register("_batch_pairs", wanted)
    try:
        con.execute(
            """UPDATE products AS p SET tier = w.tier
               FROM (SELECT DISTINCT product, tier FROM _batch_pairs WHERE tier IS NOT NULL) AS w
               WHERE p.name = w.product AND p.tier IS NULL"""
        )
        new_products = rows(
            con,
            """INSERT INTO products (name, tier)
               SELECT product, max(tier) FROM _batch_pairs
               WHERE product NOT IN (SELECT name FROM products) GROUP BY product ORDER BY min(seq)
               RETURNING name""",
        )
        new_teams = rows(
            con,
            """INSERT INTO teams (product_id, name)
               SELECT p.product_id, w.team FROM _batch_pairs w JOIN products p ON p.name = w.product
               WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE t.product_id = p.product_id AND t.name = w.team)
                 AND NOT EXISTS (SELECT 1 FROM team_aliases a WHERE a.product_id = p.product_id AND a.name = w.team)
               ORDER BY w.seq
               RETURNING team_id""",
        )
        found = rows(  # by its name, else by a name it had before it was renamed or merged (rename_team)
            con,
            """SELECT w.product, w.team, coalesce(t.team_id, a.team_id) FROM _batch_pairs w
               JOIN products p ON p.name = w.product
               LEFT JOIN teams t ON t.product_id = p.product_id AND t.name = w.team
               LEFT JOIN team_aliases a ON a.product_id = p.product_id AND a.name = w.team
               WHERE coalesce(t.team_id, a.team_id) IS NOT NULL""",
        )
    finally:
        con.unregister("_batch_pairs")
    new = {str(r[0]) for r in new_products}
    created["products"].extend(p for p in dict.fromkeys(p for p, _ in order) if p in new)
    ids = {(str(p), str(t)): int(i) for p, t, i in found}
    made = {int(r[0]) for r in new_teams}
    created["teams"].extend(f"{p} / {t}" for p, t in order if ids[(p, t)] in made)
    return ids


def find_duplicate(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """The live import of exactly these bytes, if any."""
    found = scalar(con, "SELECT min(import_id) FROM imports WHERE sha256 = ? AND undone_at IS NULL", [sha256])
    return int(found) if found is not None else None


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    round_name: str,
    *,
    imported_by: str | None = None,
    dry_run: bool = False,
    actor: Actor | None = None,
) -> CommitResult:
    """Store the batch's answers and notes in one transaction (rolled back for a dry run), as `actor` (None:
    the command line's operator), who needs the right to change; `imported_by` names the import otherwise.

    Answers that repeat the natural key (round, team, respondent, rater, item) of a live answer
    replace it; the replaced rows stay, marked, so that undo can bring them back.
    """
    actor = require(actor, "change") if not dry_run else actor or VIEWER  # a dry run changes nothing
    round_name = known_round(con, round_name)  # `2026-h1` joins 2026-H1 instead of starting a round beside it
    duplicate = find_duplicate(con, batch.sha256)
    if duplicate is not None:
        return CommitResult(status="duplicate", import_id=duplicate, round=round_name)
    with transaction(con, keep=not dry_run):
        result = _write_batch(con, batch, round_name, imported_by if imported_by is not None else actor.name)
        if not dry_run:
            audit.record(con, actor, "import", f"#{result.import_id} {batch.file}", round=round_name,
                         answers=result.answered, notes=result.notes, replaced=result.replaced)  # fmt: skip
        bump(con, None if batch.tiers else [round_id(con, round_name)])  # a tier given: every round's targets
    if dry_run:
        result.import_id = None
    return result


def _write_batch(con: duckdb.DuckDBPyConnection, batch: Batch, round_name: str, imported_by: str) -> CommitResult:
    created: dict[str, list[str]] = {"rounds": [], "products": [], "teams": []}
    rid, new_round = ensure_round(con, round_name, batch.round_date, date_given=batch.round_date_given)
    if new_round:
        created["rounds"].append(round_name)
    answers = batch.answers.table
    pairs = answers.select(["product", "team"]).group_by(["product", "team"], use_threads=False).aggregate([])
    named = list(zip(pairs["product"].to_pylist(), pairs["team"].to_pylist(), strict=True))
    named += [(n.product, n.team) for n in batch.notes if n.product and n.team]
    team_ids = _ensure_teams(con, named, batch.tiers, created)
    product_ids: dict[str, int] = {}

    def product_id(product: str) -> int:
        if product not in product_ids:
            pid, made = ensure_product(con, product, batch.tiers.get(product))
            if made:
                created["products"].append(product)
            product_ids[product] = pid
        return product_ids[product]

    import_id = int(
        scalar(
            con,
            """INSERT INTO imports (file_name, sha256, layout, round_id, messages, imported_at, imported_by)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING import_id""",
            [
                batch.file,
                batch.sha256,
                batch.layout,
                rid,
                "\n".join(batch.messages) or None,
                datetime.now(),
                imported_by,
            ],
        )
    )
    replaced = _write_answers(con, answers, import_id, rid, team_ids)
    note_counts = _write_notes(con, batch, import_id, rid, product_id, team_ids) if batch.notes else NoteCounts()
    with_level = answers.num_rows - answers["level"].null_count
    con.execute(
        "UPDATE imports SET responses = ?, answers = ?, notes = ?, replaced = ? WHERE import_id = ?",
        [with_level, answers.num_rows, note_counts.stored, replaced, import_id],
    )
    return CommitResult(
        status="imported",
        import_id=import_id,
        round=round_name,
        answered=with_level,
        answers=answers.num_rows,
        notes=note_counts.stored,
        replaced=replaced,
        created={k: v for k, v in created.items() if v},
        note_counts=note_counts,
    )


def _write_answers(
    con: duckdb.DuckDBPyConnection,
    answers: pa.Table,
    import_id: int,
    rid: int,
    team_ids: Mapping[tuple[str, str], int],
) -> int:
    """Insert a file's answers in one statement from their Arrow columns, marking the live answers they repeat
    as replaced; returns how many were replaced."""
    if answers.num_rows == 0:
        return 0
    teams = pa.table({"product": [p for p, _ in team_ids], "team": [t for _, t in team_ids],
                      "team_id": list(team_ids.values())})  # fmt: skip
    con.register("_batch_answers", answers)
    con.register("_batch_teams", teams)
    try:
        # One pass: mark the live answers this file repeats, and count them from what it marked.
        replaced = len(
            rows(
                con,
                """UPDATE responses AS r SET superseded_by = ?
                   FROM (SELECT DISTINCT t.team_id, a.respondent, a.rater, a.item
                         FROM _batch_answers a JOIN _batch_teams t USING (product, team)) AS b
                   WHERE r.superseded_by IS NULL AND r.round_id = ? AND r.team_id = b.team_id
                     AND r.respondent = b.respondent AND r.rater = b.rater AND r.item_key = b.item
                   RETURNING r.round_id""",
                [import_id, rid],
            )
        )
        con.execute(
            """INSERT INTO responses SELECT ?, ?, t.team_id, a.respondent, a.rater, a.item, a.level, a.target,
                      a.importance, a.comment, a.assessed_on, NULL
               FROM _batch_answers a JOIN _batch_teams t USING (product, team)""",
            [import_id, rid],
        )
    finally:
        con.unregister("_batch_answers")
        con.unregister("_batch_teams")
    return replaced


def _write_notes(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    import_id: int,
    rid: int,
    product_id: Callable[[str], int],
    team_ids: Mapping[tuple[str, str], int],
) -> NoteCounts:
    """Store the batch's notes, replacing the live notes they repeat (same round, product, team and natural key:
    the Miro item id, else group and text); with a board named, the board's earlier notes that the new export
    no longer holds are taken out too. What was replaced stays, marked, for undo; a link a person made is kept."""
    seen: set[tuple[int | None, int | None, str]] = set()
    rows_: list[tuple[object, ...]] = []
    for n in batch.notes:
        pid = product_id(n.product) if n.product else None
        tid = team_ids[(n.product, n.team)] if n.product and n.team else None
        key = note_key(n.key, n.group, n.text)
        if (pid, tid, key) in seen:  # the same sticky twice in one export (a frame and the board both list it)
            continue
        seen.add((pid, tid, key))
        rows_.append((pid, tid, n.text, n.group, list(n.tags), n.colour, n.author, n.item, key))
    notes = pd.DataFrame(
        rows_,
        columns=["product_id", "team_id", "text", "group_name", "tags", "colour", "author", "item_key", "note_key"],
    ).astype({"product_id": "Int32", "team_id": "Int32"})
    con.register("_batch_notes", notes)
    try:
        earlier = frame(
            con,
            """UPDATE notes AS n SET superseded_by = ?
               FROM _batch_notes AS b
               WHERE n.superseded_by IS NULL AND n.round_id = ? AND n.note_key = b.note_key
                 AND n.product_id IS NOT DISTINCT FROM b.product_id AND n.team_id IS NOT DISTINCT FROM b.team_id
               RETURNING n.note_key, n.product_id, n.team_id, n.text, n.group_name, n.colour, n.tags""",
            [import_id, rid],
        )
        removed = 0
        if batch.board:
            removed = len(
                rows(
                    con,
                    """UPDATE notes SET superseded_by = ? WHERE superseded_by IS NULL AND round_id = ? AND board = ?
                       RETURNING note_id""",
                    [import_id, rid, batch.board],
                )
            )
        con.execute(
            """INSERT INTO notes (import_id, round_id, product_id, team_id, text, group_name, tags, colour,
                      author, item_key, linked_by, note_key, board)
               SELECT ?, ?, product_id, team_id, text, group_name, CAST(tags AS VARCHAR[]), colour, author,
                      item_key, CASE WHEN item_key IS NULL THEN NULL ELSE 'rule' END, note_key, ?
               FROM _batch_notes""",
            [import_id, rid, batch.board],
        )
        # A link a person chose for a note survives the re-import that replaces the note.
        con.execute(
            """UPDATE notes AS n SET item_key = o.item_key, linked_by = o.linked_by
               FROM notes AS o
               WHERE n.import_id = ? AND o.superseded_by = ? AND o.linked_by = 'person'
                 AND o.note_key = n.note_key AND o.product_id IS NOT DISTINCT FROM n.product_id
                 AND o.team_id IS NOT DISTINCT FROM n.team_id""",
            [import_id, import_id],
        )
    finally:
        con.unregister("_batch_notes")
    new = {
        (_id(r.product_id), _id(r.team_id), r.note_key): (r.text, r.group_name, r.colour, list(r.tags))
        for r in notes.itertuples()
    }
    unchanged = replaced = 0
    for r in earlier.itertuples():
        pid, tid = _id(r.product_id), _id(r.team_id)
        before = (r.text, r.group_name, r.colour, list(r.tags) if r.tags is not None else [])
        after = new.get((pid, tid, r.note_key))
        if after is not None and _same_note(before, after):
            unchanged += 1
        else:
            replaced += 1
    return NoteCounts(
        stored=len(notes), new=len(notes) - len(earlier), replaced=replaced, unchanged=unchanged, removed=removed
    )


def _id(value: object) -> int | None:
    """A product or team id as a key: None for a note without one (pandas' NA and NaN alike)."""
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]


def _same_note(before: tuple[object, ...], after: tuple[object, ...]) -> bool:
    return all(
        (a if a is not None and not (isinstance(a, float) and pd.isna(a)) else None)
        == (b if b is not None and not (isinstance(b, float) and pd.isna(b)) else None)
        for a, b in zip(before, after, strict=True)
    )


def undo_import(con: duckdb.DuckDBPyConnection, import_id: int, *, actor: Actor | None = None) -> None:
    """Take an import back, as `actor` (None: the command line's operator): its rows go, and the answers it
    replaced are live again."""
    actor = require(actor, "change")
    state = rows(con, "SELECT undone_at, file_name, round_id FROM imports WHERE import_id = ?", [import_id])
    if not state:
        raise OpmaturityError.of("msg.store.no_import", import_id=import_id)
    if state[0][0] is not None:
        raise OpmaturityError.of("msg.store.already_undone", import_id=import_id, when=f"{state[0][0]:%Y-%m-%d %H:%M}")
    undone_round = state[0][2]
    with transaction(con):
        # What this import replaced becomes live again, unless a later import replaced the same key.
        con.execute(
            """UPDATE responses AS a SET superseded_by = b.superseded_by
               FROM responses AS b
               WHERE a.superseded_by = ? AND b.import_id = ? AND a.round_id = b.round_id
                 AND a.team_id = b.team_id AND a.respondent = b.respondent AND a.rater = b.rater
                 AND a.item_key = b.item_key""",
            [import_id, import_id],
        )
        con.execute("UPDATE responses SET superseded_by = NULL WHERE superseded_by = ?", [import_id])
        con.execute("DELETE FROM responses WHERE import_id = ?", [import_id])
        con.execute(
            """UPDATE notes AS a SET superseded_by = b.superseded_by
               FROM notes AS b
               WHERE a.superseded_by = ? AND b.import_id = ? AND a.round_id = b.round_id AND a.note_key = b.note_key
                 AND a.product_id IS NOT DISTINCT FROM b.product_id AND a.team_id IS NOT DISTINCT FROM b.team_id""",
            [import_id, import_id],
        )
        con.execute("UPDATE notes SET superseded_by = NULL WHERE superseded_by = ?", [import_id])
        con.execute("DELETE FROM notes WHERE import_id = ?", [import_id])
        con.execute("UPDATE imports SET undone_at = ? WHERE import_id = ?", [datetime.now(), import_id])
        _drop_empty(con)
        audit.record(con, actor, "undo", f"#{import_id} {state[0][1]}")
        bump(con, [undone_round])


def _drop_empty(con: duckdb.DuckDBPyConnection) -> None:
    """Rounds, teams and products nothing refers to any more (a typo'd round undone) disappear."""
    con.execute(
        """DELETE FROM teams t WHERE NOT EXISTS (SELECT 1 FROM responses r WHERE r.team_id = t.team_id)
             AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.team_id = t.team_id)
             AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.team_id = t.team_id)"""
    )
    con.execute(
        """DELETE FROM products p WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE t.product_id = p.product_id)
             AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.product_id = p.product_id)
             AND NOT EXISTS (SELECT 1 FROM targets g WHERE g.product_id = p.product_id)"""
    )
    con.execute(
        """DELETE FROM rounds o WHERE NOT EXISTS (SELECT 1 FROM responses r WHERE r.round_id = o.round_id)
             AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.round_id = o.round_id)
             AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.round_id = o.round_id)
             AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.round_id = o.round_id AND i.undone_at IS NULL)"""
    )


def rename_round(con: duckdb.DuckDBPyConnection, name: str, new_name: str, *, actor: Actor | None = None) -> None:
    """Give the round `name` a new name (its answers, notes and actions follow it)."""
    edit_round(con, name, new_name=new_name or "", actor=actor)  # "" is refused: a round needs a name


def set_round_date(con: duckdb.DuckDBPyConnection, name: str, held_on: date, *, actor: Actor | None = None) -> None:
    """Date the round `name`: it takes its place among the rounds by this date."""
    edit_round(con, name, held_on=held_on, actor=actor)


def edit_round(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    new_name: str | None = None,
    held_on: date | None = None,
    actor: Actor | None = None,
) -> None:
    """Rename the round `name` and/or date it, all or nothing: a new name that is refused leaves its date as it
    was too (the Model page wrote the date, then refused the name; an outside review saw 2026-H2 dated 2025).
    `new_name` None keeps the name ("" is refused), `held_on` None keeps the date."""
    actor = require(actor, "change")
    found = round_id(con, name)
    if new_name is not None:
        new_name = new_name.strip()
        if not new_name:
            raise OpmaturityError.of("msg.store.round_needs_name")
        if new_name != name and scalar(con, "SELECT count(*) FROM rounds WHERE name = ?", [new_name]):
            raise OpmaturityError.of("msg.store.round_exists", name=new_name)
    renamed = new_name is not None and new_name != name
    if held_on is None and not renamed:
        return  # nothing to change: nothing written, the revision stays
    with transaction(con):
        if held_on is not None:
            con.execute("UPDATE rounds SET held_on = ? WHERE round_id = ?", [held_on, found])
            audit.record(con, actor, "round_date", name, held_on=held_on)
        if renamed:
            con.execute("UPDATE rounds SET name = ? WHERE round_id = ?", [new_name, found])
            audit.record(con, actor, "round_name", name, new_name=new_name)
        bump(con, NO_LEVELS)


def set_target(
    con: duckdb.DuckDBPyConnection,
    level: int,
    *,
    tier: str | None = None,
    product: str | None = None,
    team: str | None = None,
    item: str | None = None,
    actor: Actor | None = None,
) -> None:
    """Set the target level for a tier, a product or one team of a product (an override), for one item or
    (item None) all items; `level` None takes that target away again."""
    actor = require(actor, "change")
    if (tier is None) == (product is None):
        raise OpmaturityError.of("msg.store.target_where")
    top = scalar(con, "SELECT coalesce(max(max_level), 4) FROM models")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= top):
        raise OpmaturityError.of("msg.store.bad_target", top=top, value=level)
    if tier is not None and not scalar(con, "SELECT count(*) FROM tiers WHERE tier_key = ?", [tier]):
        raise OpmaturityError.of("msg.store.no_tier", tier=tier, known=_tier_keys(con))
    if item is not None and not scalar(con, "SELECT count(*) FROM items WHERE item_key = ?", [item]):
        raise OpmaturityError.of("msg.store.no_item", item=item)
    product_id = team_id = None
    if product is not None:
        product_id = scalar(con, "SELECT product_id FROM products WHERE name = ?", [product])
        if product_id is None:
            raise OpmaturityError.of("msg.store.no_product", product=product)
    if team is not None:
        team_id = scalar(con, "SELECT team_id FROM teams WHERE product_id = ? AND name = ?", [product_id, team])
        if team_id is None:
            raise OpmaturityError.of("msg.store.no_team", product=product, team=team)
    with transaction(con):
        set_target_rows(con, level, tier=tier, product_id=product_id, team_id=team_id, item=item)
        where = f"tier {tier}" if tier is not None else " / ".join(n for n in (product, team) if n is not None)
        audit.record(con, actor, "target", where, tier=tier, item=item, level=level)
        bump(con)


def set_target_rows(
    con: duckdb.DuckDBPyConnection,
    level: int | None,
    *,
    tier: str | None = None,
    product_id: int | None = None,
    team_id: int | None = None,
    item: str | None = None,
) -> None:
    """Replace one target row (checked by the caller, inside the caller's transaction); None removes it."""
    con.execute(
        """DELETE FROM targets WHERE tier IS NOT DISTINCT FROM ? AND product_id IS NOT DISTINCT FROM ?
           AND team_id IS NOT DISTINCT FROM ? AND item_key IS NOT DISTINCT FROM ?""",
        [tier, product_id, team_id, item],
    )
    if level is not None:
        con.execute(
            "INSERT INTO targets (tier, product_id, team_id, item_key, level) VALUES (?, ?, ?, ?, ?)",
            [tier, product_id, team_id, item, level],
        )


def _tier_keys(con: duckdb.DuckDBPyConnection) -> Listed:
    return Listed(r[0] for r in rows(con, "SELECT tier_key FROM tiers ORDER BY position"))


def set_product_tier(
    con: duckdb.DuckDBPyConnection, product: str, tier: str | None, *, actor: Actor | None = None
) -> None:
    """Give `product` a tier of the model (None: no tier): its targets follow the tier's."""
    actor = require(actor, "change")
    if not scalar(con, "SELECT count(*) FROM products WHERE name = ?", [product]):
        names = [r[0] for r in rows(con, "SELECT name FROM products ORDER BY name")]
        known = Quoted(names) if names else Message("msg.store.none_yet")
        raise OpmaturityError.of("msg.store.no_product_known", product=product, known=known)
    if tier is not None and not scalar(con, "SELECT count(*) FROM tiers WHERE tier_key = ?", [tier]):
        raise OpmaturityError.of("msg.store.no_tier", tier=tier, known=_tier_keys(con))
    with transaction(con):
        con.execute("UPDATE products SET tier = ? WHERE name = ?", [tier, product])
        audit.record(con, actor, "tier", product, tier=tier)
        bump(con)


def rename_team(
    con: duckdb.DuckDBPyConnection, product: str, team: str, new_name: str, *, actor: Actor | None = None
) -> str:
    """Give the team `team` of `product` a new name; its answers, notes, actions and targets follow it. Where the
    product has a team of that name already (a file named the team anew, and an import made it a second team),
    the two become one under the new name: the history joins up. Refused, with nothing changed, where both teams
    answered the same items as the same respondents in one round (an import counted twice?) or set different
    targets for one item. Returns what was done: "renamed", "merged" or "unchanged" (the name it has)."""
    actor = require(actor, "change")
    new_name = visible(new_name or "")
    if not new_name:
        raise OpmaturityError.of("msg.store.team_needs_name")
    found = rows(con, """SELECT t.team_id FROM teams t JOIN products p USING (product_id)
                         WHERE p.name = ? AND t.name = ?""", [product, team])  # fmt: skip
    if not found:
        raise OpmaturityError.of("msg.store.no_team", product=product, team=team)
    old_id = found[0][0]
    if new_name == team:
        return "unchanged"  # nothing to change: nothing written, the revision stays
    other = rows(con, "SELECT team_id FROM teams WHERE product_id = (SELECT product_id FROM teams WHERE team_id = ?) "
                      "AND name = ?", [old_id, new_name])  # fmt: skip
    into = other[0][0] if other else None
    with transaction(con):
        if into is not None:  # checked inside the write: an import meanwhile cannot slip a clash in
            _check_merge(con, product, team, new_name, old_id, into)
        # the old name stays the team's: a later file that still writes it imports into this team
        con.execute("DELETE FROM team_aliases WHERE name IN (?, ?) AND product_id = (SELECT product_id FROM teams "
                    "WHERE team_id = ?)", [team, new_name, old_id])  # fmt: skip
        con.execute("INSERT INTO team_aliases SELECT product_id, ?, ? FROM teams WHERE team_id = ?",
                    [team, old_id if into is None else into, old_id])  # fmt: skip
        if into is None:
            con.execute("UPDATE teams SET name = ? WHERE team_id = ?", [new_name, old_id])
            audit.record(con, actor, "team_name", f"{product} / {team}", new_name=new_name)
        else:
            # every table that names a team by its id (each statement written out: no SQL is built from text)
            con.execute("UPDATE responses SET team_id = ? WHERE team_id = ?", [into, old_id])
            con.execute("UPDATE notes SET team_id = ? WHERE team_id = ?", [into, old_id])
            con.execute("UPDATE actions SET team_id = ? WHERE team_id = ?", [into, old_id])
            con.execute("UPDATE team_aliases SET team_id = ? WHERE team_id = ?", [into, old_id])
            con.execute(  # a target the team set under both names (the same level: _check_merge) is kept once
                """DELETE FROM targets AS a WHERE a.team_id = ? AND EXISTS (SELECT 1 FROM targets AS b
                       WHERE b.team_id = ? AND b.item_key IS NOT DISTINCT FROM a.item_key)""",
                [old_id, into],
            )
            con.execute("UPDATE targets SET team_id = ? WHERE team_id = ?", [into, old_id])
            con.execute("DELETE FROM teams WHERE team_id = ?", [old_id])
            audit.record(con, actor, "team_merge", f"{product} / {team}", new_name=new_name)
        bump(con)
    return "renamed" if into is None else "merged"


def renamed_teams(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(product, a name a team had before it was renamed or merged) -> the team's name now (rename_team)."""
    found = rows(con, """SELECT p.name, a.name, t.name FROM team_aliases a JOIN teams t USING (team_id)
                         JOIN products p ON p.product_id = a.product_id""")  # fmt: skip
    return {(str(product), str(old)): str(now) for product, old, now in found}


def aliases_used(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, str | None]]) -> list[tuple[str, str, str]]:
    """Of these (product, team) names, those that are a name a team had before it was renamed or merged: (product,
    the name written, the team's name now). One read of the aliases, however many teams a file names."""
    renamed = renamed_teams(con)
    return [(product, team, renamed[(product, team)]) for product, team in dict.fromkeys(pairs)
            if team and (product, team) in renamed]  # fmt: skip


def _check_merge(con: duckdb.DuckDBPyConnection, product: str, team: str, new_name: str, old_id: int, into: int
                 ) -> None:  # fmt: skip
    """Refuse to merge two teams whose answers would clash: the same respondent, rater group and item in one round
    under both names (an export imported under both, most likely), or two targets for one item. Answers of one
    round under both names that do not clash are one team's (its members and SRE named it differently)."""
    both = rows(con, """
        SELECT r.name, count(*) FROM current_responses a
        JOIN current_responses b ON b.round_id = a.round_id AND b.respondent = a.respondent AND b.rater = a.rater
            AND b.item_key = a.item_key
        JOIN rounds r ON r.round_id = a.round_id
        WHERE a.team_id = ? AND b.team_id = ?
        GROUP BY r.round_id, r.name ORDER BY r.round_id""", [old_id, into])  # fmt: skip
    problems = [
        Problem.of("msg.store.merge_same_round", round=name, team=team, other=new_name, n=n) for name, n in both
    ]
    clash = rows(con, """
        WITH set_now AS (  -- the target each team has now per item (the newest row wins, as in sql/answers.sql)
            SELECT team_id, item_key, arg_max(level, target_id) AS level FROM targets
            WHERE team_id IN (?, ?) GROUP BY team_id, item_key
        )
        SELECT coalesce(a.item_key, '*'), a.level, b.level FROM set_now a JOIN set_now b
            ON a.item_key IS NOT DISTINCT FROM b.item_key
        WHERE a.team_id = ? AND b.team_id = ? AND a.level <> b.level ORDER BY 1""",
        [old_id, into, old_id, into])  # fmt: skip
    problems += [Problem.of("msg.store.merge_targets", item=item, level=a, other_level=b, team=team, other=new_name)
                 for item, a, b in clash]  # fmt: skip
    if problems:
        raise OpmaturityError.of("msg.store.merge_refused", problems, product=product, team=team, other=new_name)


def header_mappings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Normalised survey header -> item key, as people mapped them on earlier imports."""
    return dict(rows(con, "SELECT header, item_key FROM header_mappings"))


def remember_mapping(con: duckdb.DuckDBPyConnection, header: str, item_key: str, *, actor: Actor | None = None) -> None:
    """Remember that `header` (normalised by the caller) means `item_key` from now on."""
    actor = require(actor, "change")
    with transaction(con):
        con.execute(
            """INSERT INTO header_mappings (header, item_key) VALUES (?, ?)
               ON CONFLICT (header) DO UPDATE SET item_key = excluded.item_key, mapped_at = now()""",
            [header, item_key],
        )
        audit.record(con, actor, "mapping", header, item=item_key)
        bump(con, NO_LEVELS)


def forget_mappings(con: duckdb.DuckDBPyConnection, headers: list[str], *, actor: Actor | None = None) -> None:
    """Forget the remembered meaning of these (normalised) headers."""
    actor = require(actor, "change")
    with transaction(con):
        for header in headers:
            con.execute("DELETE FROM header_mappings WHERE header = ?", [header])
            audit.record(con, actor, "mapping_forget", header)
        bump(con, NO_LEVELS)
