"""Feedback round 18: stock follow-ups hung on lines they do not fit, and questions the answer already answers."""

from __future__ import annotations

import pytest

from tests.test_followups import _asker_for, _bank_q

DEDUPE_KEY = "what is the dedupe key, and where is it enforced"


@pytest.mark.parametrize("line", [
    "Blocking checks: row count, null rate on keys, uniqueness of business key and schema against the contract.",
    "Null rate and distinct count on the few key columns owners mark; repeated primary keys are a hard fail.",
    "Validity: null %, ranges, uniqueness of business key, referential checks.",
])
def test_dedupe_key_not_asked_when_the_answer_checks_a_named_key(line: str) -> None:
    """b013, b002, b024: a uniqueness check on the business or primary key names the key."""
    assert not _asker_for(f"- {line}\n", "dq-observability").fits(_bank_q(DEDUPE_KEY))


def test_dedupe_key_still_asked_of_a_bare_dedupe() -> None:
    text = "- Events are deduplicated before they reach the mart.\n"
    assert _asker_for(text, "dq-observability").fits(_bank_q(DEDUPE_KEY))
