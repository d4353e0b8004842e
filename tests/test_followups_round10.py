"""Feedback round 10: schema-evolution stock questions are not put to privacy (deletion) designs;
muted and ignored alerts are one ask, not two questions."""

import pytest
from grade.core.grader import grade_text

PRIVACY = [
    "# Erasure\n\n- Deletion requests land in a `dsr_requests` table; a worker per store deletes the rows.\n"
    "- Each worker reports `(request_id, store, rows_removed)`; a weekly check samples closed requests.\n",
    "# DSR design\n\nWe collect erasure requests in a queue and delete the subject's rows from every table "
    "nightly, keeping an audit row per table. Retention is 13 months on raw events.\n",
]


@pytest.mark.parametrize("text", PRIVACY)
def test_no_schema_evolution_stock_question_on_privacy(text):
    qs = [f.question for f in grade_text(text, prompt="privacy-dsr").followups]
    assert not any("schema evolution rules" in q or "renames a field" in q or "schema registry" in q for q in qs)


def test_muted_and_ignored_alerts_asked_once():
    from grade.core.grader import get_rubric

    rubric = get_rubric()[0]
    decay = [f for f in rubric.followups if "alert_decay" in f.asks]
    assert len(decay) == 3  # muted, ignored, and "tune it to avoid alert fatigue"
