"""All the matches of a rubric pattern in a long text, fast, and exactly those `finditer` finds.

Every rubric pattern starts with the same look-behind, `(?<![a-z0-9])`, so Python's `re` cannot
skip ahead to a likely start: it tries the whole alternation at every position, which makes the
scan, not the rules, most of the time on a long answer (a 1 MB answer: ~6 s over the bundled
rubric's patterns). Here a text is indexed once by the first three characters at each position
where that look-behind holds, and each pattern is tried only where its own possible first three
characters (worked out from sre's parse of it, conservatively) occur, with `pattern.match`.

Same result as `finditer`: a pattern that could match the empty string, starts with something this
analysis does not follow (a negated class, `.`, a scoped flag), or lacks the look-behind is simply
scanned with `finditer`; digits are folded to '0' on both sides, as `\\d` matches any decimal digit.
Texts shorter than THRESHOLD are always scanned with `finditer` (indexing costs more there).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from functools import lru_cache

THRESHOLD = 50_000
"""Characters; below this an answer is scanned the plain way (a typical answer is 5-20 kB)."""
_K = 3
_CAP = 4000  # prefixes per pattern, at most; past it the pattern is scanned the plain way
_MAX_CLASS = 40  # a character range wider than this is not enumerated
_LOOKBEHIND = "(?<![a-z0-9])"
_STARTS = re.compile(r"(?<![a-z0-9])[\s\S]")
_DIGIT = re.compile(r"\d")


class _Unknown(Exception):
    pass


def _fold(text: str) -> str:
    return text if text.isalpha() else "".join("0" if ch.isdecimal() else ch for ch in text)


def _class_chars(items) -> set[str] | None:
    from re import _constants as C

    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] <= _MAX_CLASS:
            out.update(chr(x) for x in range(av[0], av[1] + 1))
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            out.add("0")
        else:  # NEGATE, \w, \s, a wide range: not followed
            return None
    return {_fold(c) for c in out}


def _step(op, av, s: str) -> set[tuple[str, bool]]:
    """(prefix so far, whether the element was followed to its end) after one parsed element."""
    from re import _constants as C

    if op is C.LITERAL:
        return {(s + _fold(chr(av)), True)}
    if op is C.AT or op in (C.ASSERT, C.ASSERT_NOT):  # zero width: only ever narrows the matches
        return {(s, True)}
    if op is C.IN:
        chars = _class_chars(av)
        return {(s, False)} if chars is None else {(s + c, True) for c in chars}
    if op is C.SUBPATTERN:
        if av[1] or av[2]:  # scoped flags, (?i:...) say: not followed
            raise _Unknown
        return _prefixes(av[-1].data, s)
    if op is C.BRANCH:
        out: set[tuple[str, bool]] = set()
        for alternative in av[1]:
            out |= _prefixes(alternative.data, s)
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, high, body = av
        once = _prefixes(body.data, s)
        if low == 0 and high == 1:
            return {(s, True)} | once
        if low == 1 and high == 1:
            return once
        return {(x, False) for x, _ in once} | ({(s, False)} if low == 0 else set())
    return {(s, False)}


def _prefixes(items, s: str) -> set[tuple[str, bool]]:
    states = {(s, True)}
    for op, av in items:
        nxt: set[tuple[str, bool]] = set()
        for x, followed in states:
            if not followed or len(x) >= _K:
                nxt.add((x, False))
            else:
                nxt |= _step(op, av, x)
        states = nxt
        if len(states) > _CAP:
            raise _Unknown
    return states


@lru_cache(maxsize=1024)
def first_chars(pattern: str, flags: int) -> frozenset[str] | None:
    """The strings (up to three characters, digits folded) every match of `pattern` starts with one
    of; None when the pattern is not one this module can follow."""
    from re import _parser

    if not pattern.startswith(_LOOKBEHIND) or flags & re.IGNORECASE:
        return None
    try:
        with warnings.catch_warnings():  # sre's FutureWarnings on a rubric's pattern are not ours to print
            warnings.simplefilter("ignore", FutureWarning)
            parsed = _parser.parse(pattern, flags)
        if parsed.getwidth()[0] == 0 or parsed.state.flags & re.IGNORECASE:
            return None
        found = {x[:_K] for x, _ in _prefixes(parsed.data, "")}
    except (_Unknown, re.error, RecursionError):
        return None
    return None if "" in found else frozenset(found)


class _Index:
    """A text's positions where the look-behind holds, by their first three characters (folded)."""

    def __init__(self, text: str) -> None:
        folded = _DIGIT.sub("0", text)  # \d is exactly the characters str.isdecimal() accepts
        by_key: dict[str, list[int]] = {}
        for p in [m.start() for m in _STARTS.finditer(text)]:
            key = folded[p:p + _K]
            positions = by_key.get(key)
            if positions is None:
                by_key[key] = [p]
            else:
                positions.append(p)
        self.by_key = by_key
        self._short: dict[str, list[str]] = {}

    def positions(self, prefixes: frozenset[str]) -> list[int]:
        found: list[int] = []
        for s in prefixes:
            if len(s) == _K:
                found.extend(self.by_key.get(s, ()))
                continue
            keys = self._short.get(s)
            if keys is None:
                keys = self._short[s] = [k for k in self.by_key if k.startswith(s)]
            for key in keys:
                found.extend(self.by_key[key])
        found.sort()
        return found


def finditer(pattern: re.Pattern[str], text: str, memo: dict, name: str = "norm") -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(text)` yields, in order. `memo` keeps the text's index under
    `name`, for the other patterns run over the same text."""
    prefixes = first_chars(pattern.pattern, pattern.flags) if len(text) >= THRESHOLD else None
    if prefixes is None:
        yield from pattern.finditer(text)
        return
    key = ("scan_index", name, len(text))
    index = memo.get(key)
    if index is None:
        index = memo[key] = _Index(text)
    last, previous = 0, -1
    match = pattern.match
    for p in index.positions(prefixes):
        if p < last or p == previous:  # inside the last match (finditer does not overlap), or seen
            continue
        previous = p
        m = match(text, p)
        if m:
            last = m.end()  # never empty: first_chars refused patterns that can match nothing
            yield m
