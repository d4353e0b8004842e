"""Feedback round 13: follow-ups hung on lines they do not fit, presupposing what the design lacks or
rejects, or asking what it states. A question quotes only a line on its own topic (the anchors'
`quote_requires` and `quote_excludes`); a scenario that leans on a mechanism is asked only of a design
that has it (`presupposes`, as data), never of one that rejects it or lists it as unsolved; and a
question does not ask for what the answer states (`asks`), said in the several ways an engineer says it."""

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


QUOTABLE = [
    # a cost question quotes a line on cost, not one on latency, a key layout or a vendor's pitch
    ("Add cache so API is fast.", "mechanics.cost_levers", False),
    ("Online: Azure Cache for Redis (Premium), key = entity:feature_set:v, hash of feature values.",
     "mechanics.cost_levers", False),
    ("Dashboards read hourly rollups, so queries scan a day instead of raw events and cost a tenth.",
     "mechanics.cost_levers", True),
    ("Warehouses auto-suspend after 60 s idle.", "mechanics.cost_levers", True),
    ("Raw files move to the archive tier after 30 days.", "mechanics.cost_levers", True),
    # a schema question quotes a line on schemas, not a tenant deletion or a licence renewal
    ("Tenants can also ask to delete the whole tenant (contract end): 90 days.", "mechanics.schema_evolution",
     False),
    ("Data Metric Functions are an option; I'd evaluate them against the Monte Carlo contract renewal.",
     "mechanics.schema_evolution", False),
    ("Logic change: new version of gold table, rebuild from silver by date range.", "mechanics.schema_evolution",
     False),
    ("Producers register Avro schemas with BACKWARD compatibility.", "mechanics.schema_evolution", True),
    ("New nullable columns are added automatically; renames need a migration.", "mechanics.schema_evolution", True),
    # a backfill question quotes a line on reprocessing history, not an erasure workflow
    ("Erasure requests are captured in a ledger and a workflow fans out a DELETE to every table; marts are "
     "rebuilt nightly.", "mechanics.backfill", False),
    ("Deletion requests land in a queue and each handler removes the subject's rows.", "mechanics.backfill", False),
    ("A metric fix is recomputed over two years into a shadow table, then swapped.", "mechanics.backfill", True),
    ("Backfills replay Bronze by date range.", "mechanics.backfill", True),
    # a serving question quotes a line on how the data is read, not a table count or an audit finding
    ("About 1,800 Delta tables in Unity Catalog, 300 tier-1.", "structure.architecture.serving", False),
    ("Dashboards query Pinot; the API reads Redis at p99 30 ms.", "structure.architecture.serving", True),
    # a duplicated cost or table is not a duplicate row
    ("The source already has order_status_events, so another history table is duplicate cost.",
     "structure.correctness.idempotency", False),
    ("A second copy of the pipeline would be duplicated work for the team.", "structure.correctness.idempotency",
     False),
    ("Duplicate events are dropped on event_id within 24 h.", "structure.correctness.idempotency", True),
    # Debezium's snapshot watermarks and LSNs are not event-time watermarks
    ("Initial snapshot: Debezium incremental snapshots (chunked, watermark-based) so we don't lock tables.",
     "mechanics.watermarks", False),
    ("The watermark is the highest LSN applied so far.", "mechanics.watermarks", False),
    ("Flink's watermark trails the max event time by 2 minutes.", "mechanics.watermarks", True),
    # a headcount of an access policy is not a volume
    ("Revisit if we pass ~50 users or open the lake to partners.", "structure.requirements.scale", False),
    ("Around 8M users and 40k events per second at peak.", "structure.requirements.scale", True),
]


@pytest.mark.parametrize(("sentence", "criterion", "quotable"), QUOTABLE)
def test_a_question_quotes_only_a_line_on_its_topic(sentence: str, criterion: str, quotable: bool) -> None:
    rubric = get_rubric()[0]
    assert anchors_for(rubric).quotable(parse(sentence), 1, sentence, "a question", criterion) is quotable


@pytest.mark.parametrize("sentence", [
    "Not solved yet: cost of scanning large tables, and schema change detection at the source.",
    "Schema change detection is unsolved for now.",
    "Nothing solved yet for schema changes at the source.",
])
def test_an_unsolved_line_is_not_quoted_as_a_choice(sentence: str) -> None:
    rubric = get_rubric()[0]
    q = _question("What compatibility mode (backward, forward, full)")
    assert not anchors_for(rubric).quotable(parse(sentence), 1, sentence, q.text, "mechanics.schema_evolution")


COMPONENTS = [
    # a detector that learns, not one the answer rejects
    ("Seasonal baseline per day-of-week, 28 days of history, alert at > 4 sigma.", "learned_detector", True),
    ("Anomaly detection with Prophet forecasts per table.", "learned_detector", True),
    ("Monte Carlo learns volume thresholds per table.", "learned_detector", True),
    ("Static rules only. Learned thresholds page at 3am for seasonality (month-end, holidays).",
     "learned_detector", False),
    ("No ML anomaly detection: static thresholds per table.", "learned_detector", False),
    ("We use fixed thresholds rather than machine learning.", "learned_detector", False),
    # a window for late events, not an ordering guard
    ("Upsert on primary key, only if the incoming LSN is greater than the stored one.", "late_window", False),
    ("Debezium incremental snapshots (chunked, watermark-based).", "late_window", False),
    ("The window stays open 10 minutes for late events.", "late_window", True),
    ("Allowed lateness is two hours.", "late_window", True),
    # a MERGE statement, not ClickHouse's background merges
    ("ReplacingMergeTree so duplicates that get through collapse on merge.", "merge_statement", False),
    ("Duplicates are removed by background merges in ClickHouse.", "merge_statement", False),
    ("Silver is a MERGE from Bronze every 10 minutes.", "merge_statement", True),
    # partitions of a table, not a document's partition key
    ("Cosmos DB: delete profile document by partition key.", "time_partitioning", False),
    ("DynamoDB items are removed using the partition key.", "time_partitioning", False),
    ("Bronze is partitioned by ingest date.", "time_partitioning", True),
]


@pytest.mark.parametrize(("answer", "component", "mentioned"), COMPONENTS)
def test_round13_components(phrases: Phrases, answer: str, component: str, mentioned: bool) -> None:
    assert phrases.mentions(answer_view(parse(answer)), component) is mentioned


ASKS = [
    # a rerun stated safe
    ("Step is retried if it fails; deleting twice is no problem, second time 0 rows.", "rerun_mechanism", True),
    ("Re-running the same request is safe: a second DELETE finds nothing.", "rerun_mechanism", True),
    ("Retries are harmless because applying it again changes nothing.", "rerun_mechanism", True),
    ("A retry of the job is still safe.", "rerun_mechanism", True),
    ("Jobs are retried three times.", "rerun_mechanism", False),
    # one pipeline for streaming and batch
    ("For backfill, the unified model means we run the same pipeline in batch mode.", "processing_model", True),
    ("One Beam pipeline runs in streaming and batch mode.", "processing_model", True),
    ("Streaming and batch from the same codebase.", "processing_model", True),
    ("Flink for streaming, Spark for nightly batch.", "processing_model", False),
    # deletes represented as DML deletes
    ("End-user deletion is a weekly DML delete in BigQuery.", "delete_representation", True),
    ("A DELETE FROM events WHERE user_id = ? per request.", "delete_representation", True),
    ("Customers can ask us to delete an end user.", "delete_representation", False),
    # who defines the checks
    ("Custom SQL checks for business rules, owners write them.", "check_owner", True),
    ("Checks are declared by the dataset owners in YAML.", "check_owner", True),
    ("Tests are maintained by producers, the platform runs them.", "check_owner", False),
    ("We run checks after every load.", "check_owner", False),
    # consumers told while the data is bad
    ("Lineage tells the consumer teams which dashboards are affected.", "consumer_notice", True),
    ("Blocked marts stop building, so dashboards keep showing the previous day.", "consumer_notice", True),
    ("Alerts go to Slack and PagerDuty.", "consumer_notice", False),
    # a backfill cannot leak: the join bounds when the row was written
    ("Take the latest feature row with event_ts <= T and created_ts <= T + availability delay.", "backfill_leak",
     True),
    ("Training sets join the latest customer snapshot.", "backfill_leak", False),
]


@pytest.mark.parametrize(("answer", "ask", "stated"), ASKS)
def test_round13_asks(phrases: Phrases, answer: str, ask: str, stated: bool) -> None:
    assert phrases.states(answer_view(parse(answer)), ask) is stated


@pytest.mark.parametrize(("fragment", "field", "ids"), [
    ("how does it learn", "presupposes", ["learned_detector"]),
    ("What's the grace period, and what happens to an event that arrives after it", "presupposes",
     ["late_window"]),
    ("which version produced which partition", "presupposes", ["time_partitioning"]),
    ("Would you keep separate streaming and batch paths", "asks", ["processing_model"]),
])
def test_the_round13_questions_carry_what_they_lean_on(fragment: str, field: str, ids: list[str]) -> None:
    assert getattr(_question(fragment), field) == ids


def test_no_question_names_a_pii_table() -> None:
    assert not [q for q in get_rubric()[0].followups if "PII table" in q.text]


@pytest.mark.parametrize("answer", [
    "Static rules cover most of what burned us. Learned thresholds page at 3am for seasonality, so we "
    "do not use them.",
    "No ML anomaly detection: static thresholds per table, reviewed monthly.",
])
def test_a_design_that_rejects_learned_thresholds_is_not_asked_how_it_learns(answer: str) -> None:
    asker = _Asker(get_rubric()[0], parse(answer), answer, "dq-observability")
    assert not asker.fits(_question("how does it learn"))


@pytest.mark.parametrize("answer", [
    "Each Dataflow pipeline runs in streaming mode; for backfill the same pipeline runs in batch mode.",
    "Kappa: everything is one Flink job, history is replayed from Kafka.",
])
def test_a_design_with_one_path_is_not_asked_about_keeping_two(answer: str) -> None:
    asker = _Asker(get_rubric()[0], parse(answer), answer, "realtime-analytics")
    assert not asker.fits(_question("Would you keep separate streaming and batch paths"))
