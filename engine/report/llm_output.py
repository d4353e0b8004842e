"""The LLM path's own output: the `--dry-run` plan of requests, and `grade eval --llm`'s rules
against rules+llm side by side. Text only: the data comes from grade.llm.plan and grade.eval."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..llm.client import LLMSettings
    from ..llm.grader import GraderStats
    from ..llm.plan import DryRun


def render_dry_run(runs: list[DryRun], settings: LLMSettings) -> str:
    """`--dry-run`: each answer's request, its tokens and its cost, and the total."""
    out = []
    for run in runs:
        p = run.prepared
        body = p.request.payload()
        out.append(f"=== {p.name}: 1 request to {settings.model} at {settings.endpoint} (dry run: nothing sent)")
        for m in body["messages"]:
            out += [f"--- {m['role']} message", m["content"]]
        schema = body["response_format"]["json_schema"]
        out += [f"--- response_format: json_schema {schema['name']!r}, strict, "
                f"{len(p.request.ids)} criteria; max_completion_tokens {body['max_completion_tokens']}",
                json.dumps(schema["schema"], separators=(",", ":"))]
        out.append(f"--- tokens: {p.input_tokens:,} input ({p.counter.note}); output about "
                   f"{run.expected_output:,}, at most {run.output_cap:,}; context {run.window:,} ({run.window_source})")
        if run.cost is None:
            out.append(f"--- estimated cost: unknown for {settings.model} (set GRADE_PRICE_PER_MTOK=input,output "
                       "in USD per million tokens)")
        else:
            out.append(f"--- estimated cost: ${run.cost:.4f}, at most ${run.cost_cap:.4f} with the output at its "
                       f"cap ({run.price_source})")
        if run.injection_lines:
            out.append(f"--- line {', '.join(map(str, run.injection_lines))} addresses the grader: --llm would not "
                       "send this answer, the rules alone would grade it")
        out.append("")
    if len(runs) > 1:
        total_in = sum(r.prepared.input_tokens for r in runs)
        costs, caps = [r.cost for r in runs], [r.cost_cap for r in runs]
        cost = (f"${sum(costs):.4f}, at most ${sum(caps):.4f}" if all(c is not None for c in costs)
                else "unknown")
        out.append(f"=== total: {len(runs)} requests, {total_in:,} input tokens, estimated cost {cost}")
    return "\n".join(out) + "\n"



def render_llm_comparison(reports: dict[str, dict], fmt: str, settings: LLMSettings, stats: GraderStats) -> str:
    """`grade eval --llm`: the rules' report and the rules+llm one side by side, in `fmt`."""
    from .eval_report import render_side_by_side_markdown, render_side_by_side_text

    notes = [f"rules+llm: {settings.model} at {settings.endpoint}; {stats.answers} answers, "
             f"{stats.requests} requests sent, {stats.cache_hits} from the cache, {stats.prompt_tokens:,} prompt and "
             f"{stats.completion_tokens:,} completion tokens, {stats.discarded} unverified level changes discarded"]
    title = f"Grader accuracy: rules vs rules+llm ({settings.model})"
    if fmt == "json":
        return json.dumps({**reports, "llm": {"model": settings.model, **stats.__dict__}}, indent=2) + "\n"
    if fmt == "markdown":
        return render_side_by_side_markdown(reports, title, notes)
    return render_side_by_side_text(reports, title, notes)
