"""The view model of the HTML report: the answer split into marked segments, and the chart's bars.

Nothing here writes HTML: the template (prompts/report.html.j2, autoescaped) does, so the
candidate's text can never inject markup into the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.document import parse
from ..core.results import CriterionResult, GradeResult
from ..core.scoring import section_scores
from ..feedback.critique import count_word
from ..rubric.runtime import Rubric
from ..vocabulary import LEVEL_NAMES


@dataclass
class Segment:
    text: str
    criteria: list[CriterionResult] = field(default_factory=list)

    @property
    def level(self) -> int:
        return max((c.level for c in self.criteria), default=0)

    @property
    def tooltip(self) -> str:
        return "; ".join(f"{c.title} ({LEVEL_NAMES[c.level]})" for c in self.criteria)


@dataclass
class AnswerLine:
    number: int
    segments: list[Segment]
    criteria: list[CriterionResult]  # every criterion with evidence on this line, for its links


@dataclass
class Bar:
    label: str
    value: float  # 0..1
    caption: str
    href: str
    tone: str  # good | fair | poor
    detail: str


def answer_lines(answer: str, result: GradeResult) -> list[AnswerLine]:
    """Each line of the answer, split at evidence quotes; a segment knows the criteria quoting it."""
    quotes: dict[int, list[tuple[str, CriterionResult]]] = {}
    for c in result.criteria:
        for e in c.evidence:
            quotes.setdefault(e.line, []).append((e.quote, c))
    out = []
    for line in parse(answer).lines:
        text = line.text
        found: list[tuple[int, int, CriterionResult]] = []
        for quote, c in quotes.get(line.number, []):
            start = text.find(quote) if quote else -1
            if start >= 0:
                found.append((start, start + len(quote), c))
        cuts = sorted({0, len(text), *(s for s, _, _ in found), *(e for _, e, _ in found)})
        segments = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            covering = []
            for s, e, c in found:
                if s <= a and b <= e and c not in covering:
                    covering.append(c)
            covering.sort(key=lambda c: (-c.level, -c.weight, c.id))
            segments.append(Segment(text[a:b], covering))
        if not segments:
            segments = [Segment("")]
        linked: list[CriterionResult] = []
        for _, _, c in sorted(found, key=lambda f: (f[0], -f[2].level, f[2].id)):
            if c not in linked:
                linked.append(c)
        out.append(AnswerLine(line.number, segments, linked))
    return out


def _tone(value: float) -> str:
    return "good" if value >= 0.75 else "fair" if value >= 0.35 else "poor"


def part_bars(result: GradeResult, rubric: Rubric) -> list[Bar]:
    """One bar per part of the answer structure: the weighted credit of that part's criteria."""
    shares = section_scores(result.criteria, rubric)
    bars = []
    for part in result.structure.parts:
        items = [c for c in result.criteria if c.section == part.id]
        value = shares.get(part.id, 0.0)
        where = f"line {part.line}, by {part.via}" if part.present else "absent"
        covered = sum(c.level == 2 for c in items)
        bars.append(Bar(label=f"{part.part}. {part.title}", value=value, caption=f"{round(100 * value)}%",
                        href=f"#sec-{part.id}", tone=_tone(value),
                        detail=f"{where}; {covered}/{len(items)} criteria substantiated"))
    return bars


def criterion_bars(result: GradeResult, section_id: str) -> list[Bar]:
    """One bar per criterion of a section: its level out of 2."""
    return [Bar(label=c.title, value=c.level / 2, caption=LEVEL_NAMES[c.level], href=f"#crit-{c.id}",
                tone=("poor", "fair", "good")[c.level], detail=f"{c.id}: level {c.level}")
            for c in result.criteria if c.section == section_id]


def charts(result: GradeResult, rubric: Rubric) -> list[tuple[str, str, list[Bar]]]:
    """(chart id, caption, bars): the answer's parts, when the rubric defines them, then one chart per
    section the rubric marks `chart = true`, captioned with its title."""
    out = []
    parts = part_bars(result, rubric)
    if parts:
        out.append(("chart-parts", f"The {count_word(len(parts))} parts of the answer", parts))
    for s in rubric.sections:
        if s.chart:
            out.append((f"chart-{s.id}", s.title, criterion_bars(result, s.id)))
    return out


def sections(result: GradeResult, rubric: Rubric) -> list[tuple[str, str, list[CriterionResult]]]:
    """(section id, title, criteria) in the rubric's order."""
    titles = {s.id: s.title for s in rubric.sections}
    groups: dict[str, list[CriterionResult]] = {}
    for c in result.criteria:
        groups.setdefault(c.section, []).append(c)
    order = [s.id for s in rubric.sections if s.id in groups] + [s for s in groups if s not in titles]
    return [(s, titles.get(s, s), groups[s]) for s in order]


def html_context(result: GradeResult, rubric: Rubric, answer: str) -> dict:
    return {
        "lines": answer_lines(answer, result),
        "charts": charts(result, rubric),
        "sections": sections(result, rubric),
        "titles": {c.id: c.title for c in result.criteria},
        "level_names": LEVEL_NAMES,
    }
