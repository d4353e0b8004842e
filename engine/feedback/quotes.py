"""The candidate's own words, quoted whole: the sentence around a piece of evidence.

Evidence is a clause (what the matcher read); a question that quotes the candidate quotes the
whole sentence it sits in, so the candidate sees their claim as they made it, not a fragment cut
mid-thought. A sentence is read within its logical block (a wrapped paragraph or list item is
one block), without the list marker; a table cell or a code line is quoted as it stands.
"""

from __future__ import annotations

import re

from ..core.document import Block, Document
from ..core.regex_cache import lazy_regex
from ..core.static_regex import regex

_SENTENCE_END = regex(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\betc)(?<!\bcf)[.!?](?=\s|$|\*)")
_CODE_SPAN = regex(r"`[^`\n]*`")
_CODE_OR_TEXT = regex(r"`[^`\n]*`|[^`]+|`")
_LEAD = regex(r"^\s*(?:(?:[-*+]|\d+[.)])\s+|>\s?)*")
_SPACES = regex(r"\s+")


def _block_of(doc: Document, line: int) -> Block | None:
    for b in doc.blocks:
        if b.first_line <= line <= b.last_line:
            return b
    return None


def _joined(doc: Document, block: Block) -> tuple[str, dict[int, int]]:
    """The block's text as one line (markers and continuation indents dropped), and where each of
    its file lines starts in it (that line's own marker dropped too)."""
    parts, starts, pos = [], {}, 0
    for number in range(block.first_line, block.last_line + 1):
        raw = doc.lines[number - 1].text
        body = raw[_LEAD.match(raw).end():] if number == block.first_line or block.kind == "quote" else raw.lstrip()
        starts[number] = pos - (len(raw) - len(body))  # where raw[0] would be in the joined text
        parts.append(body)
        pos += len(body) + 1
    return " ".join(parts), starts


def shown(quote: str) -> str:
    """A quote as the critique prints it: Markdown emphasis that the clause boundary cut in half
    ("Storage**: Lakehouse on Delta") dropped, so it reads as the candidate wrote it."""
    quote = quote.strip().strip("*_").strip()
    # bold is never the candidate's words: "**Freshness:** fresh within **60 s**" cut at both ends would
    # read 'Freshness:** fresh within **60 s' (feedback round 13); `a**2` in code is kept
    parts = _CODE_OR_TEXT.findall(quote)
    cut = sum(p.count("__") for p in parts if not p.startswith("`")) % 2  # an emphasis cut in half
    return "".join(p if p.startswith("`") else p.replace("**", "").replace("__", "" if cut else "__")
                   for p in parts).strip()


def plain(text: str) -> str:
    """A quote as it is printed inside "...": whitespace collapsed, inner double quotes made single."""
    return _SPACES.sub(" ", text).strip().replace('"', "'")


def whole_sentence(doc: Document, line: int, quote: str) -> str:
    """The sentence of the answer that holds `quote` (a verbatim piece of line `line`), without its
    final full stop. Falls back to the quote itself where the answer has no sentences (a table, code).
    Kept in the document's memo: the critique and the follow-ups ask for the same evidence's sentence."""
    key = ("whole_sentence", line, quote)
    found = doc.memo.get(key)
    if found is None:
        found = doc.memo[key] = _whole_sentence(doc, line, quote)
    return found


def _whole_sentence(doc: Document, line: int, quote: str) -> str:
    """whole_sentence, worked out."""
    block = _block_of(doc, line)
    text = doc.lines[line - 1].text if 1 <= line <= len(doc.lines) else ""
    at = text.find(quote) if quote else -1
    if block is None or at < 0:
        return plain(quote)
    if block.kind == "table":
        cells = text.split("|")
        pos = 0
        for cell in cells:
            if pos <= at < pos + len(cell) + 1:
                return plain(cell.strip().strip("*_` ")) or plain(quote)
            pos += len(cell) + 1
        return plain(quote)
    if block.kind not in ("prose", "bullet", "quote"):
        return plain(quote)
    joined, starts = _joined(doc, block)
    start = starts[line] + at
    end = start + len(quote)
    # Only a window around the quote is read: a "sentence" longer than MAX_SENTENCE_CHARS (a single
    # line of a megabyte, say) is no claim to quote, and reading all of it for every quote is quadratic.
    lo, hi = max(0, start - MAX_SENTENCE_CHARS), min(len(joined), end + MAX_SENTENCE_CHARS)
    window = joined[lo:hi]
    code = [c.span() for c in _CODE_SPAN.finditer(window)]  # "`ALTER PIPE ..`" ends no sentence
    ends = [m for m in _SENTENCE_END.finditer(window) if not any(a < m.start() < b for a, b in code)]
    s = max((m.end() for m in ends if m.end() <= start - lo), default=0)
    e = len(window)
    m = next((m for m in ends if m.start() >= max(end - 1, start) - lo), None)
    if m is not None:
        e = m.start() + (0 if m.group() == "." else 1)
    if (s == 0 and lo > 0) or (m is None and hi < len(joined)):
        return plain(shown(quote))  # the sentence runs past the window: quote the clause alone
    joined = window
    sentence = shown(joined[s:e])  # a bold lead-in ("**Late events.** Flink ...") is a sentence of its own
    return plain(sentence) or plain(shown(quote))


def find_sentence(doc: Document, words: str) -> str | None:
    """The whole sentence of the answer holding `words` (whitespace and quote marks aside), or None
    when the answer does not say them."""
    target = plain(words).strip(" .").lower()
    if len(target) < 3:
        return None
    for line in doc.lines:
        if line.kind in ("front_matter", "comment", "blank"):
            continue
        flat = plain(line.text).lower()
        if target in flat:
            # map back to a verbatim piece of the line
            body = r"\s+".join(re.escape(w) for w in plain(words).strip(" .").split())
            pattern = re.compile(body.replace("'", "[\"']"), re.I)
            m = pattern.search(line.text)
            if m:
                return whole_sentence(doc, line.number, m.group())
    return None


_WORD = regex(r"[A-Za-z0-9]+")
_PAREN = regex(r"[()]")
_CLOSES_FIRST = regex(r"[^`]*?[\w)\]]`(?=\s|[,.;:!?)]|$)")  # the first backtick ends a word: it closes a span
_ARROW = regex(r"\u2192|->|\u25ba|=>|\u2500\u2500")
_WINDOW_CLAUSE = lazy_regex(  # a window function's PARTITION BY, whole or cut from its OVER (...)
    r"\bover\s*\(\s*partition\s+by\b|\bpartition\s+by\b[^()]*?\border\s+by\b[^()]*\)"
    r"|\b(?:row_number|dense_rank|rank|lag|lead|first_value|last_value)\s*\(|\bqualify\b", re.I)
_HOW_OR_WHY = regex(
    r"`|\d+(?:[.,]\d+)?\s*(?:%|ms|s|sec|min|h|days?|hours?|minutes?|weeks?|months?|years?|x|k|m|tb|gb|mb)\b"
    r"|\b(?:because|so|since|instead|rather than|so that|to avoid|means|unless|only if|never)\b", re.I)
MIN_ANCHOR_WORDS = 5
MAX_SENTENCE_CHARS = 2_000  # a quoted sentence is read this far either side of its clause, no further
MIN_STRENGTH_WORDS = 6


def is_chain(text: str) -> bool:
    """A tool chain ("Oracle -> Debezium -> Kafka"): it names a flow, it says nothing of how or why."""
    arrows = len(_ARROW.findall(text))
    return arrows >= 2 or (arrows == 1 and _HOW_OR_WHY.search(text) is None)


def is_fragment(text: str) -> bool:
    """A piece cut out of code or a longer statement: a backtick or a bracket it opens or closes is
    not in it ("partition by user_id order by ts desc) = 1", "error` elsewhere"), or one cut from inside a
    code span, whose first backtick closes a span ("DELETE` by subject_key, then `VACUUM")."""
    if text.count("`") % 2 or _CLOSES_FIRST.match(text):
        return True
    depth = 0
    for ch in _PAREN.findall(text):  # the brackets alone: most sentences have none
        depth += 1 if ch == "(" else -1
        if depth < 0:
            return True
    return depth != 0


def anchorable(sentence: str, criterion: str, *, whole: bool = True) -> bool:
    """Can a question on `criterion` quote this sentence as the candidate's claim? Not a heading or a
    label (too few words), not a tool chain, not a fragment cut from code or a longer statement, and
    not a window function's PARTITION BY read as a table's partitioning."""
    if len(_WORD.findall(sentence)) < MIN_ANCHOR_WORDS or is_chain(sentence) or (whole and is_fragment(sentence)):
        return False
    return not ("partition" in criterion and _WINDOW_CLAUSE().search(sentence))


def shows_how(quote: str, criterion: str) -> bool:
    """Does a line show how or why, enough to be praised: a reason, a number with its unit, or code, in
    a clause long enough to be a claim, not a tool chain or a name-drop?"""
    return (anchorable(quote, criterion, whole=False) and len(_WORD.findall(quote)) >= MIN_STRENGTH_WORDS
            and _HOW_OR_WHY.search(quote) is not None)
