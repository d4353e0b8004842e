"""Fit the aggregation (criterion levels -> score -> verdict) to interviewers' verdicts on dev.

    python evals/fit_aggregation.py            # fit on evals/corpus/dev, print the figures
    python evals/fit_aggregation.py --write    # ... and write the numbers into rubric/default.toml

The model is an ordinal logistic regression over the rubric's section scores (each section's
weighted share of its criteria's full value, from the gold levels): latent = sum(w_s * x_s),
verdict by two cut points. Its weights become `section_weights`, so the score the grader prints
is that latent on a 0-100 scale and the cut points are the senior and architect bars. The value
of a "mentioned" level and the regularisation are chosen by 5-fold cross-validation on dev; a cap
is kept only when it makes more dev verdicts right than wrong. Only dev is read: holdout and
fresh never choose anything. Pure Python, no dependency beyond the grader itself.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
from pathlib import Path

from grade.grader import get_rubric, grade_levels
from grade.results import CriterionResult
from grade.rubric.model import BUNDLED_RUBRIC, Rubric
from grade.scoring import section_scores

ROOT = Path(__file__).resolve().parent
VERDICTS = ["below_bar", "senior", "architect"]
CAPS = ["keyword_stuffing", "generic_diagram", "architect_requires", "core_correctness"]
MENTION_VALUES = [0.25, 0.4, 0.55]
PENALTIES = [0.001, 0.005, 0.02]
BORDERLINE_LOGIT = 0.75  # within this distance of a cut point, the verdict is a coin toss (p < ~0.68)
FOLDS = 5


def load_dev() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "corpus" / "dev").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        rows.append({"id": path.stem, **gold})
    return rows


def features(rubric: Rubric, gold: dict, mention: float, sections: list[str]) -> list[float]:
    values = rubric.verdicts.model_copy(update={"level_values": (0.0, mention, 1.0)})
    r = rubric.model_copy(update={"verdicts": values})
    criteria = [CriterionResult(id=c.id, title=c.title, section=c.section, weight=r.weight(c, gold["prompt"]),
                                level=int(gold["levels"].get(c.id, 0))) for c in r.applicable(gold["prompt"])]
    parts = section_scores(criteria, r)
    return [parts.get(s, 0.0) for s in sections]


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z > -40 else 0.0


def fit(xs: list[list[float]], ys: list[int], penalty: float, steps: int = 2500) -> tuple[list[float], list[float]]:
    """Ordinal logistic regression, non-negative weights, L2 penalty; plain gradient descent with momentum."""
    n, k = len(xs), len(xs[0])
    w = [1.0] * k
    cuts = [2.0, 5.0]
    vw, vc = [0.0] * k, [0.0, 0.0]
    lr, mom = 0.5, 0.9
    for _ in range(steps):
        gw, gc = [2 * penalty * wi for wi in w], [0.0, 0.0]
        for x, y in zip(xs, ys, strict=True):
            eta = sum(a * b for a, b in zip(w, x, strict=True))
            # P(y) = sig(c_y - eta) - sig(c_{y-1} - eta), with c_-1 = -inf and c_2 = +inf
            hi = _sig(cuts[y] - eta) if y < 2 else 1.0
            lo = _sig(cuts[y - 1] - eta) if y > 0 else 0.0
            p = max(hi - lo, 1e-12)
            dhi = hi * (1 - hi) if y < 2 else 0.0
            dlo = lo * (1 - lo) if y > 0 else 0.0
            d_eta = (dhi - dlo) / p  # d(-log p)/d eta
            for j in range(k):
                gw[j] += d_eta * x[j] / n
            if y < 2:
                gc[y] -= dhi / p / n
            if y > 0:
                gc[y - 1] += dlo / p / n
        for j in range(k):
            vw[j] = mom * vw[j] - lr * gw[j]
            w[j] = max(0.0, w[j] + vw[j])
        for j in range(2):
            vc[j] = mom * vc[j] - lr * gc[j]
            cuts[j] += vc[j]
        if cuts[1] < cuts[0] + 0.1:
            cuts[1] = cuts[0] + 0.1
    return w, cuts


def predict(w: list[float], cuts: list[float], x: list[float]) -> int:
    eta = sum(a * b for a, b in zip(w, x, strict=True))
    return 2 if eta >= cuts[1] else 1 if eta >= cuts[0] else 0


def cross_validate(xs, ys, penalty: float) -> float:
    order = list(range(len(xs)))
    random.Random(7).shuffle(order)
    right = 0
    for f in range(FOLDS):
        test = set(order[f::FOLDS])
        w, cuts = fit([x for i, x in enumerate(xs) if i not in test], [y for i, y in enumerate(ys) if i not in test],
                      penalty, steps=1200)
        right += sum(predict(w, cuts, xs[i]) == ys[i] for i in test)
    return right / len(xs)


def write_rubric(path: Path, values: dict[str, str]) -> None:
    """Replace (or add) `key = value` lines inside the [verdicts] table, keeping everything else."""
    text = path.read_text(encoding="utf-8")
    start = text.index("[verdicts]\n")
    end = text.find("\n[", start + 1)
    end = len(text) if end == -1 else end
    table = text[start:end]
    for key, value in values.items():
        line = f"{key} = {value}"
        pattern = re.compile(rf"^{key} = .*$", re.M)
        table = pattern.sub(line, table) if pattern.search(table) else table.rstrip("\n") + "\n" + line + "\n"
    path.write_text(text[:start] + table + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the fitted numbers into rubric/default.toml")
    args = parser.parse_args()
    rubric, _ = get_rubric(None)
    sections = [s.id for s in rubric.sections]
    dev = load_dev()
    ys = [VERDICTS.index(g["verdict"]) for g in dev]
    best = None
    for mention in MENTION_VALUES:
        xs = [features(rubric, g, mention, sections) for g in dev]
        for penalty in PENALTIES:
            acc = cross_validate(xs, ys, penalty)
            print(f"mention={mention} penalty={penalty}: cross-validated verdict accuracy {acc:.3f}")
            if best is None or acc > best[0]:
                best = (acc, mention, penalty, xs)
    cv_acc, mention, penalty, xs = best
    w, cuts = fit(xs, ys, penalty)
    total = sum(w)
    weights = {s: round(100 * wi / total, 2) for s, wi in zip(sections, w, strict=True)}
    senior, architect = (round(100 * c / total, 1) for c in cuts)
    borderline = round(100 * BORDERLINE_LOGIT / total, 1)
    fitted = {
        "level_values": f"[0.0, {mention}, 1.0]",
        "section_weights": "{ " + ", ".join(f"{s} = {v}" for s, v in weights.items()) + " }",
        "senior_min_score": f"{senior}", "architect_min_score": f"{architect}",
        "borderline_points": f"{borderline}",
    }
    print(f"\nchosen: mention={mention} penalty={penalty} (cross-validated accuracy {cv_acc:.3f})")
    for k, v in fitted.items():
        print(f"  {k} = {v}")
    if not args.write:
        return
    write_rubric(BUNDLED_RUBRIC, {**fitted, "caps": json.dumps(CAPS)})
    # Caps: keep one only where the dev labels support it (it makes more verdicts right than wrong).
    kept = []
    for cap in CAPS:
        with_all = sum(grade_levels(g["levels"], g["prompt"], caps=CAPS, rubric_path=BUNDLED_RUBRIC)[1] == g["verdict"]
                       for g in dev)
        without = sum(grade_levels(g["levels"], g["prompt"], caps=[c for c in CAPS if c != cap],
                                   rubric_path=BUNDLED_RUBRIC)[1] == g["verdict"] for g in dev)
        print(f"cap {cap}: {with_all}/{len(dev)} dev verdicts right with it, {without} without")
        if with_all > without:
            kept.append(cap)
    write_rubric(BUNDLED_RUBRIC, {"caps": json.dumps(kept)})
    print(f"caps kept: {kept}; wrote {BUNDLED_RUBRIC}")


if __name__ == "__main__":
    main()
