"""Compile regular expressions from a disk cache of their compiled form.

Python compiles a regular expression in pure Python (re._parser, re._compiler); the bundled
rubric has ~700 patterns, which costs ~40 ms on every cold start. The compiled opcode list is
plain data, so we keep it on disk and hand it straight to `_sre.compile`, as `re._compiler`
itself does. The cache is keyed by the interpreter's version and sre's MAGIC; anything
unexpected (another Python, a changed private API) falls back to `re.compile`.
"""

from __future__ import annotations

import re
import sys
from typing import Any

try:  # private API, used exactly as re._compiler.compile uses it
    import _sre
    from re import _compiler, _parser

    _KEY = (sys.version, _sre.MAGIC, _sre.CODESIZE)
except (ImportError, AttributeError):  # pragma: no cover - other Python implementations
    _sre = None
    _KEY = None

Compiled = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


class RegexCompiler:
    """`compile(pattern)` that records compiled code, or replays it from an earlier record."""

    def __init__(self, recorded: dict[str, Any] | None = None) -> None:
        self.codes: dict[str, Compiled] = {}
        if recorded and recorded.get("key") == _KEY:
            self.codes = recorded["codes"]

    def compile(self, pattern: str) -> re.Pattern[str]:
        entry = self.codes.get(pattern)
        if entry is not None and _sre is not None:
            try:
                flags, code, groups, groupindex, indexgroup = entry
                return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
            except Exception:  # noqa: BLE001 - any mismatch: compile the ordinary way
                pass
        if _sre is None:
            return re.compile(pattern)
        try:
            parsed = _parser.parse(pattern, 0)
            code = _compiler._code(parsed, 0)
            groupindex = dict(parsed.state.groupdict)
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for name, i in groupindex.items():
                indexgroup[i] = name
            # sre opcodes are int subclasses that do not pickle: keep plain ints
            entry = (int(parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex,
                     tuple(indexgroup))
            compiled = _sre.compile(pattern, *entry)
        except re.error:
            raise
        except Exception:  # noqa: BLE001 - private API changed: no cache, plain compile
            return re.compile(pattern)
        self.codes[pattern] = entry
        return compiled

    def record(self) -> dict[str, Any]:
        return {"key": _KEY, "codes": self.codes}
