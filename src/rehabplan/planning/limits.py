"""The defaults and bounds of a plan request, written once.

The request model (``request.py``) is built from them, and the command line's help, the roster
and the web form read them from here (this module imports nothing, so ``--help`` stays fast).
"""

from __future__ import annotations

from typing import NamedTuple


class Bound(NamedTuple):
    default: int
    lo: int
    hi: int
    what: str  # what the number counts, in a few words, for help texts and error messages


UNITS = ("mi", "km")
DEFAULT_UNITS = "mi"
WEEKS_OFF = Bound(0, 0, 104, "weeks already off running")
RUN_DAYS = Bound(4, 3, 6, "run days a week once rebuilt")
CAN_RUN = Bound(0, 0, 240, "minutes you can run now before the knee hurts")
#: Easy pace limits in minutes per unit (a walk is slower, a race faster).
PACE_LIMITS: dict[str, tuple[float, float]] = {"mi": (4.0, 25.0), "km": (2.5, 16.0)}
#: The longest name, club or contact line printed on a cover.
MAX_LABEL = 200
#: Plans made at the same time by a batch.
JOBS = Bound(0, 1, 64, "the number of plans made at the same time")
