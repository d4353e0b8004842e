"""The `~N~` gap check of the indexed scan (grade.core.scan._GapCheck): a position it drops is one where
no match starts, and, asked with a bound, one where every match's part after a gap starts past it."""

from __future__ import annotations

import re

import pytest
from grade.core import scan
from grade.core.matcher import _SENTENCE_END
from grade.rubric.model import joined_pattern
from hypothesis import example, given, settings
from hypothesis import strategies as st

from .test_fuzz import _PATTERNS, scan_texts

GAP_PATTERNS = [re.compile(joined_pattern(p)) for p in [
    [r"(replay|re ?run)\w*~6~(the |all )?(\w+ )?(drops?|x)", r"replay"],
    [r"a b~2~c~3~d", r"(ab|c d)~2~(e|f g)\b"],
    [r"x~1~\w+y", r"(a|b)~0~(?!c)\w"],
]]
GAPPED = [p for p in _PATTERNS + GAP_PATTERNS if scan._gap_paths(p.pattern, p.flags) is not None]
words = st.sampled_from(["replay", "rerun", "re run", "brings", "drops", "the", "all", "x", "a", "b", "c", "d",
                         "ab", "e", "f", "g", "y", "xy", "backfill", "failed", "runs", "dedup", "merge"])
seps = st.sampled_from([" ", " ", " ", ", ", ". ", "; ", "\n", " - ", "_"])
few = st.sampled_from(["a", "b", "c", "d", "x", "y", "xy", "e", "f", "replay", "drops", "the"])
gap_texts = st.lists(st.tuples(words, seps), max_size=80).map(lambda xs: "".join(w + s for w, s in xs))
near_texts = st.lists(st.tuples(few, seps), max_size=40).map(lambda xs: "".join(w + s for w, s in xs))
texts = st.one_of(gap_texts, near_texts, scan_texts)


def test_the_rubric_s_gaps_are_checked():
    assert len(GAPPED) > 20  # most strong patterns hold a gap
    paths = scan._gap_paths(GAP_PATTERNS[0].pattern, GAP_PATTERNS[0].flags)
    assert paths is not None and len(paths) == 2
    (starts, checks), (_, plain) = paths
    assert "replay" in starts and not plain  # "replay" alone may match anywhere it starts
    # "re run", the gap and the word after it, then two words (and the space in each) per optional part
    assert [w for w, _ in checks] == [1 + 6 + 1 + 2 + 2]


@pytest.fixture(autouse=True)
def _always_checked(monkeypatch):
    monkeypatch.setattr(scan, "THRESHOLD", 0)
    monkeypatch.setattr(scan, "GAP_MIN", 0)


@settings(derandomize=True, database=None, deadline=None, max_examples=200)
@given(text=texts)
@example(text="a b x x c x x x d. re run x x x x x x the x drops. c d x x f g. x x y")  # each at its gap's limit
def test_a_dropped_position_is_no_match_s_start(text):
    memo: dict = {}
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    for pattern in GAPPED:
        check = scan.gap_check(pattern, text, memo)
        assert check is not None
        for p in range(len(text)):
            m = pattern.match(text, p)
            if m is None:
                continue
            assert check.may_match(p), (pattern.pattern[:80], p)
            bound = next((e for e in ends if e >= p), None)
            if not check.may_match(p, bound):  # then the match is stitched across that sentence end
                assert bound is not None and _SENTENCE_END.search(text, p, m.end()), (pattern.pattern[:80], p)


@settings(derandomize=True, database=None, deadline=None, max_examples=150)
@given(text=texts, data=st.data())
def test_checked_scan_is_re_finditer(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    memo: dict = {}
    for whole in ("title\n" + text, text):
        for pattern in GAPPED:
            want = [m.span() for m in pattern.finditer(whole)]
            assert [m.span() for m in scan.finditer(pattern, whole, memo)] == want
            want = [(m.start() + start, m.end() + start) for m in pattern.finditer(whole[start:end])]
            assert scan.spans_in(pattern, whole, start, end, memo) == want, (pattern.pattern[:80], start, end)
            plain = [m.span() for p in range(start, end) if (m := pattern.match(whole, p)) and m.end() > p]
            assert [m.span() for m in scan.matches_at(pattern, whole, start, end, memo)] == plain
