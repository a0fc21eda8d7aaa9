"""The command line's newer commands: --version, actions, tiers, team workbooks, the form script, backups,
and a round that nothing places in time."""

from __future__ import annotations

import json

import duckdb
import pytest

from opmaturity import __version__
from opmaturity.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def query_actions(path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT * FROM actions ORDER BY action_id").fetchall()


@pytest.fixture
def db(demo_db):
    return demo_db


def test_version_names_the_package_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"opmaturity {__version__}"


def test_an_action_is_added_changed_and_listed_as_json_with_the_contract_fields(capsys, db):
    where = ["--product", "学び放題", "--team", "検索チーム", "--item", "OBS-1"]
    code, out, _ = run(capsys, "action", "add", *where, "--title", "ダッシュボードを作る", "--due", "2026-12-31",
                       "--db", db, "--lang", "en")  # fmt: skip
    assert code == 0 and out.startswith("Recorded action #")
    action_id = int(out.split("#")[1].split()[0])
    assert run(capsys, "action", "set", action_id, "--status", "doing", "--owner", "山田", "--db", db)[0] == 0
    code, out, _ = run(capsys, "action", "list", "--team", "検索チーム", "--json", "--db", db)
    listed = json.loads(out)
    mine = next(a for a in listed if a["id"] == action_id)
    assert list(mine) == ["id", "product", "team", "item", "title", "owner", "status", "due", "round", "created_at",
                          "updated_at"]  # fmt: skip
    assert (mine["status"], mine["owner"], mine["due"], mine["item"]) == ("doing", "山田", "2026-12-31", "OBS-1")
    assert all(a["team"] == "検索チーム" for a in listed)


def test_a_wrong_action_is_a_message_in_the_users_language_and_exit_1(capsys, db):
    code, _, err = run(capsys, "action", "add", "--product", "学び放題", "--team", "検索チーム", "--item", "OBS-99",
                       "--title", "x", "--db", db, "--lang", "ja")  # fmt: skip
    assert code == 1 and "モデルに項目「OBS-99」はありません。" in err and "Traceback" not in err


def test_a_product_gets_a_tier_and_an_unknown_tier_lists_the_known_ones(capsys, db):
    assert run(capsys, "product", "set", "学び放題", "--tier", "T2", "--db", db)[0] == 0
    code, _, err = run(capsys, "product", "set", "学び放題", "--tier", "T9", "--db", db, "--lang", "en")
    assert code == 1 and 'There is no tier "T9". Tiers: T1, T2, T3.' in err


def test_workbook_and_form_are_written(capsys, db, tmp_path):
    book = tmp_path / "team.xlsx"
    assert run(capsys, "workbook", "--product", "学び放題", "--team", "検索チーム", "--out", book, "--db", db)[0] == 0
    assert book.read_bytes()[:2] == b"PK"
    script = tmp_path / "form.gs"
    assert run(capsys, "form", "--out", script)[0] == 0
    assert "function createForm()" in script.read_text(encoding="utf-8")


def test_backup_then_restore_into_a_new_file_and_never_over_an_old_one(capsys, db, tmp_path):
    assert run(capsys, "backup", "--out", tmp_path / "bk", "--db", db)[0] == 0
    code, out, _ = run(capsys, "restore", tmp_path / "bk", "--db", tmp_path / "new.duckdb", "--lang", "en")
    assert code == 0 and out.startswith("Restored into")
    code, _, err = run(capsys, "restore", tmp_path / "bk", "--db", db, "--lang", "en")
    assert code == 1 and "already exists" in err


def test_a_new_round_that_nothing_dates_is_refused_until_a_date_is_given(capsys, tmp_path):
    csv = tmp_path / "answers.csv"
    csv.write_text("プロダクト,チーム,回答者ロール,項目,現状レベル\n学び放題,A,SRE,OBS-1,2\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    code, out, _ = run(capsys, "import", csv, "--round", "春のヒアリング", "--db", db, "--json", "--lang", "en")
    problem = json.loads(out)["files"][0]["problems"][0]["message"]
    assert code == 1 and "has no place in time" in problem and "--round-date" in problem
    code, _, _ = run(capsys, "import", csv, "--round", "春のヒアリング", "--round-date", "2024-05-20", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "summary", "--json", "--db", db)
    assert json.loads(out)["round"] == "春のヒアリング"


def test_a_round_named_for_its_period_needs_no_date(capsys, tmp_path):
    csv = tmp_path / "answers.csv"
    csv.write_text("プロダクト,チーム,回答者ロール,項目,現状レベル\n学び放題,A,SRE,OBS-1,2\n", encoding="utf-8")
    assert run(capsys, "import", csv, "--round", "令和6年度下期", "--db", tmp_path / "x.duckdb")[0] == 0


def test_text_from_a_file_never_reaches_the_terminal_as_control_characters(capsys, tmp_path):
    csv = tmp_path / "answers.csv"
    csv.write_text(
        "プロダクト,チーム,回答者ロール,項目,現状レベル\n\x1b[31m学び放題\x07,A,SRE,OBS-1,9\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "import", csv, "--round", "2024-H1", "--db", tmp_path / "x.duckdb", "--lang", "en")
    assert code == 1 and "\x1b" not in out + err and "\x07" not in out + err
    assert 'got "9"' in out  # the problem is still said in full


def test_an_action_set_with_nothing_to_change_says_so_and_changes_nothing(capsys, db):
    """`action set 1` with no option said "Updated action #1" (an outside review)."""
    before = query_actions(db)
    code, out, err = run(capsys, "action", "set", "1", "--db", db, "--lang", "ja")
    assert code == 1 and out == ""
    assert err.strip() == (
        "エラー: 改善アクション #1 の何を変えるか指定してください（--status、--owner、--due）。何も変更していません"
    )
    assert query_actions(db) == before


def test_a_workbook_for_a_team_not_in_the_database_is_written_and_says_it_will_make_a_new_team(capsys, db, tmp_path):
    """A typo in --team wrote a workbook that would import as a new team, without a word (an outside review)."""
    book = tmp_path / "new.xlsx"
    code, out, err = run(capsys, "workbook", "--product", "学び放題", "--team", "検索チー", "--out", book, "--db", db,
                         "--lang", "ja")  # fmt: skip
    assert code == 0 and book.read_bytes()[:2] == b"PK"
    lines = err.strip().splitlines()
    assert lines[0] == (
        "注意: プロダクト「学び放題」のチーム「検索チー」はまだデータベースにありません。"
        "前回のレベルは空欄で、記入して取り込むと新しいチームになります。"
    )
    assert lines[1].startswith("  「学び放題」のチーム: ") and "検索チーム" in lines[1]
    code, _, err = run(capsys, "workbook", "--product", "学び放", "--team", "検索チーム", "--out", book, "--db", db)
    assert code == 0 and err.strip().splitlines()[1].startswith("  Products: ") and "学び放題" in err
    assert run(capsys, "workbook", "--product", "学び放題", "--team", "検索チーム", "--out", book, "--db", db)[2] == ""


def test_a_team_is_renamed_and_merged_from_the_command_line(capsys, db):
    code, out, _ = run(capsys, "team", "rename", "検索チーム", "探索チーム", "--product", "学び放題", "--db", db,
                       "--lang", "ja")  # fmt: skip
    assert (code, out.strip()) == (0, "学び放題 のチーム「検索チーム」を「探索チーム」に改名しました")
    code, _, err = run(
        capsys, "team", "rename", "探索チーム", "決済", "--product", "学び放題", "--db", db, "--lang", "en"
    )
    assert code == 1 and 'cannot be merged into "決済": nothing was changed.' in err and "Traceback" not in err
    code, out, _ = run(capsys, "team", "rename", "探索チーム", "探索チーム\u200b", "--product", "学び放題", "--db", db,
                       "--lang", "en")  # fmt: skip
    assert (code, out.strip()) == (0, 'The team "探索チーム" of 学び放題 has that name already: nothing was changed')
    code, _, err = run(capsys, "team", "rename", "無い", "x", "--product", "学び放題", "--db", db, "--lang", "en")
    assert code == 1 and 'There is no team "無い" in the product "学び放題".' in err


def test_a_later_file_that_writes_a_merged_teams_old_name_goes_to_the_team_not_a_new_one(capsys, tmp_path):
    """After 検索チーム was merged into 検索・推薦チーム, the next file that still wrote 検索チーム made the team
    again: 3 of 4 teams answered (an outside review). The old name is the team's: said, never a new team."""
    db = tmp_path / "a.duckdb"
    header = "product,team,respondent,rater,item,level,date\n"
    first = tmp_path / "2024-H1.csv"
    first.write_text(header + "学び放題,検索チーム,a@x.jp,team,OBS-1,1,2024-05-01\n", encoding="utf-8")
    second = tmp_path / "2024-H2.csv"
    second.write_text(header + "学び放題,検索・推薦チーム,a@x.jp,team,OBS-1,2,2024-11-01\n", encoding="utf-8")
    third = tmp_path / "2025-H1.csv"
    third.write_text(header + "学び放題,検索チーム,a@x.jp,team,OBS-1,4,2025-05-01\n", encoding="utf-8")
    for path in (first, second):
        assert run(capsys, "import", path, "--db", db)[0] == 0
    assert run(capsys, "team", "rename", "検索チーム", "検索・推薦チーム", "--product", "学び放題", "--db", db)[0] == 0
    code, out, _ = run(capsys, "--lang", "ja", "import", third, "--db", db, "--dry-run")
    said = "チーム「学び放題 / 検索チーム」は「検索・推薦チーム」として取り込みます"
    assert code == 0 and said in out and "チーム「学び放題 / 検索チーム」" not in out.split(said)[0]  # nothing new
    code, out, _ = run(capsys, "--lang", "en", "import", third, "--db", db, "--json")
    (entry,) = json.loads(out)["files"]
    assert entry["created"] == {"rounds": ["2025-H1"]}  # no team made
    assert any('"学び放題 / 検索チーム" goes to "検索・推薦チーム"' in m for m in entry["messages"])
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT name FROM teams").fetchall() == [("検索・推薦チーム",)]
    code, out, _ = run(capsys, "summary", "--db", db, "--json")
    (change,) = [c for c in json.loads(out)["changes"] if c["category"] == "OBS"]
    assert (change["team"], change["previous_round"], change["change"]) == ("検索・推薦チーム", "2024-H2", 2.0)
    # renamed back, the name is a team's own again and the other one the old name
    assert run(capsys, "team", "rename", "検索・推薦チーム", "検索チーム", "--product", "学び放題", "--db", db)[0] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT name FROM team_aliases").fetchall() == [("検索・推薦チーム",)]
