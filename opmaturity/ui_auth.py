"""The dashboard's side of access control (it imports streamlit): who this session is, and the sign-in in the
sidebar. What each kind of session may do is decided in `auth`; the core checks it again on every change.

- An identity provider (`[auth]` in .streamlit/secrets.toml, Streamlit's OIDC): `st.login` / `st.logout`; the
  e-mails in `[opmaturity] admins` may change, a team's members (`[opmaturity.team_members]`) keep its actions.
- Else a shared admin password ($OPMATURITY_ADMIN_PASSWORD or `admin_password` in the secrets): a sign-in form,
  locked for a while after repeated failures from one address (behind a proxy on this machine: the address it
  forwards; else this machine as a whole).
- Else local mode: whoever reaches the dashboard from this machine may change; the sidebar says so.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from . import auth, store, ui
from .errors import OpmaturityError

SIGNED_IN_KEY = "auth_password_admin"  # set only by a correct password (no widget has this key)


def access() -> auth.Access:
    """How this dashboard is configured: identity provider, password or local mode."""
    return auth.access(ui.secrets(), ui.settings().admin_password)


@st.cache_resource(show_spinner=False)
def _lockout() -> auth.Lockout:
    """Failed password sign-ins, shared by every session of this server process."""
    return auth.Lockout()


def _address() -> str | None:
    """The client's address, None from this machine (Streamlit gives None for localhost; AppTest a mock)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def _client() -> str:
    """Whom a lock-out binds (`auth.client_key`): the client's address, the one a proxy on this machine forwards,
    else this machine."""
    return auth.client_key(_address(), st.context.headers or {})


def _email() -> str | None:
    """The e-mail the identity provider vouches for, or None (not signed in, or an unverified address)."""
    if not getattr(st.user, "is_logged_in", False):
        return None
    if st.user.get("email_verified") is False:
        return None
    email = st.user.get("email")
    return str(email) if email else None


def actor() -> auth.Actor:
    """Who this session is and what they may do."""
    config = access()
    if config.mode == "local":  # a visitor from another machine (the server told to listen wider) only views
        return auth.VIEWER if _address() else auth.local()
    if config.mode == "oidc":
        found = auth.identity(config, _email())
        # members listed under a team's old name keep its actions after a rename (store.team_aliases)
        return auth.with_renamed(found, ui.query(store.renamed_teams)) if found.teams else found
    return auth.password_admin() if st.session_state.get(SIGNED_IN_KEY) else auth.VIEWER


def can(right: str, team: auth.Team | None = None) -> bool:
    """True when this session holds `right` (for one team's actions: or belongs to that team)."""
    return actor().can(right, team)


def closed_page(title: str) -> Callable[[], None]:
    """What a Manage page's address shows to who may not change data: its title and why it is closed, and how to
    open it (a link to it, followed by a viewer, ran the Overview without a word). Signing in in the sidebar runs
    the page itself at the same address."""

    def closed() -> None:
        from .ui import tr

        st.title(title)
        if access().mode == "local":  # no sign-in set up: only the machine that runs the dashboard may change
            st.info(tr("auth.local_remote"), icon=":material/lock:")
        else:
            st.info(tr("auth.manage_closed"), icon=":material/lock:")

    return closed


def sidebar() -> auth.Actor:
    """The sidebar's account section: local mode said plainly, or who is signed in and the way to sign in or
    out. Returns this session's actor."""
    from .ui import show_error, tr

    config = access()
    with st.sidebar:
        st.divider()
        if config.mode == "local":
            # A caption, not an alert box: the pages' own warnings stay the only ones on the page.
            if _address():
                st.caption(":material/visibility: " + tr("auth.local_remote"))
            else:
                st.caption(":material/lock_open: **" + tr("auth.local") + "**")
            return actor()
        if config.mode == "oidc":
            _identity_section(config)
            return actor()
        if st.session_state.get(SIGNED_IN_KEY):
            st.caption(tr("auth.signed_in_password"))
            if st.button(tr("auth.sign_out"), key="auth_sign_out", icon=":material/logout:"):
                st.session_state.pop(SIGNED_IN_KEY, None)
                st.rerun()
            return actor()
        st.caption(tr("auth.viewing"))
        with st.form("auth_sign_in", clear_on_submit=True, border=False):
            given = st.text_input(tr("auth.password"), type="password", key="auth_password")
            submitted = st.form_submit_button(tr("auth.sign_in"), icon=":material/login:")
        if submitted:
            try:
                auth.sign_in(config, _lockout(), _client(), given or "")
                st.session_state[SIGNED_IN_KEY] = True
                st.rerun()
            except OpmaturityError as error:
                show_error(error)
    return actor()


def _identity_section(config: auth.Access) -> None:
    from .ui import escape_markdown, tr

    email = _email()
    if email is None:
        st.caption(tr("auth.viewing"))
        if st.button(tr("auth.sign_in_provider"), key="auth_login", icon=":material/login:"):
            if config.provider:  # a named provider: [auth.<provider>]
                st.login(config.provider)
            else:
                st.login()
        return
    who = auth.identity(config, email)
    role = "admin" if who.can("change") else "member" if who.teams else "viewer"
    st.caption(tr(f"auth.signed_in.{role}", email=escape_markdown(email)))
    if st.button(tr("auth.sign_out"), key="auth_logout", icon=":material/logout:"):
        st.logout()
