"""The LLM grader: the rules grade first, one request per answer refines them, and the merge
policy (grade.llm.merge) decides what of the model's reply stands.

The grader builds requests and merges replies; how a request reaches a model (the cache, the
retries, the format fallback, the re-ask, the Batch API) is the transport's (grade.llm.transport,
grade.llm.batch). An answer that addresses the grader (grade.llm.injection) is not sent at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pydantic import BaseModel

from ..core.document import Document, parse
from ..core.grader import Item, finish, get_rubric, grade_text, rules_pass
from ..core.results import CriterionResult, CritiqueItem, Followup, GradeResult, LLMReport
from ..errors import InputError, LLMError
from ..rubric.runtime import Rubric
from .cache import ResponseCache
from .client import LLMSettings, resolve_settings, say_on_stderr
from .injection import find_injections
from .merge import merge
from .reply import MAX_FOLLOWUP_QUESTIONS, QUESTION_MAX_CHARS, SUMMARY_MAX_CHARS, clean, judgements
from .request import FormatMode, LLMRequest, build_request
from .tokens import TokenCounter, byte_bound, context_window, counter_for
from .transport import Outcome, Transport, TransportStats


@dataclass
class Prepared:
    """An answer graded by the rules, and the request that would refine it."""

    name: str
    doc: Document
    rubric: Rubric
    matcher: object
    prompt: object
    rules: list[CriterionResult]
    request: LLMRequest
    model: str
    given_counter: TokenCounter | None = field(default=None, repr=False)

    @cached_property
    def counter(self) -> TokenCounter:
        return self.given_counter or counter_for(self.model)

    @cached_property
    def input_tokens(self) -> int:
        """The request's input tokens, counted when first asked for (a cost plan, a long answer)."""
        return self.counter.count_messages(self.request.messages, response_format=self.request.response_format())


@dataclass
class GraderStats(TransportStats):
    """The transport's counts, with the answers graded and the claims the merge discarded."""

    answers: int = 0
    discarded: int = 0


def prepare(text: str, *, name: str, prompt: str | None, rubric_path, model: str,
            counter: TokenCounter | None = None) -> Prepared:
    """Rules pass, request and token count; refuses an answer over the model's budget."""
    rubric, matcher = get_rubric(rubric_path)
    found = rules_pass(parse(text), matcher, prompt)
    doc, prompt_report, rules = found.doc, found.prompt, found.criteria
    request = build_request(doc, rubric, prompt_report.id, rules, model=model)
    prepared = Prepared(name, doc, rubric, matcher, prompt_report, rules, request, model, counter)
    window, source = context_window(model)
    budget = window - request.max_completion_tokens
    if byte_bound(request.messages, response_format=request.response_format()) > budget:
        tokens = prepared.input_tokens  # counted only when the bound does not settle it
        if tokens > budget:
            raise InputError(f"{name}: too long for {model}: the request is {tokens:,} tokens and the budget is "
                             f"{budget:,} ({window:,} context, {source}, less {request.max_completion_tokens:,} "
                             "kept for the reply); shorten the answer or choose a model with a larger context")
    return prepared


def _written_followups(reply: BaseModel, level: dict[str, int]) -> list[Followup]:
    """The reply's follow-up questions on criteria of this answer, cleaned, at the depth of their level."""
    from ..feedback.followups import DEPTHS

    return [Followup(criterion=q.criterion, depth=DEPTHS[level[q.criterion]],
                     question=clean(q.question, QUESTION_MAX_CHARS))
            for q in reply.followups[:MAX_FOLLOWUP_QUESTIONS] if q.criterion in level and q.question.strip()]


class _Prewritten:
    """A FollowupWriter whose questions came with the grading reply (no second request)."""

    def __init__(self, questions: list[Followup]) -> None:
        self.questions = questions

    def write(self, result, anchors, answer_text):
        return self.questions


class LLMGrader:
    """Grades answers with the rules, then refines them with one LLM request each.

    `client` is any object with the openai client's `chat.completions.create`; by default an
    `openai.OpenAI` is built from `settings` on the first request (never for a cache hit).
    `notify` says each retry (a line on stderr by default).
    """

    def __init__(self, settings: LLMSettings, *, client=None, use_cache: bool = True,
                 cache: ResponseCache | None = None, rubric_path=None,
                 sleep: Callable[[float], None] = time.sleep,
                 notify: Callable[[str], None] | None = say_on_stderr) -> None:
        self.settings = settings
        self.rubric_path = rubric_path
        self.transport = Transport(settings, client=client, cache=(cache or ResponseCache()) if use_cache else None,
                                   sleep=sleep, notify=notify)
        self.answers = 0
        self.discarded = 0

    @classmethod
    def from_options(cls, *, model: str | None = None, timeout: float | None = None, use_cache: bool = True,
                     rubric_path=None, notify: Callable[[str], None] | None = say_on_stderr) -> LLMGrader:
        """The grader for the CLI's options; the rest of the settings come from the environment."""
        return cls(resolve_settings(model=model, timeout=timeout), use_cache=use_cache, rubric_path=rubric_path,
                   notify=notify)

    @property
    def cache(self) -> ResponseCache | None:
        return self.transport.cache

    @property
    def format_mode(self) -> FormatMode:
        return self.transport.format_mode

    @property
    def stats(self) -> GraderStats:
        """What this grader has done so far (a snapshot)."""
        return GraderStats(**vars(self.transport.stats), answers=self.answers, discarded=self.discarded)

    def ask(self, request: LLMRequest) -> tuple[BaseModel, dict]:
        """One request (any LLMRequest: a grading, or follow-up questions) through the transport."""
        return self.transport.ask(request)

    def __call__(self, text: str, name: str, prompt: str | None) -> GradeResult:
        return self.grade(text, name=name, prompt=prompt)

    def eval_grader(self, graded: dict[Item, GradeResult] | None = None) -> Callable[[str, str, str | None],
                                                                                   GradeResult]:
        """The grader for `evaluation.evaluate`. It calls grader(text, name, None) only to read the
        inferred prompt, which the LLM never changes: those calls go to the rules and cost nothing.
        Answers in `graded` (by `grade_many`) are not graded again."""
        graded = graded or {}

        def grade(text: str, name: str, prompt: str | None) -> GradeResult:
            if prompt is None:
                return grade_text(text, name=name, prompt=None, rubric_path=self.rubric_path)
            done = graded.get((text, name, prompt))
            return done if done is not None else self.grade(text, name=name, prompt=prompt)

        return grade

    def grade(self, text: str, name: str = "<answer>", prompt: str | None = None) -> GradeResult:
        p = self._prepare(text, name, prompt)
        injections = find_injections(p.doc)
        if injections:
            return self._rules_alone(p, prompt, injections)
        return self._merged(p, text, *self.transport.ask(p.request))

    def grade_many(self, items: Sequence[Item], *, jobs: int = 1, batch: bool = False,
                   on_done: Callable[[], None] | None = None,
                   on_status: Callable[[str], None] | None = None) -> list[GradeResult | LLMError]:
        """Every (text, name, prompt), in order: its GradeResult, or the LLMError that stopped it
        (that answer's alone; its `answer` is the name). The requests go `jobs` at a time, each
        sent as soon as its answer is prepared, or all in one submission to the Batch API with
        `batch`. An answer too long for the model stops the run (an InputError). `on_done` is
        called as each answer is graded, `on_status` with the state of a batch while it runs."""
        out: list[GradeResult | LLMError | None] = [None] * len(items)
        prepared: dict[int, Prepared] = {}

        def requests() -> Iterator[tuple[int, LLMRequest]]:
            for i, (text, name, prompt) in enumerate(items):
                p = self._prepare(text, name, prompt)
                injections = find_injections(p.doc)
                if injections:
                    out[i] = self._rules_alone(p, prompt, injections)
                    if on_done is not None:
                        on_done()
                    continue
                prepared[i] = p
                yield i, p.request

        if batch:
            from .batch import ask_batch

            tagged = list(requests())
            outcomes: Iterable[tuple[int, Outcome]] = zip(
                [i for i, _ in tagged],
                ask_batch(self.transport, [r for _, r in tagged], on_status=on_status), strict=True)
        else:
            outcomes = self.transport.ask_each(requests(), jobs)
        for i, outcome in outcomes:
            if isinstance(outcome, LLMError):
                outcome.answer = prepared[i].name  # type: ignore[attr-defined]
                out[i] = outcome
            else:
                out[i] = self._merged(prepared[i], items[i][0], *outcome)
            if on_done is not None:
                on_done()
        return out  # type: ignore[return-value]

    # ---------------------------------------------------------------------------- the merge
    def _prepare(self, text: str, name: str, prompt: str | None) -> Prepared:
        p = prepare(text, name=name, prompt=prompt, rubric_path=self.rubric_path, model=self.settings.model)
        self.answers += 1
        return p

    def _merged(self, p: Prepared, text: str, reply: BaseModel, meta: dict) -> GradeResult:
        merged = merge(p.doc, p.rubric, p.rules, judgements(reply, p.request.ids))
        level = {c.id: c.level for c in merged.criteria}
        written = _written_followups(reply, level) if p.request.with_critique else []
        result = finish(p.name, p.doc, p.matcher, p.prompt, merged.criteria, grader="rules+llm",
                        followups=not written)
        if p.request.with_critique:
            self._apply_prose(result, reply, text, p.rubric, written, p.doc)
        result.llm = LLMReport(
            model=self.settings.model, endpoint=self.settings.endpoint, response_format=meta["format"],
            cached=meta["cached"], requests=meta["requests"], prompt_tokens=meta.get("prompt_tokens"),
            completion_tokens=meta.get("completion_tokens"), raised=merged.raised, lowered=merged.lowered,
            discarded=merged.discarded, notes=merged.notes,
        )
        self.discarded += len(merged.discarded)
        return result

    def _rules_alone(self, p: Prepared, prompt: str | None, injections: list[int]) -> GradeResult:
        """Policy 4: nothing is sent; the rules grade the answer with the injected lines blanked."""
        blank = set(injections)
        doc = parse("\n".join("" if line.number in blank else line.text for line in p.doc.lines) + "\n")
        found = rules_pass(doc, p.matcher, prompt)
        result = finish(p.name, doc, p.matcher, found.prompt, found.criteria, grader="rules")
        shown = ", ".join(str(n) for n in injections[:6]) + (", ..." if len(injections) > 6 else "")
        note = (f"line {shown} of the answer addresses the grader (prompt injection?): not sent to the LLM; "
                "graded by the rules alone, ignoring those lines")
        result.verdict_reasons.append(note)
        if result.critique is not None:
            result.critique.why.append(CritiqueItem(text=note))
        result.llm = LLMReport(model=self.settings.model, endpoint=self.settings.endpoint,
                               response_format=self.format_mode, cached=False, requests=0, notes=[note],
                               injection_lines=injections)
        return result

    def _apply_prose(self, result: GradeResult, reply: BaseModel, text: str, rubric: Rubric,
                     written: list[Followup], doc: Document) -> None:
        """The model's summary and its follow-ups (`written`), vetted like the bank's; the bank's
        questions when too few of the model's survive (`result` was finished without them then)."""
        from ..feedback.followups import choose_followups, written_followups

        summary = clean(reply.summary, SUMMARY_MAX_CHARS)
        if result.critique is not None and summary:
            result.critique.summary = summary
        if written:
            questions, used = written_followups(result, text, rubric=rubric, writer=_Prewritten(written))
            result.followups = questions if used else choose_followups(
                result.criteria, rubric, doc.text, doc=doc, prompt=result.prompt)
