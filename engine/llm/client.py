"""The LLM endpoint: settings resolved at call time, a client built only when used, and one chat
request with a timeout, retries with backoff and one clear error per way it can fail.

Any OpenAI-compatible chat-completions server works (OpenAI, vLLM, llama.cpp server, Ollama,
LM Studio). Settings come from the flags first, then the environment:

    --model      GRADE_MODEL         default gpt-4o-mini
    --timeout    GRADE_LLM_TIMEOUT   seconds per attempt, whole (connect to last byte), default 60
                 GRADE_LLM_RETRIES   retries on 429/5xx/timeouts, default 3 (0 fails fast)
                 GRADE_BATCH_POLL    seconds between looks at a submitted batch (--batch), default 30
                 OPENAI_BASE_URL     the server, e.g. http://localhost:11434/v1 (default: OpenAI's)
                 OPENAI_API_KEY      required for OpenAI; a local server that needs none may go without

The key is never printed, logged, cached or put in an error message: messages quoting a server's
reply are scrubbed of it. `openai` is imported only inside the functions that talk to a server,
so the CLI and the rule grader start without it.
"""

from __future__ import annotations

import contextlib
import email.utils
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import LLMError, SettingError

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 60.0
DEFAULT_BATCH_POLL = 30.0
MAX_TIMEOUT = 3600.0
"""An attempt longer than an hour is a mistake (and `inf` or 1e12 overflow the socket layer)."""
MAX_TOKENS_REPORTED = 10**9
"""Usage figures beyond this are a server's nonsense, not a count."""
OPENAI_URL = "https://api.openai.com/v1"
NO_KEY = "no-key"
"""Sent to a custom endpoint when OPENAI_API_KEY is unset: the SDK insists on a key, local servers ignore it."""

RETRY_STATUS = {408, 409, 429}
_KEYLIKE = re.compile(r"\b(sk|key|token)-[A-Za-z0-9_\-*]{6,}")
_USERINFO = re.compile(r"//[^/@]*@")


@dataclass(frozen=True)
class LLMSettings:
    """How to reach the model. `api_key` stays out of repr() so it cannot leak into a log."""

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = 3
    """Retries after the first attempt, on 429, 5xx, 408/409, timeouts and connection errors."""
    backoff: float = 1.0
    """First wait between attempts, doubled each retry, unless the server sends Retry-After."""
    max_backoff: float = 20.0
    max_retry_after: float = 60.0
    """A Retry-After longer than this is reported as an error instead of waited out."""
    batch_poll: float = DEFAULT_BATCH_POLL
    """Seconds between two looks at a submitted batch (--batch)."""

    @property
    def endpoint(self) -> str:
        """The server, for messages: never with credentials in it."""
        return _USERINFO.sub("//", (self.base_url or OPENAI_URL).rstrip("/"))


def resolve_settings(*, model: str | None = None, timeout: float | None = None, base_url: str | None = None,
                     api_key: str | None = None, env: dict[str, str] | None = None, **policy) -> LLMSettings:
    """Flags first, then the environment, then the defaults. `policy` sets retries and backoff."""
    env = os.environ if env is None else env
    source = "--timeout"
    if timeout is None:
        raw = env.get("GRADE_LLM_TIMEOUT", "").strip()
        source = f"GRADE_LLM_TIMEOUT={raw!r}"
        try:
            timeout = float(raw) if raw else DEFAULT_TIMEOUT
        except ValueError:
            raise SettingError(f"{source} is not a number of seconds") from None
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        shown = source if source != "--timeout" else f"--timeout {timeout:g}"
        raise SettingError(f"{shown}: the timeout must be a positive number of seconds, at most {MAX_TIMEOUT:g}")
    retries = env.get("GRADE_LLM_RETRIES", "").strip()
    if retries and "max_retries" not in policy:
        if not retries.isdigit() or int(retries) > 20:
            raise SettingError(f"GRADE_LLM_RETRIES={retries!r} is not a whole number from 0 to 20")
        policy["max_retries"] = int(retries)
    poll = env.get("GRADE_BATCH_POLL", "").strip()
    if poll and "batch_poll" not in policy:
        try:
            policy["batch_poll"] = float(poll)
        except ValueError:
            policy["batch_poll"] = -1.0
        if not (math.isfinite(policy["batch_poll"]) and 0 < policy["batch_poll"] <= MAX_TIMEOUT):
            raise SettingError(f"GRADE_BATCH_POLL={poll!r} is not a number of seconds from 0 to {MAX_TIMEOUT:g}")
    from .tokens import context_window, pricing_for

    chosen = model or env.get("GRADE_MODEL") or DEFAULT_MODEL
    pricing_for(chosen, env)  # every setting is checked up front, the same way: a bad one is an error
    context_window(chosen, env)
    return LLMSettings(
        model=chosen,
        base_url=base_url or env.get("OPENAI_BASE_URL") or None,
        api_key=api_key or env.get("OPENAI_API_KEY") or None,
        timeout=float(timeout),
        **policy,
    )


_ON, _OFF = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def llm_enabled(flag: bool, env: dict[str, str] | None = None) -> bool:
    """--llm, or the GRADE_LLM=1 switch in the environment (for a config that always wants it)."""
    env = os.environ if env is None else env
    raw = env.get("GRADE_LLM", "").strip().lower()
    if raw not in _ON + _OFF:
        raise SettingError(f"GRADE_LLM={env.get('GRADE_LLM')!r} is neither on (1, true, yes, on) nor off "
                           "(0, false, no, off)")
    return flag or raw in _ON


def build_client(settings: LLMSettings):
    """An `openai.OpenAI` client for these settings, with the SDK's own retries off (we retry), whose
    every request ends within the timeout: the SDK's timeout bounds each read, not a reply trickled
    one byte at a time."""
    key = settings.api_key
    if not key:
        if settings.base_url is None:
            raise LLMError("no API key: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local "
                           "OpenAI-compatible server that needs none")
        key = NO_KEY
    import openai

    kwargs = {}
    http_client = _deadline_client(openai, settings.timeout)
    if http_client is not None:
        kwargs["http_client"] = http_client
    return openai.OpenAI(api_key=key, base_url=settings.base_url or OPENAI_URL,
                         timeout=settings.timeout, max_retries=0, **kwargs)


def http_module(openai_module):
    """The HTTP library the openai SDK is built on (httpx, or its fork httpx2), or None."""
    import importlib

    for cls in getattr(openai_module, "DefaultHttpxClient", type).__mro__:
        root = cls.__module__.split(".")[0]
        if cls.__name__ == "Client" and root.startswith("httpx"):
            return importlib.import_module(root)
    return None


def _deadline_client(openai_module, seconds: float):
    """The SDK's default HTTP client, with every transport (proxies from the environment included)
    wrapped so that a request, from sending it to the last byte of the reply, ends within `seconds`.
    None when the SDK's HTTP library is not the one expected: then only each read is bounded."""
    http = http_module(openai_module)
    if http is None:
        return None

    class DeadlineStream(http.SyncByteStream):
        def __init__(self, inner, deadline: float, request) -> None:
            self.inner, self.deadline, self.request = inner, deadline, request

        def __iter__(self):
            for chunk in self.inner:
                if time.monotonic() > self.deadline:
                    raise http.ReadTimeout(f"no complete reply within {seconds:g} s", request=self.request)
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class DeadlineTransport(http.BaseTransport):
        def __init__(self, inner) -> None:
            self.inner = inner

        def handle_request(self, request):
            deadline = time.monotonic() + seconds
            response = self.inner.handle_request(request)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                response.close()
                raise http.ReadTimeout(f"no complete reply within {seconds:g} s", request=request)
            timeouts = request.extensions.get("timeout")
            if isinstance(timeouts, dict):  # the body's reads get only what is left
                request.extensions["timeout"] = {**timeouts, "read": min(timeouts.get("read") or remaining,
                                                                         remaining)}
            response.stream = DeadlineStream(response.stream, deadline, request)
            return response

        def close(self) -> None:
            self.inner.close()

    try:
        client = openai_module.DefaultHttpxClient()
        client._transport = DeadlineTransport(client._transport)
        client._mounts = {pattern: DeadlineTransport(t) if t is not None else None
                          for pattern, t in client._mounts.items()}
    except Exception:  # noqa: BLE001 - another HTTP library layout: the SDK's own client, reads bounded
        return None
    return client


@dataclass
class ChatReply:
    content: str
    prompt_tokens: int | None
    completion_tokens: int | None
    attempts: int
    finish_reason: str | None = None


class FormatRejected(LLMError):
    """The server refused the request's response_format (it has no json_schema or JSON mode)."""


def scrub(text: str, settings: LLMSettings, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    if settings.api_key:
        text = text.replace(settings.api_key, "***")
    text = _KEYLIKE.sub("***", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def server_message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
    return getattr(exc, "message", None) or str(exc)


def retry_after(headers) -> float | None:
    """Seconds a response's Retry-After (or retry-after-ms) asks to wait, or None."""
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is None:
                continue
            seconds = email.utils.mktime_tz(parsed) - time.time()
        if math.isfinite(seconds):
            return max(0.0, seconds)
    return None


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def reset_seconds(value: str | None) -> float | None:
    """An x-ratelimit-reset-* value ('1s', '6m0s', '20ms', '0.5') in seconds, or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(float(n) * _UNIT[u] for n, u in parts)


class RateGate:
    """When the server asks to wait (a 429's Retry-After, or a reply saying the rate-limit window
    has no request or token left), every thread sharing this gate holds its next request until then."""

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def wait(self, sleep: Callable[[float], None]) -> None:
        with self._lock:
            remaining = self._until - time.monotonic()
        if remaining > 0:
            sleep(remaining)

    def note_headers(self, headers, limit: float) -> None:
        """Hold until the window resets when a reply says nothing is left in it (at most `limit` s)."""
        if headers is None:
            return
        for kind in ("requests", "tokens"):
            if (headers.get(f"x-ratelimit-remaining-{kind}") or "").strip() == "0":
                seconds = reset_seconds(headers.get(f"x-ratelimit-reset-{kind}"))
                if seconds:
                    self.hold(min(seconds, limit))


def say_on_stderr(message: str) -> None:
    """The default way a retry is announced: one line on standard error."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no stderr: say nothing
        print(f"grade: {message}", file=sys.stderr, flush=True)


def chat(client, settings: LLMSettings, *, messages: list[dict], response_format: dict | None = None,
         max_completion_tokens: int | None = None, temperature: float | None = 0.0,
         sleep: Callable[[float], None] = time.sleep,
         notify: Callable[[str], None] | None = say_on_stderr, gate: RateGate | None = None) -> ChatReply:
    """One chat completion, retried on transient failures; every failure becomes an LLMError. Each
    retry is announced through `notify` (a line on stderr by default), so a slow failure is not silent.
    With a `gate` shared by several threads, a wait the server asks for holds them all."""
    import openai

    http = http_module(openai)
    raw_timeouts = (http.TimeoutException,) if http is not None else ()

    kwargs: dict = {"model": settings.model, "messages": messages}
    if response_format is not None:
        kwargs["response_format"] = response_format
    if max_completion_tokens is not None:
        kwargs["max_completion_tokens"] = max_completion_tokens
    if temperature is not None:
        kwargs["temperature"] = temperature
    where = settings.endpoint
    attempts = 0
    while True:
        attempts += 1
        wait: float | None = None
        if gate is not None:
            gate.wait(sleep)
        try:
            completion = _create(client, kwargs, settings, gate)
        except openai.AuthenticationError:
            raise LLMError(f"{where} refused the API key (401 Unauthorized): check OPENAI_API_KEY") from None
        except openai.PermissionDeniedError as exc:
            raise LLMError(f"{where} denied access to model {settings.model!r} (403): "
                           f"{scrub(server_message(exc), settings)}") from None
        except openai.NotFoundError:
            raise LLMError(f"model {settings.model!r} or its chat-completions route was not found at {where} "
                           "(404): check --model/GRADE_MODEL and OPENAI_BASE_URL (it usually ends in /v1)") from None
        except (openai.APITimeoutError, *raw_timeouts):
            problem = f"no reply from {where} within {settings.timeout:g} s (--timeout or GRADE_LLM_TIMEOUT)"
        except openai.APIConnectionError as exc:
            cause = exc.__cause__ or exc
            problem = f"cannot reach {where} ({scrub(cause, settings, 120)}): check OPENAI_BASE_URL"
        except openai.APIStatusError as exc:
            status = exc.status_code
            message = scrub(server_message(exc), settings)
            if status in (400, 422) and response_format is not None:
                raise FormatRejected(f"{where} rejected the request ({status}): {message}") from None
            if status not in RETRY_STATUS and status < 500:
                raise LLMError(f"{where} rejected the request ({status}): {message}") from None
            label = "rate limited (429)" if status == 429 else f"server error {status}"
            problem = f"{label} from {where}: {message}"
            wait = retry_after(exc.response.headers)
            if wait is not None and wait > settings.max_retry_after:
                raise LLMError(f"{problem}; it asks to wait {wait:g} s (Retry-After), longer than the "
                               f"{settings.max_retry_after:g} s this tool waits: try again later") from None
        except openai.OpenAIError as exc:
            raise LLMError(f"{where}: {scrub(exc, settings)}") from None
        except ValueError:  # a 200 whose body is not JSON: a proxy's page, a web UI's address
            raise LLMError(f"{where} did not answer in JSON: is OPENAI_BASE_URL the API's address "
                           "(it usually ends in /v1)?") from None
        except RecursionError:
            raise LLMError(f"{where} answered JSON nested too deeply to be a chat-completions reply") from None
        else:
            return read_completion(completion, attempts, settings)
        if attempts > settings.max_retries:
            tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
            raise LLMError(f"{problem}; gave up after {tries}")
        asked = wait is not None
        if wait is None:
            wait = min(settings.backoff * 2 ** (attempts - 1), settings.max_backoff)
        if notify is not None:
            notify(f"{problem}; retry {attempts} of {settings.max_retries} in {wait:g} s")
        if asked and gate is not None:
            gate.hold(wait)  # the server's own wait holds every thread; the next gate.wait sleeps it
        else:
            sleep(wait)


def _create(client, kwargs: dict, settings: LLMSettings, gate: RateGate | None):
    """The completion; with a gate, read through the raw response so its rate-limit headers count."""
    create = client.chat.completions
    raw = getattr(create, "with_raw_response", None) if gate is not None else None
    if raw is None:
        return create.create(**kwargs, timeout=settings.timeout)
    response = raw.create(**kwargs, timeout=settings.timeout)
    gate.note_headers(getattr(response, "headers", None), settings.max_retry_after)
    return response.parse()


def read_completion(completion, attempts: int, settings: LLMSettings) -> ChatReply:
    """The reply's text and usage. The SDK builds its objects without validating them, so every field
    a server sent is checked here: anything off is one LLMError, never an exception from deep inside."""
    where = settings.endpoint
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise LLMError(f"{where} answered without any choice: not a chat-completions reply")
    choice = choices[0]
    message = getattr(choice, "message", None)
    content = getattr(message, "content", None)
    if content is None:
        refusal = getattr(message, "refusal", None)
        if isinstance(refusal, str) and refusal:
            raise LLMError(f"the model refused: {scrub(refusal, settings)}")
        content = ""
    if not isinstance(content, str):
        raise LLMError(f"{where} answered with content of type {type(content).__name__}, not text: "
                       "not a chat-completions reply")
    if settings.api_key:  # a server that echoes the key must not put it in a report, a log or the cache
        content = content.replace(settings.api_key, "***")
    usage = getattr(completion, "usage", None)
    finish = getattr(choice, "finish_reason", None)
    return ChatReply(content=content, attempts=attempts, finish_reason=finish if isinstance(finish, str) else None,
                     prompt_tokens=_count(getattr(usage, "prompt_tokens", None)),
                     completion_tokens=_count(getattr(usage, "completion_tokens", None)))


def _count(value) -> int | None:
    """A token count as a server reports it, or None when it is not a plausible count."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOKENS_REPORTED:
        return None
    return value
