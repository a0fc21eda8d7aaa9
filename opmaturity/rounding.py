"""How figures are rounded for reading, everywhere: halves away from zero (四捨五入), as people and Excel round.

Python's `round` and `f"{x:.1f}"` round a binary half to even (1.25 reads 1.2), and a mean of four answers is
often x.25 or x.75. Binary noise goes first (2.675 is 2.67499… as a float, and stands for 2.675).
"""

from __future__ import annotations

import math
import re
import string
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def half_up(value: float, digits: int = 2) -> float:
    """`value` rounded to `digits` places, halves away from zero; -0.0 becomes 0.0."""
    scaled = round(value * 10.0**digits, 6)
    return math.copysign(math.floor(abs(scaled) + 0.5), scaled) / 10.0**digits + 0.0


def half_up_array(values: np.ndarray, digits: int = 2) -> np.ndarray:
    """half_up of every value of a float array (NaN stays NaN)."""
    import numpy as np  # here: the message catalogue imports this module in the fenced worker, which has no numpy

    scaled = np.round(values * 10.0**digits, 6)
    return np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / 10.0**digits + 0.0


_FIXED = re.compile(r"\.(\d+)f$")


class HalfUpFormatter(string.Formatter):
    """`str.format` whose fixed-point fields (`{x:.1f}`) round halves away from zero, and whose word fields
    (`{n:note|notes}`, `{n:is|are}`) say the first word for exactly one and the second for any other number
    (English agrees with its count: `1 note`, `0 notes`)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return one if value == 1 else other
        found = _FIXED.search(format_spec)
        if found and isinstance(value, float) and math.isfinite(value):
            value = half_up(value, int(found.group(1)))
        return super().format_field(value, format_spec)


FORMATTER = HalfUpFormatter()
