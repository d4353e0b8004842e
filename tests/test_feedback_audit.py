"""The feedback audit finds repeated ideas, presupposing and already-answered follow-ups, weak strengths."""

from __future__ import annotations

import json

from click.testing import CliRunner
from grade.cli import main
from grade.core.document import parse
from grade.core.grader import get_rubric, grade_text
from grade.core.results import CritiqueItem, Followup
from grade.eval.feedback_audit import audit_answer, summarise

from .conftest import REPO


def _audit(text: str, *, gaps=(), strengths=(), followups=()):
    result = grade_text(text, name="a.md")
    result.critique.gaps = [CritiqueItem(text=t, criteria=c) for t, c in gaps]
    result.critique.next_steps = []
    result.critique.strengths = [CritiqueItem(text=t, criteria=c, line=line) for t, c, line in strengths]
    result.followups = [Followup(criterion=c, depth="missing", question=q) for c, q in followups]
    return audit_answer(result, parse(text), get_rubric()[1])


def test_two_gaps_on_criteria_that_restate_one_idea_are_a_repeat(mock1_text: str) -> None:
    audit = _audit(mock1_text, gaps=[("a", ["mechanics.late_data"]), ("b", ["structure.correctness.late_data"]),
                                     ("c", ["mechanics.backfill"])])
    assert audit.repeats == ["gap on group:late-data"]


def test_a_follow_up_on_silver_and_gold_tables_presupposes_what_mock1_lacks(mock1_text: str) -> None:
    q = "How do deletes from the source reach your Silver and Gold tables?"
    audit = _audit(mock1_text, followups=[("structure.correctness.merges", q)])
    assert audit.presupposing == [(q, ["silver", "gold", "source_changes"])]


def test_a_follow_up_asking_what_happens_to_late_events_is_answered_by_mock1_line_28(mock1_text: str) -> None:
    q = 'You said "x". Are late events dropped, sent to a side output, or merged in, and who decides?'
    audit = _audit(mock1_text, followups=[("structure.correctness.late_data", q)])
    assert audit.answered == [(q, ["late_policy"])]


def test_a_second_follow_up_on_the_same_idea_is_a_repeat(mock1_text: str) -> None:
    audit = _audit(mock1_text, followups=[("mechanics.late_data", "How late is late?"),
                                          ("prompt.realtime-analytics.late_events", "And the KPIs?")])
    assert audit.repeats == ["follow-up: And the KPIs?"]


def test_a_strength_on_a_heading_or_without_its_mechanism_is_weak() -> None:
    text = ("# Platform\n\n## Governance and catalog\n\n- We use a catalog.\n- Lineage in DataHub.\n"
            "- Airflow orchestrates every job.\n- Data quality checks on each table.\n")
    audit = _audit(text, strengths=[("title", ["structure.architecture.governance_ops"], 3),
                                    ("listed", ["structure.architecture.governance_ops"], 5)])
    assert audit.title_strengths == ["title"]
    assert audit.no_mechanism_strengths == ["listed"]
    figures = summarise([audit])
    assert figures["weak_strengths"] == 2 and figures["strengths"] == 2


def test_grade_eval_reports_the_audit_in_json_and_markdown() -> None:
    r = CliRunner().invoke(main, ["eval", str(REPO / "evals"), "--format", "json"])
    assert r.exit_code == 0, r.output
    feedback = json.loads(r.output)["feedback"]
    assert set(feedback) == {"dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7",
                             "fresh8", "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "fresh14", "fresh15",
                             "fresh16", "fresh17", "fresh18", "fresh19", "all"}
    for key in ("repeated_ideas", "presupposing_followups", "already_answered_followups", "weak_strengths"):
        assert isinstance(feedback["all"][key], int)
    md = CliRunner().invoke(main, ["eval", str(REPO / "evals"), "--format", "markdown"]).output
    assert "## Feedback audit" in md and "presupposing" in md
