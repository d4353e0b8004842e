"""Grading time grows linearly with the answer: no input under the size limit can stall the matcher."""

from __future__ import annotations

import random
import time

import pytest
from grade.core.grader import grade_text
from grade.core.matcher import _ITEM_SPLIT, _split_items

ITEM = "dedupe by event_id because retries, watermark 5 min, MERGE on key"


def _seconds(text: str) -> float:
    start = time.perf_counter()
    grade_text(text, name="long.md")
    return time.perf_counter() - start


@pytest.fixture(autouse=True, scope="module")
def _warm():
    grade_text("warm the rubric cache: dedupe", name="warm.md")


def test_a_20kb_comma_separated_line_grades_in_well_under_a_second():
    line = ", ".join([ITEM] * (20_000 // (len(ITEM) + 2)))  # took 80 s when each comma rescanned the line
    assert len(line) > 19_000
    assert _seconds(line) < 1.0


@pytest.mark.parametrize("text", [
    ", ".join([ITEM] * 3_000),  # one 200 kB list line
    "dedupe. " * 25_000,  # 200 kB of sentences in one block
    "a, " * 66_000,
    "<!-- x -->\n" * 18_000,  # every line a comment: was comments x lines
    "(a, " * 50_000,
], ids=["list", "sentences", "items", "comments", "parens"])
def test_long_single_blocks_stay_linear(text):
    assert _seconds(text) < 4.0  # quadratic behaviour takes minutes here


def test_the_linear_item_split_is_the_regex_split():
    rng = random.Random(11)
    for _ in range(20_000):
        s = "".join(rng.choice("ab,() 1234") for _ in range(rng.randint(0, 24)))
        assert _split_items(s) == _ITEM_SPLIT.split(s), s


@pytest.mark.parametrize("text", [", ".join([ITEM] * 15_000), "a, " * 333_000], ids=["1MB-list", "1MB-items"])
def test_a_1mb_single_line_answer_takes_seconds_not_minutes(text):
    assert len(text) > 990_000
    assert _seconds(text) < 6.0  # ~2 s and ~0.5 s here; 5 s and 8 s before the indexed scan
