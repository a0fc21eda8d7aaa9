"""Figures read rounded halves away from zero (四捨五入) everywhere: labels, tables, CSVs, Excel, JSON, sentences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from opmaturity import i18n, summary, views
from opmaturity.rounding import FORMATTER, half_up, half_up_array


def test_halves_round_away_from_zero_and_binary_noise_goes_first():
    cases = [((1.25, 1), 1.3), ((-1.25, 1), -1.3), ((2.75, 1), 2.8), ((0.25, 1), 0.3), ((2.675, 2), 2.68),
             ((1.125, 2), 1.13), ((1.005, 2), 1.01), ((1 / 3, 2), 0.33), ((2 / 3, 2), 0.67),
             ((4.0, 2), 4.0)]  # fmt: skip
    for (value, digits), expected in cases:
        assert half_up(value, digits) == expected, (value, digits)
    assert math.copysign(1, half_up(-0.004, 2)) == 1.0  # never "-0.00"
    got = half_up_array(np.array([1.25, -1.25, np.nan, 2.675]), 1)
    assert got[[0, 1, 3]].tolist() == [1.3, -1.3, 2.7] and np.isnan(got[2])


def test_every_place_a_figure_is_written_rounds_the_same_way():
    assert summary.rounded(1.125) == 1.13  # the JSON (round() gave 1.12)
    frame = pd.DataFrame({"level": [1.125, 2.675, None]})
    assert views.renamed(frame, lambda key, **_: key, {"level": "common.level"})["common.level"].tolist()[:2] == [
        1.13, 2.68]  # fmt: skip
    assert views.moved_text(1.0, 2.25, lambda key, **_: key) == "↑ +1.3"
    assert FORMATTER.format("{a:.1f} {b} {c:.2f} {d:,}", a=2.25, b="x", c=1.005, d=12345) == "2.3 x 1.01 12,345"
    # a catalogue sentence with a fixed-point field: the Overview's top gap at a level of exactly 2.25
    said = i18n.t("standout.top_gap", "en", team="T", item="I", level=2.25, target="3", priority=1.5)
    assert "stands at 2.3 against a target of 3, the highest priority (1.5)" in said
