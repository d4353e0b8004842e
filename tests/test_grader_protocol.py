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


def test_both_graders_grade_many_the_same_way() -> None:
    expected = list(inspect.signature(Grader.grade_many).parameters)
    for grader in (RulesGrader, LLMGrader):
        assert list(inspect.signature(grader.grade_many).parameters) == expected


def test_the_rules_grader_grades_many_in_order() -> None:
    names = ["mock1.md", "privacy-dsr.md"]
    items = [((ANSWERS / n).read_text(encoding="utf-8"), n, None) for n in names]
    ticks: list[int] = []
    results = RulesGrader().grade_many(items, jobs=3, on_done=lambda: ticks.append(1))
    assert [r.file for r in results] == names and len(ticks) == 2
    assert results == [grade_text(t, name=n, prompt=p) for t, n, p in items]
