"""The six-part answer structure: which parts an answer has, and whether in the guide's order."""

from __future__ import annotations

from .document import Document, normalise
from .matcher import CompiledRubric
from .results import CriterionResult, PartReport, StructureReport


def analyse_structure(doc: Document, matcher: CompiledRubric, criteria: list[CriterionResult]) -> StructureReport:
    parts = sorted((s for s in matcher.rubric.sections if s.part is not None), key=lambda s: s.part or 0)
    heading_line: dict[str, int] = {}
    for line in doc.headings:
        text = normalise(line.heading_text)
        for section in parts:
            if section.id in heading_line:
                continue
            pattern = matcher.headings.get(section.id)
            if pattern and pattern.search(text):
                heading_line[section.id] = line.number
                break
    first_evidence: dict[str, int] = {}
    for c in criteria:
        if c.level and c.evidence:
            line = min(e.line for e in c.evidence)
            first_evidence[c.section] = min(first_evidence.get(c.section, line), line)
    basis = "headings" if len(heading_line) >= 3 else "content"
    reports = []
    for section in parts:
        if basis == "headings" and section.id in heading_line:
            line, via = heading_line[section.id], "heading"
        elif section.id in first_evidence:
            line, via = first_evidence[section.id], "content"
        elif section.id in heading_line:
            line, via = heading_line[section.id], "heading"
        else:
            line, via = None, "absent"
        reports.append(PartReport(part=section.part or 0, id=section.id, title=section.title,
                                  present=line is not None, line=line, via=via))
    positions = [r.line for r in reports if r.line is not None]
    in_order = positions == sorted(positions) if len(positions) >= 2 else None
    return StructureReport(parts=reports, present=len(positions), in_order=in_order, basis=basis)
