"""In a real browser, with an admin password configured: a viewer sees no Manage page and no change control,
even at the Import page's own address; signing in in the sidebar brings them, signing out takes them away."""

from __future__ import annotations

import pytest
from browser_support import MISSING, chromium_page, dashboard, demo_database, open_page, settled

PASSWORD = "browser admin password"
TEAM = (
    "/team?lang=English&product=%E5%AD%A6%E3%81%B3%E6%94%BE%E9%A1%8C&team=%E6%A4%9C%E7%B4%A2%E3%83%81%E3%83%BC%E3%83%A0"
)

pytestmark = pytest.mark.browser
if MISSING:
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason="Debian chromium is not installed")]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo dashboard with an admin password, served by `streamlit run`."""
    db = demo_database(tmp_path_factory.mktemp("browser_auth"))
    with dashboard(db, {"OPMATURITY_ADMIN_PASSWORD": PASSWORD}) as url:
        yield url


@pytest.fixture
def page(server):
    with chromium_page() as tab:
        yield tab


def test_a_viewer_sees_no_change_control_and_an_admin_signs_in_for_them(server, page):
    from playwright.sync_api import expect

    open_page(page, server + TEAM)
    expect(page.locator("h1").first).to_have_text("Team")
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav).to_contain_text("Overview")
    assert nav.get_by_text("Import").count() == 0 and nav.get_by_text("Model").count() == 0
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Agreed improvement actions").first).to_be_visible()
    for control in ("Add the action", "Save changes to actions", "Download the hearing sheet (Excel)"):
        assert main.get_by_role("button", name=control).count() == 0, control
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("You are viewing. Admins sign in to import and edit.")).to_be_visible()

    sidebar.get_by_label("Admin password").fill("not the password")
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("Wrong password. 4 more wrong tries lock sign-in for a while.")).to_be_visible(
        timeout=30_000
    )
    assert nav.get_by_text("Import").count() == 0

    sidebar.get_by_label("Admin password").fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("Signed in as admin (password)")).to_be_visible(timeout=30_000)
    settled(page)
    expect(nav.get_by_text("Import")).to_be_visible()
    expect(main.get_by_role("button", name="Add the action")).to_be_visible()
    expect(main.get_by_role("button", name="Download the hearing sheet (Excel)")).to_be_visible()

    nav.get_by_text("Import").click()  # within the session: the sign-in holds
    expect(page.locator("h1").first).to_have_text("Import", timeout=60_000)
    expect(main.get_by_text("Change log")).to_be_visible()

    sidebar.get_by_role("button", name="Sign out").click()
    expect(sidebar.get_by_text("You are viewing. Admins sign in to import and edit.")).to_be_visible(timeout=30_000)
    # still at the Import page's address, which now says it is closed, and no longer offers to import
    expect(main.get_by_text("This page is for admins. Sign in as an admin in the sidebar to open it.")).to_be_visible(
        timeout=30_000
    )
    assert main.locator('[data-testid="stFileUploader"]').count() == 0
    assert nav.get_by_text("Import").count() == 0


def test_the_import_pages_address_shows_a_viewer_no_import_and_says_why_then_opens_once_signed_in(server, page):
    """A viewer following a link to a Manage page was taken to the Overview without a word (an outside review)."""
    from playwright.sync_api import expect

    open_page(page, server + "/import?lang=English")
    settled(page)
    main = page.locator('[data-testid="stMain"]')
    expect(page.locator("h1").first).to_have_text("Import")
    expect(main.get_by_text("This page is for admins. Sign in as an admin in the sidebar to open it.")).to_be_visible()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("Import").count() == 0  # still not in the menu
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label("Admin password").fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    expect(page.locator('[data-testid="stFileUploader"]').first).to_be_visible(timeout=60_000)  # the page itself
    assert main.get_by_text("This page is for admins.").count() == 0
