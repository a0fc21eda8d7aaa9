"""Write the import fixtures in this folder: `python tests/data/imports/make_fixtures.py`.

Each file imitates a real export as the design notes (FORMATS.md) describe it, small enough to read by eye.
Text files are written byte for byte (encoding, BOM, CRLF records, bare LF inside quoted cells).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.table import Table

HERE = Path(__file__).resolve().parent
FIXED = datetime(2024, 6, 1, 9, 0, 0)  # workbook properties, so that rebuilding changes little


def csv_text(rows: list[list[str]], *, quote_all: bool, delimiter: str = ",") -> str:
    """CSV records ending in CRLF; cells quoted always (Google) or only when needed (Excel)."""

    def cell(value: str) -> str:
        needs = quote_all or any(ch in value for ch in f'{delimiter}"\n\r')
        return '"' + value.replace('"', '""') + '"' if needs else value

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in rows)


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


# --- Google Forms -----------------------------------------------------------------------------------

GOOGLE_HEADER = [
    "タイムスタンプ",
    "メールアドレス",
    "プロダクト",
    "チーム",
    "回答者ロール",
    "現状レベル [監視・アラート: サービスダッシュボード]",
    "現状レベル [監視・アラート: アラート設計と通知先]",
    "インシデント対応 [ランブック]",
    "温度感 [監視・アラート]",
    "コメント [サービスダッシュボード]",
    "利用しているツール",
]
GOOGLE_ROWS = [
    ["2024/01/07 7:41:40 午後 GMT+9", "tanaka@example.com", "学び放題", "チームA", "プロダクトチーム（開発）",
     "3 運用・計測", "2", "未着手", "高", "Grafanaで見ている", "Datadog;Sentry"],
    ["2024/01/07 12:15:40 午後 GMT+9", "sre-suzuki@example.com", "学び放題", "チームA", "SRE",
     "2 定義済み", "N/A", "1", "中", "", "Datadog"],
    ["2024/01/08 12:41:03 午前 GMT+9", "tanaka@example.com", "学び放題", "チームA", "プロダクトチーム（開発）",
     "4 最適化", "3", "1", "高", "Datadogに移行した\n夜間の確認も済み", "Datadog"],
]  # fmt: skip


def google_forms() -> None:
    write("google_forms.csv", csv_text([GOOGLE_HEADER, *GOOGLE_ROWS], quote_all=True).encode("utf-8"))
    # The same responses as a Sheet re-saved by Excel on Japanese Windows: cp932, seconds lost,
    # quotes only where needed, and a comment with characters that only cp932 (not shift_jis) has.
    resaved = [
        ["2024/1/7 19:41", *GOOGLE_ROWS[0][1:]],
        ["2024/1/7 12:15", *GOOGLE_ROWS[1][1:]],
        ["2024/1/8 0:41", *GOOGLE_ROWS[2][1:9], "①の手順は髙橋さん～確認済み", "Datadog"],
    ]
    write("google_forms_excel_cp932.csv", csv_text([GOOGLE_HEADER, *resaved], quote_all=False).encode("cp932"))
    english = [
        ["Timestamp", "Email address", "Product", "Team", "Role",
         "Current level [Monitoring & alerting: Service dashboards]", "Current level [Incident response: Runbooks]",
         "Importance [Monitoring & alerting]"],
        ["1/7/2024 19:41:40", "tanaka@example.com", "Learning", "Team A", "dev", "3: Measured", "Ad hoc", "High"],
        ["1/8/2024 9:02:11", "sre-suzuki@example.com", "Learning", "Team A", "SRE", "2", "N/A", "Low"],
    ]  # fmt: skip
    write("google_forms_bom.csv", b"\xef\xbb\xbf" + csv_text(english, quote_all=True).encode("utf-8"))
    # Excel's "Unicode text": UTF-16 LE with a BOM, tab separated.
    tabbed = csv_text([GOOGLE_HEADER[:8], *(r[:8] for r in GOOGLE_ROWS[:2])], quote_all=False, delimiter="\t")
    write("google_forms_unicode.txt", b"\xff\xfe" + tabbed.encode("utf-16-le"))


# --- Microsoft Forms ----------------------------------------------------------------------------------


def ms_forms() -> None:
    wb = _book()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", "プロダクト", "チーム",
               "立場", "サービスダッシュボード", "ランブック", "SLOの合意", "使っているツール"])  # fmt: skip
    ws.append(
        [
            1,
            datetime(2024, 5, 20, 10, 1, 5),
            datetime(2024, 5, 20, 10, 6, 40),
            "yamada@example.com",
            "山田 太郎",
            None,
            "ポイント管理",
            "決済チーム",
            "開発",
            "3",
            "2 定義済み",
            1,
            "Datadog;Sentry;",
        ]
    )
    ws.append(
        [
            2,
            datetime(2024, 5, 20, 11, 0, 0),
            datetime(2024, 5, 20, 11, 3, 0),
            "anonymous",
            None,
            None,
            "ポイント管理",
            "決済チーム",
            "開発",
            "2",
            "該当なし",
            1,
            "Datadog;",
        ]
    )
    ws.append([3, datetime(2024, 5, 21, 9, 30, 0), datetime(2024, 5, 21, 9, 41, 0), "anonymous", None, None,
               "ポイント管理", "決済チーム", "開発", "1", "1", 0, ""])  # fmt: skip
    ws.add_table(Table(displayName="Table1", ref="A1:M4"))
    _save(wb, "ms_forms.xlsx")


# --- tidy long tables ---------------------------------------------------------------------------------

TIDY_HEADER = ["プロダクト", "チーム", "回答者", "回答者ロール", "カテゴリ", "項目", "現状レベル", "目標", "温度感",
               "コメント", "実施日"]  # fmt: skip
TIDY_ROWS = [
    ["学び放題", "007", "佐藤", "SRE", "監視・アラート", "サービスダッシュボード", "3", "4", "高", "", "2024/5/14"],
    ["", "", "", "", "", "外形監視", "３", "", "", "", ""],
    ["", "", "", "", "SLO", "SLOの合意", "場当たり", "3", "中", "合意はまだ", ""],
    ["", "", "伊藤", "開発", "監視・アラート", "サービスダッシュボード", "2", "", "高", "", ""],
    ["", "", "", "", "", "外形監視", "N/A", "", "", "", ""],
]  # fmt: skip


def tidy() -> None:
    write("tidy.csv", csv_text([TIDY_HEADER, *TIDY_ROWS], quote_all=False).encode("utf-8"))
    wb = _book()
    ws = wb.active
    ws.title = "回答"
    ws.append(TIDY_HEADER)
    for row in TIDY_ROWS:
        ws.append([_typed(v) for v in row])
    ws["K2"] = datetime(2024, 5, 14)
    for col in "AB":  # group cells merged down, as people do by hand
        ws.merge_cells(f"{col}2:{col}6")
    for col in "CD":
        ws.merge_cells(f"{col}2:{col}4")
        ws.merge_cells(f"{col}5:{col}6")
    ws.merge_cells("E2:E3")
    ws.merge_cells("E5:E6")
    wb.create_sheet("メモ")["A1"] = "このシートは集計しません"
    _save(wb, "tidy.xlsx")


def _typed(value: str) -> object:
    """A cell as Excel would type it: whole numbers become numbers; `３` and `007` stay text."""
    return int(value) if value.isascii() and value.isdigit() and not value.startswith("0") else (value or None)


# --- a hand-made workbook -----------------------------------------------------------------------------


def workbook() -> None:
    wb = _book()
    ws = wb.active
    ws.title = "学び放題"
    ws["A1"] = "プロダクト運用成熟度チェック — 学び放題"
    ws["A2"], ws["B2"], ws["D2"], ws["E2"] = "チーム：", "コンテンツ開発チーム", "実施日：", "令和6年5月20日"
    ws.append([])
    ws.append(["カテゴリ", "項目", "現状レベル", None, "温度感", "コメント"])
    ws.append([None, None, "SRE評価", "PT評価", None, None])
    ws.merge_cells("C4:D4")
    for col in "ABEF":
        ws.merge_cells(f"{col}4:{col}5")
    rows = [
        ["監視・アラート", "サービスダッシュボード", 3, "３", "高", "ダッシュボードは整備済み"],
        [None, "アラート設計と通知先", 2, "定義済み", None, None],
        [None, "エラートラッキング", "N/A", 1, None, None],
        ["インシデント対応", "ランブック", 1, 2, "中", None],
        [None, "ポストモーテム", 0, "場当たり", None, None],
        ["平均", None, "=AVERAGE(C6:C10)", "=AVERAGE(D6:D10)", None, None],
        ["※ N/A は該当なし。レベルの定義は凡例シートを参照", None, None, None, None, None],
    ]
    for row in rows:
        ws.append(row)
    ws.merge_cells("A6:A8")
    ws.merge_cells("E6:E8")
    ws.merge_cells("A9:A10")
    ws.merge_cells("E9:E10")
    second = wb.create_sheet("ポイント管理")
    second["A1"] = "成熟度チェック — ポイント管理"
    second["A2"], second["B2"] = "実施日", datetime(2024, 5, 14)
    second.append([])
    second.append(["カテゴリ", "項目", "SRE評価", "PT評価"])
    second.append(["SLO", "SLOの合意", 2, 1])
    second.append([None, "エラーバジェットの運用", "0 未着手", "1"])
    legend = wb.create_sheet("凡例")
    legend.append(["レベル", "説明"])
    for level, words in enumerate(["未着手", "場当たり", "定義済み", "運用・計測", "最適化"]):
        legend.append([level, words])
    _save(wb, "workbook.xlsx")


# --- Miro -----------------------------------------------------------------------------------------------


def miro() -> None:
    board = [
        ["監視の振り返り", "", ""],
        ["Datadogのダッシュボードが古い", "アラートが多すぎる\n夜間に鳴る", "Sentryの通知先が不明"],
        ["インシデント対応", "", ""],
        ["ランブックがない", "ポストモーテムを書いていない", "Datadogのダッシュボードが古い"],
    ]
    write("miro_board.csv", b"\xef\xbb\xbf" + csv_text(board, quote_all=False).encode("utf-8"))
    items = [
        {"id": "3458764500000000001", "type": "frame", "data": {"title": "監視の振り返り", "format": "custom"}},
        {"id": "3458764500000000002", "type": "sticky_note",
         "data": {"content": "<p>ランブック&amp;手順が古い</p><p>更新したい</p>", "shape": "square"},
         "style": {"fillColor": "light_yellow", "textAlign": "center"},
         "parent": {"id": "3458764500000000001"}, "createdBy": {"id": "3074457350000000001", "type": "user"},
         "createdAt": "2024-05-20T01:02:03Z", "modifiedAt": "2024-05-20T01:05:00Z"},
        {"id": "3458764500000000003", "type": "sticky_note",
         "data": {"content": "<p>Sentryの通知が多い<br>夜間も鳴る</p>", "shape": "square"},
         "style": {"fillColor": "red"}, "createdBy": {"id": "3074457350000000002", "type": "user"},
         "createdAt": "2024-05-20T01:03:00Z", "modifiedAt": "2024-05-20T01:03:00Z"},
        {"id": "3458764500000000004", "type": "text", "data": {"content": "<p>メモ</p>"}},
        {"id": "3458764500000000005", "type": "shape", "data": {"content": "", "shape": "circle"}},
    ]  # fmt: skip
    payload = {"data": items, "total": 5, "size": 5, "limit": 10, "cursor": "", "type": "cursor-list",
               "links": {"self": "https://api.miro.com/v2/boards/uXjVN0000=/items?limit=10"}}  # fmt: skip
    write("miro_api.json", json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))
    flat = [
        ["id", "type", "parent", "content", "fillColor", "tags"],
        ["10", "frame", "", "リリースの課題", "", ""],
        ["11", "sticky_note", "10", "<p>ロールバック手順が&lt;未整備&gt;</p>", "yellow", "リリース;手順"],
        ["12", "sticky_note", "10", "<p>段階的リリースをしたい</p>", "green", ""],
        ["13", "text", "", "メモ", "", ""],
    ]
    write("miro_flat.csv", csv_text(flat, quote_all=False).encode("utf-8"))


# --- bad inputs ---------------------------------------------------------------------------------------

BAD = {
    "missing_column.csv": [
        ["プロダクト", "チーム", "回答者ロール", "項目", "コメント"],
        ["学び放題", "A", "SRE", "外形監視", "x"],
    ],
    "out_of_range.csv": [
        ["プロダクト", "チーム", "回答者ロール", "項目", "現状レベル", "温度感"],
        ["学び放題", "A", "SRE", "サービスダッシュボード", "7", "高"],
        ["学び放題", "A", "SRE", "外形監視", "2.5", "高"],
        ["学び放題", "A", "SRE", "ランブック", "-1", "5"],
        ["学び放題", "A", "SRE", "ポストモーテム", "abc", ""],
        ["学び放題", "A", "SRE", "SLOの合意", "3", ""],
        ["学び放題", "A", "営業", "SLOの合意形成", "2", ""],
    ],
    "duplicates.csv": [
        ["プロダクト", "チーム", "回答者ロール", "項目", "現状レベル"],
        ["学び放題", "A", "SRE", "外形監視", "2"],
        ["学び放題", "A", "SRE", "ランブック", "3"],
        ["学び放題", "A", "SRE", "外形監視", "2"],
    ],
    "conflicts.csv": [
        ["プロダクト", "チーム", "回答者ロール", "項目", "現状レベル"],
        ["学び放題", "A", "SRE", "外形監視", "2"],
        ["学び放題", "A", "SRE", "ランブック", "3"],
        ["学び放題", "A", "SRE", "外形監視", "3"],
    ],
    "header_only.csv": [["プロダクト", "チーム", "回答者ロール", "項目", "現状レベル"]],
    "formula.csv": [
        ["プロダクト", "チーム", "回答者ロール", "項目", "現状レベル", "コメント"],
        ["=学び放題", "@A", "SRE", "外形監視", "2", '=HYPERLINK("https://example.com/x","見る")'],
        ["=学び放題", "@A", "SRE", "ランブック", "3", "+1 してください"],
        ["=学び放題", "@A", "SRE", "ポストモーテム", "1", "-2 から改善"],
    ],
}


def bad_inputs() -> None:
    for name, rows in BAD.items():
        write(name, csv_text(rows, quote_all=False).encode("utf-8"))
    write("empty.csv", b"")
    write("bad_encoding.csv", b"\x80\xfd\xfe\x85\xa0,\xfd\xfe\n")  # neither UTF-8 nor cp932, too short to guess
    write("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(24))  # an image renamed .csv
    # A tidy CSV saved with the wrong extension: the bytes decide, not the name.
    write("renamed_csv.xlsx", csv_text(BAD["duplicates.csv"][:3], quote_all=False).encode("utf-8"))


# --- shapes a reviewer found mishandled ------------------------------------------------------------------


def reviewed() -> None:
    """Files shaped like the ones a reviewer's import test tripped over (see each comment)."""
    # A Sheet re-saved by Excel without the e-mail column: two people submitted in the same minute.
    anonymous = [
        ["タイムスタンプ", "プロダクト", "チーム", "回答者ロール", "サービスダッシュボード", "ランブック"],
        ["2024/5/20 10:31", "決済サービス", "決済チーム", "SRE", "3", "2"],
        ["2024/5/20 10:31", "決済サービス", "決済チーム", "SRE", "1", "1"],
    ]
    write("google_forms_anonymous.csv", csv_text(anonymous, quote_all=False).encode("cp932"))
    # A board export: a section title, frames named like columns (現状, メモ), and a last single sticky.
    board = [
        ["振り返り: 決済チーム"],
        ["現状"],
        ["Grafanaのダッシュボードが見やすい", "ランブックが\n更新された"],
        ["メモ"],
        ["ポストモーテムを書く", ""],
    ]
    write("miro_board_notes.csv", b"\xef\xbb\xbf" + csv_text(board, quote_all=False).encode("utf-8"))
    # A tidy table with a 記入者 column (people, not a group), a column of no use, and a footer row.
    people = [
        ["プロダクト", "チーム", "記入者", "ロール", "項目", "現状レベル", "所属部署"],
        ["決済", "A", "山田", "開発", "ランブック", "2", "開発部"],
        ["決済", "A", "鈴木", "開発", "ランブック", "3", "開発部"],
        ["平均", "", "", "", "", "2.5", ""],
    ]
    write("tidy_people.csv", csv_text(people, quote_all=False).encode("utf-8"))
    # A hand-made workbook: an item list before the product sheet, labels merged over two cells, the
    # person who filled it in, an unlabelled `X：Y` note, and a hidden sheet from last time.
    wb = _book()
    items = wb.active
    items.title = "項目一覧"
    items.append(["カテゴリ", "項目", "説明"])
    items.append(["インシデント対応", "ランブック", "手順書"])
    ws = wb.create_sheet("決済サービス")
    ws["A1"] = "記入者：山田 太郎"
    ws.merge_cells("A1:D1")
    ws["A2"], ws["C2"] = "チーム", "決済チーム"
    ws.merge_cells("A2:B2")
    ws["A3"], ws["C3"] = "実施日：", "2024/5/20"
    ws.merge_cells("A3:B3")
    ws["D3"] = "備考：第2回"
    ws.append([])
    ws.append(["カテゴリ", "評価項目", "SRE評価", "PT評価"])
    ws.append(["インシデント対応", "ランブック", 2, "1 場当たり"])
    ws.append([None, "ポストモーテム", 1, 1])
    ws.merge_cells("A6:A7")
    old = wb.create_sheet("前回")
    old.sheet_state = "hidden"
    old.append(["カテゴリ", "項目", "SRE評価", "PT評価"])
    old.append(["インシデント対応", "ランブック", 0, 0])
    _save(wb, "workbook_reviewed.xlsx")


def _book() -> Workbook:
    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED
    wb.properties.creator = "opmaturity fixtures"
    return wb


def _save(wb: Workbook, name: str) -> None:
    wb.save(HERE / name)


if __name__ == "__main__":
    google_forms()
    ms_forms()
    tidy()
    workbook()
    miro()
    bad_inputs()
    reviewed()
    print("\n".join(sorted(p.name for p in HERE.iterdir() if p.name != Path(__file__).name)))
