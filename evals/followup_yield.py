"""How useful each follow-up template of the bank was, as labelled in the feedback packets.

    python evals/followup_yield.py [--rounds 4-11] [--min-labels 8] [--below 0.60] [--all] [--bank FILE]

Every labelled follow-up in evals/feedback/round<N>/ (its printed text in sample/manifest.json,
the labels of its two labellers in labels-*/) is matched to the template of rubric/followups.toml
whose fixed words it is (the template with {quote} standing for any text; the template with the
most fixed words wins). Prints, per template: labels, useful, share useful, and its criterion and
depth (counting only labels on prompts the template may still be asked on); templates with
at least --min-labels labels and a useful share under --below are flagged RETIRE.
Printed texts no template matches (reworded or retired since) are counted at the end.
"""

from __future__ import annotations

import argparse
import json
import re
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

from feedback_rates import load_labels  # evals/, beside this script

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "rubric" / "followups.toml"
PACKETS = ROOT / "evals" / "feedback"
PROMPTS = ["realtime-analytics", "cdc-lakehouse", "feature-store", "dq-observability", "privacy-dsr"]


def templates(bank: Path = BANK) -> list[dict]:
    data = tomllib.loads(bank.read_text(encoding="utf-8"))
    out = []
    for n, f in enumerate(data.get("followups", [])):
        parts = f["text"].split("{quote}")
        pattern = re.compile(r"\s*" + "(.+?)".join(re.escape(p.strip()) if p.strip() else "" for p in parts)
                             .replace(r"\ ", r"\s+") + r"\s*", re.S)
        out.append({**f, "n": n, "pattern": pattern, "fixed": sum(len(p) for p in parts)})
    return out


def match(text: str, bank: list[dict]) -> dict | None:
    hits = [t for t in bank if t["pattern"].fullmatch(text)]
    return max(hits, key=lambda t: t["fixed"]) if hits else None


def labelled(rounds: range) -> list[tuple[str, str, str, str, str]]:
    """(round, answer id, prompt, printed text, label) per label of a follow-up."""
    out = []
    for r in rounds:
        base = PACKETS / f"round{r}"
        manifest = base / "sample" / "manifest.json"
        if not manifest.exists():
            continue
        m = json.loads(manifest.read_text(encoding="utf-8"))
        items = {(a["id"], i["item"]): (a.get("prompt", ""), i["text"]) for a in m["answers"]
                 for i in a["items"] if i["kind"] == "followup"}
        for d in sorted(base.glob("labels-*")):
            labels, _ = load_labels(base / "sample", d)
            out += [(f"round{r}", key[0], *items[key], label) for key, label in labels.items() if key in items]
    return out


def action(t: dict, by_prompt: dict[str, Counter], below: float) -> str:
    """A retired template is kept only for the prompts where it was useful (share >= below) or never
    labelled, among those it was written for; deleted when no labelled prompt was."""
    allowed = t.get("prompts") or PROMPTS
    kept = [p for p in allowed if not by_prompt.get(p) or by_prompt[p]["useful"] / sum(by_prompt[p].values()) >= below]
    return f"-> prompts = {kept}" if any(by_prompt.get(p) for p in kept) else "-> delete"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", default="4-11")
    ap.add_argument("--min-labels", type=int, default=8)
    ap.add_argument("--below", type=float, default=0.60)
    ap.add_argument("--bank", type=Path, default=BANK, help="the bank to match (default: rubric/followups.toml)")
    ap.add_argument("--all", action="store_true", help="list every template with a label, not only flagged ones")
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.rounds.split("-"))
    bank = templates(a.bank)
    per: dict[int, Counter] = defaultdict(Counter)
    prompts: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    unmatched = Counter()
    for _r, _aid, prompt, text, label in labelled(range(lo, hi + 1)):
        t = match(text, bank)
        if t is None:
            unmatched[label] += 1
            continue
        prompts[t["n"]][prompt][label] += 1
        if not t.get("prompts") or prompt in t["prompts"]:  # labels where it can still be asked
            per[t["n"]][label] += 1
    rows = []
    for n, c in per.items():
        total, useful = sum(c.values()), c["useful"]
        flag = total >= a.min_labels and useful / total < a.below
        if flag or a.all:
            rows.append((useful / total, -total, n, flag))
    for share, neg, n, flag in sorted(rows):
        t = bank[n]
        by = ", ".join(f"{p}:{c['useful']}/{sum(c.values())}" for p, c in sorted(prompts[n].items()))
        act = action(t, prompts[n], a.below) if flag else ""
        print(f"{'RETIRE ' if flag else '       '}{-neg:3d} labels {per[n]['useful']:3d} useful {share:4.0%}  "
              f"{t['criterion']} [{t['depth']}] #{n}  useful by prompt: {by}  {act}\n        {t['text'][:150]}")
    print(f"unmatched labels (template reworded or gone): {sum(unmatched.values())} "
          f"({unmatched['useful']} useful)")


if __name__ == "__main__":
    main()
