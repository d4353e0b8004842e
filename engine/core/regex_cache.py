"""Compile regular expressions from a disk cache of their compiled form.

Python compiles a regular expression in pure Python (re._parser, re._compiler); the bundled
rubric has ~700 patterns, which costs ~40 ms on every cold start. The compiled opcode list is
plain data, so we keep it on disk and hand it straight to `_sre.compile`, as `re._compiler`
itself does. The cache is keyed by the interpreter's version and sre's MAGIC; anything
unexpected (another Python, a changed private API) falls back to `re.compile`. On disk the record
is JSON (integers and strings, nothing that runs when read), kept by grade.core.rubric_cache with a
SHA-256 of the whole entry in a private folder: a damaged record is never used.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import re
import sys
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

try:  # private API, used exactly as re._compiler.compile uses it
    import _sre
    from re import _compiler, _parser

    _KEY = (sys.version, _sre.MAGIC, _sre.CODESIZE)
    # stored, a pattern's opcodes are one bytes object of machine words (marshal reads it as one
    # copy, where a list of ints is one object per opcode: most of the cache's reading time)
    _WORD = next((t for t in "HIL" if array(t).itemsize == _sre.CODESIZE), None)
except (ImportError, AttributeError):  # pragma: no cover - other Python implementations
    _sre = None
    _KEY = None
    _WORD = None

Compiled = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def lazy_regex(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """`re.compile(pattern, flags)`, done on the first call rather than at import: for a module's
    regular expression that many answers never need (compiling one is ~0.1-1 ms of a cold start)."""
    compiled: list[re.Pattern[str]] = []

    def get() -> re.Pattern[str]:
        if not compiled:
            compiled.append(re.compile(pattern, flags))
        return compiled[0]

    return get


class RegexCompiler:
    """`compile(pattern)` that records compiled code, or replays it from an earlier record."""

    def __init__(self, recorded: dict[str, Any] | None = None) -> None:
        self.codes: dict[str, Compiled] = {}
        # the literal prefixes grade.scan works out for a pattern (pure Python, ~1 ms a pattern), kept too
        self.prefixes: dict[str, list[str] | None] = {}
        self.plans: dict[str, Any] = {}  # and how grade.scan groups those prefixes
        # the one pattern a list of rubric patterns becomes (rubric.patterns.joined_pattern: ~5 ms of
        # pure Python for the bundled rubric), by the list
        self.joined: dict[tuple[str, ...], str] = {}
        if recorded and recorded.get("key") == _KEY:
            self.codes = recorded["codes"]
            self.prefixes = recorded.get("prefixes") or {}
            self.plans = recorded.get("plans") or {}
            self.joined = recorded.get("joined") or {}

    def joined_pattern(self, patterns: list[str]) -> str:
        """rubric.patterns.joined_pattern(patterns), as recorded or worked out now (and recorded)."""
        key = tuple(patterns)
        joined = self.joined.get(key)
        if joined is None:
            from ..rubric.patterns import joined_pattern

            joined = self.joined[key] = joined_pattern(patterns)
        return joined

    def compile(self, pattern: str) -> re.Pattern[str]:
        entry = self.codes.get(pattern)
        if entry is not None and _sre is not None:
            try:
                flags, code, groups, groupindex, indexgroup = entry
                if type(code) is bytes:
                    code = array(_WORD, code).tolist()
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
        return {"key": _KEY, "codes": self.codes, "prefixes": self.prefixes, "plans": self.plans,
                "joined": self.joined}


def record_to_json(record: dict[str, Any]) -> dict[str, Any]:
    """A compile record as plain JSON data (lists, integers, strings). Whoever stores it must also
    store a digest of it and check that before `record_from_json`: `_sre.compile` trusts its
    opcodes, and a garbled list can crash the interpreter."""
    from .scan import ANALYSIS

    return {"key": list(record["key"] or ()),
            "codes": {p: [e[0], _packed(e[1]), e[2], dict(e[3]), list(e[4])] for p, e in record["codes"].items()},
            "scan": ANALYSIS, "prefixes": dict(record.get("prefixes") or {}), "plans": dict(record.get("plans") or {}),
            "joined": dict(record.get("joined") or {})}


def _packed(code: list[int] | bytes) -> list[int] | bytes:
    """A pattern's opcodes as kept on disk: the bytes of their machine words (a list where no array
    type has sre's word size)."""
    if type(code) is bytes or _WORD is None:
        return code
    return array(_WORD, code).tobytes()


def record_from_json(data: Any) -> dict[str, Any] | None:
    """The compile record stored by `record_to_json`, or None when it is for another interpreter or
    not of that shape (then every pattern is compiled the ordinary way)."""
    try:
        if _KEY is None or tuple(data["key"]) != _KEY:
            return None
        codes: dict[str, Compiled] = {}
        for pattern, (flags, code, groups, groupindex, indexgroup) in data["codes"].items():
            if type(code) is bytes:  # packed words: whole words only
                if _WORD is None or len(code) % _sre.CODESIZE:
                    return None
            elif not isinstance(code, list):
                return None
            if not (isinstance(groupindex, dict) and isinstance(indexgroup, list)
                    and type(flags) is int and type(groups) is int):
                return None
            codes[pattern] = (flags, code, groups, groupindex, tuple(indexgroup))
        prefixes = _prefixes_from_json(data)
        plans = data.get("plans") if prefixes and isinstance(data.get("plans"), dict) else {}
        joined = data.get("joined")
        if not (isinstance(joined, dict) and all(type(k) is tuple and all(type(p) is str for p in k)
                                                 and type(v) is str for k, v in joined.items())):
            joined = {}  # worked out again
        return {"key": _KEY, "codes": codes, "prefixes": prefixes, "plans": plans, "joined": joined}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def packed_prefixes(prefixes: dict[str, Any]) -> dict[str, bytes]:
    """Recorded prefixes with each pattern's list packed as marshal bytes (plain data: strings), read
    one by one when grade.core.scan asks for a pattern's prefixes (a text asks for a few dozen of the
    rubric's ~230 lists: reading all ~25k strings on every cold start was ~2 ms)."""
    return {p: v if type(v) is bytes else marshal.dumps(v) for p, v in prefixes.items()}


def _prefixes_from_json(data: Any) -> dict[str, list[str] | None]:
    """The recorded prefixes of grade.scan, when recorded by this version of its analysis and of
    that shape; else none (they are worked out again)."""
    from .scan import ANALYSIS

    prefixes = data.get("prefixes")
    if data.get("scan") != ANALYSIS or not isinstance(prefixes, dict):
        return {}
    try:
        for value in prefixes.values():
            # each a list of non-empty strings (str.__len__ refuses anything else: ~22k of them, at C speed),
            # or that list packed (`packed_prefixes`: checked by grade.core.scan when unpacked)
            if value is not None and type(value) is not bytes and not (type(value) is list
                                                                      and all(map(str.__len__, value))):
                return {}
    except TypeError:
        return {}
    return prefixes



_DISK_FORMAT = 2  # 2: opcodes packed as bytes (see _packed), and `build` told whether to compile lazily


def build_with_disk_cache(folder: str, data: dict[str, Any],
                          build: Callable[[Callable[[str], re.Pattern[str]], bool], T]) -> T:
    """`build(compile)`, with the compiled form of every pattern it compiles kept on disk in `folder`
    of the cache directory, keyed by `data` (what the patterns come from) and by how rubric patterns
    become regexes, so a cold start does not compile them again. For the rubric's small pattern
    tables outside the matcher (the follow-up phrases, the anchors); the matcher's own patterns are
    kept by grade.core.rubric_cache. `build` is also told whether every pattern is on record (a cache
    hit): then it may compile each one only when first used, as none needs recording."""
    from ..paths import cache_dir
    from ..rubric import patterns
    from .files import replace_atomically

    keyed = {**data, "expansion": hashlib.sha256(Path(patterns.__file__).read_bytes()).hexdigest(),
             "format": _DISK_FORMAT}
    key = hashlib.sha256(json.dumps(keyed, sort_keys=True, default=list).encode()).hexdigest()[:20]
    path = cache_dir() / folder / f"{key}.marshal"
    try:  # marshal: plain data, read 3x faster than pickle, and reading it runs no code
        recorded = record_from_json(marshal.loads(path.read_bytes()))
        if recorded is not None:
            # every pattern is on record: `build` may compile each only when first used
            return build(RegexCompiler(recorded).compile, True)
    except Exception:  # noqa: BLE001 - a missing or foreign cache is rebuilt
        pass
    compiler = RegexCompiler()
    built = build(compiler.compile, False)  # all of them now, to record them
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(path, marshal.dumps(record_to_json(compiler.record())))
    except (OSError, ValueError):
        pass
    return built
