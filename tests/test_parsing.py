"""parsing: files are read and parsed in the fenced worker; what comes back is JSON that round-trips, a limit
or a bug becomes a clear problem on the file with nothing written, and the preview's parse serves the import."""

from __future__ import annotations

import dataclasses
import difflib
import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from opmaturity import codec, fence, importer, parsing, store
from opmaturity.batch import Answer, Batch, Note
from opmaturity.cli import main
from opmaturity.errors import Problem
from opmaturity.i18n import Advice, Listed, Message, Quoted, QuotedBoth
from opmaturity.importer import ImportOptions, import_file, preview
from opmaturity.readers import limits
from opmaturity.settings import Settings, fence_limits

IMPORTS = Path(__file__).parent / "data" / "imports"


def fixture(name: str) -> bytes:
    return (IMPORTS / name).read_bytes()


def snapshot(con) -> dict[str, list[tuple]]:
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


# --- the codec: what the child sends back -----------------------------------------------------------------


def test_a_batch_with_every_kind_of_value_comes_back_from_json_as_it_was():
    nested = Message("msg.read.hidden_sheets", sheets=Quoted(("前回", "前々回")))  # a list of names inside
    batch = Batch(
        file="survey.xlsx",
        layout="tidy",
        sha256="ab" * 32,
        answers=[
            Answer("学び放題", "A", "p-1", "team", "OBS-1", 3, 4, 2, "コメント\n二行目", date(2024, 5, 14), "S", 7),
            Answer("学び放題", "A", "p-2", "sre", "OBS-2", None),
        ],
        notes=[Note("付箋", "学び放題", None, "G", ("tag", "タグ"), "yellow", "p-3", "OBS-1", "3458764", "", 2)],
        problems=[
            Problem(
                Message("msg.import.layout", layout="tidy", title=Message("import.layout.tidy"), why=Advice("team")),
                file="survey.xlsx",
                sheet="S",
                row=4,
                column="レベル",
                value="7",
            ),
            Problem(Message("msg.import.bad_layout", layouts=Listed(("tidy", "miro")), value="x")),
            Problem(Message("msg.read.hidden_sheet", sheets=QuotedBoth(("a", "b")))),
        ],  # fmt: skip
        messages=[nested, Message("msg.size.exact", n=10, shown=Message("msg.size.bytes", n=10))],
        round="2024-H1",
        round_date=date(2024, 5, 14),
        round_date_given=None,
        tiers={"学び放題": "gold"},
        board="board-1",
    )
    back = codec.batch_from_json(codec.loads(codec.dumps(codec.batch_to_json(batch))))
    assert back == batch
    assert [p.message.text("ja", "page") for p in back.problems] == [
        p.message.text("ja", "page") for p in batch.problems
    ]
    assert type(back.problems[0].message.params["why"]) is Advice
    assert type(back.problems[2].message.params["sheets"]) is QuotedBoth
    assert back.messages[0].params == {"sheets": Quoted(("前回", "前々回"))}
    assert back.notes[0].tags == ("tag", "タグ")


@pytest.mark.parametrize(
    "value",
    [datetime(2024, 5, 14, 9, 41, 40), time(9, 41), timedelta(days=2, seconds=5), {"a": (1, 2)}, [1.5, None, True]],
)
def test_cell_values_and_containers_round_trip_with_their_types(value):
    back = codec.value_from_json(codec.loads(codec.dumps(codec.value_to_json(value))))
    assert back == value and type(back) is type(value)


def test_something_the_codec_does_not_know_is_refused_rather_than_sent_as_text():
    with pytest.raises(TypeError, match="cannot encode set"):
        codec.value_to_json({1, 2})


# --- the job in the child ---------------------------------------------------------------------------------


def header(model, **choices) -> dict:
    base = {
        "name": "tidy.csv", "model": model.source, "mappings": {}, "key": "k", "limits": {
            "max_bytes": 10**8, "max_rows": 10**6, "max_cells": 10**8, "max_text": 10**9},
        "layout": None, "product": None, "team": None, "rater": None, "read_only": False,
    }  # fmt: skip
    return {**base, **choices}


def test_a_file_parsed_in_the_child_is_the_file_parsed_here(model):
    here = parsing.run(header(model), fixture("tidy.csv"))
    request = parsing.Request(header(model), fixture("tidy.csv"))
    there = parsing.parse(request, fence.Limits(wall_seconds=60))
    assert there.batch == here.batch and there.layout == here.layout == "tidy"
    assert (there.why, there.messages, there.problems) == (here.why, here.messages, here.problems)
    assert len(there.batch.answers) == 5  # five rows, one of them N/A


def test_a_bug_in_a_parser_is_raised_in_the_child_not_made_the_users_problem(model, monkeypatch):
    from opmaturity import formats

    def broken(source, ctx):
        raise IndexError("list index out of range")

    monkeypatch.setitem(formats.PARSERS, "tidy", broken)
    with pytest.raises(IndexError):
        parsing.run(header(model), fixture("tidy.csv"))


def test_a_bug_in_the_child_is_logged_with_its_traceback_and_refused_as_an_internal_error(con, model, caplog):
    request = parsing.Request({"name": "tidy.csv"}, fixture("tidy.csv"))  # a header without limits: KeyError
    with caplog.at_level(logging.ERROR, logger="opmaturity.parsing"):
        parsed = parsing.parse(request, fence.Limits(wall_seconds=60))
    (problem,) = parsed.problems
    assert problem.file == "tidy.csv"
    assert problem.message.startswith("an internal error in opmaturity occurred while reading this file (a bug")
    (record,) = caplog.records
    assert "Traceback (most recent call last)" in record.getMessage() and "KeyError: 'limits'" in record.getMessage()


def big_csv(rows: int) -> bytes:
    head = "プロダクト,チーム,回答者,回答者ロール,カテゴリ,項目,現状レベル\r\n"
    return (head + "".join(f"P{n % 7},T{n % 3},r{n},開発,SLO,SLOの合意,{n % 5}\r\n" for n in range(rows))).encode()


def test_a_file_that_needs_more_memory_than_the_worker_may_use_is_refused_and_nothing_is_written(
    con, model, monkeypatch
):
    monkeypatch.setenv("OPMATURITY_FENCE_MEMORY_MB", "256")
    before = snapshot(con)
    report = import_file(con, "big.csv", big_csv(150_000), model, ImportOptions(round="2024-H1"))
    assert report.status == "rejected"
    (problem,) = report.problems
    assert problem.message.startswith(
        "this file needed more memory than allowed (256 MB, OPMATURITY_FENCE_MEMORY_MB) to be read; nothing was written"
    )
    assert problem.text("ja").startswith("このファイルを読むには、許可されたメモリ（256 MB")
    assert snapshot(con) == before
    monkeypatch.delenv("OPMATURITY_FENCE_MEMORY_MB")
    assert import_file(con, "tidy.csv", fixture("tidy.csv"), model, ImportOptions()).status == "imported"


@pytest.mark.parametrize(
    ("reason", "start"),
    [
        ("cpu", "reading this file used up the computing time allowed (120 s, OPMATURITY_FENCE_CPU_SECONDS)"),
        ("time", "reading this file took longer than allowed (180 s, OPMATURITY_FENCE_WALL_SECONDS)"),
        ("output", "what this file holds came to more than allowed (512 MB, OPMATURITY_FENCE_OUTPUT_MB)"),
        ("crash", "the reader stopped while reading this file (most often for lack of memory)"),
    ],
)
def test_each_limit_that_stops_the_worker_is_named_in_the_problem(con, model, monkeypatch, reason, start):
    def stopped(job, data, limits):
        raise fence.FenceError(reason, "stopped")

    monkeypatch.setattr(fence, "run", stopped)
    report = import_file(con, "tidy.csv", fixture("tidy.csv"), model, ImportOptions())
    assert report.status == "rejected" and report.problems[0].message.startswith(start)


def test_the_worker_limits_come_from_the_environment_else_defaults_for_a_2_core_4_gb_machine():
    assert fence_limits({}) == fence.Limits(2 * 1024**3, 120, 180.0, 512 * 1024**2)
    environ = {"MEMORY_MB": "300", "CPU_SECONDS": "9", "WALL_SECONDS": "2.5", "OUTPUT_MB": "nonsense"}
    chosen = fence_limits({f"OPMATURITY_FENCE_{name}": value for name, value in environ.items()})
    assert chosen == fence.Limits(300 * 1024**2, 9, 2.5, 512 * 1024**2)


# --- one parse for the preview and the import ------------------------------------------------------------


def test_the_preview_and_the_import_share_one_parse(con, model, monkeypatch):
    calls = []
    real = fence.run
    monkeypatch.setattr(fence, "run", lambda job, data, limits: calls.append(job) or real(job, data, limits))
    options = ImportOptions()
    parsed = importer.parse(con, "tidy.csv", fixture("tidy.csv"), model, options, Settings.from_env())
    before = list(parsed.batch.messages)
    shown, rows = preview(con, "tidy.csv", fixture("tidy.csv"), model, options, parsed)
    report = import_file(con, "tidy.csv", fixture("tidy.csv"), model, options, parsed)
    assert calls == ["parse"]
    assert (shown.status, shown.answered, len(rows)) == ("imported", 4, 5)
    assert (report.status, report.answered) == ("imported", 4)
    assert parsed.batch.messages == before  # what the import said was not added to the shared parse


def test_the_parse_key_changes_with_what_the_parse_depends_on(con, model):
    settings = Settings.from_env()

    def key_of(data: bytes, options: ImportOptions, chosen: Settings = settings) -> str:
        return importer.parse_request(con, "t.csv", data, model, options, chosen).key

    key = key_of(b"a", ImportOptions())
    assert key_of(b"a", ImportOptions(round="2024-H1")) == key
    assert key_of(b"b", ImportOptions()) != key
    assert key_of(b"a", ImportOptions(team="A")) != key
    assert key_of(b"a", ImportOptions(), dataclasses.replace(settings, secret="another key")) != key
    assert key_of(b"a", ImportOptions(), dataclasses.replace(settings, limits=limits(max_rows=5))) != key
    store.remember_mapping(con, "見出し", "OBS-1")
    assert key_of(b"a", ImportOptions()) != key


# --- suggestions once per unknown name -------------------------------------------------------------------


def test_an_unknown_item_name_on_every_row_looks_for_the_nearest_title_once(model, monkeypatch):
    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    head = "プロダクト,チーム,回答者,回答者ロール,カテゴリ,項目,現状レベル\r\n"
    rows = "".join(f"P,T,r{n},開発,SLO,SLOの合意形成ですか,{n % 5}\r\n" for n in range(5_000))
    parsed = parsing.run(header(model, name="u.csv"), (head + rows).encode())
    assert len(parsed.batch.problems) == 5_000
    assert parsed.batch.problems[0].message.startswith('unknown item "SLOの合意形成ですか"')
    assert len(calls) == 1


# --- the command line ---------------------------------------------------------------------------------------


def test_the_command_line_checks_a_files_size_before_reading_it(tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2000)
    monkeypatch.setenv("OPMATURITY_MAX_BYTES", "1000")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self.name} was read"))
    code = main(["import", str(big), "--db", str(tmp_path / "a.duckdb"), "--json"])
    out = capsys.readouterr().out
    assert code == 1
    assert '"the file is 2.0 KB; the limit is 1000 bytes (OPMATURITY_MAX_BYTES)' in out
