"""Why the verdict is what it is, in words a candidate understands: every flag and every cap.

The verdict comes from grade.core.scoring; this module only explains it. A flag (keyword stuffing, a
generic enterprise diagram) is named whenever it is raised, with the counts behind it, and says
whether it decided the verdict. A cap (the architect signals, the correctness mechanics) is
named whenever it holds the verdict below what the score alone would give. The numbers and the
criteria come from the result and the rubric; nothing here changes a level, a score or a verdict.
"""

from __future__ import annotations

from ..core.results import VERDICT_LABELS, CritiqueItem, GradeResult
from ..rubric.runtime import Rubric
from ..vocabulary import verdict_rank

LEVEL_WORDS = ("missing", "named only", "shown with a mechanism or reason")
_NEED_WORDS = {1: "at least named", 2: "shown with a mechanism or reason"}


def _by_score(result: GradeResult, rubric: Rubric) -> str:
    rules = rubric.verdicts
    if result.score >= rules.architect_min_score:
        return "architect"
    return "senior" if result.score >= rules.senior_min_score else "below_bar"


def fill(template: str, **values: object) -> str:
    """`template` with each `{name}` replaced by its value; other braces are left as written (a
    rubric's text is not a format string)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def _effect(cap: str, limit: str, result: GradeResult, rubric: Rubric) -> str:
    """What the cap did to this verdict, said plainly."""
    label = VERDICT_LABELS[limit]
    if cap not in rubric.verdicts.caps:
        return "This rubric reports it without capping the verdict."
    if verdict_rank(_by_score(result, rubric)) > verdict_rank(limit):
        return f"This is what holds the verdict at {label}, whatever the score."
    return f"It would hold the verdict at {label}; the score alone already puts it there."


def _either(section_ids: list[str], titles: dict[str, str]) -> str:
    """'"A"', '"A" or "B"', '"A", "B" or "C"': the sections' titles."""
    named = [f'"{titles.get(sid, sid)}"' for sid in section_ids] or ['""']
    return ", ".join(named[:-1]) + " or " + named[-1] if len(named) > 1 else named[0]


def flags_and_caps(result: GradeResult, rubric: Rubric) -> list[CritiqueItem]:
    """One item per flag raised and per cap that holds, each naming the rule it explains."""
    rules = rubric.verdicts
    criteria = result.criteria
    out: list[CritiqueItem] = []
    named = [c for c in criteria if c.level >= 1]
    shown = [c for c in named if c.level == 2]
    if "keyword_stuffing" in result.flags:
        share = round(100 * len(shown) / len(named)) if named else 0
        bar = round(100 * rules.stuffing_max_substantiated_ratio)
        out.append(CritiqueItem(
            rule="keyword_stuffing", criteria=[c.id for c in named if c.level == 1],
            text=(fill(rules.messages.keyword_stuffing_explained, named=len(named), shown=len(shown),
                       work="works" if len(shown) == 1 else "work", share=share, bar=bar) + " "
                  + _effect("keyword_stuffing", "below_bar", result, rubric))))
    if "generic_diagram" in result.flags:
        boxes = [c for c in criteria if c.section in rules.architecture_sections and c.level >= 1]
        reasoned = [c for c in criteria if c.section in rules.reasoned_sections and c.level == 2]
        titles = {sec.id: sec.title for sec in rubric.sections}
        out.append(CritiqueItem(
            rule="generic_diagram", criteria=[c.id for c in boxes],
            text=(fill(rules.messages.generic_diagram_explained, boxes=len(boxes),
                       architecture=_either(rules.architecture_sections, titles), reasoned=len(reasoned),
                       reasoned_sections=_either(rules.reasoned_sections, titles),
                       max_reasoned=rules.diagram_max_reasoned) + " "
                  + _effect("generic_diagram", "below_bar", result, rubric))))
    by_score = verdict_rank(_by_score(result, rubric))
    by_id = {c.id: c for c in criteria}
    unmet = [(by_id[cid], need) for cid, need in rules.architect_requires.items()
             if cid in by_id and by_id[cid].level < need]
    if unmet and by_score >= 1:
        parts = "; ".join(f"{c.title.lower()} ({rubric.criterion(c.id).description.rstrip('.').lower()}): it needs to "
                          f"be {_NEED_WORDS[need]}, and is {LEVEL_WORDS[c.level]}" for c, need in unmet)
        out.append(CritiqueItem(
            rule="architect_requires", criteria=[c.id for c, _ in unmet],
            text=fill(rules.messages.architect_requires_explained, requirements=parts) + " "
                 + _effect("architect_requires", "senior", result, rubric)))
    core = [c for c in criteria if rubric.criterion(c.id).core_correctness]
    if core:
        titles = "; ".join(c.title for c in core)
        ids = [c.id for c in core]
        if all(c.level == 0 for c in core):
            out.append(CritiqueItem(
                rule="core_correctness", criteria=ids,
                text=(rules.messages.core_correctness_none_explained.replace("{criteria}", titles) + " "
                      + _effect("core_correctness", "below_bar", result, rubric))))
        elif all(c.level < 2 for c in core) and by_score >= 1:
            out.append(CritiqueItem(
                rule="core_correctness", criteria=ids,
                text=(rules.messages.core_correctness_weak_explained.replace("{criteria}", titles) + " "
                      + _effect("core_correctness", "senior", result, rubric))))
    return out
