"""The mock-interview loop: prompts, answer input (stdin, --file, $EDITOR), saved attempts, history."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.grader import get_rubric, grade_text
from grade.practice import mock
from grade.practice.attempts import idea_moves, load_history, movement, save_attempt
from grade.report.render import render_answer_template

from .conftest import ANSWERS

WEAK = """## Requirements
- Events from the product, dashboards for tenants

## Architecture
- Kafka into S3, Spark jobs, a warehouse for dashboards
"""

BETTER = WEAK + """
## Correctness
- Dedupe on (tenant_id, event_id) in a MERGE; the SDK reuses event_id on retry, so a retry is a no-op
- Late events: 2-hour grace window on event time, later rows go to a correction partition recomputed nightly

## Operations
- Freshness SLO of 5 minutes per tenant, alert when the newest partition is older than 10 minutes
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def attempt_files(home: Path, prompt_id: str) -> list[Path]:
    folder = home / "data" / "attempts" / prompt_id
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def test_prompts_lists_the_five_with_what_each_must_handle() -> None:
    r = run("prompts")
    assert r.exit_code == 0, r.output
    rubric, _ = get_rubric()
    assert len(rubric.prompts) == 5
    for p in rubric.prompts:
        assert f"{p.number}. {p.title}" in r.output
        assert "Must handle: " + ", ".join(p.must_handle) in r.output
    data = json.loads(run("prompts", "--format", "json").output)
    assert [p["id"] for p in data] == ["realtime-analytics", "cdc-lakehouse", "feature-store",
                                       "dq-observability", "privacy-dsr"]


def test_mock_reads_stdin_grades_prints_followups_and_saves(isolated_home: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    r = run("mock", input=WEAK)
    after = datetime.now(UTC)
    assert r.exit_code == 0, r.output
    assert "prompt 1 of 5: Real-time customer engagement analytics" in r.output  # the seed's default
    assert "1. Requirements (hard constraints)" in r.output  # the answer structure is shown first
    assert "Score" in r.output and "Follow-up questions" in r.output
    assert "Saved attempt #1 for realtime-analytics" in r.output
    files = attempt_files(isolated_home, "realtime-analytics")
    assert len(files) == 1
    saved = json.loads(files[0].read_text(encoding="utf-8"))
    assert saved["answer"] == WEAK and saved["prompt"] == "realtime-analytics"
    assert saved["result"]["prompt"] == "realtime-analytics"
    assert before <= datetime.strptime(saved["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) <= after  # now, in UTC
    followups = saved["result"]["followups"]
    assert 3 <= len(followups) <= 7 and all(f["question"] in r.output for f in followups)


def test_mock_with_a_file_and_a_prompt_number(isolated_home: Path) -> None:
    r = run("mock", "2", "--file", str(ANSWERS / "cdc-lakehouse.md"))
    assert r.exit_code == 0, r.output
    assert "CDC-powered operational reporting" in r.output
    assert len(attempt_files(isolated_home, "cdc-lakehouse")) == 1


@pytest.mark.parametrize("args, message", [(["mock", "9"], "unknown prompt"),
                                           (["mock", "--file", "/nonexistent/a.md"], "no such file")])
def test_mock_bad_input_is_exit_2(args: list[str], message: str, isolated_home: Path) -> None:
    r = run(*args, input=WEAK)
    assert r.exit_code == 2
    assert message in r.output
    assert not (isolated_home / "data" / "attempts").exists()


def test_empty_or_unchanged_template_is_exit_2_and_saves_nothing(isolated_home: Path) -> None:
    template = run("mock", "3", "--template").output
    assert template.startswith("---\nprompt: feature-store\n---\n")
    assert "## 4. Data correctness mechanics" in template
    for given in (template, "", "   \n"):
        r = run("mock", "3", input=given)
        assert r.exit_code == 2, r.output
        assert "grade: error:" in r.output
    assert attempt_files(isolated_home, "feature-store") == []


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5"])
def test_template_guidance_never_counts_and_line_numbers_hold(number: str) -> None:
    rubric, _ = get_rubric()
    spec = mock.resolve_spec(rubric, number)
    template = render_answer_template(spec, rubric)
    heading = "## 4. Data correctness mechanics\n"
    filled = template.replace(heading, heading + "- we use Kafka\n")
    _, text = mock.obtain_answer(template, file=None, interactive=True, edit=lambda _t: filled)
    assert text.count("\n") == filled.count("\n")  # comments blanked line for line
    assert "<!--" not in text and "Idempotency keys" not in text
    result = grade_text(text, prompt=number)
    plain = grade_text("- we use Kafka\n", prompt=number)
    assert {c.id: c.level for c in result.criteria} == {c.id: c.level for c in plain.criteria}
    kafka_line = filled.splitlines().index("- we use Kafka") + 1
    assert any(e.line == kafka_line for c in result.criteria for e in c.evidence)


def test_mock_opens_the_editor_on_the_template(monkeypatch, tmp_path, isolated_home: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "p = sys.argv[1]\n"
        "t = open(p, encoding='utf-8').read()\n"
        "assert '## 1. Requirements' in t and 'prompt: realtime-analytics' in t\n"
        f"open(p, 'w', encoding='utf-8').write(t + {WEAK!r})\n", encoding="utf-8")
    monkeypatch.setattr(mock, "stdin_is_tty", lambda: True)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f'"{sys.executable}" "{editor}"')
    r = run("mock")
    assert r.exit_code == 0, r.output
    [saved] = attempt_files(isolated_home, "realtime-analytics")
    answer = json.loads(saved.read_text(encoding="utf-8"))["answer"]
    assert "Kafka into S3" in answer and "<!--" not in answer


def test_mock_editor_closed_without_saving_is_a_cancel_not_an_error(monkeypatch, isolated_home: Path) -> None:
    monkeypatch.setattr(mock, "stdin_is_tty", lambda: True)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "true")
    r = run("mock")
    assert r.exit_code == 0
    assert r.stderr == "grade: the template was not changed: nothing graded, nothing saved\n"
    assert attempt_files(isolated_home, "realtime-analytics") == []


@pytest.mark.parametrize("editor", ["/nonexistent/editor", "false"])
def test_an_editor_that_fails_is_one_line_exit_2(monkeypatch, isolated_home: Path, editor: str) -> None:
    monkeypatch.setattr(mock, "stdin_is_tty", lambda: True)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    r = run("mock")
    assert r.exit_code == 2
    assert r.stderr.startswith("grade: error: $EDITOR: ") and r.stderr.count("\n") == 1
    assert "Editing failed" in r.stderr and "--file" in r.stderr
    assert attempt_files(isolated_home, "realtime-analytics") == []


def test_attempts_are_never_overwritten(isolated_home: Path) -> None:
    result = grade_text(WEAK, prompt="1")
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    folder = isolated_home / "data" / "attempts" / "realtime-analytics"
    folder.mkdir(parents=True)
    squatter = folder / "20260102T030405Z-1.json"
    squatter.write_text("someone else's file", encoding="utf-8")
    paths = [save_attempt("realtime-analytics", WEAK, result, now=now) for _ in range(3)]
    assert [p.name for p in paths] == [f"20260102T030405Z-{n}.json" for n in (2, 3, 4)]
    assert squatter.read_text(encoding="utf-8") == "someone else's file"
    history = load_history("realtime-analytics")
    assert [s.path for s in history.by_prompt["realtime-analytics"]] == paths
    assert [p for p, _ in history.unreadable] == [squatter]


def test_history_orders_attempts_by_time_then_number(isolated_home: Path) -> None:
    result = grade_text(WEAK, prompt="1")
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    paths = [save_attempt("realtime-analytics", WEAK, result, now=now) for _ in range(11)]
    later = save_attempt("realtime-analytics", WEAK, result, now=datetime(2026, 1, 3, tzinfo=UTC))
    assert [s.path for s in load_history().by_prompt["realtime-analytics"]] == [*paths, later]


def test_history_shows_what_moved_between_two_attempts(isolated_home: Path) -> None:
    assert "No attempts yet" in run("history").output
    assert run("mock", input=WEAK).exit_code == 0
    second = run("mock", input=BETTER)
    assert second.exit_code == 0, second.output
    assert "Saved attempt #2" in second.output and "Since your last attempt: score" in second.output

    before, after = grade_text(WEAK, prompt="1"), grade_text(BETTER, prompt="1")
    move = movement(before, after)
    assert move.up and move.score_after > move.score_before

    r = run("history")
    assert r.exit_code == 0, r.output
    assert "Prompt 1: Real-time customer engagement analytics" in r.output
    assert "#1" in r.output and "#2" in r.output
    assert f"score {after.score:5.1f} ({after.score - before.score:+.1f})" in r.output
    assert "what moved" in r.output and "before -> after" in r.output
    rows, _ = idea_moves(move, after, get_rubric()[0])
    assert rows and len(rows) <= 10
    flat = " ".join(r.output.split())
    names = ("missing", "mentioned", "substantiated")
    for row in rows:  # one row per idea, criterion before -> after
        assert f"{row.title} {names[row.before]} -> {names[row.after]}" in flat
    assert flat.count("Idempotency and dedupe") == 1  # three criteria, one idea, one row

    data = json.loads(run("history", "realtime-analytics", "--format", "json").output)
    [group] = data["prompts"]
    first, last = group["attempts"]
    assert first["moved"] is None and first["score"] == before.score
    assert {m["id"] for m in last["moved"]["up"]} == {m.id for m in move.up}
    assert last["moved"]["score_delta"] == round(after.score - before.score, 1)


def test_history_filters_by_prompt_and_rejects_unknown_ones(isolated_home: Path) -> None:
    assert run("mock", "2", input=WEAK).exit_code == 0
    assert run("mock", "1", input=WEAK).exit_code == 0
    r = run("history", "2")
    assert "CDC-powered" in r.output and "Real-time" not in r.output
    assert "Real-time" in run("history").output and "CDC-powered" in run("history").output
    bad = run("history", "nope")
    assert bad.exit_code == 2 and "unknown prompt" in bad.output
