"""mappings: the column roles a person chose on an earlier import, listed and forgotten from the command line as
on the Import page (`opmaturity mapping list|forget`), with the audit saying who forgot what; and a header that
names two roles, which is reported as ambiguous and left for a person to choose, never silently read or dropped."""

from __future__ import annotations

import csv
import io
import json

import pytest

from opmaturity import audit, importer, mappings, store, ui
from opmaturity.auth import VIEWER, operator
from opmaturity.errors import OpmaturityError
from opmaturity.formats.roles import candidates, header_role
from tests.test_cli import cli, snapshot
from tests.test_column_roles import DEPT_FORM, form
from tests.test_pages import open_page, texts


@pytest.fixture
def mapped(tmp_path, db_file):
    """A database that remembers two choices made with `import --map`: 所属部署 is the product, 温度感 [障害] the
    importance of the category INC."""
    path = tmp_path / "回答.csv"
    path.write_bytes(DEPT_FORM)
    done = cli("import", path, "--db", db_file, "--map", "所属部署=product",
               "--map", "温度感 [障害]=category_importance:INC")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def test_mapping_list_shows_each_remembered_header_with_its_role_and_key(mapped, db_file):
    listed = cli("mapping", "list", "--db", db_file, "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == [
        {"header": "所属部署", "role": "product", "key": None},
        {"header": "温度感 [障害]", "role": "category_importance", "key": "INC"},
    ]
    text = cli("mapping", "list", "--db", db_file, "--lang", "ja")
    assert text.stdout.splitlines() == [
        "所属部署 → プロダクト",
        "温度感 [障害] → カテゴリの温度感: INC インシデント対応",
    ]


def test_mapping_forget_takes_the_header_as_the_file_wrote_it_and_the_next_file_is_read_afresh(mapped, db_file):
    gone = cli("mapping", "forget", "所属部署", "--db", db_file)
    assert (gone.returncode, gone.stdout) == (
        0, "Forgot 1 remembered column role (the next file is read from its headers again):\n  - 所属部署\n",
    )  # fmt: skip
    assert json.loads(cli("mapping", "list", "--db", db_file, "--json").stdout) == [
        {"header": "温度感 [障害]", "role": "category_importance", "key": "INC"}
    ]
    # full-width brackets and doubled spaces: the header as another export writes it
    assert cli("mapping", "forget", "温度感　　［障害］", "--db", db_file, "--lang", "ja").returncode == 0
    assert cli("mapping", "list", "--db", db_file, "--lang", "ja").stdout == "記憶している列の役割はありません。\n"
    mapped.write_bytes(DEPT_FORM.replace(b"2024/05/20", b"2024/11/20"))  # the next round's export
    again = cli("import", mapped, "--db", db_file, "--dry-run", "--json")
    problems = json.loads(again.stdout)["files"][0]["problems"]
    assert again.returncode == 1 and [p["column"] for p in problems] == ["温度感 [障害]", ""]
    assert 'name the column that holds it (--map "HEADER=product")' in problems[1]["message"]
    con = store.connect(db_file)
    try:
        log = audit.recent(con)
        forgotten = log[log["action"] == "mapping_forget"]
        assert forgotten["subject"].tolist() == ["温度感 [障害]", "所属部署"]
        assert set(forgotten["actor"]) == {operator().name}
    finally:
        con.close()


def test_forgetting_a_header_nobody_mapped_names_it_and_the_nearest_and_forgets_nothing(mapped, db_file):
    before = snapshot(db_file)
    refused = cli("mapping", "forget", "所属部署", "所属部", "--db", db_file)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "error: Nothing was forgotten; the remembered column roles are unchanged.",
        '  - no role is remembered for "所属部"; remembered headers include "所属部署" '
        "(opmaturity mapping list shows all)",
    ]
    ja = cli("mapping", "forget", "部署", "--db", db_file, "--lang", "ja")
    assert "見出し「部署」の役割は記憶されていません。記憶している見出し: 「所属部署」" in ja.stderr
    assert snapshot(db_file) == before


def test_a_viewer_cannot_forget_and_nothing_changes(con, model):
    store.remember_mapping(con, "所属部署", "product")
    with pytest.raises(OpmaturityError) as refused:
        mappings.forget(con, ["所属部署"], actor=VIEWER)
    assert refused.value.title_text("en") == "Only an admin can change data."
    assert store.header_mappings(con) == {"所属部署": "product"}
    with pytest.raises(OpmaturityError) as nothing:
        mappings.forget(con, ["  "])
    assert nothing.value.text("en") == (
        "Nothing was forgotten; the remembered column roles are unchanged.\n- name at least one header to forget."
    )


# --- a header naming two roles ---------------------------------------------------------------------------------

BOTH = ["タイムスタンプ", "メールアドレス", "担当チーム/プロダクト", "あなたのロール", "現状レベル [ランブック]"]
BOTH_FORM = form(BOTH, [["2024/05/20 10:31:00 午前 GMT+9", "a@example.co.jp", "検索", "開発", "2"],
                        ["2024/05/20 11:02:13 午前 GMT+9", "b@example.co.jp", "検索", "SRE", "1"]])  # fmt: skip


@pytest.mark.parametrize(
    ("header", "roles"),
    [("担当チーム/プロダクト", ("product", "team")), ("Which product team are you on?", ("product", "team")),
     ("Your role in the team", ("team", "rater")), ("対象プロダクト（必須）", ("product",)), ("SLOの合意", ())],
)  # fmt: skip
def test_a_header_names_every_role_it_holds_and_one_role_only_when_it_is_alone(header, roles):
    assert candidates(header) == roles
    assert header_role(header) == (roles[0] if len(roles) == 1 else None)


def test_a_column_naming_two_roles_is_reported_ambiguous_with_both_and_read_once_a_role_is_chosen(tmp_path, db_file):
    path = tmp_path / "回答.csv"
    path.write_bytes(BOTH_FORM)
    refused = cli("import", path, "--db", db_file, "--dry-run", "--json", "--product", "学び放題")
    result = json.loads(refused.stdout)["files"][0]
    assert (refused.returncode, result["status"], result["responses"]) == (1, "rejected", 0)
    (column,) = [c for c in result["columns"] if c["column"] == "担当チーム/プロダクト"]
    assert column == {"sheet": "", "column": "担当チーム/プロダクト", "role": None, "key": None, "how": "ambiguous",
                      "candidates": ["product", "team"]}  # fmt: skip
    (problem,) = result["problems"]
    assert (problem["row"], problem["column"]) == (1, "担当チーム/プロダクト")
    assert problem["message"] == (
        'column "担当チーム/プロダクト" names more than one role (product, team); none is chosen for you: name its '
        'role on import (--map "HEADER=ROLE"), or ignore it (--map "HEADER=ignore")'
    )
    ja = cli("import", path, "--db", db_file, "--dry-run", "--lang", "ja", "--product", "学び放題")
    assert "列「担当チーム/プロダクト」の見出しは複数の役割（プロダクト、チーム）に当てはまります" in ja.stdout
    chosen = cli(
        "import", path, "--db", db_file, "--json", "--product", "学び放題", "--map", "担当チーム/プロダクト=team"
    )
    result = json.loads(chosen.stdout)["files"][0]
    assert (chosen.returncode, result["status"], result["responses"]) == (0, "imported", 2)
    (column,) = [c for c in result["columns"] if c["column"] == "担当チーム/プロダクト"]
    assert (column["role"], column["how"], column["candidates"]) == ("team", "mapped", [])
    assert query_teams(db_file) == [("学び放題", "検索")]


def query_teams(db_file):
    con = store.connect(db_file)
    try:
        return store.rows(con, "SELECT p.name, t.name FROM teams t JOIN products p USING (product_id)")
    finally:
        con.close()


def test_an_ambiguous_column_whose_roles_other_columns_hold_is_left_out_and_said_so(con, model):
    header = ["タイムスタンプ", "メールアドレス", "対象プロダクト", "チーム名", "Which product team are you on?",
              "あなたのロール", "現状レベル [ランブック]"]  # fmt: skip
    data = form(header, [["2024/05/20 10:31:00 午前 GMT+9", "a@example.co.jp", "学び放題", "検索", "検索2", "開発",
                          "2"]])  # fmt: skip
    report = importer.import_file(con, "回答.csv", data, model, importer.ImportOptions())
    assert (report.status, report.answered) == ("imported", 1)
    assert (
        'column "Which product team are you on?" names more than one role (product, team), but other columns hold '
        "each of them, so it was left out (its role can be chosen)" in report.messages
    )
    (column,) = [c for c in report.columns if c.how == "ambiguous"]
    assert (column.header, column.candidates) == ("Which product team are you on?", ("product", "team"))


def test_a_tidy_column_naming_two_roles_is_a_problem_and_nothing_is_offered_for_skipping(con, model):
    data = "プロダクト/チーム,回答者ロール,項目,現状レベル\r\n学び放題,SRE,OBS-1,2\r\n".encode()
    report = importer.import_file(con, "tidy.csv", data, model, importer.ImportOptions())
    assert (report.status, report.skippable) == ("rejected", False)
    assert [p.column for p in report.problems] == ["プロダクト/チーム"]
    assert [(c.header, c.how) for c in report.columns][0] == ("プロダクト/チーム", "ambiguous")
    assert store.scalar(con, "SELECT count(*) FROM responses") == 0


def test_the_import_page_offers_an_ambiguous_column_s_roles_and_previews_the_choice(demo_db):
    at = open_page("import_page")
    at.file_uploader(key="uploads").upload("回答.csv", BOTH_FORM, "text/csv").run()
    (said,) = [f.value for f in at.dataframe if "内容" in f.value.columns][0]["内容"]
    assert said == (
        "列「担当チーム/プロダクト」の見出しは複数の役割（プロダクト、チーム）に当てはまります。どれかに決めることは"
        "しません: 下の「列の役割」でこの列の役割（または「無視」）を選んでください"
    )
    role = at.selectbox(key=ui.widget_key("imp_map", "担当チーム/プロダクト"))
    assert (role.value, role.options[:3]) == (None, ["（未選択: プロダクト、チームのどれか）", "プロダクト", "チーム"])
    role.set_value("product").run()
    assert "回答.csv: 取り込み可能（試行）" in texts(at)
    preview = [f.value for f in at.dataframe if "product" in f.value.columns][0]
    assert set(preview["product"]) == {"検索"}


# --- a hand-made workbook reports its columns too ----------------------------------------------------------------


def hand_made() -> bytes:
    """A sheet as people make it: a title naming the product, a date label, the header, a notes column of its own."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "学び放題"
    sheet.append(["プロダクト運用成熟度チェック — 学び放題"])
    sheet.append(["実施日：", datetime(2024, 5, 20)])
    sheet.append([])
    sheet.append(["カテゴリ", "項目", "SRE評価", "PT評価", "気づいたこと"])
    sheet.append(["監視・アラート", "サービスダッシュボード", 3, 2, "SLO ダッシュボードがない"])
    sheet.append([None, "外形監視", 1, "2", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_hand_made_workbook_reports_each_column_s_role_and_reads_a_role_a_person_chose(tmp_path, db_file):
    path = tmp_path / "成熟度チェック.xlsx"
    path.write_bytes(hand_made())
    first = cli("import", path, "--db", db_file, "--dry-run", "--json")
    result = json.loads(first.stdout)["files"][0]
    assert (first.returncode, result["layout"], result["responses"]) == (0, "workbook", 4)
    assert [(c["sheet"], c["column"], c["role"], c["how"]) for c in result["columns"]] == [
        ("学び放題", "カテゴリ", "category", "header"), ("学び放題", "項目", "item", "header"),
        ("学び放題", "SRE評価", "level", "header"), ("学び放題", "PT評価", "level", "header"),
        ("学び放題", "気づいたこと", "ignore", "unknown"),
    ]  # fmt: skip
    chosen = cli("import", path, "--db", db_file, "--json", "--map", "気づいたこと=comment")
    result = json.loads(chosen.stdout)["files"][0]
    assert (result["status"], result["columns"][-1]["role"], result["columns"][-1]["how"]) == (
        "imported", "comment", "mapped",
    )  # fmt: skip
    con = store.connect(db_file)
    try:
        assert store.rows(con, "SELECT item_key, rater, level, comment FROM responses ORDER BY 1, 2") == [
            ("OBS-1", "sre", 3, "SLO ダッシュボードがない"), ("OBS-1", "team", 2, "SLO ダッシュボードがない"),
            ("OBS-4", "sre", 1, None), ("OBS-4", "team", 2, None),
        ]  # fmt: skip
    finally:
        con.close()


# --- a re-exported board --------------------------------------------------------------------------------------------

BOARD = [
    ["SREヒアリング ワークショップ｜GLOBIS 学び放題｜2024-05-21", "", ""],
    ["監視の振り返り", "", ""],
    ["Datadogのダッシュボードが古い", "アラートが多すぎる\n夜間に鳴る", "Sentryの通知先が不明"],
    ["インシデント対応", "", ""],
    ["ランブックがない", "", "オンコールが一人に偏っている"],
    ["", "", 'ポストモーテムのテンプレートがほしい "誰が書くか"も決めたい'],
]


def board_csv(rows: list[list[str]]) -> bytes:
    """Miro's "Export to spreadsheet (CSV)": a BOM, no header, the board laid out in cells."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_a_board_re_exported_with_one_note_edited_keeps_five_unchanged_and_swaps_the_edited_one(con, model):
    first = importer.import_file(con, "Board.csv", board_csv(BOARD), model, importer.ImportOptions())
    assert (first.status, first.notes) == ("imported", 6)
    edited = [list(row) for row in BOARD]
    edited[4][2] = "オンコールが一人に偏っている（交代制にしたい）"
    again = importer.import_file(con, "Board (1).csv", board_csv(edited), model, importer.ImportOptions())
    assert "notes: 1 new, 0 replaced (edited), 5 unchanged, 1 no longer on the board" in again.messages
    live = "SELECT text FROM notes WHERE superseded_by IS NULL ORDER BY note_id"
    assert [t for (t,) in store.rows(con, live)][-2:] == [
        "オンコールが一人に偏っている（交代制にしたい）", 'ポストモーテムのテンプレートがほしい "誰が書くか"も決めたい',
    ]  # fmt: skip
    assert store.scalar(con, "SELECT count(*) FROM notes WHERE superseded_by IS NULL") == 6
    store.undo_import(con, 2)
    assert "オンコールが一人に偏っている" in [t for (t,) in store.rows(con, live)]
    assert store.scalar(con, "SELECT count(*) FROM notes WHERE superseded_by IS NULL") == 6


TWICE = "プロダクト,チーム,回答者ロール,項目,現状レベル,現状レベル\r\n学び放題,検索,SRE,OBS-1,1,4\r\n".encode()


def test_two_columns_under_one_header_are_never_offered_a_choice_by_header_that_would_hit_both(tmp_path, db_file):
    path = tmp_path / "tidy.csv"
    path.write_bytes(TWICE)
    refused = json.loads(cli("import", path, "--db", db_file, "--dry-run", "--json").stdout)["files"][0]
    (problem,) = refused["problems"]
    assert problem["message"] == (
        'columns "現状レベル" and "現状レベル" both hold the level; neither is chosen for you: they share one header, '
        "so rename or delete one of them in the file"
    )
    assert "--map" not in problem["message"]


def test_the_import_page_does_not_offer_a_header_two_columns_share(demo_db):
    at = open_page("import_page")
    at.file_uploader(key="uploads").upload("tidy.csv", TWICE, "text/csv").run()
    assert ui.widget_key("imp_map", "現状レベル") not in [s.key for s in at.selectbox]
    (said,) = [f.value for f in at.dataframe if "内容" in f.value.columns][0]["内容"]
    assert said.endswith("見出しが同じなので、ファイルで一方の列名を変えるか、一方を消してください")
