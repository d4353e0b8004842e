"""A time limit on grading with a user's rubric: the backstop behind `rubric check`.

`rubric check` refuses the pattern shapes that backtrack without end ('(a+)+', '.*x'), but no
static check catches every slow regular expression. With a rubric from --rubric, the CLI grades
each answer under a time limit; past it, grading stops with one line naming the rubric (exit 3).
It needs SIGALRM and the main thread; elsewhere (a library caller in a worker thread, Windows)
there is no limit. The bundled rubric is tested linear and runs without one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import RubricInvalid

RUBRIC_TIME_LIMIT = 60.0
"""Seconds one answer may take with a user's rubric (one at the 500 kB size limit takes < 1 s with the bundled one)."""


class TookTooLong(RubricInvalid):
    """Grading ran past the time limit: a pattern of the rubric backtracks without end on this answer."""


@contextmanager
def time_limit(seconds: float | None, message: str) -> Iterator[None]:
    """Raise TookTooLong(message) if the block runs longer than `seconds` (None: no limit)."""
    if not seconds:  # no limit: no `signal` either (its enums are a millisecond of every cold start)
        yield
        return
    import signal

    if not (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()):
        yield
        return

    def expired(signum, frame):
        raise TookTooLong(message)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
