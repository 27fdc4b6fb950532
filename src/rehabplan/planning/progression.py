"""Small pure rules of the running ramp, in integer hundredths of the plan's unit.

Distances are whole hundredths (0.01 mi or 0.01 km) so rounding is exact and testable. The
factors (1.10, 0.60, ...) always come from the catalog; they are turned into exact fractions here.
"""

from __future__ import annotations

import functools
from fractions import Fraction

#: Hundredths in one unit, and in the coarse rounding step (0.1 of the unit).
PER_UNIT = 100
STEP = 10


@functools.lru_cache(maxsize=4096)
def exact(value: float) -> Fraction:
    """The decimal a data file wrote (1.10 -> 11/10), not the nearest binary float (the same
    few factors and paces are asked for over and over, so answers are kept)."""
    return Fraction(repr(value))


def to_hundredths(distance: float) -> int:
    """A distance in the unit, as whole hundredths (nearest)."""
    return int((exact(distance) * PER_UNIT).__round__())


def from_hundredths(h: int) -> float:
    """Whole hundredths back to a float with at most two decimals."""
    return round(h / PER_UNIT, 2)


def scale_down(h: int, factor: float) -> int:
    """factor x h, rounded down to a whole hundredth."""
    f = exact(factor)
    return (h * f.numerator) // f.denominator


def floor_step(h: int, step: int = STEP) -> int:
    """Round down to a multiple of step hundredths."""
    return (h // step) * step


def weekly_cap(prev_h: int, cap: float) -> int:
    """Most a week may hold after a week of prev_h: cap x prev, rounded down to 0.1 of the unit.

    From a week of one unit up, the ramp always moves (10% of it is at least 0.1).
    """
    return floor_step(scale_down(prev_h, cap))


def restart_cap(target_h: int, fraction: float) -> int:
    """Most the first week may hold when running restarts without a ladder (in 0.1 steps)."""
    return floor_step(scale_down(target_h, fraction))


def run_cap(longest_h: int, cap: float) -> int:
    """Longest run allowed after a longest run of longest_h in the window."""
    return scale_down(longest_h, cap)


def split_week(total_h: int, days: int, cap_h: int | None) -> list[int] | None:
    """Split a week's distance into `days` runs, as even as possible, each at most cap_h.

    Runs are multiples of 0.1 of the unit (so is the cap they are held to); the larger shares go
    to the last runs. None if they cannot fit under the cap.
    """
    if days <= 0:
        return None
    runs = _even(total_h, days, STEP)
    if cap_h is not None and max(runs) > floor_step(cap_h):
        return None
    return runs


def _even(total_h: int, days: int, step: int) -> list[int]:
    """total_h in `days` shares of whole steps, as even as possible, the larger ones last."""
    base, extra = divmod(total_h // step, days)
    return [(base + (1 if i >= days - extra else 0)) * step for i in range(days)]


def equal_split(total_h: int, days: int) -> int:
    """Length of each of `days` equal runs that fit into total_h (0.1 steps when possible)."""
    return floor_step(total_h // days)


def split_runs(total_h: int, k: int, cap_h: int | None, long_goal: int | None) -> list[int]:
    """A week's running as k runs, none above cap_h, adding up to total_h where the cap allows.

    Without a long run the runs are as even as possible (in 0.1 steps when the week is), the
    larger shares last; when the cap keeps every run short, the week is what k capped runs hold.
    With a long run, the last run is the long run: strictly longer than each of the others and
    as close to `long_goal` as the cap allows. When the cap keeps it from standing out (it grows
    by at most 10% on the longest run of the last 30 days), the week stays even and the long run
    comes a week or two later.
    """
    even = split_week(total_h, k, cap_h)
    if even is None:
        assert cap_h is not None
        even = split_week(k * floor_step(cap_h), k, cap_h) or [floor_step(cap_h)] * k
    if k <= 1 or long_goal is None:
        return even
    total_h = sum(even)
    long_h = max(long_goal, max(even) + STEP)
    if cap_h is not None:
        long_h = min(long_h, floor_step(cap_h))
    long_h = min(long_h, total_h)
    if long_h <= max(even):
        return even
    return [*_even(total_h - long_h, k - 1, STEP), long_h]
