"""Benchmark: cold start of `grade answers/mock1.md` beside the floor our dependencies set, answers
graded per second in one process, the cost of one answer at 1x, 4x and 16x its length, the CPU
time of an answer at the size limit (500 kB: as paragraphs, as one comma-separated line, and as
the adversarial one-line shapes "1 1 1 ...", "i i i ...", nine short claims repeated and a strong
pattern's first word repeated across a sentence end), and the
peak memory of grading 1,000 answers in one process. Prints figures beside the targets; asserts
nothing.

    python evals/bench.py [--runs 15] [--skip-cold] [--skip-memory]
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
SCALED = REPO / "answers" / "privacy-dsr.md"  # a 5 kB answer, the corpus's typical size
TARGET_RATIO = 1.0
TARGET_THROUGHPUT = 1_000  # answers per second
TARGET_AT_LIMIT = 1.0  # seconds of CPU, any answer at the size limit
TARGET_MEMORY_MB = 100

# Run in a fresh interpreter: grade 1,000 corpus answers in one call and keep every result, as
# `grade` does with many files, then report the peak resident set size.
_MEMORY_SCRIPT = """
import resource, sys
from pathlib import Path
from grade.core.grader import grade_text

def peak_mb():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB elsewhere

paths = [Path(p) for p in sys.argv[1:]]
texts = [p.read_text(encoding="utf-8") for p in paths]
grade_text(texts[0])
before = peak_mb()
results = [grade_text(texts[i % len(texts)], name=paths[i % len(paths)].name) for i in range(1000)]
print(f"{before:.1f} {peak_mb():.1f} {len(results)}")
"""


def _time(cmd: list[str], runs: int) -> float:
    return statistics.median(_run(cmd)[0] for _ in range(runs))


def _run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `cmd`. CPU time is what a loaded
    machine disturbs least: other processes stretch the wall time of both commands alike, not alike."""
    import resource

    before, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    wall, after = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _grade_seconds(text: str, runs: int) -> float:
    from grade.core.grader import grade_text

    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        grade_text(text, name="bench.md")
        samples.append(time.perf_counter() - t)
    return min(samples)


def _grade_cpu_seconds(text: str, runs: int = 3) -> float:
    """CPU time (time.process_time) of grading `text`, the least of `runs` runs."""
    from grade.core.grader import grade_text

    samples = []
    for _ in range(runs):
        t = time.process_time()
        grade_text(text, name="bench.md")
        samples.append(time.process_time() - t)
    return min(samples)


def _at_limit(unit: str, limit: int) -> str:
    """`unit` repeated and cut to `limit` bytes of UTF-8."""
    text = unit * (limit // max(len(unit.encode("utf-8")), 1) + 1)
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def cold_start(runs: int) -> None:
    grade = shutil.which("grade") or sys.exit("bench: `grade` is not on PATH; pip install . first")
    floor_cmd = [sys.executable, "-c", "import click, pydantic, jinja2"]
    grade_cmd = [grade, "answers/mock1.md"]
    _time(grade_cmd, 2)  # warm the file cache, not the interpreter
    # Interleave so that machine noise hits both alike.
    floor, cold = [], []
    for _ in range(runs):
        floor.append(_run(floor_cmd))
        cold.append(_run(grade_cmd))
    f, c = statistics.median(w for w, _ in floor), statistics.median(w for w, _ in cold)
    fc, cc = statistics.median(u for _, u in floor), statistics.median(u for _, u in cold)
    print(f"cold start: grade answers/mock1.md  median {c * 1000:.0f} ms ({cc * 1000:.0f} ms CPU) over {runs} runs")
    print(f"floor:      import click, pydantic, jinja2  median {f * 1000:.0f} ms ({fc * 1000:.0f} ms CPU)")
    print(f"ratio:      {c / f:.2f}x wall, {cc / fc:.2f}x CPU (target <= {TARGET_RATIO:.1f}x)")


def throughput(paths: list[Path]) -> None:
    from grade.core.grader import grade_text

    texts = [p.read_text(encoding="utf-8") for p in paths]
    grade_text(texts[0])  # load and compile the rubric once, as a long-running process would
    rounds = 5
    t = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            grade_text(text)
    elapsed = time.perf_counter() - t
    n = rounds * len(texts)
    print(f"throughput: {n / elapsed:.0f} answers/s in one process ({n} gradings of {len(texts)} answers, "
          f"{sum(len(x) for x in texts) / len(texts) / 1000:.1f} kB average; target >= {TARGET_THROUGHPUT:,})")


def scaling() -> None:
    """Cost linear in the answer's length: one answer at 1x, 4x and 16x; then the CPU time of answers
    at the size limit, as paragraphs and as the hardening probe's one-line shapes."""
    from grade.core.inputs import MAX_ANSWER_BYTES

    text = SCALED.read_text(encoding="utf-8")
    for times in (1, 4, 16):
        long = text * times
        s = _grade_seconds(long, 5 if times < 16 else 3)
        print(f"length {times:>2}x: {len(long) / 1000:6.1f} kB  {s * 1000:7.1f} ms  {s * 1e6 / len(long):6.1f} ms/kB "
              f"({SCALED.relative_to(REPO)} repeated)")
    words = text.split()
    line = ", ".join(" ".join(words[i:i + 6]) for i in range(0, len(words), 6))
    claims = ", ".join(["dedupe by event_id because retries", "watermark 5 min", "MERGE on key", "partition by date",
                        "compact small files to 256 MB", "tenant_id in every key",
                        "we would keep the nightly batch because cost", "SLO 5 s p95",
                        "late events go to a side output"])
    shapes = [  # the paragraphs, then the hardening probe's one-line shapes
        ("paragraphs", text),
        ("one line, comma-separated", line + ", "),
        ('one line of "1 1 1 ..."', "1 "),
        ('one line of "i i i ..."', "i "),
        ("one line of nine short claims repeated", claims + ", "),
        # a strong pattern's first word repeated inside its own ~N~ window, its end past a sentence end: every
        # "replay" starts a match stitched across the sentence, tried again inside the one before (matcher._retried)
        ('one line of "replay brings" x15 then ". drops"', "replay brings " * 15 + ". drops "),
        # one block of mentions, each one's substance window reaching to the block's end (scan._Windows._ends)
        ('one line of "replay, " x8 then "failed runs, "', "replay, " * 8 + "failed runs, "),
        # a strong pattern's first word as every word, the word after its gap mostly out of reach: every
        # "replay" was matched, each attempt walking its window (scan._GapCheck)
        ('one line of "replay " x16 then ", drops"', "replay " * 16 + ", drops "),
    ]
    limit_kb = MAX_ANSWER_BYTES / 1000
    for label, unit in shapes:
        answer = _at_limit(unit, MAX_ANSWER_BYTES)
        s = _grade_cpu_seconds(answer)
        print(f"answer at the size limit ({limit_kb:.0f} kB), {label}: {s:.2f} s CPU, min of 3 "
              f"(target < {TARGET_AT_LIMIT:.0f} s)")


def memory(paths: list[Path]) -> None:
    out = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, *map(str, paths)], check=True, capture_output=True,
                         text=True, cwd=REPO).stdout.split()
    before, peak, n = float(out[0]), float(out[1]), int(out[2])
    print(f"peak memory: {peak:.0f} MB max RSS grading {n:,} answers in one process, results kept "
          f"({before:.0f} MB after loading the rubric; target <= {TARGET_MEMORY_MB} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--skip-cold", action="store_true", help="no cold-start figures")
    parser.add_argument("--skip-memory", action="store_true", help="no peak-memory figure")
    args = parser.parse_args()
    paths = sorted((REPO / "evals" / "corpus").glob("*/*.md")) + sorted((REPO / "answers").glob("*.md"))
    if not args.skip_cold:
        cold_start(args.runs)
    throughput(paths)
    scaling()
    if not args.skip_memory:
        memory(paths)


if __name__ == "__main__":
    main()
