"""All the matches of a rubric pattern in a text, fast, and exactly those `finditer` finds.

Every rubric pattern starts with the same look-behind, `(?<![a-z0-9])`, so Python's `re` cannot
skip ahead to a likely start: it tries the whole alternation at every position, which makes the
scan, not the rules, most of the time of grading (an answer is scanned by ~100 such patterns).
Here a text is indexed once by the first six characters at each position where that
look-behind holds, and each pattern is tried, with `pattern.match`, only where one of its
literal prefixes occurs: the strings, up to PREFIX_MAX characters, that every match of the
pattern must begin with, worked out from sre's parse of the pattern.

Why this finds exactly what `finditer` finds, for any rubric:
- a match can only start where the pattern's leading look-behind holds, and must begin with one
  of the pattern's prefixes; the prefixes are derived conservatively: an element the analysis
  does not follow (a negated class, `\\w`, `.`, a back-reference, a look-around) ends the prefix
  there, so a prefix may be shorter than it could be, never wrong; positions are only ever
  added, never dropped;
- a pattern that could match the empty string, starts with something this analysis does not
  follow at all (a scoped flag, a wide class), has too many prefixes, lacks the look-behind or is
  case-insensitive is simply scanned with `finditer`;
- digits are folded to '0' on both sides, as `\\d` matches any decimal digit;
- matches are taken in order and never overlap (a candidate inside the last match is skipped),
  and none is empty, as with `finditer`.
tests/test_fuzz.py checks this against `finditer` on random texts for every bundled pattern.
A pattern with a prefix of a character or two ("i" of `(i|we)( would|.d)? not`) and many candidates
in a text has them narrowed first by its `guard`, the same analysis followed past `.`, `\\w` and
negated classes: a match starting anywhere passes it, so only positions no match starts at are dropped.
A repeat (`\\d+`, `(\\.\\d+)?`) is unrolled: its prefixes run on past it ("0 ms", "00ms" ...), so a run of
numbers is no candidate of `\\d+ ?ms`; where that makes too many, the repeat ends the prefix as before.
Texts shorter than THRESHOLD are scanned with `finditer` (indexing would cost more there).
"""

from __future__ import annotations

import bisect
import marshal
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import groupby
from re import _constants as C  # loaded with re: sre's parse of a pattern is read with it

from .static_regex import regex

THRESHOLD = 200
"""Characters; below this a text is scanned the plain way."""
PREFIX_MAX = 12
"""Characters of a pattern's literal prefixes that are followed (longer is more selective)."""
_K = 6  # characters of the index keys
_CAP = 4000  # prefixes per pattern, at most; past it without unrolling, then of 3 characters, then the plain scan
_MAX_CLASS = 40  # a character range wider than this is not enumerated
ANALYSIS = f"2:{PREFIX_MAX}:{_CAP}:{_MAX_CLASS}"
"""The version of the prefix analysis below (bump the first number on any change to it): prefixes
recorded by another version are not used."""
_LOOKBEHIND = "(?<![a-z0-9])"
_DIGIT = regex(r"\d")
_WORD_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz0")
_WILD = "\x00"  # in a prefix of `guard`'s analysis: any one character
_WORD = "\x01"  # in a prefix of `guard`'s analysis: any one word character (`\\w`; folding keeps it one)
_GUARD_UNROLLED = 4  # characters of the second guard, its repeats unrolled (see `guard`)
GUARD_MIN = 20_000
"""Candidate positions of a pattern in a text, at least, before they are narrowed by its guard."""
_GUARD_MAX = 400  # prefixes of a guard, at most
_GUARD_SHORT = 2  # characters: a pattern with a prefix this short or shorter may have a guard
_GUARD_SAMPLE = 500  # candidates the guard is tried on first: all of them only if it rules out enough
_GUARD_DENSE = 4  # candidates at least one in this many characters: the guard is run over the text instead


class _Unknown(Exception):
    pass


def _fold(text: str) -> str:
    return text if text.isalpha() else "".join("0" if ch.isdecimal() else ch for ch in text)


def _class_chars(items) -> set[str] | None:
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


def _step(op, av, s: str, k: int, wild: bool = False, unroll: bool = True) -> set[tuple[str, bool]]:
    """(prefix so far, whether the element was followed to its end) after one parsed element. With
    `wild`, an element that takes one character this analysis does not enumerate (`.`, `\\w`, a
    negated class) is taken as _WILD, any character, and followed past (see `guard`)."""
    if op is C.LITERAL:
        return {(s + _fold(chr(av)), True)}
    if wild and op in (C.ANY, C.NOT_LITERAL):
        return {(s + _WILD, True)}
    if op is C.AT or op in (C.ASSERT, C.ASSERT_NOT):  # zero width: only ever narrows the matches
        return {(s, True)}
    if op is C.IN:
        chars = _class_chars(av)
        if chars is None:
            if not wild:
                return {(s, False)}
            return {(s + (_WORD if av == [(C.CATEGORY, C.CATEGORY_WORD)] else _WILD), True)}
        return {(s + c, True) for c in chars}
    if op is C.SUBPATTERN:
        if av[1] or av[2]:  # scoped flags, (?i:...) say: not followed
            raise _Unknown
        return _prefixes(av[-1].data, s, k, wild, unroll)
    if op is C.BRANCH:
        out: set[tuple[str, bool]] = set()
        for alternative in av[1]:
            out |= _prefixes(alternative.data, s, k, wild, unroll)
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, high, body = av
        if unroll:
            return _repeat(body.data, low, high, s, k, wild)
        once = _prefixes(body.data, s, k, wild, unroll)  # analysis 1: a repeat but ? ends the prefix
        if low == 0 and high == 1:
            return {(s, True)} | once
        if low == 1 and high == 1:
            return once
        return {(x, False) for x, _ in once} | ({(s, False)} if low == 0 else set())
    return {(s, False)}  # anything else (., \w, a back-reference, an atomic group ...) ends the prefix


def _repeat(body, low: int, high: int, s: str, k: int, wild: bool) -> set[tuple[str, bool]]:
    """A repeat of `body` from `low` to `high` times, unrolled: after j times (low <= j <= high) what
    follows it may come; `\\d+` is "0", "00", "000" ... each then followed, up to k characters (a
    prefix of `\\d+ ?ms` ends "0 m" or "00m", not "0": a line of "1 1 1" holds none of them). A body
    that may take no character is followed k + 1 times at most, then taken as unknown past there."""
    out: set[tuple[str, bool]] = set()
    going = {(s, True)}
    for j in range(min(high, k + 1) + 1):
        if j >= low:
            out |= going
        if j == high or not going:
            return out
        nxt: set[tuple[str, bool]] = set()
        for x, followed in going:
            if followed and len(x) < k:
                for y, f in _prefixes(body, x, k, wild, True):
                    (nxt if f else out).add((y, f))
            else:
                out.add((x, False))
        going = nxt
        if len(out) + len(going) > _CAP:
            raise _Unknown
    return out | {(x, False) for x, _ in going}  # repeated past k + 1 times: unknown from there


def _prefixes(items, s: str, k: int, wild: bool = False, unroll: bool = True) -> set[tuple[str, bool]]:
    states = {(s, True)}
    for op, av in items:
        nxt: set[tuple[str, bool]] = set()
        for x, followed in states:
            if not followed or len(x) >= k:
                nxt.add((x, False))
            else:
                nxt |= _step(op, av, x, k, wild, unroll)
        states = nxt
        if len(states) > _CAP:
            raise _Unknown
    return states


def _derive(pattern: str, flags: int, k: int, wild: bool = False, unroll: bool = True) -> frozenset[str] | None:
    from re import _parser

    try:
        with warnings.catch_warnings():  # sre's FutureWarnings on a rubric's pattern are not ours to print
            warnings.simplefilter("ignore", FutureWarning)
            parsed = _parser.parse(pattern, flags)
        if parsed.getwidth()[0] == 0 or parsed.state.flags & re.IGNORECASE:
            return None
        found = {x[:k] for x, _ in _prefixes(parsed.data, "", k, wild, unroll)}
    except (_Unknown, re.error, RecursionError):
        return None
    return None if "" in found else frozenset(found)


_RECORDED: dict[tuple[str, int], list[str] | None | bytes] = {}


def record(pattern: re.Pattern[str], recorded: list[str] | None | bytes | bool) -> list[str] | None | bytes:
    """The prefixes of a compiled pattern as kept between runs (a sorted list, or None; or those
    packed as marshal bytes, see `_unpacked`): those `recorded` by an earlier run of this analysis
    (grade.regex_cache keeps them with the compiled code: working them out parses the pattern
    again), else worked out now (`recorded` False)."""
    key = (pattern.pattern, pattern.flags)
    if recorded is False:
        found = first_chars(*key)
        return None if found is None else sorted(found)
    _RECORDED[key] = recorded  # made a frozenset only if asked for (first_chars): most never are
    return recorded


def _unpacked(recorded: list[str] | None | bytes) -> list[str] | None | bool:
    """Recorded prefixes as kept by grade.core.rubric_cache: packed (marshal bytes of the list, read
    only for the few patterns a text asks for: unpacking all ~25k strings was ~2 ms of a cold start)
    or not; False when they are not a list of non-empty strings (then they are worked out again)."""
    if type(recorded) is bytes:
        try:
            recorded = marshal.loads(recorded)
        except (ValueError, EOFError, TypeError):
            return False
    if recorded is None or (type(recorded) is list and all(type(x) is str and x for x in recorded)):
        return recorded
    return False


@lru_cache(maxsize=1024)
def first_chars(pattern: str, flags: int) -> frozenset[str] | None:
    """The strings (up to PREFIX_MAX characters, digits folded) every match of `pattern` starts
    with one of; None when the pattern is not one this module can follow."""
    if (pattern, flags) in _RECORDED:
        recorded = _unpacked(_RECORDED[(pattern, flags)])
        if recorded is not False:
            return None if recorded is None else frozenset(recorded)
    if not pattern.startswith(_LOOKBEHIND) or flags & re.IGNORECASE:
        return None
    found = _derive(pattern, flags, PREFIX_MAX)
    if found is None:  # too many prefixes with the repeats unrolled: without, or the short ones, may still do
        found = _derive(pattern, flags, PREFIX_MAX, unroll=False)
    if found is None:
        found = _derive(pattern, flags, 3)
    return found


@lru_cache(maxsize=1024)
def guard(pattern: str, flags: int) -> re.Pattern[str] | None:
    """A cheap check of a candidate position of `pattern` (in the folded text) that every match
    starting there passes, or None when there is none better than the prefixes: the prefixes again,
    but followed past an element that takes one character of a class too wide to enumerate (`.`,
    `\\w`, `[^...]`: any character there, and what comes after it must follow). "i" is a prefix of
    `(i|we)( would|.d)? not`, say; its guard asks for "i would not", "i?d not", "i not" and so on.
    Worked out only for a pattern with many candidates in a text (GUARD_MIN), and not kept between
    runs: the prefixes and plans recorded with the compiled rubric are those of `first_chars`."""
    prefixes = first_chars(pattern, flags)
    if prefixes is None or min(map(len, prefixes)) > _GUARD_SHORT:  # selective enough as they are
        return None
    short = [x for x in prefixes if len(x) <= _GUARD_SHORT]
    checks = []
    # past the wide classes (unrolled: a tenth of a second more), then, a few characters deep, past the
    # repeats too: a run of "1 1 1" passes the first guard of `\d+ ?(k|m)`, not the second
    for k, unroll in ((PREFIX_MAX, False), (_GUARD_UNROLLED, True)):
        found = _derive(pattern, flags, k, wild=True, unroll=unroll)
        if found is None or len(found) > _GUARD_MAX or all(x in found for x in short):
            continue  # none, or one that takes no short prefix further
        checks.append(_trie(sorted(found)))
    if not checks:
        return None
    # every match passes each guard: a position must pass them all
    return re.compile("".join(f"(?={c})" for c in checks[1:]) + checks[0])


def _trie(strings: list[str]) -> str:
    """A regular expression matching where one of `strings` (sorted; _WILD: any character, _WORD: a
    word character) starts, factored by their first characters (sre tries the alternatives of a
    group one by one)."""
    if "" in strings:
        return ""
    out = []
    for first, group in groupby(strings, key=lambda x: x[0]):
        head = "[\\s\\S]" if first == _WILD else "\\w" if first == _WORD else re.escape(first)
        out.append(head + _trie([x[1:] for x in group]))
    return out[0] if len(out) == 1 else f"(?:{'|'.join(out)})"


def _kind(ch: str) -> int:
    """Which index holds positions starting with `ch` (a folded character): a word's first
    character ([a-z] or a digit), a space, anything else. _STARTS classifies a text the same way."""
    return 0 if ch in _WORD_FIRST else 1 if ch.isspace() else 2


_Kind = tuple[dict[str, tuple[str, ...] | None], tuple[str, ...]]
"""A pattern's prefixes of one kind: those of _K characters or more by their first _K (None when
the key is itself a prefix: every position under it is a candidate), and the shorter ones."""


_PLANNED: dict[tuple[str, int], tuple[_Kind, _Kind, _Kind] | None] = {}


def record_plan(pattern: re.Pattern[str], recorded: tuple[_Kind, _Kind, _Kind] | None | bool):
    """A compiled pattern's plan as kept between runs: the one `recorded` by an earlier run of this
    analysis (grade.core.regex_cache keeps it beside the prefixes: sorting and grouping ~200
    patterns' prefixes is a tenth of a cold start), else worked out now (`recorded` False)."""
    key = (pattern.pattern, pattern.flags)
    if recorded is False:
        return _plan(*key)
    _PLANNED[key] = recorded
    return recorded


@lru_cache(maxsize=1024)
def _plan(pattern: str, flags: int) -> tuple[_Kind, _Kind, _Kind] | None:
    """A pattern's prefixes by the kind of their first character, without those that extend
    another one (they add no position)."""
    if (pattern, flags) in _PLANNED:
        return _PLANNED[(pattern, flags)]
    prefixes = first_chars(pattern, flags)
    return None if prefixes is None else _plan_of(prefixes)


def _plan_of(prefixes: frozenset[str]) -> tuple[_Kind, _Kind, _Kind]:
    """`_plan` of a set of prefixes."""
    longer: list[dict[str, list[str]]] = [{}, {}, {}]
    shorter: list[list[str]] = [[], [], []]
    for s in sorted(prefixes):
        if any(s[:n] in prefixes for n in range(1, len(s))):
            continue
        kind = _kind(s[0])
        if len(s) < _K:
            shorter[kind].append(s)
        else:
            longer[kind].setdefault(s[:_K], []).append(s)
    kinds = tuple(({key: None if ss == [key] else tuple(ss) for key, ss in longer[k].items()}, tuple(shorter[k]))
                  for k in range(3))
    return kinds


_WORD_STARTS = regex(r"(?<![a-z0-9])[a-z\d]")  # over the text itself: '٣' is no [0-9] behind
# rarer characters: found by a class first (which sre scans for fast), then the look-behind is
# checked behind the character taken (a class of one character, the one just matched)
_KIND_CHARS = (None, regex(r"\s(?<![a-z0-9]\s)"), regex(r"[^a-z\d\s](?<![a-z0-9][^a-z\d\s])"))
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _starts(text: str, kind: int) -> list[int]:
    """The positions of `text` where the look-behind holds and a character of `kind` starts."""
    if kind == 0:
        return [m.start() for m in _WORD_STARTS.finditer(text)]
    return [m.start() for m in _KIND_CHARS[kind].finditer(text)]


_SLOTS: dict[tuple[str, int], int] = {}
"""The patterns registered for the one-pass scan (see `register`), by (pattern, flags): their slot."""
_TABLES: tuple[dict[str, list[tuple[int, tuple[str, ...] | None]]], ...] = ({}, {}, {})
"""Per kind, a prefix of up to _K characters -> (slot, the longer prefixes under it, None for all)."""
_MAX_SLOTS = 4096
_RESOLVED: tuple[dict[str, tuple[tuple[int, tuple[str, ...] | None], ...]], ...] = ({}, {}, {})
"""Per kind, a key of a text -> every entry of _TABLES under one of its first 1 to _K characters;
kept across texts (answers share their words), emptied when a pattern is registered or it grows large."""
_MAX_RESOLVED = 100_000


def _resolve(kind: int, key: str) -> tuple[tuple[int, tuple[str, ...] | None], ...]:
    resolved = _RESOLVED[kind]
    if len(resolved) >= _MAX_RESOLVED:
        resolved.clear()
    table = _TABLES[kind]
    entries = resolved[key] = tuple(e for n in range(1, len(key) + 1) for e in table.get(key[:n], ()))
    return entries


def register(patterns) -> None:
    """Have the candidate positions of these patterns found in one pass over a text's index (a
    rubric's ~200 patterns cost one walk over the text's distinct keys, not one each). A pattern
    not registered, or registered after a text was indexed, is looked up on its own: same positions."""
    for pattern in patterns:
        key = (pattern.pattern, pattern.flags)
        if key in _SLOTS or len(_SLOTS) >= _MAX_SLOTS:
            continue
        plan = _plan(*key)
        if plan is None:
            continue
        slot = _SLOTS[key] = len(_SLOTS)
        for resolved in _RESOLVED:
            resolved.clear()
        for kind, (longer, shorter) in enumerate(plan):
            table = _TABLES[kind]
            for prefix, under in longer.items():
                table.setdefault(prefix, []).append((slot, under))
            for prefix in shorter:
                table.setdefault(prefix, []).append((slot, None))


class _Starts:
    """The positions of a text where the look-behind holds and a character of one kind starts,
    by their first _K characters (folded), and those of each prefix asked for, found once."""

    def __init__(self, folded: str, by_key: dict[str, list[int]]) -> None:
        self.by_key = by_key
        self.folded = folded
        self._keys: list[str] | None = None
        self._found: dict[str, list[int]] = {}

    @classmethod
    def of(cls, text: str, folded: str, kind: int) -> _Starts:
        by_key: defaultdict[str, list[int]] = defaultdict(list)  # the fastest grouping: one per position
        for p in _starts(text, kind):
            by_key[folded[p:p + _K]].append(p)
        return cls(folded, dict(by_key))

    def extend(self, found: list[int], plan: _Kind) -> None:
        """Add to `found` the positions where one of a pattern's prefixes starts."""
        by_key = self.by_key
        longer, shorter = plan
        startswith = self.folded.startswith
        append = found.append
        for key in longer.keys() & by_key.keys():
            prefixes = longer[key]
            if prefixes is None:
                found.extend(by_key[key])
            else:
                for p in by_key[key]:
                    if startswith(prefixes, p):
                        append(p)
        for prefix in shorter:
            found.extend(self._short(prefix))

    def batch(self, kind: int, found: dict[int, list[int]]) -> None:
        """Add to `found` (by slot) the positions of every registered pattern's prefixes of this
        kind: each distinct key is looked up under its own first 1 to _K characters (see _resolve). A
        plan keeps no prefix that extends another, so a position is added at most once per slot."""
        get = _RESOLVED[kind].get
        startswith = self.folded.startswith
        for key, positions in self.by_key.items():
            entries = get(key)
            if entries is None:
                entries = _resolve(kind, key)
            for slot, under in entries:
                if under is None:
                    add = positions
                else:
                    add = [p for p in positions if startswith(under, p)]
                    if not add:
                        continue
                have = found.get(slot)
                if have is None:
                    found[slot] = list(add)
                else:
                    have.extend(add)

    def _short(self, prefix: str) -> list[int]:
        """The positions where a prefix shorter than a key starts: under every key that starts with it."""
        found = self._found.get(prefix)
        if found is None:
            if self._keys is None:
                self._keys = sorted(self.by_key)
            keys = self._keys
            found = self._found[prefix] = []
            for i in range(bisect.bisect_left(keys, prefix), len(keys)):
                if not keys[i].startswith(prefix):
                    break
                found.extend(self.by_key[keys[i]])
        return found


class _Index:
    """A text's positions where the look-behind holds, in three kinds, each indexed when a
    pattern first needs it. The text of an index may be the end of a text indexed before (an
    answer's text after its title, say): then the positions are found in that index and shifted,
    their keys being the same."""

    def __init__(self, text: str, within: _Index | None = None, folded_tail: str = "") -> None:
        self.text = text
        self._within = within
        self._offset = len(within.text) - len(text) if within else 0
        if within:
            self.folded = within.folded[self._offset:]
        else:  # \d is exactly the characters str.isdecimal() accepts; `folded_tail`: the end, folded already
            head = text[:len(text) - len(folded_tail)]
            self.folded = _DIGIT.sub("0", head) + folded_tail
        self._kinds: list[_Starts | None] = [None, None, None]
        self._batch: dict[int, list[int]] | None = None  # positions by slot of the registered patterns
        self._batched = 0  # how many slots were registered when the batch was found


    def holds_within(self, text: str) -> bool:
        """Is `text` the end of this index's text, with the look-behind holding where it starts?"""
        offset = len(self.text) - len(text)
        return offset >= 0 and self.text.endswith(text) and (not offset or self.text[offset - 1] not in _ALNUM)

    def _starts(self, kind: int) -> _Starts:
        starts = self._kinds[kind]
        if starts is None:
            starts = self._kinds[kind] = _Starts.of(self.text, self.folded, kind)
        return starts

    def positions(self, key: tuple[str, int], plan: tuple[_Kind, _Kind, _Kind]) -> tuple[list[int], int]:
        """Every position where a match of the pattern (`key`: its text and flags) could start, in
        order, each `offset` past it: those of the text this one is the end of, not shifted (a list of
        half a million positions per pattern, shifted, was most of the time of '1 ' * 499,000), those
        below `offset` not in this text."""
        if self._within is not None:
            found, offset = self._within.positions(key, plan)
            return found, offset + self._offset
        slot = _SLOTS.get(key)
        if slot is not None:
            if self._batch is None:
                self._batched = len(_SLOTS)
                self._batch = {}
                for kind, table in enumerate(_TABLES):
                    if table:
                        self._starts(kind).batch(kind, self._batch)
                for positions in self._batch.values():
                    positions.sort()
            if slot < self._batched:
                return self._batch.get(slot, []), 0
        found: list[int] = []
        for kind, prefixes in enumerate(plan):
            if prefixes[0] or prefixes[1]:
                self._starts(kind).extend(found, prefixes)
        found.sort()
        return found, 0


class _Around(_Index):
    """The index of a text that ends with a text indexed before, after a short head (an answer's
    title and a line break before its graded text, say) that ends in a character the look-behind
    holds after: every position of the head is a candidate (a few, where a match may start or not),
    and the positions of the rest are those of the inner index, shifted, the look-behind holding at
    the same places and the same prefixes starting there."""

    def __init__(self, text: str, inner: _Index) -> None:
        super().__init__(text, None, inner.folded)
        self._inner = inner
        self._head = len(text) - len(inner.text)

    def positions(self, key: tuple[str, int], plan: tuple[_Kind, _Kind, _Kind]) -> tuple[list[int], int]:
        head = self._head
        found, offset = self._inner.positions(key, plan)
        shift = head - offset
        return [*range(head), *(p + shift for p in found[bisect.bisect_left(found, offset):])], 0


_AROUND_HEAD_MAX = 2_000  # characters of a head (see _Around), at most


def _around(text: str, index: _Index) -> bool:
    """Does `text` end with the text of `index` after a short head that the look-behind holds after?"""
    head = len(text) - len(index.text)
    return (0 < head <= _AROUND_HEAD_MAX and not isinstance(index, _Around) and text[head - 1] not in _ALNUM
            and text.endswith(index.text))


def _index(text: str, memo: dict, name: str) -> _Index:
    """The index of `text`, kept in `memo` under `name`."""
    key = ("scan_index", name, len(text))
    index = memo.get(key)
    if index is None:
        indexes = memo.setdefault("scan_indexes", [])
        within = next((i for i in indexes if i.holds_within(text)), None)
        inner = None if within else next((i for i in indexes if _around(text, i)), None)
        index = memo[key] = _Around(text, inner) if inner else _Index(text, within)
        indexes.append(index)
    return index


def _candidates(pattern: re.Pattern[str], text: str, memo: dict, name: str) -> tuple[list[int], int] | None:
    """Where `pattern` could match in `text` (kept in `memo`), or None to scan it the plain way: positions
    each `offset` past the one in `text` (see _Index.positions), those below `offset` not in it."""
    if len(text) < THRESHOLD:
        return None
    plan = _plan(pattern.pattern, pattern.flags)
    if plan is None:
        return None
    key = ("scan_candidates", name, len(text), id(pattern))
    found = memo.get(key)
    if found is None:
        index = _index(text, memo, name)
        found, offset = index.positions((pattern.pattern, pattern.flags), plan)
        if len(found) >= GUARD_MIN:  # many candidates: those its guard rules out are not tried
            check = guard(pattern.pattern, pattern.flags)
            if check is not None:
                lo = bisect.bisect_left(found, offset)  # those below `offset` are not in this text
                if lo:
                    found = found[lo:]
                match, folded = check.match, index.folded  # folded: of this text, so at p - offset
                sample = found[:_GUARD_SAMPLE]
                if sum(1 for p in sample if match(folded, p - offset)) < len(sample) * 0.9:  # else it hardly narrows
                    if found and len(found) * _GUARD_DENSE >= found[-1] - found[0]:
                        # dense (a run of "1 1 1"): where the guard passes, found in one pass of sre
                        passing = {m.start() + offset for m in _look(check.pattern).finditer(folded, found[0] - offset)}
                        found = [p for p in found if p in passing]
                    else:
                        found = [p for p in found if match(folded, p - offset)]
        if len(found) >= GAP_MIN:  # many candidates: those no `~N~` gap can close at are not tried
            found = _gap_filter(pattern, text, memo, name, found, offset)
        found = memo[key] = (found, offset)
    return found


GAP_MIN = 5_000
"""Candidate positions of a pattern in a text, at least, before those where no `~N~` gap of it can close
are dropped (see `_gap_filter`)."""
_GAP_PATHS_MAX = 64  # alternatives of a pattern, at most, for `_gap_paths`
_WORDS = regex(r"\w+")
_WORD_CHAR = regex(r"\w")
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_GAP_CLASS = [(C.NEGATE, None), (C.CATEGORY, C.CATEGORY_WORD), (C.LITERAL, 10)]  # [^\w\n]
_WORD_CLASS = [(C.CATEGORY, C.CATEGORY_WORD)]  # \w
_Plan = tuple[_Kind, _Kind, _Kind]
_Gap = tuple[tuple[str, ...] | None, tuple[tuple[int, _Plan], ...]]


def _run_of(item, chars) -> bool:
    """Is `item` one or more characters of the class `chars` (`[^\\w\\n]+` or `\\w+`, possessive or not)?"""
    op, av = item
    if op not in (C.MAX_REPEAT, C.POSSESSIVE_REPEAT) or av[0] < 1 or len(av[2].data) != 1:
        return False
    (inner_op, inner_av), = av[2].data
    return inner_op is C.IN and list(inner_av) == chars


def _gap_words(items, i: int) -> int | None:
    """N when items[i:i + 2] is a `~N~` gap as rubric.patterns expands it (a run of non-word characters,
    then up to N times a word and a run of non-word characters), else None."""
    if i + 1 >= len(items) or not _run_of(items[i], _GAP_CLASS):
        return None
    op, av = items[i + 1]
    if op not in _REPEATS or av[1] == C.MAXREPEAT:
        return None
    body = av[2].data
    if len(body) != 2 or not _run_of(body[0], _WORD_CLASS) or not _run_of(body[1], _GAP_CLASS):
        return None
    return av[1]


def _word_only(items) -> bool:
    """Does every character of the class `items` match `\\w`?"""
    for op, av in items:
        if op is C.LITERAL:
            if not _WORD_CHAR.match(chr(av)):
                return False
        elif op is C.RANGE:
            if av[1] - av[0] > _MAX_CLASS or not all(_WORD_CHAR.match(chr(c)) for c in range(av[0], av[1] + 1)):
                return False
        elif not (op is C.CATEGORY and av in (C.CATEGORY_WORD, C.CATEGORY_DIGIT)):
            return False
    return True


def _new_words(items) -> float:
    """At most how many words start inside a match of `items` past its first character: a word starts
    where a `\\w` character follows one that is not, so no more than the elements that may take a non-word
    character, each counted as often as it may repeat (inf: not bounded, or not followed)."""
    n: float = 0
    for op, av in items:
        if op is C.LITERAL:
            n += not _WORD_CHAR.match(chr(av))
        elif op is C.IN:
            n += not _word_only(av)
        elif op in (C.ANY, C.NOT_LITERAL):
            n += 1
        elif op is C.AT or op in (C.ASSERT, C.ASSERT_NOT):
            pass
        elif op is C.SUBPATTERN:
            n += _new_words(av[-1].data)
        elif op is C.BRANCH:
            n += max(_new_words(a.data) for a in av[1])
        elif op in _REPEATS:
            inner = _new_words(av[2].data)
            n += 0 if not inner else float("inf") if av[1] == C.MAXREPEAT else av[1] * inner
        else:
            return float("inf")
    return n


def _paths(items: list, out: list) -> bool:
    """The alternatives of `items`, its top-level branches expanded, added to `out` (False: too many)."""
    for i, (op, av) in enumerate(items):
        if op is C.BRANCH:
            return all(_paths(items[:i] + list(alt.data) + items[i + 1:], out) for alt in av[1])
    out.append(items)
    return len(out) <= _GAP_PATHS_MAX


def _starting(items) -> tuple[str, ...] | None:
    """The prefixes of `items` (None: a match may start anywhere)."""
    try:
        found = {x[:PREFIX_MAX] for x, _ in _prefixes(items, "", PREFIX_MAX)}
    except (_Unknown, RecursionError):
        return None
    return None if "" in found else tuple(sorted(found))


@lru_cache(maxsize=1024)
def _gap_paths(pattern: str, flags: int) -> tuple[_Gap, ...] | None:
    """A pattern's alternatives (its top-level branches expanded), each as its prefixes and, per `~N~` gap
    it holds, how many words may start after a match's start up to where the part after that gap starts
    (W) and the plan of that part's prefixes: a match starts there, at one of the first W word starts,
    with one of them. None when no alternative has such a gap, or one without may match anywhere."""
    from re import _parser

    if flags & (re.ASCII | re.LOCALE | re.IGNORECASE):  # another `\w`, or prefixes not followed
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            parsed = _parser.parse(pattern, flags)
    except (re.error, RecursionError):
        return None
    paths: list = []
    if not _paths(list(parsed.data), paths):
        return None
    out: list[_Gap] = []
    for items in paths:
        checks = []
        words: float = 0  # word starts, at most, past a match's start and before items[i]
        i = 0
        while i < len(items):
            n = _gap_words(items, i)
            if n is None:
                words += _new_words(items[i:i + 1])
                i += 1
                continue
            check = _after_gap(items[i + 2:], words + n + 1)
            if check is not None:
                checks.append(check)
            words += n + 1  # its words, and the one that starts right after it
            i += 2
        starts = _starting(items)
        if not checks and starts is None:
            return None  # this alternative may match at every candidate
        out.append((starts, tuple(checks)))
    return tuple(out) if any(checks for _, checks in out) else None


def _after_gap(items: list, words: float) -> tuple[int, tuple[_Kind, _Kind, _Kind]] | None:
    """W and the plan of the prefixes of `items`, the part after a gap, that starts at one of the first
    `words` word starts after a match's start (see `_gap_paths`); None when its prefixes are unknown or
    not all of a word character. Its leading optional elements that end apart from what follows (a
    non-word character: `(\\w+ )?`, `(the |all )?`) are passed over when its prefixes are unknown with
    them: what follows them starts at a word start too, as many words later as they may hold, and more."""
    while words != float("inf"):
        after = _starting(items)
        if after is not None and all(_WORD_CHAR.match(x[0]) for x in after):
            return int(words), _plan_of(frozenset(after))
        if not items:
            return None
        op, av = items[0]
        if op not in (C.MAX_REPEAT, C.MIN_REPEAT) or av[0] != 0 or av[1] != 1 or not _ends_apart(av[2].data):
            return None
        words += 1 + _new_words(av[2].data)  # the word it starts with, if any, and those inside it
        items = items[1:]
    return None


def _ends_apart(items) -> bool:
    """Does every match of `items` end with a non-word character (its last element a literal one)?"""
    if not items:
        return False
    op, av = items[-1]
    if op is C.LITERAL:
        return not _WORD_CHAR.match(chr(av))
    if op is C.SUBPATTERN:
        return _ends_apart(av[-1].data)
    if op is C.BRANCH:
        return all(_ends_apart(a.data) for a in av[1])
    return False


class _GapCheck:
    """For one pattern and text: may a match of the pattern start at a position, its alternatives' parts
    after their `~N~` gaps each starting where `_gap_paths` allows (and, when asked, before a bound)?
    A pattern whose first word is repeated inside its own window ("replay brings replay brings ...") was
    matched at every repeat, each attempt walking the whole window."""

    def __init__(self, paths: tuple[_Gap, ...], pattern: str, text: str, memo: dict, name: str) -> None:
        self._paths, self._key, self._end = paths, pattern, len(text)
        self._index = _index(text, memo, name)
        key = ("scan_words", name, len(text))
        words = memo.get(key)
        if words is None:
            words = memo[key] = [m.start() for m in _WORDS.finditer(text)]
        self._words = words
        self._after: dict[tuple[int, int], list[int]] = {}  # per gap, where the part after it may start
        self._todo: dict[str, tuple[tuple[tuple[int, list[int]], ...], ...] | None] = {}

    def may_match(self, q: int, bound: int | None = None) -> bool:
        """May a match start at `q` (of the text), every part after a gap starting before `bound` too?"""
        head = self._index.folded[q:q + PREFIX_MAX]
        todo = self._todo.get(head, False)
        if todo is False:
            todo = self._todo[head] = self._resolve(head)
        if todo is None:
            return True
        words = self._words
        j = bisect.bisect_right(words, q) - 1  # the last word start up to q: the next W are words[j + 1:j + W + 1]
        end = self._end if bound is None else bound - 1  # a part starts before `bound`
        last = len(words) - 1
        for checks in todo:
            for w, starts in checks:
                limit = words[j + w] if j + w <= last else end
                n = bisect.bisect_right(starts, q)  # `starts` ends past the text: n is in it
                if starts[n] > limit or starts[n] > end:
                    break  # this alternative cannot match here
            else:
                return True
        return False

    def _resolve(self, head: str) -> tuple[tuple[tuple[int, list[int]], ...], ...] | None:
        """The checks of the alternatives that may match at a position starting with `head` (see `_checks`),
        each W with the positions where the part after its gap may start, in order, then one past the text."""
        todo = _checks(self._paths, head)
        if todo is None:
            return None
        out = []
        for i, checks in todo:
            resolved = []
            for k, (w, plan) in enumerate(checks):
                starts = self._after.get((i, k))
                if starts is None:
                    positions, off = self._index.positions((f"{self._key}\x00gap {i} {k}", -1), plan)
                    starts = self._after[(i, k)] = [x - off for x in positions if x >= off] + [self._end + 1]
                resolved.append((w, starts))
            out.append(tuple(resolved))
        return tuple(out)


def gap_check(pattern: re.Pattern[str], text: str, memo: dict, name: str = "norm") -> _GapCheck | None:
    """The `_GapCheck` of a pattern and text, kept in `memo` (None: the pattern has no gap to check)."""
    paths = _gap_paths(pattern.pattern, pattern.flags)
    if paths is None or len(text) < THRESHOLD:
        return None
    key = ("scan_gaps", name, len(text), id(pattern))
    check = memo.get(key)
    if check is None:
        check = memo[key] = _GapCheck(paths, pattern.pattern, text, memo, name)
    return check


def _gap_filter(pattern: re.Pattern[str], text: str, memo: dict, name: str, found: list[int],
                offset: int) -> list[int]:
    """`found` without the positions where no alternative of `pattern` can match because the part after
    one of its `~N~` gaps starts at none of the word starts it may start at (see `_gap_paths`). Positions
    below `offset` are kept (not in `text`)."""
    check = gap_check(pattern, text, memo, name)
    if check is None:
        return found
    may_match = check.may_match
    return [p for p in found if p < offset or may_match(p - offset)]


def _checks(paths: tuple[_Gap, ...], head: str) -> tuple[tuple[int, tuple[tuple[int, _Plan], ...]], ...] | None:
    """The alternatives with a gap that may match at a position starting with `head` (their index and
    checks), or None when one without a gap may (the position is kept)."""
    out = []
    for i, (starts, checks) in enumerate(paths):
        if starts is None or head.startswith(starts):
            if not checks:
                return None
            out.append((i, checks))
    return tuple(out)


@lru_cache(maxsize=1024)
def _look(check: str) -> re.Pattern[str]:
    """Every position where a guard passes, as the empty matches of `finditer`."""
    return re.compile(f"(?={check})")


def _matches(pattern: re.Pattern[str], text: str, positions: list[int], offset: int = 0) -> Iterator[re.Match[str]]:
    last, previous = 0, -1  # a position below `offset` (not in `text`) is below `last`: skipped
    match = pattern.match
    for p in positions:
        p -= offset
        if p < last or p == previous:  # inside the last match (finditer does not overlap), or seen
            continue
        previous = p
        m = match(text, p)
        if m:
            last = m.end()  # never empty: first_chars refused patterns that can match nothing
            yield m


def finditer(pattern: re.Pattern[str], text: str, memo: dict, name: str = "norm") -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(text)` yields, in order. `memo` keeps the text's index under
    `name`, for the other patterns run over the same text."""
    candidates = _candidates(pattern, text, memo, name)
    if candidates is None:
        return pattern.finditer(text)
    return _matches(pattern, text, *candidates)


def matches_at(pattern: re.Pattern[str], text: str, start: int, stop: int, memo: dict,
               name: str = "norm", bound: Callable[[int], int | None] | None = None) -> Iterator[re.Match[str]]:
    """Every match of `pattern` in `text` that starts in [start, stop), in order, overlapping or not
    (`pattern.match` at each position, the whole text seen: not those of a slice): tried only where
    `finditer`'s candidates lie, so the cost is that of the positions in the span. With `bound`, only
    the matches whose parts after a `~N~` gap start before `bound(p)` (p: the match's start; None: no
    bound) are sure to be among them: a position where none can is not tried (see `_GapCheck`)."""
    candidates = _candidates(pattern, text, memo, name)
    many = bound is not None and candidates is not None and len(candidates[0]) >= GAP_MIN  # else not worth it
    check = gap_check(pattern, text, memo, name) if many else None
    match = pattern.match
    if candidates is None:
        positions: Iterator[int] | list[int] = range(start, min(stop, len(text)))
    else:
        found, offset = candidates
        lo = bisect.bisect_left(found, start + offset)
        hi = bisect.bisect_left(found, stop + offset, lo)
        positions = found[lo:hi] if not offset else [p - offset for p in found[lo:hi]]
    previous = -1
    for p in positions:
        if p == previous:  # a position may be listed twice (see _matches)
            continue
        previous = p
        if check is not None and not check.may_match(p, bound(p)):  # type: ignore[misc]
            continue
        m = match(text, p)
        if m and m.end() > p:
            yield m


def spans_in(pattern: re.Pattern[str], text: str, start: int, end: int, memo: dict,
             name: str = "norm") -> list[tuple[int, int]]:
    """The spans of `pattern.finditer(text[start:end])`, as offsets of `text` (see `windows`)."""
    return windows(pattern, text, memo, name)(start, end)


def windows(pattern: re.Pattern[str], text: str, memo: dict, name: str = "norm") -> _Windows:
    """`spans_in` for one pattern and text, kept in `memo`: call it with a window's start and end."""
    key = ("scan_windows", name, len(text), id(pattern))
    found = memo.get(key)
    if found is None:
        found = memo[key] = _Windows(pattern, text, memo, name)
    return found


_WINDOW_TEXT_MAX = 2_000  # characters of a window whose spans are also kept by its text (see _Windows)


class _Windows:
    """The spans of `pattern.finditer(text[start:end])` for any window of one text, as offsets of
    `text`, each window searched once (many mentions share a clause). In the slice the leading
    look-behind also holds at its first character: that position is tried when one of the
    pattern's prefixes starts there."""

    def __init__(self, pattern: re.Pattern[str], text: str, memo: dict, name: str) -> None:
        # `memo` is not kept: this object lives in it, and a cycle would keep a document's caches
        # alive until the garbage collector runs
        self.pattern, self.text = pattern, text
        candidates = _candidates(pattern, text, memo, name)  # None: scanned the plain way
        self._positions, self._offset = candidates if candidates is not None else (None, 0)
        if self._positions is not None:
            self._folded = _index(text, memo, name).folded
            self._prefixed = _prefix_test(pattern.pattern, pattern.flags)
        self._found: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._by_text: dict[str, list[tuple[int, int]]] = {}  # a short window's spans by its text, relative
        # a window's end: a match's start -> the last match's start after it (see _ends)
        self._tails: dict[int, dict[int, int]] = {}
        # a long window's ends are walked in the text itself when no look-behind can see past a window's start
        self._walks_in_text = self._positions is not None and "(?<" not in pattern.pattern.replace("(?<![a-z0-9])", "")

    def __call__(self, start: int, end: int) -> list[tuple[int, int]]:
        spans = self._found.get((start, end))
        if spans is None:
            if end - start > _WINDOW_TEXT_MAX:
                spans = self._spans(start, end)
            else:  # the spans of `finditer` on the window's text: found once per text (claims repeat)
                window = self.text[start:end]
                relative = self._by_text.get(window)
                if relative is None:
                    spans = self._spans(start, end)
                    self._by_text[window] = [(a - start, b - start) for a, b in spans]
                else:
                    spans = [(a + start, b + start) for a, b in relative]
            self._found[(start, end)] = spans
        return spans

    def beside(self, start: int, end: int, m_start: int, m_end: int) -> bool:
        """Does a span of the window [start, end) lie wholly before `m_start` or after `m_end`? The spans do
        not overlap one another, so one does exactly when the first or the last one does: the same answer
        as from `self(start, end)`, without making the list of a short window's spans anew (a long answer
        that repeats its claims asks of the same window's text thousands of times)."""
        spans = self._found.get((start, end))
        if spans is None:
            if end - start > _WINDOW_TEXT_MAX:
                if self._walks_in_text:
                    ends = self._ends(start, end)
                    return ends is not None and (ends[0] <= m_start or ends[1] >= m_end)
                spans = self(start, end)
            else:
                window = self.text[start:end]
                relative = self._by_text.get(window)
                if relative is None:
                    spans = self(start, end)
                else:
                    return bool(relative) and (relative[0][1] + start <= m_start or relative[-1][0] + start >= m_end)
        return bool(spans) and (spans[0][1] <= m_start or spans[-1][0] >= m_end)

    def _ends(self, start: int, end: int) -> tuple[int, int] | None:
        """The first span's end and the last span's start of `self(start, end)`, without listing the spans
        between. A match after the window's start is the same in every window ending at `end` (no look-behind
        sees past one character), and so is the chain of matches after it. Kept per end: each walked match's
        chain's last start, and the position from which no candidate matches at all; windows that share an
        end and differ in their start (the mentions of one long block, each window running to the block's
        end) walk only until they meet what an earlier one walked. Without it a one-line answer of many
        mentions cost the square of its length."""
        tails = self._tails.setdefault(end, {})
        empty_from = tails.get(-1, end)  # key -1: no candidate at or after it matches
        first_end = last = None
        last_end = start + 1  # candidates from here on were all tried, unless a known chain is met
        walked: list[int] = []
        met = False
        for p, e in self._walk(start, end, empty_from):
            if first_end is None:
                first_end = e
            if p > start:
                known = tails.get(p)
                if known is not None:
                    last, met = known, True
                    break
                walked.append(p)
            last, last_end = p, e
        for p in walked:
            tails[p] = last
        if not met and last_end < empty_from:
            tails[-1] = last_end
        return None if first_end is None else (first_end, last)

    def _walk(self, start: int, end: int, stop: int) -> Iterator[tuple[int, int]]:
        """The spans of `_spans(start, end)` that start before `stop`, one at a time, matched in the text
        itself (`_walks_in_text`)."""
        positions, text, offset = self._positions, self.text, self._offset
        lo = bisect.bisect_left(positions, start + offset)
        hi = bisect.bisect_left(positions, min(end, max(stop, start + 1)) + offset, lo)
        match = self.pattern.match
        last = start
        first = lo < hi and positions[lo] == start + offset
        if start < end and (first or self._prefixed(self._folded, start)):
            # at the window's first character the slice has nothing before it: the same as a non-word
            # character before it in the text; else the slice itself is matched
            plain = start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")
            m = match(text, start, end) if plain else match(text[start:end])
            if m:
                last = m.end() + (0 if plain else start)
                yield start, last
        for i in range(lo, hi):
            p = positions[i] - offset
            if p < last or p == start:
                continue
            m = match(text, p, end)
            if m:
                last = m.end()
                yield p, last

    def _spans(self, start: int, end: int) -> list[tuple[int, int]]:
        positions, text = self._positions, self.text
        if positions is None:
            return [(m.start() + start, m.end() + start) for m in self.pattern.finditer(text[start:end])]
        offset = self._offset
        lo = bisect.bisect_left(positions, start + offset)
        hi = bisect.bisect_left(positions, end + offset, lo)
        at_start = start < end and (lo == hi or positions[lo] != start + offset) and self._prefixed(self._folded, start)
        if lo == hi and not at_start:
            return []
        window, match = text[start:end], self.pattern.match
        out: list[tuple[int, int]] = []
        last = start  # candidates inside the last match are skipped, as finditer does not overlap
        within = positions[lo:hi] if not offset else [p - offset for p in positions[lo:hi]]
        for p in ([start, *within] if at_start else within):
            if p < last:
                continue
            m = match(window, p - start)
            if m:
                last = m.end() + start  # never empty: first_chars refused patterns that can match nothing
                out.append((p, last))
        return out


@lru_cache(maxsize=1024)
def _prefix_tuple(pattern: str, flags: int) -> tuple[str, ...]:
    return tuple(first_chars(pattern, flags) or ())


_FEW_PREFIXES = 16  # prefixes of a pattern up to which `_prefix_test` is str.startswith itself


@lru_cache(maxsize=1024)
def _prefix_test(pattern: str, flags: int) -> Callable[[str, int], bool]:
    """`folded.startswith(prefixes, p)` for a pattern's prefixes, as a function of (folded, p). With many
    prefixes (the substance cues have ~1,500, which startswith compares one by one, a tenth of the time
    of matching an answer) it looks up the text's slice in a set per length of prefix instead: a dozen
    lookups at most, the same answer."""
    prefixes = _prefix_tuple(pattern, flags)
    if len(prefixes) <= _FEW_PREFIXES:
        return lambda folded, p: folded.startswith(prefixes, p)
    by_length = tuple((n, frozenset(x for x in prefixes if len(x) == n)) for n in sorted(set(map(len, prefixes))))

    def test(folded: str, p: int) -> bool:
        return any(folded[p:p + n] in same for n, same in by_length)

    return test
