"""The rubric as grading reads it: frozen dataclasses, built from data that was validated already.

There are two sets of rubric types, on purpose. rubric.model holds the pydantic models that
validate a rubric file (every key, bound and pattern checked, a JSON Schema for editors); they run
when a rubric file is new or changed, for `grade rubric check` and `grade rubric schema`. This
module holds what grading uses: plain dataclasses with the same fields, made from the validated
data by `from_data` without validating again, so that grading an answer against an unchanged
rubric (reloaded from grade.core.rubric_cache) never imports pydantic, which is a third of a cold
start. The validator is the only way in: `rubric.model.read_rubric` returns these.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from ..core.static_regex import regex
from ..records import record
from ..vocabulary import Depth

BUNDLED_RUBRIC = Path(__file__).with_name("default.toml")

CapKind = Literal["keyword_stuffing", "generic_diagram", "architect_requires", "core_correctness"]
CAP_KINDS: tuple[CapKind, ...] = get_args(CapKind)


class RubricError(Exception):
    """A rubric file that cannot be used; the message names the file, the entry and the problem."""


@record(frozen=True)
class Detector:
    """How to recognise one idea in normalised answer text (see rubric.model.Detector)."""

    mention: list[str]
    strong: list[str] = field(default_factory=list)
    substance: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    generic: bool = True
    reach: int = 0
    breadth: int | None = None
    examples: dict[str, list[str]] = field(default_factory=dict)


@record(frozen=True)
class Criterion:
    """One rubric criterion: what it is, its section and weight, and the detectors that find it."""

    id: str
    section: str
    title: str
    weight: float
    description: str
    detectors: list[str]
    advice: str
    prompt: str | None = None
    core_correctness: bool = False


@record(frozen=True)
class Section:
    """A section of the rubric (a part of the answer structure when it has a `part`)."""

    id: str
    title: str
    part: int | None = None
    heading: list[str] = field(default_factory=list)
    chart: bool = False
    strengths: bool = True  # its substantiated criteria may be praised as strengths


@record(frozen=True)
class PromptSpec:
    """A practice prompt: its id and number, the signals that identify it, its weights."""

    id: str
    number: int
    title: str
    brief: str
    must_handle: list[str]
    signals: dict[str, float]
    weights: dict[str, float] = field(default_factory=dict)


@record(frozen=True)
class CapMessages:
    """What the report says about each cap (defaults: rubric.model.CapMessages)."""

    keyword_stuffing: str
    generic_diagram: str
    architect_requires: str
    core_correctness_none: str
    core_correctness_weak: str
    core_correctness_none_explained: str
    core_correctness_weak_explained: str
    keyword_stuffing_step: str
    generic_diagram_step: str
    keyword_stuffing_explained: str
    generic_diagram_explained: str
    architect_requires_explained: str


@record(frozen=True)
class Guide:
    """The interview-prep guide the rubric comes from, and where to find it."""

    title: str
    where: str


@record(frozen=True)
class LLMWording:
    """The domain's words in the prompts sent to a model (defaults: rubric.model.LLMWording)."""

    question: str = "a system-design question"
    wrong_sense_example: str = ""
    substance_examples: list[str] = field(default_factory=list)


@record(frozen=True)
class Verdicts:
    """The score bars and caps that turn a score into a verdict."""

    architect_min_score: float
    senior_min_score: float
    level_values: tuple[float, float, float]
    stuffing_min_mentioned: int
    stuffing_max_substantiated_ratio: float
    diagram_min_architecture: int
    diagram_max_reasoned: int
    architecture_sections: list[str]
    reasoned_sections: list[str]
    messages: CapMessages
    architect_requires: dict[str, int]
    section_weights: dict[str, float]
    prompt_scales: dict[str, float]
    prompt_offsets: dict[str, float]
    caps: list[CapKind]
    borderline_points: float


@record(frozen=True)
class Group:
    """Criteria that restate one idea: reported as one gap, strength and question."""

    id: str
    title: str
    criteria: list[str]
    description: str | None = None
    advice: str | None = None


@record(frozen=True)
class Component:
    """A component, layer or event a follow-up question may take for granted."""

    name: str
    answer: list[str]
    question: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


@record(frozen=True)
class Ask:
    """A number or choice a follow-up question may ask for."""

    what: str
    answer: list[str]
    question: list[str]


@record(frozen=True)
class Anchors:
    """Which sentences of an answer state its design (see rubric.model.Anchors)."""

    not_design: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    not_design_sentence: list[str] = field(default_factory=list)
    open_sentence: list[str] = field(default_factory=list)
    context_sentence: list[str] = field(default_factory=list)
    choice_question: list[str] = field(default_factory=list)
    no_choice_sentence: list[str] = field(default_factory=list)  # names no choice: never quoted as one
    targets: list[str] = field(default_factory=list)
    requirement_terms: dict[str, list[str]] = field(default_factory=dict)  # criterion id: its requirement's words
    praise_requires: dict[str, list[str]] = field(default_factory=dict)  # criterion id: what a praised line holds
    praise_excludes: dict[str, list[str]] = field(default_factory=dict)  # criterion id: words of another sense
    quote_excludes: dict[str, list[str]] = field(default_factory=dict)  # criterion id: not what its questions ask
    quote_requires: dict[str, list[str]] = field(default_factory=dict)  # criterion id: what its questions ask about


@record(frozen=True)
class Praise:
    """What a strength never cites (see rubric.model.Praise)."""

    generic_reasons: list[str] = field(default_factory=list)
    unsettled: list[str] = field(default_factory=list)
    one_idea: list[list[str]] = field(default_factory=list)  # idea ids praised once between them


@record(frozen=True)
class BankQuestion:
    """A follow-up question of the rubric's bank."""

    criterion: str
    depth: Depth
    text: str
    presupposes: list[str] = field(default_factory=list)  # in the answer and in the sentence quoted
    requires: list[str] = field(default_factory=list)  # in the answer, anywhere
    asks: list[str] = field(default_factory=list)
    fallback: bool = False
    prompts: list[str] = field(default_factory=list)  # the practice prompts it fits; empty: every prompt


@record(frozen=True)
class Rubric:
    """A validated rubric, as grading reads it."""

    name: str
    version: str
    sections: list[Section]
    criteria: list[Criterion]
    detectors: dict[str, Detector]
    verdicts: Verdicts
    substance_cues: list[str] = field(default_factory=list)
    deferred_cues: list[str] = field(default_factory=list)
    prompts: list[PromptSpec] = field(default_factory=list)
    guide: Guide | None = None
    llm: LLMWording = field(default_factory=LLMWording)
    followups: list[BankQuestion] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    components: dict[str, Component] = field(default_factory=dict)
    asks: dict[str, Ask] = field(default_factory=dict)
    anchors: Anchors = field(default_factory=Anchors)
    praise: Praise = field(default_factory=Praise)
    required_ids: list[str] = field(default_factory=list)

    def criterion(self, criterion_id: str) -> Criterion:
        found = self._criteria_by_id.get(criterion_id)
        if found is None:
            raise KeyError(criterion_id)
        return found

    def group_of(self, criterion_id: str) -> Group | None:
        """The group a criterion belongs to, if any."""
        return self._group_by_criterion.get(criterion_id)

    # The lookups above run for every criterion of every answer graded: by dict, built once per rubric
    # (the first entry wins, as a scan of the lists would find it).
    @functools.cached_property
    def _criteria_by_id(self) -> dict[str, Criterion]:
        out: dict[str, Criterion] = {}
        for c in self.criteria:
            out.setdefault(c.id, c)
        return out

    @functools.cached_property
    def _group_by_criterion(self) -> dict[str, Group]:
        out: dict[str, Group] = {}
        for g in self.groups:
            for cid in g.criteria:
                out.setdefault(cid, g)
        return out

    def prompt_spec(self, key: str) -> PromptSpec | None:
        """The prompt with this id or number (as a string), or None."""
        for p in self.prompts:
            if key in (p.id, str(p.number)):
                return p
        return None

    def weight(self, criterion: Criterion, prompt_id: str | None) -> float:
        """The criterion's weight for an answer to `prompt_id` (a prompt may override it)."""
        spec = self.prompt_spec(prompt_id) if prompt_id else None
        return spec.weights.get(criterion.id, criterion.weight) if spec else criterion.weight

    def applicable(self, prompt_id: str | None) -> list[Criterion]:
        """Criteria graded for an answer to `prompt_id`: all general ones, plus that prompt's."""
        return [c for c in self.criteria if c.prompt is None or c.prompt == prompt_id]

    def answer_parts(self) -> list[tuple[int, str, list[str]]]:
        """The answer structure: (part, title, what belongs in it), from the sections with a part."""
        out = []
        for section in sorted((s for s in self.sections if s.part is not None), key=lambda s: s.part or 0):
            items = [c.title for c in self.criteria if c.section == section.id and c.prompt is None]
            out.append((section.part or 0, section.title, items))
        return out


def from_data(cls: type, data: dict[str, Any]) -> Any:
    """An instance of dataclass `cls` from validated plain data (a JSON-shaped dump), nested
    dataclasses and tuples rebuilt by the field types; nothing is checked, nothing is copied (lists
    and dicts of plain values are taken as they are: the data is the caller's to give away)."""
    return _converter(cls)(data)


_CONVERTERS: dict[Any, Callable[[Any], Any]] = {}


def _same(value: Any) -> Any:
    return value


_NAME = regex(r"[A-Za-z_]\w*")


def _field_type(annotation: Any, namespace: dict[str, Any]) -> Any:
    """A field's type, as get_type_hints gives it, when it names a dataclass of `namespace`; else
    `object` (plain data, taken as it is), without evaluating the annotation: evaluating compiles
    it, and compiling the rubric types' two hundred annotations was a fifth of loading a rubric."""
    if not isinstance(annotation, str):
        return annotation
    if not any(dataclasses.is_dataclass(namespace.get(name)) for name in _NAME.findall(annotation)):
        return object
    return eval(annotation, namespace)  # noqa: S307 - this module's own annotations, as get_type_hints does


def _converter(hint: Any) -> Callable[[Any], Any]:
    """A function that rebuilds a value of type `hint` from its JSON shape; made once per type."""
    known = _CONVERTERS.get(hint)
    if known is not None:
        return known
    origin, args = get_origin(hint), get_args(hint)
    if dataclasses.is_dataclass(hint):
        namespace = vars(sys.modules[hint.__module__])
        nested = [(f.name, c) for f in dataclasses.fields(hint)
                  if (c := _converter(_field_type(f.type, namespace))) is not _same]

        def convert(data: dict[str, Any]) -> Any:
            if nested:
                data = dict(data)
                for name, field_converter in nested:
                    if name in data:
                        data[name] = field_converter(data[name])
            return hint(**data)
    elif origin in (typing.Union, types.UnionType):
        inner = [_converter(a) for a in args if a is not type(None)]
        one = inner[0] if len(inner) == 1 else _same
        if one is _same:
            convert = _same
        else:
            def convert(value: Any) -> Any:
                return None if value is None else one(value)
    elif origin is list:
        item = _converter(args[0])
        convert = _same if item is _same else (lambda value: [item(v) for v in value])
    elif origin is tuple:
        item = _converter(args[0])
        convert = tuple if item is _same else (lambda value: tuple(item(v) for v in value))
    elif origin is dict:
        item = _converter(args[1])
        convert = _same if item is _same else (lambda value: {k: item(v) for k, v in value.items()})
    else:  # str, int, float, bool, Literal: as they are
        convert = _same
    _CONVERTERS[hint] = convert
    return convert
