"""-o never loses a report: a failed write leaves the old file as it was and nothing else behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.report import outputs

from .conftest import ANSWERS

MOCK1 = str(ANSWERS / "mock1.md")
OLD = "<html>the old report</html>\n"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _fail_on_fsync(monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs.os, "fsync", full)


@pytest.mark.parametrize("force", [True, False])
def test_a_failed_write_keeps_the_old_report_and_leaves_nothing(monkeypatch, tmp_path, force):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    report = tmp_path / "report.html"
    if force:
        report.write_text(OLD, encoding="utf-8")
    _fail_on_fsync(monkeypatch)
    r = run("--format", "html", "-o", str(report), *(["--force"] if force else []), MOCK1)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert "cannot write (No space left on device); nothing was changed" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == (["report.html"] if force else [])
    if force:
        assert report.read_text(encoding="utf-8") == OLD
    monkeypatch.undo()
    r = run("--format", "html", "-o", str(report), "--force", MOCK1)  # the next try is not "already exists"
    assert r.exit_code == 0 and report.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_without_force_an_existing_report_is_never_touched(tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    report = tmp_path / "report.md"
    report.write_text(OLD, encoding="utf-8")
    r = run("--format", "markdown", "-o", str(report), MOCK1)
    assert r.exit_code == 2 and "already exists" in r.stderr
    assert report.read_text(encoding="utf-8") == OLD and len(list(tmp_path.iterdir())) == 1


def test_a_written_report_has_ordinary_permissions(tmp_path):
    report = tmp_path / "r.json"
    assert run("--format", "json", "-o", str(report), MOCK1).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert report.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 16 kB file system, when this machine lets us mount one (root on Linux)."""
    from .conftest import mount_tmpfs

    yield from mount_tmpfs(tmp_path / "tiny", "size=16k", "cannot mount a small tmpfs here")


def test_a_full_disk_for_real(tiny_disk: Path):
    report = tiny_disk / "report.html"
    report.write_text(OLD, encoding="utf-8")
    (tiny_disk / "filler").write_bytes(b"x" * 4096)
    r = run("--format", "html", "-o", str(report), "--force", MOCK1)  # the page is ~60 kB
    assert r.exit_code == 2 and "No space left on device" in r.stderr
    assert report.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "report.html"]
