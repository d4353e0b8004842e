""""What was strong" cites a line with the mechanism of its own idea (rubric/strengths.toml's
`praise`, rubric/followups.toml's `anchors.praise_requires` and `anchors.praise_excludes`).

Feedback rounds 10 to 12: strengths both labellers called platitudes praised a slogan for a reason
("because it is more scalable", "the modern approach", "because that's the default"), a sentence not
settled ("We must check ...", "We'll ask teams to ..."), a line about another idea (a retention drop of
old partitions as query partitioning, data snapshots as a deployment's rollback, a replay no-op as the
kappa/lambda choice) or a key declaration as dedupe. None of this changes a level: only what is cited."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from grade.core.grader import get_rubric, grade_text
from grade.feedback.mechanism import shows_own_idea


def _without_praise_table():
    matcher = get_rubric()[1]
    blind = copy.copy(matcher)  # the same rubric without what keeps a line from praise
    blind.rubric = replace(matcher.rubric, praise=type(matcher.rubric.praise)(),
                           anchors=replace(matcher.rubric.anchors, praise_excludes={}, praise_requires={}))
    return blind


def _ruled_out_by_the_praise_table(criterion: str, line: str) -> None:
    assert not shows_own_idea(get_rubric()[1], criterion, line)
    assert shows_own_idea(_without_praise_table(), criterion, line)  # the idea's own terms are there


@pytest.mark.parametrize(("criterion", "line"), [
    ("structure.decisions.lakehouse_vs_warehouse", "Lakehouse vs warehouse: lakehouse, because it is more scalable "
     "and supports ML and BI on the same platform."),
    ("structure.decisions.lakehouse_vs_warehouse", "We go with a lakehouse rather than a warehouse since it's the "
     "modern approach and more flexible."),
    ("structure.decisions.processing_model", "Kappa over Lambda, because Kappa is the modern approach and simpler."),
    ("structure.decisions.processing_model", "Kappa rather than lambda, because it is the industry standard now."),
    ("mechanics.partition_strategy", "Partition by ingestion date because that's the default."),
    ("mechanics.partition_strategy", "Tables are partitioned by load date since it is the default in Glue."),
    ("prompt.feature-store.skew_prevention", "Both sides use the same feature names and the same logic, so values "
     "should match."),
    ("prompt.feature-store.skew_prevention", "Online and offline are populated by the same pipelines, so training "
     "and serving values are consistent by construction."),
    ("prompt.dq-observability.alert_routing", "Alerting is handled by integrating Monte Carlo and Airflow with Slack "
     "and PagerDuty, so that the right people are notified of issues in a timely manner."),
    ("prompt.dq-observability.lineage", "Lineage is managed centrally in Collibra, fed by OpenLineage from "
     "Airflow and Spark, so that everyone has a single pane of glass over where data comes from."),
])
def test_a_slogan_for_a_reason_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("prompt.privacy-dsr.deletion_propagation", "We must check that time travel of 7 days is acceptable for legal, "
     "since deleted rows stay readable until VACUUM runs."),
    ("prompt.privacy-dsr.deletion_propagation", "We still need to confirm with legal whether the 7 days of time "
     "travel before VACUUM removes deleted files are fine."),
    ("mechanics.backfill", "Backfill of a new streaming feature over 18 months (probably batch recompute from raw "
     "events, needs a parity check)."),
    ("mechanics.backfill", "I haven't decided whether a new feature version backfills the full 18 months from raw "
     "events or only going forward."),
])
def test_a_sentence_not_settled_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    # a retention drop of old partitions, or a bucket's lifecycle rule, is not a layout for queries
    ("mechanics.partition_strategy", "Cleaned tables: 2 years (tables are partitioned by event date, so the daily "
     "job that drops old partitions is cheap)."),
    ("mechanics.partition_strategy", "Events are partitioned by day so that the retention job can just delete "
     "expired partitions after 90 days."),
    # data snapshots that can be rolled back are not a deployment's rollback
    ("structure.operations.deployment", "Iceberg snapshots are also versioned so we can roll back a bad load in "
     "seconds."),
    # a replay that writes the same values again is idempotency; an availability lag is point-in-time
    # correctness; neither is why kappa, lambda or micro-batches
    ("structure.decisions.processing_model", "Writes are full overwrites of the window value (not increments), so "
     "when Flink restarts from a checkpoint and replays, it writes the same values again and nothing double counts."),
    ("structure.decisions.processing_model", "`availability_lag` is per feature group (daily batch = 1 day + 6 h), "
     "because at prediction time that value did not exist yet."),
    # OPTIMIZE and Z-order rewrite files; they remove no duplicates
    ("structure.correctness.idempotency", "Run `OPTIMIZE ... ZORDER BY (id)` on broken tables, it compacts and "
     "re-sorts so duplicates get cleaned up."),
])
def test_a_line_about_another_idea_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("prompt.realtime-analytics.dedupe", "SDK assigns `event_id` (UUIDv7) and client `event_ts`; server adds "
     "`ingest_ts`."),
    ("prompt.realtime-analytics.dedupe", "Every event carries an `event_id` (UUID generated at source) and an "
     "`event_time`."),
    ("prompt.cdc-lakehouse.updates_deletes", "Replay of same batch is no-op because of the lsn check, so "
     "at-least-once delivery is fine."),
])
def test_a_key_named_without_what_it_does_is_not_a_strength(criterion: str, line: str) -> None:
    _ruled_out_by_the_praise_table(criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("structure.decisions.lakehouse_vs_warehouse", "Lakehouse over a warehouse, because ML reads the same Parquet "
     "files directly and BI gets a 2 TB serving layer, instead of copying 40 TB into Snowflake."),
    ("mechanics.partition_strategy", "The events table is partitioned by event date and clustered by tenant_id, "
     "since every dashboard query filters on both."),
    ("prompt.realtime-analytics.dedupe", "The Flink job keyed by event_id drops repeats seen in the last 24 hours."),
    ("prompt.realtime-analytics.dedupe", "Duplicates: keyed state of `event_id` with 24 h TTL in RocksDB; repeats "
     "are dropped."),
    ("structure.correctness.merges", "Our loads are delete-and-insert for the partition, so a rerun is safe and "
     "creates no duplicates."),
    ("structure.security.deletion", "The erasure job deletes the user's rows from every silver table "
     "with a MERGE on user_id, then VACUUM removes the old files after 7 days."),
])
def test_the_mechanism_is_still_praised(criterion: str, line: str) -> None:
    assert shows_own_idea(get_rubric()[1], criterion, line)


ANSWER = """# Event analytics

## Ingestion

- Every event carries an `event_id` (UUID generated in the SDK) and an `event_time`.
- {dedupe}
- Events land in Kafka, keyed by tenant, and Flink writes per-minute rollups to ClickHouse.
"""


@pytest.mark.parametrize("dedupe", [
    "The Flink job keeps every `event_id` seen in the last 24 hours in RocksDB state and drops repeats.",
    "Duplicates: keyed state of `event_id` with a 24 h TTL; repeats are dropped before aggregation.",
    "Dedupe on `event_id` within a 24-hour window, since mobile clients retry after reconnecting.",
])
def test_the_dedupe_strength_cites_the_dedupe_not_the_id(dedupe: str) -> None:
    result = grade_text(ANSWER.format(dedupe=dedupe), prompt="realtime-analytics")
    cited = [s.text for s in result.critique.strengths if s.text.startswith("Idempotency and dedupe")]
    assert not any("UUID generated in the SDK" in t for t in cited)
    assert all("drop" in t or "Dedupe" in t for t in cited)


WRAPPED = """# Design

{para}
"""


@pytest.mark.parametrize(("para", "line", "quote", "sentence"), [
    ("We land the raw events in object storage in an open table format\n(append-only, the cheapest tier), so that "
     "Athena reads them ad hoc.\nThe API reads rollups.", 3, "We land the raw events in object storage in an open "
     "table format",
     "We land the raw events in object storage in an open table format (append-only, the cheapest tier), so that "
     "Athena reads them ad hoc"),
    ("Nightly batch jobs build the heavy things: retention cohorts, 90-day\nfunnels and the corrected daily rollups. "
     "Streaming feeds the rest.", 3, "Nightly batch jobs build the heavy things: retention cohorts, 90-day",
     "Nightly batch jobs build the heavy things: retention cohorts, 90-day funnels and the corrected daily rollups"),
    ("Tables are clustered on `subject_key` so the delete scans a fraction\nof each partition. Files are left as "
     "they are.", 4, "of each partition",
     "Tables are clustered on `subject_key` so the delete scans a fraction of each partition"),
])
def test_a_gap_quotes_the_candidates_whole_sentence_not_a_cut_clause(para, line, quote, sentence) -> None:
    """A gap says how far the answer got in the candidate's own sentence ("open table format (append-only,
    the" was cut where the file's line wraps); a sentence too long to quote keeps the clause."""
    from grade.core.document import parse
    from grade.core.results import Evidence
    from grade.feedback.critique import MAX_GAP_QUOTE_CHARS, _cite

    doc = parse(WRAPPED.format(para=para))
    assert _cite(Evidence(line=line, quote=quote), doc) == f'line {line}: "{sentence}"'
    assert _cite(Evidence(line=line, quote=quote)) == f'line {line}: "{quote}"'  # no answer at hand: the clause
    padded = para.replace(quote, quote + " and more words" * (MAX_GAP_QUOTE_CHARS // 10), 1)
    long = parse(WRAPPED.format(para=padded))  # the same sentence, too long to quote whole
    assert _cite(Evidence(line=line, quote=quote), long) == f'line {line}: "{quote}"'
