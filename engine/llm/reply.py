"""The reply a model must give: pydantic models whose JSON schema is the response format, and the
parsing that turns a reply's text into one of them (or a ReplyInvalid to send back once)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

MAX_FOLLOWUP_QUESTIONS = 5
SUMMARY_MAX_CHARS = 1200
QUESTION_MAX_CHARS = 300


class Judgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal[0, 1, 2] = Field(description="0 missing, 1 mentioned, 2 substantiated")
    quote: str = Field(description="copied verbatim from one line of the answer; empty only when both you and "
                       "the rules find nothing (level 0); a lower level quotes the rules' evidence line")
    note: str = Field(description="one short sentence when your level differs from the rules'; else empty")


@lru_cache(maxsize=64)
def reply_model(ids: tuple[str, ...], with_critique: bool = True) -> type[BaseModel]:
    """The pydantic model of a reply for these criterion ids; its JSON schema is the response format."""
    strict = ConfigDict(extra="forbid")
    fields = {f"c{i}": (Judgement, Field(alias=cid)) for i, cid in enumerate(ids)}
    criteria = create_model("Criteria", __config__=strict, **fields)
    if not with_critique:
        return create_model("GradeReply", __config__=strict, criteria=(criteria, ...))
    question = create_model(
        "FollowupQuestion", __config__=strict,
        criterion=(str, Field(description="the id of the criterion it probes")),
        question=(str, Field(description="one question, in an interviewer's words")),
    )
    return create_model(
        "GradeReply", __config__=strict,
        criteria=(criteria, ...),
        summary=(str, Field(description="2 to 4 sentences: the sharpest critique of this answer")),
        followups=(list[question], Field(description=f"up to {MAX_FOLLOWUP_QUESTIONS} questions")),
    )


def strict_schema(model: type[BaseModel]) -> dict:
    """The model's JSON schema in the subset strict structured output accepts: every property
    required, no extra properties, no titles or defaults (they cost tokens and some servers reject them)."""
    schema = model.model_json_schema(by_alias=True)

    def fix(node):
        if isinstance(node, list):
            for item in node:
                fix(item)
            return
        if not isinstance(node, dict):
            return
        node.pop("title", None)
        node.pop("default", None)
        props = node.get("properties")
        if isinstance(props, dict):
            node["additionalProperties"] = False
            node["required"] = list(props)
            for value in props.values():
                fix(value)
        for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems"):
            if key in node:
                fix(node[key])
        for value in node.get("$defs", {}).values():
            fix(value)

    fix(schema)
    return schema


class ReplyInvalid(Exception):
    """A reply that is not JSON or does not match the schema; the message is sent back once."""


_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*\n?(.*?)\n?```\s*$", re.S)


def parse_reply(content: str, model: type[BaseModel]) -> BaseModel:
    text = content.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if not text:
        raise ReplyInvalid("the reply was empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReplyInvalid(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ReplyInvalid("not valid JSON: nested too deeply") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ReplyInvalid("does not match the schema: " + _schema_errors(exc)) from None
    except RecursionError:
        raise ReplyInvalid("does not match the schema: nested too deeply") from None


def _schema_errors(exc: ValidationError, limit: int = 8) -> str:
    """The validation errors, short enough to send back: missing keys listed once, others counted."""
    missing, problems = [], []
    for e in exc.errors():
        where = ".".join(str(x) for x in e["loc"]) or "(top level)"
        if e["type"] == "missing":
            missing.append(where)
        else:
            problems.append(f"{where}: {e['msg']}")
    parts = [f"missing {', '.join(missing)}"] if missing else []
    parts += problems[:limit]
    if len(problems) > limit:
        parts.append(f"and {len(problems) - limit} more problems")
    return "; ".join(parts)


def judgements(reply: BaseModel, ids: tuple[str, ...]) -> dict[str, Judgement]:
    return {cid: getattr(reply.criteria, f"c{i}") for i, cid in enumerate(ids)}



_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # and bidi overrides


def clean(text: str, limit: int) -> str:
    """Model-written prose made safe for a terminal: no control or escape characters, bounded."""
    text = _CONTROL.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def scrub_reply(reply: BaseModel, secret: str | None) -> BaseModel:
    """The reply with `secret` (the API key) replaced by *** in every string: a server that echoes
    the key (even JSON-escaped, which a scrub of the raw text cannot see) must not put it in a
    report or the cache."""
    if not secret:
        return reply
    data = reply.model_dump(by_alias=True)
    if secret not in json.dumps(data, ensure_ascii=False):
        return reply
    return type(reply).model_validate(_replace_everywhere(data, secret, "***"))


def _replace_everywhere(value, old: str, new: str):
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_everywhere(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_everywhere(v, old, new) for k, v in value.items()}
    return value

