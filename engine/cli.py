"""The `grade` command: a thin click layer over the library. Logic lives in the modules it calls."""

from __future__ import annotations

import json
import os
import sys

import click

from . import __version__
from .errors import EXIT_CODES, GradeError

EXIT_HELP = "\b\nExit codes:\n" + "\n".join(f"  {k}  {v}" for k, v in EXIT_CODES.items())


class _DefaultGroup(click.Group):
    """`grade FILE...` means `grade answer FILE...`: grading is the default command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["answer", *args]
        return super().parse_args(ctx, args)


def _fail(exc: GradeError) -> None:
    click.echo(f"grade: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _use_colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


@click.group(cls=_DefaultGroup, epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grade")
def main() -> None:
    """Grade a data-architecture system-design answer like an architect-level interviewer.

    \b
      grade answers/mock1.md              critique in the terminal
      grade --format json answer.md       the contract's JSON
      grade rubric show                   the criteria and weights
    """


@main.command("answer", epilog=EXIT_HELP)
@click.argument("files", nargs=-1, required=True)
@click.option("--prompt", "prompt", metavar="ID|N", help="The practice prompt (id or number); wins over front matter.")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="Grade against another rubric file.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--min-score", type=click.FloatRange(0, 100), help="Exit 1 if any answer scores below this.")
def answer_cmd(files: tuple[str, ...], prompt: str | None, rubric_path: str | None, fmt: str,
               min_score: float | None) -> None:
    """Grade one or more answer files (`-` reads standard input)."""
    from .grader import grade_text
    from .inputs import read_answer
    from .render import render

    results = []
    try:
        for path in files:
            name, text = read_answer(path)
            results.append(grade_text(text, name=name, prompt=prompt, rubric_path=rubric_path))
    except GradeError as exc:
        _fail(exc)
    if fmt == "json":
        payload = results[0].contract_json() if len(results) == 1 else [r.contract_json() for r in results]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        colour = _use_colour(sys.stdout)
        click.echo("\n".join(render(r, fmt, colour=colour) for r in results), nl=False)
    if min_score is not None and any(r.score < min_score for r in results):
        low = ", ".join(f"{r.file} ({r.score:g})" for r in results if r.score < min_score)
        click.echo(f"grade: below --min-score {min_score:g}: {low}", err=True)
        sys.exit(1)


@main.group("rubric")
def rubric_group() -> None:
    """Inspect and validate rubric files."""


@rubric_group.command("show")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="A rubric file (default: bundled).")
def rubric_show(rubric_path: str | None) -> None:
    """Print the criteria and their weights."""
    from .grader import get_rubric

    try:
        rubric, _ = get_rubric(rubric_path)
    except GradeError as exc:
        _fail(exc)
    click.echo(f"{rubric.name} {rubric.version}: {len(rubric.criteria)} criteria")
    for section in rubric.sections:
        items = [c for c in rubric.criteria if c.section == section.id]
        if not items:
            continue
        click.echo(f"\n{section.title}")
        for c in items:
            scope = f"  [prompt {c.prompt}]" if c.prompt else ""
            click.echo(f"  {c.weight:>4g}  {c.id:<46} {c.title}{scope}")


@rubric_group.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
def rubric_check(path: str) -> None:
    """Validate a rubric file; exit 3 with the problems if it is invalid."""
    from .grader import get_rubric

    try:
        rubric, _ = get_rubric(path)
    except GradeError as exc:
        _fail(exc)
    click.echo(f"{path}: valid ({len(rubric.criteria)} criteria, {len(rubric.prompts)} prompts, "
               f"{len(rubric.followups)} follow-up questions)")


@rubric_group.command("schema")
def rubric_schema() -> None:
    """Print the JSON Schema of the rubric format (for editors)."""
    from .rubric.model import rubric_json_schema

    click.echo(json.dumps(rubric_json_schema(), indent=2))


@main.command("eval")
@click.argument("directory", default="evals", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--fail-under", "fail_under", multiple=True, metavar="SPLIT.METRIC=VALUE",
              help="Exit 1 if a metric is below VALUE, e.g. holdout.level_qwk=0.7 (repeatable).")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="Evaluate another rubric file.")
def eval_cmd(directory: str, fmt: str, fail_under: tuple[str, ...], rubric_path: str | None) -> None:
    """Measure the grader against a labelled corpus (default: ./evals)."""
    from pathlib import Path

    from .eval_report import render_markdown, render_text
    from .evaluation import check_thresholds, evaluate, load_corpus
    from .grader import grade_text

    def grader(text: str, name: str, prompt: str | None):
        return grade_text(text, name=name, prompt=prompt, rubric_path=rubric_path)

    try:
        report = evaluate(load_corpus(Path(directory)), grader)
        failures = check_thresholds(report, list(fail_under))
    except GradeError as exc:
        _fail(exc)
    title = "Grader accuracy: rules (deterministic)"
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    elif fmt == "markdown":
        click.echo(render_markdown(report, title), nl=False)
    else:
        click.echo(render_text(report, title), nl=False)
    if failures:
        for f in failures:
            click.echo(f"grade: eval below threshold: {f}", err=True)
        sys.exit(1)
