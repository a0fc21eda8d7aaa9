"""Targets per tier and item as one table to edit: items as rows, tiers as columns, levels of the model.

A cell holds the target set for that tier and item (store.set_target); an empty cell means none is set, so the
tier's own target for all items applies (else the tier's default in the model, the item's, the model's: see
sql/answers.sql). Team and product overrides and an answer's own target still win over these.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from . import audit, store
from .auth import Actor, require
from .errors import OpmaturityError, Problem
from .model import Model
from .queries import rows
from .schema import transaction


def tier_item_targets(con: duckdb.DuckDBPyConnection, model: Model, lang: str) -> pd.DataFrame:
    """One row per item (key, title) and one column per tier key: the target set for that tier and item, or
    <NA> where none is set."""
    return tier_item_grid(tier_item_cells(con), model, lang)


def tier_item_cells(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """(tier, item key) -> the target set for that tier and item: what the grid shows, in no language (a page
    reads it once for both, and can show the other language from it while another program holds the file)."""
    found = rows(con, "SELECT tier, item_key, arg_max(level, target_id) FROM targets "
                      "WHERE tier IS NOT NULL AND item_key IS NOT NULL GROUP BY tier, item_key")  # fmt: skip
    return {(tier, item): int(level) for tier, item, level in found}


def tier_item_grid(cells: Mapping[tuple[str, str], int], model: Model, lang: str) -> pd.DataFrame:
    """The tier x item table of `cells` (tier_item_targets), items titled in `lang`."""
    out = pd.DataFrame({"key": [i.key for i in model.items], "item": [i.title(lang) for i in model.items]})
    for tier in model.tiers:
        out[tier.key] = pd.array([cells.get((tier.key, i.key)) for i in model.items], dtype="Int64")
    return out


def save_tier_item_targets(
    con: duckdb.DuckDBPyConnection, model: Model, edited: pd.DataFrame, *, actor: Actor | None = None
) -> int:
    """Store the cells of an edited tier x item table that differ from the stored ones (an empty cell takes the
    target away); every value must be a level of the model, else nothing is saved. Returns the cells changed.
    `actor` (None: the command line's operator) needs the right to change."""
    actor = require(actor, "change")
    before = tier_item_targets(con, model, "en").set_index("key")
    tiers = [t.key for t in model.tiers]
    problems: list[Problem] = []
    changes: list[tuple[str, str, int | None]] = []
    for row, (_, line) in enumerate(edited.iterrows(), start=1):
        key = str(line["key"])
        if key not in before.index:
            continue
        for tier in tiers:
            value = line.get(tier)
            level = None if value is None or pd.isna(value) else value
            if level is not None:
                if float(level) != int(float(level)) or not model.min_level <= int(float(level)) <= model.max_level:
                    problems.append(
                        Problem.of("msg.targets.level", row=row, column=tier, value=str(value), item=key,
                                   low=model.min_level, high=model.max_level, got=str(value))
                    )  # fmt: skip
                    continue
                level = int(float(level))
            old = before.at[key, tier]
            old = None if pd.isna(old) else int(old)
            if old != level:
                changes.append((tier, key, level))
    if problems:
        raise OpmaturityError.of("msg.targets.problems", problems, count=len(problems))
    with transaction(con):
        for tier, item, level in changes:
            store.set_target_rows(con, level, tier=tier, item=item)
        if changes:
            audit.record(con, actor, "targets", ", ".join(sorted({tier for tier, _, _ in changes})), cells=len(changes))
            store.bump(con)
    return len(changes)
