"""A language switch relabels every picker's chosen option, not only its title and its list.

Streamlit 1.67 keeps the value of a keyed selectbox across the switch, but the browser goes on showing the
chosen option as it was last sent (the old language's label under the new title) unless the run sends the value
again (`ui.translated`). What the browser shows after a run is modelled here from what the run sends: the value
sent (`set_value`: its label, or the placeholder when it is None), else what the browser held before. The same
thing seen in Chromium is in tests/test_browser_pages.py.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from test_pages import open_page

from opmaturity import ui

JA, EN = "日本語", "English"
CODES = {JA: "ja", EN: "en"}


@contextmanager
def _labels_in(label: str):
    """AppTest formats a picker's value with the page's `format_func` after the run, outside it, where `ui.lang()`
    falls back to Japanese: here it labels in the language the run had."""
    ui._local.lang = CODES[label]
    try:
        yield
    finally:
        ui._local.lang = None


def _shown_before(box, lang: str) -> str | None:  # noqa: ANN001  (an AppTest Selectbox)
    """The label a browser shows for a selectbox drawn without a value sent: its option, or None (the placeholder)."""
    with _labels_in(lang):
        try:
            label = box.format_func(box.value)
        except (KeyError, StopIteration, TypeError):  # None where it is no option: nothing chosen
            return None
    return label if label in box.options else None


def _shown_after(box, before: str | None) -> str:  # noqa: ANN001
    if box.proto.set_value:
        return box.proto.raw_value if box.proto.HasField("raw_value") else box.proto.placeholder
    return before if before is not None else box.proto.placeholder


def _switch(at, to: str) -> dict[str, tuple[str | None, str]]:  # noqa: ANN001
    """Switch the language; every keyed selectbox's (label shown, label it should show) afterwards."""
    before = {box.key: _shown_before(box, EN if to == JA else JA) for box in at.selectbox if box.key}
    with _labels_in(EN if to == JA else JA):  # the pickers as the browser holds them: in the language before
        at.segmented_control(key="lang").set_value(to).run()
    assert not at.exception
    return {
        box.key: (_shown_after(box, before.get(box.key)), _shown_before(box, to) or box.proto.placeholder)
        for box in at.selectbox
        if box.key in before
    }


PICKS = {  # page, URL, then a few pickers set away from their first option, as a person would
    "heatmap": ({}, {"metric": "gap"}),
    "feedback": ({}, {"product": "Shop Connect"}),
    "trends": ({"product": "会員ID"}, {}),
    "model_page": ({}, {}),  # its pickers are in forms: a pick counts once the form is sent
    "team": ({"product": "会員ID", "team": "認証"}, {}),
    "import_page": ({}, {}),
}


@pytest.mark.parametrize("page", list(PICKS))
def test_after_a_language_switch_every_picker_shows_its_choice_in_the_new_language(demo_db, page):
    query, picks = PICKS[page]
    at = open_page(page, {"lang": EN, **query})
    for key, value in picks.items():
        with _labels_in(EN):  # AppTest finds the option to send with the page's format_func
            at.selectbox(key=key).set_value(value).run()
    english = {box.key: _shown_before(box, EN) for box in at.selectbox if box.key}
    shown = _switch(at, JA)
    relabelled = {key for key, (now, wanted) in shown.items() if wanted != english.get(key)}
    assert relabelled, f"no picker on {page} is labelled in the UI language: the test checks nothing there"
    assert {key: now for key, (now, _) in shown.items()} == {key: wanted for key, (_, wanted) in shown.items()}
    for key, value in picks.items():  # and the choice itself is kept
        assert at.selectbox(key=key).value == value


def test_the_heatmaps_metric_follows_the_switch_both_ways_and_stays_chosen(demo_db):
    at = open_page("heatmap", {"lang": EN})
    with _labels_in(EN):
        at.selectbox(key="metric").set_value("gap").run()
    assert _switch(at, JA)["metric"] == ("目標とのギャップ", "目標とのギャップ")
    assert _switch(at, EN)["metric"] == ("Gap to target", "Gap to target")
    with _labels_in(EN):  # a run without a switch sends no value: the browser keeps its own
        at.toggle(key="sort").set_value(True).run()
    assert not at.selectbox(key="metric").proto.set_value
    assert at.selectbox(key="metric").value == "gap"


def test_a_filter_left_at_all_shows_all_in_the_new_language(demo_db):
    """None (every product) is sent as no value: the browser shows the placeholder, which says "all"."""
    at = open_page("feedback", {"lang": EN})
    assert _shown_before(at.selectbox(key="product"), EN) == "(all)"
    shown = _switch(at, JA)
    assert shown["product"] == ("（すべて）", "（すべて）")
    assert shown["item"] == ("（すべて）", "（すべて）")
    assert at.selectbox(key="product").value is None
    assert "product" not in at.query_params


@pytest.mark.parametrize("page", ["import_page", "feedback", "model_page"])
def test_switching_back_and_forth_keeps_every_picker_and_raises_nothing(demo_db, page):
    """At HEAD before `ui.translated`, the Import page raised on the second switch: the browser sent back the undo
    picker's old-language label as its value."""
    at = open_page(page, {"lang": EN})
    for to in (JA, EN, JA):
        shown = _switch(at, to)
        assert {key: now for key, (now, _) in shown.items()} == {key: wanted for key, (_, wanted) in shown.items()}
    assert not at.exception and not at.error
