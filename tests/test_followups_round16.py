"""Feedback round 16: follow-ups hung on lines in another sense than the question's."""

from __future__ import annotations

import pytest

from tests.test_followups import _quotes


@pytest.mark.parametrize("sentence", [
    "Dedup alerts per (table, check, day); escalation after 2 h unacknowledged",
    "Alerts are deduped by root cause: one broken source table produces one incident, not 30 notifications",
    "PagerDuty de-duplicates pages on the incident key so on-call gets one page",
    "Notifications are deduplicated per check and day",
])
def test_data_dedupe_questions_not_asked_of_alert_dedupe(sentence: str) -> None:
    """y006, y027: de-duplicating alerts is no dedupe of data rows."""
    assert not _quotes("leave a duplicate or a gap", "structure.correctness.idempotency", 2, sentence)
    assert not _quotes("what is the dedupe key, and where is it enforced", "mechanics.idempotent_ingestion", 1,
                       sentence)


@pytest.mark.parametrize("sentence", [
    "We dedupe events on event_id in a 24 h window before Silver",
    "Duplicates are dropped by MERGE on the primary key",
])
def test_data_dedupe_questions_still_asked_of_row_dedupe(sentence: str) -> None:
    assert _quotes("leave a duplicate or a gap", "structure.correctness.idempotency", 2, sentence)


@pytest.mark.parametrize("sentence", [
    "PARTITION BY l.order_id",
    "ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY updated_at DESC) = 1 keeps the latest row",
    "We keep the latest version with a window: partition by customer_id order by lsn desc",
    "QUALIFY RANK() OVER (PARTITION BY f.entity_id ORDER BY f.available_ts DESC) = 1",
])
def test_partitioning_questions_not_asked_of_a_window_function(sentence: str) -> None:
    """y015: PARTITION BY inside a window function is no table partitioning."""
    for fragment in ("Which queries does that partitioning serve", "cardinality does that partition key"):
        assert not _quotes(fragment, "mechanics.partition_strategy", 1, sentence, "cdc-lakehouse")


@pytest.mark.parametrize("sentence", [
    "Silver tables are partitioned by event_date",
    "CREATE TABLE silver.orders ... PARTITIONED BY (days(order_ts))",
    "Gold is PARTITION BY DATE(event_ts) CLUSTER BY tenant_id in BigQuery",
])
def test_partitioning_questions_still_asked_of_a_table_layout(sentence: str) -> None:
    assert _quotes("Which queries does that partitioning serve", "mechanics.partition_strategy", 1, sentence,
                   "cdc-lakehouse")
