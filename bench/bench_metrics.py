"""Time the dashboard's queries on a large organisation: `python bench/bench_metrics.py [TEAMS] [ROUNDS]`.

Builds TEAMS teams (5 respondents and SRE each) over ROUNDS rounds in a temporary DuckDB file, then
times the summary the CLI prints and the heatmap and team views the pages draw. Not run by pytest.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opmaturity import metrics, store, summary  # noqa: E402
from opmaturity.batch import Answer, Batch  # noqa: E402
from opmaturity.model import load_model  # noqa: E402


def build(con, teams: int, rounds: int) -> int:
    """Commit one batch per round; returns the number of answers."""
    model, rng, total = load_model(), random.Random(7), 0
    for r in range(rounds):
        answers = []
        for t in range(teams):
            product, team = f"product-{t % 12}", f"team-{t}"
            for p in range(6):
                rater = "sre" if p == 5 else "team"
                for item in model.items:
                    level = None if rng.random() < 0.03 else rng.randint(0, 4)
                    answers.append(Answer(product, team, f"p-{t}-{p}", rater, item.key, level,
                                            importance=rng.randint(1, 3)))  # fmt: skip
        total += len(answers)
        store.commit_batch(con, Batch(file=f"r{r}", layout="bench", sha256=f"bench-{r}", answers=answers), f"R{r}")
    return total


def timed(label: str, fn, repeat: int = 3) -> None:
    best = min(_once(fn) for _ in range(repeat))
    print(f"{label:<40} {best * 1000:8.1f} ms")


def _once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    teams = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    with tempfile.TemporaryDirectory() as folder:
        con = store.connect(Path(folder) / "bench.duckdb", load_model())
        start = time.perf_counter()
        answers = build(con, teams, rounds)
        print(f"{answers:,} answers, {teams} teams, {rounds} rounds, loaded in {time.perf_counter() - start:.1f} s")
        timed("summary (the CLI's JSON)", lambda: summary.summary(con))
        timed("heatmap teams x categories", lambda: metrics.heatmap(con, None))
        timed("heatmap teams x items, perception", lambda: metrics.heatmap(con, None, metric="perception_gap",
                                                                       columns="item"))  # fmt: skip
        timed("team page: items", lambda: metrics.team_items(con, None, "product-1", "team-1"))
        timed("trend over rounds (all teams)", lambda: metrics.trend(con))


if __name__ == "__main__":
    main()
