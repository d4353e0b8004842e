"""Plan the round-22 fresh split (`fresh20`): 40 answers written after the rules were frozen for it (FROZEN.md).

Same cells, styles, lengths, vocabularies, voices and traps as rounds 3 to 21 (planning.py), new seed.
Rerun with `python evals/writers/round22/plan.py` to regenerate plan.json (seeded, deterministic).
Writers see only their own rows without the split; labellers see none of it.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from planning import write_fresh_split  # noqa: E402

write_fresh_split(__file__, "l", "fresh20", 20261231)
