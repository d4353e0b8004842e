"""Which practice prompt an answer responds to: the command line, then front matter, then content."""

from __future__ import annotations

import math
from itertools import islice

from ..errors import InputError
from . import scan
from .document import Document
from .matcher import CompiledRubric
from .results import PromptReport

_COUNT_CAP = 4  # a signal repeated past this adds nothing: long answers should not win by length


def infer_prompt(doc: Document, matcher: CompiledRubric) -> PromptReport:
    """Score every prompt by its signals; confidence is the winner's margin over the runner-up."""
    scores: dict[str, float] = {}
    text = doc.title_norm + "\n" + doc.norm
    for prompt_id, signals in matcher.prompt_signals.items():
        total = 0.0
        for pattern, weight in signals:
            if not pattern:
                continue
            # counted up to the cap only: past it a long answer's matches change nothing
            n = sum(1 for _ in islice(scan.finditer(pattern, text, doc.memo, "inference"), _COUNT_CAP))
            if n:
                total += weight * (1 + math.log(min(n, _COUNT_CAP)))
        scores[prompt_id] = round(total, 2)
    if not scores or max(scores.values()) <= 0:
        return PromptReport(id=None, source="none", confidence=0.0, scores=scores)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = (best_score - runner_up) / best_score
    return PromptReport(id=best, source="inferred", confidence=round(confidence, 2), scores=scores)


def resolve_prompt(doc: Document, matcher: CompiledRubric, option: str | None) -> PromptReport:
    """`--prompt` wins, then front matter `prompt:`, else inference. Unknown ids are an error."""
    for key, source in ((option, "option"), (doc.front_matter.get("prompt"), "front_matter")):
        if key:
            spec = matcher.rubric.prompt_spec(key.strip().lower())
            if spec is None:
                known = ", ".join(f"{p.number}={p.id}" for p in matcher.rubric.prompts)
                raise InputError(f"unknown prompt {key!r} (from {source.replace('_', ' ')}); known: {known}")
            return PromptReport(id=spec.id, source=source, confidence=1.0)
    return infer_prompt(doc, matcher)
