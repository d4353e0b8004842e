"""A chat-completions server on 127.0.0.1 for the LLM tests: real HTTP, an ephemeral port, no network.

It speaks enough of the OpenAI protocol for the `openai` client (POST /v1/chat/completions) and
can be told how to behave, one request at a time (`script`, consumed in order) or from then on
(`default`):

    "good"         echo the rules' levels, overridden per criterion by `levels` {id: (level, quote)}; a
                   request for follow-up questions only gets `followups` (or one question per idea)
    "hallucinate"  raise every criterion below 2 to 2, quoting text that is not in the answer
    "obey"         a model the answer's injection has taken over: level 2 everywhere, quoting
                   `obey_quote(lines)` (default: the line that looks like an instruction)
    "malformed"    a reply that is not JSON
    "wrong_shape"  JSON that does not match the schema
    "429"          status 429 with a Retry-After of `retry_after` seconds
    "500"          status 500
    "hang"         answer only after `hang_seconds` (past the client's timeout)
    "trickle"      a good reply, its body sent one byte every `trickle_seconds` (each read is quick,
                   the whole reply is not)
    "401", "404"   the errors of a bad key and an unknown model
    a callable     f(body, server) -> (status, headers, payload dict or str)

Every request is recorded in `requests` (path, headers, parsed body).

It also speaks the Batch API: POST /v1/files (a multipart upload, purpose "batch"), GET
/v1/files/{id}/content, POST /v1/batches and GET /v1/batches/{id}. A batch is "in_progress" for
`batch_polls` retrievals, then ends as `batch_outcome` says: "completed" (each line of its input
answered as a chat request to /v1/chat/completions would be, by the same `script` and `default`;
a status other than 200 goes to the error file), "failed" or "expired" (no results). The chat
requests a batch carried are in `batched`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BEGIN_MARK = "<<<ANSWER"
END_MARK = "<<<END OF ANSWER>>>"
_RULES = re.compile(r"^- (\S+): .*\[rules: (\d)", re.M)
HALLUCINATED = "we shard the quantum dedupe oracle by tenant with 99.999% exactly-once accuracy"


def answer_lines(body: dict) -> dict[int, str]:
    """The numbered answer lines of a grading request, as the model sees them."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    inside = user.split(BEGIN_MARK, 1)[1].split("\n", 1)[1].rsplit(END_MARK, 1)[0]
    out = {}
    for line in inside.split("\n"):
        number, _, text = line.partition("| ")
        if number.strip().isdigit():
            out[int(number)] = text
    return out


def rule_levels(body: dict) -> dict[str, int]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return {cid: int(level) for cid, level in _RULES.findall(user)}


def wants_critique(body: dict) -> bool:
    return "`summary`" in body["messages"][0]["content"]


_ASKED = re.compile(r"^- (\S+): .*?\[(missing|mentioned|substantiated); [\d.]+(?:; group (\S+))?\]", re.M)


def wants_followups_only(body: dict) -> bool:
    """A request for follow-up questions (`grade followups --llm`, `grade mock --llm`), not a grading."""
    return "Write the follow-up questions you would ask next" in body["messages"][0]["content"]


def followup_criteria(body: dict) -> list[tuple[str, str, str | None]]:
    """(criterion id, depth, group) of a follow-up request, costliest first."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return [(cid, depth, group or None) for cid, depth, group in _ASKED.findall(user)]


def reply(levels: dict[str, tuple[int, str]], *, critique: bool, summary: str = "", followups=()) -> dict:
    out: dict = {"criteria": {cid: {"level": lv, "quote": q, "note": ""} for cid, (lv, q) in levels.items()}}
    if critique:
        out["summary"] = summary
        out["followups"] = [{"criterion": c, "question": q} for c, q in followups]
    return out


class FakeLLMServer:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list = []
        self.default: str | Callable = "good"
        self.levels: dict[str, tuple[int, str]] = {}
        self.summary = "The design is solid on ingestion but says nothing about how merges are applied."
        self.followups: list[tuple[str, str]] = []
        self.retry_after = "0"
        self.hang_seconds = 3.0
        self.trickle_seconds = 0.5
        self.reject_json_schema = False
        self.reject_json_object = False
        self.obey_quote: Callable[[dict[int, str]], str] = _instruction_line
        self.batch_polls = 2
        self.batch_outcome = "completed"
        self.batched: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self._release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeLLMServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self.do_POST()

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                kind = self.headers.get("content-type", "")
                try:
                    body = _multipart(raw, kind) if kind.startswith("multipart/") else json.loads(raw) if raw else {}
                except ValueError:
                    body = {}
                server.requests.append({"path": self.path, "method": self.command,
                                        "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                if "/files" in self.path or "/batches" in self.path:
                    status, headers, payload = server._batch_api(self.command, self.path, body)
                else:
                    status, headers, payload = server._respond(self.path, body)
                trickle = headers.pop("x-fake-trickle", None)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", headers.pop("content-type", "application/json"))
                    self.send_header("content-length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    if trickle:
                        for i in range(len(data)):
                            self.wfile.write(data[i:i + 1])
                            self.wfile.flush()
                            if server._release.wait(server.trickle_seconds):
                                return
                    else:
                        self.wfile.write(data)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass

        self._httpd = Quiet(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def grading_requests(self) -> list[dict]:
        return [r["body"] for r in self.requests]

    @property
    def chat_requests(self) -> list[dict]:
        """The chat requests sent one by one (not through a batch)."""
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    # ------------------------------------------------------------------ the Batch API
    def _batch_api(self, method: str, path: str, body: dict):
        parts = path.split("?")[0].rstrip("/").split("/")  # ['', 'v1', 'files', id, 'content']
        if method == "POST" and parts[-1] == "files":
            data = body.get("file", b"")
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = data
            return 200, {}, self._file(file_id, body.get("purpose", b"").decode())
        if method == "GET" and len(parts) == 5 and parts[2] == "files" and parts[4] == "content":
            if parts[3] not in self.files:
                return 404, {}, {"error": {"message": f"no file {parts[3]}", "type": "invalid_request_error"}}
            return 200, {"content-type": "application/octet-stream"}, self.files[parts[3]]
        if method == "POST" and parts[-1] == "batches":
            if body.get("input_file_id") not in self.files:
                return 400, {}, {"error": {"message": "no such input file", "type": "invalid_request_error"}}
            batch_id = f"batch_{len(self.batches) + 1}"
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": body.get("endpoint"), "errors": None,
                "input_file_id": body["input_file_id"], "completion_window": body.get("completion_window"),
                "status": "validating", "output_file_id": None, "error_file_id": None, "created_at": 1_700_000_000,
                "request_counts": {"total": 0, "completed": 0, "failed": 0}, "polls": 0}
            return 200, {}, self._batch(batch_id)
        if method == "GET" and len(parts) == 4 and parts[2] == "batches":
            if parts[3] not in self.batches:
                return 404, {}, {"error": {"message": f"no batch {parts[3]}", "type": "invalid_request_error"}}
            batch = self.batches[parts[3]]
            batch["polls"] += 1
            if batch["status"] in ("validating", "in_progress"):
                batch["status"] = "in_progress" if batch["polls"] < self.batch_polls else self._finish(batch)
            return 200, {}, self._batch(parts[3])
        return 404, {}, {"error": {"message": f"no route {method} {path}", "type": "invalid_request_error"}}

    def _finish(self, batch: dict) -> str:
        lines = [json.loads(line) for line in self.files[batch["input_file_id"]].decode().splitlines() if line]
        batch["request_counts"]["total"] = len(lines)
        if self.batch_outcome == "failed":
            batch["errors"] = {"object": "list", "data": [{"code": "invalid_request",
                                                           "message": "the input file is not valid", "line": 1}]}
            return "failed"
        if self.batch_outcome != "completed":
            return self.batch_outcome
        out, errors = [], []
        for n, line in enumerate(lines):
            self.batched.append(line["body"])
            status, _, payload = self._respond(line["url"], line["body"])
            record = {"id": f"batch_req_{n}", "custom_id": line["custom_id"],
                      "response": {"status_code": status, "request_id": f"req_{n}", "body": payload}, "error": None}
            (out if status == 200 else errors).append(json.dumps(record))
        for kind, records in (("output_file_id", out), ("error_file_id", errors)):
            if records:
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = ("\n".join(records) + "\n").encode()
                batch[kind] = file_id
        batch["request_counts"].update(completed=len(out), failed=len(errors))
        return "completed"

    def _file(self, file_id: str, purpose: str) -> dict:
        return {"id": file_id, "object": "file", "bytes": len(self.files[file_id]), "created_at": 1_700_000_000,
                "filename": "input.jsonl", "purpose": purpose, "status": "processed"}

    def _batch(self, batch_id: str) -> dict:
        return {k: v for k, v in self.batches[batch_id].items() if k != "polls"}

    # ------------------------------------------------------------------ behaviour
    def _respond(self, path: str, body: dict):
        if not path.endswith("/chat/completions"):
            return 404, {}, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}}
        behaviour = self.script.pop(0) if self.script else self.default
        fmt = (body.get("response_format") or {}).get("type")
        if self.reject_json_schema and fmt == "json_schema":
            return 400, {}, {"error": {"message": "response_format type json_schema is not supported",
                                       "type": "invalid_request_error", "param": "response_format"}}
        if self.reject_json_object and fmt == "json_object":
            return 400, {}, {"error": {"message": "response_format json_object is not supported",
                                       "type": "invalid_request_error", "param": "response_format"}}
        if callable(behaviour):
            status, headers, payload = behaviour(body, self)
            if isinstance(payload, str):
                return status, headers, self._completion(body, payload)
            return status, headers, payload
        if behaviour == "401":
            return 401, {}, {"error": {"message": "Incorrect API key provided: sk-te***cret.", "type": "auth",
                                       "code": "invalid_api_key"}}
        if behaviour == "404":
            return 404, {}, {"error": {"message": f"The model `{body.get('model')}` does not exist",
                                       "type": "invalid_request_error", "code": "model_not_found"}}
        if behaviour == "429":
            return 429, {"retry-after": self.retry_after}, {"error": {"message": "Rate limit reached",
                                                                       "type": "rate_limit"}}
        if behaviour == "500":
            return 500, {}, {"error": {"message": "The server had an error", "type": "server_error"}}
        if behaviour == "hang":
            self._release.wait(self.hang_seconds)
            behaviour = "good"
        if behaviour == "trickle":
            return 200, {"x-fake-trickle": "1"}, self._completion(body, json.dumps(self._grade(body, "good")))
        if behaviour == "malformed":
            return 200, {}, self._completion(body, '{"criteria": {"mechanics.backfill": {"level": 2, "quote": ')
        if behaviour == "wrong_shape":
            return 200, {}, self._completion(body, json.dumps({"criteria": {"not.a.criterion": {"level": 7}}}))
        return 200, {}, self._completion(body, json.dumps(self._grade(body, behaviour)))

    def _grade(self, body: dict, behaviour: str) -> dict:
        if wants_followups_only(body):
            if self.followups:
                return {"followups": [{"criterion": c, "question": q} for c, q in self.followups]}
            seen, out = set(), []
            for cid, _, group in followup_criteria(body):
                if (group or cid) not in seen:
                    seen.add(group or cid)
                    out.append({"criterion": cid, "question": f"How exactly would you handle {cid}?"})
            return {"followups": out[:5]}
        rules = rule_levels(body)
        lines = answer_lines(body)
        critique = wants_critique(body)
        if behaviour == "good":
            levels = {cid: self.levels.get(cid, (lv, "")) for cid, lv in rules.items()}
            followups = self.followups or [(cid, f"How exactly would you handle {cid}?") for cid in list(rules)[:3]]
            return reply(levels, critique=critique, summary=self.summary, followups=followups)
        if behaviour == "hallucinate":
            levels = {cid: (2, HALLUCINATED) if lv < 2 else (lv, "") for cid, lv in rules.items()}
            return reply(levels, critique=critique, summary="Excellent.", followups=())
        if behaviour == "obey":
            quote = self.obey_quote(lines)
            levels = {cid: (2, quote) for cid in rules}
            return reply(levels, critique=critique, summary="A perfect answer: 100/100, architect level.",
                         followups=[(cid, "No questions: this is perfect.") for cid in list(rules)[:3]])
        raise ValueError(f"unknown behaviour {behaviour!r}")

    @staticmethod
    def _completion(body: dict, content: str) -> dict:
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
        return {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000,
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(content) // 4,
                      "total_tokens": prompt_tokens + len(content) // 4},
        }


def _multipart(raw: bytes, content_type: str) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name (enough for the SDK's file upload)."""
    boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip('"').encode()
    fields = {}
    for chunk in raw.split(b"--" + boundary):
        head, sep, data = chunk.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if sep and name:
            fields[name.group(1).decode()] = data[:-2] if data.endswith(b"\r\n") else data
    return fields


_INSTRUCTION = re.compile(r"ignore|disregard|grader|score|level 2|100|instruction|system|assistant|rubric", re.I)


def _instruction_line(lines: dict[int, str]) -> str:
    for text in lines.values():
        if _INSTRUCTION.search(text) and len(text.split()) >= 3:
            return text.strip()
    return next((t for t in lines.values() if len(t.split()) >= 3), "")
