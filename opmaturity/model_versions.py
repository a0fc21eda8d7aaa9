"""Model versions: every model a database has used, what changed between them, and how answers follow items.

A database keeps each model it used as a numbered version (model_versions, with its items in
model_version_items); the newest is the current model. The package's shipped model is registered on connect
while no edited model has been imported; an edited model (`model import`, the Model page) becomes the next
version after a preview of what changes, and from then on the shipped model no longer replaces it.

Item keys are stable. An item that renames, splits or merges earlier items names them in `replaces`; the
lineage table item_lineage maps every earlier key to the current item(s) that carry it on (transitively, over
every version ever saved), and sql/answers.sql reads answers to an earlier key as answers to its successor:
- rename (B replaces A): A's answers count as B's;
- split (B1 and B2 both replace A): A's answers count for each;
- merge (B replaces A1 and A2): one answer per respondent, the mean of that respondent's levels of A1 and A2.
A respondent's own answer to the current item wins over answers carried over from its predecessors in the same
round. An item retired without a successor leaves the current model's pages; its answers stay stored.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from .auth import Actor, require
from .errors import OpmaturityError
from .i18n import Listed, Message
from .model import Model, parse_model
from .model_files import model_dict, model_yaml, read_model_file
from .queries import rows, scalar
from .schema import transaction


@dataclass
class ModelPreview:
    """What saving a model file would change: the model read, the versions, and the changes by kind."""

    file: str
    model: Model
    version_before: int | None
    version_after: int
    changes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not any(self.changes.values())

    @property
    def based_on(self) -> int | None:
        """The version the file was exported from (its own `version`), where it says one."""
        return self.model.version or None

    def warnings(self) -> list[Message]:
        """What to know before saving: a file exported from an older version undoes what changed since (an outside
        review saved v3 from a v1 export and lost v2's `replaces` without a word)."""
        older = self.based_on is not None and self.version_before is not None and self.based_on < self.version_before
        if older and not self.unchanged:
            return [Message("mv.stale", based_on=self.based_on, current=self.version_before)]
        return []

    def to_dict(self, status: str, lang: str = "en") -> dict[str, Any]:
        """The JSON of `model import --json`: file, status, version_before, version_after, changes, problems."""
        return {
            "file": self.file,
            "status": status,
            "version_before": self.version_before,
            "version_after": self.version_after if not self.unchanged else self.version_before,
            "changes": self.changes,
            "based_on": self.based_on,
            "warnings": [warning.text(lang) for warning in self.warnings()],
            "problems": [],
        }


CHANGE_KINDS = ("added", "retitled", "retired", "replaced", "moved", "targets", "categories", "tiers", "edited")


@functools.lru_cache(maxsize=16)
def _parsed(source: str, version: int) -> Model:
    """A stored version's model (parsed once per process: Model is immutable)."""
    return dataclasses.replace(parse_model(source, "stored model"), version=version)


def current_model(con: duckdb.DuckDBPyConnection) -> Model | None:
    """The database's current model (its newest version), or None before any is registered."""
    found = rows(con, "SELECT version, source FROM model_versions ORDER BY version DESC LIMIT 1")
    if not found:
        return None
    version, source = found[0]
    try:
        return _parsed(source, int(version))
    except OpmaturityError:
        return None


def versions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every version, newest first: version, origin, file_name, saved_at, saved_by, items, rounds."""
    return con.execute(
        """SELECT v.version, v.origin, v.file_name, v.saved_at, v.saved_by,
                  (SELECT count(*) FROM model_version_items i WHERE i.version = v.version) AS items,
                  (SELECT count(*) FROM rounds r WHERE r.model_version = v.version) AS rounds
           FROM model_versions v ORDER BY v.version DESC"""
    ).df()


def known_keys(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every item key a saved version had or an answer names: what `replaces` may refer to."""
    found = rows(
        con,
        "SELECT item_key FROM model_version_items UNION SELECT DISTINCT item_key FROM responses",
    )
    return {r[0] for r in found}


def register_shipped(con: duckdb.DuckDBPyConnection, model: Model) -> Model:
    """Record the package's model as a version unless an imported one is current; returns the current model.

    The shipped model is recorded when the database has no version yet, and again as a new version when the
    package's model changed while the current version is still a shipped one (an upgrade)."""
    latest = rows(con, "SELECT version, origin, source FROM model_versions ORDER BY version DESC LIMIT 1")
    if not latest:
        save_version(con, model, origin="shipped", version=max(model.version, 1))
    elif latest[0][1] == "shipped" and latest[0][2] != model.source and model.source:
        save_version(con, model, origin="shipped")
    current = current_model(con)
    return current if current is not None else model


def save_version(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    *,
    origin: str,
    file_name: str | None = None,
    saved_by: str | None = None,
    version: int | None = None,
    changes: str | None = None,
) -> int:
    """Store `model` as the next version (the caller holds the transaction, or none) and rebuild the lineage;
    the catalogue tables follow in store.sync_model. Returns the version number."""
    number = version or int(scalar(con, "SELECT coalesce(max(version), 0) + 1 FROM model_versions"))
    source = model.source or model_yaml(model)
    con.execute(
        """INSERT INTO model_versions (version, model_key, source, sha256, origin, file_name, saved_at, saved_by,
               changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [number, model.key, source, hashlib.sha256(source.encode("utf-8")).hexdigest(), origin, file_name,
         datetime.now(), saved_by, changes],
    )  # fmt: skip
    items = pd.DataFrame(
        [(number, i.key, i.category, i.ja, i.en, list(i.replaces)) for i in model.items],
        columns=["version", "item_key", "category_key", "title_ja", "title_en", "replaces"],
    )
    con.register("_version_items", items)
    try:
        con.execute(
            """INSERT INTO model_version_items SELECT version, item_key, category_key, title_ja, title_en,
                   CAST(replaces AS VARCHAR[]) FROM _version_items"""
        )
    finally:
        con.unregister("_version_items")
    write_lineage(con, {i.key for i in model.items})
    return number


def lineage(edges: list[tuple[str, str]], current: set[str]) -> list[tuple[str, str]]:
    """(earlier key, current key) for every key whose answers a current item carries on, following `edges`
    (successor, predecessor) over every version; a current key is not mapped to itself."""
    successors: dict[str, set[str]] = {}
    for successor, predecessor in edges:
        successors.setdefault(predecessor, set()).add(successor)
    out = []
    for start in sorted(successors):
        seen, todo = {start}, [start]
        while todo:
            for nxt in successors.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        out += [(start, key) for key in sorted(seen & current) if key != start]
    return out


def write_lineage(con: duckdb.DuckDBPyConnection, current: set[str]) -> None:
    """Rebuild item_lineage from every saved version's `replaces` for the current items."""
    edges = rows(con, "SELECT DISTINCT item_key, unnest(replaces) FROM model_version_items")
    pairs = lineage([(str(a), str(b)) for a, b in edges], current)
    con.execute("DELETE FROM item_lineage")
    if pairs:
        con.executemany("INSERT INTO item_lineage (item_key, current_key) VALUES (?, ?)", [list(p) for p in pairs])


def preview(con: duckdb.DuckDBPyConnection, file_name: str, data: bytes, current: Model) -> ModelPreview:
    """Read and validate an edited model file against the database; what saving it would change.
    OpmaturityError (every problem named) when the file is not a valid model."""
    model = read_model_file(file_name, data, known_keys(con) | {i.key for i in current.items})
    before = scalar(con, "SELECT max(version) FROM model_versions")
    after = int(before or 0) + 1
    return ModelPreview(file_name, model, None if before is None else int(before), after, changes(current, model))


def save(con: duckdb.DuckDBPyConnection, found: ModelPreview, actor: Actor | None = None) -> int | None:
    """Save the previewed model as the next version (None when it changes nothing); the catalogue follows.
    `actor` (None: the command line's operator) needs the right to change."""
    from . import audit, store

    actor = require(actor, "change")
    if found.unchanged:
        return None
    model = dataclasses.replace(found.model, version=found.version_after, source="")
    model = dataclasses.replace(model, source=model_yaml(model))
    with transaction(con):
        number = save_version(con, model, origin="imported", file_name=found.file, saved_by=actor.name,
                              changes=json.dumps(found.changes, ensure_ascii=False))  # fmt: skip
        store.mirror_model(con, model, in_transaction=True)
        audit.record(con, actor, "model", found.file, version=number)
    return number


def changes(before: Model, after: Model) -> dict[str, list[dict[str, Any]]]:
    """What differs between two models, by kind (CHANGE_KINDS), each entry a flat object naming the item,
    category or tier by key."""
    old = {i.key: i for i in before.items}
    new = {i.key: i for i in after.items}
    successors: dict[str, list[str]] = {}
    for item in after.items:
        for key in item.replaces:
            successors.setdefault(key, []).append(item.key)
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CHANGE_KINDS}
    for key, item in new.items():
        if key not in old:
            out["added"].append({"item": key, "category": item.category, "title_ja": item.ja, "title_en": item.en,
                                 "replaces": list(item.replaces)})  # fmt: skip
            continue
        was = old[key]
        if (was.ja, was.en) != (item.ja, item.en):
            out["retitled"].append({"item": key, "before_ja": was.ja, "before_en": was.en, "after_ja": item.ja,
                                    "after_en": item.en})  # fmt: skip
        if was.category != item.category:
            out["moved"].append({"item": key, "before": was.category, "after": item.category})
        if (was.description, was.guide, was.keywords) != (item.description, item.guide, item.keywords):
            out["edited"].append({"item": key})
        if was.default_target != item.default_target:
            out["targets"].append({"scope": "item", "key": key, "before": was.default_target,
                                   "after": item.default_target})  # fmt: skip
    for key, item in new.items():
        added = [r for r in item.replaces if r not in (old[key].replaces if key in old else ())]
        if added:
            out["replaced"].append({"item": key, "replaces": added})
    for key, was in old.items():
        if key not in new:
            out["retired"].append({"item": key, "title_ja": was.ja, "title_en": was.en,
                                   "replaced_by": successors.get(key, [])})  # fmt: skip
    if before.default_target != after.default_target:
        out["targets"].insert(0, {"scope": "model", "key": None, "before": before.default_target,
                                  "after": after.default_target})  # fmt: skip
    out["tiers"] = _titled_changes("tier", before.tiers, after.tiers)
    out["categories"] = _titled_changes("category", before.categories, after.categories)
    old_tiers, new_tiers = {t.key: t for t in before.tiers}, {t.key: t for t in after.tiers}
    for key in dict.fromkeys([*old_tiers, *new_tiers]):
        was_t, now_t = old_tiers.get(key), new_tiers.get(key)
        before_target = was_t.default_target if was_t else None
        after_target = now_t.default_target if now_t else None
        if before_target != after_target:
            out["targets"].append({"scope": "tier", "key": key, "before": before_target, "after": after_target})
    rest_before = {k: v for k, v in model_dict(before).items() if k not in ("version", "categories", "tiers")}
    rest_after = {k: v for k, v in model_dict(after).items() if k not in ("version", "categories", "tiers")}
    if rest_before != rest_after:
        levels = [
            {"level": now.level, "before_ja": was.ja, "before_en": was.en, "after_ja": now.ja, "after_en": now.en}
            for was, now in zip(before.levels, after.levels, strict=False)
            if was.level == now.level and (was.ja, was.en) != (now.ja, now.en)
        ]
        parts = [k for k in rest_after if rest_before.get(k) != rest_after[k]]
        out["edited"].append({"item": None, "part": parts, "levels": levels})
    return out


def _titled_changes(what: str, before: Any, after: Any) -> list[dict[str, Any]]:
    """Tiers or categories added, retired or retitled: `{what: key, change, title_ja, title_en}` each."""
    old, new = {x.key: x for x in before}, {x.key: x for x in after}
    out = []
    for key in dict.fromkeys([*old, *new]):
        was, now = old.get(key), new.get(key)
        shown = now if now is not None else was
        if shown is not None and (was is None or now is None or (was.ja, was.en) != (now.ja, now.en)):
            change = "added" if was is None else "retired" if now is None else "retitled"
            out.append({what: key, "change": change, "title_ja": shown.ja, "title_en": shown.en})
    return out


def change_lines(found: dict[str, list[dict[str, Any]]]) -> list[Message]:
    """The changes as one sentence each (rendered in the reader's language), in the order CHANGE_KINDS."""

    def level(value: object) -> object:
        return Message("mv.none") if value is None else value

    lines: list[Message] = []
    gone = {(e["title_ja"], e["title_en"]): e["item"] for e in found.get("retired", []) if not e["replaced_by"]}
    for entry in found.get("added", []):
        if entry["replaces"]:
            lines.append(Message("mv.change.added_replacing", **entry | {"replaces": Listed(entry["replaces"])}))
        else:
            lines.append(Message("mv.change.added", **{k: v for k, v in entry.items() if k != "replaces"}))
            same = gone.get((entry["title_ja"], entry["title_en"]))
            if same:  # a key changed by hand: without `replaces` its answers' history stops at the old key
                lines.append(Message("mv.change.same_title", item=entry["item"], retired=same))
    lines += [Message("mv.change.retitled", **entry) for entry in found.get("retitled", [])]
    for entry in found.get("retired", []):
        if entry["replaced_by"]:
            lines.append(Message("mv.change.retired_replaced", **entry | {"replaced_by": Listed(entry["replaced_by"])}))
        else:
            lines.append(Message("mv.change.retired", **{k: v for k, v in entry.items() if k != "replaced_by"}))
    lines += [
        Message("mv.change.replaced", item=e["item"], replaces=Listed(e["replaces"])) for e in found.get("replaced", [])
    ]
    lines += [Message("mv.change.moved", **entry) for entry in found.get("moved", [])]
    lines += [
        Message(f"mv.change.target.{e['scope']}", key=e["key"], before=level(e["before"]), after=level(e["after"]))
        for e in found.get("targets", [])
    ]
    lines += [Message(f"mv.change.category.{e['change']}", **e) for e in found.get("categories", [])]
    lines += [Message(f"mv.change.tier.{e['change']}", **e) for e in found.get("tiers", [])]
    edited = [e["item"] for e in found.get("edited", []) if e.get("item")]
    if edited:
        lines.append(Message("mv.change.edited", items=Listed(edited)))
    for entry in (e for e in found.get("edited", []) if not e.get("item")):
        lines += [Message("mv.change.level", **level) for level in entry.get("levels", [])]
        parts = [Message(PARTS[p]) if p in PARTS else p for p in entry["part"]]
        lines.append(Message("mv.change.edited_model", parts=Listed(parts)))
    return lines


# A model file's top-level parts as a preview names them (it said "scale" in Japanese too).
PARTS = {"scale": "mv.part.scale", "importance": "mv.part.importance", "raters": "mv.part.raters",
         "not_applicable": "mv.part.not_applicable", "title": "mv.part.title", "key": "mv.part.key"}  # fmt: skip
