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

    Where the step (cap - 1) x prev is under 0.1 of the unit, round down to 0.01 instead so a
    small ramp keeps moving.
    """
    raw = scale_down(prev_h, cap)
    if raw - prev_h < STEP:
        return raw
    return floor_step(raw)


def floor_step_from_one(h: int) -> int:
    """Round down to 0.1 of the unit from one whole unit up; below that, keep the hundredths."""
    return floor_step(h) if h >= PER_UNIT else h


def restart_cap(target_h: int, fraction: float) -> int:
    """Most the first week may hold when running restarts without a ladder."""
    return floor_step_from_one(scale_down(target_h, fraction))


def run_cap(longest_h: int, cap: float) -> int:
    """Longest run allowed after a longest run of longest_h in the window."""
    return scale_down(longest_h, cap)


def split_week(total_h: int, days: int, cap_h: int | None) -> list[int] | None:
    """Split a week's distance into `days` runs, as even as possible, each at most cap_h.

    Runs are multiples of 0.1 of the unit when the week is (the cap then counts in 0.1 steps
    too); the larger shares go to the last runs. None if they cannot fit under the cap.
    """
    if days <= 0:
        return None
    step = step_for(total_h, days)
    runs = _even(total_h, days, step)
    if cap_h is not None and max(runs) > cap_h // step * step:
        return None
    return runs


def step_for(total_h: int, runs: int) -> int:
    """The step runs are counted in: 0.1 of the unit once each run is about a whole unit or more
    (and the week is in 0.1 steps), else 0.01, so that short runs can still grow by 10%."""
    return STEP if total_h % STEP == 0 and total_h >= runs * PER_UNIT else 1


def _even(total_h: int, days: int, step: int) -> list[int]:
    """total_h in `days` shares of whole steps, as even as possible, the larger ones last."""
    base, extra = divmod(total_h // step, days)
    return [(base + (1 if i >= days - extra else 0)) * step for i in range(days)]


def equal_split(total_h: int, days: int) -> int:
    """Length of each of `days` equal runs that fit into total_h (0.1 steps when possible)."""
    each = total_h // days
    return floor_step(each) if each >= STEP else each


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
        step = step_for(total_h, k)
        even = split_week(k * (cap_h // step * step), k, cap_h) or [cap_h] * k
    if k <= 1 or long_goal is None:
        return even
    total_h = sum(even)
    step = step_for(total_h, k)
    long_h = max(long_goal, max(even) + step)
    if cap_h is not None:
        long_h = min(long_h, cap_h // step * step)
    long_h = min(long_h, total_h)
    if long_h <= max(even):
        return even
    return [*_even(total_h - long_h, k - 1, step), long_h]
