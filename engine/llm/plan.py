"""What `--llm` would send, without sending it: each answer's request, counted and priced
(`--dry-run`), and the figures of one request per answer against one per criterion. Data only:
grade.report.llm_output renders it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..core.grader import finish
from ..core.results import CriterionResult, GradeResult
from .client import LLMSettings
from .grader import Prepared, prepare
from .injection import find_injections
from .reply import MAX_FOLLOWUP_QUESTIONS
from .request import LLMRequest, build_request
from .tokens import TokenCounter, context_window, pricing_for


def expected_output_tokens(request: LLMRequest, rules: list[CriterionResult], counter: TokenCounter,
                           base: GradeResult | None = None) -> int:
    """Tokens of a typical reply to `request`: the rules' own levels, their first evidence as the
    quote, and (with the critique) the deterministic critique and follow-ups as the prose. An
    estimate of what a model writes, used for costs and for the figures."""
    by_id = {r.id: r for r in rules}
    entries = {}
    for cid in request.ids:
        r = by_id[cid]
        quote = " ".join(r.evidence[0].quote.split()[:30]) if r.level and r.evidence else ""
        entries[cid] = {"level": r.level, "quote": quote, "note": ""}
    body: dict = {"criteria": entries}
    if request.with_critique:
        critique = base.critique if base is not None and base.critique else None
        body["summary"] = " ".join([critique.headline, *(g.text for g in critique.gaps[:2])]) if critique else ""
        body["followups"] = [{"criterion": f.criterion, "question": f.question}
                             for f in (base.followups if base is not None else [])[:MAX_FOLLOWUP_QUESTIONS]]
    return counter.count(json.dumps(body, ensure_ascii=False))


@dataclass
class DryRun:
    prepared: Prepared
    output_cap: int
    expected_output: int
    window: int
    window_source: str
    cost: float | None
    cost_cap: float | None
    price_source: str | None
    injection_lines: list[int]


def dry_run(text: str, *, name: str, prompt: str | None, rubric_path, settings: LLMSettings) -> DryRun:
    """What `--llm` would send for one answer, counted and priced; nothing is sent."""
    p = prepare(text, name=name, prompt=prompt, rubric_path=rubric_path, model=settings.model)
    window, source = context_window(settings.model)
    price = pricing_for(settings.model)
    cap = p.request.max_completion_tokens
    base = finish(name, p.doc, p.matcher, p.prompt, p.rules)
    expected = min(cap, expected_output_tokens(p.request, p.rules, p.counter, base))
    return DryRun(p, cap, expected, window, source,
                  price.cost(p.input_tokens, expected) if price else None,
                  price.cost(p.input_tokens, cap) if price else None,
                  price.source if price else None, find_injections(p.doc))


def request_figures(text: str, *, name: str, prompt: str | None = None, rubric_path=None,
                    model: str = "gpt-4o-mini") -> dict:
    """Requests and tokens to grade one answer: one request for every criterion (this design)
    against one request per criterion, both built from the same templates and counted the same way."""
    p = prepare(text, name=name, prompt=prompt, rubric_path=rubric_path, model=model)
    base = finish(name, p.doc, p.matcher, p.prompt, p.rules)
    one_out = expected_output_tokens(p.request, p.rules, p.counter, base)
    per_in = per_out = 0
    for cid in p.request.ids:
        single = build_request(p.doc, p.rubric, p.prompt.id, p.rules, model=model, only=[cid], with_critique=False)
        per_in += p.counter.count_messages(single.messages, response_format=single.response_format())
        per_out += expected_output_tokens(single, p.rules, p.counter)
    one = {"requests": 1, "input": p.input_tokens, "output": one_out, "total": p.input_tokens + one_out}
    per = {"requests": len(p.request.ids), "input": per_in, "output": per_out, "total": per_in + per_out}
    return {"answer": name, "criteria": len(p.request.ids), "one_request": one, "per_criterion": per,
            "ratio": one["total"] / per["total"], "counted_with": p.counter.note}



def plan(answers: list[tuple[str, str]], *, prompt: str | None = None, rubric_path=None,
         settings: LLMSettings) -> list[DryRun]:
    """`--dry-run`: the request for each (name, text), counted and priced; nothing is sent."""
    return [dry_run(text, name=name, prompt=prompt, rubric_path=rubric_path, settings=settings)
            for name, text in answers]
