"""User-facing errors. The CLI turns each into one line on stderr and its exit code."""

from __future__ import annotations


class GradeError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 2


class InputError(GradeError):
    """An answer file that cannot be graded: missing, empty, binary, not UTF-8 or too large."""

    exit_code = 2


class OutputError(GradeError):
    """A report that cannot be written where asked: the file exists (without --force), or no such folder."""

    exit_code = 2


class RubricInvalid(GradeError):
    """A rubric file that fails validation."""

    exit_code = 3


class SettingError(GradeError):
    """A bad option value or environment variable (GRADE_LLM_TIMEOUT=soon): a usage error."""

    exit_code = 2


class LLMError(GradeError):
    """The LLM endpoint failed: unreachable, refused the key, timed out, or answered nonsense."""

    exit_code = 4


EXIT_CODES = {
    0: "done (graded, and at or above --min-score when given)",
    1: "graded, but a score fell below --min-score (or grade eval --fail-under failed)",
    2: "usage or input error (bad option or setting, missing/empty/binary/non-UTF-8/oversized file, "
       "output file exists or cannot be written)",
    3: "invalid or missing rubric file",
    4: "LLM endpoint error, or no API key (with --llm)",
    130: "interrupted (Ctrl-C)",
}
