"""DuckDB store: connections, the reads the pages share, and the write paths (commit a batch, undo it)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import config
from .batch import Batch
from .errors import OpmaturityError, Problem
from .model import Model

# The schema and the query helpers live in schema.py; callers keep using them through store.
from .schema import MIGRATIONS as MIGRATIONS
from .schema import SCHEMA_VERSION as SCHEMA_VERSION
from .schema import frame, migrate, rows, scalar
from .schema import schema_version as schema_version


def connect(path: str | Path | None = None, model: Model | None = None) -> duckdb.DuckDBPyConnection:
    """A read/write connection to the database file, migrated and holding `model`'s catalogue."""
    file = config.db_path(path)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = Problem.of("msg.os_error", file=str(file), detail=exc.strerror or str(exc))
        raise OpmaturityError.of("msg.store.cannot_open", [problem], path=str(file)) from exc
    try:
        con = duckdb.connect(str(file))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise OpmaturityError.of("msg.store.locked", [Problem.advise("locked")], path=str(file)) from exc
        raise OpmaturityError.of(
            "msg.store.cannot_open", [Problem.of("msg.os_error", detail=str(exc))], path=str(file)
        ) from exc
    migrate(con)
    if model is not None:
        sync_model(con, model)
    return con


def revision(con: duckdb.DuckDBPyConnection) -> int:
    """A number that changes whenever data changes: the key that invalidates cached queries."""
    return int(scalar(con, "SELECT value FROM meta WHERE key = 'revision'") or 0)


def bump(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the data as changed (cached queries keyed on `revision` reload)."""
    con.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR) WHERE key = 'revision'")


def sync_model(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Make the categories and items tables mirror `model` (SQL joins titles from them)."""
    current = scalar(con, "SELECT source FROM models WHERE model_key = ?", [model.key])
    if current == model.source and model.source:
        return
    cats = pd.DataFrame(
        [(c.key, n, c.ja, c.en) for n, c in enumerate(model.categories)],
        columns=["category_key", "position", "title_ja", "title_en"],
    )
    items = pd.DataFrame(
        [(i.key, i.category, n, i.ja, i.en, i.default_target) for n, i in enumerate(model.items)],
        columns=["item_key", "category_key", "position", "title_ja", "title_en", "default_target"],
    ).astype({"default_target": "Int16"})
    con.begin()
    try:
        con.execute("DELETE FROM models")
        con.execute(
            "INSERT INTO models VALUES (?, ?, ?, ?, ?, ?, current_timestamp)",
            [
                model.key,
                model.version,
                model.title.get("ja"),
                model.title.get("en"),
                model.default_target,
                model.source,
            ],
        )
        con.execute("DELETE FROM categories")
        con.execute("DELETE FROM items")
        con.register("_model_categories", cats)
        con.register("_model_items", items)
        con.execute("INSERT INTO categories SELECT * FROM _model_categories")
        con.execute("INSERT INTO items SELECT * FROM _model_items")
        bump(con)
        con.commit()
    except Exception:
        con.rollback()
        raise
    finally:
        con.unregister("_model_categories")
        con.unregister("_model_items")


# --- reads the pages and the CLI share ------------------------------------------------------------


def rounds(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rounds oldest first: round_id, name, held_on."""
    return frame(con, "SELECT round_id, name, held_on FROM rounds ORDER BY held_on NULLS LAST, round_id")


def latest_round(con: duckdb.DuckDBPyConnection) -> str | None:
    """The name of the newest round, or None in an empty database."""
    names = rounds(con)["name"].tolist()
    return names[-1] if names else None


def round_id(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The id of the round called `name`; OpmaturityError listing the known rounds otherwise."""
    found = scalar(con, "SELECT round_id FROM rounds WHERE name = ?", [name])
    if found is None:
        known = ", ".join(rounds(con)["name"])
        raise OpmaturityError.of("msg.store.no_round" if known else "msg.store.no_round_yet", name=name, known=known)
    return int(found)


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
    """Targets set for tiers and products: tier, product, item_key (None = all items), level."""
    return frame(
        con,
        """SELECT t.tier, p.name AS product, t.item_key, t.level FROM targets t
           LEFT JOIN products p USING (product_id) ORDER BY t.tier NULLS LAST, p.name, t.item_key NULLS FIRST""",
    )


def team_actions(con: duckdb.DuckDBPyConnection, product: str, team: str) -> pd.DataFrame:
    """The improvement actions a team agreed: item_key, title, owner, status, due, round."""
    return frame(
        con,
        """SELECT a.action_id, a.item_key, a.title, a.owner, a.status, a.due, r.name AS round
           FROM actions a JOIN teams t USING (team_id) JOIN products p USING (product_id)
           LEFT JOIN rounds r ON r.round_id = a.round_id
           WHERE p.name = ? AND t.name = ?
           ORDER BY CASE a.status WHEN 'doing' THEN 0 WHEN 'planned' THEN 1 WHEN 'done' THEN 2 ELSE 3 END, a.due""",
        [product, team],
    )


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """True while nothing has been imported (the dashboard then offers the demo)."""
    return not scalar(con, "SELECT count(*) FROM imports WHERE undone_at IS NULL")


# --- writes -----------------------------------------------------------------------------------------


@dataclass
class CommitResult:
    """What committing one batch did (or, for a dry run, would do)."""

    status: str  # imported | duplicate
    import_id: int | None = None
    round: str | None = None
    responses: int = 0  # answers with a level
    answers: int = 0  # all answer rows, not-applicable included
    notes: int = 0
    replaced: int = 0  # earlier answers this file replaced
    created: dict[str, list[str]] = field(default_factory=dict)  # rounds/products/teams made new


def ensure_round(con: duckdb.DuckDBPyConnection, name: str, held_on: date | None = None) -> tuple[int, bool]:
    """The round's id, creating it when new; the flag says whether it was created."""
    found = scalar(con, "SELECT round_id FROM rounds WHERE name = ?", [name])
    if found is not None:
        if held_on is not None:
            con.execute("UPDATE rounds SET held_on = ? WHERE round_id = ? AND held_on IS NULL", [held_on, found])
        return int(found), False
    new_id = scalar(con, "INSERT INTO rounds (name, held_on) VALUES (?, ?) RETURNING round_id", [name, held_on])
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
    if team_id is None:
        sql = "INSERT INTO teams (product_id, name) VALUES (?, ?) RETURNING team_id"
        team_id = scalar(con, sql, [product_id, team])
        created.append(f"team:{product} / {team}")
    return int(team_id), created


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
) -> CommitResult:
    """Store the batch's responses and notes in one transaction (rolled back for a dry run).

    Answers that repeat the natural key (round, team, respondent, rater, item) of a live answer
    replace it; the replaced rows stay, marked, so that undo can bring them back.
    """
    duplicate = find_duplicate(con, batch.sha256)
    if duplicate is not None:
        return CommitResult(status="duplicate", import_id=duplicate, round=round_name)
    con.begin()
    try:
        result = _write_batch(con, batch, round_name, imported_by)
        if dry_run:
            con.rollback()
            result.import_id = None
        else:
            bump(con)
            con.commit()
    except Exception:
        con.rollback()
        raise
    return result


def _write_batch(
    con: duckdb.DuckDBPyConnection, batch: Batch, round_name: str, imported_by: str | None
) -> CommitResult:
    created: dict[str, list[str]] = {"rounds": [], "products": [], "teams": []}
    rid, new_round = ensure_round(con, round_name, batch.round_date)
    if new_round:
        created["rounds"].append(round_name)
    team_ids: dict[tuple[str, str], int] = {}

    def team_id(product: str, team: str) -> int:
        key = (product, team)
        if key not in team_ids:
            tid, made = ensure_team(con, product, team, batch.tiers.get(product))
            for what in made:
                kind, _, name = what.partition(":")
                created[kind + "s"].append(name)
            team_ids[key] = tid
        return team_ids[key]

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
                imported_by if imported_by is not None else _who(),
            ],
        )
    )
    answers = pd.DataFrame(
        {
            "team_id": [team_id(r.product, r.team) for r in batch.responses],
            "respondent": [r.respondent for r in batch.responses],
            "rater": [r.rater for r in batch.responses],
            "item_key": [r.item for r in batch.responses],
            "level": pd.array([r.level for r in batch.responses], dtype="Int16"),
            "target": pd.array([r.target for r in batch.responses], dtype="Int16"),
            "importance": pd.array([r.importance for r in batch.responses], dtype="Int16"),
            "comment": pd.array([r.comment for r in batch.responses], dtype="object"),
            "assessed_on": pd.array([r.assessed_on for r in batch.responses], dtype="object"),
        }
    )
    answers["assessed_on"] = pd.to_datetime(answers["assessed_on"]).dt.date
    replaced = 0
    if len(answers):
        con.register("_batch_answers", answers)
        try:
            # One pass: mark the live answers this file repeats, and count them from what it marked.
            replaced = len(
                rows(
                    con,
                    """UPDATE responses AS r SET superseded_by = ?
                       FROM (SELECT DISTINCT team_id, respondent, rater, item_key FROM _batch_answers) AS b
                       WHERE r.superseded_by IS NULL AND r.round_id = ? AND r.team_id = b.team_id
                         AND r.respondent = b.respondent AND r.rater = b.rater AND r.item_key = b.item_key
                       RETURNING r.round_id""",
                    [import_id, rid],
                )
            )
            con.execute(
                """INSERT INTO responses SELECT ?, ?, team_id, respondent, rater, item_key, level, target,
                          importance, comment, assessed_on, NULL FROM _batch_answers""",
                [import_id, rid],
            )
        finally:
            con.unregister("_batch_answers")
    if batch.notes:
        notes = pd.DataFrame(
            {
                "product_id": pd.array(
                    [product_id(n.product) if n.product else None for n in batch.notes], dtype="Int32"
                ),
                "team_id": pd.array(
                    [team_id(n.product, n.team) if n.product and n.team else None for n in batch.notes],
                    dtype="Int32",
                ),
                "text": [n.text for n in batch.notes],
                "group_name": pd.array([n.group for n in batch.notes], dtype="object"),
                "tags": [list(n.tags) for n in batch.notes],
                "colour": pd.array([n.colour for n in batch.notes], dtype="object"),
                "author": pd.array([n.author for n in batch.notes], dtype="object"),
                "item_key": pd.array([n.item for n in batch.notes], dtype="object"),
            }
        )
        con.register("_batch_notes", notes)
        try:
            con.execute(
                """INSERT INTO notes (import_id, round_id, product_id, team_id, text, group_name, tags, colour,
                          author, item_key, linked_by)
                   SELECT ?, ?, product_id, team_id, text, group_name, CAST(tags AS VARCHAR[]), colour, author,
                          item_key, CASE WHEN item_key IS NULL THEN NULL ELSE 'rule' END FROM _batch_notes""",
                [import_id, rid],
            )
        finally:
            con.unregister("_batch_notes")
    with_level = sum(1 for r in batch.responses if r.level is not None)
    con.execute(
        "UPDATE imports SET responses = ?, answers = ?, notes = ?, replaced = ? WHERE import_id = ?",
        [with_level, len(batch.responses), len(batch.notes), replaced, import_id],
    )
    return CommitResult(
        status="imported",
        import_id=import_id,
        round=round_name,
        responses=with_level,
        answers=len(batch.responses),
        notes=len(batch.notes),
        replaced=replaced,
        created={k: v for k, v in created.items() if v},
    )


def undo_import(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """Take an import back: its rows go, and the answers it replaced are live again."""
    state = rows(con, "SELECT undone_at FROM imports WHERE import_id = ?", [import_id])
    if not state:
        raise OpmaturityError.of("msg.store.no_import", import_id=import_id)
    if state[0][0] is not None:
        raise OpmaturityError.of("msg.store.already_undone", import_id=import_id, when=f"{state[0][0]:%Y-%m-%d %H:%M}")
    con.begin()
    try:
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
        con.execute("DELETE FROM notes WHERE import_id = ?", [import_id])
        con.execute("UPDATE imports SET undone_at = ? WHERE import_id = ?", [datetime.now(), import_id])
        _drop_empty(con)
        bump(con)
        con.commit()
    except Exception:
        con.rollback()
        raise


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


def set_target(
    con: duckdb.DuckDBPyConnection,
    level: int,
    *,
    tier: str | None = None,
    product: str | None = None,
    item: str | None = None,
) -> None:
    """Set the target level for a tier or a product, for one item or (item None) all items."""
    if (tier is None) == (product is None):
        raise OpmaturityError.of("msg.store.target_scope")
    con.begin()
    try:
        product_id = None
        if product is not None:
            product_id = scalar(con, "SELECT product_id FROM products WHERE name = ?", [product])
            if product_id is None:
                raise OpmaturityError.of("msg.store.no_product", product=product)
        con.execute(
            """DELETE FROM targets WHERE tier IS NOT DISTINCT FROM ? AND product_id IS NOT DISTINCT FROM ?
               AND item_key IS NOT DISTINCT FROM ?""",
            [tier, product_id, item],
        )
        con.execute(
            "INSERT INTO targets (tier, product_id, item_key, level) VALUES (?, ?, ?, ?)",
            [tier, product_id, item, level],
        )
        bump(con)
        con.commit()
    except Exception:
        con.rollback()
        raise


def add_action(
    con: duckdb.DuckDBPyConnection,
    team_id: int,
    title: str,
    *,
    item: str | None = None,
    round_id: int | None = None,
    owner: str | None = None,
    status: str = "planned",
    due: date | None = None,
) -> int:
    """Record an improvement action a team agreed; returns its id."""
    new_id = scalar(
        con,
        """INSERT INTO actions (team_id, round_id, item_key, title, owner, status, due)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING action_id""",
        [team_id, round_id, item, title, owner, status, due],
    )
    bump(con)
    return int(new_id)


def header_mappings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Normalised survey header -> item key, as people mapped them on earlier imports."""
    return dict(rows(con, "SELECT header, item_key FROM header_mappings"))


def remember_mapping(con: duckdb.DuckDBPyConnection, header: str, item_key: str) -> None:
    """Remember that `header` (normalised by the caller) means `item_key` from now on."""
    con.execute(
        """INSERT INTO header_mappings (header, item_key) VALUES (?, ?)
           ON CONFLICT (header) DO UPDATE SET item_key = excluded.item_key, mapped_at = now()""",
        [header, item_key],
    )
    bump(con)


def forget_mappings(con: duckdb.DuckDBPyConnection, headers: list[str]) -> None:
    """Forget the remembered meaning of these (normalised) headers."""
    for header in headers:
        con.execute("DELETE FROM header_mappings WHERE header = ?", [header])
    bump(con)


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
