""""What was strong" after the strengths labels of feedback round 13 (evals/feedback/round13): a strength
cited a line that holds the idea's words in another idea's sense (a dedupe watermark or an `updated_at`
load cursor for late data, a versioned spec for idempotency, compaction for point-in-time joins, a TTL
for storage as online freshness, masking as schema evolution, a rate limit "raised per contract" as a
schema contract, a feature's window as a freshness target, a backfill as merges), a claim that is
wrong (a vendor's uptime SLA as per-tenant SLOs, Kafka log compaction as the fix for small files, in the
sentence that goes on from it), or a line with no mechanism of its own (a bare "cheaper" as a cost
lever, a batch MERGE as audit evidence, "minutes freshness" as a target). Only what is cited changes,
never a level (rubric/followups.toml's `anchors.praise_requires` and `anchors.praise_excludes`)."""

from __future__ import annotations

import pytest
from grade.core.grader import get_rubric, grade_text
from grade.feedback.mechanism import shows_own_idea
from grade.feedback.quotes import shown

from tests.test_strengths_praise import _ruled_out_by_the_praise_table


@pytest.mark.parametrize(("criterion", "line"), [
    # a watermark that bounds dedupe state, or a load cursor, says nothing of late events
    ("mechanics.watermarks", "In the stream I use `dropDuplicatesWithinWatermark(event_id)` with a 24 h watermark "
     "in state."),
    # a versioned spec is how logic changes ship, not how a retry stays harmless
    ("prompt.realtime-analytics.dedupe", "A feature view is a versioned spec in the repository: entity key "
     "(`merchant_id`, `card_id`), source, windows, owner. CI validates it and rejects a change to an existing "
     "version; changing logic means a new version (`txn_count_24h:v3`), old version lives until no model "
     "references it."),
    ("structure.correctness.idempotency", "Transformations are versioned code, and changing the logic means a new "
     "version of the table, so a retry never overwrites the old one."),
    # compaction serves the files, not the as-of join
    ("prompt.feature-store.point_in_time", "Small files: a nightly Iceberg rewrite compacts to ~512 MB files, sorted "
     "by `entity_id` to make as-of joins prune well."),
    ("prompt.feature-store.point_in_time", "A weekly OPTIMIZE compacts the offline files to 512 MB, sorted by "
     "entity_id, so the as-of join prunes well."),
    # a TTL that saves storage is not the online store's freshness
    ("prompt.feature-store.online_store", "TTLs on online items (DynamoDB TTL, per view) so dormant accounts don't "
     "accrue storage."),
    ("prompt.feature-store.online_store", "Redis keys get a 30 day TTL to keep memory costs down."),
    # masking of tagged columns, or a rate limit raised per contract, is not a schema rule
    ("mechanics.schema_evolution", "Tag-based masking means new columns are protected automatically once tagged."),
    ("mechanics.schema_evolution", "Noisy neighbours: per-tenant rate limits at the ingest API (token bucket, "
     "default 2k events/s, raised per contract)."),
    # a vendor's uptime is not a per-tenant objective
    ("prompt.realtime-analytics.tenant_slo", "Snowflake gives 99.9% SLA, so per-tenant SLA is covered by the "
     "contract."),
    ("prompt.realtime-analytics.tenant_slo", "Per-tenant SLOs are handled by the cloud provider's 99.95% "
     "availability SLA."),
    # Kafka log compaction keeps a key's last record; it neither sizes nor compacts table files
    ("mechanics.small_files", "Kafka log compaction on the raw topic removes small files and duplicates before the "
     "load, so we don't need a compaction job."),
    ("mechanics.small_files", "The topic is compacted (cleanup.policy=compact), so small files never reach the "
     "warehouse and there is no compaction job."),
    # a feature's window is not how fresh it must be; "minutes freshness" names no target
    ("mechanics.freshness_slo", "Streaming for the few fresh ones (cart count last 30 min, failed payments last 1h), "
     "computed continuously."),
    ("structure.requirements.latency", "The Flink job only handles the handful of features that need minutes "
     "freshness (cart size last 15 min, session clicks)."),
    # a backfill into a new version is a backfill, not a merge
    ("structure.correctness.merges", "Backfill a new feature: run the batch job over 1 year of history, write to a "
     "new version, switch the model to it."),
    # "cheaper" with no lever; a batched MERGE with no record of it
    ("mechanics.cost_levers", "Delta on object storage is cheaper for 2 TB/day raw."),
    ("mechanics.cost_levers", "Snowflake would cost 3x more than BigQuery for this volume."),
    ("prompt.privacy-dsr.audit_evidence", "Deletes run as one daily batch MERGE per table using the ledger as the "
     "source, not per request: one MERGE is far cheaper than 130 small rewrites."),
])
def test_a_line_in_another_sense_or_without_the_mechanism_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("mechanics.late_data", "Events later than the 10 minute watermark go to a side output and a nightly job "
     "recomputes the affected partitions."),
    ("structure.correctness.late_data", "The incremental load re-reads a 2 hour overlap below the `updated_at` "
     "watermark, so late-committed rows are not missed."),
    ("prompt.realtime-analytics.dedupe", "Flink dedupes on `event_id` with keyed state kept 24 h, so SDK retries "
     "are dropped."),
    ("prompt.feature-store.point_in_time", "The training set is an as-of join: for each label we take the latest "
     "feature row with `feature_ts <= label_ts`."),
    ("prompt.feature-store.online_store", "The online store is Redis, refreshed by a streaming job within 30 s of "
     "the event."),
    ("mechanics.schema_evolution", "Additive columns flow through; breaking changes are rejected by the schema "
     "registry's backward compatibility check."),
    ("mechanics.small_files", "Flink commits every 5 minutes and a nightly job compacts the partitions to 512 MB "
     "files."),
    ("mechanics.freshness_slo", "Dashboards must be fresh within 5 minutes at p95, measured from event time and "
     "alerted on breach."),
    ("tenancy.quotas", "Each tenant has an ingest quota of 5k events/s; above it the API returns 429."),
    ("tenancy.quotas", "Per-tenant rate limits at the gateway (token bucket, 2k req/s)."),
    ("tenancy.quotas", "Big tenants get their own warehouse so one tenant cannot starve the others."),
    ("mechanics.cost_levers", "Warehouses auto-suspend after 5 minutes idle, which cut the compute bill by 30%."),
    ("prompt.privacy-dsr.audit_evidence", "Each deletion is recorded in an append-only ledger with its timestamp "
     "and the tables it touched."),
])
def test_the_mechanism_is_still_praised(criterion: str, line: str) -> None:
    assert shows_own_idea(get_rubric()[1], criterion, line)


KAFKA = """# Event analytics

## Small files and storage

{para}
"""


@pytest.mark.parametrize("para", [
    "Kafka topic uses log compaction by event_id. So duplicates and small files are cleaned before Snowflake, and "
    "we don't need an extra job for compaction.",
    "The topic is compacted (cleanup.policy=compact). This means small files never reach the warehouse and no "
    "compaction job is needed.",
    "We rely on Kafka log compaction on the raw topic. That way small files are removed before loading, so there "
    "is no compaction job.",
])
def test_a_sentence_that_goes_on_from_another_sense_is_not_praised(para: str) -> None:
    result = grade_text(KAFKA.format(para=para), prompt="realtime-analytics")
    assert not any(s.text.startswith("Compaction and small files") for s in result.critique.strengths)


@pytest.mark.parametrize(("quote", "printed"), [
    ("**Freshness:** tiles fresh within **60 s at p95**", "Freshness: tiles fresh within 60 s at p95"),
    ("Storage**: Lakehouse on Delta", "Storage: Lakehouse on Delta"),
    ("**Dedupe:** on `event_id` for **24 h**", "Dedupe: on `event_id` for 24 h"),
    ("the `__deleted` flag marks deletes", "the `__deleted` flag marks deletes"),
])
def test_a_quote_prints_without_bold_marks(quote: str, printed: str) -> None:
    assert shown(quote) == printed


MERGE = """# CDC lakehouse

## Merge

- Debezium streams changes from Postgres to Kafka, and a job lands them in bronze.
- {guard}
  {so}
- Silver tables are partitioned by order date for the reports.
"""


@pytest.mark.parametrize(("guard", "so"), [
    ("The MERGE applies only if the incoming `lsn` is greater than the stored `_lsn`.",
     "So replaying the same batch twice changes nothing."),
    ("The MERGE on `order_id` updates a row only when the change's `lsn` is greater than the stored `_lsn`.",
     "Thus a replay of the same batch twice is a no-op."),
    ("Upserts into silver run as a MERGE keyed on `order_id`, applied only if `s.lsn > t._lsn`.",
     "So rerunning the same batch twice leaves the table unchanged."),
])
def test_a_mechanism_and_the_sentence_that_goes_on_from_it_are_praised_once(guard: str, so: str) -> None:
    result = grade_text(MERGE.format(guard=guard, so=so), prompt="cdc-lakehouse")
    lines = [s.line for s in result.critique.strengths]
    assert lines and not (6 in lines and 7 in lines)  # the guard (line 6) and what follows from it (line 7)


def test_a_gap_keeps_the_acronyms_of_a_title() -> None:
    from grade.feedback.critique import _lower

    assert _lower("Latency / freshness SLO") == "latency / freshness SLO"
    assert _lower("Data deletion pipeline (GDPR/DSR)") == "data deletion pipeline (GDPR/DSR)"
    assert _lower("Small-file problem prevention") == "small-file problem prevention"


@pytest.mark.parametrize(("row", "quote", "cited"), [
    ("| Marts | dbt on Trino | daily KPIs, funnels | hourly |", "Marts | dbt on Trino | daily KPIs",
     "Marts | dbt on Trino | daily KPIs"),
    ("| Lake | Iceberg on S3 | all events | ~10 min |", "Lake | Iceberg on S3", "Lake | Iceberg on S3"),
])
def test_a_gap_quotes_a_table_row_as_read_not_its_first_cell(row: str, quote: str, cited: str) -> None:
    from grade.core.document import parse
    from grade.core.results import Evidence
    from grade.feedback.critique import _cite

    doc = parse(f"# Design\n\n| Tier | Engine | Data | Freshness |\n|---|---|---|---|\n{row}\n")
    assert _cite(Evidence(line=5, quote=quote), doc) == f'line 5: "{cited}"'


SMALL_FILES = """# Event analytics

## Storage

- Events land in Kafka and Spark writes them to Delta every minute.
- {line}
- Queries filter by tenant and date.
"""


@pytest.mark.parametrize("line", [
    "Streaming writes produce small files; silver has optimized writes on, auto-compaction, and a nightly "
    "`OPTIMIZE ... ZORDER BY (tenant_id, user_id)`.",
    "Small files from streaming are handled by auto-compaction and a nightly `OPTIMIZE ... ZORDER BY (tenant_id)`.",
    "A nightly OPTIMIZE with Z-order on tenant_id compacts the small files the stream writes.",
])
def test_a_gap_never_quotes_one_sentence_twice(line: str) -> None:
    result = grade_text(SMALL_FILES.format(line=line), prompt="realtime-analytics")
    for gap in result.critique.gaps:
        quotes = [q for q in gap.text.split('"')[1::2] if q]
        assert len(quotes) == len(set(quotes)), gap.text


# A request volume with a legal limit is the load, not a quota on it (round 11). Since judge16c the
# quotas detector itself no longer reads a bare "limit" with a number as a quota, so these lines are
# ruled out before the praise table is consulted.
@pytest.mark.parametrize("line", [
    "Around 1,800 erasure requests a week, peaks of 6,000 after marketing pushes; 30-day legal limit, internal "
    "target 10 days.",
    "Peaks of 6,000 requests a day after marketing pushes; 30-day legal limit, internal target 10 days.",
    "Around 500 queries per minute at peak, with a limit of 30 days for reports.",
])
def test_a_legal_or_report_limit_is_not_a_quota(line: str) -> None:
    assert not shows_own_idea(get_rubric()[1], "tenancy.quotas", line)


@pytest.mark.parametrize("line", [
    "Dedupe state is bounded by a 24 hour watermark on `event_ts`.",
    "For incremental loads we keep a watermark. The watermark is the maximum `updated_at` value we loaded last time.",
    "Each run reads rows above the high watermark, i.e. the max(`modified_at`) of the previous run.",
])
def test_a_load_cursor_or_a_dedupe_bound_is_not_late_data(line: str) -> None:
    """Since round 18 the late-data criterion reads watermarks only in the event-time sense
    (`event_time_lateness`): a load cursor or a bound on dedupe state is ruled out by the detectors
    themselves, not only by the praise table."""
    assert not shows_own_idea(get_rubric()[1], "structure.correctness.late_data", line)
