"""Feedback a candidate can act on: one item per idea, each naming the criteria it covers."""

from __future__ import annotations

import json

from click.testing import CliRunner
from grade.cli import main
from grade.results import Critique

from .conftest import ANSWERS

MOCK1 = str(ANSWERS / "mock1.md")


def test_every_critique_item_in_json_names_the_criteria_it_covers() -> None:
    data = json.loads(CliRunner().invoke(main, ["--format", "json", MOCK1]).output)
    ids = {c["id"] for c in data["criteria"]}
    critique = data["critique"]
    for key in ("gaps", "strengths", "next_steps"):
        assert critique[key], key
        for item in critique[key]:
            assert set(item) == {"text", "criteria", "line"}
            assert set(item["criteria"]) <= ids
    assert all(item["criteria"] for item in critique["gaps"] + critique["strengths"])


def test_a_critique_saved_as_plain_sentences_still_loads() -> None:
    """Attempts saved before critique items carried their criteria."""
    old = {"headline": "h", "why": ["score 50"], "gaps": ["Backfill: nothing"], "strengths": [], "next_steps": ["x"]}
    critique = Critique.model_validate(old)
    assert critique.gaps[0].text == "Backfill: nothing" and critique.gaps[0].criteria == []
    assert str(critique.why[0]) == "score 50"
