"""Import files end to end: read, detect, parse, validate, settle duplicates, choose the round, commit.

The command line and the Import page call `import_files`, `import_file` and `preview`. A user mistake
never raises: it becomes a Problem in the FileReport, the file is "rejected" and nothing is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from . import parsing, readers, store
from .auth import Actor, require
from .batch import Answers, Batch
from .errors import Problem
from .formats import LAYOUTS
from .formats.roles import CATEGORY_ROLES, ITEM_ROLES, Column, decode
from .i18n import Advice, AndListed, Listed, Message, counted
from .i18n import text as said_in
from .model import Model
from .parsing import Parsed
from .rounds import date_from_name, odd_part
from .settings import Settings
from .text import normalize, visible
from .values import IGNORE, Invalid, Values

__all__ = [
    "IGNORE", "LAYOUTS", "FileReport", "ImportOptions", "Parsed", "import_file", "import_files", "parse", "preview",
]  # fmt: skip

NEAR_DAYS = 60  # a file dated this close to an existing round's date belongs to that round
PREVIEW_ROWS = 100
ANSWER_COLUMNS = [
    "sheet", "row", "product", "team", "respondent", "rater", "item", "level", "target", "importance", "comment",
    "assessed_on",
]  # fmt: skip
NOTE_COLUMNS = ["sheet", "row", "product", "team", "group", "text", "colour", "tags", "item", "author"]


@dataclass
class ImportOptions:
    """What the person importing chose; None means "take it from the file"."""

    round: str | None = None
    product: str | None = None
    team: str | None = None
    rater: str | None = None  # team | sre (or a rater word), where the file names none
    skip_invalid: bool = False
    dry_run: bool = False
    layout: str | None = None  # one of LAYOUTS, overriding detection
    round_date: date | None = None  # the day a new round was held, where neither its name nor the file says
    # header as written -> its role as formats.roles.encode writes it: an item key (its level), IGNORE ("-"),
    # `product`, `category_importance:SLO` … (`--map`, the mapping step); remembered after a real import
    mappings: dict[str, str] = field(default_factory=dict)
    max_bytes: int | None = None
    max_rows: int | None = None
    max_cells: int | None = None
    max_cols: int | None = None


@dataclass
class FileReport:
    """What importing one file did (or, for a dry run or preview, would do)."""

    file: str
    layout: str
    status: str  # imported | duplicate | rejected
    answered: int = 0  # answers with a level stored from this file (`responses` in the JSON contract)
    notes: int = 0
    problems: list[Problem] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    round: str | None = None
    import_id: int | None = None
    replaced: int = 0
    skipped: int = 0  # answers left out under --skip-invalid
    created: dict[str, list[str]] = field(default_factory=dict)
    unmapped_headers: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)  # every column's role, and how it was known
    skippable: bool = False  # a rejected file whose valid rows could be imported alone ("Import only valid rows")

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The command line's JSON object for this file: file, layout, status, import_id, round, responses, notes,
        problems, the columns' roles, what was created and the `messages` said beside the problems (replaced
        answers, notes that attach to no team…).

        Each problem is exactly {sheet, row, column, value, message}, the message rendered in `lang` (English by
        default, so scripts can rely on it).
        """
        fields = ("sheet", "row", "column", "value", "message")
        return {
            "file": self.file,
            "layout": self.layout,
            "status": self.status,
            "import_id": self.import_id,  # the number `imports undo` takes (None: nothing stored)
            "round": self.round,
            "responses": self.answered,
            "notes": self.notes,
            "problems": [{k: v for k, v in p.to_dict(lang, "cli").items() if k in fields} for p in self.problems],
            "columns": [c.to_dict() for c in self.columns],
            "created": self.created,
            "messages": [said_in(message, lang, "cli") for message in self.messages],
        }


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[str, bytes]],
    model: Model,
    options: ImportOptions,
    *,
    actor: Actor | None = None,
    settings: Settings | None = None,
    parsed: Sequence[Parsed | None] | None = None,
    digests: Sequence[str] | None = None,
) -> list[FileReport]:
    """One report per file, each file in its own transaction; the same bytes twice count once. `actor` (None:
    the command line's operator) needs the right to change, unless this is a dry run. `parsed` holds each file
    already parsed with these options (`parse_request`), where it was; `digests` each file's `Batch.digest`
    where the caller has it (hashing 60 MB again costs a tenth of a second)."""
    if not options.dry_run:
        actor = require(actor, "change")
    reports: list[FileReport] = []
    seen: dict[str, str] = {}
    for n, (name, data) in enumerate(files):
        digest = digests[n] if digests is not None else Batch.digest(data)
        if options.dry_run and digest in seen:
            reports.append(
                FileReport(
                    file=name,
                    layout=seen[digest],
                    status="duplicate",
                    messages=[Message("msg.import.same_bytes_in_this_import", file=name)],
                )
            )
            continue
        ready = parsed[n] if parsed is not None else None
        report = import_file(con, name, data, model, options, ready, actor=actor, settings=settings, digest=digest)
        if report.status == "imported":
            seen[digest] = report.layout
        reports.append(report)
    return reports


def import_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    data: bytes,
    model: Model,
    options: ImportOptions,
    parsed: Parsed | None = None,
    *,
    actor: Actor | None = None,
    settings: Settings | None = None,
    digest: str | None = None,
) -> FileReport:
    """The report of importing one file: committed in one transaction, or rejected with every problem.

    `parsed` is this file already read and parsed with these options (`parse`, as the preview did); without it
    the file is parsed here. `actor` (None: the command line's operator) needs the right to change, unless this
    is a dry run. `digest` is the bytes' Batch.digest where the caller has it.
    """
    if not options.dry_run:
        actor = require(actor, "change")  # before the file is even read
    report, batch, valid = _prepare(con, name, data, model, options, parsed, settings, digest)
    if batch is None or report.status != "imported":
        return report
    round_name, why = _round(con, batch, options)
    batch.messages.append(why)
    report.messages.append(why)
    undated = _undated(con, round_name, batch, options, name)
    if undated is not None:
        return _reject(report, [undated])
    batch.round_date_given = options.round_date
    result = store.commit_batch(con, batch, round_name, dry_run=options.dry_run, actor=actor)
    if result.status == "duplicate":
        return _duplicate(con, report, result.import_id)
    report.round, report.import_id = result.round, result.import_id
    report.answered, report.notes, report.replaced = result.answered, result.notes, result.replaced
    report.created = result.created
    report.messages.extend(_created_messages(result.created, options.dry_run))
    report.messages.extend(_odd_rounds(result.created))
    report.messages.extend(_aliased(con, batch))
    if result.replaced:
        key = "msg.import.would_replace" if options.dry_run else "msg.import.replaced"
        report.messages.append(Message(key, count=result.replaced))
    notes = result.note_counts
    if notes.replaced or notes.unchanged or notes.removed:
        report.messages.append(
            Message("msg.import.notes_settled", new=notes.new, replaced=notes.replaced, unchanged=notes.unchanged,
                    removed=notes.removed)
        )  # fmt: skip
    if options.dry_run:
        report.messages.append(Message("msg.import.dry_run"))
    else:
        _remember(con, valid, report, actor)
    return report


def _odd_rounds(created: dict[str, list[str]]) -> list[Message]:
    """A new round named with a half or quarter that does not exist (2024-H3) is made as written, but said."""
    return [
        Message("msg.import.round_odd_part", name=name, part=odd)
        for name in created.get("rounds", [])
        if (odd := odd_part(name))
    ]


def _remember(
    con: duckdb.DuckDBPyConnection, mappings: dict[str, str], report: FileReport, actor: Actor | None
) -> None:
    """Remember the headers a person mapped; the import already stands, so a failure here is only said."""
    for header, key in mappings.items():
        try:
            store.remember_mapping(con, normalize(header), key, actor=actor)
        except duckdb.Error as exc:
            report.messages.append(
                Message("msg.import.mapping_not_remembered", header=header, key=key, detail=str(exc))
            )


def preview(
    con: duckdb.DuckDBPyConnection,
    name: str,
    data: bytes,
    model: Model,
    options: ImportOptions,
    parsed: Parsed | None = None,
    settings: Settings | None = None,
) -> tuple[FileReport, pd.DataFrame]:
    """The report an import would give (nothing written at all) and the first canonical rows the file holds."""
    report, batch, _ = _prepare(con, name, data, model, options, parsed, settings)
    if batch is None:
        return report, pd.DataFrame(columns=ANSWER_COLUMNS)
    table = _preview_frame(batch)
    if report.status != "imported":
        return report, table
    round_name, why = _round(con, batch, options)
    report.messages.append(why)
    undated = _undated(con, round_name, batch, options, name)
    if undated is not None:
        return _reject(report, [undated]), table
    report.round = round_name
    answers = batch.answers.table
    report.answered = answers.num_rows - answers["level"].null_count
    report.notes = len(batch.notes)
    report.created = _would_create(con, batch, round_name)
    report.messages.extend(_created_messages(report.created, dry_run=True))
    report.messages.extend(_odd_rounds(report.created))
    report.messages.extend(_aliased(con, batch))
    report.messages.append(Message("msg.import.preview"))
    return report, table


# --- the stages -----------------------------------------------------------------------------------


def parse_request(
    con: duckdb.DuckDBPyConnection,
    name: str,
    data: bytes,
    model: Model,
    options: ImportOptions,
    settings: Settings,
    digest: str | None = None,
) -> parsing.Request:
    """What the fenced worker needs to read and parse this file with these options (its `key` names the parse)."""
    problems, valid = _check_options(name, model, options)
    limit = readers.limits(
        options.max_bytes, options.max_rows, options.max_cells, max_cols=options.max_cols, base=settings.limits
    )
    return parsing.request(
        name,
        data,
        model_source=model.source,
        mappings={**store.header_mappings(con), **valid},
        key=settings.key(),
        limits=dataclasses.asdict(limit),
        layout=options.layout if options.layout in LAYOUTS else None,
        product=visible(options.product or "") or None,
        team=visible(options.team or "") or None,
        rater=options.rater,
        read_only=bool(problems),
        sha256=digest,
    )


def parse(
    con: duckdb.DuckDBPyConnection,
    name: str,
    data: bytes,
    model: Model,
    options: ImportOptions,
    settings: Settings,
    digest: str | None = None,
) -> Parsed:
    """The file read and parsed in the fenced worker (nothing written): what the preview and the import share."""
    return parsing.parse(parse_request(con, name, data, model, options, settings, digest), settings.worker)


def _prepare(
    con: duckdb.DuckDBPyConnection,
    name: str,
    data: bytes,
    model: Model,
    options: ImportOptions,
    parsed: Parsed | None = None,
    settings: Settings | None = None,
    digest: str | None = None,
) -> tuple[FileReport, Batch | None, dict[str, str]]:
    """Everything before the round and the commit: the report so far, the settled batch, the valid mappings."""
    report = FileReport(file=name, layout=options.layout or "", status="rejected")
    digest = digest or Batch.digest(data)
    earlier = store.find_duplicate(con, digest)
    if earlier is not None:
        return _duplicate(con, report, earlier), None, {}
    problems, valid = _check_options(name, model, options)
    if parsed is None:
        parsed = parse(con, name, data, model, options, settings or Settings.from_env(), digest)
    report.messages.extend(parsed.messages)
    if parsed.problems or problems or parsed.batch is None:
        return _reject(report, [*parsed.problems, *problems]), None, valid
    report.layout = parsed.layout
    title = Message(f"import.layout.{parsed.layout}")  # the layout in words; the key is what --layout takes
    report.messages.append(Message("msg.import.layout", layout=parsed.layout, title=title, why=parsed.why))
    batch = dataclasses.replace(parsed.batch, messages=list(parsed.batch.messages))  # a shared parse stays as it is
    for product in parsed.defaulted_teams:
        batch.messages.append(Message("msg.import.team_after_product", product=product, advice=Advice("team")))
    report.messages.extend(batch.messages)
    batch.messages = list(report.messages)
    report.unmapped_headers = list(parsed.unmapped)
    report.columns = list(parsed.columns)
    unattached = sum(1 for n in batch.notes if not n.team)
    if unattached:
        placed = any(n.product for n in batch.notes)  # a product known: a team is enough; else both are needed
        key = "msg.import.notes_no_team" if placed else "msg.import.notes_nowhere"
        note = Message(key, count=unattached, advice=Advice("team") if placed else Advice("product_team"))
        batch.messages.append(note)
        report.messages.append(note)
    if batch.problems and not options.skip_invalid:
        report.skippable = bool(batch.answers or batch.notes)  # skipping the bad rows leaves something to import
        return _reject(report, batch.problems), batch, valid
    if batch.problems:
        report.problems = list(batch.problems)
        report.skipped = parsed.skipped
        count = len(batch.problems)
        skipped = Message(
            "msg.import.skipped", answers=counted(report.skipped, "answers"), problems=counted(count, "problems")
        )
        batch.messages.append(skipped)
        report.messages.append(skipped)
    if not batch.answers and not batch.notes:
        reason = Message("msg.import.nothing_valid" if batch.problems else "msg.import.no_answers")
        return _reject(report, [*report.problems, Problem(reason, file=name)]), batch, valid
    report.status = "imported"
    return report, batch, valid


def _check_options(name: str, model: Model, options: ImportOptions) -> tuple[list[Problem], dict[str, str]]:
    """Problems with the options themselves, and the mappings that name real items."""
    problems: list[Problem] = []
    if options.layout and options.layout not in LAYOUTS:
        problems.append(
            Problem(Message("msg.import.bad_layout", layouts=Listed(LAYOUTS), value=options.layout), file=name)
        )
    if options.rater:
        try:
            Values(model).rater(options.rater)
        except Invalid as exc:
            problems.append(Problem(exc.message, file=name, value=options.rater))
    items, categories = {i.key for i in model.items}, {c.key for c in model.categories}
    valid = {}
    for header, target in options.mappings.items():
        role, key = decode(target)
        if role in ITEM_ROLES and key is not None and key not in items:
            message = Message("msg.import.bad_mapping", header=header, key=key, ignore=IGNORE)
        elif role in CATEGORY_ROLES and key not in categories:
            message = Message(
                "msg.import.bad_category_mapping", header=header, key=key, known=Listed(sorted(categories))
            )
        else:
            valid[header] = target
            continue
        problems.append(Problem(message, file=name, column=header, value=target))
    return problems, valid


def _reject(report: FileReport, problems: list[Problem]) -> FileReport:
    """The report marked rejected with these problems and no counts."""
    report.status = "rejected"
    report.problems = list(problems)
    report.answered = report.notes = 0
    report.messages.append(Message("msg.import.rejected", count=len(problems)))
    return report


def _duplicate(con: duckdb.DuckDBPyConnection, report: FileReport, import_id: int | None) -> FileReport:
    """The report marked duplicate, naming the earlier import of the same bytes."""
    report.status = "duplicate"
    report.import_id = import_id
    history = store.import_history(con)
    earlier = history[history["import_id"] == import_id]
    if len(earlier):
        report.layout = report.layout or str(earlier["layout"].iloc[0])
        report.round = earlier["round"].iloc[0] if pd.notna(earlier["round"].iloc[0]) else None
        when = f"{pd.Timestamp(earlier['imported_at'].iloc[0]):%Y-%m-%d %H:%M}"
        report.messages.append(
            Message(
                "msg.import.duplicate_on", import_id=import_id, when=when, advice=Advice("redo", import_id=import_id)
            )
        )
    else:
        report.messages.append(
            Message("msg.import.duplicate", import_id=import_id, advice=Advice("redo", import_id=import_id))
        )
    return report


def _round(con: duckdb.DuckDBPyConnection, batch: Batch, options: ImportOptions) -> tuple[str, Message]:
    """The round this file goes to, and why, in words."""
    if options.round and options.round.strip():
        name = options.round.strip()
        if batch.round and batch.round != name:
            return name, Message("msg.round.chosen_file_says", name=name, file_round=batch.round)
        return name, Message("msg.round.chosen", name=name)
    if batch.round:
        return batch.round, Message("msg.round.named_in_file", name=batch.round)
    known = store.rounds(con)
    if batch.round_date is not None:
        day = batch.round_date
        held = [(n, _as_date(h)) for n, h in zip(known["name"], known["held_on"], strict=True)]
        dated = [(abs((h - day).days), n, h) for n, h in held if h is not None]
        near = min((d for d in dated if d[0] <= NEAR_DAYS), default=None)
        if near is not None:
            return near[1], Message("msg.round.nearest", name=near[1], held=str(near[2]), day=str(day))
        name = f"{day.year}-H{1 if day.month <= 6 else 2}"
        key = "msg.round.after_date" if name in set(known["name"]) else "msg.round.new_after_date"
        return name, Message(key, name=name, day=str(day))
    latest = store.latest_round(con)
    if latest:
        return latest, Message("msg.round.latest", name=latest)
    today = date.today()
    name = f"{today.year}-H{1 if today.month <= 6 else 2}"
    return name, Message("msg.round.new_no_date", name=name)


def _undated(
    con: duckdb.DuckDBPyConnection, round_name: str, batch: Batch, options: ImportOptions, file: str
) -> Problem | None:
    """The problem for a new round that nothing places in time: not its name, not the file, not the person."""
    if options.round_date is not None or batch.round_date is not None or date_from_name(round_name) is not None:
        return None
    if round_name in set(store.rounds(con)["name"]):
        return None
    return Problem(Message("msg.round.undated", name=round_name, advice=Advice("round_date")), file=file)


def _as_date(value: Any) -> Any:
    """A DuckDB/pandas date cell as a date, or None."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


NAMED = 3  # a kind with this many new names or fewer is listed by name; more are counted


def _created_messages(created: dict[str, list[str]], dry_run: bool) -> list[Message]:
    """One line for what an import creates: `created round '2024-H1', 100 products and 500 teams` (or `would
    create` for a dry run); a few names are listed, many are counted (the JSON keeps every name)."""
    parts: list[Message] = []
    for kind, names in created.items():
        if len(names) <= NAMED:
            parts.extend(Message(f"msg.import.new.{kind}", name=name) for name in names)
        else:
            parts.append(counted(len(names), kind))
    if not parts:
        return []
    verb = "would_create" if dry_run else "created"
    return [Message(f"msg.import.{verb}_all", what=AndListed(parts))]


def _team_names(batch: Batch) -> list[tuple[str, str | None]]:
    """The (product, team) names the file writes, answers' and notes'."""
    answering = batch.answers.table.select(["product", "team"]).group_by(["product", "team"]).aggregate([])
    pairs = list(zip(answering["product"].to_pylist(), answering["team"].to_pylist(), strict=True))
    return pairs + [(n.product, n.team) for n in batch.notes if n.product]


def _aliased(con: duckdb.DuckDBPyConnection, batch: Batch) -> list[Message]:
    """A team the file names by a name it had before it was renamed or merged: said, as it goes to that team."""
    return [
        Message("msg.import.team_alias", product=product, old=old, team=now)
        for product, old, now in store.aliases_used(con, _team_names(batch))
    ]


def _would_create(con: duckdb.DuckDBPyConnection, batch: Batch, round_name: str) -> dict[str, list[str]]:
    """The rounds, products and teams an import would create, found by reading only."""
    rounds = set(store.rounds(con)["name"])
    known = store.teams(con)
    products, teams = set(known["product"]), set(zip(known["product"], known["team"], strict=True))
    pairs = set(_team_names(batch))
    teams |= {(product, old) for product, old, _ in store.aliases_used(con, pairs)}  # they go to the team
    created: dict[str, list[str]] = {
        "rounds": [round_name] if round_name not in rounds else [],
        "products": sorted({p for p, _ in pairs if p not in products}),
        "teams": sorted(f"{p} / {t}" for p, t in pairs if t and (p, t) not in teams),
    }
    return {k: v for k, v in created.items() if v}


def _preview_frame(batch: Batch) -> pd.DataFrame:
    """The first canonical answers (or notes) as a DataFrame for the preview."""
    if batch.answers or not batch.notes:
        rows = [
            [r.sheet, r.row, r.product, r.team, r.respondent, r.rater, r.item, r.level, r.target, r.importance,
             r.comment, r.assessed_on]
            for r in Answers(table=batch.answers.table.slice(0, PREVIEW_ROWS))
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
        for column in ("level", "target", "importance"):
            frame[column] = frame[column].astype("Int16")
        return frame
    rows = [
        [n.sheet, n.row, n.product, n.team, n.group, n.text, n.colour, ", ".join(n.tags), n.item, n.author]
        for n in batch.notes[:PREVIEW_ROWS]
    ]
    return pd.DataFrame(rows, columns=NOTE_COLUMNS)
