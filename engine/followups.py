"""Interviewer follow-up questions, drawn deterministically from the rubric's question bank.

Aimed at what costs the answer most and at its own claims: a "how would you handle" probe for
a missing criterion, a "walk me through" for a mentioned one, a failure-mode or trade-off probe
for a substantiated one, quoting the candidate's words.

The bank's choice is the anchor. A `FollowupWriter` (the LLM path) may reword or replace the
questions, but `interviewer_followups` keeps only those that probe a criterion the grader actually
verified at the depth it claims, and falls back to the bank when too few survive.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from .results import CriterionResult, Followup, GradeResult
from .rubric.model import Rubric

DEPTHS = ("missing", "mentioned", "substantiated")
MIN_FOLLOWUPS = 3
MAX_FOLLOWUPS = 7
_QUOTE_MAX = 90


def _short(quote: str) -> str:
    if len(quote) <= _QUOTE_MAX:
        return quote
    cut = quote.rfind(" ", 0, _QUOTE_MAX)
    return quote[: cut if cut > 20 else _QUOTE_MAX].rstrip(" ,;:") + "..."


def _pick(options: list[str], seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def choose_followups(criteria: list[CriterionResult], rubric: Rubric, answer_text: str,
                     *, limit: int = MAX_FOLLOWUPS) -> list[Followup]:
    """3 to `limit` questions: costliest gaps first, then probes of the answer's own claims.

    The same answer always gets the same questions: each phrasing is picked by a hash of the
    answer, the criterion and the depth. A quote already used by an earlier question is not
    repeated when the criterion has other evidence.
    """
    bank: dict[tuple[str, str], list[str]] = {}
    for f in rubric.followups:
        bank.setdefault((f.criterion, f.depth), []).append(f.text)
    answer_seed = hashlib.sha256(answer_text.encode()).hexdigest()[:16]

    def cost(c: CriterionResult) -> tuple[float, str]:
        return (-c.weight * (2 - c.level), c.id)

    missing = sorted((c for c in criteria if c.level == 0), key=cost)
    mentioned = sorted((c for c in criteria if c.level == 1), key=cost)
    strong = sorted((c for c in criteria if c.level == 2), key=lambda c: (-c.weight, c.id))
    plan = missing[:3] + mentioned[:2] + strong[:2]
    # Whatever is left, in order of cost, tops the list up to the minimum if the plan falls short.
    reserve = [c for c in missing[3:] + mentioned[2:] + strong[2:] if c not in plan]
    out: list[Followup] = []
    used_quotes: set[str] = set()
    for c in plan + reserve:
        if len(out) >= limit or (c in reserve and len(out) >= MIN_FOLLOWUPS):
            break
        depth = DEPTHS[c.level]
        options = bank.get((c.id, depth))
        if not options:
            continue
        text = _pick(options, f"{answer_seed}:{c.id}:{depth}")
        if "{quote}" in text:
            if not c.evidence:
                continue
            fresh = [e for e in c.evidence if e.quote not in used_quotes]
            quote = (fresh or c.evidence)[0].quote
            used_quotes.add(quote)
            text = text.replace("{quote}", _short(quote))
        out.append(Followup(criterion=c.id, depth=depth, question=text))
    return out


class FollowupWriter(Protocol):
    """Writes follow-up questions in its own words (the `--llm` path plugs in here).

    It is given the bank's questions as anchors: the criteria the grader verified, at the depth
    it verified them, with the candidate's own words. It returns its questions; each must name
    one of the result's criteria and that criterion's depth, or it is dropped.
    """

    def write(self, result: GradeResult, anchors: list[Followup], answer_text: str) -> list[Followup]: ...


def anchored(questions: list[Followup], result: GradeResult) -> list[Followup]:
    """The questions that probe a criterion of `result` at the depth the grader found, deduplicated."""
    depth_of = {c.id: DEPTHS[c.level] for c in result.criteria}
    out, seen = [], set()
    for q in questions:
        key = (q.criterion, q.question.strip())
        if depth_of.get(q.criterion) == q.depth and q.question.strip() and key not in seen:
            seen.add(key)
            out.append(q)
    return out[:MAX_FOLLOWUPS]


def interviewer_followups(result: GradeResult, answer_text: str, *,
                          writer: FollowupWriter | None = None) -> list[Followup]:
    """The follow-ups to ask: the bank's (already on `result`), or a writer's, kept anchored."""
    if writer is None:
        return list(result.followups)
    written = anchored(writer.write(result, list(result.followups), answer_text), result)
    return written if len(written) >= MIN_FOLLOWUPS else list(result.followups)
