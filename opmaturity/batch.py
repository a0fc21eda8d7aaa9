"""The canonical shape every layout parser produces: answers, notes and problems of one file.

A response is one person's submission; an answer is one item's level (with its target, importance and comment)
in it. The `responses` table and the `responses` count of `import --json` keep their names from the command-line
contract: both hold answers.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .errors import Problem
from .i18n import Listed, Message
from .readers.columns import positions
from .values import display, shown


@dataclass
class Answer:
    """One answer: a respondent's level for one item (level None = not applicable / blank)."""

    product: str
    team: str
    respondent: str  # already a pseudonym: never an e-mail or a name
    rater: str  # "team" or "sre"
    item: str  # item key
    level: int | None
    target: int | None = None
    importance: int | None = None
    comment: str | None = None
    assessed_on: date | None = None
    sheet: str = ""
    row: int | None = None


@dataclass
class Note:
    """One workshop sticky note; product and team where the file says."""

    text: str
    product: str | None = None
    team: str | None = None
    group: str | None = None
    tags: tuple[str, ...] = ()
    colour: str | None = None
    author: str | None = None  # a pseudonym, like respondents
    item: str | None = None  # linked model item key
    key: str | None = None  # the Miro item id, where the export has one (the note's natural key)
    sheet: str = ""
    row: int | None = None


# The answers of a file as Arrow columns: what the tidy parser builds, the worker hands back and the store inserts.
ANSWER_SCHEMA = pa.schema(
    [
        ("product", pa.string()),
        ("team", pa.string()),
        ("respondent", pa.string()),
        ("rater", pa.string()),
        ("item", pa.string()),
        ("level", pa.int8()),
        ("target", pa.int8()),
        ("importance", pa.int8()),
        ("comment", pa.string()),
        ("assessed_on", pa.date32()),
        ("sheet", pa.string()),
        ("row", pa.int64()),
    ]
)
_FIELDS = [f.name for f in fields(Answer)]


def answer_table(columns: Mapping[str, pa.Array]) -> pa.Table:
    """Answer columns as a table in ANSWER_SCHEMA's order and types; a text column may come dictionary-encoded
    (codes into its distinct values, as the tidy parser builds them and the worker sends them)."""
    return checked(pa.table({name: columns[name] for name in ANSWER_SCHEMA.names}))


def checked(table: pa.Table) -> pa.Table:
    """The table, when it has the answer columns in ANSWER_SCHEMA's types (text dictionary-encoded or not);
    ValueError otherwise (the worker's answer is checked on arrival)."""
    if table.column_names != ANSWER_SCHEMA.names:
        raise ValueError(f"unexpected answer columns: {table.column_names}")
    for found, expected in zip(table.schema, ANSWER_SCHEMA, strict=True):
        kind = found.type.value_type if pa.types.is_dictionary(found.type) else found.type
        if kind != expected.type:
            raise ValueError(f"unexpected type {found.type} for answer column {found.name}")
    return table


class Answers:
    """A file's answers: Arrow columns, to which a layout that reads one answer at a time appends Responses.

    Iterating gives Answer objects (for small batches and tests); the pipeline reads `table` and never
    builds an object per answer.
    """

    def __init__(self, answers: Iterable[Answer] = (), table: pa.Table | None = None) -> None:
        self._tables: list[pa.Table] = [table] if table is not None else []
        self._pending: list[Answer] = list(answers)

    def append(self, response: Answer) -> None:
        self._pending.append(response)

    def extend(self, answers: Iterable[Answer]) -> None:
        self._pending.extend(answers)

    def add(self, table: pa.Table) -> None:
        """Columns of answers (in ANSWER_SCHEMA), after those added so far."""
        self._flush()
        self._tables.append(table)

    @property
    def table(self) -> pa.Table:
        """Every answer, in order, as one Arrow table."""
        self._flush()
        if not self._tables:
            return ANSWER_SCHEMA.empty_table()
        if len(self._tables) > 1:
            self._tables = [pa.concat_tables([t.cast(ANSWER_SCHEMA) for t in self._tables])]
        return self._tables[0]

    def _flush(self) -> None:
        if self._pending:
            columns = {name: [getattr(r, name) for r in self._pending] for name in _FIELDS}
            self._tables.append(pa.table(columns, schema=ANSWER_SCHEMA))
            self._pending = []

    def __len__(self) -> int:
        return sum(t.num_rows for t in self._tables) + len(self._pending)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Answer]:
        columns = self.table.to_pydict()
        return (Answer(*row) for row in zip(*(columns[name] for name in _FIELDS), strict=True))

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Answers):
            return self.table.cast(ANSWER_SCHEMA).equals(other.table.cast(ANSWER_SCHEMA))
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Answers({len(self)})"


@dataclass
class Batch:
    """What one file holds, ready to validate and commit in one transaction."""

    file: str
    layout: str
    sha256: str
    answers: Answers = field(default_factory=Answers)
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)  # what the user should know (replaced, dropped)
    round: str | None = None  # named by the file or the user
    round_date: date | None = None  # earliest date the file carries
    round_date_given: date | None = None  # the day a person said a new round was held (wins over the rest)
    tiers: dict[str, str] = field(default_factory=dict)  # product -> tier, where known
    board: str | None = None  # the workshop board the notes come from: a re-export replaces that board's notes

    def __post_init__(self) -> None:
        if not isinstance(self.answers, Answers):
            self.answers = Answers(self.answers)

    @staticmethod
    def digest(data: bytes) -> str:
        """The sha256 that identifies the same bytes imported again."""
        return hashlib.sha256(data).hexdigest()


# --- settling a file's repeated answers ------------------------------------------------------------------

KEY = ("product", "team", "respondent", "rater", "item")  # one answer per key per round
_MEASURES = ("level", "target", "importance", "comment", "assessed_on")
# (sheet, row, item, rater) -> measure -> the header its value was read from; (sheet, None, "", "") holds the
# headers of every answer of a sheet whose measures each have one column (a tidy table).
Columns = Mapping[tuple[str, int | None, str, str], Mapping[str, str]]


def settle(batch: Batch, file: str, columns: Columns | None = None) -> int:
    """Drop exact duplicate answers (said in messages) and report conflicting ones as problems, both rows named.

    `columns` gives, per answer, the header of each measure's column, so that a conflict names the column where
    the two answers differ. Returns how many answers were dropped as conflicting. The keys that repeat are found
    on the columns; only their answers are compared one by one.
    """
    table = batch.answers.table
    if table.num_rows < 2:
        return 0
    keys = _keys(table)
    counts = pc.value_counts(keys)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if len(repeated) == 0:
        return 0
    at = pc.indices_nonzero(pc.is_in(keys, repeated))
    rows = table.take(at)
    answers = [Answer(*values) for values in zip(*(rows[name].to_pylist() for name in _FIELDS), strict=True)]
    drop, dropped = _settle_repeats(batch, file, list(zip(at.to_pylist(), answers, strict=True)), columns or {})
    if drop:
        kept = pc.invert(pc.is_in(positions(table.num_rows), pa.array(sorted(drop), pa.int64())))
        batch.answers = Answers(table=table.filter(kept))
    return dropped


def _keys(table: pa.Table) -> pa.Int64Array:
    """Every answer's key (product, team, respondent, rater, item) as one number: equal keys, equal numbers.

    Each key column as codes of its distinct values (the tidy parser and the worker hand them over that way;
    other columns are encoded here), combined column by column; the running numbers are renumbered densely
    whenever they could grow past 2**62, so they never overflow.
    """
    combined = pa.repeat(pa.scalar(0, pa.int64()), table.num_rows)
    bound = 1
    for name in KEY:
        codes, size = _codes(table[name])
        if bound * (size + 1) >= 2**62:
            dense = combined.dictionary_encode()
            combined, bound = dense.indices.cast(pa.int64()), len(dense.dictionary)
        combined = pc.add(pc.multiply(combined, size + 1), codes)
        bound *= size + 1
    return combined


def _codes(column: pa.ChunkedArray) -> tuple[pa.Int64Array, int]:
    """A column as codes of its distinct values (null as one more code) and how many codes there are."""
    whole = column.unify_dictionaries().combine_chunks() if pa.types.is_dictionary(column.type) else None
    if whole is None or len(pc.unique(whole.dictionary)) != len(whole.dictionary):
        whole = column.combine_chunks().dictionary_encode()
    size = len(whole.dictionary)
    return pc.fill_null(whole.indices.cast(pa.int64()), size), size


def _settle_repeats(
    batch: Batch, file: str, answers: list[tuple[int, Answer]], columns: Columns
) -> tuple[set[int], int]:
    """The positions to drop among answers whose key repeats (in file order), and how many conflicted."""
    first: dict[tuple[str, ...], tuple[int, Answer]] = {}
    drop: set[int] = set()
    repeats: dict[tuple[str, int | None], tuple[str, int | None]] = {}
    conflicting: set[tuple[str, ...]] = set()
    dropped = 0
    for at, r in answers:
        key = _key(r)
        earlier = first.get(key)
        if earlier is None:
            first[key] = (at, r)
            continue
        drop.add(at)
        if _answer(earlier[1]) == _answer(r):
            repeats.setdefault((r.sheet, r.row), (earlier[1].sheet, earlier[1].row))
            continue
        conflicting.add(key)
        dropped += 1
        column, value = _differing_column(earlier[1], r, columns)
        message = Message(
            "msg.settle.conflict",
            item=r.item,
            product=r.product,
            team=r.team,
            rater=r.rater,
            earlier_at=_where(earlier[1]),
            earlier=_say(earlier[1]),
            later_at=_where(r),
            later=_say(r),
        )
        batch.problems.append(Problem(message, file=file, sheet=r.sheet, row=r.row, column=column, value=value))
    for key in conflicting:
        drop.add(first[key][0])
        dropped += 1
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
    return drop, dropped


def _key(r: Answer) -> tuple[str, ...]:
    return (r.product, r.team, r.respondent, r.rater, r.item)


def _answer(r: Answer) -> tuple[object, ...]:
    """What a response says, apart from who and where: equal tuples are exact duplicates."""
    return (r.level, r.target, r.importance, r.comment, r.assessed_on)


def _differing_column(earlier: Answer, later: Answer, columns: Columns) -> tuple[str, str]:
    """The header of the first column where two answers to the same item differ (the level column by default),
    and the later answer's value there."""
    headers = columns.get((later.sheet, later.row, later.item, later.rater)) or columns.get(
        (later.sheet, None, "", ""), {}
    )
    for measure, a, b in zip(_MEASURES, _answer(earlier), _answer(later), strict=True):
        if a != b and headers.get(measure):
            return headers[measure], shown(b)
    return headers.get("level", ""), shown(later.level)


def _at(sheet: str, rows: object) -> Message:
    """`row 4` or `sheet "x" row 4` for messages."""
    return Message("msg.settle.at_sheet_row" if sheet else "msg.settle.at_row", sheet=sheet, row=rows)


def _where(r: Answer) -> Message:
    """`row 4` or `sheet "x" row 4` for the row of a response."""
    return _at(r.sheet, r.row)


def _say(r: Answer) -> Listed:
    """A response's answer in words, for conflict messages."""
    parts = [Message("msg.say.level", level=display(r.level) if r.level is not None else "N/A")]
    if r.target is not None:
        parts.append(Message("msg.say.target", target=r.target))
    if r.importance is not None:
        parts.append(Message("msg.say.importance", importance=r.importance))
    if r.comment:
        parts.append(Message("msg.say.comment", comment=r.comment[:40]))
    return Listed(parts)
