"""grade.startup: the `grade` command pauses the collector while it starts, and loading the rubric
resumes it (frozen), so answers are graded with the collector on."""

import gc

from grade import startup
from grade.core import grader


def test_loading_the_rubric_resumes_a_paused_collector(monkeypatch):
    if not gc.isenabled():  # pragma: no cover - the suite runs with the collector on
        gc.enable()
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    grader._load.cache_clear()
    try:
        startup.pause_gc()
        assert not gc.isenabled()
        grader.grade_text("# Answer\n\nKafka with exactly-once sinks.\n")
        assert gc.isenabled() and frozen == [True]
        startup.resume_gc()  # once only
        assert frozen == [True]
    finally:
        gc.enable()
        grader._load.cache_clear()


def test_resume_without_a_pause_does_nothing(monkeypatch):
    monkeypatch.setattr(gc, "freeze", lambda: (_ for _ in ()).throw(AssertionError("froze")))
    startup.resume_gc()
    assert gc.isenabled()
