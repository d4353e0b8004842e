"""Where one line is promised, one line it is: bad rubric values, unwritable save folders, broken
caches, a full disk on stdout, usage errors, Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from grade import paths
from grade.cli import main
from grade.rubric.model import RubricError, load_rubric

from .conftest import ANSWERS
from .test_hardening_io import GRADE, RUBRIC, one_line_error

MOCK1 = str(ANSWERS / "mock1.md")
WEAK = "## Correctness\n- Dedupe on event_id in a MERGE, because the SDK retries\n"


def run(*args: str, input: str | None = None, **env):
    return CliRunner().invoke(main, list(args), input=input, env=env or None)


def assert_one_line(r, code: int, fragment: str) -> None:
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("grade: error: "), r.stderr
    assert fragment in r.stderr, r.stderr


# ------------------------------------------------------------------------------------ rubric values
def _rubric(tmp_path: Path, *, weight="1", verdicts="", signals="", top="") -> Path:
    text = RUBRIC.format(mention="['offline eval']", top=top).replace("weight = 1\n", f"weight = {weight}\n")
    if verdicts:  # one `key = value` line replaces the template's own line for that key
        key = verdicts.split("=")[0].strip()
        text = re.sub(rf"^{key} = .*\n", "", text, flags=re.M).replace("[verdicts]\n", f"[verdicts]\n{verdicts}\n")
    if signals:
        text += ('[[prompts]]\nid = "p"\nnumber = 1\ntitle = "P"\nbrief = "b"\nmust_handle = []\n'
                 f"[prompts.signals]\n{signals}\n")
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kw, fragment", [
    ({"weight": "inf"}, "weight: Input should be a finite number"),
    ({"weight": "nan"}, "weight: Input should be a finite number"),
    ({"weight": "1e308"}, "weight: Input should be less than or equal to 1000000"),
    ({"verdicts": "level_values = [0.0, 0.4, 7.0]"}, "level_values.2: Input should be less than or equal to 1"),
    ({"verdicts": "level_values = [-1.0, 0.4, 1.0]"}, "level_values.0: Input should be greater than or equal to 0"),
    ({"verdicts": "level_values = [0.0, nan, 1.0]"}, "level_values.1: Input should be a finite number"),
    ({"verdicts": "stuffing_min_mentioned = 0"}, "stuffing_min_mentioned: Input should be greater than or equal to 1"),
    ({"signals": "'offline' = nan"}, "Input should be a finite number"),
    ({"signals": "'offline' = inf"}, "Input should be a finite number"),
])
def test_values_that_would_crash_grading_are_refused_at_rubric_check(tmp_path, kw, fragment):
    path = _rubric(tmp_path, **kw)
    r = run("rubric", "check", str(path))
    assert_one_line(r, 3, fragment)
    answer = tmp_path / "a.md"
    answer.write_text("We run an offline eval on a holdout.\n", encoding="utf-8")
    assert_one_line(run("--rubric", str(path), str(answer)), 3, fragment)


@pytest.mark.parametrize("top, extra, fragment", [
    ('followups = "none"', None, "followups: expected a list"),
    ('include = ["more.toml"]', 'followups = "none"\n', "more.toml: invalid rubric: followups: expected a list"),
    ('include = ["more.toml"]', "[followups]\ncriterion = 1\n", "followups: expected a list"),
    ("include = [1]", None, "include: expected a list of file names"),
])
def test_followups_of_the_wrong_type_are_one_line(tmp_path, top, extra, fragment):
    if extra is not None:
        (tmp_path / "more.toml").write_text(extra, encoding="utf-8")
    path = _rubric(tmp_path, top=top)
    with pytest.raises(RubricError, match=fragment):
        load_rubric(path)
    assert_one_line(run("rubric", "check", str(path)), 3, fragment)


# ------------------------------------------------------------------------------------ save folders
def test_mock_and_history_with_grade_home_a_file(tmp_path):
    home = tmp_path / "home-is-a-file"
    home.write_text("not a folder", encoding="utf-8")
    r = run("mock", input=WEAK, GRADE_HOME=str(home))
    assert_one_line(r, 2, "cannot save the attempt in")
    assert "set GRADE_HOME to a folder you can write" in r.stderr
    r = run("history", GRADE_HOME=str(home))
    assert r.exit_code == 0 and "No attempts yet" in r.output  # nothing saved there, nothing to show
    assert run(MOCK1, GRADE_HOME=str(home)).exit_code == 0  # the caches give way: grading still works


def test_mock_with_a_folder_that_cannot_be_created(tmp_path):
    r = run("mock", input=WEAK, GRADE_HOME="/proc/self/no-such-dir/grade")  # unwritable, even for root
    assert_one_line(r, 2, "cannot save the attempt in /proc/self/no-such-dir/grade/data/attempts/")


def test_mock_in_the_editor_checks_the_folder_before_the_answer_is_typed(monkeypatch, tmp_path):
    from grade.practice import mock

    home = tmp_path / "file"
    home.write_text("x", encoding="utf-8")
    monkeypatch.setattr(mock, "stdin_is_tty", lambda: True)
    opened = []
    monkeypatch.setattr(mock, "run_editor", lambda text: opened.append(text) or text + WEAK)
    r = run("mock", GRADE_HOME=str(home))
    assert_one_line(r, 2, "cannot save the attempt")
    assert opened == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores folder modes")
@pytest.mark.parametrize("mode", [0o555, 0o000])
def test_mock_and_history_with_folder_modes_that_forbid_it(tmp_path, mode):
    home = tmp_path / "h"
    attempts = home / "data" / "attempts"
    attempts.mkdir(parents=True)
    attempts.chmod(mode)
    try:
        assert_one_line(run("mock", input=WEAK, GRADE_HOME=str(home)), 2, "cannot")
        r = run("history", GRADE_HOME=str(home))
        assert r.exit_code in (0, 2) and "Traceback" not in r.output
    finally:
        attempts.chmod(0o755)


@pytest.mark.parametrize("home", ["", "relative/home"])
def test_no_usable_home_folder_names_grade_home(monkeypatch, home):
    monkeypatch.delenv("GRADE_HOME")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    assert_one_line(run("mock", input=WEAK), 2, "cannot find your home folder (HOME is not set): set GRADE_HOME")
    assert_one_line(run("history"), 2, "set GRADE_HOME")
    assert run(MOCK1).exit_code == 0  # no cache, still a grade
    assert paths.private_cache("rubrics") is None


def test_home_unknown_to_the_system(monkeypatch):
    monkeypatch.delenv("GRADE_HOME")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert_one_line(run("history"), 2, "set GRADE_HOME")


# ------------------------------------------------------------------------------------ caches
def test_a_corrupt_or_truncated_template_cache_is_ignored(isolated_home):
    from grade.report import render

    render._environment.cache_clear()  # the terminal report is plain Python: Markdown is a template
    baseline = run("--format", "markdown", MOCK1).output
    folder = isolated_home / "cache" / "templates"
    entries = list(folder.glob("*.cache"))
    assert entries and (folder.stat().st_mode & 0o777) == 0o700
    for damage in (lambda b: b[:40], lambda b: b"garbage", lambda b: b[:-7], lambda b: b""):
        render._environment.cache_clear()
        for entry in entries:
            entry.write_bytes(damage(entry.read_bytes()) if entry.stat().st_size else b"x")
        r = run("--format", "markdown", MOCK1)
        assert r.exit_code == 0 and r.output == baseline


def test_a_template_cache_that_is_not_a_folder_is_no_cache(isolated_home):
    from grade.report import render

    (isolated_home / "cache").mkdir(parents=True)
    (isolated_home / "cache" / "templates").write_text("a file", encoding="utf-8")
    render._environment.cache_clear()
    assert run("--format", "markdown", MOCK1).exit_code == 0


def test_cache_folders_are_private_and_tightened(isolated_home):
    (isolated_home / "cache" / "rubrics").mkdir(parents=True, mode=0o755)
    (isolated_home / "cache" / "rubrics").chmod(0o755)
    folder = paths.private_cache("rubrics")
    assert folder is not None and (folder.stat().st_mode & 0o777) == 0o700
    assert (paths.private_cache("llm").stat().st_mode & 0o777) == 0o700


# ------------------------------------------------------------------------------------ the process
def test_a_full_disk_on_standard_output_is_one_line():
    with open("/dev/full", "w") as full:
        p = subprocess.run([*GRADE, MOCK1], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    one_line_error(p, 2, "cannot write to standard output (No space left on device)")


def test_a_closed_pipe_is_silent():
    p = subprocess.Popen([*GRADE, MOCK1, MOCK1, MOCK1], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    p.wait(timeout=60)
    assert p.returncode in (0, 141) and p.stderr.read() == b""


def test_ctrl_c_is_exit_130_with_one_line():
    p = subprocess.Popen([*GRADE, "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(1.5)  # the interpreter is up and reading standard input
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    assert err == "grade: interrupted\n"


@pytest.mark.parametrize("args, fragment", [
    (["--unknown-flag", MOCK1], "No such option '--unknown-flag'; see 'grade answer --help'"),
    (["-o", "/tmp", MOCK1], "is a directory; see 'grade answer --help'"),
    (["--format", "nope", MOCK1], "'nope' is not one of"),
    (["rubric", "check"], "Missing argument 'PATH'; see 'grade rubric check --help'"),
    (["--min-score", "101", MOCK1], "101"),
])
def test_usage_errors_are_one_line_exit_2(args, fragment):
    assert_one_line(run(*args), 2, fragment)


def test_help_lists_only_the_exit_codes_a_command_can_give():
    assert "  1    " not in run("followups", "--help").output and "  1    " not in run("mock", "--help").output
    assert "  4    " in run("followups", "--help").output  # with --llm, the model writes the questions
    answer = run("answer", "--help").output
    assert all(f"  {code:<3}  " in answer for code in (0, 1, 2, 3, 4, 130))


def test_interrupt_inside_a_command_is_130(monkeypatch):
    import grade.core.grader

    def interrupted(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(grade.core.grader, "grade_text", interrupted)
    r = run(MOCK1)
    assert r.exit_code == 130 and r.stderr == "grade: interrupted\n"


def test_python_dash_m_style_entry_point_still_exits_with_the_code():
    p = subprocess.run([*GRADE, "--min-score", "100", MOCK1], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "below --min-score" in p.stderr
    assert sys.executable


@pytest.mark.parametrize("args, first", [([], "Usage: grade [OPTIONS] COMMAND [ARGS]..."),
                                         (["rubric"], "Usage: grade rubric [OPTIONS] COMMAND [ARGS]...")])
def test_a_group_alone_shows_its_help(args, first):
    r = run(*args)
    assert r.exit_code == 2 and r.stderr.startswith(first) and "Commands:" in r.stderr


@pytest.fixture
def read_only_home(tmp_path):
    """GRADE_HOME on a read-only file system, when this machine lets us mount one (root on Linux):
    unlike folder modes, that stops root too."""
    from .conftest import mount_tmpfs

    yield from mount_tmpfs(tmp_path / "ro", "ro,size=64k", "cannot mount a read-only tmpfs here")


def test_a_read_only_file_system_for_everything(read_only_home, tmp_path):
    home = str(read_only_home / "grade")
    assert_one_line(run("mock", input=WEAK, GRADE_HOME=home), 2, "Read-only file system")
    r = run("history", GRADE_HOME=home)
    assert r.exit_code == 0 and "No attempts yet" in r.output
    r = run("--format", "json", MOCK1, GRADE_HOME=home)  # no cache can be written: grading goes on
    assert r.exit_code == 0 and '"score"' in r.output
    r = run("--format", "html", "-o", str(read_only_home / "r.html"), MOCK1)
    assert_one_line(r, 2, "cannot write (Read-only file system); nothing was changed")
