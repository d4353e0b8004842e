"""Reading a file the user named, safely, and replacing one of our own cache files atomically.

Reading is bounded in size whatever `stat` says, and never blocks.

A path can name a FIFO with no writer (open blocks forever), a device that never ends
(/dev/zero, /dev/urandom), or a /proc file whose size says 0. `read_bounded` opens without
blocking, refuses anything but a regular file (or this process's own standard input, as
/dev/stdin), and reads at most `limit` + 1 bytes, so the caller can tell "too large" apart.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(Exception):
    """A path that cannot be read as a file: the message says why, without the path."""


class TooLarge(FileRefused):
    def __init__(self, limit: int, size: int | None = None) -> None:
        self.limit, self.size = limit, size
        shown = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
        super().__init__(f"too large ({shown}; the limit is {limit:,})")


def _is_stdin(st: os.stat_result) -> bool:
    try:
        return os.path.samestat(st, os.fstat(0))
    except OSError:
        return False


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` (TooLarge beyond it).

    Raises FileRefused for a directory, a FIFO, a device or a socket (other than standard input
    reached as /dev/stdin), and OSError when the file cannot be opened or read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileRefused("is a directory, not a file")
        if stat.S_ISREG(st.st_mode):
            if st.st_size > limit:
                raise TooLarge(limit, st.st_size)
        elif not _is_stdin(st):
            kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
                    or stat.S_ISBLK(st.st_mode) else "not a regular file")
            raise FileRefused(f"is {kind}, not a regular file; pipe it to standard input with '-' instead")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return _read_fd(fd, limit)
    finally:
        os.close(fd)


def _read_fd(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def read_stdin_bounded(stream, limit: int) -> bytes:
    """At most `limit` bytes of a binary stream (standard input); TooLarge beyond it."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def read_headed(path: Path, limit: int) -> tuple[bytes, memoryview] | None:
    """A cache file of grade's own as its first line and the rest, or None when it is larger than
    `limit` bytes or has no first line. One read of the size the file says it is (reading `limit` + 1
    bytes would allocate them all, then shrink and copy: ~5 ms of a cold start for the rubric's
    cache), and the rest is a view of it, not a copy: hashing and marshal read it where it is. A
    file that changed meanwhile reads short or long, and its digest tells."""
    with open(path, "rb", buffering=0) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            return None
        raw = fh.read(size + 1)
    end = raw.find(b"\n")
    if len(raw) > limit or end < 0:
        return None
    return raw[:end], memoryview(raw)[end + 1:]


def replace_atomically(path: Path, data: bytes) -> None:
    """Put `data` at `path` (a file of grade's own caches) so that a reader sees the old file or
    the new one, never half of one: written to a private (0600) temporary file in the same folder,
    then renamed over `path`. On failure nothing is left behind and OSError is raised; a cache
    that cannot be written is the caller's to ignore."""
    import tempfile  # only when a cache is written

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
