"""Dates and timestamps as exports write them: ISO and slashed dates, era dates (令和6年), 午前/午後 times,
two-digit years."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from .i18n import Message
from .text import normalize
from .values import Invalid, shown

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "r": 2018, "h": 1988, "s": 1925}
_ERA = re.compile(r"^(令和|平成|昭和|r|h|s)\s*(\d+|元)\s*(?:年|[./\-])\s*(\d+)\s*(?:月|[./\-])\s*(\d+)\s*日?")
_YMD = re.compile(r"^(\d{4})\s*(?:年|[/.\-])\s*(\d{1,2})\s*(?:月|[/.\-])\s*(\d{1,2})\s*日?")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?=\s|$)")  # US exports: 1/7/2024
_SHORT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{1,2})(?=\s|$)")  # 24/5/20 (Japanese y/m/d) or 5/20/24 (US m/d/y)
_TIME = re.compile(
    r"(午前|午後|am|pm)?\s*(\d{1,2})(?::|時)(\d{2})(?:(?::|分)(\d{2})(?:\.\d+)?秒?)?\s*(午前|午後|am|pm)?"
)


def _bad_timestamp(value: object) -> Invalid:
    return Invalid(Message("msg.value.bad_timestamp", value=shown(value)))


def _bad_date(value: object) -> Invalid:
    return Invalid(Message("msg.value.bad_date", value=shown(value)))


def parse_timestamp(value: object) -> datetime | None:
    """The local date and time a cell holds (Forms `2024/01/07 7:41:40 午後 GMT+9`, Excel datetimes); Invalid if not."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if not isinstance(value, str):
        raise _bad_timestamp(value)
    text = normalize(value)
    found = _date_part(text)
    if found is None:
        raise _bad_timestamp(value)
    day, end = found
    clock = _TIME.search(text, end)
    if not clock:
        return datetime.combine(day, time())
    hour, minute, second = int(clock.group(2)), int(clock.group(3)), int(clock.group(4) or 0)
    half = clock.group(1) or clock.group(5)
    if half in ("午後", "pm") and hour < 12:
        hour += 12
    elif half in ("午前", "am") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        raise _bad_timestamp(value)
    return datetime.combine(day, time(hour, minute, second))


def parse_date(value: object) -> date | None:
    """The date a cell holds (typed, `2024/5/20`, `2024年5月14日`, `令和6年5月20日`), None if empty; Invalid if not."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        found = _date_part(normalize(value))
        if found:
            return found[0]
    raise _bad_date(value)


def _date_part(text: str) -> tuple[date, int] | None:
    """The date at the start of normalised text and where it ends, or None."""
    try:
        era = _ERA.match(text)
        if era:
            year = 1 if era.group(2) == "元" else int(era.group(2))
            return date(_ERAS[era.group(1)] + year, int(era.group(3)), int(era.group(4))), era.end()
        ymd = _YMD.match(text)
        if ymd:
            return date(int(ymd.group(1)), int(ymd.group(2)), int(ymd.group(3))), ymd.end()
        short = _SHORT.match(text)
        if short:
            return _short_date(text, int(short.group(1)), int(short.group(2)), int(short.group(3))), short.end()
        mdy = _MDY.match(text)
        if mdy:
            first, second, year = int(mdy.group(1)), int(mdy.group(2)), int(mdy.group(3))
            year += 2000 if year < 100 else 0
            month, day = (second, first) if first > 12 else (first, second)  # US order unless impossible
            return date(year, month, day), mdy.end()
    except Invalid:
        raise
    except ValueError:
        return None
    return None


def _short_date(text: str, first: int, second: int, third: int) -> date:
    """A date written with a two-digit year: Japanese year/month/day, or US month/day/year where only that
    reads as a date or the time says AM/PM; Invalid when both readings are dates (never a guess)."""
    japanese, american = _date_or_none(2000 + first, second, third), _date_or_none(2000 + third, first, second)
    if japanese and american:
        if re.search(r"\b(?:am|pm)\b", text):
            return american
        if "午前" in text or "午後" in text:
            return japanese
        written = text.split()[0]
        raise Invalid(
            Message(
                "msg.value.ambiguous_date",
                value=written,
                japanese=str(japanese),
                american=str(american),
                full=f"{japanese:%Y/%m/%d}",
            )
        )
    found = japanese or american
    if found is None:
        raise _bad_date(text)
    return found


def _date_or_none(year: int, month: int, day: int) -> date | None:
    """The date, or None when there is no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        return None
