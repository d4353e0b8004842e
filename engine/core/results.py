"""The result of grading one answer. Its JSON form is the contract's (docs/contract.md).

Plain dataclasses: the grader builds them from values it made itself, so nothing is validated and
grading imports no pydantic. Where results are read back from a file (saved mock attempts,
grade.practice.attempts) pydantic validates them against these same classes.
"""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from ..records import as_dict, record
from ..vocabulary import VERDICT_LABELS as VERDICT_LABELS  # where the reports import it from
from ..vocabulary import Depth, Verdict


@record(kw_only=True)
class Evidence:
    """A line of the answer that supports a criterion's level, and the words quoted from it."""

    line: int  # 1-based line in the file as given, front matter included
    quote: str  # verbatim substring of that line


@record(kw_only=True)
class CriterionResult:
    """One criterion's level for an answer (0 missing, 1 mentioned, 2 substantiated) and its evidence."""

    id: str
    title: str
    section: str
    weight: float
    level: int  # 0, 1 or 2
    evidence: list[Evidence] = field(default_factory=list)
    source: Literal["rules", "llm"] = "rules"


@record(kw_only=True)
class PartReport:
    """Whether one part of the expected answer structure is there, and where."""

    part: int
    id: str
    title: str
    present: bool
    line: int | None  # its heading, or else its first evidence
    via: Literal["heading", "content", "absent"]


@record(kw_only=True)
class StructureReport:
    """How the answer follows the rubric's answer structure."""

    parts: list[PartReport]
    present: int
    in_order: bool | None  # None when fewer than two parts are present
    basis: Literal["headings", "content"]


@record(kw_only=True)
class PromptReport:
    """Which practice prompt the answer is for, and how that was decided."""

    id: str | None
    source: Literal["option", "front_matter", "inferred", "none"]
    confidence: float  # 0..1
    scores: dict[str, float] = field(default_factory=dict)


@record(kw_only=True)
class Followup:
    """A follow-up question an interviewer would ask, on one criterion at one depth."""

    criterion: str
    depth: Depth
    question: str


@record(kw_only=True)
class CritiqueItem:
    """One line of the critique, with the criteria it is about (several when they restate one idea)."""

    text: str
    criteria: list[str] = field(default_factory=list)  # the ids of the criteria this item covers
    line: int | None = None  # the line of the answer it cites, if any
    rule: str | None = None
    """The flag or cap it explains (keyword_stuffing, generic_diagram, architect_requires,
    core_correctness), if any."""

    def __str__(self) -> str:
        return self.text


@record(kw_only=True)
class Critique:
    """The interviewer-style critique: the verdict's reasons, gaps, strengths and next steps."""

    headline: str
    why: list[CritiqueItem]  # why the verdict is what it is: the score, each flag and cap, the structure
    gaps: list[CritiqueItem]  # what is missing, one item per idea, costliest first
    strengths: list[CritiqueItem]
    next_steps: list[CritiqueItem]
    summary: str | None = None  # an interviewer's reading written by the LLM (--llm)


@record(kw_only=True)
class DiscardedClaim:
    """A level change the LLM proposed that was not applied, and why."""

    criterion: str
    rules_level: int
    llm_level: int
    quote: str
    reason: str


@record(kw_only=True)
class LLMReport:
    """What the LLM pass did to an answer's grade (see grade.llm.grading for the merge policy)."""

    model: str
    endpoint: str
    response_format: Literal["json_schema", "json_object", "none"]
    cached: bool
    requests: int  # requests sent for this answer; 0 when the reply came from the cache
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    raised: list[str] = field(default_factory=list)  # criteria raised on a verified quote
    lowered: list[str] = field(default_factory=list)  # criteria lowered by one on the rules' own evidence line
    discarded: list[DiscardedClaim] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    injection_lines: list[int] = field(default_factory=list)
    """Lines that address the grader; none of the LLM's changes are applied when there are any."""


@record(kw_only=True)
class GradeResult:
    """Everything grading says about one answer (see `contract_json` for the stable JSON)."""

    file: str
    prompt: str | None
    prompt_info: PromptReport
    score: float  # 0..100
    verdict: Verdict
    borderline: Literal["senior", "architect"] | None = None
    """The bar the score sits within the rubric's borderline_points of."""
    verdict_reasons: list[str]
    flags: list[str]
    structure: StructureReport
    criteria: list[CriterionResult]
    critique: Critique | None = None
    followups: list[Followup] = field(default_factory=list)
    grader: Literal["rules", "rules+llm"] = "rules"
    llm: LLMReport | None = None  # with --llm: raised, lowered and discarded claims

    def contract_json(self) -> dict:
        """The contract's keys first, then the rest."""
        data = as_dict(self)
        head = {k: data.pop(k) for k in ("prompt", "score", "verdict", "criteria")}
        return head | data
