"""Feedback round 20: strengths citing a line that does not show the praised idea."""

from __future__ import annotations

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
