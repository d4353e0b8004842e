""""What was strong" after the strengths labels of feedback round 14 (evals/feedback/round14): a strength
cited a line on a neighbouring idea (request intake as merges, a table-format choice as lakehouse vs
warehouse, pinning a table version as schema evolution, a GDPR deletion or a backfill as the online store's
freshness, backfill throttling as tenant quotas, milliseconds saved as a cost lever, an alert on open
requests or a detection target as data checks, a BI tool's cache setting as a freshness target, a stream's
partition key as table partitioning), a generic statement ("our normal CI/CD"), a dismissal ("this
shouldn't matter much"), a plan for later, a retention period with nothing that enforces it, a piece cut
from inside code, or a sentence that holds one already praised. Only what is cited changes, never a level
(rubric/followups.toml's `anchors.praise_requires` and `anchors.praise_excludes`, rubric/strengths.toml's
`[praise]`)."""

from __future__ import annotations

import pytest
from grade.core.grader import get_rubric, grade_text
from grade.feedback.critique import _overlaps
from grade.feedback.mechanism import shows_own_idea
from grade.feedback.quotes import is_fragment

from tests.test_strengths_praise import _ruled_out_by_the_praise_table


@pytest.mark.parametrize(("criterion", "line"), [
    # how a request comes in is intake, not how deletes are applied to tables
    ("structure.correctness.merges", "In-app 'delete account' and the privacy form both call a `dsr-api` function "
     "that writes to a `dsr_requests` table (request_id, user_id, received_at, status)."),
    ("structure.correctness.merges", "When a user hits Delete my account, the app inserts a row into the "
     "`erasure_requests` table with the user id and timestamp."),
    ("prompt.cdc-lakehouse.updates_deletes", "When a user clicks delete my account, the app writes a tombstone row "
     "that the MERGE later applies as a delete."),
    # Delta vs Iceberg is a table format, not lakehouse vs warehouse
    ("structure.decisions.lakehouse_vs_warehouse", "Delta over Iceberg because our Spark setup already supports it "
     "and the ML team uses it."),
    ("structure.decisions.lakehouse_vs_warehouse", "We picked Iceberg rather than Delta for the lakehouse since "
     "Athena reads it natively."),
    ("structure.decisions.lakehouse_vs_warehouse", "Iceberg vs Delta: Iceberg, because Trino and Snowflake both "
     "read it."),
    # pinning a table version for a training set is reproducibility, not a schema rule
    ("mechanics.schema_evolution", "When a data scientist creates a training set, the job pins the Delta version of "
     "each feature table (`VERSION AS OF`) and records those versions in the dataset metadata."),
    ("mechanics.schema_evolution", "Training jobs pin the table version they read, so a schema change never "
     "alters an old training set."),
    # a GDPR deletion, keys aged out, a backfill: not how fresh the online store is
    ("prompt.feature-store.online_store", "Deletion: the GDPR job deletes by user_id from the Delta feature tables "
     "and the matching Redis keys; Redis TTLs of 30 days also age out inactive entities."),
    ("prompt.feature-store.online_store", "Backfill: new version backfilled offline from raw, throttled per "
     "partition; online bulk-loaded before the model flips; old version kept 30 days for rollback."),
    # a throttled backfill is a backfill, not a tenant's quota
    ("tenancy.quotas", "A backfill is a per-tenant, per-day partition overwrite behind a versioned job, throttled "
     "per tenant so it never competes with live traffic."),
    ("tenancy.quotas", "Backfills are throttled to 4 partitions per tenant at a time."),
    # milliseconds saved are latency, not cost
    ("mechanics.cost_levers", "Point reads already hit 6 ms p99; a cache adds a second copy to invalidate and a "
     "consistency bug class to save 2 ms."),
    ("mechanics.cost_levers", "A cache in front of the API would cost another cluster to save 5 ms per call."),
    # an alert on open requests, or a detection target: not the data checks
    ("structure.operations.monitoring", "Alert if any request is open > 10 days."),
    ("structure.operations.monitoring", "Alert if a request is older than 21 days and not closed."),
    ("prompt.dq-observability.checks", "Detect issues before consumers do: a tier-1 freshness or volume break "
     "detected in < 15 min, tier 2 within 2 h."),
    # a BI tool's cache refresh is not a freshness target
    ("mechanics.freshness_slo", "Looker Studio also has data freshness setting, we set it to 15 minutes."),
    ("structure.requirements.latency", "Power BI refreshes its dataset cache every 30 minutes, so dashboards are "
     "at most 30 minutes behind."),
    ("mechanics.freshness_slo", "Tableau extracts refresh every 15 minutes, so the dashboards are fresh within 15 "
     "minutes."),
    # a stream's partition key orders and spreads events; it is not table partitioning for queries
    ("mechanics.partition_strategy", "Events go into Kinesis Data Streams in on-demand mode, partition key "
     "`tenant_id#user_id`, so per-user ordering is preserved while large tenants still spread across shards."),
    # a verification query that must find zero rows audits a deletion; it masks nothing
    ("prompt.privacy-dsr.masking", "Ten days after the run, a verification job queries every `SubjectKey` table "
     "for the hashed ids and must find zero."),
    # a retention period alone: nothing enforces it
    ("prompt.privacy-dsr.retention", "Keep raw events 2 years, then drop old data."),
    ("prompt.privacy-dsr.retention", "Raw data retention: 13 months, curated data 3 years."),
])
def test_a_line_on_a_neighbouring_idea_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    # a generic statement, a dismissal, a plan for later
    ("structure.operations.deployment", "We'd deploy all of it through our normal CI/CD, and the checks would live "
     "in git next to the pipeline code so they get reviewed like any other code."),
    ("structure.operations.deployment", "Pipelines deploy through the existing CI/CD, versioned in git like any "
     "other code."),
    ("structure.correctness.merges", "Deletes: Debezium sends delete events too; we mostly soft-delete in the app "
     "anyway so this shouldn't matter much."),
    ("structure.correctness.merges", "Hard deletes are rare and the merge should be straightforward, so updates "
     "are applied as they come."),
    ("mechanics.backfill", "We skip SCD2: the bronze tables keep every change event, so if someone needs history "
     "later we can rebuild it from bronze."),
])
def test_a_generic_or_dismissive_sentence_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("structure.correctness.merges", "For each table tagged `subject_key`, a job runs `DELETE FROM t WHERE user_id "
     "IN (SELECT user_id FROM dsr_batch)`."),
    ("structure.decisions.lakehouse_vs_warehouse", "Lakehouse rather than a warehouse, because the ML team reads "
     "the same Parquet files and BigQuery would double storage."),
    ("mechanics.schema_evolution", "Additive columns flow through; breaking changes are rejected by the schema "
     "registry's backward compatibility check."),
    ("prompt.feature-store.online_store", "The online store is Redis, refreshed by a streaming job within 30 s of "
     "the event."),
    ("tenancy.quotas", "Each tenant has an ingest quota of 5k events/s; above it the API returns 429."),
    ("mechanics.cost_levers", "Warehouses auto-suspend after 5 minutes idle, which cut the compute bill by 30%."),
    ("prompt.dq-observability.checks", "Freshness: a task every 5 min compares `max(_loaded_at)` to the table's "
     "max lag and alerts the owner."),
    ("mechanics.freshness_slo", "Dashboards must be fresh within 5 minutes at p95, measured from event time and "
     "alerted on breach."),
    ("mechanics.partition_strategy", "Partitioning: `fact_order_lines` partitioned by `order_month`, because almost "
     "all queries filter a month."),
    ("prompt.privacy-dsr.retention", "Retention by partition expiration (raw 13 months, clickstream 25 months), "
     "not by jobs."),
    ("prompt.privacy-dsr.retention", "Partitions older than 13 months are dropped by retention anyway."),
    ("prompt.privacy-dsr.retention", "`VACUUM` with 7-day retention, so time travel copies are gone inside the "
     "30-day window."),
    ("structure.operations.deployment", "dbt models deploy through CI with a slim build; a bad release is rolled "
     "back by pinning the previous tag within 10 minutes."),
])
def test_the_mechanism_is_still_praised(criterion: str, line: str) -> None:
    assert shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize("text", [
    "DELETE` by subject_key, then `VACUUM",
    "MERGE` on the key, then `OPTIMIZE",
    "event_id`, then dedupe on `ts",
])
def test_a_piece_cut_from_inside_code_is_a_fragment(text: str) -> None:
    assert is_fragment(text)


@pytest.mark.parametrize("text", [
    "run `VACUUM` with 7-day retention",
    "`MERGE` on the key, then `OPTIMIZE`",
    "the `lsn`, `ts` and `op` fields",
])
def test_code_spans_whole_are_not_a_fragment(text: str) -> None:
    assert not is_fragment(text)


def test_a_quote_that_holds_a_sentence_praised_on_another_line_is_a_duplicate() -> None:
    praised = {(91, "The condition on `_lsn` makes it idempotent: replaying an old batch does nothing")}
    two = ("We dedupe inside the batch, keep the last version by LSN, then MERGE. The condition on `_lsn` makes it "
           "idempotent: replaying an old batch does nothing")
    assert _overlaps(two, 90, praised)
    assert not _overlaps("We dedupe inside the batch, keep the last version by LSN, then MERGE", 90, praised)


RUNS_ON = """# CDC into the lakehouse

## Correctness

- For every micro-batch we first dedupe inside the batch (same key can change 5 times in one minute), keep only
the last version by LSN, and then MERGE into the current-state table. {second}
- {third}
"""


@pytest.mark.parametrize(("second", "third"), [
    ("The condition on `_lsn` makes it idempotent: replaying an old batch does nothing because the target "
     "already has a newer LSN.", "Deletes arrive as tombstones and the MERGE deletes the row."),
    ("Because of the `_lsn` guard a replayed batch is a no-op: the target already holds a newer LSN.",
     "A delete event (op = d) makes the MERGE remove the key from the current table."),
])
def test_one_sentence_is_praised_once_though_quoted_across_lines(second: str, third: str) -> None:
    result = grade_text(RUNS_ON.format(second=second, third=third), prompt="cdc-lakehouse")
    said = [s.text.split('"', 1)[1] for s in result.critique.strengths]
    for i, a in enumerate(said):
        for b in said[i + 1:]:
            assert a.rstrip('"') not in b and b.rstrip('"') not in a
