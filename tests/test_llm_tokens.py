"""Token counts, budgets and costs, offline; --dry-run; the one-request vs per-criterion figures."""

from __future__ import annotations

import subprocess
import sys

import pytest
from grade.llm.plan import request_figures
from grade.llm.tokens import OFFLINE_ENCODING, context_window, counter_for, pricing_for

from .conftest import ANSWERS, REPO


def test_the_bundled_offline_encoding_counts_exactly_for_cl100k_models():
    counter = counter_for("gpt-4")
    assert counter.encoding == OFFLINE_ENCODING and counter.exact
    assert counter.count("hello world") == 2
    assert "the encoding gpt-4 uses" in counter.note


def test_o200k_models_are_counted_with_cl100k_and_say_it_is_an_approximation():
    counter = counter_for("gpt-4o-mini")
    assert counter.encoding == OFFLINE_ENCODING and not counter.exact
    assert "an approximation, gpt-4o-mini uses o200k_base" in counter.note
    assert "the tokenizer of llama3.1:8b is not known" in counter_for("llama3.1:8b").note


def test_without_any_encoding_counts_fall_back_to_chars_over_4():
    def broken():
        raise OSError("no data file")

    counter = counter_for("gpt-4o-mini", loader=broken)
    assert counter.encoding == "chars/4" and not counter.exact
    assert counter.count("x" * 10) == 3
    assert "characters / 4" in counter.note and "OSError: no data file" in counter.note


def test_a_tokenizer_that_fails_on_some_text_does_not_crash():
    def flaky():
        def count(text):
            raise ValueError("cannot encode")
        return count

    assert counter_for("gpt-4", loader=flaky).count("abcdefgh") == 2


def test_request_counts_include_framing_and_the_schema():
    counter = counter_for("gpt-4")
    messages = [{"role": "user", "content": "hello world"}]
    plain = counter.count_messages(messages)
    assert plain == 9  # OpenAI's count for gpt-4: 3 per message, 3 priming the reply, "user" 1, "hello world" 2
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    assert counter.count_messages(messages, response_format=fmt) > plain


def test_prices_and_context_windows(monkeypatch):
    assert pricing_for("gpt-4o-mini-2024-07-18").input_per_mtok == 0.15  # a dated snapshot
    assert pricing_for("gpt-4o").input_per_mtok == 2.50
    assert pricing_for("llama3.1:8b") is None
    monkeypatch.setenv("GRADE_PRICE_PER_MTOK", "1,2")
    price = pricing_for("llama3.1:8b")
    assert (price.input_per_mtok, price.output_per_mtok) == (1.0, 2.0)
    assert price.cost(1_000_000, 500_000) == 2.0
    assert context_window("gpt-4")[0] == 8192
    assert context_window("gpt-4.1-mini")[0] == 1_047_576
    assert context_window("mystery")[1].startswith("assumed")
    monkeypatch.setenv("GRADE_CONTEXT_TOKENS", "4096")
    assert context_window("gpt-4o") == (4096, "GRADE_CONTEXT_TOKENS")


@pytest.mark.parametrize("path", sorted(ANSWERS.glob("*.md")), ids=lambda p: p.name)
def test_one_request_per_answer_costs_at_most_a_fifth_of_one_per_criterion(path):
    figures = request_figures(path.read_text(encoding="utf-8"), name=path.name)
    assert figures["one_request"]["requests"] == 1
    assert figures["per_criterion"]["requests"] == figures["criteria"] >= 39
    assert figures["ratio"] <= 0.2


def test_the_figures_script_prints_a_table():
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "llm_token_figures.py")],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert "| **mean per answer** |" in out
    assert out.count("| 1 |") >= 5


def test_the_byte_bound_is_never_below_the_count_so_a_request_under_it_fits():
    from grade.llm.grader import prepare
    from grade.llm.tokens import byte_bound

    counter = counter_for("gpt-4o-mini")
    texts = [p.read_text() for p in sorted(ANSWERS.glob("*.md"))]
    texts.append("## Überblick\n- Löschung binnen 30 Tagen, 数据 每天 合并, emoji 🚀🚀 in a line\n" * 20)
    for text in texts:
        p = prepare(text, name="a.md", prompt=None, rubric_path=None, model="gpt-4o-mini", counter=counter)
        fmt = p.request.response_format()
        assert byte_bound(p.request.messages, response_format=fmt) >= p.input_tokens > 0


def test_an_answer_well_under_the_budget_is_graded_without_loading_the_tokenizer():
    from grade.llm import tokens
    from grade.llm.grader import prepare

    tokens._cached_loader.cache_clear()
    p = prepare((ANSWERS / "mock1.md").read_text(), name="mock1.md", prompt=None, rubric_path=None,
                model="gpt-4o-mini")
    assert tokens._cached_loader.cache_info().currsize == 0
    assert p.input_tokens > 0 and tokens._cached_loader.cache_info().currsize == 1  # counted when asked
