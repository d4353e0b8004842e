"""Render results as text (terminal), Markdown, JSON or a self-contained HTML page.

The one place output formats are dispatched. Templates live in report/templates/: the text and Markdown
ones unescaped, the HTML one with autoescape on, so an answer's text can never become markup.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.results import VERDICT_LABELS, Followup, GradeResult
from ..errors import OutputError
from ..templating import environment
from ..vocabulary import LEVEL_NAMES
from .text_report import LEVEL_MARKS, VERDICT_COLOURS, cut_words, render_text_report

if TYPE_CHECKING:
    from ..practice.attempts import History, IdeaMove, Step
    from ..practice.mock import MockOutcome
    from ..rubric.runtime import PromptSpec, Rubric


def _bytecode_cache():
    """Compiled templates kept between runs (compiling them is a tenth of a cold start), in a private
    cache folder; None (no cache) when there is none. Compiled templates are code: the folder is
    used only when it is this user's and nobody else can write it (grade.paths.private_cache)."""
    import contextlib
    import marshal
    import types

    import jinja2

    from ..core.files import replace_atomically
    from ..paths import private_cache

    folder = private_cache("templates")
    if folder is None:
        return None

    class SafeBytecodeCache(jinja2.BytecodeCache):
        """jinja2's file cache without its pickle (the checksum) and without ever failing: a
        corrupt, truncated or unreadable entry is a miss, an unwritable folder is no cache."""

        magic = b"grade-j2 " + jinja2.bccache.bc_magic + b"\n"

        def _path(self, bucket) -> Path:
            return folder / f"{bucket.key}.cache"

        def load_bytecode(self, bucket) -> None:
            try:
                data = self._path(bucket).read_bytes()
                head, _, rest = data[len(self.magic):].partition(b"\n")
                if not data.startswith(self.magic) or head.decode("ascii") != bucket.checksum:
                    return
                code = marshal.loads(rest)
                if isinstance(code, types.CodeType):
                    bucket.code = code
            except Exception:  # noqa: BLE001 - any damage: compile the template again
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            if bucket.code is None:
                return
            data = self.magic + bucket.checksum.encode("ascii") + b"\n" + marshal.dumps(bucket.code)
            with contextlib.suppress(Exception):  # a cache that cannot be written is no cache
                replace_atomically(self._path(bucket), data)

    return SafeBytecodeCache()


@lru_cache(maxsize=2)
def _environment(colour: bool):
    import click

    env = environment("report", _bytecode_cache())

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if colour else text

    env.filters["bold"] = lambda t: style(str(t), bold=True)
    env.filters["verdict_colour"] = lambda t, v: style(str(t).upper(), fg=VERDICT_COLOURS[v], bold=True)
    env.filters["level_mark"] = lambda lv: style(LEVEL_MARKS[lv], fg=("red", "yellow", "green")[lv])
    env.filters["md_cell"] = lambda t: str(t).replace("|", "\\|").replace("\n", " ")
    env.filters["cut"] = cut_words
    return env


@lru_cache(maxsize=1)
def _html_environment():
    return environment("html")


LOW_CONFIDENCE = 0.5
"""Below this, the inferred prompt may well be wrong: the report says how to name it."""


def _prompt_note(result: GradeResult, rubric: Rubric | None = None) -> str:
    info = result.prompt_info
    if info.source == "none" and rubric is not None and not rubric.prompts:
        return "this rubric defines no practice prompts"
    if info.source == "inferred":
        note = f"inferred, confidence {info.confidence:.2f}"
        if info.confidence < LOW_CONFIDENCE:
            note += "; low: if the answer is for another prompt, give --prompt ID (`grade prompts` lists them)"
        return note
    if info.source == "none":
        return "not recognised; give --prompt ID to grade its own criteria too (`grade prompts` lists them)"
    return {"option": "from --prompt", "front_matter": "from front matter"}[info.source]


def _sections(result: GradeResult) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for c in result.criteria:
        groups.setdefault(c.section, []).append(c)
    return list(groups.items())


def render_html(result: GradeResult, *, answer: str, rubric: Rubric | None = None) -> str:
    """A self-contained page: no scripts, no external URLs; evidence marked and linked to criteria."""
    from .. import __version__
    from .html_report import html_context

    if rubric is None:
        raise ValueError("the HTML report needs the rubric the answer was graded with")
    ctx = html_context(result, rubric, answer)
    spec = rubric.prompt_spec(result.prompt) if result.prompt else None
    return _html_environment().get_template("report.html.j2").render(
        result=result, critique=result.critique, prompt_note=_prompt_note(result, rubric),
        verdict_label=VERDICT_LABELS[result.verdict], version=__version__,
        prompt_title=f"{spec.number}. {spec.title}" if spec else "none", **ctx)


def render(result: GradeResult, fmt: str, *, colour: bool = False, answer: str | None = None,
           rubric: Rubric | None = None) -> str:
    """One result in one format. HTML needs the answer's text (it shows it, marked up)."""
    if fmt == "json":
        return json.dumps(result.contract_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        if answer is None:
            raise ValueError("the HTML report needs the answer text")
        return render_html(result, answer=answer, rubric=rubric)
    if fmt == "text":
        return render_text_report(result, colour=colour, prompt_note=_prompt_note(result, rubric),
                                  verdict_label=VERDICT_LABELS[result.verdict], sections=_sections(result))
    template = _environment(False).get_template({"markdown": "report.md.j2"}[fmt])
    return template.render(result=result, critique=result.critique, prompt_note=_prompt_note(result, rubric),
                           verdict_label=VERDICT_LABELS[result.verdict], sections=_sections(result))


def render_many(results: list[GradeResult], fmt: str, *, colour: bool = False, answers: list[str] | None = None,
                rubric: Rubric | None = None) -> str:
    """Several results: JSON as one object (one answer) or a list; HTML is one page for one answer."""
    if fmt == "json":
        payload = results[0].contract_json() if len(results) == 1 else [r.contract_json() for r in results]
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        if len(results) != 1 or not answers:
            raise OutputError("--format html makes one page per answer: give one FILE")
        return render_html(results[0], answer=answers[0], rubric=rubric)
    return "\n".join(render(r, fmt, colour=colour, rubric=rubric) for r in results)


def render_followups(result: GradeResult, questions: list[Followup], fmt: str, *, source: str = "bank",
                     note: str | None = None, colour: bool = False) -> str:
    """`grade followups`: the questions, each with the criterion it probes and at what depth."""
    titles = {c.id: c.title for c in result.criteria}
    levels = {c.id: c.level for c in result.criteria}
    if fmt == "json":
        payload = {"file": result.file, "prompt": result.prompt, "score": result.score, "verdict": result.verdict,
                   "source": source, "note": note,
                   "followups": [{"criterion": q.criterion, "title": titles.get(q.criterion), "depth": q.depth,
                                  "level": levels.get(q.criterion), "question": q.question} for q in questions]}
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return _environment(colour).get_template("followups.txt.j2").render(
        result=result, questions=questions, titles=titles, verdict_label=VERDICT_LABELS[result.verdict], note=note)


def render_prompts(rubric: Rubric, fmt: str, *, colour: bool = False) -> str:
    """`grade prompts`: the practice prompts and what each must handle."""
    if fmt == "json":
        payload = [{"number": p.number, "id": p.id, "title": p.title, "brief": p.brief,
                    "must_handle": list(p.must_handle)} for p in rubric.prompts]
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return _environment(colour).get_template("prompts.txt.j2").render(rubric=rubric)


def render_mock_intro(spec: PromptSpec, rubric: Rubric, *, colour: bool = False) -> str:
    """What `grade mock` shows first: the prompt and the answer structure (the rubric's parts)."""
    return _environment(colour).get_template("mock_intro.txt.j2").render(
        spec=spec, total=len(rubric.prompts), parts=rubric.answer_parts())


def render_answer_template(spec: PromptSpec, rubric: Rubric) -> str:
    """The Markdown the editor opens with: front matter, guidance comments, one heading per part."""
    return _environment(False).get_template("answer_template.md.j2").render(spec=spec, parts=rubric.answer_parts())


def render_mock_outcome(outcome: MockOutcome, *, colour: bool = False, note: str | None = None) -> str:
    """The critique with its follow-ups, where the attempt was saved, and what moved since the last."""
    out = [render(outcome.result, "text", colour=colour)]
    if note:
        out.append(f"Follow-up questions: {note}")
    out.append(f"Saved attempt #{outcome.attempt_number} for {outcome.result.prompt}: {outcome.path}")
    move = outcome.since_last
    if move is None:
        out.append("First attempt at this prompt. Answer the follow-ups, then run `grade mock` again; "
                   "`grade history` shows the progress.")
    else:
        line = f"Since your last attempt: score {move.score_before:g} -> {move.score_after:g} ({move.score_delta:+g})"
        if move.verdict_before != move.verdict_after:
            line += f", verdict {VERDICT_LABELS[move.verdict_before]} -> {VERDICT_LABELS[move.verdict_after]}"
        out.append(line)
        out.extend(_movement_lines(outcome.idea_rows, outcome.moved_inside, indent="  "))
    return "\n".join(out) + "\n"


HISTORY_ROWS = 10


def _movement_lines(rows: list[IdeaMove], inside: int, *, indent: str) -> list[str]:
    """What moved, as a short table: one row per idea (criterion, before -> after), the biggest moves
    first (grade.practice.attempts.idea_moves), at most HISTORY_ROWS rows; `--format json` lists
    every criterion."""
    if not rows and not inside:
        return [f"{indent}no criterion moved"]
    shown = rows[:HISTORY_ROWS]
    width = max([len("what moved"), *(len(r.title) for r in shown)])
    lines = []
    if shown:
        lines.append(f"{indent}{'what moved':<{width}}  before -> after")
        lines += [f"{indent}{r.title:<{width}}  {LEVEL_NAMES[r.before]} -> {LEVEL_NAMES[r.after]}" for r in shown]
    notes = []
    if len(rows) > len(shown):
        notes.append(f"and {len(rows) - len(shown)} more")
    if inside:
        notes.append(f"{inside} {'criterion' if inside == 1 else 'criteria'} moved within ideas whose level held")
    if notes:
        lines.append(f"{indent}({'; '.join(notes)}: `grade history --format json` lists every criterion)")
    return lines


def render_history(history: History, steps: dict[str, list[Step]], rubric: Rubric, fmt: str, *,
                   colour: bool = False) -> str:
    """`grade history`: per prompt, each attempt's score and verdict, and what moved since the one
    before (`steps`: grade.practice.attempts.history_steps)."""
    specs = {p.id: p for p in rubric.prompts}
    order = sorted(steps, key=lambda pid: (specs[pid].number if pid in specs else 99, pid))
    groups = []
    for pid in order:
        rows = []
        for step in steps[pid]:
            saved, result, moved = step.saved, step.saved.attempt.result, step.moved
            rows.append({"n": step.n, "time": saved.attempt.time, "when": saved.attempt.time.replace("T", " ")[:16],
                         "file": str(saved.path), "score": result.score, "verdict": result.verdict,
                         "verdict_label": VERDICT_LABELS.get(result.verdict, result.verdict), "moved": moved,
                         "move_lines": (_movement_lines(step.idea_rows, step.moved_inside, indent=" " * 7)
                                        if moved else [])})
        spec = specs.get(pid)
        heading = f"Prompt {spec.number}: {spec.title}  [{pid}]" if spec else f"Prompt {pid}"
        groups.append({"id": pid, "heading": heading, "attempts": rows})
    if fmt == "json":
        def row_json(row: dict) -> dict:
            moved = row["moved"]
            data = {k: v for k, v in row.items() if k not in ("when", "verdict_label", "moved", "move_lines")}
            data["moved"] = None if moved is None else moved.model_dump() | {"score_delta": moved.score_delta}
            return data

        payload = {"prompts": [{"id": g["id"], "attempts": [row_json(r) for r in g["attempts"]]} for g in groups],
                   "unreadable": [{"file": str(p), "reason": why} for p, why in history.unreadable]}
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if not groups:
        text = ("No attempts yet. Start one with `grade mock` (prompt 1) or `grade mock N`; "
                "`grade prompts` lists them.\n")
    else:
        text = _environment(colour).get_template("history.txt.j2").render(groups=groups, labels=VERDICT_LABELS)
    for path, why in history.unreadable:
        text += f"(skipped {path}: {why})\n"
    return text
