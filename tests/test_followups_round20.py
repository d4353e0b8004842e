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
