"""Rights, sign-in and the audit: the core refuses a change from a session without the right, leaves the database
as it was, and records who changed what when a change stands."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest

from opmaturity import actions, audit, auth, feedback, importer, store
from opmaturity.batch import Answer, Batch, Note
from opmaturity.errors import OpmaturityError
from opmaturity.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
VIEWER = auth.VIEWER
ADMIN = auth.Actor("sre-lead@example.com", auth.ALL)
MEMBER = auth.Actor("dev@example.com", frozenset(), frozenset({("学び放題", "検索チーム")}))


class Clock:
    """A clock the test moves by hand (no waiting, no timing)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- configuration and identities ------------------------------------------------------------------------------


def test_nothing_configured_is_local_mode():
    config = auth.access({})
    assert (config.mode, config.configured) == ("local", False)


def test_a_password_in_the_environment_beats_the_one_in_the_secrets():
    secrets = {"admin_password": "from-secrets", "opmaturity": {"admin_password": "nested"}}
    from_env = Settings.from_env({"OPMATURITY_ADMIN_PASSWORD": "from-env"}).admin_password
    assert auth.access(secrets, from_env).password == "from-env"
    assert auth.access(secrets).password == "from-secrets"
    assert auth.access({"opmaturity": {"admin_password": "nested"}}).password == "nested"
    assert auth.access(secrets).mode == "password"


def test_an_auth_section_means_the_identity_provider_decides_and_admins_are_matched_without_case():
    secrets = {
        "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"},
        "opmaturity": {"admins": [" SRE-Lead@Example.com "], "provider": "google",
                       "team_members": {"学び放題": {"検索チーム": ["Dev@example.com"]}}},
    }  # fmt: skip
    config = auth.access(secrets)
    assert (config.mode, config.provider) == ("oidc", "google")
    assert auth.identity(config, "sre-lead@EXAMPLE.com") == auth.Actor("sre-lead@example.com", auth.ALL)
    member = auth.identity(config, "dev@example.com")
    assert member.rights == frozenset() and member.can("change", ("学び放題", "検索チーム"))
    assert not member.can("change", ("学び放題", "決済チーム")) and not member.can("change")
    stranger = auth.identity(config, "someone@example.com")
    assert not stranger.can("change") and not stranger.can("answers") and stranger.name == "someone@example.com"
    assert auth.identity(config, None) == auth.VIEWER


def test_the_password_is_compared_whole():
    config = auth.access({}, "correct horse")
    assert auth.password_matches(config, "correct horse")
    assert not auth.password_matches(config, "correct hors")
    assert not auth.password_matches(config, "correct horse ")
    assert not auth.password_matches(auth.access({}), "")  # no password set: nothing matches, not even ""


@pytest.mark.parametrize(("address", "headers", "key"), [
    ("203.0.113.9", {"X-Forwarded-For": "10.0.0.1"}, "ip:203.0.113.9"),  # a remote peer: its own address
    (None, {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}, "ip:203.0.113.9"),  # the hop the local proxy added
    (None, {"X-Forwarded-For": "203.0.113.9"}, "ip:203.0.113.9"),
    (None, {"X-Real-IP": "2001:db8::1"}, "ip:2001:db8::1"),
    (None, {"X-Forwarded-For": "<script>, not-an-address"}, "local"),  # nothing usable: this machine as a whole
    (None, {}, "local"),  # a browser on this machine: every session of it together, never one key per session
])  # fmt: skip
def test_a_lock_out_binds_the_address_a_local_proxy_forwards_else_this_machine(address, headers, key):
    assert auth.client_key(address, headers) == key


def test_five_wrong_passwords_lock_the_client_out_for_five_minutes_even_with_the_right_one():
    config, clock = auth.access({}, "pw"), Clock()
    lockout = auth.Lockout(clock=clock)
    said = []
    for _ in range(5):
        with pytest.raises(OpmaturityError) as refused:
            auth.sign_in(config, lockout, "ip:10.0.0.7", "guess")
        said.append(refused.value.title_text("en"))
    assert said[0] == "Wrong password. 4 more wrong tries lock sign-in for a while."
    assert said[3] == "Wrong password. 1 more wrong try locks sign-in for a while."
    assert said[4] == "Sign-in is locked after 5 wrong passwords. Try again in 5 min."
    with pytest.raises(OpmaturityError, match="locked"):
        auth.sign_in(config, lockout, "ip:10.0.0.7", "pw")
    assert auth.sign_in(config, lockout, "ip:10.0.0.8", "pw") == auth.password_admin()  # another client is not
    clock.now += 240
    with pytest.raises(OpmaturityError, match="Try again in 1 min"):
        auth.sign_in(config, lockout, "ip:10.0.0.7", "pw")
    clock.now += 61
    assert auth.sign_in(config, lockout, "ip:10.0.0.7", "pw").name == "admin (password)"


def test_a_right_password_forgets_the_earlier_failures():
    config, lockout = auth.access({}, "pw"), auth.Lockout(clock=Clock())
    for _ in range(4):
        with pytest.raises(OpmaturityError):
            auth.sign_in(config, lockout, "s", "x")
    auth.sign_in(config, lockout, "s", "pw")
    assert lockout.tries_left("s") == 5


def test_the_command_line_is_the_operator_with_every_right():
    operator = auth.require(None, "change")
    assert operator.rights == auth.ALL and operator.name


# --- the core refuses, and nothing changes --------------------------------------------------------------------


@pytest.fixture
def org(con):
    batch = Batch(file="a.csv", layout="tidy", sha256="a" * 64,
                  answers=[Answer("学び放題", "検索チーム", "r1", "team", "OBS-1", 1)],
                  notes=[Note("ログが見づらい", "学び放題", "検索チーム")])  # fmt: skip
    store.commit_batch(con, batch, "2024-H1", actor=ADMIN)
    actions.add_action(con, "学び放題", "検索チーム", title="ダッシュボードを作る", actor=ADMIN)
    return con


def snapshot(con) -> dict[str, list[tuple]]:
    """Every table's rows: a refused change must leave each exactly as it was."""
    tables = [r[0] for r in store.rows(con, "SELECT table_name FROM duckdb_tables() ORDER BY table_name")]
    return {t: sorted(map(repr, store.rows(con, f"SELECT * FROM {t}"))) for t in tables}  # names from the catalog


def changes(con):
    """Every change entry point a page calls, as a viewer would call it."""
    note_id = store.scalar(con, "SELECT min(note_id) FROM notes")
    action_id = store.scalar(con, "SELECT min(action_id) FROM actions")
    tidy = "product,team,respondent,rater,item,level\n学び放題,検索チーム,r2,team,OBS-1,3\n".encode()
    return {
        "import": lambda a: importer.import_file(con, "b.csv", tidy, _model(), importer.ImportOptions(), actor=a),
        "undo": lambda a: store.undo_import(con, 1, actor=a),
        "target": lambda a: store.set_target(con, 3, tier="T1", actor=a),
        "tier": lambda a: store.set_product_tier(con, "学び放題", "T1", actor=a),
        "round date": lambda a: store.set_round_date(con, "2024-H1", date(2024, 2, 1), actor=a),
        "round name": lambda a: store.rename_round(con, "2024-H1", "2024 前期", actor=a),
        "relink": lambda a: feedback.relink_note(con, note_id, "OBS-2", actor=a),
        "action add": lambda a: actions.add_action(con, "学び放題", "検索チーム", title="x", actor=a),
        "action set": lambda a: actions.set_action(con, action_id, actions.ActionChange(status="done"), actor=a),
        "mapping": lambda a: store.remember_mapping(con, "slo", "OBS-1", actor=a),
        "mapping forget": lambda a: store.forget_mappings(con, ["slo"], actor=a),
    }


def _model():
    from opmaturity.model import load_model

    return load_model()


@pytest.mark.parametrize("what", ["import", "undo", "target", "tier", "round date", "round name", "relink",
                                  "action add", "action set", "mapping", "mapping forget"])  # fmt: skip
def test_a_viewer_is_refused_every_change_and_the_database_stays_as_it_was(org, what):
    before = snapshot(org)
    with pytest.raises(OpmaturityError) as refused:
        changes(org)[what](VIEWER)
    assert refused.value.title_text("en") == "Only an admin can change data."
    assert (
        refused.value.text("ja", "page")
        == "データの変更には管理者の権限が必要です。\n- サイドバーから管理者としてサインインしてください。"
    )
    assert snapshot(org) == before


def test_a_teams_member_keeps_its_actions_but_nothing_else(org):
    action_id = actions.add_action(org, "学び放題", "検索チーム", title="SLOを決める", actor=MEMBER)
    actions.set_action(org, action_id, actions.ActionChange(status="doing"), actor=MEMBER)
    assert store.rows(org, "SELECT created_by, updated_by, status FROM actions WHERE action_id = ?", [action_id]) == [
        ("dev@example.com", "dev@example.com", "doing")
    ]
    with pytest.raises(OpmaturityError):
        store.set_target(org, 3, tier="T1", actor=MEMBER)
    store.commit_batch(org, Batch(file="c.csv", layout="tidy", sha256="c" * 64,
                                  answers=[Answer("学び放題", "決済チーム", "r1", "team", "OBS-1", 2)]),
                       "2024-H1", actor=ADMIN)  # fmt: skip
    with pytest.raises(OpmaturityError):
        actions.add_action(org, "学び放題", "決済チーム", title="他チームのアクション", actor=MEMBER)


def test_a_viewers_dry_run_changes_nothing_and_is_allowed(org):
    before = snapshot(org)
    tidy = "product,team,respondent,rater,item,level\n学び放題,検索チーム,r2,team,OBS-1,3\n".encode()
    options = importer.ImportOptions(dry_run=True)
    report = importer.import_file(org, "b.csv", tidy, _model(), options, actor=VIEWER)
    assert report.status == "imported" and report.answered == 1
    assert snapshot(org) == before


# --- the audit ---------------------------------------------------------------------------------------------------


def test_every_change_says_who_did_what_and_when(org):
    for what, change in changes(org).items():
        if what != "undo":
            change(ADMIN)
    store.undo_import(org, 1)  # the command line: the operator
    log = audit.recent(org)
    assert list(log["action"][::-1]) == ["import", "action_add", "import", "target", "tier", "round_date",
                                         "round_name", "relink", "action_add", "action_set", "mapping",
                                         "mapping_forget", "undo"]  # fmt: skip
    assert set(log["actor"][1:]) == {"sre-lead@example.com"} and log["actor"][0] == auth.operator().name
    assert log["subject"][0] == "#1 a.csv" and log["changed_at"].notna().all()
    first = log.iloc[-1]
    assert json.loads(first["detail"]) == {"answers": 1, "notes": 1, "replaced": 0, "round": "2024-H1"}
    target = log[log["action"] == "target"].iloc[0]
    assert (target["subject"], json.loads(target["detail"])) == ("tier T1", {"level": 3, "tier": "T1"})
    assert store.scalar(org, "SELECT imported_by FROM imports WHERE import_id = 1") == "sre-lead@example.com"


def test_a_change_that_fails_leaves_no_audit_entry(org):
    count = len(audit.recent(org))
    with pytest.raises(OpmaturityError):
        store.set_target(org, 9, tier="T1", actor=ADMIN)  # above the scale
    with pytest.raises(OpmaturityError):
        feedback.relink_note(org, 999, "OBS-1", actor=ADMIN)
    assert len(audit.recent(org)) == count


def test_a_dry_run_leaves_no_audit_entry(org):
    count = len(audit.recent(org))
    tidy = "product,team,respondent,rater,item,level\n学び放題,検索チーム,r2,team,OBS-1,3\n".encode()
    importer.import_file(org, "b.csv", tidy, _model(), importer.ImportOptions(dry_run=True), actor=ADMIN)
    assert len(audit.recent(org)) == count


# --- the pages pass the session's actor --------------------------------------------------------------------------

CHANGES = {"import_file", "import_files", "commit_batch", "undo_import", "set_target", "set_product_tier",
           "rename_round", "set_round_date", "relink_note", "add_action", "set_action", "remember_mapping",
           "forget_mappings", "load_demo", "save", "save_tier_item_targets", "replace_database",
           "backup_archive"}  # fmt: skip


def test_every_change_the_dashboard_makes_names_the_sessions_actor():
    """A page that forgot `actor=` would change data as the machine's operator: every call must pass it."""
    calls = []
    for path in [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), ROOT / "opmaturity" / "ui.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in CHANGES:
                    calls.append((path.name, node.lineno, any(k.arg == "actor" for k in node.keywords)))
    assert len(calls) >= 10
    assert [c for c in calls if not c[2]] == []


def test_members_listed_under_a_teams_old_name_keep_its_actions_after_a_rename():
    """The secrets list a team's members by product and team name: after 検索チーム was merged into 検索・推薦チーム
    its members could no longer keep its actions until an admin edited the secrets."""
    from opmaturity.auth import Actor, with_renamed

    member = Actor("a@x.jp", frozenset(), frozenset({("学び放題", "検索チーム")}))
    renamed = with_renamed(member, {("学び放題", "検索チーム"): "検索・推薦チーム", ("他", "検索チーム"): "x"})
    assert renamed.can("change", ("学び放題", "検索・推薦チーム")) and renamed.can("change", ("学び放題", "検索チーム"))
    assert not renamed.can("change", ("他", "x")) and not renamed.can("change", ("学び放題", "決済チーム"))
    assert with_renamed(member, {}) is member
