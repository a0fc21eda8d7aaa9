"""errors: problems and errors carry message keys and render in either language, where first, then what to fix."""

from __future__ import annotations

import pickle

from opmaturity.errors import OpmaturityError, Problem
from opmaturity.i18n import Advice, Message
from opmaturity.readers import read
from opmaturity.values import Values

BAD_LEVEL = Message(
    "msg.value.bad_level",
    what=Message("msg.what.level"),
    help=Message("msg.value.level_help", low=0, high=4, words="未着手, 場当たり"),
    value="7",
)
PROBLEM = Problem(BAD_LEVEL, file="survey.xlsx", sheet="学び放題", row=14, column="SLOの合意", value="7")


def test_a_problem_reads_where_first_then_what_to_fix_in_japanese():
    assert PROBLEM.full("ja") == (
        "survey.xlsx、シート「学び放題」、14行目、列「SLOの合意」: "
        'レベルは0〜4の整数か、レベルの言葉（未着手, 場当たり）で入力してください（値: "7"）'
    )


def test_a_problem_as_a_string_is_english_for_logs():
    assert str(PROBLEM) == (
        'survey.xlsx, sheet "学び放題", row 14, column "SLOの合意": '
        'level must be a whole number 0-4 or a level word (未着手, 場当たり), got "7"'
    )
    assert PROBLEM.message == 'level must be a whole number 0-4 or a level word (未着手, 場当たり), got "7"'
    assert PROBLEM.code == "msg.value.bad_level"


def test_to_dict_renders_the_message_and_keeps_the_key():
    assert PROBLEM.to_dict("ja")["message"].startswith("レベルは0〜4")
    assert PROBLEM.to_dict()["code"] == "msg.value.bad_level"


def test_an_unknown_item_suggests_the_nearest_in_either_language_and_advises_per_surface(model):
    message = Values(model).unknown_item("SLOの合意形成")
    assert message.text("ja", "page") == (
        "項目「SLOの合意形成」はモデルにありません（項目キー、項目名、「カテゴリ [項目]」、「カテゴリ: 項目」の"
        "どれとも一致しません）。「SLOの合意」（SLO-2）のことですか？ 直すか、"
        "下の「列の役割」で役割（項目の現状レベルなど）と項目を選んでください（質問ではない列なら「無視」を選びます）"
    )
    assert message.text("en", "page").endswith(
        'did you mean "SLOの合意" (SLO-2)? Correct it, or choose its role (an item\'s level, say) and item under '
        '"Column roles" below (or "ignore" when it is no question)'
    )
    assert message.text("ja", "cli").endswith(
        '取り込み時に --map "見出し=level:項目キー" で項目を指定してください（無視するには --map "見出し=ignore"）'
    )


def test_a_page_never_advises_a_command_line_flag():
    for name in ("product", "rater", "team", "layout", "locked", "map_item"):
        for lang in ("ja", "en"):
            assert "--" not in Advice(name, layouts="x").text(lang, "page"), (name, lang)
    assert "--product" in Advice("product").text("en", "cli")
    assert "--product" in Advice("product").text("ja", "cli")


def test_an_unreadable_file_says_what_it_is_and_what_to_do_in_japanese():
    (problem,) = read("survey.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).problems
    assert problem.full("ja") == (
        "survey.csv: このファイルはPNG画像で、表ではありません。"
        "CSV（UTF-8またはExcelの既定の形式）、Excel（.xlsx）、MiroのJSONのいずれかで保存し直してから、もう一度取り込んでください。"
    )
    assert problem.text("en").startswith("this is a PNG image, not a spreadsheet.")


def test_an_error_renders_its_title_and_problems_in_the_language_asked():
    error = OpmaturityError.of("msg.store.locked", [Problem.advise("locked")], path="/tmp/x.duckdb")
    assert (
        error.title_text("ja")
        == "データベース /tmp/x.duckdb はほかのプログラム（コマンドラインでの取り込みなど）が使用中で、"
        "待っても空きませんでした。"
    )
    assert error.problems[0].text("ja", "page").startswith("そのプログラムが終わるのを待ってから")
    assert error.problems[0].text("en", "cli") == (
        "Wait for that program to finish or stop it, then try again (the command waits OPMATURITY_LOCK_WAIT seconds, "
        "30 by default)."
    )
    assert str(error).startswith("The database /tmp/x.duckdb is held by another program")


def test_messages_survive_pickling_as_keys_for_the_dashboard_cache():
    again = pickle.loads(pickle.dumps(PROBLEM))
    assert again == PROBLEM and again.message.key == "msg.value.bad_level"
    assert again.full("ja") == PROBLEM.full("ja")
    advice = pickle.loads(pickle.dumps(Advice("product")))
    assert advice.text("en", "page") == Advice("product").text("en", "page")
