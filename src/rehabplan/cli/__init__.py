"""The command line: parse what was typed, call the pipeline, turn problems into one clear line.

Each command lives in the module named for its group; importing them registers them on ``app``.
"""

from __future__ import annotations

from . import data_commands, log_commands, plan_commands
from .base import app, flag

__all__ = ["app", "flag", "main"]
_COMMANDS = (plan_commands, data_commands, log_commands)


def main() -> None:
    """Console-script entry point."""
    app()
