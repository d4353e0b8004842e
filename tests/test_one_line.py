"""A long answer on one line grades as before the speed-ups that target it: regions that split a
block at its clause boundaries, gaps (`~N~`) that take whole runs (possessive) and the follow-ups'
phrase search through the scan index all leave every result unchanged."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest
from grade.core import matcher
from grade.core.document import parse
from grade.core.grader import get_rubric, grade_text
from grade.rubric import patterns

REPO = Path(__file__).resolve().parent.parent
ANSWERS = sorted((REPO / "answers").glob("*.md"))


def _one_line(sep: str, size: int) -> str:
    sentences = [s.strip() for p in ANSWERS for s in re.split(r"(?<=[.!?:])\s+|\n+", p.read_text(encoding="utf-8"))
                 if s.strip()]
    out, n, i = [], 0, 0
    while n < size:
        out.append(sentences[i % len(sentences)])
        n += len(out[-1]) + len(sep)
        i += 1
    return sep.join(out)[:size]


def _hits(text: str) -> dict[str, list]:
    _, compiled = get_rubric()
    doc = parse(text)
    return {name: [(h.level, h.line, h.start, h.end, h.listed, h.block, h.clause) for h in compiled.detect(doc, name)]
            for name in compiled.detectors}


@pytest.mark.parametrize("sep", [", ", "; "])
def test_regions_inside_a_block_find_the_hits_of_one_pass(sep, monkeypatch):
    text = _one_line(sep, 40_000)
    monkeypatch.setattr(matcher, "FIRST_REGION", 10**9)
    whole = _hits(text)
    for first in (300, 1_000, 3_000):
        monkeypatch.setattr(matcher, "FIRST_REGION", first)
        assert _hits(text) == whole, first


@pytest.mark.parametrize("sep", [", ", "; "])
def test_regions_inside_a_block_change_nothing(sep, monkeypatch):
    text = _one_line(sep, 60_000)
    monkeypatch.setattr(matcher, "FIRST_REGION", 10**9)  # one region: every hit found in one pass
    whole = grade_text(text, name="x.md").contract_json()
    for first in (16_384, 300, 1_000, 3_000):  # the regions split the line here and there
        monkeypatch.setattr(matcher, "FIRST_REGION", first)
        assert grade_text(text, name="x.md").contract_json() == whole, first


def _old_expand(pattern: str) -> str:
    return patterns._GAP.sub(lambda m: r"[^\w\n]+(?:\w+[^\w\n]+){0,%s}?".replace("%s", m.group(1)), pattern)


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def test_possessive_gaps_match_as_the_plain_ones():
    """Every bundled pattern with a gap finds the same matches (spans and groups) either way."""
    found = sorted({s for f in ("default.toml", "followups.toml")
                    for s in _strings(tomllib.loads((REPO / "rubric" / f).read_text(encoding="utf-8")))
                    if patterns._GAP.search(s)})
    changed = [p for p in found if patterns.expand_pattern(p) != _old_expand(p)]
    assert changed  # the rewrite applies to the bundled rubric
    rng = random.Random(7)
    seps = [" ", " ", ", ", ". ", "; ", " (", ") ", ", , , ", "  ", "\n", " | ", " 5 ", ": "]
    compared = 0
    for p in changed:
        old = re.compile(rf"(?<![a-z0-9])(?:{_old_expand(p)})")
        new = re.compile(rf"(?<![a-z0-9])(?:{patterns.expand_pattern(p)})")
        words = re.findall(r"[a-z0-9]+", patterns._GAP.sub(" ", p).replace("\\w", " ").replace("\\d", "5"))
        for _ in range(4):
            text = "".join(w + (rng.choice(seps) if rng.random() < 0.6 else " and so on" + rng.choice(seps))
                           for w in words) * 2
            want = [(m.span(), m.groups()) for m in old.finditer(text)]
            assert [(m.span(), m.groups()) for m in new.finditer(text)] == want, p
            compared += len(want)
    assert compared > 1000


@pytest.mark.parametrize(("follow", "plus"), [
    ("b", True), ("\\d+ ?(mb|gb)", True), ("(a|bc)d", True), ("(?:a|\\w+ ?x)", True), ("(a|(?:b|c)d)", False),
    ("b?c", False), ("(a|b)?c", False),
    (" b", False), ("(?=a)b", False), ("(a|[(|]b)", False), ("", False), ("\\s", False), ("(a|)", False),
])
def test_a_gap_is_possessive_only_before_a_word(follow, plus):
    assert ("++" in patterns.expand_pattern("x~2~" + follow)) is plus
