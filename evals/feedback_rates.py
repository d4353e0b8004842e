"""The rates of each label over a labelled feedback sample (evals/FEEDBACK-LABELING.md).

    python evals/feedback_rates.py SAMPLE_DIR LABELS_DIR [LABELS_DIR ...] [--format text|json|markdown]

SAMPLE_DIR is the packet evals/feedback_sample.py wrote (its manifest.json lists every item);
each LABELS_DIR holds one labeller's `<id>.labels.json` files. For each labeller: the share of
each label over all items, over follow-ups and over strengths, against the targets (useful >= 85%
of labelled items; already answered <= 5% of follow-ups; no presupposing follow-up; no duplicate).
With two or more labellers: how often the first two agree on an item, and Cohen's kappa. A label
file that is missing, names an item the packet does not have, or uses another label is reported;
its items do not count.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

LABELS = ("useful", "already answered", "presupposes", "duplicate", "platitude")
TARGETS = [  # (label, kind or None for all, "min"/"max", value, how it is said)
    ("useful", None, "min", 0.85, "useful >= 85% of labelled items"),
    ("already answered", "followup", "max", 0.05, "already answered <= 5% of follow-ups"),
    ("presupposes", "followup", "max", 0.0, "presupposing follow-ups = 0"),
    ("duplicate", None, "max", 0.0, "duplicates (repeated ideas) = 0"),
]


def load_labels(sample: Path, labels_dir: Path) -> tuple[dict[tuple[str, str], str], list[str]]:
    """(answer id, item) -> label, for every valid label file; and the problems found."""
    manifest = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))
    out: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for answer in manifest["answers"]:
        path = labels_dir / f"{answer['id']}.labels.json"
        if not path.exists():
            problems.append(f"{path}: missing")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}: not valid JSON ({exc.msg})")
            continue
        given = data.get("labels") or {}
        wanted = {i["item"] for i in answer["items"]}
        bad = [f"{k}={v!r}" for k, v in given.items() if k not in wanted or v not in LABELS]
        absent = sorted(wanted - set(given))
        if bad or absent:
            problems.append(f"{path}: " + "; ".join(filter(None, [
                f"not an item of the packet or not a label: {', '.join(bad)}" if bad else "",
                f"unlabelled: {', '.join(absent)}" if absent else ""])))
            continue
        out.update({(answer["id"], k): v for k, v in given.items()})
    return out, problems


def rates(sample: Path, labels: dict[tuple[str, str], str]) -> dict:
    manifest = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))
    kinds = {(a["id"], i["item"]): i["kind"] for a in manifest["answers"] for i in a["items"]}
    out: dict = {}
    for scope, pick in (("all", lambda k: True), ("followup", lambda k: k == "followup"),
                        ("strength", lambda k: k == "strength")):
        chosen = [v for key, v in labels.items() if pick(kinds[key])]
        counts = Counter(chosen)
        out[scope] = {"items": len(chosen), **{label: counts[label] for label in LABELS},
                      "shares": {label: (counts[label] / len(chosen) if chosen else None) for label in LABELS}}
    out["targets"] = []
    for label, kind, way, value, said in TARGETS:
        share = out[kind or "all"]["shares"][label]
        met = share is not None and (share >= value - 1e-9 if way == "min" else share <= value + 1e-9)
        out["targets"].append({"target": said, "share": share, "met": met})
    return out


def agreement(a: dict[tuple[str, str], str], b: dict[tuple[str, str], str]) -> dict:
    """Exact agreement and Cohen's kappa over the items both labelled."""
    shared = sorted(set(a) & set(b))
    if not shared:
        return {"items": 0, "agreement": None, "kappa": None}
    observed = sum(a[k] == b[k] for k in shared) / len(shared)
    ca, cb = Counter(a[k] for k in shared), Counter(b[k] for k in shared)
    expected = sum(ca[label] * cb[label] for label in LABELS) / len(shared) ** 2
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return {"items": len(shared), "agreement": observed, "kappa": kappa}


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def render(report: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    md = fmt == "markdown"
    out = ["# Feedback labels: rates" if md else "Feedback labels: rates", ""]
    for name, data in report["labellers"].items():
        out.append(f"## {name}" if md else name)
        header = ["scope", "items", *LABELS]
        rows = [[scope, str(data[scope]["items"]), *(f"{data[scope][lb]} ({_f(data[scope]['shares'][lb])})"
                                                     for lb in LABELS)] for scope in ("all", "followup", "strength")]
        if md:
            out += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out += ["| " + " | ".join(r) + " |" for r in rows]
        else:
            out += ["  " + "  ".join(r) for r in [header, *rows]]
        out += [""] + [f"{'- ' if md else '  '}{t['target']}: {_f(t['share'])} ({'met' if t['met'] else 'SHORT'})"
                       for t in data["targets"]]
        for p in data["problems"]:
            out.append(f"{'- ' if md else '  '}problem: {p}")
        out.append("")
    if report.get("agreement"):
        ag = report["agreement"]
        out.append(f"Agreement of the first two labellers over {ag['items']} items: {_f(ag['agreement'])}, "
                   f"Cohen's kappa {_f(ag['kappa'])}")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sample", type=Path)
    parser.add_argument("labels", type=Path, nargs="+")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    args = parser.parse_args(argv)
    if not (args.sample / "manifest.json").exists():
        print(f"feedback_rates: {args.sample}: no manifest.json (write one with evals/feedback_sample.py)",
              file=sys.stderr)
        return 2
    report: dict = {"labellers": {}}
    loaded = []
    for folder in args.labels:
        labels, problems = load_labels(args.sample, folder)
        loaded.append(labels)
        report["labellers"][str(folder)] = rates(args.sample, labels) | {"problems": problems}
    if len(loaded) >= 2:
        report["agreement"] = agreement(loaded[0], loaded[1])
    sys.stdout.write(render(report, args.format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
