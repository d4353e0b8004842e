"""Every detector of the bundled rubric carries examples, and grades each as the rubric says.

The habit of proselint's `test_check_examples_exist`: a detector shows, in the rubric file,
a sentence it grades at level 2, one at level 1 and one at level 0 (a wrong sense or a near
miss). Each sentence is graded by that detector alone: its best hit, or 0 when it finds nothing.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from grade.core.matcher import CompiledRubric
from grade.rubric.model import Detector, load_rubric, validated
from pydantic import ValidationError

from .conftest import REPO, detector_level

LEVELS = ("2", "1", "0")
BUNDLED = load_rubric()


@pytest.mark.parametrize("name", sorted(BUNDLED.detectors))
def test_every_bundled_detector_has_an_example_at_every_level(name: str) -> None:
    examples = BUNDLED.detectors[name].examples
    missing = [level for level in LEVELS if not examples.get(level)]
    assert not missing, f"[detectors.{name}.examples] has no sentence for level {', '.join(missing)}"


@pytest.mark.parametrize("name", sorted(BUNDLED.detectors))
def test_every_bundled_example_grades_as_stated(name: str, bundled_matcher: CompiledRubric) -> None:
    wrong = [f"level {level} expected, {got} given: {sentence!r}"
             for level, sentences in BUNDLED.detectors[name].examples.items() for sentence in sentences
             if (got := detector_level(bundled_matcher, name, sentence)) != int(level)]
    assert not wrong, f"[detectors.{name}.examples]: " + "; ".join(wrong)


def test_examples_are_optional_and_keyed_by_level() -> None:
    assert Detector(mention=["holdout"]).examples == {}
    with pytest.raises(ValidationError, match="examples"):
        Detector(mention=["holdout"], examples={"3": ["The holdout is 10% of users."]})
    with pytest.raises(ValidationError, match="examples"):
        Detector(mention=["holdout"], examples={"2": "The holdout is 10% of users."})  # a list, not a string


def test_the_readme_rubric_validates_and_its_examples_grade_as_stated() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Write your own rubric", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block, "no ```toml block under 'Write your own rubric'"
    rubric = validated(tomllib.loads(block.group(1)))
    matcher = CompiledRubric(rubric)
    for name, detector in rubric.detectors.items():
        assert set(detector.examples) == set(LEVELS), name
        for level, sentences in detector.examples.items():
            for sentence in sentences:
                assert detector_level(matcher, name, sentence) == int(level), (name, level, sentence)
