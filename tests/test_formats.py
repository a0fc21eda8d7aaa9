"""formats: each real export layout detected and parsed into the canonical Batch."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from opmaturity.batch import Batch
from opmaturity.formats import LAYOUTS, PARSERS, detect
from opmaturity.formats.common import Context
from opmaturity.formats.miro import plain
from opmaturity.model import Model
from opmaturity.pseudonym import pseudonym
from opmaturity.readers import read
from opmaturity.values import Values

IMPORTS = Path(__file__).parent / "data" / "imports"
KEY = b"test-secret"


def source_of(name: str, data: bytes | None = None):
    return read(name, data if data is not None else (IMPORTS / name).read_bytes())


def parsed(model: Model, name: str, data: bytes | None = None, layout: str | None = None, **defaults) -> Batch:
    source = source_of(name, data)
    values = Values(model, defaults.pop("mappings", None))
    layout = layout or detect(source, values).layout
    ctx = Context(file=name, sha256="0" * 64, model=model, values=values, key=KEY, **defaults)
    batch = PARSERS[layout](source, ctx)
    batch.unmapped = ctx.unmapped  # type: ignore[attr-defined]
    return batch


def answers(batch: Batch) -> dict[tuple[str, str, str], int | None]:
    return {(r.respondent, r.rater, r.item): r.level for r in batch.answers}


def xlsx(rows: list[list[object]], title: str = "Sheet1") -> bytes:
    wb = Workbook()
    wb.active.title = title
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("google_forms.csv", "google_forms"), ("google_forms_excel_cp932.csv", "google_forms"),
        ("google_forms_bom.csv", "google_forms"), ("google_forms_unicode.txt", "google_forms"),
        ("ms_forms.xlsx", "ms_forms"), ("tidy.csv", "tidy"), ("tidy.xlsx", "tidy"), ("renamed_csv.xlsx", "tidy"),
        ("workbook.xlsx", "workbook"), ("miro_board.csv", "miro"), ("miro_api.json", "miro"),
        ("miro_flat.csv", "miro"),
    ],
)  # fmt: skip
def test_each_export_is_detected_from_its_content(model, name, layout):
    found = detect(source_of(name), Values(model))
    assert found.layout == layout, found.reason
    assert found.layout in LAYOUTS


def test_a_file_of_no_known_layout_is_not_guessed(model):
    found = detect(source_of("x.csv", b"foo,bar\r\n1,2\r\n"), Values(model))
    assert found.layout is None
    assert found.reason.startswith("could not recognise the layout")


def test_a_one_row_header_with_rater_columns_is_a_hand_made_sheet(model):
    data = "カテゴリ,項目,SRE評価,PT評価\r\nSLO,SLOの合意,2,1\r\n".encode()
    assert detect(source_of("x.csv", data), Values(model)).layout == "workbook"


# --- Google Forms ----------------------------------------------------------------------------------


def test_google_forms_grid_columns_become_answers_and_a_resubmission_replaces_the_first(model):
    batch = parsed(model, "google_forms.csv")
    tanaka, suzuki = pseudonym("tanaka@example.com", KEY), pseudonym("sre-suzuki@example.com", KEY)
    assert answers(batch) == {
        (suzuki, "sre", "OBS-1"): 2,
        (suzuki, "sre", "OBS-2"): None,  # N/A: not answered, not 0
        (suzuki, "sre", "INC-2"): 1,
        (tanaka, "team", "OBS-1"): 4,  # row 4 replaced row 2 (3 運用・計測)
        (tanaka, "team", "OBS-2"): 3,
        (tanaka, "team", "INC-2"): 1,
    }
    assert "row 4 replaces row 2: the same respondent submitted again" in "\n".join(batch.messages)
    assert 'column "利用しているツール" is not an item of the model; ignored' in batch.messages
    assert batch.problems == []


def test_google_forms_keeps_importance_per_category_comments_and_the_local_date(model):
    batch = parsed(model, "google_forms.csv")
    by_key = {(r.rater, r.item): r for r in batch.answers}
    assert by_key[("team", "OBS-1")].importance == 3 and by_key[("sre", "OBS-2")].importance == 2
    assert by_key[("team", "INC-2")].importance is None  # 温度感 [監視・アラート] covers OBS only
    assert by_key[("team", "OBS-1")].comment == "Datadogに移行した\n夜間の確認も済み"
    assert by_key[("team", "OBS-1")].assessed_on == date(2024, 1, 8)  # 12:41:03 午前 is just after midnight
    assert batch.round_date == date(2024, 1, 7)
    assert (by_key[("team", "OBS-1")].product, by_key[("team", "OBS-1")].team) == ("学び放題", "チームA")


def test_the_batch_never_holds_an_email_address(model):
    batch = parsed(model, "google_forms.csv")
    assert not any("@" in r.respondent for r in batch.answers)
    assert "tanaka" not in repr(batch)


def test_the_same_form_resaved_by_excel_in_cp932_gives_the_same_answers(model):
    original, resaved = parsed(model, "google_forms.csv"), parsed(model, "google_forms_excel_cp932.csv")
    assert answers(resaved) == answers(original)
    comments = [r.comment for r in resaved.answers if r.comment]
    assert comments == ["①の手順は髙橋さん～確認済み"]


def test_english_forms_and_utf16_unicode_text_parse_too(model):
    english = parsed(model, "google_forms_bom.csv")
    assert sorted((r.rater, r.item, r.level, r.importance) for r in english.answers) == [
        ("sre", "INC-2", None, None), ("sre", "OBS-1", 2, 1), ("team", "INC-2", 1, None), ("team", "OBS-1", 3, 3),
    ]  # fmt: skip
    assert english.round_date == date(2024, 1, 7)
    unicode = parsed(model, "google_forms_unicode.txt")
    assert len(unicode.answers) == 6 and unicode.problems == []


def test_an_unknown_grid_column_is_a_problem_with_the_nearest_item_and_can_be_mapped(model):
    text = (IMPORTS / "google_forms.csv").read_text(encoding="utf-8")
    data = text.replace("[インシデント対応: ランブック]", "[ランブック整備]", 1)
    data = data.replace("インシデント対応 [ランブック]", "現状レベル [ランブック整備]").encode()
    batch = parsed(model, "g.csv", data)
    (problem,) = batch.problems
    assert problem.column == "現状レベル [ランブック整備]" and problem.row == 1
    assert 'did you mean "ランブック" (INC-2)?' in problem.message
    assert batch.unmapped == ["現状レベル [ランブック整備]"]  # type: ignore[attr-defined]
    mapped = parsed(model, "g.csv", data, mappings={"現状レベル [ランブック整備]": "INC-2"})
    assert mapped.problems == [] and answers(mapped) == answers(parsed(model, "google_forms.csv"))


def test_a_google_sheets_workbook_with_typed_timestamps_parses_like_the_csv(model):
    data = xlsx(
        [
            ["タイムスタンプ", "メールアドレス", "プロダクト", "回答者ロール", "現状レベル [SLOの合意]"],
            [datetime(2024, 1, 7, 19, 41, 41), "a@example.com", "P", "SRE", 3],
            [datetime(2024, 1, 9, 8, 0, 0), "a@example.com", "P", "SRE", "4 最適化"],
        ],
        title="フォームの回答 1",
    )
    batch = parsed(model, "responses.xlsx", data)
    assert [(r.sheet, r.row, r.item, r.level, r.assessed_on) for r in batch.answers] == [
        ("フォームの回答 1", 3, "SLO-2", 4, date(2024, 1, 9))
    ]
    assert batch.round_date == date(2024, 1, 7)


def test_a_form_without_a_rater_column_needs_the_rater_from_the_user(model):
    data = '"Timestamp","Email","Product","SLOの合意"\r\n"2024/5/20 10:00","a@x.jp","P","2"\r\n'.encode()
    batch = parsed(model, "f.csv", data)
    assert batch.answers == []
    assert batch.problems[0].message.startswith("no rater: the file has no rater column")
    chosen = parsed(model, "f.csv", data, rater="sre", team="T")
    assert [(r.product, r.team, r.rater, r.item, r.level) for r in chosen.answers] == [("P", "T", "sre", "SLO-2", 2)]


def test_two_answers_in_one_cell_are_refused(model):
    data = '"Timestamp","Product","Role","SLOの合意"\r\n"2024/5/20 10:00","P","SRE","2;3"\r\n'.encode()
    (problem,) = parsed(model, "f.csv", data).problems
    assert problem.message == 'one answer expected, got several: "2;3"'
    assert (problem.row, problem.column) == (2, "SLOの合意")


# --- Microsoft Forms -------------------------------------------------------------------------------


def test_ms_forms_keeps_each_anonymous_response_as_its_own_respondent(model):
    batch = parsed(model, "ms_forms.xlsx")
    assert batch.problems == []
    people = {r.row: r.respondent for r in batch.answers}
    assert people[2] == pseudonym("yamada@example.com", KEY)
    assert people[3] == pseudonym("anonymous:2", KEY) and people[4] == pseudonym("anonymous:3", KEY)
    assert len({r.respondent for r in batch.answers}) == 3
    levels = {(r.row, r.item): r.level for r in batch.answers}
    assert levels == {
        (2, "OBS-1"): 3, (2, "INC-2"): 2, (2, "SLO-2"): 1,
        (3, "OBS-1"): 2, (3, "INC-2"): None, (3, "SLO-2"): 1,
        (4, "OBS-1"): 1, (4, "INC-2"): 1, (4, "SLO-2"): 0,
    }  # fmt: skip
    assert {(r.product, r.team, r.rater) for r in batch.answers} == {("ポイント管理", "決済チーム", "team")}
    assert batch.round_date == date(2024, 5, 20)


def test_ms_forms_quiz_columns_are_ignored_and_a_named_respondent_resubmitting_is_replaced(model):
    header = ["ID", "開始時刻", "完了時刻", "メール", "名前", "Total points", "Points - ランブック", "ランブック"]
    data = xlsx(
        [
            header,
            [1, datetime(2024, 5, 20, 9), datetime(2024, 5, 20, 9, 5), "a@x.jp", "A", 0, 0, "1"],
            [2, datetime(2024, 5, 21, 9), datetime(2024, 5, 21, 9, 5), "a@x.jp", "A", 0, 0, "3"],
        ]
    )
    batch = parsed(model, "ms.xlsx", data, product="P", rater="team")
    assert [(r.item, r.level, r.row) for r in batch.answers] == [("INC-2", 3, 3)]
    assert batch.messages[-1].startswith('sheet "Sheet1" row 3 replaces row 2')


def test_a_forms_general_comment_column_is_kept_as_free_text_not_dropped(model):
    # "列「コメント」はどの項目にも結びつかないので無視しました": every comment written in it was lost (outside review).
    header = ["ID", "開始時刻", "完了時刻", "メール", "名前", "ランブック", "コメント"]
    data = xlsx(
        [
            header,
            [1, datetime(2024, 5, 20, 9), datetime(2024, 5, 20, 9, 5), "a@x.jp", "A", "1", "ロールバック手順書が古い"],
            [2, datetime(2024, 5, 21, 9), datetime(2024, 5, 21, 9, 5), "b@x.jp", "B", "3", None],
        ]
    )
    batch = parsed(model, "ms.xlsx", data, product="P", team="T", rater="team")
    assert batch.problems == []
    assert [(r.item, r.level) for r in batch.answers] == [("INC-2", 1), ("INC-2", 3)]
    assert [n.text for n in batch.notes] == ["ロールバック手順書が古い"]
    assert not [m for m in batch.messages if "結びつかない" in m.text("ja") or "not tied" in m]
    assert any(m.key == "msg.parse.free_text_kept" for m in batch.messages)


# --- tidy ------------------------------------------------------------------------------------------


def test_tidy_csv_fills_group_cells_down_and_reads_japanese_headers(model):
    batch = parsed(model, "tidy.csv")
    rows = [(r.row, r.product, r.team, r.rater, r.item, r.level, r.target, r.importance) for r in batch.answers]
    assert rows == [
        (2, "学び放題", "007", "sre", "OBS-1", 3, 4, 3),
        (3, "学び放題", "007", "sre", "OBS-4", 3, None, None),
        (4, "学び放題", "007", "sre", "SLO-2", 1, 3, 2),
        (5, "学び放題", "007", "team", "OBS-1", 2, None, 3),
        (6, "学び放題", "007", "team", "OBS-4", None, None, None),
    ]
    assert batch.answers[0].respondent == batch.answers[2].respondent == pseudonym("佐藤", KEY)
    assert batch.answers[4].respondent == pseudonym("伊藤", KEY)
    assert batch.answers[2].comment == "合意はまだ"
    assert {r.assessed_on for r in batch.answers} == {date(2024, 5, 14)}


def test_tidy_xlsx_with_merged_group_cells_gives_the_same_answers_as_the_csv(model):
    from_csv, from_xlsx = parsed(model, "tidy.csv"), parsed(model, "tidy.xlsx")
    assert answers(from_xlsx) == answers(from_csv)
    assert [r.sheet for r in from_xlsx.answers] == ["回答"] * 5
    assert 'sheet "メモ" has no 項目 / item column; skipped' in from_xlsx.messages


def test_a_tidy_category_that_contradicts_the_item_is_a_problem(model):
    data = "プロダクト,回答者ロール,カテゴリ,項目,スコア\r\nP,SRE,SLO,ランブック,2\r\n".encode()
    (problem,) = parsed(model, "t.csv", data).problems
    assert problem.message.startswith(
        'item "ランブック" (INC-2) belongs to category "インシデント対応" (INC), not "SLO"'
    )


def test_a_tidy_table_missing_its_level_column_names_what_it_needs(model):
    (problem,) = parsed(model, "missing_column.csv").problems
    assert problem.message.startswith("missing column level: a tidy table needs an item column")
    assert 'found "プロダクト", "チーム", "回答者ロール", "項目", "コメント"' in problem.message


def test_english_tidy_headers_with_a_round_column(model):
    data = (
        b"product,team,respondent_role,item,score,target,importance,comment,assessed_on,round\r\n"
        b"P,T,sre,SLO-2,3,4,High,ok,2024-05-20,2024 spring\r\n"
        b"P,T,team,Agreed SLOs,2,,,,,\r\n"
    )
    batch = parsed(model, "t.csv", data)
    assert batch.round == "2024 spring"
    assert [(r.rater, r.item, r.level, r.target, r.importance) for r in batch.answers] == [
        ("sre", "SLO-2", 3, 4, 3),
        ("team", "SLO-2", 2, None, None),
    ]


# --- hand-made workbook ----------------------------------------------------------------------------


def test_a_hand_made_workbook_reads_the_title_block_two_row_header_and_merged_groups(model):
    batch = parsed(model, "workbook.xlsx")
    assert batch.problems == []
    first = [r for r in batch.answers if r.sheet == "学び放題"]
    assert {(r.product, r.team, r.assessed_on) for r in first} == {
        ("学び放題", "コンテンツ開発チーム", date(2024, 5, 20))
    }
    assert {(r.rater, r.item): (r.level, r.importance) for r in first} == {
        ("sre", "OBS-1"): (3, 3), ("team", "OBS-1"): (3, 3),
        ("sre", "OBS-2"): (2, 3), ("team", "OBS-2"): (2, 3),
        ("sre", "OBS-3"): (None, 3), ("team", "OBS-3"): (1, 3),
        ("sre", "INC-2"): (1, 2), ("team", "INC-2"): (2, 2),
        ("sre", "INC-3"): (0, 2), ("team", "INC-3"): (1, 2),
    }  # fmt: skip
    assert {r.row for r in first} == {6, 7, 8, 9, 10}  # 平均 and ※ footer rows are not answers
    assert {r.respondent for r in first} == {pseudonym("group:sre", KEY), pseudonym("group:team", KEY)}


def test_each_sheet_is_a_product_and_the_legend_sheet_is_skipped(model):
    batch = parsed(model, "workbook.xlsx")
    second = [
        (r.product, r.team, r.rater, r.item, r.level, r.assessed_on) for r in batch.answers if r.sheet == "ポイント管理"
    ]
    assert second == [
        ("ポイント管理", "ポイント管理", "sre", "SLO-2", 2, date(2024, 5, 14)),
        ("ポイント管理", "ポイント管理", "team", "SLO-2", 1, date(2024, 5, 14)),
        ("ポイント管理", "ポイント管理", "sre", "SLO-3", 0, date(2024, 5, 14)),
        ("ポイント管理", "ポイント管理", "team", "SLO-3", 1, date(2024, 5, 14)),
    ]
    assert 'sheet "凡例" holds no answers (no 項目 column); skipped' in batch.messages
    assert batch.round_date == date(2024, 5, 14)


def test_a_hand_made_csv_fills_category_and_importance_down_the_group(model):
    data = (
        "成熟度チェック ― 学び放題\r\nチーム：,A\r\n\r\n"
        "カテゴリ,項目,温度感,SRE評価,PT評価\r\n"
        "監視・アラート,サービスダッシュボード,高,3,2\r\n,外形監視,,1,1\r\n平均,,,2,1.5\r\n"
    ).encode("cp932")
    batch = parsed(model, "hand.csv", data)
    assert batch.layout == "workbook" and batch.problems == []
    assert {(r.item, r.rater): (r.level, r.importance) for r in batch.answers} == {
        ("OBS-1", "sre"): (3, 3), ("OBS-1", "team"): (2, 3), ("OBS-4", "sre"): (1, 3), ("OBS-4", "team"): (1, 3),
    }  # fmt: skip
    assert {(r.product, r.team) for r in batch.answers} == {("学び放題", "A")}


def test_a_bad_value_in_a_hand_made_sheet_names_sheet_row_and_the_two_row_header(model):
    wb = Workbook()
    ws = wb.active
    ws.title = "学び放題"
    ws.append(["チェック — 学び放題"])
    ws.append(["カテゴリ", "項目", "現状レベル", None])
    ws.append([None, None, "SRE評価", "PT評価"])
    ws.merge_cells("C2:D2")
    ws.append(["SLO", "SLOの合意", 7, 2])
    buffer = io.BytesIO()
    wb.save(buffer)
    (problem,) = parsed(model, "hand.xlsx", buffer.getvalue()).problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("学び放題", 4, "現状レベル / SRE評価", "7")
    assert problem.message.startswith("level must be a whole number 0-4")


# --- Miro ------------------------------------------------------------------------------------------


def test_a_miro_board_csv_turns_cells_into_notes_and_single_cell_rows_into_frame_titles(model):
    batch = parsed(model, "miro_board.csv", product="学び放題")
    assert [(n.group, n.text) for n in batch.notes] == [
        ("監視の振り返り", "Datadogのダッシュボードが古い"),
        ("監視の振り返り", "アラートが多すぎる\n夜間に鳴る"),
        ("監視の振り返り", "Sentryの通知先が不明"),
        ("インシデント対応", "ランブックがない"),
        ("インシデント対応", "ポストモーテムを書いていない"),
    ]
    assert [n.item for n in batch.notes][:1] == ["OBS-1"] and batch.notes[3].item == "INC-2"
    assert {(n.product, n.team) for n in batch.notes} == {("学び放題", None)}
    assert batch.messages == ["1 sticky note appeared twice in the export (inside a frame); counted once"]
    assert batch.answers == []


def test_miro_api_json_keeps_sticky_notes_only_with_frame_colour_and_plain_text(model):
    batch = parsed(model, "miro_api.json", product="P", team="T")
    assert [(n.text, n.group, n.colour, n.item) for n in batch.notes] == [
        ("ランブック&手順が古い\n更新したい", "監視の振り返り", "light_yellow", "INC-2"),
        ("Sentryの通知が多い\n夜間も鳴る", None, "red", "OBS-3"),
    ]
    assert batch.notes[0].author == pseudonym("miro:3074457350000000001", KEY)
    assert batch.messages == ["skipped board items that are not sticky notes: 1 shape, 1 text"]
    assert batch.round_date == date(2024, 5, 20)


def test_a_csv_flattened_from_the_api_keeps_frames_tags_and_colours(model):
    batch = parsed(model, "miro_flat.csv")
    assert [(n.text, n.group, n.colour, n.tags, n.item) for n in batch.notes] == [
        ("ロールバック手順が<未整備>", "リリースの課題", "yellow", ("リリース", "手順"), "REL-2"),
        ("段階的リリースをしたい", "リリースの課題", "green", (), "REL-3"),
    ]
    assert batch.notes[0].product is None  # no product in the file and none chosen


def test_sticky_html_becomes_plain_text_and_plain_text_stays_verbatim():
    assert plain("<p>a &amp; b</p><p>c<br/>d</p>") == "a & b\nc\nd"
    assert plain("a < b & c > d") == "a < b & c > d"


def test_json_that_is_not_a_miro_item_list_is_a_problem(model):
    batch = parsed(model, "x.json", b'{"hello": "world"}', layout="miro")
    assert batch.problems[0].message.startswith("this JSON is not a Miro REST API item list")


# --- what a reviewer found ---------------------------------------------------------------------------


def book(*sheets: tuple[str, list[list[object]], list[str]], hidden: tuple[str, ...] = ()) -> bytes:
    """An xlsx of (title, rows, merged ranges) sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, merges in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cells in merges:
            ws.merge_cells(cells)
        if title in hidden:
            ws.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GRID = (
    '"タイムスタンプ","メールアドレス","プロダクト","チーム","ロール",{}\r\n'
    '"2024/05/20 9:41:40 午前 GMT+9","a@x.jp","P","T","開発",{}\r\n'
)


def grid_form(**columns: str) -> bytes:
    return GRID.format(",".join(f'"{h}"' for h in columns), ",".join(f'"{v}"' for v in columns.values())).encode()


def test_a_hand_mapped_grid_header_keeps_the_measure_its_question_part_names(model):
    data = grid_form(**{"現状レベル [ランブック]": "1", "温度感 [監視]": "3"})
    (problem,) = parsed(model, "g.csv", data).problems
    assert problem.column == "温度感 [監視]"
    mapped = parsed(model, "g.csv", data, mappings={"温度感 [監視]": "OBS-1"})
    assert mapped.problems == []
    assert [(r.item, r.level, r.importance) for r in mapped.answers] == [("INC-2", 1, None), ("OBS-1", None, 3)]


def test_several_measures_of_one_unknown_grid_row_can_each_be_mapped_to_the_same_item(model):
    headers = ["現状レベル [監視ダッシュボード]", "温度感 [監視ダッシュボード]", "目標 [監視ダッシュボード]"]
    data = grid_form(**dict(zip(headers, ["2", "高", "4"], strict=True)))
    assert len(parsed(model, "g.csv", data).problems) == 3
    mapped = parsed(model, "g.csv", data, mappings=dict.fromkeys(headers, "OBS-1"))
    assert mapped.problems == []
    assert [(r.item, r.level, r.importance, r.target) for r in mapped.answers] == [("OBS-1", 2, 3, 4)]


def test_a_form_column_mapped_to_ignore_is_left_out_and_said_so(model):
    data = grid_form(**{"現状レベル [ランブック]": "1", "SREとの連携の満足度（1〜5）": "4", "チームの人数": "3"})
    refused = parsed(model, "g.csv", data)
    assert [p.column for p in refused.problems] == ["SREとの連携の満足度（1〜5）", "チームの人数"]
    ignored = parsed(model, "g.csv", data, mappings={"SREとの連携の満足度（1〜5）": "-", "チームの人数": "-"})
    assert ignored.problems == []
    assert [(r.item, r.level) for r in ignored.answers] == [("INC-2", 1)]
    assert 'column "チームの人数" ignored (mapped to "-" on import)' in ignored.messages


def test_google_forms_rows_without_an_email_are_each_their_own_respondent(model):
    batch = parsed(model, "google_forms_anonymous.csv")
    assert batch.problems == [] and not any("replaces" in m for m in batch.messages)
    people = {r.row: r.respondent for r in batch.answers}
    assert people == {2: pseudonym(f"anonymous:{'0' * 64}:2", KEY), 3: pseudonym(f"anonymous:{'0' * 64}:3", KEY)}
    assert sorted((r.row, r.item, r.level) for r in batch.answers) == [
        (2, "INC-2", 2), (2, "OBS-1", 3), (3, "INC-2", 1), (3, "OBS-1", 1),
    ]  # fmt: skip


def test_an_invalid_level_in_a_form_leaves_out_that_items_whole_answer(model):
    data = grid_form(
        **{"現状レベル [ランブック]": "3 or 4", "温度感 [ランブック]": "高", "現状レベル [SLOの合意]": "2"}
    )
    batch = parsed(model, "g.csv", data)
    (problem,) = batch.problems
    assert (problem.column, problem.value) == ("現状レベル [ランブック]", "3 or 4")
    assert [(r.item, r.level, r.importance) for r in batch.answers] == [("SLO-2", 2, None)]  # no INC-2 at all


def test_a_title_block_label_merged_over_two_cells_takes_the_value_after_the_merge(model):
    batch = parsed(model, "workbook_reviewed.xlsx")
    assert batch.problems == []
    assert {(r.product, r.team, r.assessed_on) for r in batch.answers} == {
        ("決済サービス", "決済チーム", date(2024, 5, 20))
    }


def test_the_person_who_filled_in_a_sheet_is_a_pseudonym_never_the_product_or_anything_stored(model):
    batch = parsed(model, "workbook_reviewed.xlsx")
    assert {r.respondent for r in batch.answers} == {pseudonym("山田 太郎", KEY)}
    assert 'sheet "決済サービス": product "決済サービス" taken from the sheet name' in batch.messages
    assert "山田" not in repr(batch) and "備考" not in repr(batch.answers)  # nor the unlabelled 備考：第2回


@pytest.mark.parametrize("label", ["記入者", "担当者", "回答者", "氏名", "名前"])
def test_a_person_label_in_the_title_block_is_never_read_as_the_title(model, label):
    data = book(("Sheet1", [[f"{label}：山田 太郎"], [], ["項目", "SRE評価"], ["ランブック", 2]], []))
    batch = parsed(model, "w.xlsx", data)
    (problem,) = batch.problems  # no product anywhere: the name is not taken for one
    assert problem.message.startswith("no product: name it in the title")
    assert "山田" not in repr(batch)


def test_an_unlabelled_colon_cell_is_not_a_title_but_a_dashed_title_still_names_the_product(model):
    rows = [["成熟度チェック — 学び放題", None, "メモ：第2回"], [], ["項目", "SRE評価"], ["ランブック", 2]]
    assert {r.product for r in parsed(model, "w.xlsx", book(("Sheet1", rows, []))).answers} == {"学び放題"}
    rows[0] = ["第2回：学び放題"]
    assert parsed(model, "w.xlsx", book(("Sheet1", rows, []))).problems[0].message.startswith("no product")


@pytest.mark.parametrize(("title", "product"), [
    ("運用成熟度チェックシート ― 髙橋サービス①", "髙橋サービス①"),  # サービス is also a product column's word
    ("運用成熟度チェックシート — ポイントサービス", "ポイントサービス"),
    ("Ops maturity check - Team service", "Team service"),
    ("成熟度チェック ｜ 会員ID基盤", "会員ID基盤"),
])  # fmt: skip
def test_a_dashed_title_names_the_product_even_when_its_name_holds_a_label_word(model, title, product):
    """An outside review: 〇〇サービス in the title was read as a product label with no value, and the sheet was
    refused for no product, its advice asking for the very title it had."""
    rows = [[title], ["チーム：", "基盤チーム"], [], ["項目", "SRE評価"], ["ランブック", 2]]
    batch = parsed(model, "w.xlsx", book(("Sheet1", rows, [])))
    assert batch.problems == []
    assert {(r.product, r.team) for r in batch.answers} == {(product, "基盤チーム")}


def test_an_item_list_sheet_before_the_product_sheet_does_not_decide_the_layout(model):
    found = detect(source_of("workbook_reviewed.xlsx"), Values(model))
    assert (found.layout, found.reason) == (
        "workbook",
        'sheet "決済サービス": a title block above the header in row 5 (hand-made sheet)',
    )
    batch = parsed(model, "workbook_reviewed.xlsx")
    assert 'sheet "項目一覧" has no level column (現状レベル / SRE評価 / PT評価); skipped' in batch.messages


def test_a_hidden_sheet_is_skipped_and_named(model):
    source = source_of("workbook_reviewed.xlsx")
    assert source.messages == ['hidden sheet "前回" skipped (unhide to import)']
    assert {r.sheet for r in parsed(model, "workbook_reviewed.xlsx").answers} == {"決済サービス"}


def test_a_long_table_under_a_title_block_is_tidy_and_unanswered_cells_have_no_level(model):
    rows = [["2025年上期 成熟度アンケート（集計）"], [],
            ["プロダクト", "チーム", "回答者", "あなたのロール", "項目", "現状レベル", "温度感"],
            ["髙島屋EC", "チーム①", "佐藤", "SRE", "ランブック", 2, "高"],
            ["髙島屋EC", "チーム①", "田中", "開発", "ランブック", "未回答", "中"],
            ["決済", "決済チーム", "鈴木", "PdM", "SLOの合意", "３", None]]  # fmt: skip
    data = book(("回答一覧", rows, ["A1:G1"]))
    found = detect(source_of("w.xlsx", data), Values(model))
    assert (found.layout, found.reason) == (
        "tidy",
        'sheet "回答一覧": one answer per row under the header in row 3 (a tidy table with a title above it)',
    )
    batch = parsed(model, "w.xlsx", data)
    assert batch.problems == []
    assert [(r.row, r.product, r.team, r.rater, r.item, r.level, r.importance) for r in batch.answers] == [
        (4, "髙島屋EC", "チーム①", "sre", "INC-2", 2, 3),
        (5, "髙島屋EC", "チーム①", "team", "INC-2", None, 2),
        (6, "決済", "決済チーム", "team", "SLO-2", 3, None),
    ]


def test_a_level_the_model_does_not_know_is_explained_with_the_words_for_no_level(model):
    data = "プロダクト,チーム,ロール,項目,現状レベル\r\nP,T,SRE,ランブック,たぶん2\r\n".encode()
    (problem,) = parsed(model, "t.csv", data).problems
    assert problem.message.endswith(
        "level must be a whole number 0-4 or a level word (Not started, Ad hoc, Defined, Measured, Optimized), "
        'got "たぶん2"; '
        "leave a cell without an answer blank or write one of N/A, 該当なし, 未回答"
    )
    assert problem.full("ja").endswith("回答のないセルは空欄にするか「N/A、該当なし、未回答」のどれかを書いてください")


def test_a_hand_made_sheet_without_a_title_block_is_recognised_by_its_footer_rows(model):
    rows = [["カテゴリ", "項目", "現状レベル"], ["監視・アラート", "サービスダッシュボード", 3],
            [None, "アラート設計と通知先", 2], [None, "平均", 2.5], ["※ 0〜4で記入"]]  # fmt: skip
    data = book(("決済サービス", rows, ["A2:A3"]))
    found = detect(source_of("w.xlsx", data), Values(model))
    assert found.layout == "workbook" and "footer rows such as 平均 or ※" in found.reason
    batch = parsed(model, "w.xlsx", data, rater="sre")
    assert [(r.product, r.item, r.level) for r in batch.answers] == [
        ("決済サービス", "OBS-1", 3), ("決済サービス", "OBS-2", 2),
    ]  # fmt: skip


def test_a_tidy_person_column_is_the_respondent_and_other_columns_are_said_to_be_ignored(model):
    batch = parsed(model, "tidy_people.csv")
    assert batch.problems == []
    assert [(r.row, r.respondent, r.level) for r in batch.answers] == [
        (2, pseudonym("山田", KEY), 2), (3, pseudonym("鈴木", KEY), 3),
    ]  # fmt: skip
    assert 'column "所属部署" is not used; ignored' in batch.messages
    assert 'row 4 ("平均") is a footer row (平均, 合計, ※ …); skipped' in batch.messages


@pytest.mark.parametrize("header", ["記入者", "担当者", "氏名", "名前", "name", "email", "メール"])
def test_any_person_column_of_a_tidy_table_is_read_as_the_respondent(model, header):
    data = f"プロダクト,ロール,{header},項目,現状レベル\r\nP,SRE,a,ランブック,2\r\nP,SRE,b,ランブック,3\r\n".encode()
    batch = parsed(model, "t.csv", data)
    assert [(r.respondent, r.level) for r in batch.answers] == [(pseudonym("a", KEY), 2), (pseudonym("b", KEY), 3)]


def test_tidy_xlsx_target_and_importance_merged_down_a_group_apply_to_every_row(model):
    rows = [["プロダクト", "ロール", "項目", "現状レベル", "目標", "温度感"],
            ["決済", "SRE", "サービスダッシュボード", 2, 3, "高"],
            [None, None, "アラート設計と通知先", 1], [None, None, "エラートラッキング", 0]]  # fmt: skip
    batch = parsed(model, "t.xlsx", book(("回答", rows, ["A2:A4", "B2:B4", "E2:E4", "F2:F4"])))
    assert [(r.item, r.level, r.target, r.importance) for r in batch.answers] == [
        ("OBS-1", 2, 3, 3), ("OBS-2", 1, 3, 3), ("OBS-3", 0, 3, 3),
    ]  # fmt: skip


def test_a_tidy_table_without_a_product_says_where_the_first_answer_is(model):
    (problem,) = parsed(model, "t.csv", "\r\n項目,現状レベル\r\n\r\nランブック,2\r\n".encode()).problems
    assert (problem.sheet, problem.row) == ("", 4)
    assert problem.message.startswith("no product: add a product column")


@pytest.mark.parametrize(
    "data",
    [b"a", b"a\r\nb\r\n", b"<!DOCTYPE html><html><body><p>x</p></body></html>", "メモ\r\n".encode()],
    ids=["one-cell", "two-lines", "html", "one-word"],
)
def test_arbitrary_headerless_text_is_not_taken_for_a_miro_board(model, data):
    found = detect(source_of("x.csv", data), Values(model))
    assert found.layout is None
    assert found.reason.endswith(
        "choose the layout with --layout (google_forms, ms_forms, tidy, workbook, miro)"
    ) or found.reason.startswith("this file is a web page or other markup (HTML / XML)")


def test_a_board_with_frames_named_like_columns_is_still_a_board_and_its_last_lone_sticky_a_note(model):
    found = detect(source_of("miro_board_notes.csv"), Values(model))
    assert found.layout == "miro"
    for layout in (None, "miro"):
        batch = parsed(model, "miro_board_notes.csv", layout=layout)
        assert [(n.group, n.text, n.row) for n in batch.notes] == [
            ("現状", "Grafanaのダッシュボードが見やすい", 3),
            ("現状", "ランブックが\n更新された", 3),
            ("メモ", "ポストモーテムを書く", 5),  # the last single-cell row: a note, not a frame title
        ]


def test_miro_frame_titles_are_entity_decoded_like_the_notes(model):
    payload = {"data": [
        {"id": "1", "type": "frame", "data": {"title": "課題 &amp; 改善"}},
        {"id": "2", "type": "sticky_note", "data": {"content": "<p>a &lt;b&gt;</p>"}, "parent": {"id": "1"}},
    ], "type": "cursor-list"}  # fmt: skip
    batch = parsed(model, "b.json", json.dumps(payload).encode())
    assert [(n.group, n.text) for n in batch.notes] == [("課題 & 改善", "a <b>")]


def test_a_hand_made_sheet_names_its_own_headers_in_problems(model):
    rows = [["チェック — P"], ["分類", "評価項目", "SRE評価"], ["SLO", "ランブック整備", 2], ["SLO", "ランブック", 1]]
    problems = parsed(model, "w.xlsx", book(("P", rows, []))).problems
    assert [(p.row, p.column) for p in problems] == [(3, "評価項目"), (4, "分類")]


def test_a_lone_sticky_in_the_last_column_of_a_native_miro_board_is_a_note_not_a_frame_title(model):
    board = (
        "\ufeff監視の振り返り,,\r\n"
        "Datadogのダッシュボードが古い,アラートが多すぎる,Sentryの通知先が不明\r\n"
        ',,"ポストモーテムのテンプレートがほしい ""誰が書くか""も決めたい"\r\n'
        "インシデント対応,,\r\n"
        "ランブックがない,ポストモーテムを書いていない,\r\n"
    ).encode("utf-8")
    batch = parsed(model, "board.csv", board, layout="miro", product="学び放題")
    texts = {n.text: n.group for n in batch.notes}
    assert texts['ポストモーテムのテンプレートがほしい "誰が書くか"も決めたい'] == "監視の振り返り"
    assert texts["ランブックがない"] == "インシデント対応" and "インシデント対応" not in texts
    assert not [m for m in batch.messages if "kept as a note" in str(m)]  # nothing was in doubt here
    doubt = parsed(model, "board.csv", board + "振り返りは来月\r\n".encode(), layout="miro", product="学び放題")
    assert "振り返りは来月" in {n.text for n in doubt.notes}
    assert [str(m) for m in doubt.messages if "kept as a note" in str(m)] == [
        "row 6 holds a single cell in the first column that may be a frame title or a sticky: kept as a note "
        "(the last row, or one between two titles)"
    ]


def test_a_frame_holding_one_sticky_in_the_first_column_keeps_it_as_a_note_of_that_frame(model):
    """Lone first-column cells in a run: the first heads a frame, the last the board beneath it, the ones between
    are stickies alone on their row (a frame of one sticky), kept and said; two in a run stay two titles."""
    board = (
        "\ufeffランブック,,\r\n"
        "手順書がConfluenceに散らばっている,,\r\n"
        "その他,,\r\n"
        "オンコール手当がない,朝会が短くなった,\r\n"
        "空のフレーム,,\r\n"
        "障害対応,,\r\n"
        "連絡網が古い,訓練をしたい,\r\n"
    ).encode("utf-8")
    batch = parsed(model, "board.csv", board, layout="miro", product="学び放題")
    groups = {n.text: n.group for n in batch.notes}
    assert groups == {"手順書がConfluenceに散らばっている": "ランブック", "オンコール手当がない": "その他",
                      "朝会が短くなった": "その他", "連絡網が古い": "障害対応", "訓練をしたい": "障害対応"}  # fmt: skip
    assert [str(m) for m in batch.messages if "kept as a note" in str(m)] == [
        "row 2 holds a single cell in the first column that may be a frame title or a sticky: kept as a note "
        "(the last row, or one between two titles)"
    ]
    assert next(n for n in batch.notes if n.text.startswith("手順書")).item == "INC-2"  # its frame's item
