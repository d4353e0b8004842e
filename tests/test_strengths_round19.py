""""What was strong" in feedback round 19: a line praised for an idea it does not show (requests batched into one
statement as a processing model, time-travel retention as a deployment rollback, SCD2 turned down as a merge, a null
tenant-id check as tenant isolation). Only what is cited changes, never a level."""

from __future__ import annotations

import pytest
from grade.core.grader import get_rubric
from grade.feedback.mechanism import shows_own_idea

PROCESSING = "structure.decisions.processing_model"
TENANCY = ("structure.security.tenant_isolation", "structure.requirements.tenancy")


def _shows(cid: str, line: str) -> bool:
    return shows_own_idea(get_rubric()[1], cid, line)


@pytest.mark.parametrize("line", [
    "Requests are batched daily so we delete many users per statement instead of scanning big tables once per user",
    "That makes re-running a batch harmless, which matters because the scheduler will retry",
])
def test_batching_requests_or_rerunning_a_batch_is_no_processing_model(line: str) -> None:
    """j010 (deletion requests batched), j025 (a retried batch is harmless): no kappa, lambda or micro-batch choice."""
    assert not _shows(PROCESSING, line)


def test_a_processing_model_is_still_praised() -> None:
    assert _shows(PROCESSING, "Micro-batch every 5 minutes rather than Flink, because the dashboards need 15 minutes")


def test_time_travel_retention_is_no_deployment_rollback() -> None:
    """j020: old table versions kept 7 days is time travel, not CI/CD or a release rollback."""
    assert not _shows("structure.operations.deployment", "We keep those old versions for 7 days only on tables with "
                      "personal data, which is the price: we lose longer rollback on those tables")


def test_scd2_turned_down_is_no_merge() -> None:
    """j004: the answer appends with feature_ts and declines valid_from/valid_to logic."""
    assert not _shows("structure.correctness.merges", "The append with `feature_ts` already gives history, and the "
                      "ASOF JOIN is easier than `valid_from`/`valid_to` logic")
    assert _shows("structure.correctness.merges", "MERGE on customer_id closes the current row (valid_to = now) and "
                  "inserts the new version")


@pytest.mark.parametrize("cid", TENANCY)
def test_a_null_tenant_id_check_is_no_isolation_model(cid: str) -> None:
    """j034: a DLT expectation failing on a null tenant_id is a data-quality rule."""
    assert not _shows(cid, "`expect_or_fail` for contract breaks (missing key column, null `tenant_id`)")


def test_an_isolation_model_is_still_praised() -> None:
    line = "Shared tables with row-level security on tenant_id; each tenant's role sees only its rows"
    assert any(_shows(cid, line) for cid in TENANCY)
