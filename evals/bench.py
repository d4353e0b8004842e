"""Benchmark: cold start of `grade answers/mock1.md` beside the floor our dependencies set, and
answers graded per second in one process. Prints figures; asserts nothing.

    python evals/bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _time(cmd: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    grade = shutil.which("grade") or sys.exit("bench: `grade` is not on PATH; pip install . first")
    floor_cmd = [sys.executable, "-c", "import click, pydantic, jinja2"]
    grade_cmd = [grade, "answers/mock1.md"]
    _time(grade_cmd, 2)  # warm the file cache, not the interpreter
    # Interleave so that machine noise hits both alike.
    floor, cold = [], []
    for _ in range(args.runs):
        floor.append(_time(floor_cmd, 1))
        cold.append(_time(grade_cmd, 1))
    f, c = statistics.median(floor), statistics.median(cold)
    print(f"cold start: grade answers/mock1.md  median {c * 1000:.0f} ms over {args.runs} runs")
    print(f"floor:      import click, pydantic, jinja2  median {f * 1000:.0f} ms")
    print(f"ratio:      {c / f:.2f}x (target <= 1.0x)")

    from grade.core.grader import grade_text

    corpus = sorted((REPO / "evals" / "corpus").glob("*/*.md")) + sorted((REPO / "answers").glob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in corpus]
    grade_text(texts[0])  # load and compile the rubric once, as a long-running process would
    rounds = 5
    t = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            grade_text(text)
    elapsed = time.perf_counter() - t
    n = rounds * len(texts)
    print(f"throughput: {n / elapsed:.0f} answers/s in one process ({n} gradings of {len(texts)} answers, "
          f"{sum(len(x) for x in texts) / len(texts) / 1000:.1f} kB average; target >= 200)")


if __name__ == "__main__":
    main()
