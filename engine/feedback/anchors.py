"""Which sentences of an answer state its design, and which only sit beside it.

A follow-up that quotes the candidate ("You said ...") and a strength that cites a line treat that
sentence as the design. Many sentences are not: a "Non-goals:" list, the risks and open questions,
a rejected alternative, the requirements, the context or the incident that motivated the design.
Where a sentence sits says so: the headings above it, the label of the list it is in ("Out of
scope:"), its own lead-in ("Targets: ..."); sometimes its own words do ("this is out of scope").
The words are the rubric's `[anchors]`; this module only reads where a line sits and matches.

A sentence's role is one of:
- "not_design": the design does not do it (a non-goal, a rejected alternative); never quoted as
  the candidate's claim, never praised;
- "open": the design has not settled it (a risk, an open question, a known gap); a question may
  probe it, but not one that takes it for a choice the candidate made; never praised;
- "context": it states the need or the setting (requirements, goals, the incident behind the
  design); a question may probe it, but not as a choice; praised only for a criterion whose
  substance is a stated target;
- "design": everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..core.document import Document, normalise
from ..core.regex_cache import build_with_disk_cache
from ..core.static_regex import regex
from ..rubric.patterns import joined_pattern
from ..rubric.runtime import Rubric

Compile = Callable[[str], "re.Pattern[str]"]

NOT_DESIGN, OPEN, CONTEXT, DESIGN = "not_design", "open", "context", "design"
_ROLES = (NOT_DESIGN, OPEN, CONTEXT)
_MARKER = regex(r"^\s*(?:(?:[-*+]|\d+[.)])\s+|>\s?)*")
_LEAD_IN = regex(r"^[*_]*([^:*_\n]{1,60}?)[*_]*\s*:(?:[*_]*)(?:\s|$)")
_NUMBERING = regex(  # "2.", "4.1", "A)", "iv.", "Part 2:" before a heading's words
    r"^(?:(?:part|section|step|phase)\s+)?(?:\d+[.)]?|[a-z][.)]|[ivx]+[.)])(?:\d+[.)]?)*\s*[:.)\-]?\s*")
MAX_LABEL_WORDS = 7


def _compile(alternatives: list[str], compile: Compile = re.compile) -> re.Pattern[str] | None:
    return compile(joined_pattern(alternatives)) if alternatives else None


def _body(text: str) -> str:
    return text[_MARKER.match(text).end():].strip()


def _label(text: str) -> str | None:
    """A line's lead-in label ("Non-goals" of "**Non-goals:** ..."), if it has a short one."""
    m = _LEAD_IN.match(_body(text))
    if m is None or len(m.group(1).split()) > MAX_LABEL_WORDS:
        return None
    return m.group(1)


def _is_label_line(text: str) -> bool:
    """A line that only labels what follows it ("Out of scope:", "**Risks**:")."""
    body = _body(text).strip("*_ ")
    return body.endswith(":") and 0 < len(body.split()) <= MAX_LABEL_WORDS


class Anchors:
    """A rubric's `[anchors]`, compiled once."""

    def __init__(self, rubric: Rubric, compile: Compile = re.compile) -> None:
        a = rubric.anchors
        self.rubric = rubric
        self._where = {NOT_DESIGN: _compile(a.not_design, compile), OPEN: _compile(a.open, compile),
                       CONTEXT: _compile(a.context, compile)}
        self._said = {NOT_DESIGN: _compile(a.not_design_sentence, compile),
                      OPEN: _compile(a.open_sentence, compile), CONTEXT: _compile(a.context_sentence, compile)}
        self._choice = _compile(a.choice_question, compile)
        self._no_choice = _compile(a.no_choice_sentence, compile)
        self._off_topic = {cid: _compile(p, compile) for cid, p in a.quote_excludes.items()}
        self._on_topic = {cid: _compile(p, compile) for cid, p in a.quote_requires.items()}

    def _placed(self, labels: list[str]) -> str:
        """The role a heading or label gives: its patterns match at the label's start (after any
        numbering), so "Risks" is a risks section and "Ingestion from sources" is not a sources one."""
        texts = [_NUMBERING.sub("", normalise(t).strip(" *_`#")) for t in labels]
        for role in _ROLES:
            pattern = self._where[role]
            if pattern is not None and any(pattern.match(t) for t in texts):
                return role
        return DESIGN

    def labels(self, doc: Document, line: int) -> list[str]:
        """What a line sits under, nearest first: its own lead-in, its list's label line, the headings
        that enclose it."""
        if not 1 <= line <= len(doc.lines):
            return []
        lines = doc.lines
        out: list[str] = []
        own = _label(lines[line - 1].text)
        if own is None and lines[line - 1].kind == "prose":  # a wrapped paragraph's lead-in is on its first line
            k = line - 1
            while k > 0 and lines[k - 1].kind == "prose" and not lines[k].text[:1].isspace():
                k -= 1
            own = _label(lines[k].text) if k < line - 1 else None
        if own:
            out.append(own)
        if lines[line - 1].kind in ("bullet", "prose"):
            k = line - 1
            in_list = lines[k].kind == "bullet"
            while k > 0:
                prev = lines[k - 1]
                if prev.kind == "blank" or (prev.kind == "bullet" and in_list) or \
                        (prev.kind == "prose" and prev.text[:1].isspace()):
                    k -= 1
                    continue
                if prev.kind in ("bullet", "prose") and _is_label_line(prev.text):
                    out.append(_body(prev.text).strip("*_: "))
                break
        level = None
        for prev in reversed(lines[:line - 1]):
            if prev.kind == "heading" and (level is None or prev.heading_level < level):
                out.append(prev.heading_text)
                level = prev.heading_level
                if level <= 1:
                    break
        return out

    def role(self, doc: Document, line: int, sentence: str = "") -> str:
        """The role of the sentence `sentence` on line `line` (see the module's docstring)."""
        said = normalise(sentence)
        for role in _ROLES:
            pattern = self._said[role]
            if sentence and pattern is not None and pattern.search(said):
                return role
        return self._placed(self.labels(doc, line))


    def quotable(self, doc: Document, line: int, sentence: str, question: str, criterion: str = "") -> bool:
        """May `question` quote this sentence as the candidate's words? Never a non-goal or a rejected
        alternative, nor a sentence in another sense than the criterion's questions ask about (the
        rubric's `quote_excludes`: an API availability contract for a question on schema contracts), nor one
        without any of the words of the topic its questions ask about (`quote_requires`: a cost question
        never quotes a line that only says the API is fast); a
        risk, an open point, a requirement or the context only by a question that does not take it for
        a choice the candidate made (the rubric's `choice_question`), nor a sentence of the design that
        names no choice (`no_choice_sentence`: a list of the services in use, where data sits today, what
        a stakeholder wants, an option turned down)."""
        off_topic = self._off_topic.get(criterion)
        said = normalise(sentence)
        if off_topic is not None and off_topic.search(said):
            return False
        on_topic = self._on_topic.get(criterion)
        if on_topic is not None and on_topic.search(said) is None:
            return False
        role = self.role(doc, line, sentence)
        if role == NOT_DESIGN:
            return False
        if self._choice is None:
            return True
        if role == DESIGN and (self._no_choice is None or self._no_choice.search(said) is None):
            return True
        return self._choice.search(normalise(question)) is None

    def praisable(self, doc: Document, line: int, sentence: str, criterion: str) -> bool:
        """May a strength on `criterion` cite this sentence? Only a sentence of the design; a
        requirement or goal line only for a criterion whose substance is a stated target."""
        role = self.role(doc, line, sentence)
        return role == DESIGN or (role == CONTEXT and criterion in self.rubric.anchors.targets)


_CACHE: dict[int, Anchors] = {}


def anchors_for(rubric: Rubric) -> Anchors:
    """The compiled anchors of a rubric, built once per rubric object; the compiled patterns are
    kept on disk like the follow-up phrases' (grade.feedback.phrases), so a cold start does not
    compile them again."""
    cached = _CACHE.get(id(rubric))
    if cached is None or cached.rubric is not rubric:
        cached = _CACHE[id(rubric)] = _load(rubric)
    return cached


def _load(rubric: Rubric) -> Anchors:
    return build_with_disk_cache("anchors", {"anchors": vars(rubric.anchors)},
                                 lambda compile, _: Anchors(rubric, compile))
