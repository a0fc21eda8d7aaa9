"""Improvement actions: their life cycle, checks in the user's words, and who changed them when."""

from datetime import date

import pytest

from opmaturity import actions, auth, reports, store, views
from opmaturity.batch import Answer, Batch
from opmaturity.errors import OpmaturityError


@pytest.fixture
def org(con):
    batch = Batch(file="a.csv", layout="tidy", sha256="a" * 64,
                  answers=[Answer("学び放題", "検索チーム", "r1", "team", "OBS-1", 1)])  # fmt: skip
    store.commit_batch(con, batch, "2024-H1")
    return con


def test_an_action_lives_from_todo_to_done_and_records_who_changed_it(org):
    action_id = actions.add_action(org, "学び放題", "検索チーム", title="ダッシュボードを作る", item="OBS-1",
                                   owner="山田", due="2024-09-30", actor=auth.Actor("sre-lead", auth.ALL))  # fmt: skip
    listed = actions.list_actions(org, "学び放題", "検索チーム", today=date(2024, 10, 1))
    entry = listed.iloc[0]
    assert (entry["id"], entry["item"], entry["status"], entry["round"]) == (action_id, "OBS-1", "todo", "2024-H1")
    assert entry["open"] and entry["overdue"]  # due 30 September, not done on 1 October
    actions.set_action(org, action_id, actions.ActionChange(status="done", note="公開済み"),
                       actor=auth.Actor("山田", auth.ALL))  # fmt: skip
    entry = actions.list_actions(org, today=date(2024, 10, 1)).iloc[0]
    assert (entry["status"], entry["note"], bool(entry["open"]), bool(entry["overdue"])) == (
        "done", "公開済み", False, False,
    )  # fmt: skip
    assert store.rows(org, "SELECT created_by, updated_by FROM actions") == [("sre-lead", "山田")]
    assert actions.action_counts(org, today=date(2024, 10, 1)) == {"open": 0, "overdue": 0}


def test_the_list_has_exactly_the_columns_the_command_line_promises(org):
    actions.add_action(org, "学び放題", "検索チーム", title="x")
    assert list(actions.list_actions(org).columns[: len(actions.COLUMNS)]) == actions.COLUMNS


def test_open_actions_come_first_doing_before_todo_then_by_due_date(org):
    for title, status, due in (("c", "done", "2024-01-01"), ("b", "todo", "2024-08-01"), ("a", "doing", "2024-12-01"),
                               ("d", "todo", "2024-07-01")):  # fmt: skip
        actions.add_action(org, "学び放題", "検索チーム", title=title, status=status, due=due)
    assert actions.list_actions(org)["title"].tolist() == ["a", "d", "b", "c"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " "}, "needs a title"),
        ({"title": "x", "status": "planned"}, "todo, doing, done"),
        ({"title": "x", "due": "30/09/2024"}, "YYYY-MM-DD"),
        ({"title": "x", "item": "OBS-99"}, 'no item "OBS-99"'),
    ],
)
def test_a_wrong_action_is_refused_saying_what_is_accepted(org, kwargs, message):
    with pytest.raises(OpmaturityError, match=message):
        actions.add_action(org, "学び放題", "検索チーム", **kwargs)
    assert store.scalar(org, "SELECT count(*) FROM actions") == 0


def test_an_action_for_an_unknown_team_or_id_names_it(org):
    with pytest.raises(OpmaturityError, match='no team "Nope"'):
        actions.add_action(org, "学び放題", "Nope", title="x")
    with pytest.raises(OpmaturityError, match="no action #42"):
        actions.set_action(org, 42, actions.ActionChange(status="done"))


def test_clearing_owner_and_due_takes_them_away(org):
    action_id = actions.add_action(org, "学び放題", "検索チーム", title="x", owner="山田", due=date(2024, 9, 1))
    actions.set_action(org, action_id, actions.ActionChange(owner="", due=""))
    assert store.rows(org, "SELECT owner, due FROM actions") == [(None, None)]


# --- did the items with finished actions move? ----------------------------------------------------


def _answers(con, round_name: str, sha: str, levels: dict[tuple[str, str], int | None]) -> None:
    """Commit one round's answers: (respondent, item) -> level; respondent "sre" answers as SRE."""
    responses = [
        Answer("学び放題", "検索チーム", who, "sre" if who == "sre" else "team", item, level)
        for (who, item), level in levels.items()
    ]
    store.commit_batch(con, Batch(file=f"{sha}.csv", layout="tidy", sha256=sha * 64, answers=responses), round_name)


@pytest.fixture
def two_rounds(con):
    _answers(con, "2024-H1", "a", {("r1", "OBS-1"): 1, ("r2", "OBS-1"): 2, ("r3", "OBS-1"): 2, ("sre", "OBS-1"): 1,
                                   ("r1", "OBS-2"): 3})  # fmt: skip
    _answers(con, "2024-H2", "b", {("r1", "OBS-1"): 2, ("r2", "OBS-1"): 3, ("r3", "OBS-1"): 4, ("sre", "OBS-1"): 3,
                                   ("r1", "OBS-3"): 2})  # fmt: skip
    return con


def test_a_finished_action_shows_how_far_its_item_moved_by_the_next_round(two_rounds):
    done = actions.add_action(two_rounds, "学び放題", "検索チーム", title="a", item="OBS-1", status="done",
                              round_name="2024-H1")  # fmt: skip
    actions.add_action(two_rounds, "学び放題", "検索チーム", title="open", item="OBS-1", round_name="2024-H1")
    progress = actions.action_progress(two_rounds, "学び放題", "検索チーム")
    assert progress["id"].tolist() == [done]  # open actions are not asked yet
    row = progress.iloc[0]
    # team: (1 + 2 + 2) / 3 = 1.667 in 2024-H1, (2 + 3 + 4) / 3 = 3.0 in 2024-H2: +1.333; SRE 1 -> 3: +2.0
    assert (row["round"], row["next_round"]) == ("2024-H1", "2024-H2")
    assert row["level_before"] == pytest.approx(5 / 3) and row["level_after"] == pytest.approx(3.0)
    assert row["moved"] == pytest.approx(4 / 3) and row["sre_moved"] == pytest.approx(2.0)
    tr = reports.translator("en")
    assert reports.progress_texts(progress, tr) == {done: "↑ +1.3 (SRE ↑ +2.0)"}
    assert reports.progress_texts(progress, reports.translator("ja")) == {done: "↑ +1.3（SRE ↑ +2.0）"}


def test_an_item_not_rated_again_or_an_action_of_the_latest_round_has_no_answer_yet(two_rounds):
    unrated = actions.add_action(two_rounds, "学び放題", "検索チーム", title="b", item="OBS-2", status="done",
                                 round_name="2024-H1")  # fmt: skip
    latest = actions.add_action(two_rounds, "学び放題", "検索チーム", title="c", item="OBS-1", status="done")
    new = actions.add_action(two_rounds, "学び放題", "検索チーム", title="d", item="OBS-3", status="done",
                             round_name="2024-H1")  # fmt: skip
    progress = actions.action_progress(two_rounds)
    following = progress.set_index("id")["next_round"].fillna("(none)").to_dict()
    assert following == {unrated: "2024-H2", latest: "(none)", new: "2024-H2"}
    assert reports.progress_texts(progress, reports.translator("en")) == {
        unrated: "no answer yet",  # OBS-2 was rated 3 in 2024-H1 and not at all in 2024-H2
        latest: "no answer yet",  # agreed in 2024-H2, the latest round: there is no next round yet
        new: "now 2.0 (no answer before)",
    }


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [(1.0, 1.7, "↑ +0.7"), (2.5, 2.2, "↓ -0.3"), (2.0, 2.04, "→ ±0.0"), (None, 3.0, "now 3.0 (no answer before)"),
     (2.0, None, "no answer yet"), (2.0, float("nan"), "no answer yet")],
)  # fmt: skip
def test_the_move_reads_with_an_arrow_and_one_decimal(before, after, said):
    assert views.moved_text(before, after, reports.translator("en")) == said
