"""Feedback round 20: stock follow-ups hung on lines they do not fit, and questions the answer already answers."""

from __future__ import annotations

import pytest

from tests.test_followups import _asker_for, _bank_q, _quotes

CONTENTION = "competes with live jobs for the same cluster"


@pytest.mark.parametrize("line", [
    "Gold rebuilt per business-date partition with replaceWhere. Logic versioned in git; rebuilds run on a separate "
    "job cluster.",
    "Backfills never go through Flink: rerun batch per tenant/date partition with a versioned job; then swap.",
])
def test_backfill_contention_not_asked_when_rebuilds_are_kept_off_the_live_job(line: str) -> None:
    """a004 (rebuilds on a separate job cluster), a035 (backfills never go through the live Flink job)."""
    text = f"- Spark jobs run on one shared cluster; Flink serves the live path.\n- {line}\n"
    assert not _asker_for(text).fits(_bank_q(CONTENTION))


def test_backfill_contention_still_asked_of_a_rebuild_on_the_shared_cluster() -> None:
    text = "- Spark jobs run on one shared cluster.\n- Gold rebuilt per business-date partition with replaceWhere.\n"
    assert _asker_for(text).fits(_bank_q(CONTENTION))


def test_backfill_questions_not_hung_on_a_rerun_of_an_erasure() -> None:
    """a014: an owner re-running the erasure after a reload re-applies deletes; it reprocesses no history."""
    sentence = ("If a table is reloaded from bronze within that window, the owner must rerun the erasure for that "
                "table; this is a manual step in the runbook for now")
    assert not _quotes(CONTENTION, "mechanics.backfill", 3, sentence, "privacy-dsr")
    assert not _quotes("how long does a full state rebuild take", "structure.decisions.state_backfill", 2, sentence,
                       "privacy-dsr")


def test_backfill_questions_not_hung_on_replayed_batches_that_are_no_ops() -> None:
    """a004: 'Redelivered or replayed batches become no-ops' is idempotency, not a backfill halfway through."""
    assert not _quotes("halfway through you find another bug", "mechanics.backfill", 3,
                       "Redelivered or replayed batches become no-ops")


def test_backfill_questions_still_hung_on_a_backfill_line() -> None:
    sentence = "Backfill: replay a tenant's raw events for a date range into a shadow table, then swap"
    assert _quotes("halfway through you find another bug", "mechanics.backfill", 3, sentence)


TIME_BASIS = "is that on event time or ingestion time, and what does each choice break"


@pytest.mark.parametrize("line", [
    "Offline rows are append-only `(entity_id, event_ts, available_ts, values)`, partitioned by `day(event_ts)`.",
    "A Spark job lands every change as-is into a raw Iceberg table on S3 (append only, partitioned by day of arrival).",
])
def test_time_basis_not_asked_when_the_partition_names_its_time(line: str) -> None:
    """a002 (`day(event_ts)` is event time), a020 (day of arrival is ingestion time)."""
    assert not _asker_for(f"- {line}\n").fits(_bank_q(TIME_BASIS))


def test_time_basis_still_asked_of_a_bare_daily_partition() -> None:
    assert _asker_for("- Raw events land in an Iceberg table partitioned by day.\n").fits(_bank_q(TIME_BASIS))


NEW_COLUMN = "what happens at the table layer when a new column appears"


@pytest.mark.parametrize("line", [
    "Schema: column names and types compared to the last accepted snapshot; drops and type changes fail, added "
    "columns warn.",
    "For sources, a daily job diffs `information_schema`; dropped or retyped columns raise an error, added columns "
    "are a warning.",
    "When the developers add a new column in the source database, DMS will send the new column and the crawler will "
    "detect it and update the table schema in the catalog.",
])
def test_new_column_policy_not_asked_when_the_answer_states_it(line: str) -> None:
    """a009, a017 (added columns warn), a006 (the crawler detects a new column and updates the schema)."""
    assert not _asker_for(f"- {line}\n").fits(_bank_q(NEW_COLUMN))


def test_new_column_policy_still_asked_of_a_bare_schema_registry() -> None:
    text = "- A nightly Spark job loads the tables; producers register Avro schemas in the registry.\n"
    assert _asker_for(text).fits(_bank_q(NEW_COLUMN))


@pytest.mark.parametrize("fragment", [
    "What are those consumers' access patterns",
    "which consumer wins when their needs conflict",
])
def test_serving_consumer_questions_not_asked_of_a_data_quality_or_erasure_design(fragment: str) -> None:
    """a023, a033 (round 20), b005 (round 18), j036 (round 19): a DQ or erasure design serves no readers of its own."""
    text = "- Consumers: ML models and the product API read the tier-1 tables; analysts read dashboards.\n"
    for prompt in ("dq-observability", "privacy-dsr"):
        assert not _asker_for(text, prompt).fits(_bank_q(fragment))
    assert _asker_for(text, "realtime-analytics").fits(_bank_q(fragment))


def test_ingestion_walkthrough_not_asked_of_a_data_quality_design() -> None:
    """a009 (SQL parsed for lineage), a017 (team size): a DQ design watches what others ingest."""
    q = _bank_q("what transport, what landing format")
    text = "- We parse the compiled SQL of every pipeline run to extract input and output tables.\n"
    assert not _asker_for(text, "dq-observability").fits(q)
    assert _asker_for(text, "cdc-lakehouse").fits(q)


@pytest.mark.parametrize("sentence", [
    "Roughly 40M customer records, about 200 Delta tables in scope, 3-5k requests a month",
    "We have about 1,400 Delta tables in Unity Catalog, and roughly 90 of them are tier 1",
])
def test_choice_questions_not_hung_on_a_count(sentence: str) -> None:
    """a014, a033: a sentence that opens on a count states the scale, not a choice."""
    assert not _quotes("what do you give up with that choice", "structure.decisions.lakehouse_vs_warehouse", 1,
                       sentence, "privacy-dsr")


def test_choice_questions_still_hung_on_a_choice() -> None:
    assert _quotes("what do you give up with that choice", "structure.decisions.lakehouse_vs_warehouse", 1,
                   "We keep the Delta tables in the lakehouse and copy only the marts into Synapse", "privacy-dsr")


def test_lever_question_not_hung_on_a_benefits_list() -> None:
    """a030: a Benefits list claims what the design gives; it is no lever the design pulls."""
    from grade.core.document import parse
    from grade.core.grader import get_rubric
    from grade.feedback.anchors import anchors_for

    sentence = "No license cost and no lock-in"
    q = _bank_q("whether that lever is actually working")
    anchors = anchors_for(get_rubric()[0])
    benefits = parse(f"# Design\n\nWe use Kafka.\n\n## Benefits\n\n- {sentence}.\n")
    assert not anchors.quotable(benefits, 7, sentence, q.text, "mechanics.cost_levers")
    design = parse(f"# Design\n\nWe use Kafka.\n\n## Storage\n\n- {sentence}.\n")
    assert anchors.quotable(design, 7, sentence, q.text, "mechanics.cost_levers")


def test_late_policy_not_asked_when_a_batch_recounts_a_trailing_window() -> None:
    """a001: 'Every hour a batch job recounts last 48 hours of gold' is the recompute the question offers."""
    q = _bank_q("do you emit retractions or corrections downstream")
    text = ("- Every hour a batch job recounts last 48 hours of gold from silver and overwrites those minutes with "
            "MERGE. So late events are counted in the end.\n")
    assert not _asker_for(text, "realtime-analytics").fits(q)
    assert _asker_for("- Late events are counted in the end.\n", "realtime-analytics").fits(q)


def test_why_not_stream_everything_not_asked_when_the_answer_says_what_stays_batch_and_why() -> None:
    """a028: 'Funnels are computed daily only; they are heavy and nobody needs them to the minute'."""
    q = _bank_q("Why not stream everything?")
    text = "- Funnels are computed daily only; they are heavy and nobody needs them to the minute.\n"
    assert not _asker_for(text, "realtime-analytics").fits(q)
    assert _asker_for("- Funnels are computed daily.\n", "realtime-analytics").fits(q)


def test_consumer_notice_not_asked_when_consumers_check_a_status_table_and_pin_the_last_good_version() -> None:
    """a033: tier-1 consumers check a status table and pin the last good Delta version while the owner fixes it."""
    q = _bank_q("tell downstream consumers the data is bad")
    text = ("- Routing uses the `owner_team` tag in Unity Catalog.\n- For remediation, tier-1 consumers check a status "
            "table before running and, if the input is red, pin the last good Delta version with time travel.\n")
    assert not _asker_for(text, "dq-observability").fits(q)
    assert _asker_for("- Routing uses the `owner_team` tag in Unity Catalog.\n", "dq-observability").fits(q)
