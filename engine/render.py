"""Render a GradeResult as text (terminal), Markdown or JSON. Templates live in prompts/."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

from .results import VERDICT_LABELS, GradeResult

FORMATS = ("text", "markdown", "json")
_COLOURS = {"architect": "green", "senior": "yellow", "below_bar": "red"}
_LEVEL_MARKS = {0: "[0]", 1: "[1]", 2: "[2]"}


@lru_cache(maxsize=2)
def _environment(colour: bool):
    import click
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("grade.prompts"))),
        autoescape=False, keep_trailing_newline=True, trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if colour else text

    env.filters["bold"] = lambda t: style(str(t), bold=True)
    env.filters["verdict_colour"] = lambda t, v: style(str(t).upper(), fg=_COLOURS[v], bold=True)
    env.filters["level_mark"] = lambda lv: style(_LEVEL_MARKS[lv], fg=("red", "yellow", "green")[lv])
    env.filters["md_cell"] = lambda t: str(t).replace("|", "\\|").replace("\n", " ")
    return env


def _prompt_note(result: GradeResult) -> str:
    info = result.prompt_info
    if info.source == "inferred":
        return f"inferred, confidence {info.confidence:.2f}"
    return {"option": "from --prompt", "front_matter": "from front matter", "none": "not recognised"}[info.source]


def _sections(result: GradeResult) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for c in result.criteria:
        groups.setdefault(c.section, []).append(c)
    return list(groups.items())


def render(result: GradeResult, fmt: str, *, colour: bool = False) -> str:
    if fmt == "json":
        return json.dumps(result.contract_json(), indent=2, ensure_ascii=False) + "\n"
    name = {"text": "report.txt.j2", "markdown": "report.md.j2"}[fmt]
    template = _environment(colour and fmt == "text").get_template(name)
    return template.render(result=result, critique=result.critique, prompt_note=_prompt_note(result),
                           verdict_label=VERDICT_LABELS[result.verdict], sections=_sections(result))
