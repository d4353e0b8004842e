"""Score, flags and verdict, from criterion levels and the rubric's verdict rules.

A section's own score is sum(weight x value(level)) / sum(weight) over its criteria that apply,
where the rubric sets value(0), value(1), value(2). The score is 100 x the mean of the section
scores weighted by `section_weights`; with no section weights, 100 x the criterion-weighted mean
over all criteria. An answer to a prompt listed in `prompt_scales` has that score multiplied by
the prompt's factor: a prompt whose general criteria apply less (privacy is not judged on stream
timing) is not held to the coverage of one they all fit. An answer to a prompt listed in
`prompt_offsets` then has that many points added (a per-prompt bar: the bars are the same numbers
for every prompt, the offset moves the answer instead), the score kept within 0..100. The model
is an ordinal logistic regression: score = scale x weighted section scores + offset, two cut
points (the senior and architect bars). The bundled section weights, level values, prompt scales,
prompt offsets and bars are fitted to interviewers' verdicts on the training splits by
`evals/fit_aggregation.py`, which writes them into the rubric.

Verdict, in order (each cap applies only when listed in the rubric's `caps`):
1. by score: architect at or above `architect_min_score`, senior at or above `senior_min_score`;
   within `borderline_points` of a bar, the verdict is borderline;
2. keyword stuffing (many ideas named, few substantiated) -> below bar;
3. a generic enterprise diagram (at least `diagram_min_architecture` criteria of the
   `architecture_sections` named, at most `diagram_max_reasoned` of the `reasoned_sections`
   substantiated) -> below bar;
4. the architect signals (`architect_requires`; bundled: says what stays batch and why, and
   has a tenant isolation model) must be shown for architect;
5. no core correctness mechanic at all -> below bar; none substantiated -> at most senior.
What each cap says is the rubric's (`[verdicts.messages]`).
"""

from __future__ import annotations

from ..records import record
from ..rubric.runtime import Rubric
from ..vocabulary import verdict_rank
from .results import CriterionResult, Verdict


def section_scores(criteria: list[CriterionResult], rubric: Rubric) -> dict[str, float]:
    """Each section's weighted share of its criteria's full value, 0..1."""
    values = rubric.verdicts.level_values
    earned: dict[str, float] = {}
    total: dict[str, float] = {}
    for c in criteria:
        total[c.section] = total.get(c.section, 0.0) + c.weight
        earned[c.section] = earned.get(c.section, 0.0) + c.weight * values[c.level]
    return {s: earned[s] / total[s] for s in total if total[s] > 0}


def score(criteria: list[CriterionResult], rubric: Rubric, prompt: str | None = None) -> float:
    """0-100: the (section-)weighted share of the criteria's full value, times the prompt's scale,
    plus the prompt's offset (0 when the share is 0: an empty answer scores 0 whatever its prompt)."""
    scale = rubric.verdicts.prompt_scales.get(prompt, 1.0) if prompt else 1.0
    weights = rubric.verdicts.section_weights
    if weights:
        parts = section_scores(criteria, rubric)
        total = sum(weights.get(s, 0.0) for s in parts)
        if not total:
            return 0.0
        share = sum(weights.get(s, 0.0) * v for s, v in parts.items()) / total
    else:
        values = rubric.verdicts.level_values
        total = sum(c.weight for c in criteria)
        if not total:
            return 0.0
        share = sum(c.weight * values[c.level] for c in criteria) / total
    if not share:  # nothing of the rubric in the answer: no prompt's offset lifts it off 0
        return 0.0
    offset = rubric.verdicts.prompt_offsets.get(prompt, 0.0) if prompt else 0.0
    return round(max(0.0, min(100.0, 100 * share * scale + offset)), 1)


def borderline(value: float, rubric: Rubric) -> str | None:
    """The bar a score sits within `borderline_points` of, if any ("senior" or "architect")."""
    rules = rubric.verdicts
    if not rules.borderline_points:
        return None
    near = [(abs(value - bar), name) for name, bar in (("senior", rules.senior_min_score),
                                                       ("architect", rules.architect_min_score))
            if abs(value - bar) < rules.borderline_points]
    return min(near)[1] if near else None


@record(frozen=True)
class Aggregate:
    """What the scoring rules make of a set of criterion levels."""

    score: float
    flags: list[str]
    verdict: Verdict
    reasons: list[str]
    borderline: str | None  # the bar the score sits near, unless a cap decided the verdict


def aggregate(criteria: list[CriterionResult], rubric: Rubric, prompt: str | None = None) -> Aggregate:
    """Score, flags, verdict with its reasons, and the borderline bar, in one place (`prompt`: the
    prompt the answer responds to, for its scale)."""
    value = score(criteria, rubric, prompt)
    found = flags(criteria, rubric)
    v, reasons = verdict(criteria, rubric, value, found)
    capped = any(r.startswith("capped") for r in reasons)
    return Aggregate(value, found, v, reasons, None if capped else borderline(value, rubric))


def flags(criteria: list[CriterionResult], rubric: Rubric) -> list[str]:
    rules = rubric.verdicts
    named = [c for c in criteria if c.level >= 1]
    substantiated = [c for c in criteria if c.level == 2]
    out = []
    if len(named) >= rules.stuffing_min_mentioned and (
        len(substantiated) / len(named) <= rules.stuffing_max_substantiated_ratio
    ):
        out.append("keyword_stuffing")
    if not diagram_applies(rubric):
        return out
    architecture = [c for c in criteria if c.section in rules.architecture_sections and c.level >= 1]
    reasoned = [c for c in criteria if c.section in rules.reasoned_sections and c.level == 2]
    if len(architecture) >= rules.diagram_min_architecture and len(reasoned) <= rules.diagram_max_reasoned:
        out.append("generic_diagram")
    return out


def diagram_applies(rubric: Rubric) -> bool:
    """Whether the rubric has a section of the diagram's boxes at all (else no generic diagram)."""
    return any(s.id in rubric.verdicts.architecture_sections for s in rubric.sections)


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

    def cap(limit: Verdict, why: str, name: str) -> None:
        nonlocal v
        if name in rules.caps and verdict_rank(v) > verdict_rank(limit):
            v = limit
            reasons.append(why)

    said = rules.messages
    if "keyword_stuffing" in found_flags:
        cap("below_bar", said.keyword_stuffing, "keyword_stuffing")
    if "generic_diagram" in found_flags:
        cap("below_bar", said.generic_diagram, "generic_diagram")
    by_id = {c.id: c for c in criteria}
    unmet = [by_id[cid].title for cid, need in rules.architect_requires.items()
             if cid in by_id and by_id[cid].level < need]
    if unmet:
        cap("senior", said.architect_requires.replace("{criteria}", "; ".join(unmet)), "architect_requires")
    core = [c for c in criteria if rubric.criterion(c.id).core_correctness]
    if core:
        if all(c.level == 0 for c in core):
            cap("below_bar", said.core_correctness_none, "core_correctness")
        elif all(c.level < 2 for c in core):
            weak = ", ".join(c.title for c in core)
            cap("senior", said.core_correctness_weak.replace("{criteria}", weak), "core_correctness")
    near = borderline(value, rubric)
    if near and len(reasons) == 1:  # a cap decided it otherwise, whatever the score
        reasons.append(f"borderline: the score is within {rubric.verdicts.borderline_points:g} points of the "
                       f"{near.replace('_', ' ')} bar, so a little more substance would change the verdict")
    return v, reasons
