"""Backup and restore: the whole database as Parquet files plus a manifest, and back into a new file.

A backup folder holds one `<table>.parquet` per table and `manifest.json`: the format, the schema version,
and per table its file, row count and sha256. Restoring checks every checksum before it reads anything,
builds a new database file at the backup's schema version, loads every table, checks the counts, then
migrates to the current schema. It never writes over an existing database. The pseudonym key is not in a
backup: keep it separately (without it, the same person becomes a new respondent in later imports).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from . import audit, config, levels
from .auth import Actor, require
from .errors import OpmaturityError, Problem, os_reason
from .i18n import Listed
from .queries import rows
from .schema import SCHEMA_VERSION, migrate, schema_version, transaction, writes_paused

FORMAT = "opmaturity-backup"
MANIFEST = "manifest.json"
_SEQUENCES = {"rounds": ("round_ids", "round_id"), "products": ("product_ids", "product_id"),
              "teams": ("team_ids", "team_id"), "imports": ("import_ids", "import_id"),
              "notes": ("note_ids", "note_id"), "actions": ("action_ids", "action_id"),
              "targets": ("target_ids", "target_id"), "audit": ("audit_ids", "audit_id")}  # fmt: skip


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote (its folder) or a restore loaded (the new database file), with the rows per table."""

    path: Path
    schema_version: int
    counts: dict[str, int]


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables a backup holds: all but the stored item levels, which are computed again from the data."""
    found = rows(
        con,
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "ORDER BY table_name",
    )
    return [name for (name,) in found if name != levels.TABLE]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(con: duckdb.DuckDBPyConnection, folder: str | Path) -> BackupResult:
    """Write every table of the database to `folder` (new or empty) as Parquet, with a manifest."""
    out = Path(folder)
    if out.exists() and not out.is_dir():  # a file of that name: said, never NotADirectoryError (an outside review)
        problem = Problem.of("msg.backup.out_is_file")
        raise OpmaturityError.of("msg.backup.cannot_create", [problem], folder=str(out))
    if out.exists() and any(out.iterdir()):
        raise OpmaturityError.of("msg.backup.not_empty", folder=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = Problem.of("msg.os_error", detail=os_reason(exc))
        raise OpmaturityError.of("msg.backup.cannot_create", [problem], folder=str(out)) from exc
    tables: dict[str, dict[str, object]] = {}
    version = schema_version(con)
    with transaction(con):  # one consistent snapshot of every table
        for name in _tables(con):
            if name == "schema_version":  # the manifest says the version; a restore migrates its own
                continue
            path = out / f"{name}.parquet"
            con.table(name).write_parquet(str(path))
            count = con.table(name).count("*").fetchall()[0][0]
            tables[name] = {"file": path.name, "rows": int(count), "sha256": _sha256(path)}
    manifest = {
        "format": FORMAT,
        "schema_version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": tables,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return BackupResult(out, version, {name: int(t["rows"]) for name, t in tables.items()})  # type: ignore[call-overload]


def read_manifest(folder: str | Path) -> dict[str, object]:
    """The manifest of a backup folder, checked: format, schema version, and every file's checksum."""
    source = Path(folder)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OpmaturityError.of("msg.backup.no_manifest", folder=str(source), manifest=MANIFEST) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = Problem.of("msg.os_error", detail=str(exc))
        raise OpmaturityError.of("msg.backup.unreadable", [problem], path=str(source / MANIFEST)) from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("tables"), dict)
    ):
        raise OpmaturityError.of("msg.backup.not_manifest", path=str(source / MANIFEST))
    version = manifest.get("schema_version")
    if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        raise OpmaturityError.of("msg.backup.schema", version=repr(version), known=SCHEMA_VERSION)
    problems = []
    for name, entry in manifest["tables"].items():
        path = source / str(entry.get("file", ""))
        if not path.is_file() or path.parent != source:
            problems.append(Problem.of("msg.backup.missing_file", file=str(path), table=name))
        elif _sha256(path) != entry.get("sha256"):
            problems.append(Problem.of("msg.backup.changed_file", file=str(path), table=name))
    if problems:
        raise OpmaturityError.of("msg.backup.damaged", problems, folder=str(source))
    return manifest


def restore(folder: str | Path, db_file: str | Path) -> BackupResult:
    """Build the new database `db_file` from a backup folder; refuses to write over an existing file."""
    source, target = Path(folder), Path(db_file)
    manifest = read_manifest(source)
    if target.exists():
        raise OpmaturityError.of("msg.backup.exists", path=str(target))
    version = int(manifest["schema_version"])  # type: ignore[call-overload]
    tables: dict[str, dict[str, object]] = manifest["tables"]  # type: ignore[assignment]
    try:
        con = duckdb.connect(str(target))
    except duckdb.Error as exc:
        problem = Problem.of("msg.os_error", detail=str(exc))
        raise OpmaturityError.of("msg.backup.cannot_create_db", [problem], path=str(target)) from exc
    try:
        migrate(con, target=version)
        known = set(_tables(con))
        unknown = sorted(set(tables) - known)
        if unknown:
            raise OpmaturityError.of("msg.backup.unknown_tables", tables=Listed(unknown))
        counts: dict[str, int] = {}
        with transaction(con):
            for name in sorted(tables):
                if name == "meta":  # the one table a migration fills (the revision): the backup's replaces it
                    con.execute("DELETE FROM meta")
                con.read_parquet(str(source / str(tables[name]["file"]))).insert_into(name)
                counts[name] = int(con.table(name).count("*").fetchall()[0][0])
            for name, (sequence, column) in _SEQUENCES.items():
                if name not in known:  # a backup from before the table existed (e.g. the audit, schema 10)
                    continue
                top = con.table(name).aggregate(f"coalesce(max({column}), 0)").fetchall()[0][0]
                con.execute("SELECT max(nextval(?)) FROM range(?)", [sequence, int(top)]).fetchall()
        wrong = [
            Problem.of("msg.backup.count", table=name, restored=counts.get(name), expected=entry["rows"])
            for name, entry in tables.items()
            if counts.get(name) != entry.get("rows")
        ]
        if wrong:
            raise OpmaturityError.of("msg.backup.mismatch", wrong)
        levels.forget(con)  # a backup holds no item levels: computed again on the first connect
        migrate(con)
        return BackupResult(target, schema_version(con), counts)
    except BaseException:
        con.close()
        target.unlink(missing_ok=True)
        Path(f"{target}.wal").unlink(missing_ok=True)
        raise
    finally:
        con.close()


# --- the same, as one file a person downloads and uploads (the dashboard's Backup page) --------------------

ARCHIVE_LIMIT = 4 * 1024**3  # bytes an uploaded backup may unpack to (zip bombs stop here)


def backup_archive(con: duckdb.DuckDBPyConnection, *, actor: Actor | None = None) -> bytes:
    """The whole database as one zip file: the backup folder's Parquet files and manifest. It holds every answer:
    `actor` (None: the command line's operator) needs the right to see answer-level data."""
    require(actor, "answers")
    with tempfile.TemporaryDirectory(prefix="opmaturity-backup-") as scratch:
        result = backup(con, Path(scratch) / "backup")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(result.path.iterdir()):
                archive.write(path, path.name)
        return buffer.getvalue()


def unpack_archive(data: bytes, folder: str | Path, name: str = "backup.zip") -> dict[str, object]:
    """Unpack an uploaded backup zip into the empty `folder` and return its checked manifest.

    Only a flat zip of `manifest.json` and `*.parquet` files is accepted (no folders, no other names, nothing
    that unpacks beyond ARCHIVE_LIMIT); every checksum is checked against the manifest before anything is read.
    """
    out = Path(folder)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise OpmaturityError.of("msg.backup.not_archive", [Problem.of("msg.backup.archive_shape")], name=name) from exc
    strange = [m.filename for m in members if not _archive_name(m.filename)]
    if strange or not members:
        problems = [Problem.of("msg.backup.archive_member", file=name, member=member) for member in strange[:10]]
        problems.append(Problem.of("msg.backup.archive_shape"))
        raise OpmaturityError.of("msg.backup.not_archive", problems, name=name)
    if sum(m.file_size for m in members) > ARCHIVE_LIMIT:
        raise OpmaturityError.of("msg.backup.archive_too_big", name=name, limit=f"{ARCHIVE_LIMIT / 1024**3:g} GB")
    out.mkdir(parents=True, exist_ok=True)
    with archive:
        for member in members:
            with archive.open(member) as source, (out / member.filename).open("wb") as target:
                written = 0
                for block in iter(lambda: source.read(1 << 20), b""):  # noqa: B023  (read in this iteration)
                    written += len(block)
                    if written > member.file_size:  # a header that lies about the size
                        raise OpmaturityError.of(
                            "msg.backup.archive_too_big", name=name, limit=f"{member.file_size} bytes"
                        )
                    target.write(block)
    return read_manifest(out)


def _archive_name(name: str) -> bool:
    plain = "/" not in name and "\\" not in name and not name.startswith(".") and name == os.path.basename(name)
    return plain and (name == MANIFEST or name.endswith(".parquet"))


@dataclass(frozen=True)
class Replaced:
    """A restore in place: what was restored into the database file, and where the data before it was kept."""

    restored: BackupResult
    kept: Path


def replace_database(
    folder: str | Path, db_file: str | Path, *, actor: Actor | None = None, wait: float = config.LOCK_WAIT_SECONDS
) -> Replaced:
    """Restore the backup in `folder` into the database file itself, keeping the current file beside it.

    The backup is first restored into a new file and checked (restore); only then is the current file renamed
    to `<name>.before-restore-<time>.duckdb` and the restored one moved into its place, while no change of this
    process is running. Another program that holds the file makes the restore wait up to `wait` s, then fail with
    the usual message, leaving no new file behind; runs of this process still reading the old file finish on it
    and the next run attaches the restored one (store.retire).
    """
    from .store import free_elsewhere, retire, swapping  # the same waiting and message as every other open

    who = require(actor, "change")
    target = Path(db_file)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    fresh = target.with_name(f"{target.stem}.restoring-{stamp}.duckdb")
    kept = target.with_name(f"{target.stem}.before-restore-{stamp}.duckdb")
    for n in itertools.count(2):  # two restores in one second: the first one's file before is kept too
        if not (kept.exists() or fresh.exists()):
            break
        fresh = target.with_name(f"{target.stem}.restoring-{stamp}-{n}.duckdb")
        kept = target.with_name(f"{target.stem}.before-restore-{stamp}-{n}.duckdb")
    result = restore(folder, fresh)
    made = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8")).get("created_at", "?")
    con = duckdb.connect(str(fresh))  # the restore is in the change log of the file it makes (never of the old one)
    try:
        audit.record(con, who, "restore", made, rows=sum(result.counts.values()), kept=kept.name)  # the backup's time
    finally:
        con.close()
    with swapping(), writes_paused():  # in this order, as a run attaching the file takes them
        if target.exists():  # never pull a file from under another program (DuckDB's lock)
            try:
                free_elsewhere(target, wait)
            except OpmaturityError:
                for leftover in (fresh, Path(f"{fresh}.wal")):  # no restored copy left behind
                    leftover.unlink(missing_ok=True)
                raise
        for suffix in ("", ".wal"):
            current = Path(f"{target}{suffix}")
            if current.exists():
                current.rename(f"{kept}{suffix}")
        fresh.rename(target)
        Path(f"{fresh}.wal").unlink(missing_ok=True)
        retire(target)
    return Replaced(BackupResult(target, result.schema_version, result.counts), kept)
