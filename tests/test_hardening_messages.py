"""Messages that help: a doubtful prompt inference says how to name the prompt; long titles are cut
at a word boundary."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.grader import get_rubric
from grade.report.render import cut_words

from .conftest import ANSWERS


def first_line(tmp_path, text: str) -> str:
    answer = tmp_path / "a.md"
    answer.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, [str(answer)])
    assert r.exit_code == 0, r.output
    return r.output.splitlines()[0]


def test_a_low_confidence_inference_suggests_prompt(tmp_path):
    line = first_line(tmp_path, "# Realtime analytics\n\nRealtime dashboards; a GDPR deletion request deletes the "
                                "user in every table.\n")
    assert "(inferred, confidence 0.30; low: if the answer is for another prompt, give --prompt ID" in line


def test_a_confident_inference_says_nothing_more():
    r = CliRunner().invoke(main, [str(ANSWERS / "mock1.md")])
    assert r.output.splitlines()[0].endswith("(inferred, confidence 0.92)")


def test_no_prompt_recognised_suggests_prompt(tmp_path):
    assert "not recognised; give --prompt ID" in first_line(tmp_path, "Hello there, this is about nothing.\n")


@pytest.mark.parametrize("text, width, expected", [
    ("Storage: lakehouse / warehouse + table format", 44, "Storage: lakehouse / warehouse + table..."),
    ("Idempotency keys, dedupe strategy", 44, "Idempotency keys, dedupe strategy"),
    ("Watermarks, late events, reprocessing plan", 30, "Watermarks, late events..."),
    ("Supercalifragilisticexpialidocious-and-more", 20, "Supercalifragilis..."),
])
def test_titles_are_cut_at_a_word_boundary(text, width, expected):
    assert cut_words(text, width) == expected
    assert len(cut_words(text, width)) <= width


def test_the_text_report_never_cuts_a_title_mid_word():
    rubric, _ = get_rubric()
    titles = {c.title for c in rubric.criteria}
    out = CliRunner().invoke(main, [str(ANSWERS / "mock1.md")]).output
    rows = [line[8:52].rstrip() for line in out.splitlines() if line.startswith("    [")]
    assert rows
    for row in rows:
        assert row in titles or (row.endswith("...") and any(t.startswith(row[:-3] + " ") for t in titles)), row
