"""The Import page says the core's problems in the session's language and names its own controls, never a flag."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = ROOT / "tests" / "data" / "imports"
NO_PRODUCT = "項目,現状レベル,回答者ロール\nOBS-1,2,SRE\n".encode()


def import_page(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/import_page.py")
    at.query_params["lang"] = lang
    return at.run()


def problems(at: AppTest) -> list[str]:
    """The "what to fix" column of every problem table on the page."""
    return [
        text for df in at.dataframe for c in df.value.columns if c in ("内容", "What to fix") for text in df.value[c]
    ]


def test_problems_are_in_japanese_and_name_the_page_controls(demo_db):
    at = import_page("日本語")
    uploads = at.file_uploader(key="uploads")
    uploads.upload("out_of_range.csv", (IMPORTS / "out_of_range.csv").read_bytes(), "text/csv")
    uploads.upload("no_product.csv", NO_PRODUCT, "text/csv").run()
    assert not at.exception
    said = problems(at)
    bad_level = "レベルは0〜4の整数か、レベルの言葉（未着手、場当たり、定義済み、運用・計測、最適化）"
    assert bad_level + 'で入力してください（値: "7"）' in said
    unknown = next(s for s in said if s.startswith("項目「SLOの合意形成」"))
    assert "「SLOの合意」（SLO-2）のことですか？" in unknown
    # a value in the item column: no column role names it (the advice pointed at "Column roles")
    assert unknown.endswith("直すか、モデルの項目キー（OBS-1 など）か項目名を使ってください"
                            "（項目の一覧は「モデル」ページにあります）")  # fmt: skip
    assert (
        "プロダクトがわかりません。プロダクトの列（プロダクト）を追加するか、このページの「プロダクト」欄に"
        in "".join(said)
    )
    assert not any("--" in s for s in said), said
    notes = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(m.value for m in at.markdown))  # escapes dropped
    assert "取り込みませんでした: 問題 7 件。何も書き込んでいません" in notes
    assert "--" not in notes


def test_problems_are_in_english_after_the_switch_and_still_name_no_flag(demo_db):
    at = import_page("English")
    at.file_uploader(key="uploads").upload("no_product.csv", NO_PRODUCT, "text/csv").run()
    (said,) = problems(at)
    assert said == (
        'no product: add a product column (プロダクト) or enter the product in "Product" on this page, '
        'or choose "product" for the column that holds it under "Column roles" below'
    )


def _placeholders(at) -> set[str]:  # noqa: ANN001
    """What each selectbox says while empty: "choose", or where empty is a choice of its own (None: "as the file
    says", "automatic"), that choice's label as its list names it (the browser shows it after a language switch)."""
    return {"(its own first option)" if s.proto.placeholder == s.options[0] else s.proto.placeholder
            for s in at.selectbox}  # fmt: skip


def test_selectboxes_say_choose_in_the_session_language(demo_db):
    at = import_page("日本語")
    at.file_uploader(key="uploads").upload("tidy.csv", (IMPORTS / "tidy.csv").read_bytes(), "text/csv").run()
    assert _placeholders(at) == {"選択してください", "(its own first option)"}
    at = import_page("English")
    at.file_uploader(key="uploads").upload("tidy.csv", (IMPORTS / "tidy.csv").read_bytes(), "text/csv").run()
    assert _placeholders(at) == {"Choose an option", "(its own first option)"}
