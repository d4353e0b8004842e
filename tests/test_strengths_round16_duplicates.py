""""What was strong" praises one idea once (feedback rounds 15-16 duplicates): a freshness target after the
per-tenant freshness SLO, when the freshness idea was graded on that SLO's line too, is the same idea under a
second heading (rubric/strengths.toml `praise.one_idea`). Only what is cited changes, never a level."""

from __future__ import annotations

import pytest
from grade.core.grader import grade_text

_ANSWER = """## Real-time analytics

**Requirements**
- Around 2,000 tenants, 30k events/sec at peak.
- Dashboard in the product and a public API. {target}
- API latency p95 under 300 ms.

**Processing**
- Windows on event time, allowed lateness 10 minutes; a late event re-fires its window and overwrites the result.

**Multi-tenancy**
- Shared tables, `tenant_id` everywhere; the API adds the tenant filter from the auth token.

**Operations**
- {slo}
- Alerts on consumer lag and oldest unacked message age.
"""


@pytest.mark.parametrize("target", [
    "Data should be fresh in less than 1 minute.",
    "Dashboards must be at most 60 seconds behind the events.",
    "Freshness target: under one minute end to end.",
])
@pytest.mark.parametrize("slo", [
    "SLO per tenant: 99% of minutes, dashboard data is less than 2 minutes old. Measured from the job's lag.",
    "Per-tenant freshness SLO: data under 2 minutes old for 99% of minutes, measured per tenant from max(event_time).",
])
def test_a_freshness_target_is_not_praised_again_after_the_per_tenant_slo(target: str, slo: str) -> None:
    result = grade_text(_ANSWER.format(target=target, slo=slo), name="a.md", prompt="realtime-analytics")
    titles = [s.text.split(" (line")[0] for s in result.critique.strengths]
    assert "Per-tenant SLOs" in titles, titles
    assert "Freshness targets and SLOs" not in titles, titles
