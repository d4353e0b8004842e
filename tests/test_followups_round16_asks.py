"""Feedback round 16: follow-ups asking for what the answer states, in words the `[asks]` tables
missed (the quoted line itself, or a line near it, answers the question). Each ask is recognised in
the several ways an engineer says it, and not in a line that only comes near it."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric
from grade.feedback.phrases import Phrases, answer_view

from tests.test_followups import _bank_q


@pytest.fixture(scope="module")
def phrases() -> Phrases:
    return Phrases(get_rubric()[0])


ASKS = [
    # where monitoring signals come from, named as the metric's source (y033)
    ("Monitoring: CloudWatch on MSK consumer lag and Glue job failures.", "signal_source", True),
    ("We alert on Kafka consumer lag and on task failures in Airflow.", "signal_source", True),
    ("Datadog metrics for pipeline durations and DAG status.", "signal_source", True),
    ("We monitor the pipelines.", "signal_source", False),
    # the dedupe key stated as a keyed apply (y028)
    ("Silver: APPLY CHANGES INTO keyed on PK, SEQUENCE BY lsn.", "dedupe_key", True),
    ("Rows are merged on the primary key, ordered by the log sequence number.", "dedupe_key", True),
    ("Upserts keyed by the business key.", "dedupe_key", True),
    ("One table per feature group, keyed by entity id + feature timestamp.", "dedupe_key", False),
    # a MERGE kept to a few files by a bucketed or clustered layout (y030)
    ("Current tables by bucket(order_id)-style hash for the top 3 (MERGE touches random keys).", "merge_pruning",
     True),
    ("The MERGE target is hash bucketed on customer_id so each run rewrites a few buckets.", "merge_pruning", True),
    ("Silver is bucketed by pk (64 buckets), so each upsert run only opens a few files.", "merge_pruning", True),
    ("Z-order on customer_id nightly, since the merge every 10 minutes leaves small files.", "merge_pruning", False),
    ("A MERGE runs every 10 minutes.", "merge_pruning", False),
    # a deletion re-verified later (y023)
    ("Weekly job re-checks 1% of closed requests and pages if a token reappears.", "deletion_verification", True),
    ("A monthly sample of completed requests is searched again across all stores.", "deletion_verification",
     True),
    ("We page if a deleted user id shows up again in any table.", "deletion_verification", True),
    ("Evidence goes into an append-only audit table.", "deletion_verification", False),
    # consumers told while the data is fixed (y006)
    ("Downstream owners get an FYI with ETA, and downstream jobs for the affected partition are held.",
     "consumer_notice", True),
    ("Affected teams get a heads up in their channel.", "consumer_notice", True),
    ("Dependent jobs are paused until the check passes.", "consumer_notice", True),
    ("Ownership: UC tags owner_team, tier, oncall_alias.", "consumer_notice", False),
    # the platform named (y018)
    ("Real-time engagement analytics for 1,200 tenants on Databricks.", "platform_choice", True),
    ("Events land in an open table format on S3.", "platform_choice", True),
    ("Events land in Kafka and Postgres.", "platform_choice", False),
    # one metric definition for API and dashboards (y007)
    ("These should be defined once in a semantic layer so the dashboard and the API return the same numbers.",
     "metric_consistency", True),
    ("The API reads from the same tables as the dashboards, so the numbers match.", "metric_consistency", True),
    ("Metrics are declared in one place (dbt metrics layer) and both consumers query it.", "metric_consistency",
     True),
    ("BigQuery serves as the single source of truth for all analytics.", "metric_consistency", False),
    # the training join models when a feature became available (y039)
    ("The as-of join takes the latest row with event_ts and created_ts both at or before the observation time.",
     "landing_delay", True),
    ("Point-in-time join on available_ts <= label_ts.", "landing_delay", True),
    ("The written_at timestamp must be earlier than the prediction time.", "landing_delay", True),
    ("Training sets join the latest customer snapshot.", "landing_delay", False),
]


@pytest.mark.parametrize(("answer", "ask", "stated"), ASKS)
def test_round16_asks(phrases: Phrases, answer: str, ask: str, stated: bool) -> None:
    assert phrases.states(answer_view(parse(answer)), ask) is stated


@pytest.mark.parametrize(("fragment", "ask"), [
    ("show different numbers for the same KPI", "metric_consistency"),
    ("How does the training join model that delay", "landing_delay"),
])
def test_round16_questions_carry_their_asks(phrases: Phrases, fragment: str, ask: str) -> None:
    q = _bank_q(fragment)
    assert ask in q.asks and ask in phrases.asked(q.text)
