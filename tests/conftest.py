"""Shared fixtures. Every test gets its own GRADE_HOME, so nothing touches the user's files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from grade.core.document import parse
from grade.core.matcher import CompiledRubric
from grade.rubric.model import load_rubric, validated
from grade.rubric.runtime import Rubric

REPO = Path(__file__).resolve().parent.parent
ANSWERS = REPO / "answers"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_HOME", str(tmp_path / "grade-home"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    for name in ("GRADE_LLM", "GRADE_MODEL", "GRADE_LLM_TIMEOUT", "GRADE_LLM_RETRIES", "GRADE_CONTEXT_TOKENS",
                 "GRADE_PRICE_PER_MTOK"):  # a developer's --llm settings must not reach the tests
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path / "grade-home"


@pytest.fixture
def mock1_text() -> str:
    return (ANSWERS / "mock1.md").read_text(encoding="utf-8")


def detector_level(matcher: CompiledRubric, name: str, text: str) -> int:
    """The level one detector alone gives a text: its best hit, or 0 when it finds nothing."""
    return max((hit.level for hit in matcher.detect(parse(text), name)), default=0)


def tiny_rubric(detectors: dict[str, dict], substance_cues: list[str] | None = None) -> Rubric:
    """A one-section rubric with one criterion per detector, validated like any rubric file."""
    return validated({
        "name": "tiny", "version": "1",
        "sections": [{"id": "evaluation", "title": "Evaluation"}],
        "criteria": [{"id": f"evaluation.{name}", "section": "evaluation", "title": name, "weight": 1,
                      "description": name, "detectors": [name], "advice": f"Say how the {name} works."}
                     for name in detectors],
        "detectors": detectors,
        "substance_cues": substance_cues or [],
        "verdicts": {"architect_min_score": 70, "senior_min_score": 40, "stuffing_min_mentioned": 5,
                     "stuffing_max_substantiated_ratio": 0.2, "diagram_min_architecture": 99,
                     "diagram_max_reasoned": 0, "caps": []},
    })


@pytest.fixture
def tiny_level() -> Callable[..., int]:
    """`tiny_level(text, mention=[...], ...)`: the level of one detector, built from these options,
    in a tiny in-memory rubric (`cues` are its substance_cues), on `text`."""
    def level(text: str, *, cues: list[str] | None = None, **detector) -> int:
        return detector_level(CompiledRubric(tiny_rubric({"idea": detector}, cues)), "idea", text)
    return level


@pytest.fixture(scope="session")
def bundled_matcher() -> CompiledRubric:
    """The bundled rubric, compiled straight from rubric/default.toml (no cache)."""
    return CompiledRubric(load_rubric())


@pytest.fixture
def server():
    """A fake OpenAI-compatible server on 127.0.0.1, started for one test (tests/fake_llm_server.py)."""
    from .fake_llm_server import FakeLLMServer

    s = FakeLLMServer().start()
    yield s
    s.stop()


def mount_tmpfs(mount, options: str, why: str):
    """Mount a real tmpfs at `mount` for one test, when this machine lets us (root on Linux), else
    skip with `why`; a generator for a fixture to yield from."""
    import shutil
    import subprocess

    mount.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip(why)
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)
