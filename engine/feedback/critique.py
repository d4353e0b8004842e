"""The interviewer's critique: the verdict and why, what is missing by cost, what was strong.

It speaks in ideas (grade.feedback.ideas): criteria that restate one idea are one gap, one next step, one
strength, at the idea's weakest level, and each item names every criterion it covers."""

from __future__ import annotations

import re

from ..core.document import Document
from ..core.matcher import CompiledRubric
from ..core.results import VERDICT_LABELS, Critique, CritiqueItem, Evidence, GradeResult
from ..core.static_regex import regex
from ..rubric.runtime import Rubric
from .anchors import anchors_for
from .explain import flags_and_caps
from .ideas import Idea, by_cost, by_weight, ideas
from .mechanism import in_another_sense, is_title_line, iter_mechanism_evidence, shows_own_idea
from .quotes import is_fragment, shown, shows_how, whole_sentence

_HEADLINES = {
    "architect": "Architect-level answer.",
    "senior": "Solid senior answer, not yet architect.",
    "below_bar": "Below the bar for this round.",
}


def build_critique(result: GradeResult, rubric: Rubric, *, doc: Document | None = None,
                   matcher: CompiledRubric | None = None, max_gaps: int = 6, max_strengths: int = 4) -> Critique:
    """The critique of a graded answer. With the answer (`doc`) and the `matcher`, a strength cites
    the line that shows the mechanism; without them, its first evidence that is not a title."""
    criteria = result.criteria
    reasons = [r for r in result.verdict_reasons if not r.startswith("capped")]  # caps: said below
    why = [CritiqueItem(text=reasons[0]), *flags_and_caps(result, rubric),
           *(CritiqueItem(text=r) for r in reasons[1:]), *_structure(result, rubric)]

    all_ideas = ideas(criteria, rubric)
    short = by_cost([i for i in all_ideas if i.level < 2])  # the ideas not yet substantiated, costliest first
    gaps = [_gap(idea, rubric, doc) for idea in short[:max_gaps]]
    praised = {s.id for s in rubric.sections if s.strengths}
    strengths = _strengths(all_ideas, praised, doc, matcher, max_strengths, rubric)
    next_steps = [CritiqueItem(text=_advice(idea, rubric), criteria=idea.criteria) for idea in short[:3]]
    said = rubric.verdicts.messages
    if "keyword_stuffing" in result.flags:
        next_steps.insert(0, CritiqueItem(text=said.keyword_stuffing_step))
    if "generic_diagram" in result.flags:
        next_steps.insert(0, CritiqueItem(text=said.generic_diagram_step))
    label = VERDICT_LABELS[result.verdict]
    headline = f"{_HEADLINES[result.verdict]} Score {result.score:g}/100, verdict: {label}."
    return Critique(headline=headline, why=why, gaps=gaps, strengths=strengths, next_steps=next_steps)


MAX_GAP_QUOTE_CHARS = 240  # a gap quotes the whole sentence up to this long, else the clause the grader read


def _said(e: Evidence, doc: Document | None = None) -> str:
    """Where the answer got to, as the candidate wrote it: the whole sentence around the evidence (not a
    clause cut mid-word, "open table format (append-only, the"), unless that sentence is too long to
    quote or is itself cut from code."""
    said = shown(e.quote)
    if doc is not None:
        whole = whole_sentence(doc, e.line, e.quote)
        # a table cell ("Marts") is less than the clause read across the row ("Marts | dbt on Trino | daily KPIs")
        if len(shown(whole)) >= len(said) and len(whole) <= MAX_GAP_QUOTE_CHARS and not is_fragment(whole):
            said = shown(whole)
    return said


def _cite(e: Evidence, doc: Document | None = None) -> str:
    return f'line {e.line}: "{_said(e, doc)}"'


def _lower(title: str) -> str:
    """A criterion's title inside a sentence: lower case but for its acronyms ("latency / freshness SLO",
    not "latency / freshness slo")."""
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in title.split(" "))


def _body_first(evidence: list[Evidence], doc: Document | None) -> list[Evidence]:
    """The evidence with lines of the body before titles and headings: "you name it (line 54: "Marts")"
    quotes a heading, which names a section, not the idea."""
    if doc is None:
        return evidence
    return sorted(evidence, key=lambda e: is_title_line(doc, e.line))


def _gap(idea: Idea, rubric, doc: Document | None = None) -> CritiqueItem:
    """What is missing from one idea, with the line that shows how far the answer got."""
    w = idea.weakest
    spec = rubric.criterion(w.id)
    if idea.group is None:
        if w.level == 0 or not w.evidence:
            return CritiqueItem(text=f"{idea.title}: nothing in the answer. I'd expect this: {spec.description}",
                                criteria=idea.criteria)
        e = _body_first(w.evidence, doc)[0]
        return CritiqueItem(text=f"{idea.title}: you name it ({_cite(e, doc)}) but never show how it works. "
                            f"I'd expect this: {spec.description}", criteria=idea.criteria, line=e.line)
    whole = idea.group.description or spec.description
    s = idea.strongest
    if not s.evidence:
        return CritiqueItem(text=f"{idea.title}: nothing in the answer. I'd expect this: {whole}",
                            criteria=idea.criteria)
    part = _body_first(s.evidence, doc)[0]
    if w.level == 0:
        return CritiqueItem(text=f"{idea.title}: you touch on it ({_cite(part, doc)}), but nothing covers "
                            f"{_lower(w.title)}. I'd expect this: {spec.description}",
                            criteria=idea.criteria, line=part.line)
    named = _body_first(w.evidence, doc)[0] if w.evidence else part
    if not idea.uneven:
        return CritiqueItem(text=f"{idea.title}: you name it ({_cite(named, doc)}) but never show how it works. "
                            f"I'd expect this: {whole}", criteria=idea.criteria, line=named.line)
    if _said(part, doc) == _said(named, doc):
        # one sentence shows one part and only names the other: quoted once, not twice under two lines
        return CritiqueItem(text=f"{idea.title}: you show part of it ({_cite(part, doc)}), but the same sentence "
                            f"only names {_lower(w.title)}. I'd expect this: {spec.description}",
                            criteria=idea.criteria, line=named.line)
    return CritiqueItem(text=f"{idea.title}: you show part of it ({_cite(part, doc)}), but {_lower(w.title)} is "
                        f"only named ({_cite(named, doc)}). I'd expect this: {spec.description}",
                        criteria=idea.criteria, line=named.line)


def _advice(idea: Idea, rubric) -> str:
    """The next step for an idea: the group's own, written for the whole idea, else the weakest part's."""
    if idea.group is not None and idea.group.advice:
        return idea.group.advice
    return rubric.criterion(idea.weakest.id).advice


def _strengths(
    all_ideas: list[Idea], praised: set[str], doc: Document | None, matcher: CompiledRubric | None, limit: int,
    rubric: Rubric | None = None,
) -> list[CritiqueItem]:
    """Substantiated ideas of the `praised` sections, heaviest first, each citing a line of its own
    that shows the mechanism (never a title or heading, never a line that only names the topic, a tool
    chain or a clause with no reason, number or code in it: see `shows_how`; never a requirement, a
    goal, the context, a non-goal or a risk: see grade.feedback.anchors). An idea with no such line is
    not praised; nor is a sentence praised twice, whole or in part (see `_overlaps`)."""
    anchors = anchors_for(rubric) if rubric is not None and doc is not None else None

    def states_design(line: int, said: str, criterion: str) -> bool:
        # the whole sentence cited, not a piece cut from code ("error` elsewhere, or anomaly on tier-1")
        return not is_fragment(said) and (anchors is None or anchors.praisable(doc, line, said, criterion)) \
            and (matcher is None or (shows_own_idea(matcher, criterion, said)
                                     and not _follows_another_sense(matcher, criterion, line, said)))

    def _follows_another_sense(matcher: CompiledRubric, criterion: str, line: int, said: str) -> bool:
        # "Kafka uses log compaction. So small files are cleaned before the warehouse": a sentence that goes
        # on from the one before it ("So", "This", "That way") is in that sentence's sense (feedback round 13)
        if doc is None or not _GOES_ON.match(said) or not 1 <= line <= len(doc.lines):
            return False
        text = doc.lines[line - 1].text
        at = text.find(said)
        before = text[:at] if at > 0 else (doc.lines[line - 2].text if line > 1 else "")
        return in_another_sense(matcher, criterion, before + " " + said)


    def sentence(line: int, quote: str) -> str:
        # the whole sentence, so that a clause cut from a wrapped line still reads as the candidate's claim
        return shown(whole_sentence(doc, line, quote)) if doc is not None else shown(quote)

    def goes_on_from_a_strength(line: int, said: str) -> bool:
        # "The MERGE applies only if the incoming `lsn` is greater. So replaying a batch twice changes nothing":
        # one mechanism and the sentence that goes on from it are one idea, praised once (feedback round 13)
        return any((_GOES_ON.match(p) and line in (at, at - 1)) or (_GOES_ON.match(said) and at in (line, line - 1))
                   for at, p in praised_already)

    kin: dict[str, set[str]] = {}  # idea id: the ideas a reader takes for the same one (praise.one_idea)
    for names in (getattr(getattr(rubric, "praise", None), "one_idea", None) or []):
        for name in names:
            kin.setdefault(name, set()).update(n for n in names if n != name)
    praised_at: list[tuple[Idea, int]] = []  # each idea praised so far, with its line

    def kin_praised(idea: Idea) -> bool:
        # "median and spread of last 28 days, alert when 3x away" under DQ checks after "row count against same
        # weekday of last 4 weeks" under anomaly detection; "fresh in less than 1 minute" after the per-tenant
        # freshness SLO: an idea the reader takes for one already praised, and graded on that praised line
        # too, is the same idea praised twice under two headings (feedback round 16)
        names = set().union(*(kin.get(n, set()) for n in (idea.id, *idea.criteria)))
        lines = {e.line for m in idea.members for e in m.evidence}
        return any(line in lines and names & {p.id, *p.criteria} for p, line in praised_at)

    out: list[CritiqueItem] = []
    praised_already: set[tuple[int, str]] = set()  # (line, sentence) of each strength so far
    for idea in by_weight(i for i in all_ideas if i.level == 2):
        members = sorted((m for m in idea.members if m.section in praised), key=lambda m: -m.weight)
        if kin_praised(idea):
            continue
        cited = None
        for m in members:
            if doc is not None and matcher is not None:
                places = iter_mechanism_evidence(doc, matcher, m)
            else:
                places = [(e.line, e.quote) for e in m.evidence if doc is None or not is_title_line(doc, e.line)]
            cited = next(((line, said) for line, quote in places
                          if shows_how(shown(quote), m.id)
                          and not _overlaps(said := sentence(line, quote), line, praised_already)
                          and states_design(line, said, m.id) and not goes_on_from_a_strength(line, said)),
                         None)
            if cited:
                break
        if cited is None:
            continue
        line, said = cited
        praised_already.add((line, said))
        praised_at.append((idea, line))
        out.append(CritiqueItem(text=f"{idea.title} (line {line}): \"{said}\"", criteria=idea.criteria, line=line))
        if len(out) == limit:
            break
    return out


# the first words of a sentence that only goes on from the one before it
_GOES_ON = regex(r"(so|thus|hence|therefore|that way|this way|this|that|these|those|which|it)\b", re.IGNORECASE)


def _overlaps(said: str, line: int, praised: set[tuple[int, str]]) -> bool:
    """Is `said` a sentence already praised, one that sits in a sentence praised on the same line
    ("Everything else stays batch, because ..." inside "Streaming only where it earns its keep. Everything
    else stays batch, because ..."), or one that holds a praised sentence, wherever that was cited (a quote
    that runs over two lines holds the next line's sentence, praised there: feedback round 14): the same
    words praised under a second idea are a duplicate."""
    return any(said == p or (line == at and said in p) or p in said for at, p in praised)


def guide_note(rubric: Rubric) -> str:
    """Where "the guide" is, for a reader who has not seen it."""
    if rubric.guide is None:
        return "the rubric's sections"
    return f"{rubric.guide.title}: {rubric.guide.where}"


_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")


def count_word(n: int) -> str:
    """A small count in words ("six"), a larger one in digits."""
    return _COUNT_WORDS[n] if 0 <= n < len(_COUNT_WORDS) else str(n)


def _structure(result: GradeResult, rubric: Rubric) -> list[CritiqueItem]:
    structure = result.structure
    if not structure.parts:  # the rubric defines no answer structure
        return []
    order = ", ".join(f"{p.part}. {p.title}" for p in structure.parts)
    many = count_word(len(structure.parts))
    if structure.present < len(structure.parts):
        absent = [p.title for p in structure.parts if not p.present]
        return [CritiqueItem(text=f"the answer structure is missing: {'; '.join(absent)} (the guide's {many} parts, "
                             f"in order: {order}; the guide is {guide_note(rubric)})")]
    if structure.in_order is False:
        return [CritiqueItem(text=f"all {many} parts are there, but not in the guide's order, the one that reads "
                             f"senior and prevents gaps: {order} (the guide is {guide_note(rubric)})")]
    return []
