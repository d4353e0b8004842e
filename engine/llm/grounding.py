"""Grounding: where a model's quote is in the answer (verbatim, on one line) and whether it
concerns the criterion it is offered for. The merge applies a change of level only on both."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.document import Document, normalise
from ..core.results import Evidence
from ..rubric.runtime import Rubric

MIN_QUOTE_WORDS = 3


_NUMBER_PREFIX = re.compile(r"^\s*(?:L|line\s*)?\d+\s*[|:]\s?", re.I)
_QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019`"


def locate_quote(doc: Document, quote: str, *, lines: set[int] | None = None,
                 min_words: int = MIN_QUOTE_WORDS) -> Evidence | None:
    """Where `quote` is, verbatim up to whitespace, within one line of the answer (front matter
    excluded, and only `lines` when given). The evidence is the line's own text, never the quote."""
    text = _NUMBER_PREFIX.sub("", quote.strip()).strip()
    words = text.split()
    if len(words) < min_words or not words:
        return None
    patterns = [re.compile(r"\s+".join(re.escape(w) for w in words))]
    stripped = text.strip(_QUOTE_CHARS).split()  # a quote wrapped in quotation marks of its own
    if stripped and stripped != words and len(stripped) >= min_words:
        patterns.append(re.compile(r"\s+".join(re.escape(w) for w in stripped)))
    for pattern in patterns:
        for line in doc.lines:
            if line.kind == "front_matter" or (lines is not None and line.number not in lines):
                continue
            m = pattern.search(line.text)
            if m:
                return Evidence(line=line.number, quote=line.text[m.start():m.end()])
    return None


_STOPWORDS = """
answer answers data with that this from into each when which what they their there them then than
also only more most some such have does done used uses using will would should could must need needs
make makes name names named says said state states stated explain explains explained explicitly idea ideas
concrete mechanism mechanisms reason reasons number numbers example examples show shows part parts every
where while about other over under just like without before after level levels score scores grade grades
grading grader rubric criterion criteria full fully cover covers covered mechanic mechanics system design
your candidate first pick keep know knows here these those being been were once ever very well good best
answer's interviewer points point mark marks give given please note record perfect maximum
"""
_STOP = frozenset(_STOPWORDS.split())
_HEADS_LIMIT = 64  # literal prefixes enumerated per pattern, at most
_LITERAL, _SOFT, _OPEN = 0, 1, 2


def _optional(op, av) -> bool:
    from re import _constants as C

    return op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0


def _prefixes(items) -> set[tuple[str, int]]:
    """The literal texts a parsed pattern can start with, each with its state: _LITERAL (the whole
    pattern so far is that text), _SOFT (it may end there: only optional parts follow) or _OPEN
    (more is required after it)."""
    from re import _constants as C

    results = {("", _LITERAL)}
    for op, av in items:
        nxt: set[tuple[str, int]] = set()
        for text, state in results:
            if state == _OPEN or op is C.AT:
                nxt.add((text, state))
            elif state == _SOFT:
                nxt.add((text, _SOFT if _optional(op, av) else _OPEN))
            elif op is C.LITERAL:
                nxt.add((text + chr(av), _LITERAL))
            elif op is C.IN and len(av) == 1 and av[0][0] is C.LITERAL:
                nxt.add((text + chr(av[0][1]), _LITERAL))
            elif op is C.SUBPATTERN:
                nxt |= {(text + t, st) for t, st in _prefixes(av[-1].data)}
            elif op is C.BRANCH:
                for alt in av[1]:
                    nxt |= {(text + t, st) for t, st in _prefixes(alt.data)}
            elif _optional(op, av) and av[1] == 1:
                nxt.add((text, _LITERAL))
                nxt |= {(text + t, st) for t, st in _prefixes(av[2].data)}
            elif _optional(op, av):
                nxt.add((text, _SOFT))
            else:
                nxt.add((text, _OPEN))
        results = nxt
        if len(results) > _HEADS_LIMIT:
            return {(t, _OPEN) for t, _ in results}
    return results


def pattern_heads(pattern: str) -> set[str]:
    """The terms a rubric pattern opens with that name its idea by themselves: several words
    ('allowed lateness', 'order by', 'event time'), or one word of five letters or more that is the
    whole pattern ('watermark', 'lateness\\w*'); not one word that needs more after it ('filter'
    in 'filter~3~event time')."""
    from re import _parser

    from ..rubric.patterns import _GAP

    try:
        parsed = _parser.parse(_GAP.sub(r"\\W", pattern))
    except Exception:  # noqa: BLE001 - a pattern sre cannot parse gives no heads
        return set()
    heads = set()
    for text, state in _prefixes(parsed.data):
        text = " ".join(text.split())
        if (" " in text or (state != _OPEN and len(text) >= 5)) and text not in _STOP:
            heads.add(text)
    return heads


@dataclass(frozen=True)
class _Topic:
    """What makes a quote concern one detector's idea."""

    patterns: tuple[re.Pattern[str], ...]  # its mention and strong patterns, as the rules read them
    heads: re.Pattern[str] | None  # its distinctive heads
    exclude: re.Pattern[str] | None  # another sense of the words (Kafka partitions)


_TOPICS: dict[int, tuple[Rubric, dict[str, _Topic]]] = {}


_FUNCTION_WORDS = frozenset([
    "only", "just", "most", "some", "many", "more", "less", "with", "from", "that", "this", "each", "every",
    "also", "then", "than", "once", "twice",
])


def _distinctive(head: str) -> bool:
    """A head is a term of the idea, not of English: it has a word of four letters or more that is
    not a function word ('a few', 'only', 'one' open patterns of many ideas' sentences)."""
    return any(len(w) >= 4 and w not in _FUNCTION_WORDS for w in head.split())


def _topics(rubric: Rubric) -> dict[str, _Topic]:
    """Per detector: its patterns and its distinctive heads (those no other detector opens with)."""
    cached = _TOPICS.get(id(rubric))
    if cached is not None and cached[0] is rubric:
        return cached[1]
    from collections import Counter

    from ..core.matcher import _compile

    heads = {name: set().union(*(pattern_heads(p) for p in (*d.mention, *d.strong)))
             for name, d in rubric.detectors.items()}
    shared = Counter(h for hs in heads.values() for h in hs)
    topics = {}
    for name, d in rubric.detectors.items():
        own = sorted((h for h in heads[name] if shared[h] == 1 and _distinctive(h)), key=len, reverse=True)
        topics[name] = _Topic(
            patterns=tuple(p for p in (_compile(d.mention), _compile(d.strong)) if p is not None),
            heads=re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, own)) + ")") if own else None,
            exclude=_compile(d.exclude),
        )
    if len(_TOPICS) > 8:
        _TOPICS.clear()
    _TOPICS[id(rubric)] = (rubric, topics)
    return topics


def concerns(rubric: Rubric, criterion_id: str, quote: str) -> bool:
    """Does `quote` concern the criterion? Yes when, outside any span its detectors exclude, the
    rules' own patterns for it match (the idea in the rubric's words), or the quote holds one of its
    detectors' distinctive heads: a term that opens one of its patterns and no other detector's
    ('order by' for partitioning, 'allowed lateness' for late data). A word the idea shares with
    others ('tenant', 'event', 'minutes') is not enough: a line about anything else shares those."""
    text = normalise(quote)
    topics = _topics(rubric)
    for name in rubric.criterion(criterion_id).detectors:
        topic = topics[name]
        excluded = [m.span() for m in topic.exclude.finditer(text)] if topic.exclude else []
        for pattern in (*topic.patterns, topic.heads):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                if m.end() > m.start() and not any(s < m.end() and m.start() < e for s, e in excluded):
                    return True
    return False

