"""dates: dates and timestamps in every export style, never guessed when they read two ways."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from opmaturity.dates import parse_date, parse_timestamp
from opmaturity.values import Invalid


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("2024/01/07 7:41:40 午後 GMT+9", datetime(2024, 1, 7, 19, 41, 40)),
        ("2024/01/07 12:15:40 午後 GMT+9", datetime(2024, 1, 7, 12, 15, 40)),
        ("2024/01/07 12:41:03 午前 GMT+9", datetime(2024, 1, 7, 0, 41, 3)),
        ("2024/01/07 19:41:41", datetime(2024, 1, 7, 19, 41, 41)),
        ("2024/5/20 10:31", datetime(2024, 5, 20, 10, 31)),
        ("1/7/2024 19:41:40", datetime(2024, 1, 7, 19, 41, 40)),
        ("5/20/24 10:31:05 AM", datetime(2024, 5, 20, 10, 31, 5)),
        (datetime(2024, 5, 20, 10, 1), datetime(2024, 5, 20, 10, 1)),
    ],
)
def test_timestamps_in_every_export_style(text, when):
    assert parse_timestamp(text) == when


@pytest.mark.parametrize(
    ("text", "day"),
    [("令和6年5月20日", date(2024, 5, 20)), ("令和元年5月1日", date(2019, 5, 1)),
     ("平成31年4月30日", date(2019, 4, 30)), ("2024年5月14日", date(2024, 5, 14)),
     ("2024/5/20", date(2024, 5, 20)), ("R6.5.20", date(2024, 5, 20))],
)  # fmt: skip
def test_dates_in_western_and_japanese_era_forms(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [("24/5/20", date(2024, 5, 20)), ("24/12/31", date(2024, 12, 31)), ("5/20/24", date(2024, 5, 20)),
     ("19/5/1", date(2019, 5, 1))],
)  # fmt: skip
def test_short_slashed_dates_read_year_month_day_unless_only_us_order_makes_a_date(text, day):
    assert parse_date(text) == day


def test_a_short_japanese_timestamp_is_year_month_day():
    assert parse_timestamp("24/5/20 10:31") == datetime(2024, 5, 20, 10, 31)
    assert parse_timestamp("24/5/6 10:31 午後") == datetime(2024, 5, 6, 22, 31)
    assert parse_timestamp("5/6/07 10:31 PM") == datetime(2007, 5, 6, 22, 31)  # US exports say AM/PM


def test_a_short_date_that_reads_both_ways_is_a_problem_not_a_guess():
    with pytest.raises(Invalid) as caught:
        parse_date("5/6/07")
    assert caught.value.message == (
        'the date "5/6/07" is ambiguous: 2005-06-07 (year/month/day) or 2007-05-06 (month/day/year); '
        "write the year in full, such as 2005/06/07"
    )


def test_a_date_that_is_not_one_says_what_is_accepted():
    with pytest.raises(Invalid) as caught:
        parse_date("来週")
    assert caught.value.message == 'expected a date such as 2024/5/20, 2024年5月20日 or 令和6年5月20日, got "来週"'
