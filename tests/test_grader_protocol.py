"""One grader protocol: the rules grader and the LLM grader are called the same way."""

from __future__ import annotations

import inspect

from grade.core.grader import Grader, RulesGrader, grade_text
from grade.llm.grader import LLMGrader

from .conftest import ANSWERS


def test_the_rules_grader_is_grade_text() -> None:
    text = (ANSWERS / "mock1.md").read_text(encoding="utf-8")
    by_protocol = RulesGrader().grade(text, "mock1.md", None)
    assert by_protocol == grade_text(text, name="mock1.md", prompt=None)


def test_both_graders_take_text_name_prompt() -> None:
    expected = list(inspect.signature(Grader.grade).parameters)
    for grader in (RulesGrader, LLMGrader):
        params = inspect.signature(grader.grade).parameters
        assert list(params) == expected
        assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params.values())
