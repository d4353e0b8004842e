"""Progress on standard error: "grade: 12/40 answers graded", redrawn in place, on a terminal
only, so that output piped or captured stays clean. Other lines (a retry, a batch's state) go
through `say` and are written above it, terminal or not."""

from __future__ import annotations

import contextlib
import sys
import threading
from typing import TextIO


class Progress:
    """Counts answers as they are graded; draws only when `stream` is a terminal (and `total` > 0)."""

    def __init__(self, total: int, *, stream: TextIO | None = None, what: str = "answers graded") -> None:
        self.total = total
        self.done = 0
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.shown = bool(total > 0 and self.stream is not None and _isatty(self.stream))
        self._status = ""
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def tick(self) -> None:
        """One more answer graded."""
        with self._lock:
            self.done += 1
            self._draw()

    def status(self, message: str) -> None:
        """A passing state (a batch waiting on the server), shown beside the count on a terminal."""
        with self._lock:
            self._status = message
            self._draw()

    def say(self, message: str) -> None:
        """A line that stays, such as a retry: always written, above the progress line."""
        with self._lock:
            self._write(("\r\033[K" if self.shown else "") + f"grade: {message}\n")
            self._draw()

    def close(self) -> None:
        with self._lock:
            if self.shown:
                self._write("\r\033[K")
            self.shown = False

    def _draw(self) -> None:
        if self.shown:
            status = f" ({self._status})" if self._status else ""
            self._write(f"\r\033[Kgrade: {self.done}/{self.total} {self.what}{status}")

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # no stderr: say nothing
            self.stream.write(text)
            self.stream.flush()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
