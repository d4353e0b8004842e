"""Which sentences state the design: a follow-up never quotes a non-goal or a rejected alternative as
a plan, a choice question quotes only the design, and a strength never cites a requirement, a goal,
the context or a risk (but for a stated target)."""

from __future__ import annotations

from grade.core.document import parse
from grade.core.grader import get_rubric, grade_text
from grade.feedback.anchors import CONTEXT, DESIGN, NOT_DESIGN, OPEN, anchors_for

ANSWER = """# Real-time KPIs for tenants

## Context

Today KPIs come from a nightly batch job, and customers want them within a minute.

## 1. Requirements

- Product API: p99 < 150 ms at ~2k QPS.

## 2. Architecture

- Flink aggregates per-minute counters keyed by (tenant_id, metric, minute), because the API reads by tenant.

**Non-goals:**
- Building our own anomaly detection models.
- Historical backfill beyond 90 days.

Out of scope: billing usage, which stays on the audited nightly pipeline.

## Alternatives considered

- Druid: rejected because the team has no operational experience with it.

## Risks and open questions

- Cost of running compaction at scale.

## Risks and mitigations

- Hot tenants: a dedicated partition for the top ten tenants.
"""


def _line(doc, words: str) -> int:
    return next(ln.number for ln in doc.lines if words in ln.text)


def test_a_sentence_takes_its_role_from_its_heading_its_list_label_and_its_own_lead_in() -> None:
    doc = parse(ANSWER)
    anchors = anchors_for(get_rubric()[0])
    role = lambda words: anchors.role(doc, _line(doc, words), words)  # noqa: E731
    assert role("Flink aggregates") == DESIGN
    assert role("Building our own anomaly") == NOT_DESIGN  # a bullet under a "Non-goals:" label line
    assert role("Historical backfill beyond") == NOT_DESIGN
    assert role("billing usage") == NOT_DESIGN  # its own "Out of scope:" lead-in
    assert role("Druid: rejected") == NOT_DESIGN  # "Alternatives considered", numbered or not
    assert role("Cost of running compaction") == OPEN
    assert role("Hot tenants") == DESIGN  # "Risks and mitigations": the mitigations are design
    assert role("Product API: p99") == CONTEXT  # under "1. Requirements"
    assert role("customers want them") == CONTEXT


def test_a_sentence_says_in_its_own_words_that_it_is_not_the_design() -> None:
    doc = parse("# A\n\n## Design\n\n- Cost profile at 3x volume is to be validated.\n"
                "- Single-tenant for now, so no tenant isolation question yet.\n"
                "- In this design I will explain how we bring the data into the lakehouse.\n")
    anchors = anchors_for(get_rubric()[0])
    assert anchors.role(doc, 5, "Cost profile at 3x volume is to be validated") == OPEN
    assert anchors.role(doc, 6, "Single-tenant for now, so no tenant isolation question yet") == NOT_DESIGN
    assert anchors.role(doc, 7, "In this design I will explain how we bring the data into the lakehouse") == CONTEXT


def test_a_choice_question_quotes_only_the_design_and_a_scenario_may_probe_a_risk() -> None:
    doc = parse(ANSWER)
    anchors = anchors_for(get_rubric()[0])
    risk, need = _line(doc, "Cost of running compaction"), _line(doc, "Product API: p99")
    choice = 'On "{quote}": what do you give up with that choice, and how do you compensate?'
    lever = 'You said "{quote}". Which lever saves the most here, and roughly how much?'
    scenario = 'Given "{quote}", one tenant triples traffic overnight. What saturates first?'
    assert not anchors.quotable(doc, risk, "Cost of running compaction at scale", lever)
    assert not anchors.quotable(doc, need, "Product API: p99 < 150 ms at ~2k QPS", choice)
    assert anchors.quotable(doc, need, "Product API: p99 < 150 ms at ~2k QPS", scenario)
    assert anchors.quotable(doc, risk, "Cost of running compaction at scale", scenario)
    non_goal = _line(doc, "Historical backfill beyond")
    assert not anchors.quotable(doc, non_goal, "Historical backfill beyond 90 days", scenario)


def test_a_strength_cites_the_design_not_the_requirement_but_a_target_is_its_own_mechanism() -> None:
    doc = parse(ANSWER)
    anchors = anchors_for(get_rubric()[0])
    need = _line(doc, "Product API: p99")
    api = "prompt.realtime-analytics.product_api"
    assert not anchors.praisable(doc, need, "Product API: p99 < 150 ms at ~2k QPS", api)
    assert anchors.praisable(doc, need, "Product API: p99 < 150 ms at ~2k QPS", "mechanics.freshness_slo")
    assert not anchors.praisable(doc, _line(doc, "Cost of running"), "Cost of running compaction at scale",
                                 "structure.decisions.cost_levers")


def test_no_follow_up_quotes_a_non_goal_and_no_strength_cites_the_requirements() -> None:
    text = ANSWER + """
## Serving

- The API reads pre-aggregated rows from ClickHouse, keyed by (tenant_id, metric, minute), so a widget
  query touches one tenant's rows; p99 is 40 ms in load tests.
- Late events up to 10 minutes re-fire the window; later ones go to a side table, because dashboards must not
  move after a day closes.
"""
    result = grade_text(text, name="a.md", prompt="realtime-analytics")
    for f in result.followups:
        for words in ("Building our own anomaly", "Historical backfill beyond", "billing usage", "Druid"):
            assert words not in f.question, f.question
    for s in result.critique.strengths:
        assert "p99 < 150 ms" not in s.text and "customers want" not in s.text, s.text


def test_a_sentence_does_not_end_inside_inline_code() -> None:
    from grade.feedback.quotes import whole_sentence

    doc = parse("# A\n\n- Each alert links a runbook: how to reload (rerun Snowpipe with `ALTER PIPE .. REFRESH`, "
                "or rerun the dbt model for one day). Owners are paged.\n")
    said = whole_sentence(doc, 3, "rerun Snowpipe with")
    assert said == ("Each alert links a runbook: how to reload (rerun Snowpipe with `ALTER PIPE .. REFRESH`, "
                    "or rerun the dbt model for one day)")


def test_a_fragment_or_a_window_partition_is_not_a_claim_to_quote() -> None:
    from grade.feedback.quotes import anchorable, is_fragment, shows_how

    window = "partition by l.user_id, l.label_time order by f.event_time desc) = 1"
    assert is_fragment(window) and not anchorable(window, "mechanics.partition_strategy")
    qualify = "Training rows are deduplicated with QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts) = 1"
    assert not anchorable(qualify, "mechanics.partition_strategy")
    assert anchorable(qualify, "structure.correctness.idempotency")
    assert is_fragment("error` elsewhere, or anomaly on tier-1")
    table = "Raw events are partitioned by event_date because every dashboard filters on a date range"
    assert not is_fragment(table) and anchorable(table, "mechanics.partition_strategy")
    # a clause cut from its sentence may still show the mechanism; the sentence cited is checked whole
    assert shows_how("`MERGE ... WHEN MATCHED AND s.lsn > t.lsn` so replays are a no-op", "mechanics.idempotency")


def test_a_bank_question_poses_a_scenario_but_never_asserts_what_the_answer_said() -> None:
    """"moves from 15 minutes to 5 seconds" told an answer with no 15-minute target that it had one;
    "Backups are immutable for 35 days" and "Your streaming job commits every minute" did the same."""
    import re

    asserted = re.compile(r"\bfrom \d+ ?(?:s|sec|seconds|min|minutes|h|hours|days)\b to\b"
                          r"|^(?:Your|You) [\w ]{0,30}?\b(?:commits|partition by|partition on|retains|keep)\b"
                          r"|\b(?:are|is) (?:immutable|kept|retained) for \d+", re.I)
    for q in get_rubric()[0].followups:
        own = re.sub(r'"\{quote\}"', "", q.text)
        assert not asserted.search(own), q.text


def _states(text: str, ask: str) -> bool:
    from grade.feedback.phrases import answer_view, phrases_for

    return phrases_for(get_rubric()[0]).states(answer_view(parse("# A\n\n" + text + "\n")), ask)


def test_the_answer_states_it_in_the_words_engineers_use() -> None:
    """Already answered, in phrasings the asks used to miss (rounds 4-6 labels)."""
    said = {
        "skew_detection": [
            "Serving logs the feature vector with request_id; a daily job recomputes a 1% sample offline "
            "and alerts on >0.5% mismatch.",
            "We compare those logged values to what the offline store says for the same user and time.",
            "A weekly job reconstructs the same vectors for a 1% sample and computes per-feature mismatch."],
        "served_logging": ["The recommendation API logs the exact feature vector it used per request."],
        "rerun_mechanism": [
            "Write, audit, publish: pipelines write to a staging snapshot, run checks, then swap it in.",
            "Tier 1 models build into a staging schema, then `ALTER SCHEMA ... SWAP WITH` reporting.",
            "The identity row is deleted last, so a partial failure can be retried."],
        "scd_type": ["Each run writes the latest value per customer; nobody has to think about history.",
                     "The online store keeps only the latest value per entity."],
        "replay_source": ["Because bronze has all the raw data, we can run again the pipeline from bronze.",
                          "It is an append-only table and our replay source."],
        "backfill_leak": ["The training-set builder joins on `available_ts <= label_ts`, not on `event_ts`.",
                          "`feature_ts` = when the value became available (landing time), not source event time.",
                          "Source owners append corrections as new rows instead of updating in place."],
        "retrain_policy": ["Models retrain on the normal 30-day cycle from erased data; the DPO has accepted this.",
                           "No retrain per request; a quarterly retrain was agreed with legal."],
        "feature_versioning": [
            "A new feature version gets a new name, and the old one stays live until models migrate.",
            "Models pin a version; `_v3` is dropped after its last consumer moves."],
        "restore_resurrection": ["For now the runbook says replay the ledger after any restore.",
                                 "Per-user keys for backups: key destroyed = backup copy unreadable."],
    }
    for ask, sentences in said.items():
        for sentence in sentences:
            assert _states(sentence, ask), (ask, sentence)
    # and not when the answer only names the topic
    assert not _states("We will monitor skew between training and serving.", "skew_detection")
    assert not _states("Backups: RDS snapshots (35 days) still contain deleted users until they age out.",
                       "restore_resurrection")
    assert not _states("Features are versioned.", "feature_versioning")


def test_capacity_chargeback_and_warehouse_levers_are_asked_of_pipeline_designs_only() -> None:
    text = """# Data quality checks for the warehouse

Tenants are the business units; each team owns its tables.

- Checks run after each dbt model: `not_null` and `unique` on keys, volume against the same weekday.
- Failing tier-1 checks block the publish, because consumers must not see a half-loaded table.
- Alerts route to the owning team from `meta.owner`, with a runbook link.
"""
    stock = ("what stops one of them from starving", "how do you attribute cost fairly",
             "how would you tell what each one costs you", "compute separation, caching, concurrency limits",
             "The CFO asks you to cut platform cost")
    for prompt in ("dq-observability", "privacy-dsr"):
        for f in grade_text(text, name="a.md", prompt=prompt).followups:
            assert not any(s in f.question for s in stock), f.question


def test_the_compiled_anchors_are_kept_on_disk_for_the_next_start(isolated_home) -> None:
    from grade.feedback.anchors import _load

    rubric = get_rubric()[0]
    first = _load(rubric)
    assert list((isolated_home / "cache" / "anchors").glob("*.marshal"))
    again = _load(rubric)  # from the disk cache
    doc = parse("## Non-goals\n\n- We will not build a real-time API for partners.\n")
    line = _line(doc, "real-time API")
    assert again.role(doc, line, "We will not build a real-time API for partners") == NOT_DESIGN
    assert first.role(doc, line, "We will not build a real-time API for partners") == NOT_DESIGN
