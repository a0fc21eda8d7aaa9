import re

import pytest

from opmaturity import store
from opmaturity.demo import NOTES, demo_batches, load_demo

LATEST, EARLIER = "2026-H1", "2025-H2"


@pytest.fixture
def loaded(con, model):
    counts = load_demo(con, model)
    return con, counts


def team_means(con, round_name: str, rater: str = "team") -> dict[str, float]:
    found = store.rows(
        con,
        """SELECT t.name, avg(r.level) FROM current_responses r JOIN teams t USING (team_id)
           JOIN rounds USING (round_id) WHERE rounds.name = ? AND r.rater = ? GROUP BY t.name""",
        [round_name, rater],
    )
    return dict(found)


def test_two_calls_build_identical_batches(model):
    first, second = demo_batches(model), demo_batches(model)
    assert first == second
    assert [b.sha256 for _, _, b in first] == [b.sha256 for _, _, b in second]


def test_there_are_two_rounds_with_survey_sre_and_workshop_batches(model):
    batches = demo_batches(model)
    assert [(name, str(held)) for name, held, _ in batches[::3]] == [(EARLIER, "2025-10-15"), (LATEST, "2026-05-20")]
    assert len(batches) == 6
    assert len({b.sha256 for _, _, b in batches}) == 6
    assert all(b.round_date == held for _, held, b in batches)


def test_the_organisation_has_six_products_and_fifteen_to_twenty_teams(model):
    responses = [r for _, _, b in demo_batches(model) for r in b.responses]
    assert len({r.product for r in responses}) == 6
    assert 15 <= len({(r.product, r.team) for r in responses}) <= 20
    tiers = {p: t for _, _, b in demo_batches(model) for p, t in b.tiers.items()}
    assert set(tiers.values()) == {"T1", "T2", "T3"}


def test_there_are_about_thirty_notes_mostly_from_the_latest_round(model):
    notes = {name: list(b.notes) for name, _, b in demo_batches(model) if b.notes}
    assert 25 <= len(notes[EARLIER]) + len(notes[LATEST]) <= 35
    assert len(notes[LATEST]) > 3 * len(notes[EARLIER])
    assert all(n.product and n.team and n.group and n.colour for ns in notes.values() for n in ns)


def test_most_notes_link_to_the_item_they_are_about(model):
    notes = [n for _, _, b in demo_batches(model) for n in b.notes]
    about = {text: item for *_, text, item in NOTES}
    linked = [n for n in notes if n.item is not None]
    assert len(linked) >= 0.9 * len(notes)
    assert sum(n.item == about[n.text] for n in notes) >= 0.9 * len(notes)


def test_every_item_key_exists_in_the_model(model):
    keys = {i.key for i in model.items}
    batches = demo_batches(model)
    assert {r.item for _, _, b in batches for r in b.responses} == keys
    assert {n.item for _, _, b in batches for n in b.notes} - {None} <= keys


def test_levels_are_within_the_scale_or_not_applicable(model):
    responses = [r for _, _, b in demo_batches(model) for r in b.responses]
    assert {r.level for r in responses} <= {None, 0, 1, 2, 3, 4}
    assert any(r.level is None for r in responses)
    assert {r.importance for r in responses if r.rater == "team"} == {1, 2, 3}
    assert {r.target for r in responses} <= {None, 0, 1, 2, 3, 4}


def test_each_team_has_three_to_five_respondents_and_one_sre_per_round(model):
    for _, _, batch in demo_batches(model):
        per_team: dict[tuple[str, str], set[str]] = {}
        for r in batch.responses:
            per_team.setdefault((r.team, r.rater), set()).add(r.respondent)
        for (_, rater), respondents in per_team.items():
            assert (3 <= len(respondents) <= 5) if rater == "team" else len(respondents) == 1


def test_loading_stores_what_the_counts_say(loaded):
    con, counts = loaded
    assert counts == {
        "rounds": 2,
        "products": 6,
        "teams": store.scalar(con, "SELECT count(*) FROM teams"),
        "responses": store.scalar(con, "SELECT count(level) FROM responses"),
        "notes": store.scalar(con, "SELECT count(*) FROM notes"),
        "actions": store.scalar(con, "SELECT count(*) FROM actions"),
    }
    assert 15 <= counts["teams"] <= 20
    assert 25 <= counts["notes"] <= 35
    assert 6 <= counts["actions"] <= 10
    assert store.rounds(con)["name"].tolist() == [EARLIER, LATEST]
    assert store.scalar(con, "SELECT count(DISTINCT tier) FROM products") == 3


def test_a_second_load_adds_nothing(loaded, model):
    con, _ = loaded
    tables = ("rounds", "products", "teams", "imports", "responses", "notes", "actions", "targets")
    before = {t: store.scalar(con, f"SELECT count(*) FROM {t}") for t in tables}
    again = load_demo(con, model)
    assert again == dict.fromkeys(("rounds", "products", "teams", "responses", "notes", "actions"), 0)
    assert {t: store.scalar(con, f"SELECT count(*) FROM {t}") for t in tables} == before


def test_no_respondent_or_author_looks_like_an_email(loaded):
    con, _ = loaded
    people = store.frame(con, "SELECT respondent AS who FROM responses UNION SELECT author FROM notes")["who"]
    assert people.notna().all()
    assert not people.str.contains("@").any()
    assert people.str.fullmatch(r"p-[0-9a-f]{16}").all()
    assert not re.search(r"example\.com", " ".join(store.frame(con, "SELECT text FROM notes")["text"]))


def test_targets_are_set_per_tier_with_one_product_override(loaded):
    con, _ = loaded
    targets = store.rows(
        con,
        """SELECT t.tier, p.name, t.item_key, t.level FROM targets t LEFT JOIN products p USING (product_id)
           ORDER BY t.tier NULLS LAST""",
    )
    assert targets == [
        ("T1", None, None, 3),
        ("T2", None, None, 3),
        ("T3", None, None, 2),
        (None, "ポイント基盤", "BCP-2", 4),
    ]


def test_actions_have_a_role_owner_a_status_and_a_due_date(loaded):
    con, _ = loaded
    actions = store.frame(con, "SELECT * FROM actions")
    assert set(actions["status"]) == {"todo", "doing", "done"}
    assert actions["owner"].notna().all() and actions["due"].notna().all() and actions["item_key"].notna().all()


# --- the texture the views and their tests rely on ----------------------------------------------------


def test_strong_teams_score_well_above_weak_teams(loaded):
    con, _ = loaded
    means = team_means(con, LATEST)
    assert min(means[t] for t in ("決済", "Ledger API")) > 3.0
    assert max(means[t] for t in ("入稿管理", "Workflow", "Storefront")) < 1.6


def test_three_teams_improve_and_two_decline_between_the_rounds(loaded):
    con, _ = loaded
    before, after = team_means(con, EARLIER), team_means(con, LATEST)
    change = {t: after[t] - before[t] for t in before}
    assert {t for t, d in change.items() if d >= 0.6} == {"検索チーム", "ポイント交換", "Checkout"}
    assert {t for t, d in change.items() if d <= -0.6} == {"動画配信", "Partner API"}


def test_four_teams_and_sre_disagree_by_one_and_a_half_levels_on_some_categories(loaded):
    con, _ = loaded
    gaps = store.rows(
        con,
        """WITH c AS (SELECT t.name AS team, i.category_key AS category, r.rater, avg(r.level) AS level
                      FROM current_responses r JOIN teams t USING (team_id) JOIN items i USING (item_key)
                      JOIN rounds USING (round_id) WHERE rounds.name = ? GROUP BY ALL)
           SELECT s.team, s.category, s.level - o.level FROM c s JOIN c o USING (team, category)
           WHERE s.rater = 'team' AND o.rater = 'sre' AND abs(s.level - o.level) >= 1.5""",
        [LATEST],
    )
    assert {(team, category, gap > 0) for team, category, gap in gaps} == {
        ("Mobile App", "OBS", True),
        ("Mobile App", "INC", True),
        ("在庫連携", "BCP", True),
        ("在庫連携", "SEC", True),
        ("Partner API", "SLO", True),
        ("Partner API", "REL", True),
        ("認証", "SEC", False),
        ("認証", "LOG", False),
    }


def test_masked_data_per_url_maintenance_and_tool_ownership_are_weakest_across_the_org(loaded):
    con, _ = loaded
    weakest = store.frame(
        con,
        """SELECT item_key, avg(level) AS level FROM current_responses JOIN rounds USING (round_id)
           WHERE rounds.name = ? GROUP BY item_key ORDER BY level LIMIT 3""",
        [LATEST],
    )
    assert set(weakest["item_key"]) == {"TST-2", "MNT-2", "OBS-5"}


def test_respondents_of_two_teams_split_into_low_and_high_camps(loaded):
    con, _ = loaded
    split = store.rows(
        con,
        """SELECT DISTINCT t.name FROM current_responses r JOIN teams t USING (team_id)
           WHERE r.rater = 'team' GROUP BY r.round_id, t.name, r.item_key
           HAVING min(r.level) <= 1 AND max(r.level) >= 3 AND stddev_pop(r.level) >= 1.4""",
    )
    assert {"ポイント付与", "Storefront"} <= {name for (name,) in split}


def test_one_team_answered_only_the_latest_round_and_one_product_has_no_sre_assessment(loaded):
    con, _ = loaded
    assert set(team_means(con, LATEST)) - set(team_means(con, EARLIER)) == {"Data Pipeline"}
    without_sre = store.rows(
        con,
        """SELECT p.name FROM products p WHERE NOT EXISTS (SELECT 1 FROM responses r JOIN teams t USING (team_id)
           WHERE t.product_id = p.product_id AND r.rater = 'sre')""",
    )
    assert without_sre == [("社内ポータル",)]


def test_a_demo_load_that_fails_half_way_leaves_nothing_behind(con, model, monkeypatch):
    from opmaturity import demo

    def broken(*args, **kwargs):
        raise OSError("the disk went away")

    monkeypatch.setattr(demo, "add_action", broken)  # after every answer, note and target was written
    with pytest.raises(OSError, match="the disk went away"):
        load_demo(con, model)
    assert store.rows(con, "SELECT count(*) FROM rounds") == [(0,)]
    assert store.rows(con, "SELECT count(*) FROM responses") == [(0,)]
    assert store.rows(con, "SELECT count(*) FROM targets") == [(0,)]
