"""Each reading rule of the matcher, pinned on a tiny in-memory rubric with one detector.

The idea is a holdout set (ML evaluation), far from the bundled domain, so these tests hold
whatever the bundled rubric's patterns say. `tiny_level(text, **detector)` builds the detector
from its options and returns the level it gives the text (conftest.py).
"""

from __future__ import annotations

HOLDOUT = {"mention": ["holdout"], "substance": ["stratif"]}


def test_a_mention_alone_is_level_1(tiny_level) -> None:
    assert tiny_level("We keep a holdout set.", **HOLDOUT) == 1
    assert tiny_level("We compare the models offline.", **HOLDOUT) == 0


def test_patterns_start_at_a_word(tiny_level) -> None:
    assert tiny_level("Nothing is withheld from the holdout.", mention=["held"]) == 0
    assert tiny_level("We keep a holdout set.", mention=["hold"]) == 1  # and may end anywhere


def test_substance_in_the_same_clause_is_level_2(tiny_level) -> None:
    assert tiny_level("The holdout is stratified by region.", **HOLDOUT) == 2
    assert tiny_level("We keep a holdout; every split is stratified by region.", **HOLDOUT) == 1  # another clause


def test_substance_inside_the_mention_itself_does_not_count(tiny_level) -> None:
    detector = {"mention": ["stratified holdout"], "substance": ["stratif"]}
    assert tiny_level("We keep a stratified holdout.", **detector) == 1
    assert tiny_level("We keep a stratified holdout, stratified again by week.", **detector) == 2


def test_a_strong_phrasing_is_level_2_alone(tiny_level) -> None:
    strong = {**HOLDOUT, "strong": [r"holdout~6~\d+ ?%"]}
    assert tiny_level("The holdout is 10% of users.", **strong) == 2
    assert tiny_level("The holdout is 10% of users.", **HOLDOUT) == 1  # the same words without it


def test_an_excluded_match_is_another_sense_and_counts_for_nothing(tiny_level) -> None:
    detector = {**HOLDOUT, "exclude": ["holdout (period|policy)"]}
    assert tiny_level("The holdout period of the vendor contract ends in May.", **detector) == 0
    assert tiny_level("The stratified holdout policy of the vendor is strict.", **detector) == 0
    # the right sense beside the wrong one still counts
    assert tiny_level("The holdout policy is strict, and our holdout is stratified by region.", **detector) == 2


def test_a_strong_phrasing_stitched_across_sentences_is_only_a_mention(tiny_level) -> None:
    strong = {**HOLDOUT, "strong": [r"holdout~6~\d+ ?%"]}
    assert tiny_level("We keep a holdout. About 10% of users never see a change.", **strong) == 1


def test_a_strong_phrasing_stitched_across_list_items_is_only_a_mention(tiny_level) -> None:
    strong = {**HOLDOUT, "strong": [r"holdout~6~\d+ ?%"]}
    assert tiny_level("We track recall, the holdout, 10% of traffic and drift.", **strong) == 1
    assert tiny_level("We track recall, a holdout of 10%, and drift.", **strong) == 2  # inside one item


def test_a_comma_list_of_three_or_more_short_items_is_read_item_by_item(tiny_level) -> None:
    assert tiny_level("We report a holdout, precision, recall and stratified sampling.", **HOLDOUT) == 1
    # one comma does not make a list
    assert tiny_level("We report a holdout, stratified by region.", **HOLDOUT) == 2
    # nor do long items: that is a sentence with commas
    assert tiny_level("We keep a holdout that every release candidate is scored on before it ships, "
                      "we compare it with last week's model on the same rows, "
                      "and sampling is stratified so the rare classes stay in it.", **HOLDOUT) == 2


def test_generic_substance_cues_count_unless_the_detector_opts_out(tiny_level) -> None:
    text = "We keep a holdout because online tests take weeks."
    assert tiny_level(text, cues=["because"], **HOLDOUT) == 2
    assert tiny_level(text, cues=["because"], generic=False, **HOLDOUT) == 1
    assert tiny_level(text, **HOLDOUT) == 1  # no cues in the rubric


def test_reach_takes_in_the_next_sentences_of_the_same_block(tiny_level) -> None:
    text = "We keep a holdout. It is stratified by region."
    assert tiny_level(text, **HOLDOUT) == 1
    assert tiny_level(text, reach=1, **HOLDOUT) == 2
    later = "We keep a holdout. It is refreshed weekly. It is stratified by region."
    assert tiny_level(later, reach=1, **HOLDOUT) == 1
    assert tiny_level(later, reach=2, **HOLDOUT) == 2
    # never beyond the block
    assert tiny_level("We keep a holdout.\n\nIt is stratified by region.\n", reach=3, **HOLDOUT) == 1


def test_reach_takes_in_the_body_under_a_heading(tiny_level) -> None:
    text = "# Evaluation plan\n\n## Holdout\n\nIt is stratified by region.\n"
    assert tiny_level(text, **HOLDOUT) == 1
    assert tiny_level(text, reach=1, **HOLDOUT) == 2
    # the body stops at the next paragraph break
    text = "# Evaluation plan\n\n## Holdout\n\nEvery model is scored on it.\n\nSplits are stratified by region.\n"
    assert tiny_level(text, reach=1, **HOLDOUT) == 1


def test_reach_takes_in_the_items_under_a_lead_in_ending_in_a_colon(tiny_level) -> None:
    text = "Before a launch we look at the holdout:\n- it is stratified by region\n- it is refreshed weekly\n"
    assert tiny_level(text, **HOLDOUT) == 1
    assert tiny_level(text, reach=1, **HOLDOUT) == 2
    # a line that is not a lead-in does not take in the items below it
    text = "Before a launch we look at the holdout.\n- it is stratified by region\n"
    assert tiny_level(text, reach=1, **HOLDOUT) == 1


def test_breadth_an_idea_shown_in_enough_blocks_is_substantiated(tiny_level) -> None:
    two_blocks = "We keep a holdout.\n\nEvery release is scored on the holdout first.\n"
    assert tiny_level(two_blocks, **HOLDOUT) == 1
    assert tiny_level(two_blocks, breadth=2, **HOLDOUT) == 2
    assert tiny_level(two_blocks, breadth=3, **HOLDOUT) == 1
    # two mentions in one block are one place
    assert tiny_level("We keep a holdout and score every release on the holdout.", breadth=2, **HOLDOUT) == 1
    # a mention in a list of buzzwords does not count towards breadth
    listed = "We track recall, precision, the holdout.\n\nWe keep a holdout.\n"
    assert tiny_level(listed, breadth=2, **HOLDOUT) == 1
