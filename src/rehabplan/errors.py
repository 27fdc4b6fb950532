"""Errors a person can act on. Each says what is wrong and what is accepted, in one line.

An :class:`InputError` is about one input field (``mileage``, ``start``, ...). Its message
names the field through a ``{field}`` placeholder, so each caller words it its own way: the
command line as ``--mileage``, a roster as the ``mileage`` column, the web form next to the field.
"""

from __future__ import annotations

from collections.abc import Callable


class RehabplanError(Exception):
    """A problem the user can fix; the message says what is wrong and what is accepted.

    ``field`` is the input it is about, if any; the message names it as ``{field}``.
    """

    exit_code = 1

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        self.template = message
        super().__init__(self.worded())

    def worded(self, name: Callable[[str], str] | None = None) -> str:
        """The message with the field named as the caller names it (default: the field's own name)."""
        if self.field is None:
            return self.template
        return self.template.replace("{field}", name(self.field) if name else self.field)


class InputError(RehabplanError):
    """An invalid value for one input field (exit code 2)."""

    exit_code = 2


class DataError(RehabplanError):
    """One or more problems in the clinical data files, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class PlanningError(RehabplanError):
    """The request cannot be turned into a safe plan."""


def quoted(text: str, limit: int = 60) -> str:
    """A typed value quoted for an error message, shortened when it is very long."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[: limit - 1]) + f"… ({len(text)} characters)"
