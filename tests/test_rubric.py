"""The rubric is data: the bundled one is consistent, and broken ones are refused clearly (the contract's
ids: test_contract.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from grade.rubric.model import BUNDLED_RUBRIC, RubricError, load_rubric


def test_bundled_rubric_is_consistent() -> None:
    rubric = load_rubric()
    assert {p.id for p in rubric.prompts} == {
        "realtime-analytics", "cdc-lakehouse", "feature-store", "dq-observability", "privacy-dsr"}
    assert all(c.weight > 0 for c in rubric.criteria)
    # correctness and the must-say mechanics weigh more than naming a component
    weight = {c.id: c.weight for c in rubric.criteria}
    assert weight["structure.correctness.idempotency"] > weight["structure.architecture.storage"]
    assert weight["mechanics.late_data"] > weight["structure.architecture.serving"]
    # every criterion has follow-ups at every depth
    depths = {(f.criterion, f.depth) for f in rubric.followups}
    for c in rubric.criteria:
        for d in ("missing", "mentioned", "substantiated"):
            assert (c.id, d) in depths, (c.id, d)


def _write_variant(tmp_path: Path, mutate) -> Path:
    data = tomllib.loads(BUNDLED_RUBRIC.read_text(encoding="utf-8"))
    data.pop("include")
    mutate(data)
    path = tmp_path / "broken.toml"
    path.write_text(_to_toml(data), encoding="utf-8")
    return path


def _to_toml(data: dict) -> str:
    """A tiny TOML writer for the rubric's shapes (tests only)."""
    import json

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + "}"
        raise TypeError(type(v))

    lines = []
    tables = {}
    for k, v in data.items():
        if isinstance(v, dict) or (isinstance(v, list) and v and isinstance(v[0], dict)):
            tables[k] = v
        else:
            lines.append(f"{k} = {value(v)}")
    for k, v in tables.items():
        if isinstance(v, dict):
            lines.append(f"[{k}]")
            lines += [f"{json.dumps(kk)} = {value(vv)}" for kk, vv in v.items()]
        else:
            for item in v:
                lines.append(f"[[{k}]]")
                lines += [f"{kk} = {value(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["criteria"].append(dict(d["criteria"][0])), "duplicate id"),
        (lambda d: d["criteria"][0].update(weight=0), "weight"),
        (lambda d: d["criteria"][0].update(weight=-1.5), "weight"),
        (lambda d: d["detectors"]["latency"].update(mention=["(unclosed"]), "bad pattern"),
        (lambda d: d["criteria"][0].update(section="nowhere"), "unknown section 'nowhere'"),
        (lambda d: d["criteria"].pop(0), "missing required criterion ids: structure.requirements.latency"),
        (lambda d: d["criteria"][1].update(colour="red"), "Extra inputs are not permitted"),
        (lambda d: d["detectors"]["latency"].update(examples={"3": ["x"]}), "detectors.latency.examples.3"),
        (lambda d: d["groups"][0]["criteria"].append("mechanics.nope"), "unknown criterion 'mechanics.nope'"),
        (lambda d: d["groups"][1]["criteria"].append(d["groups"][0]["criteria"][0]), "is already in group"),
        (lambda d: d["groups"][0].update(criteria=["mechanics.backfill"]), "at least 2 items"),
        (lambda d: d.update(followups=[{"criterion": "mechanics.backfill", "depth": "missing", "text": "How?",
                                        "presupposes": ["a_lake"]}]), "presupposes unknown component 'a_lake'"),
        (lambda d: d.update(followups=[{"criterion": "mechanics.backfill", "depth": "missing", "text": "How?",
                                        "asks": ["a_number"]}]), "asks for unknown 'a_number'"),
        (lambda d: d.update(components={"lake": {"name": "a lake", "answer": ["(lake"]}}), "bad pattern"),
        (lambda d: d["verdicts"].update(prompt_scales={"no-such-prompt": 1.2}), "unknown prompt 'no-such-prompt'"),
        (lambda d: d["verdicts"].update(prompt_scales={"privacy-dsr": 0}), "verdicts.prompt_scales"),
        (lambda d: d["verdicts"].update(prompt_offsets={"no-such-prompt": 2.0}),
         "verdicts.prompt_offsets: unknown prompt 'no-such-prompt'"),
        (lambda d: d["verdicts"].update(prompt_offsets={"privacy-dsr": 101}), "verdicts.prompt_offsets"),
        (lambda d: d["verdicts"].update(architect_requires={"mechanics.no": 2}), "unknown criterion 'mechanics.no'"),
    ],
)
def test_broken_rubrics_are_refused_naming_file_entry_and_problem(tmp_path, mutate, message) -> None:
    path = _write_variant(tmp_path, mutate)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    text = str(info.value)
    assert str(path) in text
    assert message in text


def test_a_rubric_without_groups_components_or_asks_still_validates(tmp_path) -> None:
    """A user's rubric written before groups existed: every idea is its own, nothing presupposed."""
    def drop(d: dict) -> None:
        for key in ("groups", "components", "asks"):
            d.pop(key, None)

    rubric = load_rubric(_write_variant(tmp_path, drop))
    assert rubric.groups == [] and rubric.components == {} and rubric.asks == {}
    assert rubric.group_of("mechanics.late_data") is None


def test_bundled_groups_join_the_criteria_that_restate_one_idea() -> None:
    rubric = load_rubric()
    assert rubric.group_of("mechanics.idempotent_ingestion") is rubric.group_of("structure.correctness.idempotency")
    assert rubric.group_of("mechanics.late_data") is rubric.group_of("mechanics.watermarks")
    assert rubric.group_of("prompt.cdc-lakehouse.updates_deletes").id == "merges"
    assert rubric.group_of("signals.streaming_restraint") is None


def test_an_entry_is_named_by_its_id(tmp_path) -> None:
    path = _write_variant(tmp_path, lambda d: d["criteria"][3].update(weight=0))
    with pytest.raises(RubricError, match=r"criteria\['structure.requirements.compliance'\].weight"):
        load_rubric(path)


def test_not_toml_and_missing_file(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(RubricError, match="not valid TOML"):
        load_rubric(bad)
    with pytest.raises(RubricError, match="no such rubric file"):
        load_rubric(tmp_path / "absent.toml")
