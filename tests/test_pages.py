"""Every page under AppTest against a temporary DuckDB file: no exception, and one behaviour each."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from opmaturity import importer, store, ui

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = ROOT / "tests" / "data" / "imports"
PAGES = ["overview", "heatmap", "team", "gaps", "trends", "feedback", "import_page", "model_page"]


# Pages the router lists only once sign-in has run: AppTest finds them after a first run (in a browser, a first
# visit to their address opens them).
MANAGE = {"import_page", "model_page", "backup_page"}


def open_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    """The app opened on `page` with the URL's query parameters, as a shared link opens it: the page chosen
    before the first run (landing on the Overview first cost every test a run of it), except a Manage page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if page in MANAGE:
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
    at.switch_page(f"app_pages/{page}.py")  # it clears the query parameters
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def texts(at: AppTest) -> str:
    """The page's text as markdown source, user text unescaped (`form\\.csv` reads `form.csv`)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [s.value for s in at.subheader] + [e.value for e in at.error] + [s.value for s in at.success]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return unescaped("\n".join(str(p) for p in parts))


def unescaped(markdown: str) -> str:
    """Markdown source with backslash escapes removed: the text a reader sees."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def table(at: AppTest, n: int = 0):
    return at.dataframe[n].value


def table_with(at: AppTest, column: str):
    """The first table on the page that has `column`."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo_without_an_exception(demo_db, page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert not at.error


@pytest.mark.parametrize("page", ["overview", "heatmap", "team", "gaps", "trends", "feedback", "model_page"])
def test_every_explore_page_runs_on_an_empty_database(tmp_path, monkeypatch, page):
    monkeypatch.setenv("OPMATURITY_DB", str(tmp_path / "empty.duckdb"))
    at = open_page(page)
    assert not at.exception, at.exception


def test_the_empty_dashboard_offers_the_demo_and_one_click_loads_it(tmp_path, monkeypatch):
    db = tmp_path / "empty.duckdb"
    monkeypatch.setenv("OPMATURITY_DB", str(db))
    at = open_page("overview")
    assert at.button(key="load_demo")
    at.button(key="load_demo").click().run()
    assert not at.exception
    assert at.metric[0].value == "17 / 17"
    assert [m.value for m in at.metric[1:4]] == ["80", "2,866", "27"]  # counts with thousands separators
    assert open_page("model_page").selectbox(key="round").options == ["2026-H1", "2025-H2"]


def test_overview_says_what_stands_out_with_links(demo_db):
    at = open_page("overview", {"lang": "English"})
    sentences = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert len(sentences) == 6
    assert any("Masked production data for QA" in s for s in sentences)
    assert any("shared platform" in s for s in sentences)


def test_heatmap_metric_switch_changes_the_encoded_field(demo_db):
    at = open_page("heatmap")
    assert specs(at)[0]["layer"][0]["encoding"]["color"]["condition"]["field"] == "level"
    at.selectbox(key="metric").set_value("perception_gap").run()
    encoding = specs(at)[0]["layer"][0]["encoding"]["color"]["condition"]
    assert encoding["field"] == "perception_gap"
    assert encoding["scale"]["domainMid"] == 0


def test_heatmap_disagreement_hides_cells_with_fewer_than_k_answers(demo_db):
    at = open_page("heatmap")
    at.selectbox(key="metric").set_value("disagreement").run()
    at.segmented_control(key="rows").set_value("product").run()
    at.segmented_control(key="columns").set_value("item").run()
    spec = specs(at)[0]
    assert spec["layer"][0]["encoding"]["color"]["condition"]["field"] == "disagreement"
    assert not at.exception


def test_heatmap_titles_follow_the_language_switch(demo_db):
    assert "監視・アラート" in specs(open_page("heatmap"))[0]["layer"][0]["encoding"]["x"]["sort"]
    at = open_page("heatmap", {"lang": "English"})
    assert "Monitoring & alerting" in specs(at)[0]["layer"][0]["encoding"]["x"]["sort"]
    assert at.title[0].value == "Org heatmap"


def test_the_language_switch_changes_titles_on_the_model_page(demo_db):
    at = open_page("model_page")
    assert at.expander[0].label == "OBS · 監視・アラート (5)"
    at.segmented_control(key="lang").set_value("English").run()
    assert at.expander[0].label == "OBS · Monitoring & alerting (5)"


def test_a_category_box_on_the_model_page_shows_its_items_when_opened(demo_db, model):
    at = open_page("model_page")
    tables = len(at.dataframe)
    at.session_state["items_INC"] = True  # a box opened in the browser: the page reruns
    at.run()
    assert not at.exception and len(at.dataframe) == tables + 1
    [opened] = [box for box in at.expander if box.label.startswith("INC · ")]
    assert [len(box.children) for box in at.expander].count(0) == 11
    items = opened.dataframe[0].value
    assert items.iloc[:, 0].tolist() == [i.key for i in model.category("INC").items]
    at.session_state["items_INC"] = False  # closed again: gone
    at.run()
    assert len(at.dataframe) == tables


def test_a_heatmap_click_opens_the_team_page_for_that_cell(demo_db):
    at = open_page("heatmap")
    at.session_state["heatmap"] = {
        "selection": {"cell": [{"product": "Shop Connect", "team": "Storefront", "key": "TST"}]}
    }
    at.run()
    assert not at.exception
    assert at.selectbox(key="product").value == "Shop Connect"
    assert at.selectbox(key="team").value == "Storefront"
    assert at.title[0].value == "チーム"


def test_team_page_arrives_by_url_and_ranks_items_by_priority(demo_db):
    at = open_page("team", {"product": "Shop Connect", "team": "Storefront", "lang": "English"})
    assert at.selectbox(key="team").value == "Storefront"
    items = table(at, 0)
    assert items.iloc[0]["Item"] == "Masked production data for QA"
    priorities = items["Priority"].dropna().tolist()
    assert priorities == sorted(priorities, reverse=True)


def test_team_page_shows_where_the_team_and_sre_disagree(demo_db):
    at = open_page("team", {"product": "会員ID", "team": "認証", "lang": "English"})
    perception = table(at, 1)
    assert perception.iloc[0]["Perception gap (SRE − team)"] >= 1.5
    assert "Structured, searchable logs" in perception["Item"].head(3).tolist()


def test_gaps_page_ranks_org_weak_items_first(demo_db):
    at = open_page("gaps", {"lang": "English"})
    weak = table(at, 0)
    assert weak.iloc[0]["Item"] in {"Per-URL maintenance mode", "Masked production data for QA"}
    assert len(specs(at)) == 2  # the Likert chart and the perception-gap matrix


def test_trends_page_narrows_to_a_product(demo_db):
    at = open_page("trends")
    assert not table(at, 0).empty
    at.selectbox(key="product").set_value("学び放題").run()
    assert at.selectbox(key="team").options[1:] == ["Mobile App", "動画配信", "検索チーム", "決済"]


def test_feedback_search_finds_notes_in_either_width(demo_db):
    at = open_page("feedback", {"lang": "English"})
    assert "27 notes" in texts(at)
    at.text_input(key="q").set_value("マスク").run()
    assert "2 notes" in texts(at)
    at.text_input(key="q").set_value("ﾏｽｸ").run()
    assert "2 notes" in texts(at)
    at.session_state["relink"] = True  # the relink box opened: the editor lists the same notes
    at.run()
    assert all("マスク" in text for text in at.data_editor[0].value["text"])


def test_remembered_header_mappings_are_made_only_when_their_box_opens(demo_db):
    con = store.connect(demo_db)
    try:
        store.remember_mapping(con, "監視の見出し", "OBS-1")
        store.remember_mapping(con, "所属部署", "product")
    finally:
        con.close()
    at = open_page("import_page", {"lang": "English"})
    [box] = [e for e in at.expander if e.label == "Remembered header mappings (2)"]
    assert not box.children  # closed: nothing made
    at.session_state["imp_remembered"] = True
    at.run()
    [box] = [e for e in at.expander if e.label == "Remembered header mappings (2)"]
    listed = box.dataframe[0].value
    assert sorted(listed.iloc[:, 0]) == ["所属部署", "監視の見出し"]  # forgetting one: the mapping-step test
    assert [w.key for w in box.multiselect] == ["imp_forget"]


def test_import_previews_then_imports_then_undoes_a_tidy_file(demo_db):
    at = open_page("import_page", {"lang": "English"})
    data = (IMPORTS / "tidy.csv").read_bytes()
    at.file_uploader(key="uploads").upload("tidy.csv", data, "text/csv").run()
    assert "Detected layout: Tidy table" in texts(at)
    at.button(key="imp_run").click().run()
    assert not at.exception
    assert any("Imported" in s.value for s in at.success)
    history = table_with(at, "File")  # the import history (the change log follows it)
    assert history.iloc[0]["File"] == "tidy.csv"
    at.selectbox(key="imp_undo_pick").set_value(int(history.iloc[0]["#"])).run()
    assert at.button(key="imp_undo").disabled  # not before the person confirms what goes
    assert f"import #{history.iloc[0]['#']} (tidy.csv) takes away its 4 answers" in unescaped(at.warning[-1].value)
    at.checkbox(key="imp_undo_confirm").check().run()
    at.button(key="imp_undo").click().run()
    assert "was undone" in texts(at)
    assert "already been undone" not in texts(at)  # undone here, not "elsewhere" (an outside review saw both)
    picker = at.selectbox(key="imp_undo_pick")
    assert picker.value is None and picker.proto.set_value and not picker.proto.HasField("raw_value")  # shown empty
    assert table_with(at, "File").iloc[0]["Status"] == "Undone"
    # The history is labelled once per data change and language (ui.shown): the other language labels it afresh,
    # and coming back reads the same words as before.
    at.segmented_control(key="lang").set_value("日本語").run()
    assert table_with(at, "ファイル").iloc[0][["ファイル", "状態"]].tolist() == ["tidy.csv", "取り消し済み"]
    at.segmented_control(key="lang").set_value("English").run()
    assert table_with(at, "File").iloc[0][["File", "Status"]].tolist() == ["tidy.csv", "Undone"]


def test_the_import_history_goes_to_the_browser_without_being_converted_again_on_a_rerun(demo_db, monkeypatch):
    from streamlit import dataframe_util

    at = open_page("import_page", {"lang": "English"})
    converted = []
    original = dataframe_util.convert_pandas_df_to_arrow_table

    def counting(df, **kwargs):
        converted.append(list(df.columns))
        return original(df, **kwargs)

    monkeypatch.setattr(dataframe_util, "convert_pandas_df_to_arrow_table", counting)
    at.run()
    assert not at.exception
    assert len(table_with(at, "File"))  # shown, from the Arrow table made once per data change (ui.shown)
    assert converted == []  # no table of the page converted from pandas on this run


@pytest.mark.parametrize(("page", "lang", "counts"), [
    ("import_page", "English", ["#", "Answers", "Workshop notes", "Answers replaced"]),
    ("import_page", "日本語", ["番号", "回答", "ワークショップメモ", "置き換えた回答"]),
    ("overview", "English", ["#", "Answers", "Workshop notes", "Answers replaced"]),
])  # fmt: skip
def test_the_imports_counts_have_thousands_separators_and_their_numbers_none(demo_db, page, lang, counts):
    at = open_page(page, {"lang": lang})
    number, *counted = counts
    shown = next(df for df in at.dataframe if counted[0] in df.value.columns and number in df.value.columns)
    config = json.loads(shown.proto.columns)
    assert {name: config[name]["type_config"]["format"] for name in counts} == {number: "%d"} | dict.fromkeys(
        counted, "localized"
    )
    assert shown.value[counted[0]].max() >= 2_200  # the demo's survey files: 2,200 and 2,318 answers


def test_every_count_in_a_table_has_thousands_separators(demo_db):
    at = open_page("overview", {"lang": "English"})
    coverage = next(df for df in at.dataframe if "Teams answered" in df.value.columns)
    config = json.loads(coverage.proto.columns)
    assert {name: config[name]["type_config"]["format"] for name in ("Team (self)", "SRE", "Answers")} == {
        "Team (self)": "localized", "SRE": "localized", "Answers": "localized"
    }  # fmt: skip


def test_an_import_undone_elsewhere_meanwhile_is_said_when_the_page_is_used_again(demo_db, model):
    at = open_page("import_page", {"lang": "English"})
    picked = int(table_with(at, "File").iloc[0]["#"])
    at.selectbox(key="imp_undo_pick").set_value(picked).run()
    at.checkbox(key="imp_undo_confirm").check().run()
    con = store.connect(demo_db, model)  # the command line's `imports undo`, while the page waits for the click
    try:
        store.undo_import(con, picked)
    finally:
        con.close()
    at.button(key="imp_undo").click().run()
    assert not at.exception and not at.error
    assert f"Import #{picked} has already been undone (from the command line or another page)." in texts(at)
    assert at.selectbox(key="imp_undo_pick").value is None


def test_an_undo_pick_the_browser_sends_as_a_label_of_the_other_language_is_no_import_and_no_error(demo_db):
    """A browser that kept the picker's empty label from before a language switch sends it back as the value (seen:
    ValueError: invalid literal for int() with base 10: '取り消す取り込みを選ぶ')."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "English"
    at.run()
    at.switch_page("app_pages/import_page.py")
    at.query_params["lang"] = "English"
    at.session_state["imp_undo_pick"] = "取り消す取り込みを選ぶ"  # as the page reads it before the picker is drawn
    at.run()
    assert not at.exception and not at.error
    assert "already been undone" not in texts(at)
    assert at.selectbox(key="imp_undo_pick").value is None


def test_a_file_refused_before_its_layout_is_known_shows_no_layout_and_no_none(demo_db):
    at = open_page("import_page", {"lang": "English"})
    at.file_uploader(key="uploads").upload("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "text/csv").run()
    assert not at.exception
    assert "Detected layout" not in texts(at)  # never "Detected layout: ?"
    problems = table_with(at, "What to fix")
    assert problems["Row"].isna().all()  # no Excel row: the cell shows the placeholder, never "None"
    assert [f.proto.placeholder for f in at.dataframe if "What to fix" in f.value.columns] == ["—"]


def test_import_refuses_a_bad_file_with_every_problem_and_writes_nothing(demo_db):
    at = open_page("import_page", {"lang": "English"})
    revision = _revision(demo_db)
    at.file_uploader(key="uploads").upload("out_of_range.csv", (IMPORTS / "out_of_range.csv").read_bytes()).run()
    assert "was refused" in texts(at)
    problems = table(at, 0)
    assert "7" in problems["Value"].tolist()
    assert at.button(key="imp_run").disabled
    assert _revision(demo_db) == revision


def _revision(path: Path) -> int:
    """The store's data revision, read while the dashboard's connection is open in this process."""
    con = store.connect(path)
    try:
        return store.revision(con)
    finally:
        con.close()


def test_model_page_lists_every_category_and_sets_a_target(demo_db):
    at = open_page("model_page", {"lang": "English"})
    assert len(at.expander) == 12
    assert [len(box.children) for box in at.expander] == [0] * 12  # closed boxes: no table made or sent
    scope = at.selectbox(key="target_scope")
    scope.select_index(scope.options.index("Product 会員ID"))
    item = at.selectbox(key="target_item")
    item.select_index(item.options.index("SEC-2 Access management"))
    at.select_slider(key="target_level").set_value(4)
    at.get("form")[0]  # the target form
    [b for b in at.button if b.label == "Set a target"][0].click().run()
    assert "Target saved." in texts(at)
    targets = table_with(at, "Applies to")
    assert targets.columns.tolist() == ["Applies to", "Item", "Target"]
    assert ["Product 会員ID", "SEC-2 Access management", 4] in targets.values.tolist()
    assert ["Tier T1", "(all items)", 3] in targets.values.tolist()


UNKNOWN_HEADER_FORM = (
    '"タイムスタンプ","メールアドレス","プロダクト","チーム","回答者ロール",'
    '"現状レベル [サービスダッシュボード]","現状レベル [障害対応の訓練]","SREとの連携の満足度"\r\n'
    '"2024/01/07 7:41:40 午後 GMT+9","a@example.com","学び放題","検索チーム","開発","3","2","4"\r\n'
    '"2024/01/08 9:00:00 午前 GMT+9","b@example.com","学び放題","検索チーム","開発","2","1","5"\r\n'
).encode()


def test_the_mapping_step_maps_an_unknown_header_and_ignores_a_non_question(demo_db):
    # In Japanese: AppTest formats a pick list's value outside the session, where the UI language is ja.
    def role_boxes():
        return {unescaped(s.label): s for s in at.selectbox if s.key and s.key.startswith("imp_map_")}

    at = open_page("import_page")
    at.file_uploader(key="uploads").upload("form.csv", UNKNOWN_HEADER_FORM, "text/csv").run()
    assert "form.csv は取り込めませんでした" in texts(at)
    boxes = role_boxes()
    assert sorted(boxes) == ["SREとの連携の満足度", "現状レベル [障害対応の訓練]"]
    boxes["現状レベル [障害対応の訓練]"].set_value("level").run()
    item = at.selectbox(key=ui.widget_key("imp_mapkey", "現状レベル [障害対応の訓練]"))
    item.set_value("INC-2").run()
    role_boxes()["SREとの連携の満足度"].set_value("ignore").run()
    assert "取り込めませんでした" not in texts(at)
    assert "form.csv: 取り込み可能（試行）" in texts(at)
    # the choices stay listed, so a person can change them before importing
    assert {label: box.value for label, box in role_boxes().items()} == {
        "現状レベル [障害対応の訓練]": "level", "SREとの連携の満足度": "ignore"}  # fmt: skip
    at.button(key="imp_run").click().run()
    assert any("form.csv: 取り込み済み" in unescaped(s.value) for s in at.success)
    remembered = store.header_mappings(_read(demo_db))
    assert remembered["sreとの連携の満足度"] == "-"
    assert "INC-2" in remembered.values()


def _read(path: Path):
    """A short-lived connection to the test database (the dashboard's one is in this process too)."""
    return store.connect(path)


def _in_order(node, found: list | None = None) -> list:
    """Every element and block under `node`, in the order the page shows them."""
    found = [] if found is None else found
    for child in getattr(node, "children", {}).values():
        found.append(child)
        _in_order(child, found)
    return found


def _deferred(monkeypatch) -> dict[str, object]:
    """File name -> the callable a download button builds its file with when clicked (AppTest clicks none)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    builders: dict[str, object] = {}

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **_):
        builders[file_name] = data_callable
        return f"deferred-{len(builders)}"

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return builders


def test_team_page_offers_the_hearing_sheet_first_then_the_data_for_that_team(demo_db, monkeypatch):
    builders = _deferred(monkeypatch)
    at = open_page("team", {"product": "会員ID", "team": "認証", "lang": "English"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the hearing sheet (Excel)", "Download the hearing sheet (printable HTML)",
                      "Download the data as CSV", "Assessment workbook (Excel)"]  # fmt: skip
    assert not at.exception
    # the hearing sheet's buttons come before anything of the team's figures
    kinds = [getattr(n, "type", None) for n in _in_order(at.main)]
    assert kinds.index("download_button") < kinds.index("subheader") < kinds.index("dataframe")
    page = builders["hearing-会員ID-認証-2026-H1.html"]().decode("utf-8")
    assert "<title>Hearing sheet — 会員ID / 認証</title>" in page and "<script" not in page
    book = load_workbook(io.BytesIO(builders["hearing-会員ID-認証-2026-H1.xlsx"]()))
    assert book.sheetnames[:2] == ["Overview", "Agenda"]


def test_the_overview_offers_the_rounds_report_in_the_language_shown(demo_db, monkeypatch):
    builders = _deferred(monkeypatch)
    at = open_page("overview", {"lang": "English"})
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["Round report (Excel)"]
    book = load_workbook(io.BytesIO(builders["report-2026-H1-en.xlsx"]()))
    assert book.sheetnames[0] == "Heatmap (level)" and book.sheetnames[-1] == "Answers (pseudonymised)"
    at = open_page("overview", {"round": "2025-H2"})
    book = load_workbook(io.BytesIO(builders["report-2025-H2-ja.xlsx"]()))
    header, first = list(book["回答（仮名化済み）"].iter_rows(max_row=2, values_only=True))
    assert header[0] == "ラウンド" and first[0] == "2025-H2"


def test_team_page_says_what_the_items_of_finished_actions_did_since(demo_db):
    at = open_page("team", {"product": "学び放題", "team": "検索チーム", "lang": "English"})
    editor = at.get("arrow_data_frame") or at.dataframe
    actions = next(df.value for df in editor if "moved" in df.value.columns)
    # 1.00 -> 2.25 moved 1.25: halves up (it read +1.2 when halves went to even)
    assert actions.set_index("title").loc["DatadogとSentryの役割分担とオーナーを文書化する", "moved"] == "↑ +1.3"


def test_team_page_says_when_a_team_did_not_answer_in_the_chosen_round(demo_db):
    at = open_page("team", {"product": "Partner Hub", "team": "Data Pipeline", "round": "2025-H2", "lang": "English"})
    assert at.selectbox(key="round").value == "2025-H2"
    assert [w.value for w in at.warning] == ["This team has not answered in this round."]
    assert not at.exception


def test_settings_for_one_file_apply_to_that_file_only(demo_db):
    at = open_page("import_page", {"lang": "English"})
    uploader = at.file_uploader(key="uploads")
    uploader.set_value(
        [("miro_board.csv", (IMPORTS / "miro_board.csv").read_bytes(), "text/csv"),
         ("miro_flat.csv", (IMPORTS / "miro_flat.csv").read_bytes(), "text/csv")]
    ).run()  # fmt: skip
    keys = [t.key for t in at.text_input if t.key and t.key.startswith("imp_file_") and t.key.endswith("_product")]
    assert len(keys) == 2
    board = keys[0].removesuffix("_product")
    at.text_input(key=f"{board}_product").input("学び放題")
    at.text_input(key=f"{board}_team").input("検索チーム").run()
    at.button(key="imp_run").click().run()
    assert not at.exception
    stored = store.rows(
        _read(demo_db),
        """SELECT i.file_name, p.name, t.name, count(*) FROM notes n JOIN imports i USING (import_id)
           LEFT JOIN products p ON p.product_id = n.product_id LEFT JOIN teams t ON t.team_id = n.team_id
           WHERE i.file_name LIKE 'miro_%' GROUP BY ALL ORDER BY ALL""",
    )
    assert [row[:3] for row in stored] == [("miro_board.csv", "学び放題", "検索チーム"), ("miro_flat.csv", None, None)]


def test_the_pseudonym_key_can_come_from_streamlit_secrets(tmp_path, monkeypatch):
    from opmaturity.pseudonym import pseudonym

    monkeypatch.delenv("OPMATURITY_SECRET")
    monkeypatch.setenv("OPMATURITY_SECRET_FILE", str(tmp_path / "unused.key"))
    db = tmp_path / "secret.duckdb"
    monkeypatch.setenv("OPMATURITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["opmaturity_secret"] = "from-secrets-toml"
    at.run()
    at.switch_page("app_pages/import_page.py")
    at.run()
    at.file_uploader(key="uploads").upload("form.csv", UNKNOWN_HEADER_FORM, "text/csv").run()
    for box in [s for s in at.selectbox if s.key and s.key.startswith("imp_map_")]:
        at.session_state[box.key] = "level" if "障害" in box.label else "ignore"
    at.run()
    at.session_state[ui.widget_key("imp_mapkey", "現状レベル [障害対応の訓練]")] = "INC-2"
    at.run()
    at.button(key="imp_run").click().run()
    respondents = {r for (r,) in store.rows(_read(db), "SELECT DISTINCT respondent FROM responses")}
    assert respondents == {
        pseudonym("a@example.com", b"from-secrets-toml"),
        pseudonym("b@example.com", b"from-secrets-toml"),
    }
    assert not (tmp_path / "unused.key").exists()
    assert "OPMATURITY_SECRET" not in os.environ  # the dashboard keeps its secret out of the environment


def test_heatmap_products_expand_to_their_teams(demo_db):
    at = open_page("heatmap")  # Japanese: AppTest formats pick-list values outside the session
    at.segmented_control(key="rows").set_value("product").run()
    rows = specs(at)[0]["layer"][0]["encoding"]["y"]
    assert not at.exception
    at.multiselect(key="expand").set_value(["会員ID"]).run()
    labels = {row["row"] for row in _chart_rows(at)}
    assert {"会員ID", "会員ID / 認証", "会員ID / Member API", "学び放題"} <= labels
    assert "学び放題 / 決済" not in labels
    assert rows["title"] == "プロダクト"


def _chart_rows(at: AppTest) -> list[dict]:
    """The rows of data behind the first chart (Arrow IPC: an Altair chart's datasets, or the frame given with a
    spec)."""
    import pyarrow as pa

    proto = at.get("vega_lite_chart")[0].proto
    (dataset,) = [d.data.data for d in proto.datasets] or [proto.data.data]
    table = pa.ipc.open_stream(dataset).read_all()
    return table.to_pylist()


def test_another_programs_duckdb_is_an_error_box_and_is_left_as_it_was(tmp_path, monkeypatch):
    import duckdb

    db = tmp_path / "analytics.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE responses (x INTEGER)")
    con.close()
    monkeypatch.setenv("OPMATURITY_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert unescaped(at.error[0].value).startswith("このファイルは opmaturity のデータベースではありません")
    con = duckdb.connect(str(db))
    try:
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("responses",)]
    finally:
        con.close()


def test_a_database_held_by_another_program_is_an_error_box_not_a_traceback(tmp_path, monkeypatch):
    import subprocess
    import sys

    db = tmp_path / "held.duckdb"
    monkeypatch.setenv("OPMATURITY_DB", str(db))
    hold = f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert not at.exception
        shown = unescaped(at.error[0].value)  # the title quotes a path: escaped, never read as markdown
        assert shown.startswith(f"データベース {db} はほかのプログラム（コマンドラインでの取り込みなど）が使用中")
        advice = [unescaped(m.value) for m in at.markdown if m.value.startswith("- ")]
        assert advice[0].startswith("- そのプログラムが終わるのを待ってから")  # a sentence: no file or cell to name
    finally:
        holder.kill()


def test_the_overviews_figures_sit_side_by_side_and_wrap_rather_than_cut_their_labels(demo_db):
    """In fifths of a 1024 px page ワークショップメモ and 未完了のアクション read "ワークショッ…": the five figures
    sit in one row that wraps, each as wide as it needs."""
    at = open_page("overview")

    def holding_metrics(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "metric":
                return node
            if (found := holding_metrics(child)) is not None:
                return found
        return None

    row = holding_metrics(at.main)
    assert len([c for c in row.children.values() if getattr(c, "type", None) == "metric"]) == 5
    assert row.proto.flex_container.direction == row.proto.flex_container.HORIZONTAL
    assert row.proto.flex_container.wrap


def test_the_feedback_filters_sit_in_two_rows_wide_enough_for_their_values(demo_db):
    """Five filters in one row cut "（すべて）" to "（すべて" at 1024 px: product, team and the item (long titles) in
    one row, the board's group and tag in the next."""
    at = open_page("feedback")
    rows = [[box.key for box in column.selectbox] for column in at.columns]
    assert [key for row in rows for key in row] == ["product", "team", "item", "group", "tag"]
    assert [c.proto.weight for c in at.columns] == pytest.approx([0.25, 0.25, 0.5, 0.5, 0.5])


def test_a_person_relinks_a_note_to_another_item_on_the_feedback_page(demo_db):
    at = open_page("feedback")
    assert not at.get("data_editor")  # closed, the editor is not made (each run would build every note's row)
    at.session_state["relink"] = True  # the box opened: the browser sends its state, and the page reruns
    at.run()
    note = at.data_editor[0].value.iloc[0]
    assert note["item"] != "ORG-1 サービスオーナーの明確化"
    # a data editor has no typed setter in AppTest: its state is the edit, as the browser sends it
    edit = {0: {"item": "ORG-1 サービスオーナーの明確化"}}
    at.session_state["notes_editor"] = {"edited_rows": edit, "added_rows": [], "deleted_rows": []}
    at.run()
    [save] = [b for b in at.button if b.label == "1 件の項目の紐付けを保存"]
    save.click().run()
    assert not at.exception
    assert "1 件の紐付けを保存しました。" in texts(at)
    stored = store.rows(
        _read(demo_db), "SELECT item_key, linked_by FROM notes WHERE note_id = ?", [int(note["note_id"])]
    )
    assert stored == [("ORG-1", "person")]


# --- issue 7: notes as data, readable tables, bookmarks, downloads, empty states ----------------

NASTY_NOTE = (
    "**bold** ![](http://127.0.0.1:9/pixel.png) <img src=x onerror=alert(1)> [link](javascript:alert(1)) $x$ :red[y]"
)
# A Miro item export (content is HTML, so the tag arrives as text only when written as entities).
NASTY_BOARD = (
    b"id,type,parent,content,fillColor,tags\n1,frame,,Problems,,\n"
    b'2,sticky_note,1,"<p>**bold** ![](http://127.0.0.1:9/pixel.png) &lt;img src=x onerror=alert(1)&gt; '
    b'[link](javascript:alert(1)) $x$ :red[y]</p>",yellow,\n'
)


def import_board(path: Path, name: str, board: bytes, product: str | None = "Shop Connect",
                 team: str | None = "Storefront") -> None:  # fmt: skip
    """Import a Miro board CSV (for Shop Connect / Storefront by default) into the latest round."""
    from opmaturity import importer
    from opmaturity.model import load_model

    con = store.connect(path)
    try:
        options = importer.ImportOptions(product=product, team=team)
        report = importer.import_file(con, name, board, load_model(), options)
    finally:
        con.close()
    assert report.status == "imported", report.problems


def test_the_dashboard_opens_on_the_newest_round_with_answers_not_on_a_later_workshop(demo_db):
    """An outside review: a Miro board dated after the last survey made a round of notes only, and the Overview
    opened on it (0 of 17 teams, a heading with nothing under it)."""
    from datetime import date

    from opmaturity import importer
    from opmaturity.model import load_model

    board = ("id,type,parent,content\n1,frame,,課題\n2,sticky_note,1,<p>監視のオーナーが不在</p>\n"
             "3,sticky_note,1,<p>リリース手順が属人化</p>\n").encode()  # fmt: skip
    con = store.connect(demo_db)
    try:
        options = importer.ImportOptions(product="Shop Connect", team="Storefront", round="2026-H2",
                                         round_date=date(2026, 11, 20))  # fmt: skip
        assert importer.import_file(con, "workshop.csv", board, load_model(), options).status == "imported"
    finally:
        con.close()
    at = open_page("overview", {"lang": "English"})
    picker = at.selectbox(key="round")
    assert picker.options == ["2026-H2", "2026-H1", "2025-H2"]  # the workshop's round is there to be chosen
    assert picker.value == "2026-H1"
    assert at.metric[0].value == "17 / 17"  # teams that answered 2026-H1
    assert "What stands out this round" in [h.value for h in at.subheader]
    picker.set_value("2026-H2").run()
    assert not at.exception and at.metric[0].value == "0 / 17" and at.metric[3].value == "2"  # its notes
    assert unescaped(at.info[0].value).startswith('Round "2026-H2" has no answers yet (2 workshop notes on')
    shown = [h.value for h in at.subheader]  # nothing stands out, no silent gap and no category bars to draw
    assert "What stands out this round" not in shown and not at.get("vega_lite_chart")
    assert "Who has answered" in shown  # who has not answered yet is worth seeing
    at = open_page("gaps", {"lang": "English", "round": "2026-H2"})  # it said no item lacked notes: none was weak
    assert [unescaped(i.value)[:40] for i in at.info] == ['Round "2026-H2" has no answers yet: choo']
    assert not at.subheader and not at.dataframe


def test_the_team_page_says_what_an_assumed_importance_is(demo_db, model):
    survey = (
        "プロダクト,チーム,回答者ロール,回答者,項目,現状レベル,重要度\n"
        "学び放題,新チーム,開発,a,外形監視,0,高\n"
        "学び放題,新チーム,開発,a,サービスダッシュボード,0,\n"
    ).encode()
    con = store.connect(demo_db, model)
    try:
        assert importer.import_file(con, "survey.csv", survey, model, importer.ImportOptions()).status == "imported"
    finally:
        con.close()
    at = open_page("team", {"product": "学び放題", "team": "新チーム", "lang": "English"})
    assert table_with(at, "Importance")["Importance"].tolist()[:2] == ["3.00", "2.00 *"]  # then items not answered
    said = [c.value for c in at.caption]
    assert "An importance marked * is assumed medium (2): the team gave none." in said
    # no SRE assessment: the chart's caption names no orange diamonds (an outside review)
    assert any(c.endswith("black dots the org median (no SRE assessment yet).") for c in said)
    at = open_page("team", {"product": "会員ID", "team": "認証", "lang": "English"})  # every importance given
    said = [c.value for c in at.caption]
    assert "An importance marked * is assumed medium (2): the team gave none." not in said
    assert any(c.endswith("orange diamonds SRE's level.") for c in said)


def add_nasty_note(path: Path) -> None:
    """Import a workshop note full of markup for Shop Connect / Storefront into the latest round."""
    import_board(path, "nasty.csv", NASTY_BOARD)


def note_cards(at: AppTest) -> list[str]:
    """The markdown of the note cards (each card is a bordered container: text, then a caption)."""
    return [m.value for m in at.markdown if not m.value.startswith("**")]


def test_a_note_full_of_markup_is_shown_as_typed_on_the_feedback_and_team_pages(demo_db):
    from opmaturity.markup import HIGHLIGHT

    add_nasty_note(demo_db)
    at = open_page("feedback", {"lang": "English", "q": "bold"})
    assert not at.exception
    (card,) = note_cards(at)
    assert unescaped(card) == NASTY_NOTE.replace("bold", f":{HIGHLIGHT}[bold]", 1)
    for markup in ("**", "![](", "[link](", "$x$", ":red[", "http://"):
        assert markup not in card, markup
    # every character that means something to markdown is escaped; only the highlight is markup
    bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", card.replace(f":{HIGHLIGHT}[bold]", ""))
    assert not re.search(r"[!-/:-@\[-`{-~]", bare), bare
    at = open_page("team", {"product": "Shop Connect", "team": "Storefront", "lang": "English"})
    assert [c for c in note_cards(at) if "onerror" in c] == [card.replace(f":{HIGHLIGHT}[bold]", "bold")]


def test_feedback_notes_wrap_in_cards_and_search_hits_are_highlighted(demo_db):
    at = open_page("feedback", {"q": "ﾏｽｸ"})
    cards = note_cards(at)
    assert len(cards) == 2
    assert all(":orange-background[マスク]" in card for card in cards)  # the half-width search marks マスク
    # the whole text is in the card, not cut in a one-line table cell; the relink editor wraps too
    at.session_state["relink"] = True
    at.run()
    texts_ = at.data_editor[0].value["text"].tolist()
    assert sorted(unescaped(c).replace(":orange-background[マスク]", "マスク") for c in cards) == sorted(texts_)
    assert at.data_editor[0].proto.row_height > 64  # Streamlit wraps a cell's text above 4rem


def test_a_very_long_note_is_clipped_on_its_card_with_the_whole_text_one_click_away(demo_db):
    from opmaturity.ui import NOTE_CLIP

    long_text = "ログが足りない。" + "x" * 2000 + " [link](javascript:alert(1)) 終わり"
    import_board(
        demo_db, "long.csv", f'id,type,parent,content\n1,frame,,課題\n2,sticky_note,1,"<p>{long_text}</p>"\n'.encode()
    )
    at = open_page("feedback", {"lang": "English", "q": "ログが足りない"})
    assert not at.exception
    (expander,) = [e for e in at.expander if e.label.startswith("Show the whole note")]
    assert expander.label == f"Show the whole note ({len(long_text):,} characters)"
    clipped = [m.value for m in at.markdown if m.value.endswith(" …")]
    assert len(clipped) == 1 and len(unescaped(clipped[0])) < NOTE_CLIP + 40  # the card: the start, then …
    whole = unescaped(expander.markdown[0].value).replace(":orange-background[ログが足りない]", "ログが足りない")
    assert whole == long_text  # one click away, every character, still inert
    assert "[link](" not in expander.markdown[0].value


@pytest.mark.parametrize(("lang", "said"), [("English", "a note for no product or team"),
                                             ("日本語", "プロダクト・チーム指定なしの付箋")])  # fmt: skip
def test_a_note_for_no_product_or_team_says_so_on_its_card(demo_db, lang, said):
    board = 'id,type,parent,content\n1,frame,,課題\n2,sticky_note,1,"<p>誰の付箋でもない</p>"\n'.encode()
    import_board(demo_db, "nobody.csv", board, product=None, team=None)
    at = open_page("feedback", {"lang": lang, "q": "誰の付箋でもない"})
    assert not at.exception
    captions = [c.value for c in at.caption if "課題" in c.value]
    assert captions and captions[0].startswith(said) and "nan" not in captions[0]  # read "nan · nan · 課題" before


def test_notes_come_thirty_cards_at_a_time_and_a_new_search_starts_again(demo_db):
    rows = "".join(f'{n},sticky_note,1,"<p>付箋 {n - 1:02d}: 監視が足りない</p>"\n' for n in range(2, 72))  # 70 notes
    import_board(demo_db, "board.csv", f"id,type,parent,content\n1,frame,,課題\n{rows}".encode())
    at = open_page("feedback", {"lang": "English", "q": "付箋"})

    def shown() -> list[str]:
        return [unescaped(c).replace(":orange-background[付箋]", "付箋").split(":")[0] for c in note_cards(at)]

    def more() -> list[str]:
        return [b.label for b in at.button if b.key == "notes_more"]

    assert "70 notes" in texts(at) and "Showing the first 30 of 70 notes" in texts(at)
    assert shown() == [f"付箋 {n:02d}" for n in range(1, 31)] and more() == ["Show 30 more"]
    [b for b in at.button if b.key == "notes_more"][0].click().run()
    assert shown() == [f"付箋 {n:02d}" for n in range(1, 61)] and "the first 60 of 70" in texts(at)
    [b for b in at.button if b.key == "notes_more"][0].click().run()
    assert shown() == [f"付箋 {n:02d}" for n in range(1, 71)] and more() == []  # every note, no button left
    assert "Showing the first" not in texts(at)
    at.text_input(key="q").set_value("監視が足りない").run()  # another search: from the first page again
    assert len(shown()) == 30 and more() == ["Show 30 more"]


def test_the_tables_own_csv_download_is_switched_off_in_favour_of_ours():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_feedback_says_why_there_are_no_notes(demo_db):
    at = open_page("feedback", {"lang": "English", "q": "zzzz-nothing"})
    assert [i.value for i in at.info] == [
        'No note matches the search and filters. Try fewer words, or set the filters back to "(all)".'
    ]
    at = open_page("feedback", {"q": "zzzz-nothing"})
    assert "検索語・絞り込みに合うメモはありません" in at.info[0].value
    assert not at.get("download_button")


def test_model_page_tables_have_translated_headers_dates_and_no_none(demo_db):
    for lang, raw in (("English", {"Key", "Round", "Held on"}), ("日本語", {"キー", "ラウンド", "実施日"})):
        at = open_page("model_page", {"lang": lang})
        headers = set()
        for frame in at.dataframe:
            headers |= set(frame.value.columns)
            assert frame.proto.placeholder == "—"  # a missing number shows as "—", never "None"
            editor = frame.proto.editing_mode != 0  # an editor's empty cell is <NA> (shown as "—"): "none set"
            for column in [] if editor else frame.value.columns:
                cells = [str(v) for v in frame.value[column]]
                assert not {"None", "nan", "NaT", "<NA>"} & set(cells), column
                assert not any("00:00:00" in c for c in cells), column
        assert raw <= headers
        assert not headers & {"key", "round_id", "held_on", "name", "item_key", "tier", "product", "level", ""}
        rounds = table_with(at, "Held on" if lang == "English" else "実施日")
        assert rounds.values.tolist() == [["2025-H2", "2025-10-15"], ["2026-H1", "2026-05-20"]]


@pytest.mark.parametrize(
    ("lang", "query", "message"),
    [
        ("English", {"product": "Shop Connect", "team": "Nope"}, 'There is no team "Nope" in "Shop Connect".'),
        ("日本語", {"product": "Shop Connect", "team": "Nope"}, "「Shop Connect」に「Nope」というチームはありません。"),
        ("English", {"product": "Gone", "team": "認証"}, 'There is no product "Gone".'),
    ],
)
def test_a_bookmark_to_a_team_that_does_not_exist_says_so_and_offers_the_teams(demo_db, lang, query, message):
    at = open_page("team", {**query, "lang": lang})
    assert not at.exception
    assert len(at.warning) == 1 and at.warning[0].value.startswith(message)
    links = at.get("page_link")
    assert len(links) == 17  # every team of the demo, each a link to its page
    assert all(link.proto.page.endswith("team") or "team" in link.proto.page for link in links)
    assert "product=%E4%BC%9A%E5%93%A1ID&team=%E8%AA%8D%E8%A8%BC" in [link.proto.query_string for link in links]


def test_a_valid_team_link_shows_no_warning(demo_db):
    at = open_page("team", {"product": "Shop Connect", "team": "Storefront", "lang": "English"})
    assert not at.warning and not at.get("page_link")


def test_team_page_explains_each_empty_section(demo_db):
    at = open_page("team", {"product": "Partner Hub", "team": "Data Pipeline", "round": "2025-H2", "lang": "English"})
    infos = [i.value for i in at.info]
    assert infos[0] == "This team has no answers in this round, so there are no category levels to draw."
    assert "This team has no answers in this round, so there are no items to rank." in infos[1]
    assert any(i.startswith("No item was rated by both the team and SRE") for i in infos)
    assert "No improvement actions agreed yet." in infos


def test_the_root_url_opens_the_overview(demo_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "概要"


def test_downloads_carry_translated_headers_titles_the_team_and_rounded_numbers(demo_db, monkeypatch):
    from opmaturity import export

    captured = []
    real = export.csv_bytes
    monkeypatch.setattr(export, "csv_bytes", lambda frame, *lang: captured.append(frame) or real(frame, *lang))
    builders = _deferred(monkeypatch)
    open_page("team", {"product": "Shop Connect", "team": "Storefront", "lang": "English"})
    assert captured == []  # the CSV is written when its button is clicked, not on every run of the page
    (csv,) = [b() for name, b in builders.items() if name.startswith("team-Shop Connect-Storefront-")]
    (team,) = captured
    assert team.columns.tolist()[:7] == ["Product", "Team", "Round", "Category key", "Category", "Item key", "Item"]
    assert set(team["Team"]) == {"Storefront"} and set(team["Round"]) == {"2026-H1"}
    assert team.iloc[0]["Item"] == "Masked production data for QA"
    assert not [c for c in team.columns if re.fullmatch(r"[a-z_]+", c)]
    numbers = team.select_dtypes("float").stack()
    assert (numbers.round(2) == numbers).all()  # no 1.733333
    assert csv.decode("utf-8-sig").startswith('"Product","Team","Round","Category key"')
    captured.clear()
    builders.clear()
    open_page("feedback")
    (build,) = [b for name, b in builders.items() if name.endswith(".csv")]
    build()
    (notes,) = captured
    assert notes.columns.tolist()[:4] == ["ラウンド", "プロダクト", "チーム", "メモ"]
    assert "author" not in notes.columns and "note_id" not in notes.columns


@pytest.mark.parametrize(
    ("page", "query", "count"),
    [("overview", {}, 1), ("heatmap", {}, 1), ("team", {"product": "会員ID", "team": "認証"}, 4), ("feedback", {}, 1),
     ("model_page", {}, 3), ("backup_page", {}, 1)],
)  # fmt: skip
def test_a_download_is_made_when_clicked_and_never_reruns_the_page(demo_db, page, query, count):
    # A click that also reran the page raced its own file: the run's start clears the messages still queued for
    # the browser, the file's address among them when it was ready first, and the button then spun for ever with
    # nothing said anywhere (seen in CI under load; issue 11's note).
    at = open_page(page, query)
    buttons = at.get("download_button")
    assert len(buttons) == count
    for button in buttons:
        assert button.proto.ignore_rerun, button.proto.label
        assert button.proto.deferred_file_id and not button.proto.url  # built on the click, not on every run


def test_a_team_whose_levels_rest_on_fewer_than_k_respondents_says_so(tmp_path, monkeypatch):
    from opmaturity import importer
    from opmaturity.model import load_model

    db = tmp_path / "small.duckdb"
    monkeypatch.setenv("OPMATURITY_DB", str(db))
    rows = "".join(f"2025-H1,Shop,Two,{who}@x.jp,team,{item},2\n" for who in ("a", "b") for item in ("OBS-1", "OBS-2"))
    rows += "".join(f"2025-H1,Shop,Four,{who}@x.jp,team,OBS-1,3\n" for who in "abcd")
    con = store.connect(db, load_model())
    try:
        data = ("round,product,team,respondent,rater,item,level\n" + rows).encode()
        assert importer.import_file(con, "two.csv", data, load_model(), importer.ImportOptions()).status == "imported"
    finally:
        con.close()
    at = open_page("team", {"product": "Shop", "team": "Two", "lang": "English"})
    assert not at.exception
    assert at.info[0].value == (
        "This team's own levels rest on 2 respondents (fewer than 3): each figure is close to what one person said, "
        "and no spread is shown."
    )
    at = open_page("team", {"product": "Shop", "team": "Four", "lang": "English"})
    assert not [i.value for i in at.info if "respondents" in i.value]


DEPT_FORM = (
    '"タイムスタンプ","メールアドレス","所属部署","あなたのロール","現状レベル [ランブック]"\r\n'
    '"2024/05/20 10:31:00 午前 GMT+9","a@example.co.jp","学び放題","開発","2"\r\n'
    '"2024/05/20 11:02:13 午前 GMT+9","b@example.co.jp","学び放題","SRE","1"\r\n'
).encode()


def test_the_mapping_step_gives_a_column_any_role_remembers_it_and_forgets_it(demo_db):
    at = open_page("import_page")
    at.file_uploader(key="uploads").upload("回答.csv", DEPT_FORM, "text/csv").run()
    assert "回答.csv は取り込めませんでした" in texts(at)
    assert "imp_skip" not in [c.key for c in at.checkbox]  # no product anywhere: skipping rows cannot help
    assert "行を飛ばしても取り込めません" in texts(at)
    role = at.selectbox(key=ui.widget_key("imp_map", "所属部署"))
    assert (role.value, role.options[:2]) == (None, ["（未選択: いまは無視）", "プロダクト"])
    role.set_value("product").run()
    assert "回答.csv: 取り込み可能（試行）" in texts(at)
    preview = [f.value for f in at.dataframe if "product" in f.value.columns][0]
    assert set(preview["product"]) == {"学び放題"}
    at.button(key="imp_run").click().run()
    assert store.header_mappings(_read(demo_db))["所属部署"] == "product"
    # the next file with that header needs no choice; the remembered role is listed and can be forgotten
    again = open_page("import_page")
    again.file_uploader(key="uploads").upload("回答2.csv", DEPT_FORM.replace(b"05/20", b"05/27"), "text/csv").run()
    assert "回答2.csv: 取り込み可能（試行）" in texts(again)
    again.session_state["imp_remembered"] = True  # the box opened: its table and picker are made
    again.run()
    remembered = [f.value for f in again.dataframe if "役割" in f.value.columns][0]
    assert ["所属部署", "プロダクト", ""] in remembered.values.tolist()
    again.multiselect(key="imp_forget").set_value(["所属部署"]).run()
    again.button(key="imp_forget_run").click().run()
    assert "所属部署" not in store.header_mappings(_read(demo_db))
    assert "回答2.csv は取り込めませんでした" in texts(again)


def test_the_team_category_chart_names_each_target_as_levels_never_as_a_mean(demo_db):
    import json

    at = open_page("team", {"product": "Shop Connect", "team": "Storefront", "lang": "English"})
    chart = at.get("vega_lite_chart")[0]
    spec = json.loads(chart.proto.spec)
    tooltips = [t for layer in spec["layer"] for t in layer["encoding"].get("tooltip", [])]
    assert {"field": "target_text", "type": "nominal", "title": "Target"} in tooltips
    texts_ = {row["target_text"] for row in _chart_rows(at)}
    assert texts_ and all(re.fullmatch(r"\d(–\d)?", t) for t in texts_), texts_
