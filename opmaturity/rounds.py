"""A round's place in time: the date a round name says (`2024-H1`, `FY2024 Q3`, `令和6年度下期`), if any.

Every round needs a date so that rounds sort in time, not in the order files happened to be imported. The
date a name gives is the first day of the period it names:
- calendar halves and quarters: `2024-H1`, `2024H2`, `2024 Q3`, `2024-Q3` (H2 = 1 July, Q3 = 1 July);
- Japanese fiscal years, which start on 1 April: `FY2024`, `FY2024 Q3` (= 1 October 2024), `2024年度`,
  `2024年度上期` (1 April), `2024年度下期` (1 October), `令和6年度下期` (Reiwa 6 = 2024), `2024年度第3四半期`;
- months and days: `2024-05`, `2024/5`, `2024年5月`, `2024-05-20`, `令和6年5月20日`;
- a bare year `2024` (1 January).
The period may stand among other words (`2024-H1 アセスメント`); full-width digits count as digits. A name
that states none of these gives None: then the file's dates or a date the user gives place the round.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}  # era year 1 = offset + 1
_YEAR = r"(?:(?P<era>令和|平成|昭和)(?P<era_year>\d{1,2}|元)|(?P<year>(?:19|20)\d{2}))"
_FISCAL_START = 4  # Japanese fiscal years start in April

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))  # the most precise first
    for kind, pattern in (
        ("day", rf"(?<![0-9]){_YEAR}\s*[-/.年]\s*(?P<month>\d{{1,2}})\s*[-/.月]\s*(?P<day>\d{{1,2}})\s*日?(?![0-9])"),
        ("fiscal_half", rf"(?<![0-9])(?:FY\s*)?{_YEAR}\s*年度\s*(?P<half>上|下)(?:期|半期)(?![0-9])"),
        ("fiscal_quarter", rf"(?<![0-9])FY\s*{_YEAR}\s*[-_ ]?\s*(?:Q|第)\s*(?P<quarter>[1-4])(?:\s*四半期)?(?![0-9])"),
        ("fiscal_quarter", rf"(?<![0-9]){_YEAR}\s*年度\s*[-_ ]?\s*(?:Q|第)\s*(?P<quarter>[1-4])(?:\s*四半期)?(?!\d)"),
        ("fiscal_half", rf"(?<![0-9])FY\s*{_YEAR}\s*[-_ ]?\s*(?P<half>H1|H2|1H|2H)(?![0-9])"),
        ("fiscal_year", rf"(?<![0-9])FY\s*{_YEAR}(?![0-9])"),
        ("fiscal_year", rf"(?<![0-9]){_YEAR}\s*年度(?![0-9])"),
        ("half", rf"(?<![0-9]){_YEAR}\s*年?\s*[-_ ]?\s*(?P<half>H1|H2|1H|2H|上期|下期|上半期|下半期)(?![0-9])"),
        ("quarter", rf"(?<![0-9]){_YEAR}\s*[-_ ]?\s*(?:Q(?P<quarter>[1-4])|(?P<quarter2>[1-4])Q)(?![0-9])"),
        ("month", rf"(?<![0-9]){_YEAR}\s*[-/.年]\s*(?P<month>\d{{1,2}})\s*月?(?![0-9])"),
        ("year", rf"(?<![0-9]){_YEAR}\s*年?(?![0-9])"),
    )
)


def _year(match: re.Match[str]) -> int:
    era = match.group("era")
    if era:
        era_year = match.group("era_year")
        return ERAS[era] + (1 if era_year == "元" else int(era_year))
    return int(match.group("year"))


def _first_half(half: str) -> bool:
    return half.upper() in {"H1", "1H", "上", "上期", "上半期"}


def date_from_name(name: str) -> date | None:
    """The first day of the period a round name states, or None when the name states none."""
    period = period_from_name(name)
    return period[0] if period else None


def round_date(name: str, file_date: date | None = None, given: date | None = None) -> date | None:
    """The date a round takes: the one a person gave, else the file's date where it lies in the period the name
    states (more precise than the period's first day), else that first day, else the file's date."""
    if given is not None:
        return given
    period = period_from_name(name)
    if period is None:
        return file_date
    start, end = period
    return file_date if file_date is not None and start <= file_date < end else start


_PART = re.compile(r"(?<![A-Za-z])(?P<kind>[HQ])\s*(?P<n>\d+)(?![0-9])", re.IGNORECASE)


def odd_part(name: str) -> str | None:
    """The half or quarter a round name states that does not exist (`H3`, `Q5`), else None: such a name reads as
    its year only (2024-H3 would be dated 1 January 2024), most likely a typo."""
    text = unicodedata.normalize("NFKC", name or "")
    for found in _PART.finditer(text):
        last = 2 if found["kind"].upper() == "H" else 4
        if not 1 <= int(found["n"]) <= last:
            return found.group(0)
    return None


def period_from_name(name: str) -> tuple[date, date] | None:
    """The period a round name states as (first day, first day after it), or None."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    text = re.sub(r"\s+", " ", text)
    for kind, pattern in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        year = _year(match)
        try:
            start = _period_start(kind, year, match)
        except ValueError:  # 2024-13, 2024-02-30: not a date after all
            return None
        return start, _after(start, _MONTHS[kind])
    return None


_MONTHS = {"day": 0, "month": 1, "year": 12, "half": 6, "quarter": 3, "fiscal_year": 12, "fiscal_half": 6,
           "fiscal_quarter": 3}  # fmt: skip


def _after(start: date, months: int) -> date:
    if months == 0:
        return date.fromordinal(start.toordinal() + 1)
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def _period_start(kind: str, year: int, match: re.Match[str]) -> date:
    if kind == "day":
        return date(year, int(match.group("month")), int(match.group("day")))
    if kind == "month":
        return date(year, int(match.group("month")), 1)
    if kind == "year":
        return date(year, 1, 1)
    if kind == "half":
        return date(year, 1 if _first_half(match.group("half")) else 7, 1)
    if kind == "quarter":
        quarter = int(match.group("quarter") or match.group("quarter2"))
        return date(year, 3 * quarter - 2, 1)
    if kind == "fiscal_year":
        return date(year, _FISCAL_START, 1)
    if kind == "fiscal_half":
        return date(year, _FISCAL_START, 1) if _first_half(match.group("half")) else date(year, _FISCAL_START + 6, 1)
    quarter = int(match.group("quarter"))  # fiscal_quarter: Q1 = April-June ... Q4 = January-March next year
    month = _FISCAL_START + 3 * (quarter - 1)
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
