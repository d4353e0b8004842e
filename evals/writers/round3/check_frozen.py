"""Check that grading is what it was at the freeze (FROZEN.md).

    python evals/writers/round3/check_frozen.py            # compare
    python evals/writers/round3/check_frozen.py --record   # write frozen_grades.json (only at a freeze)

The record holds every level, score and verdict the rules gave the dev and holdout answers and
answers/*.md at the freeze. Files may change later for reasons other than judgement (speed,
feedback); the grades may not.
"""

import json
import sys
from pathlib import Path

from grade.core.grader import grade_text

ROOT = Path(__file__).resolve().parents[3]
RECORD = Path(__file__).with_name("frozen_grades.json")


def grades() -> dict[str, dict]:
    files = sorted(ROOT.glob("evals/corpus/dev/*.md")) + sorted(ROOT.glob("evals/corpus/holdout/*.md"))
    files += sorted(ROOT.glob("answers/*.md"))
    out = {}
    for f in files:
        gold = f.with_suffix(".json")
        prompt = json.loads(gold.read_text())["prompt"] if gold.exists() else None
        r = grade_text(f.read_text(encoding="utf-8"), prompt=prompt)
        out[str(f.relative_to(ROOT))] = {"score": r.score, "verdict": r.verdict,
                                         "levels": {c.id: c.level for c in r.criteria}}
    return out


if __name__ == "__main__":
    now = grades()
    if "--record" in sys.argv:
        RECORD.write_text(json.dumps(now, indent=0, sort_keys=True) + "\n")
        print(f"recorded {len(now)} grades")
        sys.exit(0)
    then = json.loads(RECORD.read_text())
    changed = sorted(k for k in then if now.get(k) != then[k])
    print(f"{len(then) - len(changed)}/{len(then)} grades as at the freeze" + (": changed " + ", ".join(changed[:10])
                                                                          if changed else ""))
    sys.exit(1 if changed else 0)
