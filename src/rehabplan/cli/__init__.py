"""The command line: parse what was typed, call the pipeline, turn problems into one clear line.

Each command lives in the module named for its group; importing them registers them on ``app``.
"""

from __future__ import annotations

import gc

# What importing the commands makes (modules, classes, the data models) lives as long as the
# process: no garbage collection while they load (it would find nothing to free), and left out
# of the collector's later walks (together about 15 ms of every command's start).
_collecting = gc.isenabled()
gc.disable()
try:
    from . import data_commands, log_commands, plan_commands
    from .base import app, flag
finally:
    gc.freeze()
    if _collecting:
        gc.enable()

__all__ = ["app", "flag", "main"]
_COMMANDS = (plan_commands, data_commands, log_commands)


def main() -> None:
    """Console-script entry point."""
    # A command makes many short-lived objects, and soon ends: collect less often.
    gc.set_threshold(50_000, 20, 100)
    try:
        app()
    finally:
        # The command is done. Python's last garbage collections at exit would walk every object
        # it made (the clinical data, the laid-out pages) only to free memory the system takes
        # back anyway: about 50 ms of a `make`. Frozen objects are left out of those walks.
        gc.freeze()
