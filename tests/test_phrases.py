"""What a question presupposes and asks for: the bank says it as data, and the data agrees with the
rubric's own patterns for components and asks."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric
from grade.feedback.phrases import Phrases, answer_view, question_view


@pytest.fixture(scope="module")
def phrases() -> Phrases:
    return Phrases(get_rubric()[0])


def test_every_bank_question_lists_what_its_own_words_presuppose_and_ask(phrases: Phrases) -> None:
    """The annotation is the data the choice uses; the patterns check it was not forgotten."""
    for f in phrases.rubric.followups:
        q = f.text.replace("{quote}", "a claim")
        assert set(phrases.presupposed(q)) <= set(f.presupposes + f.requires), (f.text, phrases.presupposed(q))
        assert set(phrases.asked(q)) <= set(f.asks), (f.text, phrases.asked(q))


def test_the_quoted_words_of_the_answer_are_not_the_question_s_own() -> None:
    assert "silver" not in question_view('You said "we keep Silver tables". Why?')
    assert "why" in question_view('You said "we keep Silver tables". Why?')


@pytest.mark.parametrize(("answer", "component", "mentioned"), [
    ("Bronze is an immutable append-only copy in S3.", "bronze", True),
    ("Raw events also sunk from Kafka to S3 (Parquet).", "bronze", True),
    ("Flink computes 1-minute windows.", "silver", False),
    ("Not using a lakehouse table format for now, plain Parquet is enough.", "lakehouse", False),
    ("Iceberg tables with ACID merges.", "lakehouse", True),
    ("Debezium reads the Postgres WAL.", "source_changes", True),
    ("Dashboards should update within ~1 minute.", "source_changes", False),
    ("Events from web and mobile SDKs.", "client_events", True),
    ("Debezium reads the Postgres WAL.", "client_events", False),
    # round 7: a MERGE question asked of salted partial aggregates "merged at read"
    ("Hot keys: large tenants get key salting (tenant#shard 0-15) before combine, merged at read.", "merge_op", False),
    ("Salt the key, aggregate, then merge, so the work spreads evenly.", "merge_op", False),
    ("Each micro-batch is merged into the table with MERGE INTO on the order id.", "merge_op", True),
    # "skew" as data skew is not a training/serving skew monitor
    ("Huge merchants dominate rows, so we salt them and the skew is gone.", "skew_monitor", False),
    ("A nightly job recomputes the logged served vectors and alerts when the mismatch rate is above 1%.",
     "skew_monitor", True),
    # a feature store built from nightly SQL has no event stream; an SDK sending to Kafka has one
    ("Features are computed by nightly SQL over the orders table and cached for the model services.",
     "event_stream", False),
    ("The SDK stamps each event with an id and sends it to Kafka.", "event_stream", True),
    # an Avro archive on GCS next to BigQuery is not a table of files to compact
    ("Archive: Pub/Sub to GCS Avro, hourly; BigQuery tables partitioned by event date.", "file_tables", False),
    ("Iceberg tables on S3, compacted nightly.", "file_tables", True),
    ("We use S3 + Athena and not Redshift.", "two_platforms", False),
])
def test_component_mentions(phrases: Phrases, answer: str, component: str, mentioned: bool) -> None:
    assert phrases.mentions(answer_view(parse(answer + "\n")), component) is mentioned


@pytest.mark.parametrize(("answer", "ask", "stated"), [
    ("Compaction runs nightly, targeting 256 MB files.", "target_file_size", True),
    ("Compaction runs nightly.", "target_file_size", False),
    ("Flink keeps seen ids in state for 24 h, dropping repeats.", "dedupe_window", True),
    ("Late events: Flink watermark with a few minutes of allowed lateness; anything later is dropped.",
     "late_policy", True),
    ("Late events: Flink watermark with a few minutes of allowed lateness.", "late_policy", False),
    ("Late events: a 10-minute grace period.", "grace_period", True),
    ("Deletes arrive as tombstones and MERGE sets is_deleted.", "delete_representation", True),
    # round 7: questions answered by the line they quote
    ("Backfills run a versioned pipeline into shadow tables, diff against current, then swap.", "swap_mechanism", True),
    ("Owners reload a partition with WRITE_TRUNCATE on that one partition.", "swap_mechanism", True),
    ("Incremental models are delete+insert by date, so a rerun is safe.", "swap_mechanism", True),
    ("Backfills run on the batch cluster at night.", "swap_mechanism", False),
    ("A row is only overwritten if the incoming log position is higher.", "same_key_order", True),
    ("A suppression list is anti-joined in staging so a replay can't reintroduce deleted subjects.",
     "resurrection_guard", True),
    ("Backfills are scoped to one tenant and date range.", "scoped_reprocess", True),
    ("Lineage lists every dataset holding user_key; each gets a delete task.", "data_discovery", True),
    ("Streaming would cost around 3 times more for this volume.", "lever_savings", True),
    ("We monitor the cache hit rate and p99 latency.", "lever_measure", True),
])
def test_stated_numbers_and_choices(phrases: Phrases, answer: str, ask: str, stated: bool) -> None:
    assert phrases.states(answer_view(parse(answer + "\n")), ask) is stated


@pytest.mark.parametrize(("question", "presupposed"), [
    ("How do deletes from the source reach your Silver and Gold tables?", {"silver", "gold", "source_changes"}),
    ("How do you organise the storage layers (raw, cleaned, business-level)?", set()),
    ("Is that replayed from the event bus, from Bronze, or from snapshots?", set()),
    ("With that, an SDK bug means 5% of events now arrive after the grace period.",
     {"client_events", "grace_period"}),
])
def test_what_a_question_takes_for_granted(phrases: Phrases, question: str, presupposed: set[str]) -> None:
    assert set(phrases.presupposed(question)) == presupposed


def test_a_question_asking_for_a_stated_window_is_recognised(phrases: Phrases) -> None:
    assert phrases.asked("What is the dedupe window?") == ["dedupe_window"]
    assert phrases.asked("What's the dedupe window, and where is it kept?") == ["dedupe_window"]


def test_the_compiled_patterns_are_kept_on_disk_for_the_next_start(isolated_home) -> None:
    from grade.feedback.phrases import _load

    rubric = get_rubric()[0]
    first = _load(rubric)
    assert list((isolated_home / "cache" / "phrases").glob("*.marshal"))
    again = _load(rubric)  # from the disk cache
    q = "How do deletes from the source reach your Silver and Gold tables?"
    assert again.presupposed(q) == first.presupposed(q) == ["silver", "gold", "source_changes"]
