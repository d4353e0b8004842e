"""Feedback round 15: stock follow-ups hung on quotes they do not fit."""

from __future__ import annotations

import pytest

from tests.test_followups import _asker_for, _bank_q, _quotes


@pytest.mark.parametrize("sentence", [
    "Distinct users are HLL sketch states, so minute rows merge to hour and day without recounting raw",
    "Unique visitors kept as mergeable theta sketches, rolled up to daily",
    "We store t-digest states that merge into hourly percentiles",
    "CI runs both engines on the same fixture input and fails the merge if outputs differ",
    "A schema check blocks the merge of any PR that drops a column",
])
def test_merge_rewrite_question_needs_a_merge_statement(sentence: str) -> None:
    """x014, x018, x031: sketches that merge, or a CI merge gate, are no MERGE over table files."""
    assert not _quotes("rewriting the world", "structure.correctness.merges", 2, sentence)


def test_merge_rewrite_question_still_asked_of_a_merge() -> None:
    for sentence in ("A nightly MERGE INTO silver.orders ON order_id applies the changes",
                     "We merge the CDC batch into the Delta table by primary key"):
        assert _quotes("rewriting the world", "structure.correctness.merges", 2, sentence)


@pytest.mark.parametrize(("sentence", "asked"), [
    ("Primary key columns are not null", False),
    ("not-null + unique on primary keys; accepted values on status columns", False),
    ("Kinesis plus Flink gives us exactly-once, since Flink has exactly-once checkpointing", False),
    ("Exactly-once is guaranteed by Structured Streaming checkpoints, so duplicates are no worry", False),
    ("Each nightly load appends the day's files to Silver", True),
    ("Jobs can be retried safely", True),
    ("We dedupe on event_id when loading to Silver", True),
])
def test_batch_rerun_question_needs_a_batch_or_load(sentence: str, asked: bool) -> None:
    """x002, x003, x032, x039: the batch-rerun question on a not-null check or a streaming exactly-once claim."""
    assert _quotes("rerun of the same batch avoid appending", "structure.correctness.idempotency", 1,
                   sentence) is asked


@pytest.mark.parametrize(("sentence", "asked"), [
    ("Because dbt rebuilds everything nightly, the downstream models won't have the user after the next run", False),
    ("Reports are rebuilt every night from the cleaned tables, so they pick up the erasure", False),
    ("Derived tables are rebuilt incrementally by dbt the same night", False),
    ("Re-running is harmless: the second run matches zero rows", False),
    ("Reruns overwrite the staging prefix, so a rerun does not append twice", False),
    ("To fix a bug we backfill the last 30 days from Bronze", True),
    ("We rerun the job for the affected dates into a staging table", True),
    ("Reprocessing replays Kafka from the earliest offset", True),
    ("Marts are rebuilt for the touched days only", True),
])
def test_backfill_questions_need_a_backfill_of_past_data(sentence: str, asked: bool) -> None:
    """x016, x017, x022, x023, x038, x040: a nightly rebuild or a rerun of today's job is not a backfill."""
    assert _quotes("walk me through a backfill", "structure.decisions.state_backfill", 1,
                   sentence, "cdc-lakehouse") is asked
    assert _quotes("logic versioned so the backfill", "mechanics.backfill", 1, sentence,
                   "cdc-lakehouse") is asked


@pytest.mark.parametrize("target", [
    "- Needs to be real-time, so seconds not hours",
    "- Dashboards must show events within 5 seconds",
    "- Freshness target: 10s p95",
    "- Sub-second lag on the online store",
])
def test_seconds_question_not_asked_when_seconds_already_targeted(target: str) -> None:
    """x002: "what if freshness tightens to a few seconds" asked of an answer that already targets seconds."""
    q = _bank_q("tightens to a few seconds")
    assert not _asker_for(f"{target}\n- Flink consumes Kafka.\n").fits(q)


@pytest.mark.parametrize("other", ["- Pinot gives sub-second queries", "- Freshness target is 15 minutes",
                                   "- p99 query latency 200 ms"])
def test_seconds_question_still_asked_without_a_seconds_target(other: str) -> None:
    assert _asker_for(f"{other}\n- Flink consumes Kafka.\n").fits(_bank_q("tightens to a few seconds"))
