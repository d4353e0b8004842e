"""Plan the round-7 fresh split (`fresh5`): 40 answers written after the round-7 freeze.

Same cells, styles, lengths, vocabularies, voices and traps as rounds 3 to 6 (planning.py), new seed.
Rerun with `python evals/writers/round7/plan.py` to regenerate plan.json (seeded, deterministic).
Writers see only their own rows without the split; labellers see none of it.
"""
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from planning import cells, plan  # noqa: E402

rng = random.Random(20261210)
fresh = plan("p", cells({"below_bar": 3, "senior": 3, "architect": 2}, {}), 0.0, rng)
for r in fresh:
    r["split"] = "fresh5"
Path(__file__).with_name("plan.json").write_text(json.dumps(fresh, indent=1) + "\n")
print(len(fresh))
