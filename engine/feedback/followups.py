"""Interviewer follow-up questions, drawn deterministically from the rubric's question bank.

Aimed at what costs the answer most and at its own claims: a "how would you handle" probe for
a missing idea, a "walk me through" for a mentioned one, a failure-mode or trade-off probe for
a substantiated one, quoting the candidate's whole sentence.

Questions that listen to the answer:
- one question per idea (grade.feedback.ideas): criteria that restate one idea are asked about once, at
  the idea's weakest level;
- a question that presupposes a component, layer or event (its `presupposes`, as data) is asked
  only of an answer that mentions every one of them; so is one whose scenario leans on a component
  besides the claim it quotes (its `requires`: "the backfill competes for the same cluster" needs
  shared compute somewhere in the design, not in the quoted sentence);
- a question that asks for a number or a choice (its `asks`) is not asked of an answer that
  already states it, nor after another question asked for the same thing;
- a question written for some practice prompts' designs (its `prompts`: a published window, a
  metric, a tenant) is asked only of an answer to one of them;
- a question about the answer's own claim quotes the whole sentence the claim is in, and a scenario it
  poses on that claim (its `presupposes`) is asked only when that sentence mentions those components.

The bank's choice is the anchor. A `FollowupWriter` (the LLM path) may reword or replace the
questions; `interviewer_followups` keeps only those that probe a criterion the grader verified at
the depth it claims and pass the same checks (read from the question's own words against the
rubric's `[components]` and `[asks]`), and falls back to the bank when too few survive.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Protocol

from ..core.document import Document, normalise, parse
from ..core.regex_cache import lazy_regex
from ..core.results import CriterionResult, Followup, GradeResult
from ..rubric.runtime import BankQuestion, Rubric
from ..vocabulary import LEVEL_NAMES
from .anchors import anchors_for
from .ideas import Idea, by_cost, by_weight, ideas
from .phrases import Phrases, answer_view, phrases_for
from .quotes import anchorable, find_sentence, plain, whole_sentence

DEPTHS = LEVEL_NAMES  # a question's depth is the level it probes, as a word
MIN_FOLLOWUPS = 3
MAX_FOLLOWUPS = 7
PLAN = (2, 2, 3)  # questions on missing, mentioned and substantiated ideas, before any top-up: a probe of
# what the answer says fits it more often than a question on what it seems to lack (feedback rounds 4-5).
# When an idea's question does not fit, the next idea in the tier stands in. A stock question (one not
# anchored on the answer's own sentence) stands in only from the STOCK_REACH ideas right after the quota:
# labelled in rounds 4-8, stock questions on the 1st-2nd costliest missing ideas were useful 74% of the
# time (263), on the 3rd 66% (89), on the 4th and cheaper 42% (118: a weak stock question padding the
# list); anchored stand-ins did as well as their tier (mentioned 61% of 66, substantiated 68% of 28).
# Cheaper stock questions only top the list up to MIN_FOLLOWUPS.
STOCK_REACH = 1
_QUOTED = lazy_regex(r"\"([^\"]+)\"|\u201c([^\u201d]+)\u201d")  # compiled when first used
_ITS_CHOICE = lazy_regex(r"\bthat (choice|trade-?off|decision)\b")
"""A question whose only subject is the quoted sentence's choice ("what do you give up with that choice")."""
_ON_A_CHOICE = lazy_regex(r"\bthat (choice|trade-?off|decision|partitioning|partition key|layout|lever|model)\b")
"""A question on the choice its quoted sentence makes ("which queries does that partitioning serve"). After
one, a question whose only subject is that sentence's choice asks about the same choice again (rounds 11-16:
"what do you give up with that choice" on the partitioning line a partitioning question had just quoted was a
duplicate 2.5 times of 4); after a question on something else in the sentence ("what's the merge key") it is
not, so only this pair is kept apart."""


def _start(n: int, seed: str) -> int:
    digest = hashlib.sha256(seed.encode()).digest()
    return int.from_bytes(digest[:4], "big") % n


_BANKS: dict[int, tuple[Rubric, dict[tuple[str, str], list[BankQuestion]]]] = {}


def _bank(rubric: Rubric) -> dict[tuple[str, str], list[BankQuestion]]:
    """The rubric's question bank by (criterion, depth), in bank order; built once per rubric object
    (read-only: every answer graded against the rubric shares it)."""
    cached = _BANKS.get(id(rubric))
    if cached is None or cached[0] is not rubric:
        bank: dict[tuple[str, str], list[BankQuestion]] = {}
        for f in rubric.followups:
            bank.setdefault((f.criterion, f.depth), []).append(f)
        cached = _BANKS[id(rubric)] = (rubric, bank)
    return cached[1]


class _Asker:
    """What has been asked so far for one answer, and what the answer says."""

    def __init__(self, rubric: Rubric, doc: Document, answer_text: str, prompt: str | None = None) -> None:
        self.rubric = rubric
        self.doc = doc
        self.phrases: Phrases = phrases_for(rubric)
        self.view = answer_view(doc)
        self.prompt = prompt
        self.seed = hashlib.sha256(answer_text.encode()).hexdigest()[:16]
        self.bank = _bank(rubric)
        self.asked: set[str] = set()
        self.quoted: set[str] = set()
        self.choice_quoted: set[str] = set()  # sentences a question on their choice quoted (see _ON_A_CHOICE)
        self._mentions: dict[str, bool] = {}  # what the answer says, searched once per component or ask
        self._sentence_mentions: dict[tuple[str, str], bool] = {}  # (sentence, component): said there?
        self._states: dict[str, bool] = {}

    def _mentioned(self, component: str) -> bool:
        found = self._mentions.get(component)
        if found is None:
            found = self._mentions[component] = self.phrases.mentions(self.view, component, self.doc.memo)
        return found

    def _stated(self, ask: str) -> bool:
        found = self._states.get(ask)
        if found is None:
            found = self._states[ask] = self.phrases.states(self.view, ask, self.doc.memo)
        return found

    def fits(self, q: BankQuestion) -> bool:
        """Does the question fit this answer: its prompt, what it mentions, what it already states?"""
        if q.prompts and self.prompt is not None and self.prompt not in q.prompts:
            return False
        return not (not all(self._mentioned(c) for c in q.presupposes + q.requires)
                    or any(self._stated(a) for a in q.asks)
                    or set(q.asks) & self.asked)

    def quote(self, c: CriterionResult, presupposes: list[str], question: str = "") -> str | None:
        """The whole sentence of the criterion's first evidence not quoted yet (else its first), among
        the sentences that state a claim on it (see `anchorable`) that `question` may quote (never a
        non-goal; a requirement or a risk only if the question does not take it for a choice: see
        grade.feedback.anchors) and that mention every component the question presupposes (a
        scenario posed on a claim is about that claim); None when there is none."""
        anchors = anchors_for(self.rubric)
        sentences = [s for line, s in ((e.line, whole_sentence(self.doc, e.line, e.quote)) for e in c.evidence)
                     if anchorable(s, c.id) and anchors.quotable(self.doc, line, s, question, c.id)
                     and all(self._said_in(s, p) for p in presupposes)]
        if _ITS_CHOICE().search(question):
            sentences = [s for s in sentences if s not in self.choice_quoted]
        fresh = [s for s in sentences if s not in self.quoted]
        return (fresh or sentences or [None])[0]

    def _said_in(self, sentence: str, component: str) -> bool:
        """Does `sentence` mention `component`? Many questions try the same evidence: searched once."""
        key = (sentence, component)
        found = self._sentence_mentions.get(key)
        if found is None:
            found = self._sentence_mentions[key] = self.phrases.mentions(normalise(sentence), component)
        return found

    def question(self, idea: Idea, *, anchored_only: bool = False) -> Followup | None:
        """The first bank question on the idea that fits the answer: its members at the idea's level,
        heaviest first; for each, the bank's phrasings from the one the answer's hash picks, then
        its fallbacks (phrasings that presuppose nothing). `anchored_only`: only a phrasing that
        quotes the answer's own sentence."""
        for c in idea.at_level():
            depth = DEPTHS[c.level]
            options = [q for q in self.bank.get((c.id, depth)) or [] if not q.fallback]
            first = _start(len(options), f"{self.seed}:{c.id}:{depth}") if options else 0
            ordered = options[first:] + options[:first]
            ordered += [q for q in self.bank.get((c.id, depth)) or [] if q.fallback]
            for q in ordered:
                if anchored_only and "{quote}" not in q.text:
                    continue
                if not self.fits(q):
                    continue
                text = q.text
                if "{quote}" in text:
                    sentence = self.quote(c, q.presupposes, q.text)
                    if not sentence:
                        continue
                    self.quoted.add(sentence)
                    if _ON_A_CHOICE().search(q.text):
                        self.choice_quoted.add(sentence)
                    text = text.replace("{quote}", sentence)
                self.asked |= set(q.asks)
                return Followup(criterion=c.id, depth=depth, question=text)
        return None


def choose_followups(criteria: list[CriterionResult], rubric: Rubric, answer_text: str,
                     *, limit: int = MAX_FOLLOWUPS, doc: Document | None = None,
                     prompt: str | None = None) -> list[Followup]:
    """3 to `limit` questions: costliest gaps first, then probes of the answer's own claims. A stock
    question stands in for a costlier idea's only from the next STOCK_REACH ideas (else only to reach 3).

    The same answer always gets the same questions: each phrasing is picked by a hash of the
    answer, the criterion and the depth (the next phrasing when that one does not fit the answer).
    `prompt` is the practice prompt the answer is for (a question written for other prompts is skipped).
    """
    asker = _Asker(rubric, doc if doc is not None else parse(answer_text), answer_text, prompt)
    all_ideas = ideas(criteria, rubric)
    tiers = [by_cost([i for i in all_ideas if i.level == 0]), by_cost([i for i in all_ideas if i.level == 1]),
             by_weight(i for i in all_ideas if i.level == 2)]
    chosen: list[list[Followup]] = [[], [], []]
    left: list[Idea] = []
    for n, (tier, quota) in enumerate(zip(tiers, PLAN, strict=True)):
        for k, idea in enumerate(tier):
            if len(chosen[n]) == quota:
                left += tier[k:]
                break
            q = asker.question(idea, anchored_only=k >= quota + STOCK_REACH)
            if q is not None:
                chosen[n].append(q)
            elif k >= quota + STOCK_REACH:
                left.append(idea)  # its stock question may still top up to the minimum
    out = [q for tier in chosen for q in tier][:limit]
    for idea in left:  # whatever is left, in order of tier and cost, tops the list up to the minimum
        if len(out) >= min(MIN_FOLLOWUPS, limit):
            break
        q = asker.question(idea)
        if q is not None:
            out.append(q)
    return out


class FollowupWriter(Protocol):
    """Writes follow-up questions in its own words (the `--llm` path plugs in here).

    It is given the bank's questions as anchors: the criteria the grader verified, at the depth
    it verified them, with the candidate's own words. It returns its questions; each must name
    one of the result's criteria and that criterion's depth, or it is dropped.
    """

    def write(self, result: GradeResult, anchors: list[Followup], answer_text: str) -> list[Followup]: ...


def anchored(questions: list[Followup], result: GradeResult) -> list[Followup]:
    """The questions that probe a criterion of `result` at the depth the grader found, deduplicated."""
    depth_of = {c.id: DEPTHS[c.level] for c in result.criteria}
    out, seen = [], set()
    for q in questions:
        key = (q.criterion, q.question.strip())
        if depth_of.get(q.criterion) == q.depth and q.question.strip() and key not in seen:
            seen.add(key)
            out.append(q)
    return out[:MAX_FOLLOWUPS]


def vet(questions: list[Followup], result: GradeResult, rubric: Rubric, answer_text: str) -> list[Followup]:
    """The written questions that listen to the answer, by the bank's rules read from their own words:
    one per idea; none taking for granted a component the answer never mentions; none asking for a
    number or choice the answer states or an earlier question asked for; every quote of the answer
    verbatim, and widened to its whole sentence."""
    doc = parse(answer_text)
    phrases = phrases_for(rubric)
    view = answer_view(doc)
    idea_of = {c: i.id for i in ideas(result.criteria, rubric) for c in i.criteria}
    out: list[Followup] = []
    seen_ideas: set[str] = set()
    asked: set[str] = set()
    for q in anchored(questions, result):
        idea = idea_of.get(q.criterion, q.criterion)
        asks = set(phrases.asked(q.question))
        if idea in seen_ideas or asks & asked or phrases.missing(view, phrases.presupposed(q.question)) \
                or phrases.stated(view, sorted(asks)):
            continue
        text = _requote(q.question, doc)
        if text is None:
            continue
        seen_ideas.add(idea)
        asked |= asks
        out.append(replace(q, question=text))
    return out


def _requote(question: str, doc: Document) -> str | None:
    """The question with every quotation of the answer widened to its whole sentence; None when a
    quotation is not the answer's words."""
    failed = False

    def widen(m: re.Match) -> str:
        nonlocal failed
        words = m.group(1) or m.group(2)
        sentence = find_sentence(doc, words.removesuffix("...").removesuffix("\u2026"))
        if sentence is None:
            failed = True
            return m.group(0)
        return f'"{plain(sentence)}"'

    text = _QUOTED().sub(widen, question)
    return None if failed else text


def interviewer_followups(result: GradeResult, answer_text: str, *, rubric: Rubric | None = None,
                          writer: FollowupWriter | None = None) -> list[Followup]:
    """The follow-ups to ask: the bank's (already on `result`), or a writer's, vetted like the bank's."""
    return written_followups(result, answer_text, rubric=rubric, writer=writer)[0]


def written_followups(result: GradeResult, answer_text: str, *, rubric: Rubric | None = None,
                      writer: FollowupWriter | None = None) -> tuple[list[Followup], bool]:
    """`interviewer_followups`, and whether the writer's questions were used (else the bank's stand)."""
    if writer is None:
        return list(result.followups), False
    if rubric is None:
        from ..core.grader import get_rubric

        rubric = get_rubric()[0]
    written = vet(writer.write(result, list(result.followups), answer_text), result, rubric, answer_text)
    if len(written) >= MIN_FOLLOWUPS:
        return written, True
    return list(result.followups), False
