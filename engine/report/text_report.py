"""The terminal report of one graded answer (`grade FILE`, `--format text`), in plain Python.

It was a jinja2 template; importing jinja2 alone was a fifth of a cold start of the default
command, so the one format every run prints is written here. The other formats stay templates.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import click

from ..core.results import CriterionResult, GradeResult

VERDICT_COLOURS = {"architect": "green", "senior": "yellow", "below_bar": "red"}
LEVEL_MARKS = {0: "[0]", 1: "[1]", 2: "[2]"}


def cut_words(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut at a word boundary and marked with '...'."""
    text = str(text)
    if len(text) <= width:
        return text
    room = width - 3
    space = text.rfind(" ", 0, room + 1)
    head = text[:space] if space > width // 2 else text[:room]
    return head.rstrip(" ,;:/-(") + "..."


def _cut_chars(text: str, length: int) -> str:
    """The first `length` characters, the last three '...' when cut (jinja2's truncate(n, True, '...', 0))."""
    return text if len(text) <= length else text[:length - 3] + "..."


def _wrapped(text: str, width: int, indent: str) -> str:
    """Each paragraph wrapped at `width`, every non-blank line but the first indented, the first too
    (jinja2's wordwrap(width) | indent(2, first=True))."""
    wrapped = "\n".join("\n".join(textwrap.wrap(line, width=width, expand_tabs=False, replace_whitespace=False))
                        for line in text.splitlines())
    first, *rest = (wrapped + "\n").splitlines()
    return indent + first + "".join("\n" + (indent + line if line else line) for line in rest)


def render_text_report(result: GradeResult, *, colour: bool, prompt_note: str, verdict_label: str,
                       sections: list[tuple[str, list[CriterionResult]]]) -> str:
    """The report, byte for byte what the template it replaced (report.txt.j2) made of it."""
    bold: Callable[[str], str] = (lambda t: click.style(t, bold=True)) if colour else (lambda t: t)
    verdict = verdict_label.upper()
    if colour:
        verdict = click.style(verdict, fg=VERDICT_COLOURS[result.verdict], bold=True)
        marks = {lv: click.style(m, fg=("red", "yellow", "green")[lv]) for lv, m in LEVEL_MARKS.items()}
    else:
        marks = LEVEL_MARKS
    critique = result.critique
    out = [f"{bold(result.file)}  prompt: {result.prompt or 'none'} ({prompt_note})\n",
           f"Score {result.score:g}/100   verdict: {verdict}\n\n{critique.headline}\n"]
    out += [f"  - {line.text}\n" for line in critique.why]
    out.append("\n")
    if critique.summary:
        out.append(bold("Interviewer's reading (LLM)") + f"\n{_wrapped(critique.summary, 98, '  ')}\n\n")
    structure = result.structure
    if structure.parts:
        order = ""
        if structure.in_order is not None:
            order = ", in the guide's order" if structure.in_order else ", not in the guide's order"
        out.append(f"{bold('Answer structure')} ({structure.present}/{len(structure.parts)} parts{order})\n")
        for p in structure.parts:
            where = f"  (line {p.line}, by {p.via})" if p.present else ""
            out.append(f"  {'[x]' if p.present else '[ ]'} {p.part}. {p.title}{where}\n")
        out.append("\n")
    out.append(f"{bold('Criteria')}  (0 missing, 1 mentioned, 2 substantiated)\n")
    for section, items in sections:
        out.append(f"  {section}\n")
        for c in items:
            evidence = f' L{c.evidence[0].line}: "{_cut_chars(c.evidence[0].quote, 70)}"' if c.evidence else ""
            llm = "  (llm)" if c.source == "llm" else ""
            out.append(f"    {marks[c.level]} {cut_words(c.title, 44):<44}{evidence}{llm}\n")
    out.append(f"\n{bold('What is missing, by what it costs')}\n")
    out += [f"  - {g.text}\n" for g in critique.gaps] or ["  - nothing important\n"]
    out.append(f"\n{bold('What was strong')}\n")
    out += [f"  - {s.text}\n" for s in critique.strengths] or ["  - nothing substantiated yet\n"]
    out.append(f"\n{bold('Next steps')}\n")
    out += [f"  {n}. {s.text}\n" for n, s in enumerate(critique.next_steps, start=1)]
    out.append("\n")
    if result.followups:
        out.append(f"{bold('Follow-up questions')}\n")
        out += [f"  {n}. {f.question}  [{f.criterion}]\n" for n, f in enumerate(result.followups, start=1)]
        out.append("\n")
    llm = result.llm
    if llm:
        if llm.injection_lines:
            how = "not sent (see above)"
        elif llm.cached:
            how = "reply from the cache"
        else:
            how = f"{llm.requests} request{'s' if llm.requests != 1 else ''}"
        out.append(f"{bold('LLM pass')}  {llm.model} at {llm.endpoint}: {how}\n")
        if not llm.injection_lines:
            out.append(f"  raised on a verified quote: {', '.join(llm.raised) or 'none'}\n"
                       f"  lowered by one on the rules' evidence: {', '.join(llm.lowered) or 'none'}\n")
            for d in llm.discarded:
                quote = f' "{_cut_chars(d.quote, 60)}"' if d.quote else ""
                out.append(f"  discarded: {d.criterion} {d.rules_level} -> {d.llm_level}{quote}: {d.reason}\n")
            out += [f"  note: {n}\n" for n in llm.notes]
    return "".join(out)
