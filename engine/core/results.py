"""The result of grading one answer. Its JSON form is the contract's (docs/contract.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ..vocabulary import VERDICT_LABELS as VERDICT_LABELS  # where the reports import it from
from ..vocabulary import Depth, Verdict


class Evidence(BaseModel):
    line: int = Field(description="1-based line in the file as given, front matter included")
    quote: str = Field(description="verbatim substring of that line")


class CriterionResult(BaseModel):
    id: str
    title: str
    section: str
    weight: float
    level: int = Field(ge=0, le=2)
    evidence: list[Evidence] = []
    source: Literal["rules", "llm"] = "rules"


class PartReport(BaseModel):
    part: int
    id: str
    title: str
    present: bool
    line: int | None = Field(description="its heading, or else its first evidence")
    via: Literal["heading", "content", "absent"]


class StructureReport(BaseModel):
    parts: list[PartReport]
    present: int
    in_order: bool | None = Field(description="None when fewer than two parts are present")
    basis: Literal["headings", "content"]


class PromptReport(BaseModel):
    id: str | None
    source: Literal["option", "front_matter", "inferred", "none"]
    confidence: float = Field(ge=0, le=1)
    scores: dict[str, float] = {}


class Followup(BaseModel):
    criterion: str
    depth: Depth
    question: str


class CritiqueItem(BaseModel):
    """One line of the critique, with the criteria it is about (several when they restate one idea)."""

    text: str
    criteria: list[str] = Field(default=[], description="the ids of the criteria this item covers")
    line: int | None = Field(default=None, description="the line of the answer it cites, if any")
    rule: str | None = Field(default=None, description="the flag or cap it explains (keyword_stuffing, "
                             "generic_diagram, architect_requires, core_correctness), if any")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value):
        """A plain sentence (as attempts saved before items carried their criteria hold them)."""
        return {"text": value} if isinstance(value, str) else value

    def __str__(self) -> str:
        return self.text


class Critique(BaseModel):
    headline: str
    why: list[CritiqueItem] = Field(description="why the verdict is what it is: the score, each flag and cap, "
                                    "the structure")
    gaps: list[CritiqueItem] = Field(description="what is missing, one item per idea, costliest first")
    strengths: list[CritiqueItem]
    next_steps: list[CritiqueItem]
    summary: str | None = Field(default=None, description="an interviewer's reading written by the LLM (--llm)")


class DiscardedClaim(BaseModel):
    """A level change the LLM proposed that was not applied, and why."""

    criterion: str
    rules_level: int
    llm_level: int
    quote: str
    reason: str


class LLMReport(BaseModel):
    """What the LLM pass did to an answer's grade (see grade.llm.grading for the merge policy)."""

    model: str
    endpoint: str
    response_format: Literal["json_schema", "json_object", "none"]
    cached: bool
    requests: int = Field(description="requests sent for this answer; 0 when the reply came from the cache")
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    raised: list[str] = Field(default=[], description="criteria raised on a verified quote")
    lowered: list[str] = Field(default=[], description="criteria lowered by one on the rules' own evidence line")
    discarded: list[DiscardedClaim] = []
    notes: list[str] = []
    injection_lines: list[int] = Field(default=[], description="lines that address the grader; none of the "
                                                               "LLM's changes are applied when there are any")


class GradeResult(BaseModel):
    file: str
    prompt: str | None
    prompt_info: PromptReport
    score: float = Field(ge=0, le=100)
    verdict: Verdict
    borderline: Literal["senior", "architect"] | None = Field(
        default=None, description="the bar the score sits within the rubric's borderline_points of")
    verdict_reasons: list[str]
    flags: list[str]
    structure: StructureReport
    criteria: list[CriterionResult]
    critique: Critique | None = None
    followups: list[Followup] = []
    grader: Literal["rules", "rules+llm"] = "rules"
    llm: LLMReport | None = Field(default=None, description="with --llm: raised, lowered and discarded claims")

    def contract_json(self) -> dict:
        """The contract's keys first, then the rest."""
        data = self.model_dump(mode="json")
        head = {k: data.pop(k) for k in ("prompt", "score", "verdict", "criteria")}
        return head | data
