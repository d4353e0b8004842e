"""The accuracy harness: its statistics, and `grade eval` on a small corpus built here."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.grader import get_rubric
from grade.eval.metrics import prf, quadratic_weighted_kappa, spearman

from .conftest import REPO


def test_kappa_known_values() -> None:
    assert quadratic_weighted_kappa([0, 1, 2, 2], [0, 1, 2, 2]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([0, 0, 2, 2], [2, 2, 0, 0]) == pytest.approx(-1.0)
    # one pair off by one level out of four
    assert quadratic_weighted_kappa([0, 1, 2, 2], [0, 1, 1, 2]) == pytest.approx(0.8)
    assert quadratic_weighted_kappa([1, 1], [1, 1]) is None  # no variation: undefined, not 1


def test_spearman_and_prf() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 2, 3], [5, 6, 7, 8]) == pytest.approx(0.9487, abs=1e-3)
    assert prf(8, 2, 2) == pytest.approx((0.8, 0.8, 0.8))
    assert prf(0, 0, 0) == (None, None, None)


def _corpus(tmp_path, answers: dict[str, tuple[str, str, dict]]):
    rubric, _ = get_rubric()
    for name, (split, text, gold_levels) in answers.items():
        folder = tmp_path / "corpus" / split
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
        levels = {c.id: gold_levels.get(c.id, 0) for c in rubric.applicable("cdc-lakehouse")}
        gold = {"prompt": "cdc-lakehouse", "verdict": "below_bar", "holistic": 1 + len(name) % 3, "levels": levels}
        (folder / f"{name}.json").write_text(json.dumps(gold), encoding="utf-8")
    return tmp_path


def test_eval_reports_both_splits_and_gates(tmp_path) -> None:
    text = "We use Debezium CDC from Postgres. We dedupe on (order_id, lsn) in a MERGE.\n"
    gold = {"mechanics.idempotent_ingestion": 2, "structure.correctness.idempotency": 2}
    root = _corpus(tmp_path, {"a1": ("dev", text, gold), "b22": ("holdout", text, gold),
                              "c333": ("holdout", "CDC from the OLTP database with Debezium.\n", {})})
    r = CliRunner().invoke(main, ["eval", str(root), "--format", "json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert set(report["splits"]) == {"dev", "holdout"}
    hold = report["splits"]["holdout"]["summary"]
    assert hold["answers"] == 2
    assert hold["prompt_inference_accuracy"] == 1.0
    crit = report["splits"]["dev"]["criteria"]["mechanics.idempotent_ingestion"]
    assert crit["tp"] == 1
    r = CliRunner().invoke(main, ["eval", str(root), "--fail-under", "holdout.detection_f1=1.01"])
    assert r.exit_code == 1
    assert "holdout.detection_f1" in r.output
    r = CliRunner().invoke(main, ["eval", str(root), "--fail-under", "nonsense"])
    assert r.exit_code == 2


def test_eval_refuses_a_folder_without_a_corpus(tmp_path) -> None:
    r = CliRunner().invoke(main, ["eval", str(tmp_path)])
    assert r.exit_code == 2 and "no corpus/ folder" in r.output


def test_bundled_corpus_has_gold_and_two_raw_label_sets() -> None:
    corpus = sorted((REPO / "evals" / "corpus").glob("*/*.md"))
    assert {md.parent.name for md in corpus} == {"dev", "holdout", *(f"fresh{n}" for n in ("", *range(2, 20)))}
    assert len(corpus) >= 45
    for md in corpus:
        gold = json.loads(md.with_suffix(".json").read_text(encoding="utf-8"))
        assert gold["verdict"] in ("below_bar", "senior", "architect")
        for label_set in ("a", "b"):
            assert (REPO / "evals" / "labels" / label_set / f"{md.stem}.json").exists()


@pytest.mark.parametrize("width", range(30, 90))
def test_the_wrap_never_opens_a_block_the_answer_did_not_have(width: int) -> None:
    """An editor's wrap changes line breaks only: no line of a wrapped paragraph or list item may start
    with a word that opens a quote, a heading or a list item (a '>' in `src.lsn > tgt.lsn` did)."""
    from grade.core.document import parse
    from grade.eval.evaluation import hard_wrap

    text = ("- The merge only applies a row when `src.lsn > tgt.lsn`, so a retried batch is a no-op; "
            "step 2. follows, - as noted, # 3 is the count and + 1 the retry.\n\nA paragraph where "
            "`a > b` holds, then 1. the first and * the second, # of rows, - a dash and > a quote.\n")
    wrapped = hard_wrap(text, width)
    assert " ".join(wrapped.split()) == " ".join(text.split())
    assert [b.kind for b in parse(wrapped).blocks] == [b.kind for b in parse(text).blocks]


def test_eval_split_reads_only_the_splits_named(tmp_path) -> None:
    text = "We use Debezium CDC from Postgres. We dedupe on (order_id, lsn) in a MERGE.\n"
    root = _corpus(tmp_path, {"a1": ("dev", text, {}), "b22": ("holdout", text, {})})
    (root / "corpus" / "holdout" / "b22.json").write_text("not json", encoding="utf-8")  # never opened
    r = CliRunner().invoke(main, ["eval", str(root), "--split", "training", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert set(json.loads(r.output)["splits"]) == {"dev"}
    r = CliRunner().invoke(main, ["eval", str(root), "--split", "holdout", "--format", "json"])
    assert r.exit_code == 2 and "b22.json: not valid JSON" in r.output  # the holdout file is read when named
    r = CliRunner().invoke(main, ["eval", str(root), "--split", "nosuch"])
    assert r.exit_code == 2 and "unknown split 'nosuch'" in r.output
