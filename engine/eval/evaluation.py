"""`grade eval`: measure the grader against the labelled corpus in evals/.

Layout (see evals/README.md): `corpus/<split>/<id>.md` answers with gold labels `<id>.json`
beside them, and the two independent raw label sets in `labels/a/` and `labels/b/`. Every
figure here is computed from those files on each run.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core.results import GradeResult
from ..errors import InputError
from ..vocabulary import VERDICT_ORDER
from .metrics import prf, quadratic_weighted_kappa, spearman

SPLITS = ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6",
          "fresh7", "fresh8", "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "fresh14",
          "fresh15", "fresh16", "fresh17", "fresh18", "fresh19")
"""fresh: written after the round-3 freeze; fresh2: after the round-4 freeze; fresh3 to fresh19: after the
round-5 to round-21 freezes (evals/writers/round*/FROZEN.md)."""
TRAINING_SPLITS = ("dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9",
                   "fresh10", "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17",
                   "fresh18", "fresh19")
"""What rule work reads and evals/fit_aggregation.py fits on: dev, and the fresh splits that were already
reported as they came out in earlier rounds (fresh..fresh5 from round 11, fresh6..fresh12 from round 16,
fresh13..fresh16 from round 23, fresh17 and fresh18 from round 24, fresh19 from round 25).
The rest stay held out: holdout, and each new fresh split until it has been reported."""
LENGTH_BANDS = ((0, 300, "<300"), (300, 600, "300-600"), (600, 1000, "600-1000"), (1000, 10**9, ">1000"))
WRAP_WIDTH = 64
VERDICTS = VERDICT_ORDER

Grader = Callable[[str, str, str | None], GradeResult]
"""(text, name, prompt or None) -> result."""

Aggregator = Callable[[dict[str, int], str, "list[str] | None"], tuple[float, str, "str | None"]]
"""(levels, prompt, caps or None for the rubric's) -> (score, verdict, borderline bar): the
aggregation alone, fed any levels (the gold ones, to see aggregation error apart from matcher error)."""

_BULLET_LEAD = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A word that would open a Markdown block at the start of a line (a quote, a heading, a list item):
# an editor's wrap that put it there would change the document, not its line breaks.
_OPENS_BLOCK = re.compile(r"(>|#{1,6}|[-*+]|\d+[.)])(?=\s|$)")


def hard_wrap(text: str, width: int = WRAP_WIDTH) -> str:
    """The same answer as an editor that wraps at `width` columns would save it: paragraphs, list
    items (continuations indented) and block quotes wrapped; headings, tables and code untouched."""
    out, in_code = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            out.append(line)
            continue
        body = line.strip()
        if in_code or len(line) <= width or not body or body.startswith(("#", "|", "---")):
            out.append(line)
            continue
        if m := _BULLET_LEAD.match(line):
            lead, rest, indent = m.group(1), line[m.end():], " " * len(m.group(1))
        elif body.startswith(">"):
            lead, rest, indent = "> ", body.lstrip("> "), "> "
        else:
            lead = indent = line[: len(line) - len(line.lstrip())]
            rest = body
        wrapped = textwrap.wrap(rest, width, initial_indent=lead, subsequent_indent=indent,
                                break_on_hyphens=False, break_long_words=False)
        for k in range(len(wrapped) - 1, 0, -1):  # keep a block-opening word on the line before
            body = wrapped[k][len(indent):]
            if _OPENS_BLOCK.match(body):
                word, _, tail = body.partition(" ")
                wrapped[k - 1] += " " + word
                wrapped[k] = indent + tail if tail else ""
        out.extend(line for line in wrapped if line)
    return "\n".join(out)


def corpus_profile(examples: list[Example]) -> dict:
    """What the corpus looks like: size, length, bullets-only share, and answers per prompt x verdict."""
    from ..core.document import parse

    words = sorted(len(ex.text.split()) for ex in examples)
    bullets_only = sum(
        all(b.kind in ("bullet", "heading", "table", "code") for b in parse(ex.text).blocks) for ex in examples
    )
    cells: dict[str, dict[str, int]] = {}
    for ex in examples:
        row = cells.setdefault(ex.gold["prompt"], dict.fromkeys(VERDICTS, 0))
        row[ex.gold["verdict"]] += 1
    return {"answers": len(examples), "median_words": words[len(words) // 2] if words else 0,
            "share_under_450_words": _share(w < 450 for w in words),
            "share_bullets_only": bullets_only / len(examples) if examples else None,
            "prompt_by_verdict": dict(sorted(cells.items()))}


def length_band(text: str) -> str:
    words = len(text.split())
    return next(label for lo, hi, label in LENGTH_BANDS if lo <= words < hi)


@dataclass
class Example:
    id: str
    split: str
    path: Path
    text: str
    gold: dict
    raw: dict[str, dict] = field(default_factory=dict)  # label set name -> labels


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None


def _check_gold(gold, path: Path) -> None:
    """A gold label is what `evaluate` reads: a prompt id, a verdict, a holistic score and levels
    0-2 by criterion id; anything else is one line naming the file (exit 2), not a traceback."""
    problems = []
    if not isinstance(gold, dict):
        raise InputError(f"{path}: invalid gold label: expected an object with prompt, verdict, holistic and levels")
    if not isinstance(gold.get("prompt"), str):
        problems.append("prompt: expected a prompt id (a string)")
    if gold.get("verdict") not in VERDICT_ORDER:
        problems.append(f"verdict: expected one of {', '.join(VERDICT_ORDER)}")
    holistic = gold.get("holistic")
    if isinstance(holistic, bool) or not isinstance(holistic, int | float):
        problems.append("holistic: expected a number")
    levels = gold.get("levels")
    if not isinstance(levels, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2 for v in levels.values()):
        problems.append("levels: expected an object of criterion id -> 0, 1 or 2")
    if problems:
        raise InputError(f"{path}: invalid gold label: " + "; ".join(problems))


def named_splits(names: Sequence[str]) -> list[str]:
    """The splits `grade eval --split` names ('training': every training split; none: all), in SPLITS order."""
    unknown = [name for name in names if name not in (*SPLITS, "training")]
    if unknown:
        raise InputError(f"unknown split {unknown[0]!r} (one of: training, {', '.join(SPLITS)})")
    return [s for s in SPLITS if not names or s in names or ("training" in names and s in TRAINING_SPLITS)]


def load_corpus(root: Path, splits: Sequence[str] = SPLITS) -> list[Example]:
    """The labelled answers of `splits` (every split by default). Nothing of another split is read:
    rule work loads the training splits alone, so no held-out answer or label is ever opened."""
    corpus = root / "corpus"
    if not corpus.is_dir():
        raise InputError(f"{root}: no corpus/ folder (expected {corpus}/dev and {corpus}/holdout)")
    examples = []
    for split in (s for s in SPLITS if s in splits):
        if not (corpus / split).is_dir():
            continue
        for md in sorted((corpus / split).glob("*.md")):
            gold_path = md.with_suffix(".json")
            if not gold_path.exists():
                raise InputError(f"{md}: no gold label file {gold_path.name} beside it")
            gold = _read_json(gold_path)
            _check_gold(gold, gold_path)
            ex = Example(md.stem, split, md, md.read_text(encoding="utf-8"), gold)
            for set_dir in sorted((root / "labels").glob("*/")):
                raw_path = set_dir / f"{md.stem}.json"
                if raw_path.exists():
                    ex.raw[set_dir.name] = _read_json(raw_path)
            examples.append(ex)
    if not examples:
        raise InputError(f"{corpus}: no labelled answers found")
    return examples


@dataclass
class SplitTally:
    """Reference labels vs predictions over a set of answers; every metric derives from it."""

    pairs: list[tuple[str, str, int, int]] = field(default_factory=list)  # answer, criterion, ref, pred
    verdicts: list[tuple[str, str]] = field(default_factory=list)  # ref, pred
    scores: list[tuple[float, float]] = field(default_factory=list)  # holistic, predicted score
    bands: list[str] = field(default_factory=list)  # the length band of each verdict's answer
    borderline: list[bool] = field(default_factory=list)  # was each predicted verdict borderline
    aggregation: list[tuple[str, str, float, float]] = field(default_factory=list)  # gold verdict,
    # verdict from gold levels, holistic, score from gold levels
    wrap: list[tuple[int, int, bool]] = field(default_factory=list)  # levels same, levels, verdict same

    def add(self, answer: str, ref_levels: dict[str, int], pred_levels: dict[str, int]) -> None:
        for cid, ref in sorted(ref_levels.items()):
            self.pairs.append((answer, cid, int(ref), int(pred_levels.get(cid, 0))))

    def summary(self) -> dict:
        tp = sum(1 for *_, r, p in self.pairs if r >= 1 and p >= 1)
        fp = sum(1 for *_, r, p in self.pairs if r == 0 and p >= 1)
        fn = sum(1 for *_, r, p in self.pairs if r >= 1 and p == 0)
        precision, recall, f1 = prf(tp, fp, fn)
        refs = [r for *_, r, _ in self.pairs]
        preds = [p for *_, p in self.pairs]
        out = {
            "answers": len({a for a, *_ in self.pairs}),
            "detection_precision": precision, "detection_recall": recall, "detection_f1": f1,
            "level_qwk": quadratic_weighted_kappa(refs, preds),
            "level_exact": sum(r == p for r, p in zip(refs, preds, strict=True)) / len(refs) if refs else None,
        }
        if self.verdicts:
            out["verdict_accuracy"] = sum(r == p for r, p in self.verdicts) / len(self.verdicts)
            out["verdict_confusion"] = {
                r: {p: sum(1 for x, y in self.verdicts if x == r and y == p) for p in VERDICTS}
                for r in VERDICTS
            }
        if self.scores:
            out["score_holistic_spearman"] = spearman([h for h, _ in self.scores], [s for _, s in self.scores])
        if self.aggregation:
            out["aggregation_verdict_accuracy"] = _share(g == p for g, p, *_ in self.aggregation)
            out["aggregation_spearman"] = spearman([h for *_, h, _ in self.aggregation],
                                                   [s for *_, s in self.aggregation])
        if self.bands:
            out["by_length"] = {
                label: {"answers": len(rows), "verdict_accuracy": _share(r == p for r, p in rows)}
                for _, _, label in LENGTH_BANDS
                if (rows := [v for v, b in zip(self.verdicts, self.bands, strict=True) if b == label])
            }
        if self.borderline:
            for name, want in (("confident", False), ("borderline", True)):
                rows = [v for v, b in zip(self.verdicts, self.borderline, strict=True) if b == want]
                out[f"answers_{name}"] = len(rows)
                out[f"verdict_accuracy_{name}"] = _share(r == p for r, p in rows)
        if self.wrap:
            out["wrap_level_agreement"] = sum(s for s, *_ in self.wrap) / max(1, sum(n for _, n, _ in self.wrap))
            out["wrap_verdict_agreement"] = _share(v for *_, v in self.wrap)
        return out

    def per_criterion(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for cid in sorted({c for _, c, *_ in self.pairs}):
            rows = [(r, p) for _, c, r, p in self.pairs if c == cid]
            tp = sum(1 for r, p in rows if r >= 1 and p >= 1)
            fp = sum(1 for r, p in rows if r == 0 and p >= 1)
            fn = sum(1 for r, p in rows if r >= 1 and p == 0)
            precision, recall, f1 = prf(tp, fp, fn)
            out[cid] = {"n": len(rows), "tp": tp, "fp": fp, "fn": fn, "precision": precision,
                        "recall": recall, "f1": f1,
                        "level_exact": sum(r == p for r, p in rows) / len(rows),
                        "level_errors": sum(r != p for r, p in rows)}
        return out


def _share(flags) -> float | None:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else None


def human_agreement(examples: list[Example], a: str = "a", b: str = "b") -> dict | None:
    """Agreement between the two raw label sets: the ceiling the grader is compared with."""
    comp = SplitTally()
    holistic = []
    for ex in examples:
        if a in ex.raw and b in ex.raw:
            la, lb = ex.raw[a], ex.raw[b]
            shared = {k: v for k, v in la["levels"].items() if k in lb["levels"]}
            comp.add(ex.id, shared, lb["levels"])
            comp.verdicts.append((la["verdict"], lb["verdict"]))
            holistic.append((la["holistic"], lb["holistic"]))
    if not comp.pairs:
        return None
    out = comp.summary()
    out["holistic_spearman"] = spearman([x for x, _ in holistic], [y for _, y in holistic])
    out["prompt_agreement"] = sum(
        1 for ex in examples if a in ex.raw and b in ex.raw and ex.raw[a]["prompt"] == ex.raw[b]["prompt"]
    ) / max(1, sum(1 for ex in examples if a in ex.raw and b in ex.raw))
    return out


def evaluate(examples: list[Example], grader: Grader, *, worst: int = 8, aggregate: Aggregator | None = None,
             caps: list[str] = (), base_caps: list[str] = (), wrap: bool = True) -> dict:
    """Grade every answer and compare with gold, per split. Returns the whole report as data.

    With `aggregate`, also the aggregation fed the gold levels (the grader's level for a criterion the
    gold label lacks), and the effect on the verdicts of
    each of `caps` (from gold levels and from the grader's levels): the rubric's own caps
    (`base_caps`) with that cap added, against them without it. With `wrap`, also how far the grade
    holds when the answer is hard-wrapped at WRAP_WIDTH columns."""
    # per split: (cap, gold verdict, from gold levels with / without it, from grader levels with / without it)
    cap_rows: dict[str, list[tuple[str, str, str, str, str, str]]] = {s: [] for s in SPLITS}
    by_split: dict[str, SplitTally] = {s: SplitTally() for s in SPLITS}
    prompt_hits: dict[str, list[bool]] = {s: [] for s in SPLITS}
    misses: list[dict] = []
    for ex in examples:
        gold_prompt = ex.gold["prompt"]
        result = grader(ex.text, ex.path.name, gold_prompt)
        inferred = grader(ex.text, ex.path.name, None).prompt  # as if no prompt were given
        prompt_hits[ex.split].append(inferred == gold_prompt)
        pred = {c.id: c.level for c in result.criteria}
        comp = by_split[ex.split]
        comp.add(ex.id, ex.gold["levels"], pred)
        comp.verdicts.append((ex.gold["verdict"], result.verdict))
        comp.scores.append((float(ex.gold["holistic"]), result.score))
        comp.bands.append(length_band(ex.text))
        comp.borderline.append(result.borderline is not None)
        if aggregate is not None:
            # A criterion the gold label does not carry (added to the rubric after labelling) takes the
            # grader's level, as in evals/fit_aggregation.py: "from gold levels" then means the
            # interviewers' levels wherever they graded, never a 0 they did not give.
            gold_levels = {**pred, **ex.gold["levels"]}
            g_score, g_verdict, _ = aggregate(gold_levels, gold_prompt, None)
            comp.aggregation.append((ex.gold["verdict"], g_verdict, float(ex.gold["holistic"]), g_score))
            for cap in caps:
                with_cap = sorted(set(base_caps) | {cap})
                without = [c for c in base_caps if c != cap]
                cap_rows[ex.split].append((cap, ex.gold["verdict"],
                                           aggregate(gold_levels, gold_prompt, with_cap)[1],
                                           aggregate(gold_levels, gold_prompt, without)[1],
                                           aggregate(pred, gold_prompt, with_cap)[1],
                                           aggregate(pred, gold_prompt, without)[1]))
        if wrap:
            wrapped = grader(hard_wrap(ex.text), ex.path.name, gold_prompt)
            w_pred = {c.id: c.level for c in wrapped.criteria}
            comp.wrap.append((sum(w_pred.get(k) == v for k, v in pred.items()), len(pred),
                              wrapped.verdict == result.verdict))
        evidence = {c.id: c.evidence for c in result.criteria}
        for cid, ref in ex.gold["levels"].items():
            got = pred.get(cid, 0)
            if got != ref:
                ev = evidence.get(cid) or []
                misses.append({"answer": ex.id, "split": ex.split, "criterion": cid, "gold": ref,
                               "predicted": got, "line": ev[0].line if ev else None,
                               "quote": ev[0].quote if ev else None})
    report: dict = {"splits": {}, "human": {}}
    for split in SPLITS:
        comp = by_split[split]
        if not comp.pairs:
            continue
        summary = comp.summary()
        hits = prompt_hits[split]
        summary["prompt_inference_accuracy"] = sum(hits) / len(hits) if hits else None
        report["splits"][split] = {"summary": summary, "criteria": comp.per_criterion(),
                                   "caps": _cap_effects(cap_rows[split])}
        report["human"][split] = human_agreement([e for e in examples if e.split == split])
    report["human"]["all"] = human_agreement(examples)
    report["corpus"] = {split: corpus_profile([e for e in examples if e.split == split])
                        for split in SPLITS if any(e.split == split for e in examples)}
    report["corpus"]["all"] = corpus_profile(examples)
    # Worst criteria: most level errors on dev (the split rules may be tuned against), with misses.
    dev = report["splits"].get("dev", {}).get("criteria", {})
    ranked = sorted(dev.items(), key=lambda kv: (-kv[1]["level_errors"], kv[0]))[:worst]
    report["worst"] = [
        {"criterion": cid, **stats,
         "misses": [m for m in misses if m["criterion"] == cid and m["split"] == "dev"][:6]}
        for cid, stats in ranked if stats["level_errors"]
    ]
    return report


def _cap_effects(rows: list[tuple[str, str, str, str, str, str]]) -> dict[str, dict]:
    """Per cap: verdict accuracy with and without it, from gold levels and from the grader's levels."""
    out: dict[str, dict] = {}
    for cap in dict.fromkeys(r[0] for r in rows):
        mine = [r[1:] for r in rows if r[0] == cap]
        out[cap] = {key: _share(r[0] == r[i] for r in mine)
                    for i, key in enumerate(("gold_levels_with", "gold_levels_without", "grader_with",
                                             "grader_without"), 1)}
    return out


def check_thresholds(report: dict, thresholds: list[str]) -> list[str]:
    """`split.metric=value` floors; returns the failures as sentences."""
    failures = []
    for spec in thresholds:
        try:
            key, value = spec.split("=", 1)
            split, metric = key.split(".", 1)
            floor = float(value)
        except ValueError:
            raise InputError(f"--fail-under {spec!r}: expected split.metric=value, "
                             "e.g. holdout.level_qwk=0.7") from None
        summary = report["splits"].get(split, {}).get("summary")
        if summary is None or metric not in summary:
            raise InputError(f"--fail-under {spec!r}: no metric {metric!r} for split {split!r}")
        got = summary[metric]
        if got is None or got < floor:
            failures.append(f"{split}.{metric} = {_fmt(got)} is under {floor:g}")
    return failures


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def evaluate_llm(examples: list[Example], grader, *, rubric_path=None, fail_under: list[str] = (),
                 graded: dict | None = None) -> tuple[dict, list[str]]:
    """`grade eval --llm`: the corpus graded by rules+llm (`grader`, a grade.llm.grader.LLMGrader;
    the answers in `graded` are not graded again) and the thresholds, which apply to this report."""
    from ..core.grader import get_rubric, grade_levels
    from .feedback_audit import audit_corpus, remembering

    def aggregate(levels: dict[str, int], prompt: str, caps: list[str] | None):
        return grade_levels(levels, prompt, rubric_path=rubric_path, caps=caps)

    llm_grader = remembering(grader.eval_grader(graded))
    report = evaluate(examples, llm_grader, aggregate=aggregate, wrap=False)
    report["feedback"] = audit_corpus(examples, llm_grader, get_rubric(rubric_path)[1])
    return report, check_thresholds(report, list(fail_under))
