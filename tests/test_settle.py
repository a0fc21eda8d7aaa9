"""settle: duplicate answers in one file are dropped when exact and refused, both rows named, when they conflict."""

from __future__ import annotations

from opmaturity.batch import Answer, Batch, settle


def answer(row: int, level: int | None, item: str = "OBS-4") -> Answer:
    return Answer("学び放題", "A", "p-1", "sre", item, level, sheet="", row=row)


def test_settle_drops_exact_duplicates_and_says_which_rows():
    batch = Batch("f.csv", "tidy", "x", answers=[answer(2, 2), answer(3, 3, "INC-2"), answer(4, 2)])
    settle(batch, "f.csv")
    assert [r.row for r in batch.answers] == [2, 3]
    assert batch.messages == ["row 4 repeats row 2 exactly: dropped"]
    assert batch.problems == []


def test_settle_refuses_conflicting_answers_naming_both_rows():
    batch = Batch("f.csv", "tidy", "x", answers=[answer(2, 2), answer(3, 3, "INC-2"), answer(4, 3)])
    settle(batch, "f.csv")
    assert [r.row for r in batch.answers] == [3]
    (problem,) = batch.problems
    assert problem.row == 4
    assert "conflicting answers for item OBS-4" in problem.message
    assert "row 2 says level 2, row 4 says level 3" in problem.message


def test_settle_names_the_column_where_conflicting_answers_differ_and_counts_both_as_dropped():
    first, second = answer(2, 2), Answer("学び放題", "A", "p-1", "sre", "OBS-4", 2, importance=3, sheet="", row=4)
    batch = Batch("f.csv", "tidy", "x", answers=[first, second, answer(3, 3, "INC-2")])
    headers = {"level": "現状レベル", "importance": "温度感"}
    columns = {("", 2, "OBS-4", "sre"): headers, ("", 4, "OBS-4", "sre"): headers}
    assert settle(batch, "f.csv", columns) == 2
    (problem,) = batch.problems
    assert (problem.row, problem.column) == (4, "温度感")
    assert [r.item for r in batch.answers] == ["INC-2"]
