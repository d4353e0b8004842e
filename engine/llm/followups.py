"""Follow-up questions written by a model (`grade followups --llm`, `grade mock --llm`).

A `FollowupWriter` for grade.feedback.followups: one chat request per answer, through the same machinery as
LLM grading (grade.llm.transport: settings, the injected client, the disk cache, JSON-schema output
with its fallbacks, one re-ask on an invalid reply, every failure an LLMError). The rules grade the
answer first and nothing here changes a level; the model only words the questions, given the
criteria the rules verified at the depth they verified them and the bank's questions as anchors.
What it writes is vetted like the bank's questions (grade.feedback.followups.vet): anchored to a verified
criterion and depth, one per idea, nothing presupposed that the answer lacks, nothing asked that
it states, quotes verbatim and widened to the whole sentence. Too few survive: the bank's stand.

An answer with text addressed to the grader (prompt injection) is not sent at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..core.document import Document, parse
from ..core.results import Followup, GradeResult
from ..feedback.followups import DEPTHS, MAX_FOLLOWUPS
from ..feedback.ideas import by_cost, ideas
from ..rubric.runtime import Rubric
from .client import LLMSettings, resolve_settings
from .grader import LLMGrader
from .injection import find_injections
from .reply import QUESTION_MAX_CHARS, clean
from .request import BEGIN, END, LLMRequest, fence_answer, render_prompt, temperature_for

WRITE = 5  # questions asked of the model (the vetting keeps 3 to 7)


@lru_cache(maxsize=1)
def followups_reply_model() -> type[BaseModel]:
    strict = ConfigDict(extra="forbid")
    question = create_model(
        "FollowupQuestion", __config__=strict,
        criterion=(str, Field(description="the id of the criterion it probes")),
        question=(str, Field(description="one question, in an interviewer's words")),
    )
    return create_model("FollowupsReply", __config__=strict,
                        followups=(list[question], Field(description=f"{WRITE} questions, costliest first")))


@dataclass
class FollowupsRequest(LLMRequest):
    """The request for follow-up questions only: the grading request's machinery, another reply."""

    @property
    def reply_model(self) -> type[BaseModel]:
        return followups_reply_model()


def build_followups_request(doc: Document, rubric: Rubric, result: GradeResult, anchors: list[Followup], *,
                            model: str) -> FollowupsRequest:
    spec = rubric.prompt_spec(result.prompt) if result.prompt else None
    order = [m for idea in by_cost(ideas(result.criteria, rubric)) for m in idea.members]
    criteria = [(c, DEPTHS[c.level], g.id if (g := rubric.group_of(c.id)) else None) for c in order]
    system = render_prompt("llm_followups_system.j2", begin=BEGIN, end=END, count=WRITE, wording=rubric.llm,
                           components=[c.name for c in rubric.components.values()])
    user = render_prompt("llm_followups_user.j2", prompt=spec, criteria=criteria, anchors=anchors, begin=BEGIN,
                         end=END, description={c.id: rubric.criterion(c.id).description for c in order},
                         answer=fence_answer(doc))
    temperature = temperature_for(model)
    return FollowupsRequest(model=model, messages=[{"role": "system", "content": system},
                                                   {"role": "user", "content": user}],
                            ids=tuple(c.id for c in order), with_critique=False,
                            max_completion_tokens=150 + 120 * WRITE, temperature=temperature)


class LLMFollowupWriter:
    """Writes follow-up questions with a model; plugs into grade.feedback.followups.interviewer_followups."""

    def __init__(self, grader: LLMGrader, rubric: Rubric) -> None:
        self.grader = grader
        self.rubric = rubric
        self.written = 0
        self.sent = False
        self.cached = False
        self.injection_lines: list[int] = []

    @classmethod
    def from_options(cls, rubric: Rubric, *, model: str | None = None, timeout: float | None = None,
                     use_cache: bool = True, rubric_path=None, settings: LLMSettings | None = None,
                     client=None) -> LLMFollowupWriter:
        settings = settings or resolve_settings(model=model, timeout=timeout)
        return cls(LLMGrader(settings, client=client, use_cache=use_cache, rubric_path=rubric_path), rubric)

    @property
    def model(self) -> str:
        return self.grader.settings.model

    def write(self, result: GradeResult, anchors: list[Followup], answer_text: str) -> list[Followup]:
        doc = parse(answer_text)
        self.injection_lines = find_injections(doc)
        if self.injection_lines:
            return []  # not sent: the bank's questions stand
        request = build_followups_request(doc, self.rubric, result, anchors, model=self.model)
        reply, meta = self.grader.ask(request)
        self.sent, self.cached = True, meta["cached"]
        levels = {c.id: c.level for c in result.criteria}
        out = [Followup(criterion=q.criterion, depth=DEPTHS[levels[q.criterion]],
                        question=clean(q.question, QUESTION_MAX_CHARS))
               for q in reply.followups[:MAX_FOLLOWUPS] if q.criterion in levels and q.question.strip()]
        self.written = len(out)
        return out
