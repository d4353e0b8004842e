"""Feedback round 12: follow-ups that did not fit the answer. A scenario that leans on what the design
lacks is asked only of a design that has it (its `requires`/`presupposes`, as data); a question quotes
only a sentence on its own topic (its `presupposes`, the anchors' `quote_excludes`); and a question does
not ask for what the answer states (its `asks`), recognised in the several ways an engineer says it."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric
from grade.feedback.anchors import anchors_for
from grade.feedback.followups import _Asker
from grade.feedback.phrases import Phrases, answer_view


@pytest.fixture(scope="module")
def phrases() -> Phrases:
    return Phrases(get_rubric()[0])


def _question(fragment: str):
    hits = [q for q in get_rubric()[0].followups if fragment in q.text]
    assert len(hits) == 1, fragment
    return hits[0]


COMPONENTS = [
    # rows deleted by key: a scenario of one key updated twice then deleted needs them
    ("Debezium streams every insert, update and delete from Postgres.", "keyed_deletes", True),
    ("Deletes arrive as tombstones and the MERGE removes the row.", "keyed_deletes", True),
    ("Each change carries an op type (c/u/d) and the LSN.", "keyed_deletes", True),
    ("Soft deletes set is_deleted and a nightly job purges them.", "keyed_deletes", True),
    ("WHEN MATCHED AND op = 'd' THEN DELETE.", "keyed_deletes", True),
    ("Output is an upsert keyed by (tenant, metric, minute), so a replay rewrites the same rows.", "keyed_deletes",
     False),
    ("Flink writes into a ReplacingMergeTree keyed by tenant and minute.", "keyed_deletes", False),
    ("The event stream is append-only; there are no updates or deletes.", "keyed_deletes", False),
    # tokens that stand for an identifier (not masking)
    ("Emails are tokenised at ingestion with a vault-backed token service.", "deterministic_tokens", True),
    ("user_id is replaced by an HMAC of the id with a key in KMS.", "deterministic_tokens", True),
    ("We pseudonymise customer ids before they land in the lake.", "deterministic_tokens", True),
    ("Phone numbers are hashed with a salt so analysts can still join on them.", "deterministic_tokens", True),
    ("Redshift dynamic data masking on pii columns for everyone except the pii_reader role.",
     "deterministic_tokens", False),
    ("Row access policies per tenant, RBAC, masking policies on PII.", "deterministic_tokens", False),
    ("The API checks the JWT access token on every call.", "deterministic_tokens", False),
    # dimension tables (SCD2 history of dimensions)
    ("dim_customer is SCD2 with valid_from and valid_to.", "dimension_tables", True),
    ("Gold is a star schema: fact tables joined to conformed dimensions.", "dimension_tables", True),
    ("The offline store has entity id, valid-from event time and the value.", "dimension_tables", False),
    # a point-in-time join
    ("Training sets are built with an as-of join on the label time.", "asof_join", True),
    ("We join labels to features with feature_ts <= label_ts.", "asof_join", True),
    ("Point-in-time correct lookups via the feature store SDK.", "asof_join", True),
    ("We keep 30 days of nightly snapshots of the feature tables.", "asof_join", False),
    # a table's partitions (what "event time or ingestion time" asks about)
    ("Bronze is partitioned by ingest date.", "time_partitioning", True),
    ("A nightly job drops partitions older than 13 months.", "time_partitioning", True),
    ("Cluster feature tables by (entity_id, feature_ts).", "time_partitioning", True),
    ("Sampling, incremental checks and partition pruning keep cost low.", "time_partitioning", False),
    ("Cosmos DB delete by partition key user_key.", "time_partitioning", False),
    ("Events are spread over 64 Kafka partitions.", "time_partitioning", False),
    # schema versions and evolution (what "backfill history written under the old schema" asks about)
    ("New nullable columns are added automatically.", "schema_versions", True),
    ("Avro with BACKWARD compatibility in the registry.", "schema_versions", True),
    ("Versioning: a new feature is a new column with a _v2 suffix.", "schema_versions", True),
    ("A breaking change needs a migration plan.", "schema_versions", True),
    ("CI fails a PR that adds an undeclared email-like column.", "schema_versions", False),
    # a streamed design: where exactly-once has a broker and a sink
    ("Events go through Kafka into Flink.", "streamed", True),
    ("Streaming features use watermarks and deduplication.", "streamed", True),
    ("A nightly batch job deletes the user's rows; a retried run deletes 0 rows.", "streamed", False),
    ("We do not need streaming; hourly batch is enough.", "streamed", False),
]


@pytest.mark.parametrize(("answer", "component", "mentioned"), COMPONENTS)
def test_round12_components(phrases: Phrases, answer: str, component: str, mentioned: bool) -> None:
    assert phrases.mentions(answer_view(parse(answer)), component) is mentioned


ASKS = [
    # the grace period, said with words for numbers or as a wait for stragglers
    ("We wait five minutes for stragglers and allow late updates for another hour.", "grace_period", True),
    ("The window stays open 10 min for late events.", "grace_period", True),
    ("Allowed lateness is two hours.", "grace_period", True),
    ("Late events are common on mobile.", "grace_period", False),
    # what happens after it
    ("Anything later only lands in the nightly batch.", "late_policy", True),
    ("Events after the watermark go to the daily backfill.", "late_policy", True),
    ("Late events are a known problem.", "late_policy", False),
    # the key, stated as the latest row per key by a sequence
    ("It picks the latest row per key by (lsn, seq_in_txn), not by timestamp.", "dedupe_key", True),
    ("The MERGE keeps the last change per primary key ordered by LSN.", "dedupe_key", True),
    ("Each change has op type and LSN.", "dedupe_key", False),
    # a MERGE kept to the partitions it touches
    ("Mitigation: merge only the touched partitions.", "merge_pruning", True),
    ("The upsert rewrites only the affected days.", "merge_pruning", True),
    ("Only rewrite the changed partitions on each run.", "merge_pruning", True),
    ("Silver is a MERGE from bronze every 10 minutes.", "merge_pruning", False),
    # a corrected backfill cannot leak: the join reads when a value was published or computed
    ("computed_at <= event_ts + publish_delay keeps later recomputed values out of training.", "backfill_leak", True),
    ("The join requires publish time at or before T plus the observed delay.", "backfill_leak", True),
    ("Backfills get a simulated publish time.", "backfill_leak", True),
    ("Training sets join the latest customer snapshot.", "backfill_leak", False),
    # who owns the contract: it lives in the repo, the producing team signs off
    ("Rename: registry rejects, pipeline pauses, owner paged; contract in repo per source schema.",
     "contract_owner", True),
    ("Schemas are versioned in git next to the producer's code.", "contract_owner", True),
    ("The producing team approves every change to the schema.", "contract_owner", True),
    ("Avro with a schema registry.", "contract_owner", False),
    # event or ingestion time, said by the partition column
    ("Raw zone, append-only, partitioned by ingestion date.", "time_basis", True),
    ("Bronze uses event date partitions.", "time_basis", True),
    ("Bronze is partitioned by day.", "time_basis", False),
    # consumers told while the data is bad
    ("Red: consumers keep yesterday's data with a stale banner in QuickSight.", "consumer_notice", True),
    ("Downstream owners get one grouped impacted notice.", "consumer_notice", True),
    ("We notify downstream consumers by email when a check fails.", "consumer_notice", True),
    ("The job marks the partition as quarantined until it is fixed.", "consumer_notice", True),
    ("Owner = meta.owner in dbt; CI fails if missing.", "consumer_notice", False),
    ("Used for: impact list in alerts (downstream: finance revenue daily).", "consumer_notice", False),
    # the audit record keyed without identity
    ("The ledger holds (request_id, user_key, status); user_key is an HMAC of the user id.", "audit_pseudonym",
     True),
    ("Audit log rows carry only the hashed subject id.", "audit_pseudonym", True),
    ("Each step writes status to the audit log in Postgres. The auditor gets a report per request_id.",
     "audit_pseudonym", False),
]


@pytest.mark.parametrize(("answer", "ask", "stated"), ASKS)
def test_round12_asks(phrases: Phrases, answer: str, ask: str, stated: bool) -> None:
    assert phrases.states(answer_view(parse(answer)), ask) is stated


@pytest.mark.parametrize(("fragment", "field", "ids"), [
    ("one key is updated twice and then deleted", "requires", ["keyed_deletes"]),
    ("Deterministic tokens still allow joins", "presupposes", ["deterministic_tokens"]),
    ("Deterministic tokens let joins work", "presupposes", ["deterministic_tokens"]),
    ("a late correction changes a dimension row", "requires", ["dimension_tables"]),
    ("the as-of join over billions of rows", "presupposes", ["asof_join"]),
    ("is that on event time or ingestion time", "presupposes", ["time_partitioning"]),
    ("exactly-once in the broker, the sink, or end to end", "requires", ["streamed"]),
    ("written under the old schema", "presupposes", ["schema_versions"]),
    ("how do you tell downstream consumers the data is bad", "asks", ["consumer_notice"]),
    ("the audit record must reference the user without identifying them", "asks", ["audit_pseudonym"]),
])
def test_the_round12_questions_carry_what_they_lean_on(fragment: str, field: str, ids: list[str]) -> None:
    assert getattr(_question(fragment), field) == ids


@pytest.mark.parametrize("answer", [
    "Events go through Kafka into Flink. Output is an upsert keyed by (tenant, metric, minute), so a replay "
    "after a crash rewrites the same rows.",
    "Flink writes results into a ClickHouse ReplacingMergeTree keyed by tenant, KPI and minute.",
    "Checkpoints every 30 s; sink writes are upserts, so replay after failure is safe.",
])
def test_an_append_only_event_stream_is_not_asked_about_a_key_updated_then_deleted(answer: str) -> None:
    rubric = get_rubric()[0]
    asker = _Asker(rubric, parse(answer), answer, "realtime-analytics")
    assert not asker.fits(_question("one key is updated twice and then deleted"))


@pytest.mark.parametrize("answer", [
    "Debezium captures inserts, updates and deletes; the MERGE applies them in LSN order.",
    "CDC from Postgres; deletes arrive as tombstones and the MERGE removes the row.",
])
def test_a_cdc_design_is_asked_about_a_key_updated_then_deleted(answer: str) -> None:
    rubric = get_rubric()[0]
    asker = _Asker(rubric, parse(answer), answer, "cdc-lakehouse")
    assert asker.fits(_question("one key is updated twice and then deleted"))


@pytest.mark.parametrize(("sentence", "criterion", "quotable"), [
    ("Enterprise tenants have a contract with a 99.9% availability target on the API.",
     "mechanics.schema_evolution", False),
    ("Our SLA with the vendor is a support contract with 4 h response time.", "mechanics.schema_evolution", False),
    ("Each topic has a data contract in the registry with BACKWARD compatibility.",
     "mechanics.schema_evolution", True),
    ("Each handler deletes by subject key and can be re-run safely.", "mechanics.backfill", False),
    ("Retries of the deletion job are safe: deleting rows already gone is a no-op.", "mechanics.backfill", False),
    ("Mobile clients replay their offline queues for up to 7 days.", "mechanics.backfill", False),
    ("A metric fix is backfilled by rerunning the affected partitions.", "mechanics.backfill", True),
])
def test_a_question_quotes_only_a_sentence_on_its_topic(sentence: str, criterion: str, quotable: bool) -> None:
    rubric = get_rubric()[0]
    doc = parse(sentence)
    assert anchors_for(rubric).quotable(doc, 1, sentence, "a question", criterion) is quotable
