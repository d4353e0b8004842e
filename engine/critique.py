"""The interviewer's critique: the verdict and why, what is missing by cost, what was strong."""

from __future__ import annotations

from .results import VERDICT_LABELS, CriterionResult, Critique, CritiqueItem, GradeResult
from .rubric.model import Rubric

_HEADLINES = {
    "architect": "Architect-level answer.",
    "senior": "Solid senior answer, not yet architect.",
    "below_bar": "Below the bar for this round.",
}


def build_critique(result: GradeResult, rubric: Rubric, *, max_gaps: int = 6,
                   max_strengths: int = 4) -> Critique:
    criteria = result.criteria
    why = [CritiqueItem(text=r) for r in result.verdict_reasons]
    if result.structure.present < 6:
        absent = [p.title for p in result.structure.parts if not p.present]
        why.append(CritiqueItem(text="the answer structure is missing: " + "; ".join(absent)))
    elif result.structure.in_order is False:
        why.append(CritiqueItem(text="all six parts are there, but not in the order that reads senior "
                                "(requirements, architecture, decisions, correctness, operations, security)"))

    def cost(c: CriterionResult) -> tuple[float, str]:
        return (-c.weight * (2 - c.level), c.id)

    gaps = []
    for c in sorted((c for c in criteria if c.level < 2), key=cost)[:max_gaps]:
        expect = rubric.criterion(c.id).description
        if c.level == 0 or not c.evidence:
            gaps.append(CritiqueItem(text=f"{c.title}: nothing in the answer. I'd expect this: {expect}",
                                     criteria=[c.id]))
        else:
            e = c.evidence[0]
            gaps.append(CritiqueItem(text=f"{c.title}: you name it (line {e.line}: \"{e.quote}\") but never show "
                                     f"how it works. I'd expect this: {expect}", criteria=[c.id], line=e.line))
    strengths, quoted = [], set()
    for c in sorted((c for c in criteria if c.level == 2), key=lambda c: (-c.weight, c.id)):
        e = c.evidence[0]
        if (e.line, e.quote) in quoted or e.line in {line for line, _ in quoted}:
            continue  # the same words already earned credit under an overlapping criterion
        quoted.add((e.line, e.quote))
        strengths.append(CritiqueItem(text=f"{c.title} (line {e.line}): \"{e.quote}\"", criteria=[c.id],
                                      line=e.line))
        if len(strengths) == max_strengths:
            break
    next_steps = [CritiqueItem(text=rubric.criterion(c.id).advice, criteria=[c.id])
                  for c in sorted((c for c in criteria if c.level < 2), key=cost)[:3]]
    if "keyword_stuffing" in result.flags:
        next_steps.insert(0, CritiqueItem(text="Pick fewer ideas and show how each works: a key, a number, a "
                                          "reason. A list of terms reads as rehearsed, not experienced."))
    if "generic_diagram" in result.flags:
        next_steps.insert(0, CritiqueItem(text="Stop listing products; for each component say what you chose "
                                          "instead and what keeps the data correct (keys, late data, merges)."))
    label = VERDICT_LABELS[result.verdict]
    headline = f"{_HEADLINES[result.verdict]} Score {result.score:g}/100, verdict: {label}."
    return Critique(headline=headline, why=why, gaps=gaps, strengths=strengths, next_steps=next_steps)
