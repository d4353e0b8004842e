"""Feedback round 19: stock follow-ups hung on lines they do not fit, and questions the answer already answers."""

from __future__ import annotations

import pytest

from tests.test_followups import _asker_for, _bank_q, _quotes

COMPAT = "What compatibility mode (backward, forward, full)"
INT_TO_STRING = "A producer changes a field from int to string"


@pytest.mark.parametrize("sentence", [
    "Week 5-6: OneTrust contract and portal setup",
    "Legal signs the vendor contract in March, then we connect the DSR portal",
])
def test_schema_questions_not_hung_on_a_vendor_contract(sentence: str) -> None:
    """j035: a contract with a vendor, its signing and setup, is no schema contract."""
    assert not _quotes(COMPAT, "mechanics.schema_evolution", 1, sentence, "privacy-dsr")


def test_schema_questions_not_hung_on_a_tools_upgrade() -> None:
    """j008: a tool's upgrades breaking its own registry is no producer's schema change."""
    sentence = "Feast version upgrades have broken registry compatibility before"
    assert not _quotes(INT_TO_STRING, "mechanics.schema_evolution", 2, sentence, "feature-store")


def test_schema_questions_still_hung_on_a_data_contract() -> None:
    """t006 (round 11): the contract enforcement a tool would buy is a data contract."""
    assert _quotes(COMPAT, "mechanics.schema_evolution", 1,
                   "Producers publish Avro schemas to the registry and the contract is checked in CI", "cdc-lakehouse")
    assert _quotes(INT_TO_STRING, "mechanics.schema_evolution", 2,
                   "Schema changes go through the registry with backward compatibility", "cdc-lakehouse")


RETRACTIONS = "How do retractions reach them"


def test_retractions_not_asked_of_a_feature_store() -> None:
    """j029, j005: a feature store's consumers are models reading the latest values."""
    sentence = "Late events are corrected by the nightly batch recompute, which rewrites both stores for that day"
    assert not _quotes(RETRACTIONS, "mechanics.late_data", 2, sentence, "feature-store")
    assert _quotes(RETRACTIONS, "mechanics.late_data", 2, sentence, "realtime-analytics")


OVERLAP = "the batch and streaming paths compute overlapping metrics"


def test_overlap_question_not_asked_when_the_batch_path_is_turned_down() -> None:
    """j021: a single streaming path, 'no reason to keep a separate batch path'."""
    turned_down = ("I would go fully streaming with Dataflow because the requirement is real time, there is no reason "
                   "to keep a separate batch path")
    assert not _quotes(OVERLAP, "signals.streaming_restraint", 2, turned_down, "realtime-analytics")
    both = "A Flink streaming job serves the live counters and a nightly batch job recomputes the daily rollups"
    assert _quotes(OVERLAP, "signals.streaming_restraint", 2, both, "realtime-analytics")


LAKEHOUSE_FAST = "How do you keep lakehouse tables fast as commits accumulate"


def test_lakehouse_compaction_not_asked_of_a_warehouse_called_lakehouse() -> None:
    """j023: 'BigQuery as the analytical lakehouse' has no table format's commits to compact."""
    q = _bank_q(LAKEHOUSE_FAST)
    assert not _asker_for("- BigQuery as the analytical lakehouse with partitioning and clustering\n",
                          "realtime-analytics").fits(q)
    assert _asker_for("- Events land in Iceberg tables on S3, our lakehouse\n", "realtime-analytics").fits(q)


DEDUPE_KEY = "what is the dedupe key, and where is it enforced"


def test_dedupe_key_not_asked_of_an_idempotent_partition_replace() -> None:
    """j034: replaceWhere on date overwrites whole partitions; there is no dedupe key to enforce."""
    text = ("- Prepared backfill command: rerun job for affected partitions only, `replaceWhere` on date. "
            "Idempotent, safe to rerun.\n")
    assert not _asker_for(text, "dq-observability").fits(_bank_q(DEDUPE_KEY))
    assert _asker_for("- Events are deduplicated before they reach the mart.\n", "dq-observability").fits(
        _bank_q(DEDUPE_KEY))


ENGINE = "Which engine runs it, what triggers each run"


def test_engine_question_not_asked_when_dlt_is_named() -> None:
    """j016: Delta Live Tables is the engine the answer names."""
    q = _bank_q(ENGINE)
    assert not _asker_for("- DLT expectations in the pipelines.\n- The pipelines run hourly.\n",
                          "dq-observability").fits(q)
    assert _asker_for("- A job loads the orders into the warehouse.\n", "dq-observability").fits(q)
