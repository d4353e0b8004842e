"""Fit the aggregation (criterion levels -> score -> verdict) to interviewers' verdicts on the training splits.

    python evals/fit_aggregation.py            # fit on the TRAIN_SPLITS, print the figures
    python evals/fit_aggregation.py --write    # ... and write the numbers into rubric/default.toml

The training set is TRAIN_SPLITS: dev plus the fresh splits fresh..fresh19. Those fresh splits were
each reported once, as they came out, in earlier rounds; having served as a test they are folded
into training (more data: 877 answers from round 25, 837 in round 24, 757 in round 23, 597 in rounds 16-22, 317 in
rounds 11-15, dev's 117 before). The splits still held out (holdout and the later fresh splits)
are never read here. Below, "dev" in
older wording means this training set.

The model is an ordinal logistic regression over the rubric's section scores (each section's
weighted share of its criteria's full value): latent = sum(w_s * x_s), verdict by two cut points.
Its weights become `section_weights`, so the score the grader prints is that latent on a 0-100 scale
and the cut points are the senior and architect bars. Optionally the section scores are normalised
per prompt: each is multiplied by the prompt's scale, the mean coverage (criterion-weighted share
of full value) of all answers over that of the answers to the prompt, computed from levels alone (no
verdict): a privacy answer is not held to the stream-timing criteria an analytics one covers. The
scales become `prompt_scales`. Optionally (per-prompt bars) each prompt also has an offset: the
weight of an indicator of the prompt, free in sign and penalised (the penalty, chosen like the
others, shrinks the offsets toward 0), added to the latent; on the 0-100 scale it becomes
`prompt_offsets`, points added to the score of an answer to that prompt, so the bars stay the same
two numbers for every prompt. Every training answer is a training row twice: with the interviewers'
levels (what the verdict means) and with the grader's own levels for the same answer (what the
grader will actually see), both labelled with the interviewers' verdict.

The options (the per-prompt scale, the offsets and their penalty, the value of a "mentioned" level,
the weights' penalty) are chosen by two cross-validations, each scored by the mean of the verdict
accuracy from gold levels and from the grader's levels (the scales are computed inside each fold
from its training answers; an answer's two rows are always in the same fold):
- grouped (the basis of choice since round 24): leave one split out, each training split a fold,
  the mean over the held-out splits. Each fresh split was written and labelled by new people, so
  this is how a model fitted on earlier rounds does on a round it has never seen; random folds mix
  every round into every fold and reward fitting a round's own habits (per-prompt offsets).
- random: 5 folds over answers, repeated over SEEDS, the accuracy over all answers averaged over
  the seeds (the basis before round 24).
The option set the random CV would choose among the options before round 24 (BAR_PENALTIES_BEFORE)
is kept unless the grouped CV's best beats it on the
grouped mean by ADOPT_MARGIN and loses on the random mean by at most ADOPT_MARGIN; both CVs'
figures are printed for every option set. A cap (the seed's architect signals gate,
ARCHITECT_REQUIRES, among them) is tried alone on top of the chosen model, out of fold on both CVs
(the random one on the first seed's folds): it is on when it makes more held-out verdicts right
than without it on the random folds, unless the grouped CV says otherwise by ADOPT_MARGIN (with
the same guard); the gate's table is written empty when it is off. The borderline width is the
widest band around the bars whose in-sample verdicts are right no more often than
BORDERLINE_MAX_ACCURACY (the same bands out of fold are printed). Only the TRAIN_SPLITS are read:
holdout and the later fresh splits never choose anything.

A criterion no gold label carries (one the rubric added after the answers were labelled,
e.g. signals.tradeoffs) takes the grader's own level in the gold row too: the gold rows then differ
from the grader rows only where the interviewers graded. `--drop ID` fits as if the rubric had no
criterion ID (the CV with and without a new criterion, on the same cached grader levels). Pure
Python, no dependency beyond the grader itself."""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import operator
import random
import re
from dataclasses import replace
from pathlib import Path

from grade.core.grader import get_rubric, grade_text
from grade.core.results import CriterionResult
from grade.core.scoring import aggregate, section_scores
from grade.eval.evaluation import TRAINING_SPLITS
from grade.rubric.model import load_rubric
from grade.rubric.runtime import BUNDLED_RUBRIC, CAP_KINDS, Rubric

ROOT = Path(__file__).resolve().parent
VERDICTS = ["below_bar", "senior", "architect"]
CAPS = list(CAP_KINDS)
# The seed's architect signal (say what stays batch, and why) and the product-company bar on
# multi-tenancy (an isolation model at all): tried as the `architect_requires` cap.
ARCHITECT_REQUIRES = {"signals.streaming_restraint": 2, "structure.security.tenant_isolation": 1}
# The grid, narrowed when the training set grew to 317 answers (a setting now takes about a minute):
# on those answers, section scores without the prompt's scale lost (best 0.795 against 0.822 with
# it), and the full grid on dev alone had chosen "mentioned" worth 0 with the prompt's scale.
# Round 22: "mentioned" worth 0.1 or 0.25 lost to 0 at every penalty on the 597 answers (0.833 and
# 0.828 against 0.836), and a smaller penalty (0.002) did better than 0.01.
MENTION_VALUES = [0.0]
PENALTIES = [0.002, 0.005]
# Per-prompt bars: an offset per prompt added to the score (fitted like a weight on the prompt's
# indicator, free in sign, with its own penalty: the larger, the more the offsets shrink toward 0).
# None: no offsets. Round 22, on the 597 training answers: the random-fold CV accuracy 0.836
# without them, about 0.847-0.849 with them (penalty 0.001); round 24 asks the grouped CV.
BAR_PENALTIES: list[float | None] = [None, 0.001, 0.01]
BAR_PENALTIES_BEFORE = (None, 0.001)  # the choices before round 24: the random CV picks among these
# An option set replaces the one the random-fold CV would choose (the pre-round-24 basis) only when
# it wins on the grouped (leave-one-split-out) CV mean by at least this and loses on the
# random-fold CV mean by at most this.
ADOPT_MARGIN = 0.005
PER_PROMPT = [True]  # section scores times the prompt's scale (False: as they are)
SEEDS = [7, 11, 23]  # the first one's folds are the ones reported (and the caps' test)
BORDERLINE_CHOICES = [2.0, 3.0, 4.0, 5.0, 6.0, 8.0]  # score points either side of a bar
BORDERLINE_MAX_ACCURACY = 0.6  # the widest band whose dev verdicts are right no more often than this
FOLDS = 5
# The fitting set: dev plus the fresh splits already reported in earlier rounds (see the docstring).
TRAIN_SPLITS = list(TRAINING_SPLITS)


def load_dev(cache: Path | None = None) -> list[dict]:
    """Training answers (TRAIN_SPLITS): gold labels, plus the grader's own levels for the same text
    (`grader_levels`). `cache`: a JSON file of those grader levels, written on first use (for
    iterating on the aggregation alone; stale once the detectors change)."""
    if cache and cache.exists():
        return fill_gold(json.loads(cache.read_text(encoding="utf-8")))
    rows = []
    for split in TRAIN_SPLITS:
        for path in sorted((ROOT / "corpus" / split).glob("*.json")):
            gold = json.loads(path.read_text(encoding="utf-8"))
            text = path.with_suffix(".md").read_text(encoding="utf-8")
            result = grade_text(text, prompt=gold["prompt"], rubric_path=BUNDLED_RUBRIC)
            rows.append({"id": f"{split}/{path.stem}", **gold,
                         "grader_levels": {c.id: c.level for c in result.criteria}})
    if cache:
        cache.write_text(json.dumps(rows), encoding="utf-8")
    return fill_gold(rows)


def fill_gold(rows: list[dict]) -> list[dict]:
    """Give the gold levels the grader's level for every criterion no gold label carries at all (a
    criterion added after labelling): the interviewers never graded it, so 0 would be a false gold."""
    labelled = {cid for g in rows for cid in g["levels"]}
    for g in rows:
        g["levels"] = {**{k: v for k, v in g["grader_levels"].items() if k not in labelled}, **g["levels"]}
    return rows


def _criteria(rubric: Rubric, levels: dict, prompt: str) -> list[CriterionResult]:
    return [CriterionResult(id=c.id, title=c.title, section=c.section, weight=rubric.weight(c, prompt),
                            level=int(levels.get(c.id, 0))) for c in rubric.applicable(prompt)]


def features(rubric: Rubric, gold: dict, mention: float, sections: list[str], key: str = "levels") -> list[float]:
    r = replace(rubric, verdicts=replace(rubric.verdicts, level_values=(0.0, mention, 1.0)))
    parts = section_scores(_criteria(r, gold[key], gold["prompt"]), r)
    return [parts.get(s, 0.0) for s in sections]


def coverage(rubric: Rubric, gold: dict, mention: float, key: str = "levels") -> float:
    """The criterion-weighted share of full value (no section weights): what the prompt scale evens out."""
    values = (0.0, mention, 1.0)
    crit = _criteria(rubric, gold[key], gold["prompt"])
    return sum(c.weight * values[c.level] for c in crit) / sum(c.weight for c in crit)


def prompt_scales(prompts: list[str], covs: list[float], rows: list[int]) -> dict[str, float]:
    """Each prompt's scale, from the answers `rows`: the mean coverage of them all over that of the
    prompt's (`covs` holds each answer's gold and grader coverage, averaged)."""
    mean = sum(covs[i] for i in rows) / len(rows)
    out = {}
    for p in sorted({prompts[i] for i in rows}):
        mine = [covs[i] for i in rows if prompts[i] == p]
        out[p] = round(mean / (sum(mine) / len(mine)), 3)
    return out


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z > -40 else 0.0


def fit(xs: list[list[float]], ys: list[int], penalty: float, steps: int = 2500,
        classes: int = 3, signed: int = 0, signed_penalty: float = 0.001) -> tuple[list[float], list[float]]:
    """Ordinal logistic regression over `classes` ordered classes, non-negative weights, L2 penalty;
    plain gradient descent with momentum. The last `signed` weights (the per-prompt offsets) may be
    negative and have their own penalty. Returns the weights and the classes - 1 cut points."""
    n, k, m = len(xs), len(xs[0]), classes - 1
    pen = [penalty] * (k - signed) + [signed_penalty] * signed
    cols = [list(col) for col in zip(*xs, strict=True)]
    w = [1.0] * (k - signed) + [0.0] * signed
    cuts = [1.0 + 2.0 * i for i in range(m)]
    vw, vc = [0.0] * k, [0.0] * m
    lr, mom = 0.5, 0.9
    mul = operator.mul
    for _ in range(steps):
        gc = [0.0] * m
        d = []
        for x, y in zip(xs, ys, strict=True):
            eta = sum(map(mul, w, x))
            # P(y) = sig(c_y - eta) - sig(c_{y-1} - eta), with c_-1 = -inf and c_m = +inf
            hi = _sig(cuts[y] - eta) if y < m else 1.0
            lo = _sig(cuts[y - 1] - eta) if y > 0 else 0.0
            p = max(hi - lo, 1e-12)
            dhi = hi * (1 - hi) if y < m else 0.0
            dlo = lo * (1 - lo) if y > 0 else 0.0
            d.append((dhi - dlo) / p)  # d(-log p)/d eta
            if y < m:
                gc[y] -= dhi / p / n
            if y > 0:
                gc[y - 1] += dlo / p / n
        gw = [2 * pen[j] * w[j] + sum(map(mul, d, cols[j])) / n for j in range(k)]
        for j in range(k):
            vw[j] = mom * vw[j] - lr * gw[j]
            w[j] = w[j] + vw[j] if j >= k - signed else max(0.0, w[j] + vw[j])
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


def scaled(xs: list[list[float]], prompts: list[str], scales: dict[str, float] | None) -> list[list[float]]:
    if scales is None:
        return xs
    return [[v * scales.get(p, 1.0) for v in x] for x, p in zip(xs, prompts, strict=True)]


def folds(n: int, seed: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[f::FOLDS]) for f in range(FOLDS)]


def split_of(answer: dict) -> str:
    return answer["id"].split("/", 1)[0]


def split_folds(dev: list[dict]) -> dict[str, list[int]]:
    """Leave-one-split-out folds: each training split (a round's writers and labellers) is one fold."""
    out: dict[str, list[int]] = {}
    for i, g in enumerate(dev):
        out.setdefault(split_of(g), []).append(i)
    return {s: out[s] for s in TRAIN_SPLITS if s in out}


def with_bars(xs: list[list[float]], prompts: list[str], names: list[str]) -> list[list[float]]:
    """The features plus one indicator per prompt of `names`: their weights are the per-prompt offsets."""
    return [x + [float(p == q) for q in names] for x, p in zip(xs, prompts, strict=True)]


def fit_fold(data: dict, ys: list[int], keep: list[int], penalty: float, per_prompt: bool, steps: int = 1200,
             bars: float | None = None):
    """Fit on the answers `keep` (gold and grader rows): weights (the per-prompt offsets last, when
    `bars`, their penalty, is not None), cuts and the prompt scales (or None)."""
    scales = prompt_scales(data["prompts"], data["covs"], keep) if per_prompt else None
    xg, xr = scaled(data["gold"], data["prompts"], scales), scaled(data["grader"], data["prompts"], scales)
    names = sorted(set(data["prompts"])) if bars is not None else []  # a prompt absent from `keep`: offset 0
    if names:
        xg, xr = with_bars(xg, data["prompts"], names), with_bars(xr, data["prompts"], names)
    w, cuts = fit([xg[i] for i in keep] + [xr[i] for i in keep], [ys[i] for i in keep] * 2, penalty, steps=steps,
                  signed=len(names), signed_penalty=bars or 0.0)
    return w, cuts, scales, xg, xr


def _held_out(job: tuple) -> tuple[list[float], list[float], dict | None]:
    """One fold's fit (a worker's job): the weights, cuts and scales fitted without the answers `test`."""
    data, ys, test, penalty, per_prompt, bars = job
    held = set(test)
    keep = [i for i in range(len(ys)) if i not in held]
    w, cuts, scales, _, _ = fit_fold(data, ys, keep, penalty, per_prompt, bars=bars)
    return w, cuts, scales


class Folds:
    """Out-of-fold fits, each computed once (the CV and the caps' test share them), `jobs` at a time."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.done: dict[tuple, tuple] = {}

    def fits(self, data: dict, ys: list[int], tests: list[list[int]], penalty: float, per_prompt: bool,
             bars: float | None) -> list[tuple]:
        keys = [(data["mention"], penalty, per_prompt, bars, tuple(t)) for t in tests]
        todo = [(k, t) for k, t in zip(keys, tests, strict=True) if k not in self.done]
        work = [(data, ys, t, penalty, per_prompt, bars) for _, t in todo]
        if self.jobs > 1 and len(work) > 1:
            with multiprocessing.Pool(min(self.jobs, len(work))) as pool:
                results = pool.map(_held_out, work)
        else:
            results = [_held_out(job) for job in work]
        for (k, _), r in zip(todo, results, strict=True):
            self.done[k] = r
        return [self.done[k] for k in keys]


def rows_of(data: dict, x: list[float], i: int, scales: dict | None, bars: bool) -> list[float]:
    """Answer i's features (gold or grader `x`) as the fold's model sees them: scaled, with the prompt indicators."""
    p = data["prompts"][i]
    v = [a * (scales or {}).get(p, 1.0) for a in x]
    return v + [float(p == q) for q in sorted(set(data["prompts"]))] if bars else v


def cross_validate(data: dict, ys: list[int], penalty: float, per_prompt: bool, tests: list[list[int]],
                   bars: float | None, pool: Folds) -> list[tuple[float, float]]:
    """Per fold of `tests`: held-out verdict accuracy from gold levels and from the grader's levels
    (the model trained on both rows of every other answer)."""
    out = []
    for test, (w, cuts, scales) in zip(tests, pool.fits(data, ys, tests, penalty, per_prompt, bars), strict=True):
        right = [sum(predict(w, cuts, rows_of(data, data[key][i], i, scales, bars is not None)) == ys[i]
                     for i in test) / len(test) for key in ("gold", "grader")]
        out.append((right[0], right[1]))
    return out


def offsets(w: list[float], sections: list[str], prompts: list[str]) -> dict[str, float]:
    """The per-prompt offsets in score points (the weights after the sections', when fitted with bars)."""
    total = sum(w[:len(sections)]) or 1.0
    return {p: 100 * b / total for p, b in zip(sorted(set(prompts)), w[len(sections):], strict=False)}


def fitted_rubric(rubric: Rubric, sections: list[str], w: list[float], cuts: list[float], mention: float,
                  scales: dict[str, float] | None, caps: list[str], shifts: dict[str, float]) -> Rubric:
    """The rubric with a fitted model's numbers in [verdicts] (unrounded), the gate and `caps`."""
    total = sum(w[:len(sections)]) or 1.0
    return replace(rubric, verdicts=replace(
        rubric.verdicts, level_values=(0.0, mention, 1.0),
        section_weights=dict(zip(sections, w[:len(sections)], strict=True)), prompt_offsets=shifts,
        senior_min_score=100 * cuts[0] / total, architect_min_score=100 * cuts[1] / total,
        prompt_scales=scales or {}, architect_requires=ARCHITECT_REQUIRES, caps=caps, borderline_points=0.0))


def cap_effects(rubric: Rubric, sections: list[str], dev: list[dict], data: dict, ys: list[int],
                setting: tuple, tests: list[list[int]], pool: Folds) -> dict[str, list[tuple[float, float]]]:
    """Per fold of `tests`, out of fold: the share of held-out verdicts (gold and grader levels
    together) right with each cap alone and without any, through the grader's own aggregation."""
    mention, per_prompt, penalty, bars = setting
    right: dict[str, list[tuple[float, float]]] = {cap: [] for cap in CAPS}
    for test, (w, cuts, scales) in zip(tests, pool.fits(data, ys, tests, penalty, per_prompt, bars), strict=True):
        shifts = offsets(w, sections, data["prompts"]) if bars is not None else {}
        for cap in CAPS:
            counts = [0, 0]
            for slot, caps in enumerate(([cap], [])):
                r = fitted_rubric(rubric, sections, w, cuts, mention, scales, caps, shifts)
                counts[slot] = sum(aggregate(_criteria(r, dev[i][key], dev[i]["prompt"]), r, dev[i]["prompt"]).verdict
                                   == dev[i]["verdict"] for i in test for key in ("levels", "grader_levels"))
            right[cap].append((counts[0] / (2 * len(test)), counts[1] / (2 * len(test))))
    return right


def pooled(per_fold: list[tuple[float, ...]], tests: list[list[int]]) -> list[float]:
    """Accuracies over all answers (folds weighted by their size): the random-fold CV's figure."""
    n = sum(len(t) for t in tests)
    return [sum(r[j] * len(t) for r, t in zip(per_fold, tests, strict=True)) / n for j in range(len(per_fold[0]))]


def macro(per_fold: list[tuple[float, ...]]) -> list[float]:
    """Accuracies averaged over the folds (each held-out split, a round, counts once): the grouped CV's figure."""
    return [sum(r[j] for r in per_fold) / len(per_fold) for j in range(len(per_fold[0]))]


def adopt(grouped: dict, rand: dict, incumbent, challenger) -> bool:
    """Whether `challenger` replaces `incumbent`: it wins on the grouped CV mean by ADOPT_MARGIN and loses
    on the random-fold CV mean by at most ADOPT_MARGIN (`grouped`, `rand`: option -> mean accuracy)."""
    return (grouped[challenger] >= grouped[incumbent] + ADOPT_MARGIN - 1e-9
            and rand[challenger] >= rand[incumbent] - ADOPT_MARGIN - 1e-9)


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


def describe(option: tuple) -> str:
    mention, per_prompt, penalty, bars = option
    return (f"mention={mention} per_prompt={per_prompt} penalty={penalty} "
            f"offsets={'off' if bars is None else f'penalty {bars}'}")


def band_rates(scores: list[tuple[float, list[float], bool]]) -> float:
    """The widest of BORDERLINE_CHOICES whose verdicts (score, the bars, right?) are right no more
    often than BORDERLINE_MAX_ACCURACY (never narrower than the first choice), printing each band."""
    chosen = BORDERLINE_CHOICES[0]
    for width in BORDERLINE_CHOICES:
        near = [ok for sc, bars, ok in scores if min(abs(sc - b) for b in bars) < width]
        rate = sum(near) / len(near) if near else 1.0
        print(f"  within {width:g} points of a bar: {len(near)} verdicts, {rate:.2f} right")
        if near and rate <= BORDERLINE_MAX_ACCURACY:
            chosen = width
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the fitted numbers into rubric/default.toml")
    parser.add_argument("--levels-cache", type=Path, help="JSON file caching the grader's levels (read if present)")
    parser.add_argument("--drop", action="append", default=[], metavar="ID",
                        help="fit as if the rubric had no criterion ID (repeatable; never with --write)")
    parser.add_argument("--jobs", type=int, default=2, help="folds fitted in parallel (processes; default 2)")
    args = parser.parse_args()
    if args.drop and args.write:
        parser.error("--drop is for comparing fits; it cannot --write")
    rubric, _ = get_rubric(None)
    if args.drop:
        rubric = replace(rubric, criteria=[c for c in rubric.criteria if c.id not in args.drop])
    sections = [s.id for s in rubric.sections]
    dev = load_dev(args.levels_cache)
    ys = [VERDICTS.index(g["verdict"]) for g in dev]
    prompts = [g["prompt"] for g in dev]
    pool = Folds(args.jobs)
    groups = split_folds(dev)
    gtests = list(groups.values())
    rtests = {seed: folds(len(ys), seed) for seed in SEEDS}
    rand: dict[tuple, float] = {}
    grouped: dict[tuple, float] = {}
    datas = {}
    print(f"{len(dev)} training answers in {len(groups)} splits. Random CV: {FOLDS} folds over answers, "
          f"seeds {SEEDS}; grouped CV: leave one split out, the mean over the held-out splits. Each figure "
          "is the verdict accuracy from gold levels / from the grader's levels, then their mean.", flush=True)
    for mention in MENTION_VALUES:
        data = {"prompts": prompts, "mention": mention,
                "gold": [features(rubric, g, mention, sections) for g in dev],
                "grader": [features(rubric, g, mention, sections, "grader_levels") for g in dev],
                "covs": [(coverage(rubric, g, mention) + coverage(rubric, g, mention, "grader_levels")) / 2
                         for g in dev]}
        datas[mention] = data
        for per_prompt, penalty, bars in itertools.product(PER_PROMPT, PENALTIES, BAR_PENALTIES):
            option = (mention, per_prompt, penalty, bars)
            runs = [pooled(cross_validate(data, ys, penalty, per_prompt, rtests[seed], bars, pool), rtests[seed])
                    for seed in SEEDS]
            per_split = cross_validate(data, ys, penalty, per_prompt, gtests, bars, pool)
            g_gold, g_grader = macro(per_split)
            rand[option] = sum(a + b for a, b in runs) / (2 * len(runs))
            grouped[option] = (g_gold + g_grader) / 2
            r_gold, r_grader = (sum(r[j] for r in runs) / len(runs) for j in (0, 1))
            print(f"{describe(option)}: random CV {r_gold:.3f} / {r_grader:.3f} / {rand[option]:.4f}; "
                  f"grouped CV {g_gold:.3f} / {g_grader:.3f} / {grouped[option]:.4f}; held-out splits "
                  + ", ".join(f"{name} {(a + b) / 2:.2f}" for name, (a, b) in zip(groups, per_split, strict=True)),
                  flush=True)
    # The basis of choice: the grouped CV, as a new round's answers and labellers are never in the
    # fit. The option set the random CV picks from the options before round 24 stays unless the
    # grouped CV's best (of all) beats it by ADOPT_MARGIN without losing more than that on the random CV.
    incumbent = max((o for o in rand if o[3] in BAR_PENALTIES_BEFORE), key=lambda o: rand[o])
    challenger = max(grouped, key=lambda o: grouped[o])
    option = challenger if adopt(grouped, rand, incumbent, challenger) else incumbent
    print(f"\nrandom CV's choice: {describe(incumbent)} (random {rand[incumbent]:.4f}, grouped "
          f"{grouped[incumbent]:.4f}); grouped CV's: {describe(challenger)} (random {rand[challenger]:.4f}, grouped "
          f"{grouped[challenger]:.4f}); {'adopted' if option == challenger else 'kept'}: {describe(option)}")
    mention, per_prompt, penalty, bars = option
    data = datas[mention]
    w, cuts, scales, xs_gold, xs_grader = fit_fold(data, ys, list(range(len(ys))), penalty, per_prompt, steps=2500,
                                                   bars=bars)
    on_gold = sum(predict(w, cuts, x) == y for x, y in zip(xs_gold, ys, strict=True)) / len(ys)
    on_grader = sum(predict(w, cuts, x) == y for x, y in zip(xs_grader, ys, strict=True)) / len(ys)
    print(f"chosen, fitted on {len(dev)} training answers: random CV mean {rand[option]:.4f}, grouped CV mean "
          f"{grouped[option]:.4f}; on all training answers: {on_gold:.3f} from gold levels and {on_grader:.3f} "
          "from the grader's levels")
    total = sum(w[:len(sections)])
    weights = {s: round(100 * wi / total, 2) for s, wi in zip(sections, w[:len(sections)], strict=True)}
    shifts = {p: round(v, 1) for p, v in offsets(w, sections, prompts).items()} if bars is not None else {}
    senior, architect = (round(100 * c / total, 1) for c in cuts)
    # Borderline: the widest band around the bars where training verdicts (gold and grader levels,
    # in sample) are close to a coin toss; never narrower than the first choice, so a verdict within
    # a couple of points of a bar is always called borderline. The same bands out of fold (grouped
    # CV) are printed for comparison.
    print("borderline bands, in sample:")
    borderline = band_rates([(100 * latent(w, x) / total, [100 * c / total for c in cuts], predict(w, cuts, x) == y)
                             for xs in (xs_gold, xs_grader) for x, y in zip(xs, ys, strict=True)])
    print("borderline bands, out of fold (grouped CV; not the basis):")
    oof = []
    for test, (fw, fc, fs) in zip(gtests, pool.fits(data, ys, gtests, penalty, per_prompt, bars), strict=True):
        ft = sum(fw[:len(sections)]) or 1.0
        for i in test:
            for key in ("gold", "grader"):
                x = rows_of(data, data[key][i], i, fs, bars is not None)
                oof.append((100 * latent(fw, x) / ft, [100 * c / ft for c in fc], predict(fw, fc, x) == ys[i]))
    band_rates(oof)
    # Caps (the architect signals gate among them): each is tried alone on top of the fitted score,
    # out of fold on both CVs, as an option like the others: on or off as the random CV (the first
    # seed's folds) says, switched only when the grouped CV says so by ADOPT_MARGIN.
    kept = []
    by_cv = {name: cap_effects(rubric, sections, dev, data, ys, option, tests, pool)
             for name, tests in (("random", rtests[SEEDS[0]]), ("grouped", gtests))}
    for cap in CAPS:
        r_with, r_without = pooled(by_cv["random"][cap], rtests[SEEDS[0]])
        g_with, g_without = macro(by_cv["grouped"][cap])
        before = r_with > r_without
        on = not before if adopt({True: g_with, False: g_without}, {True: r_with, False: r_without},
                                 before, not before) else before
        print(f"cap {cap}: held-out verdicts right (gold and grader levels) with it / without: random CV "
              f"{r_with:.4f} / {r_without:.4f}, grouped CV {g_with:.4f} / {g_without:.4f}: {'on' if on else 'off'}")
        if on:
            kept.append(cap)
    gate = ARCHITECT_REQUIRES if "architect_requires" in kept else {}
    def table(items: dict) -> str:
        return "{ " + ", ".join(f'"{k}" = {v}' for k, v in items.items()) + " }" if items else "{}"

    fitted = {
        "level_values": f"[0.0, {mention}, 1.0]",
        "section_weights": "{ " + ", ".join(f"{s} = {v}" for s, v in weights.items()) + " }",
        "prompt_scales": table(scales or {}),
        "prompt_offsets": table(shifts),
        "senior_min_score": f"{senior}", "architect_min_score": f"{architect}",
        "borderline_points": f"{borderline}",
        "architect_requires": table(gate),
        "caps": json.dumps(kept),
    }
    for k, v in fitted.items():
        print(f"  {k} = {v}")
    if not args.write:
        return
    write_rubric(BUNDLED_RUBRIC, fitted)
    written = load_rubric(BUNDLED_RUBRIC)  # read afresh: get_rubric caches the rubric as it was
    right = [sum(aggregate(_criteria(written, g[key], g["prompt"]), written, g["prompt"]).verdict == g["verdict"]
                 for g in dev) / len(dev) for key in ("levels", "grader_levels")]
    print(f"wrote {BUNDLED_RUBRIC}; as written, verdict accuracy on all training answers: {right[0]:.3f} "
          f"from gold levels, {right[1]:.3f} from the grader's levels")


if __name__ == "__main__":
    main()
