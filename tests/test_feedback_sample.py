"""The labelling packet: 40 answers picked deterministically, spread out; the rates from label files."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from grade.eval.evaluation import load_corpus

from .conftest import REPO


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "evals" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample():
    return _script("feedback_sample")


@pytest.fixture(scope="module")
def rates():
    return _script("feedback_rates")


def test_the_pick_is_seeded_and_spread_over_prompts_and_verdicts(sample) -> None:
    examples = load_corpus(REPO / "evals")
    first = [e.id for e in sample.pick(examples, 40, seed=10)]
    assert first == [e.id for e in sample.pick(examples, 40, seed=10)]
    assert first != [e.id for e in sample.pick(examples, 40, seed=11)]
    assert len(set(first)) == 40
    chosen = sample.pick(examples, 40, seed=10)
    prompts = {e.gold["prompt"] for e in chosen}
    verdicts = {e.gold["verdict"] for e in chosen}
    assert len(prompts) == 5 and verdicts == {"below_bar", "senior", "architect"}
    per_prompt = [sum(e.gold["prompt"] == p for e in chosen) for p in prompts]
    assert max(per_prompt) - min(per_prompt) <= 4


def test_the_packet_and_the_rates(sample, rates, tmp_path: Path, capsys) -> None:
    out = tmp_path / "packet"
    assert sample.main([str(out), "--n", "4"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["answers"]) == 4
    first = manifest["answers"][0]
    page = (out / f"{first['id']}.feedback.md").read_text(encoding="utf-8")
    for item in first["items"]:
        assert f"**{item['item']}** {item['text']}" in page
    assert (out / f"{first['id']}.answer.md").read_text(encoding="utf-8") == \
        next(e.text for e in load_corpus(REPO / "evals") if e.id == first["id"])
    assert sample.main([str(out)]) == 2  # never overwritten

    labels = tmp_path / "labels-a"
    labels.mkdir()
    for i, answer in enumerate(manifest["answers"]):
        given = {item["item"]: ("useful" if item["kind"] == "followup" else "platitude") for item in answer["items"]}
        if i == 3:
            given[answer["items"][0]["item"]] = "great"  # not a label: the file is reported, not counted
        (labels / f"{answer['id']}.labels.json").write_text(json.dumps({"answer": answer["id"], "labels": given}))
    capsys.readouterr()
    assert rates.main([str(out), str(labels), str(labels), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    mine = report["labellers"][str(labels)]
    counted = manifest["answers"][:3]
    followups = sum(1 for a in counted for item in a["items"] if item["kind"] == "followup")
    strengths = sum(1 for a in counted for item in a["items"] if item["kind"] == "strength")
    assert mine["followup"]["useful"] == followups and mine["strength"]["platitude"] == strengths
    assert mine["all"]["shares"]["useful"] == pytest.approx(followups / (followups + strengths))
    assert len(mine["problems"]) == 1 and "'great'" in mine["problems"][0]
    assert report["agreement"]["agreement"] == 1.0
    assert {t["target"] for t in mine["targets"]} >= {"useful >= 85% of labelled items"}
