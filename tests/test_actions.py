"""Improvement actions: their life cycle, checks in the user's words, and who changed them when."""

from datetime import date

import pytest

from opmaturity import actions, auth, store
from opmaturity.batch import Batch, Response
from opmaturity.errors import OpmaturityError


@pytest.fixture
def org(con):
    batch = Batch(file="a.csv", layout="tidy", sha256="a" * 64,
                  responses=[Response("学び放題", "検索チーム", "r1", "team", "OBS-1", 1)])  # fmt: skip
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
