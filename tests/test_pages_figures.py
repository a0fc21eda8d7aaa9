"""Pages speak of paired changes beyond noise first, show silent gaps, and let rounds be renamed, re-dated and
dated on import (AppTest against a temporary database)."""

from __future__ import annotations

from datetime import date

from test_pages import IMPORTS, open_page, table_with, texts, unescaped

from opmaturity import importer, store, ui


def test_overview_names_a_change_beyond_noise_and_a_problem_nobody_raised(demo_db):
    at = open_page("overview", {"lang": "English"})
    assert not at.exception
    sentences = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert any("beyond noise" in s and "items rated both times" in s for s in sentences)
    assert any("nobody has raised yet" in s for s in sentences)
    silent = table_with(at, "Notes/comments")
    assert len(silent) == 5 and silent["Item"].notna().all()


def test_trends_puts_changes_beyond_noise_first_and_says_how_many_items_they_rest_on(demo_db):
    at = open_page("trends", {"lang": "English"})
    movers = table_with(at, "Beyond noise")
    ups = movers[movers["Direction"] == "↑"]["Beyond noise"].tolist()
    assert ups == sorted(ups, key=lambda v: v != "yes") and "yes" in ups
    assert (movers["Items compared"] >= 1).all()


def test_gaps_lists_silent_gaps(demo_db):
    at = open_page("gaps", {"lang": "English"})
    assert "Problems nobody has raised yet" in texts(at)
    assert len(table_with(at, "Notes/comments")) >= 1


def test_a_round_is_renamed_and_re_dated_on_the_model_page(demo_db, model):
    at = open_page("model_page")  # Japanese: AppTest formats pick lists outside the session's language
    at.selectbox(key="round_pick").set_value("2025-H2").run()  # picked outside the form: its date comes up
    at.text_input(key=ui.widget_key("round_name", "2025-H2")).input("2025 autumn")  # the fields of that round
    at.date_input(key=ui.widget_key("round_day", "2025-H2")).set_value(date(2026, 12, 1))
    [b for b in at.button if b.label == "保存"][0].click().run()
    assert not at.exception and "ラウンドを更新しました。" in texts(at)
    con = store.connect(demo_db, model)
    try:
        assert store.rounds(con)["name"].tolist() == ["2026-H1", "2025 autumn"]  # now the latest by date
    finally:
        con.close()


def test_a_refused_rename_on_the_model_page_leaves_the_rounds_date_as_it_was(demo_db, model):
    """An outside review: renaming 2025-H2 to an existing name with a new date said "already a round" but saved
    the date (and its change-log entry)."""
    con = store.connect(demo_db, model)
    try:
        before = store.rounds(con)[["name", "held_on"]].values.tolist()
        revision = store.scalar(con, "SELECT count(*) FROM audit")
    finally:
        con.close()
    at = open_page("model_page")
    at.selectbox(key="round_pick").set_value("2025-H2").run()
    at.text_input(key=ui.widget_key("round_name", "2025-H2")).input("2026-H1")  # taken
    at.date_input(key=ui.widget_key("round_day", "2025-H2")).set_value(date(2020, 1, 1))
    [b for b in at.button if b.label == "保存"][0].click().run()
    assert not at.exception and "ラウンド「2026-H1」はすでにあります。" in unescaped(at.error[0].value)
    con = store.connect(demo_db, model)
    try:
        assert store.rounds(con)[["name", "held_on"]].values.tolist() == before
        assert store.scalar(con, "SELECT count(*) FROM audit") == revision  # nothing logged either
    finally:
        con.close()


def test_an_undated_new_round_is_refused_on_the_import_page_until_a_day_is_chosen(demo_db, model):
    # AppTest cannot drop a file on the uploader: the page's date input is checked here, and the preview it
    # feeds (the same call the page makes) with the page's wording.
    at = open_page("import_page", {"lang": "English"})
    assert at.date_input(key="imp_round_date").label == "Held on"
    data = (IMPORTS / "tidy.csv").read_bytes().replace(b"2024/5/14", b"")  # a file that carries no date
    con = store.connect(demo_db, model)
    try:
        options = importer.ImportOptions(round="Spring hearing", product="P", team="T", rater="team")
        report, _ = importer.preview(con, "t.csv", data, model, options)
        assert report.status == "rejected" and "Held on" in report.problems[0].text("en", "page")
        assert "--round-date" not in report.problems[0].text("en", "page")
        options.round_date = date(2026, 3, 1)
        assert importer.preview(con, "t.csv", data, model, options)[0].status == "imported"
    finally:
        con.close()


def test_the_answer_spread_leaves_out_items_too_few_people_answered_and_says_so(demo_db, model):
    from opmaturity import metrics

    con = store.connect(demo_db, model)
    try:
        counted = metrics.answer_distributions(con, rater="sre")
    finally:
        con.close()
    withheld = counted[counted["status"] == "too_few"]["item"].nunique()
    at = open_page("gaps")
    at.segmented_control(key="rater").set_value("sre").run()
    assert not at.exception
    assert withheld == 37  # the demo's SRE ratings come from two people: every count would show theirs
    assert f"回答者が3人未満の {withheld} 項目は" in texts(at)
    assert "まだありません" not in texts(at)  # withheld, not missing


def test_a_team_adds_an_action_from_a_gap_and_marks_it_done(demo_db, model):
    from opmaturity import actions

    query = {"product": "学び放題", "team": "検索チーム"}
    at = open_page("team", query)
    before = len(actions.list_actions(store.connect(demo_db, model), "学び放題", "検索チーム"))
    gap = at.selectbox(key="new_action_item").value
    [b for b in at.button if b.label == "アクションを追加"][0].click().run()
    assert not at.exception
    con = store.connect(demo_db, model)
    try:
        listed = actions.list_actions(con, "学び放題", "検索チーム")
        new = listed[listed["item"] == gap].iloc[0]
        assert len(listed) == before + 1 and new["status"] == "todo" and new["title"].endswith("を目標レベルに上げる")
    finally:
        con.close()
    at = open_page("team", query)
    shown = [int(i) for i in at.get("data_editor")[0].value["id"]]
    position = shown.index(int(new["id"]))
    at.session_state["actions_editor"] = {"edited_rows": {position: {"status": "done"}}, "added_rows": [],
                                         "deleted_rows": []}  # fmt: skip
    at.run()
    at.button(key="actions_save").click().run()
    assert not at.exception
    con = store.connect(demo_db, model)
    try:
        status = store.rows(con, "SELECT status, updated_by FROM actions WHERE action_id = ?", [int(new["id"])])
        assert status == [("done", "local")]  # local mode: nothing configured, the dashboard on this machine
    finally:
        con.close()


def test_picking_another_round_or_product_shows_its_own_date_and_tier_and_saving_them_unchanged_writes_nothing(
    demo_db, model
):
    con = store.connect(demo_db, model)
    try:
        dates = dict(store.rows(con, "SELECT name, held_on FROM rounds"))
        tiers = dict(store.rows(con, "SELECT name, tier FROM products"))
    finally:
        con.close()
    products = sorted(tiers, key=lambda p: (tiers[p] or "", p))
    first, other = products[0], products[-1]
    assert tiers[first] != tiers[other]  # two products of different tiers
    at = open_page("model_page", {"lang": "English"})
    for name in ("2025-H2", "2026-H1"):
        at.selectbox(key="round_pick").set_value(name).run()
        assert at.date_input(key=ui.widget_key("round_day", name)).value == dates[name]  # not the one picked before
    at.selectbox(key="tier_product").set_value(first).run()
    assert at.selectbox(key=ui.widget_key("tier_key", first)).value == tiers[first]
    at.selectbox(key="tier_product").set_value(other).run()
    assert at.selectbox(key=ui.widget_key("tier_key", other)).value == tiers[other]
    [b for b in at.button if b.label == "Save"][0].click().run()  # the round form, as it came up
    [b for b in at.button if b.label == "Save the tier"][0].click().run()
    assert not at.exception
    con = store.connect(demo_db, model)
    try:
        assert dict(store.rows(con, "SELECT name, held_on FROM rounds")) == dates
        assert dict(store.rows(con, "SELECT name, tier FROM products")) == tiers
        assert store.scalar(con, "SELECT count(*) FROM audit WHERE action = 'round_date'") == 0  # nothing written
    finally:
        con.close()


def test_a_product_gets_a_tier_and_a_team_its_own_target_on_the_model_page(demo_db, model):
    at = open_page("model_page")
    at.selectbox(key="tier_product").set_value("社内ポータル").run()
    at.selectbox(key=ui.widget_key("tier_key", "社内ポータル")).set_value("T1")
    [b for b in at.button if b.label == "ティアを保存"][0].click().run()
    assert not at.exception and "ティアを保存しました。" in texts(at)
    at.selectbox(key="target_scope").set_value("team:会員ID\x1f認証")
    at.select_slider(key="target_level").set_value(4)
    [b for b in at.button if b.label == "目標を設定"][0].click().run()
    assert not at.exception
    con = store.connect(demo_db, model)
    try:
        assert store.scalar(con, "SELECT tier FROM products WHERE name = '社内ポータル'") == "T1"
        overrides = store.rows(con, "SELECT t.name, g.level FROM targets g JOIN teams t USING (team_id)")
        assert overrides == [("認証", 4)]
    finally:
        con.close()


def test_the_model_page_changes_language_while_another_program_holds_the_file(demo_db, model, monkeypatch):
    """Every table of the page is read once for both languages: switching while the command line writes shows the
    figures read last in the other language, not an error after the page's wait (the targets grid was read per
    language)."""
    import subprocess
    import sys

    monkeypatch.setenv("OPMATURITY_PAGE_WAIT", "0.2")
    at = open_page("model_page", {"lang": "English"})
    assert at.get("data_editor")[0].value.iloc[0, 1] == "Service dashboards"
    holding = f"import duckdb, time; c = duckdb.connect({str(demo_db)!r}); print('ok', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", holding], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        at.segmented_control(key="lang").set_value("日本語").run()
        assert not at.exception and not at.error
        assert at.get("data_editor")[0].value.iloc[0, 1] == model.items[0].title("ja")
    finally:
        holder.kill()
        holder.wait()


def test_with_one_team_no_silent_gap_is_said_without_claiming_every_item_has_notes(tmp_path, monkeypatch, model):
    """One team, every item below target, no note: nothing qualifies (the rule needs 2 teams below target), and
    the page said "every item many teams are below target on has notes or comments" (an outside review)."""
    db = tmp_path / "one.duckdb"
    monkeypatch.setenv("OPMATURITY_DB", str(db))
    rows = "\n".join(f"P,T,a@x.jp,team,{item.key},0,2024-05-01" for item in model.items)
    survey = tmp_path / "one.csv"
    survey.write_text("product,team,respondent,rater,item,level,date\n" + rows + "\n", encoding="utf-8")
    con = store.connect(db, model)
    try:
        importer.import_file(con, survey.name, survey.read_bytes(), model, importer.ImportOptions(round="2024-H1"))
    finally:
        con.close()
    for page in ("gaps", "overview"):
        at = open_page(page, {"lang": "English"})
        assert not at.exception
        said = [i.value for i in at.info]
        assert "None: no item is below target in at least 2 teams while notes and comments hardly mention it." in said
        assert not any("every item" in s for s in said)


def test_a_team_is_merged_into_its_new_name_on_the_model_page_and_a_refusal_changes_nothing(demo_db, model):
    at = open_page("model_page", {"lang": "English"})
    at.selectbox(key="rename_product").set_value("学び放題").run()
    team_key = ui.widget_key("rename_team", "学び放題")
    at.selectbox(key=team_key).set_value("検索チーム").run()
    to_key = ui.widget_key("rename_to", "学び放題\x1f検索チーム")
    at.text_input(key=to_key).input("決済")  # another team of the product that answered the same rounds
    [b for b in at.button if b.label == "Rename or merge"][0].click().run()
    assert not at.exception
    assert unescaped(at.error[0].value).startswith('The team "検索チーム" of "学び放題" cannot be merged into "決済"')
    reasons = [unescaped(m.value) for m in at.markdown if m.value.startswith("- ")]  # sentences, no empty columns
    assert reasons and all("they look like two teams, not one named two ways" in r for r in reasons)
    con = store.connect(demo_db, model)
    try:
        assert "検索チーム" in store.teams(con)["team"].tolist()
    finally:
        con.close()
    at.text_input(key=to_key).input("検索・*推薦*")  # markdown in a name stays text
    [b for b in at.button if b.label == "Rename or merge"][0].click().run()
    assert not at.exception and not at.error
    assert unescaped(at.success[0].value) == 'Renamed "検索チーム" to "検索・*推薦*".'
    con = store.connect(demo_db, model)
    try:
        assert (
            "検索・*推薦*" in store.teams(con)["team"].tolist()
            and "検索チーム" not in store.teams(con)["team"].tolist()
        )
    finally:
        con.close()
