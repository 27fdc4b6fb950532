"""The command line: parse what was typed, call the pipeline, turn problems into one clear line.

Each command lives in the module named for its group; importing them registers them on ``app``.
"""

from __future__ import annotations

import gc

from . import data_commands, log_commands, plan_commands
from .base import app, flag

__all__ = ["app", "flag", "main"]
_COMMANDS = (plan_commands, data_commands, log_commands)


def main() -> None:
    """Console-script entry point."""
    # What was imported lives until the end: leave it out of the garbage collector's walks, and
    # walk less often (a command makes many short-lived objects, and soon ends).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        app()
    finally:
        # The command is done. Python's last garbage collections at exit would walk every object
        # it made (the clinical data, the laid-out pages) only to free memory the system takes
        # back anyway: about 50 ms of a `make`. Frozen objects are left out of those walks.
        gc.freeze()
