"""Feedback round 16: follow-ups hung on lines in another sense than the question's."""

from __future__ import annotations

import pytest

from tests.test_followups import _quotes


@pytest.mark.parametrize("sentence", [
    "Dedup alerts per (table, check, day); escalation after 2 h unacknowledged",
    "Alerts are deduped by root cause: one broken source table produces one incident, not 30 notifications",
    "PagerDuty de-duplicates pages on the incident key so on-call gets one page",
    "Notifications are deduplicated per check and day",
])
def test_data_dedupe_questions_not_asked_of_alert_dedupe(sentence: str) -> None:
    """y006, y027: de-duplicating alerts is no dedupe of data rows."""
    assert not _quotes("leave a duplicate or a gap", "structure.correctness.idempotency", 2, sentence)
    assert not _quotes("what is the dedupe key, and where is it enforced", "mechanics.idempotent_ingestion", 1,
                       sentence)


@pytest.mark.parametrize("sentence", [
    "We dedupe events on event_id in a 24 h window before Silver",
    "Duplicates are dropped by MERGE on the primary key",
])
def test_data_dedupe_questions_still_asked_of_row_dedupe(sentence: str) -> None:
    assert _quotes("leave a duplicate or a gap", "structure.correctness.idempotency", 2, sentence)


@pytest.mark.parametrize("sentence", [
    "PARTITION BY l.order_id",
    "ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY updated_at DESC) = 1 keeps the latest row",
    "We keep the latest version with a window: partition by customer_id order by lsn desc",
    "QUALIFY RANK() OVER (PARTITION BY f.entity_id ORDER BY f.available_ts DESC) = 1",
])
def test_partitioning_questions_not_asked_of_a_window_function(sentence: str) -> None:
    """y015: PARTITION BY inside a window function is no table partitioning."""
    for fragment in ("Which queries does that partitioning serve", "cardinality does that partition key"):
        assert not _quotes(fragment, "mechanics.partition_strategy", 1, sentence, "cdc-lakehouse")


@pytest.mark.parametrize("sentence", [
    "Silver tables are partitioned by event_date",
    "CREATE TABLE silver.orders ... PARTITIONED BY (days(order_ts))",
    "Gold is PARTITION BY DATE(event_ts) CLUSTER BY tenant_id in BigQuery",
])
def test_partitioning_questions_still_asked_of_a_table_layout(sentence: str) -> None:
    assert _quotes("Which queries does that partitioning serve", "mechanics.partition_strategy", 1, sentence,
                   "cdc-lakehouse")


@pytest.mark.parametrize("sentence", [
    "Event Hubs lands the raw stream, Synapse handles the batch side, Purview catalogs everything, "
    "Key Vault holds secrets, Entra ID handles identity, and Azure Monitor covers the operational view",
    "Personal data today sits in Azure SQL and the ADLS lake",
    "Currently the customer data lives in Postgres and S3",
    "Finance and ops teams want reports in Redshift",
    "The data science team needs the raw clickstream in the lake",
    "Stakeholders expect dashboards in Power BI",
])
def test_trade_off_question_not_asked_of_a_line_that_names_no_choice(sentence: str) -> None:
    """y004, y014, y033: "what do you give up with that choice" on a list of services, where data sits
    today, or what a stakeholder wants."""
    assert not _quotes("what do you give up with that choice", "structure.decisions.lakehouse_vs_warehouse", 1,
                       sentence)


@pytest.mark.parametrize("sentence", [
    "No machine unlearning: cost not justified, documented in the DPIA",
    "Rewriting raw files for one user every night is too expensive",
    "A per-tenant cluster would be far too costly for 2,000 tenants",
    "We decided not to stream the marts because hourly is enough",
])
def test_lever_question_not_asked_of_an_option_turned_down(sentence: str) -> None:
    """y023, y031: "measure whether that lever is working" on a decision not to do something."""
    assert not _quotes("measure whether that lever", "mechanics.cost_levers", 1, sentence, "privacy-dsr")


@pytest.mark.parametrize(("fragment", "cid", "level", "sentence", "prompt"), [
    ("what do you give up with that choice", "structure.decisions.lakehouse_vs_warehouse", 1,
     "We use Databricks with Delta tables rather than Snowflake, because ML reads the files directly", None),
    ("measure whether that lever", "mechanics.cost_levers", 1,
     "Warehouses auto-suspend after 60 seconds to save credits", "privacy-dsr"),
])
def test_choice_questions_still_asked_of_a_choice(fragment: str, cid: str, level: int, sentence: str,
                                                  prompt: str | None) -> None:
    assert _quotes(fragment, cid, level, sentence, prompt)


@pytest.mark.parametrize("sentence", [
    "Tagging at creation: CI blocks a new table without tags",
    "The table is already its own history, and versioning it would only double the storage",
    "payment_txn is SCD2 with valid_from and valid_to",
    "A CI check fails if a column has no owner tag",
])
def test_pipeline_version_question_needs_a_code_release(sentence: str) -> None:
    """y009, y020: "how are pipeline versions tracked" on a CI tagging rule or an SCD2 table."""
    assert not _quotes("pipeline versions tracked", "structure.operations.deployment", 1, sentence)
    assert not _quotes("What runs in CI", "structure.operations.deployment", 1, sentence)


@pytest.mark.parametrize("sentence", [
    "dbt models ship through CI/CD with a blue/green swap",
    "Every deploy of the Spark jobs is a tagged release in git",
    "We roll out new transformations behind a canary on one tenant",
])
def test_pipeline_version_question_still_asked_of_a_release(sentence: str) -> None:
    assert _quotes("pipeline versions tracked", "structure.operations.deployment", 1, sentence)


@pytest.mark.parametrize("sentence", [
    "Reviewers: Analytics, BI, Finance Data",
    "**Approvers:** Data Platform, Security",
    "Reviewed by: ML platform, Finance analytics",
])
def test_consumer_questions_not_asked_of_an_rfc_header(sentence: str) -> None:
    """y010: an RFC's "Reviewers" header read as the data's consumers."""
    assert not _quotes("which consumer wins when their needs conflict", "structure.requirements.consumers", 1,
                       sentence)


def test_consumer_questions_still_asked_of_consumers() -> None:
    assert _quotes("which consumer wins when their needs conflict", "structure.requirements.consumers", 1,
                   "Consumers: Finance reads the daily marts, ML trains on full history, "
                   "the in-app widget reads the API")


def test_consumer_conflict_question_needs_ml_and_a_ui() -> None:
    """y010: "ML wanting full history and the UI wanting sub-second reads" asked of a DQ design with neither."""
    from tests.test_followups import _asker_for, _bank_q

    q = _bank_q("which consumer wins when their needs conflict")
    dq_only = "- Consumers: Finance reads the daily marts in Looker\n- Checks run after each load\n"
    assert not _asker_for(dq_only).fits(q)
    assert _asker_for("- Consumers: ML trains on full history; the in-app widget reads Redis via the API\n").fits(q)


@pytest.mark.parametrize("text", [
    "- Daily batch in Databricks computes features.\n- We keep phase one batch-only on purpose: streaming would "
    "roughly triple the cost.\n",
    "- Nightly dbt builds the marts.\n- I looked at Spark Structured Streaming and decided against it for now.\n",
    "- Hourly batch jobs load Silver.\n- Event Hubs Capture lands the streaming data into ADLS.\n",
    "- Batch loads every hour.\n- Month 3: review whether streaming is needed for fraud.\n",
])
def test_batch_and_streaming_question_not_asked_without_a_streaming_path(text: str) -> None:
    """y002: "the batch and streaming paths compute overlapping metrics" asked of a design that turns streaming down."""
    from tests.test_followups import _asker_for, _bank_q

    assert not _asker_for(text).fits(_bank_q("the batch and streaming paths compute overlapping metrics"))


def test_batch_and_streaming_question_still_asked_with_both_paths() -> None:
    from tests.test_followups import _asker_for, _bank_q

    text = "- Flink computes the live counters.\n- A nightly batch job recomputes the exact totals.\n"
    assert _asker_for(text).fits(_bank_q("the batch and streaming paths compute overlapping metrics"))


PROCESS = ("# Privacy pipeline\n\nMost of this problem is process. Requests are logged in the DSR workflow tool by the "
           "privacy team.\n\n- A ticket is raised to each impacted system owner.\n- The owner confirms the erasure "
           "within 20 days.\n- Annual internal audit review of the process.\n")


@pytest.mark.parametrize("fragment", ["A job crashes after writing half its output",
                                      "Which component will dominate the bill",
                                      "when a new column appears: auto-add, reject, or quarantine"])
def test_stock_job_questions_not_asked_of_a_process(fragment: str) -> None:
    """y035, y037: an answer that is a ticket-and-owner process runs no job to crash, bill or evolve."""
    from tests.test_followups import _asker_for, _bank_q

    assert not _asker_for(PROCESS).fits(_bank_q(fragment))


@pytest.mark.parametrize("line", ["- A nightly Airflow DAG runs the deletion job per system.\n",
                                  "- The erasure pipeline rewrites the Delta files.\n",
                                  "- Debezium streams the changes into Bronze.\n"])
def test_stock_job_questions_still_asked_of_a_design_with_jobs(line: str) -> None:
    from tests.test_followups import _asker_for, _bank_q

    assert _asker_for(PROCESS + line).fits(_bank_q("A job crashes after writing half its output"))


@pytest.mark.parametrize("line", [
    "- Retention cohorts, funnels > 1 day: batch only. Streaming them costs ~4x and nobody needs them per second.\n",
    "- Going to seconds would mean a warehouse that never suspends, for a benefit nobody has asked for.\n",
    "- Real-time marts would cost roughly 3x the compute.\n",
    "- Streaming the finance tables would triple the cost.\n",
])
def test_why_not_stream_question_not_asked_when_the_answer_says_what_streaming_costs(line: str) -> None:
    """y005, y020: "why not stream everything? what does streaming cost you" already answered."""
    from tests.test_followups import _asker_for, _bank_q

    text = "- Kafka feeds a Flink job for the live widgets.\n" + line
    assert not _asker_for(text, "realtime-analytics").fits(_bank_q("Why not stream everything?"))


def test_why_not_stream_question_still_asked_without_a_reason() -> None:
    from tests.test_followups import _asker_for, _bank_q

    text = "- Kafka feeds a Flink job for the live widgets.\n- Nightly batch builds the finance marts.\n"
    assert _asker_for(text, "realtime-analytics").fits(_bank_q("Why not stream everything?"))
