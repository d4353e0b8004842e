"""The engine is domain-free: a small rubric of another domain (ML system design: three sections,
no answer parts, no follow-up bank) grades in every format with no trace of the bundled one."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.rubric.model import load_rubric

from .conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"
RUBRIC = FIXTURES / "ml_design.toml"
ANSWER = FIXTURES / "ml_answer.md"
BUNDLED_TRACES = ("/6 parts", " parts", "mechanic", "six", "must-say", "Answer structure", "Follow-up questions",
                  "tenan", "idempoten", "late data", "enterprise diagram", "the guide", "grade prompts")


def _graded(fmt: str) -> str:
    result = CliRunner().invoke(main, ["answer", "--rubric", str(RUBRIC), "--format", fmt, str(ANSWER)])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_fixture_is_a_rubric_without_parts_or_followups() -> None:
    rubric = load_rubric(RUBRIC)
    assert len(rubric.sections) == 3
    assert not any(s.part for s in rubric.sections) and not rubric.followups and not rubric.prompts


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_no_trace_of_the_bundled_domain(fmt: str) -> None:
    out = _graded(fmt)
    for trace in BUNDLED_TRACES:
        assert trace.lower() not in out.lower(), f"{fmt}: {trace!r} in the report"
    assert "Online experiment" in out  # the fixture's own criteria are reported


def test_json_has_no_parts_and_no_followups() -> None:
    payload = json.loads(_graded("json"))
    assert payload["structure"]["parts"] == [] and payload["followups"] == []
    assert payload["flags"] == []  # no architecture section: no generic diagram, without a workaround


def test_text_has_no_empty_heading() -> None:
    lines = _graded("text").splitlines()
    for i, line in enumerate(lines[3:], start=3):  # after the file, score and blank lines
        if line and not line.startswith(" "):
            assert i + 1 < len(lines) and lines[i + 1].startswith("  "), f"empty heading {line!r}"


def test_markdown_has_no_empty_heading() -> None:
    text = _graded("markdown")
    assert not re.search(r"^##? .*\n\n(?=##? |\Z)", text, re.M), text


def test_html_has_no_empty_section_or_list() -> None:
    page = _graded("html")
    assert 'id="chart"' not in page and 'id="followups"' not in page
    assert not re.search(r"<(ol|ul)[^>]*>\s*</\1>", page)
    assert not re.search(r"</h[23]>\s*</section>", page)


def test_the_prompt_sent_to_a_model_names_no_bundled_domain() -> None:
    from grade.core.document import parse
    from grade.core.grader import rules_pass
    from grade.core.matcher import CompiledRubric
    from grade.llm.request import build_request

    rubric = load_rubric(RUBRIC)
    doc = parse(ANSWER.read_text(encoding="utf-8"))
    rules = rules_pass(doc, CompiledRubric(rubric), None)
    system = build_request(doc, rubric, None, rules.criteria, model="m").messages[0]["content"]
    for trace in ("data-architecture", "Kafka", "tenant_id", "MERGE"):
        assert trace not in system
    assert "a system-design question" in system  # the rubric names no domain of its own: the default
