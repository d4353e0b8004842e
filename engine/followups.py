"""Interviewer follow-up questions, drawn deterministically from the rubric's question bank.

Aimed at what costs the answer most and at its own claims: a "how would you handle" probe for
a missing criterion, a "walk me through" for a mentioned one, a failure-mode or trade-off probe
for a substantiated one, quoting the candidate's words.
"""

from __future__ import annotations

import hashlib

from .results import CriterionResult, Followup
from .rubric.model import Rubric

DEPTHS = ("missing", "mentioned", "substantiated")
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
                     *, limit: int = 7) -> list[Followup]:
    """3 to `limit` questions: costliest gaps first, then probes of the answer's own claims."""
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
    # Fill up to at least three from whatever is left, in order of cost.
    rest = [c for c in missing[3:] + mentioned[2:] + strong[2:] if c not in plan]
    plan += rest[: max(0, 3 - len(plan))]
    out: list[Followup] = []
    for c in plan[:limit]:
        depth = DEPTHS[c.level]
        options = bank.get((c.id, depth))
        if not options:
            continue
        text = _pick(options, f"{answer_seed}:{c.id}:{depth}")
        if "{quote}" in text:
            if not c.evidence:
                continue
            text = text.replace("{quote}", _short(c.evidence[0].quote))
        out.append(Followup(criterion=c.id, depth=depth, question=text))
    return out
