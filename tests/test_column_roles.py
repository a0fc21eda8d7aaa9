"""Columns read for what they hold, as real exports write them: rater columns known by their answers, a person's
choice of role (`--map`, remembered and forgotten), two columns claiming one role, the report of every column's role,
Miro board titles and stickies made of HTML, and a summary of what an import created."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from opmaturity import feedback, importer, store
from opmaturity.cli import main
from opmaturity.i18n import text

FORM_HEADER = ["タイムスタンプ", "メールアドレス", "対象プロダクト", "チーム名", "担当", "お名前",
               "現状レベル [監視・アラート: サービスダッシュボード]", "現状レベル [監視・アラート: 外形監視]",
               "温度感（1=低・3=高） [監視・アラート]", "温度感（1=低・3=高） [監視・アラート: 外形監視]"]  # fmt: skip


def form(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    """A Google Forms CSV download: every field quoted, CRLF records."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


def answered(product: str, team: str, side: str, email: str, n: int) -> list[str]:
    return [f"2024/05/20 {n}:31:00 午前 GMT+9", email, product, team, side, f"回答者{n}", "3", "2", "3", "1"]


MIXED = [
    answered("学び放題", "検索", "プロダクトチーム（開発・PdM・QA）", "a@example.co.jp", 1),
    answered("学び放題", "検索", "SRE", "sre@example.co.jp", 2),
    answered("ポイント基盤", "交換", "開発", "b@example.co.jp", 3),
    answered("ポイント基盤", "交換", "SRE評価", "sre@example.co.jp", 4),
    answered("会員ID", "認証", "PdM", "c@example.co.jp", 5),
    answered("会員ID", "認証", "インフラ", "sre2@example.co.jp", 6),
    answered("法人研修", "受講管理", "QA", "d@example.co.jp", 7),
    answered("法人研修", "受講管理", "PT評価", "e@example.co.jp", 8),
]


def test_a_column_of_rater_words_under_an_unknown_header_is_the_rater_column(con, model):
    report = importer.import_file(con, "回答.csv", form(FORM_HEADER, MIXED), model, importer.ImportOptions())
    assert (report.status, report.problems) == ("imported", [])
    assert (
        'column "担当" holds rater words (SRE, 開発 …) in every answer, so it was read as the rater' in report.messages
    )
    column = next(c for c in report.columns if c.header == "担当")
    assert (column.role, column.how) == ("rater", "values")
    by_team = store.rows(
        con,
        "SELECT p.name, r.rater, count(*) FROM responses r JOIN teams t USING (team_id) "
        "JOIN products p USING (product_id) GROUP BY ALL ORDER BY 1, 2",
    )
    # four products, both raters; 法人研修's two answers are both the product team's (QA, PT評価)
    assert by_team == [
        ("ポイント基盤", "sre", 2), ("ポイント基盤", "team", 2), ("会員ID", "sre", 2), ("会員ID", "team", 2),
        ("学び放題", "sre", 2), ("学び放題", "team", 2), ("法人研修", "team", 4),
    ]  # fmt: skip


def test_a_rater_word_the_model_does_not_know_is_a_problem_naming_it(con, model):
    rows = [*MIXED[:4], answered("会員ID", "認証", "マネージャー", "m@example.co.jp", 9)]
    report = importer.import_file(con, "回答.csv", form(FORM_HEADER, rows), model, importer.ImportOptions())
    assert report.status == "rejected" and report.skippable
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (6, "担当", "マネージャー")
    assert 'got "マネージャー"' in str(problem.message)


def test_a_category_importance_grid_gives_each_item_of_it_the_importance_unless_the_item_has_its_own(con, model):
    importer.import_file(con, "回答.csv", form(FORM_HEADER, MIXED[:2]), model, importer.ImportOptions())
    importance = store.rows(con, "SELECT item_key, importance FROM responses WHERE rater = 'team' ORDER BY 1")
    assert importance == [("OBS-1", 3), ("OBS-4", 1)]  # 外形監視 has its own 1; the dashboard takes the grid's 3


def test_an_english_microsoft_form_with_question_headers_and_a_free_text_answer(con, model):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Which product do you work on?",
                  "Your team", "Your role", "Current level [Monitoring & alerting: Service dashboards]",
                  "Importance (1=low, 3=high) [Monitoring & alerting]",
                  "Anything else you want to tell us?"])  # fmt: skip
    sheet.append([1, datetime(2024, 5, 20, 9), datetime(2024, 5, 20, 9, 5), "a@example.com", "Ann", "Shop",
                  "Checkout", "Developer", "2", "3", "On-call is <b>too noisy</b>"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    report = importer.import_file(con, "Survey.xlsx", out.getvalue(), model, importer.ImportOptions())
    assert (report.status, report.layout, report.problems) == ("imported", "ms_forms", [])
    roles = {c.header: c.role for c in report.columns}
    assert roles["Which product do you work on?"] == "product" and roles["Your role"] == "rater"
    assert roles["Importance (1=low, 3=high) [Monitoring & alerting]"] == "category_importance"
    assert roles["Anything else you want to tell us?"] == "free_text"
    assert store.rows(con, "SELECT item_key, level, importance FROM responses") == [("OBS-1", 2, 3)]
    assert feedback.notes_table(con)["text"].tolist() == ["On-call is <b>too noisy</b>"]


TIDY_TWICE = "プロダクト,チーム,回答者ロール,項目,現状レベル,現状レベル\r\n学び放題,検索,SRE,OBS-1,1,4\r\n".encode()


def test_two_columns_claiming_one_role_are_a_problem_naming_both_never_a_silent_choice(con, model):
    report = importer.import_file(con, "tidy.csv", TIDY_TWICE, model, importer.ImportOptions(skip_invalid=True))
    assert report.status == "rejected"
    (problem, *_) = report.problems
    assert str(problem.message).startswith(
        'columns "現状レベル" and "現状レベル" both hold the level; neither is chosen'
    )
    assert text(problem.message, "ja", "page").startswith("列「現状レベル」と「現状レベル」の両方が現状レベルの列です")
    assert [c.how for c in report.columns if c.header == "現状レベル"] == ["conflict", "conflict"]
    assert store.scalar(con, "SELECT count(*) FROM responses") == 0


def test_a_file_level_problem_is_not_offered_skipping_rows_and_a_row_problem_is(con, model):
    header = [h for h in FORM_HEADER if h != "対象プロダクト"]
    rows = [[v for n, v in enumerate(row) if n != 2] for row in MIXED[:2]]
    no_product = importer.preview(con, "回答.csv", form(header, rows), model, importer.ImportOptions())[0]
    assert (no_product.status, no_product.skippable) == ("rejected", False)
    (problem,) = no_product.problems
    assert 'choose "product" for the column that holds it under "Column roles"' in text(problem.message, "en", "page")
    bad_level = [*MIXED[:1], [*MIXED[1][:6], "7", "2", "3", "1"]]
    one_bad = importer.preview(con, "回答.csv", form(FORM_HEADER, bad_level), model, importer.ImportOptions())[0]
    assert (one_bad.status, one_bad.skippable) == ("rejected", True)


# --- a person's choice: --map, remembered, used again --------------------------------------------------------

DEPT_FORM = form(
    ["タイムスタンプ", "メールアドレス", "所属部署", "あなたのロール", "現状レベル [ランブック]", "温度感 [障害]"],
    [["2024/05/20 10:31:00 午前 GMT+9", "a@example.co.jp", "学び放題", "開発", "2", "3"],
     ["2024/05/20 11:02:13 午前 GMT+9", "b@example.co.jp", "学び放題", "SRE", "1", "2"]],
)  # fmt: skip


def test_an_importance_grid_row_that_names_no_category_asks_for_its_category_on_the_page_too(con, model):
    report = importer.preview(con, "回答.csv", DEPT_FORM, model, importer.ImportOptions(product="学び放題"))[0]
    (problem,) = [p for p in report.problems if p.column == "温度感 [障害]"]
    assert text(problem.message, "ja", "page") == (
        "この温度感の列の「障害」は、モデルのカテゴリにも項目にもありません。直すか、下の「列の役割」で"
        "「カテゴリの温度感」とそのカテゴリを選んでください（1項目だけの温度感なら「温度感」と項目を選びます）"
    )
    assert 'choose "category importance" and its category under "Column roles"' in text(problem.message, "en", "page")


def test_map_names_a_column_s_role_and_the_choice_is_remembered_for_the_next_file(capsys, tmp_path, db_file):
    path = tmp_path / "回答.csv"
    path.write_bytes(DEPT_FORM)
    assert main(["import", str(path), "--db", str(db_file), "--dry-run"]) == 1
    refused = capsys.readouterr().out
    assert 'or name the column that holds it (--map "HEADER=product")' in refused
    # the importance grid's row names no category of the model: the advice names a category, not an item
    assert '"障害" in this importance column is neither a category nor an item of the model' in refused
    assert 'name its category on import (--map "HEADER=category_importance:CATEGORY")' in refused
    code = main(["import", str(path), "--db", str(db_file), "--json", "--map", "所属部署=product",
                 "--map", "温度感 [障害]=category_importance:INC"])  # fmt: skip
    result = json.loads(capsys.readouterr().out)["files"][0]
    assert (code, result["status"], result["problems"]) == (0, "imported", [])
    columns = {c["column"]: (c["role"], c["key"], c["how"]) for c in result["columns"]}
    assert columns == {
        "タイムスタンプ": ("date", None, "header"), "メールアドレス": ("respondent", None, "header"),
        "所属部署": ("product", None, "mapped"), "あなたのロール": ("rater", None, "header"),
        "現状レベル [ランブック]": ("level", "INC-2", "header"),
        "温度感 [障害]": ("category_importance", "INC", "mapped"),
    }  # fmt: skip
    con = store.connect(db_file)
    try:
        assert store.header_mappings(con) == {"所属部署": "product", "温度感 [障害]": "category_importance:INC"}
        assert store.rows(con, "SELECT rater, importance FROM responses ORDER BY 1") == [("sre", 2), ("team", 3)]
    finally:
        con.close()
    again = tmp_path / "回答2.csv"
    again.write_bytes(DEPT_FORM.replace(b"2024/05/20", b"2024/05/27"))
    assert main(["import", str(again), "--db", str(db_file), "--json"]) == 0  # no --map: remembered
    assert json.loads(capsys.readouterr().out)["files"][0]["status"] == "imported"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("所属部署=level:NOPE-1", '"NOPE-1", which is not an item key'),
        ("温度感 [障害]=category_importance:X", "not a category"),
    ],
)
def test_a_map_to_an_item_or_category_the_model_lacks_is_refused(capsys, tmp_path, db_file, mapping, message):
    path = tmp_path / "回答.csv"
    path.write_bytes(DEPT_FORM)
    assert main(["import", str(path), "--db", str(db_file), "--map", mapping]) == 1
    assert message in capsys.readouterr().out


def test_a_malformed_map_is_a_usage_error(capsys, tmp_path, db_file):
    with pytest.raises(SystemExit) as exit_:
        main(["import", "x.csv", "--db", str(db_file), "--map", "所属部署=colour"])
    assert exit_.value.code == 2
    assert '"colour" is not a role' in capsys.readouterr().err


def test_the_command_line_summarises_what_an_import_created(capsys, tmp_path, db_file):
    path = tmp_path / "回答.csv"
    path.write_bytes(form(FORM_HEADER, MIXED))
    assert main(["import", str(path), "--db", str(db_file)]) == 0
    out = capsys.readouterr().out
    assert "created round '2024-H1', 4 products and 4 teams" in out
    assert "created team" not in out
    assert main(["--lang", "ja", "import", str(path), "--db", str(tmp_path / "b.duckdb"), "--dry-run"]) == 0
    assert "ラウンド「2024-H1」、プロダクト 4 件、チーム 4 件を作成します" in capsys.readouterr().out


# --- Miro ----------------------------------------------------------------------------------------------------

BOARD = (
    "\ufeffSREヒアリング ワークショップ｜GLOBIS 学び放題｜2024-05-21\r\n"
    "困っていること,,\r\n"
    '"<img src=x onerror=alert(1)>","<script>alert(1)</script>アラートが多い",夜間対応がつらい\r\n'
    "やりたいこと,,\r\n"
    ',,"ポストモーテムのテンプレートがほしい ""誰が書くか""も決めたい"\r\n'
).encode()


def test_a_board_title_proposes_the_product_and_date_and_its_notes_are_the_product_s(con, model):
    report, rows = importer.preview(con, "board.csv", BOARD, model, importer.ImportOptions())
    assert (report.status, report.layout, report.notes) == ("imported", "miro", 4)
    said = [text(m, "en", "page") for m in report.messages]
    assert any(s.startswith('the board\'s title "SREヒアリング ワークショップ｜GLOBIS 学び放題｜2024-05-21" proposes '
                            'the product "GLOBIS 学び放題"') for s in said)  # fmt: skip
    assert any("proposes the date 2024-05-21" in s for s in said)
    assert any(
        s.startswith("4 notes name no team: they attach to no team and show as the product's notes") for s in said
    )
    assert set(rows["product"]) == {"GLOBIS 学び放題"} and rows["team"].isna().all()
    # markup is text: kept verbatim, never run, never dropped
    assert rows["text"].tolist()[:2] == ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>アラートが多い"]
    assert "SREヒアリング" not in " ".join(rows["group"].dropna())
    chosen = importer.preview(con, "board.csv", BOARD, model, importer.ImportOptions(product="学び放題"))[1]
    assert set(chosen["product"]) == {"学び放題"}


def test_a_board_titled_workshop_dash_product_proposes_the_product_and_a_dashed_frame_stays_a_frame(con, model):
    titled = "SREワークショップ — ポイント基盤\r\n困っていること,,\r\nアラートが多い,夜間対応がつらい,\r\n".encode()
    report, rows = importer.preview(con, "board.csv", titled, model, importer.ImportOptions())
    said = [text(m, "en", "page") for m in report.messages]
    assert any(s.startswith('the board\'s title "SREワークショップ — ポイント基盤" proposes the product "ポイント基盤"')
               for s in said)  # fmt: skip
    assert set(rows["product"]) == {"ポイント基盤"} and set(rows["group"]) == {"困っていること"}
    framed = "課題 — 監視\r\nアラートが多い,夜間対応がつらい,\r\n".encode()  # names no workshop: a frame's title
    report, rows = importer.preview(con, "board.csv", framed, model, importer.ImportOptions(product="学び放題"))
    assert set(rows["group"]) == {"課題 — 監視"} and set(rows["product"]) == {"学び放題"}


# A board laid out a frame per item, as facilitators do: frames titled by key, by title (ja or en), by something
# that is no item; notes that name their item themselves keep it.
ITEM_FRAMES = (
    "\ufeffSRE workshop｜学び放題｜2024-05-21\r\n"
    "OBS-5 監視ツールの役割,,\r\n"
    "誰も見ていない,請求が誰の予算か分からない,ダッシュボードが多すぎる\r\n"
    "SLOの合意,,\r\n"
    "まだ話していない,ランブックが古い,\r\n"
    "Error budget policy,,\r\n"
    ",使い切ったら止める?,\r\n"
    "良かったこと,,\r\n"
    ",朝会が短くなった,Grafanaのダッシュボードが見やすい\r\n"
).encode()


def test_notes_that_name_no_item_take_the_item_their_frame_is_titled_after(con, model):
    report = importer.import_file(con, "board.csv", ITEM_FRAMES, model, importer.ImportOptions(team="検索チーム"))
    assert (report.status, report.notes) == ("imported", 8)
    linked = {n: (i, by) for n, i, by in store.rows(con, "SELECT text, item_key, linked_by FROM notes")}
    assert linked == {
        "誰も見ていない": ("OBS-5", "rule"),  # the frame names the key
        "請求が誰の予算か分からない": ("OBS-5", "rule"),
        "ダッシュボードが多すぎる": ("OBS-5", "rule"),  # a keyword of OBS-1 says less than the frame's key
        "まだ話していない": ("SLO-2", "rule"),  # the frame is the item's Japanese title
        "ランブックが古い": ("INC-2", "rule"),  # it names another item's title itself: that wins
        "使い切ったら止める?": ("SLO-3", "rule"),  # the English title
        "朝会が短くなった": (None, None),  # a frame that is no item links nothing
        "Grafanaのダッシュボードが見やすい": ("OBS-1", "rule"),  # there, a note's keywords link it
    }


def test_an_api_export_links_a_note_by_its_frame_title_too(con, model):
    payload = {"type": "cursor-list", "data": [
        {"id": "1", "type": "frame", "data": {"title": "エラーバジェットの運用"}},
        {"id": "2", "type": "sticky_note", "data": {"content": "<p>止める基準がない</p>"}, "parent": {"id": "1"}},
        {"id": "3", "type": "sticky_note", "data": {"content": "<p>どこにも属さない</p>"}},
    ]}  # fmt: skip
    data = json.dumps(payload, ensure_ascii=False).encode()
    report, rows = importer.preview(con, "board.json", data, model, importer.ImportOptions(product="学び放題"))
    assert report.status == "imported"
    items = rows.set_index("text")["item"]
    assert items["止める基準がない"] == "SLO-3" and pd.isna(items["どこにも属さない"])


def test_a_product_s_notes_show_with_every_team_of_the_product(con, model):
    importer.import_file(con, "回答.csv", form(FORM_HEADER, MIXED[:2]), model, importer.ImportOptions())
    report = importer.import_file(con, "board.csv", BOARD, model, importer.ImportOptions(product="学び放題"))
    assert report.status == "imported"
    notes = feedback.notes_table(con, product="学び放題", team="検索")
    assert len(notes) == 4 and notes["team"].isna().all()


def test_a_flattened_sticky_of_nothing_but_html_is_kept_as_literal_text_and_said(con, model):
    flat = (
        "id,type,parent,content,fillColor\r\n"
        '1,frame,,課題,\r\n'
        '2,sticky_note,1,"<p>アラートが<b>多い</b></p>",yellow\r\n'
        '3,sticky_note,1,"<img src=x onerror=alert(1)>",red\r\n'
    ).encode()  # fmt: skip
    report, rows = importer.preview(con, "flat.csv", flat, model, importer.ImportOptions(product="学び放題"))
    assert rows["text"].tolist() == ["アラートが多い", "<img src=x onerror=alert(1)>"]
    assert "the sticky on row 4 is nothing but HTML, so it was kept as literal text: <img src=x onerror=alert(1)>" in [
        text(m, "en", "cli") for m in report.messages
    ]
