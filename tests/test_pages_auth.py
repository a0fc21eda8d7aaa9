"""Sign-in on the pages (AppTest): with a password configured a viewer sees no Manage pages and no change
control, the right password shows them, five wrong ones lock sign-in; with nothing configured the sidebar says
that the dashboard is open to anyone on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from opmaturity import ui, ui_auth

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
TEAM = {"product": "学び放題", "team": "検索チーム"}


@pytest.fixture
def guarded(demo_db, monkeypatch):
    """The demo dashboard with an admin password configured, and no failed sign-in counted yet (every AppTest
    session comes from this machine: one lock-out key for all of them)."""
    monkeypatch.setenv("OPMATURITY_ADMIN_PASSWORD", PASSWORD)
    ui_auth._lockout.clear()
    yield demo_db
    ui_auth._lockout.clear()


def app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def visit(at: AppTest, page: str, query: dict[str, str] | None = None) -> AppTest:
    at.switch_page(f"app_pages/{page}.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def sign_in(at: AppTest, password: str) -> AppTest:
    at.sidebar.text_input(key="auth_password").input(password)
    [b for b in at.sidebar.button if b.label == "サインイン"][0].click()
    return at.run()


def sidebar_text(at: AppTest) -> str:
    parts = [*at.sidebar.caption, *at.sidebar.warning, *at.sidebar.info, *at.sidebar.error]
    return "\n".join(str(p.value) for p in parts)


def controls(at: AppTest) -> dict[str, object]:
    """What a viewer must not see on the Team and Feedback pages."""
    return {
        "editors": len(at.get("data_editor")) * ["editor"],
        "buttons": sorted(b.label for b in at.button if b.label != "サインイン"),
        "downloads": sorted(d.proto.label for d in at.get("download_button")),
    }


def test_a_viewer_sees_no_manage_page_and_no_change_control(guarded):
    at = app()
    assert not at.exception
    assert "閲覧中です" in sidebar_text(at)
    # the round's report holds every answer: a viewer could download it from the Overview (an outside review)
    assert controls(at)["downloads"] == []
    for page in ("import_page", "model_page"):  # not in the menu, and not at their address either
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{page}.py")
    visit(at, "team", TEAM)
    assert not at.exception
    shown = controls(at)
    assert shown["editors"] == [] and shown["buttons"] == []
    assert shown["downloads"] == ["データをCSVでダウンロード", "記入用ワークブック（Excel）"]  # no hearing sheet
    assert any("アクション" in df.value.columns for df in at.dataframe)  # the actions, read-only
    visit(at, "feedback")
    assert not at.exception and not at.get("data_editor")
    assert "項目の紐付けを変更する" not in [e.label for e in at.expander]
    at.session_state["relink"] = True  # a crafted widget state opens nothing either
    at.run()
    assert not at.exception and not at.get("data_editor")


def _closed_model_page() -> None:  # run by AppTest as a script of its own
    from opmaturity import ui, ui_auth

    ui.begin_run()
    ui.sidebar()
    ui_auth.closed_page(ui.tr("nav.model"))()
    ui.end_run()


@pytest.mark.parametrize(
    ("admin_password", "lang", "said"),
    [
        (PASSWORD, "日本語", "このページは管理者だけが使えます。サイドバーから管理者としてサインインすると開きます。"),
        (PASSWORD, "English", "This page is for admins. Sign in as an admin in the sidebar to open it."),
        (None, "English", "View only: sign-in is not set up, so data can be changed only on the machine that runs"),
    ],
)
def test_a_manage_pages_address_tells_who_may_not_manage_why_it_is_closed(demo_db, monkeypatch, admin_password,
                                                                            lang, said):  # fmt: skip
    """What a viewer's session shows at /import, /model or /backup (app.py registers it there, hidden from the
    menu; the browser test follows such a link): the page's title and why it is closed, never its controls."""
    if admin_password:
        monkeypatch.setenv("OPMATURITY_ADMIN_PASSWORD", admin_password)
    at = AppTest.from_function(_closed_model_page, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert at.title[0].value == ("モデル" if lang == "日本語" else "Model")
    assert at.info[0].value.startswith(said)
    assert not at.get("file_uploader") and not at.button


def test_the_right_password_shows_the_manage_pages_and_the_controls_until_sign_out(guarded):
    at = sign_in(app(), PASSWORD)
    assert not at.exception and not at.sidebar.error
    assert "管理者（パスワード）としてサインイン中" in sidebar_text(at)
    assert controls(at)["downloads"] == ["ラウンドのレポート（Excel）"]  # on the Overview
    visit(at, "import_page")
    assert [t.value for t in at.title] == ["データ取り込み"]
    assert "変更の記録" in [s.value for s in at.subheader]  # the audit, for admins
    visit(at, "team", TEAM)
    shown = controls(at)
    assert shown["editors"] == ["editor"] and "アクションを追加" in shown["buttons"]
    assert "ヒアリングシートをダウンロード（Excel）" in shown["downloads"]
    visit(at, "feedback")
    assert "項目の紐付けを変更する" in [e.label for e in at.expander]
    at.session_state["relink"] = True  # the box opened
    at.run()
    assert len(at.get("data_editor")) == 1
    [b for b in at.sidebar.button if b.label == "サインアウト"][0].click().run()
    assert not at.get("data_editor") and "閲覧中です" in sidebar_text(at)
    with pytest.raises(ValueError):
        at.switch_page("app_pages/import_page.py")


def test_five_wrong_passwords_lock_sign_in_even_for_the_right_one(guarded):
    at = app()
    said = [sidebar_text(sign_in(at, f"guess {n}")) for n in range(5)]
    assert "あと 4 回間違えると" in said[0] and "あと 1 回間違えると" in said[3]
    assert "パスワードを 5 回間違えたため、サインインできません。5 分後にもう一度お試しください。" in said[4]
    sign_in(at, PASSWORD)
    assert "サインインできません" in sidebar_text(at) and "管理者（パスワード）" not in sidebar_text(at)
    # A new session from the same place is no fresh five tries: behind a reverse proxy on the same machine every
    # visitor looks local, and the lock was per session there (an outside review signed in at once).
    fresh = sign_in(app(), PASSWORD)
    assert "サインインできません" in sidebar_text(fresh) and "管理者（パスワード）" not in sidebar_text(fresh)
    with pytest.raises(ValueError):
        at.switch_page("app_pages/import_page.py")


def test_local_mode_says_in_the_sidebar_that_anyone_on_this_machine_can_change(demo_db, monkeypatch):
    monkeypatch.delenv("OPMATURITY_ADMIN_PASSWORD", raising=False)
    at = app({"lang": "English"})
    assert "Local mode: anyone on this machine can change data." in sidebar_text(at)
    visit(at, "import_page")  # every page and control, as before sign-in existed
    assert not at.exception and "Change log" in [s.value for s in at.subheader]
    log = next(df.value for df in at.dataframe if "Who" in df.value.columns)
    assert len(log) and set(log["What"]) >= {"Import", "Target", "Action added"}  # the demo, by the operator


def test_an_admins_change_from_the_page_is_logged_under_the_password_admin(guarded):
    at = sign_in(app(), PASSWORD)
    visit(at, "model_page")
    at.selectbox(key="tier_product").set_value("社内ポータル").run()
    at.selectbox(key=ui.widget_key("tier_key", "社内ポータル")).set_value("T1")
    [b for b in at.button if b.label == "ティアを保存"][0].click().run()
    assert not at.exception
    visit(at, "import_page")
    log = next(df.value for df in at.dataframe if "変更した人" in df.value.columns)
    assert list(log.iloc[0][["変更した人", "操作", "対象", "内容"]]) == ["admin (password)", "ティア", "社内ポータル",
                                                                   "ティア: T1"]  # fmt: skip
