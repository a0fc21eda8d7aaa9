"""One error type for user mistakes: a title plus every problem found, in the user's words and language.

Titles and problems are `Message`s (a catalogue key and its parameters): the page renders them in the session's
language, the command line in the one chosen with `--lang`. As plain strings they read in English (logs, tests).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import Any

from .i18n import MESSAGE_LANG, MESSAGE_SURFACE, Advice, Message, t, text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as the user sees it (file, sheet, Excel row, column)."""

    message: Message
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    @classmethod
    def of(
        cls, key: str, /, file: str = "", sheet: str = "", row: int | None = None, column: str = "", value: str = "",
        **params: Any,
    ) -> Problem:  # fmt: skip
        """The problem with the message `key` (filled with `params`) at this place."""
        return cls(Message(key, **params), file=file, sheet=sheet, row=row, column=column, value=value)

    @classmethod
    def advise(cls, name: str, /, **params: Any) -> Problem:
        """A problem that is only advice, worded per surface (`advice.<name>.page` / `.cli`)."""
        return cls(Advice(name, **params))

    @property
    def code(self) -> str:
        """The message's catalogue key (stable across languages, for scripts)."""
        return getattr(self.message, "key", "")

    def text(self, lang: str = MESSAGE_LANG, surface: str = MESSAGE_SURFACE) -> str:
        """What is wrong and what to fix, in `lang` (advice worded for the "page" or the "cli")."""
        return text(self.message, lang, surface)

    def where(self, lang: str = MESSAGE_LANG) -> str:
        """`survey.xlsx, sheet "学び放題", row 14, column "SLOの合意"` (only the parts known), in `lang`."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(t("where.sheet", lang, sheet=self.sheet))
        if self.row is not None:
            parts.append(t("where.row", lang, row=self.row))
        if self.column:
            parts.append(t("where.column", lang, column=self.column))
        return t("where.separator", lang).join(parts)

    def full(self, lang: str = MESSAGE_LANG, surface: str = MESSAGE_SURFACE) -> str:
        """Where, then what to fix: one line in `lang`."""
        where = self.where(lang)
        return (
            t("where.line", lang, where=where, message=self.text(lang, surface)) if where else self.text(lang, surface)
        )

    def __str__(self) -> str:
        return self.full()

    def to_dict(self, lang: str = MESSAGE_LANG, surface: str = MESSAGE_SURFACE) -> dict[str, Any]:
        """The contract's problem object: sheet, row, column, value, message (rendered in `lang`), plus file and
        code (the message key)."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.text(lang, surface),
            "code": self.code,
        }


class OpmaturityError(Exception):
    """A user mistake: shown as a title and a list of problems, never as a traceback."""

    def __init__(self, title: Message, problems: list[Problem] | None = None) -> None:
        super().__init__(title)
        self.title = title
        self.problems = list(problems or [])

    @classmethod
    def of(cls, key: str, /, problems: list[Problem] | None = None, **params: Any) -> OpmaturityError:
        """The error titled with the message `key` (filled with `params`)."""
        return cls(Message(key, **params), problems)

    @property
    def code(self) -> str:
        """The title's catalogue key (stable across languages, for scripts and for telling errors apart)."""
        return getattr(self.title, "key", "")

    def title_text(self, lang: str = MESSAGE_LANG, surface: str = MESSAGE_SURFACE) -> str:
        """The title in `lang`."""
        return text(self.title, lang, surface)

    def text(self, lang: str = MESSAGE_LANG, surface: str = MESSAGE_SURFACE) -> str:
        """The title and every problem, one per line, in `lang`."""
        return "\n".join([self.title_text(lang, surface), *(f"- {p.full(lang, surface)}" for p in self.problems)])

    def __str__(self) -> str:
        return self.text()


# What the system said, in the user's words and language (its own text is English: "No such file or directory").
_OS_REASONS = {
    errno.ENOENT: "msg.os.missing",
    errno.EISDIR: "msg.os.is_folder",
    errno.ENOTDIR: "msg.os.not_folder",
    errno.EACCES: "msg.os.denied",
    errno.EPERM: "msg.os.denied",
    errno.ENOSPC: "msg.os.disk_full",
    errno.EROFS: "msg.os.read_only",
}


def os_reason(exc: OSError) -> Message | str:
    """Why the system refused a file, as a message in the reader's language (its own text where unknown)."""
    key = _OS_REASONS.get(exc.errno or 0)
    return Message(key) if key else exc.strerror or str(exc)
