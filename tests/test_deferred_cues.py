"""A clause that defers its idea (for later, on a condition, undecided) names it and designs nothing:
the rubric's `deferred_cues` make any mechanism in it a mention (level 1), never level 2."""

import pytest
from grade.core.grader import grade_text

DEDUPE = "prompt.realtime-analytics.dedupe"


def _levels(line: str, section: str = "Correctness") -> dict[str, int]:
    result = grade_text(f"# Design\n\n## {section}\n\n- {line}\n", name="x.md", prompt="realtime-analytics")
    return {c.id: c.level for c in result.criteria}


@pytest.mark.parametrize("line", [
    "Maybe we deduplicate on event_id in a MERGE before the gold tables.",
    "Dedupe on event_id in a MERGE is TBD with the platform team.",
    "If needed, we deduplicate on event_id in a MERGE before the gold tables.",
    "I have not worked out dedupe on event_id in a MERGE before the gold tables.",
    "We haven't designed the dedupe on event_id in a MERGE yet.",
])
def test_a_deferred_mechanism_is_a_mention(line):
    assert _levels(line)[DEDUPE] == 1


def test_the_same_mechanism_decided_is_substantiated():
    assert _levels("Events are deduplicated on event_id in a MERGE before the gold tables.")[DEDUPE] == 2


def test_a_deferred_late_data_rule_is_a_mention():
    decided = "Late events within a 2-hour watermark update their window; later ones go to a correction table."
    assert _levels(decided)["mechanics.late_data"] == 2
    assert _levels("Perhaps late events within a 2-hour watermark update their window.")["mechanics.late_data"] == 1


def test_could_alone_argues_a_decision_and_is_not_deferred():
    line = ("We could stream the daily revenue table too, but batch is enough because finance closes the "
            "books once a day.")
    assert _levels(line, section="Processing")["signals.streaming_restraint"] == 2


def test_work_done_is_not_a_stated_gap():
    line = "We worked out the dedupe: events are deduplicated on event_id in a MERGE before the gold tables."
    assert _levels(line)[DEDUPE] == 2
