"""Score, flags and verdict, from criterion levels and the rubric's verdict rules.

Score = 100 x sum(weight x value(level)) / sum(weight) over the criteria that apply, where the
rubric sets value(0), value(1), value(2) (bundled: 0, 0.4, 1: naming an idea is worth much less
than showing how it works).

Verdict, in order:
1. by score: architect at or above `architect_min_score`, senior at or above `senior_min_score`;
2. keyword stuffing (many ideas named, few substantiated) -> below bar;
3. a generic enterprise diagram (architecture named, at most `diagram_max_reasoned` decisions or
   correctness mechanics substantiated) -> below bar;
4. the architect signals (`architect_requires`; bundled: says what stays batch and why, and
   has a tenant isolation model) must be shown for architect;
5. no core correctness mechanic at all -> below bar; none substantiated -> at most senior.
"""

from __future__ import annotations

from .results import CriterionResult, Verdict
from .rubric.model import Rubric

_ORDER: list[Verdict] = ["below_bar", "senior", "architect"]


def score(criteria: list[CriterionResult], rubric: Rubric) -> float:
    values = rubric.verdicts.level_values
    total = sum(c.weight for c in criteria)
    if not total:
        return 0.0
    earned = sum(c.weight * values[c.level] for c in criteria)
    return round(100 * earned / total, 1)


def flags(criteria: list[CriterionResult], rubric: Rubric) -> list[str]:
    rules = rubric.verdicts
    named = [c for c in criteria if c.level >= 1]
    substantiated = [c for c in criteria if c.level == 2]
    out = []
    if len(named) >= rules.stuffing_min_mentioned and (
        len(substantiated) / len(named) <= rules.stuffing_max_substantiated_ratio
    ):
        out.append("keyword_stuffing")
    architecture = [c for c in criteria if c.section == "architecture" and c.level >= 1]
    reasoned = [c for c in criteria if c.section in ("decisions", "correctness", "prompt") and c.level == 2]
    if len(architecture) >= rules.diagram_min_architecture and len(reasoned) <= rules.diagram_max_reasoned:
        out.append("generic_diagram")
    return out


def verdict(criteria: list[CriterionResult], rubric: Rubric, value: float,
            found_flags: list[str]) -> tuple[Verdict, list[str]]:
    """The verdict and the reasons for it, each a sentence a candidate can act on."""
    rules = rubric.verdicts
    if value >= rules.architect_min_score:
        v: Verdict = "architect"
        reasons = [f"score {value:g} reaches the architect bar ({rules.architect_min_score:g})"]
    elif value >= rules.senior_min_score:
        v = "senior"
        reasons = [f"score {value:g} is between the senior bar ({rules.senior_min_score:g}) "
                   f"and the architect bar ({rules.architect_min_score:g})"]
    else:
        v = "below_bar"
        reasons = [f"score {value:g} is under the senior bar ({rules.senior_min_score:g})"]

    def cap(limit: Verdict, why: str) -> None:
        nonlocal v
        if _ORDER.index(v) > _ORDER.index(limit):
            v = limit
            reasons.append(why)

    if "keyword_stuffing" in found_flags:
        cap("below_bar", "capped at below bar: many ideas are named but almost none is explained "
                         "(keyword stuffing)")
    if "generic_diagram" in found_flags:
        cap("below_bar", "capped at below bar: a generic enterprise diagram, components without "
                         "trade-offs or correctness mechanics")
    by_id = {c.id: c for c in criteria}
    unmet = [by_id[cid].title for cid, need in rules.architect_requires.items()
             if cid in by_id and by_id[cid].level < need]
    if unmet:
        cap("senior", "capped at senior: the architect signals are not shown (" + "; ".join(unmet) + ")")
    core = [c for c in criteria if rubric.criterion(c.id).core_correctness]
    if core:
        if all(c.level == 0 for c in core):
            cap("below_bar", "capped at below bar: no correctness mechanics (idempotency, late data, "
                             "merges) at all")
        elif all(c.level < 2 for c in core):
            weak = ", ".join(c.title for c in core)
            cap("senior", f"capped at senior: no correctness mechanic is substantiated ({weak})")
    return v, reasons
