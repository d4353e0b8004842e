"""What a writer is asked for, shared by every round's plan: the prompts, the styles and their
lengths, vocabularies, voices and traps, and `plan()`, which deals them out to answers, seeded.

Each round's `plan.py` calls it with its own seed and cells; `place.py` moves an adjudicated round
into the corpus.
"""

import json
import random
from pathlib import Path

PROMPTS = ["realtime-analytics", "cdc-lakehouse", "feature-store", "dq-observability", "privacy-dsr"]


def cells(per_prompt: dict[str, int], extra: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    out = []
    for p in PROMPTS:
        for v, n in per_prompt.items():
            out += [(p, v)] * (n + extra.get((p, v), 0))
    return out


STYLES = [  # (style, share)
    ("bullets", 0.30),  # bullets only, no prose paragraphs
    ("rfc", 0.20),  # an engineering design doc / RFC, not an interview answer
    ("prose", 0.15),  # paragraphs, at most a title
    ("six-headings", 0.15),  # the guide's six parts, own wording
    ("own-headings", 0.12),  # own headings, own order
    ("long", 0.08),  # 1000-1500 words, maybe a table or code block
]
LENGTH = {  # word-count ranges by style
    "bullets": [(120, 300), (200, 450), (300, 600)],
    "rfc": [(300, 450), (450, 800), (700, 1100)],
    "prose": [(150, 300), (250, 450), (450, 800)],
    "six-headings": [(250, 450), (450, 700), (600, 1000)],
    "own-headings": [(200, 450), (400, 700), (600, 1000)],
    "long": [(1000, 1500)],
}
VOCAB = ["AWS-heavy", "GCP-heavy", "Azure-heavy", "Databricks-heavy", "Snowflake-heavy",
         "vendor-neutral (no product names at all)", "vendor-neutral (few product names)", "mixed open source"]
VOICES = ["startup engineer", "ex-bank architect", "non-native English speaker (small grammar slips)",
          "terse staff engineer", "verbose consultant", "platform team lead", "ML engineer", "analytics engineer",
          "non-native English speaker (short sentences)"]
TRAPS = ["none"] * 6 + ["H1 plain words", "H2 keyword-stuffed", "H3 wrong sense", "H4 generic diagram",
                        "H5 reasoned no"]


def plan(prefix: str, rows: list[tuple[str, str]], holdout_share: float, rng: random.Random,
         start: int = 1) -> list[dict]:
    rng.shuffle(rows)
    styles = []
    for s, share in STYLES:
        styles += [s] * round(share * len(rows))
    styles = (styles + ["bullets"] * len(rows))[: len(rows)]
    rng.shuffle(styles)
    out = []
    for i, ((prompt, verdict), style) in enumerate(zip(rows, styles, strict=True), start):
        lo, hi = rng.choice(LENGTH[style])
        trap = rng.choice(TRAPS)
        if verdict == "architect" and trap in ("H2 keyword-stuffed", "H4 generic diagram"):
            trap = "none"
        if verdict == "below_bar" and trap in ("H1 plain words",):
            trap = "none"
        fmt = []
        if style in ("prose", "rfc", "six-headings", "own-headings", "long") and rng.random() < 0.5:
            fmt.append("hard-wrap every paragraph and list item at 60-80 columns, "
                       "continuation lines indented under list items")
        if rng.random() < 0.5:
            fmt.append("start with an H1 title naming the design")
        if style != "bullets" and rng.random() < 0.2:
            fmt.append("include one small Markdown table")
        if style != "bullets" and rng.random() < 0.1:
            fmt.append("include one block quote (e.g. quoting a requirement)")
        out.append({
            "id": f"{prefix}{i:03d}", "prompt": prompt, "intended_verdict": verdict, "style": style,
            "words": f"{lo}-{hi}", "vocabulary": rng.choice(VOCAB), "voice": rng.choice(VOICES),
            "trap": trap, "format": fmt,
            "split": "holdout" if rng.random() < holdout_share else "dev",
        })
    return out


def write_fresh_split(plan_py: str, prefix: str, split: str, seed: int) -> None:
    """Write a fresh split's plan.json beside `plan_py`: 40 answers, 3 below bar, 3 senior and 2
    architect per prompt, dealt out by `plan()` with `seed` (rounds 4 onwards; deterministic)."""
    rows = plan(prefix, cells({"below_bar": 3, "senior": 3, "architect": 2}, {}), 0.0, random.Random(seed))
    for r in rows:
        r["split"] = split
    Path(plan_py).with_name("plan.json").write_text(json.dumps(rows, indent=1) + "\n")
    print(len(rows))
