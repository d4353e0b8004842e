"""Plan the round-3 corpus: which answers to write, in which style, and which split each goes to.

Rerun with `python evals/writers/round3/plan.py` to regenerate plan.json (seeded, deterministic).
Writers see only their own rows without the split; labellers see none of it.
"""
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from planning import cells, plan  # noqa: E402

rng = random.Random(20261206)
pre = plan("n", cells({"below_bar": 7, "senior": 9, "architect": 6},
                      {("realtime-analytics", "senior"): 1, ("privacy-dsr", "senior"): 1}), 0.4, rng)
fresh = plan("f", cells({"below_bar": 3, "senior": 3, "architect": 2}, {}), 0.0, rng)
for r in fresh:
    r["split"] = "fresh"
Path(__file__).with_name("plan.json").write_text(json.dumps(pre + fresh, indent=1) + "\n")
print(len(pre), len(fresh))
