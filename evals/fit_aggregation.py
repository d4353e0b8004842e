"""Fit the aggregation (criterion levels -> score -> verdict) to interviewers' verdicts on dev.

    python evals/fit_aggregation.py            # fit on evals/corpus/dev, print the figures
    python evals/fit_aggregation.py --write    # ... and write the numbers into rubric/default.toml

The model is an ordinal logistic regression over the rubric's section scores (each section's
weighted share of its criteria's full value): latent = sum(w_s * x_s), verdict by two cut points.
Its weights become `section_weights`, so the score the grader prints is that latent on a 0-100
scale and the cut points are the senior and architect bars. Every dev answer is a training row
twice: with the interviewers' levels (what the verdict means) and with the grader's own levels
for the same answer (what the grader will actually see), both labelled with the interviewers'
verdict. The value of a "mentioned" level and the regularisation are chosen by 5-fold
cross-validation on dev (by the mean of the accuracy from gold levels and from the grader's
levels); a cap is kept only when it makes more dev verdicts right than wrong. Only dev is read:
holdout and fresh never choose anything. Pure Python, no dependency beyond the grader itself.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
from dataclasses import replace
from pathlib import Path

from grade.core.grader import get_rubric, grade_levels, grade_text
from grade.core.results import CriterionResult
from grade.core.scoring import section_scores
from grade.rubric.runtime import BUNDLED_RUBRIC, CAP_KINDS, Rubric

ROOT = Path(__file__).resolve().parent
VERDICTS = ["below_bar", "senior", "architect"]
CAPS = list(CAP_KINDS)
MENTION_VALUES = [0.25, 0.4]
PENALTIES = [0.005, 0.02]
BORDERLINE_CHOICES = [2.0, 3.0, 4.0, 5.0, 6.0, 8.0]  # score points either side of a bar
BORDERLINE_MAX_ACCURACY = 0.6  # the widest band whose dev verdicts are right no more often than this
FOLDS = 5


def load_dev() -> list[dict]:
    """Dev answers: gold labels, plus the grader's own levels for the same text (`grader_levels`)."""
    rows = []
    for path in sorted((ROOT / "corpus" / "dev").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".md").read_text(encoding="utf-8")
        result = grade_text(text, prompt=gold["prompt"], rubric_path=BUNDLED_RUBRIC)
        rows.append({"id": path.stem, **gold, "grader_levels": {c.id: c.level for c in result.criteria}})
    return rows


def features(rubric: Rubric, gold: dict, mention: float, sections: list[str], key: str = "levels") -> list[float]:
    r = replace(rubric, verdicts=replace(rubric.verdicts, level_values=(0.0, mention, 1.0)))
    criteria = [CriterionResult(id=c.id, title=c.title, section=c.section, weight=r.weight(c, gold["prompt"]),
                                level=int(gold[key].get(c.id, 0))) for c in r.applicable(gold["prompt"])]
    parts = section_scores(criteria, r)
    return [parts.get(s, 0.0) for s in sections]


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z > -40 else 0.0


def fit(xs: list[list[float]], ys: list[int], penalty: float, steps: int = 2500,
        classes: int = 3) -> tuple[list[float], list[float]]:
    """Ordinal logistic regression over `classes` ordered classes, non-negative weights, L2 penalty;
    plain gradient descent with momentum. Returns the weights and the classes - 1 cut points."""
    n, k, m = len(xs), len(xs[0]), classes - 1
    w = [1.0] * k
    cuts = [1.0 + 2.0 * i for i in range(m)]
    vw, vc = [0.0] * k, [0.0] * m
    lr, mom = 0.5, 0.9
    for _ in range(steps):
        gw, gc = [2 * penalty * wi for wi in w], [0.0] * m
        for x, y in zip(xs, ys, strict=True):
            eta = sum(a * b for a, b in zip(w, x, strict=True))
            # P(y) = sig(c_y - eta) - sig(c_{y-1} - eta), with c_-1 = -inf and c_m = +inf
            hi = _sig(cuts[y] - eta) if y < m else 1.0
            lo = _sig(cuts[y - 1] - eta) if y > 0 else 0.0
            p = max(hi - lo, 1e-12)
            dhi = hi * (1 - hi) if y < m else 0.0
            dlo = lo * (1 - lo) if y > 0 else 0.0
            d_eta = (dhi - dlo) / p  # d(-log p)/d eta
            for j in range(k):
                gw[j] += d_eta * x[j] / n
            if y < m:
                gc[y] -= dhi / p / n
            if y > 0:
                gc[y - 1] += dlo / p / n
        for j in range(k):
            vw[j] = mom * vw[j] - lr * gw[j]
            w[j] = max(0.0, w[j] + vw[j])
        for j in range(m):
            vc[j] = mom * vc[j] - lr * gc[j]
            cuts[j] += vc[j]
        for j in range(1, m):
            cuts[j] = max(cuts[j], cuts[j - 1] + 0.05)
    return w, cuts


def latent(w: list[float], x: list[float]) -> float:
    return sum(a * b for a, b in zip(w, x, strict=True))


def predict(w: list[float], cuts: list[float], x: list[float]) -> int:
    eta = latent(w, x)
    return 2 if eta >= cuts[1] else 1 if eta >= cuts[0] else 0


def cross_validate(xs_gold, xs_grader, ys, penalty: float) -> tuple[float, float]:
    """5-fold verdict accuracy from gold levels and from the grader's levels, training on both."""
    order = list(range(len(ys)))
    random.Random(7).shuffle(order)
    right_gold = right_grader = 0
    for f in range(FOLDS):
        test = set(order[f::FOLDS])
        keep = [i for i in range(len(ys)) if i not in test]
        w, cuts = fit([xs_gold[i] for i in keep] + [xs_grader[i] for i in keep], [ys[i] for i in keep] * 2,
                      penalty, steps=1200)
        right_gold += sum(predict(w, cuts, xs_gold[i]) == ys[i] for i in test)
        right_grader += sum(predict(w, cuts, xs_grader[i]) == ys[i] for i in test)
    return right_gold / len(ys), right_grader / len(ys)


def write_rubric(path: Path, values: dict[str, str]) -> None:
    """Replace (or add, after its last key) `key = value` lines in the [verdicts] table, keeping the rest."""
    text = path.read_text(encoding="utf-8")
    start = text.index("[verdicts]\n")
    end = text.find("\n[", start + 1)
    end = len(text) if end == -1 else end
    table = text[start:end]
    for key, value in values.items():
        line = f"{key} = {value}  # fitted by evals/fit_aggregation.py"
        pattern = re.compile(rf"^{key} = .*$", re.M)
        if pattern.search(table):
            table = pattern.sub(lambda _m, line=line: line, table)
        else:
            last = list(re.finditer(r"^\w+ = .*$", table, re.M))[-1]
            table = table[:last.end()] + "\n" + line + table[last.end():]
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
        xs_gold = [features(rubric, g, mention, sections) for g in dev]
        xs_grader = [features(rubric, g, mention, sections, "grader_levels") for g in dev]
        for penalty in PENALTIES:
            acc_gold, acc_grader = cross_validate(xs_gold, xs_grader, ys, penalty)
            print(f"mention={mention} penalty={penalty}: cross-validated verdict accuracy "
                  f"{acc_gold:.3f} from gold levels, {acc_grader:.3f} from the grader's levels")
            if best is None or acc_gold + acc_grader > best[0] + best[1]:
                best = (acc_gold, acc_grader, mention, penalty, xs_gold, xs_grader)
    cv_gold, cv_grader, mention, penalty, xs_gold, xs_grader = best
    w, cuts = fit(xs_gold + xs_grader, ys * 2, penalty)
    on_gold = sum(predict(w, cuts, x) == y for x, y in zip(xs_gold, ys, strict=True)) / len(ys)
    on_grader = sum(predict(w, cuts, x) == y for x, y in zip(xs_grader, ys, strict=True)) / len(ys)
    print(f"\nchosen: mention={mention} penalty={penalty}, fitted on {len(dev)} dev answers. Cross-validated "
          f"verdict accuracy: {cv_gold:.3f} from gold levels, {cv_grader:.3f} from the grader's levels; "
          f"on all of dev: {on_gold:.3f} and {on_grader:.3f}")
    total = sum(w)
    weights = {s: round(100 * wi / total, 2) for s, wi in zip(sections, w, strict=True)}
    senior, architect = (round(100 * c / total, 1) for c in cuts)
    # Borderline: the widest band around the bars where dev verdicts (gold and grader levels) are
    # close to a coin toss.
    scores = [(100 * latent(w, x) / total, predict(w, cuts, x) == y)
              for xs in (xs_gold, xs_grader) for x, y in zip(xs, ys, strict=True)]
    bars = [100 * c / total for c in cuts]
    borderline = 0.0
    for width in BORDERLINE_CHOICES:
        near = [ok for sc, ok in scores if min(abs(sc - b) for b in bars) < width]
        rate = sum(near) / len(near) if near else 1.0
        print(f"within {width:g} points of a bar: {len(near)} dev verdicts, {rate:.2f} right")
        if near and rate <= BORDERLINE_MAX_ACCURACY:
            borderline = width
    fitted = {
        "level_values": f"[0.0, {mention}, 1.0]",
        "section_weights": "{ " + ", ".join(f"{s} = {v}" for s, v in weights.items()) + " }",
        "senior_min_score": f"{senior}", "architect_min_score": f"{architect}",
        "borderline_points": f"{borderline}",
    }
    for k, v in fitted.items():
        print(f"  {k} = {v}")
    if not args.write:
        return
    write_rubric(BUNDLED_RUBRIC, {**fitted, "caps": "[]"})
    # Caps: each is tried alone on top of the fitted score; it is kept only where the dev labels
    # support it (it makes more dev verdicts right than wrong, from gold and from grader levels).
    kept = []
    for cap in CAPS:
        right = {name: sum(grade_levels(g[key], g["prompt"], caps=caps, rubric_path=BUNDLED_RUBRIC)[1] == g["verdict"]
                           for g in dev for key in ("levels", "grader_levels"))
                 for name, caps in (("with", [cap]), ("without", []))}
        print(f"cap {cap}: {right['with']}/{2 * len(dev)} dev verdicts (gold and grader levels) right with it, "
              f"{right['without']} without")
        if right["with"] > right["without"]:
            kept.append(cap)
    write_rubric(BUNDLED_RUBRIC, {"caps": json.dumps(kept)})
    print(f"caps kept: {kept}; wrote {BUNDLED_RUBRIC}")


if __name__ == "__main__":
    main()
