"""A raise needs a quote on the criterion's topic: the probe's reply, which raised every criterion to
2 on real but unrelated lines of answers/mock1.md, moves nothing; genuine raises still land.
Through the real openai client against the local fake server."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.grader import get_rubric
from grade.llm.grounding import concerns

from .conftest import ANSWERS
from .fake_llm_server import reply, rule_levels, wants_critique

MOCK1 = str(ANSWERS / "mock1.md")

# Each criterion the rules put below 2, with a real line of mock1.md that is about something else.
# The first two are the probe's own examples; the rest share a word with the criterion's rubric text,
# which was all the old topic check asked.
UNRELATED = {
    "structure.security.deletion": "Unique users: HyperLogLog in ClickHouse (`uniqState`) so minutes can be merged",
    "mechanics.late_data": "Deploys through CI/CD, Flink jobs restarted from savepoint",
    "structure.requirements.compliance": "Dashboards: our own React frontend on the same API",
    "structure.architecture.storage": "ingestion API (stateless, behind a load balancer)",
    "structure.architecture.governance_ops": "B2B SaaS, ~1,000 tenants, events from web + mobile SDKs",
    "structure.decisions.lakehouse_vs_warehouse": "`events_raw` table (MergeTree, ORDER BY",
    "structure.correctness.late_data": "~50k events/s average, maybe 150k/s at peak",
    "structure.correctness.merges": "Dashboards should update within ~1 minute; the in-app API",
    "structure.operations.lineage_alerting": "Per-tenant SLOs: freshness < 1 min for paid tiers, 5 min for free tier",
    "structure.operations.deployment": "Event time: windows on the event timestamp from the SDK, not arrival time",
    "structure.security.masking_audit": "validates against the schema registry (Avro), bad events go to a DLQ topic",
    "mechanics.watermarks": "Rate limit on the ingestion API per tenant so one tenant can't flood Kafka",
    "mechanics.backfill": "Exactly-once: Flink checkpointing every 30 s, Kafka offsets committed with the checkpoint",
    "mechanics.schema_evolution": "KPIs: DAU/WAU/MAU, sessions, feature adoption, simple funnels",
    "mechanics.compaction_clustering": "`kpi_minute` table (SummingMergeTree) for dashboards",
    "mechanics.small_files": "Big tenants could get their own partitions if they become a problem",
    "mechanics.partition_strategy": "B2B SaaS, ~1,000 tenants, events from web + mobile SDKs (page views, clicks",
    "tenancy.cost_attribution": "Flink keys on `(tenant_id, event_id)` and keeps seen ids in state for 1 hour",
    "tenancy.tenant_replay": "Shared tables with `tenant_id` in every table; the API always filters by the tenant",
    "signals.streaming_restraint": "Late events: Flink watermark with a few minutes of allowed lateness",
    "prompt.realtime-analytics.late_events": "alert if the newest minute in `kpi_minute` is older than 2 minutes",
}


def run(*args: str, server) -> dict:
    env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "sk-topic-test", "GRADE_LLM_TIMEOUT": "5"}
    result = CliRunner().invoke(main, ["--format", "json", *args], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def raise_with(quotes: dict[str, str]):
    def behaviour(body, srv):
        rules = rule_levels(body)
        levels = {cid: (2, quotes[cid]) if cid in quotes and lv < 2 else (lv, "") for cid, lv in rules.items()}
        return 200, {}, srv._completion(body, json.dumps(reply(levels, critique=wants_critique(body),
                                                               summary="Excellent.")))
    return behaviour


def test_the_unrelated_lines_are_real_lines_of_mock1_and_not_on_topic():
    text = (ANSWERS / "mock1.md").read_text(encoding="utf-8")
    rubric, _ = get_rubric()
    for cid, quote in UNRELATED.items():
        assert quote in text, quote
        assert not concerns(rubric, cid, quote), (cid, quote)


def test_the_probe_reply_moves_neither_score_nor_verdict(server):
    rules = run(MOCK1, server=server)  # the rules alone
    server.default = raise_with(UNRELATED)
    graded = run("--llm", "--no-cache", MOCK1, server=server)
    proposed = {c["id"] for c in rules["criteria"] if c["level"] < 2} & set(UNRELATED)
    assert len(proposed) >= 14  # masking_audit is 2 by the rules now: the SDK sends only a hashed user id
    assert graded["llm"]["raised"] == []
    assert graded["score"] == rules["score"] and graded["verdict"] == rules["verdict"]
    assert [c["level"] for c in graded["criteria"]] == [c["level"] for c in rules["criteria"]]
    reasons = {d["criterion"]: d["reason"] for d in graded["llm"]["discarded"]}
    assert set(reasons) == proposed
    assert all(r == "quote does not concern this criterion" for r in reasons.values())


def test_a_few_unrelated_raises_among_honest_ones_are_each_refused(server):
    rules = run(MOCK1, server=server)
    picked = {cid: UNRELATED[cid] for cid in ("structure.security.deletion", "mechanics.backfill")}
    honest = {"mechanics.partition_strategy": "ORDER BY (tenant_id, event_date, event_type)"}
    server.default = raise_with(picked | honest)
    graded = run("--llm", "--no-cache", MOCK1, server=server)
    assert graded["llm"]["raised"] == ["mechanics.partition_strategy"]
    assert {d["criterion"] for d in graded["llm"]["discarded"]} == set(picked)
    assert 0 < graded["score"] - rules["score"] < 5  # one criterion's worth


@pytest.mark.parametrize("cid, quote", [
    ("mechanics.partition_strategy", "ORDER BY (tenant_id, event_date, event_type)"),  # a sort key
    ("prompt.realtime-analytics.late_events", "Flink watermark with a few minutes of allowed lateness"),
    ("structure.architecture.storage", "Raw events also sunk from Kafka to S3 (Parquet) for history"),
    ("structure.decisions.state_backfill", "Deploys through CI/CD, Flink jobs restarted from savepoint"),
])
def test_genuine_raises_still_land(server, cid, quote):
    rules = run(MOCK1, server=server)
    assert next(c["level"] for c in rules["criteria"] if c["id"] == cid) < 2
    server.default = raise_with({cid: quote})
    graded = run("--llm", "--no-cache", MOCK1, server=server)
    assert graded["llm"]["raised"] == [cid]
    assert next(c["level"] for c in graded["criteria"] if c["id"] == cid) == 2
