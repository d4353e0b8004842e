""""What was strong" praises one idea once (feedback rounds 15-16 duplicates): a freshness target after the
per-tenant freshness SLO, when the freshness idea was graded on that SLO's line too, is the same idea under a
second heading (rubric/strengths.toml `praise.one_idea`). Only what is cited changes, never a level."""

from __future__ import annotations

import pytest
from grade.core.grader import grade_text

_ANSWER = """## Real-time analytics

**Requirements**
- Around 2,000 tenants, 30k events/sec at peak.
- Dashboard in the product and a public API. {target}
- API latency p95 under 300 ms.

**Processing**
- Windows on event time, allowed lateness 10 minutes; a late event re-fires its window and overwrites the result.

**Multi-tenancy**
- Shared tables, `tenant_id` everywhere; the API adds the tenant filter from the auth token.

**Operations**
- {slo}
- Alerts on consumer lag and oldest unacked message age.
"""


@pytest.mark.parametrize("target", [
    "Data should be fresh in less than 1 minute.",
    "Dashboards must be at most 60 seconds behind the events.",
    "Freshness target: under one minute end to end.",
])
@pytest.mark.parametrize("slo", [
    "SLO per tenant: 99% of minutes, dashboard data is less than 2 minutes old. Measured from the job's lag.",
    "Per-tenant freshness SLO: data under 2 minutes old for 99% of minutes, measured per tenant from max(event_time).",
])
def test_a_freshness_target_is_not_praised_again_after_the_per_tenant_slo(target: str, slo: str) -> None:
    result = grade_text(_ANSWER.format(target=target, slo=slo), name="a.md", prompt="realtime-analytics")
    titles = [s.text.split(" (line")[0] for s in result.critique.strengths]
    assert "Per-tenant SLOs" in titles, titles
    assert "Freshness targets and SLOs" not in titles, titles


@pytest.mark.parametrize("line", [
    "Late events are handled naturally: since the materialized views are refreshed incrementally, late data gets "
    "included in the next refresh",
    "The rollups are recomputed incrementally every night, so corrections from late events land the next day.",
    "We materialize the aggregates and only process the new partitions, so late rows are picked up on the next run.",
])
def test_a_lever_word_used_for_late_data_is_not_a_cost_lever(line: str) -> None:
    from grade.core.grader import get_rubric
    from grade.feedback.mechanism import shows_own_idea
    assert not shows_own_idea(get_rubric()[1], "mechanics.cost_levers", line)


@pytest.mark.parametrize("line", [
    "Warehouses auto-suspend after 60 s, which cuts the compute bill roughly in half.",
    "Raw data moves to Glacier after 90 days to keep storage cost down.",
    "Incremental models only process the new partitions, so each run scans a day instead of the full history and "
    "costs a few credits.",
])
def test_a_cost_lever_that_speaks_of_cost_is_still_praised(line: str) -> None:
    from grade.core.grader import get_rubric
    from grade.feedback.mechanism import shows_own_idea
    assert shows_own_idea(get_rubric()[1], "mechanics.cost_levers", line)


@pytest.mark.parametrize("criterion", ["structure.operations.monitoring", "prompt.dq-observability.checks"])
@pytest.mark.parametrize("line", [
    "dbt tests and SQL checks for quality, `LAST_ALTERED` for freshness, `ACCESS_HISTORY` for lineage, Snowflake "
    "alerts for email and Slack, and a Streamlit dashboard",
    "Great Expectations for data quality, Monte Carlo for freshness and volume, OpenLineage for lineage and "
    "PagerDuty for alerting.",
    "Soda checks for quality, Airflow for orchestration, DataHub for lineage, Grafana for dashboards.",
])
def test_a_list_of_tools_each_for_a_purpose_is_not_a_check(criterion: str, line: str) -> None:
    from grade.core.grader import get_rubric
    from grade.feedback.mechanism import shows_own_idea
    assert not shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize("line", [
    "Volume check: row count below 50% of the 28-day median fails the load and alerts the owning team.",
    "Freshness check for tier-1 tables: max(loaded_at) older than 2 h pages the owner in Slack.",
])
def test_a_check_for_one_purpose_is_still_praised(line: str) -> None:
    from grade.core.grader import get_rubric
    from grade.feedback.mechanism import shows_own_idea
    assert shows_own_idea(get_rubric()[1], "structure.operations.monitoring", line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("structure.security.tenant_isolation", "Single tenant for now, so no tenant isolation yet"),
    ("structure.security.tenant_isolation", "We only have one customer, no row-level security for now."),
    ("structure.security.masking_audit", "PII columns like email or phone are not used as features, so we do not "
     "need masking here"),
    ("structure.security.masking_audit", "Nobody outside the team reads these tables, so we don't need any masking "
     "at all."),
])
def test_a_sentence_saying_the_design_has_none_of_it_is_not_praised(criterion: str, line: str) -> None:
    from grade.core.grader import get_rubric
    from grade.feedback.mechanism import shows_own_idea
    assert not shows_own_idea(get_rubric()[1], criterion, line)
