"""Where grade keeps its own files. GRADE_HOME moves all of them (tests point it at a temp dir).

    GRADE_HOME set   attempts in $GRADE_HOME/data, caches in $GRADE_HOME/cache
    otherwise        attempts in $XDG_DATA_HOME/grade (default ~/.local/share/grade),
                     caches in $XDG_CACHE_HOME/grade (default ~/.cache/grade)

A home folder that cannot be found (HOME unset or not absolute, no password entry) is a NoHome
error naming GRADE_HOME; the caches treat it, like any unwritable folder, as "no cache".
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import GradeError


class NoHome(GradeError):
    """No folder to keep grade's files in: HOME is unset or relative and GRADE_HOME is not set."""

    exit_code = 2


def _base(xdg_var: str, fallback: str) -> Path:
    home = os.environ.get("GRADE_HOME")
    if home:
        return Path(home)
    root = os.environ.get(xdg_var, "")
    if os.path.isabs(root):  # the XDG spec: a relative path is ignored
        return Path(root) / "grade"
    try:  # an empty HOME would be read as '/'
        user_home = Path.home() if os.environ.get("HOME", None) != "" else None
    except (RuntimeError, KeyError, OSError):
        user_home = None
    if user_home is None or not user_home.is_absolute():
        raise NoHome("cannot find your home folder (HOME is not set): set GRADE_HOME to a folder for "
                     "grade's attempts and caches")
    return user_home / fallback / "grade"


def data_dir() -> Path:
    """Saved mock-interview attempts and other user data."""
    return _base("XDG_DATA_HOME", ".local/share") / ("data" if os.environ.get("GRADE_HOME") else "")


def cache_dir() -> Path:
    """Disposable caches (the validated rubric, compiled templates, LLM responses)."""
    return _base("XDG_CACHE_HOME", ".cache") / ("cache" if os.environ.get("GRADE_HOME") else "")


def private_cache(name: str) -> Path | None:
    """cache_dir()/name, created 0700 (with any missing parent) and made private if it already
    existed; None when it cannot be had: no home, an unwritable or foreign folder. A cache folder
    another user could write would let them change grades, or (the template cache holds compiled
    code) run code as this user."""
    try:
        folder = cache_dir() / name
    except NoHome:
        return None
    try:
        missing = []
        for p in (folder, *folder.parents):
            if p.exists():
                break
            missing.append(p)
        for p in reversed(missing):
            p.mkdir(mode=0o700, exist_ok=True)
        return folder if _private(folder) else None
    except OSError:
        return None


def _private(folder: Path) -> bool:
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "geteuid") and st.st_uid != os.geteuid()):
        return False
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(folder, 0o700)  # an older grade made it 0755
    return stat.S_IMODE(os.lstat(folder).st_mode) & 0o077 == 0
