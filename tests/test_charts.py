import json

import pandas as pd
import pytest

from opmaturity import charts, i18n


def JA(key: str, **values: object) -> str:  # noqa: N802  (stands for a page's `tr` in Japanese)
    return i18n.t(key, "ja", **values)


def EN(key: str, **values: object) -> str:  # noqa: N802
    return i18n.t(key, "en", **values)


def cells(metric="level", values=(2.5, None, -1.0), tr=JA):
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
    return charts.heatmap_frame(data, metric, {"OBS": "監視・アラート", "SLO": "SLO"}, k=3, tr=tr)


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
        cells(metric), metric=metric, metric_title=metric, row_title="r", column_title="c", tr=JA
    ).to_dict()
    rect = spec["layer"][0]
    assert rect["mark"]["type"] == "rect"
    color = rect["encoding"]["color"]
    assert color["condition"]["field"] == metric
    assert color["condition"]["test"] == f"isValid(datum[{metric!r}])"
    assert color["value"] == charts.NO_DATA_COLOUR


def test_levels_use_a_fixed_sequential_scale_and_signed_metrics_diverge_around_zero():
    level = charts.heatmap_chart(cells("level"), metric="level", metric_title="", row_title="", column_title="", tr=JA)
    scale = level.to_dict()["layer"][0]["encoding"]["color"]["condition"]["scale"]
    assert scale == {"scheme": "blues", "domain": [0, 4]}
    change = charts.heatmap_chart(
        cells("change"), metric="change", metric_title="", row_title="", column_title="", tr=JA
    )
    scale = change.to_dict()["layer"][0]["encoding"]["color"]["condition"]["scale"]
    assert scale["domainMid"] == 0 and scale["domain"] == [-2.5, 2.5]


def test_a_click_selects_product_team_and_key():
    spec = charts.heatmap_chart(
        cells(), metric="level", metric_title="", row_title="", column_title="", tr=JA
    ).to_dict()
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
    spec = charts.likert_chart(frame, {0: "未着手", 1: "場当たり"}, "share").to_dict(validate=True)
    assert spec["encoding"]["color"]["field"] == "level"
    assert "1 場当たり" in spec["encoding"]["color"]["legend"]["labelExpr"]


def test_category_bars_show_sre_where_sre_rated():
    data = pd.DataFrame(
        {"category": ["監視", "SLO"], "position": [0, 1], "team_level": [2.0, 1.0], "target": [3.0, 3.0],
         "org_median": [2.5, 2.0], "sre_level": [1.0, None]}
    )  # fmt: skip
    titles = {"level": "level", "target": "target", "org_median": "median"}
    spec = charts.category_bars(data, lang_titles=titles).to_dict(validate=True)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "tick", "point", "point"]
    without = charts.category_bars(data.assign(sre_level=None), lang_titles=titles).to_dict(validate=True)
    assert len(without["layer"]) == 3


# --- what the heatmap's spec decides: colours, sizes, labels, tooltips, row order ---------------------------


def heatmap_spec(metric="level", frame=None, tr=JA, **options):
    frame = cells(metric, tr=tr) if frame is None else frame
    titles = {"metric_title": tr(f"metric.{metric}"), "row_title": tr("heatmap.rows.team"),
              "column_title": tr("heatmap.columns.category")}  # fmt: skip
    return charts.heatmap_chart(frame, metric=metric, tr=tr, **titles, **options).to_dict(validate=True)


@pytest.mark.parametrize("metric", ["level", "gap", "change", "perception_gap", "disagreement", "n"])
def test_every_heatmap_variant_is_a_valid_vega_lite_spec_though_the_page_draws_it_unchecked(metric):
    """The dashboard skips Altair's schema check when Streamlit draws a heatmap (charts.Drawn): it is made here,
    for every metric, sort, label side and selectability, and the spec drawn is the spec checked."""
    frame = cells(metric)
    titles = {"metric_title": "m", "row_title": "r", "column_title": "c"}
    for options in ({}, {"sort_by_value": True}, {"columns_on_top": True}, {"selectable": False}):
        chart = charts.heatmap_chart(frame, metric=metric, tr=JA, **titles, **options)
        assert chart.to_dict() == chart.to_dict(validate=True)


def test_a_screen_reader_hears_a_cell_as_its_row_column_value_as_written_and_status_once():
    chart = charts.heatmap_chart(cells("gap", tr=EN), metric="gap", metric_title='Gap "to" target', row_title="r",
                                 column_title="c", tr=EN)  # fmt: skip
    rect, text = chart.to_dict(validate=True)["layer"]
    spoken = rect["encoding"]["description"]["value"]["expr"]
    assert spoken == (
        "datum.row + ' · ' + datum.column + ' · ' + \"Gap \\\"to\\\" target\" + ' ' + datum.value_text"
        " + ' · ' + datum.status_text"
    )  # the title a JavaScript string with its quotes escaped; the value as the tooltip writes it (2.50)
    assert text["mark"]["aria"] is False  # the number over the cell is not read a second time


@pytest.mark.parametrize("metric", ["level", "gap", "perception_gap", "n"])
def test_a_pages_heatmap_view_is_the_heatmap_chart_split_into_its_frame_and_its_spec(metric):
    """Pages draw `heatmap_view` (st.vega_lite_chart): the same spec as heatmap_chart's, its data given beside."""
    frame = cells(metric)
    options = {"metric": metric, "metric_title": "m", "row_title": "r", "column_title": "c", "tr": EN,
               "sort_by_value": True}  # fmt: skip
    whole = charts.heatmap_chart(frame, **options).to_dict(validate=True)
    data, spec = charts.heatmap_view(frame, **options)
    assert json.loads(data.to_json(orient="records")) == whole.pop("datasets")[whole.pop("data")["name"]]
    assert spec == whole  # nothing but the data differs
    assert "datasets" not in spec and all("data" not in layer for layer in spec["layer"])


def test_a_heatmaps_spec_is_made_once_per_shape_and_each_page_gets_its_own_copy():
    options = {"metric": "gap", "metric_title": "m", "row_title": "r", "column_title": "c", "tr": EN}
    charts._heatmap_spec.cache_clear()
    _, first = charts.heatmap_view(cells("gap", values=(2.5, None, -1.0)), **options)
    first["layer"].clear()  # Streamlit adds to the spec it is given: the next page must not see it
    _, again = charts.heatmap_view(cells("gap", values=(-2.5, 1.0, 0.5)), **options)  # other values, same extent
    assert charts._heatmap_spec.cache_info().hits == 1 and len(again["layer"]) == 2
    _, wider = charts.heatmap_view(cells("gap", values=(3.5, None, -1.0)), **options)  # the scale must widen
    assert colour_scale(wider)["domain"] == [-3.5, 3.5] and colour_scale(again)["domain"] == [-2.5, 2.5]
    assert charts._heatmap_spec.cache_info().misses == 2
    _, english = charts.heatmap_view(cells("gap"), **options)
    _, japanese = charts.heatmap_view(cells("gap"), **{**options, "tr": JA})  # tooltip titles in the language
    assert [t["title"] for t in english["layer"][0]["encoding"]["tooltip"]][-3:] == ["Answers", "Respondents",
                                                                                  "Status"]  # fmt: skip
    assert english != japanese


def test_every_chart_a_page_draws_is_drawn_unchecked_and_is_a_valid_vega_lite_spec():
    """Streamlit draws the dashboard's charts without Altair's schema check (charts._Unchecked): each builder's
    chart is checked here, and the spec drawn is the spec checked."""
    bars = pd.DataFrame({"category": ["監視", "SLO"], "position": [0, 1], "team_level": [2.0, 1.0],
                         "target": [3.0, 3.0], "org_median": [2.5, 2.0], "sre_level": [1.0, None]})  # fmt: skip
    trend = pd.DataFrame({"round": ["a", "b"], "round_position": [0, 1], "category": ["監視", "監視"],
                          "level": [1.0, 2.5], "n": [3, 4], "position": [0, 0]})  # fmt: skip
    likert = charts.likert_frame(pd.DataFrame({"item": ["A", "B"], "level": [1, 3], "count": [2, 1]}))
    built = [
        charts.category_bars(bars, lang_titles={"level": "l", "target": "t", "org_median": "m"}),
        charts.trend_lines(trend, "level"),
        charts.likert_chart(likert, {0: "未着手", 1: "場当たり", 2: "a", 3: "b", 4: "c"}, "share"),
        charts.heatmap_chart(cells(), metric="level", metric_title="m", row_title="r", column_title="c", tr=JA),
    ]
    for chart in built:
        assert isinstance(chart, charts._Unchecked)
        assert chart.to_dict() == chart.to_dict(validate=True)


def test_altair_checks_a_chart_once_when_it_is_drawn_not_each_part_as_it_is_made():
    """charts turns Altair's debug mode off (each axis, scale and channel checked as it was made): a wrong part
    is still refused, by the check of the whole spec that drawing it makes."""
    import altair as alt
    from altair.utils import schemapi

    assert not schemapi.DEBUG_MODE
    wrong = alt.Axis(labelAngle="slanted")  # made without a word
    chart = alt.Chart(pd.DataFrame({"a": ["x"]})).mark_rect().encode(x=alt.X("a:N", axis=wrong))
    with pytest.raises(schemapi.SchemaValidationError):
        chart.to_dict()  # what st.altair_chart calls


def drawn(spec) -> list[str]:
    """The heatmap's rows top first: sorted by the rank its data carries (one for every row), in both layers."""
    for layer in spec["layer"]:
        assert layer["encoding"]["y"]["sort"] == {"field": charts.ROW_RANK, "op": "min", "order": "ascending"}
    cells = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert cells.groupby("row")[charts.ROW_RANK].nunique().eq(1).all()
    assert sorted(cells[charts.ROW_RANK].unique()) == list(range(cells["row"].nunique()))
    return charts.drawn_rows(cells)


def colour_scale(spec):
    return spec["layer"][0]["encoding"]["color"]["condition"]["scale"]


def reddish(colour: str) -> bool:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return red > 150 and red > blue + 60 and red > green


def test_a_positive_gap_is_below_target_and_red_on_a_scale_centred_on_zero():
    scale = colour_scale(heatmap_spec("gap", cells("gap", values=(2.5, None, -1.0))))
    assert scale["domain"] == [-2.5, 2.5] and scale["domainMid"] == 0
    low, middle, high = scale["range"]
    assert reddish(high) and not reddish(low) and not reddish(middle)


def test_a_decline_is_red_and_an_improvement_is_not():
    scale = colour_scale(heatmap_spec("change", cells("change", values=(0.4, None, -1.5))))
    assert scale["domain"] == [-1.5, 1.5] and scale["domainMid"] == 0
    low, _, high = scale["range"]
    assert reddish(low) and not reddish(high)


def test_a_perception_gap_is_warm_in_both_directions_and_never_blue():
    scale = colour_scale(heatmap_spec("perception_gap", cells("perception_gap", values=(0.5, None, -2.0))))
    assert scale["domain"] == [-2.0, 2.0] and scale["domainMid"] == 0
    low, middle, high = scale["range"]
    assert low != high and middle == charts.NEUTRAL
    for end in (low, high):
        red, blue = int(end[1:3], 16), int(end[5:7], 16)
        assert red > blue, end


def test_every_signed_metric_uses_the_same_red_for_its_bad_side():
    assert charts.DIVERGING["gap"][-1] == charts.DIVERGING["change"][0] == charts.RED
    assert charts.DIVERGING["gap"][0] == charts.DIVERGING["change"][-1] == charts.BLUE


def test_a_small_signed_range_still_spans_at_least_one_level_either_way():
    scale = colour_scale(heatmap_spec("gap", cells("gap", values=(0.2, None, -0.1))))
    assert scale["domain"] == [-1.0, 1.0]


def test_no_data_is_a_grey_apart_from_the_neutral_zero():
    assert charts.NO_DATA_COLOUR not in (charts.NEUTRAL, "#ffffff")
    assert int(charts.NO_DATA_COLOUR[1:3], 16) < int(charts.NEUTRAL[1:3], 16) - 20


def test_minus_zero_reads_zero_in_cells_and_tooltips():
    frame = cells("change", values=(-0.04, None, -0.004))
    assert frame["label"].tolist() == ["0.0", "–", "n<3"]
    assert frame["value_text"].tolist() == ["-0.04", "–", "0.00"]
    assert charts.number_texts(pd.Series([-0.0, -0.05]), 1).tolist() == ["0.0", "-0.1"]


def test_numbers_read_rounded_halves_away_from_zero_as_a_person_and_excel_round_them():
    # 四捨五入: a mean of four answers is often x.25 or x.75 (1.25 read 1.2 before, where Excel shows 1.3); a float
    # that is a hair under its decimal half (2.675, 1.005) rounds as the decimal it stands for.
    values = [-0.0, -0.004, -0.005, -0.05, 0.125, 2.675, 1.005, 1.875, 3.999, -1.25, None, float("nan"), 12.0, 4]
    series = pd.Series(values, dtype="float64")
    assert charts.number_texts(series, 0).tolist() == [
        "0", "0", "0", "0", "0", "3", "1", "2", "4", "-1", "–", "–", "12", "4"]  # fmt: skip
    assert charts.number_texts(series, 1).tolist() == [
        "0.0", "0.0", "0.0", "-0.1", "0.1", "2.7", "1.0", "1.9", "4.0", "-1.3", "–", "–", "12.0", "4.0"]  # fmt: skip
    assert charts.number_texts(series, 2).tolist() == [
        "0.00", "0.00", "-0.01", "-0.05", "0.13", "2.68", "1.01", "1.88", "4.00", "-1.25", "–", "–", "12.00",
        "4.00"]  # fmt: skip
    assert charts.number_texts(pd.Series([0.25, 1.25, 2.75, -0.75]), 1).tolist() == ["0.3", "1.3", "2.8", "-0.8"]
    assert charts.number_texts(pd.Series([1, None], dtype="Int64"), 1).tolist() == ["1.0", "–"]


def test_rows_and_columns_have_a_fixed_size_whatever_their_number():
    spec = heatmap_spec()
    assert spec["height"] == {"step": charts.ROW_STEP} and charts.ROW_STEP >= 18
    assert spec["width"] == {"step": charts.COLUMN_STEP}
    assert spec["autosize"] == {"type": "pad"}  # grows with its rows and columns instead of being squeezed


def test_many_columns_keep_their_width_and_make_the_chart_wider_than_the_page():
    frame = items_frame(n_items=37)
    spec = heatmap_spec("gap", frame)
    assert spec["width"] == {"step": charts.NARROW_COLUMN_STEP} and charts.NARROW_COLUMN_STEP >= 30
    assert 37 * charts.NARROW_COLUMN_STEP > 1000  # so it scrolls inside the page's wide_ container


def test_every_axis_label_is_drawn_and_long_ones_are_cut_with_the_full_text_in_the_tooltip():
    spec = heatmap_spec()
    x, y = (spec["layer"][0]["encoding"][axis]["axis"] for axis in ("x", "y"))
    assert x["labelOverlap"] is False and y["labelOverlap"] is False
    assert x["labelLimit"] == charts.COLUMN_LABEL_LIMIT and y["labelLimit"] == charts.ROW_LABEL_LIMIT
    fields = [t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]]
    assert fields[:2] == ["row", "column"]


@pytest.mark.parametrize(
    ("tr", "expected"),
    [(JA, {"チーム", "カテゴリ", "目標とのギャップ", "回答数", "回答者数", "状態"}),
     (EN, {"Teams", "Categories", "Gap to target", "Answers", "Respondents", "Status"})],
)  # fmt: skip
def test_tooltip_titles_and_the_status_speak_the_ui_language(tr, expected):
    frame = cells("gap", tr=tr)
    spec = heatmap_spec("gap", frame, tr=tr)
    titles = {t["title"] for t in spec["layer"][0]["encoding"]["tooltip"]}
    assert titles == expected
    assert not titles & {"n", "respondents", "status"}
    statuses = set(frame["status_text"])
    assert statuses == {tr("common.status.ok"), tr("common.status.no_data"), tr("common.status.too_few")}
    assert not statuses & {"ok", "no_data", "too_few", "OK"}  # "OK" read as English in the Japanese tooltip
    assert tr("common.status.ok") in {"回答あり", "Answered"}


def items_frame(n_items=3, rows=(("B", None), ("A", "y"), ("A", None), ("A", "x")), values=None):
    """A heatmap frame of products and teams by `n_items` items, rows arriving in a scrambled order."""
    records = []
    for r, (product, team) in enumerate(rows):
        for i in range(n_items):
            value = values[r] if values else (r + i) % 5
            records.append({"product": product, "team": team, "key": f"K{i:02d}", "position": i, "value": value,
                            "n": 3, "respondents": 3, "status": "ok"})  # fmt: skip
    return charts.heatmap_frame(pd.DataFrame(records), "gap", {}, tr=JA)


def test_rows_keep_product_then_team_order_whatever_the_metric():
    for metric in ("level", "gap"):
        frame = items_frame(values=[3.0, -1.0, 2.0, 0.5]).rename(columns={"gap": metric})
        spec = heatmap_spec(metric, frame)
        assert drawn(spec) == ["A", "A / x", "A / y", "B"]


def test_rows_sort_by_value_only_when_asked_worst_first():
    frame = items_frame(values=[3.0, -1.0, 2.0, 0.5])  # B, A / y, A, A / x
    assert drawn(heatmap_spec("gap", frame, sort_by_value=True)) == ["B", "A", "A / x", "A / y"]
    level = frame.rename(columns={"gap": "level"})
    assert drawn(heatmap_spec("level", level, sort_by_value=True)) == ["A / y", "A / x", "A", "B"]


def test_columns_stay_in_model_order():
    frame = items_frame(n_items=12).sample(frac=1, random_state=3)
    assert heatmap_spec("gap", frame)["layer"][0]["encoding"]["x"]["sort"] == [f"K{i:02d}" for i in range(12)]


# --- the other charts -----------------------------------------------------------------------------------------


def test_trend_lines_give_twelve_categories_twelve_colours_and_list_them_all():
    data = pd.DataFrame(
        [{"round": r, "round_position": p, "category": f"カテゴリ{c}", "position": c, "level": 2.0, "n": 5}
         for p, r in enumerate(["2025-H2", "2026-H1"]) for c in range(12)]
    )  # fmt: skip
    titles = {"round": "ラウンド", "category": "カテゴリ", "n": "回答数"}
    spec = charts.trend_lines(data, "現状レベル", titles=titles).to_dict(validate=True)
    color = spec["layer"][0]["encoding"]["color"]
    assert len(set(color["scale"]["range"])) == 12
    assert color["scale"]["domain"] == [f"カテゴリ{c}" for c in range(12)]
    assert color["legend"]["symbolLimit"] == 0
    assert [t["title"] for t in spec["layer"][1]["encoding"]["tooltip"]] == [
        "ラウンド",
        "カテゴリ",
        "現状レベル",
        "回答数",
    ]


def test_trend_lines_keep_a_skipped_round_on_the_axis_and_dash_the_steps_that_are_not_like_for_like():
    data = pd.DataFrame({"round": ["R1", "R3", "R1", "R3"], "round_position": [1, 3, 1, 3],
                         "category": ["監視", "監視", "SLO", "SLO"],
                         "position": [0, 0, 1, 1], "level": [1.5, 2.0, 1.0, 3.0], "n": [4, 4, 4, 4],
                         "teams_text": ["1/1"] * 4, "items": [5, 6, 2, 2], "step_text": ["", "+0.03", "", "+2.00"],
                         "dashed": [False, True, False, False]})  # fmt: skip
    titles = {"round": "ラウンド", "category": "カテゴリ", "n": "回答数", "teams": "回答したチーム",
              "items": "平均した項目", "step": "同じチーム・項目での変化"}  # fmt: skip
    spec = charts.trend_lines(data, "現状レベル", titles=titles, rounds=["R1", "R2", "R3"]).to_dict(validate=True)
    lines, points = spec["layer"]
    assert lines["encoding"]["x"]["scale"]["domain"] == ["R1", "R2", "R3"]
    assert lines["encoding"]["strokeDash"]["scale"] == {"domain": ["solid", "dashed"], "range": [[1, 0], [6, 4]]}
    assert [t["title"] for t in points["encoding"]["tooltip"]][3:] == [
        "回答したチーム",
        "平均した項目",
        "回答数",
        "同じチーム・項目での変化",
    ]
    steps = [r for r in spec["datasets"][spec["data"]["name"]] if r["part"] == "step"]
    assert [(r["category"], r["round"], r["dash"]) for r in steps] == [
        ("監視", "R1", "dashed"),
        ("監視", "R3", "dashed"),
        ("SLO", "R1", "solid"),
        ("SLO", "R3", "solid"),
    ]


def test_category_bars_name_bars_dots_and_target_marks_in_a_legend():
    data = pd.DataFrame(
        {"category": ["監視", "SLO"], "position": [0, 1], "team_level": [2.0, 1.0], "target": [3.0, 3.0],
         "org_median": [2.5, 2.0], "sre_level": [1.0, None]}
    )  # fmt: skip
    titles = {"level": "現状レベル", "target": "目標", "org_median": "組織の中央値", "sre_level": "SRE評価",
              "category": "カテゴリ"}  # fmt: skip
    spec = charts.category_bars(data, lang_titles=titles).to_dict(validate=True)
    legends = [layer["encoding"]["color"] for layer in spec["layer"]]
    assert [c["scale"]["domain"] for c in legends] == [["現状レベル"], ["目標"], ["組織の中央値"], ["SRE評価"]]
    assert all(c["legend"]["title"] is None for c in legends)
    assert spec["resolve"]["legend"]["color"] == "independent"
    # stacked right of the plot: side by side above it, the four Japanese names ran past a 1024 px page
    assert {c["legend"]["orient"] for c in legends} == {"right"}


def test_likert_axis_shows_every_share_label_as_a_positive_share():
    frame = charts.likert_frame(pd.DataFrame({"item": ["A", "B"], "level": [1, 3], "count": [2, 1]}))
    spec = charts.likert_chart(frame, {0: "未着手", 1: "場当たり", 2: "a", 3: "b", 4: "c"}, "割合",
                               item_title="項目", level_title="現状レベル").to_dict(validate=True)  # fmt: skip
    axis = spec["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False and len(axis["values"]) <= 9 and "abs(" in axis["labelExpr"]
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["項目", "現状レベル", "割合"]


def test_a_cell_without_a_value_is_drawn_grey_not_dropped():
    spec = heatmap_spec("perception_gap", cells("perception_gap", values=(None, None, None)))
    rect = spec["layer"][0]
    assert rect["mark"]["invalid"] == "show"  # Vega-Lite's default drops cells without a value
    assert rect["encoding"]["color"]["value"] == charts.NO_DATA_COLOUR
    assert spec["config"]["scale"]["invalid"]["color"] == {"value": charts.NO_DATA_COLOUR}
