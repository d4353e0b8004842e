"""Score and verdict rules, on hand-built levels (independent of the matcher)."""

from __future__ import annotations

from dataclasses import replace

from grade.core.grader import get_rubric
from grade.core.results import CriterionResult
from grade.core.scoring import borderline, flags, score, verdict
from grade.rubric.runtime import CAP_KINDS, Rubric


def build(levels: dict[str, int], default: int, prompt: str = "cdc-lakehouse") -> list[CriterionResult]:
    rubric, _ = get_rubric()
    return [CriterionResult(id=c.id, title=c.title, section=c.section, weight=c.weight,
                            level=levels.get(c.id, default)) for c in rubric.applicable(prompt)]


def with_verdicts(rubric: Rubric, **changes) -> Rubric:
    return replace(rubric, verdicts=replace(rubric.verdicts, **changes))


ARCHITECT_SIGNALS = {"signals.streaming_restraint": 2, "structure.security.tenant_isolation": 1}


def all_caps() -> Rubric:
    """The bundled rubric with every cap on (and the seed's architect signals as the architect gate):
    the caps' mechanics, whichever the fit kept."""
    return with_verdicts(get_rubric()[0], caps=list(CAP_KINDS), architect_requires=ARCHITECT_SIGNALS)


def test_score_bounds() -> None:
    rubric, _ = get_rubric()
    assert score(build({}, 0), rubric) == 0
    assert score(build({}, 2), rubric) == 100
    mentioned = with_verdicts(rubric, level_values=(0.0, 0.4, 1.0))
    assert score(build({}, 1), mentioned) == 40.0  # every section at the "mentioned" value


def test_section_weights_make_the_score_a_weighted_mean_of_sections() -> None:
    rubric = with_verdicts(get_rubric()[0], level_values=(0.0, 0.5, 1.0),
                           section_weights={"correctness": 3.0, "requirements": 1.0})
    crit = build({c.id: 2 for c in build({}, 0) if c.section == "correctness"}, 0)
    assert score(crit, rubric) == 75.0  # correctness full (weight 3), requirements empty (1), others weigh 0
    plain = with_verdicts(rubric, section_weights={})
    assert 0 < score(crit, plain) < 75.0  # without section weights, every criterion counts by its own weight


def test_prompt_scales_multiply_the_score_up_to_100() -> None:
    rubric = with_verdicts(get_rubric()[0], level_values=(0.0, 0.5, 1.0), section_weights={},
                           prompt_scales={"privacy-dsr": 1.5, "cdc-lakehouse": 0.8}, prompt_offsets={})
    half = build({}, 1, "privacy-dsr")
    assert score(half, rubric) == 50.0  # no prompt given: no scale
    assert score(half, rubric, "privacy-dsr") == 75.0
    assert score(build({}, 1), rubric, "cdc-lakehouse") == 40.0
    assert score(build({}, 1, "feature-store"), rubric, "feature-store") == 50.0  # not listed: 1
    assert score(build({}, 2, "privacy-dsr"), rubric, "privacy-dsr") == 100.0  # never above 100


def test_prompt_offsets_add_points_after_the_scale_within_0_to_100() -> None:
    rubric = with_verdicts(get_rubric()[0], level_values=(0.0, 0.5, 1.0), section_weights={},
                           prompt_scales={"privacy-dsr": 1.5},
                           prompt_offsets={"privacy-dsr": 4.0, "cdc-lakehouse": -7.5})
    half = build({}, 1, "privacy-dsr")
    assert score(half, rubric) == 50.0  # no prompt given: no scale, no offset
    assert score(half, rubric, "privacy-dsr") == 79.0  # 50 x 1.5, then + 4
    assert score(build({}, 1), rubric, "cdc-lakehouse") == 42.5
    assert score(build({}, 1, "feature-store"), rubric, "feature-store") == 50.0  # not listed: 0
    assert score(build({}, 2, "privacy-dsr"), rubric, "privacy-dsr") == 100.0  # never above 100
    assert score(build({}, 0), rubric, "cdc-lakehouse") == 0.0  # never below 0


def test_a_prompt_offset_moves_the_verdict_across_a_bar() -> None:
    rubric = with_verdicts(get_rubric()[0], level_values=(0.0, 0.5, 1.0), section_weights={}, prompt_scales={},
                           senior_min_score=40.0, architect_min_score=70.0, caps=[])
    crit = build({}, 1)
    assert verdict(crit, rubric, score(crit, rubric, "cdc-lakehouse"), [])[0] == "senior"
    lower = with_verdicts(rubric, prompt_offsets={"cdc-lakehouse": -12.0})
    assert verdict(crit, lower, score(crit, lower, "cdc-lakehouse"), [])[0] == "below_bar"


def test_an_empty_architect_gate_caps_nothing() -> None:
    rubric = with_verdicts(all_caps(), architect_requires={})
    crit = build({"signals.streaming_restraint": 0, "structure.security.tenant_isolation": 0}, 2)
    v, reasons = verdict(crit, rubric, 99.0, flags(crit, rubric))
    assert v == "architect"
    assert not any("architect signals" in r for r in reasons)


def test_borderline_is_said_near_a_bar_only() -> None:
    rubric = with_verdicts(get_rubric()[0], senior_min_score=40.0, architect_min_score=70.0, borderline_points=3.0)
    assert borderline(41.0, rubric) == "senior"
    assert borderline(68.5, rubric) == "architect"
    assert borderline(55.0, rubric) is None
    assert borderline(41.0, with_verdicts(rubric, borderline_points=0.0)) is None


def test_a_cap_not_listed_does_not_apply() -> None:
    rubric = with_verdicts(get_rubric()[0], caps=[])
    crit = build({}, 1)
    assert verdict(crit, rubric, 99.0, flags(crit, rubric))[0] == "architect"  # flags are still reported
    assert "keyword_stuffing" in flags(crit, rubric)


def test_all_substantiated_is_architect() -> None:
    rubric = all_caps()
    crit = build({}, 2)
    assert verdict(crit, rubric, score(crit, rubric), flags(crit, rubric))[0] == "architect"


def test_keyword_stuffing_is_below_bar_whatever_it_names() -> None:
    rubric = all_caps()
    crit = build({}, 1)
    found = flags(crit, rubric)
    assert "keyword_stuffing" in found
    v, reasons = verdict(crit, rubric, 70.0, found)  # even with a high score
    assert v == "below_bar"
    assert any("keyword stuffing" in r for r in reasons)


def test_generic_diagram_is_capped() -> None:
    rubric = all_caps()
    levels = {c: 2 for c in ("structure.architecture.ingestion", "structure.architecture.storage",
                             "structure.architecture.processing", "structure.architecture.serving")}
    crit = build(levels, 0)
    found = flags(crit, rubric)
    assert "generic_diagram" in found
    assert verdict(crit, rubric, 65.0, found)[0] == "below_bar"


def test_correctness_mechanics_cap_the_verdict() -> None:
    rubric = all_caps()
    core = ("structure.correctness.late_data", "structure.correctness.idempotency", "structure.correctness.merges")
    named_only = build({c: 1 for c in core}, 2)
    v, reasons = verdict(named_only, rubric, 99.0, flags(named_only, rubric))
    assert v == "senior"
    assert any("correctness" in r for r in reasons)
    none = build({c: 0 for c in core}, 2)
    assert verdict(none, rubric, 90.0, flags(none, rubric))[0] == "below_bar"


def test_architect_needs_the_architect_signals() -> None:
    rubric = all_caps()
    for missing, level in (("signals.streaming_restraint", 1), ("structure.security.tenant_isolation", 0)):
        crit = build({missing: level}, 2)
        v, reasons = verdict(crit, rubric, 99.0, flags(crit, rubric))
        assert v == "senior", missing
        assert any("architect signals" in r for r in reasons)


def test_an_answer_with_nothing_of_the_rubric_scores_zero_whatever_its_prompt_offset() -> None:
    """A prompt's offset moves an answer's score, never lifts an empty one off 0 (the mock template's
    guidance, which is never graded, scored 0.1 with cdc-lakehouse's offset)."""
    from grade.core.grader import grade_levels

    for prompt in ("cdc-lakehouse", "realtime-analytics", "privacy-dsr"):
        assert grade_levels({}, prompt)[0] == 0.0
