""""What was strong" in feedback round 17: a line praised for an idea it does not show (an ingestion latency line
or a point-in-time join's shelf-life bound as late data, a table format's log retention as record retention, a
bare naming suffix as schema evolution or versioning). Only what is cited changes, never a level."""

from __future__ import annotations

import pytest
from grade.core.grader import get_rubric
from grade.feedback.mechanism import shows_own_idea

LATE = ("mechanics.late_data", "prompt.realtime-analytics.late_events", "structure.correctness.late_data")


def _shows(cid: str, line: str) -> bool:
    return shows_own_idea(get_rubric()[1], cid, line)


@pytest.mark.parametrize("line", [
    "Why Snowpipe Streaming and not normal Snowpipe with files: file based Snowpipe needs files in S3 first, it "
    "gives 1-2 minute latency plus per-file overhead, and with 150k events/s we will create a lot of small files "
    "or wait long to batch them",
    "AND f.valid_at > TIMESTAMP_SUB(l.event_time, INTERVAL 30 DAY)",
])
@pytest.mark.parametrize("cid", LATE)
def test_a_line_without_lateness_is_not_praised_as_late_data(cid: str, line: str) -> None:
    """z022 (ingestion latency), z016 (the shelf-life bound of a point-in-time join)."""
    assert not _shows(cid, line)


@pytest.mark.parametrize("line", [
    "Windows on event time, allowed lateness 10 minutes; a late event re-fires its window and overwrites the "
    "result.",
    "Events more than 48 h late go to a nightly job that recomputes the affected days from raw.",
])
def test_late_data_still_praised_on_a_lateness_line(line: str) -> None:
    assert any(_shows(cid, line) for cid in LATE)


def test_a_table_format_log_retention_is_not_record_retention() -> None:
    """z011: delta.logRetentionDuration keeps the transaction log's history; it deletes no record."""
    assert not _shows("prompt.privacy-dsr.retention",
                      "`delta.logRetentionDuration = 'interval 7 years'` set on all Bronze tables, this gives us "
                      "the 7-year record retention the policy requires")
    assert _shows("prompt.privacy-dsr.retention",
                  "A nightly job deletes raw events older than 90 days by dropping their date partitions.")


@pytest.mark.parametrize("cid", ["mechanics.schema_evolution", "structure.operations.deployment"])
@pytest.mark.parametrize("line", [
    "Versioning: `_v2` suffix on breaking changes",
    "Versioning: new feature = new column with `_v2` suffix",
])
def test_a_bare_naming_suffix_is_not_praised(cid: str, line: str) -> None:
    """z015: a one-line naming convention, no rule for what breaks or how consumers move."""
    assert not _shows(cid, line)


@pytest.mark.parametrize("line", [
    "Push-based materialization to the online store rather than pull, for better latency",
    "Lakehouse over warehouse for the offline store because of openness and cost, while the warehouse remains "
    "available for analytics",
    "Kappa over Lambda to avoid maintaining two codebases, with micro-batch where streaming is not cost-efficient",
    "Multi-tenant design with logical isolation per team, quotas to avoid noisy neighbors and chargeback for cost "
    "attribution",
])
def test_a_textbook_reason_is_not_praised(line: str) -> None:
    """z026: buzzword lines, each a reason any design could give, with no number, store or mechanism."""
    from grade.feedback.mechanism import not_praised

    assert not_praised(get_rubric()[1], line)


@pytest.mark.parametrize("line", [
    "Push to Redis from the Flink job rather than pull, so the p99 read stays under 10 ms",
    "Kappa over Lambda: one Flink job replays 30 days from Kafka for a backfill, so we keep one codebase",
])
def test_a_reason_of_this_design_is_still_praised(line: str) -> None:
    from grade.feedback.mechanism import not_praised

    assert not not_praised(get_rubric()[1], line)
