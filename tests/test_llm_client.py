"""The endpoint layer (grade.llm.client) through the real openai client against a local fake server."""

from __future__ import annotations

import socket
import time

import pytest
from grade.errors import LLMError, SettingError
from grade.llm.client import DEFAULT_MODEL, LLMSettings, build_client, chat, resolve_settings, retry_after

from .fake_llm_server import FakeLLMServer

SECRET = "sk-test-very-secret-key-123456"
MESSAGES = [{"role": "system", "content": "Reply in JSON."}, {"role": "user", "content": "hello"}]


@pytest.fixture
def server():
    s = FakeLLMServer().start()
    s.default = lambda body, srv: (200, {}, '{"ok": true}')
    yield s
    s.stop()


def settings_for(server, **kw) -> LLMSettings:
    policy = {"timeout": 2.0, "max_retries": 2, "backoff": 0.25} | kw
    return resolve_settings(base_url=server.url, api_key=SECRET, env={}, **policy)


def call(server, *, sleeps: list | None = None, **kw):
    settings = settings_for(server, **kw)
    recorder = sleeps.append if sleeps is not None else (lambda s: None)
    return chat(build_client(settings), settings, messages=MESSAGES, sleep=recorder)


# --------------------------------------------------------------------------- settings
def test_flags_win_over_the_environment():
    env = {"GRADE_MODEL": "env-model", "GRADE_LLM_TIMEOUT": "12", "OPENAI_BASE_URL": "http://h:1/v1",
           "OPENAI_API_KEY": "env-key"}
    s = resolve_settings(model="flag-model", timeout=3, env=env)
    assert (s.model, s.timeout, s.base_url, s.api_key) == ("flag-model", 3.0, "http://h:1/v1", "env-key")
    s = resolve_settings(env=env)
    assert (s.model, s.timeout) == ("env-model", 12.0)
    s = resolve_settings(env={})
    assert (s.model, s.base_url, s.api_key) == (DEFAULT_MODEL, None, None)


def test_settings_are_read_at_call_time(monkeypatch):
    monkeypatch.setenv("GRADE_MODEL", "late-model")
    assert resolve_settings().model == "late-model"


def test_retries_from_the_environment():
    assert resolve_settings(env={"GRADE_LLM_RETRIES": "0"}).max_retries == 0
    assert resolve_settings(env={"GRADE_LLM_RETRIES": "0"}, max_retries=5).max_retries == 5
    with pytest.raises(SettingError, match="GRADE_LLM_RETRIES='many' is not a whole number"):
        resolve_settings(env={"GRADE_LLM_RETRIES": "many"})


def test_bad_timeouts_are_clear_usage_errors():
    with pytest.raises(SettingError, match="GRADE_LLM_TIMEOUT='soon' is not a number"):
        resolve_settings(env={"GRADE_LLM_TIMEOUT": "soon"})
    for timeout in (0, -1, float("inf"), float("nan"), 1e12):
        with pytest.raises(SettingError, match="positive number of seconds, at most 3600"):
            resolve_settings(timeout=timeout, env={})
    for raw in ("inf", "1e12", "nan"):
        with pytest.raises(SettingError, match=f"GRADE_LLM_TIMEOUT='{raw}': the timeout must be"):
            resolve_settings(env={"GRADE_LLM_TIMEOUT": raw})
    assert SettingError("x").exit_code == 2


def test_the_key_never_shows_in_repr_or_endpoint():
    s = resolve_settings(api_key=SECRET, base_url="http://user:pw@127.0.0.1:9/v1", env={})
    assert SECRET not in repr(s)
    assert s.endpoint == "http://127.0.0.1:9/v1"


def test_openai_needs_a_key_a_local_server_does_not():
    with pytest.raises(LLMError, match="set OPENAI_API_KEY"):
        build_client(resolve_settings(env={}))
    client = build_client(resolve_settings(base_url="http://127.0.0.1:9/v1", env={}))
    assert client.api_key == "no-key"


# --------------------------------------------------------------------------- requests
def test_a_reply_carries_content_usage_and_the_key_in_the_header(server):
    reply = call(server)
    assert reply.content == '{"ok": true}'
    assert reply.attempts == 1 and reply.prompt_tokens is not None
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {SECRET}"
    assert request["body"]["temperature"] == 0.0


def test_401_is_one_clear_error_without_the_key_or_a_retry(server):
    server.default = "401"
    with pytest.raises(LLMError) as info:
        call(server)
    message = str(info.value)
    assert "refused the API key (401 Unauthorized): check OPENAI_API_KEY" in message
    assert SECRET not in message and "sk-te" not in message
    assert len(server.requests) == 1
    assert info.value.exit_code == 4


def test_404_names_the_model_and_the_base_url(server):
    server.default = "404"
    with pytest.raises(LLMError, match=r"model 'gpt-4o-mini' or its chat-completions route was not found "
                                       r".*OPENAI_BASE_URL"):
        call(server)
    assert len(server.requests) == 1


def test_429_waits_as_long_as_retry_after_says(server):
    server.script = ["429", "429"]
    server.retry_after = "1"
    sleeps: list[float] = []
    reply = call(server, sleeps=sleeps)
    assert reply.content == '{"ok": true}' and reply.attempts == 3
    assert sleeps == [1.0, 1.0]


def test_retry_after_is_really_waited_out(server):
    server.script = ["429"]
    server.retry_after = "1"
    settings = settings_for(server)
    start = time.monotonic()
    reply = chat(build_client(settings), settings, messages=MESSAGES)  # the real time.sleep
    assert reply.attempts == 2
    assert time.monotonic() - start >= 0.95


def test_5xx_backs_off_exponentially_then_succeeds(server):
    server.script = ["500", "500"]
    sleeps: list[float] = []
    assert call(server, sleeps=sleeps, backoff=0.25).attempts == 3
    assert sleeps == [0.25, 0.5]


def test_persistent_5xx_gives_up_with_the_count(server):
    server.default = "500"
    with pytest.raises(LLMError, match=r"server error 500 from http://127\.0\.0\.1:\d+/v1: .*gave up after 3 attempts"):
        call(server, max_retries=2)
    assert len(server.requests) == 3


def test_a_retry_after_longer_than_we_wait_is_an_error_at_once(server):
    server.default = "429"
    server.retry_after = "3600"
    with pytest.raises(LLMError, match=r"rate limited \(429\).*asks to wait 3600 s"):
        call(server)
    assert len(server.requests) == 1


def test_retry_after_parsing():
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after-ms": "1500"}) == 1.5
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None


def test_a_hung_server_times_out(server):
    server.default = "hang"
    server.hang_seconds = 5
    start = time.monotonic()
    with pytest.raises(LLMError, match=r"no reply from .* within 0\.3 s \(--timeout or GRADE_LLM_TIMEOUT\); "
                                       r"gave up after 2 attempts"):
        call(server, timeout=0.3, max_retries=1, backoff=0.01)
    assert time.monotonic() - start < 3


def test_an_unreachable_server_says_so():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = resolve_settings(base_url=f"http://127.0.0.1:{port}/v1", api_key=SECRET, env={}, max_retries=0)
    with pytest.raises(LLMError, match=r"cannot reach http://127\.0\.0\.1:\d+/v1 .*check OPENAI_BASE_URL"):
        chat(build_client(settings), settings, messages=MESSAGES)


def test_server_messages_are_scrubbed_of_the_key(server):
    server.default = lambda body, srv: (400, {}, {"error": {"message": f"bad request for key {SECRET}"}})
    with pytest.raises(LLMError) as info:
        call(server)
    assert SECRET not in str(info.value) and "***" in str(info.value)


def test_a_reply_that_is_not_a_chat_completion_is_a_clear_error(server):
    server.default = lambda body, srv: (200, {}, b"<html>sign in to the proxy</html>")
    with pytest.raises(LLMError, match=r"did not answer in JSON: is OPENAI_BASE_URL the API's address"):
        call(server)
    server.default = lambda body, srv: (200, {}, {"status": "ok"})
    with pytest.raises(LLMError, match="answered without any choice: not a chat-completions reply"):
        call(server)
