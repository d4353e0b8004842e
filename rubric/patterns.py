"""The rubric's pattern shorthand, shared by the validator (rubric.model) and the matcher.

Kept apart from rubric.model so that grading, which only expands patterns, does not import pydantic.
"""

from __future__ import annotations

import re

from ..core.static_regex import regex

_GAP = regex(r"~(\d+)~")

# What a gap may be possessive before: an element that starts with a word character and is not
# optional (a letter, a digit, '_', \d or \w), or a group (not a look-around nor a named one) whose
# every alternative starts so and holds no group itself; classes and escapes inside are skipped whole.
_FIRST = r"(?:[a-z0-9_]|\\[dw])(?![?*{])"
_ALTERNATIVE = _FIRST + r"(?:[^()|\\\[]|\\.|\[\^?\]?(?:[^\]\\]|\\.)*\])*"
_BEFORE_WORD = regex(_FIRST + r"|\((?:\?:)?" + _ALTERNATIVE + r"(?:\|" + _ALTERNATIVE + r")*\)(?![?*{])")


def expand_pattern(pattern: str) -> str:
    """Expand the rubric shorthand `~N~` ("then, up to N words later") into a regular expression.

    Where what follows the gap can only start with a word character (see _BEFORE_WORD), its runs
    of words and of non-word characters are taken whole (possessive: `++`). The same matches, as any
    match must take them whole there (a run cut short leaves a non-word character before a word character, or a
    word character before a non-word one), but a failed attempt does not give a long run back one
    character at a time (a line of a megabyte of ', , , ' made each attempt near it quadratic)."""
    return _GAP.sub(_gap, pattern)


def _gap(m: re.Match[str]) -> str:
    plus = "++" if _BEFORE_WORD.match(m.string, m.end()) else "+"
    return rf"[^\w\n]{plus}(?:\w{plus}[^\w\n]{plus}){{0,{m.group(1)}}}?"


def joined_pattern(patterns: list[str]) -> str:
    """The one regular expression a list of rubric patterns becomes, each anchored at the start of a
    word (what the matcher compiles)."""
    body = "|".join(f"(?:{expand_pattern(p)})" for p in patterns)
    return rf"(?<![a-z0-9])(?:{body})"
