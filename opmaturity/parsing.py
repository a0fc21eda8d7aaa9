"""Read and parse one file in the fenced worker: the request (a JSON header line, then the file's bytes), the job
that runs in the child, and its result (`Parsed`, as JSON) that the preview and the import share.

The child imports only what parsing needs, and only once it runs (python startup plus these imports is the cost
of the fence per file). Everything the child knows comes in the request: the model's YAML text, the header
mappings, the pseudonym key and the limits; it opens no database and writes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from . import codec, fence
from .batch import Batch
from .errors import Problem
from .formats.roles import Column
from .i18n import Message

if TYPE_CHECKING:
    from .readers import Source

JOB = "parse"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    """What the child needs to parse one file: the header (plain JSON data) and the file's bytes."""

    header: dict[str, Any]
    data: bytes

    @property
    def key(self) -> str:
        """Identifies the parse: the same bytes under the same header parse the same (the preview's cache key)."""
        head = hashlib.sha256(json.dumps(self.header, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        return f"{self.header['sha256']}-{head.hexdigest()}"

    def encode(self) -> list[bytes]:
        """The child's input, in parts (the file's bytes never copied): the header as one line of JSON and a
        newline, then the bytes."""
        return [json.dumps(self.header, ensure_ascii=True).encode("ascii") + b"\n", self.data]


@dataclass
class Parsed:
    """What reading and parsing one file gave: read messages, problems that stop it, or the layout and batch."""

    messages: list[Message] = field(default_factory=list)  # what reading said (encoding, hidden sheets)
    problems: list[Problem] = field(default_factory=list)  # the file could not be read, or its layout not told
    layout: str = ""
    why: Message | None = None  # how the layout was found
    batch: Batch | None = None
    defaulted_teams: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)  # the role each column was given, and how it was known
    skipped: int = 0  # answers left out for a problem, conflicting ones included

    def to_json(self, *, answers: bool = True) -> dict[str, Any]:
        """JSON data for the way back from the child."""
        return {
            "messages": [codec.value_to_json(m) for m in self.messages],
            "problems": [codec.problem_to_json(p) for p in self.problems],
            "layout": self.layout,
            "why": codec.value_to_json(self.why),
            "batch": codec.batch_to_json(self.batch, answers=answers) if self.batch is not None else None,
            "defaulted_teams": self.defaulted_teams,
            "unmapped": self.unmapped,
            "columns": [dataclasses.asdict(column) for column in self.columns],
            "skipped": self.skipped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], answers: bytes | None = None) -> Parsed:
        """The Parsed to_json gave."""
        return cls(
            messages=[codec.value_from_json(m) for m in data["messages"]],
            problems=[codec.problem_from_json(p) for p in data["problems"]],
            layout=data["layout"],
            why=codec.value_from_json(data["why"]),
            batch=codec.batch_from_json(data["batch"], answers) if data["batch"] is not None else None,
            defaulted_teams=list(data["defaulted_teams"]),
            unmapped=list(data["unmapped"]),
            columns=[Column(**column) for column in data.get("columns", [])],
            skipped=int(data["skipped"]),
        )


def request(
    name: str,
    data: bytes,
    *,
    model_source: str,
    mappings: dict[str, str],
    key: bytes,
    limits: dict[str, int],
    layout: str | None = None,
    product: str | None = None,
    team: str | None = None,
    rater: str | None = None,
    read_only: bool = False,
    sha256: str | None = None,
) -> Request:
    """The request to parse `data` (named `name`) with these choices; `read_only` stops after reading. `sha256`
    is the bytes' digest where the caller has it already (a large file is hashed once)."""
    header = {
        "name": name,
        "sha256": sha256 or Batch.digest(data),
        "model": model_source,
        "mappings": mappings,
        "key": key.decode("latin-1"),
        "limits": limits,
        "layout": layout,
        "product": product,
        "team": team,
        "rater": rater,
        "read_only": read_only,
    }
    return Request(header, data)


def parse(req: Request, limits: fence.Limits) -> Parsed:
    """The file read and parsed in the fenced worker; a limit that stopped it (or a bug) is the file's problem."""
    name = req.header["name"]
    try:
        head, _, answers = fence.run(JOB, req.encode(), limits).partition(b"\n")
        return Parsed.from_json(codec.loads(head), answers or None)
    except fence.FenceError as exc:
        if exc.reason == "error":  # a bug in our code: the traceback goes to the log, the user hears "internal"
            log.error("parsing %s failed in the fenced worker:\n%s", name, exc.log)
            return Parsed(problems=[Problem(Message("msg.fence.internal"), file=name)])
        log.warning("parsing %s stopped by the fence: %s", name, exc)
        return Parsed(problems=[Problem(_stopped(exc.reason, limits), file=name)])


def _stopped(reason: str, limits: fence.Limits) -> Message:
    """Why the worker gave up on a file, in the user's words, naming the limit and its setting."""
    if reason == "memory":
        return Message("msg.fence.memory", limit=limits.memory_bytes // 1024**2)
    if reason == "cpu":
        return Message("msg.fence.cpu", limit=limits.cpu_seconds)
    if reason == "time":
        return Message("msg.fence.time", limit=limits.wall_seconds)
    if reason == "output":
        return Message("msg.fence.output", limit=limits.output_bytes // 1024**2)
    if reason == "disk":
        return Message("msg.fence.disk")
    return Message("msg.fence.crash")


# --- the child --------------------------------------------------------------------------------------------


def job(stream: BinaryIO) -> bytes:
    """The fenced job: a request in (its header line, then the file's bytes, read apart so that the file is never
    copied), the Parsed as JSON and the answers as Arrow out. Runs in the child only."""
    header = json.loads(stream.readline())
    # The file's bytes are let go once read: the columns hold what the parsers need (a large CSV's text is not
    # held twice while it is parsed).
    parsed = _parse(header, *_read(header, _rest(stream)))
    answers = codec.answers_to_ipc(parsed.batch.answers.table) if parsed.batch is not None else b""
    return codec.dumps(parsed.to_json(answers=False)) + b"\n" + answers  # JSON holds no raw newline


def _rest(stream: BinaryIO) -> bytes:
    """What is left of the stream. Read in one piece where its size is known (a file): reading to the end in
    chunks would hold the file twice while joining them."""
    try:
        left = os.fstat(stream.fileno()).st_size - stream.tell()
    except (AttributeError, OSError, io.UnsupportedOperation):  # a pipe, or bytes in memory
        return stream.read()
    data = stream.read(left)
    return data + stream.read() if len(data) == left else data


def run(header: dict[str, Any], content: bytes) -> Parsed:
    """Read and parse the file as the header says (in this process: the child calls it, and so may a test)."""
    return _parse(header, *_read(header, content))


def _read(header: dict[str, Any], content: bytes) -> tuple[Source, str]:
    """The file read (within the header's limits), and its digest (the parent's, where it gave one)."""
    from .readers import Limits, read

    return read(header["name"], content, Limits(**header["limits"])), header.get("sha256") or Batch.digest(content)


def _parse(header: dict[str, Any], source: Source, digest: str) -> Parsed:
    """The layout found (or the one chosen) and the source parsed into a batch, its repeats settled."""
    from .batch import settle
    from .formats import PARSERS, detect
    from .formats.common import Context
    from .model import parse_model
    from .values import Invalid, Values

    name = header["name"]
    parsed = Parsed(messages=list(source.messages), problems=list(source.problems))
    if source.problems or header["read_only"]:
        return parsed
    model = parse_model(header["model"], "model")
    values = Values(model, header["mappings"])
    if header["layout"]:
        parsed.layout, parsed.why = header["layout"], Message("msg.import.layout_chosen")
    else:
        found = detect(source, values)
        if found.layout is None:
            parsed.problems.append(Problem(found.reason, file=name))
            return parsed
        parsed.layout, parsed.why = found.layout, found.reason
    try:
        rater = values.rater(header["rater"]) if header["rater"] else None
    except Invalid:  # the parent refuses the option itself
        rater = None
    ctx = Context(
        file=name,
        sha256=digest,
        model=model,
        values=values,
        key=header["key"].encode("latin-1"),
        product=header["product"],
        team=header["team"],
        rater=rater,
    )
    parsed.batch = PARSERS[parsed.layout](source, ctx)
    parsed.skipped = ctx.skipped + settle(parsed.batch, name, ctx.columns)
    parsed.defaulted_teams = list(ctx.defaulted_teams)
    parsed.unmapped = list(ctx.unmapped)
    parsed.columns = list(ctx.report)
    return parsed
