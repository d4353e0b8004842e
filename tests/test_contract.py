"""The output contract lives in the project (docs/contract.md): the bundled rubric and the JSON
that `grade --format json` prints keep it, and the shared copy beside the checkout, when there
is one, says the same."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.results import Verdict
from grade.rubric.model import Depth, load_rubric

from .conftest import ANSWERS, REPO

CONTRACT = REPO / "docs" / "contract.md"
SHARED = REPO.parent / "shared" / "rubric-contract.md"
FAMILIES = ("structure", "mechanics", "tenancy", "signals")


@dataclass(frozen=True)
class Contract:
    criteria: frozenset[str]
    prompts: dict[int, str]  # number -> id
    levels: dict[int, str]  # level -> name
    verdicts: tuple[str, ...]
    json_keys: dict[str, frozenset[str]]  # "answer", "criterion", "evidence" -> the keys it requires

    def criteria_for(self, prompt: str | None) -> set[str]:
        """The contract's ids that apply to an answer to `prompt`."""
        return {i for i in self.criteria if i.split(".")[0] in FAMILIES or i.startswith(f"prompt.{prompt}.")}


def read_contract(path: Path) -> Contract:
    text = path.read_text(encoding="utf-8")
    criteria = re.findall(r"^\| `((?:structure|mechanics|tenancy|signals|prompt)\.[a-z0-9_.\-]+)` \|", text, re.M)
    prompts = {int(n): pid for n, pid in re.findall(r"^\| (\d+) \| `([a-z0-9\-]+)` \|", text, re.M)}
    levels = {int(n): name for n, name in re.findall(r"^\| ([0-9]) \| (\w+) \|", text, re.M)}
    verdict_section = text.split("## Verdicts", 1)[1].strip().split("\n", 1)[0]
    example = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    criterion = example["criteria"][0]
    return Contract(
        criteria=frozenset(criteria), prompts=prompts, levels=levels,
        verdicts=tuple(re.findall(r"`(\w+)`", verdict_section)),
        json_keys={"answer": frozenset(example), "criterion": frozenset(criterion),
                   "evidence": frozenset(criterion["evidence"][0])},
    )


@pytest.fixture(scope="module")
def contract() -> Contract:
    return read_contract(CONTRACT)


def test_the_contract_is_read_whole(contract: Contract) -> None:
    assert len(contract.criteria) == 55
    assert sorted(contract.prompts) == [1, 2, 3, 4, 5]
    assert contract.levels == {0: "missing", 1: "mentioned", 2: "substantiated"}
    assert contract.verdicts == ("below_bar", "senior", "architect")
    assert contract.json_keys == {"answer": {"prompt", "score", "verdict", "criteria"},
                                  "criterion": {"id", "level", "evidence"}, "evidence": {"line", "quote"}}


def test_the_bundled_rubric_keeps_and_requires_every_contract_id(contract: Contract) -> None:
    rubric = load_rubric()
    assert contract.criteria <= {c.id for c in rubric.criteria}
    assert contract.criteria <= set(rubric.required_ids)  # a rubric that drops one is refused
    for c in rubric.criteria:
        if c.id in contract.criteria and c.id.startswith("prompt."):
            assert c.prompt == c.id.split(".")[1], c.id


def test_the_bundled_prompts_levels_and_verdicts_are_the_contracts(contract: Contract) -> None:
    assert {p.number: p.id for p in load_rubric().prompts} == contract.prompts
    assert dict(enumerate(get_args(Depth))) == contract.levels
    assert get_args(Verdict) == contract.verdicts


@pytest.mark.parametrize("path", sorted(ANSWERS.glob("*.md")), ids=lambda p: p.name)
def test_the_json_output_keeps_the_contract(path: Path, contract: Contract) -> None:
    r = CliRunner().invoke(main, ["--format", "json", str(path)])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert contract.json_keys["answer"] <= set(data)
    assert data["prompt"] in contract.prompts.values()
    assert 0 <= data["score"] <= 100
    assert data["verdict"] in contract.verdicts
    ids = {c["id"] for c in data["criteria"]}
    assert contract.criteria_for(data["prompt"]) <= ids
    assert not {i for i in ids if i.startswith("prompt.") and not i.startswith(f"prompt.{data['prompt']}.")}
    lines = path.read_text(encoding="utf-8").splitlines()  # counted as given, front matter included
    for c in data["criteria"]:
        assert contract.json_keys["criterion"] <= set(c)
        assert c["level"] in contract.levels
        for e in c["evidence"]:
            assert contract.json_keys["evidence"] <= set(e)
            assert e["quote"] and e["quote"] in lines[e["line"] - 1], (c["id"], e)


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared/rubric-contract.md beside the checkout")
def test_the_project_contract_agrees_with_the_shared_one(contract: Contract) -> None:
    shared = read_contract(SHARED)
    assert contract.criteria == shared.criteria
    assert contract.prompts == shared.prompts
    assert contract.levels == shared.levels
    assert contract.verdicts == shared.verdicts
    assert contract.json_keys == shared.json_keys
