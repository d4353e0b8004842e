"""The mock-interview loop: a prompt, an answer template, grading, and the saved attempt.

The editor template carries guidance in HTML comments. Comments are blanked before grading (line
for line, so line numbers still match what the candidate wrote): the guidance names every idea
the rubric looks for, and must never count as the candidate's own words.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.document import parse
from ..core.grader import get_rubric, grade_text
from ..core.inputs import decode_answer, read_answer
from ..core.results import GradeResult
from ..errors import InputError
from ..feedback.followups import FollowupWriter, written_followups
from ..rubric.runtime import PromptSpec, Rubric
from .attempts import IdeaMove, Movement, attempts_folder, idea_moves, latest, load_history, movement, save_attempt

DEFAULT_PROMPT = "1"  # the seed: "If you don't choose, I'll default to #1"
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.S)
_CONTENT_KINDS = ("prose", "bullet", "table", "code")


def resolve_spec(rubric: Rubric, key: str | None) -> PromptSpec:
    """The practice prompt for an id or number (default: prompt 1); unknown is an InputError."""
    spec = rubric.prompt_spec((key or DEFAULT_PROMPT).strip().lower())
    if spec is None:
        known = ", ".join(f"{p.number}={p.id}" for p in rubric.prompts) or "none in this rubric"
        raise InputError(f"unknown prompt {key!r}; known: {known}")
    return spec


def strip_guidance(text: str) -> str:
    """Blank out HTML comments, keeping their line breaks so line numbers do not move."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def check_filled(text: str, source: str) -> None:
    """An answer that is only the template's headings (or nothing) is an error, not a 0 score."""
    if not any(line.kind in _CONTENT_KINDS and line.text.strip() for line in parse(text).lines):
        raise InputError(f"{source}: no answer: the template has only headings and guidance; "
                         "write your answer under the headings")


def stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):  # closed
        return False


def run_editor(template: str) -> str | None:
    """The template edited in $VISUAL / $EDITOR: the text, or None when it was closed unsaved. An
    editor that cannot be started, or that fails, is an InputError."""
    import click

    try:
        return click.edit(template, extension=".md")
    except click.ClickException as exc:
        raise InputError(f"$EDITOR: {' '.join(exc.format_message().split())}; set VISUAL or EDITOR to an "
                         "editor that waits until you close the file, or pass the answer with --file") from None


def obtain_answer(template: str, *, file: str | None, interactive: bool,
                  edit: Callable[[str], str | None]) -> tuple[str, str | None]:
    """(source name, answer text with guidance blanked): from --file, piped stdin, or the editor.
    From the editor, None when the candidate closed it without changing the template (a cancel)."""
    if file is not None:
        name, raw = read_answer(file)
    elif not interactive:
        name, raw = read_answer("-")
    else:
        name = "$EDITOR"
        edited = edit(template)
        if edited is None or edited.strip() == template.strip():
            return name, None
        raw = decode_answer(edited.encode("utf-8"), name)
    text = strip_guidance(raw)
    check_filled(text, name)
    return name, text


@dataclass
class MockOutcome:
    result: GradeResult
    path: Path
    attempt_number: int
    since_last: Movement | None
    followups_by: str = "bank"  # "llm" when a model wrote the follow-ups (and they passed the checks)
    idea_rows: list[IdeaMove] = field(default_factory=list)  # what moved since the last attempt, per idea
    moved_inside: int = 0  # criteria that moved inside ideas whose level held


def grade_attempt(spec: PromptSpec, answer: str, *, rubric_path: str | None = None,
                  writer: FollowupWriter | None = None) -> MockOutcome:
    """Grade an answer to `spec`, compare it with the last attempt, and save it as a new attempt.
    With a `writer` (the --llm path), the follow-ups are its questions when enough pass the checks."""
    rubric = get_rubric(rubric_path)[0]
    result = grade_text(answer, name=f"mock {spec.number}: {spec.id}", prompt=spec.id, rubric_path=rubric_path)
    written = False
    if writer is not None:
        result.followups, written = written_followups(result, answer, rubric=rubric, writer=writer)
    previous = latest(spec.id)
    path = save_attempt(spec.id, answer, result)
    count = len(load_history(spec.id).by_prompt.get(spec.id, []))
    since = movement(previous.attempt.result, result) if previous else None
    rows, inside = idea_moves(since, result, rubric) if since is not None else ([], 0)
    return MockOutcome(result=result, path=path, attempt_number=count, since_last=since,
                       followups_by="llm" if written else "bank", idea_rows=rows, moved_inside=inside)


def load_spec(key: str | None, rubric_path: str | None) -> tuple[Rubric, PromptSpec]:
    rubric, _ = get_rubric(rubric_path)
    return rubric, resolve_spec(rubric, key)


def check_save_folder(spec: PromptSpec) -> Path:
    """Fail before the answer is taken when the attempt could not be saved."""
    return attempts_folder(spec.id)
