"""Follow-up questions: chosen from the bank deterministically, by depth, naming the criterion, quoting verbatim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.document import parse
from grade.core.grader import get_rubric, grade_text
from grade.core.results import CriterionResult, Evidence, Followup
from grade.feedback.followups import DEPTHS, anchored, choose_followups, interviewer_followups
from grade.feedback.ideas import by_cost, ideas
from grade.feedback.quotes import plain, shown, whole_sentence

from .conftest import ANSWERS

ANSWER_FILES = sorted(ANSWERS.glob("*.md"))


def _bank() -> dict[tuple[str, str], list[str]]:
    bank: dict[tuple[str, str], list[str]] = {}
    for f in get_rubric()[0].followups:
        bank.setdefault((f.criterion, f.depth), []).append(f.text)
    return bank


def _quoted(question: str, options: list[str]) -> str | None:
    """The text a bank option's {quote} became in `question`; None if no option produced it."""
    for option in options:
        if "{quote}" not in option:
            if option == question:
                return ""
            continue
        head, tail = option.split("{quote}")
        if question.startswith(head) and question.endswith(tail) and len(question) >= len(head) + len(tail):
            return question[len(head): len(question) - len(tail)]
    return None


@pytest.mark.parametrize("path", ANSWER_FILES, ids=lambda p: p.name)
def test_questions_come_from_the_bank_at_the_criterion_depth_and_quote_whole_sentences(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = parse(text)
    result = grade_text(text, name=path.name)
    bank = _bank()
    by_id = {c.id: c for c in result.criteria}
    assert 3 <= len(result.followups) <= 7
    for f in result.followups:
        c = by_id[f.criterion]  # names a criterion of this answer
        assert f.depth == DEPTHS[c.level]
        quoted = _quoted(f.question, bank[(f.criterion, f.depth)])
        assert quoted is not None, f.question
        if f.depth == "missing":
            assert quoted == ""  # nothing to quote: a "how would you handle..." probe
        else:
            assert quoted, f"a {f.depth} probe must quote the answer: {f.question}"
            # the whole sentence that holds one of the criterion's pieces of evidence
            assert any(quoted == whole_sentence(doc, e.line, e.quote) and plain(shown(e.quote)) in quoted
                       for e in c.evidence), quoted
            assert not quoted.endswith("..."), quoted


def test_a_quote_is_the_whole_sentence_not_a_fragment(mock1_text: str) -> None:
    questions = " ".join(f.question for f in grade_text(mock1_text).followups)
    assert "dropping..." not in questions and "..." not in questions


def test_the_same_answer_always_gets_the_same_questions(mock1_text: str) -> None:
    first = grade_text(mock1_text).followups
    assert first == grade_text(mock1_text).followups
    rubric, _ = get_rubric()
    result = grade_text(mock1_text)
    assert choose_followups(result.criteria, rubric, parse(mock1_text).text, prompt=result.prompt) == first


def test_phrasing_varies_with_the_answer_but_not_the_target() -> None:
    rubric, _ = get_rubric()
    criteria = grade_text("We ingest events with Kafka into S3.", prompt="1").criteria
    runs = [choose_followups(criteria, rubric, f"answer {i}") for i in range(12)]
    assert len({tuple(q.criterion for q in run) for run in runs}) == 1  # same gaps probed
    assert len({tuple(q.question for q in run) for run in runs}) > 1  # several phrasings in the bank


def test_costliest_gap_is_asked_first_with_a_how_would_you_probe() -> None:
    rubric, _ = get_rubric()
    result = grade_text("We ingest events with Kafka into S3 and show dashboards.", prompt="1")
    missing = by_cost([i for i in ideas(result.criteria, rubric) if i.level == 0])
    first = result.followups[0]
    assert first.criterion in missing[0].criteria and first.depth == "missing"
    assert first.question in [f.text for f in rubric.followups if f.criterion == first.criterion]


def _crit(cid: str, level: int, *quotes: str, weight: float = 1.0) -> CriterionResult:
    return CriterionResult(id=cid, title=cid, section="mechanics", weight=weight, level=level,
                           evidence=[Evidence(line=i + 1, quote=q) for i, q in enumerate(quotes)])


def test_costliest_gaps_are_asked_first_with_a_how_would_you_probe() -> None:
    rubric, _ = get_rubric()
    criteria = [
        _crit("structure.requirements.latency", 0, weight=1.0),  # a third gap is asked only to reach three
        _crit("mechanics.watermarks", 0, weight=0.5),
        _crit("mechanics.late_data", 0, weight=3.0),
        _crit("mechanics.small_files", 1, "we avoid small files in every table", weight=4.0),  # named: half the cost
        _crit("mechanics.backfill", 0, weight=2.0),
    ]
    out = choose_followups(criteria, rubric, "x")
    assert [(f.criterion, f.depth) for f in out] == [
        ("mechanics.late_data", "missing"), ("mechanics.backfill", "missing"), ("mechanics.small_files", "mentioned")]
    assert out[0].question in [f.text for f in rubric.followups
                               if f.criterion == "mechanics.late_data" and f.depth == "missing"]


def test_at_least_three_even_when_everything_is_substantiated() -> None:
    rubric, _ = get_rubric()
    ids = [c.id for c in rubric.criteria if c.prompt is None][:6]
    # each quote is a whole claim: a label of a few words is never quoted (see quotes.anchorable)
    criteria = [_crit(cid, 2, f"this is claim number {i} of the answer") for i, cid in enumerate(ids)]
    out = choose_followups(criteria, rubric, "x")
    assert len(out) == 3
    assert all(f.depth == "substantiated" for f in out)


def test_limit_is_seven_and_a_used_quote_is_not_repeated_when_there_is_another() -> None:
    rubric, _ = get_rubric()
    # both lines are on cost (a cost question quotes only a line on cost: anchors.quote_requires)
    shared = "Dedupe on (tenant_id, event_id) in a MERGE, so a retry costs no extra compute"
    lever = "spot instances for the batch jobs cut the compute bill"
    backfill = "A backfill reruns the affected partitions from the raw layer and swaps them in one commit"
    text = f"- {shared}\n- {lever}\n- Flink state, Redis cache.\n- {backfill}\n"
    grouped = {cid for g in rubric.groups for cid in g.criteria}
    free = [c.id for c in rubric.criteria if c.prompt is None and c.id not in grouped]
    taken = {"mechanics.cost_levers", "mechanics.backfill"}
    criteria = [
        _crit("mechanics.idempotent_ingestion", 2, shared, weight=5),
        _crit("mechanics.cost_levers", 2, shared, lever, weight=4),
        _crit("mechanics.backfill", 2, backfill, weight=3),
        *[_crit(cid, 1, f"the answer only names {cid} here") for cid in free[:4] if cid not in taken],
        *[_crit(cid, 0) for cid in free[4:20] if cid not in taken],
    ]
    out = choose_followups(criteria, rubric, text)
    assert len(out) == 7
    strong = {f.criterion: f.question for f in out if f.depth == "substantiated"}
    assert shared in strong["mechanics.idempotent_ingestion"]
    assert lever in strong["mechanics.cost_levers"]


def test_criteria_that_restate_one_idea_get_one_question() -> None:
    rubric, _ = get_rubric()
    criteria = [_crit(cid, 0, weight=3) for cid in ("mechanics.idempotent_ingestion",
                                                    "structure.correctness.idempotency", "mechanics.backfill")]
    out = choose_followups(criteria, rubric, "A nightly job loads the table.")  # a job: see round 16
    assert [f.criterion for f in out].count("mechanics.backfill") == 1
    assert len([f for f in out if "idempot" in f.criterion]) == 1


class _Writer:
    def __init__(self, questions: list[Followup]):
        self.questions = questions
        self.seen: list[Followup] = []

    def write(self, result, anchors, answer_text):
        self.seen = anchors
        return self.questions


def test_llm_seam_keeps_only_questions_anchored_to_verified_depths(mock1_text: str) -> None:
    result = grade_text(mock1_text)
    levels = {c.id: c.level for c in result.criteria}
    good = [Followup(criterion=cid, depth=DEPTHS[lv], question=f"Tell me more about {cid}?")
            for cid, lv in list(levels.items())[:4]]
    invented = Followup(criterion="mechanics.made_up", depth="missing", question="Anything?")
    wrong_depth = Followup(criterion=good[0].criterion, depth=DEPTHS[(levels[good[0].criterion] + 1) % 3],
                           question="Walk me through it?")
    writer = _Writer([*good, invented, wrong_depth, good[0]])
    out = interviewer_followups(result, mock1_text, writer=writer)
    assert out == good
    assert writer.seen == result.followups  # the writer is given the bank's questions as anchors
    assert anchored([invented], result) == []
    # Too few anchored questions: the bank's stand.
    assert interviewer_followups(result, mock1_text, writer=_Writer(good[:2])) == result.followups
    assert interviewer_followups(result, mock1_text) == result.followups


def test_cli_followups_text_names_each_criterion() -> None:
    r = CliRunner().invoke(main, ["followups", str(ANSWERS / "mock1.md")])
    assert r.exit_code == 0, r.output
    result = grade_text((ANSWERS / "mock1.md").read_text(encoding="utf-8"))
    for f in result.followups:
        assert f.question in r.output
        assert f"probes {f.criterion}" in r.output


def test_cli_followups_json(tmp_path) -> None:
    r = CliRunner().invoke(main, ["followups", "--format", "json", "--prompt", "2", str(ANSWERS / "mock1.md")])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["prompt"] == "cdc-lakehouse" and data["source"] == "bank"
    assert 3 <= len(data["followups"]) <= 7
    for f in data["followups"]:
        assert set(f) == {"criterion", "title", "depth", "level", "question"}
        assert f["depth"] == DEPTHS[f["level"]]


def test_cli_followups_missing_file_is_exit_2(tmp_path) -> None:
    r = CliRunner().invoke(main, ["followups", str(tmp_path / "nope.md")])
    assert r.exit_code == 2
    assert "no such file" in r.output


def test_mock1_is_not_asked_about_what_it_lacks_or_already_says(mock1_text: str) -> None:
    """The issue's examples: Silver/Gold and source deletes it does not have; what happens to late
    events (dropped, line 28) it already says; two questions on one idea."""
    rubric, _ = get_rubric()
    questions = grade_text(mock1_text).followups
    text = " ".join(q.question for q in questions)
    assert "Silver" not in text and "Gold" not in text and "deletes from the source" not in text
    assert "dropped, sent to a side output" not in text and "What's the grace period" not in text
    groups = [rubric.group_of(q.criterion).id if rubric.group_of(q.criterion) else q.criterion for q in questions]
    assert len(groups) == len(set(groups))


@pytest.mark.parametrize(("answer", "never"), [
    ("- Streaming writes are compacted nightly, targeting 256 MB files, to avoid small files.\n", "target file size"),
    ("- Flink dedupes on event_id and keeps seen ids in state for 24 h.\n", "how long do you keep dedupe state"),
])
def test_a_question_never_asks_for_what_the_answer_states(answer: str, never: str) -> None:
    rubric, _ = get_rubric()
    criteria = grade_text(answer, prompt="1").criteria
    for seed in range(30):  # whatever phrasing the hash would pick
        for q in choose_followups(criteria, rubric, answer + f"<!-- {seed} -->", limit=7):
            assert never not in q.question.lower(), q.question


def test_a_fallback_phrasing_is_used_only_when_no_other_fits() -> None:
    rubric, _ = get_rubric()
    fallback = {f.text for f in rubric.followups if f.fallback}
    kafka = "Every event id read from the Kafka topic is checked against the seen set before the write"
    criteria = [_crit("structure.correctness.idempotency", 2, kafka, weight=9)]
    q = choose_followups(criteria, rubric, f"- {kafka}\n", limit=1)[0]
    assert q.question.replace(kafka, "{quote}") not in {t.replace('\\"', '"') for t in fallback}
    merge = "Reruns are safe because every write is a MERGE on the order key and its version"
    criteria = [_crit("structure.correctness.idempotency", 2, merge, weight=9)]
    q = choose_followups(criteria, rubric, f"- {merge}\n", limit=1)[0]
    assert q.question.replace(merge, "{quote}") in fallback  # no ids, no bus in the claim: only the fallback fits


def test_a_tenancy_question_is_never_asked_of_an_answer_without_tenants() -> None:
    rubric, _ = get_rubric()
    criteria = [_crit("tenancy.quotas", 0, weight=9), _crit("tenancy.cost_attribution", 0, weight=9)]
    asked = choose_followups(criteria, rubric, "Several tenants share one Kafka cluster and one Flink job.\n", limit=2)
    assert len(asked) == 2
    assert choose_followups(criteria, rubric, "One Kafka cluster and one Flink job.\n", limit=2) == []


def test_a_bold_lead_in_is_a_sentence_of_its_own_and_half_cut_emphasis_is_dropped() -> None:
    doc = parse("- **Late events.** Flink uses event time with a 30-second watermark. More.\n"
                "- **Storage**: Lakehouse on Delta Lake with ACID and time travel\n")
    assert whole_sentence(doc, 1, "Flink uses event time") == "Flink uses event time with a 30-second watermark"
    assert whole_sentence(doc, 2, "Storage**: Lakehouse on Delta Lake") == \
        "Storage: Lakehouse on Delta Lake with ACID and time travel"


def test_a_question_written_for_other_prompts_is_not_asked() -> None:
    """A late-window question is for an analytics design, not a deletion pipeline (round-2 labels)."""
    rubric, _ = get_rubric()
    criteria = [_crit("mechanics.late_data", 0, weight=3.0)]
    fitting = {f.text for f in rubric.followups if f.criterion == "mechanics.late_data" and f.depth == "missing"
               and (not f.prompts or "privacy-dsr" in f.prompts)}
    out = choose_followups(criteria, rubric, "x", prompt="privacy-dsr")
    assert all(q.question in fitting for q in out)


def test_anchors_and_strengths_need_a_claim() -> None:
    from grade.feedback.quotes import anchorable, shows_how

    assert not anchorable("Updates / deletes", "structure.correctness.merges")  # a label
    assert not anchorable("Oracle / MySQL / SQL Server \u2192 Debezium \u2192 Kafka (Confluent Cloud)", "x")
    assert not anchorable("Latest per key: `row_number() over (partition by pk order by lsn desc)`",
                          "mechanics.partition_strategy")
    assert anchorable("Silver tables are partitioned by event date because every query filters on it",
                      "mechanics.partition_strategy")
    assert not shows_how("Classification: Snowflake auto-classification + Collibra catalog", "x")
    assert shows_how("Dedupe on `event_id` within a 2 h watermark, state in RocksDB", "x")


def test_a_scenario_on_a_quoted_claim_needs_its_components_in_that_claim() -> None:
    """The answer has Flink elsewhere, but the quoted MERGE line has no stream processor: "the stream
    processor is exactly-once but the sink is an external API" is not posed on it."""
    from grade.core.document import parse
    from grade.feedback.followups import _Asker

    rubric, _ = get_rubric()
    merge = "Reruns are safe because we MERGE on (order_id, lsn) and keep the newest version of each row"
    text = f"- {merge}\n- Flink reads the topics and pushes changes to the partner API through a webhook.\n"
    asker = _Asker(rubric, parse(text), text)
    crit = _crit("mechanics.idempotent_ingestion", 2, merge)
    assert asker.quote(crit, []) == merge
    assert asker.quote(crit, ["stream_job"]) is None  # Flink is in the answer, not in the claim
    flink = "Flink reads the topics and pushes changes to the partner API through a webhook."
    crit = _crit("mechanics.idempotent_ingestion", 2, flink)
    assert asker.quote(crit, ["stream_job", "external_sink"]) == flink


FEATURE_STORE_NO_EVENTS = """# Feature store for fraud

Nightly SQL in Snowflake builds the offline feature tables from the orders and payments tables; the same tables \
are published to a Redis cache that the model services read from.

Big risk: a few huge merchants dominate rows, so we salt the top merchants in the build (append a random number \
0-9, aggregate, then merge) and the skew is gone.

Training sets are rebuilt point-in-time with an ASOF join on entity_id, so there is no leakage.

Cost: Redis memory is about 15 GB, which is acceptable.
"""


def test_stock_questions_that_fit_no_part_of_a_feature_store_are_not_asked() -> None:
    """Round 7: "when is a day's number final" (a KPI report's question), event-id dedupe with no event stream,
    skew monitoring where "skew" is data skew, and a MERGE question on salted partial aggregates."""
    asked = " ".join(f.question for f in grade_text(FEATURE_STORE_NO_EVENTS, name="fs.md",
                                                      prompt="feature-store").followups)
    for stock in ("a day's number final", "dedupe key for events", "skew monitoring fires", "the MERGE touches",
                  "How does the MERGE avoid"):
        assert stock not in asked


def test_bank_questions_requiring_a_component_elsewhere_are_checked_against_the_whole_answer() -> None:
    rubric = get_rubric()[0]
    q = next(f for f in rubric.followups if "competes with live jobs for the same cluster" in f.text)
    assert q.presupposes == ["backfill"] and q.requires == ["shared_compute"]


def _bank_q(fragment: str):
    return next(f for f in get_rubric()[0].followups if fragment in f.text)


def _asker_for(text: str, prompt: str | None = None):
    from grade.feedback.followups import _Asker

    return _Asker(get_rubric()[0], parse(text), text, prompt)


def _quotes(fragment: str, cid: str, level: int, sentence: str, prompt: str | None = None) -> bool:
    """Would the bank question with `fragment` be asked on `sentence`, the only line of an answer?"""
    q = _bank_q(fragment)
    asker = _asker_for(f"- {sentence}\n", prompt)
    return asker.fits(q) and asker.quote(_crit(cid, level, sentence), q.presupposes, q.text) is not None


@pytest.mark.parametrize("sentence", [
    "Upserts by key into Bigtable make retries safe",
    "Flink re-emits the updated window, the upsert overwrites the old value in ClickHouse",
])
def test_rewriting_the_world_is_not_asked_of_an_upsert_by_key(sentence: str) -> None:
    """Round 8: "the MERGE touches every file" posed on a key-value upsert that rewrites no files."""
    assert not _quotes("rewriting the world", "structure.correctness.merges", 2, sentence)
    assert _quotes("rewriting the world", "structure.correctness.merges", 2,
                   "Gold tables use MERGE so reruns don't double count")


@pytest.mark.parametrize("pruned", [
    "Silver is bucketed by PK hash (merge pruning).",
    "Silver is clustered by primary key hash for merge pruning.",
    "MERGE INTO silver.events t USING b s ON t.event_date = s.event_date AND t.event_id = s.event_id",
    "The merge condition includes the event_date partition column so only recent files are read.",
])
def test_rewriting_the_world_is_not_asked_of_a_pruned_merge(pruned: str) -> None:
    asker = _asker_for(f"- Gold tables use MERGE so reruns don't double count.\n- {pruned}\n")
    assert not asker.fits(_bank_q("rewriting the world"))


@pytest.mark.parametrize("said", [
    "The SDK assigns a UUID, batches, and retries with the same UUID.",
    "Mobile retries send the same id.",
    "SDK creates `event_id` (UUID v7) and retries with the same id.",
    "Every event has `event_id` (UUID generated by the SDK, reused on retry).",
    "The idempotency key is kept across retries.",
])
def test_regenerated_event_ids_are_not_asked_where_retries_reuse_the_id(said: str) -> None:
    asker = _asker_for(f"- Flink drops duplicates on event_id within 24 h.\n- {said}\n")
    assert not asker.fits(_bank_q("regenerates event ids"))
    assert _asker_for("- Flink drops duplicates on event_id within 24 h.\n").fits(_bank_q("regenerates event ids"))


def test_deletion_designs_get_no_event_id_backfill_or_product_freshness_stock_questions() -> None:
    """Round 8: a DSR request id is not a producer's event id; a rebuild that propagates a delete is not
    a backfill to version; product freshness and per-tenant reprocessing do not fit a deletion design."""
    text = "- Requests are keyed by request_id; every step is idempotent, so retries are harmless.\n"
    for fragment in ("regenerates event ids", "logic versioned so the backfill", "reprocess just theirs",
                     "what freshness does the product actually need", "replayed from the event bus"):
        assert not _asker_for(text, "privacy-dsr").fits(_bank_q(fragment))
        assert "privacy-dsr" not in _bank_q(fragment).prompts


@pytest.mark.parametrize(("sentence", "asked"), [
    ("max event-time partition landed vs expected schedule", False),
    ("check_results is written with MERGE on (check_id, table, partition_key, window_start)", False),
    ("a weekly rewrite compacts affected partitions so the delete files are applied", False),
    ("Raw events land in a table partitioned by event date, clustered by tenant_id", True),
    ("Backfills run per month partition against history with the versioned code", True),
])
def test_partition_key_questions_need_a_chosen_partition_key(sentence: str, asked: bool) -> None:
    assert _quotes("cardinality does that partition key", "mechanics.partition_strategy", 1, sentence) is asked


@pytest.mark.parametrize(("sentence", "asked"), [
    ("Roadmap phase 2: roll out the rules engine and launch the dashboard", False),
    # round 15: a rerun of today's job is idempotency, not a backfill to version (labelled a platitude)
    ("Retries: a handler can be re-run safely", False),
    ("If something is wrong we can reload the table with a full load", True),
])
def test_backfill_versioning_is_asked_only_on_a_backfill_claim(sentence: str, asked: bool) -> None:
    assert _quotes("logic versioned so the backfill", "mechanics.backfill", 1, sentence,
                   "cdc-lakehouse") is asked


def test_a_stock_question_on_a_cheap_missing_idea_does_not_pad_the_list():
    """Feedback rounds 4-8: a stock question that stands in for a costlier missing idea whose questions
    did not fit is useful about half the time, the further down the costs the less. Only the idea right
    after the quota may stand in with one; past it, only an anchored question does (or the top-up to 3)."""
    from grade.feedback.followups import MIN_FOLLOWUPS, PLAN, STOCK_REACH

    text = ("# Plan\n\nChecks run after each load: row counts, null rates, freshness. "
            "Alerts go to the owning team in Slack.\n")
    result = grade_text(text, prompt="dq-observability")
    rubric = get_rubric()[0]
    missing = by_cost([i for i in ideas(result.criteria, rubric) if i.level == 0])
    rank = {c: k for k, i in enumerate(missing) for c in i.criteria}
    questions = result.followups
    assert len(questions) == MIN_FOLLOWUPS  # the interviewer still asks three
    stock = [q for q in questions if q.depth == "missing"]
    assert all(rank[q.criterion] < PLAN[0] + STOCK_REACH for q in stock[:PLAN[0]])
    assert not any(q.question.startswith("How does the platform learn what normal looks like") for q in questions)


# --- feedback round 9: follow-ups that did not fit the design they were put to ---------------------

@pytest.mark.parametrize("sentence, asked", [
    ("Same request twice is one row (MERGE on request_id).", False),
    ("One merge per table per week deletes all pending subject ids.", False),
    ("Distinct users are theta sketches, which merge cleanly when late data arrives.", False),
    ("ClickHouse tables are ReplacingMergeTree on (tenant_id, event_id) as a safety net.", False),
    ("CDC changes are applied to Silver with a MERGE on the primary key.", True),
    ("A MERGE upserts each customer row by its id.", True),
])
def test_out_of_order_updates_are_asked_only_of_a_merge_that_applies_updates(sentence: str, asked: bool) -> None:
    assert _quotes("Updates arrive out of order", "structure.correctness.merges", 2, sentence) is asked


@pytest.mark.parametrize("sentence, asked", [
    ("Datastream for CDC from Cloud SQL straight into BigQuery.", False),
    ("Capture: AWS DMS, full load plus ongoing CDC, writes Parquet to S3.", False),
    ("Debezium reads the Postgres WAL into one topic per table.", True),  # a topic: a bus others may publish to
    ("The mobile SDK sends events to a collector that writes to Kafka.", True),
    ("Services publish JSON events to Pub/Sub.", True),
])
def test_malformed_payloads_are_asked_only_where_someone_sends_them(sentence: str, asked: bool) -> None:
    assert _quotes("malformed payloads", "structure.architecture.ingestion", 2, sentence,
                   "cdc-lakehouse") is asked


@pytest.mark.parametrize("sentence, asked", [
    ("Mask PII for analysts and data scientists.", False),
    ("Emails are masked with dynamic data masking for everyone outside the pii group.", False),
    ("Emails are replaced by tokens from a token vault.", True),
    ("Identifiers are pseudonymised with a keyed HMAC and a lookup table.", True),
])
def test_the_token_mapping_question_needs_tokens(sentence: str, asked: bool) -> None:
    assert _quotes("the token mapping is itself PII", "prompt.privacy-dsr.masking", 2, sentence,
                   "privacy-dsr") is asked


@pytest.mark.parametrize("sentence, asked", [
    ("CI fails when a new column has no tag.", False),
    ("Dataflow updates use the in-place update path when the graph is compatible.", False),
    ("Producers register Avro schemas in the registry before deploying.", True),
    ("Adding or renaming a field goes through the data contract review.", True),
])
def test_the_compatibility_mode_question_needs_a_schema_claim(sentence: str, asked: bool) -> None:
    assert _quotes("What compatibility mode (backward", "mechanics.schema_evolution", 1, sentence) is asked


@pytest.mark.parametrize("said", [
    "A continuous job would cost roughly four times as much in compute.",
    "Keeping that state hot would cost about 5x more.",
    "A streaming path would add roughly €4k/month.",
    "That saves around $3,000 a month.",
])
def test_the_saving_is_not_asked_again_when_the_answer_gives_it(said: str) -> None:
    assert not _asker_for(f"- {said}\n").fits(_bank_q("Which lever saves the most here"))


@pytest.mark.parametrize("said", [
    "Each delete is written so that running it twice does nothing harmful.",
    "If the job dies halfway, the next run repeats the whole list.",
    "Deletes are safe to repeat.",
    "Every load is idempotent.",
    "Reruns are a no-op.",
])
def test_idempotency_is_not_called_missing_when_the_answer_covers_it(said: str) -> None:
    assert not _asker_for(f"- {said}\n").fits(_bank_q("You haven't covered idempotency"))


@pytest.mark.parametrize("fragment, prompt, asked", [
    ("which transformations are streaming, which are batch", "dq-observability", False),
    ("which transformations are streaming, which are batch", "privacy-dsr", False),
    ("which transformations are streaming, which are batch", "realtime-analytics", True),
    ("half its usual rows", "privacy-dsr", False),
    ("half its usual rows", "dq-observability", True),
    ("Where does raw data land, and is that landing zone", "dq-observability", False),
    ("Which queries does that partitioning serve", "privacy-dsr", False),
])
def test_pipeline_questions_are_not_put_to_quality_or_privacy_designs(fragment: str, prompt: str,
                                                                      asked: bool) -> None:
    assert _asker_for("- Kafka topics, Flink jobs, Parquet files partitioned by day.\n", prompt).fits(
        _bank_q(fragment)) is asked


@pytest.mark.parametrize("text", [
    "Context: ~2M users, app DB in Cloud SQL Postgres replicated\nto BigQuery with Datastream, dbt for modelling.\n",
    "# Erasure\n\n## What has to be true\n- ~90 TB Delta in ADLS Gen2, Fabric warehouse for marts.\n",
])
def test_a_context_line_is_not_asked_about_as_a_choice(text: str) -> None:
    from grade.feedback.anchors import CONTEXT, anchors_for

    doc = parse(text)
    line = max(i for i, ln in enumerate(doc.lines, 1) if ln.kind != "blank")
    anchors = anchors_for(get_rubric()[0])
    assert anchors.role(doc, line, doc.lines[line - 1].text) == CONTEXT
    assert not anchors.quotable(doc, line, doc.lines[line - 1].text, "what do you give up with that choice")


@pytest.mark.parametrize("sentence", [
    "A streaming path would add roughly €4k/month in Event Hubs costs plus an on-call rotation.",
    "The streaming pipeline would need a second codebase.",
    "A Kafka layer would mean another cluster to run.",
])
def test_a_rejected_streaming_alternative_is_not_quoted_as_the_design(sentence: str) -> None:
    from grade.feedback.anchors import NOT_DESIGN, anchors_for

    doc = parse(f"- {sentence}\n")
    assert anchors_for(get_rubric()[0]).role(doc, 1, sentence) == NOT_DESIGN
