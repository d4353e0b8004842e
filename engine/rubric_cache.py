"""A validated rubric and its compiled matcher, kept on disk between runs.

Validating the rubric (pydantic, every pattern checked) and compiling its patterns is most of a
cold start. The first run stores the validated rubric and the compiled patterns in the cache
directory; later runs reuse them while every file the rubric was read from has the same content, and the
rubric's model (its fields) is the same code. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from . import __version__
from .matcher import Matcher
from .paths import cache_dir
from .regex_cache import RegexCompiler
from .rubric import model as model_module
from .rubric.model import BUNDLED_RUBRIC, Rubric, read_rubric


def _stamp(files: list[Path]) -> list[tuple[str, str]]:
    """Each file with a digest of its content: an edit is seen whatever its size and mtime."""
    return [(str(f), hashlib.sha256(f.read_bytes()).hexdigest()) for f in files]


def _cache_file(path: Path) -> Path:
    model = hashlib.sha256(Path(model_module.__file__).read_bytes()).hexdigest()
    key = hashlib.sha256(f"{__version__}|{model}|{path}".encode()).hexdigest()[:20]
    return cache_dir() / "rubrics" / f"{key}.pickle"


def load_compiled(path: Path | None = None) -> tuple[Rubric, Matcher]:
    """The rubric at `path` (default: bundled), validated, with its compiled Matcher."""
    path = (path or BUNDLED_RUBRIC).resolve()
    cached = _cache_file(path)
    try:
        with cached.open("rb") as fh:
            entry = pickle.load(fh)
        if entry["stamp"] == _stamp([Path(f) for f, _ in entry["stamp"]]):
            return entry["rubric"], Matcher(entry["rubric"], RegexCompiler(entry["regex"]))
    except Exception:  # noqa: BLE001 - a missing, stale or foreign cache is rebuilt
        pass
    rubric, files = read_rubric(path)
    compiler = RegexCompiler()
    matcher = Matcher(rubric, compiler)
    try:
        entry = {"stamp": _stamp(files), "rubric": rubric, "regex": compiler.record()}
        cached.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    except OSError:
        pass
    return rubric, matcher
