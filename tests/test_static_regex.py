"""grade.core.static_regex: our module-level regular expressions, replayed from a private disk cache."""

from __future__ import annotations

import re

import pytest
from grade.core import static_regex


@pytest.fixture
def fresh(isolated_home, monkeypatch):
    monkeypatch.setattr(static_regex, "_codes", None)
    monkeypatch.setattr(static_regex, "_dirty", True)  # no atexit write from the tests
    return isolated_home


PATTERNS = [(r"(?<![a-z0-9])(?P<word>[a-z]+)\s*(\d+)?", 0), (r"^\s*(\*\*|__)x", re.M | re.I), (r"a.b", re.S)]
TEXT = "Alpha 12\n**x and a\nb, beta"


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    assert [m.span() + m.groups() for m in a.finditer(TEXT)] == [m.span() + m.groups() for m in b.finditer(TEXT)]


def test_a_recorded_pattern_is_the_one_re_compiles_and_the_record_is_private(fresh):
    for pattern, flags in PATTERNS:
        _same(static_regex.regex(pattern, flags), re.compile(pattern, flags))
    static_regex._write()
    path = static_regex._file()
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    static_regex._codes = None
    assert len(static_regex._read()) == len(PATTERNS)
    for pattern, flags in PATTERNS:  # now replayed from the record
        _same(static_regex.regex(pattern, flags), re.compile(pattern, flags))


@pytest.mark.parametrize("damage", [
    lambda raw: raw[:-7] + b"\x00" * 7,  # the body changed: the digest no longer holds
    lambda raw: b"",
    lambda raw: raw.replace(b"sha256", b"sha257"),
    lambda raw: raw[: len(raw) // 2],
])
def test_a_damaged_record_is_not_used_and_is_rebuilt(fresh, damage):
    pattern, flags = PATTERNS[0]
    static_regex.regex(pattern, flags)
    static_regex._write()
    path = static_regex._file()
    path.write_bytes(damage(path.read_bytes()))
    assert static_regex._read() == {}
    static_regex._codes = None
    _same(static_regex.regex(pattern, flags), re.compile(pattern, flags))
    static_regex._write()
    assert list(static_regex._read()) == [f"{flags} {pattern}"]
