"""Feedback round 11: follow-ups that asked for what the answer had already said. Each ask is
recognised in the several ways an engineer states it, and not in a sentence that only comes near it."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric
from grade.feedback.phrases import Phrases, answer_view


@pytest.fixture(scope="module")
def phrases() -> Phrases:
    return Phrases(get_rubric()[0])


CASES = [
    # a lookback window already picks up rows that commit late
    ("Batch features run every 15 minutes incrementally over a 2-day lookback.", "late_rows_pickup", True),
    ("Each run re-reads the last 3 days so rows that commit late are caught.", "late_rows_pickup", True),
    ("The nightly job reprocesses the previous 35 days for late orders.", "late_rows_pickup", True),
    ("Incremental dynamic tables absorb late events on their next refresh.", "late_rows_pickup", True),
    ("We use an overlapping window on every load to pick up late commits.", "late_rows_pickup", True),
    ("The job loads rows where updated_at is greater than the last high-water mark.", "late_rows_pickup", False),
    # a rerun mechanism already stated
    ("Fix = rerun affected partitions (`replaceWhere`), quarantine replay after fix.", "rerun_mechanism", True),
    ("Running the same request twice does no harm: workers delete by id.", "rerun_mechanism", True),
    ("Owners rerun the failed day, which overwrites that partition.", "rerun_mechanism", True),
    ("Processing the same batch again is harmless.", "rerun_mechanism", True),
    ("The job runs every hour on a schedule.", "rerun_mechanism", False),
    # a deletion verifier already described
    ("24 hours after the handlers finish, a verifier queries every store for the subject key and must find "
     "zero rows.", "deletion_verification", True),
    ("Weekly verification: search every tagged table for a sample of erased keys; any hit is an incident.",
     "deletion_verification", True),
    ("A check job queries each target for the token 48 hours later.", "deletion_verification", True),
    ("We reconcile deleted row counts against the ledger.", "deletion_verification", True),
    ("Each handler writes rows_deleted back to the ledger.", "deletion_verification", False),
    # a re-ingestion guard or pseudonymisation keeps an erased user out of a replay
    ("Re-ingestion guard: the ingestion job drops events whose token is in the erased set for 90 days.",
     "resurrection_guard", True),
    ("At ingestion the user id is swapped for a random stand-in id, and one small table maps stand-in to real "
     "user; deleting that row leaves the history with no way back to the person.", "resurrection_guard", True),
    ("Pseudonymise at ingestion: one mapping table holds the only link; erasure deletes the mapping row.",
     "resurrection_guard", True),
    ("Backfills filter out rows for deleted users.", "resurrection_guard", True),
    ("Raw events are kept for 30 days and then expire.", "resurrection_guard", False),
    # deletion vectors or a layout chosen for the MERGE keep it from rewriting the world
    ("Delta DELETE and MERGE with deletion vectors.", "merge_pruning", True),
    ("Silver is partitioned by bucket(16, id) because the MERGE is by id.", "merge_pruning", True),
    ("Tables are clustered on customer_id since the upsert is keyed on it.", "merge_pruning", True),
    ("The upsert only rewrites the affected files.", "merge_pruning", True),
    ("Silver is a MERGE from bronze every 5 minutes.", "merge_pruning", False),
    # a replay into a branch, fast-forwarded after checks, swaps atomically
    ("Replay from bronze S3 into a new Iceberg branch, compare, then fast-forward.", "swap_mechanism", True),
    ("Backfills write to an audit branch in Nessie and are merged to main once checks pass.", "swap_mechanism", True),
    ("The staging branch is fast-forwarded to main after the diff is clean.", "swap_mechanism", True),
    ("Every feature branch of the dbt project runs CI.", "swap_mechanism", False),
]


@pytest.mark.parametrize(("answer", "ask", "stated"), CASES)
def test_round11_already_answered_asks(phrases: Phrases, answer: str, ask: str, stated: bool) -> None:
    assert phrases.states(answer_view(parse(answer + "\n")), ask) is stated


def test_the_questions_that_were_already_answered_carry_their_asks() -> None:
    bank = {f.text: f.asks for f in get_rubric()[0].followups}
    carried = {
        "commit late": "late_rows_pickup",
        "failed silently": "deletion_verification",
        "resurrected": "resurrection_guard",
        "rewriting the world": "merge_pruning",
        "half-old, half-new": "swap_mechanism",
        "MERGE, partition overwrite, something else": "rerun_mechanism",
        "A job crashes after writing half its output": "rerun_mechanism",
    }
    for words, ask in carried.items():
        texts = [t for t in bank if words in t]
        assert texts, words
        assert all(ask in bank[t] for t in texts), words
