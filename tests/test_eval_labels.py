"""A malformed label file in `grade eval` is one line naming it (exit 2), never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from grade.cli import main

from .conftest import REPO

GOOD = {"prompt": "realtime-analytics", "verdict": "senior", "holistic": 3, "levels": {}}


@pytest.mark.parametrize("label", [
    [1],
    {**GOOD, "prompt": 3},
    {**GOOD, "verdict": "great"},
    {**GOOD, "holistic": "high"},
    {**GOOD, "levels": {"a": 5}},
    {k: v for k, v in GOOD.items() if k != "levels"},
])
def test_a_malformed_gold_label_is_one_line(tmp_path, label) -> None:
    dev = tmp_path / "corpus" / "dev"
    dev.mkdir(parents=True)
    (dev / "c01.md").write_text((REPO / "evals" / "corpus" / "dev" / "c01.md").read_text(encoding="utf-8"))
    (dev / "c01.json").write_text(json.dumps(label))
    result = CliRunner().invoke(main, ["eval", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "c01.json: invalid gold label" in result.output and "Traceback" not in result.output


def test_a_raw_label_that_is_not_json_is_one_line(tmp_path) -> None:
    dev = tmp_path / "corpus" / "dev"
    dev.mkdir(parents=True)
    (dev / "c01.md").write_text((REPO / "evals" / "corpus" / "dev" / "c01.md").read_text(encoding="utf-8"))
    (dev / "c01.json").write_text(json.dumps(GOOD))
    (tmp_path / "labels" / "a").mkdir(parents=True)
    (tmp_path / "labels" / "a" / "c01.json").write_text("{")
    result = CliRunner().invoke(main, ["eval", str(tmp_path)])
    assert result.exit_code == 2 and "not valid JSON" in result.output, result.output
