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

from ..core.document import Document
from ..core.matcher import CompiledRubric
from ..core.results import CriterionResult

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
    if criterion.source == "llm":
        return [(e.line, e.quote) for e in criterion.evidence[:1] if not is_title_line(doc, e.line)]
    spec = matcher.rubric.criterion(criterion.id)
    narrow = _line_by_line(matcher)
    found: list[tuple[int, int, str]] = []
    for name in spec.detectors:
        for hit in narrow.detect(doc, name):
            if hit.level == 2 and not is_title_line(doc, hit.line):
                found.append((hit.start, hit.line, hit.quote))
    seen, out = set(), []
    for _, line, quote in sorted(found):
        if (line, quote) not in seen:
            seen.add((line, quote))
            out.append((line, quote))
    return out


def mechanism_lines(doc: Document, matcher: CompiledRubric, criterion: CriterionResult) -> set[int]:
    return {line for line, _ in mechanism_evidence(doc, matcher, criterion)}
