"""Move a round's adjudicated answers from evals/incoming/ into evals/corpus/<split>/, as its plan says.

    python evals/writers/place.py round4

An answer moves only when its gold file and both raw label sets exist. Rerunnable: what has
moved is skipped.
"""

import json
import shutil
import sys
from pathlib import Path

EVALS = Path(__file__).resolve().parents[1]


def place(round_name: str) -> int:
    plan = json.loads((EVALS / "writers" / round_name / "plan.json").read_text())
    moved = 0
    for row in plan:
        md, gold = EVALS / "incoming" / f"{row['id']}.md", EVALS / "incoming" / f"{row['id']}.json"
        labelled = all((EVALS / "labels" / s / f"{row['id']}.json").exists() for s in ("a", "b"))
        if md.exists() and gold.exists() and labelled:
            json.loads(gold.read_text())  # refuse a broken gold file
            dest = EVALS / "corpus" / row["split"]
            dest.mkdir(exist_ok=True)
            shutil.move(md, dest / md.name)
            shutil.move(gold, dest / gold.name)
            moved += 1
    return moved


if __name__ == "__main__":
    if len(sys.argv) != 2 or not (EVALS / "writers" / sys.argv[1] / "plan.json").exists():
        sys.exit("usage: python evals/writers/place.py ROUND (a folder of evals/writers with a plan.json)")
    print(f"moved {place(sys.argv[1])} answers")
