"""The indexed scan (grade.core.scan) finds exactly what `re` finds, for the bundled rubric's patterns
and for patterns a user's rubric might hold: starting with punctuation, a space, a digit, a class,
an optional part, or with nothing the analysis can follow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from grade.core import scan
from grade.rubric.model import joined_pattern
from hypothesis import given, settings
from hypothesis import strategies as st

from .test_fuzz import _PATTERNS, scan_texts

USER_PATTERNS = [re.compile(joined_pattern(p)) for p in [
    [r"\$\d+(k|m)?", r"~\d+ ?ms", r"< ?\d+ ?s"],
    [r" the rest", r"\s+batch"],
    [r"[a-c]{2}x", r"p9\d\b", r"(re)?play", r"x?y?z"],
    [r"\w+ing\b", r"(?i:kafka)", r".{2}ab"],
    [r"(a|b|c|d|e|f|g|h|i|j)[a-j][a-j][a-j][a-j]"],  # 10^5 prefixes: falls back to 3 characters
    [r"٣ days", r"é\w+", r"(?=stream)\w+"],
    [r"(foo)bar\1", r"(?>atomic)", r"change ?data ?capture"],
    [r"\d{2,}(,\d{3})*\+? users", r"\d+(\.\d+)? ?(ms|s)\b", r"(x?)+yz", r"(ab|c)*d", r"a{3}b{2,}c", r"0*1 ?2"],
]]
ALL = _PATTERNS + USER_PATTERNS
texts = st.one_of(scan_texts, st.text(alphabet="abcxyz 0123٣é$~<>(),.\n-", max_size=300))


@pytest.fixture(autouse=True)
def _always_index(monkeypatch):
    monkeypatch.setattr(scan, "THRESHOLD", 0)


@settings(derandomize=True, database=None, deadline=None, max_examples=150)
@given(text=texts)
def test_finditer_is_re_finditer(text):
    memo: dict = {}
    for pattern in ALL:
        assert [m.span() for m in scan.finditer(pattern, text, memo)] == [m.span() for m in pattern.finditer(text)]


@settings(derandomize=True, database=None, deadline=None, max_examples=100)
@given(text=texts, data=st.data())
def test_spans_in_a_window_are_those_of_the_slice(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    memo: dict = {}
    for pattern in ALL:
        want = [(m.start() + start, m.end() + start) for m in pattern.finditer(text[start:end])]
        assert scan.spans_in(pattern, text, start, end, memo) == want, (pattern.pattern[:80], start, end)


def test_prefixes_are_long_where_the_pattern_allows():
    pattern = re.compile(joined_pattern(["change ?data ?capture", "cdc"]))
    assert scan.first_chars(pattern.pattern, pattern.flags) == {"change data ", "change datac", "changedata c",
                                                                 "changedataca", "cdc"}
    many = USER_PATTERNS[4]  # too many prefixes of 12 characters: those of 3 still do
    assert scan.first_chars(many.pattern, many.flags) == {a + b + c for a in "abcdefghij" for b in "abcdefghij"
                                                          for c in "abcdefghij"}


def test_what_cannot_be_followed_is_scanned_the_plain_way():
    assert scan.first_chars(USER_PATTERNS[3].pattern, 0) is None  # a scoped flag
    assert scan.first_chars("(?<![a-z0-9])x?", 0) is None  # can match nothing
    assert scan.first_chars("abc", 0) is None  # no leading look-behind


def test_prefixes_kept_between_runs_are_used_only_from_this_analysis():
    from grade.core.regex_cache import RegexCompiler, record_from_json, record_to_json

    compiler = RegexCompiler()
    pattern = compiler.compile(joined_pattern(["change ?data ?capture"]))
    compiler.prefixes[pattern.pattern] = scan.record(pattern, False)
    data = record_to_json(compiler.record())
    assert data["scan"] == scan.ANALYSIS and data["prefixes"][pattern.pattern] == sorted(
        scan.first_chars(pattern.pattern, pattern.flags))
    assert record_from_json(data)["prefixes"] == data["prefixes"]
    assert record_from_json({**data, "scan": "0:older"})["prefixes"] == {}
    assert record_from_json({**data, "prefixes": {pattern.pattern: [5]}})["prefixes"] == {}
    assert record_from_json({**data, "prefixes": {pattern.pattern: [""]}})["prefixes"] == {}


def test_packed_prefixes_are_read_when_asked_for_and_worked_out_again_when_damaged():
    import marshal

    from grade.core.regex_cache import packed_prefixes, record_from_json, record_to_json

    words = ["packed ?prefix ?one", "packed ?prefix ?two", "packed ?prefix ?three"]
    patterns = [re.compile(joined_pattern([w])) for w in words]
    expected = [scan.first_chars(p.pattern, p.flags) for p in patterns]
    recorded = {p.pattern: sorted(e) for p, e in zip(patterns, expected, strict=True)}
    data = record_to_json({"key": None, "codes": {}, "prefixes": recorded})
    packed = packed_prefixes(data["prefixes"])
    assert all(type(v) is bytes for v in packed.values())
    assert packed_prefixes(packed) == packed  # already packed: kept as it is
    packed[patterns[1].pattern] = marshal.dumps([5])  # not a list of strings
    packed[patterns[2].pattern] = b"\xff"  # not marshal data
    assert record_from_json({**data, "key": list(record_from_json.__globals__["_KEY"]), "prefixes": packed})[
        "prefixes"] == packed  # checked when unpacked, not when read
    scan.first_chars.cache_clear()
    for p in patterns:
        scan.record(p, packed[p.pattern])
    try:
        assert [scan.first_chars(p.pattern, p.flags) for p in patterns] == expected
        assert scan._unpacked(packed[patterns[0].pattern]) == sorted(expected[0])
        assert scan._unpacked(packed[patterns[1].pattern]) is False
        assert scan._unpacked(packed[patterns[2].pattern]) is False
    finally:
        for p in patterns:
            scan._RECORDED.pop((p.pattern, p.flags), None)
        scan.first_chars.cache_clear()


@settings(derandomize=True, database=None, deadline=None, max_examples=100)
@given(text=texts)
def test_registered_patterns_found_in_one_pass_are_those_of_re(text):
    scan.register(ALL)  # the one-pass lookup of every registered pattern's candidates
    memo: dict = {}
    for whole in ("title\n" + text, text):  # the second is indexed within the first, as an answer's norm is
        for pattern in ALL:
            want = [m.span() for m in pattern.finditer(whole)]
            assert [m.span() for m in scan.finditer(pattern, whole, memo)] == want


_SHAPES = [
    "i " * 400,
    "we'd not use flink, i'd never run a stream, i would not build it; i i we " * 6,
    ", ".join(["dedupe by event_id because retries", "watermark 5 min", "MERGE on key", "partition by date",
               "compact small files to 256 MB", "tenant_id in every key",
               "we would keep the nightly batch because cost",
               "SLO 5 s p95", "late events go to a side output"][i % 9] for i in range(60)).lower(),
    "1 " * 300 + "5 s 10 min 3x 99.9% " * 10,
]


def test_a_guard_follows_past_a_wide_class():
    pattern = re.compile(joined_pattern(["(i|we)( would|.d)? (not|never) (use|run)"]))
    assert "i" in scan.first_chars(pattern.pattern, pattern.flags)  # `.d` ends the prefix there
    check = scan.guard(pattern.pattern, pattern.flags)
    assert check is not None
    assert check.match("i'd not use") and check.match("i would not use") and check.match("we never run")
    assert not check.match("i i i ") and not check.match("it is")


@pytest.mark.parametrize("text", _SHAPES)
def test_guarded_candidates_give_the_matches_of_a_full_scan(monkeypatch, text):
    monkeypatch.setattr(scan, "GUARD_MIN", 0)  # every pattern with a guard is narrowed by it
    memo: dict = {}
    for pattern in ALL:
        assert [m.span() for m in scan.finditer(pattern, text, memo)] == [m.span() for m in pattern.finditer(text)]
        for start, end in ((0, len(text)), (3, len(text) // 2), (len(text) // 3, len(text) - 5)):
            want = [(m.start() + start, m.end() + start) for m in pattern.finditer(text[start:end])]
            assert scan.spans_in(pattern, text, start, end, memo) == want, (pattern.pattern[:80], start, end)


@settings(derandomize=True, database=None, deadline=None, max_examples=100)
@given(text=texts)
def test_guarded_scan_is_re_finditer(text):
    saved, scan.GUARD_MIN = scan.GUARD_MIN, 0
    try:
        memo: dict = {}
        for whole in ("title\n" + text, text):
            for pattern in ALL:
                want = [m.span() for m in pattern.finditer(whole)]
                assert [m.span() for m in scan.finditer(pattern, whole, memo)] == want
    finally:
        scan.GUARD_MIN = saved


def test_a_repeat_is_followed_past():
    # unrolled: the prefixes of `\d+ ?ms` end past the digits, so a run of "1 1 1" holds no candidate
    pattern = re.compile(joined_pattern([r"\d+ ?ms"]))
    prefixes = scan.first_chars(pattern.pattern, pattern.flags)
    assert {"0 ms", "0ms", "00 ms", "0000000000ms"} <= prefixes and "0" not in prefixes
    assert all(len(x) >= 3 for x in prefixes)
    assert [m.span() for m in scan.finditer(pattern, "1 " * 300 + "5 ms", {})] == [(600, 604)]


def _one_line(size: int) -> list[str]:
    """The one-line shapes of the size-limit hardening probe, cut to `size` characters."""
    words = (Path(__file__).resolve().parent.parent / "answers" / "privacy-dsr.md").read_text(encoding="utf-8").split()
    line = ", ".join(" ".join(words[i:i + 6]) for i in range(0, len(words), 6))
    claims = ", ".join(["dedupe by event_id because retries", "watermark 5 min", "MERGE on key", "partition by date",
                        "compact small files to 256 MB", "tenant_id in every key",
                        "we would keep the nightly batch because cost", "SLO 5 s p95",
                        "late events go to a side output"][i % 9] for i in range(size // 10))
    return [(line * (size // len(line) + 1))[:size], claims[:size], ("1 " * size)[:size],
            ("1 2 3 " * size)[:size - 40] + " 5 ms 10 min 3x 99.9% 2 tb/day"]


@pytest.mark.parametrize("shape", range(4))
def test_long_one_line_shapes_scan_as_re(shape):
    text = _one_line(30_000)[shape].lower()
    for first, second in (("title\n" + text, text), (text, "title\n" + text)):  # within, and around
        memo: dict = {}
        for whole in (first, second):
            for pattern in _PATTERNS:
                want = [m.span() for m in pattern.finditer(whole)]
                assert [m.span() for m in scan.finditer(pattern, whole, memo)] == want, pattern.pattern[:80]
                lo, hi = len(whole) // 3, len(whole) // 3 + 5_000
                want = [(m.start() + lo, m.end() + lo) for m in pattern.finditer(whole[lo:hi])]
                assert scan.spans_in(pattern, whole, lo, hi, memo) == want, pattern.pattern[:80]


@pytest.mark.parametrize("shape", range(4))
@pytest.mark.parametrize("knob, value", [("THRESHOLD", 200), ("GUARD_MIN", 1_000)])
def test_long_one_line_shapes_grade_as_a_plain_scan(monkeypatch, shape, knob, value):
    """The indexed scan grades such an answer exactly as `re.finditer` over the whole text would,
    also with the guards taken at 20-50 kB (as at the 500 kB size limit)."""
    from grade.core.grader import grade_text

    monkeypatch.setattr(scan, knob, value)
    text = _one_line(40_000)[shape]
    fast = grade_text(text, name="x.md").contract_json()
    monkeypatch.setattr(scan, "THRESHOLD", 10**9)  # every pattern scanned the plain way
    assert grade_text(text, name="x.md").contract_json() == fast


def test_a_guard_follows_past_a_repeat():
    # `\d+ ?(k|m)...`: "0" is a prefix (unrolled, it has too many); its second guard, a few characters
    # deep with the repeats unrolled, rules out a run of "1 1 1", and `\w*` takes word characters only
    pattern = re.compile(joined_pattern([r"~?\d+(\.\d+)? ?(k|m|b|bn|million)\+? users", r"\d+\w* (target|slo)"]))
    check = scan.guard(pattern.pattern, pattern.flags)
    assert check is not None
    assert check.match("0 k users") and check.match("00.0m users") and check.match("0th target")
    assert not check.match("0 0 0 0 ") and not check.match("0 x 0")


_LONG_SHAPES = [
    "1 " * 12_000,
    ", ".join(["dedupe by event_id because retries", "watermark 5 min", "MERGE on key", "partition by date",
               "compact small files to 256 MB", "tenant_id in every key",
               "we would keep the nightly batch because cost",
               "SLO 5 s p95", "late events go to a side output"][i % 9] for i in range(1_500)).lower(),
    "1 " * 10_000 + "5 s 10 min 3x 99.9% 2 k users 4 h behind is fine because cost " * 200,
]


@pytest.mark.parametrize("text", _LONG_SHAPES)
def test_dense_guarded_candidates_give_the_matches_of_a_full_scan(monkeypatch, text):
    """20-50 kB shapes with many candidates: every bundled pattern's matches, narrowed by its guards
    (in one pass of sre where the candidates are dense), are those of `finditer`."""
    assert 20_000 <= len(text) <= 50_000
    monkeypatch.setattr(scan, "GUARD_MIN", 1_000)
    looked = scan._look.cache_info().misses + scan._look.cache_info().hits
    for whole in (text, "title\n" + text):
        memo: dict = {}
        for pattern in _PATTERNS:
            want = [m.span() for m in pattern.finditer(whole)]
            assert [m.span() for m in scan.finditer(pattern, whole, memo)] == want, pattern.pattern[:80]
    if text.startswith("1 "):  # the dense path was taken
        assert scan._look.cache_info().misses + scan._look.cache_info().hits > looked


@settings(derandomize=True, database=None, deadline=None, max_examples=60)
@given(text=texts, data=st.data())
def test_a_long_window_s_ends_are_those_of_its_spans(text, data):
    """`beside` on a long window reads only its first and last spans, walked in the text and shared
    between windows that end together: the same as listing the slice's spans, whatever order the
    windows are asked in."""
    text = (text + " ") * (1 + 2_500 // (len(text) + 1))
    end = data.draw(st.integers(len(text) // 2, len(text)))
    starts = data.draw(st.lists(st.integers(0, end), min_size=1, max_size=6))
    memo: dict = {}
    for pattern in ALL:
        windows = scan.windows(pattern, text, memo)
        for start in starts:
            want = [(m.start() + start, m.end() + start) for m in pattern.finditer(text[start:end])]
            got = windows._ends(start, end) if windows._walks_in_text else None
            if windows._walks_in_text:
                assert got == ((want[0][1], want[-1][0]) if want else None), (pattern.pattern[:80], start, end)


def test_mentions_of_one_long_block_share_their_windows_walk():
    """A one-line answer of many mentions each reaching to the block's end: every window walks only until
    it meets what an earlier one walked (it cost the square of the length: 111 s of CPU at 500 kB)."""
    text = "replay, replay, replay, replay, replay, replay, replay, replay, failed runs, " * 400
    memo: dict = {}
    pattern = next(p for p in ALL if scan.first_chars(p.pattern, p.flags) is not None)
    windows = scan.windows(pattern, text, memo)
    for start in range(0, len(text), 77):
        want = [(m.start() + start, m.end() + start) for m in pattern.finditer(text[start:])]
        assert windows._ends(start, len(text)) == ((want[0][1], want[-1][0]) if want else None)
