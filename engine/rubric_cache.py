"""A validated rubric, kept on disk between runs as JSON.

Validating the rubric (pydantic, and every pattern compiled and checked for runaway backtracking)
is most of a cold start. The first run stores the validated rubric as JSON in a private cache
folder (0700, owned by the user); later runs reload it with pydantic, skipping only the pattern
checks, while every file the rubric was read from has the same content (a SHA-256 of each), and
the rubric's model (its fields) and grade's version are the same. JSON cannot run code when it is
read, unlike the pickle this replaced. The compiled regular expressions are stored beside it as
sre opcode lists (plain integers), with the literal prefixes grade.scan derives from each. The
file starts with a SHA-256 of the rest, checked before anything is parsed: opcodes fed back to the
interpreter can crash it when damaged. An entry that cannot be read, parsed or validated is
rebuilt; a cache that cannot be written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from . import __version__
from .matcher import Matcher
from .paths import private_cache
from .regex_cache import RegexCompiler, record_from_json, record_to_json
from .rubric import model as model_module
from .rubric.model import BUNDLED_RUBRIC, Rubric, read_rubric

FORMAT = 3  # 3: the regex record keeps grade.scan's prefixes
MAX_ENTRY_BYTES = 20_000_000


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _header(body: bytes) -> bytes:
    return f"grade-rubric-cache {FORMAT} sha256 {hashlib.sha256(body).hexdigest()}".encode("ascii")


def _stamp(files: list[Path]) -> list[list[str | None]]:
    """Each file with a digest of its content: an edit is seen whatever its size and mtime."""
    return [[str(f), _digest(f)] for f in files]


def _cache_file(folder: Path, path: Path) -> Path:
    model = hashlib.sha256(Path(model_module.__file__).read_bytes()).hexdigest()
    key = hashlib.sha256(f"{FORMAT}|{__version__}|{model}|{path}".encode()).hexdigest()[:24]
    return folder / f"{key}.json"


def _load(cached: Path) -> tuple[Rubric, RegexCompiler] | None:
    try:
        with cached.open("rb") as fh:
            raw = fh.read(MAX_ENTRY_BYTES + 1)
        header, _, body = raw.partition(b"\n")
        if len(raw) > MAX_ENTRY_BYTES or header != _header(body):
            return None
        entry = json.loads(body)
        stamp = entry["stamp"]
        if entry.get("format") != FORMAT or not isinstance(stamp, list) or not stamp:
            return None
        for item in stamp:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and item[1]
                    and _digest(Path(item[0])) == item[1]):
                return None
        rubric = Rubric.model_validate(entry["rubric"], context={"checked": True})
        return rubric, RegexCompiler(record_from_json(entry.get("regex")))
    except (OSError, ValueError, KeyError, TypeError, RecursionError, ValidationError):
        return None  # missing, stale, foreign or damaged: rebuilt


def _store(cached: Path, rubric: Rubric, files: list[Path], compiler: RegexCompiler) -> None:
    entry = {"format": FORMAT, "stamp": _stamp(files), "rubric": rubric.model_dump(mode="json"),
             "regex": record_to_json(compiler.record())}
    body = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_header(body) + b"\n" + body)
        os.replace(tmp, cached)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_compiled(path: Path | None = None) -> tuple[Rubric, Matcher]:
    """The rubric at `path` (default: bundled), validated, with its compiled Matcher."""
    path = (path or BUNDLED_RUBRIC).resolve()
    folder = private_cache("rubrics")
    cached = _cache_file(folder, path) if folder is not None else None
    loaded = _load(cached) if cached is not None else None
    if loaded is not None:
        rubric, compiler = loaded
        return rubric, Matcher(rubric, compiler)
    rubric, files = read_rubric(path)
    compiler = RegexCompiler()
    matcher = Matcher(rubric, compiler)
    if cached is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):  # no cache this time
            _store(cached, rubric, files, compiler)
    return rubric, matcher
