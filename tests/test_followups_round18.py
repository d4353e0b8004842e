"""Feedback round 18: stock follow-ups hung on lines they do not fit, and questions the answer already answers."""

from __future__ import annotations

import pytest

from tests.test_followups import _asker_for, _bank_q, _quotes

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


HALF_OUTPUT = "A job crashes after writing half its output"


@pytest.mark.parametrize("line", [
    "Each consumer table keeps its own watermark: the highest request_id it has applied. The daily job runs "
    "`DELETE ... WHERE person_sk IN (...)` per table, then advances the watermark.",
    "Every sink (Synapse, Cosmos, feature store) stores its own deletion watermark, the highest seq it has applied.",
])
def test_half_output_question_not_asked_when_each_sink_keeps_what_it_applied(line: str) -> None:
    """b036, b005: a per-sink watermark of the highest request applied is where a rerun resumes."""
    text = f"- A nightly Airflow job deletes the requested users.\n- {line}\n"
    assert not _asker_for(text, "privacy-dsr").fits(_bank_q(HALF_OUTPUT))


def test_half_output_question_still_asked_of_a_jobs_own_progress_mark() -> None:
    """y009 (round 16, useful): a control table of the last processed request says nothing of a half-done run."""
    text = ("- A nightly Airflow job deletes the requested users.\n- Incremental with watermark: control table keeps "
            "last processed request_seq, each run takes `request_seq > watermark`, then moves watermark forward.\n")
    assert _asker_for(text, "privacy-dsr").fits(_bank_q(HALF_OUTPUT))


CONTENTION = "competes with live jobs for the same cluster"


@pytest.mark.parametrize("line", [
    "What reads from what: rebuilt nightly from `ACCESS_HISTORY`.",
    "DynamoDB writes overwrite the value, so if Flink restarts from a checkpoint and replays, the numbers don't "
    "double.",
])
def test_backfill_contention_not_asked_without_a_backfill(line: str) -> None:
    """b002 (a nightly lineage rebuild), b030 (a replay after a restart): neither is a backfill."""
    text = f"- Spark jobs run on one shared cluster.\n- {line}\n"
    assert not _asker_for(text).fits(_bank_q(CONTENTION))


def test_backfill_contention_still_asked_of_a_rerun_for_a_date() -> None:
    """n069 (round 10, useful): rerunning a task for a past date is a backfill."""
    text = "- Spark jobs run on one shared cluster.\n- Owner fixes, then reruns the Airflow task for that date.\n"
    assert _asker_for(text).fits(_bank_q(CONTENTION))


@pytest.mark.parametrize("sentence", [
    "I come at this from the ML side, so I will spend a bit more time than usual on what happens to training data",
    "We add a mandatory classification attribute per column: public, internal, personal, sensitive (financial "
    "details, health-related spending categories)",
])
def test_cost_questions_not_hung_on_spend_of_time_or_spending_data(sentence: str) -> None:
    """b038 (the author's framing: time spent), b014 (spending categories are the data): no money spent."""
    assert not _quotes("whether that lever is actually working", "mechanics.cost_levers", 1, sentence,
                       "privacy-dsr")
    assert not _quotes("does that save a month", "mechanics.cost_levers", 2, sentence, "privacy-dsr")


def test_cost_questions_still_hung_on_a_spend_line() -> None:
    sentence = "Weekly batching keeps the spend down: one rewrite of affected files per table per week"
    assert _quotes("does that save a month", "mechanics.cost_levers", 2, sentence, "privacy-dsr")


def test_the_authors_framing_is_not_quoted_as_design() -> None:
    """b038: "I come at this from the ML side" frames the answer; a scenario on it is not about the design."""
    fragment = "What prevents the user from being resurrected"
    framing = "I come at this from the ML side, so deleting users from training data matters most to me"
    assert not _quotes(fragment, "structure.security.deletion", 2, framing, "privacy-dsr")
    design = "A nightly job deletes the user's rows from every table and from the training data"
    assert _quotes(fragment, "structure.security.deletion", 2, design, "privacy-dsr")
