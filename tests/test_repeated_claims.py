"""An answer that repeats its claims grades as the plain path grades it: the quotes kept by the
clause's text (matcher._quote) and the substance windows kept by their text (scan._Windows) give
exactly what working each one out gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from grade.core import matcher, scan
from grade.core.document import parse
from grade.core.grader import get_rubric, grade_text

REPO = Path(__file__).resolve().parent.parent
CLAIMS = ["dedupe by event_id because retries", "watermark 5 min", "MERGE on key", "partition by date",
          "compact small files to 256 MB", "tenant_id in every key", "we would keep the nightly batch because cost",
          "SLO 5 s p95", "late events go to a side output", "merge ON KEY", "Dedupe by Event-ID because retries"]


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


TEXTS = [_claims(20_000), _claims(30_000, "; "), _claims(25_000, "\n- "), _sentences(40_000), _paragraphs(50_000)]


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
