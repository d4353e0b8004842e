"""The rubric format: pydantic models that validate a rubric file, and loading one from TOML.

A rubric is data. It names its sections, its criteria (each with a weight, a description and a
detector: the regular expressions that recognise the idea in an answer), the practice prompts
with the signals that identify them, the scoring rules, and a bank of follow-up questions.
Every model forbids unknown keys, so a typo in a rubric file fails loudly with its location.

These models are the validator, used at the edges: a new or changed rubric file, `grade rubric
check` and `grade rubric schema`. What they validate is handed on as rubric.runtime's dataclasses
(the same fields, no pydantic), which is what grading reads; see that module for why there are two.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..core.files import FileRefused, read_bounded
from ..vocabulary import Depth
from . import runtime
from .patterns import _GAP as _GAP  # grade.llm reads the shorthand from here
from .patterns import expand_pattern, joined_pattern
from .runtime import BUNDLED_RUBRIC as BUNDLED_RUBRIC
from .runtime import CAP_KINDS, CapKind, RubricError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_JOIN_RISK = re.compile(r"\(\?(P?<[A-Za-z_]|[aiLmsux-]+[:)]|P=)")
"""What lets patterns compile alone but not joined: inline flags ('(?i)'), named groups."""


_REPEATS = tuple(op for op in (getattr(re._constants, name, None) for name in
                               ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")) if op is not None)
_ONE_CHAR = {re._constants.LITERAL, re._constants.NOT_LITERAL, re._constants.IN, re._constants.ANY}
_LONG_REPEAT = 100
"""A repeat allowed more than this many characters that can cross words ('.*', '[^x]+') is refused
unless it starts right after a character it cannot match ('`[^`]+`': each scan stops at the next
start). Bounded gaps ('.{0,80}') and the rubric's ~N~ stay linear."""
_ALPHABET = [chr(i) for i in range(0x250)] + [chr(i) for i in (0x2013, 0x2014, 0x2019, 0x201c, 0x201d, 0x20ac)]


def _char_set(item) -> frozenset[str] | None:
    """The characters (of a sample alphabet) one parsed element matches, when it matches exactly
    one character (a literal, a class, '.'); else None."""
    op, av = item
    if op not in _ONE_CHAR:
        return None
    return _sample(_parser_element_source(item))


@lru_cache(maxsize=512)
def _sample(source: str) -> frozenset[str]:
    matcher = re.compile(source)
    return frozenset(ch for ch in _ALPHABET if matcher.fullmatch(ch))


def _parser_element_source(item) -> str:
    """A pattern string for one parsed single-character element."""
    C = re._constants
    op, av = item
    if op is C.LITERAL:
        return re.escape(chr(av))
    if op is C.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is C.ANY:
        return "."
    parts, negate = [], False
    categories = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
                  C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}
    for sub_op, sub_av in av:
        if sub_op is C.NEGATE:
            negate = True
        elif sub_op is C.LITERAL:
            parts.append(re.escape(chr(sub_av)))
        elif sub_op is C.RANGE:
            parts.append(f"{re.escape(chr(sub_av[0]))}-{re.escape(chr(sub_av[1]))}")
        elif sub_op is C.CATEGORY and sub_av in categories:
            parts.append(categories[sub_av])
        else:
            return "(?!)"  # unknown: treated as matching nothing, so never proven disjoint below
    return "[" + ("^" if negate else "") + "".join(parts) + "]" if parts or negate else "(?!)"


def _first_chars(item) -> frozenset[str] | None:
    """The characters a parsed element must start with, when it is one character, or a repeat of one
    at least once; else None."""
    op, av = item
    if op in _REPEATS and av[0] >= 1 and len(av[2].data) == 1:
        return _char_set(av[2].data[0])
    return _char_set(item)


def _ambiguous_repeat(sequence, inside_repeat: bool) -> str | None:
    """A repeat nested in another repeat whose iterations can split the same text in many ways
    (catastrophic backtracking: '(a+)+$', '(x+x+)+y', '(a{1,1000}){1,1000}b'), or None.

    A nested repeat is safe when it repeats one character class and the element right after it
    is a character it cannot match, as in '(\\w+ ){0,3}', or when its count is fixed, as in
    '(,\\d{3})*': the split is then forced."""
    C = re._constants
    items = list(sequence.data if hasattr(sequence, "data") else sequence)
    for i, (op, av) in enumerate(items):
        if op in _REPEATS:
            low, high, body = av
            if inside_repeat and high > 1 and low != high:  # a fixed count ('\d{3}') splits text one way only
                inner = _char_set(body.data[0]) if len(body.data) == 1 else None
                after = _first_chars(items[i + 1]) if i + 1 < len(items) else None
                if inner is None or after is None or inner & after:
                    return "a repeated group holds another repetition, as in '(a+)+'"
            if high > _LONG_REPEAT and len(body.data) == 1:
                spans = _char_set(body.data[0])
                before = _char_set(items[i - 1]) if i else None
                if spans and " " in spans and "a" in spans and not (before and not before & spans):
                    return ("a repeat of any character scans to the end of the paragraph from every word, "
                            "as '.*' does")
            problem = _ambiguous_repeat(body, inside_repeat or high > 1)
        elif op is C.SUBPATTERN:
            problem = _ambiguous_repeat(av[-1], inside_repeat)
        elif op is C.BRANCH:
            problem = next((p for b in av[1] if (p := _ambiguous_repeat(b, inside_repeat))), None)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            problem = _ambiguous_repeat(av[1], inside_repeat)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            problem = _ambiguous_repeat(av, inside_repeat)
        elif op is C.GROUPREF_EXISTS:
            problem = _ambiguous_repeat(av[1], inside_repeat) or (
                _ambiguous_repeat(av[2], inside_repeat) if av[2] is not None else None)
        else:
            problem = None
        if problem:
            return problem
    return None


def _check_patterns(patterns: list[str]) -> list[str]:
    """Every pattern compiles, alone and joined with the others, and none can backtrack without end.
    sre's FutureWarnings ('possible nested set') are not shown: a warning is not one line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return _check_patterns_quietly(patterns)


def _check_pattern_table(table: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each criterion's patterns in a per-criterion anchors table compile, alone and as the one
    alternation they are used as (they run on one sentence at a time, as written: no ~N~)."""
    for cid, patterns in table.items():
        for pattern in [*patterns, "|".join(f"(?:{p})" for p in patterns)]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{cid}: bad pattern {pattern!r}: {exc}") from None
            except RecursionError:
                raise ValueError(f"{cid}: bad pattern {pattern[:80]!r}: nested too deeply") from None
    return table


def _check_patterns_quietly(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            parsed = re._parser.parse(expand_pattern(_GAP.sub(" ", pattern)))
            re.compile(expand_pattern(pattern))
        except re.error as exc:
            raise ValueError(f"bad pattern {pattern!r}: {exc}") from None
        except RecursionError:
            raise ValueError(f"bad pattern {pattern!r}: nested too deeply") from None
        problem = _ambiguous_repeat(parsed, False)
        if problem:
            raise ValueError(f"pattern {pattern!r} could take forever on some answers ({problem}): repeat "
                             "single characters, end each repeated part with a character it cannot match, "
                             "as in '(\\w+ ){0,3}', and bound a gap between words with ~N~ or '.{0,80}'")
    if len(patterns) > 1 and any(_JOIN_RISK.search(p) for p in patterns):
        try:
            re.compile(joined_pattern(patterns))
        except re.error as exc:
            raise ValueError(f"the patterns {', '.join(map(repr, patterns[:6]))}{', ...' if len(patterns) > 6 else ''}"
                             f" compile alone but not together ({exc}): drop inline flags such as '(?i)' "
                             "(text is lower-cased already) and give each named group a distinct name") from None
    return patterns


class Detector(_Strict):
    """How to recognise one idea in normalised answer text (lower case, '-', '_', '/' as spaces).

    `mention` patterns find the idea; `substance` patterns, found in the same clause, show it is
    substantiated (a mechanism in this idea's own terms); `exclude` patterns mark a clause where a
    mention means something else (Kafka log compaction is not table compaction); `strong`
    patterns are phrasings that are a mechanism by themselves (level 2 on their own).
    `examples` are sentences it grades at each level, kept beside the patterns they illustrate.
    """

    mention: list[str] = Field(min_length=1)
    strong: list[str] = []
    substance: list[str] = []
    exclude: list[str] = []
    generic: bool = Field(
        default=True, description="whether the rubric's substance_cues (numbers, reasons) count too"
    )
    reach: int = Field(
        default=0, ge=0, le=3,
        description="following sentences of the same line that may hold the substance (a reason often comes next)",
    )
    breadth: int | None = Field(
        default=None, ge=2,
        description="mentions on this many different lines make level 2 (ideas shown across the design)",
    )
    examples: dict[Literal["0", "1", "2"], list[str]] = Field(
        default={},
        description="level ('2', '1', '0') -> sentences this detector alone grades at that level; documentation "
        "that the tests check, never read when grading",
    )

    _check = field_validator("mention", "strong", "substance", "exclude")(_check_patterns)


class Criterion(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_.\-]+$")]
    section: str
    title: str
    weight: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]
    description: str
    detectors: list[str] = Field(min_length=1, description="names of entries in [detectors]")
    advice: str = Field(description="the next step for a candidate who misses this, in the guide's terms")
    prompt: str | None = Field(default=None, description="graded only for this prompt id")
    core_correctness: bool = Field(
        default=False, description="a correctness mechanic whose absence caps the verdict"
    )


class Section(_Strict):
    id: str
    title: str
    part: int | None = Field(default=None, description="position in the answer structure, 1-based")
    heading: list[str] = Field(default=[], description="patterns that recognise this part's heading")
    chart: bool = Field(default=False, description="the HTML report draws a chart of this section's criteria, "
                        "one bar each, captioned with the section's title")
    strengths: bool = Field(default=True, description="a substantiated criterion of this section may be praised "
                            "as a strength; false where its criteria state needs or name components rather "
                            "than show a mechanism working")

    _check = field_validator("heading")(_check_patterns)


class PromptSpec(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9\-]+$")]
    number: int
    title: str
    brief: str
    must_handle: list[str]
    signals: dict[str, Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]] = Field(
        description="pattern -> weight, used to infer the prompt")
    weights: dict[str, Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]] = Field(
        default={}, description="criterion id -> its weight for this prompt (where the idea matters less or more)"
    )

    @field_validator("signals")
    @classmethod
    def _signals(cls, value: dict[str, float]) -> dict[str, float]:
        for pattern in value:  # each signal is compiled alone
            _check_patterns([pattern])
        return value


class CapMessages(_Strict):
    """What the report says about each cap, in the rubric's own terms. `{criteria}` stands for the
    titles of the criteria behind the cap, joined with '; ' (architect signals) or ', ' (the rest).
    The `*_explained` texts say why a flag or cap holds; their `{...}` fields are filled in by
    grade.feedback.explain (the counts behind the flag and the rubric's own thresholds)."""

    keyword_stuffing: str = "capped at below bar: many ideas are named but almost none is explained " \
        "(keyword stuffing)"
    generic_diagram: str = "capped at below bar: components are named without the reasoning behind them " \
        "(a generic diagram)"
    architect_requires: str = "capped at senior: the architect signals are not shown ({criteria})"
    core_correctness_none: str = "capped at below bar: none of the core criteria is there at all"
    core_correctness_weak: str = "capped at senior: no core criterion is substantiated ({criteria})"
    core_correctness_none_explained: str = "No core criterion: none of them ({criteria}) appears."
    core_correctness_weak_explained: str = "No core criterion shown working: they are named ({criteria}) but " \
        "none comes with how it works."
    keyword_stuffing_step: str = "Pick fewer ideas and show how each works: a key, a number, a reason. " \
        "A list of terms reads as rehearsed, not experienced."
    generic_diagram_step: str = "Stop listing components; for each one say what you chose instead and why."
    keyword_stuffing_explained: str = "Many ideas named, few explained: you name {named} ideas but show how only " \
        "{shown} of them {work} ({share}%; the rubric flags {bar}% or less)."
    generic_diagram_explained: str = "Components without reasoning: you name {boxes} components under " \
        "{architecture} but show the reasoning for only {reasoned} ideas under {reasoned_sections} (the rubric " \
        "flags {max_reasoned} or fewer)."
    architect_requires_explained: str = "An architect answer must also show {requirements}."


class Guide(_Strict):
    """Where the rubric comes from, as a reader can find it: "the guide's order" names it."""

    title: str = Field(description="what to call it, e.g. 'the interview-prep guide'")
    where: str = Field(description="where a reader finds it (a path, a URL, a command)")


class LLMWording(_Strict):
    """The rubric's domain in the prompts sent to a model (prompts/llm_*.j2): what is being answered,
    and examples of a wrong sense and of substance. The defaults name no domain."""

    question: str = Field(default="a system-design question", description="what the candidate answers, "
                          "as the model's instructions name it, e.g. 'a data-architecture system-design question'")
    wrong_sense_example: str = Field(default="", description="a word in another sense, e.g. 'Kafka log compaction "
                                     "is not table compaction'")
    substance_examples: list[str] = Field(default_factory=list, description="short quotes that are level 2")


_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class Verdicts(_Strict):
    """Score thresholds and the caps that keep a hollow answer from a high verdict."""

    architect_min_score: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
    senior_min_score: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
    level_values: tuple[_Share, _Share, _Share] = Field(
        default=(0.0, 0.4, 1.0), description="the value of level 0, 1 and 2, each in [0, 1]")
    stuffing_min_mentioned: int = Field(
        ge=1, description="keyword stuffing needs at least this many criteria at level >= 1"
    )
    stuffing_max_substantiated_ratio: float = Field(
        ge=0, le=1, allow_inf_nan=False, description="... and at most this share of them substantiated"
    )
    diagram_min_architecture: int = Field(
        default=3, ge=0, description="a generic diagram names at least this many criteria of the "
        "`architecture_sections`"
    )
    diagram_max_reasoned: int = Field(
        default=1, ge=0, description="... and substantiates at most this many of the `reasoned_sections`"
    )
    architecture_sections: list[str] = Field(
        default=["architecture"], description="sections whose named criteria are the diagram's boxes; the "
        "generic-diagram flag is never raised when none of them is a section of the rubric"
    )
    reasoned_sections: list[str] = Field(
        default=["decisions", "correctness", "prompt"],
        description="sections whose substantiated criteria are the reasoning behind the boxes"
    )
    messages: CapMessages = Field(
        default_factory=lambda: CapMessages(),
        description="what the report says when a cap holds the verdict, and the next step it suggests"
    )
    architect_requires: dict[str, Annotated[int, Field(ge=1, le=2)]] = Field(
        default={}, description="criterion id -> the level it must reach for an architect verdict"
    )
    section_weights: dict[str, Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]] = Field(
        default={}, description="section id -> its weight in the score, which is then the weighted mean of "
        "the sections' own scores; empty: every criterion counts by its own weight alone"
    )
    prompt_scales: dict[str, Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)]] = Field(
        default={}, description="prompt id -> the factor an answer's score is multiplied by (at most 100 after it): "
        "answers to a prompt whose general criteria apply less cover less of them; absent: 1"
    )
    prompt_offsets: dict[str, Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]] = Field(
        default={}, description="prompt id -> score points added to an answer's score after its scale (the result "
        "kept within 0..100): a per-prompt bar, the score an answer to that prompt needs moved by as much; "
        "absent: 0"
    )
    caps: list[CapKind] = Field(
        default=list(CAP_KINDS),
        description="the caps that apply to the verdict (flags are reported either way)",
    )
    borderline_points: float = Field(
        default=0.0, ge=0, le=100, allow_inf_nan=False,
        description="a score this close to a bar makes the verdict borderline (0: never said)",
    )


class Group(_Strict):
    """Criteria that restate one idea: the guide's six-part list and its ten mechanics overlap
    ("Idempotency keys, dedupe strategy" and "Idempotent ingestion"). The critique, the next steps
    and the follow-ups treat a group as one idea, at its weakest member's level; every member is
    still graded and reported on its own."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_.\-]+$")]
    title: str
    criteria: list[str] = Field(min_length=2, description="the ids of the criteria that restate the idea")
    description: str | None = Field(default=None, description="what the idea looks like done well (default: "
                                    "the weakest member's description)")
    advice: str | None = Field(default=None, description="the next step for the whole idea (default: the "
                               "weakest member's advice)")


class Component(_Strict):
    """A component, layer or event a follow-up question may take for granted ("your Silver tables",
    "the SDK", "deletes from the source"). A question that presupposes one is asked only of an
    answer that mentions it."""

    name: str
    answer: list[str] = Field(min_length=1, description="patterns: the answer mentions it")
    question: list[str] = Field(
        default=[], description="patterns: a question takes it for granted (default: the `answer` patterns); "
        "used to check questions that do not come from the bank, and the bank's own annotations")
    exclude: list[str] = Field(
        default=[], description="patterns: a mention that does not count (\"no lakehouse for now\")")

    _check = field_validator("answer", "question", "exclude")(_check_patterns)


class Ask(_Strict):
    """A number or a choice a follow-up question asks for ("the grace period", "hard or soft
    deletes"). A question that asks for one is not asked of an answer that already states it."""

    what: str
    answer: list[str] = Field(min_length=1, description="patterns: the answer states it")
    question: list[str] = Field(
        min_length=1, description="patterns: a question asks for it (to check questions that do not come "
        "from the bank, and the bank's own annotations)")

    _check = field_validator("answer", "question")(_check_patterns)


class Anchors(_Strict):
    """Which sentences of an answer state its design, by where they sit (the heading above them, the
    label of their list, their own lead-in) and what they say. A follow-up never quotes as a plan,
    and a strength never cites, a sentence of what the design leaves out ("Non-goals:", a rejected
    alternative). What it has not settled (risks, open questions) and what it answers (requirements,
    context, the incident behind it) may be probed by a question, but not as a choice the candidate
    made, and are not praised (but for a stated target)."""

    not_design: list[str] = Field(default=[], description="patterns: a heading or label whose sentences the "
                                  "design does not do (non-goals, rejected alternatives)")
    open: list[str] = Field(default=[], description="patterns: a heading or label whose sentences the design has "
                            "not settled (risks, open questions, known gaps)")
    context: list[str] = Field(default=[], description="patterns: a heading or label whose sentences state the "
                               "need or the setting (requirements, goals, context, the problem)")
    not_design_sentence: list[str] = Field(default=[], description="patterns: a sentence that says, in its own "
                                           "words, that it is not part of the design")
    open_sentence: list[str] = Field(default=[], description="patterns: a sentence that says, in its own words, "
                                     "that it is not settled (\"to be validated\")")
    context_sentence: list[str] = Field(default=[], description="patterns: a sentence that states the need or the "
                                        "setting in its own words (\"in this design I will explain\")")
    choice_question: list[str] = Field(default=[], description="patterns: a question that takes the sentence it "
                                       "quotes as a choice the candidate made (it quotes only the design)")
    no_choice_sentence: list[str] = Field(default=[], description="patterns: a sentence that names no choice of "
                                          "the candidate's (a list of the services in use, where data sits today, "
                                          "what a stakeholder wants, an option turned down): a question that takes "
                                          "its quote for a choice never quotes it")
    targets: list[str] = Field(default=[], description="ids of the criteria whose substance is a stated target "
                               "(an SLO): a requirement or goal line is their mechanism, and may be quoted or praised")
    requirement_terms: dict[str, list[str]] = Field(
        default={}, description="per criterion id, patterns of the requirement that asks for the idea (a p99 "
        "target, a request rate): a strength on it must show the idea without them")
    praise_requires: dict[str, list[str]] = Field(
        default={}, description="per criterion id, patterns one of which a praised sentence must hold (a decision "
        "is praised for its reason or the alternative it weighs, not for naming the tool)")
    praise_excludes: dict[str, list[str]] = Field(
        default={}, description="per criterion id, patterns that put a sentence in another sense than the idea "
        "(login tokens that expire are not data retention): a strength on it never cites a sentence that holds one")
    quote_excludes: dict[str, list[str]] = Field(
        default={}, description="per criterion id, patterns that put a sentence in another sense than the "
        "criterion's follow-ups ask about (an API availability contract is not a schema contract): a follow-up "
        "on it never quotes a sentence that holds one")
    quote_requires: dict[str, list[str]] = Field(
        default={}, description="per criterion id, patterns one of which a sentence must hold to be on the topic "
        "the criterion's follow-ups ask about (a cost question quotes a line on cost, not one on latency): a "
        "follow-up on it quotes no other sentence")

    _check = field_validator("not_design", "open", "context", "not_design_sentence", "open_sentence",
                             "context_sentence", "choice_question", "no_choice_sentence")(_check_patterns)
    _check_tables = field_validator("requirement_terms", "praise_requires", "praise_excludes", "quote_excludes",
                                    "quote_requires")(_check_pattern_table)


class Praise(_Strict):
    """What "what was strong" never cites, though the idea's words are there (rubric/strengths.toml): a
    reason that is a slogan and a sentence that is not done yet, whatever the criterion (per criterion:
    `anchors.praise_requires` and `anchors.praise_excludes`)."""

    generic_reasons: list[str] = Field(default=[], description="patterns: a reason any design could give "
                                       "(\"more scalable\", \"modern\", \"the default\"): a sentence holding one "
                                       "and no number or code is not praised")
    unsettled: list[str] = Field(default=[], description="patterns: a sentence that says, in its own words, that "
                                 "it is still to be checked, asked for or covered: never praised")

    one_idea: list[list[str]] = Field(default=[], description="idea ids (a group's or a criterion's) that a "
                                      "reader takes for one idea: a line showing the mechanism of one already "
                                      "praised is not praised again under another of the list")

    _check = field_validator("generic_reasons", "unsettled")(_check_patterns)


class BankQuestion(_Strict):
    criterion: str
    depth: Depth
    text: str
    presupposes: list[str] = Field(default=[], description="ids of [components] the question takes for granted "
                                   "(in the answer, and in the sentence it quotes)")
    requires: list[str] = Field(default=[], description="ids of [components] the question's scenario leans on "
                                "besides the claim it quotes: the answer must mention them, anywhere")
    asks: list[str] = Field(default=[], description="ids of [asks]: the numbers or choices the question asks for")
    fallback: bool = Field(default=False, description="asked only when no other question on the criterion at "
                           "this depth fits the answer (a phrasing that presupposes nothing)")
    prompts: list[str] = Field(default=[], description="ids of the practice prompts whose designs the question fits "
                               "(a window, a metric, a tenant); empty: every prompt")

    @model_validator(mode="after")
    def _quote_placeholder(self) -> BankQuestion:
        has_quote = "{quote}" in self.text
        if self.depth == "missing" and has_quote:
            raise ValueError("a 'missing' follow-up has no answer to quote: drop {quote}")
        if self.depth != "missing" and not has_quote:
            raise ValueError(f"a '{self.depth}' follow-up must quote the answer with {{quote}}")
        return self


class Rubric(_Strict):
    name: str
    version: str
    sections: list[Section]
    criteria: list[Criterion]
    detectors: dict[str, Detector]
    substance_cues: list[str] = Field(
        default=[], description="patterns that substantiate any mention in their clause: a number, a reason"
    )
    deferred_cues: list[str] = Field(
        default=[], description="patterns that make a clause a plan for later, a condition or an undecided "
        "option rather than the design: a mechanism or substance in that clause makes only a mention (level 1)"
    )
    prompts: list[PromptSpec] = []
    guide: Guide | None = Field(default=None, description="the source the sections and their order come from")
    llm: LLMWording = Field(default_factory=LLMWording, description="the domain's words in the prompts sent to a model")
    verdicts: Verdicts
    followups: list[BankQuestion] = []
    groups: list[Group] = Field(default=[], description="criteria that restate one idea")
    components: dict[str, Component] = Field(
        default={}, description="components, layers and events a follow-up may presuppose, by id")
    asks: dict[str, Ask] = Field(default={}, description="numbers and choices a follow-up may ask for, by id")
    anchors: Anchors = Field(default_factory=Anchors, description="which sentences state the design (what a "
                             "follow-up may quote and a strength may cite)")
    praise: Praise = Field(default_factory=Praise, description="what a strength never cites (a slogan, an "
                           "unsettled sentence, a sentence about another idea)")
    required_ids: list[str] = Field(
        default=[], description="ids this rubric promises to keep (the bundled one: the contract's)"
    )

    _check = field_validator("substance_cues", "deferred_cues")(_check_patterns)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        problems: list[str] = []
        section_ids = {s.id for s in self.sections}
        prompt_ids = {p.id for p in self.prompts}
        seen: set[str] = set()
        for c in self.criteria:
            where = f"criterion {c.id!r}"
            if c.id in seen:
                problems.append(f"{where}: duplicate id")
            seen.add(c.id)
            if c.section not in section_ids:
                problems.append(f"{where}: unknown section {c.section!r}")
            for name in c.detectors:
                if name not in self.detectors:
                    problems.append(f"{where}: unknown detector {name!r}")
            if c.prompt is not None and c.prompt not in prompt_ids:
                problems.append(f"{where}: unknown prompt {c.prompt!r}")
        for s in [s.id for s in self.sections]:
            if [x.id for x in self.sections].count(s) > 1:
                problems.append(f"section {s!r}: duplicate id")
        for p in self.prompts:
            for cid in p.weights:
                if cid not in seen:
                    problems.append(f"prompt {p.id!r}: weight for unknown criterion {cid!r}")
        for cid in self.verdicts.architect_requires:
            if cid not in seen:
                problems.append(f"verdicts.architect_requires: unknown criterion {cid!r}")
        for name, table in (("prompt_scales", self.verdicts.prompt_scales),
                            ("prompt_offsets", self.verdicts.prompt_offsets)):
            problems += [f"verdicts.{name}: unknown prompt {pid!r}" for pid in table if pid not in prompt_ids]
        for f in self.followups:
            if f.criterion not in seen:
                problems.append(f"follow-up for unknown criterion {f.criterion!r}")
            for cid in f.presupposes + f.requires:
                if cid not in self.components:
                    problems.append(f"follow-up {f.text[:40]!r}: presupposes unknown component {cid!r}")
            for aid in f.asks:
                if aid not in self.asks:
                    problems.append(f"follow-up {f.text[:40]!r}: asks for unknown {aid!r} (not in [asks])")
            for pid in f.prompts:
                if pid not in {p.id for p in self.prompts}:
                    problems.append(f"follow-up {f.text[:40]!r}: fits unknown prompt {pid!r}")
        grouped: dict[str, str] = {}
        for g in self.groups:
            if [x.id for x in self.groups].count(g.id) > 1:
                problems.append(f"group {g.id!r}: duplicate id")
            for cid in g.criteria:
                if cid not in seen:
                    problems.append(f"group {g.id!r}: unknown criterion {cid!r}")
                elif cid in grouped and grouped[cid] != g.id:
                    problems.append(f"group {g.id!r}: criterion {cid!r} is already in group {grouped[cid]!r}")
                grouped.setdefault(cid, g.id)
        for table in ("targets", "requirement_terms", "praise_requires", "praise_excludes", "quote_excludes",
                      "quote_requires"):
            for cid in getattr(self.anchors, table):
                if cid not in seen:
                    problems.append(f"anchors.{table}: unknown criterion {cid!r}")
        missing = [i for i in self.required_ids if i not in seen]
        if missing:
            problems.append("missing required criterion ids: " + ", ".join(missing))
        if problems:
            raise ValueError("; ".join(sorted(set(problems))))
        return self


MAX_RUBRIC_BYTES = 10_000_000
"""The bundled rubric is ~150 kB; a file past this is not a rubric (and /dev/zero never ends)."""


def _read_toml(path: Path) -> dict:
    try:
        text = read_bounded(path, MAX_RUBRIC_BYTES).decode("utf-8")
        return tomllib.loads(text)
    except FileNotFoundError:
        raise RubricError(f"{path}: no such rubric file") from None
    except FileRefused as exc:
        raise RubricError(f"{path}: cannot read: {exc}") from None
    except OSError as exc:
        raise RubricError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise RubricError(f"{path}: cannot read: not UTF-8 text (bad byte at offset {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise RubricError(f"{path}: not valid TOML: nested too deeply") from None


def _rubric_errors(error: ValidationError, data: dict) -> str:
    """One line per problem, naming the entry by its id where it has one."""
    lines = []
    for err in error.errors():
        loc = list(err["loc"])
        label = ".".join(str(x) for x in loc)
        if len(loc) >= 2 and isinstance(loc[1], int) and loc[0] in ("criteria", "sections", "prompts", "groups"):
            items = data.get(str(loc[0]), [])
            if loc[1] < len(items) and isinstance(items[loc[1]], dict) and "id" in items[loc[1]]:
                label = f"{loc[0]}[{items[loc[1]]['id']!r}]" + "".join(f".{x}" for x in loc[2:])
        message = err["msg"].removeprefix("Value error, ")
        lines.append(f"{label}: {message}" if label else message)
    return "; ".join(lines)


def validated(data: dict) -> runtime.Rubric:
    """The runtime rubric for rubric data, once this module's models have validated it
    (ValidationError when they refuse it)."""
    return runtime.from_data(runtime.Rubric, Rubric.model_validate(data).model_dump())


def read_rubric(path: Path) -> tuple[runtime.Rubric, list[Path]]:
    """Load and validate a rubric file; also return every file it was read from.

    A rubric may list `include = ["other.toml", ...]` (paths relative to it) whose `followups`
    and `groups` are appended to its own and whose `components` and `asks` are added to its own:
    the bundled rubric keeps its question bank, and what the questions presuppose and ask for, in
    a file of its own.
    """
    data = _read_toml(path)
    files = [path]
    includes = data.pop("include", [])
    if not isinstance(includes, list) or not all(isinstance(name, str) for name in includes):
        raise RubricError(f"{path}: invalid rubric: include: expected a list of file names")
    followups = data.get("followups", [])
    if not isinstance(followups, list):
        raise RubricError(f"{path}: invalid rubric: followups: expected a list of [[followups]] tables")
    for name in includes:
        files.append(path.parent / name)
        extra = _read_toml(files[-1])
        for key in ("followups", "groups"):
            more = extra.get(key, [])
            if not isinstance(more, list):
                raise RubricError(f"{files[-1]}: invalid rubric: {key}: expected a list of [[{key}]] tables")
            data.setdefault(key, []).extend(more)
        if "anchors" in extra:
            if "anchors" in data:
                raise RubricError(f"{files[-1]}: invalid rubric: anchors: defined twice")
            data["anchors"] = extra["anchors"]
        if "praise" in extra:
            if "praise" in data:
                raise RubricError(f"{files[-1]}: invalid rubric: praise: defined twice")
            data["praise"] = extra["praise"]
        for key in ("components", "asks"):
            more = extra.get(key, {})
            if not isinstance(more, dict):
                raise RubricError(f"{files[-1]}: invalid rubric: {key}: expected a table of [{key}.NAME] tables")
            table = data.setdefault(key, {})
            for name, value in more.items():
                if name in table:
                    raise RubricError(f"{files[-1]}: invalid rubric: {key}.{name}: defined twice")
                table[name] = value
    try:
        return validated(data), files
    except ValidationError as exc:
        raise RubricError(f"{path}: invalid rubric: {_rubric_errors(exc, data)}") from None
    except RecursionError:
        raise RubricError(f"{path}: invalid rubric: nested too deeply") from None


def load_rubric(path: Path | str | None = None) -> runtime.Rubric:
    """Load and validate a rubric file (the bundled one by default)."""
    return read_rubric(Path(path) if path is not None else BUNDLED_RUBRIC)[0]


def rubric_json_schema() -> dict:
    """The JSON Schema of the rubric format, for editors (`grade rubric schema`)."""
    return Rubric.model_json_schema()
