"""The rubric's pattern shorthand, shared by the validator (rubric.model) and the matcher.

Kept apart from rubric.model so that grading, which only expands patterns, does not import pydantic.
"""

from __future__ import annotations

import re

_GAP = re.compile(r"~(\d+)~")


def expand_pattern(pattern: str) -> str:
    """Expand the rubric shorthand `~N~` ("then, up to N words later") into a regular expression."""
    return _GAP.sub(lambda m: r"[^\w\n]+(?:\w+[^\w\n]+){0,%s}?".replace("%s", m.group(1)), pattern)


def joined_pattern(patterns: list[str]) -> str:
    """The one regular expression a list of rubric patterns becomes, each anchored at the start of a
    word (what the matcher compiles)."""
    body = "|".join(f"(?:{expand_pattern(p)})" for p in patterns)
    return rf"(?<![a-z0-9])(?:{body})"
