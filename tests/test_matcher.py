"""The matcher reads like an interviewer: paraphrases count, buzzword lists don't, wrong senses are 0."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric, match_criteria


def levels(text: str, prompt: str | None = None) -> dict[str, int]:
    rubric, matcher = get_rubric()
    return {c.id: c.level for c in match_criteria(parse(text), rubric, matcher, prompt)}


@pytest.mark.parametrize(
    ("text", "criterion"),
    [
        ("Every event carries a UUID from the SDK; the sink ignores ids it has already seen.",
         "mechanics.idempotent_ingestion"),
        ("We dedupe on (tenant_id, event_id) in a MERGE into the silver table.", "structure.correctness.idempotency"),
        ("We accept events up to 2 hours late, then recompute that day's partition.", "mechanics.late_data"),
        ("Merge the many tiny files into ~512 MB ones nightly.", "mechanics.small_files"),
        ("A nightly job compacts the Iceberg tables to 512 MB files.", "mechanics.compaction_clustering"),
        ("No SCD2 here because the source already keeps history in order_events.", "structure.correctness.merges"),
        ("Gold tables must be fresh within 15 minutes, 99.5% of hours, and we alert on breach.",
         "mechanics.freshness_slo"),
        ("Partition by event_date and cluster by tenant_id because every query filters on tenant and a date range.",
         "mechanics.partition_strategy"),
        ("The finance marts stay hourly batch because nobody reads them more often.", "signals.streaming_restraint"),
        ("Backward-compatible changes only; a breaking change needs a new topic version.",
         "mechanics.schema_evolution"),
        ("Training rows are built with an as-of join on the label timestamp.", "prompt.feature-store.point_in_time"),
        ("Billing stays a nightly batch: nobody reads it more than once a day.", "signals.streaming_restraint"),
        ("Enterprise customers get their own schema because their contracts demand it.",
         "structure.security.tenant_isolation"),
        ("A conditional write only replaces a row when the incoming version is newer.",
         "structure.correctness.idempotency"),
        ("We use the ingestion time and not the event time, because device clocks drift.", "mechanics.watermarks"),
    ],
)
def test_paraphrases_with_substance_are_level_2(text: str, criterion: str) -> None:
    prompt = criterion.split(".")[1] if criterion.startswith("prompt.") else None
    assert levels(text, prompt)[criterion] == 2


def test_a_buzzword_list_is_level_1_each() -> None:
    got = levels("We ensure idempotency, watermarks, SCD2, compaction, Z-ordering and row-level security.")
    for cid in ("mechanics.idempotent_ingestion", "mechanics.watermarks", "structure.correctness.merges",
                "mechanics.compaction_clustering", "structure.security.tenant_isolation"):
        assert got[cid] == 1, cid


def test_a_keyword_alone_is_level_1() -> None:
    assert levels("Ingestion is idempotent.")["mechanics.idempotent_ingestion"] == 1


@pytest.mark.parametrize(
    ("text", "criterion"),
    [
        ("Kafka log compaction keeps the topic small.", "mechanics.compaction_clustering"),
        ("We rely on a compacted topic for the latest customer state.", "mechanics.compaction_clustering"),
        ("The topic has 64 partitions in Kafka, keyed by tenant_id.", "mechanics.partition_strategy"),
        ("We have a 24/7 support SLA with the vendor.", "mechanics.freshness_slo"),
        ("ClickHouse stores events in a MergeTree table.", "structure.correctness.merges"),
        ("Spark joins suffer from data skew, so we salt the keys.", "prompt.feature-store.skew_prevention"),
    ],
)
def test_wrong_sense_counts_for_nothing(text: str, criterion: str) -> None:
    prompt = criterion.split(".")[1] if criterion.startswith("prompt.") else None
    assert levels(text, prompt)[criterion] == 0


def test_the_right_sense_beside_a_wrong_one_still_counts() -> None:
    text = "Kafka log compaction keeps the topic small; separately, Iceberg tables are compacted nightly to 256 MB."
    assert levels(text)["mechanics.compaction_clustering"] == 2


def test_evidence_quotes_are_verbatim_substrings_of_their_line(mock1_text: str) -> None:
    rubric, matcher = get_rubric()
    doc = parse(mock1_text)
    lines = mock1_text.splitlines()
    results = match_criteria(doc, rubric, matcher, "realtime-analytics")
    assert any(c.level for c in results)
    for c in results:
        assert bool(c.evidence) == (c.level > 0), c.id
        for e in c.evidence:
            assert e.quote and e.quote in lines[e.line - 1], (c.id, e)


def test_line_numbers_count_front_matter() -> None:
    text = "---\nprompt: cdc-lakehouse\n---\n\nWe dedupe on (tenant_id, event_id) in a MERGE.\n"
    rubric, matcher = get_rubric()
    found = {c.id: c for c in match_criteria(parse(text), rubric, matcher, "cdc-lakehouse")}
    assert found["mechanics.idempotent_ingestion"].evidence[0].line == 5


def test_front_matter_is_never_evidence() -> None:
    text = "---\nprompt: cdc-lakehouse\ntitle: idempotent dedupe watermark\n---\nHello.\n"
    assert levels(text)["mechanics.idempotent_ingestion"] == 0


def test_normalisation_reads_hyphens_underscores_and_case_alike() -> None:
    for spelling in ("Exactly-Once", "exactly_once", "EXACTLY ONCE"):
        assert levels(f"Delivery is {spelling}.")["mechanics.idempotent_ingestion"] == 1


@pytest.mark.parametrize(("text", "criterion", "most"), [
    ("We alert on consumer lag > 2 min.", "structure.operations.lineage_alerting", 1),  # a threshold is not routing
    ("We encrypt the data at rest and in transit, and use IAM roles.", "structure.security.masking_audit", 0),
    ("Retention cohorts and funnels are computed nightly.", "structure.requirements.compliance", 0),
    ("Retention cohorts and funnels are computed nightly.", "prompt.privacy-dsr.retention", 0),
])
def test_wrong_senses_seen_in_the_wild_are_not_credited(text: str, criterion: str, most: int) -> None:
    assert levels(text, "privacy-dsr").get(criterion, 0) <= most


@pytest.mark.parametrize(("text", "criterion"), [
    ("An update is applied only if its LSN is greater than the stored one.", "structure.correctness.merges"),
    ("Erasure requests fan out to every store: the warehouse, Redis and the search index.",
     "prompt.privacy-dsr.deletion_propagation"),
    ("PII columns are marked in the schema registry.", "prompt.privacy-dsr.pii_tagging"),
])
def test_practitioners_wording_is_substantiated(text: str, criterion: str) -> None:
    assert levels(text, "privacy-dsr")[criterion] == 2


def test_a_hard_wrapped_answer_grades_like_the_same_answer_unwrapped(mock1_text: str) -> None:
    from grade.core.grader import grade_text
    from grade.eval.evaluation import hard_wrap

    wrapped = hard_wrap(mock1_text, 40)
    assert wrapped != mock1_text
    a, b = grade_text(mock1_text), grade_text(wrapped)
    assert {c.id: c.level for c in a.criteria} == {c.id: c.level for c in b.criteria}
    assert (a.score, a.verdict) == (b.score, b.verdict)
    lines = wrapped.split("\n")
    for c in b.criteria:
        for e in c.evidence:
            assert e.quote in lines[e.line - 1]


def test_the_title_is_neither_evidence_nor_a_section() -> None:
    from grade.core.grader import grade_text

    result = grade_text("# CDC lakehouse ingestion and storage design\n\n## Requirements\n- p95 under 2 s\n",
                        prompt="cdc-lakehouse")
    assert all(e.line != 1 for c in result.criteria for e in c.evidence)
    assert all(p.line != 1 for p in result.structure.parts)


def test_mock_template_guidance_is_never_graded() -> None:
    from grade.core.grader import grade_text

    text = "<!--\nMention idempotency keys, watermarks, MERGE on id, SCD2, 5 min SLOs.\n-->\n## 1. Requirements\n"
    assert grade_text(text, prompt="cdc-lakehouse").score == 0


def test_one_comma_does_not_make_a_buzzword_list() -> None:
    assert levels("One definition per feature, used for training and serving.",
                  "feature-store")["prompt.feature-store.skew_prevention"] == 2


def test_batched_instead_of_per_request_with_a_reason_is_restraint() -> None:
    text = "Deletes are batched once a day instead of per request, else we get too many small delete files."
    assert levels(text, "privacy-dsr")["signals.streaming_restraint"] == 2


def test_entity_counts_are_scale_figures() -> None:
    assert levels("Roughly 20M customers and a 4 TB events table.")["structure.requirements.scale"] == 2


@pytest.mark.parametrize(
    ("text", "criterion"),
    [  # a strong match demoted for crossing a sentence end: the claim in the next sentence is still read
        ("We hold state. We wait 10 minutes for late events.", "mechanics.watermarks"),
        ("Tier 1 models build into a staging schema. Tests pass, then `ALTER SCHEMA ... SWAP WITH` into the "
         "reporting schema.", "structure.operations.deployment"),
        # ... or the items of a comma list: the claim in a later item is still read
        ("Kafka, hold, wait 10 minutes for late events.", "mechanics.watermarks"),
        ("Per-tenant rate limit in the collector. Over limit → 429, SDK backs off.", "tenancy.quotas"),
        # ... or excluded (another sense): the claim after the excluded words is still read
        ("The backfill reruns the pipeline partition by partition (tables partitioned by date, liquid clustered on "
         "the key), with replaceWhere so a rerun replaces that day.", "mechanics.partition_strategy"),
    ],
)
def test_a_strong_claim_inside_a_demoted_match_is_found(text: str, criterion: str) -> None:
    assert levels(text)[criterion] == 2


@pytest.mark.parametrize("text", ["We hold windows. 10 minutes for late events.",
                                  "Kafka, hold windows, 10 minutes for late events."])
def test_a_claim_stitched_across_sentences_or_items_stays_a_mention(text: str) -> None:
    assert levels(text)["mechanics.watermarks"] == 1


def test_matches_at_tries_every_candidate_in_the_span() -> None:
    import re

    from grade.core import scan
    from grade.rubric.patterns import joined_pattern

    pattern = re.compile(joined_pattern(["wait~4~late", "late events"]))
    for text in ("we wait. we wait for late events " * 3, ("we wait. we wait for late events " * 20)):
        brute = [(m.start(), m.end()) for p in range(5, 60) if (m := pattern.match(text, p))]
        assert [m.span() for m in scan.matches_at(pattern, text, 5, 60, {})] == brute
