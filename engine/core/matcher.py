"""The deterministic matcher: which criteria an answer covers, at what level, on what evidence.

Reading rules (from the labelling guide, evals/LABELING.md):
- a mention of an idea is level 1; it is level 2 when its clause also holds substance: a
  mechanism in the idea's own terms, a number, a reason, an example; some phrasings are a
  mechanism by themselves ("strong" patterns) and are level 2 on their own;
- a clause that is a comma-separated list of short items is read item by item, so a list of
  buzzwords is level 1 for each, however long the list, and a "strong" phrasing stitched across
  list items or sentences is only a mention;
- a clause the rubric's `deferred_cues` call a plan for later, a condition or undecided ("maybe hash
  it later", "if Legal asks") is at most a mention, whatever its substance;
- a mention overlapping an `exclude` match is in another sense (Kafka log compaction) and counts
  for nothing;
- per detector, `reach` lets the substance sit in the next sentences of the same line, or in the
  body under a heading or a lead-in line ending in ':' (a reason often follows its decision), and
  `breadth` makes an idea shown on several lines, outside lists,
  substantiated (governance placed across a design).
"""

from __future__ import annotations

import bisect
import contextlib
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, chain
from operator import add, itemgetter

from ..records import record
from ..rubric.patterns import joined_pattern
from ..rubric.runtime import Detector, Rubric
from . import scan
from .document import Block, Document
from .regex_cache import RegexCompiler
from .static_regex import regex

# "e.g. x" does not end a sentence. Checked after the mark (the look-behinds span it): a pattern that
# starts with a character class lets sre skip to the marks instead of trying the look-behinds everywhere.
_NOT_ABBREVIATION = r"(?<!\be\.g.)(?<!\bi\.e.)(?<!\bvs.)(?<!\betc.)"
# A clause ends at [.!?;] ending a sentence, at a spaced dash (\s[\u2014\u2013]\s, \s--\s) or at a '|': the
# first character taken first, for the same reason, then which of them it was.
_BOUNDARY = regex(r"[.!?;|\s](?:(?<=[.!?;])" + _NOT_ABBREVIATION + r"(?=\s|$|\*)"
                       r"|(?<=\|)|(?<=\s)(?:[\u2014\u2013]|--)\s)")
_SENTENCE_END = regex(r"[.!?]" + _NOT_ABBREVIATION + r"(?=\s|\*)")
_ITEM_SPLIT = regex(r",(?!\d{3})(?![^()]*\))")  # a comma, but not in 5,000 nor inside (a, b)
_COMMA_CUT = regex(r",(?!\d{3})")  # _ITEM_SPLIT where no ')' follows
_PARENS = regex(r"[()]")
_LIST_MIN_ITEMS = 3  # a sentence with this many comma-separated items ...
_LIST_MAX_AVG_WORDS = 8  # ... of at most this many words on average is read item by item
_QUOTE_MAX = 160


Compile = Callable[[str], re.Pattern[str]]


def _compile(patterns: list[str], compile: Compile = re.compile,
             join: Callable[[list[str]], str] = joined_pattern) -> re.Pattern[str] | None:
    """One regex for a list of rubric patterns, each anchored at the start of a word."""
    if not patterns:
        return None
    return compile(join(patterns))


@record(frozen=True)
class CompiledDetector:
    """A detector's patterns, each list compiled into one regex."""

    mention: re.Pattern[str]
    strong: re.Pattern[str] | None
    substance: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    generic: bool
    reach: int
    breadth: int | None

    @classmethod
    def build(cls, d: Detector, compile: Compile,
              join: Callable[[list[str]], str] = joined_pattern) -> CompiledDetector:
        mention = _compile(d.mention, compile, join)
        if mention is None:  # the model requires at least one mention pattern
            raise ValueError("a detector needs a mention pattern")
        return cls(mention, _compile(d.strong, compile, join), _compile(d.substance, compile, join),
                   _compile(d.exclude, compile, join), d.generic, d.reach, d.breadth)


@dataclass(slots=True)
class Hit:
    """One piece of evidence: where an idea was found, and at what level. Read-only by convention:
    not frozen, as a long answer makes tens of thousands and a frozen dataclass is 3x slower to make."""

    level: int
    line: int
    start: int  # offset in the document text, for ordering and highlighting
    end: int
    listed: bool = False  # found in an item of a comma-separated list
    block: int = 0  # the logical block (paragraph, list item, row) it was found in
    clause: tuple[int, int] = (0, 0)  # the span of norm its quote is taken from
    doc: Document | None = field(default=None, repr=False, compare=False)

    @property
    def quote(self) -> str:
        """The verbatim slice of the file quoted as evidence (see _quote), made when first asked
        for (most hits of a long answer are never quoted) and kept in the document's memo."""
        if self.doc is None:
            return ""
        key = ("quote", self.clause, self.start, self.end)
        quote = self.doc.memo.get(key)
        if quote is None:
            quote = self.doc.memo[key] = _quote(self.doc, *self.clause, self.start, self.end)
        return quote


_ANCHOR_TABLES = ("requirement_terms", "praise_requires", "praise_excludes")
_PRAISE_LISTS = ("generic_reasons", "unsettled")


def _feedback_term_lists(rubric: Rubric) -> Iterator[list[str]]:
    """The pattern lists grade.feedback.mechanism joins into one alternation each: every criterion's
    in the per-criterion anchors tables, and the rubric's `praise` lists."""
    for table in _ANCHOR_TABLES:
        yield from getattr(getattr(rubric, "anchors", None), table, {}).values()
    for name in _PRAISE_LISTS:
        yield getattr(getattr(rubric, "praise", None), name, None) or []


def _joined(terms) -> str:
    """A criterion's anchor patterns as one alternation ("" when it has none)."""
    return "|".join(f"(?:{t})" for t in terms)


_Found = tuple[int, int, int, int, bool, int, tuple[int, int]]
"""A hit as kept per document: the fields of Hit but its document."""


class CompiledRubric:
    """A rubric's detectors, compiled once and applied to any number of documents."""

    def __init__(self, rubric: Rubric, compiler: RegexCompiler | None = None) -> None:
        with warnings.catch_warnings():  # sre's FutureWarnings on a rubric's patterns are not ours to print
            warnings.simplefilter("ignore", FutureWarning)
            self._build(rubric, compiler)

    def _build(self, rubric: Rubric, compiler: RegexCompiler | None) -> None:
        recording = compiler is not None  # a compiler kept between runs keeps the scan's prefixes too
        compiler = compiler or RegexCompiler()
        compile = compiler.compile
        self.rubric = rubric
        join = compiler.joined_pattern  # the expansion of each list too is kept between runs
        self.detectors = {name: CompiledDetector.build(d, compile, join) for name, d in rubric.detectors.items()}
        self.cues = _compile(rubric.substance_cues, compile, join)
        self.deferred = _compile(rubric.deferred_cues, compile, join)
        self.prompt_signals = {
            p.id: [(_compile([pattern], compile, join), weight) for pattern, weight in p.signals.items()]
            for p in rubric.prompts
        }
        self.headings = {s.id: _compile(s.heading, compile, join) for s in rubric.sections if s.heading}
        scanned = [p for d in self.detectors.values() for p in (d.mention, d.strong, d.substance, d.exclude)]
        scanned += [self.cues, self.deferred] + [p for signals in self.prompt_signals.values() for p, _ in signals]
        scanned = [p for p in scanned if p is not None]
        if recording:
            for p in scanned:
                compiler.prefixes[p.pattern] = scan.record(p, compiler.prefixes.get(p.pattern, False))
                compiler.plans[p.pattern] = scan.record_plan(p, compiler.plans.get(p.pattern, False))
        scan.register(scanned)
        # the feedback's pattern lists (grade.feedback.mechanism), compiled when first asked for, through
        # the same compiler: from its record on a cold start, recorded here when it is new
        self._compile = compile
        self._alternations: dict[str, re.Pattern[str]] = {}
        for terms in _feedback_term_lists(rubric):
            joined = _joined(terms)
            if joined and joined not in compiler.codes:
                with contextlib.suppress(re.error):  # raised again where it is used
                    compile(joined)

    def anchor_pattern(self, table: str, criterion_id: str) -> re.Pattern[str] | None:
        """The criterion's patterns in the rubric's per-criterion `anchors.<table>`, joined and compiled
        once (None when it has none)."""
        return self.alternation(getattr(self.rubric.anchors, table, {}).get(criterion_id, ()))

    def alternation(self, terms) -> re.Pattern[str] | None:
        """`terms`, patterns of the feedback's lists, as one alternation compiled once (None when empty)."""
        joined = _joined(terms)
        if not joined:
            return None
        pattern = self._alternations.get(joined)  # by the patterns: a copy may hold another rubric
        if pattern is None:
            pattern = self._alternations[joined] = self._compile(joined)
        return pattern

    def stream(self, doc: Document, name: str) -> HitStream:
        """One detector's hits in `doc`, found region by region in document order as they are asked
        for (a long answer settles most criteria in its first pages): see HitStream."""
        det = self.detectors[name]
        # Found once per document for the same patterns (mechanism.py asks again without `breadth`).
        key = ("detect", id(det.mention), id(det.strong), id(det.substance), id(det.exclude), det.reach,
               id(self.cues) if det.generic else None, id(self.deferred))
        stream = doc.memo.get(key)
        if stream is None:
            stream = doc.memo[key] = HitStream(self._regions(det, doc), _heading_blocks(doc))
            doc.memo.setdefault("hit_streams", []).append(key)
        return stream

    def detect(self, doc: Document, name: str) -> list[Hit]:
        """Every non-excluded hit of one detector, in document order, one per clause."""
        det = self.detectors[name]
        found = self.stream(doc, name).complete()
        heads = _heading_blocks(doc)
        if det.breadth and len({f[5] for f in found if not f[4] and f[5] not in heads}) >= det.breadth:
            return [Hit(2, *f[1:], doc) for f in found]
        return [Hit(*f, doc) for f in found]

    def _regions(self, det: CompiledDetector, doc: Document) -> Iterator[tuple[list[_Found], int | None]]:
        """The hits of one detector, region by region: each region is a run of whole blocks (a match,
        its clause and so its hit never leave a block, and no two blocks share a clause), twice as long
        as the one before; yields the region's hits in document order and where the next region starts
        (None after the last). Every match of the strong and the mention pattern is taken in the order
        the whole-document scan takes them, so the hits are exactly those of one pass over the text."""
        norm, memo = doc.norm, doc.memo
        blocks, block_starts, block_ends = doc.blocks, doc._block_starts, _block_ends(doc)
        seg_starts, seg_lines, lines = doc._seg_starts, doc._seg_lines, doc.lines
        boundaries, items = _per_document(doc)
        substance = [scan.windows(p, norm, memo).beside for p in (det.substance, self.cues if det.generic else None)
                     if p]
        bisect_left, bisect_right, sentence_end = bisect.bisect_left, bisect.bisect_right, _SENTENCE_END.search
        reach = det.reach

        def overlaps(pattern: re.Pattern[str], start: int, end: int) -> bool:
            """Does [start, end) overlap a match of `pattern` (its matches found once per document)?"""
            spans, ends = _excluded(pattern, norm, memo)
            k = bisect_right(ends, start)
            return k < len(spans) and spans[k][0] < end

        def excluded_at(start: int, end: int) -> bool:
            """Does [start, end) overlap a match of the detector's exclude pattern (in another sense)?"""
            return overlaps(det.exclude, start, end)

        def demoted(start: int, end: int) -> bool:
            """Is a strong match at [start, end) no mechanism: past its block's end, excluded, stitched across
            sentences, or across the items of a list (the tests of the loop below, on the same caches)?"""
            b = bisect_right(block_starts, start) - 1
            b_end = block_ends[b]
            if end > b_end or sentence_end(norm, start, end) or (det.exclude is not None and excluded_at(start, end)):
                return True
            _, _, spans = clause(b, b_end, start, end)
            return spans is not None and end > spans[1][bisect_right(spans[0], start) - 1]

        def clause(b: int, b_end: int, start: int, end: int) -> tuple[int, int, tuple[list[int], list[int]] | None]:
            """The clause of a match in block `b`: the sentence around it (start, end), and that sentence's
            list items (their starts and ends; None when it is no short list), each split once."""
            bounds = boundaries[b]
            if bounds is None:
                bounds = boundaries[b] = _boundaries(norm, block_starts[b], b_end)
            i = bisect_right(bounds[1], start)  # the boundaries that end before the match: the last opens it
            c_start = bounds[1][i - 1] if i else block_starts[b]
            j = bisect_left(bounds[0], end)  # the first boundary after the match closes it
            c_end = bounds[0][j] if j < len(bounds[0]) else b_end
            spans = items.get((c_start, c_end), False)  # many matches share a sentence: split it once
            if spans is False:
                spans = items[(c_start, c_end)] = _item_spans(norm, c_start, c_end)
            return c_start, c_end, spans

        scans = [(_retried(scan.finditer(pattern, norm, memo), demoted, pattern, norm, memo)
                  if is_strong else scan.finditer(pattern, norm, memo), is_strong)
                 for pattern, is_strong in ((det.strong, True), (det.mention, False)) if pattern is not None]
        pending: list[re.Match[str] | None] = [None] * len(scans)
        size, region_start = FIRST_REGION, 0
        while True:
            frontier = _frontier(norm, region_start + size, block_starts, block_ends, boundaries)
            limit = len(norm) + 1 if frontier is None else frontier
            found: dict[tuple[int, int], _Found] = {}
            for s, (matches, is_strong) in enumerate(scans):
                first = pending[s]
                if first is _DONE:
                    continue
                pending[s] = _DONE  # unless a match past the region is met
                for m in matches if first is None else chain((first,), matches):
                    start, end = m.span()
                    if start >= limit:
                        pending[s] = m
                        break
                    strong = is_strong
                    b = bisect_right(block_starts, start) - 1  # the block of the match, once
                    b_end = block_ends[b]
                    if end > b_end or end == start:  # a match past its block's end holds a '\n'
                        continue
                    if det.exclude is not None and excluded_at(start, end):
                        continue
                    if strong and sentence_end(norm, start, end):
                        strong = False  # a "mechanism" stitched across sentences is only a mention
                    # The clause: the sentence around the match, or its item when the sentence is a short list.
                    c_start, c_end, spans = clause(b, b_end, start, end)
                    key = (c_start, c_end)
                    listed = spans is not None
                    if listed:
                        k = bisect_right(spans[0], start) - 1
                        c_start, c_end = spans[0][k], spans[1][k]
                        key = (c_start, c_end)
                        if strong and end > c_end:
                            strong = False  # a "mechanism" stitched across the items of a list is only a mention
                    if key in found and (found[key][0] == 2 or not strong):
                        continue
                    clause_end = c_end if c_end > end else end
                    if strong:
                        level = 2
                    else:
                        w_end = clause_end
                        if reach:  # a decision named in a heading or a lead-in line is argued below it
                            block = blocks[b]
                            w_end = max(_reach(doc, w_end, reach, block), _body_end(doc, block))
                        level = 1
                        for beside in substance:
                            if beside(c_start, w_end, start, end):  # substance beside the mention, not in it
                                level = 2
                                break
                    if level == 2 and self.deferred is not None and overlaps(self.deferred, c_start, clause_end):
                        level = 1  # "maybe hash it later", "if Legal asks": a plan named, not designed
                    i = bisect_right(seg_starts, start) - 1  # the line of the match: doc.line_at, inlined
                    found[key] = (level, lines[seg_lines[i] if i >= 0 else 0].number, start, end, listed, b,
                                  (c_start, clause_end))
            yield sorted(found.values(), key=itemgetter(2)), frontier
            if frontier is None:
                return
            region_start, size = frontier, size * 2


def _retried(matches: Iterator[re.Match[str]], demoted: Callable[[int, int], bool], pattern: re.Pattern[str],
             norm: str, memo: dict) -> Iterator[re.Match[str]]:
    """The matches of a strong pattern, in order: those of the scan, and after each that is not a
    mechanism (`demoted`: stitched across sentences or list items, excluded, or past its block) the
    ones that are, that start inside it. The scan never reuses text inside a match: in "We hold state.
    We wait 10 minutes for late events" its match from "hold" takes in "wait", and the claim after it
    would never be tried. Those are taken as the scan takes matches (in order, none inside the last),
    the demoted ones among them passed over; a position is tried at most once per demoted match of the
    scan, and those never overlap, so the cost stays linear in the text's length."""
    ends: list[int] | None = None

    def bound(p: int) -> int | None:
        """Where the first sentence after `p` ends: a match whose part after a gap starts past it
        is stitched across sentences."""
        nonlocal ends
        if ends is None:
            ends = _sentence_ends(norm, memo)
        i = bisect.bisect_left(ends, p)
        return ends[i] if i < len(ends) else None

    for m in matches:
        yield m
        start, end = m.span()
        if end - start > 1 and demoted(start, end):
            last = start + 1
            for again in scan.matches_at(pattern, norm, start + 1, end, memo, bound=bound):
                a_start, a_end = again.span()
                if a_start >= last and not demoted(a_start, a_end):
                    last = a_end
                    yield again


def _sentence_ends(norm: str, memo: dict) -> list[int]:
    """Where the sentences of `norm` end (as `demoted` finds them), found once per document."""
    ends = memo.get("sentence_ends_all")
    if ends is None:
        ends = memo["sentence_ends_all"] = [m.start() for m in _SENTENCE_END.finditer(norm)]
    return ends


def _excluded(pattern: re.Pattern[str], norm: str, memo: dict) -> tuple[list[tuple[int, int]], list[int]]:
    """The spans of an exclude pattern's matches in `norm` (sorted, not overlapping) and their ends,
    found once per document, when a candidate first needs them."""
    key = ("excluded", id(pattern))
    found = memo.get(key)
    if found is None:
        spans = [x.span() for x in scan.finditer(pattern, norm, memo)]
        found = memo[key] = (spans, [e for _, e in spans])
    return found


def _frontier(norm: str, target: int, block_starts: list[int], block_ends: list[int],
              boundaries: list[tuple[list[int], list[int]] | None]) -> int | None:
    """Where a region that should reach `target` ends: the first place at or past it where a clause
    may open, the start of a block or the end of a clause boundary inside one (None past the last
    block). A match that starts there or later has its clause, and its list item, start there or
    later; one that starts before has them start before: no clause is shared by two regions, so
    each region's hits are those of one pass over the text. A long block, an answer on one line
    say, is split at its sentences."""
    b = bisect.bisect_right(block_starts, target) - 1
    if b >= 0 and block_starts[b] < target < block_ends[b]:
        bounds = boundaries[b]
        if bounds is None:
            bounds = boundaries[b] = _boundaries(norm, block_starts[b], block_ends[b])
        i = bisect.bisect_left(bounds[1], target)
        if i < len(bounds[1]):
            return bounds[1][i]
    b = bisect.bisect_left(block_starts, target)
    return block_starts[b] if b < len(block_starts) else None


FIRST_REGION = 16_384  # characters of the first region of a HitStream (an answer's usual length is
# a third of it); each next one is twice as long
_DONE = object()  # past the last match of a pattern


class HitStream:
    """One detector's hits in one document, found region by region as asked for: `found` holds the
    hits (as _Found) that start before `frontier`, final and in document order; `more()` finds the
    next region's. `blocks` is the set of blocks of the unlisted hits found so far (for `breadth`),
    headings left out: a bare section title ("Monitoring") names a topic, it does not show it."""

    __slots__ = ("found", "frontier", "blocks", "_regions", "_headings")

    def __init__(self, regions: Iterator[tuple[list[_Found], int | None]],
                 headings: frozenset[int] = frozenset()) -> None:
        self.found: list[_Found] = []
        self.frontier: float = 0
        self.blocks: set[int] = set()
        self._regions: Iterator[tuple[list[_Found], int | None]] | None = regions
        self._headings = headings

    @property
    def done(self) -> bool:
        return self._regions is None

    def more(self) -> bool:
        """Find the next region's hits; False when every hit was found already."""
        if self._regions is None:
            return False
        found, frontier = next(self._regions)
        self.found.extend(found)
        self.blocks.update(f[5] for f in found if not f[4] and f[5] not in self._headings)
        if frontier is None:
            self._regions, self.frontier = None, float("inf")
        else:
            self.frontier = frontier
        return True

    def complete(self) -> list[_Found]:
        while self.more():
            pass
        return self.found



def _heading_blocks(doc: Document) -> frozenset[int]:
    """The indices of the document's heading blocks (a title or section heading), found once."""
    heads = doc.memo.get("heading_blocks")
    if heads is None:
        heads = doc.memo["heading_blocks"] = frozenset(
            b.index for b in doc.blocks if b.kind in ("heading", "title"))
    return heads


def close_streams(doc: Document) -> None:
    """Drop the unfinished HitStreams of `doc`, for when grading it is over: their scans refer to the
    document, whose memo holds them (a cycle otherwise left to the garbage collector). Asked again,
    such a detector's hits are found anew."""
    memo = doc.memo
    for key in memo.pop("hit_streams", ()):
        stream = memo.get(key)
        if stream is not None and not stream.done:
            stream._regions = None
            del memo[key]


def _per_document(doc: Document) -> tuple[list[tuple[list[int], list[int]] | None], dict]:
    """The document's clause caches, shared by every detector: each block's sentence boundaries (by
    block index, found when first needed) and each sentence's list items (see _item_spans)."""
    caches = doc.memo.get("clauses")
    if caches is None:
        caches = doc.memo["clauses"] = ([None] * len(doc.blocks), {})
    return caches


def _boundaries(norm: str, start: int, end: int) -> tuple[list[int], list[int]]:
    """Where the clause boundaries of norm[start:end] start and end."""
    spans = [b.span() for b in _BOUNDARY.finditer(norm, start, end)]
    return [s for s, _ in spans], [e for _, e in spans]


def _block_ends(doc: Document) -> list[int]:
    ends = doc.memo.get("block_ends")
    if ends is None:
        ends = doc.memo["block_ends"] = [b.end for b in doc.blocks]
    return ends


_BODY_BLOCKS = 4


def _body_end(doc: Document, block: Block) -> int:
    """Where the body introduced by `block`, a heading or a lead-in ending in ':', stops (its next
    blocks, up to the next heading or paragraph break); for any other block, nothing beyond it (-1)."""
    if block.kind != "heading" and not doc.norm[block.start:block.end].rstrip().rstrip("*").endswith(":"):
        return -1
    end = -1
    for taken, nxt in enumerate(doc.blocks[block.index + 1:block.index + 1 + _BODY_BLOCKS]):
        if nxt.kind == "heading" or (nxt.blank_before and taken):
            break
        end = nxt.end
    return end


def _reach(doc: Document, c_end: int, sentences: int, block: Block) -> int:
    """The end of the window that also takes in the next `sentences` sentences of the block (the
    one holding the match, which holds c_end - 1 too: a match never spans two blocks)."""
    b_end = block.end
    key = ("sentence_ends", block.index)
    ends = doc.memo.get(key)
    if ends is None:  # every sentence end of the block, found once
        ends = doc.memo[key] = [m.start() for m in _SENTENCE_END.finditer(doc.norm, block.start, b_end)]
    pos = c_end
    for _ in range(sentences):
        i = bisect.bisect_right(ends, pos)  # the first sentence end after pos
        pos = ends[i] if i < len(ends) else b_end
        if pos >= b_end:
            break
    return min(pos, b_end)


def _item_spans(norm: str, c_start: int, c_end: int) -> tuple[list[int], list[int]] | None:
    """Where the items of a short-list sentence start and end (offsets of norm), else None."""
    if norm.count(",", c_start, c_end) < _LIST_MIN_ITEMS - 1:
        return None  # too few commas for a list (the usual sentence): not split
    items = _list_items(norm[c_start:c_end])
    if items is None:
        return None
    starts = list(accumulate([len(item) + 1 for item in items[:-1]], initial=c_start))
    return starts, list(map(add, starts, map(len, items)))


def _split_items(sentence: str) -> list[str]:
    """`_ITEM_SPLIT.split(sentence)` in linear time: a comma splits unless 3 digits follow it or the
    first parenthesis after it closes one (the regex's look-ahead rescans to that parenthesis for
    every comma, which is quadratic on a long list). Between two parentheses the commas all split
    or none does, as the later one opens or closes; 3 digits never take in a parenthesis, so the
    stretch's end does not cut the look-ahead short."""
    if ")" not in sentence:  # the usual list: every comma splits but in 5,000
        return _COMMA_CUT.split(sentence)
    cuts: list[int] = []
    last = 0
    for m in _PARENS.finditer(sentence):
        if m.group() == "(":
            cuts += [c.start() for c in _COMMA_CUT.finditer(sentence, last, m.start())]
        last = m.end()
    cuts += [c.start() for c in _COMMA_CUT.finditer(sentence, last)]
    return [sentence[a:b] for a, b in zip([0] + [c + 1 for c in cuts], cuts + [len(sentence)], strict=True)]


def _list_items(sentence: str) -> list[str] | None:
    """The items of a sentence that is a comma-separated list of short items, else None."""
    items = _split_items(sentence)
    if len(items) >= _LIST_MIN_ITEMS:
        avg_words = sum(map(len, map(str.split, items))) / len(items)
        if avg_words <= _LIST_MAX_AVG_WORDS:
            return items
    return None


def _quote(doc: Document, c_start: int, c_end: int, m_start: int, m_end: int) -> str:
    """A verbatim, readable slice of the clause around the match, at most _QUOTE_MAX chars, taken
    from the line of the file that holds the start of the match. A clause that lies in one segment,
    within its line, maps to the file by a shift: its quote is then a function of the clause's text
    in `norm` and in the file and of where the match lies in it, kept in the document's memo (a long
    answer that repeats its claims quotes the same clause thousands of times)."""
    memo = doc.memo
    segments = memo.get("quote_segments")
    if segments is None:
        segments = _quote_segments(doc)
    i = bisect.bisect_right(memo["seg_starts"], c_start) - 1
    if i >= 0:
        n_start, limit, length, shift, l_start, l_end = segments[i]
        if c_end - n_start <= length and c_end < limit and l_start <= c_start + shift and c_end + shift <= l_end:
            key = ("quote_of", doc.norm[c_start:c_end], doc.text[c_start + shift:c_end + shift],
                   m_start - c_start, m_end - c_start)
            quote = memo.get(key)
            if quote is None:
                quote = memo[key] = _plain_quote(doc, c_start, c_end, m_start, m_end)
            return quote
    return _plain_quote(doc, c_start, c_end, m_start, m_end)


def _quote_segments(doc: Document) -> list[tuple[int, float, int, int, int, int]]:
    """Per segment, what _quote reads of it: its start in norm, the next segment's start (inf after the
    last), its length, the shift from norm to the file, and the span of its line in the file; kept
    in the document's memo (with `seg_starts`, which _quote searches)."""
    seg_starts, seg_lines, lines = doc._seg_starts, doc._seg_lines, doc.lines
    limits = [*seg_starts[1:], float("inf")]
    out = [(n_start, limit, length, t_start - n_start, *doc.line_span(lines[line]))
           for (n_start, t_start, length), limit, line in zip(doc.segments, limits, seg_lines, strict=True)]
    doc.memo["quote_segments"] = out
    return out


def _plain_quote(doc: Document, c_start: int, c_end: int, m_start: int, m_end: int) -> str:
    """_quote, worked out."""
    norm = doc.norm
    while c_start < m_start and norm[c_start] in " \t-*+>#|`:,":
        c_start += 1
    while c_end > m_end and norm[c_end - 1] in " \t*|`:,":
        c_end -= 1
    if c_end - c_start > _QUOTE_MAX:
        half = (_QUOTE_MAX - (m_end - m_start)) // 2
        lo = max(c_start, m_start - max(half, 0))
        hi = min(c_end, max(m_end, lo + _QUOTE_MAX))
        if lo > c_start:
            sp = norm.find(" ", lo, m_start)
            lo = sp + 1 if sp != -1 else lo
        if hi < c_end:
            sp = norm.rfind(" ", m_end, hi)
            hi = sp if sp != -1 else hi
        c_start, c_end = lo, hi
    l_start, l_end = doc.line_span(doc.line_at(m_start))
    lo = max(doc.raw_offset(c_start), l_start)
    hi = min(doc.raw_offset(c_end), l_end)
    return doc.text[lo:hi].strip()
