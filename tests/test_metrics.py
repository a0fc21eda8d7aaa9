"""Every metric against a small organisation whose figures are worked out by hand below."""

import json
import math
from datetime import date

import pandas as pd
import pytest
import yaml

from opmaturity import config, metrics, queries, store, summary
from opmaturity.auth import Actor
from opmaturity.batch import Answer, Batch, Note
from opmaturity.errors import OpmaturityError
from opmaturity.model import parse_model

NA = None


def load(con, round_name, rows, *, held_on=None, tiers=None):
    """Commit (product, team, respondent, rater, item, level[, target[, importance]]) rows as one import."""
    responses = [Answer(*row) for row in rows]
    digest = Batch.digest(repr((round_name, rows)).encode())
    batch = Batch(
        file=f"{round_name}.csv",
        layout="tidy",
        sha256=digest,
        answers=responses,
        round_date=held_on,
        tiers=tiers or {},
    )
    assert store.commit_batch(con, batch, round_name).status == "imported"


# Two rounds. Shop (tier T1: target 3) has Cart, Search and Idle; Lab (tier T3: target 2) has Bot.
#
# R2, team rater          levels (N/A = not applicable)   importance     own target
#   Cart  OBS-1           p1=1 p2=2 p3=3 p4=N/A           3, 3, -, -
#   Cart  OBS-2           p1=4 p2=2                       -, -
#   Cart  OBS-3           p1=N/A p2=N/A
#   Cart  SLO-1           p1=2 p2=2 p3=2                  1, -, -        4, -, -
#   Search OBS-1          q1=4 q2=4 q3=3
#   Search OBS-2          q1=1                            2
#   Bot   OBS-1           b1=1
#   Bot   OBS-2           b1=2
# R2, SRE: Cart OBS-1 s1=3, OBS-2 s1=1 (importance 3: not the team's), SLO-1 s1=2.
# R1 (previous), team rater: Cart OBS-1 p1=1 p2=1, Cart SLO-1 p1=3, Bot OBS-1 b1=3, Idle INC-1 i1=2.
R1 = [
    ("Shop", "Cart", "p1", "team", "OBS-1", 1),
    ("Shop", "Cart", "p2", "team", "OBS-1", 1),
    ("Shop", "Cart", "p1", "team", "SLO-1", 3),
    ("Lab", "Bot", "b1", "team", "OBS-1", 3),
    ("Shop", "Idle", "i1", "team", "INC-1", 2),
]
R2 = [
    ("Shop", "Cart", "p1", "team", "OBS-1", 1, None, 3),
    ("Shop", "Cart", "p2", "team", "OBS-1", 2, None, 3),
    ("Shop", "Cart", "p3", "team", "OBS-1", 3),
    ("Shop", "Cart", "p4", "team", "OBS-1", NA),
    ("Shop", "Cart", "p1", "team", "OBS-2", 4),
    ("Shop", "Cart", "p2", "team", "OBS-2", 2),
    ("Shop", "Cart", "p1", "team", "OBS-3", NA),
    ("Shop", "Cart", "p2", "team", "OBS-3", NA),
    ("Shop", "Cart", "p1", "team", "SLO-1", 2, 4, 1),
    ("Shop", "Cart", "p2", "team", "SLO-1", 2),
    ("Shop", "Cart", "p3", "team", "SLO-1", 2),
    ("Shop", "Search", "q1", "team", "OBS-1", 4),
    ("Shop", "Search", "q2", "team", "OBS-1", 4),
    ("Shop", "Search", "q3", "team", "OBS-1", 3),
    ("Shop", "Search", "q1", "team", "OBS-2", 1, None, 2),
    ("Lab", "Bot", "b1", "team", "OBS-1", 1),
    ("Lab", "Bot", "b1", "team", "OBS-2", 2),
    ("Shop", "Cart", "s1", "sre", "OBS-1", 3),
    ("Shop", "Cart", "s1", "sre", "OBS-2", 1, None, 3),
    ("Shop", "Cart", "s1", "sre", "SLO-1", 2),
]
TIERS = {"Shop": "T1", "Lab": "T3"}


@pytest.fixture
def org(con):
    load(con, "R1", R1, held_on=date(2024, 1, 10), tiers=TIERS)
    load(con, "R2", R2, held_on=date(2024, 7, 10), tiers=TIERS)
    return con


def row(frame, **where):
    """The one row of `frame` matching every column = value given."""
    found = frame
    for column, value in where.items():
        found = found[found[column].isna()] if value is None else found[found[column] == value]
    assert len(found) == 1, f"{len(found)} rows match {where}"
    return found.iloc[0]


def close(value, expected):
    return value == pytest.approx(expected, abs=1e-9)


def missing(value):
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# --- level, n, N/A --------------------------------------------------------------------------------------------


def test_level_is_the_mean_of_answers_with_a_level_and_na_counts_in_no_mean_and_no_n(org):
    cart = row(metrics.item_scores(org, "R2"), team="Cart", rater="team", item="OBS-1")
    assert close(cart["level"], 2.0)  # (1 + 2 + 3) / 3, not (1 + 2 + 3 + 0) / 4
    assert (cart["n"], cart["na"], cart["respondents"]) == (3, 1, 3)


def test_an_item_answered_only_not_applicable_has_no_level_and_n_zero(org):
    cart = row(metrics.item_scores(org, "R2"), team="Cart", rater="team", item="OBS-3")
    assert missing(cart["level"]) and cart["n"] == 0 and cart["na"] == 2
    assert missing(cart["target"]) and missing(cart["gap"]) and missing(cart["priority"])
    assert cart["disagreement_status"] == "no_data"


# --- targets ---------------------------------------------------------------------------------------------------


def test_target_of_a_group_is_the_mean_of_its_answers_effective_targets(org):
    slo = row(metrics.item_scores(org, "R2"), team="Cart", rater="team", item="SLO-1")
    assert close(slo["target"], (4 + 3 + 3) / 3)  # p1's own target 4, the others the T1 tier default 3
    assert close(slo["gap"], 10 / 3 - 2)


def test_targets_fall_through_answer_product_tier_and_model_tier_to_the_model_default(con):
    load(
        con,
        "R1",
        [
            ("ByProduct", "A", "r", "team", "OBS-1", 2),  # product + item target 1
            ("ByProduct", "A", "r", "team", "OBS-2", 2),  # product, all items: 2
            ("ByProduct", "A", "r", "team", "OBS-3", 2, 4),  # the answer's own target 4 beats both
            ("ByTier", "B", "r", "team", "OBS-1", 2),  # tier + item target 0
            ("ByTier", "B", "r", "team", "OBS-2", 2),  # tier, all items: 1
            ("Internal", "C", "r", "team", "OBS-1", 2),  # T3 in the model: default target 2
            ("NoTier", "D", "r", "team", "OBS-1", 2),  # no tier, no item default: the model's 3
        ],
        tiers={"ByProduct": "T1", "ByTier": "T1", "Internal": "T3"},
    )
    store.set_target(con, 1, product="ByProduct", item="OBS-1")
    store.set_target(con, 2, product="ByProduct")
    store.set_target(con, 0, tier="T1", item="OBS-1")
    store.set_target(con, 1, tier="T1")
    scores = metrics.item_scores(con, "R1")
    targets = {(r.team, r.item): r.target for r in scores.itertuples()}
    assert targets == {
        ("A", "OBS-1"): 1,
        ("A", "OBS-2"): 2,
        ("A", "OBS-3"): 4,
        ("B", "OBS-1"): 0,
        ("B", "OBS-2"): 1,
        ("C", "OBS-1"): 2,
        ("D", "OBS-1"): 3,
    }


def test_a_target_set_again_replaces_the_earlier_one(con):
    load(con, "R1", [("P", "T", "r", "team", "OBS-1", 2)], tiers={"P": "T1"})
    store.set_target(con, 1, product="P")
    store.set_target(con, 4, product="P")
    assert metrics.item_scores(con, "R1")["target"].tolist() == [4]


@pytest.fixture
def custom_model(model):
    """The shipped model with an item default (OBS-1: 1) and a model default of 4."""
    raw = yaml.safe_load(model.source)
    raw["scale"]["default_target"] = 4
    raw["categories"][0]["items"][0]["default_target"] = 1
    return parse_model(yaml.safe_dump(raw, allow_unicode=True), "custom.yaml")


def test_without_a_tier_the_items_default_target_comes_before_the_models(tmp_path, custom_model):
    con = store.connect(tmp_path / "custom.duckdb", custom_model)
    load(
        con,
        "R1",
        [
            ("NoTier", "D", "r", "team", "OBS-1", 2),
            ("NoTier", "D", "r", "team", "OBS-2", 2),
            ("Internal", "C", "r", "team", "OBS-1", 2),
        ],
        tiers={"Internal": "T3"},
    )
    targets = {(r.team, r.item): r.target for r in metrics.item_scores(con, "R1").itertuples()}
    assert targets == {("D", "OBS-1"): 1, ("D", "OBS-2"): 4, ("C", "OBS-1"): 2}  # the tier default comes first
    con.close()


def test_tier_targets_follow_the_model_the_database_was_synced_with(con, model):
    load(con, "R1", [("Internal", "C", "r", "team", "OBS-1", 2)], tiers={"Internal": "T3"})
    assert metrics.item_scores(con, "R1")["target"].tolist() == [2]
    raised = parse_model(model.source.replace("default_target: 2}", "default_target: 4}"), "m.yaml")
    store.sync_model(con, raised)
    assert store.rows(con, "SELECT tier_key, default_target FROM tiers WHERE tier_key = 'T3'") == [("T3", 4)]
    assert metrics.item_scores(con, "R1")["target"].tolist() == [4]


# --- importance and priority -----------------------------------------------------------------------------------


def test_importance_is_the_mean_of_the_teams_own_answers(org):
    scores = metrics.item_scores(org, "R2")
    cart = row(scores, team="Cart", rater="team", item="OBS-1")
    assert close(cart["importance"], 3.0) and not cart["importance_assumed"]


def test_importance_is_assumed_2_and_flagged_when_the_team_gave_none_even_if_sre_did(org):
    cart = row(metrics.item_scores(org, "R2"), team="Cart", rater="team", item="OBS-2")
    assert close(cart["importance"], 2.0) and cart["importance_assumed"]


def test_priority_is_importance_times_the_positive_gap(org):
    scores = metrics.item_scores(org, "R2")
    assert close(row(scores, team="Cart", rater="team", item="OBS-1")["priority"], 3 * (3 - 2))
    assert close(row(scores, team="Search", rater="team", item="OBS-2")["priority"], 2 * (3 - 1))
    assert close(row(scores, team="Bot", rater="team", item="OBS-1")["priority"], 2 * (2 - 1))  # assumed 2, T3


def test_priority_uses_only_positive_gaps(org):
    search = row(metrics.item_scores(org, "R2"), team="Search", rater="team", item="OBS-1")
    assert close(search["gap"], 3 - 11 / 3)  # above target: a negative gap
    assert search["priority"] == 0


def test_top_gaps_rank_team_items_below_target_by_priority(org):
    gaps = metrics.top_gaps(org, "R2")
    assert list(zip(gaps["team"], gaps["item"], strict=True)) == [
        ("Search", "OBS-2"),  # 2 x 2 = 4
        ("Cart", "OBS-1"),  # 3 x 1 = 3
        ("Bot", "OBS-1"),  # 2 (assumed) x 1 = 2
        ("Cart", "SLO-1"),  # 1 x 4/3
    ]
    assert len(metrics.top_gaps(org, "R2", limit=2)) == 2


# --- perception gap ------------------------------------------------------------------------------------------


def test_perception_gap_is_sre_minus_team(org):
    scores = metrics.item_scores(org, "R2")
    assert close(row(scores, team="Cart", rater="team", item="OBS-1")["perception_gap"], 3 - 2)
    assert close(row(scores, team="Cart", rater="sre", item="OBS-2")["perception_gap"], 1 - 3)
    assert missing(row(scores, team="Search", rater="team", item="OBS-1")["perception_gap"])  # no SRE answer


def test_perception_gaps_are_ranked_by_size_either_way_and_agreement_is_left_out(org):
    gaps = metrics.perception_gaps(org, "R2")
    assert gaps["item"].tolist() == ["OBS-2", "OBS-1"]  # SLO-1: both say 2
    assert gaps["perception_gap"].tolist() == [-2.0, 1.0]
    assert (gaps["team_n"].tolist(), gaps["sre_n"].tolist()) == ([2, 3], [1, 1])


# --- disagreement ------------------------------------------------------------------------------------------------


def test_disagreement_is_the_population_sd_with_min_max_and_n(org):
    cart = row(metrics.item_scores(org, "R2"), team="Cart", rater="team", item="OBS-1")
    assert close(cart["sd"], math.sqrt(2 / 3))  # levels 1, 2, 3 around 2
    assert (cart["min_level"], cart["max_level"], cart["disagreement_status"]) == (1, 3, "ok")


def test_disagreement_of_two_answers_is_too_few_to_show_and_three_are_reported(org):
    two = row(metrics.item_scores(org, "R2"), team="Cart", rater="team", item="OBS-2")
    assert two["disagreement_status"] == "too_few"
    assert missing(two["sd"]) and missing(two["min_level"]) and missing(two["max_level"])
    shown = row(metrics.item_scores(org, "R2", k=2), team="Cart", rater="team", item="OBS-2")
    assert shown["disagreement_status"] == "ok" and close(shown["sd"], 1.0)


def test_disagreements_list_only_groups_of_at_least_k_ranked_by_spread(org):
    listed = metrics.disagreements(org, "R2")
    assert list(zip(listed["team"], listed["item"], strict=True)) == [("Cart", "OBS-1"), ("Search", "OBS-1")]
    assert close(listed["sd"].iloc[1], math.sqrt(6 / 27))
    assert metrics.disagreements(org, "R2", k=2)["item"].tolist()[0] == "OBS-2"  # 4 and 2: sd 1


def test_k_must_be_a_whole_number_of_at_least_one(org):
    with pytest.raises(OpmaturityError, match="k"):
        metrics.item_scores(org, "R2", k=0)


# --- org-weak items ------------------------------------------------------------------------------------------


def test_org_weak_items_count_teams_below_target_and_rank_by_share_then_mean_level(org):
    weak = metrics.org_weak_items(org, "R2")
    assert weak["item"].tolist() == ["SLO-1", "OBS-1", "OBS-2"]  # OBS-3: only N/A, no team has data
    obs1 = row(weak, item="OBS-1")
    assert (obs1["teams"], obs1["teams_below"]) == (3, 2)  # Cart 2 < 3 and Bot 1 < 2; Search 3.67 is above
    assert close(obs1["share_below"], 2 / 3) and close(obs1["mean_level"], (2 + 11 / 3 + 1) / 3)
    assert close(row(weak, item="OBS-2")["share_below"], 1 / 3)  # at target is not below


def test_org_weak_items_with_the_same_share_rank_the_lower_mean_level_first_then_model_order(con):
    load(
        con,
        "R1",
        [
            ("P", "A", "r", "team", "OBS-1", 2),
            ("P", "B", "r", "team", "OBS-1", 2),
            ("P", "A", "r", "team", "OBS-2", 1),
            ("P", "B", "r", "team", "OBS-2", 1),
            ("P", "A", "r", "team", "OBS-3", 2),
            ("P", "B", "r", "team", "OBS-3", 2),
        ],
        tiers={"P": "T1"},
    )
    weak = metrics.org_weak_items(con, "R1")
    assert weak["item"].tolist() == ["OBS-2", "OBS-1", "OBS-3"]
    assert weak["share_below"].tolist() == [1.0, 1.0, 1.0]


# --- change --------------------------------------------------------------------------------------------------


def test_change_is_this_rounds_level_minus_the_previous_rounds(org):
    scores = metrics.item_scores(org, "R2")
    assert close(row(scores, team="Cart", rater="team", item="OBS-1")["change"], 2 - 1)
    assert close(row(scores, team="Bot", rater="team", item="OBS-1")["change"], 1 - 3)
    assert missing(row(scores, team="Cart", rater="team", item="OBS-2")["change"])  # not answered in R1


def test_a_team_with_one_round_only_has_no_change(org):
    scores = metrics.category_scores(org, "R2")
    assert scores[scores["team"] == "Search"]["change"].isna().all()
    assert "Search" not in set(metrics.changes(org, "R2")["team"])


def test_the_first_round_has_no_changes(org):
    assert metrics.changes(org, "R1").empty


def test_category_changes_rest_on_paired_items_and_rank_by_size_rise_first_on_a_tie(org):
    moved = metrics.changes(org, "R2")
    assert list(zip(moved["team"], moved["category"], strict=True)) == [
        ("Bot", "OBS"),
        ("Cart", "OBS"),
        ("Cart", "SLO"),
    ]
    # Only OBS-1 was rated in both rounds by Cart and Bot: OBS-2 (new in R2) moves nothing.
    assert [round(c, 9) for c in moved["change"]] == [-2.0, 1.0, -1.0]  # 1 - 3; 2 - 1; 2 - 3
    cart = row(moved, team="Cart", category="OBS")
    assert (cart["level"], cart["previous_level"], cart["items"]) == (2.0, 1.0, 1)
    assert (cart["n_before"], cart["n_after"]) == (2, 3)
    assert not moved["significant"].any()  # 1 to 3 respondents: all within noise


def test_item_changes_name_the_item(org):
    moved = metrics.changes(org, "R2", level="item")
    assert list(zip(moved["team"], moved["item"], strict=True)) == [
        ("Bot", "OBS-1"),
        ("Cart", "OBS-1"),
        ("Cart", "SLO-1"),
    ]


def test_movers_give_the_biggest_rises_and_falls(org):
    moved = metrics.movers(org, "R2", limit=1)
    assert list(zip(moved["direction"], moved["team"], strict=True)) == [("up", "Cart"), ("down", "Bot")]


def test_movers_follow_the_product_and_team_chosen(org):
    # R1 -> R2: Cart OBS +1 (OBS-1 1 -> 2), Cart SLO -1 (3 -> 2), Bot OBS -2 (OBS-1 3 -> 1)
    moves = lambda **chosen: [  # noqa: E731
        (m.direction, m.team, m.category, m.change) for m in metrics.movers(org, "R2", **chosen).itertuples()
    ]
    assert moves(product="Lab") == [("down", "Bot", "OBS", -2.0)]
    assert moves(product="Shop") == [("up", "Cart", "OBS", 1.0), ("down", "Cart", "SLO", -1.0)]
    assert moves(product="Shop", team="Search") == []
    assert len(moves()) == 3
    assert moves(product="Shop'; DROP TABLE responses; --") == []  # a value, never SQL
    assert len(moves()) == 3


# --- roll-ups and the heatmap --------------------------------------------------------------------------------


def test_a_category_is_the_mean_of_its_items_each_weighing_the_same(org):
    cart = row(metrics.category_scores(org, "R2"), team="Cart", rater="team", category="OBS")
    assert close(cart["level"], (2 + 3) / 2)  # items OBS-1 2.0 and OBS-2 3.0, not the answer mean 12 / 5
    assert (cart["n"], cart["items"], cart["respondents"]) == (5, 2, 3)  # p4 gave only N/A
    assert close(cart["target"], 3) and close(cart["gap"], 0.5)
    assert close(cart["priority"], (3 + 0) / 2) and close(cart["perception_gap"], (1 - 2) / 2)


def test_a_product_is_the_mean_of_its_teams_each_weighing_the_same(org):
    cells = metrics.heatmap(org, "R2", rows="product")
    shop = row(cells, product="Shop", key="OBS")
    assert close(shop["value"], (2.5 + (11 / 3 + 1) / 2) / 2) and shop["n"] == 5 + 4
    assert missing(shop["team"]) and shop["status"] == "ok"


def test_heatmap_keeps_every_category_in_model_order_with_no_data_cells(org):
    cells = metrics.heatmap(org, "R2")
    assert list(cells.columns[:9]) == metrics.HEATMAP_COLUMNS
    assert sorted(set(cells["team"])) == ["Bot", "Cart", "Search"]  # Idle answered only in R1
    cart = cells[cells["team"] == "Cart"]
    assert cart["key"].tolist() == ["OBS", "SLO", "INC", "REL", "BCP", "SEC", "LOG", "TST", "MNT", "CAP", "COST", "ORG"]
    inc = row(cart, key="INC")
    assert missing(inc["value"]) and inc["n"] == 0 and inc["status"] == "no_data"


def test_heatmap_item_cells_with_only_na_answers_are_no_data(org):
    cells = metrics.heatmap(org, "R2", columns="item")
    assert len(cells) == 3 * 37
    obs3 = row(cells, team="Cart", key="OBS-3")
    assert obs3["status"] == "no_data" and obs3["n"] == 0 and obs3["category"] == "OBS"


def test_heatmap_disagreement_cells_distinguish_too_few_from_no_data(org):
    cells = metrics.heatmap(org, "R2", metric="disagreement", columns="item")
    statuses = {key: row(cells, team="Cart", key=key)["status"] for key in ("OBS-1", "OBS-2", "OBS-3", "INC-1")}
    assert statuses == {"OBS-1": "ok", "OBS-2": "too_few", "OBS-3": "no_data", "INC-1": "no_data"}
    assert row(metrics.heatmap(org, "R2", metric="disagreement"), team="Bot", key="OBS")["status"] == "too_few"


def test_heatmap_for_sre_shows_teams_sre_did_not_assess_as_empty_rows(org):
    cells = metrics.heatmap(org, "R2", rater="sre", metric="n")
    assert cells[cells["team"] == "Search"]["status"].eq("no_data").all()
    assert row(cells, team="Cart", key="OBS")["value"] == 2


@pytest.mark.parametrize("metric", metrics.METRICS)
def test_every_metric_of_the_selector_draws_a_heatmap(org, metric):
    cells = metrics.heatmap(org, "R2", metric=metric)
    assert set(cells["status"]) <= set(metrics.STATUSES) and len(cells) == 3 * 12


def test_a_metric_outside_the_allow_list_is_refused(org):
    with pytest.raises(OpmaturityError, match="Unknown metric"):
        metrics.heatmap(org, "R2", metric="level; DROP TABLE responses")


# --- team views ----------------------------------------------------------------------------------------------


def test_team_categories_compare_the_team_with_sre_its_target_and_the_org_median(org):
    cats = metrics.team_categories(org, "R2", "Shop", "Cart")
    assert len(cats) == 12
    obs = row(cats, category="OBS")
    assert close(obs["team_level"], 2.5) and close(obs["sre_level"], 2.0)
    assert (obs["team_n"], obs["sre_n"], obs["org_teams"]) == (5, 2, 3)
    assert close(obs["target"], 3) and close(obs["gap"], 0.5)
    assert close(obs["org_median"], (11 / 3 + 1) / 2)  # median of Cart 2.5, Search 2.33, Bot 1.5
    assert missing(row(cats, category="INC")["team_level"])


def test_team_items_are_ranked_by_priority(org):
    items = metrics.team_items(org, "R2", "Shop", "Cart")
    assert len(items) == 37
    assert items["item"].tolist()[:5] == ["OBS-1", "SLO-1", "OBS-2", "OBS-3", "OBS-4"]
    obs2 = row(items, item="OBS-2")
    assert close(obs2["sre_level"], 1) and close(obs2["perception_gap"], -2)
    assert obs2["disagreement_status"] == "too_few" and obs2["importance_assumed"]


def test_an_unknown_team_is_named_in_the_error(org):
    with pytest.raises(OpmaturityError, match='no team "Nope" in the product "Shop"'):
        metrics.team_items(org, "R2", "Shop", "Nope")


# --- distribution, trend, coverage ---------------------------------------------------------------------------


def test_trend_follows_a_team_through_the_rounds_in_order(org):
    cart = metrics.trend(org, product="Shop", team="Cart")
    assert cart["round_position"].tolist() == [1, 1, 2, 2]
    assert list(zip(cart["round"], cart["category"], cart["level"], cart["n"], strict=True)) == [
        ("R1", "OBS", 1.0, 2),
        ("R1", "SLO", 3.0, 1),
        ("R2", "OBS", 2.5, 5),
        ("R2", "SLO", 2.0, 3),
    ]


def test_trend_of_the_org_is_the_mean_of_its_teams(org):
    trend = metrics.trend(org)
    assert close(row(trend, round="R1", category="OBS")["level"], (1 + 3) / 2)
    assert row(trend, round="R1", category="OBS")["teams"] == 2


def test_a_trend_point_says_how_many_teams_and_items_it_averages_of_the_teams_chosen(org):
    trend = metrics.trend(org)  # teams with a level in any round: Cart, Bot, Idle (R1), Search (R2)
    r1, r2 = row(trend, round="R1", category="OBS"), row(trend, round="R2", category="OBS")
    assert (r1["teams"], r1["teams_total"], r1["items"]) == (2, 4, 1)  # Cart and Bot, OBS-1
    assert r1["round_teams"] == 3  # and Idle, in INC
    assert (r2["teams"], r2["teams_total"], r2["items"]) == (3, 4, 2)  # Cart, Search, Bot; OBS-1, OBS-2


def test_a_trend_step_compares_only_the_teams_and_items_both_rounds_share(org):
    # OBS moves from (Cart 1 + Bot 3) / 2 = 2 to (Cart 2.5 + Search 7/3 + Bot 1.5) / 3 = 19/9: up 0.11 on the
    # line, because Search joined and OBS-2 was asked; the two teams that rated OBS-1 both times went
    # Cart 1 -> 2 and Bot 3 -> 1: from 2 to 1.5, down 0.5.
    r2 = row(metrics.trend(org), round="R2", category="OBS")
    assert close(r2["level"], 19 / 9) and r2["previous_round"] == "R1"
    assert close(r2["paired_previous"], 2) and close(r2["paired_level"], 1.5) and close(r2["paired_change"], -0.5)
    assert (r2["paired_teams"], r2["paired_items"], r2["like_for_like"]) == (2, 1, False)


def test_a_team_trend_step_over_the_same_items_is_like_for_like_and_a_new_item_moves_nothing(org):
    cart = metrics.trend(org, product="Shop", team="Cart")
    slo, obs = row(cart, round="R2", category="SLO"), row(cart, round="R2", category="OBS")
    assert slo["like_for_like"] and close(slo["paired_change"], 2 - 3) and close(slo["level"] - 3, -1)
    # OBS-2 is new in R2: the point averages it (2.5), the step does not (OBS-1 1 -> 2)
    assert close(obs["level"], 2.5) and obs["items"] == 2
    assert close(obs["paired_change"], 1) and obs["paired_items"] == 1 and not obs["like_for_like"]
    assert missing(row(cart, round="R1", category="OBS")["like_for_like"])


def test_a_trend_step_over_a_skipped_round_pairs_with_the_last_round_the_team_answered(org):
    load(org, "R3", [("Shop", "Cart", "p1", "team", "OBS-1", 3)], held_on=date(2025, 1, 10))
    load(org, "R4", [("Lab", "Bot", "b1", "team", "OBS-1", 2)], held_on=date(2025, 7, 10))
    bot = metrics.trend(org, product="Lab", team="Bot")
    assert bot["round"].drop_duplicates().tolist() == ["R1", "R2", "R4"]
    r4 = row(bot, round="R4", category="OBS")  # OBS-1: 1 in R2, 2 in R4; OBS-2 not asked again
    assert r4["previous_round"] == "R2" and close(r4["paired_change"], 1) and not r4["like_for_like"]
    assert row(metrics.trend(org), round="R3", category="OBS")["teams"] == 1


def test_org_categories_are_the_mean_and_median_of_the_teams_own_category_levels(org):
    org_cats = metrics.org_categories(org, "R2")
    assert len(org_cats) == 12
    obs = row(org_cats, category="OBS")  # Cart 2.5, Search (11/3 + 1) / 2, Bot 1.5
    assert close(obs["level"], (2.5 + 7 / 3 + 1.5) / 3) and close(obs["org_median"], 7 / 3)
    assert close(obs["target"], (3 + 3 + 2) / 3) and (obs["n"], obs["teams"]) == (5 + 4 + 2, 3)
    inc = row(org_cats, category="INC")
    assert missing(inc["level"]) and inc["n"] == 0


def test_answer_distributions_count_each_level_of_every_answered_item_across_the_org(org):
    dist = metrics.answer_distributions(org, "R2")
    assert dist["item"].drop_duplicates().tolist() == ["OBS-1", "OBS-2", "OBS-3", "SLO-1"]
    obs1 = dist[dist["item"] == "OBS-1"]
    assert obs1["count"].tolist() == [0, 2, 1, 2, 2, 1]  # Cart 1 2 3 N/A, Search 4 4 3, Bot 1
    assert close(row(obs1, answer="4")["share"], 2 / 7) and set(obs1["status"]) == {"ok"}
    sre = metrics.answer_distributions(org, "R2", rater="sre")
    assert sre["item"].drop_duplicates().tolist() == ["OBS-1", "OBS-2", "SLO-1"]


def test_answer_counts_of_fewer_than_k_respondents_are_withheld(org):
    # OBS-3 was answered (N/A) by p1 and p2 only; SRE's answers are one person's (s1): counting them apart
    # would show what that person said.
    obs3 = metrics.answer_distributions(org, "R2").query("item == 'OBS-3'")
    assert set(obs3["status"]) == {"too_few"} and obs3["count"].isna().all() and obs3["share"].isna().all()
    sre = metrics.answer_distributions(org, "R2", rater="sre")
    assert set(sre["status"]) == {"too_few"} and sre["count"].isna().all()
    assert set(metrics.answer_distributions(org, "R2", rater="sre", k=1)["status"]) == {"ok"}


def test_coverage_counts_teams_respondents_and_answers_per_product(org):
    cov = metrics.coverage(org, "R2")
    shop = row(cov, product="Shop")
    assert (shop["teams"], shop["teams_answered"], shop["teams_assessed"]) == (3, 2, 1)
    assert (shop["team_respondents"], shop["sre_respondents"], shop["answers"]) == (4 + 3, 1, 8 + 3 + 4)
    assert close(shop["coverage"], 2 / 3) and shop["notes"] == 0


# --- the summary contract ------------------------------------------------------------------------------------


def test_summary_of_the_latest_round_is_plain_json_with_every_list(org):
    result = summary.summary(org)
    text = json.dumps(result, ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == result
    assert result["round"] == "R2"
    assert list(result) == [
        "round", "heatmap", "top_gaps", "perception_gaps", "disagreements", "org_weak_items", "changes",
        "silent_gaps",
    ]  # fmt: skip
    assert len(result["heatmap"]) == 3 * 12 * 2
    assert result["heatmap"][0] == {
        "product": "Lab", "team": "Bot", "category": "OBS", "rater": "team",
        "level": 1.5, "n": 2, "target": 2.0, "gap": 0.5, "respondents": 1,
    }  # fmt: skip
    assert result["top_gaps"][0] == {
        "product": "Shop", "team": "Search", "category": "OBS", "item": "OBS-2", "level": 1.0, "n": 1,
        "target": 3.0, "gap": 2.0, "importance": 2.0, "importance_assumed": False, "priority": 4.0,
    }  # fmt: skip
    assert result["top_gaps"][-1]["priority"] == 1.33  # rounded to 2 decimals
    assert [e["item"] for e in result["org_weak_items"]] == ["SLO-1", "OBS-1", "OBS-2"]
    assert result["changes"][0] == {
        "product": "Lab", "team": "Bot", "category": "OBS", "previous_round": "R1", "level": 1.0,
        "previous_level": 3.0, "change": -2.0, "n": 1, "n_before": 1, "n_after": 1, "items": 1, "significant": False,
    }  # fmt: skip


def test_summary_heatmap_has_none_where_sre_gave_no_answer(org):
    entries = summary.summary(org, "R2")["heatmap"]
    search = next(e for e in entries if e["team"] == "Search" and e["rater"] == "sre" and e["category"] == "OBS")
    assert search["level"] is None and search["n"] == 0 and search["gap"] is None


def test_summary_of_an_empty_database_has_no_round_and_empty_lists(con):
    assert summary.summary(con) == {
        "round": None, "heatmap": [], "top_gaps": [], "perception_gaps": [], "disagreements": [],
        "org_weak_items": [], "changes": [], "silent_gaps": [],
    }  # fmt: skip


def test_an_unknown_round_is_an_error_naming_the_known_ones(org):
    with pytest.raises(OpmaturityError, match="Known rounds: R1, R2"):
        summary.summary(org, "R9")


def test_every_query_file_runs_on_an_empty_database_with_only_bound_parameters(con):
    values = {
        "round_id": None, "round_ids": [],
        "k": 3, "limit": None, "metric": "level", "rater": "team", "rows": "team", "columns": "category",
        "level": "category", "product": None, "team": None, "item_key": "OBS-1", "tag": None, "group": None,
        "item": None, "linked": None, "team_ids": None, "older_teams": [], "older_rounds": [],
    }  # fmt: skip
    for path in sorted(config.SQL_DIR.glob("*.sql")):
        assert queries.sql_parameters(path.stem) <= values.keys(), path.name
        found = queries.sql_frame(con, path.stem, values)
        counts = [c for c in ("n", "team_n", "count") if c in found.columns]
        assert found.empty or (counts and (found[counts] == 0).all().all()), path.name


# --- like with like: paired items, exact ranks, change vs noise, silent gaps ------------------------------------


def test_a_category_does_not_move_when_only_a_new_item_was_added(con):
    load(con, "R1", [("P", "A", "r1", "team", "OBS-1", 2)], held_on=date(2024, 1, 10))
    load(con, "R2", [("P", "A", "r1", "team", "OBS-1", 2), ("P", "A", "r1", "team", "OBS-2", 4)],
         held_on=date(2024, 7, 10))  # fmt: skip
    obs = row(metrics.category_scores(con, "R2"), team="A", rater="team", category="OBS")
    assert close(obs["level"], 3.0)  # the category now: (2 + 4) / 2
    assert close(obs["change"], 0.0) and obs["change_items"] == 1  # OBS-1: 2 -> 2; OBS-2 has no "before"
    assert (obs["paired_level"], obs["previous_level"]) == (2.0, 2.0)
    assert metrics.changes(con, "R2").empty  # not a mover
    heat = metrics.heatmap(con, "R2", metric="change")
    assert close(row(heat, team="A", key="OBS")["value"], 0.0)


def test_a_category_perception_gap_and_the_two_sides_shown_with_it_rest_on_the_same_items(con):
    load(con, "R1", [
        ("P", "A", "t1", "team", "OBS-1", 1),
        ("P", "A", "t1", "team", "OBS-2", 3),
        ("P", "A", "s1", "sre", "OBS-1", 1),
    ])  # fmt: skip
    obs = row(metrics.team_categories(con, "R1", "P", "A"), category="OBS")
    assert (obs["team_level"], obs["sre_level"]) == (2.0, 1.0)  # each side's own category level
    assert close(obs["perception_gap"], 0.0) and obs["perception_items"] == 1  # only OBS-1 was rated by both
    assert (obs["perception_team_level"], obs["perception_sre_level"]) == (1.0, 1.0)  # 1 - 1 = 0, as shown
    cat = row(metrics.category_scores(con, "R1"), team="A", rater="team", category="OBS")
    assert close(cat["sre_level"] - cat["team_level"], cat["perception_gap"])


def test_equal_priorities_tie_exactly_and_the_documented_tie_break_holds(con):
    # A/OBS-1: levels 1, 2, 2 -> 5/3, target 3 -> gap 4/3; importance (1 + 2) / 2 = 1.5 -> priority 2.
    # B/OBS-1: level 2, target 3 -> gap 1; importance 2 -> priority 2. Tie: the larger gap first (A).
    load(con, "R1", [
        ("P", "B", "b1", "team", "OBS-1", 2, 3, 2),
        ("P", "A", "a1", "team", "OBS-1", 1, 3, 1),
        ("P", "A", "a2", "team", "OBS-1", 2, 3, 2),
        ("P", "A", "a3", "team", "OBS-1", 2, 3),
    ])  # fmt: skip
    gaps = metrics.top_gaps(con, "R1")
    assert gaps["priority"].tolist() == [2.0, 2.0]  # exactly equal, not 1.9999999995
    assert gaps["team"].tolist() == ["A", "B"]


def _two_rounds(con, before, after, item="OBS-1"):
    """Round R1 then R2 for team P/A, respondent r<i> answering `before[i]` then `after[i]`."""
    load(con, "R1", [("P", "A", f"r{i}", "team", item, lv) for i, lv in enumerate(before)], held_on=date(2024, 1, 1))
    load(con, "R2", [("P", "A", f"r{i}", "team", item, lv) for i, lv in enumerate(after)], held_on=date(2024, 7, 1))


def test_the_uncertainty_of_a_change_comes_from_the_answers_on_both_sides(con):
    _two_rounds(con, [1, 2, 3], [2, 3, 4])  # sample variances 1 and 1, n 3 and 3
    item = row(metrics.item_scores(con, "R2"), team="A", rater="team", item="OBS-1")
    assert close(item["change"], 1.0) and close(item["change_se"], math.sqrt(1 / 3 + 1 / 3))
    assert not item["significant"]  # 1.0 < 1.96 * 0.816


def test_a_move_of_a_third_of_a_level_among_three_respondents_is_noise(con):
    _two_rounds(con, [2, 2, 2], [2, 2, 3])  # one person moved one level: +0.33
    moved = metrics.changes(con, "R2", level="item")
    assert close(moved["change"].iloc[0], 1 / 3) and not moved["significant"].iloc[0]
    # unanimous sides still count half a level of spread each: se = sqrt(0.25/3 + (1/3)/3)
    assert close(moved["change_se"].iloc[0], math.sqrt(0.25 / 3 + (1 / 3) / 3))


def test_a_whole_team_moving_up_two_levels_is_significant(con):
    _two_rounds(con, [1, 1, 1, 1], [3, 3, 3, 3])  # se = sqrt(0.25/4 + 0.25/4) = 0.354; 2 > 0.69
    item = row(metrics.item_scores(con, "R2"), team="A", rater="team", item="OBS-1")
    assert item["significant"] and close(item["change_se"], math.sqrt(0.125))
    category = row(metrics.category_scores(con, "R2"), team="A", rater="team", category="OBS")
    assert category["significant"] and (category["n_before"], category["n_after"]) == (4, 4)


def test_one_respondent_on_a_side_never_makes_a_significant_change(con):
    _two_rounds(con, [0], [4])
    assert not row(metrics.item_scores(con, "R2"), team="A", rater="team", item="OBS-1")["significant"]


def test_a_category_change_uncertainty_combines_its_paired_items(con):
    load(con, "R1", [("P", "A", f"r{i}", "team", key, 1) for i in range(4) for key in ("OBS-1", "OBS-2")],
         held_on=date(2024, 1, 1))  # fmt: skip
    after = (("OBS-1", 2), ("OBS-2", 1))
    load(con, "R2", [("P", "A", f"r{i}", "team", key, lv) for i in range(4) for key, lv in after],
         held_on=date(2024, 7, 1))  # fmt: skip
    obs = row(metrics.category_scores(con, "R2"), team="A", rater="team", category="OBS")
    # items: +1 and 0, each se sqrt(0.25/4 * 2) = 0.354; category: mean +0.5, se sqrt(2 * 0.125) / 2 = 0.25
    assert close(obs["change"], 0.5) and close(obs["change_se"], 0.25) and obs["change_items"] == 2
    assert obs["significant"]  # 0.5 > 1.96 * 0.25 = 0.49, while neither item alone says much about the other


def _silent_org(con, notes=(), comments=0):
    """Six teams of P (tier T1, target 3). OBS-1: 4 teams below (level 1), 2 at target; SLO-1: 1 team below."""
    rows = [("P", f"T{i}", f"r{i}", "team", "OBS-1", 1 if i < 4 else 3) for i in range(6)]
    rows += [("P", f"T{i}", f"r{i}", "team", "SLO-1", 1 if i == 0 else 3) for i in range(6)]
    responses = [Answer(*r) for r in rows]
    for response in responses[:comments]:
        response.comment = "アラートが多すぎる"
    from opmaturity.batch import Note

    batch = Batch(file="s.csv", layout="tidy", sha256=Batch.digest(repr((rows, notes, comments)).encode()),
                  answers=responses, notes=[Note(text=t, product="P", item=i) for t, i in notes],
                  round_date=date(2024, 5, 1), tiers={"P": "T1"})  # fmt: skip
    assert store.commit_batch(con, batch, "2024-H1").status == "imported"


def test_silent_gaps_are_items_many_teams_are_below_target_on_that_nobody_wrote_about(con):
    _silent_org(con)
    silent = metrics.silent_gaps(con)
    assert silent["item"].tolist() == ["OBS-1"]  # SLO-1: only 1 team below, not "many"
    entry = silent.iloc[0]
    assert (entry["teams_below_target"], entry["teams"], entry["notes"]) == (4, 6, 0)
    assert close(entry["share"], 4 / 6) and close(entry["mean_gap"], 2.0)
    assert summary.summary(con)["silent_gaps"] == [
        {"item": "OBS-1", "category": "OBS", "teams_below_target": 4, "teams": 6, "share": 0.67, "mean_gap": 2.0,
         "notes": 0},
    ]  # fmt: skip


def test_an_item_somebody_raised_in_a_note_or_a_comment_is_not_silent(con):
    _silent_org(con, notes=[("監視が足りない", "OBS-1")])
    assert metrics.silent_gaps(con).empty


def test_an_answer_comment_on_the_item_counts_as_raising_it(con):
    _silent_org(con, comments=1)  # r0's comment on OBS-1
    assert metrics.silent_gaps(con).empty


def test_silent_gaps_rank_by_share_then_mean_gap(con):
    rows = [("P", f"T{i}", "r", "team", "OBS-1", 2) for i in range(4)]  # 4/4 below, gap 1
    rows += [("P", f"T{i}", "r", "team", "OBS-2", 0) for i in range(2)]  # 2/2 below, gap 3
    rows += [("P", f"T{i}", "r", "team", "SLO-1", 0 if i < 3 else 4) for i in range(4)]  # 3/4 below, gap 3
    load(con, "R1", rows, tiers={"P": "T1"})
    assert metrics.silent_gaps(con)["item"].tolist() == ["OBS-2", "OBS-1", "SLO-1"]


def test_the_same_data_always_gives_the_same_figures_and_ranks(demo_db, model):
    # DuckDB sums in parallel, in no fixed order: figures rounded once from exact means must not flip ranks.
    con = store.connect(demo_db, model)
    try:
        first = summary.summary(con)
        assert all(summary.summary(con) == first for _ in range(4))
    finally:
        con.close()


def test_a_teams_own_target_overrides_its_products_and_an_answers_own_target_still_wins(con):
    load(con, "R1", [
        ("P", "A", "r1", "team", "OBS-1", 1),
        ("P", "A", "r2", "team", "OBS-2", 1, 4),  # its own target 4
        ("P", "B", "r3", "team", "OBS-1", 1),
    ], tiers={"P": "T1"})  # fmt: skip
    store.set_target(con, 2, product="P")
    store.set_target(con, 1, product="P", team="A", item="OBS-1")
    store.set_target(con, 3, product="P", team="A")
    targets = {(r.team, r.item): r.target for r in metrics.item_scores(con, "R1").itertuples()}
    assert targets == {("A", "OBS-1"): 1, ("A", "OBS-2"): 4, ("B", "OBS-1"): 2}
    store.set_target(con, None, product="P", team="A", item="OBS-1")  # the override taken away
    assert row(metrics.item_scores(con, "R1"), team="A", item="OBS-1")["target"] == 3


def test_a_product_given_a_tier_takes_the_tiers_target(con):
    load(con, "R1", [("New", "A", "r1", "team", "OBS-1", 1)])
    assert row(metrics.item_scores(con, "R1"), team="A", item="OBS-1")["target"] == 3  # the item's default
    store.set_product_tier(con, "New", "T3")
    assert row(metrics.item_scores(con, "R1"), team="A", item="OBS-1")["target"] == 2
    with pytest.raises(OpmaturityError, match='no tier "T9". Tiers: T1, T2, T3'):
        store.set_product_tier(con, "New", "T9")
    with pytest.raises(OpmaturityError, match="from 0 to 4"):
        store.set_target(con, 7, product="New")


def test_json_figures_round_away_float_noise_before_two_decimals():
    assert summary.json_value(1.8749999999999998) == summary.json_value(1.8750000000000002) == 1.88
    assert summary.json_value(-0.0) == 0.0 and str(summary.json_value(-0.0)) == "0.0"


def test_records_convert_each_column_as_json_value_converts_each_cell():
    frame = pd.DataFrame(
        {
            "team": pd.Series(["髙橋①", None, "検索", "髙橋①"], dtype="str"),
            "level": [1.875, float("nan"), -0.0, 1.875],
            "n": [3, 0, 12, 3],
            "significant": [True, False, True, True],
            "previous": pd.Series([2, None, 1, 2], dtype="Int64"),
            "mixed": [1, True, 1.0, "1"],  # equal under ==, kept apart by type
            "tags": [["a"], [], ["b", "c"], ["a"]],
            "held_on": [date(2024, 5, 20), None, date(2024, 5, 20), None],
        }
    )
    rows = frame.itertuples(index=False)
    expected = [{k: summary.json_value(v) for k, v in zip(frame.columns, row, strict=True)} for row in rows]
    found = summary.records(frame)
    assert found == expected
    assert [type(r["mixed"]) for r in found] == [int, bool, float, str]
    assert found[1] == {"team": None, "level": None, "n": 0, "significant": False, "previous": None, "mixed": True,
                        "tags": [], "held_on": None}  # fmt: skip
    assert summary.records(frame, ["n", "team"])[0] == {"n": 3, "team": "髙橋①"}


def _workshop(con, round_name, held_on):
    """A round that holds workshop notes only (a Miro board dated after the last survey)."""
    notes = [Note("監視のオーナーが不在", product="Shop", team="Cart")]
    batch = Batch(file=f"{round_name}.csv", layout="miro", sha256=Batch.digest(round_name.encode()), notes=notes,
                  round_date=held_on)  # fmt: skip
    assert store.commit_batch(con, batch, round_name).status == "imported"


def test_a_round_of_workshop_notes_only_is_no_step_of_the_changes_and_no_default(con):
    # R1 (Jan) Cart OBS-1: 1, 2 -> 1.5; W (May): notes only; R3 (Nov) Cart OBS-1: 3, 3 -> 3. Change 3 - 1.5 = +1.5,
    # paired with R1 (it read no change at all: R3's previous round was W, which has no answers).
    load(con, "R1", [("Shop", "Cart", "p1", "team", "OBS-1", 1), ("Shop", "Cart", "p2", "team", "OBS-1", 2)],
         held_on=date(2024, 1, 10))  # fmt: skip
    _workshop(con, "W", date(2024, 5, 10))
    load(con, "R3", [("Shop", "Cart", "p1", "team", "OBS-1", 3), ("Shop", "Cart", "p2", "team", "OBS-1", 3)],
         held_on=date(2024, 11, 10))  # fmt: skip
    ordered = store.rounds(con)
    assert ordered[["name", "answered"]].values.tolist() == [["R1", True], ["W", False], ["R3", True]]
    item = row(metrics.item_scores(con, "R3"), team="Cart", rater="team", item="OBS-1")
    assert close(item["previous_level"], 1.5) and close(item["change"], 1.5)
    assert store.shown_round(con) == "R3"
    _workshop(con, "W2", date(2025, 5, 10))  # a workshop after the last survey: figures still open on R3
    assert (store.latest_round(con), store.shown_round(con)) == ("W2", "R3")
    assert summary.summary(con)["round"] == "R3"
    assert metrics.item_scores(con, "W2").empty  # asked for, the workshop round is there, with no figures


def test_a_team_that_skipped_a_round_is_compared_with_its_own_last_assessment(con):
    """A team that did not answer the previous round had no change at all in the next one (its Team page chart
    rose by 1.3, `changes` left it out: an outside review). Each team's rater group pairs with the round it last
    answered; the others still with the round just before.

    R1 (Jan): Cart OBS-1 1, 2 -> 1.5; Bot OBS-1 2; SRE on Cart OBS-1 1.
    R2 (May): Cart OBS-1 2, 2 -> 2 (Bot and SRE skip it).
    R3 (Nov): Cart OBS-1 3, 3 -> 3; Bot OBS-1 4, OBS-2 1 (OBS-2 unpaired); SRE on Cart OBS-1 3.
    Hand computation: Cart +1 (3 - 2, since R2); Bot +2 (4 - 2, since R1, over the one paired item); the SRE row of
    Cart +2 (3 - 1, since R1)."""
    load(con, "R1", [("Shop", "Cart", "p1", "team", "OBS-1", 1), ("Shop", "Cart", "p2", "team", "OBS-1", 2),
                     ("Lab", "Bot", "b1", "team", "OBS-1", 2), ("Shop", "Cart", "s1", "sre", "OBS-1", 1)],
         held_on=date(2024, 1, 10))  # fmt: skip
    load(con, "R2", [("Shop", "Cart", "p1", "team", "OBS-1", 2), ("Shop", "Cart", "p2", "team", "OBS-1", 2)],
         held_on=date(2024, 5, 10))  # fmt: skip
    load(con, "R3", [("Shop", "Cart", "p1", "team", "OBS-1", 3), ("Shop", "Cart", "p2", "team", "OBS-1", 3),
                     ("Lab", "Bot", "b1", "team", "OBS-1", 4), ("Lab", "Bot", "b1", "team", "OBS-2", 1),
                     ("Shop", "Cart", "s1", "sre", "OBS-1", 3)],
         held_on=date(2024, 11, 10))  # fmt: skip
    moved = metrics.changes(con, "R3")
    assert [(r.team, r.previous_round, r.previous_level, r.level, r.change, r.items) for r in moved.itertuples()] == [
        ("Cart", "R2", 2.0, 3.0, 1.0, 1), ("Bot", "R1", 2.0, 4.0, 2.0, 1)  # significant first (Cart: 2 answers a side)
    ]  # fmt: skip
    sre = row(metrics.item_scores(con, "R3"), team="Cart", rater="sre", item="OBS-1")
    assert close(sre["previous_level"], 1) and close(sre["change"], 2)
    assert pd.isna(row(metrics.item_scores(con, "R3"), team="Bot", rater="team", item="OBS-2")["change"])
    assert [(c["team"], c["previous_round"]) for c in summary.summary(con)["changes"]] == [
        ("Cart", "R2"),
        ("Bot", "R1"),
    ]
    assert metrics.changes(con, "R2")["team"].tolist() == ["Cart"]  # Bot did not answer R2: nothing to say there
    # the Team page's and the hearing sheet's rows name the round too (the hearing sheet did not say it)
    obs = metrics.team_categories(con, "R3", "Lab", "Bot").set_index("category").loc["OBS"]
    assert (obs["previous_round"], obs["previous_level"], obs["change"]) == ("R1", 2.0, 2.0)
    item = metrics.team_items(con, "R3", "Lab", "Bot").set_index("item").loc["OBS-1"]
    assert (item["previous_round"], item["change"]) == ("R1", 2.0)


def _tables(con) -> dict[str, list[tuple]]:
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in names}


def test_a_team_renamed_in_a_later_file_is_merged_into_its_new_name_and_its_change_joins_up(con):
    """A file that named the team anew (Search -> Discovery) made a second team: 3 / 4 teams answered, no change
    for either (an outside review). Renaming the old team to the new name merges them.

    R1: Search OBS-1 1, 3 -> 2; R2: Discovery OBS-1 3, 4 -> 3.5. Merged: Discovery +1.5 since R1."""
    load(con, "R1", [("Shop", "Search", "a", "team", "OBS-1", 1), ("Shop", "Search", "b", "team", "OBS-1", 3)],
         held_on=date(2024, 1, 10))  # fmt: skip
    load(con, "R2", [("Shop", "Discovery", "a", "team", "OBS-1", 3), ("Shop", "Discovery", "b", "team", "OBS-1", 4)],
         held_on=date(2024, 6, 10))  # fmt: skip
    store.set_target(con, 3, product="Shop", team="Search", item="OBS-1")
    assert metrics.changes(con, "R2").empty
    assert store.rename_team(con, "Shop", "Search", "Discovery") == "merged"
    assert store.teams(con)["team"].tolist() == ["Discovery"]
    moved = metrics.changes(con, "R2")
    assert [(r.team, r.previous_round, r.previous_level, r.level, r.change) for r in moved.itertuples()] == [
        ("Discovery", "R1", 2.0, 3.5, 1.5)
    ]
    item = row(metrics.item_scores(con, "R2"), team="Discovery", rater="team", item="OBS-1")
    assert close(item["target"], 3)  # the old name's own target came along
    assert con.execute("SELECT action, subject, detail FROM audit ORDER BY audit_id DESC LIMIT 1").fetchone() == (
        "team_merge",
        "Shop / Search",
        '{"new_name": "Discovery"}',
    )
    assert store.renamed_teams(con) == {("Shop", "Search"): "Discovery"}  # the old name, for members and files
    assert store.rename_team(con, "Shop", "Discovery", "Discovery\u200b") == "unchanged"  # nothing to do
    assert store.rename_team(con, "Shop", "Discovery", " Search\u200b ") == "renamed"
    assert store.teams(con)["team"].tolist() == ["Search"]


def test_a_round_whose_members_and_sre_wrote_the_team_two_ways_merges_into_one_team(con):
    """The team's own answers under the old name and SRE's under the new one in the same round were refused ("two
    teams that answered one round"), leaving the team without its SRE comparison (an outside review). Answers that
    do not clash are one team's: merged, the perception gap is there. Team OBS-1 2, SRE OBS-1 4: gap +2."""
    load(con, "R1", [("Shop", "Search", "a", "team", "OBS-1", 2), ("Shop", "Discovery", "s", "sre", "OBS-1", 4),
                     ("Shop", "Discovery", "c", "team", "OBS-2", 1)],
         held_on=date(2024, 1, 10))  # fmt: skip
    assert store.rename_team(con, "Shop", "Search", "Discovery") == "merged"
    item = row(metrics.item_scores(con, "R1"), team="Discovery", rater="team", item="OBS-1")
    assert close(item["perception_gap"], 2)
    assert store.teams(con)["team"].tolist() == ["Discovery"]


def test_two_teams_whose_answers_clash_are_not_merged_and_nothing_changes(con):
    # the same respondent answered OBS-1 under both names in R1: one export imported twice under two names
    load(con, "R1", [("Shop", "Cart", "a", "team", "OBS-1", 1), ("Shop", "Search", "a", "team", "OBS-1", 3),
                     ("Shop", "Search", "b", "team", "OBS-1", 3)],
         held_on=date(2024, 1, 10))  # fmt: skip
    store.set_target(con, 3, product="Shop", team="Cart", item="OBS-1")
    store.set_target(con, 2, product="Shop", team="Search", item="OBS-1")
    before = _tables(con)
    with pytest.raises(OpmaturityError) as refused:
        store.rename_team(con, "Shop", "Cart", "Search")
    said = [p.message.text("en", "cli") for p in refused.value.problems]
    assert refused.value.title.text("en", "cli") == (
        'The team "Cart" of "Shop" cannot be merged into "Search": nothing was changed.'
    )
    assert said == [
        'in the round "R1" the same respondents answered the same items under both "Cart" and "Search" (1 answer): '
        "they look like two teams, not one named two ways (if one file was imported under both names, undo one of "
        "those imports first)",
        'the target of OBS-1 is 3 for "Cart" and 2 for "Search": make them the same first',
    ]
    assert _tables(con) == before
    with pytest.raises(OpmaturityError, match="A team needs a name"):
        store.rename_team(con, "Shop", "Cart", " \u200b ")
    viewer = Actor(name="viewer", rights=frozenset())
    with pytest.raises(OpmaturityError):
        store.rename_team(con, "Shop", "Cart", "Basket", actor=viewer)
    assert _tables(con) == before
