"""The cyclic garbage collector, paused while `grade` starts.

A cold start allocates some hundred thousand objects (modules, the rubric read from its cache, its
compiled matcher) that live as long as the process; the collector would walk them again and again
as they pile up (~10 ms of a cold start). The `grade` command pauses it (`pause_gc`) before
importing anything; once the rubric is loaded (`resume_gc`, from grade.core.grader) what exists is
frozen (never walked again; gc.freeze) and collection resumes, so grading answers runs with the
collector as usual. Without a pause (the library used alone) `resume_gc` does nothing.
"""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def main() -> None:
    """The `grade` command (grade.cli.main), with the collector paused while it starts."""
    pause_gc()
    from .cli import main as cli_main

    cli_main()
