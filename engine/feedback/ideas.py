"""Ideas: the unit the critique, the next steps and the follow-ups speak in.

The rubric's criteria overlap where the guide restates one idea (its six-part list and its ten
mechanics both ask for idempotency; a prompt's must-handles repeat them), and the rubric says
so with `[[groups]]`. An idea is a group with at least two criteria that apply to the answer, or
a criterion in no group. It stands at its weakest member's level: late data is only as
substantiated as the least substantiated way the rubric asks for it. Every criterion is still
graded, scored and reported on its own; only what the candidate reads is per idea.
"""

from __future__ import annotations

from ..core.results import CriterionResult
from ..records import record
from ..rubric.runtime import Group, Rubric


@record(frozen=True)
class Idea:
    """One idea of the answer: a criterion, or a group of criteria that restate it."""

    id: str
    title: str
    members: tuple[CriterionResult, ...]  # in the order the group lists them (or the criterion alone)
    group: Group | None = None

    @property
    def level(self) -> int:
        return min(m.level for m in self.members)

    @property
    def weight(self) -> float:
        return max(m.weight for m in self.members)

    @property
    def cost(self) -> float:
        """What leaving the idea where it is costs the answer: its weight times the levels missing."""
        return self.weight * (2 - self.level)

    @property
    def criteria(self) -> list[str]:
        return [m.id for m in self.members]

    @property
    def weakest(self) -> CriterionResult:
        """The member the idea's level comes from (the heaviest, when several are as weak)."""
        return min(self.members, key=lambda m: (m.level, -m.weight, self.criteria.index(m.id)))

    @property
    def strongest(self) -> CriterionResult:
        return max(self.members, key=lambda m: (m.level, m.weight, -self.criteria.index(m.id)))

    @property
    def uneven(self) -> bool:
        """Do the members stand at different levels?"""
        return len({m.level for m in self.members}) > 1

    def at_level(self) -> list[CriterionResult]:
        """The members at the idea's level, heaviest first: the ones a question about it should probe."""
        return sorted((m for m in self.members if m.level == self.level),
                      key=lambda m: (-m.weight, self.criteria.index(m.id)))


def ideas(criteria: list[CriterionResult], rubric: Rubric) -> list[Idea]:
    """The answer's criteria as ideas, in the order their first member is graded."""
    by_group: dict[str, list[CriterionResult]] = {}
    for c in criteria:
        group = rubric.group_of(c.id)
        if group is not None:
            by_group.setdefault(group.id, []).append(c)
    out: list[Idea] = []
    done: set[str] = set()
    for c in criteria:
        group = rubric.group_of(c.id)
        if group is not None and len(by_group[group.id]) >= 2:
            if group.id not in done:
                done.add(group.id)
                members = sorted(by_group[group.id], key=lambda m: group.criteria.index(m.id))
                out.append(Idea(id=group.id, title=group.title, members=tuple(members), group=group))
        else:
            out.append(Idea(id=c.id, title=c.title, members=(c,)))
    return out


def by_cost(items: list[Idea]) -> list[Idea]:
    """Costliest first; ties in the rubric's order of their first criterion id."""
    return sorted(items, key=lambda i: (-i.cost, i.criteria[0]))


def by_weight(items) -> list[Idea]:
    """Heaviest first (what a strength or a substantiated idea is ranked by); ties as in by_cost."""
    return sorted(items, key=lambda i: (-i.weight, i.criteria[0]))
