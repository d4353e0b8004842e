"""grade: a design-review rubric engine and grader for data-architecture interview answers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("grade")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
