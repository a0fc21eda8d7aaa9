"""cli: `python -m opmaturity` as users and scripts run it, held to the command line contract of ARCHITECTURE.md.

A few contract tests start the real command in a subprocess; the rest call `main()` in-process (faster).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from opmaturity.cli import main
from opmaturity.settings import Settings

REPO = Path(__file__).resolve().parent.parent
IMPORTS = Path(__file__).parent / "data" / "imports"
SUMMARY_KEYS = [
    "round", "heatmap", "top_gaps", "perception_gaps", "disagreements", "org_weak_items", "changes", "silent_gaps",
]  # fmt: skip
FILE_KEYS = {"path", "file", "layout", "status", "import_id", "round", "responses", "notes", "problems", "columns",
             "created", "messages"}  # fmt: skip
PROBLEM_KEYS = {"sheet", "row", "column", "value", "message"}
ROUND_SHEETS = ["Heatmap (level)", "Heatmap (gap)", "Gaps and priorities", "Perception gaps", "Disagreements",
                "Org-weak items", "Silent gaps", "Changes", "Actions", "Answers (pseudonymised)"]  # fmt: skip
HEARING_SHEETS = ["Overview", "Agenda", "Categories", "Items", "Workshop notes", "Actions"]
LOCKED = "is held by another program"


CLI_ENV = {**os.environ, "OPMATURITY_SECRET": "cli-test"}


def cli(*args: object, env: dict[str, str] | None = None, **popen: Any) -> subprocess.CompletedProcess[str]:
    """The command as a user types it, in its own process (`popen`: more of subprocess.run's options)."""
    return subprocess.run(
        [sys.executable, "-m", "opmaturity", *map(str, args)],
        cwd=REPO,
        env={**CLI_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **popen,
    )


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """`main()` in-process: exit status, stdout, stderr."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a command wrote nothing."""
    con = duckdb.connect(str(path))
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        con.close()


def fixture(name: str) -> str:
    return str(IMPORTS / name)


def imported_files(path: Path) -> list[str]:
    return [r[0] for r in query(path, "SELECT file_name FROM imports WHERE undone_at IS NULL ORDER BY import_id")]


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """One copy of the demo database for the tests of this module that only read."""
    path = tmp_path_factory.mktemp("cli-demo") / "demo.duckdb"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture(scope="module")
def demo_summary(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], ...]:
    """`demo --db X` then `summary --db X --json`, run as a script would."""
    path = tmp_path_factory.mktemp("cli-demo-run") / "demo.duckdb"
    return cli("demo", "--db", path), cli("summary", "--db", path, "--json")


def strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


# --- summary --------------------------------------------------------------------------------------


def test_demo_then_summary_json_prints_one_object_with_exactly_the_contract_keys(demo_summary):
    demo, summary = demo_summary
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith("Loaded the demo organisation: 2 rounds, 6 products, 17 teams")
    assert summary.returncode == 0 and summary.stderr == ""
    result = strict_json(summary.stdout)
    assert list(result) == SUMMARY_KEYS
    assert result["round"] == "2026-H1"
    assert result["heatmap"] and all(isinstance(result[k], list) for k in SUMMARY_KEYS[1:])


def test_the_demo_loaded_again_says_it_was_there_already_rather_than_zero_counts(capsys, demo_db):
    code, out, _ = run(capsys, "demo", "--db", demo_db, "--lang", "ja")
    assert code == 0
    assert (
        out.strip()
        == "デモ組織はもう読み込まれています。何も追加していません（やり直すには新しい --db を指定してください）"
    )


def test_summary_entries_name_product_team_and_model_keys(demo_summary, model):
    result = strict_json(demo_summary[1].stdout)
    items = {i.key for i in model.items}
    categories = {c.key for c in model.categories}
    for name in SUMMARY_KEYS[1:]:
        entries = result[name]
        assert entries, name
        assert all(e["category"] in categories for e in entries), name
        if name not in ("org_weak_items", "silent_gaps"):
            assert all(e["product"] and e["team"] for e in entries), name
        if name not in ("heatmap", "changes"):
            assert all(e["item"] in items for e in entries), name
        assert all(not isinstance(v, dict | list) for e in entries for v in e.values()), f"{name} is not flat"
    assert {e["rater"] for e in result["heatmap"]} == {"team", "sre"}


@pytest.mark.parametrize(
    ("name", "rank"),
    [
        ("top_gaps", lambda e: -e["priority"]),
        ("perception_gaps", lambda e: -abs(e["perception_gap"])),
        ("disagreements", lambda e: -e["sd"]),
        # share_below is rounded to 2 decimals in the JSON: rank by the exact share it stands for
        ("org_weak_items", lambda e: (-e["teams_below"] / e["teams"], e["mean_level"])),
        ("changes", lambda e: (not e["significant"], -abs(e["change"]))),
        ("silent_gaps", lambda e: (-e["teams_below_target"] / e["teams"], -e["mean_gap"])),
    ],
)
def test_each_summary_list_comes_ranked_as_the_dashboard_shows_it(demo_summary, name, rank):
    entries = strict_json(demo_summary[1].stdout)[name]
    assert len(entries) > 1
    assert [rank(e) for e in entries] == sorted(rank(e) for e in entries)


def test_summary_disagreements_only_show_groups_of_at_least_three_answers(demo_summary):
    disagreements = strict_json(demo_summary[1].stdout)["disagreements"]
    assert min(e["n"] for e in disagreements) == 3


def test_summary_round_option_summarises_that_round(capsys, demo_copy):
    code, out, _ = run(capsys, "summary", "--db", demo_copy, "--json", "--round", "2025-H2")
    result = json.loads(out)
    assert code == 0 and result["round"] == "2025-H2"
    assert result["heatmap"] and result["top_gaps"]
    assert result["changes"] == []  # the first round has nothing to change from


def test_json_output_puts_a_key_per_line_and_a_record_per_line(capsys, demo_copy):
    code, out, _ = run(capsys, "summary", "--db", demo_copy, "--json")
    result = json.loads(out)
    lines = out.splitlines()
    assert lines[0] == "{" and lines[1] == f'  "round": "{result["round"]}",' and lines[-1] == "}"
    first = lines.index('  "heatmap": [') + 1
    assert json.loads(lines[first].strip().rstrip(",")) == result["heatmap"][0]
    assert len(lines) == 2 + sum(len(v) + 2 if v else 1 for v in result.values() if isinstance(v, list)) + 1


def test_an_unknown_round_exits_1_naming_the_known_rounds_without_a_traceback(demo_copy):
    done = cli("summary", "--db", demo_copy, "--json", "--round", "2024-H9")
    assert done.returncode == 1
    assert done.stdout == ""
    assert 'There is no round "2024-H9". Known rounds: 2025-H2, 2026-H1.' in done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_database_summarises_as_round_null_and_empty_lists(capsys, db_file):
    code, out, _ = run(capsys, "summary", "--db", db_file, "--json")
    assert code == 0
    assert json.loads(out) == {"round": None, **{k: [] for k in SUMMARY_KEYS[1:]}}


def test_text_summary_speaks_in_item_titles_and_an_empty_database_says_how_to_start(capsys, demo_copy, db_file):
    code, out, _ = run(capsys, "summary", "--db", demo_copy)
    assert code == 0
    assert out.startswith("Round 2026-H1\n\nTop gaps by priority:\n")
    assert "Shop Connect / Storefront: Masked production data for QA (level 0.0, target 3.4" in out
    _, empty, _ = run(capsys, "summary", "--db", db_file)
    assert empty == "The database is empty: import exports or run `python -m opmaturity demo`.\n"


def test_loading_the_demo_again_adds_nothing(capsys, tmp_path, demo_template):
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_template, db)
    before = snapshot(db)
    code, out, _ = run(capsys, "demo", "--db", db)
    assert code == 0
    assert out == "The demo organisation is already loaded: nothing was added (give a new --db to start afresh)\n"
    assert snapshot(db) == before


def test_a_database_path_that_runs_through_a_file_exits_1_with_a_message(capsys, tmp_path):
    survey = tmp_path / "survey.csv"
    survey.write_text("プロダクト,チーム\n", encoding="utf-8")
    code, _, err = run(capsys, "summary", "--db", survey / "x.duckdb")
    assert code == 1
    assert f"error: Cannot open the database {survey / 'x.duckdb'}" in err


# --- import ---------------------------------------------------------------------------------------


def test_import_json_rejects_a_bad_file_with_its_problems_and_imports_the_good_one(tmp_path):
    db = tmp_path / "a.duckdb"
    done = cli("import", fixture("out_of_range.csv"), fixture("tidy.csv"), "--db", db, "--json")
    assert done.returncode == 1
    result = strict_json(done.stdout)
    assert list(result) == ["files"]
    bad, good = result["files"]
    assert set(bad) == set(good) == FILE_KEYS
    assert (bad["file"], bad["layout"], bad["status"], bad["responses"]) == ("out_of_range.csv", "tidy", "rejected", 0)
    assert all(set(p) == PROBLEM_KEYS for p in bad["problems"])
    assert bad["problems"][0] == {
        "sheet": "",
        "row": 2,
        "column": "現状レベル",
        "value": "7",
        "message": "level must be a whole number 0-4 or a level word (Not started, Ad hoc, Defined, Measured, "
        'Optimized), got "7"',
    }
    assert [(p["row"], p["column"]) for p in bad["problems"]] == [
        (2, "現状レベル"), (3, "現状レベル"), (4, "現状レベル"), (4, "温度感"), (5, "現状レベル"), (7, "項目"),
        (7, "回答者ロール"),
    ]  # fmt: skip
    assert 'did you mean "SLOの合意" (SLO-2)?' in bad["problems"][5]["message"]
    assert {k: v for k, v in good.items() if k not in ("columns", "created", "messages")} == {
        "path": fixture("tidy.csv"), "file": "tidy.csv", "layout": "tidy", "status": "imported", "import_id": 1,
        "round": "2024-H1", "responses": 4, "notes": 0, "problems": []
    }  # fmt: skip
    assert (bad["import_id"], bad["round"]) == (None, None)
    assert imported_files(db) == ["tidy.csv"]
    # four answers with a level; the not-applicable answer is stored but not counted
    assert query(db, "SELECT count(level), count(*) FROM current_responses") == [(4, 5)]


def test_a_google_forms_export_imports_counting_only_answers_with_a_level(capsys, db_file):
    code, out, _ = run(capsys, "import", fixture("google_forms.csv"), "--db", db_file, "--json")
    assert code == 0
    (found,) = json.loads(out)["files"]
    assert {k: v for k, v in found.items() if k not in ("columns", "created", "messages")} == {
        "path": fixture("google_forms.csv"), "file": "google_forms.csv", "layout": "google_forms",
        "status": "imported", "import_id": 1, "round": "2024-H1", "responses": 5, "notes": 0, "problems": [],
    }  # fmt: skip
    assert found["created"] == {"rounds": ["2024-H1"], "products": ["学び放題"], "teams": ["学び放題 / チームA"]}
    assert query(db_file, "SELECT count(level), count(*) FROM current_responses") == [(5, 6)]


def test_importing_the_same_file_again_is_a_duplicate_that_adds_nothing(capsys, db_file):
    assert run(capsys, "import", fixture("tidy.csv"), "--db", db_file)[0] == 0
    before = snapshot(db_file)
    code, out, _ = run(capsys, "import", fixture("tidy.csv"), "--db", db_file, "--json")
    assert code == 0
    (report,) = json.loads(out)["files"]
    assert (report["status"], report["responses"], report["notes"]) == ("duplicate", 0, 0)
    assert snapshot(db_file) == before


def test_the_same_file_named_twice_in_one_command_is_imported_once(capsys, db_file):
    code, out, _ = run(capsys, "import", fixture("tidy.csv"), fixture("tidy.csv"), "--db", db_file, "--json")
    assert code == 0
    assert [f["status"] for f in json.loads(out)["files"]] == ["imported", "duplicate"]
    assert imported_files(db_file) == ["tidy.csv"]


def test_a_dry_run_reports_what_it_would_import_and_writes_nothing(capsys, db_file):
    run(capsys, "import", fixture("google_forms.csv"), "--db", db_file)
    before = snapshot(db_file)
    code, out, _ = run(capsys, "import", fixture("tidy.csv"), fixture("miro_board.csv"), "--db", db_file, "--dry-run")
    assert code == 0
    assert "tidy.csv [tidy]: would import: 4 answers, 0 notes" in out
    assert "miro_board.csv [miro]: would import: 0 answers, 5 notes" in out
    assert "dry run: nothing was written" in out
    assert snapshot(db_file) == before
    # The JSON says so too: a script reading `imported` believed the data was in (outside review, 30 November).
    code, out, _ = run(
        capsys, "import", fixture("tidy.csv"), fixture("google_forms.csv"), "--db", db_file, "--dry-run", "--json"
    )
    found = json.loads(out)
    assert code == 0 and found["dry_run"] is True
    assert [(f["file"], f["status"], f["responses"]) for f in found["files"]] == [
        ("tidy.csv", "would_import", 4), ("google_forms.csv", "duplicate", 0)]  # fmt: skip
    assert "dry run: nothing was written" in found["files"][0]["messages"]
    assert snapshot(db_file) == before
    code, out, _ = run(capsys, "import", fixture("tidy.csv"), "--db", db_file, "--json")
    assert "dry_run" not in json.loads(out) and json.loads(out)["files"][0]["status"] == "imported"


def test_skip_invalid_imports_the_valid_rows_and_reports_the_skipped_ones(capsys, db_file):
    code, out, _ = run(capsys, "import", fixture("out_of_range.csv"), "--skip-invalid", "--db", db_file, "--json")
    assert code == 0
    (report,) = json.loads(out)["files"]
    assert (report["status"], report["responses"]) == ("imported", 1)
    assert [(p["row"], p["value"]) for p in report["problems"]] == [
        (2, "7"), (3, "2.5"), (4, "-1"), (4, "5"), (5, "abc"), (7, "SLOの合意形成"), (7, "営業"),
    ]  # fmt: skip
    assert query(db_file, "SELECT rater, item_key, level FROM current_responses") == [("sre", "SLO-2", 3)]


def test_skip_invalid_says_how_many_were_skipped_in_the_text_report(capsys, db_file):
    code, out, _ = run(capsys, "import", fixture("out_of_range.csv"), "--skip-invalid", "--db", db_file)
    assert code == 0
    assert "skipped 5 answers with problems (7 problems, each listed under problems)" in out
    assert '  - out_of_range.csv, row 2, column "現状レベル": level must be a whole number 0-4' in out


def test_a_rejected_file_is_listed_with_every_problem_in_the_text_report(capsys, db_file):
    code, out, _ = run(capsys, "import", fixture("out_of_range.csv"), "--db", db_file)
    assert code == 1
    assert out.startswith("out_of_range.csv [tidy]: REJECTED\n")
    assert '  - out_of_range.csv, row 7, column "回答者ロール": rater must be team or sre' in out
    assert imported_files(db_file) == []


def test_rater_round_product_and_team_options_fill_in_what_the_file_leaves_out(capsys, tmp_path, db_file):
    bare = tmp_path / "bare.csv"
    bare.write_text("項目,現状レベル\n外形監視,2\nランブック,N/A\nサービスダッシュボード,3\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", bare, "--db", db_file, "--json", "--rater", "sre", "--round", "2030-H1",
                       "--product", "会員ID", "--team", "認証")  # fmt: skip
    assert code == 0 and json.loads(out)["files"][0]["responses"] == 2
    assert query(
        db_file,
        """SELECT rd.name, p.name, t.name, r.rater, r.item_key, r.level FROM current_responses r
           JOIN rounds rd USING (round_id) JOIN teams t USING (team_id) JOIN products p USING (product_id)
           ORDER BY r.item_key""",
    ) == [
        ("2030-H1", "会員ID", "認証", "sre", "INC-2", None),
        ("2030-H1", "会員ID", "認証", "sre", "OBS-1", 3),
        ("2030-H1", "会員ID", "認証", "sre", "OBS-4", 2),
    ]


def test_without_a_product_the_bare_file_is_rejected_pointing_at_the_option(capsys, tmp_path, db_file):
    bare = tmp_path / "bare.csv"
    bare.write_text("項目,現状レベル\n外形監視,2\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", bare, "--db", db_file, "--json")
    assert code == 1
    (problem,) = json.loads(out)["files"][0]["problems"]
    assert "choose the product on import (--product)" in problem["message"]


def test_round_option_overrides_the_date_in_the_file(capsys, db_file):
    run(capsys, "import", fixture("tidy.csv"), "--db", db_file, "--round", "2024-H2")
    assert query(db_file, "SELECT name FROM rounds") == [("2024-H2",)]


def test_an_unknown_rater_is_refused_by_the_argument_parser(capsys, db_file):
    with pytest.raises(SystemExit) as exited:
        main(["import", fixture("tidy.csv"), "--db", str(db_file), "--rater", "qa"])
    assert exited.value.code == 2
    assert "invalid choice: 'qa'" in capsys.readouterr().err


def usage_error(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    """The exit status and the last line of standard error of a command argparse refuses."""
    with pytest.raises(SystemExit) as exited:
        main([str(arg) for arg in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return exited.value.code, err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--lang", "ja", "import", "x.csv", "--round-date", "2024-13-01"],
            "opmaturity import: エラー: --round-date: 「2024-13-01」は YYYY-MM-DD の日付ではありません",
        ),
        (["--lang", "ja", "summary", "--bogus"], "opmaturity: エラー: 知らない引数です: --bogus"),
        (
            ["import", "x.csv", "--lang", "ja", "--map", "見出し"],
            "opmaturity import: エラー: --map: 「見出し」は 見出し=役割[:キー] の形ではありません",
        ),
        (
            ["import", "x.csv", "--lang=ja", "--map", "見出し=category_importance"],
            "opmaturity import: エラー: --map: 役割「category_importance」にはカテゴリのキーが必要です: "
            "category_importance:キー",
        ),
        (["--lang", "ja", "import"], "opmaturity import: エラー: 次の引数が必要です: PATH"),
        (
            ["--lang", "ja", "import", "x.csv", "--rater", "boss"],
            "opmaturity import: エラー: --rater: 'boss' は選べません（選べるもの: 'team', 'sre'）",
        ),
        (["--lang", "ja", "action", "set", "abc"], "opmaturity action set: エラー: ID: 'abc' は整数ではありません"),
        (["--lang", "ja", "import", "x.csv", "--round"], "opmaturity import: エラー: --round: 値を一つ続けてください"),
        (
            ["--lang", "en", "import", "x.csv", "--round-date", "soon"],
            "opmaturity import: error: argument --round-date: 'soon' is not a date YYYY-MM-DD",
        ),
        (["action", "set", "abc"], "opmaturity action set: error: argument ID: 'abc' is not a whole number"),
    ],
)
def test_a_mistake_in_the_command_is_said_in_the_chosen_language_with_exit_status_2(capsys, args, said):
    """argparse's own messages were English whatever --lang said (an outside review)."""
    assert usage_error(capsys, *args) == (2, said)


def test_a_mistake_in_the_command_follows_the_environment_language_and_says_usage_in_it(capsys, monkeypatch):
    monkeypatch.setenv("OPMATURITY_LANG", "ja")
    with pytest.raises(SystemExit):
        main(["summary", "--bogus"])
    err = capsys.readouterr().err
    assert err.startswith("使い方: opmaturity [-h]") and err.strip().endswith("エラー: 知らない引数です: --bogus")


def test_an_unknown_language_is_said_in_the_environment_language(capsys, monkeypatch):
    monkeypatch.setenv("OPMATURITY_LANG", "ja")
    assert usage_error(capsys, "--lang", "jp", "summary") == (
        2,
        "opmaturity: エラー: --lang: 'jp' は選べません（選べるもの: 'ja', 'en'）",
    )


def test_a_missing_path_is_a_rejected_file_in_the_json_and_the_other_files_still_import(tmp_path):
    db = tmp_path / "a.duckdb"
    missing = tmp_path / "nowhere" / "survey.csv"
    done = cli("import", fixture("tidy.csv"), missing, "--db", db, "--json")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    files = json.loads(done.stdout)["files"]
    # in the order given (an unreadable file came first), each named by its file name beside the path as given
    assert [(f["path"], f["file"], f["status"]) for f in files] == [
        (fixture("tidy.csv"), "tidy.csv", "imported"),
        (str(missing), "survey.csv", "rejected"),
    ]
    assert files[0]["import_id"] == 1 and files[1]["import_id"] is None
    files = files[1:]
    assert files[0]["problems"] == [
        {
            "sheet": "",
            "row": None,
            "column": "",
            "value": "",
            "message": "cannot read the file: No such file or folder",
        }
    ]
    assert imported_files(db) == ["tidy.csv"]


def test_a_miro_board_counts_its_notes_and_no_answers(capsys, db_file):
    code, out, _ = run(capsys, "import", fixture("miro_board.csv"), "--db", db_file, "--json")
    assert code == 0
    (report,) = json.loads(out)["files"]
    assert (report["layout"], report["status"], report["responses"], report["notes"]) == ("miro", "imported", 0, 5)
    assert query(db_file, "SELECT count(*) FROM notes") == [(5,)]
    assert query(db_file, "SELECT count(*) FROM responses") == [(0,)]


# --- a database another program holds -------------------------------------------------------------


def _holder(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another program that holds the database file for `seconds` (a long import, a notebook)."""
    # The connection must stay referenced: a discarded one is closed at once and releases the lock.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(float(sys.argv[2])); c.close()", str(db), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
    return holder


def test_a_database_held_longer_than_the_wait_exits_1_with_a_plain_message(tmp_path):
    db = tmp_path / "locked.duckdb"
    holder = _holder(db, 60)
    try:
        done = cli("import", fixture("tidy.csv"), "--db", db, "--json", env={"OPMATURITY_LOCK_WAIT": "1"})
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    # the JSON still comes: every file not imported, and why
    (entry,) = json.loads(done.stdout)["files"]
    assert (entry["file"], entry["status"], entry["import_id"]) == ("tidy.csv", "rejected", None)
    assert entry["problems"][0]["message"].startswith(f"not imported: The database {db} {LOCKED}")
    assert f"error: The database {db} {LOCKED} (an import from the command line, for example)" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_import_waits_for_another_program_to_let_go_of_the_database(tmp_path):
    """The dashboard holds the file only for a moment: the command line waits for it (with backoff) and imports."""
    db = tmp_path / "busy.duckdb"
    holder = _holder(db, 1.5)
    try:
        done = cli("import", fixture("tidy.csv"), "--db", db, "--json")
    finally:
        holder.wait()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["status"] == "imported"


# --- export and hearing ---------------------------------------------------------------------------


@pytest.fixture
def formula_db(capsys, db_file) -> Path:
    """A database holding formula.csv: product, team and comments that a spreadsheet would run."""
    assert run(capsys, "import", fixture("formula.csv"), "--db", db_file)[0] == 0
    return db_file


def test_export_xlsx_has_every_sheet_and_formula_like_text_stays_text(capsys, formula_db, tmp_path):
    out = tmp_path / "round.xlsx"
    code, printed, _ = run(capsys, "export", "--db", formula_db, "--out", out, "--lang", "en")
    assert code == 0 and printed == f"Wrote {out}\n"
    book = load_workbook(out)
    assert book.sheetnames == ROUND_SHEETS
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    answers = book["Answers (pseudonymised)"]
    header = [c.value for c in answers[1]]
    comments = [row[header.index("Comment")] for row in answers.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("https://example.com/x","見る")' in comments
    assert {row[header.index("Product")] for row in answers.iter_rows(min_row=2, values_only=True)} == {"'=学び放題"}


def test_export_is_japanese_unless_asked_otherwise(capsys, formula_db, tmp_path):
    out = tmp_path / "round.xlsx"
    assert run(capsys, "export", "--db", formula_db, "--out", out)[0] == 0
    assert load_workbook(out).sheetnames[:2] == ["ヒートマップ（レベル）", "ヒートマップ（ギャップ）"]


def test_export_xlsx_of_a_comment_holding_a_control_character_still_writes_the_report(capsys, tmp_path, db_file):
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "プロダクト,チーム,回答者ロール,項目,現状レベル,コメント\n学び放題,A,SRE,外形監視,2,一行目\v二行目\n",
        encoding="utf-8",
    )
    assert run(capsys, "import", survey, "--db", db_file)[0] == 0
    out = tmp_path / "round.xlsx"
    code, _, err = run(capsys, "export", "--db", db_file, "--out", out, "--lang", "en")
    assert code == 0, err
    answers = load_workbook(out)["Answers (pseudonymised)"]
    header = [c.value for c in answers[1]]
    (comment,) = [row[header.index("Comment")] for row in answers.iter_rows(min_row=2, values_only=True)]
    assert comment.startswith("一行目") and comment.endswith("二行目") and "\v" not in comment


def test_export_csv_is_utf8_with_a_bom_and_keeps_japanese(capsys, formula_db, tmp_path):
    out = tmp_path / "round.csv"
    assert run(capsys, "export", "--db", formula_db, "--out", out)[0] == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["プロダクト"], r["項目キー"], r["項目"], r["現状レベル"]) for r in rows] == [
        ("'=学び放題", "OBS-4", "外形監視", "2"), ("'=学び放題", "INC-2", "ランブック", "3"),
        ("'=学び放題", "INC-3", "ポストモーテム", "1"),
    ]  # fmt: skip
    assert rows[1]["コメント"] == "'+1 してください"
    assert run(capsys, "export", "--db", formula_db, "--out", out, "--lang", "en")[0] == 0
    english = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert (english[0]["Item key"], english[0]["Item"]) == ("OBS-4", "Synthetic monitoring")


def test_export_to_another_format_exits_1_and_writes_nothing(capsys, formula_db, tmp_path):
    out = tmp_path / "round.pdf"
    code, _, err = run(capsys, "export", "--db", formula_db, "--out", out)
    assert code == 1
    assert err == 'error: The report is written as .xlsx or .csv, got ".pdf".\n'
    assert not out.exists()


def test_export_of_an_empty_database_or_into_a_missing_folder_exits_1(capsys, formula_db, db_file, tmp_path):
    empty = tmp_path / "empty.duckdb"
    code, _, err = run(capsys, "export", "--db", empty, "--out", tmp_path / "x.xlsx")
    assert code == 1 and "The database holds no round yet" in err
    code, _, err = run(capsys, "export", "--db", formula_db, "--out", tmp_path / "no" / "x.csv")
    assert code == 1 and f"error: Cannot write {tmp_path / 'no' / 'x.csv'}" in err


def test_hearing_writes_the_six_sheets_with_an_agenda_on_all_three_topics(capsys, demo_copy, tmp_path):
    out = tmp_path / "hearing.xlsx"
    code, _, _ = run(capsys, "hearing", "--product", "会員ID", "--team", "認証", "--db", demo_copy, "--out", out,
                     "--lang", "en")  # fmt: skip
    assert code == 0
    book = load_workbook(out)
    assert book.sheetnames == HEARING_SHEETS
    overview = dict(book["Overview"].iter_rows(min_row=2, values_only=True))
    assert (overview["Product"], overview["Team"], overview["Round"]) == ("会員ID", "認証", "2026-H1")
    topics = [row[0] for row in book["Agenda"].iter_rows(min_row=2, values_only=True)]
    assert list(dict.fromkeys(topics)) == ["Top priority", "Team and SRE see it differently", "Members disagree",
                                           "Workshop note on the item", "Open action"]  # fmt: skip


def test_hearing_writes_one_printable_html_page_in_japanese_by_default(capsys, demo_copy, tmp_path):
    out = tmp_path / "hearing.html"
    code, printed, _ = run(capsys, "hearing", "--product", "会員ID", "--team", "認証", "--db", demo_copy, "--out", out)
    assert code == 0 and printed == f"Wrote {out}\n"
    page = out.read_text(encoding="utf-8")
    assert "<title>ヒアリングシート — 会員ID / 認証</title>" in page and "<script" not in page


def test_hearing_for_an_unknown_team_exits_1_naming_it(capsys, demo_copy, tmp_path):
    out = tmp_path / "hearing.xlsx"
    code, _, err = run(capsys, "hearing", "--product", "会員ID", "--team", "決済", "--db", demo_copy, "--out", out)
    assert code == 1
    assert 'There is no team "決済" in the product "会員ID"' in err
    assert not out.exists()


def test_hearing_as_csv_exits_1_asking_for_an_excel_or_html_file(capsys, demo_copy, tmp_path):
    out = tmp_path / "hearing.csv"
    code, _, err = run(capsys, "hearing", "--product", "会員ID", "--team", "認証", "--db", demo_copy, "--out", out)
    assert code == 1
    assert err == (
        "error: The hearing sheet is an Excel file or a printable HTML page: name it FILE.xlsx or FILE.html, "
        'got "hearing.csv".\n'
    )
    assert not out.exists()


# --- output into a pipe that closes early ---------------------------------------------------------


def test_summary_into_a_reader_that_leaves_after_one_line_prints_no_traceback(demo_copy):
    # The JSON of the demo is far larger than a pipe buffer, so the writer is still writing when the reader leaves.
    reader = subprocess.Popen(
        [sys.executable, "-m", "opmaturity", "summary", "--db", str(demo_copy), "--json"],
        cwd=REPO,
        env={**os.environ, "OPMATURITY_SECRET": "cli-test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    assert reader.stdout.readline() == b"{\n"
    reader.stdout.close()
    err = reader.stderr.read().decode()
    reader.stderr.close()
    assert reader.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipeError" not in err


# --- the language of messages ---------------------------------------------------------------------------


def test_lang_ja_prints_the_problems_in_japanese_naming_the_flag(capsys, db_file):
    code, out, _ = run(capsys, "import", fixture("out_of_range.csv"), "--db", db_file, "--lang", "ja")
    assert code == 1
    assert "out_of_range.csv [tidy]: 取り込み不可" in out
    assert "out_of_range.csv、2行目、列「現状レベル」: レベルは0〜4の整数か、レベルの言葉（未着手、" in out
    assert "「SLOの合意」（SLO-2）のことですか？" in out
    assert "取り込みませんでした: 問題 7 件。何も書き込んでいません" in out


def test_lang_before_the_command_works_too_and_the_flag_is_named_on_the_command_line(capsys, tmp_path, db_file):
    no_product = tmp_path / "no_product.csv"
    no_product.write_text("項目,現状レベル,回答者ロール\nOBS-1,2,SRE\n", encoding="utf-8")
    _, japanese, _ = run(capsys, "--lang", "ja", "import", no_product, "--db", db_file)
    assert "取り込み時に --product でプロダクトを指定するか" in japanese
    _, english, _ = run(capsys, "import", no_product, "--db", db_file, "--lang", "en")
    assert "no product: add a product column (プロダクト) or choose the product on import (--product), or" in english


def test_json_stays_english_unless_lang_is_given(capsys, db_file, monkeypatch):
    monkeypatch.setenv("OPMATURITY_LANG", "ja")
    _, out, _ = run(capsys, "import", fixture("out_of_range.csv"), "--db", db_file, "--json")
    assert json.loads(out)["files"][0]["problems"][0]["message"].startswith("level must be a whole number 0-4")
    _, out, _ = run(capsys, "import", fixture("out_of_range.csv"), "--db", db_file, "--json", "--lang", "ja")
    (problem, *_) = json.loads(out)["files"][0]["problems"]
    assert set(problem) == PROBLEM_KEYS and problem["message"].startswith("レベルは0〜4の整数か")


def test_an_unreadable_path_and_a_missing_round_are_said_in_japanese(capsys, tmp_path, db_file):
    missing = tmp_path / "nowhere.csv"
    _, out, _ = run(capsys, "import", missing, "--db", db_file, "--lang", "ja")
    assert f"{missing}: ファイルを読めません: そのようなファイルやフォルダはありません" in out
    code, _, err = run(capsys, "summary", "--db", db_file, "--round", "2019-H1", "--lang", "ja")
    assert code == 1
    assert err.startswith("エラー: ラウンド「2019-H1」はありません。")


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"OPMATURITY_LANG": "ja", "LANG": "en_US.UTF-8"}, "ja"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_opmaturity_lang_else_the_locale(environ, lang):
    assert Settings.from_env(environ).lang == lang


def test_a_database_open_in_another_program_says_so_in_japanese(tmp_path):
    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(30)", str(db)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        done = cli("import", fixture("tidy.csv"), "--db", db, "--lang", "ja", env={"OPMATURITY_LOCK_WAIT": "0.5"})
    finally:
        holder.kill()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"エラー: データベース {db} はほかのプログラム（コマンドラインでの取り込みなど）が使用中で、"
        "待っても空きませんでした。",
        "  - そのプログラムが終わるのを待つか止めてから、もう一度実行してください"
        "（待つ時間は OPMATURITY_LOCK_WAIT 秒、既定は30秒）。",
    ]


def test_import_lets_go_of_the_database_while_its_worker_reads_the_file(tmp_path, monkeypatch, capsys):
    """Another program (the dashboard) can open the file while the command line parses: it holds it only to read
    the model and mappings, and again to commit."""
    from opmaturity import parsing

    db = tmp_path / "shared.duckdb"
    assert run(capsys, "demo", "--db", db)[0] == 0
    real = parsing.parse
    opened: list[int] = []

    def parse_while_another_program_opens(request: parsing.Request, limits: Any) -> parsing.Parsed:
        probe = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"
        opened.append(subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True).returncode)
        return real(request, limits)

    monkeypatch.setattr(parsing, "parse", parse_while_another_program_opens)
    status, out, _ = run(capsys, "import", IMPORTS / "tidy.csv", "--db", db, "--lang", "en", "--round", "2024-H1")
    assert status == 0, out
    assert opened == [0]  # the other process opened the file while the worker ran
    assert "imported" in out


def test_summary_lists_are_written_column_by_column_exactly_as_the_json_encoder_writes_each_record():
    """`summary.json_lines` (every distinct value of a column encoded once) writes what json.dumps writes for
    each record `summary.records` makes: -0.0 as 0.0, NaN, NA and inf as null, noise rounded away, text as
    it is, and a mixed column (1, 1.0 and True are equal keys) value by value."""
    from opmaturity.summary import json_lines, records

    compact = json.JSONEncoder(ensure_ascii=False, default=str).encode
    frame = pd.DataFrame({
        "float": [0.0, -0.0, 1.875, 1.8749999999999998, float("nan"), float("inf"), 2.5, 1e-12, 0.0],
        "int": [0, 1, -3, 2**40, 0, 1, 5, 7, 9],
        "nullable": pd.array([1, None, 3, 3, None, 0, 0, 1, 2], dtype="Int64"),
        "flag": [True, False, True, True, False, False, True, False, True],
        "maybe": pd.array([True, None, False, True, None, False, True, None, False], dtype="boolean"),
        "text": pd.array(["髙橋①", None, "2.5", "", 'a"b', "\x1b[31m", "髙橋①", "null", "x"], dtype="str"),
        "mixed": [1, 1.0, True, None, "1", ["a", 1], float("nan"), 0, False],
        "when": pd.to_datetime(["2025-01-02 00:00", None, "2025-01-02 00:00", "2026-11-30 12:00", *[None] * 5]),
    })  # fmt: skip
    assert json_lines(frame) == [compact(record) for record in records(frame)]
    assert json_lines(frame.iloc[:0]) == []


def test_summary_json_is_written_without_loading_the_spreadsheet_library(demo_copy):
    """openpyxl takes 0.12 s to import, a tenth of what `summary --json` may take at 1,000 teams."""
    probe = (
        "import sys; from opmaturity import cli; code = cli.main(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('openpyxl'))[:1], code)"
    )
    done = subprocess.run([sys.executable, "-c", probe, "summary", "--db", str(demo_copy), "--json"],
                          capture_output=True, text=True, cwd=REPO, env=CLI_ENV, check=False)  # fmt: skip
    assert done.stdout.strip().endswith("[] 0"), done.stderr[-2000:]


def test_the_command_line_reads_the_string_catalogue_only_when_it_says_something():
    # `summary --json` says nothing in words: a message built on import read all 19 catalogue files (0.08 s of
    # the 2 s a 1,000-team summary may take).
    code = "import opmaturity.cli, opmaturity.i18n as i; print(i.catalog.cache_info().currsize)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"


def test_a_read_only_command_on_a_missing_database_reads_it_empty_says_so_and_makes_no_file(capsys, tmp_path):
    typo = tmp_path / "dta" / "opmaturty.duckdb"  # a mistyped --db made a 4 MB file there (outside review)
    code, out, err = run(capsys, "--lang", "en", "summary", "--db", typo, "--json")
    assert code == 0 and json.loads(out)["round"] is None  # the contract's empty summary, as before
    assert err == f"There is no database {typo}: read as an empty one (none is made; `import` and `demo` make one).\n"
    code, _, err = run(capsys, "--lang", "ja", "export", "--db", typo, "--out", tmp_path / "r.xlsx")
    assert code == 1 and err.startswith(f"データベース {typo} はありません。")
    code, _, _ = run(capsys, "model", "export", "--db", typo, "--out", tmp_path / "m.yaml")  # the shipped model
    assert code == 0 and (tmp_path / "m.yaml").exists()
    assert not typo.parent.exists()
    code, _, _ = run(capsys, "demo", "--db", typo)  # demo and import do make one
    assert code == 0 and typo.exists()


def test_what_the_system_refuses_is_said_in_the_language_chosen(capsys, tmp_path, db_file):
    # Japanese messages carried the system's English ("Is a directory") (outside review).
    _, out, _ = run(capsys, "import", tmp_path, "--db", db_file, "--lang", "ja")
    assert f"{tmp_path}: ファイルを読めません: ファイルではなくフォルダです" in out
    run(capsys, "demo", "--db", db_file)
    code, _, err = run(capsys, "export", "--db", db_file, "--out", tmp_path / "no" / "r.xlsx", "--lang", "ja")
    assert code == 1 and "そのようなファイルやフォルダはありません" in err and "No such" not in err
    code, _, err = run(capsys, "export", "--db", db_file, "--out", tmp_path / "no" / "r.xlsx", "--lang", "en")
    assert code == 1 and "No such file or folder" in err


def test_a_round_spelt_in_another_case_or_width_is_that_round_not_a_new_one(capsys, tmp_path, demo_template):
    demo_copy = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_template, demo_copy)
    # `--round 2026-h1` made a round beside 2026-H1, and the plain summary seemed to miss the answers (outside review).
    tidy = tmp_path / "late.csv"
    tidy.write_text(
        "round,product,team,respondent,rater,item,level\n2026-h1,Shop Connect,Storefront,late@x.jp,team,OBS-1,3\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "--lang", "en", "import", tidy, "--round", "２０２６-ｈ１", "--db", demo_copy, "--json")
    assert code == 0
    (report,) = json.loads(out)["files"]
    assert report["status"] == "imported" and not report["created"].get("rounds")
    assert [r[0] for r in query(demo_copy, "SELECT name FROM rounds ORDER BY name")] == ["2025-H2", "2026-H1"]
    code, out, _ = run(capsys, "summary", "--round", "2026-h1", "--db", demo_copy, "--json")
    assert code == 0 and json.loads(out)["round"] == "2026-H1"


def test_notes_for_no_product_or_team_are_told_to_name_both(capsys, tmp_path, db_file):
    # The advice said "choose one with --team", and --team alone attached nothing (outside review).
    board = tmp_path / "board.csv"
    board.write_text(ONE_STICKY, encoding="utf-8")
    _, out, _ = run(capsys, "--lang", "ja", "import", board, "--db", db_file, "--dry-run")
    assert (
        "付箋 1 件はプロダクトもチームもわからないので、どのチームにも付きません。--product と --team の両方で" in out
    )
    _, out, _ = run(capsys, "--lang", "en", "import", board, "--db", db_file, "--dry-run", "--json")
    (said,) = [m for m in json.loads(out)["files"][0]["messages"] if "no product or team" in m]
    assert said.startswith("1 note names no product or team") and "both --product and --team" in said


def test_imports_lists_the_history_and_undoes_one_from_the_command_line(capsys, tmp_path, db_file):
    # The command line could import but not undo: a file imported with the wrong settings could not be redone.
    board = tmp_path / "board.csv"
    board.write_text(ONE_STICKY, encoding="utf-8")
    run(capsys, "import", board, "--db", db_file)
    _, out, _ = run(capsys, "--lang", "ja", "import", board, "--db", db_file, "--product", "P", "--team", "T")
    assert "先に `imports undo 1` で取り消してください" in out  # the same bytes again: how to redo them
    code, out, _ = run(capsys, "imports", "list", "--db", db_file, "--json")
    (entry,) = json.loads(out)
    assert code == 0 and list(entry) == IMPORT_KEYS
    assert (entry["import_id"], entry["file"], entry["notes"], entry["undone_at"]) == (1, "board.csv", 1, None)
    code, out, _ = run(capsys, "--lang", "en", "imports", "undo", "1", "--db", db_file)
    assert code == 0 and out.startswith("Import #1 (board.csv) was undone: its 0 answers and 1 note are gone")
    code, _, err = run(capsys, "--lang", "en", "imports", "undo", "1", "--db", db_file)
    assert code == 1 and "already undone" in err
    code, _, _ = run(capsys, "import", board, "--db", db_file, "--product", "P", "--team", "T")
    assert code == 0 and query(db_file, "SELECT count(*) FROM notes n JOIN teams USING (team_id)") == [(1,)]
    _, out, _ = run(capsys, "--lang", "en", "imports", "list", "--db", db_file)
    live, undone = out.splitlines()
    assert undone.startswith("#1 board.csv [miro] round ") and "(undone " in undone
    assert live.startswith("#2 board.csv [miro] round ") and "undone" not in live  # it read "(undone nan)"
    assert "nan" not in out
    _, out, _ = run(capsys, "--lang", "ja", "imports", "list", "--db", db_file)
    assert "nan" not in out and "取り消し済み" not in out.splitlines()[0]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", out.splitlines()[0])  # a person's form of the time


def test_every_commands_json_gives_times_in_one_form(capsys, demo_db):
    """`imports list --json` said "2026-05-20 09:30:12", `action list --json` "2026-05-20T09:30:12.100734" (an
    outside review): both ISO 8601 to the second now."""
    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
    _, out, _ = run(capsys, "imports", "list", "--db", demo_db, "--json")
    imports = json.loads(out)
    _, out, _ = run(capsys, "action", "list", "--db", demo_db, "--json")
    actions = json.loads(out)
    times = [e["imported_at"] for e in imports] + [e[k] for e in actions for k in ("created_at", "updated_at")]
    assert times and all(iso.fullmatch(t) for t in times), times
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", e["due"]) for e in actions if e["due"])  # a day stays a day


IMPORT_KEYS = ["import_id", "file", "layout", "round", "responses", "notes", "replaced", "imported_at", "undone_at"]

ONE_STICKY = (
    'id,type,parent,content\n1,frame,,課題\n2,sticky_note,1,"<p>監視が足りない</p>"\n'  # a board: no title, no team
)


def test_a_new_round_named_with_a_half_or_quarter_that_does_not_exist_is_said(capsys, tmp_path, db_file):
    # `--round 2024-H3` was made silently (and dated 1 January 2024, its year) (outside review).
    tidy = tmp_path / "h3.csv"
    tidy.write_text("product,team,respondent,rater,item,level\nP,T,a@x.jp,team,OBS-1,3\n", encoding="utf-8")
    code, out, _ = run(capsys, "--lang", "ja", "import", tidy, "--round", "2024-H3", "--db", db_file, "--dry-run")
    assert code == 0 and "新しいラウンド「2024-H3」の「H3」は期間として読めません" in out
    code, out, _ = run(capsys, "--lang", "en", "import", tidy, "--round", "２０２４-Ｑ５", "--db", db_file, "--json")
    (said,) = [m for m in json.loads(out)["files"][0]["messages"] if "is no period" in m]
    assert said.startswith('the new round "２０２４-Ｑ５": "Q5" is no period')
    tidy.write_text("product,team,respondent,rater,item,level\nP,T,b@x.jp,team,OBS-1,3\n", encoding="utf-8")
    _, out, _ = run(capsys, "--lang", "en", "import", tidy, "--round", "2024-H2", "--db", db_file, "--json")
    assert not [m for m in json.loads(out)["files"][0]["messages"] if "is no period" in m]  # a real half: nothing


def test_a_file_the_worker_gave_up_on_is_said_once_in_the_chosen_language(tmp_path):
    """The worker's stop was said in Japanese among the file's problems and again, in English, on standard error
    (the package's log line; an outside review)."""
    done = cli("--lang", "ja", "import", fixture("tidy.csv"), "--db", tmp_path / "a.duckdb",
               env={"OPMATURITY_FENCE_WALL_SECONDS": "0.01"})  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == ""
    assert (
        "tidy.csv: このファイルを読み終わるまでに、許可された時間（0.01 秒、OPMATURITY_FENCE_WALL_SECONDS）を超えました"
        in (done.stdout)
    )


def test_a_device_or_a_pipe_given_to_import_is_refused_at_once_not_read(tmp_path, db_file):
    """An outside review: `import /dev/zero` grew to 9 GB (stat says 0 bytes, then read_bytes had no end) and a
    FIFO blocked forever. Run apart, with a timeout, so that a regression fails rather than hangs."""
    import subprocess
    import sys

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    env = {**os.environ, "OPMATURITY_DB": str(db_file), "OPMATURITY_SECRET": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "opmaturity", "--lang", "en", "import", "/dev/zero", str(fifo), "--dry-run", "--json"],
        capture_output=True, text=True, timeout=60, env=env, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert done.returncode == 1
    said = {entry["path"]: entry["problems"][0]["message"] for entry in json.loads(done.stdout)["files"]}
    assert said == {name: "not a regular file (a device, a pipe …): name the exported file"
                    for name in ("/dev/zero", str(fifo))}  # fmt: skip


@pytest.mark.parametrize("table", ["responses", "stuff"])
def test_another_programs_duckdb_is_refused_and_left_as_it_was(capsys, tmp_path, table):
    """An outside review: a --db holding a table named like one of ours gave a CatalogException traceback (and
    left a schema_version table behind); any other table was written beside, opmaturity's twenty tables added."""
    foreign = tmp_path / "analytics.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute(f"CREATE TABLE {table} (x INTEGER)")
    con.close()
    code, out, err = run(capsys, "--lang", "en", "summary", "--db", foreign, "--json")
    assert (code, out) == (1, "")
    assert f"this file is not an opmaturity database (it holds 1 table of another program: {table})" in err
    assert "Traceback" not in err
    assert query(foreign, "SELECT table_name FROM duckdb_tables()") == [(table,)]
    tidy = Path(__file__).parent / "data/imports/tidy.csv"
    code, _, err = run(capsys, "--lang", "ja", "import", tidy, "--db", foreign)
    assert code == 1 and "opmaturity のデータベースではありません" in err
    assert query(foreign, "SELECT table_name FROM duckdb_tables()") == [(table,)]


def test_a_backup_into_a_file_is_told_to_choose_a_folder(capsys, tmp_path, db_file):
    run(capsys, "demo", "--db", db_file)
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    code, _, err = run(capsys, "--lang", "en", "backup", "--out", taken, "--db", db_file)
    assert code == 1 and "Traceback" not in err  # it was a NotADirectoryError traceback
    assert f"Cannot create the folder {taken}" in err and "a file of that name is there" in err
    assert taken.read_text() == "mine"


def test_a_dry_run_at_a_mistyped_db_makes_no_database(capsys, tmp_path):
    """An outside review: `import --dry-run` and `model import --dry-run` ("nothing written") made a 4 MB file and
    its folders at a mistyped --db."""
    missing = tmp_path / "nodir" / "typo.duckdb"
    tidy = Path(__file__).parent / "data/imports/tidy.csv"
    code, out, err = run(capsys, "--lang", "en", "import", tidy, "--dry-run", "--db", missing)
    assert code == 0 and "would import" in out and "no database" in err.lower()
    assert err.lower().count("no database") == 1  # said once, though the import opens the database twice
    assert not missing.exists() and not missing.parent.exists()


def test_ctrl_c_is_said_and_exits_130_not_a_traceback(capsys, monkeypatch):
    from opmaturity import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run", interrupted)
    code, _, err = run(capsys, "--lang", "en", "summary")
    assert code == 130 and err.startswith("Interrupted. A write is whole or absent") and "Traceback" not in err
