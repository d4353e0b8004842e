"""Reading answer files safely: every way a file can be unusable becomes one clear InputError."""

from __future__ import annotations

import sys

from ..errors import InputError
from .files import FileRefused, TooLarge, read_bounded, read_stdin_bounded

MAX_ANSWER_BYTES = 500_000
"""500 kB. An interview answer is a few pages (under 20 kB), a long design document under 200 kB;
anything larger is a mistake (a log, a dump). At this limit every answer grades in under a second."""


def decode_answer(data: bytes, name: str) -> str:
    """Check raw bytes are a usable text answer and decode them."""
    if len(data) > MAX_ANSWER_BYTES:
        raise InputError(f"{name}: {TooLarge(MAX_ANSWER_BYTES, len(data))}")
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not a Markdown answer")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None
    if not text.strip():
        raise InputError(f"{name}: empty answer")
    return text


def read_stdin() -> bytes:
    """Standard input, at most MAX_ANSWER_BYTES + 1 bytes of it; closed or unreadable is an InputError."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("<stdin>: standard input is closed; give the answer as a file, or pipe it in")
    try:
        return read_stdin_bounded(stream, MAX_ANSWER_BYTES)
    except TooLarge as exc:
        raise InputError(f"<stdin>: {exc}") from None
    except (OSError, ValueError) as exc:  # ValueError: a closed stream
        reason = getattr(exc, "strerror", None) or "it is closed"
        raise InputError(f"<stdin>: cannot read standard input ({reason})") from None


def read_answer(path: str) -> tuple[str, str]:
    """Return (display name, text) for a path, or '-' for standard input.

    Never reads more than MAX_ANSWER_BYTES + 1 bytes, and never blocks on a FIFO or a device."""
    if path == "-":
        return "<stdin>", decode_answer(read_stdin(), "<stdin>")
    try:
        data = read_bounded(path, MAX_ANSWER_BYTES)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an answer file") from None
    except FileRefused as exc:
        message = str(exc).replace("is a directory, not a file", "is a directory, not an answer file")
        raise InputError(f"{path}: {message}") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return path, decode_answer(data, path)
