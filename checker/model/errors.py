"""Exceptions for program and configuration problems.

Problems in a unit's workbook are never raised: they become findings in a report. These exceptions
are for when ntvt cannot go on at all (a broken rules file, an unwritable output, a bug).

`str(exc)` is the English detail, for logs and whoever maintains ntvt. `exc.message`, when set, is
the Vietnamese line for the person at the keyboard: what went wrong and what to do.
"""

from __future__ import annotations


class CheckerError(Exception):
    """Base class: the command cannot proceed (exit code 2)."""

    def __init__(self, detail: str = "", *, message: str | None = None):
        super().__init__(detail)
        self.message = message

    def __reduce__(self):
        # Rebuilt with its Vietnamese message when it crosses processes (the default passes args only).
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(kind, args, state):
    exc = Exception.__new__(kind)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class RuleFileError(CheckerError):
    """The rules file is malformed; names the file, the place and the problem."""

    def __init__(self, path: object, where: str, problem: str, line: int | None = None):
        self.path, self.where, self.problem, self.line = path, where, problem, line
        at = f"{path}" + (f":{line}" if line else "")
        super().__init__(f"{at}: {where}: {problem}" if where else f"{at}: {problem}")


class OutputError(CheckerError):
    """The output cannot be written where asked (it would overwrite an input, the disk is full…)."""
