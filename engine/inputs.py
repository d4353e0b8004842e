"""Reading answer files safely: every way a file can be unusable becomes one clear InputError."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import InputError

MAX_ANSWER_BYTES = 1_000_000
"""An interview answer is a few pages; anything larger is a mistake (a log, a dump)."""


def decode_answer(data: bytes, name: str) -> str:
    """Check raw bytes are a usable text answer and decode them."""
    if len(data) > MAX_ANSWER_BYTES:
        raise InputError(
            f"{name}: too large ({len(data):,} bytes; the limit is {MAX_ANSWER_BYTES:,})"
        )
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


def read_answer(path: str) -> tuple[str, str]:
    """Return (display name, text) for a path, or '-' for standard input."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_ANSWER_BYTES + 1)
        return "<stdin>", decode_answer(data, "<stdin>")
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not an answer file")
    try:
        size = p.stat().st_size
        if size > MAX_ANSWER_BYTES:
            raise InputError(f"{path}: too large ({size:,} bytes; the limit is {MAX_ANSWER_BYTES:,})")
        data = p.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return path, decode_answer(data, path)
