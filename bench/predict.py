"""Extrapolate the measured scales to a bigger organisation: `python bench/predict.py [--teams 10000]`.

Reads bench/results/scale-*.json (written by bench/run.py) and fits, per page and measure, a straight line
t = a + b * answers through the medians (least squares over the scales measured; a is the fixed cost of a run,
b the cost per live answer). Every query of a page reads the answers of one or two rounds, or of every round
for a trend, so its work grows with the answers; a straight line is the optimistic case (no spilling to disk,
no change of plan). Not run by pytest.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
MEASURES = ("cold", "warm", "bare", "pandas")


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares intercept and slope (slope 0 with a single point)."""
    if len(xs) < 2:
        return ys[0], 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return my - slope * mx, slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=10_000)
    args = parser.parse_args()
    runs = []
    for path in sorted(RESULTS.glob("scale-*.json")):
        result = json.loads(path.read_text())
        if "apptest" in result:
            runs.append(result)
    runs.sort(key=lambda r: r["meta"]["answers"])
    if not runs:
        raise SystemExit("no bench/results/scale-*.json yet: run bench/run.py first")
    per_team = statistics.fmean(r["meta"]["answers"] / r["meta"]["teams"] for r in runs)
    target = args.teams * per_team
    scales = ", ".join(f"{r['meta']['teams']:,} teams ({r['meta']['answers']:,} answers)" for r in runs)
    print(f"Fitted on {scales}; predicted for {args.teams:,} teams ≈ {target / 1e6:.1f} M answers.\n")
    print("| page | " + " | ".join(f"{m} (s)" for m in MEASURES) + " |")
    print("|---|" + "---:|" * len(MEASURES))
    pages = list(runs[-1]["apptest"]["pages"])
    for page in pages:
        cells = []
        for measure in MEASURES:
            xs, ys = [], []
            for r in runs:
                values = r["apptest"]["pages"][page].get(measure) or []
                if values:
                    xs.append(r["meta"]["answers"])
                    ys.append(statistics.median(values))
            if not ys:
                cells.append("–")
                continue
            a, b = fit(xs, ys)
            cells.append(f"{max(a + b * target, min(ys)):.1f}")  # a flat page's noise must not fit below zero
        print(f"| {page} | " + " | ".join(cells) + " |")
    xs = [r["meta"]["answers"] for r in runs]
    for label, key in (("summary --json", "summary_json"), ("export .xlsx", "export_xlsx")):
        ys = [statistics.median(r["cli"]["samples"][key]) for r in runs if r["cli"]["samples"].get(key)]
        if len(ys) == len(xs):
            a, b = fit(xs, ys)
            print(f"\n{label}: {a + b * target:.0f} s predicted", end="")
    print()


if __name__ == "__main__":
    main()
