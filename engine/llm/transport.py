"""The transport: one call, `ask(request) -> (reply, usage)`, and everything between a request and
a validated reply behind it: the disk cache, the retries (client.chat), the response-format
fallback (json_schema, then JSON mode, then a plain request, each validated) and the one re-ask
with the validation error when a reply does not match the schema.

`usage` is a dict: cached, requests (HTTP attempts), format (the mode that answered) and the
prompt and completion tokens the server reported (None when it did not).

One transport serves many threads (`ask_each`): it builds one client, shares the format a server
accepts, counts under a lock, and holds every thread back while the server asks to wait (a 429's
Retry-After, or no request left in the rate-limit window).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from pydantic import BaseModel

from ..errors import LLMError
from .cache import ResponseCache, cache_key
from .client import ChatReply, FormatRejected, LLMSettings, RateGate, build_client, chat, say_on_stderr
from .reply import ReplyInvalid, parse_reply, scrub_reply
from .request import FORMAT_MODES, FormatMode, LLMRequest, render_prompt

Outcome = tuple[BaseModel, dict] | LLMError
"""What asking gave for one request: the validated reply and its usage, or the error."""


@dataclass
class TransportStats:
    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Transport:
    """Validated replies for LLMRequests. `client` is any object with the openai client's
    `chat.completions.create` (and `files`/`batches` for the Batch API); by default an
    `openai.OpenAI` is built from `settings` on the first request (never for a cache hit)."""

    def __init__(self, settings: LLMSettings, *, client=None, cache: ResponseCache | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 notify: Callable[[str], None] | None = say_on_stderr) -> None:
        self.settings = settings
        self._client = client
        self.cache = cache
        self.sleep = sleep
        self.notify = notify
        self.format_mode: FormatMode = "json_schema"
        self.stats = TransportStats()
        self.gate = RateGate()
        self._lock = threading.Lock()

    @property
    def client(self):
        with self._lock:
            if self._client is None:
                self._client = build_client(self.settings)
            return self._client

    # ------------------------------------------------------------------------------ one request
    def ask(self, request: LLMRequest) -> tuple[BaseModel, dict]:
        """One request through the cache, the format fallbacks and the single re-ask: the validated
        reply (the API key scrubbed from it) and what it cost. Every failure is an LLMError."""
        hit = self.cached(request)
        if hit is not None:
            return hit
        meta: dict = {"cached": False, "requests": 0, "format": self.format_mode}
        try:
            answer, messages = self._send(request.messages_for(self.format_mode), request, meta)
            reply = self.validated(request, answer, messages, meta)
        finally:
            self.tally(requests=meta["requests"])
        self.store(request, reply, meta)
        return reply, meta

    def ask_each(self, requests: Iterable[tuple[int, LLMRequest]], jobs: int = 1) -> Iterator[tuple[int, Outcome]]:
        """Each (tag, request)'s outcome as soon as it is known, `jobs` requests in flight at a time;
        an LLMError is the outcome of its request alone. `requests` is read lazily, so building the
        next request overlaps with waiting for the ones sent before."""
        if jobs <= 1:
            for tag, request in requests:
                yield tag, self._outcome(request)
            return
        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade-llm")
        pending: dict[Future, int] = {}
        warm = pool.submit(lambda: self.client)  # importing openai overlaps preparing the first answer
        try:
            for tag, request in requests:
                if not warm.done():
                    # Both need the GIL: when answers were prepared while openai imported, the import starved
                    # and the first request went out only once every answer was prepared (6.6 s for 117).
                    warm.exception()
                pending[pool.submit(self._outcome, request)] = tag
                for future in [f for f in pending if f.done()]:
                    yield pending.pop(future), future.result()
            for future in as_completed(list(pending)):
                yield pending.pop(future), future.result()
            warm.exception()  # a client that cannot be built failed its requests already
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _outcome(self, request: LLMRequest) -> Outcome:
        try:
            return self.ask(request)
        except LLMError as exc:
            return exc

    # ------------------------------------------------------------------------------ the cache
    def key(self, request: LLMRequest) -> str:
        return cache_key(model=request.model, endpoint=self.settings.endpoint, messages=request.messages,
                         schema=request.schema, with_critique=request.with_critique,
                         max_completion_tokens=request.max_completion_tokens, temperature=request.temperature)

    def cached(self, request: LLMRequest) -> tuple[BaseModel, dict] | None:
        """The cached reply to `request` and its usage, or None (no cache, a miss, or an entry that
        no longer validates)."""
        if self.cache is None:
            return None
        hit = self.cache.get(self.key(request))
        if hit is None:
            return None
        try:
            reply = scrub_reply(parse_reply(hit["content"], request.reply_model), self.settings.api_key)
        except ReplyInvalid:
            return None
        self.tally(cache_hits=1)
        fmt = hit.get("format")
        return reply, {"cached": True, "requests": 0, "format": fmt if fmt in FORMAT_MODES else "json_schema",
                       "prompt_tokens": hit.get("prompt_tokens"), "completion_tokens": hit.get("completion_tokens")}

    def store(self, request: LLMRequest, reply: BaseModel, meta: dict) -> None:
        """Keep a validated reply: re-serialised and scrubbed, never the server's raw text."""
        if self.cache is None:
            return
        self.cache.put(self.key(request), {
            "content": reply.model_dump_json(by_alias=True), "format": meta["format"], "model": request.model,
            "prompt_tokens": meta.get("prompt_tokens"), "completion_tokens": meta.get("completion_tokens"),
            "created": time.time()})

    # ------------------------------------------------------------------------------ the wire
    def validated(self, request: LLMRequest, answer: ChatReply, messages: list[dict], meta: dict) -> BaseModel:
        """The reply in `answer`, validated; if it does not validate, asked once more with the error
        (the re-ask counts in `meta`). Scrubbed of the API key."""
        try:
            return scrub_reply(parse_reply(answer.content, request.reply_model), self.settings.api_key)
        except ReplyInvalid as exc:
            first = str(exc)
        reask = render_prompt("llm_reask.j2", error=first)
        messages = [*messages, {"role": "assistant", "content": answer.content[:8000]},
                    {"role": "user", "content": reask}]
        answer, _ = self._send(messages, request, meta)
        try:
            return scrub_reply(parse_reply(answer.content, request.reply_model), self.settings.api_key)
        except ReplyInvalid as exc:
            cut = " (cut off at the token limit)" if answer.finish_reason == "length" else ""
            raise LLMError(f"{self.settings.model} at {self.settings.endpoint}: invalid reply{cut}, again "
                           f"after one re-ask with the error: {exc}") from None

    def _send(self, messages: list[dict], request: LLMRequest, meta: dict) -> tuple[ChatReply, list[dict]]:
        """One chat call in the current format mode, stepping down the modes a server refuses."""
        while True:
            mode = self.format_mode
            try:
                answer = chat(self.client, self.settings, messages=messages,
                              response_format=request.response_format(mode),
                              max_completion_tokens=request.max_completion_tokens,
                              temperature=request.temperature, sleep=self.sleep, notify=self.notify,
                              gate=self.gate)
            except FormatRejected:
                meta["requests"] += 1
                if mode == FORMAT_MODES[-1]:
                    raise
                with self._lock:  # another thread may have stepped down already
                    if self.format_mode == mode:
                        self.format_mode = FORMAT_MODES[FORMAT_MODES.index(mode) + 1]
                messages = request.messages_for(self.format_mode) + messages[len(request.messages):]
                continue
            meta["requests"] += answer.attempts
            meta["format"] = mode
            self.count_tokens(answer, meta)
            return answer, messages

    def count_tokens(self, answer: ChatReply, meta: dict) -> None:
        for k in ("prompt_tokens", "completion_tokens"):
            value = getattr(answer, k)
            if value is not None:
                meta[k] = (meta.get(k) or 0) + value
                self.tally(**{k: value})

    def tally(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self.stats, name, getattr(self.stats, name) + value)
