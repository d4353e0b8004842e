"""Feedback round 19: stock follow-ups hung on lines they do not fit, and questions the answer already answers."""

from __future__ import annotations

import pytest

from tests.test_followups import _quotes

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
