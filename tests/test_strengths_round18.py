""""What was strong" in feedback round 18: a line praised for an idea it does not show (today's staleness as a
freshness target, the share of late events as late-data handling). Only what is cited changes, never a level."""

from __future__ import annotations

import pytest
from grade.core.grader import get_rubric
from grade.feedback.mechanism import shows_own_idea

FRESHNESS = ("mechanics.freshness_slo", "structure.requirements.latency")
LATE = ("mechanics.late_data", "prompt.realtime-analytics.late_events", "structure.correctness.late_data")


def _shows(cid: str, line: str) -> bool:
    return shows_own_idea(get_rubric()[1], cid, line)


@pytest.mark.parametrize("line", [
    "The data is 24 hours old",
    "The extract takes 5 h, collides with batch interest accrual, and gives collections staff data that is up to "
    "30 h old",
])
@pytest.mark.parametrize("cid", FRESHNESS)
def test_todays_staleness_is_not_praised_as_a_freshness_target(cid: str, line: str) -> None:
    """b012, b008: how old the data is today is the problem the design answers."""
    assert not _shows(cid, line)


def test_a_freshness_target_is_still_praised() -> None:
    line = "Changes visible in the reporting layer within 15 min (p95), at a peak of ~4k row changes/s"
    assert any(_shows(cid, line) for cid in FRESHNESS)


@pytest.mark.parametrize("cid", LATE)
def test_the_share_of_late_events_is_not_praised_as_late_data(cid: str) -> None:
    """b039: an observation of how many events arrive late; the watermark is on the next line."""
    assert not _shows(cid, "We see a few percent of events arriving more than 1 minute late")


def test_late_data_still_praised_with_its_mechanism() -> None:
    line = "We see 2% of events arriving late, so windows keep 10 minutes of allowed lateness and re-fire"
    assert any(_shows(cid, line) for cid in LATE)
    assert any(_shows(cid, "We emit the window result when the watermark passes, and then allowed lateness is "
                           "1 hour") for cid in LATE)
