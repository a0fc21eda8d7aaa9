"""One error type for user mistakes: a title plus every problem found, in the user's words."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as the user sees it (file, sheet, Excel row, column)."""

    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def where(self) -> str:
        """`survey.xlsx, sheet "学び放題", row 14, column "SLOの合意"` (only the parts known)."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f'sheet "{self.sheet}"')
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f'column "{self.column}"')
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        """The contract's problem object: sheet, row, column, value, message (plus file)."""
        return asdict(self)


class OpmaturityError(Exception):
    """A user mistake: shown as a title and a list of problems, never as a traceback."""

    def __init__(self, title: str, problems: list[Problem] | None = None) -> None:
        super().__init__(title)
        self.title = title
        self.problems = list(problems or [])

    def __str__(self) -> str:
        lines = [self.title, *(f"- {p}" for p in self.problems)]
        return "\n".join(lines)
