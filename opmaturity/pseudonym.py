"""Keyed pseudonyms for respondents: the same person maps to the same token, nobody can reverse it."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from .text import normalize


def secret_key(secret: str | None, path: Path) -> bytes:
    """The pseudonym key: `secret` ($OPMATURITY_SECRET, Settings.key), else the key in `path` (created on first
    use, mode 600)."""
    if secret:
        return secret.encode("utf-8")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")


def pseudonym(identity: str, key: bytes) -> str:
    """`p-` and 16 hex digits of HMAC-SHA256 over the normalised e-mail or name."""
    return "p-" + hmac.digest(key, normalize(identity).encode("utf-8"), "sha256")[:8].hex()
