"""Feedback round 20: strengths citing a line that does not show the praised idea."""

from __future__ import annotations

import pytest
from grade.core.document import parse
from grade.core.grader import get_rubric
from grade.feedback.anchors import anchors_for


def test_a_benefits_list_is_not_praised() -> None:
    """a030: 'Privacy by design because every data is tagged and masked' under Benefits claims, it shows nothing."""
    sentence = "Privacy by design because every data is tagged and masked from the start"
    anchors = anchors_for(get_rubric()[0])
    benefits = parse(f"# Design\n\nWe use Kafka.\n\n## Benefits\n\n- {sentence}.\n")
    assert not anchors.praisable(benefits, 7, sentence, "structure.security.masking_audit")
    design = parse(f"# Design\n\nWe use Kafka.\n\n## Security\n\n- {sentence}.\n")
    assert anchors.praisable(design, 7, sentence, "structure.security.masking_audit")


def _shows(cid: str, line: str) -> bool:
    from grade.feedback.mechanism import shows_own_idea

    return shows_own_idea(get_rubric()[1], cid, line)


@pytest.mark.parametrize(("cid", "line"), [
    ("structure.decisions.lakehouse_vs_warehouse", "We choose BigQuery because it is serverless"),
    ("structure.operations.lineage_alerting", "Lineage is essential for observability, because when an issue is found "
     "you need to understand the impact on downstream reports"),
    ("structure.security.masking_audit", "Finally, security and access would follow the standard Snowflake role-based "
     "access control model, with masking policies on sensitive fields so that the DQ team can see quality results "
     "without seeing customer data"),
])
def test_a_generic_reason_is_not_praised(cid: str, line: str) -> None:
    """a026 (a platform chosen for being serverless), a003 (lineage said to matter; the standard model followed)."""
    assert not _shows(cid, line)


@pytest.mark.parametrize(("cid", "line"), [
    ("mechanics.schema_evolution", "Scans are the safety net, not the source of truth: every Delta table declares "
     "`pii_columns` + `subject_key_column` in its data contract; CI blocks merges if Purview finds a PII class on a "
     "column the contract doesn't list"),
    ("prompt.privacy-dsr.retention", "Blob lifecycle management policies: move raw data to cool after 30 days, "
     "archive after 180 days"),
    ("prompt.privacy-dsr.audit_evidence", "Column masks on tagged PII (hash for analysts, clear text only for an "
     "audited break-glass group), row filters on `tenant_id`"),
])
def test_a_line_on_another_idea_is_not_praised(cid: str, line: str) -> None:
    """a024 (PII columns declared in a contract), a013 (storage tiering deletes nothing), a025 (an audited group)."""
    assert not _shows(cid, line)


@pytest.mark.parametrize(("cid", "line"), [
    ("structure.decisions.lakehouse_vs_warehouse", "BigQuery rather than a lakehouse, because the 4 analysts only "
     "know SQL and volume is 200 GB"),
    ("prompt.privacy-dsr.retention", "Lifecycle rule: move raw to cool after 30 days and delete it after 180 days"),
    ("prompt.privacy-dsr.audit_evidence", "Each erasure writes a completion record per table to an append-only audit "
     "log"),
])
def test_the_idea_is_still_praised_on_its_own_line(cid: str, line: str) -> None:
    assert _shows(cid, line)
