"""The obvious alternative the benchmark compares every page with: the raw answers in pandas, then groupby.

`load(con)` reads `current_responses` joined to teams, products and items into one DataFrame once (with the
effective target of every answer resolved as sql/answers.sql does), plus the small tables. `PAGES[name](raw,
context)` then computes the figures that page shows, with the definitions of opmaturity/sql (item levels,
paired perception and change, category roll-ups, org medians), from that frame alone. Not run by pytest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opmaturity import store
from opmaturity.model import Model

KEYS = ["round_id", "team_id", "rater", "item"]
K = 3


@dataclass
class Raw:
    """The answers and the small tables, in memory."""

    answers: pd.DataFrame
    rounds: pd.DataFrame  # round_id, name, round_position, previous_round_id
    notes: pd.DataFrame
    teams: pd.DataFrame


def load(con, model: Model) -> Raw:
    """Every live answer with product, team, category and effective target; rounds, teams and notes."""
    answers = store.frame(
        con,
        """SELECT r.round_id, t.product_id, p.name AS product, p.tier, r.team_id, t.name AS team, r.rater,
                  r.respondent, i.category_key AS category, i.position AS item_position, r.item_key AS item,
                  r.level, r.target, r.importance, r.comment
           FROM current_responses r JOIN teams t USING (team_id) JOIN products p USING (product_id)
           JOIN items i USING (item_key)""",
    )
    for column in ("product", "tier", "team", "rater", "category", "item", "respondent"):
        answers[column] = answers[column].astype("category")
    rules = store.frame(
        con, "SELECT tier, product_id, item_key, arg_max(level, target_id) AS level FROM targets GROUP BY ALL"
    )
    target = answers["target"].astype("Float64")

    def fill(found: pd.Series) -> None:
        nonlocal target
        target = target.fillna(pd.Series(found.to_numpy(), index=answers.index, dtype="Float64"))

    product_item = rules.dropna(subset=["product_id", "item_key"]).set_index(["product_id", "item_key"])["level"]
    if len(product_item):
        fill(pd.MultiIndex.from_arrays([answers["product_id"], answers["item"].astype(str)]).map(product_item))
    product_all = rules[rules["product_id"].notna() & rules["item_key"].isna()].set_index("product_id")["level"]
    fill(answers["product_id"].map(product_all))
    tier_item = rules.dropna(subset=["tier", "item_key"]).set_index(["tier", "item_key"])["level"]
    if len(tier_item):
        fill(pd.MultiIndex.from_arrays([answers["tier"].astype(str), answers["item"].astype(str)]).map(tier_item))
    tier_all = rules[rules["tier"].notna() & rules["item_key"].isna()].set_index("tier")["level"]
    fill(answers["tier"].astype(str).map(tier_all))
    fill(answers["tier"].astype(str).map({t.key: t.default_target for t in model.tiers}))
    fill(answers["item"].astype(str).map({i.key: i.default_target for i in model.items}))
    answers["target"] = target.fillna(model.default_target).astype(float)
    answers["level"] = answers["level"].astype(float)
    answers["importance"] = answers["importance"].astype(float)
    notes = store.frame(
        con,
        """SELECT n.note_id, n.round_id, p.name AS product, t.name AS team, n.text, n.group_name, n.tags, n.item_key
           FROM notes n LEFT JOIN products p USING (product_id) LEFT JOIN teams t ON t.team_id = n.team_id""",
    )
    return Raw(answers, store.rounds(con), notes, store.teams(con))


# --- the roll-up path, in pandas -------------------------------------------------------------------------------


def item_levels(rows: pd.DataFrame) -> pd.DataFrame:
    """Per round, team, rater and item: level, n, na, respondents, target, sd, variance, min, max, importance."""
    rows = rows.assign(target_l=rows["target"].where(rows["level"].notna()))
    g = rows.groupby(KEYS, observed=True, sort=False)
    out = pd.DataFrame(
        {
            "level": g["level"].mean(),
            "n": g["level"].count(),
            "size": g["level"].size(),
            "target": g["target_l"].mean(),
            "sd": g["level"].std(ddof=0),
            "variance": g["level"].var(),
            "min_level": g["level"].min(),
            "max_level": g["level"].max(),
        }
    )
    out["na"] = out["size"] - out["n"]
    answered = rows[rows["level"].notna()]
    out["respondents"] = answered.groupby(KEYS, observed=True, sort=False)["respondent"].nunique()
    out["respondents"] = out["respondents"].fillna(0)
    own = rows[rows["rater"] == "team"].groupby(["round_id", "team_id", "item"], observed=True)["importance"].mean()
    out = out.reset_index()
    out = out.merge(own.rename("importance").reset_index(), on=["round_id", "team_id", "item"], how="left")
    first = rows.drop_duplicates(["team_id", "item"])
    meta = first[["team_id", "product", "team", "item", "category", "item_position"]]
    return out.merge(meta, on=["team_id", "item"], how="left")


def item_scores(raw: Raw, round_id: int, rounds: list[int] | None = None) -> pd.DataFrame:
    """item_levels of the round with gap, priority, perception (paired sides) and change (paired rounds)."""
    order = raw.rounds.set_index("round_id")["previous_round_id"]
    previous = order.get(round_id)
    wanted = [round_id] + ([] if pd.isna(previous) else [int(previous)])
    a = raw.answers
    levels = item_levels(a[a["round_id"].isin(wanted)])
    now = levels[levels["round_id"] == round_id].copy()
    before = levels[(levels["round_id"] != round_id) & (levels["n"] > 0)]
    before = before[["team_id", "rater", "item", "level", "n", "variance"]].rename(
        columns={"level": "previous_level", "n": "previous_n", "variance": "previous_variance"}
    )
    now = now.merge(before, on=["team_id", "rater", "item"], how="left")
    now.loc[now["n"] == 0, ["previous_level", "previous_n"]] = np.nan
    now["change"] = (now["level"] - now["previous_level"]).round(9)
    now["gap"] = (now["target"] - now["level"]).round(9)
    now["importance_used"] = now["importance"].fillna(2)
    now["priority"] = (now["importance_used"] * now["gap"].clip(lower=0)).round(9)
    sides = now[now["n"] > 0].pivot_table(index=["team_id", "item"], columns="rater", values="level", observed=True)
    for side in ("team", "sre"):
        if side not in sides:
            sides[side] = np.nan
    sides = sides.rename(columns={"team": "team_level", "sre": "sre_level"})[["team_level", "sre_level"]]
    now = now.merge(sides.reset_index(), on=["team_id", "item"], how="left")
    now["perception_gap"] = (now["sre_level"] - now["team_level"]).round(9)
    masked = now["n"] < K
    now.loc[masked, ["sd", "min_level", "max_level"]] = np.nan
    return now


def category_scores(items: pd.DataFrame) -> pd.DataFrame:
    """item scores rolled up per team, rater and category (each item weighs the same)."""
    paired = items["change"].notna()
    both = items["perception_gap"].notna()
    items = items.assign(
        paired_level=items["level"].where(paired),
        prev_paired=items["previous_level"].where(paired),
        team_level_p=items["team_level"].where(both),
        sre_level_p=items["sre_level"].where(both),
    )
    g = items.groupby(["round_id", "product", "team_id", "team", "rater", "category"], observed=True, sort=False)
    return (
        g.agg(
            level=("level", "mean"),
            n=("n", "sum"),
            target=("target", "mean"),
            gap=("gap", "mean"),
            priority=("priority", "mean"),
            perception_gap=("perception_gap", "mean"),
            team_level=("team_level_p", "mean"),
            sre_level=("sre_level_p", "mean"),
            change=("change", "mean"),
            paired_level=("paired_level", "mean"),
            previous_level=("prev_paired", "mean"),
            sd=("sd", "mean"),
        )
        .reset_index()
        .assign(change=lambda f: f["change"].round(9))
    )


def heatmap(raw: Raw, cats: pd.DataFrame, round_id: int, metric: str, rater: str) -> pd.DataFrame:
    """Every team with an answer in the round x every category, the metric of one rater group."""
    a = raw.answers
    teams = a.loc[a["round_id"] == round_id, ["product", "team_id", "team"]].drop_duplicates()
    categories = a["category"].cat.categories
    grid = teams.merge(pd.DataFrame({"category": categories}), how="cross")
    chosen = cats.loc[cats["rater"] == rater, ["team_id", "category", metric, "n"]]
    cells = grid.merge(chosen, on=["team_id", "category"], how="left")
    return cells.sort_values(["product", "team"])


def changes(cats: pd.DataFrame) -> pd.DataFrame:
    moved = cats[(cats["rater"] == "team") & cats["change"].notna() & (cats["change"] != 0)]
    return moved.reindex(moved["change"].abs().sort_values(ascending=False).index)


def trend(raw: Raw, product: str | None = None, team: str | None = None) -> pd.DataFrame:
    """Per round and category, the mean of the selected teams' category levels (team rater)."""
    a = raw.answers
    rows = a[a["rater"] == "team"]
    if product is not None:
        rows = rows[rows["product"] == product]
    if team is not None:
        rows = rows[rows["team"] == team]
    levels = item_levels(rows)
    cats = levels.groupby(["round_id", "team_id", "category"], observed=True)["level"].mean().dropna()
    return cats.groupby(["round_id", "category"], observed=True).mean().reset_index()


def summary(raw: Raw, items: pd.DataFrame, cats: pd.DataFrame, round_id: int) -> dict[str, pd.DataFrame]:
    """The ranked lists of `summary --json`."""
    team = items[items["rater"] == "team"]
    per_item = team[team["n"] > 0].groupby("item", observed=True)
    weak = pd.DataFrame(
        {
            "teams": per_item.size(),
            "teams_below": per_item["gap"].apply(lambda s: (s > 0).sum()),
            "mean_level": per_item["level"].mean(),
            "mean_gap": per_item["gap"].apply(lambda s: s[s > 0].mean()),
        }
    )
    weak["share_below"] = weak["teams_below"] / weak["teams"]
    a = raw.answers
    round_rows = a[a["round_id"] == round_id]
    comments = round_rows[round_rows["comment"].fillna("").str.strip() != ""].groupby("item", observed=True).size()
    notes = raw.notes[raw.notes["round_id"] == round_id].groupby("item_key").size()
    weak["said"] = comments.reindex(weak.index, fill_value=0) + notes.reindex(weak.index, fill_value=0)
    return {
        "heatmap_team": heatmap(raw, cats, round_id, "level", "team"),
        "heatmap_sre": heatmap(raw, cats, round_id, "level", "sre"),
        "top_gaps": team[team["priority"] > 0].sort_values(["priority", "gap"], ascending=False),
        "perception_gaps": team[team["perception_gap"].fillna(0) != 0].sort_values(
            "perception_gap", key=np.abs, ascending=False
        ),
        "disagreements": team[(team["n"] >= K) & (team["sd"] > 0)].sort_values(["sd", "n"], ascending=False),
        "org_weak_items": weak.sort_values(["share_below", "mean_level"], ascending=[False, True]),
        "changes": changes(cats),
        "silent_gaps": weak[(weak["teams_below"] >= 2) & (weak["said"] * 5 < weak["teams_below"])],
    }


def coverage(raw: Raw, round_id: int) -> pd.DataFrame:
    """Per product: teams known, teams answered, respondents per rater group, answers with a level."""
    a = raw.answers
    rows = a[a["round_id"] == round_id]
    people = rows.groupby(["team_id", "rater"], observed=True)["respondent"].nunique().unstack(fill_value=0)
    people.columns = [f"{c}_respondents" for c in people.columns]
    answered = rows.groupby("team_id")["level"].count().rename("answers")
    teams = raw.teams.set_index("team_id").join(people).join(answered).fillna(0)
    teams["answered"] = teams.get("team_respondents", 0) > 0
    return teams.groupby("product").agg(
        teams=("team", "size"), teams_answered=("answered", "sum"), answers=("answers", "sum")
    )


def org_categories(cats: pd.DataFrame) -> pd.DataFrame:
    own = cats[(cats["rater"] == "team") & (cats["n"] > 0)]
    return own.groupby("category", observed=True)["level"].agg(["mean", "median", "size"])


def notes_of(raw: Raw, round_id: int | None, **filters: Any) -> pd.DataFrame:
    notes = raw.notes if round_id is None else raw.notes[raw.notes["round_id"] == round_id]
    for column, value in filters.items():
        if value is not None:
            notes = notes[notes[column] == value]
    return notes


# --- per page ---------------------------------------------------------------------------------------------------


@dataclass
class Context:
    round_id: int
    product: str
    team: str


def overview(raw: Raw, ctx: Context) -> Any:
    items = item_scores(raw, ctx.round_id)
    cats = category_scores(items)
    return coverage(raw, ctx.round_id), notes_of(raw, ctx.round_id), summary(raw, items, cats, ctx.round_id), \
        org_categories(cats)  # fmt: skip


def heatmap_page(raw: Raw, ctx: Context) -> Any:
    return heatmap(raw, category_scores(item_scores(raw, ctx.round_id)), ctx.round_id, "level", "team")


def team_page(raw: Raw, ctx: Context) -> Any:
    items = item_scores(raw, ctx.round_id)
    cats = category_scores(items)
    mine = items[(items["product"] == ctx.product) & (items["team"] == ctx.team)]
    own_cats = cats[(cats["product"] == ctx.product) & (cats["team"] == ctx.team)]
    org = cats[(cats["rater"] == "team") & (cats["n"] > 0)].groupby("category", observed=True)["level"].median()
    return mine, own_cats.merge(org.rename("org_median").reset_index(), on="category", how="left"), \
        trend(raw, ctx.product, ctx.team), notes_of(raw, ctx.round_id, product=ctx.product, team=ctx.team)  # fmt: skip


def gaps_page(raw: Raw, ctx: Context) -> Any:
    items = item_scores(raw, ctx.round_id)
    cats = category_scores(items)
    a = raw.answers
    rows = a[(a["round_id"] == ctx.round_id) & (a["rater"] == "team")]
    distribution = rows.groupby(["item", rows["level"].fillna(-1)], observed=True).size().unstack(fill_value=0)
    return summary(raw, items, cats, ctx.round_id)["org_weak_items"], distribution, \
        heatmap(raw, cats, ctx.round_id, "perception_gap", "sre")  # fmt: skip


def trends_page(raw: Raw, ctx: Context) -> Any:
    moved = changes(category_scores(item_scores(raw, ctx.round_id)))
    return trend(raw), moved[moved["change"] > 0].head(10), moved[moved["change"] < 0].head(10)


def feedback_page(raw: Raw, ctx: Context) -> Any:
    notes = notes_of(raw, ctx.round_id)
    facets = {c: sorted(notes[c].dropna().unique()) for c in ("product", "team", "group_name", "item_key")}
    return notes, facets


PAGES: dict[str, Callable[[Raw, Context], Any] | None] = {
    "overview": overview,
    "heatmap": heatmap_page,
    "team": team_page,
    "gaps": gaps_page,
    "trends": trends_page,
    "feedback": feedback_page,
    "import_page": None,  # import history and remembered mappings: no figure from answers
    "model_page": None,  # the model, targets and rounds: no figure from answers
}
