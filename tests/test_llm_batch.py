"""`--jobs` and `--batch` against the local fake server, through the real openai client."""

from __future__ import annotations

import json
import shutil
import threading
import time

from click.testing import CliRunner
from grade.cli import main

from .conftest import ANSWERS, REPO

SECRET = "sk-batch-secret-key-77777777"
FILES = [str(ANSWERS / name) for name in ("mock1.md", "feature-store.md", "mock1.md")]
RAISE = {"mechanics.partition_strategy": (2, "ORDER BY (tenant_id, event_date, event_type)")}


def run(*args: str, server, **env):
    env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": SECRET, "GRADE_LLM_TIMEOUT": "5",
           "GRADE_BATCH_POLL": "0.01"} | env
    return CliRunner().invoke(main, list(args), env=env)


def _paths(server) -> list[str]:
    return [f"{r['method']} {r['path'].split('/v1', 1)[1]}" for r in server.requests]


def test_batch_submits_every_answer_once_and_merges_as_the_sync_path(server):
    server.levels = RAISE
    files = [str(ANSWERS / "mock1.md"), str(ANSWERS / "feature-store.md")]
    batched = run("--llm", "--batch", "--format", "json", "--no-cache", *files, server=server)
    assert batched.exit_code == 0, batched.output
    assert _paths(server)[:2] == ["POST /files", "POST /batches"]
    assert all(p == "GET /batches/batch_1" or p.startswith("GET /files/") for p in _paths(server)[2:])
    assert not server.chat_requests and len(server.batched) == 2
    upload = server.files["file-1"].decode().splitlines()
    assert [json.loads(line)["custom_id"] for line in upload] == ["answer-0", "answer-1"]
    assert {json.loads(line)["url"] for line in upload} == {"/v1/chat/completions"}
    assert SECRET not in server.files["file-1"].decode()

    sync = run("--llm", "--format", "json", "--no-cache", *files, server=server)
    assert sync.exit_code == 0, sync.output
    by_batch, by_sync = json.loads(batched.output), json.loads(sync.output)
    assert [r["file"] for r in by_batch] == [r["file"] for r in by_sync]
    for b, s in zip(by_batch, by_sync, strict=True):
        assert (b["score"], b["criteria"], b["llm"]["raised"]) == (s["score"], s["criteria"], s["llm"]["raised"])
    assert by_batch[0]["llm"]["raised"] == ["mechanics.partition_strategy"]


def test_a_batch_fills_the_cache_so_a_rerun_sends_nothing(server):
    first = run("--llm", "--batch", "--format", "json", *FILES, server=server)
    assert first.exit_code == 0, first.output
    assert len(server.batched) == 3 and [r["llm"]["cached"] for r in json.loads(first.output)] == [False] * 3
    server.requests.clear()
    again = run("--llm", "--batch", "--format", "json", *FILES, server=server)
    assert again.exit_code == 0, again.output
    assert server.requests == []
    assert [r["llm"]["cached"] for r in json.loads(again.output)] == [True] * 3
    assert json.loads(again.output)[0]["criteria"] == json.loads(first.output)[0]["criteria"]


def test_only_answers_missing_from_the_cache_are_submitted(server):
    assert run("--llm", str(ANSWERS / "mock1.md"), server=server).exit_code == 0
    server.requests.clear()
    result = run("--llm", "--batch", "--format", "json", str(ANSWERS / "mock1.md"), str(ANSWERS / "feature-store.md"),
                 server=server)
    assert result.exit_code == 0, result.output
    upload = server.files["file-1"].decode().splitlines()
    assert [json.loads(line)["custom_id"] for line in upload] == ["answer-1"]
    assert [r["llm"]["cached"] for r in json.loads(result.output)] == [True, False]


def test_a_failed_batch_is_one_clear_error_for_its_answers_and_exit_4(server):
    server.batch_outcome = "failed"
    result = run("--llm", "--batch", *FILES[:2], server=server)
    assert result.exit_code == 4
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines == ["grade: error: batch batch_1 ended failed: the input file is not valid "
                     f"(2 answers: {FILES[0]}, {FILES[1]})"]
    assert result.stdout == ""


def test_a_request_the_batch_answered_with_an_error_fails_that_answer_alone(server):
    server.script = ["good", "401"]
    result = run("--llm", "--batch", "--format", "json", *FILES[:2], server=server)
    assert result.exit_code == 4
    assert json.loads(result.stdout)["file"] == FILES[0]  # the one graded answer
    assert result.stderr.strip() == (f"grade: error: {FILES[1]}: batch batch_1: {server.url} did not answer this "
                                     "request (401): Incorrect API key provided: ***.")


def test_an_invalid_batch_reply_is_re_asked_once_like_a_sync_one(server):
    server.script = ["malformed"]
    result = run("--llm", "--batch", "--format", "json", "--no-cache", FILES[0], server=server)
    assert result.exit_code == 0, result.output
    assert len(server.batched) == 1 and len(server.chat_requests) == 1
    reask = server.chat_requests[0]["messages"]
    assert reask[-2]["role"] == "assistant" and "not valid JSON" in reask[-1]["content"]
    assert json.loads(result.stdout)["llm"]["requests"] == 2


def test_eval_llm_batch_matches_the_sync_eval(server, tmp_path):
    for split, ids in (("dev", ("c01",)), ("holdout", ("c04",))):
        (tmp_path / "corpus" / split).mkdir(parents=True)
        for i in ids:
            for ext in (".md", ".json"):
                shutil.copy(REPO / "evals" / "corpus" / split / f"{i}{ext}", tmp_path / "corpus" / split / f"{i}{ext}")
    corpus = str(tmp_path)
    batched = run("eval", corpus, "--llm", "--batch", "--format", "json", server=server)
    assert batched.exit_code == 0, batched.output
    assert len(server.batched) == 2 and not server.chat_requests
    data = json.loads(batched.output)
    assert data["llm"]["answers"] == 2 and data["llm"]["requests"] == 2
    server.requests.clear()
    rerun = json.loads(run("eval", corpus, "--llm", "--jobs", "1", "--format", "json", server=server).output)
    assert server.requests == [] and rerun["llm"]["cache_hits"] == 2
    assert rerun["rules+llm"]["splits"] == data["rules+llm"]["splits"]


def test_batch_needs_llm(server):
    result = run("--batch", FILES[0], server=server)
    assert result.exit_code == 2 and "--batch needs --llm" in result.output


def test_jobs_send_requests_at_once_and_keep_the_input_order(server):
    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(body, srv):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.3)
        with lock:
            in_flight[0] -= 1
        return 200, {}, json.dumps(srv._grade(body, "good"))

    server.default = slow
    files = [str(p) for p in sorted(ANSWERS.glob("*.md"))][:4]
    result = run("--llm", "--jobs", "4", "--no-cache", "--format", "json", *files, server=server)
    assert result.exit_code == 0, result.output
    assert [r["file"] for r in json.loads(result.output)] == files
    assert peak[0] >= 2
    in_flight[0] = peak[0] = 0
    one = run("--llm", "--jobs", "1", "--no-cache", "--format", "json", *files, server=server)
    assert peak[0] == 1
    assert json.loads(one.output) == json.loads(result.output)


def test_a_429_holds_every_thread_until_retry_after(server):
    server.retry_after = "0.5"
    server.script = ["429"]
    files = [str(p) for p in sorted(ANSWERS.glob("*.md"))][:3]
    start = time.monotonic()
    result = run("--llm", "--jobs", "3", "--no-cache", "--format", "json", *files, server=server)
    assert result.exit_code == 0, result.output
    assert "rate limited (429)" in result.stderr and "in 0.5 s" in result.stderr
    assert time.monotonic() - start >= 0.5
    assert len(server.chat_requests) == 4


def test_no_progress_when_stderr_is_not_a_terminal(server):
    result = run("--llm", "--format", "json", *FILES[:2], server=server)
    assert result.exit_code == 0 and result.stderr == ""


def test_a_retry_after_holds_the_other_threads_too(server):
    from grade.llm.client import RateGate, build_client, chat, resolve_settings

    settings = resolve_settings(base_url=server.url, api_key=SECRET)
    client, gate = build_client(settings), RateGate()
    server.default = lambda body, srv: (200, {}, "ok")
    server.retry_after = "30"
    server.script = ["429"]
    first: list[float] = []
    messages = [{"role": "user", "content": "hi"}]
    chat(client, settings, messages=messages, sleep=first.append, notify=None, gate=gate)
    other: list[float] = []  # another thread's request, sent while the first waits
    chat(client, settings, messages=messages, sleep=other.append, notify=None, gate=gate)
    assert len(first) == 1 and 29 < first[0] <= 30
    assert len(other) == 1 and 29 < other[0] <= 30
    alone: list[float] = []
    chat(client, settings, messages=messages, sleep=alone.append, notify=None, gate=RateGate())
    assert alone == []


def test_an_exhausted_rate_limit_window_holds_the_next_request(server):
    from grade.llm.client import RateGate, build_client, chat, reset_seconds, resolve_settings

    assert [reset_seconds(v) for v in ("1s", "6m0s", "20ms", "0.5", "soon", "")] == [1, 360, 0.02, 0.5, None, None]
    settings = resolve_settings(base_url=server.url, api_key=SECRET)
    client, gate = build_client(settings), RateGate()

    server.default = lambda body, srv: (200, {}, "ok")
    server.script = [lambda body, srv: (200, {"x-ratelimit-remaining-requests": "0",
                                             "x-ratelimit-reset-requests": "12s"}, "ok")]
    messages = [{"role": "user", "content": "hi"}]
    chat(client, settings, messages=messages, sleep=[].append, notify=None, gate=gate)
    waits: list[float] = []
    chat(client, settings, messages=messages, sleep=waits.append, notify=None, gate=gate)
    assert len(waits) == 1 and 11 < waits[0] <= 12


def test_progress_is_drawn_on_a_terminal_only():
    import io

    from grade.report.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Terminal(), io.StringIO()
    for stream in (tty, pipe):
        with Progress(2, stream=stream) as progress:
            progress.tick()
            progress.say("429, retry 1 of 3 in 4 s")
            progress.tick()
    assert "grade: 1/2 answers graded" in tty.getvalue() and "grade: 2/2 answers graded" in tty.getvalue()
    assert tty.getvalue().endswith("\r\033[K")
    assert pipe.getvalue() == "grade: 429, retry 1 of 3 in 4 s\n"


def test_an_upload_that_cannot_reach_the_server_names_each_answer_once(server):
    import socket

    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    result = run("--llm", "--batch", *FILES[:2], server=server, OPENAI_BASE_URL=closed, GRADE_LLM_RETRIES="0")
    assert result.exit_code == 4 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [
        f"grade: error: the batch upload: cannot reach {closed}: check OPENAI_BASE_URL; gave up after 1 attempt "
        f"(2 answers: {FILES[0]}, {FILES[1]})"]
