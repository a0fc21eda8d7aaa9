"""Ties rank alike on every surface: the Team page, the hearing sheet (Excel and HTML), `summary --json` and the
round's export all list one team's perception gaps and disagreements in the order the SQL defines
(sql/perception_gaps.sql, sql/disagreements.sql), on a real DuckDB file whose figures are worked out by hand."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_pages import open_page, table_with

from opmaturity import printable, reports, store, summary
from opmaturity.batch import Answer, Batch

# One team (P / T), round R1, model default target 3, no importance given (2 assumed). Team members t1-t4 (t5 and
# t6 answer COST-1 only), SRE s1. Item positions in the model: OBS-1 0, OBS-2 1, OBS-3 2, SLO-1 6, INC-2 10,
# LOG-2 23, COST-1 33, ORG-1 35.
#
#   item    team answers        level  SRE  SRE − team  gap  priority  sd (n)
#   OBS-1   3 3 3 3             3      4    +1          0    0         0 (4)
#   OBS-2   2 2 2 2             2      1    −1          1    2         0 (4)
#   OBS-3   2 4 2 4             3      -                0    0         1 (4)
#   SLO-1   1 1 1 1             1      2    +1          2    4         0 (4)
#   INC-2   0 0 0 0             0      1    +1          3    6         0 (4)
#   LOG-2   0 1 2 1             1      3    +2          2    4         √0.5 = 0.71 (4)
#   COST-1  2 4 2 4 2 4         3      -                0    0         1 (6)
#   ORG-1   1 3 1 3             2      3    +1          1    2         1 (4)
#
# The team's to-do order (priority, then gap, then model order): INC-2, SLO-1, LOG-2, OBS-2, ORG-1, OBS-1, OBS-3,
# COST-1. Ranked by the SQL: perception gaps by |SRE − team|, ties in model order; disagreements by sd, then more
# answers, then model order. Sorting the to-do list by the figure alone kept the to-do order among ties.
TEAM = {
    "OBS-1": [3, 3, 3, 3], "OBS-2": [2, 2, 2, 2], "OBS-3": [2, 4, 2, 4], "SLO-1": [1, 1, 1, 1],
    "INC-2": [0, 0, 0, 0], "LOG-2": [0, 1, 2, 1], "COST-1": [2, 4, 2, 4, 2, 4], "ORG-1": [1, 3, 1, 3],
}  # fmt: skip
SRE = {"OBS-1": 4, "OBS-2": 1, "SLO-1": 2, "INC-2": 1, "LOG-2": 3, "ORG-1": 3}
PERCEPTION = ["LOG-2", "OBS-1", "OBS-2", "SLO-1", "INC-2", "ORG-1"]
PERCEPTION_GAPS = [2.0, 1.0, -1.0, 1.0, 1.0, 1.0]
DISAGREEMENTS = ["COST-1", "OBS-3", "ORG-1", "LOG-2"]


@pytest.fixture
def tied(tmp_path: Path, model, monkeypatch: pytest.MonkeyPatch) -> Path:
    answers = [Answer("P", "T", f"t{n}", "team", item, level) for item, levels in TEAM.items()
               for n, level in enumerate(levels, start=1)]  # fmt: skip
    answers += [Answer("P", "T", "s1", "sre", item, level) for item, level in SRE.items()]
    path = tmp_path / "tied.duckdb"
    con = store.connect(path, model)
    try:
        batch = Batch(file="tied.csv", layout="tidy", sha256=Batch.digest(b"tied"), answers=answers)
        assert store.commit_batch(con, batch, "R1").status == "imported"
    finally:
        con.close()
    monkeypatch.setenv("OPMATURITY_DB", str(path))
    return path


@pytest.fixture
def con(tied: Path, model):
    connection = store.connect(tied, model)
    yield connection
    connection.close()


def test_summary_ranks_ties_as_the_sql_defines(con):
    found = summary.summary(con)
    assert [e["item"] for e in found["perception_gaps"]] == PERCEPTION
    assert [e["perception_gap"] for e in found["perception_gaps"]] == PERCEPTION_GAPS
    assert [e["item"] for e in found["disagreements"]] == DISAGREEMENTS
    assert [e["sd"] for e in found["disagreements"]] == [1.0, 1.0, 1.0, 0.71]
    assert [e["n"] for e in found["disagreements"]] == [6, 4, 4, 4]


def test_the_export_lists_ties_as_summary_does(con, model):
    book = load_workbook(io.BytesIO(reports.round_report(con, model, None, ".xlsx", "en")))
    for sheet, expected in (("Perception gaps", PERCEPTION), ("Disagreements", DISAGREEMENTS)):
        rows = list(book[sheet].iter_rows(values_only=True))
        key = rows[0].index("Item key")
        assert [row[key] for row in rows[1:]] == expected, sheet


def test_the_team_page_lists_ties_as_summary_does(tied, model):
    at = open_page("team", {"product": "P", "team": "T", "lang": "English"})
    assert not at.exception
    titles = {i.en: i.key for i in model.items}
    perception = table_with(at, "Perception gap (SRE − team)")
    assert [titles[t] for t in perception["Item"]] == PERCEPTION
    assert perception["Perception gap (SRE − team)"].tolist() == PERCEPTION_GAPS
    spread = table_with(at, "Spread (standard deviation)")
    assert [titles[t] for t in spread["Item"]] == DISAGREEMENTS


def test_the_hearing_sheet_takes_the_first_five_of_the_same_order(con, model):
    book = load_workbook(io.BytesIO(reports.hearing_sheet(con, model, "P", "T", None, "en")))
    agenda = list(book["Agenda"].iter_rows(values_only=True))[1:]
    listed = {topic: [row[1] for row in agenda if row[0] == topic]
              for topic in ("Team and SRE see it differently", "Members disagree")}  # fmt: skip
    assert listed == {"Team and SRE see it differently": PERCEPTION[:5], "Members disagree": DISAGREEMENTS}
    html = printable.hearing_page(con, model, "P", "T", None, "en").decode()
    sections = html.split("<section>")
    titles = {i.en: i.key for i in model.items}
    shown = [[titles[t] for t in re.findall(r"<tr><td>([^<]+)</td>", part) if t in titles] for part in sections[2:4]]
    assert shown == [PERCEPTION[:5], DISAGREEMENTS]
