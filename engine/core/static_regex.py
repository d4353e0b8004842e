"""Our own modules' regular expressions, compiled from a disk cache of their opcodes.

`regex(pattern, flags)` is `re.compile(pattern, flags)` for a module-level pattern of grade's own
code (~40 of them on the grading path, ~3 ms of a cold start to parse and compile in pure Python).
Their opcodes are kept in one file of the private cache folder (0700; the file 0600), as
grade.core.regex_cache keeps the rubric's: plain data (marshal of integers, strings and bytes:
reading it runs no code), keyed by the interpreter's version and sre's MAGIC, and headed by a
SHA-256 of the rest, checked before anything is parsed (opcodes fed back to the interpreter can
crash it when damaged). A pattern not on record is compiled the ordinary way; the record is then
written again when the process exits. A missing, damaged or foreign file is rebuilt; a cache that
cannot be written is skipped.
"""

from __future__ import annotations

import marshal
import re
import sys
from array import array
from typing import Any

try:  # private API, used exactly as re._compiler.compile uses it
    import _sre
    from re import _compiler, _parser

    _KEY = [sys.version, _sre.MAGIC, _sre.CODESIZE]
    _WORD = next(t for t in "HIL" if array(t).itemsize == _sre.CODESIZE)  # a machine word of sre's code
except (ImportError, AttributeError, StopIteration):  # pragma: no cover - other Python implementations
    _sre = None
    _KEY = None

FORMAT = 1
_MAX_BYTES = 1_000_000

_codes: dict[str, list[Any]] | None = None  # "flags pattern" -> [flags, opcodes, groups, groupindex, indexgroup]
_dirty = False


def _file():
    from ..paths import private_cache

    folder = private_cache("regex")
    return None if folder is None else folder / f"static-{FORMAT}.marshal"


def _header(body: bytes | memoryview) -> bytes:
    import hashlib

    return f"grade-static-regex {FORMAT} sha256 {hashlib.sha256(body).hexdigest()}".encode("ascii")


def _valid(entry: Any) -> bool:
    return (type(entry) is list and len(entry) == 5 and type(entry[0]) is int and type(entry[1]) is bytes
            and len(entry[1]) % _sre.CODESIZE == 0 and type(entry[2]) is int and type(entry[3]) is dict
            and type(entry[4]) is list and all(type(k) is str and type(v) is int for k, v in entry[3].items())
            and all(g is None or type(g) is str for g in entry[4]))


def _read() -> dict[str, list[Any]]:
    try:
        path = _file()
        if path is None:
            return {}
        from .files import read_headed

        headed = read_headed(path, _MAX_BYTES)
        if headed is None or headed[0] != _header(headed[1]):
            return {}
        body = headed[1]
        data = marshal.loads(body)
        if type(data) is not dict or data.get("key") != _KEY or type(data.get("codes")) is not dict:
            return {}
        codes = data["codes"]
        if not all(type(k) is str and _valid(v) for k, v in codes.items()):
            return {}
        return codes
    except (OSError, ValueError, EOFError, TypeError, AttributeError, RecursionError):
        return {}  # missing, damaged or foreign: rebuilt


def _write() -> None:
    from .files import replace_atomically

    try:
        path = _file()
        if path is not None and _codes is not None:
            body = marshal.dumps({"key": _KEY, "codes": _codes})
            replace_atomically(path, _header(body) + b"\n" + body)
    except (OSError, ValueError, TypeError):
        pass  # no cache this time


def regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, from the recorded opcodes when they are on record."""
    global _codes, _dirty
    if _sre is None:  # pragma: no cover
        return re.compile(pattern, flags)
    flags = int(flags)
    if _codes is None:
        _codes = _read()
    key = f"{flags} {pattern}"
    entry = _codes.get(key)
    if entry is not None:
        try:
            return _sre.compile(pattern, entry[0], array(_WORD, entry[1]).tolist(), entry[2], entry[3],
                                tuple(entry[4]))
        except Exception:  # noqa: BLE001 - any mismatch: compile the ordinary way
            pass
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        entry = [flags | int(parsed.state.flags), array(_WORD, [int(op) for op in code]).tobytes(),
                 parsed.state.groups - 1, groupindex, indexgroup]
        compiled = _sre.compile(pattern, entry[0], [int(op) for op in code], entry[2], groupindex,
                                tuple(indexgroup))
    except re.error:
        raise
    except Exception:  # noqa: BLE001 - private API changed: no cache, plain compile
        return re.compile(pattern, flags)
    _codes[key] = entry
    if not _dirty:
        import atexit

        _dirty = True
        atexit.register(_write)
    return compiled
