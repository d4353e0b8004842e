"""Writing a report: to standard output, or to a file that is never silently overwritten."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import OutputError


def write_report(text: str, path: str | Path, *, force: bool = False) -> Path:
    """Write `text` to `path`; an existing file is an OutputError unless `force`."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p}: is a directory; give a file name for the report")
    if not p.parent.is_dir():
        raise OutputError(f"{p}: no such folder {str(p.parent)!r}")
    try:
        with p.open("w" if force else "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        raise OutputError(f"{p}: already exists; choose another -o path or add --force to overwrite it") from None
    except OSError as exc:
        raise OutputError(f"{p}: cannot write ({exc.strerror})") from None
    return p


def emit(text: str, output: str | None, *, force: bool = False) -> None:
    """Print `text`, or write it to `output` (`-` also means standard output)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
    else:
        write_report(text, output, force=force)
