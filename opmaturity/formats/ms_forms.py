"""Microsoft Forms Excel download: `ID, Start time, Completion time, Email, Name, ...`, one column per question."""

from __future__ import annotations

import re

from ..batch import Batch
from ..readers import Source
from .common import Context
from .forms import FormLayout, parse_form

LAYOUT = FormLayout(
    name="ms_forms",
    required=("id", "completed"),
    identity=("email", "respondent", "name"),
    order=("completed", "start", "modified", "assessed_on"),
    anonymous=("id",),
    # Quiz columns carry points and feedback, not answers.
    ignore=re.compile(
        r"^(total points|quiz feedback|points - |feedback - "
        r"|合計点|クイズのフィードバック|ポイント - |フィードバック - )"
    ),
)


def parse(source: Source, ctx: Context) -> Batch:
    """A Batch from a Forms workbook; each anonymous response stays a respondent of its own (by its ID)."""
    return parse_form(source, ctx, LAYOUT)
