import re
from pathlib import Path

import pytest

from opmaturity import i18n

ROOT = Path(__file__).resolve().parents[1]


def test_every_string_has_japanese_and_english():
    for key, texts in i18n.catalog().items():
        assert texts["ja"] and texts["en"], key


def test_placeholders_are_the_same_in_both_languages():
    for key, texts in i18n.catalog().items():
        assert set(re.findall(r"{(\w+)[:}]", texts["ja"])) == set(re.findall(r"{(\w+)[:}]", texts["en"])), key


def test_every_literal_key_the_app_uses_exists():
    used = set()
    for path in [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), ROOT / "opmaturity" / "ui.py"]:
        used |= set(re.findall(r"""\btr\(\s*["']([\w.]+)["']\s*[,)]""", path.read_text(encoding="utf-8")))
    missing = sorted(used - set(i18n.catalog()))
    assert used and missing == []


def test_t_fills_placeholders_and_falls_back_to_japanese():
    assert i18n.t("sidebar.database", "en", path="x.duckdb") == "Database: x.duckdb"
    assert i18n.t("nav.team", "fr") == i18n.t("nav.team", "ja")
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "en")
