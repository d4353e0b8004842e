"""Shared fixtures. Every test gets its own GRADE_HOME, so nothing touches the user's files."""

from __future__ import annotations

from pathlib import Path

import pytest

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
