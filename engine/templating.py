"""The one way a jinja2 Environment is made: the report templates and the LLM prompts alike.

Report templates live in engine/report/templates/ (installed as grade/report/templates); the
prompts sent to a model live in prompts/ (installed as grade.prompts). jinja2 is imported only
when a template is rendered.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import jinja2

REPORT_TEMPLATES = Path(__file__).parent / "report" / "templates"


def _llm_prompts() -> Path:
    from importlib.resources import files

    return Path(str(files("grade.prompts")))


def environment(kind: Literal["report", "html", "llm"], bytecode_cache: Any = None) -> jinja2.Environment:
    """A new StrictUndefined environment over one template folder (callers keep theirs).

    report: plain text and Markdown, unescaped, trailing newline kept;
    html:   the same folder, autoescaped, so an answer's text never becomes markup;
    llm:    the LLM prompts, blocks trimmed so the prompt's layout is the template's.
    """
    import jinja2

    if kind == "llm":
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(_llm_prompts())), autoescape=False, trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=False, undefined=jinja2.StrictUndefined,
        )
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(REPORT_TEMPLATES)), autoescape=kind == "html",
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined, bytecode_cache=bytecode_cache,
    )
