"""Score and verdict rules, on hand-built levels (independent of the matcher)."""

from __future__ import annotations

from grade.grader import get_rubric
from grade.results import CriterionResult
from grade.scoring import flags, score, verdict


def build(levels: dict[str, int], default: int, prompt: str = "cdc-lakehouse") -> list[CriterionResult]:
    rubric, _ = get_rubric()
    return [CriterionResult(id=c.id, title=c.title, section=c.section, weight=c.weight,
                            level=levels.get(c.id, default)) for c in rubric.applicable(prompt)]


def test_score_bounds() -> None:
    rubric, _ = get_rubric()
    assert score(build({}, 0), rubric) == 0
    assert score(build({}, 2), rubric) == 100
    assert score(build({}, 1), rubric) == 40  # level 1 is worth 0.4 of level 2


def test_all_substantiated_is_architect() -> None:
    rubric, _ = get_rubric()
    crit = build({}, 2)
    assert verdict(crit, rubric, score(crit, rubric), flags(crit, rubric))[0] == "architect"


def test_keyword_stuffing_is_below_bar_whatever_it_names() -> None:
    rubric, _ = get_rubric()
    crit = build({}, 1)
    found = flags(crit, rubric)
    assert "keyword_stuffing" in found
    v, reasons = verdict(crit, rubric, 70.0, found)  # even with a high score
    assert v == "below_bar"
    assert any("keyword stuffing" in r for r in reasons)


def test_generic_diagram_is_capped() -> None:
    rubric, _ = get_rubric()
    levels = {c: 2 for c in ("structure.architecture.ingestion", "structure.architecture.storage",
                             "structure.architecture.processing", "structure.architecture.serving")}
    crit = build(levels, 0)
    found = flags(crit, rubric)
    assert "generic_diagram" in found
    assert verdict(crit, rubric, 65.0, found)[0] == "below_bar"


def test_correctness_mechanics_cap_the_verdict() -> None:
    rubric, _ = get_rubric()
    core = ("structure.correctness.late_data", "structure.correctness.idempotency", "structure.correctness.merges")
    named_only = build({c: 1 for c in core}, 2)
    v, reasons = verdict(named_only, rubric, score(named_only, rubric), flags(named_only, rubric))
    assert v == "senior"
    assert any("correctness" in r for r in reasons)
    none = build({c: 0 for c in core}, 2)
    assert verdict(none, rubric, 90.0, flags(none, rubric))[0] == "below_bar"


def test_architect_needs_the_architect_signals() -> None:
    rubric, _ = get_rubric()
    for missing, level in (("signals.streaming_restraint", 1), ("structure.security.tenant_isolation", 0)):
        crit = build({missing: level}, 2)
        v, reasons = verdict(crit, rubric, score(crit, rubric), flags(crit, rubric))
        assert v == "senior", missing
        assert any("architect signals" in r for r in reasons)
