#!/usr/bin/env bash
# The accuracy gate run by CI. Floors are the measured figures (evals/REPORT.md) minus a small
# margin, so a change that makes the grader worse fails. Raise them when the grader improves;
# never lower them to make a change pass.
set -euo pipefail
cd "$(dirname "$0")/.."

grade eval evals \
  --fail-under dev.detection_f1=0.91 \
  --fail-under dev.level_qwk=0.68 \
  --fail-under dev.verdict_accuracy=0.82 \
  --fail-under dev.score_holistic_spearman=0.72 \
  --fail-under dev.prompt_inference_accuracy=0.93 \
  --fail-under holdout.detection_f1=0.89 \
  --fail-under holdout.level_qwk=0.66 \
  --fail-under holdout.verdict_accuracy=0.60 \
  --fail-under holdout.score_holistic_spearman=0.75 \
  --fail-under holdout.prompt_inference_accuracy=0.92

# evals/REPORT.md is generated, never edited by hand: it must match what the code measures now.
report=$(mktemp)
grade eval evals --format markdown > "$report"
if ! diff -q "$report" evals/REPORT.md >/dev/null; then
  echo "evals/REPORT.md is stale: regenerate it with 'grade eval evals --format markdown > evals/REPORT.md'" >&2
  diff "$report" evals/REPORT.md | head -20 >&2
  exit 1
fi
echo "accuracy gate: passed"
