"""importer: files end to end into DuckDB; refusals leave the database exactly as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from opmaturity import store
from opmaturity.importer import IGNORE, LAYOUTS, FileReport, ImportOptions, import_file, import_files, preview

IMPORTS = Path(__file__).parent / "data" / "imports"


def fixture(name: str) -> bytes:
    return (IMPORTS / name).read_bytes()


def run(con, model, name: str, data: bytes | None = None, **options) -> FileReport:
    return import_file(con, name, fixture(name) if data is None else data, model, ImportOptions(**options))


def snapshot(con) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a refusal changed nothing."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


def stored(con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


LEVELS = """SELECT p.name, t.name, r.rater, r.item_key, r.level, r.importance, r.comment, r.assessed_on
            FROM current_responses r JOIN teams t USING (team_id) JOIN products p USING (product_id)
            ORDER BY r.rater, r.item_key, r.level"""


# --- every layout into the database ----------------------------------------------------------------


def test_a_google_forms_export_imports_into_an_empty_database_creating_what_it_names(con, model):
    report = run(con, model, "google_forms.csv")
    assert (report.status, report.layout, report.answered, report.notes) == ("imported", "google_forms", 5, 0)
    assert report.round == "2024-H1"
    assert report.created == {"rounds": ["2024-H1"], "products": ["学び放題"], "teams": ["学び放題 / チームA"]}
    assert 'a new round "2024-H1" (named after the file\'s date 2024-01-07: year and half)' in report.messages
    assert "created round '2024-H1', product '学び放題' and team '学び放題 / チームA'" in report.messages
    assert stored(con, "SELECT name, held_on FROM rounds") == [("2024-H1", date(2024, 1, 7))]
    assert stored(con, LEVELS) == [
        ("学び放題", "チームA", "sre", "INC-2", 1, None, None, date(2024, 1, 7)),
        ("学び放題", "チームA", "sre", "OBS-1", 2, 2, None, date(2024, 1, 7)),
        ("学び放題", "チームA", "sre", "OBS-2", None, 2, None, date(2024, 1, 7)),
        ("学び放題", "チームA", "team", "INC-2", 1, None, None, date(2024, 1, 8)),
        ("学び放題", "チームA", "team", "OBS-1", 4, 3, "Datadogに移行した\n夜間の確認も済み", date(2024, 1, 8)),
        ("学び放題", "チームA", "team", "OBS-2", 3, 3, None, date(2024, 1, 8)),
    ]
    history = store.import_history(con)
    assert history["responses"].tolist() == [5] and "row 4 replaces row 2" in history["messages"][0]


def test_japanese_text_from_a_cp932_file_is_stored_byte_for_byte(con, model):
    report = run(con, model, "google_forms_excel_cp932.csv")
    assert report.status == "imported" and report.answered == 5
    (comment,) = stored(con, "SELECT comment FROM responses WHERE comment IS NOT NULL")[0]
    assert comment == "①の手順は髙橋さん～確認済み"
    assert comment.encode("utf-8") == "①の手順は髙橋さん\uff5e確認済み".encode()


@pytest.mark.parametrize(
    ("name", "layout", "responses", "notes"),
    [
        ("google_forms_bom.csv", "google_forms", 3, 0), ("google_forms_unicode.txt", "google_forms", 5, 0),
        ("ms_forms.xlsx", "ms_forms", 8, 0), ("tidy.csv", "tidy", 4, 0), ("tidy.xlsx", "tidy", 4, 0),
        ("workbook.xlsx", "workbook", 13, 0), ("miro_board.csv", "miro", 0, 5), ("miro_api.json", "miro", 0, 2),
        ("miro_flat.csv", "miro", 0, 2), ("renamed_csv.xlsx", "tidy", 2, 0),
    ],
)  # fmt: skip
def test_each_fixture_imports_with_its_counts(con, model, name, layout, responses, notes):
    report = run(con, model, name, product="学び放題")
    assert (report.status, report.layout, report.answered, report.notes, report.problems) == (
        "imported", layout, responses, notes, [],
    )  # fmt: skip
    assert stored(con, "SELECT count(*) FROM responses WHERE level IS NOT NULL") == [(responses,)]
    assert stored(con, "SELECT count(*) FROM notes") == [(notes,)]


def test_anonymous_ms_forms_responses_stay_separate_respondents(con, model):
    run(con, model, "ms_forms.xlsx")
    assert stored(con, "SELECT count(DISTINCT respondent) FROM responses") == [(3,)]
    assert stored(con, "SELECT count(*) FROM responses WHERE item_key = 'SLO-2' AND level IS NOT NULL") == [(3,)]


def test_no_email_address_or_name_reaches_the_database(con, model):
    for name in ("google_forms.csv", "ms_forms.xlsx", "tidy.csv", "miro_api.json"):
        assert run(con, model, name, product="P").status == "imported"
    text = repr(snapshot(con))
    for secret in ("example.com", "tanaka", "山田", "佐藤", "伊藤", "3074457350000000001"):
        assert secret not in text


def test_a_hand_made_workbook_stores_both_raters_per_product(con, model):
    run(con, model, "workbook.xlsx")
    rows = stored(
        con,
        """SELECT p.name, r.rater, count(*), count(r.level) FROM responses r JOIN teams t USING (team_id)
           JOIN products p USING (product_id) GROUP BY ALL ORDER BY ALL""",
    )
    assert rows == [("ポイント管理", "sre", 2, 2), ("ポイント管理", "team", 2, 2), ("学び放題", "sre", 5, 4),
                    ("学び放題", "team", 5, 5)]  # fmt: skip
    assert stored(con, "SELECT DISTINCT assessed_on FROM responses ORDER BY 1") == [
        (date(2024, 5, 14),),
        (date(2024, 5, 20),),
    ]


def test_miro_notes_are_stored_with_group_colour_tags_and_linked_item(con, model):
    run(con, model, "miro_flat.csv", product="学び放題", team="チームA")
    rows = stored(
        con,
        """SELECT p.name, t.name, n.text, n.group_name, n.colour, n.tags, n.item_key, n.linked_by
           FROM notes n JOIN products p USING (product_id) JOIN teams t USING (team_id) ORDER BY n.note_id""",
    )
    assert rows == [
        (
            "学び放題",
            "チームA",
            "ロールバック手順が<未整備>",
            "リリースの課題",
            "yellow",
            ["リリース", "手順"],
            "REL-2",
            "rule",
        ),
        ("学び放題", "チームA", "段階的リリースをしたい", "リリースの課題", "green", [], "REL-3", "rule"),
    ]


def test_text_that_looks_like_a_formula_is_stored_verbatim(con, model):
    report = run(con, model, "formula.csv")
    assert report.status == "imported"
    assert stored(con, "SELECT DISTINCT name FROM products") == [("=学び放題",)]
    assert stored(con, "SELECT DISTINCT name FROM teams") == [("@A",)]
    assert stored(con, "SELECT item_key, comment FROM responses ORDER BY item_key") == [
        ("INC-2", "+1 してください"),
        ("INC-3", "-2 から改善"),
        ("OBS-4", '=HYPERLINK("https://example.com/x","見る")'),
    ]


def test_text_as_long_as_a_cell_may_hold_is_stored_whole(con, model):
    long = ("とても長いコメント。" * 3_300)[:32_767]
    data = f'プロダクト,回答者ロール,項目,現状レベル,コメント\r\nP,SRE,外形監視,2,"{long}"\r\n'.encode()
    assert run(con, model, "long.csv", data).status == "imported"
    assert stored(con, "SELECT comment FROM responses") == [(long,)]


# --- refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first_message"),
    [
        (
            "out_of_range.csv",
            "level must be a whole number 0-4 or a level word (Not started, Ad hoc, Defined, Measured, Optimized), "
            'got "7"',
        ),
        ("conflicts.csv", "conflicting answers for item OBS-4"),
        ("missing_column.csv", "missing column level: a tidy table needs an item column"),
        ("header_only.csv", "the file has a header but no answers below it"),
        ("empty.csv", "the file is empty (0 bytes)"),
        ("bad_encoding.csv", "cannot tell the text encoding of this file"),
        ("picture.csv", "this is a PNG image, not a spreadsheet"),
    ],
)
def test_a_refused_file_changes_nothing_in_the_database(con, model, name, first_message):
    run(con, model, "tidy.csv")
    before = snapshot(con)
    report = run(con, model, name)
    assert report.status == "rejected"
    assert report.problems[0].message.startswith(first_message)
    assert (report.answered, report.notes, report.import_id) == (0, 0, None)
    assert snapshot(con) == before
    assert report.messages[-1].endswith("nothing was written")


def test_every_invalid_answer_is_reported_at_once_with_its_excel_location(con, model):
    report = run(con, model, "out_of_range.csv")
    problems = report.to_dict()["problems"]
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [
        (2, "現状レベル", "7"),
        (3, "現状レベル", "2.5"),
        (4, "現状レベル", "-1"),
        (4, "温度感", "5"),
        (5, "現状レベル", "abc"),
        (7, "項目", "SLOの合意形成"),
        (7, "回答者ロール", "営業"),
    ]
    assert problems[3]["message"] == 'importance must be 1-3 or 高/中/低, got "5"'
    assert 'did you mean "SLOの合意" (SLO-2)?' in problems[5]["message"]
    assert str(report.problems[0]).startswith(
        'out_of_range.csv, row 2, column "現状レベル": level must be a whole number 0-4'
    )


def test_conflicting_answers_refuse_the_file_naming_both_rows(con, model):
    report = run(con, model, "conflicts.csv")
    (problem,) = report.problems
    assert problem.row == 4
    assert "row 2 says level 2, row 4 says level 3; keep one of them" in problem.message


def test_exact_duplicate_rows_are_dropped_and_said(con, model):
    report = run(con, model, "duplicates.csv")
    assert (report.status, report.answered) == ("imported", 2)
    assert "row 4 repeats row 2 exactly: dropped" in report.messages
    assert stored(con, "SELECT count(*) FROM responses") == [(2,)]


def test_skip_invalid_imports_the_valid_rows_and_lists_what_it_skipped(con, model):
    report = run(con, model, "out_of_range.csv", skip_invalid=True)
    # rows 2, 3, 4, 5 and 7 are skipped; rows 4 and 7 have two problems each
    assert (report.status, report.answered, report.skipped, len(report.problems)) == ("imported", 1, 5, 7)
    assert "skipped 5 answers with problems (7 problems, each listed under problems)" in report.messages
    assert stored(con, "SELECT item_key, level FROM responses") == [("SLO-2", 3)]


def test_skip_invalid_drops_both_conflicting_answers_and_keeps_the_rest(con, model):
    report = run(con, model, "conflicts.csv", skip_invalid=True)
    assert (report.status, report.answered, report.skipped) == ("imported", 1, 2)
    assert "skipped 2 answers with problems (1 problem, each listed under problems)" in report.messages
    assert stored(con, "SELECT item_key, level FROM responses") == [("INC-2", 3)]


def test_skip_invalid_with_nothing_valid_left_is_still_a_refusal(con, model):
    before = snapshot(con)
    data = "プロダクト,回答者ロール,項目,現状レベル\r\nP,SRE,外形監視,9\r\n".encode()
    report = run(con, model, "bad.csv", data, skip_invalid=True)
    assert report.status == "rejected"
    assert report.problems[-1].message == "nothing valid is left to import; nothing was imported"
    assert snapshot(con) == before


def test_a_file_over_the_byte_or_row_limit_is_refused(con, model):
    too_big = run(con, model, "google_forms.csv", max_bytes=500)
    assert too_big.status == "rejected"
    assert too_big.problems[0].message.startswith(
        "the file is 973 bytes; the limit is 500 bytes (OPMATURITY_MAX_BYTES)"
    )
    too_long = run(con, model, "tidy.csv", max_rows=3)
    assert "the limit is 3 rows (OPMATURITY_MAX_ROWS)" in too_long.problems[0].message
    assert stored(con, "SELECT count(*) FROM imports") == [(0,)]


def test_wrong_options_are_problems_not_exceptions(con, model):
    bad_layout = run(con, model, "tidy.csv", layout="typeform")
    assert bad_layout.problems[0].message == f'layout must be one of {", ".join(LAYOUTS)}, got "typeform"'
    bad_rater = run(con, model, "tidy.csv", rater="営業")
    assert bad_rater.problems[0].message.startswith("rater must be team or sre")
    bad_mapping = run(con, model, "tidy.csv", mappings={"x": "NOPE-1"})
    assert bad_mapping.problems[0].message == (
        'the mapping for "x" names "NOPE-1", which is not an item key of the model (nor "-", which ignores the column)'
    )
    assert {r.status for r in (bad_layout, bad_rater, bad_mapping)} == {"rejected"}


def test_a_layout_that_does_not_fit_the_file_is_a_refusal(con, model):
    report = run(con, model, "tidy.csv", layout="ms_forms")
    assert report.status == "rejected"
    assert report.problems[0].message.startswith('no header row with "id" and "completed" columns')


# --- the same file again, corrections, dry runs --------------------------------------------------------


def test_the_same_bytes_again_are_a_duplicate_and_add_nothing(con, model):
    first = run(con, model, "tidy.csv")
    before = snapshot(con)
    again = run(con, model, "tidy-copy.csv", fixture("tidy.csv"))
    assert (again.status, again.import_id, again.layout, again.round) == (
        "duplicate",
        first.import_id,
        "tidy",
        "2024-H1",
    )
    assert again.messages[0].startswith(f"the same bytes were already imported (import #{first.import_id} on ")
    assert snapshot(con) == before


def test_a_corrected_file_replaces_the_answers_it_repeats_and_undo_brings_them_back(con, model):
    run(con, model, "duplicates.csv", round="R1", round_date=date(2024, 5, 20))
    corrected = fixture("duplicates.csv").replace("外形監視,2".encode(), "外形監視,4".encode())
    report = run(con, model, "corrected.csv", corrected, round="R1", round_date=date(2024, 5, 20))
    assert (report.status, report.replaced) == ("imported", 2)
    assert "replaced 2 earlier answers with the same round, team, respondent, rater and item" in report.messages
    assert stored(con, "SELECT item_key, level FROM current_responses ORDER BY 1") == [("INC-2", 3), ("OBS-4", 4)]
    store.undo_import(con, report.import_id)
    assert stored(con, "SELECT item_key, level FROM current_responses ORDER BY 1") == [("INC-2", 3), ("OBS-4", 2)]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(con, model):
    before = snapshot(con)
    report = run(con, model, "google_forms.csv", dry_run=True)
    assert (report.status, report.answered, report.import_id) == ("imported", 5, None)
    assert report.created["rounds"] == ["2024-H1"]
    assert "would create round '2024-H1', product '学び放題' and team '学び放題 / チームA'" in report.messages
    assert report.messages[-1] == "dry run: nothing was written"
    assert snapshot(con) == before


def test_preview_writes_nothing_and_shows_the_canonical_rows(con, model):
    before = snapshot(con)
    report, table = preview(con, "tidy.csv", fixture("tidy.csv"), model, ImportOptions())
    assert (report.status, report.answered, report.round) == ("imported", 4, "2024-H1")
    assert report.messages[-1] == "preview: nothing was written"
    assert list(table.columns[:7]) == ["sheet", "row", "product", "team", "respondent", "rater", "item"]
    assert table["level"].tolist()[:3] == [3, 3, 1] and len(table) == 5
    notes_report, notes = preview(con, "miro_board.csv", fixture("miro_board.csv"), model, ImportOptions())
    assert notes_report.notes == 5 and notes["group"].tolist()[0] == "監視の振り返り"
    assert snapshot(con) == before


def test_preview_of_a_refused_file_still_shows_its_valid_rows(con, model):
    report, table = preview(con, "out_of_range.csv", fixture("out_of_range.csv"), model, ImportOptions())
    assert report.status == "rejected" and len(report.problems) == 7
    assert table["item"].tolist() == ["SLO-2"]


def test_import_files_gives_one_report_per_file_and_counts_the_same_bytes_once(con, model):
    files = [
        ("tidy.csv", fixture("tidy.csv")),
        ("bad.csv", fixture("out_of_range.csv")),
        ("again.csv", fixture("tidy.csv")),
    ]
    assert [r.status for r in import_files(con, files, model, ImportOptions(dry_run=True))] == [
        "imported", "rejected", "duplicate",
    ]  # fmt: skip
    reports = import_files(con, files, model, ImportOptions())
    assert [r.status for r in reports] == ["imported", "rejected", "duplicate"]
    assert stored(con, "SELECT count(*) FROM imports") == [(1,)]


def test_to_dict_is_exactly_the_command_line_contract(con, model):
    report = run(con, model, "out_of_range.csv")
    as_dict = report.to_dict()
    assert list(as_dict) == [
        "file",
        "layout",
        "status",
        "import_id",
        "round",
        "responses",
        "notes",
        "problems",
        "columns",
        "created",
        "messages",
    ]
    assert list(as_dict["problems"][0]) == ["sheet", "row", "column", "value", "message"]
    assert as_dict["file"] == "out_of_range.csv" and as_dict["status"] == "rejected"


def test_to_dict_renders_the_messages_in_the_language_asked_and_each_problem_keeps_its_key(con, model):
    report = run(con, model, "out_of_range.csv")
    problem = report.to_dict("ja")["problems"][0]
    assert problem["message"] == (
        "レベルは0〜4の整数か、レベルの言葉（未着手、場当たり、定義済み、運用・計測、最適化）"
        'で入力してください（値: "7"）'
    )
    assert report.problems[0].code == "msg.value.bad_level"


# --- rounds ----------------------------------------------------------------------------------------


def test_the_round_chosen_on_import_wins(con, model):
    report = run(con, model, "tidy.csv", round="2024 春")
    assert report.round == "2024 春"
    assert 'round "2024 春" (chosen on import)' in report.messages


def test_a_file_dated_near_an_existing_round_joins_it(con, model):
    store.ensure_round(con, "2024 春", date(2024, 5, 1))
    report = run(con, model, "tidy.csv")
    assert report.round == "2024 春" and "rounds" not in report.created
    assert 'round "2024 春" (held on 2024-05-01, the nearest to the file\'s date 2024-05-14)' in report.messages


def test_a_file_without_dates_goes_to_the_latest_round(con, model):
    store.ensure_round(con, "2023-H2", date(2023, 10, 1))
    store.ensure_round(con, "2024-H1", date(2024, 5, 1))
    report = run(con, model, "duplicates.csv")
    assert report.round == "2024-H1"
    assert 'round "2024-H1" (the latest round; the file carries no date)' in report.messages


def test_a_file_without_dates_in_an_empty_database_starts_a_round_named_after_today(con, model):
    today = date.today()
    report = run(con, model, "duplicates.csv")
    expected = f"{today.year}-H{1 if today.month <= 6 else 2}"
    assert report.round == expected
    assert f'a new round "{expected}" (there is no round yet and the file carries no date)' in report.messages


def test_a_round_named_in_the_file_is_used(con, model):
    data = b"product,rater,item,level,round\r\nP,sre,SLO-2,3,2024 spring\r\n"
    report = run(con, model, "r.csv", data)
    assert report.round == "2024 spring"
    assert 'round "2024 spring" (named in the file)' in report.messages


# --- mapping unknown headers ------------------------------------------------------------------------


def unknown_header_file() -> bytes:
    text = fixture("google_forms.csv").decode("utf-8")
    return text.replace("インシデント対応 [ランブック]", "現状レベル [手順書の整備]").encode()


def test_an_unknown_header_is_refused_then_imported_once_mapped_by_hand(con, model):
    data = unknown_header_file()
    refused = run(con, model, "g.csv", data)
    assert refused.status == "rejected" and refused.unmapped_headers == ["現状レベル [手順書の整備]"]
    mapped = run(con, model, "g.csv", data, mappings={"現状レベル [手順書の整備]": "INC-2"})
    assert (mapped.status, mapped.answered) == ("imported", 5)
    assert stored(con, "SELECT count(*) FROM responses WHERE item_key = 'INC-2'") == [(2,)]


def test_a_mapping_made_on_import_is_remembered_for_the_next_file(con, model):
    data = unknown_header_file()
    mapped = run(con, model, "g.csv", data, mappings={"現状レベル [手順書の整備]": "INC-2"})
    assert not any("could not be remembered" in m for m in mapped.messages), mapped.messages
    assert store.header_mappings(con) == {"現状レベル [手順書の整備]": "INC-2"}
    later = run(con, model, "next.csv", data.replace(b"tanaka", b"kato"))
    assert later.status == "imported" and later.unmapped_headers == []


def test_a_dry_run_does_not_remember_mappings(con, model):
    data = fixture("google_forms.csv").decode().replace("インシデント対応 [ランブック]", "手順書 [x]").encode()
    report = run(con, model, "g.csv", data, mappings={"手順書 [x]": "INC-2"}, dry_run=True)
    assert report.status == "imported"
    assert store.header_mappings(con) == {}


# --- what a reviewer found ---------------------------------------------------------------------------


def test_a_deeply_nested_json_is_refused_not_raised(con, model):
    before = snapshot(con)
    report = run(con, model, "deep.json", b"[" * 200_000 + b"]" * 200_000)
    assert report.status == "rejected"
    assert report.problems[0].message.startswith("the JSON nests lists or objects more than 64 levels deep")
    assert snapshot(con) == before


def test_conflicting_answers_name_the_column_they_differ_in(con, model):
    (problem,) = run(con, model, "conflicts.csv").problems
    assert (problem.row, problem.column) == (4, "現状レベル")


def grid_csv(header: str) -> bytes:
    return (
        f'"タイムスタンプ","メールアドレス","プロダクト","チーム","ロール","現状レベル [ランブック]","{header}"\r\n'
        '"2024/05/20 9:41:40 午前 GMT+9","a@x.jp","決済","A","開発","1","3"\r\n'
    ).encode()


def test_a_hand_mapped_grid_header_stores_its_measure_and_is_remembered_that_way(con, model):
    report = run(con, model, "g.csv", grid_csv("温度感 [監視]"), mappings={"温度感 [監視]": "OBS-1"})
    assert (report.status, report.answered) == ("imported", 1)
    assert stored(con, "SELECT item_key, level, importance FROM responses ORDER BY 1") == [
        ("INC-2", 1, None),
        ("OBS-1", None, 3),
    ]
    assert store.header_mappings(con) == {"温度感 [監視]": "OBS-1"}
    later = run(con, model, "g2.csv", grid_csv("温度感 [監視]").replace(b'"3"', b'"2"'))
    assert later.status == "imported" and later.unmapped_headers == []
    assert stored(con, "SELECT importance FROM current_responses WHERE item_key = 'OBS-1'") == [(2,)]


def test_a_column_mapped_to_ignore_is_remembered_and_ignored_next_time(con, model):
    data = grid_csv("チームの人数")
    refused = run(con, model, "g.csv", data)
    assert refused.status == "rejected" and refused.unmapped_headers == ["チームの人数"]
    report = run(con, model, "g.csv", data, mappings={"チームの人数": IGNORE})
    assert (report.status, report.answered) == ("imported", 1)
    assert 'column "チームの人数" ignored (mapped to "-" on import)' in report.messages
    assert store.header_mappings(con) == {"チームの人数": "-"}
    later = run(con, model, "g2.csv", data.replace(b"a@x.jp", b"b@x.jp"))
    assert (later.status, later.answered) == ("imported", 1)
    assert stored(con, "SELECT item_key, level FROM responses ORDER BY 1, 2") == [("INC-2", 1), ("INC-2", 1)]


def test_skip_invalid_in_a_form_leaves_out_an_items_whole_answer_and_counts_answers(con, model):
    data = (
        '"タイムスタンプ","メールアドレス","プロダクト","チーム","ロール","現状レベル [ランブック]",'
        '"温度感 [ランブック]","現状レベル [SLOの合意]"\r\n'
        '"2024/05/20 9:41:40 午前 GMT+9","a@x.jp","決済","A","開発","3 くらい？","高","2"\r\n'
    ).encode()
    report = run(con, model, "g.csv", data, skip_invalid=True)
    assert (report.status, report.answered, report.skipped) == ("imported", 1, 1)
    assert "skipped 1 answer with problems (1 problem, each listed under problems)" in report.messages
    assert stored(con, "SELECT item_key, level, importance FROM responses") == [("SLO-2", 2, None)]


def test_anonymous_google_forms_rows_with_one_timestamp_are_stored_as_two_respondents(con, model):
    report = run(con, model, "google_forms_anonymous.csv")
    assert (report.status, report.answered) == ("imported", 4)
    assert not any("replaces" in m for m in report.messages)
    assert stored(con, "SELECT count(DISTINCT respondent) FROM responses") == [(2,)]


def test_a_hand_made_workbook_stores_no_name_and_takes_the_values_after_merged_labels(con, model):
    report = run(con, model, "workbook_reviewed.xlsx")
    assert (report.status, report.layout, report.answered) == ("imported", "workbook", 4)
    assert 'hidden sheet "前回" skipped (unhide to import)' in report.messages
    where = stored(
        con,
        """SELECT DISTINCT p.name, t.name, r.assessed_on
           FROM responses r JOIN teams t USING (team_id) JOIN products p USING (product_id)""",
    )
    assert where == [("決済サービス", "決済チーム", date(2024, 5, 20))]
    text = repr(snapshot(con))
    assert "山田" not in text and "太郎" not in text


def test_a_re_exported_miro_board_with_one_note_edited_replaces_its_notes_instead_of_doubling_them(con, model):
    import json as _json

    options = ImportOptions(product="学び放題", team="A", round="2024-H1")
    data = fixture("miro_api.json")
    first = import_file(con, "board.json", data, model, options)
    board = _json.loads(data)
    sticky = next(i for i in board["data"] if i.get("type") == "sticky_note")
    sticky["data"]["content"] = "<p>変更した付箋 &amp; 追記</p>"
    again = import_file(con, "board (1).json", _json.dumps(board, ensure_ascii=False).encode(), model, options)
    assert (first.status, again.status) == ("imported", "imported")
    assert any("1 replaced (edited), 1 unchanged" in str(m) for m in again.messages)
    live = [t for (t,) in stored(con, "SELECT text FROM current_notes")]
    assert len(live) == first.notes and "変更した付箋 & 追記" in live
    store.undo_import(con, again.import_id)
    assert "変更した付箋 & 追記" not in [t for (t,) in stored(con, "SELECT text FROM current_notes")]


def test_the_layout_found_is_said_by_its_key_and_in_words_in_either_language(con, model):
    data = "プロダクト,チーム,ロール,項目,現状レベル\r\nP,T,SRE,ランブック,2\r\n".encode()
    report = import_file(con, "t.csv", data, model, ImportOptions(round="2025-H1"))
    (said,) = [m for m in report.messages if m.key == "msg.import.layout"]
    assert said.text("en").startswith("layout tidy (Tidy table (one answer per row)): one answer per row")
    assert said.text("ja").startswith("形式「縦持ちの表（1行1回答）」（tidy）: ")
