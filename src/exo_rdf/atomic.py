"""Replacing a whole folder (``dist/``, ``instances/``) in one atomic step, surviving ``kill -9``.

:func:`replace_folder` writes the new version into a temporary sibling folder ``.NAME-new-XXXX``,
flushes it, and then switches it with the live folder in **one** ``renameat2(RENAME_EXCHANGE)`` system
call (Linux 3.15+): at every instant ``NAME`` is either the complete previous version or the complete
new one. The swapped-out old version, now under the temporary name, is deleted afterwards. Where the
exchange is not available the fall-back is two renames through ``.NAME-old``; a run killed between
them leaves ``NAME`` missing and ``.NAME-old`` complete, which the next run (or any caller of
:func:`recover_folder`) renames back first.

Leftovers of killed runs (``.NAME-new-*`` folders) are removed at the start of the next run, under a
lock on the parent folder so that two runs never delete each other's work. ``EXO_RDF_FAULT=LABEL:N``
kills the process (SIGKILL) at the N-th write step of the switch labelled LABEL: the tests use it to
prove that every step is safe.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["fault_point", "recover_folder", "replace_folder"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_steps: dict[str, int] = {}


def fault_point(label: str) -> None:
    """Count one write step of ``label``; SIGKILL this process when ``EXO_RDF_FAULT`` names it."""
    wanted = os.environ.get("EXO_RDF_FAULT")
    if not wanted:
        return
    _steps[label] = _steps.get(label, 0) + 1
    if wanted == f"{label}:{_steps[label]}":
        os.kill(os.getpid(), signal.SIGKILL)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (both must exist); False when the system cannot do it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    return False


def _fsync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """An exclusive lock on the parent folder itself (no lock file to leave behind)."""
    import fcntl

    fd = os.open(target.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def recover_folder(target: Path) -> None:
    """Undo what a killed switch left: restore ``.NAME-old`` when NAME is missing, delete temporaries."""
    target = Path(target)
    old = target.with_name(f".{target.name}-old")
    if not target.exists() and old.is_dir():
        old.rename(target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    for leftover in target.parent.glob(f".{target.name}-new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def replace_folder(target: Path, fill: Callable[[Path], None], label: str) -> Path:
    """Make ``target`` the folder that ``fill(folder)`` writes, in one atomic switch (see the module text).

    ``fill`` receives an empty folder next to ``target``; if it raises, ``target`` is untouched and the
    temporary folder is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        recover_folder(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
        try:
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; these folders are for publishing
            fill(tmp)
            fault_point(label)
            _fsync_tree(tmp)
            fault_point(label)
            if not target.exists():
                tmp.rename(target)
            elif _exchange(tmp, target):
                fault_point(label)
                # tmp now holds the previous version
            else:
                old = target.with_name(f".{target.name}-old")
                target.rename(old)
                fault_point(label)
                tmp.rename(target)
                tmp = old
            _fsync_dir(target.parent)
            fault_point(label)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        shutil.rmtree(tmp, ignore_errors=True)
        fault_point(label)
    return target
