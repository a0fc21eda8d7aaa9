"""Faults and neighbours: a damaged file, a full disk, kill -9 mid-import, the command line beside the dashboard,
two changes at once. Each leaves the database whole and says what happened in the user's words."""

from __future__ import annotations

import csv
import hashlib
import json
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from test_cli import CLI_ENV, cli

from opmaturity import importer, store
from opmaturity.importer import ImportOptions

ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(db: Path, sql: str) -> int:
    con = duckdb.connect(str(db))
    try:
        return int(con.execute(sql).fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_made_by_the_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as `opmaturity demo` writes it, made once for the module (2 s a test when made each time)."""
    db = tmp_path_factory.mktemp("faults-demo") / "org.duckdb"
    assert cli("demo", "--db", db).returncode == 0
    return db


@pytest.fixture
def demo_file(tmp_path: Path, demo_made_by_the_cli: Path) -> Path:
    """A private copy of it, for a test to damage, fill or hold."""
    db = tmp_path / "org.duckdb"
    shutil.copyfile(demo_made_by_the_cli, db)
    return db


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tidy export of 60,000 answers from 300 teams: big enough that an import takes a moment."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["round", "product", "team", "respondent", "rater", "item", "level"])
        for n in range(60_000):
            writer.writerow(["2027-H1", f"P{n % 50}", f"T{n % 300}", f"r{n}@example.jp", "team",
                             ("OBS-1", "OBS-2", "SLO-1")[n % 3], n % 5])  # fmt: skip
    return path


# --- a file that is not (or no longer) a database ----------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "header only", "not a database"])
def test_a_damaged_database_is_a_plain_message_and_stays_untouched(demo_file, damage):
    data = demo_file.read_bytes()
    if damage == "truncated":
        demo_file.write_bytes(data[: len(data) * 2 // 5])
    elif damage == "header only":
        demo_file.write_bytes(data[:4096])
    else:
        demo_file.write_text("round,product\n2024-H1,x\n", encoding="utf-8")
    before = digest(demo_file)
    done = cli("summary", "--db", demo_file)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"error: {demo_file} cannot be read as an opmaturity database" in done.stderr
    assert "Restore it from a backup" in done.stderr
    assert digest(demo_file) == before


def test_a_damaged_database_is_an_error_box_on_the_page(demo_file, monkeypatch):
    data = demo_file.read_bytes()
    demo_file.write_bytes(data[: len(data) * 2 // 5])
    before = digest(demo_file)
    monkeypatch.setenv("OPMATURITY_DB", str(demo_file))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "opmaturityのデータベースとして読めません" in at.error[0].value
    assert digest(demo_file) == before


# --- a disk that refuses the write --------------------------------------------------------------------


def _small_disk() -> None:
    """The child may write files of at most 1 MB, as on a nearly full disk (EFBIG instead of SIGXFSZ)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))


def test_a_full_disk_during_an_import_changes_nothing_and_says_so(demo_file, big_csv):
    answers = count(demo_file, "SELECT count(*) FROM responses")
    done = cli("import", big_csv, "--db", demo_file, "--json", preexec_fn=_small_disk)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    # The worker's input (the file, handed over on disk) or its answer is the first thing that no longer fits:
    # the file is refused, in the user's words.
    (report,) = json.loads(done.stdout)["files"]
    assert report["status"] == "rejected"
    assert len(report["problems"]) == 1 and "the disk seems full" in report["problems"][0]["message"]
    assert count(demo_file, "SELECT count(*) FROM responses") == answers
    assert count(demo_file, "SELECT count(*) FROM imports WHERE file_name LIKE '%big.csv'") == 0


class _RefusingDisk:
    """A connection whose commit meets a full disk, as DuckDB reports it."""

    def __init__(self) -> None:
        self.rolled_back = False

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        raise duckdb.TransactionException(
            'TransactionContext Error: Failed to commit: Could not write file "x.duckdb.wal": No space left on device'
        )

    def rollback(self) -> None:
        self.rolled_back = True


def test_a_commit_the_disk_refuses_is_the_users_message_not_a_traceback():
    from opmaturity.errors import OpmaturityError

    con = _RefusingDisk()
    with pytest.raises(OpmaturityError) as caught, store.transaction(con):  # type: ignore[arg-type]
        pass
    assert caught.value.title_text("en") == (
        "Could not write to the database. This change was rolled back as a whole; the data is as it was before."
    )
    assert "No space left on device" in caught.value.problems[0].text("en")
    assert caught.value.title_text("ja").startswith("データベースに書き込めませんでした")


# --- kill -9 in the middle of an import ---------------------------------------------------------------


@pytest.mark.parametrize("after", [0.6, 1.2, 2.0, 3.0])
def test_kill_9_during_an_import_leaves_it_whole_or_absent(demo_file, big_csv, after):
    answers = count(demo_file, "SELECT count(*) FROM responses")
    child = subprocess.Popen(
        [sys.executable, "-m", "opmaturity", "import", str(big_csv), "--db", str(demo_file)],
        cwd=ROOT, env=CLI_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(after)
    child.send_signal(signal.SIGKILL)
    child.wait()
    now = count(demo_file, "SELECT count(*) FROM responses")
    imported = count(demo_file, "SELECT count(*) FROM imports WHERE file_name LIKE '%big.csv'")
    assert (now, imported) in {(answers, 0), (answers + 60_000, 1)}
    # and the file still takes an import afterwards
    assert cli("import", big_csv, "--db", demo_file).returncode == 0
    assert count(demo_file, "SELECT count(*) FROM responses") == answers + 60_000


# --- the command line beside the dashboard ------------------------------------------------------------


def test_the_dashboard_lets_go_of_the_file_between_runs_so_the_command_line_can_import(demo_file, big_csv, monkeypatch):
    monkeypatch.setenv("OPMATURITY_DB", str(demo_file))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    done = cli("import", big_csv, "--db", demo_file, "--json", env={"OPMATURITY_LOCK_WAIT": "0"})
    assert done.returncode == 0, done.stderr
    at.run()  # the next interaction shows the new data: the new round is in the sidebar
    assert not at.exception
    assert "2027-H1" in at.sidebar.selectbox[0].options


def test_a_page_shows_the_data_from_before_while_another_program_holds_the_file(demo_file, monkeypatch):
    monkeypatch.setenv("OPMATURITY_DB", str(demo_file))
    monkeypatch.setenv("OPMATURITY_PAGE_WAIT", "0.2")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    # Another program commits a change (the file's signature moves) and keeps holding the file.
    hold = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "c.execute(\"UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR) WHERE key = 'revision'\"); "
        "print('ok', flush=True); "
        "time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(demo_file)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        at.run()
        assert not at.exception and not at.error
        assert at.sidebar.selectbox[0].options  # the rounds, from before
        assert any("ほかのプログラムがデータベースに書き込み中" in toast.value for toast in at.toast)
    finally:
        holder.kill()
        holder.wait()


# --- two changes at once in one dashboard --------------------------------------------------------------


def test_two_imports_at_once_in_one_process_queue_instead_of_failing(db_file, model):
    store.connect(db_file, model).close()
    files = {
        f"team{n}.csv": (
            "round,product,team,respondent,rater,item,level\n"
            + "".join(f"2025-H1,Shop,Team {n},r{k}@x.jp,team,OBS-{1 + k % 3},{k % 5}\n" for k in range(2000))
        ).encode()
        for n in range(2)
    }
    reports: dict[str, object] = {}
    failures: list[BaseException] = []

    def run(name: str, data: bytes) -> None:
        con = store.connect(db_file, model)  # one connection per session, as the dashboard's script runs have
        try:
            reports[name] = importer.import_file(con, name, data, model, ImportOptions())
        except BaseException as exc:  # noqa: BLE001  (the test reports whatever a thread raised)
            failures.append(exc)
        finally:
            con.close()

    threads = [threading.Thread(target=run, args=item) for item in files.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert {report.status for report in reports.values()} == {"imported"}  # type: ignore[attr-defined]
    assert count(db_file, "SELECT count(*) FROM responses") == 4000
    assert count(db_file, "SELECT value FROM meta WHERE key = 'revision'") >= 2
