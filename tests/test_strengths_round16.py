""""What was strong" after the strengths labels of feedback round 16 (evals/feedback/round16): a cited line on
another idea than its heading's (alert de-duplication as a freshness target, tenant row-level security as a
low-latency API, erasure reaching backups as retention enforcement, a per-tenant token bucket as partitioning,
online latency targets as point-in-time joins, replication-slot monitoring as the processing-model choice,
Snowflake's compute "warehouse" as the lakehouse-vs-warehouse choice). Only what is cited changes, never a
level (rubric/followups.toml's `anchors.praise_excludes`)."""

from __future__ import annotations

import pytest
from grade.core.grader import get_rubric
from grade.feedback.mechanism import shows_own_idea


@pytest.mark.parametrize(("criterion", "line"), [
    ("mechanics.freshness_slo", "Same problem on the same table within 24 hours = one alert, not many"),
    ("mechanics.freshness_slo", "Alerts are de-duplicated per table for 24 hours so on-call gets a single alert."),
    ("mechanics.freshness_slo", "A repeat of the same failure within 6 hours is grouped into one alert."),
    ("prompt.realtime-analytics.product_api", "All tenants share the same tables with tenant_id, and row level "
     "security policies make sure a query from the dashboards can only see rows for the caller's tenant"),
    ("prompt.realtime-analytics.product_api", "The API applies a row access policy on tenant_id, so each customer "
     "only reads its own rows."),
    ("prompt.privacy-dsr.retention", "Backups and ML training snapshots listed as targets too; models retrain "
     "monthly, so no model keeps a deleted user more than 30 days"),
    ("prompt.privacy-dsr.retention", "Erasure requests also reach the backups: they age out after 35 days."),
    ("mechanics.partition_strategy", "Gateway token bucket per tenant at 2x contract; excess goes to an overflow "
     "topic so one spike doesn't lag everyone"),
    ("mechanics.partition_strategy", "Each tenant is rate limited at the gateway and throttled producers go to a "
     "separate partition."),
    ("prompt.feature-store.point_in_time", "Online: p99 < 20 ms lookups, ~5k reads/sec, features <= 15 min stale "
     "for the fraud model, daily for the rest"),
    ("prompt.feature-store.point_in_time", "Serving reads must answer within 10 ms at 3k QPS; features at most "
     "an hour old at prediction time."),
    ("structure.decisions.processing_model", "Debezium first does a snapshot of each table, then it streams from "
     "the slot. We watch the replication slot size in CloudWatch, because if the connector is down the WAL grows"),
    ("structure.decisions.processing_model", "We alert on replication slot lag, since streaming stops if the WAL "
     "fills the disk."),
    ("structure.decisions.lakehouse_vs_warehouse", "Going to seconds would mean a warehouse that never suspends "
     "for a benefit nobody has asked for"),
    ("structure.decisions.lakehouse_vs_warehouse", "A Small warehouse with auto-suspend after 60 s is enough, "
     "not a Large one, because the loads are tiny."),
])
def test_a_line_on_another_idea_than_its_heading_is_not_praised(criterion: str, line: str) -> None:
    assert not shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("mechanics.freshness_slo", "Tier-1 tables are fresh within 15 minutes, 99% of the time; a breach pages."),
    ("prompt.privacy-dsr.retention", "Training snapshots retained 90 days, models retrain monthly, so a deleted "
     "user is out of every live model within ~120 days"),
    ("prompt.privacy-dsr.retention", "A nightly job deletes rows older than 13 months by dropping whole date "
     "partitions."),
    ("mechanics.partition_strategy", "Events partitioned by event_date and clustered by tenant_id, because every "
     "dashboard query filters on both."),
    ("structure.decisions.lakehouse_vs_warehouse", "Snowflake rather than a lakehouse, because the team is SQL-only "
     "and there is no ML workload."),
])
def test_the_mechanism_is_still_praised(criterion: str, line: str) -> None:
    assert shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    # a wish for checks and monitoring, no check
    ("structure.operations.monitoring", "We would add tests on the data, like checking that important fields are "
     "not empty and that the values are in a reasonable range, and we would have monitoring so the team knows when "
     "something breaks"),
    ("structure.operations.monitoring", "Add data quality checks and monitoring so we find out when anything goes "
     "wrong."),
    ("structure.operations.monitoring", "Checks make sure values stay within reasonable limits and alert the team."),
    # a vendor's feature name-dropped
    ("mechanics.schema_evolution", "Also Snowflake has the schema evolution feature for the tables, so new columns "
     "are added automatically"),
    ("mechanics.schema_evolution", "Delta Lake supports automatic schema evolution, so new fields just appear."),
    ("mechanics.cost_levers", "These are materialized views in DLT, so Databricks takes care of incrementally "
     "refreshing them"),
    # an option, not the design
    ("structure.security.masking_audit", "For the personal data like email and phone we can use masking policies, "
     "so only the users with special role can see it"),
    ("structure.security.masking_audit", "We could apply dynamic masking on PII columns so analysts don't see them."),
    # a principle, no mechanism
    ("structure.correctness.merges", "I would stress that tokenised data is still personal data under GDPR, so it "
     "does not remove the need to delete rows"),
    ("structure.correctness.merges", "I'd point out that soft deletes still need the rows to be updated later."),
])
def test_a_platitude_is_not_praised(criterion: str, line: str) -> None:
    assert not shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("structure.operations.monitoring", "A freshness check every 15 min compares max(loaded_at) to the table's SLA "
     "and pages the owner on a breach."),
    ("mechanics.freshness_slo", "For the CORE and MART we use dbt, running in the task every 15 minutes, or we can "
     "use dynamic tables with a target lag of 15 minutes."),
    ("structure.security.masking_audit", "A masking policy on email and phone returns a hash unless the role is "
     "PII_READER; every read is logged in ACCESS_HISTORY."),
    ("mechanics.schema_evolution", "New nullable columns are allowed; a type change or a dropped column fails the "
     "contract check in CI."),
])
def test_a_mechanism_beside_those_words_is_still_praised(criterion: str, line: str) -> None:
    assert shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize("criterion", ["structure.correctness.merges", "prompt.cdc-lakehouse.updates_deletes"])
@pytest.mark.parametrize("line", [
    "Deletes are applied as soft deletes so no history is lost for audit",
    "We soft-delete instead of removing rows, to keep the history.",
    "Deletes become soft deletes in Silver, nothing is physically removed.",
])
def test_a_bare_soft_delete_is_not_praised(criterion: str, line: str) -> None:
    assert not shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize("line", [
    "A delete event (op = 'd') becomes a soft delete: the MERGE sets is_deleted = true and deleted_at.",
    "Deletes are soft deletes: a tombstone from Debezium marks the row with an is_deleted flag.",
])
def test_a_soft_delete_with_its_mechanism_is_still_praised(line: str) -> None:
    assert shows_own_idea(get_rubric()[1], "structure.correctness.merges", line)


@pytest.mark.parametrize("criterion", ["structure.operations.monitoring", "prompt.dq-observability.checks"])
@pytest.mark.parametrize("line", [
    "Results go to `DQ_MONITORING.CHECK_RESULTS` with status pass or fail",
    "Every check result is written to a dq_results table with pass/fail and a timestamp.",
    "The test outcomes are stored in a results table in Snowflake for later analysis.",
])
def test_a_line_that_only_stores_check_results_is_not_praised(criterion: str, line: str) -> None:
    assert not shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize("line", [
    "Results go to `DQ_RESULTS`; a failed row-count check against the 7-day average pages the owner.",
    "Volume check: row count below 50% of the 28-day median fails the load and alerts the owning team.",
])
def test_a_check_with_its_action_is_still_praised(line: str) -> None:
    assert shows_own_idea(get_rubric()[1], "structure.operations.monitoring", line)
