"""A round's figures computed once (metrics.round_figures) and every list rolled up from them: the same frames
whether each call computes them or one set is shared, the Overview's highlights the summary's first entries,
and the dashboard computing them once per round and data revision however many lists and widget changes read
them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from opmaturity import charts, metrics, store, summary

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo(demo_db: Path, model) -> duckdb.DuckDBPyConnection:
    connection = store.connect(demo_db, model)
    yield connection
    connection.close()


def test_lists_from_shared_figures_equal_lists_computing_their_own(demo):
    latest = store.rounds(demo)["name"].iloc[-1]  # the latest, named: it has a round before it
    shared = metrics.round_figures(demo, latest)
    product, team = store.teams(demo).iloc[0][["product", "team"]]
    calls = {
        "top_gaps": lambda **f: metrics.top_gaps(demo, latest, **f),
        "perception_gaps": lambda **f: metrics.perception_gaps(demo, latest, **f),
        "disagreements": lambda **f: metrics.disagreements(demo, latest, **f),
        "org_weak_items": lambda **f: metrics.org_weak_items(demo, latest, **f),
        "silent_gaps": lambda **f: metrics.silent_gaps(demo, latest, **f),
        "org_categories": lambda **f: metrics.org_categories(demo, latest, **f),
        "changes": lambda **f: metrics.changes(demo, latest, level="item", **f),
        "movers": lambda **f: metrics.movers(demo, latest, **f),
        "heatmap": lambda **f: metrics.heatmap(demo, latest, metric="gap", rows="product", columns="item", **f),
        "team_items": lambda **f: metrics.team_items(demo, latest, product, team, **f),
        "team_categories": lambda **f: metrics.team_categories(demo, latest, product, team, **f),
        "item_scores": lambda **f: metrics.item_scores(demo, latest, **f),
        "category_scores": lambda **f: metrics.category_scores(demo, latest, **f),
    }
    for name, call in calls.items():
        alone, rolled = call(), call(figures=shared)
        assert len(alone), name  # a list with rows: an empty one would compare equal whatever happened
        pd.testing.assert_frame_equal(alone, rolled, check_exact=False, rtol=1e-12, obj=name)
    assert summary.summary(demo, latest) == summary.summary(demo, latest, figures=shared)
    every = metrics.every_round_figures(demo)
    pd.testing.assert_frame_equal(metrics.trend(demo, product=product), metrics.trend(demo, product=product,
                                                                                          figures=every))  # fmt: skip
    # one team's trend computed from its own levels alone (as the Team page does) reads what every team's say
    alone = metrics.trend(demo, product=product, team=team)
    assert len(alone) > 10
    pd.testing.assert_frame_equal(alone, metrics.trend(demo, product=product, team=team, figures=every))
    assert metrics.every_round_figures(demo, product, team).tables["category_scores"]["team"].unique().tolist() == [
        team
    ]


def test_the_trends_category_levels_are_category_scores_levels_for_every_round(demo):
    # The trends roll up from the item levels directly; they must read what each round's category scores say.
    every = metrics.every_round_figures(demo).tables["category_scores"].to_pandas()
    key = ["round_id", "product", "team", "rater", "category"]
    rounds = store.rounds(demo)["name"]
    scores = pd.concat([metrics.round_figures(demo, r).tables["category_scores"].to_pandas() for r in rounds])
    expected = scores[[*key, "category_position", "level", "n"]].sort_values(key).reset_index(drop=True)
    found = every[expected.columns].sort_values(key).reset_index(drop=True)
    assert len(found) == len(expected) > 100 and found["level"].notna().sum() > 100
    pd.testing.assert_frame_equal(found, expected, check_exact=False, rtol=1e-12, check_dtype=False)


def test_the_overview_highlights_are_the_first_entries_of_the_summary(demo):
    whole, heads = summary.summary(demo), summary.highlights(demo)
    assert heads["round"] == whole["round"]
    assert "heatmap" not in heads  # the Overview draws no heatmap: it is not computed for it
    for name in ("perception_gaps", "disagreements", "silent_gaps", "changes"):
        assert heads[name] == whole[name][:1], name
    (top,) = heads["top_gaps"]  # the summary's first entry, plus the range of targets behind its mean
    assert {k: v for k, v in top.items() if k not in ("target_low", "target_high")} == whole["top_gaps"][0]
    assert top["target_low"] <= top["target"] <= top["target_high"]
    assert heads["org_weak_items"] == whole["org_weak_items"][:2]
    assert heads["moved"] == len(whole["changes"]) > 1


def test_figures_of_another_round_are_refused(demo):
    first, latest = store.rounds(demo)["name"].iloc[[0, -1]]
    figures = metrics.round_figures(demo, first)
    with pytest.raises(ValueError, match="given for round"):
        metrics.top_gaps(demo, latest, figures=figures)
    with pytest.raises(ValueError, match="given for round"):
        metrics.disagreements(demo, first, k=5, figures=figures)  # computed with k = 3


def test_shared_figures_leave_no_table_behind_on_the_cursor(demo):
    metrics.top_gaps(demo, figures=metrics.round_figures(demo))
    names = {row[0] for row in demo.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    names |= {row[0] for row in demo.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert not names & {"item_scores", "category_scores"}


def test_the_dashboard_computes_a_rounds_figures_once_for_every_list_and_widget_change(demo_db, monkeypatch):
    computed: list[str | None] = []
    original = metrics.round_figures

    def counting(con, round_name=None, *, k=metrics.DEFAULT_K):
        computed.append(round_name)
        return original(con, round_name, k=k)

    monkeypatch.setattr(metrics, "round_figures", counting)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()  # the Overview: highlights, silent gaps and the org per category from one set
    assert not at.exception
    assert len(computed) == 1
    at.switch_page("app_pages/heatmap.py").run()
    for metric in ("gap", "priority", "level"):
        at.selectbox(key="metric").set_value(metric).run()
    at.segmented_control(key="rows").set_value("product").run()
    assert not at.exception
    assert len(computed) == 1  # the same round, the same data: nothing recomputed
    latest, latest = at.selectbox(key="round").options[:2]
    at.selectbox(key="round").set_value(latest).run()
    assert not at.exception
    assert len(computed) == 2 and computed[-1] == latest


def test_a_heatmap_of_hundreds_of_teams_scrolls_in_a_box_with_its_column_labels_on_top():
    assert charts.scroll_height(20) is None  # 20 teams fit on the page
    assert charts.scroll_height(1000) == charts.MAX_HEIGHT == 900
    cells = pd.DataFrame({"product": ["P"], "team": ["T"], "key": ["OBS"], "category": ["OBS"], "position": [0],
                          "value": [1.5], "n": [4], "respondents": [4], "status": ["ok"]})  # fmt: skip
    frame = charts.heatmap_frame(cells, "level", {"OBS": "Observability"}, tr=lambda key, **_: key)
    options = {"metric": "level", "metric_title": "Level", "row_title": "Team", "column_title": "Category",
               "tr": lambda key, **_: key}  # fmt: skip
    top = charts.heatmap_chart(frame, columns_on_top=True, **options).to_dict()
    bottom = charts.heatmap_chart(frame, **options).to_dict()
    assert top["layer"][0]["encoding"]["x"]["axis"]["orient"] == "top"
    assert bottom["layer"][0]["encoding"]["x"]["axis"]["orient"] == "bottom"
