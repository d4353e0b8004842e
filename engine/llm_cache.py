"""A disk cache of validated LLM replies, so re-grading an unchanged answer costs nothing.

The key is a hash of everything that decides the reply: the model, the endpoint, the messages
(which hold the rubric, the rules' findings, the prompt templates and the answer), the response
schema and the sampling settings. Any change to one of them is a miss. Entries hold the reply's
text and token usage, never the API key. A missing, unreadable or corrupt entry is a miss; a cache
that cannot be written is skipped: the cache can only save requests, never fail a grading.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .paths import cache_dir

CACHE_VERSION = 1


def cache_key(**parts) -> str:
    """A stable hash of JSON-serialisable parts (model, endpoint, messages, schema, ...)."""
    blob = json.dumps({"v": CACHE_VERSION, **parts}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else cache_dir() / "llm"

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("content"), str) else None

    def put(self, key: str, entry: dict) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass
