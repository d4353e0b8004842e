"""The Batch API path (`--batch`): every request not in the cache goes in one JSONL file (one line
per answer, `custom_id` answer-N), uploaded with purpose "batch" and submitted to
/v1/chat/completions with a 24 h completion window; the batch is polled every `batch_poll`
seconds (GRADE_BATCH_POLL) until it ends, then its output and error files are read.

Each reply is then handled exactly as a synchronous one: read and checked (client.read_completion),
validated against the schema, re-asked once (synchronously) when it does not validate, scrubbed
of the API key and cached, so a rerun finds every answer in the cache and submits nothing.
A batch that fails, expires or is cancelled, and a request the batch answered with an error, are
an LLMError for each answer concerned; the others stand.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from types import SimpleNamespace

from ..errors import LLMError
from .client import RETRY_STATUS, read_completion, retry_after, scrub, server_message
from .request import LLMRequest
from .transport import Outcome, Transport

ENDPOINT = "/v1/chat/completions"
COMPLETION_WINDOW = "24h"
FINAL = ("completed", "failed", "expired", "cancelled")
MAX_RESULT_BYTES = 200_000_000


def custom_id(i: int) -> str:
    return f"answer-{i}"


def ask_batch(transport: Transport, requests: Sequence[LLMRequest], *,
              on_status: Callable[[str], None] | None = None) -> list[Outcome]:
    """Every request's outcome, in order: from the cache, else from one batch submission."""
    outcomes: list[Outcome | None] = [None] * len(requests)

    def done(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome

    pending = []
    for i, request in enumerate(requests):
        hit = transport.cached(request)
        if hit is not None:
            done(i, hit)
        else:
            pending.append(i)
    if not pending:
        return outcomes  # type: ignore[return-value]
    mode = transport.format_mode
    jsonl = "".join(json.dumps({"custom_id": custom_id(i), "method": "POST", "url": ENDPOINT,
                                "body": requests[i].payload(mode)}, ensure_ascii=False) + "\n" for i in pending)
    try:
        batch = _run(transport, jsonl.encode("utf-8"), len(pending), on_status)
        records = _results(transport, batch)
    except LLMError as exc:
        for i in pending:
            done(i, copy.copy(exc))  # each answer its own error: it is told apart by its `answer`
        return outcomes  # type: ignore[return-value]
    status = getattr(batch, "status", None)
    missing = (f"batch {batch.id} ended {status}{_reasons(batch, transport)}" if status != "completed"
               else f"batch {batch.id} returned no result for this answer")
    for i in pending:
        record = records.get(custom_id(i))
        done(i, LLMError(missing) if record is None else _outcome(transport, requests[i], record, mode, batch.id))
    return outcomes  # type: ignore[return-value]


def _run(transport: Transport, data: bytes, count: int, on_status: Callable[[str], None] | None):
    """Upload, submit, and poll until the batch ends; the final batch object."""
    client, settings = transport.client, transport.settings
    upload = _call(transport, "the batch upload", client.files.create,
                   file=("grade-batch.jsonl", data, "application/jsonl"), purpose="batch")
    batch = _call(transport, "the batch submission", client.batches.create, input_file_id=upload.id,
                  endpoint=ENDPOINT, completion_window=COMPLETION_WINDOW)
    try:
        while getattr(batch, "status", None) not in FINAL:
            if on_status is not None:
                counts = getattr(batch, "request_counts", None)
                finished = getattr(counts, "completed", 0) or 0
                on_status(f"batch {batch.id}: {batch.status}, {finished} of {count} answered")
            transport.sleep(settings.batch_poll)
            batch = _call(transport, "the batch status", client.batches.retrieve, batch.id)
    except KeyboardInterrupt:
        if transport.notify is not None:
            transport.notify(f"batch {batch.id} goes on at {settings.endpoint}; its results were not collected")
        raise
    return batch


def _results(transport: Transport, batch) -> dict[str, dict]:
    """The batch's output and error records by custom_id."""
    records: dict[str, dict] = {}
    for attr in ("error_file_id", "output_file_id"):  # a result in the output wins over an error
        file_id = getattr(batch, attr, None)
        if not isinstance(file_id, str) or not file_id:
            continue
        content = _call(transport, "the batch results", transport.client.files.content, file_id)
        raw = getattr(content, "content", b"")
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        for line in text[:MAX_RESULT_BYTES].splitlines():
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(record, dict) and isinstance(record.get("custom_id"), str):
                records[record["custom_id"]] = record
    return records


def _outcome(transport: Transport, request: LLMRequest, record: dict, mode, batch_id: str) -> Outcome:
    """One answer's result in the batch, handled as a synchronous reply is."""
    settings = transport.settings
    error = record.get("error")
    response = record.get("response") if isinstance(record.get("response"), dict) else {}
    status, body = response.get("status_code"), response.get("body")
    if error or status != 200 or not isinstance(body, dict):
        message = error.get("message") if isinstance(error, dict) else None
        if message is None and isinstance(body, dict):
            message = server_message(SimpleNamespace(body=body, message=None))
        shown = f" ({status})" if isinstance(status, int) and status != 200 else ""
        return LLMError(f"batch {batch_id}: {settings.endpoint} did not answer this request{shown}: "
                        f"{scrub(message or 'no reply', settings)}")
    meta: dict = {"cached": False, "requests": 1, "format": mode}
    try:
        completion = json.loads(json.dumps(body), object_hook=lambda d: SimpleNamespace(**d))
        answer = read_completion(completion, 1, settings)
        transport.count_tokens(answer, meta)
        reply = transport.validated(request, answer, request.messages_for(mode), meta)
    except LLMError as exc:
        return exc
    except RecursionError:
        return LLMError(f"batch {batch_id}: a reply nested too deeply to be a chat-completions reply")
    finally:
        transport.tally(requests=meta["requests"])
    transport.store(request, reply, meta)
    return reply, meta


def _reasons(batch, transport: Transport) -> str:
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    texts = [scrub(getattr(e, "message", None) or getattr(e, "code", None) or "", transport.settings)
             for e in errors[:3]]
    texts = [t for t in texts if t]
    return f": {'; '.join(texts)}" if texts else ""


def _call(transport: Transport, what: str, fn, *args, **kwargs):
    """One Batch API call, retried like a chat request on 429, 5xx, timeouts and lost connections;
    every failure an LLMError that names `what` failed."""
    import openai

    settings = transport.settings
    where = settings.endpoint
    attempts = 0
    while True:
        attempts += 1
        wait = None
        try:
            return fn(*args, **kwargs, timeout=settings.timeout)
        except openai.AuthenticationError:
            raise LLMError(f"{where} refused the API key (401 Unauthorized): check OPENAI_API_KEY") from None
        except openai.NotFoundError:
            raise LLMError(f"{where} has no Batch API ({what}: 404): grade without --batch "
                           "(--jobs sends several requests at a time)") from None
        except openai.APITimeoutError:
            problem = f"{what}: no reply from {where} within {settings.timeout:g} s"
        except openai.APIConnectionError:
            problem = f"{what}: cannot reach {where}: check OPENAI_BASE_URL"
        except openai.APIStatusError as exc:
            message = scrub(server_message(exc), settings)
            if exc.status_code not in RETRY_STATUS and exc.status_code < 500:
                raise LLMError(f"{where} refused {what} ({exc.status_code}): {message}") from None
            problem = f"{what}: {exc.status_code} from {where}: {message}"
            wait = retry_after(exc.response.headers)
        except openai.OpenAIError as exc:
            raise LLMError(f"{where}: {what}: {scrub(exc, settings)}") from None
        except ValueError:
            raise LLMError(f"{where} did not answer {what} in JSON: is OPENAI_BASE_URL the API's address?") from None
        if attempts > settings.max_retries:
            raise LLMError(f"{problem}; gave up after {attempts} attempt{'' if attempts == 1 else 's'}")
        if wait is None or wait > settings.max_retry_after:
            wait = min(settings.backoff * 2 ** (attempts - 1), settings.max_backoff)
        if transport.notify is not None:
            transport.notify(f"{problem}; retry {attempts} of {settings.max_retries} in {wait:g} s")
        transport.sleep(wait)

