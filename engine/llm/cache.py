"""A disk cache of validated LLM replies, so re-grading an unchanged answer costs nothing.

The key is a hash of everything that decides the reply: the model, the endpoint, the messages
(which hold the rubric, the rules' findings, the prompt templates and the answer), the response
schema and the sampling settings. Any change to one of them is a miss. Entries hold the reply's
text (the validated reply, re-serialised, with the API key scrubbed from it) and token usage, and
a digest of the text: an entry edited by hand no longer matches it. A missing, unreadable, corrupt
or edited entry is a miss; a cache that cannot be written is skipped: the cache can only save
requests, never fail a grading. The folder is private (0700), the files 0600.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..core.files import replace_atomically
from ..paths import private_cache

CACHE_VERSION = 1


def cache_key(**parts) -> str:
    """A stable hash of JSON-serialisable parts (model, endpoint, messages, schema, ...)."""
    blob = json.dumps({"v": CACHE_VERSION, **parts}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


MAX_ENTRY_BYTES = 10_000_000
_FIELDS = {"content": str, "format": str, "model": str}


def _digest(key: str, content: str) -> str:
    return hashlib.sha256(f"{key}\n{content}".encode()).hexdigest()


class ResponseCache:
    """Entries in `root` (default: the private cache folder `llm`, 0700; no cache when there is none)."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def root(self) -> Path | None:
        if self._root is None:
            self._root = private_cache("llm")
        return self._root

    def _path(self, key: str) -> Path | None:
        return self.root / key[:2] / f"{key}.json" if self.root is not None else None

    def get(self, key: str) -> dict | None:
        """The entry for `key`, or None: missing, unreadable, not JSON, of the wrong shape, or edited
        (its content no longer matches the digest stored with it)."""
        path = self._path(key)
        if path is None:
            return None
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_ENTRY_BYTES + 1)
            data = json.loads(raw) if len(raw) <= MAX_ENTRY_BYTES else None
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("digest") != _digest(key, str(data.get("content"))):
            return None
        if any(not isinstance(data.get(name), kind) for name, kind in _FIELDS.items() if name in data):
            return None
        if not isinstance(data.get("content"), str):
            return None
        for name in ("prompt_tokens", "completion_tokens"):
            value = data.get(name)
            if value is not None and (type(value) is not int or value < 0):
                data[name] = None
        return data

    def put(self, key: str, entry: dict) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            data = json.dumps({**entry, "digest": _digest(key, entry["content"])}, ensure_ascii=False)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            replace_atomically(path, data.encode("utf-8"))
        except (OSError, ValueError, TypeError):
            pass
