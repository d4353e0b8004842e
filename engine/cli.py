"""The `grade` command: a thin click layer over the library. Logic lives in the modules it calls."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys

import click

from . import __version__
from .errors import EXIT_CODES, GradeError


def _exit_help(*codes: int) -> str:
    return "\b\nExit codes:\n" + "\n".join(f"  {k:<3}  {EXIT_CODES[k]}" for k in codes)


EXIT_HELP = _exit_help(*EXIT_CODES)


class _Interrupted(Exception):
    """Ctrl-C inside a command: reported by _DefaultGroup.main as one line, exit 130."""


class _StdoutFailed(Exception):
    """Standard output could not be written (a full disk, a closed pipe)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.error = error


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2

_WRITE_ERRNOS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EBADF, getattr(errno, "EDQUOT", -1)}


def _say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        click.echo(line, err=True)


def _flush_stdout() -> None:
    stream = sys.stdout
    if stream is not None:
        stream.flush()


def _silence_stdout() -> None:
    """After a failed write, point standard output at /dev/null so that the interpreter's last flush
    at exit adds no second message."""
    with contextlib.suppress(Exception):
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


class _DefaultGroup(click.Group):
    """`grade FILE...` means `grade answer FILE...`: grading is the default command.

    Every way the program ends is one line at most: usage errors (click's usage block would be 3-4
    lines), Ctrl-C (exit 130), and an output that cannot be written (`> /dev/full`: exit 2; a closed
    pipe: exit 141, silently, as a shell reports a process ended by SIGPIPE)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["answer", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GradeError as exc:  # every command's errors, caught here once
            _fail(exc)
        except KeyboardInterrupt:
            raise _Interrupted() from None
        except OSError as exc:
            if exc.errno in _WRITE_ERRNOS:
                raise _StdoutFailed(exc) from None
            raise

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            try:
                rv = super().main(args, "grade", complete_var, standalone_mode=False, **extra)
                code = rv if isinstance(rv, int) and not isinstance(rv, bool) else 0
            except SystemExit as exc:  # a command's own exit (_fail, --min-score)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            _flush_stdout()
        except _NO_ARGS_IS_HELP as exc:  # `grade` or `grade rubric` alone: the help, as click shows it
            _say(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
            code = 2
        except click.UsageError as exc:
            hint = f"; see '{exc.ctx.command_path} --help'" if exc.ctx is not None else ""
            _say(f"grade: error: {' '.join(exc.format_message().split()).rstrip('.')}{hint}")
            code = 2
        except click.ClickException as exc:
            _say(f"grade: error: {' '.join(exc.format_message().split())}")
            code = exc.exit_code
        except (_Interrupted, click.exceptions.Abort, KeyboardInterrupt):
            _say("grade: interrupted")
            code = 130
        except (_StdoutFailed, OSError) as exc:
            error = exc.error if isinstance(exc, _StdoutFailed) else exc
            if not isinstance(exc, _StdoutFailed) and error.errno not in _WRITE_ERRNOS:
                raise
            _silence_stdout()
            if error.errno == errno.EPIPE:
                code = 141
            else:
                _say(f"grade: error: cannot write to standard output ({error.strerror or error})")
                code = 2
        sys.exit(code)


def _fail(exc: GradeError) -> None:
    click.echo(f"grade: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _rubric_time_limit(rubric_path: str | None, name: str):
    from .core.grader import rubric_time_limit

    return rubric_time_limit(rubric_path, name)


def _grade_all(items: list[tuple[str, str, str | None]], *, use_llm: bool, model: str | None = None,
               timeout: float | None = None, no_cache: bool = False, rubric_path: str | None, jobs: int = 1,
               batch: bool = False, label: str = "answers graded"):
    """Every (text, name, prompt) graded by the one grader the options choose (the rules, or the
    rules refined by a model, `jobs` requests at a time or in one batch), with progress on a
    terminal: the grader, and each answer's GradeResult or LLMError, in order."""
    from .report.progress import Progress

    with Progress(len(items) if use_llm or len(items) > 1 else 0, what=label) as progress:
        if use_llm:
            from .llm.grader import LLMGrader

            grader = LLMGrader.from_options(model=model, timeout=timeout, use_cache=not no_cache,
                                            rubric_path=rubric_path, notify=progress.say)
        else:
            from .core.grader import RulesGrader

            grader = RulesGrader(rubric_path, time_limit=True)
        outcomes = grader.grade_many(items, jobs=jobs, batch=batch, on_done=progress.tick, on_status=progress.status)
    return grader, outcomes


def _say_errors(errors: list[GradeError], total: int) -> None:
    """One line per distinct error: an answer's own names it, one shared by several (a refused key)
    says how many it stopped."""
    if total == 1:
        click.echo(f"grade: error: {errors[0]}", err=True)
        return
    by_message: dict[str, list[str]] = {}
    for exc in errors:
        by_message.setdefault(str(exc), []).append(getattr(exc, "answer", "?"))
    for message, names in by_message.items():
        if len(names) == 1:
            click.echo(f"grade: error: {names[0]}: {message}", err=True)
        else:
            shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
            click.echo(f"grade: error: {message} ({len(names)} answers: {shown})", err=True)


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
      grade mock                          a mock interview (prompt 1); then `grade history`
      grade --format html a.md -o r.html  a report page to open in a browser
    """


_JOBS = click.option("--jobs", type=click.IntRange(1, 64), default=4, show_default=True, metavar="N",
                     help="With --llm: requests in flight at a time (the output keeps the input's order).")
_BATCH = click.option("--batch", is_flag=True,
                      help="With --llm: send the answers not in the cache as one OpenAI Batch API job, wait for "
                           "it (GRADE_BATCH_POLL seconds between looks) and cache the replies.")


@main.command("answer", epilog=_exit_help(0, 1, 2, 3, 4, 130))
@click.argument("files", nargs=-1, required=True)
@click.option("--prompt", "prompt", metavar="ID|N", help="The practice prompt (id or number); wins over front matter.")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="Grade against another rubric file.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "html"]), default="text",
              show_default=True, help="html: a self-contained page for one answer (use with -o).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write the report to PATH instead of standard output.")
@click.option("--force", is_flag=True, help="With -o: overwrite PATH if it exists.")
@click.option("--min-score", type=click.FloatRange(0, 100), help="Exit 1 if any answer scores below this.")
@click.option("--llm", "use_llm", is_flag=True,
              help="Refine the rules with an LLM on any OpenAI-compatible endpoint (OPENAI_API_KEY, "
                   "OPENAI_BASE_URL); GRADE_LLM=1 turns it on too.")
@click.option("--model", metavar="NAME", help="With --llm: the model (default: $GRADE_MODEL, else gpt-4o-mini).")
@click.option("--dry-run", is_flag=True, help="With --llm: print the requests, their tokens and cost; send nothing.")
@click.option("--no-cache", is_flag=True, help="With --llm: ask the model again even for an unchanged answer.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="With --llm: seconds to wait for each request (default: $GRADE_LLM_TIMEOUT, else 60).")
@_JOBS
@_BATCH
def answer_cmd(files: tuple[str, ...], prompt: str | None, rubric_path: str | None, fmt: str,
               output: str | None, force: bool, min_score: float | None, use_llm: bool, model: str | None,
               dry_run: bool, no_cache: bool, timeout: float | None, jobs: int, batch: bool) -> None:
    """Grade one or more answer files (`-` reads standard input)."""
    from .core.grader import get_rubric
    from .core.inputs import read_answer
    from .report.outputs import emit
    from .report.render import render_many

    if use_llm or os.environ.get("GRADE_LLM"):  # the LLM client's module (email, ...) only when it may be used
        from .llm.client import llm_enabled

        use_llm = llm_enabled(use_llm)  # GRADE_LLM is checked whatever the mode, like every setting
    if batch and not use_llm and not dry_run:
        raise click.UsageError("--batch needs --llm")
    answers = [read_answer(path) for path in files]
    if dry_run:
        from .llm.client import resolve_settings
        from .llm.plan import plan
        from .report.llm_output import render_dry_run

        settings = resolve_settings(model=model, timeout=timeout)
        runs = plan(answers, prompt=prompt, rubric_path=rubric_path, settings=settings)
        click.echo(render_dry_run(runs, settings), nl=False)
        return
    _, outcomes = _grade_all([(text, name, prompt) for name, text in answers], use_llm=use_llm, model=model,
                             timeout=timeout, no_cache=no_cache, rubric_path=rubric_path, jobs=jobs, batch=batch)
    errors = [o for o in outcomes if isinstance(o, GradeError)]
    graded = [(text, o) for (_, text), o in zip(answers, outcomes, strict=True) if not isinstance(o, GradeError)]
    texts, results = [t for t, _ in graded], [r for _, r in graded]
    if results:
        colour = output is None and _use_colour(sys.stdout)
        report = render_many(results, fmt, colour=colour, answers=texts, rubric=get_rubric(rubric_path)[0])
        emit(report, output, force=force)
    if errors:
        _say_errors(errors, len(answers))
        sys.exit(max(e.exit_code for e in errors))
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
    from .core.grader import get_rubric

    rubric, _ = get_rubric(rubric_path)
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
    from pathlib import Path

    from .errors import RubricInvalid
    from .rubric.model import RubricError, read_rubric

    try:  # validated every time: the cache that grading reads skips validation
        rubric, _ = read_rubric(Path(path).resolve())
    except RubricError as exc:
        raise RubricInvalid(str(exc)) from None
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
@click.option("--llm", "use_llm", is_flag=True,
              help="Also evaluate rules+llm and show it beside the rules (--fail-under then applies to it).")
@click.option("--model", metavar="NAME", help="With --llm: the model (default: $GRADE_MODEL, else gpt-4o-mini).")
@click.option("--split", "only", multiple=True, metavar="NAME",
              help="Only this split (repeatable); 'training' is every training split: no other answer or "
                   "label is read, so rule work never opens a held-out one.")
@_JOBS
@_BATCH
def eval_cmd(directory: str, fmt: str, fail_under: tuple[str, ...], rubric_path: str | None, use_llm: bool,
             model: str | None, only: tuple[str, ...], jobs: int, batch: bool) -> None:
    """Measure the grader against a labelled corpus (default: ./evals)."""
    from pathlib import Path

    from .core.grader import RulesGrader, get_rubric, grade_levels
    from .eval.evaluation import check_thresholds, evaluate, load_corpus, named_splits
    from .eval.feedback_audit import audit_corpus, remembering
    from .report.eval_report import render_markdown, render_text
    from .rubric.runtime import CAP_KINDS

    grader = remembering(RulesGrader(rubric_path).grade)

    def aggregate(levels: dict[str, int], prompt: str, caps: list[str] | None):
        return grade_levels(levels, prompt, rubric_path=rubric_path, caps=caps)

    if batch and not use_llm:
        raise click.UsageError("--batch needs --llm")
    examples = load_corpus(Path(directory), named_splits(only))
    rubric, matcher = get_rubric(rubric_path)
    report = evaluate(examples, grader, aggregate=aggregate, caps=list(CAP_KINDS),
                      base_caps=list(rubric.verdicts.caps))
    report["feedback"] = audit_corpus(examples, grader, matcher)
    if use_llm:
        from .eval.evaluation import evaluate_llm
        from .report.llm_output import render_llm_comparison

        items = [(ex.text, ex.path.name, ex.gold["prompt"]) for ex in examples]
        llm_grader, outcomes = _grade_all(items, use_llm=True, model=model, rubric_path=rubric_path, jobs=jobs,
                                          batch=batch, label="answers graded by rules+llm")
        errors = [o for o in outcomes if isinstance(o, GradeError)]
        if errors:
            _say_errors(errors, len(items))
            sys.exit(max(e.exit_code for e in errors))
        graded = {(ex.text, ex.path.name, ex.gold["prompt"]): r for ex, r in zip(examples, outcomes, strict=True)}
        llm_report, failures = evaluate_llm(examples, llm_grader, rubric_path=rubric_path,
                                            fail_under=list(fail_under), graded=graded)
        click.echo(render_llm_comparison({"rules": report, "rules+llm": llm_report}, fmt, llm_grader.settings,
                                         llm_grader.stats), nl=False)
    else:
        failures = check_thresholds(report, list(fail_under))
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


_LLM_OPTIONS = [
    click.option("--llm", "use_llm", is_flag=True,
                 help="Have an LLM write the follow-up questions (any OpenAI-compatible endpoint: OPENAI_API_KEY, "
                      "OPENAI_BASE_URL; GRADE_LLM=1 turns it on too); they pass the bank's checks, or the bank's "
                      "stand."),
    click.option("--model", metavar="NAME", help="With --llm: the model (default: $GRADE_MODEL, else gpt-4o-mini)."),
    click.option("--no-cache", is_flag=True, help="With --llm: ask the model again even for an unchanged answer."),
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                 help="With --llm: seconds to wait for each request (default: $GRADE_LLM_TIMEOUT, else 60)."),
]


def _llm_options(f):
    for option in reversed(_LLM_OPTIONS):
        f = option(f)
    return f


def _followup_writer(use_llm: bool, model: str | None, timeout: float | None, no_cache: bool,
                     rubric_path: str | None):
    """The LLM follow-up writer when --llm (or GRADE_LLM=1) asks for one, else None."""
    from .llm.client import llm_enabled

    if not llm_enabled(use_llm):
        return None
    from .core.grader import get_rubric
    from .llm.followups import LLMFollowupWriter

    return LLMFollowupWriter.from_options(get_rubric(rubric_path)[0], model=model, timeout=timeout,
                                          use_cache=not no_cache, rubric_path=rubric_path)


@main.command("followups", epilog=_exit_help(0, 2, 3, 4, 130))
@click.argument("file")
@click.option("--prompt", "prompt", metavar="ID|N", help="The practice prompt (id or number); wins over front matter.")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="Grade against another rubric file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_llm_options
def followups_cmd(file: str, prompt: str | None, rubric_path: str | None, fmt: str, use_llm: bool,
                  model: str | None, no_cache: bool, timeout: float | None) -> None:
    """Ask the 3 to 7 questions an interviewer would ask next.

    FILE is an answer (`-` reads standard input). Each question names the criterion it probes:
    answer it in your file and re-grade. With --llm a model writes them, under the bank's checks.
    """
    from .core.grader import RulesGrader, get_rubric
    from .core.inputs import read_answer
    from .feedback.followups import written_followups
    from .report.render import render_followups

    name, text = read_answer(file)
    result = RulesGrader(rubric_path, time_limit=True).grade(text, name, prompt)  # a model writes questions only
    writer = _followup_writer(use_llm, model, timeout, no_cache, rubric_path)
    questions, written = written_followups(result, text, rubric=get_rubric(rubric_path)[0], writer=writer)
    note = _writer_note(writer, written)
    click.echo(render_followups(result, questions, fmt, source="llm" if written else "bank", note=note,
                                colour=_use_colour(sys.stdout)), nl=False)


def _writer_note(writer, written: bool) -> str | None:
    """One line on where the questions came from, when a model was asked."""
    if writer is None:
        return None
    if written:
        return f"Written by {writer.model}{' (from the cache)' if writer.cached else ''}, checked like the bank's."
    if writer.injection_lines:
        return (f"Line {', '.join(map(str, writer.injection_lines))} of the answer addresses the grader: nothing was "
                "sent to the model; these are the bank's questions.")
    return (f"{writer.model} wrote {writer.written} questions but too few passed the checks (one per idea, nothing "
            "presupposed that the answer lacks, nothing it already states); these are the bank's.")


@main.command("prompts")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="A rubric file (default: bundled).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def prompts_cmd(rubric_path: str | None, fmt: str) -> None:
    """List the five practice prompts and what each must handle."""
    from .core.grader import get_rubric
    from .report.render import render_prompts

    rubric, _ = get_rubric(rubric_path)
    click.echo(render_prompts(rubric, fmt, colour=_use_colour(sys.stdout)), nl=False)


@main.command("mock", epilog=_exit_help(0, 2, 3, 130))
@click.argument("prompt", required=False, metavar="[PROMPT]")
@click.option("--file", "file", type=click.Path(dir_okay=False), help="Read the answer from this file.")
@click.option("--template", "show_template", is_flag=True, help="Print the answer template for PROMPT and exit.")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="Grade against another rubric file.")
@_llm_options
def mock_cmd(prompt: str | None, file: str | None, show_template: bool, rubric_path: str | None, use_llm: bool,
             model: str | None, no_cache: bool, timeout: float | None) -> None:
    """Run a mock interview: prompt, your answer, critique, follow-ups.

    PROMPT is an id or number (default 1, as in the seed; `grade prompts` lists them).

    \b
    The answer comes from --file, else from standard input when it is not a terminal, else from
    $EDITOR, opened on a template with the prompt and the six-part structure. Every attempt is
    saved (never overwritten) in $GRADE_HOME/data/attempts, else $XDG_DATA_HOME/grade/attempts
    (default ~/.local/share/grade/attempts); `grade history` shows the progress.
    """
    from .practice import mock
    from .report.render import render_answer_template, render_mock_intro, render_mock_outcome

    colour = _use_colour(sys.stdout)
    rubric, spec = mock.load_spec(prompt, rubric_path)
    template = render_answer_template(spec, rubric)
    if show_template:
        click.echo(template, nl=False)
        return
    interactive = mock.stdin_is_tty()
    if interactive and file is None:  # an answer typed in the editor must not be lost to an unwritable folder
        mock.check_save_folder(spec)
    click.echo(render_mock_intro(spec, rubric, colour=colour))
    _, answer = mock.obtain_answer(template, file=file, interactive=interactive, edit=mock.run_editor)
    if answer is None:
        click.echo("grade: the template was not changed: nothing graded, nothing saved", err=True)
        return
    writer = _followup_writer(use_llm, model, timeout, no_cache, rubric_path)
    with _rubric_time_limit(rubric_path, "the answer"):
        outcome = mock.grade_attempt(spec, answer, rubric_path=rubric_path, writer=writer)
    click.echo(render_mock_outcome(outcome, colour=colour,
                                   note=_writer_note(writer, outcome.followups_by == "llm")), nl=False)


@main.command("history")
@click.argument("prompt", required=False, metavar="[PROMPT]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), help="A rubric file (default: bundled).")
def history_cmd(prompt: str | None, fmt: str, rubric_path: str | None) -> None:
    """Show past mock attempts: score, verdict, what moved since the one before.

    PROMPT (id or number) limits it to one practice prompt. Attempts are read from where `grade
    mock` saves them ($GRADE_HOME/data/attempts, else ~/.local/share/grade/attempts).
    """
    from .core.grader import get_rubric
    from .practice.attempts import history_steps, load_history
    from .practice.mock import resolve_spec
    from .report.render import render_history

    rubric, _ = get_rubric(rubric_path)
    prompt_id = resolve_spec(rubric, prompt).id if prompt else None
    history = load_history(prompt_id)
    click.echo(render_history(history, history_steps(history, rubric), rubric, fmt, colour=_use_colour(sys.stdout)),
               nl=False)
