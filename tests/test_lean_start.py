"""`grade FILE` pays only for what it uses: with the rubric unchanged since the last run, it loads
the rubric as plain data and prints the terminal report without pydantic or jinja2 (most of a cold
start). A behaviour test, not a timed one: it checks which modules a run imported."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ANSWERS, REPO

# Runs the CLI as the `grade` script does, then prints the heavy modules it imported.
_RUN = """
import sys
from grade.cli import main
try:
    main([{answer!r}])
except SystemExit as exc:
    code = exc.code
print("IMPORTED", sorted(m for m in ("pydantic", "jinja2", "openai", "tiktoken") if m in sys.modules), code,
      file=sys.stderr)
"""


def _imported(*args: str) -> str:
    run = subprocess.run([sys.executable, "-c", _RUN.format(answer=str(ANSWERS / "mock1.md")), *args],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    return run.stderr.strip().splitlines()[-1]


def test_grading_with_an_unchanged_rubric_imports_neither_pydantic_nor_jinja2(isolated_home) -> None:
    # The first run validates the rubric (pydantic) and caches it in this test's own GRADE_HOME.
    assert _imported() == "IMPORTED ['pydantic'] 0"
    assert _imported() == "IMPORTED [] 0"
