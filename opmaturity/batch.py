"""The canonical shape every layout parser produces: responses, notes and problems of one file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from .errors import Problem
from .i18n import Message


@dataclass
class Response:
    """One answer: a respondent's level for one item (level None = not applicable / blank)."""

    product: str
    team: str
    respondent: str  # already a pseudonym: never an e-mail or a name
    rater: str  # "team" or "sre"
    item: str  # item key
    level: int | None
    target: int | None = None
    importance: int | None = None
    comment: str | None = None
    assessed_on: date | None = None
    sheet: str = ""
    row: int | None = None


@dataclass
class Note:
    """One workshop sticky note; product and team where the file says."""

    text: str
    product: str | None = None
    team: str | None = None
    group: str | None = None
    tags: tuple[str, ...] = ()
    colour: str | None = None
    author: str | None = None  # a pseudonym, like respondents
    item: str | None = None  # linked model item key
    key: str | None = None  # the Miro item id, where the export has one (the note's natural key)
    sheet: str = ""
    row: int | None = None


@dataclass
class Batch:
    """What one file holds, ready to validate and commit in one transaction."""

    file: str
    layout: str
    sha256: str
    responses: list[Response] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)  # what the user should know (replaced, dropped)
    round: str | None = None  # named by the file or the user
    round_date: date | None = None  # earliest date the file carries
    round_date_given: date | None = None  # the day a person said a new round was held (wins over the rest)
    tiers: dict[str, str] = field(default_factory=dict)  # product -> tier, where known
    board: str | None = None  # the workshop board the notes come from: a re-export replaces that board's notes

    @staticmethod
    def digest(data: bytes) -> str:
        """The sha256 that identifies the same bytes imported again."""
        return hashlib.sha256(data).hexdigest()
