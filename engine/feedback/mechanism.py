"""Which lines of an answer show how an idea works, not just that it is there.

A criterion reaches level 2 in two ways: a line holds the idea with its mechanism (a key, a number,
a reason in the same clause), or the idea is named on enough different lines (a detector's
`breadth`: governance placed across a design). The second makes every one of those lines level-2
evidence, though none of them alone shows a mechanism. A strength must cite a line that does: this
module finds those lines, by running a criterion's detectors with `breadth` set aside.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterator

from ..core.document import Document, normalise
from ..core.matcher import CompiledRubric, Hit
from ..core.results import CriterionResult
from ..core.static_regex import regex

_NOT_GRADED_AS_BODY = ("title", "heading")
_CACHE: dict[int, tuple[CompiledRubric, CompiledRubric]] = {}


def _line_by_line(matcher: CompiledRubric) -> CompiledRubric:
    """A copy of `matcher` whose detectors judge each line on its own (no `breadth`)."""
    cached = _CACHE.get(id(matcher))
    if cached is not None and cached[0] is matcher:
        return cached[1]
    narrow = copy.copy(matcher)
    narrow.detectors = {name: dataclasses.replace(d, breadth=None) for name, d in matcher.detectors.items()}
    _CACHE[id(matcher)] = (matcher, narrow)
    return narrow


def is_title_line(doc: Document, line: int) -> bool:
    """A title or heading line: it names a topic, it never shows how anything works."""
    return 1 <= line <= len(doc.lines) and doc.lines[line - 1].kind in _NOT_GRADED_AS_BODY


def mechanism_evidence(doc: Document, matcher: CompiledRubric, criterion: CriterionResult) -> list[tuple[int, str]]:
    """(line, quote) of each place where the answer shows the criterion's mechanism on its own line,
    in document order; headings and titles never count. For a level the LLM raised on a verified
    quote, that quote is the mechanism."""
    return list(iter_mechanism_evidence(doc, matcher, criterion))


def iter_mechanism_evidence(doc: Document, matcher: CompiledRubric,
                            criterion: CriterionResult) -> Iterator[tuple[int, str]]:
    """mechanism_evidence's places one by one, each criterion's hits found only as far as asked for."""
    if criterion.source == "llm":
        yield from [(e.line, e.quote) for e in criterion.evidence[:1] if not is_title_line(doc, e.line)]
        return
    spec = matcher.rubric.criterion(criterion.id)
    narrow = _line_by_line(matcher)
    streams = [narrow.stream(doc, name) for name in spec.detectors]
    taken = [0] * len(streams)  # per stream, how many of its hits were looked at
    seen = set()
    while True:
        # every hit that starts before the frontier is found; any other starts after them all
        frontier = min(s.frontier for s in streams) if streams else float("inf")
        found: list[tuple[int, int, str]] = []
        for k, s in enumerate(streams):
            hits, i = s.found, taken[k]
            while i < len(hits) and hits[i][2] < frontier:
                f = hits[i]
                if f[0] == 2 and not is_title_line(doc, f[1]):
                    found.append((f[2], f[1], Hit(*f, doc).quote))
                i += 1
            taken[k] = i
        for _, line, quote in sorted(found):
            if (line, quote) not in seen:
                seen.add((line, quote))
                yield line, quote
        pending = [s for s in streams if not s.done]
        if not pending:
            return
        min(pending, key=lambda s: s.frontier).more()


def mechanism_lines(doc: Document, matcher: CompiledRubric, criterion: CriterionResult) -> set[int]:
    return {line for line, _ in mechanism_evidence(doc, matcher, criterion)}


def _unexcluded(pattern, exclude, norm: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in pattern.finditer(norm)]
    if exclude is None or not spans:
        return spans
    out = [x.span() for x in exclude.finditer(norm)]
    return [(s, e) for s, e in spans if not any(s < xe and xs < e for xs, xe in out)]


# A substance word that any topic's line may carry: a bare quantity ("1", "30 days", "6 hours", "2%") or a
# connective ("because"). A connective beside a mention is a reason, not the idea's own mechanism; a
# quantity is one only right beside the mention ("watermark 10 min"): "alerts grouped for 6 hours, so a
# table failing 20 partitions in a backfill" is alert grouping, not a backfill plan (feedback round 8).
_QUANTITY = regex(
    r"[~<>]?\s*\d[\d.,]*\s*(%|x|k|m|b|ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|weeks?|"
    r"months?|years?|[kmgt]b|rows?|events?|requests?)?")
_CONNECTIVE = regex(r"because|since|so that|so|due to")
QUANTITY_REACH = 12  # characters between a mention and a quantity that belongs to it


def _own_substance(match: re.Match, start: int, end: int) -> bool:
    """Is this substance match beside the mention at [start, end) the idea's own?"""
    said = match.group(0).strip()
    if _CONNECTIVE.fullmatch(said):
        return False
    if _QUANTITY.fullmatch(said):
        return match.start() - end <= QUANTITY_REACH and start - match.end() <= QUANTITY_REACH
    return True


def _anchor_pattern(matcher: CompiledRubric, table: str, criterion_id: str) -> re.Pattern[str] | None:
    """The criterion's patterns in the rubric's per-criterion `anchors.<table>`, joined and compiled
    once by the matcher (from the compiled rubric's cache: CompiledRubric.anchor_pattern)."""
    if getattr(matcher.rubric, "anchors", None) is None:
        return None
    return matcher.anchor_pattern(table, criterion_id)


def without_requirement(matcher: CompiledRubric, criterion_id: str, norm: str) -> str:
    """`norm` with the words of the requirement that asks for the criterion's idea blanked out (the
    rubric's `anchors.requirement_terms`: "p99 < 100 ms", "2k QPS" ask for a low-latency API, they do
    not show one); the length is kept, so spans still line up."""
    pattern = _anchor_pattern(matcher, "requirement_terms", criterion_id)
    return norm if pattern is None else pattern.sub(lambda m: " " * len(m.group(0)), norm)


def _holds_what_praise_requires(matcher: CompiledRubric, criterion_id: str, norm: str) -> bool:
    """The rubric's `anchors.praise_requires`: a decision is praised for its reason or the alternative
    it weighs ("Flink, because ..."), not for a line that only runs the tool ("Flink checkpoints every
    30 s")."""
    pattern = _anchor_pattern(matcher, "praise_requires", criterion_id)
    return pattern is None or pattern.search(norm) is not None


def _in_another_sense(matcher: CompiledRubric, criterion_id: str, norm: str) -> bool:
    """The rubric's `anchors.praise_excludes`: words that put the sentence in another sense than the
    idea (login tokens that expire are not data retention, Kafka log compaction is not dedupe)."""
    pattern = _anchor_pattern(matcher, "praise_excludes", criterion_id)
    return pattern is not None and pattern.search(norm) is not None


def in_another_sense(matcher: CompiledRubric, criterion_id: str, text: str) -> bool:
    """`_in_another_sense` on answer text as written (normalised here)."""
    return _in_another_sense(matcher, criterion_id, normalise(text))


_NUMBER_OR_CODE = regex(r"\d|`")


def _praise_pattern(matcher: CompiledRubric, table: str) -> re.Pattern[str] | None:
    """The rubric's `praise.<table>` (rubric/strengths.toml), joined and compiled once by the matcher
    (None when it is empty)."""
    return matcher.alternation(getattr(getattr(matcher.rubric, "praise", None), table, None) or ())


def not_praised(matcher: CompiledRubric, sentence: str) -> bool:
    """Does the rubric's `praise` table rule `sentence` out as a strength on any criterion: a sentence
    whose reason is a slogan ("because it is more scalable", "because that's the default") with no number
    and no code in it, or a sentence that is not settled ("we must check", "probably")?"""
    norm = normalise(sentence)
    generic = _praise_pattern(matcher, "generic_reasons")
    if generic is not None and generic.search(norm) and not _NUMBER_OR_CODE.search(sentence):
        return True
    unsettled = _praise_pattern(matcher, "unsettled")
    return unsettled is not None and unsettled.search(norm) is not None


def shows_own_idea(matcher: CompiledRubric, criterion_id: str, sentence: str) -> bool:
    """Does `sentence` show the criterion's own idea, by its own detectors' terms: a `strong`
    phrasing of one of them, or a mention of it beside that detector's own `substance`? A number or
    a "because" (the generic cues that may raise a line in grading) next to a word of the idea is not
    enough for praise under the idea's title: "2% budget/1 h pages" names a budget, not a cost lever.
    Mentions and strong phrasings in another sense (the detector's `exclude`) do not count, nor is a
    substance that is only a connective, or a quantity away from the mention, the idea's own. The
    requirement that asks for the idea (its `requirement_terms`) is no evidence of it, and a decision
    needs what `praise_requires` asks of the sentence; words of another sense (`praise_excludes`) rule
    the sentence out, as do the rubric's `praise` table's (see `not_praised`)."""
    if not_praised(matcher, sentence):
        return False
    norm = without_requirement(matcher, criterion_id, normalise(sentence))
    if not _holds_what_praise_requires(matcher, criterion_id, norm) or _in_another_sense(matcher, criterion_id, norm):
        return False
    spec = matcher.rubric.criterion(criterion_id)
    for name in spec.detectors:
        d = matcher.detectors.get(name)
        if d is None:
            continue
        if d.strong is not None and _unexcluded(d.strong, d.exclude, norm):
            return True
        if d.substance is None:
            continue
        own = list(d.substance.finditer(norm))
        for s, e in _unexcluded(d.mention, d.exclude, norm):
            # the substance beside the mention, not inside it
            if any(not (s <= m.start() and m.end() <= e) and _own_substance(m, s, e) for m in own):
                return True
    return False
