"""A clause that defers its idea (for later, on a condition, undecided) names it and designs nothing:
the rubric's `deferred_cues` make any mechanism in it a mention (level 1), never level 2."""

import pytest
from grade.core.grader import grade_text


def _levels(line: str, prompt: str = "privacy-dsr") -> dict[str, int]:
    result = grade_text(f"# Design\n\n## Privacy\n\n- {line}\n", name="x.md", prompt=prompt)
    return {c.id: c.level for c in result.criteria}


@pytest.mark.parametrize("line", [
    "Maybe we hash the emails with SHA-256 later.",
    "Emails could be hashed with SHA-256 if Legal asks.",
    "Email hashing with SHA-256 is TBD with the security team.",
])
def test_a_deferred_mechanism_is_a_mention(line):
    assert _levels(line)["prompt.privacy-dsr.masking"] == 1


def test_the_same_mechanism_decided_is_substantiated():
    assert _levels("Emails are hashed with SHA-256 before they land in silver.")["prompt.privacy-dsr.masking"] == 2


def test_could_alone_argues_a_decision_and_is_not_deferred():
    line = ("We could stream the daily revenue table too, but batch is enough because finance closes the "
            "books once a day.")
    result = grade_text(f"# Design\n\n## Processing\n\n{line}\n", name="x.md", prompt="realtime-analytics")
    assert {c.id: c.level for c in result.criteria}["signals.streaming_restraint"] == 2
