"""A validated rubric, kept on disk between runs as plain data (marshal).

Validating the rubric (pydantic, and every pattern compiled and checked for runaway backtracking)
is most of a cold start. The first run stores the validated rubric in a private cache folder (0700,
owned by the user); later runs rebuild rubric.runtime's dataclasses from it as plain data,
validating nothing and importing no pydantic, while every file the rubric was read from has the
same content (a SHA-256 of each), and the rubric's types (rubric/model.py, rubric/runtime.py),
grade's version and the expansion of its patterns (rubric/patterns.py) are the same. The
entry holds only dicts, lists, strings and numbers, written with marshal: reading it runs no code,
as with the JSON it replaced (4x slower to read: a tenth of a cold start) and unlike the pickle
before that. The compiled regular expressions are stored beside it as sre opcode lists (plain
integers), with the literal prefixes grade.core.scan derives from each and the pattern each list
of rubric patterns expands to (rubric.patterns.joined_pattern). The file starts with a
SHA-256 of the rest, checked before anything is parsed: opcodes fed back to the interpreter (and
marshal's own reader) can crash it when damaged. An entry that cannot be read or parsed is rebuilt;
a cache that cannot be written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from dataclasses import asdict
from pathlib import Path

from .. import __version__
from ..paths import private_cache
from ..rubric import runtime
from ..rubric.runtime import BUNDLED_RUBRIC, Rubric, from_data
from .files import read_headed, replace_atomically
from .matcher import CompiledRubric
from .regex_cache import RegexCompiler, packed_prefixes, record_from_json, record_to_json

FORMAT = 9  # 3: marshal; 4: the regex record keeps grade.core.scan's prefixes; 5: and their plans;
# 6: opcodes packed as bytes; 7: and the rubric's per-criterion anchor patterns (CompiledRubric.anchor_pattern);
# 8: and its `praise` lists (CompiledRubric.alternation); 9: each pattern's scan prefixes packed
# (regex_cache.packed_prefixes: unpacked when grade.core.scan first asks for them)
MAX_ENTRY_BYTES = 20_000_000


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _header(body: bytes | memoryview) -> bytes:
    return f"grade-rubric-cache {FORMAT} sha256 {hashlib.sha256(body).hexdigest()}".encode("ascii")


def _stamp(files: list[Path]) -> list[list[str | None]]:
    """Each file with a digest of its content: an edit is seen whatever its size and mtime."""
    return [[str(f), _digest(f)] for f in files]


def _cache_file(folder: Path, path: Path) -> Path:
    types = Path(runtime.__file__)
    model = hashlib.sha256(types.read_bytes() + types.with_name("model.py").read_bytes()
                           + types.with_name("patterns.py").read_bytes()).hexdigest()
    key = hashlib.sha256(f"{FORMAT}|{__version__}|{model}|{path}".encode()).hexdigest()[:24]
    return folder / f"{key}.marshal"


def _load(cached: Path) -> tuple[Rubric, RegexCompiler] | None:
    try:
        headed = read_headed(cached, MAX_ENTRY_BYTES)
        if headed is None:
            return None
        header, body = headed
        if header != _header(body):
            return None
        entry = marshal.loads(body)
        stamp = entry["stamp"]
        if entry.get("format") != FORMAT or not isinstance(stamp, list) or not stamp:
            return None
        for item in stamp:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and item[1]
                    and _digest(Path(item[0])) == item[1]):
                return None
        rubric = from_data(Rubric, entry["rubric"])  # validated when it was stored
        return rubric, RegexCompiler(record_from_json(entry.get("regex")))
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError, RecursionError):
        return None  # missing, stale, foreign or damaged: rebuilt


def _store(cached: Path, rubric: Rubric, files: list[Path], compiler: RegexCompiler) -> None:
    regex = record_to_json(compiler.record())
    regex["prefixes"] = packed_prefixes(regex["prefixes"])
    entry = {"format": FORMAT, "stamp": _stamp(files), "rubric": asdict(rubric), "regex": regex}
    body = marshal.dumps(entry)
    replace_atomically(cached, _header(body) + b"\n" + body)


def load_compiled(path: Path | None = None) -> tuple[Rubric, CompiledRubric]:
    """The rubric at `path` (default: bundled), validated, with its compiled CompiledRubric."""
    path = (path or BUNDLED_RUBRIC).resolve()
    folder = private_cache("rubrics")
    cached = _cache_file(folder, path) if folder is not None else None
    loaded = _load(cached) if cached is not None else None
    if loaded is not None:
        rubric, compiler = loaded
        return rubric, CompiledRubric(rubric, compiler)
    from ..rubric.model import read_rubric  # pydantic: only for a new or changed rubric

    rubric, files = read_rubric(path)
    compiler = RegexCompiler()
    matcher = CompiledRubric(rubric, compiler)
    if cached is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):  # no cache this time
            _store(cached, rubric, files, compiler)
    return rubric, matcher
