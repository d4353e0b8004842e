"""Follow-ups (feedback round 14, second pass): one idea asked once, scenarios that fit the quoted line,
and numbers or choices the answer states in other words."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric
from grade.feedback.anchors import anchors_for
from grade.feedback.followups import _Asker
from grade.feedback.phrases import answer_view, phrases_for

RUBRIC = get_rubric()[0]
PHRASES = phrases_for(RUBRIC)


def _bank_text(fragment: str) -> str:
    return next(f.text for f in RUBRIC.followups if fragment in f.text)


@pytest.mark.parametrize(("first", "second", "ask"), [
    ("what's the cost per day at that volume", "what does that save a month", "cost_figure"),
    ("Which lever saves the most here", "what's the cost per day at that volume", "cost_figure"),
    ("Why not just partition by whatever", "common filters skip most files", "file_skipping"),
    ("which query pattern is that aligned to", "common filters skip most files", "file_skipping"),
    ("A holiday causes a legitimate", "seasonal dips like holidays", "holiday_handling"),
])
def test_questions_on_one_idea_share_an_ask_and_the_second_is_not_asked(first: str, second: str, ask: str) -> None:
    one, two = (next(f for f in RUBRIC.followups if frag in f.text) for frag in (first, second))
    assert ask in one.asks and ask in two.asks
    for q in (one, two):
        assert ask in PHRASES.asked(q.text.replace("{quote}", "x"))
    asker = _Asker(RUBRIC, parse("We run Spark on a shared cluster."), "We run Spark on a shared cluster.")
    asker.asked |= set(one.asks)
    assert not asker.fits(two)


@pytest.mark.parametrize("text", [
    "We are single company, no multi-tenant isolation designed.",
    "This is not a multi-tenant platform: one company, one set of tables.",
    "Single-tenant deployment for one organisation.",
    "We do not partition by source database or by tenant.",
])
def test_an_answer_that_rules_tenants_out_does_not_mention_tenants(text: str) -> None:
    assert not PHRASES.mentions(answer_view(parse(text)), "tenants")


@pytest.mark.parametrize("text", ["Each tenant gets its own schema.", "A multi-tenant SaaS with 300 customers."])
def test_a_multi_tenant_answer_still_mentions_tenants(text: str) -> None:
    assert PHRASES.mentions(answer_view(parse(text)), "tenants")


BF, SB = "mechanics.backfill", "structure.decisions.state_backfill"


@pytest.mark.parametrize(("criterion", "sentence", "fits"), [
    (BF, "Trade-off: key lookup on every read of raw, accepted because raw is read only for replay.", False),
    (BF, "The archive is only used for reprocessing, so slow reads are fine.", False),
    (SB, "Raw is kept only for replay and is read rarely.", False),
    (BF, "Some marts are incremental and would keep old rows, so we delete there explicitly.", False),
    (BF, "Incremental marts keep old rows, so we also delete them directly.", False),
    (SB, "Crypto-shredding: delete the user's key instead of rewriting petabytes.", False),
    (SB, "The consumer drops events for users deleted in the last 7 days, so a replay doesn't bring them back.",
     False),
    (BF, "A backfill replays raw into a shadow table, then swaps it in.", True),
    (SB, "State is rebuilt by replaying the topic from the earliest offset.", True),
])
def test_a_backfill_scenario_is_hung_only_on_a_backfill_line(criterion: str, sentence: str, fits: bool) -> None:
    question = _bank_text("halfway through you find another bug")
    doc = parse(sentence)
    assert anchors_for(RUBRIC).quotable(doc, 1, sentence, question, criterion) is fits


@pytest.mark.parametrize(("ask", "text"), [
    ("audit_pseudonym", "An append-only `dsr_audit` table (no PII, only request_id and hashed user id)."),
    ("audit_pseudonym", "Request log (request id, person key, received time, status per system)."),
    ("audit_pseudonym", "A verification query looks up the hashed identifiers in tagged tables: zero rows."),
    ("file_skipping", "Files are ordered by warehouse_id and order_date because dashboards filter by these."),
    ("file_skipping", "Clustering on customer_id lets queries skip most files."),
    ("cost_figure", "The cluster costs about $4,000 a month."),
    ("cost_figure", "Auto-suspend saves roughly $1.2k per month."),
])
def test_an_answer_that_states_it_in_its_own_words_is_not_asked(ask: str, text: str) -> None:
    assert PHRASES.states(answer_view(parse(text)), ask)


@pytest.mark.parametrize(("ask", "text"), [
    ("audit_pseudonym", "We log every run."),
    ("file_skipping", "Tables are Delta on ADLS."),
    ("cost_figure", "It should be cheap."),
])
def test_an_answer_that_does_not_state_it_is_still_asked(ask: str, text: str) -> None:
    assert not PHRASES.states(answer_view(parse(text)), ask)


PM, SR, CL, SAVE = "explain that trade-off to a product", "signals.streaming_restraint", "mechanics.cost_levers", \
    "what does that save a month"
LIMIT, TQ = "Where is the limit enforced", "tenancy.quotas"


@pytest.mark.parametrize(("criterion", "sentence", "question"), [
    (TQ, "Runbooks for the 5 common failures: connector stuck, MERGE conflict, storage throttling.",
     LIMIT),
    (TQ, "If the API throttles us, the job backs off and retries.", LIMIT),
    (TQ, "Cosmos throttling shows up as 429s during the nightly load.", LIMIT),
    (SR, "Zendesk and Salesforce exports (daily CSV).", PM),
    (SR, "The CRM sends nightly CSV files over SFTP.", PM),
    (SR, "Partner data: weekly Excel extracts.", PM),
    (CL, "That's the most expensive step; see risks.", SAVE),
    (CL, "Rewriting raw is the most expensive part of the whole design.", SAVE),
    ("mechanics.schema_evolution", "`DQ.TABLE_CONTRACTS`: table, owner_team, tier, cadence, max_lag, key columns.",
     "What compatibility mode"),
    ("mechanics.schema_evolution", "Each dataset has a contract with its freshness target and owner team.",
     "What compatibility mode"),
    ("structure.decisions.lakehouse_vs_warehouse",
     "The warehouse should show the same count and the same sum after the load, within an agreed tolerance.",
     "what do you give up with that choice"),
    ("structure.decisions.lakehouse_vs_warehouse", "A nightly job reconciles warehouse totals with the source.",
     "what do you give up with that choice"),
])
def test_a_question_is_not_hung_on_a_line_of_another_idea(criterion: str, sentence: str, question: str) -> None:
    text = _bank_text(question)
    assert not anchors_for(RUBRIC).quotable(parse(sentence), 1, sentence, text, criterion)


@pytest.mark.parametrize(("criterion", "sentence", "question"), [
    (TQ, "Each tenant is capped at 200 queries per minute by a token bucket.", LIMIT),
    (SR, "Finance marts stay nightly batch: nobody reads them before 9am.",
     PM),
    ("mechanics.schema_evolution", "Producers publish Avro schemas to the registry under a data contract.",
     "What compatibility mode"),
])
def test_a_question_still_quotes_a_line_on_its_idea(criterion: str, sentence: str, question: str) -> None:
    text = _bank_text(question)
    assert anchors_for(RUBRIC).quotable(parse(sentence), 1, sentence, text, criterion)


@pytest.mark.parametrize("sentence", [
    "I spent fifteen years building controls for regulatory reporting at a bank, so I will approach this that way.",
    "We have worked for many years on reconciliation in banking.",
    "I have ten years of experience with regulated data platforms.",
    "In my years at a bank, every dataset had an owner.",
])
def test_the_author_s_background_is_not_quoted_as_the_design(sentence: str) -> None:
    for f in RUBRIC.followups:
        if f.criterion == "structure.requirements.compliance" and "{quote}" in f.text:
            assert not anchors_for(RUBRIC).quotable(parse(sentence), 1, sentence, f.text, f.criterion)


@pytest.mark.parametrize("sentence", [
    "Every step is safe to re-run for the same batch (deleting already-deleted rows is a no-op).",
    "Deletes are safe to rerun; a retried run just deletes 0 rows.",
    "Every task is idempotent: rerunning a batch deletes zero rows, so retries are safe.",
])
def test_a_dedupe_key_is_not_asked_of_a_delete_that_is_safe_to_rerun(sentence: str) -> None:
    text = _bank_text("what is the dedupe key, and where is it enforced")
    assert not anchors_for(RUBRIC).quotable(parse(sentence), 1, sentence, text, "mechanics.idempotent_ingestion")


@pytest.mark.parametrize(("ask", "text"), [
    ("online_selection", "Online materialization is enabled for feature sets used by online models."),
    ("online_selection", "Only the features read by online scoring are synced to the online store."),
    ("tenant_count", "We are single-tenant (B2C), so per-customer isolation is not a concern."),
    ("tenant_count", "This is a single company platform, not multi-tenant."),
])
def test_a_count_or_selection_said_in_other_words_is_stated(ask: str, text: str) -> None:
    assert PHRASES.states(answer_view(parse(text)), ask)


def test_a_tenancy_probe_is_not_put_to_a_single_tenant_answer() -> None:
    text = "# Design\n\nWe are single-tenant (B2C), so I didn't think about per-customer isolation.\n"
    asker = _Asker(RUBRIC, parse(text), text)
    for f in RUBRIC.followups:
        if f.criterion == "structure.requirements.tenancy" and f.depth != "missing":
            assert not asker.fits(f), f.text


def test_the_lake_and_warehouse_as_a_sentence_s_scope_is_not_the_platform_choice() -> None:
    sentence = "Every table in the lake and warehouse has column tags in the catalog."
    for f in RUBRIC.followups:
        if f.criterion == "structure.decisions.lakehouse_vs_warehouse" and "{quote}" in f.text:
            assert not anchors_for(RUBRIC).quotable(parse(sentence), 1, sentence, f.text, f.criterion)
