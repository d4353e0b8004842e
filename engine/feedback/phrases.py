"""What an answer mentions and states, and what a follow-up question presupposes and asks for.

The rubric's `[components]` (components, layers and events a question may take for granted) and
`[asks]` (numbers and choices a question may ask for), compiled. Patterns follow the detectors'
conventions: matched on normalised text (lower case, '-', '_', '/' as spaces), each from the start
of a word, `~N~` for "then, up to N words later". The domain lives in the rubric; this module only
matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..core import scan
from ..core.document import Document, normalise
from ..core.regex_cache import build_with_disk_cache, lazy_regex
from ..records import record
from ..rubric.patterns import expand_pattern
from ..rubric.runtime import Rubric

_INDEXED_MIN = 100_000
"""Characters of an answer below which a pattern is searched the plain way, until it is warm (see
_WARM_USES): working out its prefixes for the index (not kept between runs, unlike the detectors')
costs more than one search there."""
_WARM_USES = 8
"""Plain searches of a pattern in this process after which it is searched through the index whatever
the answer's length. Working out a pattern's prefixes costs ~0.3 ms once per process, a plain search
of a usual answer ~0.1 ms every time (its look-behind makes sre try every position): a process that
grades many answers gains (half the time of its follow-ups), a one-answer run never pays for it."""
_WARMED_PER_TEXT = 2
"""Patterns that turn warm while one answer is graded, at most: the analysis of the rubric's ~250 (~0.5 s
in all) is spread over the answers that follow, not paid by one (the eighth) answer."""
_MAX_COUNTED = 4096  # patterns whose plain searches are counted, at most (then counted again from 0)
_plain_uses: dict[int, int] = {}  # by id(): a Pattern's own hash reads its whole compiled code
_QUOTED = lazy_regex(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")  # compiled when first used


Compile = Callable[[str], re.Pattern[str]]


def _compile(patterns: list[str], compile: Compile = re.compile) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{expand_pattern(p)})" for p in patterns)
    return compile(rf"(?<![a-z0-9])(?:{body})")


def _found(pattern: re.Pattern[str] | None, text: str, exclude: re.Pattern[str] | None = None,
           memo: dict | None = None) -> bool:
    """Does `pattern` match in `text` outside any match of `exclude`? With `memo` (a document's, for
    its `answer_view`) and a long text or a warm pattern (see _indexed) the matches are found through
    grade.core.scan's index: the same ones."""
    if pattern is None:
        return False

    def finditer(p: re.Pattern[str]) -> Iterator[re.Match[str]]:
        if memo is not None and _indexed(p, text, memo):
            return scan.finditer(p, text, memo, "answer_view")
        return p.finditer(text)
    if exclude is None:
        return next(finditer(pattern), None) is not None
    excluded = [m.span() for m in finditer(exclude)]
    return any(not any(s < m.end() and m.start() < e for s, e in excluded) for m in finditer(pattern))


def _indexed(pattern: re.Pattern[str], text: str, memo: dict) -> bool:
    """Is `pattern` searched in `text` through the index: a long text, or a pattern warm in this process
    (see _WARM_USES; at most _WARMED_PER_TEXT turn warm per document, `memo` its)? Either way the
    matches are the same."""
    if len(text) >= _INDEXED_MIN:
        return True
    uses = _plain_uses.get(id(pattern), 0)
    if uses > _WARM_USES:
        return True
    if uses == _WARM_USES:
        warmed = memo.get("phrases_warmed", 0)
        if warmed < _WARMED_PER_TEXT:
            memo["phrases_warmed"] = warmed + 1
            _plain_uses[id(pattern)] = uses + 1
            return True
        return False
    if len(_plain_uses) >= _MAX_COUNTED:
        _plain_uses.clear()
    _plain_uses[id(pattern)] = uses + 1
    return False


def answer_view(doc: Document) -> str:
    """The text an answer's mentions are looked for in: its title and every graded block."""
    return f"{doc.title_norm}\n{doc.norm}"


def question_view(question: str) -> str:
    """A question's own words, normalised: the answer's words it quotes are not its presuppositions."""
    return normalise(_QUOTED().sub(" ", question))


@record(frozen=True)
class _Component:
    """A component's patterns: in an answer, in a question, and what excludes it."""

    answer: re.Pattern[str] | None
    question: re.Pattern[str] | None
    exclude: re.Pattern[str] | None


class _Compiled(dict):
    """The compiled patterns of each id in `ids` (a dict kept in its order), made by `make(id)` when
    first asked for; an unknown id is a KeyError."""

    def __init__(self, make: Callable[[str], object], ids: dict) -> None:
        super().__init__()
        self._make, self._ids = make, ids

    def __missing__(self, key: str):
        if key not in self._ids:
            raise KeyError(key)
        value = self[key] = self._make(key)
        return value

    def items(self) -> list:  # every id, in the rubric's order
        return [(key, self[key]) for key in self._ids]


class Phrases:
    """A rubric's components and asks, compiled once."""

    def __init__(self, rubric: Rubric, compile: Compile = re.compile, lazy: bool = False) -> None:
        """`lazy`: compile a component's or an ask's patterns when first used (an answer's follow-ups
        use a few of the rubric's ~400); else all of them now."""
        self.rubric = rubric

        def component(cid: str) -> _Component:
            c = rubric.components[cid]
            return _Component(_compile(c.answer, compile), _compile(c.question or c.answer, compile),
                              _compile(c.exclude, compile))

        def ask(aid: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
            a = rubric.asks[aid]
            return _compile(a.answer, compile), _compile(a.question, compile)

        self._components = _Compiled(component, rubric.components)
        self._asks = _Compiled(ask, rubric.asks)
        if not lazy:
            self._components.items()
            self._asks.items()

    # ------------------------------------------------------------------ the answer
    def mentions(self, answer: str, component: str, memo: dict | None = None) -> bool:
        """Does the answer (normalised, see `answer_view`) mention this component? `memo`: the
        document's, when `answer` is its answer_view (see _found)."""
        c = self._components[component]
        return _found(c.answer, answer, c.exclude, memo)

    def states(self, answer: str, ask: str, memo: dict | None = None) -> bool:
        """Does the answer (normalised) already state this number or choice?"""
        return _found(self._asks[ask][0], answer, memo=memo)

    def missing(self, answer: str, components: list[str]) -> list[str]:
        return [c for c in components if not self.mentions(answer, c)]

    def stated(self, answer: str, asks: list[str]) -> list[str]:
        return [a for a in asks if self.states(answer, a)]

    # ------------------------------------------------------------------ a question
    def presupposed(self, question: str) -> list[str]:
        """The components a question's own words take for granted (see `question_view`)."""
        view = question_view(question)
        return [cid for cid, c in self._components.items() if _found(c.question, view)]

    def asked(self, question: str) -> list[str]:
        """The numbers and choices a question's own words ask for."""
        view = question_view(question)
        return [aid for aid, (_, q) in self._asks.items() if _found(q, view)]


_CACHE: dict[int, Phrases] = {}


def phrases_for(rubric: Rubric) -> Phrases:
    """The compiled components and asks of a rubric, built once per rubric object; the compiled
    patterns are kept on disk (like the rubric's own, see grade.core.rubric_cache), so a cold start
    does not compile them again."""
    cached = _CACHE.get(id(rubric))
    if cached is None or cached.rubric is not rubric:
        cached = _CACHE[id(rubric)] = _load(rubric)
    return cached


def _load(rubric: Rubric) -> Phrases:
    # vars(): the fields of these flat dataclasses, as dataclasses.asdict gives them but 10x faster
    data = {"components": {k: vars(v) for k, v in rubric.components.items()},
            "asks": {k: vars(v) for k, v in rubric.asks.items()}}
    return build_with_disk_cache("phrases", data, lambda compile, lazy: Phrases(rubric, compile, lazy))
