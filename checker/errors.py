"""Exceptions for program and configuration problems.

Problems in a unit's workbook are never raised: they become findings in a report. These exceptions
are for when ntvt cannot go on at all (a broken rules file, an unwritable output, a bug).
"""

from __future__ import annotations


class CheckerError(Exception):
    """Base class: the command cannot proceed (exit code 2)."""


class RuleFileError(CheckerError):
    """The rules file is malformed; names the file, the place and the problem."""

    def __init__(self, path: object, where: str, problem: str, line: int | None = None):
        self.path, self.where, self.problem, self.line = path, where, problem, line
        at = f"{path}" + (f":{line}" if line else "")
        super().__init__(f"{at}: {where}: {problem}" if where else f"{at}: {problem}")


class OutputError(CheckerError):
    """The output cannot be written where asked (e.g. it would overwrite an input)."""
