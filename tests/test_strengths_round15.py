""""What was strong" after the strengths labels of feedback round 15 (evals/feedback/round15): compaction
praised as dedupe or idempotency (x031, x001), retention and erasure under each other's heading (x022, x036),
late duplicates or a dataset late against its freshness target praised as late-data handling (x011, x014).
Only what is cited changes, never a level (rubric/followups.toml's `anchors.praise_excludes`)."""

from __future__ import annotations

import pytest
from grade.core.grader import get_rubric
from grade.feedback.mechanism import shows_own_idea

from tests.test_strengths_praise import _ruled_out_by_the_praise_table


@pytest.mark.parametrize(("criterion", "line"), [
    # compacting small files rewrites them; it neither dedupes nor makes a write idempotent
    ("structure.correctness.idempotency", "A nightly job rewrites the many small files the streaming writers produce "
     "into ~512 MB files and sorts them by entity_id within the day, so the as-of join can skip most files"),
    # deleting rows past a retention limit is retention, not erasure of a person
    ("prompt.privacy-dsr.deletion_propagation", "A `retention_days` tag on each table; a nightly job deletes rows "
     "past the limit by `event_date` (cheap, whole files)"),
    # VACUUM or a purge that physically removes deleted files is erasure, not retention
    ("prompt.privacy-dsr.retention", "A weekly step runs `REORG TABLE t APPLY (PURGE)` and then `VACUUM` with "
     "`delta.deletedFileRetentionDuration = 7 days` on PII tables"),
    ("prompt.privacy-dsr.retention", "VACUUM runs daily with a 7-day retention so deleted rows are physically removed"),
    ("prompt.privacy-dsr.retention", "`VACUUM` with 7-day retention so the files are physically gone well inside "
     "the 30-day deadline."),
    # late duplicates, or a dataset late against its target, are not late-data handling
    ("structure.correctness.late_data", "Duplicates later than 1 h are removed in the batch recompute, which "
     "dedupes on event_id over the full day."),
    ("structure.correctness.late_data", "Tier-1 dataset late or broken: detected within 15 min of its freshness "
     "target, watermark lag alerting pages the owner."),
])
def test_a_line_on_a_neighbouring_idea_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("structure.correctness.idempotency", "Silver dedupes on event_id with a MERGE, so a rerun writes the same rows"),
    ("prompt.privacy-dsr.retention", "A nightly job deletes rows older than 13 months by dropping whole date "
     "partitions."),
    ("structure.correctness.late_data", "Allowed lateness 30 min: a late event re-emits the 1-min window."),
])
def test_the_mechanism_is_still_praised(criterion: str, line: str) -> None:
    assert shows_own_idea(get_rubric()[1], criterion, line)
