"""The CLI through click's runner and as a real subprocess: formats, exit codes, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from grade.cli import main

from .conftest import ANSWERS


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_grades_mock1_as_text(mock1_text: str) -> None:
    r = run(str(ANSWERS / "mock1.md"))
    assert r.exit_code == 0, r.output
    assert "Score" in r.output and "verdict" in r.output
    assert "Follow-up questions" in r.output
    assert "\x1b[" not in r.output  # no colour when not a TTY


def test_json_leads_with_the_contract_keys_and_infers_the_prompt() -> None:
    r = run("--format", "json", str(ANSWERS / "mock1.md"))  # no front matter: the prompt is inferred
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert list(data)[:4] == ["prompt", "score", "verdict", "criteria"]  # the rest: tests/test_contract.py
    assert data["prompt"] == "realtime-analytics"


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_output_is_deterministic(fmt: str) -> None:
    first = run("--format", fmt, str(ANSWERS / "mock1.md"))
    assert first.exit_code == 0, first.output
    assert run("--format", fmt, str(ANSWERS / "mock1.md")).output == first.output
    # another process, with another hash seed (set and dict orders of strings differ)
    argv = ["grade", "--format", fmt, str(ANSWERS / "mock1.md")]
    code = f"import sys; from grade.cli import main; sys.argv = {argv!r}; main()"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert p.returncode == 0, p.stderr
    assert p.stdout == first.output


def test_prompt_option_wins_over_front_matter_and_inference(tmp_path) -> None:
    f = tmp_path / "a.md"
    f.write_text("---\nprompt: feature-store\n---\nWe use Debezium CDC from Postgres into Iceberg.\n", encoding="utf-8")
    assert json.loads(run("--format", "json", str(f)).output)["prompt"] == "feature-store"
    assert json.loads(run("--format", "json", "--prompt", "2", str(f)).output)["prompt"] == "cdc-lakehouse"


def test_unknown_prompt_is_a_usage_error(tmp_path) -> None:
    r = run("--prompt", "nope", str(ANSWERS / "mock1.md"))
    assert r.exit_code == 2
    assert "unknown prompt 'nope'" in r.output


def test_min_score_exit_code() -> None:
    assert run("--min-score", "0", str(ANSWERS / "mock1.md")).exit_code == 0
    r = run("--min-score", "100", str(ANSWERS / "mock1.md"))
    assert r.exit_code == 1
    assert "below --min-score" in r.output


def test_several_files_and_stdin(mock1_text: str) -> None:
    r = run("--format", "json", str(ANSWERS / "mock1.md"), "-", input=mock1_text)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [d["score"] for d in data][0] == data[1]["score"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty answer"),
        (b"   \n\n", "empty answer"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"caf\xe9 latency", "not UTF-8"),
        (b"x" * 500_001, "too large"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, content, message) -> None:
    f = tmp_path / "answer.md"
    if content is not None:
        f.write_bytes(content)
    r = run(str(f))
    assert r.exit_code == 2
    assert message in r.output
    assert "Traceback" not in r.output


def test_directory_is_refused(tmp_path) -> None:
    r = run(str(tmp_path))
    assert r.exit_code == 2 and "is a directory" in r.output


def test_invalid_rubric_exit_3(tmp_path) -> None:
    bad = tmp_path / "r.toml"
    bad.write_text("name = 1\n", encoding="utf-8")
    r = run("--rubric", str(bad), str(ANSWERS / "mock1.md"))
    assert r.exit_code == 3
    assert str(bad) in r.output
    r = run("rubric", "check", str(bad))
    assert r.exit_code == 3


def test_rubric_show_check_and_schema() -> None:
    r = run("rubric", "show")
    assert r.exit_code == 0 and "mechanics.idempotent_ingestion" in r.output
    from grade.rubric.model import BUNDLED_RUBRIC

    r = run("rubric", "check", str(BUNDLED_RUBRIC))
    assert r.exit_code == 0 and "valid" in r.output
    schema = json.loads(run("rubric", "schema").output)
    assert "criteria" in schema["properties"]


def test_another_rubric_grades_another_domain(tmp_path) -> None:
    rubric = tmp_path / "ml.toml"
    rubric.write_text(
        'name = "ml-design"\nversion = "1"\nsubstance_cues = ["\\\\d+%"]\n'
        '[[sections]]\nid = "core"\ntitle = "Core"\n'
        '[verdicts]\narchitect_min_score = 80\nsenior_min_score = 40\nstuffing_min_mentioned = 99\n'
        'stuffing_max_substantiated_ratio = 0\ndiagram_min_architecture = 99\ndiagram_max_reasoned = 0\n'
        '[detectors.eval]\nmention = ["offline eval", "holdout"]\n'
        '[[criteria]]\nid = "core.evaluation"\nsection = "core"\ntitle = "Evaluation"\nweight = 1\n'
        'description = "Has an offline evaluation."\ndetectors = ["eval"]\nadvice = "Add an offline eval."\n',
        encoding="utf-8")
    answer = tmp_path / "a.md"
    answer.write_text("We keep a holdout set of 10% of users for offline eval.\n", encoding="utf-8")
    r = run("--rubric", str(rubric), "--format", "json", str(answer))
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["prompt"] is None
    assert data["criteria"] == [{"id": "core.evaluation", "level": 2, "evidence": [
        {"line": 1, "quote": "We keep a holdout set of 10% of users for offline eval"}],
        "title": "Evaluation", "section": "core", "weight": 1.0, "source": "rules"}]
    assert data["score"] == 100


def test_version() -> None:
    r = run("--version")
    assert r.exit_code == 0 and "grade" in r.output


@pytest.mark.skipif(shutil.which("grade") is None, reason="the grade script is not on PATH")
def test_real_subprocess_from_another_directory(tmp_path) -> None:
    p = subprocess.run(["grade", str(ANSWERS / "mock1.md")], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert "verdict" in p.stdout
    p = subprocess.run(["grade", str(tmp_path / "missing.md")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip().startswith("grade: error:") and "Traceback" not in p.stderr


def test_no_llm_modules_on_the_offline_path() -> None:
    code = ("import sys, grade.cli\n"
            "from click.testing import CliRunner\n"
            f"r = CliRunner().invoke(grade.cli.main, [{str(ANSWERS / 'mock1.md')!r}])\n"
            "assert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'tiktoken', 'httpx')))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"
