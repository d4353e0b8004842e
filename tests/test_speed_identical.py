"""A faster matcher grades exactly as before: every bundled answer's levels, evidence, score,
verdict, and a digest of its whole contract JSON equal evals/grades_snapshot.json.

When the rubric or the grading rules change on purpose, regenerate the snapshot with
`python evals/snapshot_grades.py` and review its diff."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("snapshot_grades", REPO / "evals" / "snapshot_grades.py")
snapshot_grades = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(snapshot_grades)


@pytest.fixture(scope="module")
def snapshot() -> dict[str, dict]:
    return json.loads(snapshot_grades.SNAPSHOT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graded() -> dict[str, dict]:
    return snapshot_grades.grade_all()


def test_the_snapshot_covers_every_bundled_answer(snapshot, graded):
    assert sorted(graded) == sorted(snapshot)


def test_levels_and_evidence_are_unchanged(snapshot, graded):
    for name, want in snapshot.items():
        got = graded[name]
        for cid, (level, evidence) in want["criteria"].items():
            assert got["criteria"].get(cid) == [level, evidence], f"{name}: {cid}"
        assert got["criteria"].keys() == want["criteria"].keys(), name
        assert (got["prompt"], got["score"], got["verdict"]) == (want["prompt"], want["score"], want["verdict"]), name


def test_the_whole_contract_json_is_unchanged(snapshot, graded):
    changed = [name for name, want in snapshot.items() if graded[name]["sha256"] != want["sha256"]]
    assert not changed
