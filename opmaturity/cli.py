"""The command line: the same functions the pages call, with the JSON contract of ARCHITECTURE.md.

Messages are printed in the language of `--lang ja|en`, else $OPMATURITY_LANG, else the locale ($LC_ALL,
$LC_MESSAGES, $LANG: ja… means Japanese), else English. `--json` stays English unless `--lang` is given.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pandas as pd

from . import __version__, i18n, parsing, readers, store, summary, text
from .actions import STATUSES
from .batch import Batch
from .errors import OpmaturityError, Problem, os_reason
from .formats import LAYOUTS
from .formats.roles import ROLES, encode, parse_mapping
from .i18n import Message
from .model import RATERS, Model, load_model
from .settings import Settings, language

DB_HELP = "the DuckDB file (default: $OPMATURITY_DB, else opmaturity.duckdb in the data folder)"
LANG_HELP = "the language of messages: ja or en (default: $OPMATURITY_LANG, else ja when $LANG says ja, else en)"
FILE_LANG = "the file's titles and headers are Japanese unless --lang en is given"


_QUIET = logging.NullHandler()  # added once however often main runs (a handler is added only if not there)


class _Parser(argparse.ArgumentParser):
    """argparse's parser, saying a mistake in the command (an unknown option, a missing argument, a value that is
    no date) in the language of the command line (`language`), with exit status 2 as argparse does. argparse's
    own texts are English (gettext with no catalogue): the ones a person can meet are recognised and said anew,
    anything else keeps its English under the translated prefix."""

    language = i18n.MESSAGE_LANG

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        detail = _usage_error(message, self.language)
        self.exit(2, f"{self.prog}: {Message('cli.usage.error', detail=detail).text(self.language, 'cli')}\n")

    def format_usage(self) -> str:
        formatter = self._get_formatter()
        prefix = Message("cli.usage.prefix").text(self.language, "cli") + " "
        formatter.add_usage(self.usage, self._actions, self._mutually_exclusive_groups, prefix)
        return formatter.format_help()


# argparse's messages (Python 3.11 to 3.13) that a person can cause, and the key that says each anew.
_USAGE_ERRORS = (
    (re.compile(r"unrecognized arguments: (?P<args>.*)", re.S), "cli.usage.unrecognized"),
    (re.compile(r"the following arguments are required: (?P<args>.*)", re.S), "cli.usage.required"),
    (re.compile(r"one of the arguments (?P<args>.*) is required", re.S), "cli.usage.one_required"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", re.S), "cli.usage.ambiguous"),
    (re.compile(r"argument (?P<argument>[^:]+): (?P<detail>.*)", re.S), "cli.usage.argument"),
)
_ARGUMENT_ERRORS = (
    (re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", re.S), "cli.usage.choice"),
    (re.compile(r"invalid int value: (?P<value>.*)", re.S), "cli.usage.not_number"),
    (re.compile(r"invalid \w+ value: (?P<value>.*)", re.S), "cli.usage.invalid"),
    (re.compile(r"expected one argument", re.S), "cli.usage.one_value"),
    (re.compile(r"expected at least one argument", re.S), "cli.usage.values"),
    (re.compile(r"expected at most one argument", re.S), "cli.usage.one_value"),
    (re.compile(r"ignored explicit argument (?P<value>.*)", re.S), "cli.usage.no_value"),
    (re.compile(r"not allowed with argument (?P<other>.*)", re.S), "cli.usage.not_with"),
)


def _usage_error(message: str, lang: str) -> str:
    """argparse's `message` said in `lang` (its English where it is none argparse is known to say)."""
    for pattern, key in _USAGE_ERRORS:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        values = found.groupdict()
        if key == "cli.usage.argument":
            for inner, inner_key in _ARGUMENT_ERRORS:
                said = inner.fullmatch(values["detail"])
                if said is not None:
                    values["detail"] = Message(inner_key, **said.groupdict()).text(lang, "cli")
                    break
        return Message(key, **values).text(lang, "cli")
    return message


def asked_lang(argv: list[str]) -> str | None:
    """The language `--lang ja|en` (or `--lang=…`) asks for anywhere in `argv`, before argparse reads it (so
    that argparse's own mistakes are said in it); None when not given or not a language."""
    for at, word in enumerate(argv):
        if word == "--":
            break
        value = word.partition("=")[2] if word.startswith("--lang=") else None
        if word == "--lang" and at + 1 < len(argv):
            value = argv[at + 1]
        if value in i18n.LANGS:
            return value
    return None


def parser(lang: str = i18n.MESSAGE_LANG) -> argparse.ArgumentParser:
    """The argument parser of `python -m opmaturity`, saying mistakes in the command in `lang`."""

    class Parser(_Parser):  # subcommands' parsers are made of the same class (add_parser): one language for all
        language = lang

    top = Parser(
        prog="opmaturity",
        description="Product operations maturity assessments: import survey and workshop exports into DuckDB, "
        "summarise, export, and keep actions, tiers and backups. `python -m opmaturity` is the same command.",
    )
    top.add_argument("--version", action="version", version=f"opmaturity {__version__}")
    top.add_argument("--lang", choices=i18n.LANGS, help=LANG_HELP)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser, db_default: object = None) -> argparse.ArgumentParser:
        sub.add_argument("--db", metavar="FILE", default=db_default, help=DB_HELP)
        # Also after the command (`import x.csv --lang ja`); SUPPRESS keeps a --lang given before it.
        sub.add_argument("--lang", choices=i18n.LANGS, default=argparse.SUPPRESS, help=LANG_HELP)
        return sub

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return common(commands.add_parser(name, help=help_, description=help_))

    def verb(verbs: Any, name: str, help_: str) -> argparse.ArgumentParser:
        return common(verbs.add_parser(name, help=help_, description=help_), argparse.SUPPRESS)

    command("demo", "load the demo organisation")

    imp = command("import", "import survey and workshop exports")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="CSV, xlsx or Miro JSON files")
    imp.add_argument("--round", metavar="NAME", help="the round the answers belong to (default: from the file)")
    imp.add_argument("--product", metavar="NAME", help="the product, where the file does not name it")
    imp.add_argument("--team", metavar="NAME", help="the team, where the file does not name it")
    imp.add_argument("--rater", choices=RATERS, help="who answered, where the file does not say")
    imp.add_argument("--layout", choices=LAYOUTS, help="the export layout (default: detected from the file)")
    imp.add_argument("--round-date", metavar="YYYY-MM-DD", type=_day(lang), help="the day a new round was held, where "
                     "neither its name (2024-H1, 令和6年度下期) nor the file says")  # fmt: skip
    imp.add_argument("--map", action="append", default=[], type=_mapping(lang), metavar="HEADER=ROLE[:KEY]",
                     help="the role of a column, remembered for the next file (repeatable): "
                     f"{', '.join(ROLES)}; level, importance, target and comment take an item key "
                     "(level:OBS-1), category_importance a category key")  # fmt: skip
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows and report the rest")
    imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    imp.add_argument("--json", action="store_true", help="print the result as JSON")

    summ = command("summary", "the heatmap and the ranked findings of one round")
    summ.add_argument("--round", metavar="NAME", help="default: the latest round with answers")
    summ.add_argument("--json", action="store_true", help="print JSON (the default prints a short text)")

    exp = command("export", "write the round's report (Excel: heatmaps, findings, actions, answers) or its answers "
                  "(CSV)")  # fmt: skip
    exp.add_argument("--round", metavar="NAME", help="default: the latest round with answers")
    exp.add_argument("--out", metavar="FILE", required=True, help=f"FILE.xlsx or FILE.csv ({FILE_LANG})")

    hear = command("hearing", "write the sheet that prepares one team's hearing (Excel, or one printable HTML page)")
    hear.add_argument("--product", metavar="NAME", required=True)
    hear.add_argument("--team", metavar="NAME", required=True)
    hear.add_argument("--round", metavar="NAME", help="default: the latest round with answers")
    hear.add_argument("--out", metavar="FILE", required=True, help=f"FILE.xlsx or FILE.html ({FILE_LANG})")

    act = command("action", "record and follow the improvement actions teams agreed")
    verbs = act.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verb(verbs, "add", "record a new action")
    add.add_argument("--product", metavar="P", required=True)
    add.add_argument("--team", metavar="T", required=True)
    add.add_argument("--item", metavar="KEY", required=True, help="the model item it improves, e.g. OBS-1")
    add.add_argument("--title", metavar="TEXT", required=True)
    add.add_argument("--owner", metavar="NAME")
    add.add_argument("--due", metavar="YYYY-MM-DD")
    add.add_argument("--status", choices=STATUSES, default="todo")
    change = verb(verbs, "set", "change an action's status, owner or due date")
    change.add_argument("id", type=int, metavar="ID")
    change.add_argument("--status", choices=STATUSES)
    change.add_argument("--owner", metavar="NAME")
    change.add_argument("--due", metavar="YYYY-MM-DD")
    listing = verb(verbs, "list", "list actions, open ones first")
    listing.add_argument("--product", metavar="P")
    listing.add_argument("--team", metavar="T")
    listing.add_argument("--json", action="store_true", help="print JSON")

    prod = command("product", "set a product's tier")
    prod_verbs = prod.add_subparsers(dest="verb", required=True, metavar="VERB")
    tier = verb(prod_verbs, "set", "give a product a tier of the model")
    tier.add_argument("name", metavar="NAME")
    tier.add_argument("--tier", metavar="KEY", required=True)

    teams = command("team", "rename a team, or merge it into another of its product (its history follows)")
    team_verbs = teams.add_subparsers(dest="verb", required=True, metavar="VERB")
    team_rename = verb(team_verbs, "rename", "give a team a new name; the name of another team of the product merges "
                       "the two (a file that named the team anew made a second one)")  # fmt: skip
    team_rename.add_argument("name", metavar="NAME", help="the team's name now")
    team_rename.add_argument("new_name", metavar="NEW", help="its new name, or the team to merge it into")
    team_rename.add_argument("--product", metavar="P", required=True)

    maps = command("mapping", "list or forget the column roles remembered from earlier imports (import --map)")
    map_verbs = maps.add_subparsers(dest="verb", required=True, metavar="VERB")
    remembered = verb(map_verbs, "list", "list the remembered headers and the role each was given")
    remembered.add_argument("--json", action="store_true", help="print JSON")
    forget = verb(map_verbs, "forget", "forget what these headers were mapped to (the next file is read afresh)")
    forget.add_argument("headers", nargs="+", metavar="HEADER", help="a header as the file wrote it, or as listed")

    hist = command("imports", "list the imports, and undo one (its answers and notes go; what it replaced is back)")
    hist_verbs = hist.add_subparsers(dest="verb", required=True, metavar="VERB")
    listed = verb(hist_verbs, "list", "list the imports, newest first")
    listed.add_argument("--json", action="store_true", help="print JSON")
    undo = verb(hist_verbs, "undo", "undo an import (as the Import page does)")
    undo.add_argument("import_id", type=int, metavar="ID", help="the import's number (imports list)")

    mod = command("model", "export the model to edit it, and import an edited one as the next model version")
    mod_verbs = mod.add_subparsers(dest="verb", required=True, metavar="VERB")
    out = verb(mod_verbs, "export", "write the current model as an Excel template or YAML")
    out.add_argument("--out", metavar="FILE", required=True, help="FILE.xlsx or FILE.yaml")
    inp = verb(mod_verbs, "import", "check an edited model file, show what changes, and save it as the next version")
    inp.add_argument("file", metavar="FILE", help="FILE.xlsx (the exported template) or FILE.yaml")
    inp.add_argument("--dry-run", action="store_true", help="show what would change, save nothing")
    inp.add_argument("--json", action="store_true", help="print the result as JSON")

    book = command("workbook", "write the Excel workbook a team fills in (it imports with no mapping)")
    book.add_argument("--product", metavar="P", required=True)
    book.add_argument("--team", metavar="T", required=True)
    book.add_argument("--round", metavar="NAME", help="the round it is for (written into every row)")
    book.add_argument("--out", metavar="FILE", required=True, help="FILE.xlsx")

    form = command("form", "write the Google Apps Script that creates the Google Form for the model")
    form.add_argument("--out", metavar="FILE", required=True, help="FILE.gs")

    back = command("backup", "write the whole database as Parquet files with a manifest")
    back.add_argument("--out", metavar="DIR", required=True, help="a new or empty folder")

    rest = command("restore", "rebuild a database from a backup folder (into a new file)")
    rest.add_argument("folder", metavar="DIR")
    return top


def _day(lang: str) -> Callable[[str], date]:
    """The type of a YYYY-MM-DD option, saying a value that is no date in `lang`."""

    def day(text: str) -> date:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(Message("cli.usage.date", value=text).text(lang, "cli")) from None

    return day


def _mapping(lang: str) -> Callable[[str], tuple[str, str]]:
    """The type of a `--map` value, (header, the role as remembered), saying what is wrong in `lang`."""

    def mapping(text: str) -> tuple[str, str]:
        try:
            header, role, key = parse_mapping(text)
        except ValueError as exc:
            said = exc.args[0]
            raise argparse.ArgumentTypeError(
                said.text(lang, "cli") if isinstance(said, Message) else str(exc)
            ) from None
        return header, encode(role, key)

    return mapping


def main(argv: list[str] | None = None) -> int:
    """Run one command; user mistakes print a title and the problems and return 1, never a traceback."""
    words = sys.argv[1:] if argv is None else argv
    # The package's log (a worker stopped by the fence, in English) is the dashboard's server log; here the
    # person reads the same thing said in their language among the file's problems, so it is not printed twice.
    logging.getLogger("opmaturity").addHandler(_QUIET)
    args = parser(asked_lang(words) or language(os.environ)).parse_args(words)  # mistakes said in the language
    args.json_lang = args.lang or i18n.MESSAGE_LANG  # the JSON contract is English unless asked otherwise
    args.file_lang = args.lang or i18n.DEFAULT_LANG  # reports are Japanese unless asked otherwise
    args.settings = Settings.from_env(os.environ, db=args.db)  # the only read of the environment
    args.lang = args.lang or args.settings.lang
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Inert(out), _Inert(err)  # text from files never drives the terminal
    try:
        return _run(args)
    except BrokenPipeError:  # e.g. `summary | head`: the reader left, which is fine
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl+C: said, not a traceback; a write is whole or absent (one transaction)
        print(say(args, "cli.interrupted"), file=sys.stderr)
        return 130
    finally:
        sys.stdout, sys.stderr = out, err


_CONTROL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?|[\x00-\x08\x0b-\x1f\x7f\x9b]")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")  # every match of _CONTROL starts with one of these


class _Inert:
    """A text stream that drops terminal control characters (ESC sequences, BEL, backspace …) from what is
    written: product names, notes and file names come from files, and must not move the cursor or ring."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if _ANY_CONTROL.search(text) is None:  # the usual case, found 2x faster than by substituting nothing
            return self._stream.write(text)
        return self._stream.write(_CONTROL.sub("", text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def say(args: argparse.Namespace, key: str, /, **values: object) -> str:
    """The command line's text `key` in the chosen language."""
    return Message(key, **values).text(args.lang, "cli")


def _run(args: argparse.Namespace) -> int:
    try:
        model = load_model()
        if args.command in OFFLINE:  # commands that must not open (or create) a database
            return OFFLINE[args.command](model, args)
        if args.command == "import":  # parses with the file let go, so that the dashboard keeps reading it
            return cmd_import(model, args)
        with _database(model, args) as (con, current):
            return COMMANDS[args.command](con, current, args)
    except OpmaturityError as error:
        _print_error(args, error)
        return 1


def _print_error(args: argparse.Namespace, error: OpmaturityError) -> None:
    """A user mistake on standard error: its title and its problems, in the chosen language."""
    print(say(args, "cli.error", title=error.title_text(args.lang, "cli")), file=sys.stderr)
    for problem in error.problems:
        print(f"  - {problem.full(args.lang, 'cli')}", file=sys.stderr)


@contextmanager
def _database(model: Model, args: argparse.Namespace) -> Iterator[tuple[duckdb.DuckDBPyConnection, Model]]:
    """The database, opened (waiting for another program's hold) with its current model version; a damaged file
    noticed while reading it is said in the user's words; closed at the end."""
    path = args.settings.db
    file = Path(path).expanduser()
    creates = args.command in CREATES or (args.command, getattr(args, "verb", None)) == ("model", "import")
    creates = creates and not getattr(args, "dry_run", False)  # a dry run writes nothing: no new file either
    if not creates and not file.exists() and not file.parent.is_file():
        # Read as an empty database, and none is made: a mistyped --db left a 4 MB file behind. Said once, though
        # an import opens the database twice (before and after parsing).
        if not getattr(args, "said_no_database", False):
            print(say(args, "cli.no_database", path=str(file)), file=sys.stderr)
            args.said_no_database = True
        path = store.IN_MEMORY
    con = store.connect(path, model, wait=args.settings.lock_wait)
    try:
        yield con, store.current_model(con, model)
    except store.STORAGE_ERRORS as exc:  # a truncated or damaged file noticed while reading it
        raise store.unreadable(path, exc) from exc
    finally:
        con.close()


def _print_json(obj: Any) -> None:
    """`obj` as JSON on standard output: a key per line at the top, a record per line in a list of them (a
    DataFrame is such a list, written column by column by `summary.json_lines`).

    Readable, and written by the json module's C encoder: `indent` makes it use its Python one, which took 7 s
    for the 100,000 heatmap cells of a 1,000-team summary."""

    compact = json.JSONEncoder(ensure_ascii=False, default=str).encode  # one encoder for every record

    def listed(value: Any, pad: str) -> str:
        if isinstance(value, pd.DataFrame):
            lines = summary.json_lines(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines = [compact(record) for record in value]
        else:
            return compact(value)
        return "[\n" + ",\n".join(f"{pad}  {line}" for line in lines) + f"\n{pad}]" if lines else "[]"

    if isinstance(obj, dict) and obj:
        lines = [f"  {compact(str(key))}: {listed(value, '  ')}" for key, value in obj.items()]
        print("{\n" + ",\n".join(lines) + "\n}")
    else:
        print(listed(obj, ""))


def cmd_demo(con, model, args) -> int:
    from .demo import load_demo

    counts = load_demo(con, model)
    print(say(args, "cli.demo_loaded" if any(counts.values()) else "cli.demo_already", **counts))
    return 0


def cmd_import(model: Model, args: argparse.Namespace) -> int:
    """Import the files: the database is opened briefly for what parsing needs (the model, the remembered
    mappings), let go while the fenced worker reads and checks every file, and opened again to commit.

    One report per path, in the order given (`--json` adds the path as given beside the file's name); a failure
    of the whole command (the database held too long, not opmaturity's) still prints its JSON with --json."""
    from .importer import FileReport, ImportOptions

    limit = args.settings.limits  # the same limits as the Import page's
    read: list[tuple[str, bytes] | FileReport] = [_read_import(Path(raw), raw, limit) for raw in args.paths]
    files = [entry for entry in read if not isinstance(entry, FileReport)]
    options = ImportOptions(
        round=args.round,
        product=args.product,
        team=args.team,
        rater=args.rater,
        skip_invalid=args.skip_invalid,
        dry_run=args.dry_run,
        layout=args.layout,
        round_date=args.round_date,
        mappings=dict(args.map),
    )
    try:
        imported = iter(_import_read(model, args, files, options))
    except OpmaturityError as error:
        if not args.json:
            raise
        _print_error(args, error)  # said to a person too; the JSON says it for every file
        failed = [Problem(Message("cli.import.not_done", reason=error.title)), *error.problems]
        imported = iter([FileReport(file=name, layout="", status="rejected", problems=failed) for name, _ in files])
    reports = [entry if isinstance(entry, FileReport) else next(imported) for entry in read]
    if args.json:  # a dry run writes nothing: its files say `would_import`, never `imported`
        found = []
        for raw, report in zip(args.paths, reports, strict=True):
            entry = {"path": str(raw), **report.to_dict(args.json_lang)}
            entry["status"] = _said_status(entry["status"], args.dry_run)
            found.append(entry)
        _print_json({"files": found, **({"dry_run": True} if args.dry_run else {})})
    else:
        for report in reports:
            _print_report(args, report, dry_run=args.dry_run)
    return 1 if any(report.status == "rejected" for report in reports) else 0


def _read_import(path: Path, raw: str, limit: readers.Limits) -> tuple[str, bytes] | Any:
    """The file's name and bytes, or the report refusing it before any parsing (not a file, too big, unreadable)."""
    from .importer import FileReport

    def refused(message: Message, where: str = path.name) -> FileReport:  # a path's own problem names the path
        return FileReport(file=path.name or str(raw), layout="", status="rejected",
                          problems=[Problem(message, file=where or str(raw))])  # fmt: skip

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):  # a folder is said on open
            # a device or a pipe: no size to trust and maybe no end (/dev/zero filled the memory, a FIFO hung)
            return refused(Message("msg.import.not_a_file"), str(raw))
        if info.st_size > limit.max_bytes:  # the size before the bytes: a huge file is never read into memory
            return refused(readers.too_big(info.st_size, limit))
        with path.open("rb") as stream:  # never more than the limit, even if the file grows meanwhile
            data = stream.read(limit.max_bytes + 1)
    except OSError as exc:
        return refused(Message("msg.import.unreadable_path", detail=os_reason(exc)), str(raw))
    if len(data) > limit.max_bytes:
        return refused(readers.too_big(len(data), limit))
    return path.name, data


def _import_read(model: Model, args: argparse.Namespace, files: list[tuple[str, bytes]], options: Any) -> list[Any]:
    """The reports of importing `files` (read already), in their order."""
    from .importer import import_files, parse_request

    settings = args.settings
    with _database(model, args) as (con, current):  # bytes imported before are said so, never parsed again
        digests = [Batch.digest(data) for _, data in files]
        requests = [
            None
            if store.find_duplicate(con, digest)
            else parse_request(con, name, data, current, options, settings, digest)
            for (name, data), digest in zip(files, digests, strict=True)
        ]
    parsed = [parsing.parse(r, settings.worker) if r else None for r in requests]  # the file is let go meanwhile
    with _database(model, args) as (con, current):
        return import_files(con, files, current, options, settings=settings, parsed=parsed, digests=digests)


def _said_status(status: str, dry_run: bool) -> str:
    return "would_import" if dry_run and status == "imported" else status


def _print_report(args: argparse.Namespace, report: Any, *, dry_run: bool) -> None:
    status = _said_status(report.status, dry_run)
    key = "cli.report.line" if report.layout else "cli.report.line_no_layout"
    line = say(args, key, file=report.file, layout=report.layout, status=Message(f"cli.status.{status}"))
    if report.status == "imported":
        line += say(args, "cli.report.counts", responses=report.answered, notes=report.notes)
        if report.round:
            line += say(args, "cli.report.round", round=report.round)
    print(line)
    for message in report.messages:
        print(f"  {i18n.text(message, args.lang, 'cli')}")
    for problem in report.problems:
        print(f"  - {problem.full(args.lang, 'cli')}")


def cmd_summary(con, model, args) -> int:
    if args.json:
        _print_json(summary.summary_frames(con, args.round))
        return 0
    result = summary.summary(con, args.round)
    if result["round"] is None:
        print(say(args, "cli.summary.empty"))
        return 0
    titles = {i.key: i.title(args.lang) for i in model.items} | {c.key: c.title(args.lang) for c in model.categories}
    print(say(args, "cli.summary.round", round=result["round"]))
    for name in ("top_gaps", "perception_gaps", "disagreements", "org_weak_items", "changes"):
        print("\n" + say(args, f"cli.summary.{name}"))
        for entry in result[name][:5]:
            where = " / ".join(str(entry[k]) for k in ("product", "team") if entry.get(k))
            what = titles.get(entry.get("item") or entry.get("category") or "", "")
            figures = ", ".join(f"{_figure(args, k)} {v}" for k, v in entry.items() if isinstance(v, float))
            print(f"  {where + ': ' if where else ''}{what} ({figures})")
    return 0


def _figure(args: argparse.Namespace, name: str) -> str:
    """A summary figure's name in the chosen language (the JSON name for a figure the catalogue does not know)."""
    key = f"cli.figure.{name}"
    return say(args, key) if key in i18n.catalog() else name


def cmd_export(con, model, args) -> int:
    from .reports import round_report

    out = Path(args.out)
    _write(out, round_report(con, model, args.round, out.suffix.lower(), args.file_lang))
    print(say(args, "cli.wrote", path=str(out)))
    return 0


def cmd_hearing(con, model, args) -> int:
    from .printable import hearing_page
    from .reports import hearing_sheet

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".html"):
        raise OpmaturityError.of("msg.report.hearing_suffix", name=out.name)
    if suffix == ".html":
        _write(out, hearing_page(con, model, args.product, args.team, args.round, args.file_lang))
    else:
        _write(out, hearing_sheet(con, model, args.product, args.team, args.round, args.file_lang))
    print(say(args, "cli.wrote", path=str(out)))
    return 0


def _write(out: Path, data: bytes) -> None:
    try:
        out.write_bytes(data)
    except OSError as exc:
        problem = Problem.of("msg.os_error", file=str(out), detail=os_reason(exc))
        raise OpmaturityError.of("msg.report.cannot_write", [problem], path=str(out)) from exc


def cmd_action(con, model, args) -> int:
    from .actions import ActionChange, add_action, list_actions, set_action

    if args.verb == "add":
        action_id = add_action(con, args.product, args.team, title=args.title, item=args.item, owner=args.owner,
                               status=args.status, due=args.due)  # fmt: skip
        print(say(args, "cli.action.added", id=action_id))
    elif args.verb == "set":
        if args.status is None and args.owner is None and args.due is None:  # said, not "changed"
            print(say(args, "cli.error", title=say(args, "cli.action.nothing", id=args.id)), file=sys.stderr)
            return 1
        set_action(con, args.id, ActionChange(status=args.status, owner=args.owner, due=args.due))
        print(say(args, "cli.action.changed", id=args.id))
    else:
        found = list_actions(con, args.product, args.team)
        if args.json:
            _print_json(summary.records(found, ACTION_FIELDS))
        elif found.empty:
            print(say(args, "cli.action.none"))
        for row in [] if args.json else found.itertuples():
            due = "" if row.due is None or pd.isna(row.due) else f" ({say(args, 'cli.action.due', due=row.due)})"
            print(f"#{row.id} [{say(args, f'cli.action.status.{row.status}')}] {row.product} / {row.team} "
                  f"{row.item or ''}: {row.title}{due}")  # fmt: skip
    return 0


ACTION_FIELDS = ["id", "product", "team", "item", "title", "owner", "status", "due", "round", "created_at",
                 "updated_at"]  # fmt: skip


def cmd_product(con, model, args) -> int:
    store.set_product_tier(con, args.name, args.tier)
    print(say(args, "cli.product.tier", product=args.name, tier=args.tier))
    return 0


def cmd_team(con, model, args) -> int:
    done = store.rename_team(con, args.product, args.name, args.new_name)
    words = dict(product=args.product, team=args.name, new_name=text.visible(args.new_name))
    if done == "merged":
        print(say(args, "cli.team.merged", **words))
    elif done == "renamed":
        print(say(args, "cli.team.renamed", **words))
    else:
        print(say(args, "cli.team.unchanged", **words))
    return 0


def cmd_mapping(con, model, args) -> int:
    from .mappings import forget, remembered

    if args.verb == "forget":
        gone = forget(con, args.headers)
        print(say(args, "cli.mapping.forgot", n=len(gone)))
        for header in gone:
            print(f"  - {header}")
        return 0
    found = remembered(con)
    if args.json:
        _print_json([m.to_dict() for m in found])
    elif not found:
        print(say(args, "cli.mapping.none"))
    titles = {i.key: i.title(args.lang) for i in model.items} | {c.key: c.title(args.lang) for c in model.categories}
    for m in [] if args.json else found:
        role = say(args, f"msg.role.{m.role}")
        what = " ".join(filter(None, [m.key, titles.get(m.key or "")]))
        print(f"{m.header} → {role}" + (f": {what}" if what else ""))
    return 0


IMPORT_FIELDS = ["import_id", "file", "layout", "round", "responses", "notes", "replaced", "imported_at", "undone_at"]


def cmd_imports(con, model, args) -> int:
    history = store.import_history(con).rename(columns={"file_name": "file"})
    if args.verb == "undo":
        found = history[history["import_id"] == args.import_id]
        store.undo_import(con, args.import_id)  # says so when there is no such import or it was undone already
        row = found.iloc[0]
        print(say(args, "cli.imports.undone", import_id=args.import_id, file=row["file"],
                  answers=int(row["responses"]), notes=int(row["notes"]), replaced=int(row["replaced"])))  # fmt: skip
        return 0
    rows = summary.records(history, IMPORT_FIELDS)  # missing values as None (pandas' strings hold NaN: "nan")
    if args.json:  # times as every command's JSON gives them (2026-05-20T09:30:12)
        _print_json(rows)
        return 0
    for row in rows:  # and as a person reads them
        for column in ("imported_at", "undone_at"):
            row[column] = row[column] and row[column].replace("T", " ")
    if not rows:
        print(say(args, "cli.imports.none"))
    for row in rows:
        line = say(args, "cli.imports.line", import_id=row["import_id"], file=row["file"],
                   layout=row["layout"] or "-", round=row["round"] or "-", answers=row["responses"],
                   notes=row["notes"], at=row["imported_at"])  # fmt: skip
        print(line + (say(args, "cli.imports.undone_at", at=row["undone_at"]) if row["undone_at"] else ""))
    return 0


def cmd_model(con, model, args) -> int:
    from .model_files import model_xlsx, model_yaml
    from .model_versions import change_lines, preview, save

    if args.verb == "export":
        out = Path(args.out)
        suffix = out.suffix.lower()
        if suffix not in (".xlsx", ".yaml", ".yml"):
            raise OpmaturityError.of("msg.modelfile.unreadable", [Problem.of(
                "msg.modelfile.suffix", file=out.name, value=suffix, got=suffix)], file=out.name)  # fmt: skip
        _write(out, model_xlsx(model, args.lang) if suffix == ".xlsx" else model_yaml(model).encode("utf-8"))
        print(say(args, "cli.wrote", path=str(out)))
        return 0
    path = Path(args.file)
    try:
        data = path.read_bytes()
        found = preview(con, path.name, data, model)
    except OSError as exc:
        problem = Problem(Message("msg.import.unreadable_path", detail=os_reason(exc)), file=str(path))
        return _model_rejected(args, path.name, OpmaturityError.of("msg.modelfile.unreadable", [problem],
                                                                     file=path.name))  # fmt: skip
    except OpmaturityError as error:
        return _model_rejected(args, path.name, error)
    saved = None if args.dry_run or found.unchanged else save(con, found)
    status = "unchanged" if found.unchanged else "would_save" if args.dry_run else "saved"
    if args.json:
        _print_json(found.to_dict(status, args.lang))
        return 0
    if found.unchanged:
        print(say(args, "cli.model.unchanged", file=path.name, version=found.version_before))
        return 0
    print(say(args, "cli.model.summary", file=path.name, before=found.version_before, after=found.version_after))
    for warning in found.warnings():
        print(f"  ! {i18n.text(warning, args.lang, 'cli')}")
    for line in change_lines(found.changes):
        print(f"  - {i18n.text(line, args.lang, 'cli')}")
    print(say(args, "cli.model.dry_run") if saved is None else say(args, "cli.model.saved", version=saved))
    return 0


def _model_rejected(args: argparse.Namespace, file: str, error: OpmaturityError) -> int:
    """A model file that cannot be saved: every problem, as text or as the JSON of `model import --json`."""
    if args.json:
        _print_json({"file": file, "status": "rejected", "version_before": None, "version_after": None,
                     "changes": {}, "title": error.title_text(args.json_lang, "cli"),
                     "problems": [p.to_dict(args.json_lang, "cli") for p in error.problems]})  # fmt: skip
        return 1
    _print_error(args, error)
    return 1


def cmd_workbook(con, model, args) -> int:
    from .templates import team_workbook_for

    out = Path(args.out)
    _write(out, team_workbook_for(con, model, args.product, args.team, round_name=args.round, lang=args.lang))
    print(say(args, "cli.wrote", path=str(out)))
    known = store.teams(con)
    if not ((known["product"] == args.product) & (known["team"] == args.team)).any():  # a new team, or a typo
        siblings = known.loc[known["product"] == args.product, "team"].tolist()
        print(say(args, "cli.workbook.new_team", product=args.product, team=args.team), file=sys.stderr)
        if siblings:
            print("  " + say(args, "cli.workbook.teams_of", product=args.product, teams=_listed(siblings)),
                  file=sys.stderr)  # fmt: skip
        elif not known.empty:
            print("  " + say(args, "cli.workbook.products", products=_listed(sorted(set(known["product"])))),
                  file=sys.stderr)  # fmt: skip
    return 0


def _listed(names: list[str], most: int = 10) -> str:
    """Names separated by commas, the first `most` of them and "…" after."""
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")


def cmd_backup(con, model, args) -> int:
    from .backup import backup

    result = backup(con, args.out)
    print(say(args, "cli.backup.wrote", path=str(result.path), rows=sum(result.counts.values())))
    return 0


def _offline_form(model, args) -> int:
    from .templates import apps_script

    out = Path(args.out)
    _write(out, apps_script(model, args.lang).encode("utf-8"))
    print(say(args, "cli.wrote", path=str(out)))
    return 0


def _offline_restore(model, args) -> int:
    from .backup import restore

    if not args.db:  # the database it builds is named, never taken from the environment by surprise
        raise OpmaturityError.of("msg.backup.needs_db")
    result = restore(args.folder, args.settings.db)
    print(say(args, "cli.backup.restored", path=str(result.path), rows=sum(result.counts.values())))
    return 0


COMMANDS = {"demo": cmd_demo, "summary": cmd_summary, "export": cmd_export,
            "hearing": cmd_hearing, "action": cmd_action, "product": cmd_product, "team": cmd_team,
            "mapping": cmd_mapping, "imports": cmd_imports,
            "model": cmd_model, "workbook": cmd_workbook, "backup": cmd_backup}  # fmt: skip
OFFLINE = {"form": _offline_form, "restore": _offline_restore}
CREATES = {"demo", "import"}  # commands that may start a new database (and `model import`: a model before answers)
