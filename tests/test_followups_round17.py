"""Feedback round 17: stock follow-ups hung on lines they do not fit, and questions the answer already answers."""

from __future__ import annotations

import pytest
from grade.core.results import CriterionResult, Evidence

from tests.test_followups import _asker_for, _bank_q, _quotes

HALF_OUTPUT = "A job crashes after writing half its output"


@pytest.mark.parametrize("line", [
    "Data is written to a staging area, checked, and only then swapped into the consumer-facing table, so a "
    "failed check leaves yesterday's correct data in place.",
    "The job writes to a staging prefix first. Only if the gate passes, the partition is moved and registered "
    "in Glue. If it fails, the mart stays with yesterday data.",
    "The daily job runs DELETE on every tagged table and deletes the map row last.",
])
def test_half_output_question_not_asked_when_the_answer_says_what_a_rerun_meets(line: str) -> None:
    """z030, z003 (a staging-then-publish gate), z006 (the map row deleted last): already answered."""
    text = f"- A nightly Airflow DAG runs the load jobs.\n- {line}\n"
    assert not _asker_for(text).fits(_bank_q(HALF_OUTPUT))


def test_half_output_question_still_asked_without_a_rerun_story() -> None:
    text = "- A nightly Airflow DAG runs the load jobs.\n- The job writes the daily partition to the mart.\n"
    assert _asker_for(text).fits(_bank_q(HALF_OUTPUT))


def test_backfill_contention_not_asked_of_a_replication_slot() -> None:
    """z012: a Postgres replication slot in a BigQuery design is no cluster a backfill competes for."""
    text = ("- Datastream replicates Postgres into BigQuery; we backfill a table by re-running its snapshot.\n"
            "- Replication slot growth: we alert on slot lag above 10 GB.\n")
    assert not _asker_for(text).fits(_bank_q("competes with live jobs for the same cluster"))
    shared = text + "- Backfills and the hourly jobs run on one Dataproc cluster.\n"
    assert _asker_for(shared).fits(_bank_q("competes with live jobs for the same cluster"))


def test_row_level_export_question_not_asked_of_a_dq_design() -> None:
    """z019, z021: "a new consumer wants row-level exports" on a lineage or training line of a DQ design."""
    q = _bank_q("row-level exports every minute")
    line = "- Purview can scan Data Factory, Synapse and Power BI and build lineage automatically\n"
    assert not _asker_for(line, "dq-observability").fits(q)
    assert _asker_for("- Analysts get read on Gold only\n", "cdc-lakehouse").fits(q)


CONTEXT = """# RFC: data quality

## Context

We run about 1,400 BigQuery tables. Loads come from Composer DAGs (dbt and Python) and from 6 Dataflow streaming \
jobs reading Pub/Sub.

## Proposal

For streaming tables a Cloud Run job checks max(event_time) every 5 minutes.
"""


def test_why_that_model_not_asked_of_the_context() -> None:
    """z028: "why that model over the alternatives" quoting the Context's account of today's loads."""
    q = _bank_q("Why that model over the alternatives")
    asker = _asker_for(CONTEXT)
    ctx = "Loads come from Composer DAGs (dbt and Python) and from 6 Dataflow streaming jobs reading Pub/Sub"
    ours = "For streaming tables a Cloud Run job checks max(event_time) every 5 minutes"
    assert asker.quote(_on_line(ctx, 5), q.presupposes, q.text) is None
    assert asker.quote(_on_line(ours, 9), q.presupposes, q.text)


def _on_line(quote: str, line: int) -> CriterionResult:
    return CriterionResult(id="structure.decisions.processing_model", title="", section="structure", weight=1.0,
                           level=1, evidence=[Evidence(line=line, quote=quote)])


@pytest.mark.parametrize("sentence", [
    "Pub/Sub topics will be configured with a message retention duration of seven days, which ensures that "
    "personal data does not persist in our streaming layer beyond what is necessary",
    "Kafka topic retention is 3 days, so raw PII leaves the bus quickly",
])
def test_not_streaming_question_not_asked_of_a_topic_retention(sentence: str) -> None:
    """z038: "what are you avoiding by not streaming that" on a topic's retention setting."""
    assert not _quotes("avoiding by not streaming", "signals.streaming_restraint", 1, sentence, "privacy-dsr")


def test_not_streaming_question_still_asked_of_a_batch_choice() -> None:
    assert _quotes("avoiding by not streaming", "signals.streaming_restraint", 1,
                   "Marts rebuilt hourly from clean tables, daily partitions", "cdc-lakehouse")


@pytest.mark.parametrize("sentence", [
    "After restore from backup (S3 noncurrent versions and Redshift snapshots kept 14 days) we replay the "
    "ledger deletes",
    "A replay from the raw zone or a restored backup can bring a subject back",
])
def test_another_bug_question_not_asked_of_replayed_deletes(sentence: str) -> None:
    """z027, r019: "halfway through you find another bug" on replaying deletions after a restore."""
    assert not _quotes("halfway through you find another bug", "mechanics.backfill", 2, sentence, "privacy-dsr")


def test_another_bug_question_still_asked_of_a_backfill() -> None:
    assert _quotes("halfway through you find another bug", "mechanics.backfill", 2,
                   "Owner fixes the code, then reruns only the broken days for that table", "privacy-dsr")


DELETES = "How are deletes represented"


def test_delete_representation_not_asked_of_an_append_only_design() -> None:
    """z030, z002: "how are deletes represented" where nothing is ever deleted."""
    text = ("- Check results are stored in a history table, which drives the dashboards.\n"
            "- Gold is MERGEd hourly from the event stream.\n")
    assert not _asker_for(text).fits(_bank_q(DELETES))
    assert _asker_for(text + "- Users can ask to delete their data.\n").fits(_bank_q(DELETES))


def test_two_paths_question_not_asked_when_one_path_is_chosen() -> None:
    """z004: "Can be Spark Streaming or batch" is one path, not two that must agree."""
    q = _bank_q("how do the streaming and batch paths agree")
    assert not _asker_for("- Can be Spark Streaming or batch.\n", "cdc-lakehouse").fits(q)
    both = "- Flink computes the live counters.\n- A nightly batch job recomputes yesterday from raw.\n"
    assert _asker_for(both, "cdc-lakehouse").fits(q)


def test_grace_period_question_not_asked_of_a_rerun_window() -> None:
    """z012: an LSN-guarded MERGE that makes "re-running a window" harmless has no lateness window."""
    line = ("The MERGE only overwrites when the incoming LSN is greater than the stored one, so re-running a "
            "window is harmless")
    assert not _quotes("What's the grace period, and what happens", "mechanics.late_data", 1, line)
    assert _quotes("What's the grace period, and what happens", "mechanics.late_data", 1,
                   "Late events are folded into the window when they arrive")


def test_quota_burden_question_needs_quotas() -> None:
    """z029: "stop quotas from turning into a support burden" where the design has only dedicated warehouses."""
    q = _bank_q("stop quotas from turning into a support burden")
    assert not _asker_for("- Larger tenants can get their own warehouse if needed.\n").fits(q)
    assert _asker_for("- Each tenant has a quota of 20 concurrent queries; larger tenants get their own "
                      "warehouse.\n").fits(q)


def test_wrong_tenant_id_question_needs_tenant_ids() -> None:
    """z021: teams, domains and a Log Analytics workspace are no tenants whose rows carry a tenant_id."""
    q = _bank_q("30% of rows carry the wrong tenant_id")
    text = ("- Each team owns its checks; results go to a Log Analytics workspace.\n"
            "- A quality gate blocks the load when a volume check fails.\n")
    assert not _asker_for(text).fits(q)
    assert _asker_for(text + "- Every table carries tenant_id.\n").fits(q)


@pytest.mark.parametrize("line", [
    "We sequence by LSN and not ts_ms, so two updates in one millisecond keep the right order.",
    "apply_changes(keys=['id'], sequence_by=col('source_lsn'))",
])
def test_out_of_order_question_not_asked_when_changes_are_sequenced_by_lsn(line: str) -> None:
    """z001: the answer sequences apply_changes by the source LSN."""
    q = _bank_q("Updates arrive out of order. How does the MERGE avoid")
    assert not _asker_for(f"- Debezium CDC upserts into silver with MERGE.\n- {line}\n", "cdc-lakehouse").fits(q)
    assert _asker_for("- Debezium CDC upserts into silver with MERGE.\n", "cdc-lakehouse").fits(q)


def test_rewriting_the_world_not_asked_of_a_merge_bounded_to_recent_days() -> None:
    """z022: "The MERGE only looks at the last 3 days of event_date, so it prunes micro-partitions"."""
    q = _bank_q("keep it from rewriting the world")
    bounded = ("- The MERGE only looks at the last 3 days of `event_date` in the target, so it prunes "
               "micro-partitions and stays cheap.\n")
    assert not _asker_for(bounded).fits(q)
    assert _asker_for("- Gold tables use MERGE so reruns don't double count.\n").fits(q)
