"""An answer that repeats its claims grades as the plain path grades it: the quotes kept by the
clause's text (matcher._quote) and the substance windows kept by their text (scan._Windows) give
exactly what working each one out gives; so do the substance windows asked only whether a span lies
beside the mention (scan._Windows.beside) and the settle walk that takes each region's new hits
once (grader._settled) instead of walking every hit found so far again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from grade.core import grader, matcher, scan
from grade.core.document import parse
from grade.core.grader import MAX_EVIDENCE, get_rubric, grade_text
from grade.core.results import Evidence

REPO = Path(__file__).resolve().parent.parent
CLAIMS = ["dedupe by event_id because retries", "watermark 5 min", "MERGE on key", "partition by date",
          "compact small files to 256 MB", "tenant_id in every key", "we would keep the nightly batch because cost",
          "SLO 5 s p95", "late events go to a side output", "merge ON KEY", "Dedupe by Event-ID because retries"]


NINE = CLAIMS[:9]


def _nine(size: int) -> str:
    """The shape of the speed target: nine short claims on one line, cut mid-claim."""
    return ", ".join(NINE[i % 9] for i in range(size // 10))[:size]


def _claims(size: int, sep: str = ", ") -> str:
    return sep.join(CLAIMS[i % len(CLAIMS)] for i in range(size // 10))[:size]


def _sentences(size: int) -> str:
    text = (REPO / "answers" / "privacy-dsr.md").read_text(encoding="utf-8")
    words = text.split()
    line = ", ".join(" ".join(words[i:i + 6]) for i in range(0, len(words), 6))
    return ", ".join([line] * (size // len(line) + 1))[:size]


def _paragraphs(size: int) -> str:
    sentences = [s.strip() for p in sorted((REPO / "answers").glob("*.md"))
                 for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8")) if s.strip()]
    out = "\n\n".join(f"- {c}. {sentences[i % len(sentences)]}" for i, c in enumerate(CLAIMS * 200))
    return out[:size]


def _plain(monkeypatch) -> None:
    monkeypatch.setattr(matcher, "_quote", matcher._plain_quote)
    monkeypatch.setattr(scan, "_WINDOW_TEXT_MAX", -1)


def _quotes(text: str) -> dict[str, list]:
    _, compiled = get_rubric()
    doc = parse(text)
    return {name: [(h.level, h.line, h.start, h.end, h.clause, h.quote) for h in compiled.detect(doc, name)]
            for name in compiled.detectors}


TEXTS = [_claims(20_000), _claims(30_000, "; "), _claims(25_000, "\n- "), _sentences(40_000), _paragraphs(50_000),
         _nine(20_003), _nine(50_000)]


@pytest.mark.parametrize("i", range(len(TEXTS)))
def test_memos_change_no_result(i, monkeypatch):
    text = TEXTS[i]
    fast = grade_text(text, name="x.md").contract_json()
    fast_quotes = _quotes(text)
    _plain(monkeypatch)
    assert grade_text(text, name="x.md").contract_json() == fast
    assert _quotes(text) == fast_quotes


def test_the_quote_keeps_each_repeat_s_own_case():
    text = _claims(20_000)
    quotes = {q for hits in _quotes(text).values() for *_, q in hits}
    assert "MERGE on key" in quotes and "merge ON KEY" in quotes


def _settled_rewalk(doc, compiled, names):
    """grader._settled as it was: every hit before the frontier walked again at each frontier."""
    if not names:
        return None
    streams = [compiled.stream(doc, name) for name in names]
    breadths = [compiled.detectors[name].breadth for name in names]
    while True:
        pending = [s for s in streams if not s.done]
        if not pending:
            return None
        frontier = min(s.frontier for s in streams)
        if frontier and all(not b or len(s.blocks) >= b for s, b in zip(streams, breadths, strict=True)):
            level2 = sorted((f for s, b in zip(streams, breadths, strict=True) for f in s.found
                             if f[2] < frontier and (f[0] == 2 or b)), key=lambda f: f[2])
            evidence, seen = [], set()
            for f in level2:
                place = (f[1], matcher.Hit(*f, doc).quote)
                if place not in seen:
                    seen.add(place)
                    evidence.append(Evidence(line=place[0], quote=place[1]))
                    if len(evidence) == MAX_EVIDENCE:
                        return evidence
        min(pending, key=lambda s: s.frontier).more()


@pytest.mark.parametrize("i", range(len(TEXTS)))
@pytest.mark.parametrize("first", [300, 2_000])
def test_the_settle_walk_takes_each_hit_once_and_settles_as_before(i, first, monkeypatch):
    monkeypatch.setattr(matcher, "FIRST_REGION", first)  # many regions: many frontiers to walk to
    rubric, compiled = get_rubric()
    for c in rubric.criteria:
        got = grader._settled(parse(TEXTS[i]), compiled, c.detectors)
        assert got == _settled_rewalk(parse(TEXTS[i]), compiled, c.detectors), c.id


@pytest.mark.parametrize("i", range(len(TEXTS)))
def test_settling_changes_no_result(i, monkeypatch):
    text = TEXTS[i]
    settled = grade_text(text, name="x.md").contract_json()
    monkeypatch.setattr(grader, "FIRST_REGION", 10**9)  # no criterion settled early: every hit found
    monkeypatch.setattr(matcher, "FIRST_REGION", 10**9)
    assert grade_text(text, name="x.md").contract_json() == settled
