"""Tokens and requests per graded answer: one request for every criterion (what `grade --llm`
sends) against one request per criterion, on the same answers with the same templates.

    python scripts/llm_token_figures.py [--model gpt-4o-mini] [FILE ...]   (default: answers/*.md)

Input tokens are the requests exactly as `grade answer --llm --dry-run` prints and counts them
(messages, framing and the response schema); output tokens are estimated from a typical reply
(the rules' levels with their evidence as quotes, plus the critique for the one-request design).
Nothing is sent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grade.llm.plan import request_figures

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--model", default="gpt-4o-mini")
    args = parser.parse_args(argv)
    files = args.files or sorted((ROOT / "answers").glob("*.md"))
    rows = [request_figures(f.read_text(encoding="utf-8"), name=f.name, model=args.model) for f in files]
    print(f"Model {args.model}; {rows[0]['counted_with']}.\n")
    print("| answer | criteria | one request: requests | input | output (est.) | total "
          "| per criterion: requests | input | output (est.) | total | one / per |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        one, per = r["one_request"], r["per_criterion"]
        print(f"| {r['answer']} | {r['criteria']} | {one['requests']} | {one['input']:,} | {one['output']:,} | "
              f"{one['total']:,} | {per['requests']} | {per['input']:,} | {per['output']:,} | {per['total']:,} | "
              f"{r['ratio']:.3f} |")
    n = len(rows)
    mean = {side: {k: sum(r[side][k] for r in rows) / n for k in ("requests", "input", "output", "total")}
            for side in ("one_request", "per_criterion")}
    one, per = mean["one_request"], mean["per_criterion"]
    print(f"| **mean per answer** | {sum(r['criteria'] for r in rows) / n:.1f} | {one['requests']:.0f} | "
          f"{one['input']:,.0f} | {one['output']:,.0f} | {one['total']:,.0f} | {per['requests']:.1f} | "
          f"{per['input']:,.0f} | {per['output']:,.0f} | {per['total']:,.0f} | {one['total'] / per['total']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
