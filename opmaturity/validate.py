"""Duplicate answers in one file: exact repeats dropped (and said), conflicting ones reported with both rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from .batch import Batch, Response
from .errors import Problem
from .i18n import Listed, Message
from .values import display, shown


def natural_key(r: Response) -> tuple[str, str, str, str, str]:
    """(product, team, respondent, rater, item): one answer per key per round."""
    return (r.product, r.team, r.respondent, r.rater, r.item)


def _answer(r: Response) -> tuple[object, ...]:
    """What a response says, apart from who and where: equal tuples are exact duplicates."""
    return (r.level, r.target, r.importance, r.comment, r.assessed_on)


Columns = Mapping[tuple[str, int | None, str, str], Mapping[str, str]]


def settle(batch: Batch, file: str, columns: Columns | None = None) -> int:
    """Drop exact duplicate answers (said in messages) and report conflicting ones as problems, both rows named.

    `columns` gives, per answer (sheet, row, item, rater), the header of each measure's column, so that a conflict
    names the column where the two answers differ. Returns how many answers were dropped as conflicting.
    """
    first: dict[tuple[str, str, str, str, str], Response] = {}
    kept: list[Response] = []
    repeats: dict[tuple[str, int | None], tuple[str, int | None]] = {}
    conflicting: set[tuple[str, str, str, str, str]] = set()
    dropped = 0
    for r in batch.responses:
        key = natural_key(r)
        earlier = first.get(key)
        if earlier is None:
            first[key] = r
            kept.append(r)
        elif _answer(earlier) == _answer(r):
            repeats.setdefault((r.sheet, r.row), (earlier.sheet, earlier.row))
        else:
            conflicting.add(key)
            dropped += 1
            column, value = _differing_column(earlier, r, columns or {})
            batch.problems.append(
                Problem(
                    Message(
                        "msg.settle.conflict",
                        item=r.item,
                        product=r.product,
                        team=r.team,
                        rater=r.rater,
                        earlier_at=_where(earlier),
                        earlier=_say(earlier),
                        later_at=_where(r),
                        later=_say(r),
                    ),
                    file=file,
                    sheet=r.sheet,
                    row=r.row,
                    column=column,
                    value=value,
                )
            )
    if conflicting:
        dropped += sum(1 for r in kept if natural_key(r) in conflicting)
        kept = [r for r in kept if natural_key(r) not in conflicting]
    batch.responses = kept
    if repeats:
        by_row: dict[tuple[str, int | None], list[int | None]] = defaultdict(list)
        for (sheet, row), (_, earlier_row) in repeats.items():
            by_row[(sheet, earlier_row)].append(row)
        lines = [
            Message(
                f"msg.settle.repeats.{'one' if len(rows) == 1 else 'other'}",
                at=_at(sheet, Listed([str(r) for r in rows[:10]] + (["..."] if len(rows) > 10 else []))),
                earlier=earlier,
            )
            for (sheet, earlier), rows in by_row.items()
        ]
        if len(lines) > 20:
            lines = [*lines[:20], Message("msg.settle.repeats_more", count=len(lines) - 20)]
        batch.messages.extend(lines)
    return dropped


_MEASURES = ("level", "target", "importance", "comment", "assessed_on")


def _differing_column(earlier: Response, later: Response, columns: Columns) -> tuple[str, str]:
    """The header of the first column where two answers to the same item differ (the level column by default),
    and the later answer's value there."""
    headers = columns.get((later.sheet, later.row, later.item, later.rater), {})
    for measure, a, b in zip(_MEASURES, _answer(earlier), _answer(later), strict=True):
        if a != b and headers.get(measure):
            return headers[measure], shown(b)
    return headers.get("level", ""), shown(later.level)


def _at(sheet: str, rows: object) -> Message:
    """`row 4` or `sheet "x" row 4` for messages."""
    return Message("msg.settle.at_sheet_row" if sheet else "msg.settle.at_row", sheet=sheet, row=rows)


def _where(r: Response) -> Message:
    """`row 4` or `sheet "x" row 4` for the row of a response."""
    return _at(r.sheet, r.row)


def _say(r: Response) -> Listed:
    """A response's answer in words, for conflict messages."""
    parts = [Message("msg.say.level", level=display(r.level) if r.level is not None else "N/A")]
    if r.target is not None:
        parts.append(Message("msg.say.target", target=r.target))
    if r.importance is not None:
        parts.append(Message("msg.say.importance", importance=r.importance))
    if r.comment:
        parts.append(Message("msg.say.comment", comment=r.comment[:40]))
    return Listed(parts)
