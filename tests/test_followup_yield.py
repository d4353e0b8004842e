"""The follow-up bank keeps no template the labellers found clearly not useful (evals/followup_yield.py)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_below_the_retirement_rule():
    out = subprocess.run([sys.executable, str(ROOT / "evals" / "followup_yield.py")], capture_output=True,
                         text=True, check=True).stdout
    assert "RETIRE" not in out, out


def test_matching_reads_the_template_fixed_words():
    sys.path.insert(0, str(ROOT / "evals"))
    import followup_yield as fy

    bank = fy.templates()
    t = next(t for t in bank if "{quote}" in t["text"])
    printed = t["text"].replace("{quote}", "Kafka topics keyed by tenant_id, 24 partitions")
    assert fy.match(printed, bank)["n"] == t["n"]
    assert fy.match("An unrelated sentence entirely?", bank) is None


def test_every_criterion_keeps_every_depth():
    bank = tomllib.loads((ROOT / "rubric" / "followups.toml").read_text(encoding="utf-8"))["followups"]
    rubric = tomllib.loads((ROOT / "rubric" / "default.toml").read_text(encoding="utf-8"))
    have = {(f["criterion"], f["depth"]) for f in bank}
    criteria = {f["criterion"] for f in bank}
    for c in criteria:
        for d in ("missing", "mentioned", "substantiated"):
            assert (c, d) in have, (c, d)
    assert rubric  # the rubric still parses
