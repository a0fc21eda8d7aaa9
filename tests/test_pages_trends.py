"""The Trends page and the trend on the Team page say what stands behind each point of a line, and the movers
follow the product and team chosen (AppTest against a temporary database built by hand)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from test_metrics import R1, R2, TIERS, load
from test_pages import open_page, specs, table_with, texts

from opmaturity import store

CAPTION_EN = (
    "A point is the mean of the teams' own category levels in that round, over the teams that answered it (each team "
    "weighs the same; a team's level is the mean of its items). Hover a point for how many teams and items it "
    "averages and its change from the previous point over the teams and items both share. A dashed step joins "
    "points that rest on different teams or items, or skips a round: its slope is not a change."
)


@pytest.fixture
def org_db(db_file, model, monkeypatch):
    """test_metrics' organisation (R1, R2), a round R3 only Cart answered and R4 only Bot, served to the dashboard."""
    con = store.connect(db_file, model)
    load(con, "R1", R1, held_on=date(2024, 1, 10), tiers=TIERS)
    load(con, "R2", R2, held_on=date(2024, 7, 10), tiers=TIERS)
    load(con, "R3", [("Shop", "Cart", "p1", "team", "OBS-1", 3)], held_on=date(2025, 1, 10))
    load(con, "R4", [("Lab", "Bot", "b1", "team", "OBS-1", 2)], held_on=date(2025, 7, 10))
    con.close()
    monkeypatch.setenv("OPMATURITY_DB", str(db_file))
    return db_file


def trend_spec(at):
    return next(s for s in specs(at) if any("strokeDash" in layer.get("encoding", {}) for layer in s["layer"]))


def trend_rows(at) -> list[dict]:
    """The rows behind the trend chart (Arrow IPC)."""
    import pyarrow as pa

    chart = next(c for c in at.get("vega_lite_chart") if "strokeDash" in c.proto.spec)
    (dataset,) = [d.data.data for d in chart.proto.datasets]
    return pa.ipc.open_stream(dataset).read_all().to_pylist()


def test_trends_page_says_what_a_point_is_and_how_many_teams_stand_behind_each_round(org_db):
    at = open_page("trends", {"lang": "English"})
    assert not at.exception, at.exception
    said = texts(at)
    assert CAPTION_EN in said
    assert "The teams behind the line differ from round to round: R1 3 of 4, R2 3 of 4, R3 1 of 4, R4 1 of 4." in said
    points = [r for r in trend_rows(at) if r["part"] == "point"]
    obs = {r["round"]: r for r in points if r["category"] == "Monitoring & alerting"}
    assert obs["R1"]["teams_text"] == "2 of 4" and obs["R2"]["teams_text"] == "3 of 4"
    assert obs["R2"]["step_text"] == "-0.50 since R1 (2.00 → 1.50; 2 teams, 1 item)"


def test_a_team_that_skipped_a_round_has_its_gap_on_the_axis_and_said(org_db):
    at = open_page("trends", {"lang": "English", "product": "Lab", "team": "Bot"})
    assert not at.exception, at.exception
    assert "No answers from the teams chosen in R3: the line skips it, dashed." in texts(at)
    assert trend_spec(at)["layer"][0]["encoding"]["x"]["scale"]["domain"] == ["R1", "R2", "R3", "R4"]
    steps = {(r["category"], r["round"], r["dash"]) for r in trend_rows(at) if r["part"] == "step"}
    assert ("Monitoring & alerting", "R4", "dashed") in steps
    point = next(r for r in trend_rows(at) if r["part"] == "point" and r["round"] == "R4")
    assert point["step_text"] == "+1.00 since R2 (1.00 → 2.00; 1 team, 1 item)" and point["teams_text"] == "1 of 1"


def test_the_movers_table_follows_the_product_and_team_chosen(org_db):
    at = open_page("trends", {"lang": "English", "round": "R2", "product": "Lab"})
    assert not at.exception, at.exception
    movers = table_with(at, "Beyond noise")
    # the product chosen is in no column (every row would repeat it): the change and its round fit at 1024 px
    assert movers[["Team", "Category"]].values.tolist() == [["Bot", "Monitoring & alerting"]]
    assert "Product" not in movers.columns
    at = open_page("trends", {"lang": "English", "round": "R2", "product": "Shop", "team": "Cart"})
    movers = table_with(at, "Beyond noise")
    assert movers[["Change since last assessed", "Compared with"]].values.tolist() == [[1.0, "R1"], [-1.0, "R1"]]
    assert "Product" not in movers.columns and "Team" not in movers.columns
    at = open_page("trends", {"lang": "English", "round": "R2"})
    assert {"Product", "Team"} <= set(table_with(at, "Beyond noise").columns)  # every team: both named


def test_a_team_without_answers_in_the_round_gets_a_sentence_not_empty_category_axes(org_db):
    at = open_page("team", {"lang": "English", "round": "R3", "product": "Lab", "team": "Bot"})
    assert not at.exception, at.exception
    assert "This team has no answers in this round, so there are no category levels to draw." in texts(at)
    assert all("strokeDash" in json.dumps(spec) for spec in specs(at))  # only the trend is drawn
    assert len(specs(at)) == 1


def test_the_heatmap_says_the_rater_chosen_has_no_answers_instead_of_a_grey_grid(org_db):
    at = open_page("heatmap", {"lang": "English", "round": "R3", "rater": "sre"})
    assert not at.exception, at.exception
    assert (
        'Round "R3" has no answers rated by SRE (every cell would be empty): switch the rater above, or import '
        "their answers on the Import page."
    ) in texts(at)
    assert not specs(at)
    at = open_page("heatmap", {"lang": "English", "round": "R2", "rater": "sre"})
    assert len(specs(at)) == 1


def test_the_line_can_follow_only_the_teams_that_answered_every_round(db_file, model, monkeypatch):
    """Hand computation. R1: Cart OBS-1 1, Bot OBS-1 3; R2: Cart 2 (Bot skips); R3: Cart 3, Bot 3. The org's
    line: 2.00, 2.00, 3.00 (R2 is Cart alone); over the teams that answered every round (Cart): 1.00, 2.00, 3.00."""
    con = store.connect(db_file, model)
    load(con, "R1", [("Shop", "Cart", "p", "team", "OBS-1", 1), ("Lab", "Bot", "b", "team", "OBS-1", 3)],
         held_on=date(2024, 1, 10))  # fmt: skip
    load(con, "R2", [("Shop", "Cart", "p", "team", "OBS-1", 2)], held_on=date(2024, 7, 10))
    load(con, "R3", [("Shop", "Cart", "p", "team", "OBS-1", 3), ("Lab", "Bot", "b", "team", "OBS-1", 3)],
         held_on=date(2025, 1, 10))  # fmt: skip
    con.close()
    monkeypatch.setenv("OPMATURITY_DB", str(db_file))
    at = open_page("trends", {"lang": "English"})

    def line() -> dict[str, float]:
        points = [r for r in trend_rows(at) if r["part"] == "point" and r["category"] == "Monitoring & alerting"]
        return {r["round"]: round(r["level"], 2) for r in points}

    assert line() == {"R1": 2.0, "R2": 2.0, "R3": 3.0}
    at.toggle(key="trend_steady").set_value(True).run()
    assert not at.exception
    assert line() == {"R1": 1.0, "R2": 2.0, "R3": 3.0}
    assert "The line of the 1 team that answered every round." in texts(at)
    assert not any(t.startswith("The teams behind the line differ") for t in texts(at))


def test_with_no_team_in_every_round_the_steady_line_says_so(org_db):
    at = open_page("trends", {"lang": "日本語"})
    at.toggle(key="trend_steady").set_value(True).run()
    assert not at.exception
    assert "すべてのラウンドで答えたチームはありません。" in [i.value for i in at.info]
