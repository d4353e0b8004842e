"""Markdown answer -> lines as given, and the logical blocks the grader reads.

An answer is judged by its sentences and list items, whatever its line wrapping. `parse` keeps
every line with its 1-based number and kind, and builds `norm`, the text that detectors run
on: one line per logical block (a paragraph, a list item with its continuation lines, a block
quote, a table row, a heading, a code line), lower-cased, with '-', '_' and '/' read as spaces.
A hard-wrapped paragraph is one block, so a sentence broken across two lines reads as one.

Not graded, ever: front matter, HTML comments (the mock template's guidance lives in them) and
the title (an H1 above the answer, or a short first line naming the design). The title still
counts when guessing which prompt an answer is for (`title_norm`).

Every offset of `norm` maps back to the file (`raw_offset`), so evidence cites the line that
holds the decisive words and quotes it verbatim.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .regex_cache import lazy_regex
from .static_regex import regex

_FENCE = regex(r"^\s*(```|~~~)")
_HEADING = regex(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = lazy_regex(r"^\s{0,3}(=+|-+)\s*$")  # these three: compiled when first used
_BULLET = regex(r"^\s*([-*+]|\d+[.)])\s+")
_TABLE = regex(r"^\s*\|")
_QUOTE_MARK = regex(r"^\s{0,3}>\s?")
_BOLD_HEADING = regex(r"^\s*(\*\*|__)([^*_]{2,80})(\*\*|__)\s*:?\s*$")
_FRONT_KEY = lazy_regex(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_COMMENT = regex(r"<!--.*?(-->|\Z)", re.S)
_SENTENCE_PUNCT = (".", ":", ";", "!", "?", ",")  # a title does not end in these
_TITLE_MAX_WORDS = 12
_WRAPPED_MIN_WORDS = 8  # a line ending in ':' with fewer words is a lead-in, however it goes on
_BOLD_LEAD = regex(r"(\*\*|__)\s*:?\s*$")  # "**Trade-offs:**" closes emphasis: a lead-in
_LABEL_LINE = lazy_regex(r"^\s*[*_]{0,2}[A-Za-z][\w /&().-]{0,30}[*_]{0,2}:[*_]{0,2}\s+\S")

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
    """One line of the file as given: its 1-based number, text and kind."""

    number: int
    text: str
    kind: str  # front_matter | title | heading | bullet | quote | table | code | prose | comment | blank
    heading_level: int = 0

    @property
    def heading_text(self) -> str:
        if self.kind not in ("heading", "title"):
            return ""
        m = _HEADING.match(self.text)
        if m:
            return m.group(2)
        return self.text.strip().strip("*_:").strip()


@dataclass(frozen=True)
class Block:
    """One logical unit of the answer: its span in `Document.norm` and the lines it covers."""

    index: int
    kind: str  # the kind of its first line
    start: int
    end: int
    first_line: int
    last_line: int
    blank_before: bool  # a blank line (or the start of the answer) separates it from the previous block


@dataclass
class Document:
    """A parsed answer: its lines, its blocks and `norm`, the text detectors run on."""

    lines: list[Line]
    front_matter: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the file as given (line breaks normalised), lines joined by '\n'
    norm: str = ""  # the matching text: one normalised line per block
    blocks: list[Block] = field(default_factory=list)
    title_norm: str = ""
    line_starts: list[int] = field(default_factory=list)  # offset of each line in `text`
    segments: list[tuple[int, int, int]] = field(default_factory=list)  # (norm start, text start, length)
    memo: dict = field(default_factory=dict, repr=False)  # per-document caches of the matcher

    def raw_offset(self, offset: int) -> int:
        """The offset in `text` of a character of `norm` (a joining space maps to the line end)."""
        i = bisect.bisect_right(self._seg_starts, offset) - 1
        if i < 0:
            return 0
        n_start, t_start, length = self.segments[i]
        return t_start + min(offset - n_start, length)

    def line_at(self, offset: int) -> Line:
        """The line of the file holding a character offset of `norm`: that of its segment, each
        segment lying in one line (what `line_at_raw(raw_offset(offset))` finds, in one search)."""
        i = bisect.bisect_right(self._seg_starts, offset) - 1
        return self.lines[self._seg_lines[i] if i >= 0 else 0]

    def line_at_raw(self, offset: int) -> Line:
        return self.lines[bisect.bisect_right(self.line_starts, offset) - 1]

    def block_at(self, offset: int) -> Block:
        """The block holding a character offset of `norm`."""
        return self.blocks[bisect.bisect_right(self._block_starts, offset) - 1]

    def line_span(self, line: Line) -> tuple[int, int]:
        start = self.line_starts[line.number - 1]
        return start, start + len(line.text)

    @property
    def headings(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "heading"]

    @property
    def _seg_starts(self) -> list[int]:
        if "seg_starts" not in self.memo:
            self.memo["seg_starts"] = [s[0] for s in self.segments]
        return self.memo["seg_starts"]

    @property
    def _seg_lines(self) -> list[int]:
        """The index in `lines` of each segment's line."""
        found = self.memo.get("seg_lines")
        if found is None:
            starts = self.line_starts
            found = self.memo["seg_lines"] = [bisect.bisect_right(starts, s[1]) - 1 for s in self.segments]
        return found

    @property
    def _block_starts(self) -> list[int]:
        if "block_starts" not in self.memo:
            self.memo["block_starts"] = [b.start for b in self.blocks]
        return self.memo["block_starts"]


def _front_matter(raw_lines: list[str]) -> tuple[int, dict[str, str]]:
    """Lines taken by a leading `---` ... `---` block, and its simple `key: value` pairs."""
    if not raw_lines or raw_lines[0].strip() != "---":
        return 0, {}
    for i in range(1, min(len(raw_lines), 60)):
        if raw_lines[i].strip() in ("---", "..."):
            pairs = {}
            for line in raw_lines[1:i]:
                m = _FRONT_KEY().match(line)
                if m:
                    pairs[m.group(1).lower()] = m.group(2).strip().strip("'\"")
            return i + 1, pairs
    return 0, {}


def _classify(raw_lines: list[str], fm_len: int, hidden: list[tuple[int, int]],
              starts: list[int]) -> list[Line]:
    lines: list[Line] = []
    in_code = False
    for i, raw in enumerate(raw_lines):
        number = i + 1
        visible = _visible(raw, starts[i], hidden)
        if i < fm_len:
            kind, level = "front_matter", 0
        elif _FENCE.match(raw):
            in_code = not in_code
            kind, level = "code", 0
        elif in_code:
            kind, level = "code", 0
        elif not raw.strip():
            kind, level = "blank", 0
        elif not visible.strip():
            kind, level = "comment", 0
        elif m := _HEADING.match(visible):
            kind, level = "heading", len(m.group(1))
        elif _BOLD_HEADING.match(visible):
            kind, level = "heading", 4
        elif _TABLE.match(visible):
            kind, level = "table", 0
        elif _BULLET.match(visible):
            kind, level = "bullet", 0
        elif _QUOTE_MARK.match(visible):
            kind, level = "quote", 0
        else:
            kind, level = "prose", 0
        lines.append(Line(number, raw, kind, level))
    # Setext headings: a prose line underlined by === or ---.
    for i in range(1, len(lines)):
        prev = lines[i - 1]
        if prev.kind == "prose" and lines[i].kind in ("prose", "bullet") and _SETEXT().match(lines[i].text):
            lines[i - 1] = Line(prev.number, prev.text, "heading", 1 if "=" in lines[i].text else 2)
            lines[i] = Line(lines[i].number, lines[i].text, "blank")
    return lines


def _overlapping(hidden: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """The spans of `hidden` (sorted, not overlapping one another) that overlap [lo, hi), found by
    bisection: an answer of many comments must not cost comments x lines."""
    i = bisect.bisect_right(hidden, (lo, lo))
    if i and hidden[i - 1][1] > lo:
        i -= 1
    out = []
    while i < len(hidden) and hidden[i][0] < hi:
        if hidden[i][1] > lo:
            out.append(hidden[i])
        i += 1
    return out


def _visible(raw: str, start: int, hidden: list[tuple[int, int]]) -> str:
    """A line with the parts inside HTML comments blanked out."""
    if not hidden:
        return raw
    chars = list(raw)
    for h_start, h_end in _overlapping(hidden, start, start + len(raw)):
        for j in range(max(h_start, start), min(h_end, start + len(raw))):
            chars[j - start] = " "
    return "".join(chars)


def _mark_title(lines: list[Line]) -> list[Line]:
    """The first content line is a title, not a section, when it names the design: an H1 (or a
    heading above every other heading), or a short line standing alone without punctuation, however
    an editor wrapped it."""
    content = [ln for ln in lines if ln.kind not in ("front_matter", "blank", "comment")]
    if not content:
        return lines
    first = content[0]
    others = [ln.heading_level for ln in content[1:] if ln.kind == "heading"]
    is_title = False
    if first.kind == "heading":
        is_title = (first.heading_level == 1 and 1 not in others) or all(lv > first.heading_level for lv in others)
    run = [first]  # a title an editor hard-wrapped runs over consecutive prose lines
    if first.kind == "prose":
        while (run[-1].number < len(lines) and lines[run[-1].number].kind == "prose"
               and _continues(run[-1], lines[run[-1].number], "prose", len(run) > 1)):
            run.append(lines[run[-1].number])
        words = [w for ln in run for w in ln.text.split()]
        after = lines[run[-1].number] if run[-1].number < len(lines) else None
        stands_alone = after is None or after.kind in ("blank", "heading")
        is_title = (stands_alone and len(words) <= _TITLE_MAX_WORDS
                    and not run[-1].text.rstrip().endswith(_SENTENCE_PUNCT))
    if not is_title:
        return lines
    out = list(lines)
    for ln in run:
        out[ln.number - 1] = Line(ln.number, ln.text, "title", first.heading_level or 1)
    return out


def _wrap_width(lines: list[Line]) -> int:
    """The width the answer looks hard-wrapped at: its longest prose or list line that another
    prose line follows, leaving out the lines in question, those ending in ':' (0 when no
    paragraph runs over two lines)."""
    width = 0
    for prev, line in zip(lines, lines[1:], strict=False):
        text = prev.text.rstrip()
        if prev.kind in ("prose", "bullet") and line.kind == "prose" and not text.endswith(":"):
            width = max(width, len(text))
    return width


def _continues(prev: Line, line: Line, block_kind: str, prev_continued: bool = False,
               wrap_width: int = 0) -> bool:
    """Does `line` continue the block that `prev` (the line just above it) belongs to?

    As in Markdown, consecutive lines of a paragraph or list item are one block, however they
    were wrapped; but a lead-in ending in ':' introduces what follows, and consecutive
    "Label: value" lines ("Latency: 5 s" / "Scale: 2k/s") are separate statements. A prose line
    that an editor happened to break just after a ':' is no lead-in when the next line goes on
    with the same sentence in lower case and the line is long or itself continues a wrapped
    paragraph (`prev_continued`): the two are joined, so re-wrapping cannot change a level. So is
    one whose next word is capitalised when that word would not have fitted on the line at the
    answer's wrap width: an editor broke the line there, not the writer."""
    if block_kind not in ("prose", "bullet", "quote"):
        return False
    if block_kind == "quote" or line.kind == "quote":
        return block_kind == line.kind == "quote"
    if line.kind != "prose":
        return False
    if line.text[:1].isspace() and block_kind == "bullet":
        return True  # an indented continuation of a list item
    if prev.text.rstrip().endswith(":") and not _wrapped_at_colon(prev, line, prev_continued, wrap_width):
        return False
    return not (_LABEL_LINE().match(prev.text) and _LABEL_LINE().match(line.text))


def _wrapped_at_colon(prev: Line, line: Line, prev_continued: bool, wrap_width: int = 0) -> bool:
    """Is `prev`, a line ending in ':', a hard-wrapped sentence that `line` continues? A lead-in is
    a short line of its own that introduces a list or block; a wrapped line is long, or the tail of
    a wrapped paragraph, and the next one goes on in lower case, or with a word that would not
    have fitted on `prev` at the answer's wrap width. A short tail ("all of\nthis:") is never a
    line of its own: re-wrapping a paragraph can leave any sentence's last words there."""
    body = _BULLET.sub("", prev.text.strip(), count=1)
    nxt = line.text.lstrip()
    if not ((prev_continued or len(body.split()) >= _WRAPPED_MIN_WORDS)
            and not _LABEL_LINE().match(line.text) and not _BOLD_LEAD.search(prev.text)):
        return False
    if nxt[:1].islower() or (prev_continued and len(body.split()) < _WRAPPED_MIN_WORDS):
        return True  # a short tail of a wrapped paragraph is no line of its own: the sentence goes on
    first_word = nxt.split(maxsplit=1)[0] if nxt else ""
    return wrap_width > 0 and len(prev.text.rstrip()) + 1 + len(first_word) > wrap_width


_CONTENT_START = {"bullet": _BULLET, "quote": _QUOTE_MARK}


def parse(text: str) -> Document:
    """Split an answer into classified lines and logical blocks. Line numbers count the file as given."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    joined = "\n".join(raw_lines)
    starts, pos = [], 0
    for raw in raw_lines:
        starts.append(pos)
        pos += len(raw) + 1
    hidden = [m.span() for m in _COMMENT.finditer(joined)]
    fm_len, front = _front_matter(raw_lines)
    lines = _mark_title(_classify(raw_lines, fm_len, hidden, starts))
    wrap_width = _wrap_width(lines)

    pieces: list[str] = []
    segments: list[tuple[int, int, int]] = []
    blocks: list[Block] = []
    n_pos = 0
    current: dict | None = None
    prev_line: Line | None = None
    blank_seen = True

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(Block(len(blocks), current["kind"], current["start"], n_pos,
                                current["first"], current["last"], current["blank_before"]))
            current = None

    def add(line: Line, sep: str, continuation: bool) -> None:
        nonlocal n_pos
        body_start = 0
        if line.kind == "quote":
            m = _QUOTE_MARK.match(line.text)
            body_start = m.end() if m else 0
        elif continuation:  # drop a continuation line's indentation
            body_start = len(line.text) - len(line.text.lstrip())
        if sep:
            pieces.append(sep)
            n_pos += len(sep)
        t0 = starts[line.number - 1]
        cut = [(max(s, t0 + body_start), min(e, t0 + len(line.text)))
               for s, e in _overlapping(hidden, t0 + body_start, t0 + len(line.text))]
        cut = [(s, e) for s, e in cut if s < e]
        a = t0 + body_start
        for s, e in cut + [(t0 + len(line.text), t0 + len(line.text))]:
            if s > a:
                piece = joined[a:s]
                segments.append((n_pos, a, len(piece)))
                pieces.append(normalise(piece))
                n_pos += len(piece)
            a = max(a, e)

    for line in lines:
        if line.kind in ("blank", "front_matter"):
            blank_seen = blank_seen or line.kind == "blank"
            prev_line = None
            continue
        if line.kind in ("comment", "title"):
            prev_line = None
            blank_seen = True
            continue
        if current is not None and prev_line is not None and _continues(
                prev_line, line, current["kind"], prev_line.number != current["first"], wrap_width):
            current["last"] = line.number
            add(line, " ", True)
        else:
            close()
            current = {"kind": line.kind, "start": n_pos + (1 if blocks else 0), "first": line.number,
                       "last": line.number, "blank_before": blank_seen}
            add(line, "\n" if blocks else "", False)
            blank_seen = False
        prev_line = line
        if line.kind in ("heading", "table", "code"):
            close()
    close()
    norm = "".join(pieces)
    title = " ".join(ln.text.strip() for ln in lines if ln.kind == "title")
    return Document(lines=lines, front_matter=front, text=joined, norm=norm, blocks=blocks,
                    title_norm=normalise(title), line_starts=starts, segments=segments)
