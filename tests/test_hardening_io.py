"""Hostile or unlucky inputs end in one line and a distinct exit code, promptly: never a hang, a
MemoryError or a traceback. Real processes where the behaviour depends on the process (stdin, FIFOs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.rubric.model import RubricError, load_rubric

from .conftest import ANSWERS

GRADE = [sys.executable, "-c", "import sys; from grade.cli import main; sys.exit(main())"]
MOCK1 = str(ANSWERS / "mock1.md")


def grade(*args: str, timeout: float = 30, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*GRADE, *args], capture_output=True, text=True, timeout=timeout, **kw)


def one_line_error(p: subprocess.CompletedProcess, code: int, fragment: str) -> None:
    assert p.returncode == code, (p.returncode, p.stderr)
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("grade: error: "), p.stderr
    assert fragment in p.stderr, p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", [[], ["followups"]])
def test_endless_devices_are_refused_at_once(device, command):
    start = time.monotonic()
    one_line_error(grade(*command, device), 2, "is a device, not a regular file")
    assert time.monotonic() - start < 20


def test_a_fifo_without_a_writer_does_not_hang(tmp_path):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    one_line_error(grade(str(fifo), timeout=20), 2, "is a FIFO, not a regular file")


def test_standard_input_as_dev_stdin_is_read_up_to_the_limit():
    p = grade("/dev/stdin", input="dedupe\n" * 200_000)  # 1.4 MB, like `yes dedupe | grade /dev/stdin`
    one_line_error(p, 2, "too large (more than 500,000 bytes; the limit is 500,000)")
    with open(MOCK1, "rb") as fh:
        p = subprocess.run([*GRADE, "/dev/stdin"], stdin=fh, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "Score" in p.stdout, p.stderr


def test_a_closed_standard_input_is_one_line():
    p = subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", *GRADE, "-"], capture_output=True, text=True, timeout=30)
    one_line_error(p, 2, "standard input is closed")
    p = subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", *GRADE, "mock"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 2 and "standard input is closed" in p.stderr and "Traceback" not in p.stderr


def test_a_file_whose_size_says_zero_is_still_read_within_the_limit(tmp_path):
    r = CliRunner().invoke(main, ["/proc/self/status"])  # stat says 0 bytes; it is short text
    assert r.exit_code in (0, 2) and "Traceback" not in r.output


# ------------------------------------------------------------------------------------ rubrics
RUBRIC = """name = "t"
version = "1"
{top}
[[sections]]
id = "core"
title = "Core"
[verdicts]
architect_min_score = 80
senior_min_score = 40
stuffing_min_mentioned = 99
stuffing_max_substantiated_ratio = 0
diagram_min_architecture = 99
diagram_max_reasoned = 0
[detectors.eval]
mention = {mention}
[[criteria]]
id = "core.evaluation"
section = "core"
title = "Evaluation"
weight = 1
description = "Has an offline evaluation."
detectors = ["eval"]
advice = "Add an offline eval."
"""


def write_rubric(tmp_path, *, mention: str = "['offline eval']", top: str = ""):
    path = tmp_path / "r.toml"
    path.write_text(RUBRIC.format(mention=mention, top=top), encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(x+x+)+y", r"(a{1,1000}){1,1000}b", r"(\w+)*x", r"(a|b+)*c"])
def test_catastrophic_patterns_are_refused_at_rubric_check(tmp_path, pattern):
    path = write_rubric(tmp_path, mention=repr([pattern]).replace("\\\\", "\\"))
    start = time.monotonic()
    r = CliRunner().invoke(main, ["rubric", "check", str(path)])
    assert r.exit_code == 3, r.output
    assert "could take forever on some answers" in r.output and r.output.count("\n") == 1
    assert time.monotonic() - start < 5


def test_nested_repeats_split_by_a_delimiter_are_allowed(tmp_path):
    path = write_rubric(tmp_path, mention=r"['(only|just) (\\w+ ){0,3}stream', 'holdout~6~\\d+ ?%']")
    assert load_rubric(path).criteria[0].id == "core.evaluation"


@pytest.mark.parametrize("mention, fragment", [
    ("['(?i)offline', '(?i)holdout']", "compile alone but not together"),
    ("['(?P<x>offline)', '(?P<x>holdout)']", "compile alone but not together"),
])
def test_patterns_that_fail_only_when_joined_are_refused(tmp_path, mention, fragment):
    r = CliRunner().invoke(main, ["rubric", "check", str(write_rubric(tmp_path, mention=mention))])
    assert r.exit_code == 3 and fragment in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("patterns", ["['(unclosed']", "['(?i)offline', '(?i)holdout']"])
@pytest.mark.parametrize("table", ["requirement_terms", "praise_requires", "praise_excludes", "quote_excludes",
                                   "quote_requires"])
def test_a_bad_pattern_in_an_anchors_table_is_refused_at_rubric_check(tmp_path, table, patterns):
    path = write_rubric(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + f'[anchors.{table}]\n"core.evaluation" = {patterns}\n',
                    encoding="utf-8")
    r = CliRunner().invoke(main, ["rubric", "check", str(path)])
    assert r.exit_code == 3 and "bad pattern" in r.output and r.output.count("\n") == 1, r.output


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_an_include_that_is_not_a_regular_file_is_refused(tmp_path, target):
    if target == "fifo":
        os.mkfifo(tmp_path / "more.fifo")
        target = "more.fifo"
    path = write_rubric(tmp_path, top=f'include = ["{target}"]')
    p = grade("rubric", "check", str(path), timeout=20)
    one_line_error(p, 3, "not a regular file")


def test_a_deeply_nested_toml_is_an_invalid_rubric(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(RubricError, match="nested too deeply"):
        load_rubric(path)
    r = CliRunner().invoke(main, ["rubric", "check", str(path)])
    assert r.exit_code == 3 and r.output.count("\n") == 1


def test_a_slow_pattern_that_rubric_check_allows_is_stopped_by_the_time_limit(tmp_path, monkeypatch):
    from grade.core import limits

    monkeypatch.setattr(limits, "RUBRIC_TIME_LIMIT", 1.0)
    path = write_rubric(tmp_path, mention=r"['.{0,60}.{0,60}.{0,60}q']")  # bounded, yet ~200k steps a word
    assert load_rubric(path)
    answer = tmp_path / "a.md"
    answer.write_text("we keep a holdout of users " * 4000 + "\n", encoding="utf-8")
    start = time.monotonic()
    for args in (["--rubric", str(path), str(answer)], ["followups", "--rubric", str(path), str(answer)]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 3, (r.output, r.exception)
        assert "took over 1 s: a pattern of this rubric backtracks without end" in r.stderr
        assert r.stderr.count("\n") == 1
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("pattern", [r".*x", r"[^x]*y", r"a.*b", r"(?:foo|bar).+baz", r"[^.]{0,500}z"])
def test_a_repeat_that_scans_whole_paragraphs_is_refused(tmp_path, pattern):
    path = write_rubric(tmp_path, mention=json.dumps([pattern]))
    with pytest.raises(RubricError, match="scans to the end of the paragraph from every word"):
        load_rubric(path)


@pytest.mark.parametrize("pattern", [r".{0,80}x", "`[^`]+`", r"\d+ ?%", r"\s*x", r"holdout~6~\d+ ?%"])
def test_bounded_or_anchored_repeats_are_allowed(tmp_path, pattern):
    assert load_rubric(write_rubric(tmp_path, mention=json.dumps([pattern])))
