"""A large, deterministic organisation for the benchmark: `python bench/generate.py --scale 0.05 --db FILE`.

Scale 1.0 is about 1,000 teams in 200 products, the 37 items of the default model, 8 rounds (2023-H1 ..
2026-H2, every one dated), 10 respondents per team and round on average (about 3 million answers), SRE's
assessment of a share of the teams, workshop notes (about 1.2 per team and round), improvement actions and
tier/product targets. Every figure comes from numpy generators seeded by (SEED, scale, round), so the same
scale gives the same database on any machine. Not run by pytest.

Texture (as in opmaturity/demo.py, but drawn per team): strong, weak, improving, declining and average teams;
teams that rate some categories far above (or below) SRE; items where a team's respondents split into low
and high camps; items a team answers N/A; teams that join late or stop answering; SRE assesses about 70 % of
the teams of T1/T2 products (never T3) and misses some rounds; a few corrected files supersede earlier
answers.

Two write paths, same data:
- `--via bulk` (default): the schema comes from `store.connect` (migrations, model sync); rows go in with
  DuckDB from pandas, one INSERT per round and table.
- `--via package`: every file goes through `store.commit_batch` with a `Batch`, as the importer does
  (one batch per product and round, one SRE batch per round, one notes batch per round, corrections after).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OPMATURITY_SECRET", "bench-secret")

from opmaturity import store  # noqa: E402
from opmaturity.batch import Answer, Batch, Note  # noqa: E402
from opmaturity.model import Model, load_model  # noqa: E402
from opmaturity.notes import linked_item  # noqa: E402
from opmaturity.pseudonym import pseudonym  # noqa: E402

SEED = 20261129
KEY = b"opmaturity-bench"  # fixed pseudonym key: the data must not depend on the machine's secret
ROUNDS: tuple[tuple[str, date], ...] = tuple(
    (f"{year}-H{half}", date(year, 5, 20) if half == 1 else date(year, 11, 15))
    for year in (2023, 2024, 2025, 2026)
    for half in (1, 2)
)
FULL_TEAMS, FULL_PRODUCTS = 1000, 200
MEMBERS = 14  # people per team; 8-12 of them answer in a round
SRE_PEOPLE = 20
TIERS = (("T1", 0.2), ("T2", 0.5), ("T3", 0.3))
TIER_TARGET = {"T1": 3, "T2": 3, "T3": 2}
KINDS = ("strong", "weak", "improving", "declining", "average")
KIND_SHARES = (0.15, 0.15, 0.2, 0.1, 0.4)
OPTIMISM = 0.25

PRODUCT_WORDS = ("学び放題", "Points", "Shop", "会員ID", "Partner", "動画", "Ledger", "Search", "社内", "Ads",
                 "Mail", "物流", "Billing", "Chat", "Maps", "予約")  # fmt: skip
TEAM_WORDS = ("Core", "API", "Mobile", "Web", "決済", "検索", "Data", "基盤", "Growth", "Ops", "配信", "Checkout",
              "Auth", "在庫", "Portal", "Batch")  # fmt: skip
ITEM_EASE = {"OBS-1": 0.5, "OBS-3": 0.4, "OBS-5": -1.4, "SLO-3": -1.0, "INC-1": 0.3, "INC-2": -0.4, "REL-1": 0.8,
             "REL-2": 0.2, "REL-3": -0.3, "BCP-2": -1.0, "BCP-3": -0.5, "SEC-1": 0.2, "SEC-3": 0.3, "LOG-1": 0.2,
             "LOG-3": -0.5, "TST-2": -1.8, "MNT-2": -1.8, "CAP-1": -0.4, "COST-1": -0.3, "COST-2": -0.6}  # fmt: skip
COMMENTS = ("ダッシュボードはあるが、障害時に誰も見ていない", "Rota exists, but the escalation contacts are old",
            "バックアップはあるが、リストアの実績がない", "Dependabot alerts pile up unreviewed",
            "SLOの数値はあるが、合意した記録がない", "Rollback is a 40-minute manual procedure",
            "手順書はConfluenceにあるが古い", "We only do this for the main service")  # fmt: skip
NOTE_TEXTS = (
    ("課題", "light_pink", ("監視",), "監視ツールがDatadog・Sentry・CloudWatchに分かれていて役割が曖昧"),
    ("課題", "light_pink", ("テスト",), "QA環境のテストデータが手作りで、本番データとかけ離れている"),
    ("課題", "yellow", ("メンテナンス",), "メンテ画面がサービス全体でしか出せない"),
    ("課題", "light_pink", ("リリース",), "ロールバックの切り戻し手順が属人化している"),
    ("Problems", "light_pink", ("capacity",), "No load test before the big spring sale"),
    ("Problems", "light_pink", ("alerting",), "Alert thresholds were copied from another team and page us at night"),
    ("良い点", "light_green", ("監視",), "DatadogとSentryの使い分けを決めて、wikiにオーナーを書いた"),
    ("Problems", "light_pink", ("monitoring", "ownership"), "Nobody owns the Datadog monitors any more"),
    ("課題", "light_pink", ("ログ", "CS"), "問い合わせ調査のためにユーザーログを2年間保持しているが、保持の根拠が曖昧"),
    ("課題", "light_pink", ("テスト",), "QA用に本番データをマスクして投入する仕組みがなく、テストデータが足りない"),
    ("やりたいこと", "yellow", ("maintenance",), "Per-URL maintenance page so we can close only one API"),
    ("良い点", "light_green", ("インシデント",), "ランブックを現行構成に合わせて全部書き直した"),
    ("Problems", "light_pink", ("alerting",), "Alert fatigue: about 200 alerts a week, nobody reads the channel"),
    ("課題", "light_pink", ("アラート", "オンコール"), "夜間のアラートが誤報ばかりでオンコールが疲弊"),
    ("課題", "light_pink", ("バックアップ",), "リストア訓練を一度もしていない。本当に復元できるか誰も知らない"),
    ("Problems", "orange", ("cost",), "Idle staging clusters cost more than production; there is no clean-up"),
    ("課題", "light_pink", ("保守",), "Node.js 16 がEOLを過ぎているが、バージョンアップの計画がない"),
    ("良い点", "light_green", ("リリース",), "GitHub Actionsでデプロイが完全に自動化されている"),
    ("良い点", "light_green", ("インシデント",), "ポストモーテムを毎回書いて、再発防止策まで追いかけている"),
    ("やりたいこと", "yellow", ("SLO",), "エラーバジェットをリリース判断に使いたい"),
    ("課題", "light_pink", ("ドキュメント",), "構成図と運用ドキュメントがConfluenceとwikiに散らばっている"),
    ("良い点", "light_green", (), "チームの雰囲気が良く、SREに相談しやすい"),
    ("Next", "yellow", (), "Would like SRE to join our sprint review once a quarter"),
    ("課題", "orange", ("コスト",), "未使用のステージング環境が停止忘れで動き続けている"),
)  # fmt: skip
ACTION_TITLES = ("オーナーを決めて文書化する", "Runbook review with the on-call rota", "四半期ごとの訓練を始める",
                 "Automate it in CI", "ダッシュボードを整理する", "Agree the target with the PO")  # fmt: skip
OWNERS = ("テックリード", "SRE", "Engineering manager", "オンコール担当", "QA lead", "Platform team")


@dataclass(frozen=True)
class Org:
    """The organisation a scale gives: products, teams and every team's fixed character."""

    products: pd.DataFrame  # product, tier, sre (the SRE person who assesses its teams)
    teams: pd.DataFrame  # product, team, kind, base, trend, first_round, last_round, sre_rated
    items: list[str]
    categories: np.ndarray  # category index per item
    ease: np.ndarray  # per item
    noise: np.ndarray  # teams x items, fixed
    bias: np.ndarray  # teams x categories: how much higher a team rates itself than SRE does
    spread: np.ndarray  # teams x items, bool: the team's respondents split
    not_applicable: np.ndarray  # teams x items, bool
    importance: np.ndarray  # teams x items, 1..3
    members: np.ndarray  # teams x MEMBERS pseudonyms
    sre_people: np.ndarray


def organisation(scale: float, model: Model) -> Org:
    """The products and teams of `scale` and their fixed character (the same for every round)."""
    rng = np.random.default_rng([SEED, int(scale * 10_000), 0])
    n_teams = max(4, round(FULL_TEAMS * scale))
    n_products = max(2, round(FULL_PRODUCTS * scale))
    tiers = rng.choice([t for t, _ in TIERS], size=n_products, p=[p for _, p in TIERS])
    product_names = [f"{PRODUCT_WORDS[n % len(PRODUCT_WORDS)]} {n + 1:03d}" for n in range(n_products)]
    sre_people = np.array([pseudonym(f"sre-{n}@example.com", KEY) for n in range(SRE_PEOPLE)], dtype=object)
    products = pd.DataFrame({"product": product_names, "tier": tiers,
                             "sre": sre_people[np.arange(n_products) % SRE_PEOPLE]})  # fmt: skip
    # every product gets a team, the rest are spread unevenly (a few big products)
    weights = rng.pareto(1.5, n_products) + 1
    extra = rng.choice(n_products, size=n_teams - n_products, p=weights / weights.sum())
    of_product = np.sort(np.concatenate([np.arange(n_products), extra]))
    seq = pd.Series(of_product).groupby(of_product).cumcount().to_numpy()
    kinds = rng.choice(KINDS, size=n_teams, p=KIND_SHARES)
    base = np.select(
        [kinds == "strong", kinds == "weak", kinds == "improving", kinds == "declining"],
        [3.0, 1.0, 1.3, 2.8],
        2.0,
    ) + rng.normal(0, np.where(kinds == "average", 0.4, 0.2))
    trend = np.select([kinds == "improving", kinds == "declining"], [1.5, -1.2], 0.2) + rng.normal(0, 0.15, n_teams)
    first = np.where(rng.random(n_teams) < 0.15, rng.integers(1, len(ROUNDS) - 1, n_teams), 0)
    last = np.where(rng.random(n_teams) < 0.05, rng.integers(3, len(ROUNDS), n_teams), len(ROUNDS) - 1)
    last = np.maximum(last, first + 1)
    team_tier = tiers[of_product]
    sre_rated = (team_tier != "T3") & (rng.random(n_teams) < 0.7)
    teams = pd.DataFrame({
        "product": np.array(product_names, dtype=object)[of_product],
        "team": [f"{TEAM_WORDS[(p + s) % len(TEAM_WORDS)]}-{s + 1}" for p, s in zip(of_product, seq, strict=True)],
        "product_index": of_product, "kind": kinds, "base": base, "trend": trend, "first_round": first,
        "last_round": last, "sre_rated": sre_rated, "tier": team_tier,
    })  # fmt: skip
    items = [i.key for i in model.items]
    cat_keys = [c.key for c in model.categories]
    categories = np.array([cat_keys.index(i.category) for i in model.items])
    n_items, n_cats = len(items), len(cat_keys)
    bias = np.zeros((n_teams, n_cats))
    biased = np.flatnonzero(rng.random(n_teams) < 0.3)
    for t in biased:
        for c in rng.choice(n_cats, size=rng.integers(1, 3), replace=False):
            bias[t, c] = rng.uniform(1.5, 2.1) * (1 if rng.random() < 0.75 else -1)
    spread = np.zeros((n_teams, n_items), dtype=bool)
    for t in np.flatnonzero(rng.random(n_teams) < 0.2):
        spread[t, rng.choice(n_items, size=rng.integers(2, 5), replace=False)] = True
    not_applicable = np.zeros((n_teams, n_items), dtype=bool)
    for t in np.flatnonzero(rng.random(n_teams) < 0.25):
        not_applicable[t, rng.choice(n_items, size=rng.integers(1, 4), replace=False)] = True
    importance = rng.choice([1, 2, 3], size=(n_teams, n_items), p=[0.3, 0.5, 0.2])
    for t in range(n_teams):
        importance[t, rng.choice(n_items, size=3, replace=False)] = 3  # the team's focus
    members = np.array(
        [[pseudonym(f"t{t:05d}.m{m:02d}@example.com", KEY) for m in range(MEMBERS)] for t in range(n_teams)],
        dtype=object,
    )
    return Org(
        products=products, teams=teams, items=items, categories=categories,
        ease=np.array([ITEM_EASE.get(k, 0.0) for k in items]), noise=rng.normal(0, 0.3, (n_teams, n_items)),
        bias=bias, spread=spread, not_applicable=not_applicable, importance=importance, members=members,
        sre_people=sre_people,
    )  # fmt: skip


def _clip_level(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 4).astype(np.int16)


def round_answers(org: Org, r: int, scale: float) -> pd.DataFrame:
    """Every answer of round `r`: the teams' surveys, SRE's assessment, then a few corrected files.

    Columns: file, product, team, team_index, respondent, rater, item, level (<NA> = N/A), target, importance,
    comment, assessed_on. Rows of a correction file repeat the key of earlier rows of the round.
    """
    rng = np.random.default_rng([SEED, int(scale * 10_000), r + 1])
    name, held_on = ROUNDS[r]
    t_all = org.teams
    active = np.flatnonzero((t_all["first_round"] <= r) & (t_all["last_round"] >= r))
    n_items = len(org.items)
    truth = (
        t_all["base"].to_numpy()[active, None]
        + t_all["trend"].to_numpy()[active, None] * r / (len(ROUNDS) - 1)
        + org.ease[None, :]
        + org.noise[active]
    )  # active teams x items
    # --- the teams' own survey: 8-12 of the team's members answer
    answering = rng.integers(8, 13, size=len(active))
    row_team = np.repeat(np.arange(len(active)), answering)  # index into active
    order = np.argsort(rng.random((len(active), MEMBERS)), axis=1)
    member = np.concatenate([order[n, :k] for n, k in enumerate(answering)])
    tix = active[row_team]
    values = (
        truth[row_team] + OPTIMISM + org.bias[tix][:, org.categories] + rng.normal(0, 0.55, (len(row_team), n_items))
    )
    level = _clip_level(values)
    camps = np.where(member[:, None] % 2 == 0, rng.integers(3, 5, level.shape), rng.integers(0, 2, level.shape))
    level = np.where(org.spread[tix], camps, level).astype(np.int16)
    na = org.not_applicable[tix] | (rng.random(level.shape) < 0.03)
    said = org.importance[tix]
    nudge = np.where(rng.random(level.shape) < 0.15, rng.choice([-1, 1], level.shape), 0)
    said = np.clip(said + nudge, 1, 3)
    tier_target = np.array([TIER_TARGET[t] for t in t_all["tier"].to_numpy()[tix]])[:, None]
    target = np.minimum(4, np.maximum(level + 1, tier_target + (said == 3)))
    has_target = (~na) & (rng.random(level.shape) < 0.15)
    has_comment = rng.random(level.shape) < 0.01
    comment_pick = rng.integers(0, len(COMMENTS), level.shape)
    survey = _frame(
        org, tix, np.repeat(org.members[tix, member][:, None], n_items, axis=1), "team", level, na,
        np.where(has_target, target, -1), said, np.where(has_comment, comment_pick, -1), held_on,
        [f"survey {name} {p}.xlsx" for p in t_all["product"].to_numpy()[tix]],
    )  # fmt: skip
    # --- SRE's assessment: the rated teams, in about 90 % of rounds
    assessed = active[t_all["sre_rated"].to_numpy()[active] & (rng.random(len(active)) < 0.9)]
    pos = np.searchsorted(active, assessed)
    sre_level = _clip_level(truth[pos] + rng.normal(0, 0.25, (len(assessed), n_items)))
    sre_na = rng.random(sre_level.shape) < 0.01
    strong_bias = np.abs(org.bias[assessed][:, org.categories]) >= 1.5
    first_of_cat = np.r_[True, org.categories[1:] != org.categories[:-1]][None, :]
    sre_comment = np.where(strong_bias & first_of_cat, rng.integers(0, len(COMMENTS), sre_level.shape), -1)
    sre_people = org.products["sre"].to_numpy()[t_all["product_index"].to_numpy()[assessed]]
    sre = _frame(
        org, assessed, np.repeat(sre_people[:, None], n_items, axis=1), "sre", sre_level, sre_na,
        np.full(sre_level.shape, -1), org.importance[assessed], sre_comment, held_on,
        [f"SRE assessment {name}.xlsx"] * len(assessed),
    )  # fmt: skip
    # --- corrections: about 2 % of the teams send one respondent's answers again, a little different
    fixed_teams = np.flatnonzero(rng.random(len(active)) < 0.02)
    parts = [survey, sre]
    if len(fixed_teams):
        first_rows = np.searchsorted(row_team, fixed_teams)  # the team's first respondent this round
        redo = survey[survey["_row"].isin(first_rows)].copy()
        bump = rng.choice([-1, 0, 1], len(redo))
        redo["level"] = (redo["level"] + bump).clip(0, 4).astype("Int16")
        redo["file"] = [f"survey {name} {p} (corrected).xlsx" for p in redo["product"]]
        parts.append(redo)
    return pd.concat(parts, ignore_index=True).drop(columns="_row")


def _frame(
    org: Org,
    team_index: np.ndarray,
    respondent: np.ndarray,
    rater: str,
    level: np.ndarray,
    na: np.ndarray,
    target: np.ndarray,
    importance: np.ndarray,
    comment: np.ndarray,
    held_on: date,
    files: list[str],
) -> pd.DataFrame:
    """Long format: one row per respondent row x item (rows x items arrays flattened row-major)."""
    rows, n_items = level.shape
    comments = np.array([None, *COMMENTS], dtype=object)
    return pd.DataFrame({
        "file": np.repeat(np.array(files, dtype=object), n_items),
        "product": np.repeat(org.teams["product"].to_numpy()[team_index], n_items),
        "team": np.repeat(org.teams["team"].to_numpy()[team_index], n_items),
        "team_index": np.repeat(team_index, n_items),
        "respondent": respondent.ravel(),
        "rater": rater,
        "item": np.tile(np.array(org.items, dtype=object), rows),
        "level": pd.array(np.where(na, -1, level).ravel(), dtype="Int16"),
        "target": pd.array(target.ravel(), dtype="Int16"),
        "importance": pd.array(importance.ravel(), dtype="Int16") if rater == "team" else pd.NA,
        "comment": comments[comment.ravel() + 1],
        "assessed_on": held_on,
        "_row": np.repeat(np.arange(rows), n_items),
    }).replace({"level": {-1: pd.NA}, "target": {-1: pd.NA}}).astype(
        {"level": "Int16", "target": "Int16", "importance": "Int16"}
    )  # fmt: skip


def round_notes(org: Org, r: int, scale: float, model: Model, links: dict[str, str | None]) -> pd.DataFrame:
    """The round's workshop notes: about 1.2 per active team; linked to items by the model's keyword rules."""
    rng = np.random.default_rng([SEED, int(scale * 10_000), 100 + r])
    t_all = org.teams
    active = np.flatnonzero((t_all["first_round"] <= r) & (t_all["last_round"] >= r))
    per_team = rng.poisson(1.2, len(active))
    tix = np.repeat(active, per_team)
    pick = rng.integers(0, len(NOTE_TEXTS), len(tix))
    author = org.members[tix, rng.integers(0, MEMBERS, len(tix))]
    rows = []
    for t, p, a in zip(tix, pick, author, strict=True):
        group, colour, tags, text = NOTE_TEXTS[p]
        if text not in links:
            links[text] = linked_item(text, model)
        rows.append((t_all["product"].iat[t], t_all["team"].iat[t], text, group, list(tags), colour, a, links[text]))
    return pd.DataFrame(rows, columns=["product", "team", "text", "group_name", "tags", "colour", "author", "item_key"])


def actions(org: Org, scale: float) -> pd.DataFrame:
    """Improvement actions: about 3 in 10 teams agree one per round; older ones are mostly done."""
    rng = np.random.default_rng([SEED, int(scale * 10_000), 200])
    t_all = org.teams
    rows = []
    for r, (name, held_on) in enumerate(ROUNDS):
        active = np.flatnonzero((t_all["first_round"] <= r) & (t_all["last_round"] >= r))
        for t in active[rng.random(len(active)) < 0.3]:
            age = len(ROUNDS) - 1 - r
            # the schema's statuses since migration 8 (a dropped action is done, a planned one to do)
            statuses = ("done", "done", "doing") if age >= 2 else ("todo", "doing", "done")
            status = statuses[rng.choice(3, p=[0.7, 0.1, 0.2])]
            item = org.items[int(np.argmin(org.noise[t] + org.ease))]
            rows.append((t_all["product"].iat[t], t_all["team"].iat[t], name, item,
                         ACTION_TITLES[rng.integers(len(ACTION_TITLES))], OWNERS[rng.integers(len(OWNERS))], status,
                         held_on + timedelta(days=int(rng.integers(60, 200)))))  # fmt: skip
    return pd.DataFrame(rows, columns=["product", "team", "round", "item_key", "title", "owner", "status", "due"])


def targets(org: Org, scale: float) -> list[tuple[str | None, str | None, str | None, int]]:
    """(tier, product, item, level): the tier defaults, and about 5 % of products asking more of one item."""
    rng = np.random.default_rng([SEED, int(scale * 10_000), 300])
    found: list[tuple[str | None, str | None, str | None, int]] = [(t, None, None, TIER_TARGET[t]) for t, _ in TIERS]
    for product in org.products["product"][rng.random(len(org.products)) < 0.05]:
        found.append((None, product, org.items[int(rng.integers(len(org.items)))], 4))
    return found


# --- writing -------------------------------------------------------------------------------------------------


def rounds_of(org: Org, scale: float, model: Model) -> Iterator[tuple[int, pd.DataFrame, pd.DataFrame]]:
    links: dict[str, str | None] = {}
    for r in range(len(ROUNDS)):
        yield r, round_answers(org, r, scale), round_notes(org, r, scale, model, links)


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its row order as a column `_n` (a registered DataFrame has no rowid to order by)."""
    return frame.assign(_n=np.arange(len(frame)))


def write_bulk(con, org: Org, scale: float, model: Model) -> None:
    """Rows straight into the package's tables (schema from store.connect), one INSERT per round and table."""
    con.executemany("INSERT INTO rounds (name, held_on) VALUES (?, ?)", [list(pair) for pair in ROUNDS])
    con.register("_products", _numbered(org.products[["product", "tier"]]))
    con.execute("INSERT INTO products (name, tier) SELECT product, tier FROM _products ORDER BY _n")
    con.register("_teams", _numbered(org.teams[["product", "team"]]))
    con.execute("""INSERT INTO teams (product_id, name) SELECT p.product_id, t.team FROM _teams t
                   JOIN products p ON p.name = t.product ORDER BY t._n""")
    round_ids = dict(con.execute("SELECT name, round_id FROM rounds").fetchall())
    team_ids = store.frame(con, "SELECT p.name AS product, t.name AS team, t.team_id FROM teams t JOIN products p "
                                "USING (product_id)")  # fmt: skip
    for r, answers, notes in rounds_of(org, scale, model):
        name, held_on = ROUNDS[r]
        files = list(dict.fromkeys(answers["file"]))  # corrections come last: higher import ids
        imports = pd.DataFrame({"file_name": files + [f"miro {name}.csv"]})
        con.register("_imports", _numbered(imports))
        con.execute(
            """INSERT INTO imports (file_name, sha256, layout, round_id, imported_at, imported_by)
               SELECT file_name, 'bench-' || md5(file_name), 'bench', ?, ?, 'bench' FROM _imports ORDER BY _n""",
            [round_ids[name], pd.Timestamp(held_on) + pd.Timedelta(days=3)],
        )
        import_ids = dict(con.execute("SELECT file_name, import_id FROM imports WHERE round_id = ?",
                                      [round_ids[name]]).fetchall())  # fmt: skip
        answers = answers.merge(team_ids, on=["product", "team"], how="left", validate="many_to_one")
        answers["import_id"] = answers["file"].map(import_ids)
        con.register("_answers", answers)
        con.execute(
            """INSERT INTO responses SELECT import_id, ?, team_id, respondent, rater, item, level, target, importance,
                      comment, assessed_on, NULL FROM _answers""",
            [round_ids[name]],
        )
        if len(notes):
            notes = notes.merge(team_ids, on=["product", "team"], how="left")
            con.register("_notes", _numbered(notes))
            con.execute(
                """INSERT INTO notes (import_id, round_id, product_id, team_id, text, group_name, tags, colour, author,
                          item_key, linked_by)
                   SELECT ?, ?, p.product_id, n.team_id, n.text, n.group_name, CAST(n.tags AS VARCHAR[]), n.colour,
                          n.author, n.item_key, CASE WHEN n.item_key IS NULL THEN NULL ELSE 'rule' END
                   FROM _notes n JOIN products p ON p.name = n.product ORDER BY n._n""",
                [import_ids[f"miro {name}.csv"], round_ids[name]],
            )
    # corrected files replace the answers they repeat (as commit_batch marks them), and the counts per import
    con.execute(
        """UPDATE responses AS r SET superseded_by = c.import_id
           FROM responses AS c JOIN imports i ON i.import_id = c.import_id AND i.file_name LIKE '%(corrected)%'
           WHERE c.import_id > r.import_id AND c.round_id = r.round_id AND c.team_id = r.team_id
             AND c.respondent = r.respondent AND c.rater = r.rater AND c.item_key = r.item_key"""
    )
    con.execute(
        """UPDATE imports AS i SET responses = s.responses, answers = s.answers, replaced = s.replaced, notes = s.notes
           FROM (SELECT i.import_id,
                        (SELECT count(level) FROM responses r WHERE r.import_id = i.import_id) AS responses,
                        (SELECT count(*) FROM responses r WHERE r.import_id = i.import_id) AS answers,
                        (SELECT count(*) FROM responses r WHERE r.superseded_by = i.import_id) AS replaced,
                        (SELECT count(*) FROM notes n WHERE n.import_id = i.import_id) AS notes
                 FROM imports i) AS s
           WHERE s.import_id = i.import_id"""
    )
    for tier, product, item, level in targets(org, scale):
        store.set_target(con, level, tier=tier, product=product, item=item)
    acts = actions(org, scale).merge(team_ids, on=["product", "team"], how="left")
    acts["round_id"] = acts["round"].map(round_ids)
    con.register("_actions", _numbered(acts))
    con.execute("""INSERT INTO actions (team_id, round_id, item_key, title, owner, status, due)
                   SELECT team_id, round_id, item_key, title, owner, status, due FROM _actions ORDER BY _n""")
    store.bump(con)
    con.execute("CHECKPOINT")


def write_package(con, org: Org, scale: float, model: Model) -> None:
    """Every file through store.commit_batch, as an import would do it (Answer and Note objects)."""
    tiers = dict(zip(org.products["product"], org.products["tier"], strict=True))
    for r, answers, notes in rounds_of(org, scale, model):
        name, held_on = ROUNDS[r]
        for file, rows in answers.groupby("file", sort=False):
            responses = [
                Answer(p, t, resp, rater, item, None if pd.isna(lv) else int(lv), None if pd.isna(tg) else int(tg),
                         None if pd.isna(im) else int(im), c, held_on)
                for p, t, resp, rater, item, lv, tg, im, c in zip(
                    rows["product"], rows["team"], rows["respondent"], rows["rater"], rows["item"], rows["level"],
                    rows["target"], rows["importance"], rows["comment"], strict=True)
            ]  # fmt: skip
            batch = Batch(file=file, layout="bench", sha256=f"bench-{file}", answers=responses, round=name,
                          round_date=held_on, tiers={p: tiers[p] for p in rows["product"].unique()})  # fmt: skip
            store.commit_batch(con, batch, name, imported_by="bench")
        batch = Batch(
            file=f"miro {name}.csv", layout="bench", sha256=f"bench-miro-{name}", round=name, round_date=held_on,
            notes=[Note(text=n.text, product=n.product, team=n.team, group=n.group_name, tags=tuple(n.tags),
                        colour=n.colour, author=n.author, item=n.item_key) for n in notes.itertuples()],
        )  # fmt: skip
        store.commit_batch(con, batch, name, imported_by="bench")
    for tier, product, item, level in targets(org, scale):
        store.set_target(con, level, tier=tier, product=product, item=item)
    for a in actions(org, scale).itertuples():
        team_id, _ = store.ensure_team(con, a.product, a.team)
        store.add_action(con, team_id, a.title, item=a.item_key, round_id=store.round_id(con, a.round),
                         owner=a.owner, status=a.status, due=a.due)  # fmt: skip
    con.execute("CHECKPOINT")


def generate(db: Path, scale: float, via: str = "bulk") -> dict[str, float]:
    """Write the organisation of `scale` into a new DuckDB file `db`; returns counts and seconds."""
    if db.exists():
        db.unlink()
    Path(f"{db}.wal").unlink(missing_ok=True)
    model = load_model()
    started = time.perf_counter()
    con = store.connect(db, model)
    org = organisation(scale, model)
    (write_bulk if via == "bulk" else write_package)(con, org, scale, model)
    seconds = time.perf_counter() - started
    counts = {
        table: int(store.scalar(con, f"SELECT count(*) FROM {table}"))  # noqa: S608 (fixed table names)
        for table in ("products", "teams", "rounds", "imports", "responses", "notes", "actions", "targets")
    }
    counts["current_responses"] = int(store.scalar(con, "SELECT count(*) FROM current_responses"))
    con.close()
    return {**counts, "seconds": round(seconds, 2), "bytes": db.stat().st_size}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="1.0 = 1,000 teams, about 3 million answers")
    parser.add_argument("--db", type=Path, help="default: bench/data/org-<scale>.duckdb (ignored by git)")
    parser.add_argument("--via", choices=("bulk", "package"), default="bulk", help="the write path (see above)")
    args = parser.parse_args(argv)
    db = args.db or default_db(args.scale)
    db.parent.mkdir(parents=True, exist_ok=True)
    found = generate(db, args.scale, args.via)
    print(f"{db}: " + ", ".join(f"{k} {v:,}" for k, v in found.items()))


def default_db(scale: float) -> Path:
    """Where a scale's database goes by default (bench/data/, ignored by git)."""
    return Path(__file__).resolve().parent / "data" / f"org-{scale:g}.duckdb"


if __name__ == "__main__":
    main()
