"""The library API: grade an answer's text against a rubric, deterministically."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Protocol

from ..errors import GradeError, RubricInvalid
from ..feedback.critique import build_critique
from ..feedback.followups import choose_followups
from ..records import record
from ..rubric.runtime import Rubric, RubricError
from ..startup import resume_gc
from .document import Document, parse
from .matcher import FIRST_REGION, CompiledRubric, Hit, close_streams
from .prompt_inference import resolve_prompt
from .results import CriterionResult, Evidence, GradeResult, PromptReport
from .rubric_cache import load_compiled
from .scoring import aggregate
from .structure import analyse_structure

MAX_EVIDENCE = 3


@lru_cache(maxsize=8)
def _load(path: str | None) -> tuple[Rubric, CompiledRubric]:
    try:
        return load_compiled(Path(path) if path is not None else None)
    except RubricError as exc:
        raise RubricInvalid(str(exc)) from None
    finally:
        resume_gc()  # the `grade` command's start is over (grade.startup)


def get_rubric(path: str | Path | None = None) -> tuple[Rubric, CompiledRubric]:
    """The rubric at `path` (the bundled one by default) and its compiled matcher, cached."""
    return _load(str(Path(path).resolve()) if path is not None else None)


def _settled(doc: Document, matcher: CompiledRubric, names: Sequence[str]) -> list[Evidence] | None:
    """The evidence of a criterion (from the detectors `names`) once it is settled at level 2: the
    hits found so far hold MAX_EVIDENCE places of level 2 before any hit not yet found could start,
    and no `breadth` still to be reached could raise an earlier level-1 hit. Else None, when every
    hit has been found (the criterion is then read from them all)."""
    if not names:
        return None
    streams = [matcher.stream(doc, name) for name in names]
    breadths = [matcher.detectors[name].breadth for name in names]
    # The hits before the frontier are final and the frontier only moves on: the evidence of those before
    # it is taken once, and each new frontier's hits (all past the last one's) are added to it in order.
    evidence: list[Evidence] = []
    seen: set[tuple[int, str]] = set()
    taken = [0] * len(streams)  # per stream, how many of its hits were walked (once every `breadth` is reached,
    # which then stays reached, the walk takes the same hits as when it started from the first)
    while True:
        pending = [s for s in streams if not s.done]
        if not pending:
            return None
        frontier = min(s.frontier for s in streams)
        if frontier and all(not b or len(s.blocks) >= b for s, b in zip(streams, breadths, strict=True)):
            level2 = []
            for k, (s, b) in enumerate(zip(streams, breadths, strict=True)):
                found, i = s.found, taken[k]
                while i < len(found) and found[i][2] < frontier:
                    f = found[i]
                    if f[0] == 2 or b:  # `breadth` reached: every hit of the detector is level 2
                        level2.append(f)
                    i += 1
                taken[k] = i
            level2.sort(key=itemgetter(2))  # stable: detectors in order at one start, as in match_criteria
            for f in level2:
                place = (f[1], Hit(*f, doc).quote)
                if place in seen:
                    continue
                seen.add(place)
                evidence.append(Evidence(line=place[0], quote=place[1]))
                if len(evidence) == MAX_EVIDENCE:
                    return evidence
        min(pending, key=lambda s: s.frontier).more()


def match_criteria(doc: Document, rubric: Rubric, matcher: CompiledRubric,
                   prompt_id: str | None) -> list[CriterionResult]:
    """Level and evidence for every criterion that applies to an answer to `prompt_id`. A criterion
    settled at level 2 on the first hits (see _settled) is not searched further: its level and
    evidence are those all its hits would give."""
    hits_by_detector: dict[str, list] = {}
    results = []
    long = len(doc.norm) > FIRST_REGION  # else every hit is found in one go
    for c in rubric.applicable(prompt_id):
        evidence = _settled(doc, matcher, c.detectors) if long else None
        if evidence is not None:
            results.append(CriterionResult(id=c.id, title=c.title, section=c.section,
                                           weight=rubric.weight(c, prompt_id), level=2, evidence=evidence))
            continue
        hits = []
        for name in c.detectors:
            if name not in hits_by_detector:
                hits_by_detector[name] = matcher.detect(doc, name)
            hits.extend(hits_by_detector[name])
        hits.sort(key=lambda h: (-h.level, h.start))
        level = hits[0].level if hits else 0
        evidence, seen = [], set()
        for h in hits:
            place = (h.line, h.quote)
            if place in seen:
                continue
            seen.add(place)
            evidence.append(Evidence(line=h.line, quote=place[1]))
            if len(evidence) == MAX_EVIDENCE:
                break
        results.append(CriterionResult(id=c.id, title=c.title, section=c.section, weight=rubric.weight(c, prompt_id),
                                       level=level, evidence=evidence))
    return results


@record
class RulesPass:
    """What the rules find in one answer: its document, the compiled rubric, the prompt and the levels."""

    doc: Document
    rubric: Rubric
    matcher: CompiledRubric
    prompt: PromptReport
    criteria: list[CriterionResult]


def rules_pass(doc: Document, matcher: CompiledRubric, prompt: str | None) -> RulesPass:
    """The rules pipeline, the one place it is written: the prompt (`prompt` wins over front matter
    and inference), then level and evidence for every criterion that applies to it."""
    prompt_report = resolve_prompt(doc, matcher, prompt)
    criteria = match_criteria(doc, matcher.rubric, matcher, prompt_report.id)
    return RulesPass(doc, matcher.rubric, matcher, prompt_report, criteria)


def finish(name: str, doc: Document, matcher: CompiledRubric, prompt: PromptReport,
           criteria: list[CriterionResult], grader: str = "rules", followups: bool = True) -> GradeResult:
    """Score, verdict, structure, critique and follow-ups for a set of criterion levels (no follow-ups
    with `followups=False`: the caller has questions of its own, an LLM's, and the bank's cost CPU)."""
    rubric = matcher.rubric
    agg = aggregate(criteria, rubric, prompt.id)
    result = GradeResult(
        file=name, prompt=prompt.id, prompt_info=prompt, score=agg.score, verdict=agg.verdict,
        borderline=agg.borderline, verdict_reasons=agg.reasons, flags=agg.flags,
        structure=analyse_structure(doc, matcher, criteria),
        criteria=criteria, grader=grader,
    )
    result.critique = build_critique(result, rubric, doc=doc, matcher=matcher)
    if followups:
        result.followups = choose_followups(criteria, rubric, doc.text, doc=doc, prompt=prompt.id)
    return result


def grade_levels(levels: dict[str, int], prompt_id: str | None, *, rubric_path: str | Path | None = None,
                 caps: list[str] | None = None) -> tuple[float, str, str | None]:
    """Score, verdict and borderline bar from given criterion levels (an interviewer's, say): the
    aggregation alone, without the matcher. `caps` overrides the rubric's list of caps."""
    rubric, _ = get_rubric(rubric_path)
    if caps is not None:
        rubric = replace(rubric, verdicts=replace(rubric.verdicts, caps=caps))
    criteria = [CriterionResult(id=c.id, title=c.title, section=c.section, weight=rubric.weight(c, prompt_id),
                                level=int(levels.get(c.id, 0))) for c in rubric.applicable(prompt_id)]
    agg = aggregate(criteria, rubric, prompt_id)
    return agg.score, agg.verdict, agg.borderline


def grade_text(text: str, *, name: str = "<answer>", prompt: str | None = None,
               rubric_path: str | Path | None = None) -> GradeResult:
    """Grade one answer. `prompt` (an id or number) overrides front matter and inference."""
    _, matcher = get_rubric(rubric_path)
    rules = rules_pass(parse(text), matcher, prompt)
    result = finish(name, rules.doc, matcher, rules.prompt, rules.criteria)
    close_streams(rules.doc)
    return result


Item = tuple[str, str, str | None]
"""An answer to grade: (text, name, prompt)."""


class Grader(Protocol):
    """What grades an answer: the rules (RulesGrader) or the rules refined by a model
    (grade.llm.grader.LLMGrader). The CLI and `grade eval` use either the same way."""

    def grade(self, text: str, name: str = "<answer>", prompt: str | None = None) -> GradeResult: ...

    def grade_many(self, items: Sequence[Item], *, jobs: int = 1, batch: bool = False,
                   on_done: Callable[[], None] | None = None,
                   on_status: Callable[[str], None] | None = None) -> list[GradeResult | GradeError]:
        """Every item's GradeResult in input order; an LLM grader puts the LLMError that stopped one
        answer alone in that answer's place (any other error stops the run)."""
        ...


def rubric_time_limit(rubric_path: str | Path | None, name: str):
    """With a user's rubric, grading one answer stops past limits.RUBRIC_TIME_LIMIT seconds."""
    from . import limits

    if rubric_path is None:
        return contextlib.nullcontext()
    return limits.time_limit(limits.RUBRIC_TIME_LIMIT,
                             f"{rubric_path}: grading {name} took over {limits.RUBRIC_TIME_LIMIT:g} s: a pattern of "
                             "this rubric backtracks without end on it; simplify the rubric's patterns")


class RulesGrader:
    """The deterministic grader. With `time_limit`, grading one answer against a user's rubric
    stops past limits.RUBRIC_TIME_LIMIT seconds (the bundled rubric is trusted)."""

    def __init__(self, rubric_path: str | Path | None = None, *, time_limit: bool = False) -> None:
        self.rubric_path = rubric_path
        self.time_limit = time_limit

    def grade(self, text: str, name: str = "<answer>", prompt: str | None = None) -> GradeResult:
        limit = rubric_time_limit(self.rubric_path, name) if self.time_limit else contextlib.nullcontext()
        with limit:
            return grade_text(text, name=name, prompt=prompt, rubric_path=self.rubric_path)

    __call__ = grade

    def grade_many(self, items: Sequence[Item], *, jobs: int = 1, batch: bool = False,
                   on_done: Callable[[], None] | None = None,
                   on_status: Callable[[str], None] | None = None) -> list[GradeResult | GradeError]:
        """Every item graded in turn (the rules need no parallelism: `jobs` and `batch` are the LLM's)."""
        out: list[GradeResult | GradeError] = []
        for text, name, prompt in items:
            out.append(self.grade(text, name, prompt))
            if on_done is not None:
                on_done()
        return out
