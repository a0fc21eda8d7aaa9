"""Survey exports as people really build them: question-style headers, hints in brackets, both raters and several
products in one file, Excel's cp932 re-save. They import with no mapping."""

from __future__ import annotations

import csv
import datetime
import io

from opmaturity import importer, store

HEADER = [
    "タイムスタンプ", "メールアドレス", "対象プロダクト", "所属チーム（任意）", "あなたのロール", "お名前",
    "現状レベル [監視・アラート: サービスダッシュボード]", "現状レベル [監視・アラート: 外形監視]",
    "温度感（1=低・3=高） [監視・アラート]", "自由記述（困っていること・要望）",
]  # fmt: skip
ROWS = [
    ["2024/05/20 10:31:00 午前 GMT+9", "tanaka@example.co.jp", "学び放題", "検索チーム",
     "プロダクトチーム（開発・PdM・QA）", "田中 花子", "3 運用・計測", "2", "3", "夜間のアラートが多い"],
    ["2024/05/20 11:02:13 午前 GMT+9", "sre-suzuki@example.co.jp", "学び放題", "検索チーム", "SRE", "鈴木 一郎",
     "2", "N/A", "", ""],
    ["2024/05/21 3:15:40 午後 GMT+9", "takahashi@example.co.jp", "ポイント基盤", "ポイント交換", "インフラ", "髙橋 ①",
     "１", "0 未着手", "2", "①ダッシュボードがない"],
]  # fmt: skip


def _csv(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def test_a_japanese_google_form_with_question_headers_imports_with_no_mapping(con, model):
    report = importer.import_file(con, "回答.csv", _csv(ROWS), model, importer.ImportOptions())
    assert (report.status, report.layout, report.problems, report.unmapped_headers) == (
        "imported", "google_forms", [], [],
    )  # fmt: skip
    teams = store.rows(con, "SELECT p.name, t.name FROM teams t JOIN products p USING (product_id) ORDER BY 1")
    assert teams == [("ポイント基盤", "ポイント交換"), ("学び放題", "検索チーム")]
    raters = store.rows(con, "SELECT DISTINCT rater FROM responses ORDER BY 1")
    assert raters == [("sre",), ("team",)]
    # the category importance grid gives every item of the category the team's importance
    importance = store.rows(con, "SELECT DISTINCT item_key, importance FROM responses WHERE rater = 'team'")
    assert sorted(importance) == [("OBS-1", 3), ("OBS-4", 3)]  # サービスダッシュボード, 外形監視
    levels = dict(store.rows(con, "SELECT item_key, level FROM responses WHERE respondent IN "
                                  "(SELECT respondent FROM responses WHERE rater = 'sre' AND level = 1)"))  # fmt: skip
    assert levels == {"OBS-1": 1, "OBS-4": 0}  # full-width １ and a level label


def test_the_same_form_saved_by_excel_as_cp932_imports_the_same(con, model):
    report = importer.import_file(con, "回答_excel.csv", _csv(ROWS, "cp932"), model, importer.ImportOptions())
    assert (report.status, report.problems) == ("imported", [])
    assert store.scalar(con, "SELECT count(*) FROM teams") == 2
    assert "髙橋" not in str(store.rows(con, "SELECT respondent FROM responses"))  # pseudonyms only


def test_an_english_form_names_product_team_and_role_in_questions(con, model):
    header = ["Timestamp", "Email address", "Which product do you work on?", "Your team", "Your role",
              "Current level [Monitoring & alerting: Service dashboards]"]  # fmt: skip
    rows = [["2024/05/20 10:31:00", "a@example.com", "Shop", "Checkout", "developer", "2"],
            ["2024/05/20 10:35:00", "b@example.com", "Shop", "Checkout", "SRE", "3"]]  # fmt: skip
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    report = importer.import_file(con, "form.csv", out.getvalue().encode(), model, importer.ImportOptions())
    assert (report.status, report.problems, report.unmapped_headers) == ("imported", [], [])
    assert store.rows(con, "SELECT rater, level FROM responses ORDER BY rater") == [("sre", 3), ("team", 2)]


def test_free_text_answers_are_kept_as_the_respondents_comments_and_can_be_searched(con, model):
    from opmaturity import feedback

    report = importer.import_file(con, "回答.csv", _csv(ROWS), model, importer.ImportOptions())
    assert report.status == "imported" and report.notes == 2  # the SRE row left it blank
    notes = feedback.notes_table(con, None, query="ダッシュボード")
    assert notes["text"].tolist() == ["①ダッシュボードがない"]
    assert (notes["product"].iloc[0], notes["team"].iloc[0]) == ("ポイント基盤", "ポイント交換")
    assert store.scalar(con, "SELECT count(*) FROM notes WHERE author IS NULL") == 0  # a pseudonym, never a name
    assert "髙橋" not in str(store.rows(con, "SELECT author FROM notes"))


# A form that asks one item's level per submission (a question "項目" with a dropdown of items, then "現状レベル"):
# its export is a tidy table with a timestamp. An outside review saw it read as a grid form: "imported", 0 answers,
# and every row "an exact duplicate" of another.
PER_ITEM = [
    ["タイムスタンプ", "メールアドレス", "プロダクト", "チーム", "回答者ロール", "項目", "現状レベル", "重要度",
     "コメント"],
    ["2024/05/20 7:41:40 午後 GMT+9", "tanaka@example.co.jp", "髙橋サービス①", "基盤チーム", "開発", "OBS-1", "３",
     "高", "夜間のアラートが多い"],
    ["2024/05/20 7:41:40 午後 GMT+9", "tanaka@example.co.jp", "髙橋サービス①", "基盤チーム", "開発", "OBS-2",
     "レベル1", "中", ""],
    ["2024/05/21 9:02:13 午前 GMT+9", "sre@example.co.jp", "髙橋サービス①", "基盤チーム", "SRE", "OBS-1", "2", "", ""],
]  # fmt: skip


def test_a_form_answered_item_by_item_is_read_as_a_tidy_table_dated_by_its_timestamps(con, model):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(PER_ITEM)
    data = out.getvalue().encode("cp932")
    report = importer.import_file(con, "項目ごとの回答.csv", data, model, importer.ImportOptions())
    assert (report.status, report.layout, report.problems) == ("imported", "tidy", [])
    said = [m.text("en") for m in report.messages]
    assert any("a form export, but one answer per row under item and level columns" in m for m in said), said
    assert not [m for m in said if "duplicate" in m]
    rows = store.rows(con, "SELECT item_key, rater, level FROM responses ORDER BY rater, item_key")
    assert rows == [("OBS-1", "sre", 2), ("OBS-1", "team", 3), ("OBS-2", "team", 1)]
    assert store.rows(con, "SELECT name FROM rounds") == [("2024-H1",)]  # from the timestamps, not today
    assert store.rows(con, "SELECT DISTINCT assessed_on FROM responses ORDER BY 1") == [
        (datetime.date(2024, 5, 20),), (datetime.date(2024, 5, 21),)
    ]  # fmt: skip
    assert "tanaka" not in str(store.rows(con, "SELECT respondent FROM responses"))


def test_a_microsoft_form_answered_item_by_item_is_dated_by_its_completion_time(con, model):
    header = ["ID", "開始時刻", "完了時刻", "メール", "名前", "プロダクト", "チーム", "回答者ロール", "項目", "レベル"]
    rows = [[n, f"2024/5/20 10:0{n}", f"2024/6/3 10:0{n}", "anonymous", "", "Shop", "Checkout", "developer", item, "2"]
            for n, item in (("1", "OBS-1"), ("2", "OBS-2"))]  # fmt: skip
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    report = importer.import_file(con, "ms.csv", out.getvalue().encode("utf-8-sig"), model, importer.ImportOptions())
    assert (report.status, report.layout, report.problems) == ("imported", "tidy", [])
    assert store.rows(con, "SELECT DISTINCT assessed_on FROM responses") == [(datetime.date(2024, 6, 3),)]


def test_invisible_format_characters_never_split_or_disguise_a_name(con, model):
    """An outside review: 学び\\u200b放題 and 学び放題\\ufeff looked like 学び放題 and made products of their own; a
    right-to-left override showed a team backwards; a product of nothing but \\u200b was created."""
    rows = [
        ["プロダクト", "チーム", "回答者ロール", "回答者", "項目", "現状レベル"],
        ["学び放題", "検索チーム", "開発", "a", "OBS-1", "2"],
        ["学び\u200b放題", "検索\u2066チーム\u2069", "開発", "b", "OBS-1", "3"],
        ["\ufeff学び放題", "\u202e検索チーム", "開発", "c", "OBS-1", "1"],
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    report = importer.import_file(con, "names.csv", out.getvalue().encode("utf-8"), model, importer.ImportOptions())
    assert (report.status, report.problems) == ("imported", [])
    assert store.rows(con, "SELECT p.name, t.name FROM teams t JOIN products p USING (product_id)") == [
        ("学び放題", "検索チーム")
    ]  # fmt: skip
    rows[1][0] = "\u200b"  # a name of nothing visible is no name
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    report = importer.import_file(con, "names2.csv", out.getvalue().encode("utf-8"), model, importer.ImportOptions())
    assert report.status == "rejected" and "the product is empty" in report.problems[0].text("en")
