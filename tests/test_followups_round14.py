"""Feedback round 14: a stock scenario hung on a line it does not fit, a scenario the quoted line already
resolves, and questions asking for what the answer states in words the `[asks]` tables missed. A question
quotes only a line in its own sense (`quote_excludes`: a duplicate *check* is not idempotency, a replay that
must not resurrect a deleted user or a crypto-shredded key is not a backfill, a landing bucket's layout or a
partition rewritten to delete rows is not a partitioning choice); a question naming a table format or a
MERGE on a table presupposes one (`presupposes`); and it is not asked when the answer says it, in the
several ways an engineer says it (`asks`)."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric
from grade.feedback.anchors import NOT_DESIGN, anchors_for
from grade.feedback.followups import _Asker
from grade.feedback.phrases import Phrases, answer_view


@pytest.fixture(scope="module")
def phrases() -> Phrases:
    return Phrases(get_rubric()[0])


def _question(fragment: str):
    hits = [q for q in get_rubric()[0].followups if fragment in q.text]
    assert len(hits) == 1, fragment
    return hits[0]


QUOTABLE = [
    # a duplicate check or metric is data quality, not idempotent writes
    ("Column: data metric functions scheduled on the table: NULL_COUNT, DUPLICATE_COUNT on keys, FRESHNESS.",
     "mechanics.idempotent_ingestion", False),
    ("Add Great Expectations checks for the key tables, covering nulls, duplicates and value ranges.",
     "structure.correctness.idempotency", False),
    ("dbt tests: not_null and unique on every primary key; duplicate checks on the fact tables.",
     "structure.correctness.idempotency", False),
    ("Monitors track row counts, duplicates and freshness per table.", "mechanics.idempotent_ingestion", False),
    ("Duplicate events are dropped on event_id within 24 h.", "mechanics.idempotent_ingestion", True),
    ("Since Delta is ACID the duplicates and late events should mostly take care of themselves.",
     "structure.correctness.idempotency", True),
    # a replay filter for deleted users, or a shredded key, is deletion, not a backfill
    ("The consumer that lands data in raw drops events for users deleted in the last 7 days, so a replay "
     "doesn't bring them back.", "mechanics.backfill", False),
    ("Replays from the topic are filtered against the erasure ledger so deleted users never come back.",
     "mechanics.backfill", False),
    ("Crypto-shredding for immutable raw (object storage, topic replay): delete the user's key instead of "
     "rewriting petabytes.", "mechanics.backfill", False),
    ("We destroy the per-user encryption key, so replayed history is unreadable for that user.",
     "mechanics.backfill", False),
    ("Backfills replay Bronze by date range into a shadow table, then swap.", "mechanics.backfill", True),
    # re-running deletions, or rebuilding in notebooks, is not a backfill of state
    ("If we restore, we must re-run all deletions since the restore point.", "structure.decisions.state_backfill",
     False),
    ("Today every team rebuilds features in notebooks.", "structure.decisions.state_backfill", False),
    ("Replays and backfills join against a deleted_users suppression list, so a reprocessed day does not bring "
     "deleted users back.", "structure.decisions.state_backfill", True),
    # a landing bucket's layout, or a partition rewritten to delete a person, is not a partitioning choice
    ("The connector writes Avro files to a landing bucket, partitioned by table and hour.",
     "mechanics.partition_strategy", False),
    ("Weekly job rewrites affected partitions of raw and cleaned tables, removing rows by person key.",
     "mechanics.partition_strategy", False),
    ("Delete the subject's records, then rewrite the touched partitions.", "mechanics.partition_strategy", False),
    ("Silver orders: partition by created_date (month), cluster by merchant_id.", "mechanics.partition_strategy",
     True),
]


@pytest.mark.parametrize(("sentence", "criterion", "quotable"), QUOTABLE)
def test_a_question_quotes_only_a_line_in_its_sense(sentence: str, criterion: str, quotable: bool) -> None:
    rubric = get_rubric()[0]
    assert anchors_for(rubric).quotable(parse(sentence), 1, sentence, "a question", criterion) is quotable


@pytest.mark.parametrize("sentence", [
    "Why not Azure Data Factory incremental copy with watermark column?",
    "Why not just use Kafka Streams for everything?",
    "- why not a warehouse-only design? Because ML reads files.",
])
def test_a_rejected_alternative_asked_as_a_question_is_not_the_design(sentence: str) -> None:
    assert anchors_for(get_rubric()[0]).role(parse(sentence), 1, sentence) == NOT_DESIGN


COMPONENTS = [
    # a MERGE into a key-value store is an upsert by key, not a MERGE rewriting files
    ("Rest is daily batch MERGE into Cosmos, only changed rows.", "merge_statement", False),
    ("Features are merged into DynamoDB by entity id.", "merge_statement", False),
    ("Nightly merge to the online store (Redis).", "merge_statement", False),
    ("Silver is a MERGE from Bronze every 10 minutes.", "merge_statement", True),
]


@pytest.mark.parametrize(("answer", "component", "mentioned"), COMPONENTS)
def test_round14_components(phrases: Phrases, answer: str, component: str, mentioned: bool) -> None:
    assert phrases.mentions(answer_view(parse(answer)), component) is mentioned


ASKS = [
    # backfills kept off the live path
    ("A backfill is a per-tenant partition overwrite, throttled per tenant so it never competes with live "
     "traffic.", "backfill_isolation", True),
    ("Backfills run on their own job cluster, separate from the streaming cluster.", "backfill_isolation", True),
    ("We run backfills off-peak at low priority.", "backfill_isolation", True),
    ("Backfills use a dedicated warehouse so dashboards are not slowed.", "backfill_isolation", True),
    ("Backfills replay Bronze by date range.", "backfill_isolation", False),
    # a MERGE kept to the partitions it needs
    ("Real DELETE in BigQuery, batched daily with one MERGE per table, not per request, partition-pruned by "
     "the user's first/last seen date.", "merge_pruning", True),
    ("The MERGE on silver is cluster-pruned on customer_id and date.", "merge_pruning", True),
    ("Silver is a MERGE from Bronze every 10 minutes.", "merge_pruning", False),
    # how readers filter, beside the key
    ("Partition by created_date (month), cluster by merchant_id. Queries filter merchant + date.",
     "partition_fit", True),
    ("Partition key = entity_id, point reads by id.", "partition_fit", True),
    ("Clustered by tenant because dashboards always filter by tenant.", "partition_fit", True),
    ("Bronze is partitioned by ingest date.", "partition_fit", False),
    # the compatibility policy said as what passes and what fails
    ("New columns are added automatically; a rename or type change fails the job on purpose.",
     "compatibility_mode", True),
    ("Renames and dropped columns are rejected at the registry.", "compatibility_mode", True),
    ("Additive columns get auto-added; removed fields block the deploy.", "compatibility_mode", True),
    ("Postgres schema changes about two times per month.", "compatibility_mode", False),
    ("We allow Delta to add the column automatically in bronze and silver.", "new_column_policy", True),
    ("Columns are added automatically when the source adds them.", "new_column_policy", True),
    # hard deletes said through the table format's mechanics
    ("MERGE / DELETE with deletion vectors, then VACUUM.", "delete_representation", True),
    ("Rows are deleted, and a weekly VACUUM purges the old files.", "delete_representation", True),
    ("Users can request deletion.", "delete_representation", False),
    # backups made unreadable by destroying the key
    ("Per-person key destruction makes backup copies unreadable.", "restore_resurrection", True),
    ("We revoke the user's key, so the backups are undecryptable for them.", "restore_resurrection", True),
    ("Backups are kept for 35 days.", "restore_resurrection", False),
    # audit records without personal data
    ("An append-only dsr_audit table (no PII, only request_id and hashed user id).", "audit_pseudonym", True),
    ("The audit log keeps no personal values, only the random person key and the request id.",
     "audit_pseudonym", True),
    ("Every step writes a row to the audit table.", "audit_pseudonym", False),
    # late changes recomputed where they landed
    ("Gold is rebuilt for every day that got changes in the batch.", "late_policy", True),
    ("Changed keys in old partitions are recomputed from the change feed.", "late_policy", True),
    ("Affected dates get reprocessed the next night.", "late_policy", True),
    ("Gold is built every 10 minutes from silver.", "late_policy", False),
    # seasonal statistical baselines said in other words
    ("Statistical monitoring against the same weekday over the previous weeks.", "anomaly_model", True),
    ("Compare with the same hour of the week over the last 8 weeks.", "anomaly_model", True),
    ("Alert when a table is empty.", "anomaly_model", False),
    ("Owners can mark expected dips (holiday, migration); those are excluded from the baseline.",
     "holiday_handling", True),
    ("A holiday calendar suppresses alerts on known days.", "holiday_handling", True),
    ("We flag holidays so the detector skips them.", "holiday_handling", True),
    ("Alerts page the owner.", "holiday_handling", False),
    # where the signals come from
    ("Collectors pull metadata and stats from the warehouse and the pipelines.", "signal_source", True),
    ("Freshness is read from the information schema of each table.", "signal_source", True),
    ("A checks engine runs quality checks on a schedule.", "signal_source", False),
    # which features are online
    ("Only feature sets used by online models are materialized online.", "online_selection", True),
    ("The online store holds only the features served to the fraud model.", "online_selection", True),
    ("Online materialization runs on the same schedule.", "online_selection", False),
    # consumers never see a half-written output
    ("Output stays in staging; consumers keep reading the last good snapshot.", "rerun_mechanism", True),
    ("Dashboards continue to query the previous published version until checks pass.", "rerun_mechanism", True),
]


@pytest.mark.parametrize(("answer", "ask", "stated"), ASKS)
def test_round14_asks(phrases: Phrases, answer: str, ask: str, stated: bool) -> None:
    assert phrases.states(answer_view(parse(answer)), ask) is stated


@pytest.mark.parametrize(("fragment", "field", "ids"), [
    ("The backfill competes with live jobs", "asks", ["backfill_isolation"]),
    ("does it match how people actually filter", "asks", ["partition_fit"]),
    ("Why that table format over the alternatives", "presupposes", ["file_tables"]),
    ("Which table format, and what do you rely on it for", "presupposes", ["file_tables"]),
    ("A holiday causes a legitimate 60% dip", "asks", ["holiday_handling"]),
    ("beyond static rules", "asks", ["anomaly_model"]),
    ("Where do those signals come from", "asks", ["signal_source"]),
    ("keeping every feature online", "asks", ["online_selection"]),
])
def test_the_round14_questions_carry_what_they_lean_on(fragment: str, field: str, ids: list[str]) -> None:
    assert getattr(_question(fragment), field) == ids


def test_the_retired_state_location_probe_is_gone() -> None:
    assert not [q for q in get_rubric()[0].followups if "Where exactly is that state held" in q.text]


@pytest.mark.parametrize("answer", [
    "We keep the warehouse reconciled: if the source says 1.2 million orders, the warehouse shows the same "
    "count after the load.",
    "Checks run in Snowflake after every dbt model; results go to a table.",
])
def test_a_design_without_files_is_not_asked_about_its_table_format(answer: str) -> None:
    asker = _Asker(get_rubric()[0], parse(answer), answer, "dq-observability")
    assert not asker.fits(_question("Why that table format over the alternatives"))
