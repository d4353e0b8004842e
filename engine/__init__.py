"""grade: a design-review rubric engine and grader for data-architecture interview answers."""

__version__ = "0.1.0"

__all__ = ["__version__"]
