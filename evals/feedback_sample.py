"""Pick 40 corpus answers and write, for each, its follow-ups and strengths as the grader outputs them.

The packet is for independent labellers (evals/FEEDBACK-LABELING.md): they see only the answer and
this output, and give each item one label. The pick is deterministic (seeded) and spread over the
prompts and the gold verdicts: the answers are grouped by (prompt, verdict), shuffled within each
group by the seed, and taken round-robin across the groups.

    python evals/feedback_sample.py OUT_DIR [--seed 10] [--n 40] [--evals evals] [--split fresh2]

OUT_DIR gets, per answer, `<id>.answer.md` (the answer, verbatim) and `<id>.feedback.md` (its
follow-up questions and strengths, numbered F1.. and S1..), a `<id>.labels.json` template to fill
in, and `manifest.json` (every item, for evals/feedback_rates.py). Each answer is graded with its
gold prompt, as `grade --prompt ID` grades it. The folder must not exist yet: a packet is never
overwritten.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from grade.core.grader import grade_text
from grade.eval.evaluation import Example, load_corpus

HERE = Path(__file__).resolve().parent
LABELS = ("useful", "already answered", "presupposes", "duplicate", "platitude")


def pick(examples: list[Example], n: int = 40, seed: int = 10) -> list[Example]:
    """`n` answers, spread over (prompt, gold verdict) groups, the same for the same seed and corpus."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[Example]] = {}
    for ex in sorted(examples, key=lambda e: (e.split, e.id)):
        groups.setdefault((ex.gold["prompt"], ex.gold["verdict"]), []).append(ex)
    queues = []
    for key in sorted(groups):
        members = groups[key][:]
        rng.shuffle(members)
        queues.append(members)
    rng.shuffle(queues)
    out: list[Example] = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out


def items_for(ex: Example) -> list[dict]:
    """The follow-ups and strengths the grader outputs for one answer, numbered."""
    result = grade_text(ex.text, name=ex.path.name, prompt=ex.gold["prompt"])
    items = [{"item": f"F{i}", "kind": "followup", "text": f.question} for i, f in enumerate(result.followups, 1)]
    strengths = result.critique.strengths if result.critique else []
    items += [{"item": f"S{i}", "kind": "strength", "text": s.text} for i, s in enumerate(strengths, 1)]
    return items


def feedback_page(ex: Example, items: list[dict]) -> str:
    lines = [f"# Feedback on answer {ex.id}", "",
             "The grader's follow-up questions and what it praised, exactly as it printed them.", "",
             "## Follow-up questions", ""]
    lines += [f"- **{i['item']}** {i['text']}" for i in items if i["kind"] == "followup"] or ["- (none)"]
    lines += ["", "## What was strong", ""]
    lines += [f"- **{i['item']}** {i['text']}" for i in items if i["kind"] == "strength"] or ["- (none)"]
    return "\n".join(lines) + "\n"


def write_packet(out: Path, chosen: list[Example], *, seed: int) -> dict:
    out.mkdir(parents=True)
    manifest = {"seed": seed, "labels": list(LABELS), "answers": []}
    for ex in chosen:
        items = items_for(ex)
        (out / f"{ex.id}.answer.md").write_text(ex.text, encoding="utf-8")
        (out / f"{ex.id}.feedback.md").write_text(feedback_page(ex, items), encoding="utf-8")
        template = {"answer": ex.id, "labeller": "", "labels": {i["item"]: "" for i in items}, "notes": {}}
        (out / f"{ex.id}.labels.json").write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
        manifest["answers"].append({"id": ex.id, "split": ex.split, "prompt": ex.gold["prompt"],
                                    "verdict": ex.gold["verdict"], "items": items})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create for the packet")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--evals", type=Path, default=HERE, help="the folder holding corpus/ (default: evals)")
    parser.add_argument("--split", help="pick only from this split (e.g. one no feedback change was tuned on)")
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"feedback_sample: {args.out} exists; a packet is never overwritten", file=sys.stderr)
        return 2
    examples = [e for e in load_corpus(args.evals) if args.split in (None, e.split)]
    if not examples:
        print(f"feedback_sample: no answers in split {args.split!r}", file=sys.stderr)
        return 2
    chosen = pick(examples, args.n, args.seed)
    manifest = write_packet(args.out, chosen, seed=args.seed)
    n_items = sum(len(a["items"]) for a in manifest["answers"])
    spread = sorted({(a["prompt"], a["verdict"]) for a in manifest["answers"]})
    print(f"{len(chosen)} answers, {n_items} items, {len(spread)} (prompt, verdict) groups -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
