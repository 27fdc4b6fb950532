"""Errors the CLI turns into one clear line on stderr."""

from __future__ import annotations


class RehabplanError(Exception):
    """A problem the user can fix; the message says what is wrong and what is accepted."""

    exit_code = 1


class InputError(RehabplanError):
    """An invalid option or value (exit code 2)."""

    exit_code = 2


class DataError(RehabplanError):
    """One or more problems in the clinical data files, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class PlanningError(RehabplanError):
    """The request cannot be turned into a safe plan."""
