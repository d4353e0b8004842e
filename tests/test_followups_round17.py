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
