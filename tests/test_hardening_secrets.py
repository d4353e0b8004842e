"""Secrets and caches: a key echoed by the server never reaches output or disk; no cache can run
code, serve stale weights, or be edited into a grade."""

from __future__ import annotations

import json
import marshal
import os
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core import grader
from grade.rubric.model import BUNDLED_RUBRIC

from .conftest import ANSWERS

SECRET = "sk-echoed-secret-key-5550123"
MOCK1 = str(ANSWERS / "mock1.md")


def run(*args: str, server=None, **env):
    if server is not None:
        env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": SECRET, "GRADE_LLM_TIMEOUT": "5"} | env
    return CliRunner().invoke(main, list(args), env=env)


@pytest.mark.parametrize("spelling", [SECRET, "".join(f"\\u{ord(c):04x}" for c in SECRET)], ids=["plain", "escaped"])
def test_a_key_echoed_in_the_reply_reaches_no_output_and_no_cache(server, isolated_home, tmp_path, spelling):
    def echo_the_key(body, srv):
        reply = srv._grade(body, "good")
        reply["summary"] = "Your key is KEYHERE, thanks."
        reply["followups"] = [{"criterion": "mechanics.backfill", "question": "Why KEYHERE?"}]
        reply["criteria"]["mechanics.backfill"] = {"level": 2, "quote": "we use KEYHERE here", "note": "KEYHERE"}
        content = json.dumps(reply).replace("KEYHERE", spelling)  # in the JSON text: as is, or \\u-escaped
        return 200, {}, srv._completion(body, content)

    server.default = echo_the_key
    outputs = []
    for fmt in ("json", "text", "markdown"):
        r = run("--llm", "--format", fmt, MOCK1, server=server)
        assert r.exit_code == 0, r.output
        outputs.append(r.output)
    report = tmp_path / "r.html"
    assert run("--llm", "--format", "html", "-o", str(report), MOCK1, server=server).exit_code == 0
    outputs.append(report.read_text(encoding="utf-8"))
    assert len(server.requests) == 1  # the rest came from the cache
    data = json.loads(outputs[0])
    assert "***" in data["critique"]["summary"]
    assert any("***" in d["quote"] for d in data["llm"]["discarded"])
    for out in outputs:
        assert SECRET not in out
    files = list((isolated_home / "cache" / "llm").rglob("*.json"))
    assert files and all(SECRET not in f.read_text(encoding="utf-8") and "\\u0073\\u006b" not in f.read_text()
                         for f in files)
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)


def test_an_edited_llm_cache_entry_is_a_miss(server, isolated_home):
    assert run("--llm", MOCK1, server=server).exit_code == 0
    (entry,) = (isolated_home / "cache" / "llm").rglob("*.json")
    data = json.loads(entry.read_text(encoding="utf-8"))
    reply = json.loads(data["content"])
    for judgement in reply["criteria"].values():
        judgement["level"] = 2  # hand-raised every criterion
    data["content"] = json.dumps(reply)
    entry.write_text(json.dumps(data), encoding="utf-8")
    r = run("--llm", "--format", "json", MOCK1, server=server)
    assert r.exit_code == 0 and len(server.requests) == 2
    assert json.loads(r.output)["llm"]["cached"] is False
    for damage in ('{"content": 5, "prompt_tokens": "x"}', "[" * 100_000, "", '{"content": "{}", "digest": 1}'):
        entry.write_text(damage, encoding="utf-8")
        r = run("--llm", MOCK1, server=server)
        assert r.exit_code == 0, r.output
    assert len(server.requests) == 6


def test_the_rubric_cache_is_plain_data_in_a_private_folder_and_runs_no_code(isolated_home, tmp_path):
    grader._load.cache_clear()
    assert CliRunner().invoke(main, [MOCK1]).exit_code == 0
    folder = isolated_home / "cache" / "rubrics"
    (entry,) = folder.glob("*.marshal")
    assert folder.stat().st_mode & 0o777 == 0o700 and entry.stat().st_mode & 0o777 == 0o600
    header, _, body = entry.read_bytes().partition(b"\n")
    assert header.startswith(b"grade-rubric-cache 9 sha256 ") and marshal.loads(body)["rubric"]["name"]
    assert not list(folder.glob("*.pickle"))

    marker = tmp_path / "pwned"

    class Boom:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for name in [entry.name, "anything.pickle"]:  # whatever the file is called, nothing unpickles it
        (folder / name).write_bytes(pickle.dumps({"stamp": [], "rubric": Boom()}))
    grader._load.cache_clear()
    r = CliRunner().invoke(main, ["--format", "json", MOCK1])
    assert r.exit_code == 0 and not marker.exists()


def test_a_damaged_rubric_cache_entry_is_rebuilt(isolated_home):
    grader._load.cache_clear()
    baseline = CliRunner().invoke(main, ["--format", "json", MOCK1]).output
    (entry,) = (isolated_home / "cache" / "rubrics").glob("*.marshal")
    raw = entry.read_bytes()
    middle = len(raw) // 2
    flipped = raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1:]
    for damaged in (raw[:500], flipped, b"", b"\xff" * 100):
        entry.write_bytes(damaged)
        grader._load.cache_clear()
        assert CliRunner().invoke(main, ["--format", "json", MOCK1]).output == baseline


def test_a_rubric_edited_with_the_same_size_and_mtime_is_not_served_stale(tmp_path):
    rubric = tmp_path / "r.toml"
    rubric.write_text(BUNDLED_RUBRIC.read_text(encoding="utf-8").replace(
        'include = ["followups.toml", "strengths.toml"]',
        f'include = ["{BUNDLED_RUBRIC.parent / "followups.toml"}", "{BUNDLED_RUBRIC.parent / "strengths.toml"}"]'),
        encoding="utf-8")
    first = json.loads(CliRunner().invoke(main, ["--rubric", str(rubric), "--format", "json", MOCK1]).output)
    stat = rubric.stat()
    text = rubric.read_text(encoding="utf-8")
    assert "weight = 3.0" in text
    rubric.write_text(text.replace("weight = 3.0", "weight = 9.0", 1), encoding="utf-8")  # same size
    os.utime(rubric, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert rubric.stat().st_size == stat.st_size
    grader._load.cache_clear()
    second = json.loads(CliRunner().invoke(main, ["--rubric", str(rubric), "--format", "json", MOCK1]).output)
    assert {c["weight"] for c in second["criteria"]} != {c["weight"] for c in first["criteria"]}


def test_paths_the_cache_tests_rely_on():
    assert Path(MOCK1).exists() and BUNDLED_RUBRIC.exists()
