"""The rubric's pattern shorthand, shared by the validator (rubric.model) and the matcher.

Kept apart from rubric.model so that grading, which only expands patterns, does not import pydantic.
"""

from __future__ import annotations

import re

_GAP = re.compile(r"~(\d+)~")
EXPANSION = 2
"""The version of expand_pattern's output (bump it on any change): the caches of compiled patterns
(grade.core.rubric_cache, grade.feedback.phrases) are keyed by it, as an entry compiled from another
expansion would never be used. 2: gaps possessive where they can be."""


_WORD_ESCAPES = ("\\d", "\\w")
_OPTIONAL = ("?", "*", "{")  # after an element: it may be skipped (or its count is not looked at)


def _scan(s: str) -> list[tuple[int, str]]:
    """The positions of the parentheses and '|' of pattern text `s` that are neither escaped nor
    inside a character class, with their depth-changing character."""
    out, j = [], 0
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":  # a class: skip to its ']' (one right after '[' or '[^' is a member)
            j += 2 if s.startswith("[^", j) else 1
            if s[j:j + 1] == "]":
                j += 1
            while j < len(s) and s[j] != "]":
                j += 2 if s[j] == "\\" else 1
        elif c in "()|":
            out.append((j, c))
        j += 1
    return out


def _group(s: str) -> tuple[list[str], int] | None:
    """The top-level alternatives of the group that opens `s`, and the index of its ')' (None if
    unbalanced)."""
    depth, alternatives, last = 0, [], s.index("(", 0) + (3 if s.startswith("(?:") else 1)
    for j, c in _scan(s):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return alternatives + [s[last:j]], j
        elif depth == 1:
            alternatives.append(s[last:j])
            last = j + 1
    return None


def _starts_with_word(s: str) -> bool:
    """Does every match of the pattern text `s` (what follows a gap, up to the end of its branch)
    start with a word character? Conservative: False whenever it is not plain."""
    if not s:
        return False
    c = s[0]
    if c.isascii() and (c.isalnum() or c == "_"):
        return s[1:2] not in _OPTIONAL
    if s.startswith(_WORD_ESCAPES):
        return s[2:3] not in _OPTIONAL
    if c != "(" or (s[1:2] == "?" and not s.startswith("(?:")):
        return False  # a look-around, a named group, flags, anything else: not looked into
    group = _group(s)
    if group is None or s[group[1] + 1:group[1] + 2] in _OPTIONAL:
        return False
    return all(_starts_with_word(alt) for alt in group[0])


def expand_pattern(pattern: str) -> str:
    """Expand the rubric shorthand `~N~` ("then, up to N words later") into a regular expression.

    Where what follows the gap can only start with a word character, its runs of words and of
    non-word characters are taken whole (possessive: `++`). The same matches, as any match must take
    them whole there (a run cut short leaves a non-word character before a word character, or a
    word character before a non-word one), but a failed attempt does not give a long run back one
    character at a time (a line of a megabyte of ', , , ' made each attempt near it quadratic)."""
    out, last = [], 0
    for m in _GAP.finditer(pattern):
        out.append(pattern[last:m.start()])
        plus = "++" if _starts_with_word(pattern[m.end():]) else "+"
        out.append(rf"[^\w\n]{plus}(?:\w{plus}[^\w\n]{plus}){{0,{m.group(1)}}}?")
        last = m.end()
    out.append(pattern[last:])
    return "".join(out)


def joined_pattern(patterns: list[str]) -> str:
    """The one regular expression a list of rubric patterns becomes, each anchored at the start of a
    word (what the matcher compiles)."""
    body = "|".join(f"(?:{expand_pattern(p)})" for p in patterns)
    return rf"(?<![a-z0-9])(?:{body})"
