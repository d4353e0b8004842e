"""The LLM path under hostile servers: bounded in time, one line and exit 4 for any nonsense reply,
the key never shown. Through the real openai client against the local fake server."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.errors import LLMError
from grade.llm.client import build_client, chat, resolve_settings

from .conftest import ANSWERS

SECRET = "sk-hardening-secret-9876543210"
MOCK1 = str(ANSWERS / "mock1.md")


def run(*args: str, server=None, **env):
    if server is not None:
        env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": SECRET, "GRADE_LLM_TIMEOUT": "2",
               "GRADE_LLM_RETRIES": "0"} | env
    return CliRunner().invoke(main, list(args), env=env)


def assert_one_line(result, code: int, fragment: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.output.strip().count("\n") == 0, result.output
    assert result.output.startswith("grade: error: ") and fragment in result.output, result.output
    assert SECRET not in result.output


def test_a_trickled_reply_is_bounded_by_the_timeout(server):
    server.default = lambda body, srv: (200, {"x-fake-trickle": "1"}, '{"ok": true, "pad": "' + "x" * 100 + '"}')
    server.trickle_seconds = 0.3  # one byte every 0.3 s: each read is quick, the whole reply is not
    settings = resolve_settings(base_url=server.url, api_key=SECRET, env={}, timeout=1.0, max_retries=0)
    start = time.monotonic()
    with pytest.raises(LLMError, match=r"within 1 s .*gave up after 1 attempt"):
        chat(build_client(settings), settings, messages=[{"role": "user", "content": "hi"}])
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("args, env", [
    (["--timeout", "inf"], {}), (["--timeout", "1e12"], {}), ([], {"GRADE_LLM_TIMEOUT": "inf"}),
    ([], {"GRADE_LLM_TIMEOUT": "1e12"}), ([], {"GRADE_LLM_TIMEOUT": "soon"}),
])
def test_an_impossible_timeout_is_a_usage_error(server, args, env):
    result = run("--llm", *args, MOCK1, server=server, **env)
    assert_one_line(result, 2, "TIMEOUT" if env else "--timeout")
    assert server.requests == []


def _completion(content) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}


@pytest.mark.parametrize("payload, fragment", [
    ({"choices": "none"}, "answered without any choice"),
    ({"choices": {"0": 1}}, "answered without any choice"),
    (_completion(42), "content of type int, not text"),
    (_completion({"criteria": {}}), "content of type dict, not text"),
    (b'{"choices": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    (_completion("[" * 100_000 + "]" * 100_000), "invalid reply"),
])
def test_nonsense_replies_are_one_line_and_exit_4(server, payload, fragment):
    server.default = lambda body, srv: (200, {}, payload)
    assert_one_line(run("--llm", "--no-cache", MOCK1, server=server), 4, fragment)


@pytest.mark.parametrize("usage", [{"prompt_tokens": "many", "completion_tokens": "lots"},
                                   {"prompt_tokens": 1e308, "completion_tokens": -5},
                                   {"prompt_tokens": True, "completion_tokens": None}, "usage"])
def test_nonsense_usage_figures_are_ignored(server, usage):
    def reply(body, srv):
        status, headers, payload = 200, {}, srv._completion(body, json.dumps(srv._grade(body, "good")))
        payload["usage"] = usage
        return status, headers, payload

    server.default = reply
    result = run("--llm", "--no-cache", "--format", "json", MOCK1, server=server)
    assert result.exit_code == 0, result.output
    llm = json.loads(result.output)["llm"]
    assert llm["prompt_tokens"] is None and llm["completion_tokens"] is None


def test_a_trickled_grading_reply_through_the_cli_is_exit_4_within_the_timeout(server):
    server.default = "trickle"
    server.trickle_seconds = 0.2
    start = time.monotonic()
    assert_one_line(run("--llm", "--timeout", "1", MOCK1, server=server), 4, "within 1 s")
    assert time.monotonic() - start < 4


def test_each_retry_is_said_on_stderr(server):
    server.script = ["500", "500"]
    result = CliRunner().invoke(main, ["--llm", "--no-cache", MOCK1],
                                env={"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": SECRET,
                                     "GRADE_LLM_RETRIES": "2"})
    assert result.exit_code == 0, result.output
    retries = [line for line in result.stderr.splitlines() if "; retry " in line]
    assert [r.split("; retry ")[1] for r in retries] == ["1 of 2 in 1 s", "2 of 2 in 2 s"]
    assert all(r.startswith("grade: server error 500 from http://127.0.0.1:") for r in retries)


@pytest.mark.parametrize("name, value, fragment", [
    ("GRADE_PRICE_PER_MTOK", "cheap", "GRADE_PRICE_PER_MTOK='cheap' is not 'input,output'"),
    ("GRADE_PRICE_PER_MTOK", "1,inf", "is not 'input,output'"),
    ("GRADE_CONTEXT_TOKENS", "lots", "GRADE_CONTEXT_TOKENS='lots' is not a whole number of tokens"),
    ("GRADE_CONTEXT_TOKENS", "0", "is not a whole number of tokens"),
    ("GRADE_LLM_RETRIES", "-1", "GRADE_LLM_RETRIES='-1' is not a whole number from 0 to 20"),
    ("GRADE_LLM", "maybe", "GRADE_LLM='maybe' is neither on"),
])
@pytest.mark.parametrize("mode", ["--llm", "--dry-run"])
def test_every_bad_setting_is_the_same_one_line_usage_error(server, name, value, fragment, mode):
    result = run(mode, MOCK1, server=server, **{name: value})
    assert_one_line(result, 2, fragment)
    assert server.requests == []
