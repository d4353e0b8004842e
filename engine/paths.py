"""Where grade keeps its own files. GRADE_HOME moves all of them (tests point it at a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path


def _base(xdg_var: str, fallback: str) -> Path:
    home = os.environ.get("GRADE_HOME")
    if home:
        return Path(home)
    root = os.environ.get(xdg_var)
    return (Path(root) if root else Path.home() / fallback) / "grade"


def data_dir() -> Path:
    """Saved mock-interview attempts and other user data."""
    return _base("XDG_DATA_HOME", ".local/share") / ("data" if os.environ.get("GRADE_HOME") else "")


def cache_dir() -> Path:
    """Disposable caches (LLM responses)."""
    return _base("XDG_CACHE_HOME", ".cache") / ("cache" if os.environ.get("GRADE_HOME") else "")
