"""markup: user text shown literally by Streamlit's markdown, search hits highlighted."""

from __future__ import annotations

import re

import pytest

from opmaturity.markup import HIGHLIGHT, escape, highlighted, hits

NASTY = [
    "**x**",
    "![](http://127.0.0.1:9/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "[link](javascript:alert(1))",
    "<script>alert(1)</script>",
    "$x^2$ and :red[alarm] and :material/home:",
    "# heading",
    "- not a list",
    "1. not a list either",
    "> not a quote",
    "| a | b |",
    "`code` and ~~strike~~ and __under__",
    "back\\slash \\*",
    "www.example.com https://example.com",
]
# Markdown (CommonMark, GFM and Streamlit's directives) gives meaning to ASCII punctuation only.
SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")


def unescape(markdown: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


@pytest.mark.parametrize("text", NASTY)
def test_every_markdown_character_of_user_text_is_escaped_so_it_shows_as_typed(text):
    shown = escape(text)
    assert unescape(shown) == text
    # every special character is preceded by a backslash that is not itself escaped
    unescaped_special = re.sub(r"\\[!-/:-@\[-`{-~]", "", shown)
    assert not SPECIAL.search(unescaped_special), shown


def test_escape_keeps_line_breaks_and_drops_the_indentation_that_would_make_a_code_block():
    assert escape("first\r\n    second\rthird") == "first  \nsecond  \nthird"
    assert escape(None) == ""


def test_japanese_and_full_width_text_is_left_alone():
    assert escape("本番データをマスク＊＊して＊＊投入") == "本番データをマスク＊＊して＊＊投入"


def test_search_hits_are_found_ignoring_case_and_character_width():
    assert hits("ＤａｔａＤｏｇ and datadog", "DataDog") == [(0, 7), (12, 19)]
    assert hits("本番データをマスクして投入", "ﾏｽｸ") == [(6, 9)]
    assert hits("anything", None) == [] and hits("anything", "  ") == []


def test_every_word_of_the_search_is_marked_and_overlapping_hits_merge():
    assert hits("alert routing for alerts", "alert rout") == [(0, 5), (6, 10), (18, 23)]
    assert hits("abcd", "abc bcd") == [(0, 4)]


def test_highlighted_marks_the_hits_and_still_escapes_everything_else():
    assert highlighted("本番データをマスク (QA)", "ﾏｽｸ") == f"本番データを:{HIGHLIGHT}[マスク] \\(QA\\)"
    assert highlighted("a **b** c", "b") == f"a \\*\\*:{HIGHLIGHT}[b]\\*\\* c"
    assert highlighted("[x](y)", "[x]") == f":{HIGHLIGHT}[\\[x\\]]\\(y\\)"
    assert highlighted("no hit here", "zzz") == escape("no hit here")
    assert highlighted(None, "x") == ""
