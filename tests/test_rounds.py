"""A round's place in time: dates from names, the one round order, renaming and re-dating rounds."""

from datetime import date

import duckdb
import pytest

from opmaturity import metrics, store, summary
from opmaturity.batch import Answer, Batch
from opmaturity.errors import OpmaturityError
from opmaturity.rounds import date_from_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2024-H1", date(2024, 1, 1)),
        ("2024H2", date(2024, 7, 1)),
        ("2024 Q3", date(2024, 7, 1)),
        ("FY2024 Q3", date(2024, 10, 1)),  # Japanese fiscal year: Q1 = April
        ("FY2024 Q4", date(2025, 1, 1)),
        ("FY2024", date(2024, 4, 1)),
        ("2024年度上期", date(2024, 4, 1)),
        ("2024年度下期", date(2024, 10, 1)),
        ("令和6年度下期", date(2024, 10, 1)),  # Reiwa 6 = 2024
        ("令和元年度上期", date(2019, 4, 1)),
        ("2024年度第3四半期", date(2024, 10, 1)),
        ("２０２４－Ｈ１", date(2024, 1, 1)),  # full-width
        ("2024-05", date(2024, 5, 1)),
        ("2024年5月", date(2024, 5, 1)),
        ("令和6年5月20日", date(2024, 5, 20)),
        ("2024-05-20", date(2024, 5, 20)),
        ("SRE成熟度 2024年度下期 ヒアリング", date(2024, 10, 1)),
        ("2024", date(2024, 1, 1)),
    ],
)
def test_a_round_name_that_states_a_period_gives_its_first_day(name, expected):
    assert date_from_name(name) == expected


@pytest.mark.parametrize("name", ["Spring review", "R1", "2024-13", "第3回", "Round 12345", ""])
def test_a_name_that_states_no_period_gives_no_date(name):
    assert date_from_name(name) is None


def _import(con, round_name, *, file_date=None):
    rows = [Answer("P", "A", "r1", "team", "OBS-1", 2)]
    batch = Batch(file=f"{round_name}.csv", layout="tidy", sha256=Batch.digest(round_name.encode()),
                  answers=rows, round_date=file_date)  # fmt: skip
    assert store.commit_batch(con, batch, round_name).status == "imported"


def test_last_years_round_imported_later_sorts_before_this_years(con):
    _import(con, "2024-H1")
    _import(con, "2023-H1")  # imported second, held first
    assert store.rounds(con)["name"].tolist() == ["2023-H1", "2024-H1"]
    assert store.latest_round(con) == "2024-H1"
    assert summary.summary(con)["round"] == "2024-H1"


def test_rounds_sort_by_date_when_names_and_insertion_order_disagree(con):
    _import(con, "B: autumn", file_date=date(2023, 10, 2))
    _import(con, "C: spring", file_date=date(2024, 4, 15))
    _import(con, "A: kickoff", file_date=date(2023, 4, 1))  # first by name and by date, last inserted
    rounds = store.rounds(con)
    assert rounds["name"].tolist() == ["A: kickoff", "B: autumn", "C: spring"]
    assert rounds["round_position"].tolist() == [1, 2, 3]
    assert summary.summary(con)["round"] == "C: spring"


def test_the_change_of_a_round_is_against_the_round_before_it_in_time(con):
    rows = {"2024-H1": 3, "2023-H1": 1, "2023-H2": 2}  # imported out of order
    for name, level in rows.items():
        batch = Batch(file=f"{name}.csv", layout="tidy", sha256=Batch.digest(name.encode()),
                      answers=[Answer("P", "A", "r1", "team", "OBS-1", level)])  # fmt: skip
        store.commit_batch(con, batch, name)
    item = metrics.item_scores(con, "2024-H1")
    assert (item["previous_level"].iloc[0], item["change"].iloc[0]) == (2.0, 1.0)  # 2023-H2 -> 2024-H1
    assert metrics.changes(con, "2023-H2", level="item")["change"].tolist() == [1.0]  # 2023-H1 -> 2023-H2
    assert metrics.trend(con)["round"].tolist() == ["2023-H1", "2023-H2", "2024-H1"]


def test_a_date_a_person_gives_wins_over_the_name_and_the_file(con):
    rid, created = store.ensure_round(con, "2024-H1", date(2024, 5, 3), date_given=date(2023, 12, 1))
    assert created
    assert store.rounds(con)["held_on"].iloc[0].date() == date(2023, 12, 1)


def test_a_round_can_be_renamed_and_re_dated(con):
    _import(con, "2024-H1")
    _import(con, "Spring", file_date=date(2024, 5, 1))
    assert store.latest_round(con) == "Spring"
    store.set_round_date(con, "Spring", date(2023, 5, 1))
    assert store.latest_round(con) == "2024-H1"
    store.rename_round(con, "Spring", "2023-H1")
    assert store.rounds(con)["name"].tolist() == ["2023-H1", "2024-H1"]
    assert metrics.item_scores(con, "2023-H1")["level"].tolist() == [2.0]


def test_a_round_cannot_take_the_name_of_another(con):
    _import(con, "2024-H1")
    _import(con, "2023-H1")
    with pytest.raises(OpmaturityError, match='already a round "2024-H1"'):
        store.rename_round(con, "2023-H1", "2024-H1")


def test_undated_rounds_of_an_older_database_get_a_date_on_upgrade(db_file, model):
    old = duckdb.connect(str(db_file))
    store.migrate(old, target=4)
    old.execute("INSERT INTO rounds (name, created_at) VALUES ('2024-H2', '2024-01-01'), ('Kickoff', '2025-03-01')")
    old.execute("INSERT INTO rounds (name, created_at) VALUES ('Retro', '2025-03-01')")
    old.execute(
        """INSERT INTO responses (import_id, round_id, team_id, respondent, rater, item_key, level, assessed_on)
           VALUES (1, 3, 1, 'r', 'team', 'OBS-1', 2, '2022-06-30')"""
    )
    old.close()
    con = store.connect(db_file, model)
    held = dict(store.rows(con, "SELECT name, held_on FROM rounds"))
    assert held == {"2024-H2": date(2024, 7, 1), "Kickoff": date(2025, 3, 1), "Retro": date(2022, 6, 30)}
    assert store.rounds(con)["name"].tolist() == ["Retro", "2024-H2", "Kickoff"]


def test_a_half_or_quarter_that_does_not_exist_is_found_in_a_round_name():
    from opmaturity.rounds import odd_part

    assert [odd_part(n) for n in ("2024-H3", "２０２４-Ｑ５", "FY2024 H0", "2024 q7")] == ["H3", "Q5", "H0", "q7"]
    assert [odd_part(n) for n in ("2024-H1", "2024-H2", "2024-Q4", "FY2024-2H", "2024年度上期", "Sprint 12")] == [
        None] * 6  # fmt: skip
