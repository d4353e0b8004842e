"""Feedback round 16: two questions on the same quote and the same idea (y032 F3/F4). After a question
on the choice its sentence makes ("which queries does that partitioning serve"), "what do you give up with
that choice" is not hung on that sentence again; after a question on something else in it, it still is."""

from __future__ import annotations

import pytest

from tests.test_followups import _asker_for, _bank_q, _crit

CHOICE = "what do you give up with that choice"
CHOICE_CID = "structure.decisions.lakehouse_vs_warehouse"


def _ask_then_choice(first_fragment: str, first_cid: str, sentence: str) -> str | None:
    asker = _asker_for(f"- {sentence}\n", "cdc-lakehouse")
    first = _bank_q(first_fragment)
    quoted = asker.quote(_crit(first_cid, 1, sentence), first.presupposes, first.text)
    assert quoted is not None
    asker.quoted.add(quoted)
    from grade.feedback.followups import _ON_A_CHOICE
    if _ON_A_CHOICE().search(first.text):
        asker.choice_quoted.add(quoted)
    choice = _bank_q(CHOICE)
    return asker.quote(_crit(CHOICE_CID, 1, sentence), choice.presupposes, choice.text)


@pytest.mark.parametrize("sentence", [
    "A small consumer appends the events into a bronze table on object storage (open table format, "
    "partitioned by ingest date)",
    "Bronze: append-only Delta on ADLS Gen2, partitioned by ingest date",
    "Raw events are archived to S3 as Iceberg, partitioned by event date and tenant",
])
def test_choice_question_not_repeated_on_a_probed_partitioning(sentence: str) -> None:
    assert _ask_then_choice("Which queries does that partitioning serve", "mechanics.partition_strategy",
                            sentence) is None


def test_choice_question_still_asked_after_a_question_on_something_else() -> None:
    """q025 (round 7): the merge key was asked on the line; its choice was a fair second question."""
    sentence = ("Batch views run hourly in Spark over the Iceberg tables and write the offline store first; "
                "a materialization step then pushes only the latest value per key to the online store")
    from grade.feedback.followups import _ON_A_CHOICE
    assert not _ON_A_CHOICE().search(_bank_q("What's the merge key, and how do you handle two updates").text)
    assert _ON_A_CHOICE().search(_bank_q("Which queries does that partitioning serve").text)
    assert _ON_A_CHOICE().search(_bank_q("What cardinality does that partition key have").text)
    asker = _asker_for(f"- {sentence}\n", "feature-store")
    asker.quoted.add(sentence)
    choice = _bank_q(CHOICE)
    assert asker.quote(_crit(CHOICE_CID, 1, sentence), choice.presupposes, choice.text) == sentence
