"""Grading time grows linearly with the answer: no input under the size limit can stall the matcher.

These are guards against super-linear blow-ups (a comma rescanning its line took 80 s once), not
speed claims: speed is measured by evals/bench.py. So they compare an input with the same input at
4x its size (linear costs 4x, quadratic 16x) rather than assert a time a loaded machine may miss,
and the cases at the 500 kB size limit only guard against minutes.
"""

from __future__ import annotations

import random
import time

import pytest
from grade.core.grader import grade_text
from grade.core.inputs import MAX_ANSWER_BYTES
from grade.core.matcher import _ITEM_SPLIT, _split_items

ITEM = "dedupe by event_id because retries, watermark 5 min, MERGE on key"


def _seconds(text: str, runs: int = 1) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        grade_text(text, name="long.md")
        best = min(best, time.perf_counter() - start)
    return best


def _growth(unit: str, count: int) -> float:
    """Time for `unit` repeated 4*count times over the time for count times (best of 2 each)."""
    return _seconds(unit * (4 * count), runs=2) / max(_seconds(unit * count, runs=2), 1e-3)


LINEAR_ENOUGH = 8.0
"""A 4x longer input may cost up to 8x (noise, cache effects); quadratic behaviour costs 16x."""


@pytest.fixture(autouse=True, scope="module")
def _warm():
    grade_text("warm the rubric cache: dedupe", name="warm.md")


@pytest.mark.parametrize(("unit", "count"), [
    (ITEM + ", ", 750),  # one 50 kB list line: took 80 s at 20 kB when each comma rescanned the line
    ("dedupe. ", 6_000),  # sentences in one block
    ("a, ", 16_000),
    ("<!-- x -->\n", 4_500),  # every line a comment: was comments x lines
    ("(a, ", 12_000),
], ids=["list", "sentences", "items", "comments", "parens"])
def test_long_single_blocks_stay_linear(unit, count):
    assert _growth(unit, count) < LINEAR_ENOUGH


def test_the_linear_item_split_is_the_regex_split():
    rng = random.Random(11)
    for _ in range(20_000):
        s = "".join(rng.choice("ab,() 1234") for _ in range(rng.randint(0, 24)))
        assert _split_items(s) == _ITEM_SPLIT.split(s), s


@pytest.mark.parametrize("text", [", ".join([ITEM] * 7_400), "a, " * 166_000], ids=["limit-list", "limit-items"])
def test_a_single_line_answer_at_the_size_limit_takes_seconds_not_minutes(text):
    assert MAX_ANSWER_BYTES - 10_000 < len(text.encode()) <= MAX_ANSWER_BYTES
    assert _seconds(text) < 60.0  # a stall guard: minutes before the indexed scan; bench.py measures speed
