"""A deterministic demo organisation: products, teams, two assessment rounds, notes, targets, actions.

Every figure comes from `random.Random` seeded per team and round, so two calls build the same
batches on any machine. The texture is written down in `TEAMS` below: which teams are strong or
weak, improving or declining, where a team and SRE see things differently and where the team's
own respondents disagree. The dashboard's views and tests rely on those traits.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import duckdb

from . import store
from .actions import add_action
from .auth import Actor, require
from .batch import Answer, Answers, Batch, Note
from .model import Model
from .notes import linked_item
from .pseudonym import pseudonym
from .queries import scalar
from .schema import transaction

SEED = "opmaturity-demo-v1"
DEMO_KEY = b"opmaturity-demo"  # a fixed pseudonym key: the demo must not depend on the machine's secret
LAYOUT = "demo"
ROUNDS: tuple[tuple[str, date], ...] = (("2025-H2", date(2025, 10, 15)), ("2026-H1", date(2026, 5, 20)))

PRODUCTS: tuple[tuple[str, str], ...] = (
    ("学び放題", "T1"),
    ("ポイント基盤", "T1"),
    ("Shop Connect", "T2"),
    ("会員ID", "T2"),
    ("Partner Hub", "T2"),
    ("社内ポータル", "T3"),
)
NO_SRE_PRODUCTS = frozenset({"社内ポータル"})  # SRE never assessed these teams
SRE_BY_PRODUCT: tuple[tuple[str, str], ...] = (
    ("学び放題", "sre-lead@example.com"),
    ("ポイント基盤", "sre-lead@example.com"),
    ("会員ID", "sre-lead@example.com"),
    ("Shop Connect", "sre-platform@example.com"),
    ("Partner Hub", "sre-platform@example.com"),
)


@dataclass(frozen=True)
class DemoTeam:
    """One team's character: the level SRE would see and how the team sees itself."""

    product: str
    name: str
    slug: str  # for the respondents' (pseudonymised) addresses
    base: float  # the level SRE sees on an average item in the first round
    trend: float = 0.15  # change from the first round to the latest
    self_bias: tuple[tuple[str, float], ...] = ()  # category -> how much higher the team rates itself than SRE
    spread: tuple[str, ...] = ()  # items where the team's respondents split into low and high camps
    focus: tuple[str, ...] = ()  # items that matter most to the team (importance 3)
    not_applicable: tuple[str, ...] = ()  # items the team answers N/A
    first_round: int = 0  # index into ROUNDS of the first round the team answered


TEAMS: tuple[DemoTeam, ...] = (
    # 学び放題 (T1)
    DemoTeam("学び放題", "検索チーム", "search", 1.7, trend=1.0, focus=("OBS-5", "OBS-2", "SLO-1")),  # improving
    DemoTeam("学び放題", "決済", "payment", 3.0, focus=("TST-2", "SEC-2", "BCP-2")),  # strong
    DemoTeam(
        "学び放題",
        "Mobile App",
        "mobile",
        1.8,
        self_bias=(("OBS", 2.1), ("INC", 1.9)),  # rates itself far above SRE
        focus=("OBS-3", "OBS-2", "REL-3"),
        not_applicable=("MNT-2",),
    ),
    DemoTeam("学び放題", "動画配信", "video", 2.6, trend=-0.8, focus=("MNT-2", "CAP-2", "COST-1")),  # declining
    # ポイント基盤 (T1)
    DemoTeam(
        "ポイント基盤",
        "ポイント付与",
        "points-grant",
        2.2,
        spread=("OBS-2", "INC-1", "SLO-2", "REL-2"),  # respondents disagree
        focus=("OBS-5", "INC-1", "COST-1"),
    ),
    DemoTeam("ポイント基盤", "ポイント交換", "points-exchange", 1.6, trend=1.0, focus=("MNT-2", "INC-2", "REL-2")),
    DemoTeam("ポイント基盤", "Ledger API", "ledger", 3.1, focus=("BCP-3", "SLO-3", "SEC-3")),  # strong
    # Shop Connect (T2)
    DemoTeam(
        "Shop Connect",
        "Storefront",
        "storefront",
        1.3,
        spread=("TST-3", "REL-1", "CAP-1"),  # weak, and respondents disagree
        focus=("TST-2", "COST-2", "CAP-1"),
    ),
    DemoTeam(
        "Shop Connect",
        "在庫連携",
        "inventory",
        1.8,
        self_bias=(("BCP", 1.9), ("SEC", 1.8)),  # rates itself far above SRE
        focus=("BCP-1", "LOG-1", "OBS-2"),
    ),
    DemoTeam("Shop Connect", "Checkout", "checkout", 1.7, trend=0.9, focus=("LOG-3", "REL-3", "MNT-3")),
    # 会員ID (T2)
    DemoTeam(
        "会員ID",
        "認証",
        "auth",
        2.9,
        self_bias=(("SEC", -2.0), ("LOG", -1.9)),  # strong, and rates itself far below SRE
        focus=("SEC-2", "SEC-3", "LOG-3"),
    ),
    DemoTeam("会員ID", "Member API", "member-api", 2.2, focus=("LOG-3", "LOG-2", "SLO-2")),
    # Partner Hub (T2)
    DemoTeam("Partner Hub", "入稿管理", "ingest", 1.0, focus=("TST-2", "ORG-2", "INC-2")),  # weak
    DemoTeam(
        "Partner Hub",
        "Partner API",
        "partner-api",
        2.6,
        trend=-0.8,  # declining, and rates itself far above SRE
        self_bias=(("SLO", 1.8), ("REL", 1.7)),
        focus=("SLO-2", "REL-2", "MNT-3"),
    ),
    DemoTeam("Partner Hub", "Data Pipeline", "data-pipeline", 2.0, first_round=1, focus=("BCP-2", "COST-2")),  # new
    # 社内ポータル (T3): no SRE assessment
    DemoTeam(
        "社内ポータル", "ポータル開発", "portal", 1.6, focus=("ORG-2", "COST-2"), not_applicable=("REL-3", "CAP-1")
    ),
    DemoTeam(
        "社内ポータル", "Workflow", "workflow", 0.9, focus=("ORG-1", "MNT-3"), not_applicable=("REL-3", "CAP-1")
    ),  # weak
)

# How much easier (+) or harder (-) than average an item is across the whole organisation.
ITEM_EASE: tuple[tuple[str, float], ...] = (
    ("OBS-1", 0.5),
    ("OBS-3", 0.4),
    ("OBS-5", -1.4),  # monitoring tool ownership unclear almost everywhere
    ("SLO-3", -1.0),
    ("INC-1", 0.3),
    ("INC-2", -0.4),
    ("REL-1", 0.8),
    ("REL-2", 0.2),
    ("REL-3", -0.3),
    ("BCP-2", -1.0),
    ("BCP-3", -0.5),
    ("SEC-1", 0.2),
    ("SEC-3", 0.3),
    ("LOG-1", 0.2),
    ("LOG-3", -0.5),
    ("TST-2", -1.8),  # masked production data for QA: weak almost everywhere
    ("MNT-2", -1.8),  # per-URL maintenance mode: weak almost everywhere
    ("CAP-1", -0.4),
    ("COST-1", -0.3),
    ("COST-2", -0.6),
)
OPTIMISM = 0.25  # teams rate themselves a little above SRE on average

# What SRE writes beside a category the team rates far higher (or lower) than SRE does.
SRE_COMMENTS: tuple[tuple[str, str], ...] = (
    ("OBS", "ダッシュボードはあるが、障害時に誰も見ていない"),
    ("INC", "Rota exists, but the escalation contacts are two reorganisations old"),
    ("BCP", "バックアップはあるが、リストアの実績がない"),
    ("SEC", "Dependabot alerts pile up unreviewed"),
    ("SLO", "SLOの数値はあるが、合意した記録がない"),
    ("REL", "Rollback is a 40-minute manual procedure"),
    ("LOG", "Structured logs and retention rules are in place; better than the team thinks"),
)

# Workshop sticky notes: (round index, product, team, Miro frame, colour, tags, text, the item it is about).
NOTES: tuple[tuple[int, str, str, str, str, tuple[str, ...], str, str | None], ...] = (
    # 2025-H2
    (0, "学び放題", "検索チーム", "課題", "light_pink", ("監視",),
     "監視ツールがDatadog・Sentry・CloudWatchに分かれていて役割が曖昧", "OBS-5"),
    (0, "Partner Hub", "入稿管理", "課題", "light_pink", ("テスト",),
     "QA環境のテストデータが手作りで、本番データとかけ離れている", "TST-2"),
    (0, "学び放題", "動画配信", "課題", "yellow", ("メンテナンス",),
     "メンテ画面がサービス全体でしか出せない", "MNT-2"),
    (0, "ポイント基盤", "ポイント交換", "課題", "light_pink", ("リリース",),
     "ロールバックの切り戻し手順が属人化している", "REL-2"),
    (0, "Shop Connect", "Checkout", "Problems", "light_pink", ("capacity",),
     "No load test before the big spring sale", "CAP-1"),
    (0, "学び放題", "Mobile App", "Problems", "light_pink", ("alerting",),
     "Alert thresholds were copied from another team and page us at night", "OBS-2"),
    # 2026-H1
    (1, "学び放題", "検索チーム", "良い点", "light_green", ("監視",),
     "DatadogとSentryの使い分けを決めて、wikiにオーナーを書いた", "OBS-5"),
    (1, "学び放題", "Mobile App", "Problems", "light_pink", ("monitoring", "ownership"),
     "Nobody owns the Datadog monitors any more; tool ownership left with the person who set them up", "OBS-5"),
    (1, "ポイント基盤", "ポイント付与", "課題", "light_pink", ("監視", "コスト"),
     "監視ツールのオーナーが不在。Datadogの請求が誰の予算か分からない", "OBS-5"),
    (1, "Partner Hub", "Partner API", "Problems", "yellow", ("monitoring",),
     "Datadog vs Sentry: errors land in both and nobody agrees which one is the source of truth", "OBS-5"),
    (1, "会員ID", "認証", "課題", "light_pink", ("ログ", "CS"),
     "問い合わせ調査のためにユーザーログを2年間保持しているが、保持の根拠が曖昧", "LOG-3"),
    (1, "Shop Connect", "Checkout", "Problems", "light_pink", ("logs", "support"),
     "Customer support asks for user logs by ユーザーID from months back, so we keep everything forever", "LOG-3"),
    (1, "Partner Hub", "入稿管理", "課題", "light_pink", ("テスト",),
     "QA用に本番データをマスクして投入する仕組みがなく、テストデータが足りない", "TST-2"),
    (1, "学び放題", "決済", "やりたいこと", "yellow", ("テスト",),
     "匿名化した本番データをQAで使えるようにしたい（マスク処理の自動化）", "TST-2"),
    (1, "学び放題", "動画配信", "課題", "light_pink", ("メンテナンス",),
     "URL単位でメンテナンスモードにできず、毎回サービス全体を止めている", "MNT-2"),
    (1, "ポイント基盤", "ポイント交換", "やりたいこと", "yellow", ("maintenance",),
     "Per-URL maintenance page so we can close only the exchange API during partner maintenance", "MNT-2"),
    (1, "ポイント基盤", "ポイント交換", "良い点", "light_green", ("インシデント",),
     "ランブックを現行構成に合わせて全部書き直した", "INC-2"),
    (1, "学び放題", "Mobile App", "Problems", "light_pink", ("alerting",),
     "Alert fatigue: about 200 alerts a week, thresholds never revisited, nobody reads the channel", "OBS-2"),
    (1, "学び放題", "動画配信", "課題", "light_pink", ("アラート", "オンコール"),
     "夜間のアラートが多すぎて誤報ばかり。オンコール担当が疲弊している", "OBS-2"),
    (1, "Partner Hub", "入稿管理", "課題", "light_pink", ("インシデント",),
     "ランブックが2年前のままで、今の構成と合っていない", "INC-2"),
    (1, "会員ID", "認証", "課題", "light_pink", ("バックアップ",),
     "リストア訓練を一度もしていない。本当に復元できるか誰も知らない", "BCP-2"),
    (1, "Partner Hub", "Data Pipeline", "Problems", "light_pink", ("backup",),
     "Restore from backup has never been tested; no drill in three years", "BCP-2"),
    (1, "Shop Connect", "Storefront", "Problems", "orange", ("cost",),
     "Idle staging clusters cost more than production; there is no clean-up routine", "COST-2"),
    (1, "社内ポータル", "ポータル開発", "課題", "orange", ("コスト",),
     "未使用のステージング環境が停止忘れで動き続け、月30万円。棚卸ししたい", "COST-2"),
    (1, "社内ポータル", "Workflow", "課題", "light_pink", ("保守",),
     "Node.js 16 がEOLを過ぎているが、バージョンアップの計画がない", "MNT-3"),
    (1, "Shop Connect", "Checkout", "Problems", "yellow", ("maintenance",),
     "PHP 7.4 is past EOL and the upgrade keeps slipping behind feature work", "MNT-3"),
    (1, "ポイント基盤", "Ledger API", "良い点", "light_green", ("リリース",),
     "GitHub Actionsでデプロイが完全に自動化されている", "REL-1"),
    (1, "学び放題", "決済", "良い点", "light_green", ("インシデント",),
     "ポストモーテムを毎回書いて、再発防止策まで追いかけている", "INC-3"),
    (1, "Shop Connect", "Checkout", "Good", "light_green", ("release",),
     "Canary releases with feature flags for every change to checkout", "REL-3"),
    (1, "ポイント基盤", "Ledger API", "やりたいこと", "yellow", ("SLO",),
     "エラーバジェットをリリース判断に使いたい", "SLO-3"),
    (1, "社内ポータル", "ポータル開発", "課題", "light_pink", ("ドキュメント",),
     "構成図と運用ドキュメントがConfluenceとwikiに散らばっている", "ORG-2"),
    (1, "会員ID", "Member API", "良い点", "light_green", (), "チームの雰囲気が良く、SREに相談しやすい", None),
    (1, "Partner Hub", "Data Pipeline", "Next", "yellow", (),
     "Would like SRE to join our sprint review once a quarter", None),
)  # fmt: skip

# Tier targets, and one product that must do better on one item: (tier, product, item, level).
TARGETS: tuple[tuple[str | None, str | None, str | None, int], ...] = (
    ("T1", None, None, 3),
    ("T2", None, None, 3),
    ("T3", None, None, 2),
    (None, "ポイント基盤", "BCP-2", 4),  # the points ledger is money: restores are drilled to the top level
)

# Improvement actions: (product, team, item, title, owner role, status, due, round index).
ACTIONS: tuple[tuple[str, str, str, str, str, str, date, int], ...] = (
    ("学び放題", "検索チーム", "OBS-5", "DatadogとSentryの役割分担とオーナーを文書化する", "テックリード", "done",
     date(2026, 1, 31), 0),
    ("ポイント基盤", "ポイント交換", "INC-2", "ランブックを現行構成に合わせて更新する", "オンコール担当", "done",
     date(2026, 2, 28), 0),
    ("学び放題", "決済", "TST-2", "本番マスクデータを検証環境へ週次で投入する", "SRE", "doing", date(2026, 7, 31), 1),
    ("Partner Hub", "入稿管理", "TST-2", "Anonymised partner catalogue as QA test data", "QA lead", "todo",
     date(2026, 9, 30), 1),
    ("学び放題", "動画配信", "MNT-2", "URL単位のメンテナンスモードをCDNで実装する", "SRE", "todo",
     date(2026, 8, 31), 1),
    ("学び放題", "Mobile App", "OBS-2", "Alert review: delete or re-route alerts nobody acts on",
     "Engineering manager", "doing", date(2026, 6, 30), 1),
    ("会員ID", "認証", "BCP-2", "四半期ごとのリストア訓練を始める", "SRE", "todo", date(2026, 9, 30), 1),
    ("Shop Connect", "Checkout", "MNT-3", "Upgrade PHP 7.4 to 8.3", "Tech lead", "doing", date(2026, 10, 31), 1),
    ("Shop Connect", "Storefront", "COST-2", "Stop idle staging clusters at night and at weekends",
     "Platform team", "todo", date(2026, 7, 15), 1),
)  # fmt: skip


def demo_batches(model: Model) -> list[tuple[str, date, Batch]]:
    """(round name, held on, batch) for every round: survey answers, SRE assessment, workshop notes."""
    found: list[tuple[str, date, Batch]] = []
    for index, (round_name, held_on) in enumerate(ROUNDS):
        survey: list[Answer] = []
        sre: list[Answer] = []
        for team in TEAMS:
            if index < team.first_round:
                continue
            answers, assessment = _team_round(team, index, held_on, model)
            survey += answers
            sre += assessment
        notes = _notes(index, model)
        kinds: tuple[tuple[str, list[Answer], list[Note]], ...] = (
            ("survey answers", survey, []), ("SRE assessment", sre, []), ("workshop notes", [], notes),
        )  # fmt: skip
        for kind, responses, kind_notes in kinds:
            batch = Batch(
                file=f"demo: {round_name} {kind}",
                layout=LAYOUT,
                sha256="",
                answers=Answers(responses),
                notes=kind_notes,
                round=round_name,
                round_date=held_on,
                tiers=_tiers(responses, kind_notes),
            )
            batch.sha256 = Batch.digest(_canonical(batch))
            found.append((round_name, held_on, batch))
    return found


def load_demo(con: duckdb.DuckDBPyConnection, model: Model, *, actor: Actor | None = None) -> dict[str, int]:
    """What loading the demo added: rounds, products, teams, responses (with a level), notes, actions; `actor`
    (None: the command line's operator) needs the right to change.

    One transaction. Loading again adds nothing and every count comes back 0: the batches are duplicates by sha256,
    and targets and actions that exist already are left alone (so a target edited since survives).
    """
    actor = require(actor, "change")
    counts = dict.fromkeys(("rounds", "products", "teams", "responses", "notes", "actions"), 0)
    with transaction(con):  # all of it or nothing: a failure half-way leaves no half organisation
        for round_name, _held_on, batch in demo_batches(model):
            result = store.commit_batch(con, batch, round_name, imported_by="demo", actor=actor)
            if result.status != "imported":
                continue
            for kind in ("rounds", "products", "teams"):
                counts[kind] += len(result.created.get(kind, []))
            counts["responses"] += result.answered
            counts["notes"] += result.notes
        keys = {i.key for i in model.items}
        for tier, product, item, level in TARGETS:
            if item is not None and item not in keys:
                continue
            exists = scalar(
                con,
                """SELECT count(*) FROM targets t LEFT JOIN products p USING (product_id)
                   WHERE t.tier IS NOT DISTINCT FROM ? AND p.name IS NOT DISTINCT FROM ?
                     AND t.item_key IS NOT DISTINCT FROM ?""",
                [tier, product, item],
            )
            if not exists:
                store.set_target(con, level, tier=tier, product=product, item=item, actor=actor)
        for product, team, item, title, owner, status, due, round_index in ACTIONS:
            team_id, _ = store.ensure_team(con, product, team, dict(PRODUCTS)[product])
            if scalar(con, "SELECT count(*) FROM actions WHERE team_id = ? AND title = ?", [team_id, title]):
                continue
            add_action(
                con,
                product,
                team,
                title=title,
                item=item if item in keys else None,
                round_name=ROUNDS[round_index][0],
                owner=owner,
                status=status,
                due=due,
                actor=actor,
            )
            counts["actions"] += 1
    return counts


# --- how one team answers in one round ----------------------------------------------------------------


def _team_round(team: DemoTeam, index: int, held_on: date, model: Model) -> tuple[list[Answer], list[Answer]]:
    """The team's survey answers and SRE's assessment of the team for round `index`."""
    ease = dict(ITEM_EASE)
    bias = dict(team.self_bias)
    fixed = random.Random(f"{SEED}:{team.product}:{team.name}")  # the same in every round
    item_noise = {i.key: fixed.gauss(0, 0.3) for i in model.items}
    importance = {
        i.key: 3 if i.key in team.focus else fixed.choices((1, 2, 3), weights=(3, 5, 2))[0] for i in model.items
    }
    rng = random.Random(f"{SEED}:{team.product}:{team.name}:{index}")
    truth = {i.key: team.base + team.trend * index + ease.get(i.key, 0.0) + item_noise[i.key] for i in model.items}
    target_level = 2 if dict(PRODUCTS)[team.product] == "T3" else 3

    survey: list[Answer] = []
    for member in range(1, rng.randint(3, 5) + 1):
        respondent = pseudonym(f"{team.slug}.{member}@example.com", DEMO_KEY)
        high_camp = member % 2 == 0
        for item in model.items:
            if item.key in team.not_applicable or rng.random() < 0.03:
                level = None
            elif item.key in team.spread:
                level = rng.choice((3, 4)) if high_camp else rng.choice((0, 1))
            else:
                level = _level(truth[item.key] + OPTIMISM + bias.get(item.category, 0.0) + rng.gauss(0, 0.55))
            said = importance[item.key]
            if rng.random() < 0.15:
                said = min(3, max(1, said + rng.choice((-1, 1))))
            target = None
            if level is not None and rng.random() < 0.15:
                target = min(4, max(level + 1, target_level + (said == 3)))
            survey.append(
                Answer(team.product, team.name, respondent, "team", item.key, level, target, said,
                         assessed_on=held_on)
            )  # fmt: skip

    assessment: list[Answer] = []
    if team.product not in NO_SRE_PRODUCTS:
        sre = pseudonym(dict(SRE_BY_PRODUCT)[team.product], DEMO_KEY)
        comments = dict(SRE_COMMENTS)
        commented: set[str] = set()
        for item in model.items:
            level = None if rng.random() < 0.01 else _level(truth[item.key] + rng.gauss(0, 0.25))
            comment = None
            if abs(bias.get(item.category, 0.0)) >= 1.5 and item.category not in commented:
                comment = comments.get(item.category)
                commented.add(item.category)
            assessment.append(
                Answer(team.product, team.name, sre, "sre", item.key, level, comment=comment, assessed_on=held_on)
            )
    return survey, assessment


def _tiers(responses: list[Answer], notes: list[Note]) -> dict[str, str]:
    """Product -> tier for the products a batch names."""
    named = {r.product for r in responses} | {n.product for n in notes if n.product}
    return {product: tier for product, tier in PRODUCTS if product in named}


def _level(value: float) -> int:
    return min(4, max(0, round(value)))


def _notes(index: int, model: Model) -> list[Note]:
    """The round's workshop notes, each linked to an item by the model's keyword rules."""
    slugs = {(t.product, t.name): t.slug for t in TEAMS}
    return [
        Note(
            text=text,
            product=product,
            team=team,
            group=group,
            tags=tags,
            colour=colour,
            author=pseudonym(f"{slugs[product, team]}.1@example.com", DEMO_KEY),
            item=linked_item(text, model),
        )
        for round_index, product, team, group, colour, tags, text, _about in NOTES
        if round_index == index
    ]


def _canonical(batch: Batch) -> bytes:
    """The batch's content as stable bytes, the stand-in for a file's bytes when hashing."""
    content: dict[str, Any] = {
        "file": batch.file,
        "round": batch.round,
        "responses": [asdict(r) for r in batch.answers],
        "notes": [asdict(n) for n in batch.notes],
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
