"""Move adjudicated round-4 answers from evals/incoming/ into evals/corpus/<split>/, as plan.json says.

An answer moves only when its gold file and both raw label sets exist. Rerunnable: what has
moved is skipped.
"""

import json
import shutil
from pathlib import Path

EVALS = Path(__file__).resolve().parents[2]
plan = json.loads((EVALS / "writers" / "round4" / "plan.json").read_text())
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
print(f"moved {moved} answers")
