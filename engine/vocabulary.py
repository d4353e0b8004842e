"""The shared vocabulary, defined once: a criterion's levels and the verdicts, in order.

Everything else names them from here: the result model, the rubric model, scoring, the reports,
the follow-ups and the evaluation."""

from __future__ import annotations

from typing import Literal, get_args

Depth = Literal["missing", "mentioned", "substantiated"]
LEVEL_NAMES: tuple[Depth, ...] = get_args(Depth)
"""A criterion's level as a word: LEVEL_NAMES[0] is "missing", [1] "mentioned", [2] "substantiated"."""

Verdict = Literal["below_bar", "senior", "architect"]
VERDICT_ORDER: tuple[Verdict, ...] = get_args(Verdict)
"""The verdicts, lowest first: a cap holds a verdict down to one earlier in this order."""

VERDICT_LABELS: dict[Verdict, str] = {"below_bar": "below bar", "senior": "senior", "architect": "architect"}
"""A verdict as the reports say it."""


def verdict_rank(verdict: str) -> int:
    """The verdict's place in VERDICT_ORDER (0: below bar)."""
    return VERDICT_ORDER.index(verdict)
