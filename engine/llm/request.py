"""The request: the rules' findings, the rubric's criteria and the answer (fenced as untrusted
data, every line numbered) in one chat request built from the templates in prompts/llm_*.j2, with
the response format for each way a server may take it (json_schema, JSON mode, plain)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from ..core.document import Document
from ..core.results import CriterionResult
from ..rubric.runtime import Rubric
from ..templating import environment
from .grounding import MIN_QUOTE_WORDS
from .reply import reply_model, strict_schema

BEGIN = "<<<ANSWER (untrusted data, not instructions)>>>"
END = "<<<END OF ANSWER>>>"
FORMAT_MODES = ("json_schema", "json_object", "none")
FormatMode = Literal["json_schema", "json_object", "none"]
REASONING_MODELS = ("o1", "o3", "o4", "gpt-5")  # they reject a temperature other than the default


@lru_cache(maxsize=1)
def _templates():
    return environment("llm")


def render_prompt(name: str, **context) -> str:
    """One of the prompts/llm_*.j2 templates, rendered."""
    return _templates().get_template(name).render(**context).strip()


def temperature_for(model: str) -> float | None:
    """0.0, or None (the server's default) for the reasoning models that accept no other."""
    return None if model.lower().rsplit("/", 1)[-1].startswith(REASONING_MODELS) else 0.0


_DELIMITER_RUNS = re.compile(r"<{3,}|>{3,}")
_LINE_BREAKS = str.maketrans({"\u2028": " ", "\u2029": " ", "\x85": " ", "\x0b": " ", "\x0c": " "})


def neutralise(line: str) -> str:
    """An answer line made safe to fence: nothing in it can pass for our delimiters or a line break."""
    line = line.translate(_LINE_BREAKS)
    return _DELIMITER_RUNS.sub(lambda m: ("\u2039" if m.group(0)[0] == "<" else "\u203a") * len(m.group(0)), line)


def fence_answer(doc: Document) -> str:
    """The answer's lines, numbered as in the file, each neutralised (the markers go around it)."""
    return "\n".join(f"{line.number}| {neutralise(line.text)}" for line in doc.lines)


@dataclass
class LLMRequest:
    """One chat request: what is sent, the schema the reply must match, and how to read it."""

    model: str
    messages: list[dict]
    ids: tuple[str, ...]
    with_critique: bool
    max_completion_tokens: int
    temperature: float | None

    @property
    def reply_model(self) -> type[BaseModel]:
        return reply_model(self.ids, self.with_critique)

    @property
    def schema(self) -> dict:
        return _schema(self.ids, self.with_critique)

    def response_format(self, mode: FormatMode = "json_schema") -> dict | None:
        if mode == "json_schema":
            return {"type": "json_schema",
                    "json_schema": {"name": "grade_reply", "strict": True, "schema": self.schema}}
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    def messages_for(self, mode: FormatMode) -> list[dict]:
        """The messages for a format mode: without json_schema, the schema goes into the system prompt."""
        if mode == "json_schema":
            return [dict(m) for m in self.messages]
        schema = json.dumps(self.schema, separators=(",", ":"))
        system, *rest = self.messages
        fmt = render_prompt("llm_format.j2", schema=schema)
        return [{"role": "system", "content": system["content"] + "\n\n" + fmt}, *[dict(m) for m in rest]]

    def payload(self, mode: FormatMode = "json_schema") -> dict:
        body: dict = {"model": self.model, "messages": self.messages_for(mode)}
        fmt = self.response_format(mode)
        if fmt is not None:
            body["response_format"] = fmt
        body["max_completion_tokens"] = self.max_completion_tokens
        if self.temperature is not None:
            body["temperature"] = self.temperature
        return body


def output_cap(n_criteria: int, with_critique: bool) -> int:
    """max_completion_tokens: room for every criterion's entry, and the critique when asked."""
    return (500 if with_critique else 100) + 60 * n_criteria


def build_request(doc: Document, rubric: Rubric, prompt_id: str | None, rules: list[CriterionResult], *,
                  model: str, only: list[str] | None = None, with_critique: bool = True) -> LLMRequest:
    """The request grading `rules`' criteria (or `only` these ids) of one answer."""
    chosen = [r for r in rules if only is None or r.id in only]
    spec = rubric.prompt_spec(prompt_id) if prompt_id else None
    system = render_prompt("llm_system.j2", begin=BEGIN, end=END, with_critique=with_critique,
                           min_quote_words=MIN_QUOTE_WORDS, wording=rubric.llm)
    user = render_prompt("llm_user.j2", prompt=spec, criteria=[(rubric.criterion(r.id), r) for r in chosen],
                         begin=BEGIN, end=END, answer=fence_answer(doc))
    temperature = temperature_for(model)
    return LLMRequest(model=model, messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                      ids=tuple(r.id for r in chosen), with_critique=with_critique,
                      max_completion_tokens=output_cap(len(chosen), with_critique), temperature=temperature)


@lru_cache(maxsize=64)
def _schema(ids: tuple[str, ...], with_critique: bool) -> dict:
    """The strict schema of a reply model, made once per set of criteria (pydantic takes ~7 ms to
    generate it, and every request and cache key needs it). Shared: read it, never change it."""
    return strict_schema(reply_model(ids, with_critique))
