"""The heatmap page under AppTest: its controls live in the URL by key, so a view can be shared."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = ROOT / "tests" / "data" / "imports"


def open_heatmap(query: dict[str, str]) -> AppTest:
    """The heatmap opened from a URL with `query`: the page chosen and the parameters set before the first run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/heatmap.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def spec(at: AppTest) -> dict:
    return json.loads(at.get("vega_lite_chart")[0].proto.spec)


def sent(at: AppTest, n: int = 0):
    """The Arrow table the page sent with its `n`th chart: what the browser receives."""
    import pyarrow as pa

    proto = at.get("vega_lite_chart")[n].proto
    (dataset,) = [d.data.data for d in proto.datasets] or [proto.data.data]
    return pa.ipc.open_stream(dataset).read_all()


def rows_drawn(at: AppTest, n: int = 0) -> list[str]:
    """The heatmap's rows top first, from the cells the page sent with the chart (the spec sorts by their rank)."""
    from opmaturity import charts

    proto = at.get("vega_lite_chart")[n].proto
    assert json.loads(proto.spec)["layer"][0]["encoding"]["y"]["sort"]["field"] == charts.ROW_RANK
    return charts.drawn_rows(sent(at, n).to_pandas())


def url(at: AppTest) -> dict[str, str]:
    return {key: at.query_params[key] for key in ("metric", "rater", "rows", "columns", "sort")}


def test_a_shared_link_opens_the_heatmap_it_names(demo_db):
    at = open_heatmap({"metric": "gap", "rater": "sre", "rows": "product", "columns": "item", "lang": "English"})
    assert not at.exception
    assert at.selectbox(key="metric").value == "gap"
    assert [at.segmented_control(key=k).value for k in ("rater", "rows", "columns")] == ["sre", "product", "item"]
    layer = spec(at)["layer"][0]["encoding"]
    assert layer["color"]["condition"]["field"] == "gap"
    assert layer["y"]["title"] == "Products" and layer["x"]["title"] == "Items"


def test_the_url_carries_each_control_by_key_not_by_label(demo_db):
    at = open_heatmap({})  # Japanese: AppTest formats pick-list values outside the session
    assert url(at) == {"metric": "level", "rater": "team", "rows": "team", "columns": "category", "sort": "name"}
    at.selectbox(key="metric").set_value("perception_gap").run()
    at.segmented_control(key="columns").set_value("item").run()
    at.toggle(key="sort").set_value(True).run()
    assert not at.exception
    assert url(at) == {"metric": "perception_gap", "rater": "team", "rows": "team", "columns": "item", "sort": "value"}


def test_unknown_values_in_the_url_open_the_default_view(demo_db):
    at = open_heatmap({"metric": "DROP TABLE answers", "rater": "boss", "rows": "", "columns": "Items"})
    assert not at.exception
    assert at.selectbox(key="metric").value == "level"
    assert [at.segmented_control(key=k).value for k in ("rater", "rows", "columns")] == ["team", "team", "category"]
    assert url(at)["metric"] == "level"


def test_sorting_by_value_is_shared_too_and_keeps_every_row(demo_db):
    at = open_heatmap({"metric": "gap", "sort": "value"})
    assert at.toggle(key="sort").value is True
    by_value = rows_drawn(at)
    at.toggle(key="sort").set_value(False).run()
    by_name = rows_drawn(at)
    assert sorted(by_value) == sorted(by_name) and by_value != by_name
    assert by_name == sorted(by_name, key=lambda row: (row.split(" / ")[0], row))


def test_rows_keep_their_order_when_the_metric_changes(demo_db):
    at = open_heatmap({})
    before = rows_drawn(at)
    for metric in ("gap", "change", "perception_gap"):
        at.selectbox(key="metric").set_value(metric).run()
        assert rows_drawn(at) == before, metric
    assert len(before) == 17


def _parent(node, target):
    """The block that holds `target` directly (None when it is not under `node`)."""
    for child in getattr(node, "children", {}).values():
        if child is target:
            return node
        found = _parent(child, target)
        if found is not None:
            return found
    return None


def test_the_three_view_controls_share_one_row_that_wraps_rather_than_cutting_them(demo_db):
    # In thirds of a 1024 px page, チーム自己評価 | SRE評価 was cut short; each control now takes its own width.
    at = open_heatmap({})
    controls = [at.segmented_control(key=k) for k in ("rater", "rows", "columns")]
    (row,) = {id(_parent(at._tree, c)): _parent(at._tree, c) for c in controls}.values()
    flex = row.proto.flex_container
    assert (flex.direction, flex.wrap) == (type(flex).Direction.HORIZONTAL, True)


def test_the_browser_gets_only_the_fields_the_heatmap_reads_and_each_text_once(demo_db):
    import pyarrow as pa

    at = open_heatmap({"metric": "gap", "lang": "English"})
    table = sent(at)
    assert sorted(table.column_names) == sorted(["gap", "row", "column", "row_rank", "label", "value_text", "n",
                                                 "respondents", "status_text", "product", "team", "key"])  # fmt: skip
    texts = ["row", "column", "label", "value_text", "status_text", "product", "team", "key"]
    assert all(pa.types.is_dictionary(table.schema.field(name).type) for name in texts)
    assert table.num_rows == 17 * 12


def test_the_perception_matrix_leaves_out_the_teams_without_both_assessments_and_says_how_many(demo_db):
    from opmaturity import metrics, store, views

    con = store.connect(demo_db)
    cells = metrics.heatmap(con, None, metric="perception_gap", rater="sre", rows="team", columns="category")
    con.close()
    unrated = {f"{p} / {t}" for (p, t), v in cells.groupby(["product", "team"])["value"] if v.isna().all()}
    assert len(unrated) == 2  # the demo's SRE did not assess two teams
    assert views.rows_with_values(cells)[1] == 2
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/gaps.py")
    at.query_params["lang"] = "English"
    at.run()
    drawn = rows_drawn(at, 1)
    assert len(drawn) == 15 and not unrated & set(drawn)
    assert any("2 teams without both a self-assessment and an SRE assessment" in c.value for c in at.caption)


def test_the_answer_count_under_the_heatmap_is_grouped_in_thousands(demo_db):
    at = open_heatmap({"lang": "English"})
    (said,) = [c.value for c in at.caption if c.value.startswith("Answers behind this view")]
    assert said == "Answers behind this view: 2,318"  # the demo's team answers of its latest round


def test_a_heatmap_is_built_once_for_every_session_and_again_when_the_data_or_the_language_changes(
    demo_db, monkeypatch
):
    """ui.derived: the cells of a heatmap are labelled once per data revision and language, and every session
    reads the same picture (labelling 12,000 cells for each visit was two thirds of the page's script)."""
    from opmaturity import charts, importer, store
    from opmaturity.model import load_model

    built: list[str] = []
    heatmap_frame = charts.heatmap_frame
    monkeypatch.setattr(charts, "heatmap_frame", lambda data, metric, *a, **kw: built.append(metric) or
                        heatmap_frame(data, metric, *a, **kw))  # fmt: skip
    first = open_heatmap({"lang": "English"})
    second = open_heatmap({"lang": "English"})
    assert not second.exception and built == ["level"]  # the second visit drew the cells the first one labelled
    assert sent(second).equals(sent(first))
    assert "学び放題 / 007" not in rows_drawn(first)

    con = store.connect(demo_db)
    try:
        report = importer.import_file(con, "tidy.csv", (IMPORTS / "tidy.csv").read_bytes(), load_model(),
                                      importer.ImportOptions(round="2026-H1"))  # fmt: skip
    finally:
        con.close()
    assert report.status == "imported", report.problems
    after = open_heatmap({"lang": "English"})
    assert built == ["level", "level"] and "学び放題 / 007" in rows_drawn(after)  # the new team, drawn

    japanese = open_heatmap({})
    assert built == ["level", "level", "level"]
    tooltip = {t["field"]: t["title"] for t in spec(japanese)["layer"][0]["encoding"]["tooltip"]}
    assert tooltip["n"] == "回答数" and tooltip["row"] == "チーム"
    assert spec(after)["layer"][0]["encoding"]["tooltip"][3]["title"] == "Answers"


def test_the_figures_of_one_revision_are_never_kept_under_another(demo_db, monkeypatch):
    """While another program holds a file it has just imported into, the page shows the picture of the data read
    last and says so; once the file is free, the picture of the new data (not the old one kept under the new
    revision)."""
    import subprocess
    import sys

    monkeypatch.setenv("OPMATURITY_PAGE_WAIT", "0.2")
    assert "学び放題 / 007" not in rows_drawn(open_heatmap({"lang": "English"}))
    importing = (
        "import sys, time; from pathlib import Path; from opmaturity import importer, store;"
        " from opmaturity.model import load_model; con = store.connect(sys.argv[1]);"
        " r = importer.import_file(con, 'tidy.csv', Path(sys.argv[2]).read_bytes(), load_model(),"
        " importer.ImportOptions(round='2026-H1')); print(r.status, flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", importing, str(demo_db), str(IMPORTS / "tidy.csv")],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "imported"
        held = open_heatmap({"lang": "English"})
        assert not held.exception and not held.error
        assert "学び放題 / 007" not in rows_drawn(held)
        assert held.toast[0].value.startswith("Another program is writing to the database")
    finally:
        holder.kill()
        holder.wait()
    assert "学び放題 / 007" in rows_drawn(open_heatmap({"lang": "English"}))
