"""Writing a report: to standard output, or to a file that is never silently overwritten nor lost.

A report goes to a temporary file in the target's folder first, is flushed to disk, then takes
the target's name in one step: a full disk, a crash or Ctrl-C leaves the old report as it was and
no truncated or 0-byte file behind. Without --force the last step refuses an existing file
atomically (a hard link, which fails if the name exists); with --force it replaces it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import click

from ..errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_report(text: str, path: str | Path, *, force: bool = False) -> Path:
    """Write `text` to `path`; an existing file is an OutputError unless `force`. On any failure the
    file at `path` is as it was, and nothing else is left in its folder."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p}: is a directory; give a file name for the report")
    if not p.parent.is_dir():
        raise OutputError(f"{p}: no such folder {str(p.parent)!r}")
    if not force and os.path.lexists(p):
        raise OutputError(f"{p}: already exists; choose another -o path or add --force to overwrite it")
    tmp = None
    try:
        import tempfile  # only when a report is written to a file

        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
            with contextlib.suppress(OSError):  # a report is an ordinary file, not mkstemp's 0600
                os.fchmod(fh.fileno(), 0o666 & ~_umask())
        if force:
            os.replace(tmp, p)
        else:
            _link_new(tmp, p)
        tmp = None
    except FileExistsError:
        raise OutputError(f"{p}: already exists; choose another -o path or add --force to overwrite it") from None
    except OSError as exc:
        raise OutputError(f"{p}: cannot write ({exc.strerror or exc}); nothing was changed") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return p


def _link_new(tmp: str, target: Path) -> None:
    """Give `tmp` the name `target` only if nothing has it (FileExistsError otherwise)."""
    try:
        os.link(tmp, target)
    except OSError as exc:
        if exc.errno in (errno.EEXIST,):
            raise FileExistsError(exc.errno, exc.strerror) from None
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(target):  # a file system without hard links: check, then rename
            raise FileExistsError(errno.EEXIST, "File exists") from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def emit(text: str, output: str | None, *, force: bool = False) -> None:
    """Print `text`, or write it to `output` (`-` also means standard output)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
    else:
        write_report(text, output, force=force)
