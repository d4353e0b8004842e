"""Mock-interview attempts: saved one file each, never overwritten, and compared with the last one.

An attempt lives in data_dir()/attempts/<prompt-id>/<UTC timestamp>-<n>.json and holds the answer
as graded, the full result and the time. Each file is created in exclusive mode: two attempts in
the same second get n = 1, 2, ... and an existing file is never written to again.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator

from .. import __version__
from ..core.results import GradeResult
from ..errors import OutputError
from ..paths import data_dir

_NAME = re.compile(r"^(\d{8}T\d{6}Z)-(\d+)\.json$")
_MAX_SAME_SECOND = 10_000


class Attempt(BaseModel):
    prompt: str
    time: str
    grade_version: str
    answer: str
    result: GradeResult

    @field_validator("result", mode="before")
    @classmethod
    def _plain_critique_items(cls, value):
        """Attempts saved before critique items carried their criteria hold them as plain sentences."""
        critique = value.get("critique") if isinstance(value, dict) else None
        if isinstance(critique, dict):
            for key in ("why", "gaps", "strengths", "next_steps"):
                items = critique.get(key)
                if isinstance(items, list):
                    critique[key] = [{"text": item} if isinstance(item, str) else item for item in items]
        return value

    @property
    def levels(self) -> dict[str, int]:
        return {c.id: c.level for c in self.result.criteria}


class CriterionMove(BaseModel):
    id: str
    title: str
    before: int | None
    after: int | None


class Movement(BaseModel):
    """What changed from one attempt to the next."""

    score_before: float
    score_after: float
    verdict_before: str
    verdict_after: str
    up: list[CriterionMove]
    down: list[CriterionMove]

    @property
    def score_delta(self) -> float:
        return round(self.score_after - self.score_before, 1)


class IdeaMove(BaseModel):
    """One row of what moved: an idea (a rubric group, or a criterion in none) whose level changed."""

    title: str
    criteria: list[str]
    before: int
    after: int


def idea_moves(move: Movement, after: GradeResult, rubric) -> tuple[list[IdeaMove], int]:
    """What moved, per idea (criteria that restate one idea move as one row, at their weakest level),
    the biggest moves first; and how many criteria moved inside ideas whose level held."""
    from ..feedback.ideas import ideas

    moved = {m.id: m for m in [*move.up, *move.down]}
    levels_after = {c.id: c.level for c in after.criteria}

    def before(cid: str) -> int:
        m = moved.get(cid)
        return (m.before or 0) if m else levels_after[cid]

    rows, inside = [], 0
    for idea in ideas(after.criteria, rubric):
        old = min(before(cid) for cid in idea.criteria)
        if old != idea.level:
            rows.append((idea, IdeaMove(title=idea.title, criteria=idea.criteria, before=old, after=idea.level)))
        else:
            inside += sum(1 for cid in idea.criteria if cid in moved)
    inside += sum(1 for cid in moved if cid not in levels_after)  # criteria the new attempt no longer has
    rows.sort(key=lambda r: (-(abs(r[1].after - r[1].before) * r[0].weight), r[1].after < r[1].before, r[1].title))
    return [row for _, row in rows], inside


@dataclass
class SavedAttempt:
    path: Path
    attempt: Attempt


@dataclass
class History:
    by_prompt: dict[str, list[SavedAttempt]] = field(default_factory=dict)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def attempts_root() -> Path:
    """Where attempts are saved: data_dir()/attempts (see grade.paths); NoHome when there is no home."""
    return data_dir() / "attempts"


def _cannot_save(folder: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot save the attempt in {folder}: {exc.strerror or exc}; set GRADE_HOME to a "
                       "folder you can write")


def attempts_folder(prompt_id: str, *, root: Path | None = None) -> Path:
    """The folder this prompt's attempts go to, created and checked writable before any answer is
    taken (an answer typed in the editor must not be lost to a folder that cannot be written)."""
    folder = (root or attempts_root()) / prompt_id
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test-")  # unique, even across threads
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _cannot_save(folder, exc) from None
    return folder


def save_attempt(prompt_id: str, answer: str, result: GradeResult, *, now: datetime | None = None,
                 root: Path | None = None) -> Path:
    """Write a new attempt file and return its path; never touches an existing file. A folder that
    cannot be written is an OutputError (exit 2), with no partial file left."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    folder = (root or attempts_root()) / prompt_id
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_save(folder, exc) from None
    attempt = Attempt(prompt=prompt_id, time=now.strftime("%Y-%m-%dT%H:%M:%SZ"), grade_version=__version__,
                      answer=answer, result=result)
    payload = attempt.model_dump(mode="json")
    payload["result"] = result.contract_json()
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, _MAX_SAME_SECOND + 1):
        path = folder / f"{stamp}-{n}.json"
        try:
            with path.open("x", encoding="utf-8") as fh:
                try:
                    fh.write(text)
                    fh.flush()
                except OSError:
                    fh.close()
                    path.unlink(missing_ok=True)  # no truncated attempt left for history to trip on
                    raise
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_save(folder, exc) from None
        return path
    raise OutputError(f"cannot save the attempt in {folder}: too many attempts saved in one second")


def _order(path: Path) -> tuple[str, int]:
    m = _NAME.match(path.name)
    return (m.group(1), int(m.group(2))) if m else ("", 0)


def load_history(prompt_id: str | None = None, *, root: Path | None = None) -> History:
    """Every saved attempt, per prompt id, oldest first. Files that cannot be read are listed apart."""
    base = root or attempts_root()
    history = History()
    try:
        if not base.is_dir():
            return history
        folders = [base / prompt_id] if prompt_id else sorted(p for p in base.iterdir() if p.is_dir())
    except OSError as exc:
        raise OutputError(f"cannot read the attempts in {base}: {exc.strerror or exc}") from None
    for folder in folders:
        try:
            if not folder.is_dir():
                continue
            names = sorted((p for p in folder.iterdir() if _NAME.match(p.name)), key=_order)
        except OSError as exc:
            history.unreadable.append((folder, exc.strerror or str(exc)))
            continue
        saved = []
        for path in names:
            try:
                saved.append(SavedAttempt(path, Attempt.model_validate_json(path.read_bytes())))
            except (OSError, ValidationError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not a valid attempt file"
                history.unreadable.append((path, reason or str(exc)))
        if saved:
            history.by_prompt[folder.name] = saved
    return history


def movement(before: GradeResult, after: GradeResult) -> Movement:
    """Score, verdict and the criteria whose level went up or down between two results."""
    old = {c.id: c for c in before.criteria}
    new = {c.id: c for c in after.criteria}
    up, down = [], []
    for cid in [*new, *(i for i in old if i not in new)]:
        a, b = old.get(cid), new.get(cid)
        la, lb = (a.level if a else None), (b.level if b else None)
        if (la or 0) == (lb or 0):
            continue
        move = CriterionMove(id=cid, title=(b or a).title, before=la, after=lb)
        (up if (lb or 0) > (la or 0) else down).append(move)
    return Movement(score_before=before.score, score_after=after.score, verdict_before=before.verdict,
                    verdict_after=after.verdict, up=up, down=down)


@dataclass
class Step:
    """One attempt as `grade history` shows it: its number, and what moved since the one before."""

    n: int
    saved: SavedAttempt
    moved: Movement | None
    idea_rows: list[IdeaMove] = field(default_factory=list)
    moved_inside: int = 0


def history_steps(history: History, rubric) -> dict[str, list[Step]]:
    """Per prompt, each saved attempt in order with its movement since the previous one."""
    out: dict[str, list[Step]] = {}
    for pid, saved_list in history.by_prompt.items():
        steps, previous = [], None
        for n, saved in enumerate(saved_list, start=1):
            result = saved.attempt.result
            moved = movement(previous, result) if previous is not None else None
            rows, inside = idea_moves(moved, result, rubric) if moved is not None else ([], 0)
            steps.append(Step(n=n, saved=saved, moved=moved, idea_rows=rows, moved_inside=inside))
            previous = result
        out[pid] = steps
    return out


def latest(prompt_id: str, *, root: Path | None = None) -> SavedAttempt | None:
    attempts = load_history(prompt_id, root=root).by_prompt.get(prompt_id, [])
    return attempts[-1] if attempts else None
