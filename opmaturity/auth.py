"""Who acts and what they may do: rights, the actors of the command line and the dashboard, the refusal.

Viewing is open to whoever reaches the dashboard. Changing data needs the right `change` (import, undo, relink
notes, targets, tiers, rounds, the model, actions), downloading answer-level data the right `answers`. A team's
own members (an optional allow-list of e-mails per team) may keep that team's actions. Every core function that
changes data takes an `actor` and calls `require` first; None stands for the operator at this machine's command
line, who may do everything. How the dashboard knows who is there (an identity provider, a shared admin
password, or nothing configured: local mode) is read from its secrets by `access`; the Streamlit side of it
lives in `ui_auth`.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import ipaddress
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import OpmaturityError, Problem
from .i18n import Message

RIGHTS = ("change", "answers")
ALL = frozenset(RIGHTS)
PASSWORD_ADMIN = "admin (password)"  # who an admin signed in with the shared password is, in the audit
LOCAL = "local"  # who changes data in local mode (nothing configured)
MAX_FAILURES = 5
LOCKOUT_SECONDS = 300

Team = tuple[str, str]  # (product, team)


@dataclass(frozen=True)
class Actor:
    """Someone acting: the name the audit records, their rights, and the teams whose actions they may keep."""

    name: str
    rights: frozenset[str] = frozenset()
    teams: frozenset[Team] = frozenset()

    def can(self, right: str, team: Team | None = None) -> bool:
        """True when the actor holds `right` (for `change` on one team's actions: or belongs to that team)."""
        return right in self.rights or (right == "change" and team is not None and team in self.teams)


VIEWER = Actor("")


def operator() -> Actor:
    """The person at this machine's command line (their login name): every right."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = ""
    return Actor(name or "operator", ALL)


def local() -> Actor:
    """A dashboard session in local mode (nothing configured, reached from this machine): every right."""
    return Actor(LOCAL, ALL)


def password_admin() -> Actor:
    """A dashboard session signed in with the shared admin password: every right."""
    return Actor(PASSWORD_ADMIN, ALL)


def require(actor: Actor | None, right: str, team: Team | None = None) -> Actor:
    """The actor (the command line's operator when None) when they hold `right`; an OpmaturityError otherwise."""
    actor = operator() if actor is None else actor
    if not actor.can(right, team):
        raise OpmaturityError.of("msg.auth.refused", [Problem.advise("sign_in")], right=Message(f"msg.auth.{right}"))
    return actor


# --- the dashboard's access configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """How the dashboard decides who may change data.

    mode: `oidc` (an identity provider in the `[auth]` secrets: admins are e-mails in `admins`), `password` (a
    shared admin password), or `local` (nothing configured: everyone on this machine may change).
    """

    mode: str
    admins: frozenset[str] = frozenset()
    password: str | None = field(default=None, repr=False)
    members: Mapping[Team, frozenset[str]] = field(default_factory=dict)
    provider: str | None = None

    @property
    def configured(self) -> bool:
        """True when changing needs a sign-in (an identity provider or a password is set up)."""
        return self.mode != "local"


def _emails(values: Any) -> frozenset[str]:
    if isinstance(values, str):
        values = [values]
    return frozenset(str(v).strip().lower() for v in values or () if str(v).strip())


def _members(table: Any) -> dict[Team, frozenset[str]]:
    """`[opmaturity.team_members."Product"] "Team" = ["a@example.com"]` as {(product, team): e-mails}."""
    found: dict[Team, frozenset[str]] = {}
    for product, teams in (table or {}).items():
        for team, emails in (teams or {}).items() if isinstance(teams, Mapping) else ():
            found[(str(product), str(team))] = _emails(emails)
    return found


def access(secrets: Mapping[str, Any], admin_password: str | None = None) -> Access:
    """The access configuration from the dashboard's secrets and `admin_password` (Settings.admin_password).

    An `[auth]` section (Streamlit's OIDC settings) means an identity provider; else a password from
    $OPMATURITY_ADMIN_PASSWORD, `admin_password` or `[opmaturity] admin_password`; else local mode.
    """
    ours = secrets.get("opmaturity") or {}
    ours = ours if isinstance(ours, Mapping) else {}
    password = admin_password or secrets.get("admin_password") or ours.get("admin_password")
    password = str(password) if password else None
    auth = secrets.get("auth")
    mode = "oidc" if isinstance(auth, Mapping) and auth else "password" if password else "local"
    provider = ours.get("provider")
    return Access(
        mode=mode, admins=_emails(ours.get("admins")), password=password, members=_members(ours.get("team_members")),
        provider=str(provider) if provider else None,
    )  # fmt: skip


def identity(config: Access, email: str | None) -> Actor:
    """The actor of someone the identity provider signed in: an admin, a member of some teams, or a viewer."""
    address = (email or "").strip().lower()
    if not address:
        return VIEWER
    if address in config.admins:
        return Actor(address, ALL)
    teams = frozenset(team for team, emails in config.members.items() if address in emails)
    return Actor(address, frozenset(), teams)


def with_renamed(actor: Actor, renamed: Mapping[Team, str]) -> Actor:
    """`actor` also a member of the teams its teams became: `renamed` maps (product, a name a team had before it
    was renamed or merged) to its name now (store.team_aliases), so that the members listed under the old name in
    the secrets keep their team's actions after a rename."""
    now = {(product, renamed[(product, name)]) for product, name in actor.teams if (product, name) in renamed}
    return replace(actor, teams=actor.teams | now) if now - actor.teams else actor


def password_matches(config: Access, given: str) -> bool:
    """True when `given` is the admin password; compared in constant time (digests, so lengths leak nothing)."""
    if not config.password:
        return False
    expected = hashlib.sha256(config.password.encode("utf-8")).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode("utf-8")).digest(), expected)


def client_key(address: str | None, headers: Mapping[str, str]) -> str:
    """Whom a lock-out binds: the client's address; from this machine (`address` None) the address a reverse
    proxy on it forwards (the last of X-Forwarded-For, the one it appended, else X-Real-IP), since behind such
    a proxy every visitor looks local; else every session from this machine together. It was one key per
    session from this machine: behind a local proxy a new session was a fresh five tries (an outside review)."""
    if address:
        return f"ip:{address}"
    forwarded = [part.strip() for part in (headers.get("X-Forwarded-For") or "").split(",")]
    for candidate in (forwarded[-1], (headers.get("X-Real-IP") or "").strip()):
        try:
            return f"ip:{ipaddress.ip_address(candidate)}"
        except ValueError:
            continue
    return "local"


class Lockout:
    """Failed sign-ins per key (a client address, else a session): `limit` failures in a row lock the key out
    for `seconds`. One per server process, shared by its sessions (thread-safe)."""

    def __init__(
        self, limit: int = MAX_FAILURES, seconds: float = LOCKOUT_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.seconds, self._clock = limit, seconds, clock
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked_for(self, key: str) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        with self._lock:
            left = self._until.get(key, 0.0) - self._clock()
            if left <= 0 and key in self._until:
                del self._until[key]
                self._failures.pop(key, None)
            return max(left, 0.0)

    def tries_left(self, key: str) -> int:
        """How many failures `key` has left before it is locked out."""
        with self._lock:
            return self.limit - self._failures.get(key, 0)

    def failed(self, key: str) -> None:
        """Count a failure; the last one allowed locks the key out."""
        with self._lock:
            self._failures[key] = self._failures.get(key, 0) + 1
            if self._failures[key] >= self.limit:
                self._until[key] = self._clock() + self.seconds

    def succeeded(self, key: str) -> None:
        """Forget the key's failures."""
        with self._lock:
            self._failures.pop(key, None)
            self._until.pop(key, None)


def sign_in(config: Access, lockout: Lockout, key: str, given: str) -> Actor:
    """The password admin when `given` is the password and `key` is not locked out; an OpmaturityError saying
    why not otherwise (a wrong password counts towards the lock-out)."""
    if lockout.locked_for(key):
        raise _locked(lockout, key)
    if password_matches(config, given):
        lockout.succeeded(key)
        return password_admin()
    lockout.failed(key)
    if lockout.locked_for(key):
        raise _locked(lockout, key)
    raise OpmaturityError.of("msg.auth.wrong_password", tries=lockout.tries_left(key))


def _locked(lockout: Lockout, key: str) -> OpmaturityError:
    minutes = max(1, math.ceil(lockout.locked_for(key) / 60))
    return OpmaturityError.of("msg.auth.locked", failures=lockout.limit, minutes=minutes)
