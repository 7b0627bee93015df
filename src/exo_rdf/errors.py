"""Errors that the command line reports as a plain message with exit code 2 (never a traceback)."""

from __future__ import annotations

__all__ = [
    "ExoError",
    "InputError",
]


class ExoError(Exception):
    """A usage or input problem the user can fix; the message says where and what to change."""

    exit_code = 2


class InputError(ExoError):
    """A source file cannot be read or parsed. Carries the file and, where known, the line."""

    def __init__(self, path: object, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
