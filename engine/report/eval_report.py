"""Render a `grade eval` report as an aligned terminal table or as Markdown (evals/REPORT.md)."""

from __future__ import annotations

from ..eval.evaluation import LENGTH_BANDS, SPLITS, TRAINING_SPLITS, VERDICTS
from ..eval.feedback_audit import target_lines as feedback_target_lines

ROWS = [
    ("detection_precision", "detection precision (level >= 1)"),
    ("detection_recall", "detection recall (level >= 1)"),
    ("detection_f1", "detection micro-F1"),
    ("level_qwk", "level quadratic weighted kappa"),
    ("level_exact", "level exact agreement"),
    ("verdict_accuracy", "verdict accuracy"),
    ("score_holistic_spearman", "score vs holistic, Spearman"),
    ("prompt_inference_accuracy", "prompt inference accuracy"),
    ("aggregation_verdict_accuracy", "verdict accuracy from gold levels (aggregation alone)"),
    ("aggregation_spearman", "score from gold levels vs holistic, Spearman"),
    ("verdict_accuracy_confident", "verdict accuracy, confident verdicts"),
    ("verdict_accuracy_borderline", "verdict accuracy, borderline verdicts"),
    ("wrap_level_agreement", "levels unchanged when hard-wrapped at 64 columns"),
    ("wrap_verdict_agreement", "verdict unchanged when hard-wrapped at 64 columns"),
]
HUMAN_KEYS = {"score_holistic_spearman": "holistic_spearman", "prompt_inference_accuracy": "prompt_agreement"}


# The targets, on each held-out split: holdout, and the fresh splits not yet folded into training
# (each written after a freeze of the rules).
TARGET_SPLITS = tuple(s for s in SPLITS if s not in TRAINING_SPLITS)
TARGETS = [
    ("verdict_accuracy", 0.85, "verdict accuracy >= 0.85"),
    ("level_qwk", 0.80, "level QWK >= 0.80"),
    ("score_holistic_spearman", 0.85, "score/holistic Spearman >= 0.85"),
    ("detection_f1", 0.92, "detection micro-F1 >= 0.92"),
    ("prompt_inference_accuracy", 0.95, "prompt inference >= 0.95"),
    ("aggregation_verdict_accuracy", 0.92, "verdict accuracy from gold levels >= 0.92"),
    ("wrap_verdict_agreement", 1.0, "same verdict when wrapped at 64 columns"),
    ("wrap_level_agreement", 1.0, "same levels when wrapped at 64 columns"),
]
BAND_TARGET = 0.75


def target_lines(report: dict) -> list[str]:
    """One line per target and held-out split: met or short."""
    out = []
    for split in TARGET_SPLITS:
        summary = report["splits"].get(split, {}).get("summary")
        if not summary:
            continue
        for key, floor, label in TARGETS:
            got = summary.get(key)
            met = got is not None and got >= floor - 1e-9
            shown = _f(got) if met or got is None or _f(got) != _f(floor) else f"{got:.4f}"
            out.append(f"{split}: {label}: {shown} ({'met' if met else 'SHORT'})")
        for band, data in (summary.get("by_length") or {}).items():
            got = data["verdict_accuracy"]
            status = "met" if got is not None and got >= BAND_TARGET else "SHORT"
            out.append(f"{split}: verdict accuracy >= {BAND_TARGET} for {band} words "
                       f"(n={data['answers']}): {_f(got)} ({status})")
    return out


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


FEEDBACK_ROWS = [
    ("answers", "answers"),
    ("repeated_ideas", "repeated ideas (items on an idea already listed)"),
    ("repeated_ideas_per_answer", "repeated ideas per answer"),
    ("answers_with_repeats", "answers with a repeated idea"),
    ("followups", "follow-ups"),
    ("presupposing_followups", "follow-ups presupposing a component the answer lacks"),
    ("already_answered_followups", "follow-ups asking for what the answer states"),
    ("already_answered_share", "share of follow-ups already answered"),
    ("strengths", "strengths"),
    ("title_strengths", "strengths citing a title or heading"),
    ("no_mechanism_strengths", "strengths citing a line without the mechanism"),
]


def _feedback_table(feedback: dict) -> tuple[list[str], list[list[str]]]:
    columns = [s for s in feedback if s != "all"] + ["all"]
    header = ["measure", *columns]
    rows = []
    for key, label in FEEDBACK_ROWS:
        row = [label]
        for col in columns:
            value = feedback[col].get(key)
            row.append(_f(value) if isinstance(value, float) else ("n/a" if value is None else str(value)))
        rows.append(row)
    return header, rows


def _feedback_examples(feedback: dict) -> list[tuple[str, str]]:
    out = []
    for kind, items in (feedback.get("all") or {}).get("examples", {}).items():
        for e in items:
            why = f" [{', '.join(e['why'])}]" if e.get("why") else ""
            out.append((kind.replace("_", " "), f"{e['answer']}: {e['item']}{why}"))
    return out


def _split_name(split: str) -> str:
    return f"{split} (training)" if split in TRAINING_SPLITS else split


def _table(report: dict) -> tuple[list[str], list[list[str]]]:
    splits = list(report["splits"])
    header = ["metric"]
    for s in splits:
        n = report["splits"][s]["summary"]["answers"]
        header += [f"{_split_name(s)} grader (n={n})", f"{s} human a-vs-b"]
    rows = []
    for key, label in ROWS:
        row = [label]
        for s in splits:
            row.append(_f(report["splits"][s]["summary"].get(key)))
            human = report["human"].get(s) or {}
            row.append(_f(human.get(HUMAN_KEYS.get(key, key))))
        rows.append(row)
    return header, rows


def _aligned(header: list[str], rows: list[list[str]]) -> list[str]:
    """A header, a rule and the rows, in columns padded to their widest cell."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _confusion_text(conf: dict, label: str) -> list[str]:
    return ["", f"{label}: verdict confusion (rows gold, columns predicted)",
            "  " + "".join(v.rjust(11) for v in ("", *VERDICTS)),
            *("  " + g.rjust(11) + "".join(str(conf[g][p]).rjust(11) for p in VERDICTS) for g in VERDICTS)]


def render_text(report: dict, title: str) -> str:
    out = [title, "", *_aligned(*_table(report))]
    targets = target_lines(report)
    if targets:
        out += ["", "Targets (held-out splits):"] + [f"  {t}" for t in targets]
    for split, data in report["splits"].items():
        conf = data["summary"].get("verdict_confusion")
        if conf:
            out += _confusion_text(conf, split)
    if report.get("feedback"):
        out += ["", "Feedback audit (the critique and follow-ups as output):", "",
                *_aligned(*_feedback_table(report["feedback"])), "", "Feedback targets (all answers):"]
        out += [f"  {t}" for t in feedback_target_lines(report["feedback"])]
    if report["worst"]:
        out += ["", "Where to work next (dev split, most level errors):"]
        for w in report["worst"]:
            out.append(f"  {w['criterion']}: {w['level_errors']}/{w['n']} wrong, F1 {_f(w['f1'])}")
            for m in w["misses"]:
                where = f"line {m['line']}: \"{m['quote']}\"" if m["quote"] else "no evidence found"
                out.append(f"    {m['answer']} gold {m['gold']} got {m['predicted']}  {where}")
    return "\n".join(out) + "\n"


def render_markdown(report: dict, title: str) -> str:
    header, rows = _table(report)
    out = [f"# {title}", "",
           "Generated by `grade eval evals --format markdown`; do not edit by hand.", "",
           "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    targets = target_lines(report)
    if targets:
        out += ["", "## Targets (held-out splits)", ""] + [f"- {t}" for t in targets]
    corpus = report.get("corpus") or {}
    if corpus:
        out += ["", "## The corpus", "",
                "| split | answers | median words | under 450 words | bullets only |", "|---|---|---|---|---|"]
        for split, c in corpus.items():
            out.append(f"| {split} | {c['answers']} | {c['median_words']} | {_f(c['share_under_450_words'])} | "
                       f"{_f(c['share_bullets_only'])} |")
        cells = corpus["all"]["prompt_by_verdict"]
        out += ["", "Answers per prompt and gold verdict, all splits:", "",
                "| prompt | " + " | ".join(VERDICTS) + " |", "|---|---|---|---|"]
        out += [f"| {p} | " + " | ".join(str(row[v]) for v in VERDICTS) + " |" for p, row in cells.items()]
    out += ["", "## By answer length (verdict accuracy)", "",
            "| split | " + " | ".join(label for *_, label in LENGTH_BANDS) + " | confident | borderline |",
            "|---|" + "---|" * (len(LENGTH_BANDS) + 2)]
    for split, data in report["splits"].items():
        bands = data["summary"].get("by_length") or {}
        cells = [f"{_f(bands[b]['verdict_accuracy'])} (n={bands[b]['answers']})" if b in bands else "-"
                 for *_, b in LENGTH_BANDS]
        sm = data["summary"]
        for name in ("confident", "borderline"):
            cells.append(f"{_f(sm.get(f'verdict_accuracy_{name}'))} (n={sm.get(f'answers_{name}', 0)})")
        out.append(f"| {split} | " + " | ".join(cells) + " |")
    caps = {split: data.get("caps") or {} for split, data in report["splits"].items()}
    if any(caps.values()):
        out += ["", "## Each cap's effect (verdict accuracy with the cap / without it)", "",
                "| split | cap | from gold levels | from the grader's levels |", "|---|---|---|---|"]
        for split, per_cap in caps.items():
            for cap, e in per_cap.items():
                out.append(f"| {split} | {cap} | {_f(e['gold_levels_with'])} / {_f(e['gold_levels_without'])} | "
                           f"{_f(e['grader_with'])} / {_f(e['grader_without'])} |")
    for split, data in report["splits"].items():
        conf = data["summary"].get("verdict_confusion")
        if conf:
            out += ["", f"## Verdict confusion, {split} (rows gold, columns predicted)", "",
                    "| gold \\ predicted | " + " | ".join(VERDICTS) + " |", "|---|---|---|---|"]
            out += [f"| {g} | " + " | ".join(str(conf[g][p]) for p in VERDICTS) + " |" for g in VERDICTS]
    if report.get("feedback"):
        header, rows = _feedback_table(report["feedback"])
        out += ["", "## Feedback audit", "",
                "The critique and follow-ups as the grader outputs them, checked against the rubric's groups, "
                "`[components]` and `[asks]` (see `grade/feedback_audit.py`).", "",
                "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        out += ["", "Targets (all answers):", ""] + [f"- {t}" for t in feedback_target_lines(report["feedback"])]
        examples = _feedback_examples(report["feedback"])
        if examples:
            out += ["", "Examples:", ""] + [f"- {kind}: {text.replace('|', chr(92) + '|')}" for kind, text in examples]
    for split, data in report["splits"].items():
        out += ["", f"## Per criterion, {split}", "",
                "| criterion | n | precision | recall | F1 | level exact |", "|---|---|---|---|---|---|"]
        for cid, s in data["criteria"].items():
            out.append(f"| `{cid}` | {s['n']} | {_f(s['precision'])} | {_f(s['recall'])} | "
                       f"{_f(s['f1'])} | {_f(s['level_exact'])} |")
    if report["worst"]:
        out += ["", "## Where to work next (dev split, most level errors)", ""]
        for w in report["worst"]:
            out.append(f"- `{w['criterion']}`: {w['level_errors']}/{w['n']} levels wrong, F1 {_f(w['f1'])}")
            for m in w["misses"]:
                quote = m["quote"].replace("|", "\\|") if m["quote"] else None
                where = f"line {m['line']}: “{quote}”" if quote else "no evidence found"
                out.append(f"  - {m['answer']}: gold {m['gold']}, got {m['predicted']}; {where}")
    return "\n".join(out) + "\n"


def _side_by_side(reports: dict[str, dict]) -> tuple[list[str], list[list[str]]]:
    """One column per grader and split, then the human agreement of that split."""
    names = list(reports)
    first = reports[names[0]]
    header, columns = ["metric"], []
    for s in first["splits"]:
        for name in names:
            n = reports[name]["splits"].get(s, {}).get("summary", {}).get("answers", 0)
            header.append(f"{s} {name} (n={n})")
            columns.append((s, name))
        header.append(f"{s} human a-vs-b")
        columns.append((s, None))
    rows = []
    for key, label in ROWS:
        row = [label]
        for s, name in columns:
            if name is None:
                row.append(_f((first["human"].get(s) or {}).get(HUMAN_KEYS.get(key, key))))
            else:
                row.append(_f(reports[name]["splits"].get(s, {}).get("summary", {}).get(key)))
        rows.append(row)
    return header, rows


def render_side_by_side_text(reports: dict[str, dict], title: str, notes: list[str] = ()) -> str:
    """Several graders' reports on the same corpus (e.g. rules and rules+llm), metric by metric."""
    out = [title, "", *_aligned(*_side_by_side(reports))]
    feedback = _feedback_side_by_side(reports)
    if feedback:
        out += ["", "Feedback audit:", *_aligned(*feedback)]
    for name, report in reports.items():
        for split, data in report["splits"].items():
            conf = data["summary"].get("verdict_confusion")
            if conf:
                out += _confusion_text(conf, f"{split}, {name}")
    if notes:
        out += ["", *notes]
    return "\n".join(out) + "\n"


def _feedback_side_by_side(reports: dict[str, dict]) -> tuple[list[str], list[list[str]]] | None:
    names = [n for n in reports if reports[n].get("feedback")]
    if not names:
        return None
    header = ["measure (all answers)", *names]
    rows = []
    for key, label in FEEDBACK_ROWS:
        row = [label]
        for n in names:
            value = reports[n]["feedback"]["all"].get(key)
            row.append(_f(value) if isinstance(value, float) else ("n/a" if value is None else str(value)))
        rows.append(row)
    return header, rows


def render_side_by_side_markdown(reports: dict[str, dict], title: str, notes: list[str] = ()) -> str:
    header, rows = _side_by_side(reports)
    out = [f"# {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    feedback = _feedback_side_by_side(reports)
    if feedback:
        out += ["", "## Feedback audit", "", "| " + " | ".join(feedback[0]) + " |", "|" + "---|" * len(feedback[0])]
        out += ["| " + " | ".join(r) + " |" for r in feedback[1]]
    if notes:
        out += ["", *(f"- {n}" for n in notes)]
    return "\n".join(out) + "\n"
