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
    param = spec["params"][0] if "params" in spec else spec["layer"][0]["params"][0]
    assert param["name"] == charts.SELECTION
    assert param["select"]["fields"] == ["product", "team", "key"]


def test_selected_cell_reads_the_event_mapping():
    event = {"selection": {charts.SELECTION: [{"product": "P", "team": "T", "key": "OBS"}]}}
    assert charts.selected_cell(event) == {"product": "P", "team": "T", "key": "OBS"}
    assert charts.selected_cell({"selection": {charts.SELECTION: []}}) is None
    assert charts.selected_cell(None) is None
