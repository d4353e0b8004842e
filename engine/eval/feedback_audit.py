"""The feedback audit: how often the critique and follow-ups would mislead a candidate acting on them.

Measured per answer of the corpus, as the grader outputs them:

- repeated ideas: an item (a gap, a next step, a strength, a follow-up) about an idea an earlier
  item of the same list already covered. An idea is a rubric group (criteria that restate one
  idea) or a criterion in no group; a follow-up also repeats when it asks for a number or choice
  an earlier follow-up asked for;
- presupposing follow-ups: a question whose own words (quotes of the answer left out) take for
  granted a component, layer or event of the rubric's `[components]` list that the answer never
  mentions;
- already-answered follow-ups: a question asking for a number or choice of the rubric's `[asks]`
  list that the answer already states;
- weak strengths: a strength citing a title or heading line, or a line that does not show the
  mechanism (see grade.feedback.mechanism).

The question checks read the question's text against the lists' `question` patterns, never the
bank's own annotations, so a question from anywhere (the bank, a model) is audited alike. The
lists are the rubric's: the figures say how often the output breaks what the rubric knows, and
the independent labelling (evals/FEEDBACK-LABELING.md) says how often a reader is misled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.document import Document, parse
from ..core.matcher import CompiledRubric
from ..core.results import GradeResult
from ..feedback.mechanism import is_title_line, mechanism_lines
from ..feedback.phrases import Phrases, answer_view, phrases_for
from ..rubric.runtime import Rubric

EXAMPLES = 4
TARGETS = {  # measure -> (target, how it is compared)
    "repeated_ideas": (0, "total"),
    "presupposing_followups": (0, "total"),
    "already_answered_share": (0.05, "share"),
}


def idea_of(rubric: Rubric, criterion_id: str) -> str:
    group = rubric.group_of(criterion_id)
    return f"group:{group.id}" if group else criterion_id


@dataclass
class AnswerAudit:
    answer: str
    gaps: int = 0
    followups: int = 0
    strengths: int = 0
    repeats: list[str] = field(default_factory=list)
    presupposing: list[tuple[str, list[str]]] = field(default_factory=list)
    answered: list[tuple[str, list[str]]] = field(default_factory=list)
    title_strengths: list[str] = field(default_factory=list)
    no_mechanism_strengths: list[str] = field(default_factory=list)


def audit_answer(result: GradeResult, doc: Document, matcher: CompiledRubric, *, name: str = "",
                 phrases: Phrases | None = None) -> AnswerAudit:
    """The audit of one graded answer."""
    rubric = matcher.rubric
    phrases = phrases or phrases_for(rubric)
    view = answer_view(doc)
    out = AnswerAudit(answer=name or result.file)
    critique = result.critique
    lists = {}
    if critique is not None:
        lists = {"gap": [item.criteria for item in critique.gaps],
                 "next step": [item.criteria for item in critique.next_steps],
                 "strength": [item.criteria for item in critique.strengths]}
        out.gaps = len(critique.gaps)
        out.strengths = len(critique.strengths)
    for kind, items in lists.items():
        seen: set[str] = set()
        for criteria in items:
            ideas = {idea_of(rubric, c) for c in criteria}
            again = sorted(ideas & seen)
            if again:
                out.repeats.append(f"{kind} on {', '.join(again)}")
            seen |= ideas
    asked_ideas: set[str] = set()
    asked: set[str] = set()
    out.followups = len(result.followups)
    for f in result.followups:
        idea = idea_of(rubric, f.criterion)
        asks = set(phrases.asked(f.question))
        if idea in asked_ideas or asks & asked:
            out.repeats.append(f"follow-up: {f.question}")
        asked_ideas.add(idea)
        asked |= asks
        missing = phrases.missing(view, phrases.presupposed(f.question))
        if missing:
            out.presupposing.append((f.question, missing))
        stated = phrases.stated(view, sorted(asks))
        if stated:
            out.answered.append((f.question, stated))
    if critique is not None:
        by_id = {c.id: c for c in result.criteria}
        for item in critique.strengths:
            if item.line is None:
                continue
            if is_title_line(doc, item.line):
                out.title_strengths.append(item.text)
            elif not any(item.line in mechanism_lines(doc, matcher, by_id[c]) for c in item.criteria if c in by_id):
                out.no_mechanism_strengths.append(item.text)
    return out


def summarise(audits: list[AnswerAudit]) -> dict:
    """The figures over a set of answers, with a few examples of each problem."""
    n = len(audits)
    followups = sum(a.followups for a in audits)
    strengths = sum(a.strengths for a in audits)
    repeats = sum(len(a.repeats) for a in audits)
    presupposing = sum(len(a.presupposing) for a in audits)
    answered = sum(len(a.answered) for a in audits)
    title = sum(len(a.title_strengths) for a in audits)
    no_mechanism = sum(len(a.no_mechanism_strengths) for a in audits)

    def share(k: int, total: int) -> float | None:
        return k / total if total else None

    def examples(pick: Callable[[AnswerAudit], list]) -> list[dict]:
        out = []
        for a in audits:
            for item in pick(a):
                out.append({"answer": a.answer, "item": item if isinstance(item, str) else item[0],
                            **({"why": item[1]} if not isinstance(item, str) else {})})
                if len(out) == EXAMPLES:
                    return out
        return out

    return {
        "answers": n, "followups": followups, "strengths": strengths, "gaps": sum(a.gaps for a in audits),
        "repeated_ideas": repeats, "repeated_ideas_per_answer": repeats / n if n else None,
        "answers_with_repeats": sum(1 for a in audits if a.repeats),
        "presupposing_followups": presupposing, "presupposing_share": share(presupposing, followups),
        "already_answered_followups": answered, "already_answered_share": share(answered, followups),
        "weak_strengths": title + no_mechanism, "weak_strength_share": share(title + no_mechanism, strengths),
        "title_strengths": title, "no_mechanism_strengths": no_mechanism,
        "examples": {
            "repeated_ideas": examples(lambda a: a.repeats),
            "presupposing_followups": examples(lambda a: a.presupposing),
            "already_answered_followups": examples(lambda a: a.answered),
            "weak_strengths": examples(lambda a: a.title_strengths + a.no_mechanism_strengths),
        },
    }


Grader = Callable[[str, str, "str | None"], GradeResult]


def remembering(grader: Grader) -> Grader:
    """The same grader, keeping each result: the audit then reads the very results `grade eval`
    measured, without grading (or asking a model) twice."""
    seen: dict[tuple[str, str, str | None], GradeResult] = {}

    def grade(text: str, name: str, prompt: str | None) -> GradeResult:
        key = (text, name, prompt)
        if key not in seen:
            seen[key] = grader(text, name, prompt)
        return seen[key]

    return grade


def audit_corpus(examples: list, grader: Grader, matcher: CompiledRubric) -> dict:
    """The audit per split and over all answers. `examples` are evaluation.Example (id, split, text,
    gold prompt); each answer is graded with its gold prompt, as `grade eval` grades it."""
    phrases = phrases_for(matcher.rubric)
    by_split: dict[str, list[AnswerAudit]] = {}
    for ex in examples:
        result = grader(ex.text, ex.path.name, ex.gold["prompt"])
        audit = audit_answer(result, parse(ex.text), matcher, name=ex.id, phrases=phrases)
        by_split.setdefault(ex.split, []).append(audit)
    report = {split: summarise(audits) for split, audits in by_split.items()}
    report["all"] = summarise([a for audits in by_split.values() for a in audits])
    return report


def target_lines(feedback: dict) -> list[str]:
    """Met or short, over all answers, for each audit target."""
    data = feedback.get("all") or {}
    out = []
    labels = {"repeated_ideas": "repeated ideas = 0", "presupposing_followups": "presupposing follow-ups = 0",
              "already_answered_share": "already-answered follow-ups <= 5%"}
    for key, (target, _) in TARGETS.items():
        got = data.get(key)
        ok = got is not None and got <= target + 1e-9
        shown = f"{got:.3f}" if isinstance(got, float) else str(got)
        out.append(f"{labels[key]}: {shown} ({'met' if ok else 'SHORT'})")
    return out
