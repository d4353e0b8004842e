"""Snapshot of what the deterministic grader says about every bundled answer, for
tests/test_speed_identical.py: a speed-up of the matcher must leave every grade byte-identical.

For every `evals/corpus/*/*.md` and `answers/*.md` it writes to `evals/grades_snapshot.json`,
keyed by the answer's path relative to the repository: the prompt, score and verdict, every
criterion's level and evidence (line, quote), readable so that a failing comparison says what
moved, and a SHA-256 of the whole contract JSON of `grade.core.grader.grade_text` (what
`grade --format json` prints; it holds no timing fields), so that nothing else may move either.

Regenerate the snapshot with this script whenever the rubric (rubric/default.toml) or the
grading rules are changed on purpose, and review the diff of the snapshot in that commit:

    python evals/snapshot_grades.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO / "evals" / "grades_snapshot.json"


def answer_paths() -> list[Path]:
    """The answers the snapshot covers, in a fixed order."""
    return sorted((REPO / "evals" / "corpus").glob("*/*.md")) + sorted((REPO / "answers").glob("*.md"))


def summary(contract: dict) -> dict:
    """What the snapshot keeps of one answer's contract JSON."""
    full = json.dumps(contract, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {
        "prompt": contract["prompt"],
        "score": contract["score"],
        "verdict": contract["verdict"],
        "criteria": {c["id"]: [c["level"], [[e["line"], e["quote"]] for e in c["evidence"]]]
                     for c in contract["criteria"]},
        "sha256": hashlib.sha256(full.encode("utf-8")).hexdigest(),
    }


def grade_all() -> dict[str, dict]:
    """The snapshot summary of every answer, keyed by its path relative to the repository."""
    from grade.core.grader import grade_text

    out: dict[str, dict] = {}
    for path in answer_paths():
        name = path.relative_to(REPO).as_posix()
        out[name] = summary(grade_text(path.read_text(encoding="utf-8"), name=name).contract_json())
    return out


def dumps(grades: dict[str, dict]) -> str:
    """JSON with one line per criterion, so that a change to the snapshot reads well in a diff."""
    def one(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    answers = []
    for name, g in sorted(grades.items()):
        head = "".join(f"  {one(k)}: {one(g[k])},\n" for k in ("prompt", "score", "verdict", "sha256"))
        criteria = ",\n".join(f"   {one(cid)}: {one(v)}" for cid, v in sorted(g["criteria"].items()))
        answers.append(f" {one(name)}: {{\n{head}  \"criteria\": {{\n{criteria}\n  }}\n }}")
    return "{\n" + ",\n".join(answers) + "\n}\n"


def main() -> None:
    grades = grade_all()
    text = dumps(grades)
    assert json.loads(text) == grades
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(REPO)}: {len(grades)} answers")


if __name__ == "__main__":
    main()
