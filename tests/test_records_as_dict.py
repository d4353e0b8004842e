"""`records.as_dict` gives what `dataclasses.asdict` gives (same values, same key order)."""

from __future__ import annotations

import json
from dataclasses import asdict, field

from grade.core.grader import grade_text
from grade.records import as_dict, record

from .conftest import ANSWERS


@record(kw_only=True)
class _Leaf:
    name: str
    weight: float = 1.0


@record(kw_only=True)
class _Tree:
    leaves: list[_Leaf] = field(default_factory=list)
    index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    note: str | None = None


def test_as_dict_matches_asdict_on_nested_records_lists_dicts_and_tuples():
    tree = _Tree(leaves=[_Leaf(name="a"), _Leaf(name="b", weight=2.5)], index={"x": (1, 2)}, note=None)
    assert as_dict(tree) == asdict(tree)
    assert list(as_dict(tree)) == list(asdict(tree))
    copied = as_dict(tree)
    copied["leaves"].append("more")
    assert len(tree.leaves) == 2  # containers are new, as asdict's are


def test_as_dict_matches_asdict_on_every_shipped_answer_grade():
    for path in sorted(ANSWERS.glob("*.md")):
        result = grade_text(path.read_text(encoding="utf-8"), name=path.name)
        assert json.dumps(as_dict(result)) == json.dumps(asdict(result)), path.name
