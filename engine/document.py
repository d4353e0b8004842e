"""Markdown answer -> lines with 1-based numbers, kinds, and a normalised copy for matching.

The normalised text has exactly the same length as the raw text, character for character, so a
match found in it maps straight back to a verbatim quote of the file as given.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_BULLET = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_TABLE = re.compile(r"^\s*\|")
_BOLD_HEADING = re.compile(r"^\s*(\*\*|__)([^*_]{2,80})(\*\*|__)\s*:?\s*$")
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")

_SPACES = {"-", "_", "/", "\u00a0", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014"}
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


_TRANSLATION = str.maketrans({**{c: " " for c in _SPACES}, **_QUOTES})


def normalise(text: str) -> str:
    """Lower-case, read '-', '_' and '/' as spaces, straighten quotes; never changes the length."""
    lowered = text.lower()
    if len(lowered) == len(text):  # the usual case; a few letters (e.g. 'İ') grow when lowered
        return lowered.translate(_TRANSLATION)
    out = []
    for ch in text:
        if ch in _SPACES:
            out.append(" ")
        elif ch in _QUOTES:
            out.append(_QUOTES[ch])
        else:
            low = ch.lower()
            out.append(low if len(low) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    kind: str  # front_matter | heading | bullet | table | code | prose | blank
    heading_level: int = 0

    @property
    def heading_text(self) -> str:
        if self.kind != "heading":
            return ""
        m = _HEADING.match(self.text)
        if m:
            return m.group(2)
        return self.text.strip().strip("*_:").strip()


@dataclass
class Document:
    lines: list[Line]
    front_matter: dict[str, str] = field(default_factory=dict)
    text: str = ""
    norm: str = ""
    starts: list[int] = field(default_factory=list)
    memo: dict = field(default_factory=dict, repr=False)  # per-document caches of the matcher

    def line_at(self, offset: int) -> Line:
        """The line holding a character offset of `text`/`norm`."""
        return self.lines[bisect.bisect_right(self.starts, offset) - 1]

    def start_of(self, line: Line) -> int:
        return self.starts[line.number - 1]

    @property
    def headings(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "heading"]


def _front_matter(raw_lines: list[str]) -> tuple[int, dict[str, str]]:
    """Lines taken by a leading `---` ... `---` block, and its simple `key: value` pairs."""
    if not raw_lines or raw_lines[0].strip() != "---":
        return 0, {}
    for i in range(1, min(len(raw_lines), 60)):
        if raw_lines[i].strip() in ("---", "..."):
            pairs = {}
            for line in raw_lines[1:i]:
                m = _FRONT_KEY.match(line)
                if m:
                    pairs[m.group(1).lower()] = m.group(2).strip().strip("'\"")
            return i + 1, pairs
    return 0, {}


def parse(text: str) -> Document:
    """Split an answer into classified lines. Line numbers count the file as given."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    fm_len, front = _front_matter(raw_lines)
    lines: list[Line] = []
    in_code = False
    for i, raw in enumerate(raw_lines):
        number = i + 1
        if i < fm_len:
            kind, level = "front_matter", 0
        elif _FENCE.match(raw):
            in_code = not in_code
            kind, level = "code", 0
        elif in_code:
            kind, level = "code", 0
        elif not raw.strip():
            kind, level = "blank", 0
        elif m := _HEADING.match(raw):
            kind, level = "heading", len(m.group(1))
        elif _BOLD_HEADING.match(raw):
            kind, level = "heading", 4
        elif _TABLE.match(raw):
            kind, level = "table", 0
        elif _BULLET.match(raw):
            kind, level = "bullet", 0
        else:
            kind, level = "prose", 0
        lines.append(Line(number, raw, kind, level))
    # Setext headings: a prose line underlined by === or ---.
    for i in range(1, len(lines)):
        prev = lines[i - 1]
        if prev.kind == "prose" and lines[i].kind in ("prose", "bullet") and _SETEXT.match(lines[i].text):
            lines[i - 1] = Line(prev.number, prev.text, "heading", 1 if "=" in lines[i].text else 2)
            lines[i] = Line(lines[i].number, lines[i].text, "blank")
    joined = "\n".join(line.text for line in lines)
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line.text) + 1
    norm = normalise(joined)
    if fm_len:  # front matter is metadata, never evidence
        end = starts[fm_len - 1] + len(lines[fm_len - 1].text)
        norm = " " * end + norm[end:]
    return Document(lines=lines, front_matter=front, text=joined, norm=norm, starts=starts)
