"""Model versions: the Excel/YAML round trip, the preview of changes, answers carried over `replaces`, the
CLI's --dry-run and --json, and the targets table. Figures worked out by hand in the comments."""

import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from opmaturity import auth, metrics, model_versions, store
from opmaturity.batch import Answer, Batch
from opmaturity.cli import main
from opmaturity.errors import OpmaturityError
from opmaturity.model_files import model_xlsx, model_yaml, read_model_file


def load(con, round_name, rows, held_on):
    """Commit (product, team, respondent, rater, item, level) rows as one import of round `round_name`."""
    batch = Batch(file=f"{round_name}.csv", layout="tidy", sha256=Batch.digest(repr((round_name, rows)).encode()),
                  answers=[Answer(*row) for row in rows], round_date=held_on)  # fmt: skip
    assert store.commit_batch(con, batch, round_name).status == "imported"


def edited_xlsx(model, edit) -> bytes:
    """The model exported as the English template, changed by `edit(workbook, items_header)`, saved again."""
    book = load_workbook(io.BytesIO(model_xlsx(model, "en")))
    header = [c.value for c in book["items"][1]]
    edit(book, header)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(sheet, key):
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == key)


def v2_edit(book, header):
    """OBS-1 renamed to OBS-1b (replaces OBS-1), OBS-2 and OBS-3 merged into OBS-23, OBS-4 retired, OBS-5
    retitled, tier T3's default target 2 -> 1."""
    items = book["items"]
    items.cell(row_of(items, "OBS-1"), 1, "OBS-1b")
    items.cell(row_of(items, "OBS-1b"), header.index("replaces (item keys, comma-separated)") + 1, "OBS-1")
    items.cell(row_of(items, "OBS-2"), 1, "OBS-23")
    items.cell(row_of(items, "OBS-23"), header.index("replaces (item keys, comma-separated)") + 1, "OBS-2, OBS-3")
    items.delete_rows(row_of(items, "OBS-3"))
    items.delete_rows(row_of(items, "OBS-4"))
    items.cell(row_of(items, "OBS-5"), header.index("title (en)") + 1, "Monitoring tools")
    book["tiers"].cell(row_of(book["tiers"], "T3"), 4, 1)


def test_the_excel_template_and_the_yaml_read_back_to_the_same_model(model):
    for data, name in ((model_xlsx(model, "ja"), "m.xlsx"), (model_xlsx(model, "en"), "m.xlsx"),
                       (model_yaml(model).encode(), "m.yaml")):  # fmt: skip
        again = read_model_file(name, data)
        assert model_versions.changes(model, again) == {kind: [] for kind in model_versions.CHANGE_KINDS}
        assert again.items == model.items and again.tiers == model.tiers and again.levels == model.levels


def test_the_template_is_readable_in_excel_frozen_headers_widths_and_drop_downs(model):
    book = load_workbook(io.BytesIO(model_xlsx(model, "ja")))
    assert book.sheetnames == ["モデル", "レベル", "重要度", "評価者", "ティア", "カテゴリ", "項目"]
    items = book["項目"]
    assert items.freeze_panes == "B2" and items["A1"].font.bold
    assert items.cell(1, 17).value == "置き換える項目のキー（カンマ区切り）"
    assert items.column_dimensions["C"].width == 30
    rules = {str(dv.sqref): dv for dv in items.data_validations.dataValidation}
    assert rules["B2:B1000"].formula1 == "='カテゴリ'!$A$2:$A$1000"
    assert (rules["P2:P1000"].type, rules["P2:P1000"].formula2) == ("whole", "4")
    assert items.max_row == 38  # 37 items below the header


def test_a_round_trip_retitles_adds_replaces_and_retires_with_a_preview_first(con, model):
    data = edited_xlsx(model, v2_edit)
    found = model_versions.preview(con, "v2.xlsx", data, model)
    assert (found.version_before, found.version_after) == (1, 2)
    c = found.changes
    assert [e["item"] for e in c["added"]] == ["OBS-1b", "OBS-23"]
    assert c["added"][1]["replaces"] == ["OBS-2", "OBS-3"]
    assert [(e["item"], e["replaced_by"]) for e in c["retired"]] == [
        ("OBS-1", ["OBS-1b"]), ("OBS-2", ["OBS-23"]), ("OBS-3", ["OBS-23"]), ("OBS-4", []),
    ]  # fmt: skip
    title_ja = "監視ツールの役割とオーナーシップ"
    before_en = "Monitoring tool roles and ownership"
    assert c["retitled"] == [{"item": "OBS-5", "before_ja": title_ja, "before_en": before_en,
                              "after_ja": title_ja, "after_en": "Monitoring tools"}]  # fmt: skip
    assert c["replaced"] == [
        {"item": "OBS-1b", "replaces": ["OBS-1"]},
        {"item": "OBS-23", "replaces": ["OBS-2", "OBS-3"]},
    ]
    assert c["targets"] == [{"scope": "tier", "key": "T3", "before": 2, "after": 1}]
    lines = [line.text("en") for line in model_versions.change_lines(c)]
    retired = 'retired: OBS-4 "外形監視 / Synthetic monitoring" (its answers stay stored; it leaves the current pages)'
    assert retired in lines
    assert "tier T3 default target: 2 -> 1" in lines
    assert store.scalar(con, "SELECT count(*) FROM model_versions") == 1  # a preview saves nothing
    admin = auth.Actor("sre@example.com", frozenset(auth.RIGHTS))
    assert model_versions.save(con, found, actor=admin) == 2
    now = store.current_model(con, model)
    assert now.version == 2 and now.tier("T3").default_target == 1
    assert [i.key for i in now.category("OBS").items] == ["OBS-1b", "OBS-23", "OBS-5"]
    assert store.scalar(con, "SELECT saved_by FROM model_versions WHERE version = 2") == "sre@example.com"
    assert store.rows(con, "SELECT actor, action FROM audit") == [("sre@example.com", "model")]
    with pytest.raises(OpmaturityError, match="Only an admin can change data"):  # and never by a viewer
        model_versions.save(con, found, actor=auth.VIEWER)
    # The shipped model no longer replaces an imported one when the database is opened again.
    assert store.sync_model(con, model).version == 2


def test_trends_and_changes_continue_through_replaces_and_a_retired_item_keeps_its_history(con, model):
    # Round 1 (model v1), team Cart: OBS-1 p1=1 p2=2 (mean 1.5); OBS-2 p1=1, OBS-3 p1=3 (p1's merge: 2),
    # OBS-2 p2=2 (p2's merge: 2) -> OBS-23 before = 2.0 with 2 answers; OBS-4 p1=2 (retired later).
    load(con, "R1", [("Shop", "Cart", "p1", "team", "OBS-1", 1), ("Shop", "Cart", "p2", "team", "OBS-1", 2),
                     ("Shop", "Cart", "p1", "team", "OBS-2", 1), ("Shop", "Cart", "p1", "team", "OBS-3", 3),
                     ("Shop", "Cart", "p2", "team", "OBS-2", 2), ("Shop", "Cart", "p1", "team", "OBS-4", 2)],
         date(2025, 10, 1))  # fmt: skip
    found = model_versions.preview(con, "v2.xlsx", edited_xlsx(model, v2_edit), model)
    model_versions.save(con, found)
    model = store.current_model(con, model)
    # Round 2 (model v2): OBS-1b p1=3 p2=4 (mean 3.5); OBS-23 p1=2 p2=3 (mean 2.5).
    load(con, "R2", [("Shop", "Cart", "p1", "team", "OBS-1b", 3), ("Shop", "Cart", "p2", "team", "OBS-1b", 4),
                     ("Shop", "Cart", "p1", "team", "OBS-23", 2), ("Shop", "Cart", "p2", "team", "OBS-23", 3)],
         date(2026, 4, 1))  # fmt: skip
    assert store.rows(con, "SELECT name, model_version FROM rounds ORDER BY name") == [("R1", 1), ("R2", 2)]
    moved = metrics.changes(con, "R2", level="item").set_index("item")
    # OBS-1b: 3.5 - 1.5 = 2.0 over 2 and 2 answers; OBS-23: 2.5 - 2.0 = 0.5.
    assert moved.loc["OBS-1b", ["level", "previous_level", "change", "n_before", "n_after"]].tolist() == [
        3.5, 1.5, 2.0, 2, 2]  # fmt: skip
    assert moved.loc["OBS-23", ["previous_level", "change"]].tolist() == [2.0, 0.5]
    # The category trend continues: OBS R1 = mean(1.5, 2.0) = 1.75; R2 = mean(3.5, 2.5) = 3.0.
    trend = metrics.trend(con, product="Shop", team="Cart")
    assert trend.loc[trend["category"] == "OBS", ["round", "level"]].values.tolist() == [["R1", 1.75], ["R2", 3.0]]
    cells = metrics.heatmap(con, "R2", columns="item")
    assert "OBS-4" not in set(cells["key"]) and "OBS-1" not in set(cells["key"]) and "OBS-1b" in set(cells["key"])
    history = store.answers_table(con, "R1")
    assert sorted(history["item"]) == ["OBS-1", "OBS-1", "OBS-2", "OBS-2", "OBS-3", "OBS-4"]  # kept as answered


def test_the_own_answer_to_the_successor_wins_over_a_carried_one_in_the_same_round(con, model):
    found = model_versions.preview(con, "v2.xlsx", edited_xlsx(model, v2_edit), model)
    model_versions.save(con, found)
    # p1 answered the old form (OBS-1 = 0) and the new one (OBS-1b = 4) in one round: 4 counts, once.
    load(con, "R1", [("Shop", "Cart", "p1", "team", "OBS-1", 0), ("Shop", "Cart", "p1", "team", "OBS-1b", 4)],
         date(2025, 10, 1))  # fmt: skip
    scores = metrics.item_scores(con, "R1").set_index("item")
    assert scores.loc["OBS-1b", ["level", "n"]].tolist() == [4.0, 1]


def test_an_invalid_model_file_names_every_problem_by_sheet_row_and_column(con, model):
    def breaks(book, header):
        items = book["items"]
        items.cell(3, 2, "NOPE")  # OBS-2's category
        items.cell(4, header.index("default target") + 1, 9)  # OBS-3
        items.cell(6, header.index("replaces (item keys, comma-separated)") + 1, "OBS-55")  # OBS-5
        items.cell(7, 1, "OBS-1")  # SLO-1's key, twice
        book["tiers"].cell(3, 4, "high")  # T2's default target
        del book["raters"]

    with pytest.raises(OpmaturityError) as caught:
        model_versions.preview(con, "bad.xlsx", edited_xlsx(model, breaks), model)
    assert caught.value.title == "The model file bad.xlsx has 6 problems; nothing was saved"
    found = {(p.sheet, p.row, p.column, p.value): p.text() for p in caught.value.problems}
    assert found == {
        ("", None, "", ""): 'the sheet "raters" is missing (named one of "raters", "評価者")',
        ("tiers", 3, "default target", "high"): 'must be a whole number 0-4, got "high"',
        ("items", 3, "category key", "NOPE"): 'the category "NOPE" is not on the categories sheet (it has "OBS", '
        '"SLO", "INC", "REL", "BCP", "SEC", "LOG", "TST", "MNT", "CAP", "COST", "ORG")',
        ("items", 4, "default target", "9"): 'must be a whole number 0-4, got "9"',
        ("items", 7, "key", "OBS-1"): 'the key "OBS-1" appears more than once (one row per key)',
        ("items", 6, "replaces (item keys, comma-separated)", "OBS-55"):
            '"OBS-55" is not an item key of any model version or answer. Did you mean "OBS-5"?',
    }  # fmt: skip
    ja = next(p for p in caught.value.problems if p.sheet == "tiers").full("ja")
    assert ja == "bad.xlsx、シート「tiers」、3行目、列「default target」: 0〜4の整数にしてください（値: 「high」）"
    assert store.scalar(con, "SELECT count(*) FROM model_versions") == 1


def test_a_file_of_another_kind_and_a_yaml_replacing_an_unknown_key_are_refused(con, model):
    with pytest.raises(OpmaturityError) as caught:
        model_versions.preview(con, "model.csv", b"a,b\n", model)
    assert caught.value.problems[0].text() == 'accepted are .xlsx (the model template) and .yaml / .yml, got "csv"'
    text = model_yaml(model).replace("  - key: OBS-2\n", "  - key: OBS-2\n    replaces: [OBX-1]\n")
    with pytest.raises(OpmaturityError) as caught:
        model_versions.preview(con, "m.yaml", text.encode(), model)
    assert [p.text() for p in caught.value.problems] == [
        'item OBS-2 replaces: "OBX-1" is not an item key of any model version or answer. Did you mean "OBS-1"?'
    ]


def test_model_import_dry_run_changes_nothing_and_json_gives_the_changes(tmp_path, capsys, model):
    db = tmp_path / "m.duckdb"
    assert main(["model", "export", "--db", str(db), "--out", str(tmp_path / "m.xlsx")]) == 0
    book = load_workbook(tmp_path / "m.xlsx")
    book["items"]["C2"] = "ダッシュボード"
    book.save(tmp_path / "m2.xlsx")
    capsys.readouterr()
    assert main(["model", "import", str(tmp_path / "m2.xlsx"), "--db", str(db), "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "would_save" and (out["version_before"], out["version_after"]) == (1, 2)
    assert out["changes"]["retitled"] == [{"item": "OBS-1", "before_ja": "サービスダッシュボード",
                                           "before_en": "Service dashboards", "after_ja": "ダッシュボード",
                                           "after_en": "Service dashboards"}]  # fmt: skip
    assert out["problems"] == [] and set(out["changes"]) == set(model_versions.CHANGE_KINDS)
    con = store.connect(db, model)
    assert store.scalar(con, "SELECT count(*) FROM model_versions") == 1
    con.close()
    assert main(["--lang", "ja", "model", "import", str(tmp_path / "m2.xlsx"), "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert (
        "名前の変更: OBS-1「サービスダッシュボード / Service dashboards」→「ダッシュボード / Service dashboards」"
        in text
    )
    assert "モデルをバージョン 2 として保存しました。" in text
    assert main(["model", "import", str(tmp_path / "m2.xlsx"), "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "unchanged"


def test_model_import_json_of_a_rejected_file_lists_the_problems_and_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\ncategories: [\n", encoding="utf-8")
    assert main(["model", "import", str(bad), "--db", str(tmp_path / "m.duckdb"), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected" and out["title"] == "The model file bad.yaml is not valid YAML"
    assert out["problems"][0]["row"] is not None


def test_model_export_writes_yaml_that_loads(tmp_path, model):
    assert main(["model", "export", "--db", str(tmp_path / "m.duckdb"), "--out", str(tmp_path / "m.yaml")]) == 0
    again = read_model_file("m.yaml", (tmp_path / "m.yaml").read_bytes())
    assert again.items == model.items


# --- targets: shown as levels, edited as a tier x item table ------------------------------------------------


def test_a_target_reads_as_a_level_where_one_applies_and_as_a_range_where_several_do():
    from opmaturity.views import target_text, with_target_levels

    assert [target_text(3.0, 3, 3), target_text(10 / 3, 3, 4), target_text(3.0), target_text(None)] == [
        "3", "3–4", "3", ""]  # fmt: skip
    frame = with_target_levels(
        __import__("pandas").DataFrame({"target": [3.0, 10 / 3], "target_low": [3, 3], "target_high": [3, 4]})
    )
    assert frame.to_dict("list") == {"target": ["3", "3–4"]}


def test_the_team_page_category_target_is_a_range_when_its_items_have_different_targets(con):
    # Cart (tier T1, default 3): OBS-1 target 4 set for T1; OBS-2 keeps 3 -> the OBS category mixes 3 and 4.
    load(con, "R1", [("Shop", "Cart", "p1", "team", "OBS-1", 1), ("Shop", "Cart", "p1", "team", "OBS-2", 1)],
         date(2025, 10, 1))  # fmt: skip
    store.set_product_tier(con, "Shop", "T1")
    store.set_target(con, 4, tier="T1", item="OBS-1")
    from opmaturity.views import renamed

    categories = metrics.team_categories(con, None, "Shop", "Cart")
    shown = renamed(categories, lambda key, **v: key, {"category": "common.category", "target": "common.target"})
    assert shown.iloc[0].tolist() == ["OBS", "3–4"]  # the mean 3.5 never shows
    items = renamed(metrics.team_items(con, None, "Shop", "Cart"), lambda key, **v: key,
                    {"item": "common.item", "target": "common.target"})  # fmt: skip
    assert items.set_index("common.item").loc[["OBS-1", "OBS-2"], "common.target"].tolist() == ["4", "3"]


def test_editing_the_tier_item_targets_table_on_the_model_page_changes_the_gaps(demo_db, model):
    from tests.test_pages import open_page

    con = store.connect(demo_db, model)
    product, team = store.teams(con).iloc[0][["product", "team"]]
    tier = store.products(con).set_index("product").at[product, "tier"]
    before = metrics.team_items(con, None, product, team).set_index("item").at["OBS-1", "target"]
    con.close()
    assert tier is not None
    at = open_page("model_page", {"lang": "日本語"})  # AppTest formats pick lists in Japanese (see the brief)
    editor = at.get("data_editor")[0].value
    header = next(c for c in editor.columns if c.startswith(f"{tier}（"))  # e.g. "T1（既定 3）"
    assert editor.iloc[0, 0] == "OBS-1"
    new = 0 if before != 0 else 1  # a level the demo does not have for OBS-1
    at.session_state["targets_grid"] = {"edited_rows": {0: {header: new}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="targets_save").click().run()
    assert not at.exception
    assert "1 個の目標を保存しました。" in [s.value for s in at.success]
    con = store.connect(demo_db, model)
    after = metrics.team_items(con, None, product, team).set_index("item")
    con.close()
    assert after.at["OBS-1", "target"] == new  # no own target or override in the demo for this team's OBS-1
    assert after.at["OBS-1", "gap"] == round(new - after.at["OBS-1", "level"], 9)  # gap = target - level


def test_the_model_page_previews_an_uploaded_model_and_saves_it_only_on_confirmation(demo_db, model):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from opmaturity.model_files import model_xlsx

    book = load_workbook(io.BytesIO(model_xlsx(model, "en")))
    book["items"]["C2"] = "ダッシュボード"  # OBS-1's Japanese title
    edited = io.BytesIO()
    book.save(edited)
    # In Japanese: AppTest formats the page's translated pick lists outside the session's language.
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/model_page.py")
    at.run()
    at.file_uploader(key="model_upload").upload("model-v2.xlsx", edited.getvalue(), "application/octet-stream").run()
    assert not at.exception and not at.error and not at.warning  # made from the current version: no warning
    shown = re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in at.markdown))  # as a reader sees it
    assert "バージョン 1 → 2" in shown
    assert (
        "名前の変更: OBS-1「サービスダッシュボード / Service dashboards」→「ダッシュボード / Service dashboards」"
        in shown
    )
    con = store.connect(demo_db, model)
    try:
        assert store.scalar(con, "SELECT max(version) FROM model_versions") == 1  # the preview saved nothing
    finally:
        con.close()
    at.button(key="model_confirm").click().run()
    assert not at.exception
    assert [s.value for s in at.success] and "2" in at.success[0].value
    # the saved file has left the uploader: not previewed again as "the same as version 2" (an outside review)
    assert not at.info and "model_confirm" not in [b.key for b in at.button]
    con = store.connect(demo_db, model)
    try:
        assert store.scalar(con, "SELECT max(version) FROM model_versions") == 2
        assert store.scalar(con, "SELECT title_ja FROM items WHERE item_key = 'OBS-1'") == "ダッシュボード"
        assert store.rows(con, "SELECT action FROM audit ORDER BY audit_id DESC LIMIT 1") == [("model",)]
    finally:
        con.close()


def test_a_renamed_level_word_is_said_with_its_words_before_and_after_in_the_readers_language(model):
    """The preview said only "… changed: scale", the raw key in the Japanese page too (an outside review)."""
    import yaml

    from opmaturity.model import parse_model

    raw = yaml.safe_load(model.source)
    raw["scale"]["levels"][1]["ja"] = "属人対応"
    lines = model_versions.change_lines(model_versions.changes(model, parse_model(yaml.safe_dump(raw))))
    assert [line.text("ja") for line in lines] == [
        "レベル 1 の呼び方: 「場当たり / Ad hoc」→「属人対応 / Ad hoc」", "尺度・重要度・評価者などの変更: 尺度"
    ]  # fmt: skip
    assert [line.text("en") for line in lines][0] == 'level 1 renamed: "場当たり / Ad hoc" -> "属人対応 / Ad hoc"'


def test_a_renamed_required_header_is_one_problem_not_one_per_row(model):
    book = load_workbook(io.BytesIO(model_xlsx(model, "ja")))
    book["項目"]["C1"] = "タイトル（日本語）"  # a header a person renamed: the items' Japanese titles are unread
    edited = io.BytesIO()
    book.save(edited)
    with pytest.raises(OpmaturityError) as refused:
        read_model_file("model.xlsx", edited.getvalue())
    (problem,) = refused.value.problems  # it was 38: the column, then "must not be empty" on each of 37 rows
    assert (problem.sheet, problem.row) == ("項目", 1) and "the column is missing" in problem.text("en")


def test_a_file_exported_before_the_current_version_is_warned_and_a_hand_changed_key_hinted(con, model):
    """An outside review saved version 3 from a version 1 export and lost version 2's `replaces` without a word,
    and changed a key by hand (no `replaces`) with nothing said."""
    v1_export = model_xlsx(model, "en")  # exported at version 1, edited later
    fresh = model_versions.preview(con, "v2.xlsx", edited_xlsx(model, v2_edit), model)
    assert fresh.warnings() == []  # made from the current version: nothing to warn
    model_versions.save(con, fresh)
    current = store.current_model(con, model)

    def key_changed(book, header):
        book["items"].cell(row_of(book["items"], "SLO-1"), 1, "SLO-9")

    book = load_workbook(io.BytesIO(v1_export))
    key_changed(book, None)
    stale_file = io.BytesIO()
    book.save(stale_file)
    stale = model_versions.preview(con, "old.xlsx", stale_file.getvalue(), current)
    assert [w.text("en") for w in stale.warnings()] == [
        "This file was exported from version 1 (the current one is 2): what changed since is not in it, and saving "
        "it undoes that. Export the current model and edit that instead"
    ]
    assert stale.to_dict("would_save")["based_on"] == 1
    lines = [line.text("en") for line in model_versions.change_lines(stale.changes)]
    hint = ("SLO-9 has the same title as SLO-1, which it retires; if it is the same item, give SLO-9 replaces: "
            "[SLO-1] and its answers' history (trends, changes) carries on")  # fmt: skip
    assert hint in lines
    assert lines.index(hint) == lines.index(next(line for line in lines if line.startswith("added: SLO-9"))) + 1


def test_every_refused_model_file_says_nothing_was_saved_in_the_same_words(model):
    """The checks of the model itself (a key twice, a missing title) were titled "has 1 problem" without "nothing
    was saved", the file's own checks with it (an outside review saw both)."""
    import yaml

    raw = yaml.safe_load(model.source)
    raw["tiers"].append(dict(raw["tiers"][0]))  # tier T1 twice
    with pytest.raises(OpmaturityError) as refused:
        read_model_file("model.yaml", yaml.safe_dump(raw, allow_unicode=True).encode())
    assert refused.value.title_text("en") == "The model file model.yaml has 1 problem; nothing was saved"
    assert refused.value.title_text("ja") == "モデルファイル model.yaml に 1 件の問題があります。何も保存していません"


def test_a_tier_key_twice_in_the_workbook_is_named_by_sheet_row_and_column(model):
    def twice(book, header):
        tiers = book["tiers"]
        tiers.cell(row_of(tiers, "T2"), 1, "T1")

    with pytest.raises(OpmaturityError) as refused:
        read_model_file("model.xlsx", edited_xlsx(model, twice))
    (problem,) = refused.value.problems  # it named no sheet or row: "tiers: the tier key "T1" appears more than once"
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("tiers", 3, "key", "T1")
