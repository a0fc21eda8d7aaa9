import pytest

from opmaturity.notes import linked_item


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("DatadogとSentryの役割分担が曖昧で、監視ツールのオーナーがいない", "OBS-5"),
        ("QA用に本番データをマスクして入れたい", "TST-2"),
        ("問い合わせ調査のためにユーザーログをいつまで保持するか決まっていない", "LOG-3"),
        ("URL単位でメンテナンスモードにできない", "MNT-2"),
        ("We want masked production data for QA", "TST-2"),
    ],
)
def test_notes_link_to_the_item_their_keywords_name(model, text, item):
    assert linked_item(text, model) == item


def test_latin_keywords_match_whole_words_only(model):
    assert linked_item("SLA を決めたい", model) == "SLO-2"
    assert linked_item("Slack channel is noisy; the DRY principle", model) is None
    assert linked_item("チームの雰囲気が良い", model) is None
