"""Feedback a candidate can act on: one item per idea, each naming the criteria it covers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.grader import get_rubric

from .conftest import ANSWERS

MOCK1 = str(ANSWERS / "mock1.md")


def test_every_critique_item_in_json_names_the_criteria_it_covers() -> None:
    data = json.loads(CliRunner().invoke(main, ["--format", "json", MOCK1]).output)
    ids = {c["id"] for c in data["criteria"]}
    critique = data["critique"]
    for key in ("gaps", "strengths", "next_steps"):
        assert critique[key], key
        for item in critique[key]:
            assert set(item) == {"text", "criteria", "line", "rule"}
            assert set(item["criteria"]) <= ids
    assert all(item["criteria"] for item in critique["gaps"] + critique["strengths"])


def test_a_critique_saved_as_plain_sentences_still_loads() -> None:
    """Attempts saved before critique items carried their criteria."""
    from grade.core.grader import grade_text
    from grade.practice.attempts import Attempt

    result = grade_text((ANSWERS / "mock1.md").read_text(encoding="utf-8")).contract_json()
    result["critique"] = {"headline": "h", "why": ["score 50"], "gaps": ["Backfill: nothing"], "strengths": [],
                          "next_steps": ["x"]}
    saved = {"prompt": "p", "time": "2025-01-01T00:00:00Z", "grade_version": "0", "answer": "a", "result": result}
    critique = Attempt.model_validate_json(json.dumps(saved)).result.critique
    assert critique.gaps[0].text == "Backfill: nothing" and critique.gaps[0].criteria == []
    assert str(critique.why[0]) == "score 50"


def _idea_of(rubric, cid: str) -> str:
    group = rubric.group_of(cid)
    return group.id if group else cid


def test_one_gap_and_one_next_step_per_idea_across_the_corpus() -> None:
    from grade.core.grader import get_rubric, grade_text

    from .conftest import REPO

    rubric, _ = get_rubric()
    for path in sorted(REPO.glob("evals/corpus/*/*.md")) + sorted(ANSWERS.glob("*.md")):
        critique = grade_text(path.read_text(encoding="utf-8"), name=path.name).critique
        for key in ("gaps", "next_steps", "strengths"):
            seen = [_idea_of(rubric, item.criteria[0]) for item in getattr(critique, key) if item.criteria]
            assert len(seen) == len(set(seen)), (path.name, key, seen)


def test_a_group_is_one_gap_naming_every_member_at_its_weakest_level() -> None:
    from grade.core.grader import get_rubric, grade_text
    from grade.feedback.critique import build_critique

    text = ("Late events: we keep a 10-minute grace period in Flink, then recompute the last 2 days nightly.\n"
            "Event time drives the windows.\n")
    result = grade_text(text, prompt="1")
    result.critique = build_critique(result, get_rubric()[0], max_gaps=100)
    levels = {c.id: c.level for c in result.criteria}
    group = ["structure.correctness.late_data", "mechanics.late_data", "mechanics.watermarks",
             "prompt.realtime-analytics.late_events"]
    late = [g for g in result.critique.gaps if set(g.criteria) == set(group)]
    if min(levels[c] for c in group) == 2:
        assert not late
    else:
        assert len(late) == 1 and late[0].text.startswith("Late data and watermarks:")
    assert not [g for g in result.critique.gaps if set(g.criteria) & set(group) and set(g.criteria) != set(group)]


def test_mock1_names_late_data_once_and_dedupe_once() -> None:
    out = CliRunner().invoke(main, [MOCK1]).output
    critique = out.split("What is missing", 1)[1].split("Follow-up questions", 1)[0]
    assert critique.count("Late-arriving data strategy") == 0 and critique.count("Late data and watermarks") == 1
    assert "Idempotent ingestion" not in critique and critique.count("Idempotency and dedupe") == 1


def test_a_strength_cites_a_line_with_the_mechanism_never_a_heading_or_a_mere_mention() -> None:
    from grade.core.document import parse
    from grade.core.grader import get_rubric, grade_text
    from grade.feedback.mechanism import is_title_line, mechanism_lines

    text = ("# Platform\n\n## Governance and catalog\n\n- We use a catalog.\n- Lineage in DataHub.\n"
            "- Airflow orchestrates every job.\n- Data quality checks on each table.\n")
    result = grade_text(text)
    governance = next(c for c in result.criteria if c.id == "structure.architecture.governance_ops")
    assert governance.level == 2  # named on enough lines: level 2 by breadth ...
    assert not [s for s in result.critique.strengths if governance.id in s.criteria]  # ... but no line shows how
    rubric, matcher = get_rubric()
    for path in sorted(ANSWERS.glob("*.md")):
        answer = path.read_text(encoding="utf-8")
        doc = parse(answer)
        result = grade_text(answer, name=path.name)
        by_id = {c.id: c for c in result.criteria}
        for s in result.critique.strengths:
            assert not is_title_line(doc, s.line), s.text
            assert any(s.line in mechanism_lines(doc, matcher, by_id[c]) for c in s.criteria), s.text


def test_every_flag_and_cap_is_named_in_every_format() -> None:
    """c02 is flagged as keyword stuffing and as a generic diagram: both are said in words, everywhere."""
    from .conftest import REPO

    path = str(REPO / "evals" / "corpus" / "dev" / "c02.md")
    data = json.loads(CliRunner().invoke(main, ["--format", "json", path]).output)
    assert set(data["flags"]) == {"keyword_stuffing", "generic_diagram"}
    rules = {item["rule"] for item in data["critique"]["why"] if item["rule"]}
    assert {"keyword_stuffing", "generic_diagram"} <= rules
    for fmt in ("text", "markdown", "html"):
        out = CliRunner().invoke(main, ["--format", fmt, path]).output
        assert "Keyword stuffing: you name" in out and "Generic enterprise diagram: you name" in out, fmt


def test_a_cap_that_decides_the_verdict_says_so() -> None:
    from grade.core.grader import get_rubric, grade_text
    from grade.feedback.explain import flags_and_caps
    from grade.rubric.runtime import CAP_KINDS

    bundled, _ = get_rubric()
    gate = {"signals.streaming_restraint": 2, "structure.security.tenant_isolation": 1}  # whatever the fit kept
    bundled = replace(bundled, verdicts=replace(bundled.verdicts, architect_requires=gate))
    rubric = replace(bundled, verdicts=replace(bundled.verdicts, caps=list(CAP_KINDS)))
    result = grade_text((ANSWERS / "mock1.md").read_text(encoding="utf-8"))
    result.score = 75.0  # as if the score reached the architect bar: the architect signals cap holds it at senior
    [item] = [i for i in flags_and_caps(result, rubric) if i.rule == "architect_requires"]
    assert "This is what holds the verdict at senior" in item.text
    assert item.criteria == ["signals.streaming_restraint"]
    without = replace(bundled, verdicts=replace(bundled.verdicts, caps=[]))
    [item] = [i for i in flags_and_caps(result, without) if i.rule == "architect_requires"]
    assert "without capping the verdict" in item.text


def test_the_guide_s_order_and_where_the_guide_is() -> None:
    out = CliRunner().invoke(main, [MOCK1]).output
    assert "seed's order" not in out
    assert "not in the guide's order" in out and "shared/seeds/000_27e40017f400a4d2.txt" in out
    assert "`grade mock --template`" in out


def test_a_stated_need_or_a_named_component_is_never_a_strength() -> None:
    """Requirements and the architecture's boxes are stated, not shown working (`strengths = false`):
    however concrete, a scale estimate is not praised; a mechanism in the same answer is."""
    from grade.core.grader import get_rubric, grade_text

    rubric, _ = get_rubric()
    unpraised = {s.id for s in rubric.sections if not s.strengths}
    assert unpraised == {"requirements", "architecture"}
    text = ("## Requirements\n\n- Peak load is 50k events/s and 2 TB per day, because every tenant's app "
            "sends clicks.\n\n"
            "## Correctness\n\n- Every event carries an `event_id`; the sink MERGEs on (tenant_id, event_id), so a "
            "retried batch writes nothing twice.\n")
    result = grade_text(text)
    scale = next(c for c in result.criteria if c.id == "structure.requirements.scale")
    assert scale.level == 2
    praised = {cid for s in result.critique.strengths for cid in s.criteria}
    assert praised and not any(rubric.criterion(cid).section in unpraised for cid in praised)
    assert any("event_id" in s.text for s in result.critique.strengths)


def test_a_section_may_be_praised_unless_the_rubric_says_otherwise() -> None:
    from grade.rubric.model import Section

    assert Section(id="s", title="S").strengths is True
    assert Section(id="s", title="S", strengths=False).strengths is False


@pytest.mark.parametrize(("criterion", "line", "shows"), [
    # round 7: a compaction line praised as the processing-model choice; a data-skew salting line as
    # training/serving skew. The line is evidence for the criterion, but not of the idea its title names.
    ("structure.decisions.processing_model",
     "Nightly job rewrites the many small streaming files into ~1 GB files; old file versions cleaned after 7 days.",
     False),
    ("structure.decisions.processing_model",
     "We stay on hourly micro-batch instead of Flink because nobody acts on the numbers faster than that.", True),
    ("prompt.feature-store.skew_prevention",
     "Big risk: a few huge merchants dominate rows, so we salt the top merchants in the build and the skew is gone.",
     False),
    ("prompt.feature-store.skew_prevention",
     "The same feature definitions are compiled to both the batch job and the streaming job, so training and serving "
     "compute identical values.", True),
    ("mechanics.cost_levers", "Warehouses auto-suspend after 5 minutes idle, which cut the compute bill by 30%.", True),
    # round 8: a number or a "because" away from a word of the idea is not its mechanism
    ("mechanics.backfill", "Alerts for the same table and check are grouped for 6 hours, so a table failing 20 "
     "partitions in a backfill produces one alert, not twenty.", False),
    ("mechanics.cost_levers", "That split is, frankly, the most important fact in the whole design, because it tells "
     "us where not to spend money.", False),
    ("mechanics.watermarks", "Watermark 10 min on the streaming aggregation.", True),
    # round 9: the requirement that asks for a low-latency API (a percentile target, a request rate) is not
    # the API's mechanism, however it is phrased; the store, key or pre-aggregation that meets it is
    ("prompt.realtime-analytics.product_api", "API for the product UI must answer p99 < 100 ms.", False),
    ("prompt.realtime-analytics.product_api", "In-product API for KPI tiles: p99 < 200 ms, ~2k QPS.", False),
    ("prompt.realtime-analytics.product_api", "The embedded widget endpoint has to stay under 150 ms at the 99th "
     "percentile for 3,000 requests per second.", False),
    ("prompt.realtime-analytics.product_api", "The in-app widget calls a REST API that reads pre-aggregated rollups "
     "keyed by tenant id, p95 under 80 ms.", True),
    ("prompt.realtime-analytics.product_api", "Product API reads from a Redis cache with a 30 s TTL.", True),
    ("prompt.feature-store.online_store", "Online lookups at about 5,000 requests per second, with a p99 under 15 ms "
     "for the feature fetch itself.", False),
    ("prompt.feature-store.online_store", "Online reads for fraud / recommendations, p99 under ~20 ms.", False),
    ("prompt.feature-store.online_store", "Features are pushed to Redis every minute with a 24-hour TTL.", True),
    ("prompt.feature-store.online_store", "Flink streams each updated feature to Redis within seconds.", True),
    # a decision is praised for its reason or the alternative it weighs, not for a line that runs the tool
    ("structure.decisions.processing_model", "Exactly-once: Flink checkpointing every 30 s, Kafka offsets committed "
     "with the checkpoint.", False),
    ("structure.decisions.processing_model", "Streaming with Flink rather than micro-batch, because the widgets need "
     "one-minute freshness.", True),
    ("structure.decisions.processing_model", "We picked Kappa: one streaming code path, and replay from Kafka "
     "covers reprocessing.", True),
])
def test_a_strength_cites_only_a_line_that_shows_the_named_idea(criterion: str, line: str, shows: bool) -> None:
    from grade.feedback.mechanism import shows_own_idea

    assert shows_own_idea(get_rubric()[1], criterion, line) is shows


def test_a_framing_or_goal_sentence_is_not_praised() -> None:
    """Round 8: "as I'd frame them" and "the goal here is" state the need; the mechanism is elsewhere."""
    from grade.core.document import parse
    from grade.feedback.anchors import anchors_for

    rubric = get_rubric()[0]
    text = ("# Feature store\n\n"
            "So the two non-negotiables, as I'd frame them: point-in-time correct training sets, and one "
            "definition of each feature used by both paths.\n\n"
            "The goal here is to get data out of our production Postgres database and into a lakehouse.\n\n"
            "Features are defined once in SQL and compiled to both the batch job and the streaming job.\n")
    doc = parse(text)
    anchors = anchors_for(rubric)
    skew = "prompt.feature-store.skew_prevention"
    assert not anchors.praisable(doc, 3, doc.lines[2].text, skew)
    assert not anchors.praisable(doc, 5, doc.lines[4].text, "structure.decisions.lakehouse_vs_warehouse")
    assert anchors.praisable(doc, 7, doc.lines[6].text, skew)


@pytest.mark.parametrize("line", [
    "Streaming only where it earns its keep. Everything else stays batch, because it is cheaper and considerably "
    "easier to recompute.",
    "Not everything streams: only 9 fraud features. Streaming all 400 would cost ~5x in Dataflow for models "
    "retrained weekly.",
    "Batch by default; only the fraud features stream, since streaming the other 400 would cost about 5x for models "
    "retrained weekly.",
])
def test_one_sentence_is_never_praised_twice_whole_or_in_part(line: str) -> None:
    """Round 9: a sentence praised under two ideas ("cost levers" and "streaming not overused"), once whole and
    once from its second sentence on, is one strength, not two."""
    from grade.core.grader import grade_text

    text = ("# Feature store\n\n## Decisions\n\n" + line + "\n\n"
            "Features are pushed to Redis every minute with a 24-hour TTL.\n")
    result = grade_text(text, prompt="feature-store")
    cited = [s.line for s in result.critique.strengths]
    said = [s.text.split(": ", 1)[1] for s in result.critique.strengths]
    for i, a in enumerate(said):
        for j, b in enumerate(said):
            if i != j and cited[i] == cited[j]:
                assert a.strip('"') not in b and b.strip('"') not in a


@pytest.mark.parametrize(("criterion", "line"), [
    # login tokens, sessions and keys that expire are not data retention
    ("prompt.privacy-dsr.retention", "Tokens expire after 1 hour and refresh tokens after 30 days."),
    ("prompt.privacy-dsr.retention", "Access tokens are valid for 15 minutes and sessions expire after 30 days."),
    ("prompt.privacy-dsr.retention", "JWTs have a 1 h TTL and API keys are rotated every 90 days."),
    # a mask on a screen is not column masking or tokenization in the data
    ("prompt.privacy-dsr.masking", "On the profile page, we show the email partially masked (`j*@gmail.com`) so "
     "that someone looking over the user's shoulder can't read it."),
    ("structure.security.masking_audit", "The checkout form uses an input mask on the card number field, showing "
     "only the last 4 digits."),
    ("prompt.privacy-dsr.masking", "The checkout form uses an input mask on the card number field, showing only "
     "the last 4 digits."),
    # a vendor's support contract or destruction promise is not the design's SLO or deletion
    ("prompt.realtime-analytics.tenant_slo", "Google Premium Support is contracted so that P1 incidents have a "
     "15-minute response, which underpins our SLA commitment to tenants."),
    ("prompt.realtime-analytics.tenant_slo", "We pay for AWS Enterprise Support: 15 min response time for "
     "sev 1 cases, which backs the 99.9% SLA per tenant."),
    ("prompt.privacy-dsr.deletion_propagation", "Our storage and backup providers carry a contractual SLA: "
     "data destroyed within 30 days of our instruction, with a certificate of destruction."),
    ("prompt.privacy-dsr.deletion_propagation", "The backup vendor guarantees erasure within 30 days under "
     "contract, so user data in backups is deleted too."),
    # Kafka log compaction keeps the last record per key: not dedupe of events, not deletion from the lake
    ("prompt.realtime-analytics.dedupe", "The log compaction will keep only the last message for each key, so if "
     "the SDK sends the same event twice the duplicate will be removed automatically."),
    ("structure.correctness.idempotency", "Duplicates are handled by a compacted Kafka topic keyed by event_id, "
     "so retries collapse to one record."),
    ("structure.correctness.merges", "For deletes we rely on Kafka log compaction: the CDC topics have "
     "`cleanup.policy=compact`, so when the tombstone for the user key is written, compaction removes the older "
     "versions."),
    ("structure.security.deletion", "Erasure: a tombstone is written per user key and topic "
     "compaction deletes the old records."),
    # a Kafka offset is not an event-time watermark
    ("mechanics.watermarks", "Late data: each run reads from the last committed offset watermark, so late rows are "
     "picked up in the next batch."),
    # partitioning a log or a stream orders and spreads events; it does not lay a table out for its queries
    ("mechanics.partition_strategy", "We partition the log by tenant id, so that all events of one tenant are in "
     "the same partition and the order is kept."),
    ("mechanics.partition_strategy", "Tenant partitioning via Pub/Sub ordering keys: this partitions the stream "
     "per tenant, so a large tenant cannot affect a small one."),
    ("mechanics.partition_strategy", "Partitioning: events are keyed by `tenant_id` in Kafka so each tenant's "
     "events stay in order on one partition."),
    # a CDC high-water mark (max LSN, offset) is not an event-time watermark
    ("mechanics.watermarks", "We use the max LSN applied as the watermark for the next run, stored in a control "
     "table."),
    # keying a topic so one row's changes share a partition orders them; it does not dedupe
    ("structure.correctness.idempotency", "The message key is the primary key, so all changes of one row go to the "
     "same partition and are applied in order."),
    # file compaction and Z-ordering lay files out; they are not updates, deletes or merges
    ("structure.correctness.merges", "OPTIMIZE with Z-order on customer_id nightly for the big silver tables, "
     "after the MERGE runs."),
])
def test_a_strength_never_cites_a_line_in_another_sense_than_its_idea(criterion: str, line: str) -> None:
    """Words of another sense (`anchors.praise_excludes`) rule a line out of praise under the idea
    (feedback round 10: token expiry praised as retention, a support contract as per-tenant SLOs, a UI
    mask as column masking, Kafka log compaction as dedupe or deletion, offsets as watermarks)."""
    import copy

    from grade.feedback.mechanism import shows_own_idea

    matcher = get_rubric()[1]
    assert not shows_own_idea(matcher, criterion, line)
    blind = copy.copy(matcher)  # without words of another sense and what a praised line must hold
    anchors = replace(matcher.rubric.anchors, praise_excludes={}, praise_requires={})
    blind.rubric = replace(matcher.rubric, anchors=anchors, praise=type(matcher.rubric.praise)())
    assert shows_own_idea(blind, criterion, line)


@pytest.mark.parametrize(("criterion", "line"), [
    ("prompt.privacy-dsr.retention", "Raw events are retained for 30 days; a nightly job deletes older partitions."),
    ("prompt.privacy-dsr.masking", "Email and phone columns are tokenized at ingestion; only the vault maps tokens "
     "back to values."),
    ("prompt.realtime-analytics.dedupe", "The Flink job keyed by event_id drops repeats seen in the last 24 hours."),
    ("mechanics.partition_strategy", "The events table is partitioned by event date and clustered by tenant_id, "
     "since every dashboard query filters on both."),
])
def test_the_same_idea_in_its_own_sense_is_still_praised(criterion: str, line: str) -> None:
    from grade.feedback.mechanism import shows_own_idea

    assert shows_own_idea(get_rubric()[1], criterion, line)


@pytest.mark.parametrize("line", [
    "Late events are handled this way too, because when they arrive they get a new offset bigger than the "
    "watermark, so they are processed in the next run.",
    "The watermark is the max commit sequence number seen, so rows that commit late are read on the next run.",
])
def test_an_offset_watermark_is_not_praised_as_late_data(line: str) -> None:
    """A high-water mark of an incremental load (offset, commit sequence) is not an event-time watermark: since
    round 18 the late-data criterion reads watermarks only in the event-time sense (`event_time_lateness`),
    so such a line is ruled out by the detectors themselves, not only by the words of another sense."""
    from grade.feedback.mechanism import shows_own_idea

    assert not shows_own_idea(get_rubric()[1], "structure.correctness.late_data", line)
