import pandas as pd
import pytest

from opmaturity import charts


def cells(metric="level", values=(2.5, None, -1.0)):
    data = pd.DataFrame(
        {
            "product": ["P", "P", "Q"],
            "team": ["T", "T", None],
            "key": ["OBS", "SLO", "OBS"],
            "position": [0, 1, 0],
            "value": list(values),
            "n": [4, 0, 2],
            "respondents": [2, 0, 1],
            "status": ["ok", "no_data", "too_few"],
        }
    )
    return charts.heatmap_frame(data, metric, {"OBS": "監視・アラート", "SLO": "SLO"}, k=3)


def test_heatmap_frame_labels_rows_titles_columns_and_names_the_value_after_the_metric():
    frame = cells("gap")
    assert frame["row"].tolist() == ["P / T", "P / T", "Q"]
    assert frame["column"].tolist() == ["監視・アラート", "SLO", "監視・アラート"]
    assert frame["label"].tolist() == ["2.5", "–", "n<3"]
    assert "gap" in frame.columns and "value" not in frame.columns


def test_answer_count_as_the_metric_keeps_one_n_column():
    frame = cells("n", values=(4, None, 2))
    assert list(frame.columns).count("n") == 1


@pytest.mark.parametrize("metric", ["level", "gap", "perception_gap", "change", "priority", "n"])
def test_the_colour_encodes_the_chosen_metric(metric):
    spec = charts.heatmap_chart(
        cells(metric), metric=metric, metric_title=metric, row_title="r", column_title="c"
    ).to_dict()
    rect = spec["layer"][0]
    assert rect["mark"]["type"] == "rect"
    color = rect["encoding"]["color"]
    assert color["condition"]["field"] == metric
    assert color["condition"]["test"] == f"isValid(datum[{metric!r}])"
    assert color["value"] == charts.NO_DATA_COLOUR


def test_levels_use_a_fixed_sequential_scale_and_signed_metrics_diverge_around_zero():
    level = charts.heatmap_chart(cells("level"), metric="level", metric_title="", row_title="", column_title="")
    scale = level.to_dict()["layer"][0]["encoding"]["color"]["condition"]["scale"]
    assert scale == {"scheme": "blues", "domain": [0, 4]}
    change = charts.heatmap_chart(cells("change"), metric="change", metric_title="", row_title="", column_title="")
    scale = change.to_dict()["layer"][0]["encoding"]["color"]["condition"]["scale"]
    assert scale["domainMid"] == 0 and scale["domain"] == [-2.5, 2.5]


def test_a_click_selects_product_team_and_key():
    spec = charts.heatmap_chart(cells(), metric="level", metric_title="", row_title="", column_title="").to_dict()
    params = spec["params"]  # Altair hoists layer selections to the top, each bound to its own layer
    assert [p["views"] for p in params] == [[layer["name"]] for layer in spec["layer"]]
    assert [p["name"] for p in params] == [charts.SELECTION, charts.LABEL_SELECTION]  # the number on a cell too
    assert all(p["select"]["fields"] == ["product", "team", "key"] for p in params)


def test_selected_cell_reads_the_event_mapping():
    event = {"selection": {charts.SELECTION: [{"product": "P", "team": "T", "key": "OBS"}]}}
    assert charts.selected_cell(event) == {"product": "P", "team": "T", "key": "OBS"}
    assert charts.selected_cell({"selection": {charts.SELECTION: []}}) is None
    assert charts.selected_cell(None) is None
    label = {"selection": {charts.SELECTION: [], charts.LABEL_SELECTION: [{"product": "P", "team": None, "key": "X"}]}}
    assert charts.selected_cell(label) == {"product": "P", "team": None, "key": "X"}


def test_likert_rows_diverge_around_the_middle_level():
    dist = pd.DataFrame({"item": ["A"] * 4 + ["B"], "level": [0, 2, 4, None, 3], "count": [1, 2, 1, 5, 3]})
    frame = charts.likert_frame(dist)
    a = frame[frame["item"] == "A"].set_index("level")
    # shares 0.25 / 0.5 / 0.25: level 0 and half of level 2 on the left of zero
    assert a.loc[0, "start"] == -0.5 and a.loc[2, "start"] == -0.25 and a.loc[2, "end"] == 0.25
    assert a.loc[4, "end"] == 0.5
    b = frame[frame["item"] == "B"].set_index("level")
    assert b.loc[3, "start"] == 0 and b.loc[3, "end"] == 1


def test_likert_chart_colours_by_level_with_the_level_words():
    frame = charts.likert_frame(pd.DataFrame({"item": ["A"], "level": [1], "count": [2]}))
    spec = charts.likert_chart(frame, {0: "未着手", 1: "場当たり"}, "share").to_dict()
    assert spec["encoding"]["color"]["field"] == "level"
    assert "1 場当たり" in spec["encoding"]["color"]["legend"]["labelExpr"]


def test_category_bars_show_sre_where_sre_rated():
    data = pd.DataFrame(
        {"category": ["監視", "SLO"], "position": [0, 1], "team_level": [2.0, 1.0], "target": [3.0, 3.0],
         "org_median": [2.5, 2.0], "sre_level": [1.0, None]}
    )  # fmt: skip
    titles = {"level": "level", "target": "target", "org_median": "median"}
    spec = charts.category_bars(data, lang_titles=titles).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "tick", "point", "point"]
    without = charts.category_bars(data.assign(sre_level=None), lang_titles=titles).to_dict()
    assert len(without["layer"]) == 3
