"""Batches, problems and messages as JSON, so a fenced worker can hand back what it parsed as plain data.

Never a pickle: the parent reads only what this module writes, and a message comes back as its catalogue key and
parameters (re-rendered in the parent), never as text the child chose. Dates travel as ISO strings. The answers
travel as Arrow columns (an IPC stream, base64 inside the JSON), checked against the answer schema on arrival:
half a million answers as JSON rows took longer to encode and decode than to parse.
"""

from __future__ import annotations

import base64
import json
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from typing import Any

import pyarrow as pa

from .batch import Answers, Batch, Note, checked
from .errors import Problem
from .i18n import Advice, Listed, Message, Named, Quoted, QuotedBoth

_NOTE = [f.name for f in fields(Note)]
_PROBLEM = ("file", "sheet", "row", "column", "value")
_SEQUENCES: dict[str, type[tuple[Any, ...]]] = {"$q": Quoted, "$qb": QuotedBoth, "$l": Listed, "$t": tuple}
_TAGS = {kind: tag for tag, kind in _SEQUENCES.items()}


def value_to_json(value: Any) -> Any:
    """A message parameter or cell value as JSON data: messages, lists of names, dates and tuples tagged."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Advice):
        return {"$a": value.key.removeprefix("advice."), "p": _params(value.params)}
    if isinstance(value, Message):
        return {"$m": value.key, "p": _params(value.params)}
    if isinstance(value, Named):
        return {"$n": [value.ja, value.en]}
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$tm": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": value.total_seconds()}
    if isinstance(value, tuple):
        return {_TAGS.get(type(value), "$t"): [value_to_json(v) for v in value]}
    if isinstance(value, list):
        return [value_to_json(v) for v in value]
    if isinstance(value, dict):
        return {"$o": {str(k): value_to_json(v) for k, v in value.items()}}
    raise TypeError(f"cannot encode {type(value).__name__} for the fenced worker")


def value_from_json(data: Any) -> Any:
    """The value value_to_json encoded."""
    if isinstance(data, list):
        return [value_from_json(v) for v in data]
    if not isinstance(data, dict):
        return data
    ((tag, inner),) = ((k, v) for k, v in data.items() if k != "p")
    if tag == "$m":
        return Message(inner, **_unparams(data["p"]))
    if tag == "$a":
        return Advice(inner, **_unparams(data["p"]))
    if tag == "$n":
        return Named(*inner)
    if tag in _SEQUENCES:
        return _SEQUENCES[tag](value_from_json(v) for v in inner)
    if tag == "$dt":
        return datetime.fromisoformat(inner)
    if tag == "$d":
        return date.fromisoformat(inner)
    if tag == "$tm":
        return time.fromisoformat(inner)
    if tag == "$td":
        return timedelta(seconds=inner)
    if tag == "$o":
        return {k: value_from_json(v) for k, v in inner.items()}
    raise ValueError(f"unknown tag {tag!r} from the fenced worker")


def _params(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value_to_json(value) for name, value in params.items()}


def _unparams(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value_from_json(value) for name, value in params.items()}


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """A problem as JSON data: its message (key and parameters) and where it is."""
    return {"message": value_to_json(problem.message), **{name: getattr(problem, name) for name in _PROBLEM}}


def problem_from_json(data: dict[str, Any]) -> Problem:
    """The problem problem_to_json encoded."""
    return Problem(value_from_json(data["message"]), **{name: data[name] for name in _PROBLEM})


def batch_to_json(batch: Batch, *, answers: bool = True) -> dict[str, Any]:
    """A batch as JSON data: the answers as Arrow columns (base64; left out where `answers` is false, for a caller
    that sends `answers_to_ipc` beside the JSON), notes as rows under one list of field names."""
    return {
        "file": batch.file,
        "layout": batch.layout,
        "sha256": batch.sha256,
        "answers": base64.b64encode(answers_to_ipc(batch.answers.table)).decode("ascii") if answers else None,
        "note_fields": _NOTE,
        "notes": [[value_to_json(getattr(n, name)) for name in _NOTE] for n in batch.notes],
        "problems": [problem_to_json(p) for p in batch.problems],
        "messages": [value_to_json(m) for m in batch.messages],
        "round": batch.round,
        "round_date": value_to_json(batch.round_date),
        "round_date_given": value_to_json(batch.round_date_given),
        "tiers": batch.tiers,
        "board": batch.board,
    }


def batch_from_json(data: dict[str, Any], answers: bytes | None = None) -> Batch:
    """The batch batch_to_json encoded (with `answers`, the IPC stream sent beside it, where it left them out)."""
    note = data["note_fields"]
    return Batch(
        file=data["file"],
        layout=data["layout"],
        sha256=data["sha256"],
        answers=Answers(table=answers_from_ipc(answers if answers is not None else base64.b64decode(data["answers"]))),
        notes=[Note(**dict(zip(note, map(value_from_json, row), strict=True))) for row in data["notes"]],
        problems=[problem_from_json(p) for p in data["problems"]],
        messages=[value_from_json(m) for m in data["messages"]],
        round=data["round"],
        round_date=value_from_json(data["round_date"]),
        round_date_given=value_from_json(data["round_date_given"]),
        tiers=dict(data["tiers"]),
        board=data["board"],
    )


def answers_to_ipc(table: pa.Table) -> bytes:
    """Answers as an Arrow IPC stream, names and keys dictionary-encoded (a file repeats them on every row; the
    tidy parser hands them over encoded already), one dictionary per column."""
    columns = [c.dictionary_encode() if pa.types.is_string(c.type) else c for c in table.columns]
    packed = pa.table(columns, names=table.column_names).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, packed.schema) as writer:
        writer.write_table(packed)
    return sink.getvalue().to_pybytes()


def answers_from_ipc(data: bytes) -> pa.Table:
    """The answers answers_to_ipc wrote, in the answer schema, names and keys still dictionary-encoded (anything
    else is refused)."""
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        return checked(reader.read_all())


def dumps(data: Any) -> bytes:
    """JSON bytes (UTF-8, compact) of JSON data."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes) -> Any:
    """The JSON data dumps wrote."""
    return json.loads(data.decode("utf-8"))
