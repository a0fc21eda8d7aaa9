"""Google Forms / Sheets responses: `Timestamp`, `Email Address`, grid columns `Question [Row]`."""

from __future__ import annotations

from ..batch import Batch
from ..readers import Source
from .common import Context
from .forms import FormLayout, parse_form

LAYOUT = FormLayout(
    name="google_forms",
    required=("timestamp",),
    identity=("email", "respondent", "name"),
    order=("timestamp", "assessed_on"),
    anonymous=(),  # no ID column: a row without an e-mail or name is a respondent of its own
)


def parse(source: Source, ctx: Context) -> Batch:
    """A Batch from a Forms CSV download or a responses sheet (any language, any encoding already decoded)."""
    return parse_form(source, ctx, LAYOUT)
