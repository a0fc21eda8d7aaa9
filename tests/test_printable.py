"""printable: the hearing sheet as one self-contained HTML page that prints on A4, all data escaped."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from opmaturity import actions, store
from opmaturity.importer import ImportOptions, import_file
from opmaturity.printable import hearing_page

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: Path, model):
    path = tmp_path_factory.mktemp("printable") / "demo.duckdb"
    shutil.copyfile(demo_template, path)
    con = store.connect(path, model)
    yield con
    con.close()


@pytest.fixture
def hostile(con, model):
    """A team named like markup, with a workshop note and an action that are markup too."""
    survey = (
        "プロダクト,チーム,回答者ロール,回答者,項目,現状レベル\n"
        f'"{HOSTILE}","{HOSTILE}",プロダクトチーム,a,外形監視,0\n'
        f'"{HOSTILE}","{HOSTILE}",プロダクトチーム,b,外形監視,1\n'
        f'"{HOSTILE}","{HOSTILE}",SRE,s,外形監視,3\n'
    )
    assert import_file(con, "survey.csv", survey.encode(), model, ImportOptions()).status == "imported"
    board = (
        "id,type,parent,content,fillColor,tags\n10,frame,,課題,,\n"
        "11,sticky_note,10,<p>外形監視が無い &lt;img src=x onerror=alert(1)&gt; &lt;/td&gt;&lt;script&gt;x()"
        "&lt;/script&gt;</p>,yellow,\n"
    )
    options = ImportOptions(product=HOSTILE, team=HOSTILE)
    assert import_file(con, "board.csv", board.encode(), model, options).notes == 1
    # the note's "alert" links it to OBS-2 (alerting); an open action on OBS-2 puts it on the agenda
    actions.add_action(con, HOSTILE, HOSTILE, title=f"{HOSTILE} を直す", item="OBS-2", owner="<b>me</b>")
    return con


def test_the_page_is_one_self_contained_file_with_no_script_and_no_address(demo, model):
    page = hearing_page(demo, model, "会員ID", "認証", None, "en").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert not re.search(r"<script|<link|<img|<iframe|<object|@import|url\(|src=|href=|https?://", page, re.I)
    assert re.search(r"@page\s*\{\s*size:\s*A4", page)
    assert "thead { display: table-header-group; }" in page  # a table's header repeats on the next printed page


def test_the_agenda_comes_in_order_with_titles_not_keys(demo, model):
    page = hearing_page(demo, model, "会員ID", "認証", None, "en").decode("utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "1. Top priorities (up to 5)", "2. Team and SRE see it differently (a level or more, up to 5)",
        "3. Members disagree (up to 5)", "4. Workshop notes on these items", "5. Open actions",
        "6. Finished actions and whether their items moved",
    ]  # fmt: skip
    assert "User logs for support enquiries" in page and "LOG-3" not in page
    assert "<title>Hearing sheet — 会員ID / 認証</title>" in page


def test_the_page_speaks_japanese_and_says_what_a_finished_action_moved(demo, model):
    page = hearing_page(demo, model, "学び放題", "検索チーム", None, "ja").decode("utf-8")
    assert '<html lang="ja">' in page and "6. 完了したアクションと項目のその後" in page
    # OBS-5: the team's 1.00 in 2025-H2, 2.25 in 2026-H1
    assert re.search(r"<td>監視ツールの役割とオーナーシップ</td><td>2025-H2</td><td class=\"num\">↑ \+1\.3</td>", page)
    assert "未完了のアクションはありません。" in page


def test_every_name_note_and_title_from_the_data_is_escaped(hostile, model):
    page = hearing_page(hostile, model, HOSTILE, HOSTILE, None, "en").decode("utf-8")
    assert "<img" not in page and "<script" not in page and "<b>" not in page
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    assert f"<title>Hearing sheet — {escaped} / {escaped}</title>" in page
    assert f"<td>{escaped} を直す</td>" in page  # the open action
    assert "&lt;b&gt;me&lt;/b&gt;" in page
    assert "&lt;/td&gt;&lt;script&gt;x()&lt;/script&gt;" in page  # the workshop note, about the item on the agenda


def test_the_perception_rows_show_two_decimals_that_add_up_and_say_how_figures_are_rounded(con, model):
    """An outside review: チーム 2.3 / SRE 4.0 / 認識ギャップ 1.8 (2.25, 4 and 1.75 at one decimal)."""
    survey = "プロダクト,チーム,回答者ロール,回答者,項目,現状レベル\n" + "".join(
        f"学び放題,検索チーム,{role},{who},外形監視,{level}\n"
        for role, who, level in (
            ("開発", "a", 2),
            ("開発", "b", 2),
            ("開発", "c", 2),
            ("開発", "d", 3),
            ("SRE", "s", 4),
        )
    )
    assert import_file(con, "survey.csv", survey.encode(), model, ImportOptions()).status == "imported"
    page = hearing_page(con, model, "学び放題", "検索チーム", None, "ja").decode("utf-8")
    second = page[page.index("<h2>2. ") : page.index("<h2>3. ")]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", second)]
    assert [row[:4] for row in rows] == [["外形監視", "2.25", "4.00", "1.75"]]  # 4.00 − 2.25 = 1.75
    assert "数字はそれぞれ小数第2位で四捨五入しているため" in second


def test_an_importance_the_team_did_not_give_is_marked_assumed_and_said_so(con, model):
    """The team workbook marked an assumed importance, the hearing sheet did not (an outside review)."""
    survey = (
        "プロダクト,チーム,回答者ロール,回答者,項目,現状レベル,重要度\n"
        "学び放題,検索チーム,開発,a,外形監視,0,高\n"
        "学び放題,検索チーム,開発,a,サービスダッシュボード,0,\n"
    )
    assert import_file(con, "survey.csv", survey.encode(), model, ImportOptions()).status == "imported"
    page = hearing_page(con, model, "学び放題", "検索チーム", None, "en").decode("utf-8")
    first = page[page.index("<h2>1. ") : page.index("<h2>2. ")]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", first)]
    # item, category, level, target, importance, priority: 3 x 3 = 9 first, then the assumed 2 x 3 = 6
    assert [(row[0], row[4], row[5]) for row in rows] == [
        ("Synthetic monitoring", "3.00", "9.00"), ("Service dashboards", "2.00 *", "6.00")
    ]  # fmt: skip
    assert '<p class="meta">An importance marked * is assumed medium (2): the team gave none.</p>' in page
    japanese = hearing_page(con, model, "学び放題", "検索チーム", None, "ja").decode("utf-8")
    assert "温度感の「*」は、チームが温度感を答えていないため中（2）と仮定した値です。" in japanese
