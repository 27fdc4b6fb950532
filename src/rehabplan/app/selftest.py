"""check-data's self-test: data that passes the checks must also plan, for any runner.

A grid of requests (every protocol, both units, the smallest to the largest mileage, slow and fast
runners, resting or still running) is planned with the data; each plan must build, never exceed
the usual mileage, end at it, and grow by no more than the weekly cap. A clinic learns here, not
from a runner, that its numbers cannot be planned.
"""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

from ..catalog import Catalog
from ..errors import RehabplanError
from ..planning import Plan, PlanRequest, build_plan
from ..planning.limits import PACE_LIMITS

START = dt.date(2027, 3, 1)
# (can run now in minutes, weeks off, run days, pace: None = usual, "slow" or "fast")
_RUNNERS = ((0, 0, 4, None), (30, 8, 3, "slow"), (10, 2, 6, "fast"))


def _mileages(catalog: Catalog, unit: str) -> list[float]:
    least, top = catalog.ramp.ramp.mileage_limits(unit)
    middle = 30.0 if unit == "mi" else 50.0
    return sorted({least, round(least + 0.1, 1), min(max(middle, least), top), top})


def self_test(catalog: Catalog) -> list[str]:
    """One line per request the data cannot plan safely (empty when all is well)."""
    problems: list[str] = []
    cap = Fraction(repr(catalog.ramp.ramp.weekly_cap))
    for protocol in catalog.protocols.values():
        for unit in ("mi", "km"):
            lo, hi = PACE_LIMITS[unit]
            for mileage in _mileages(catalog, unit):
                for can_run, weeks_off, run_days, pace in _RUNNERS:
                    per_unit = {None: None, "slow": hi, "fast": lo}[pace]
                    what = (
                        f"self-test: {protocol.id} at {mileage:g} {unit} a week "
                        f"(can run {can_run} min, {weeks_off} weeks off, {run_days} run days"
                        + (f", pace {per_unit:g} min/{unit}" if per_unit else "")
                        + ")"
                    )
                    request = PlanRequest(
                        condition=protocol.condition,
                        site=protocol.site,
                        mileage=mileage,
                        units=unit,
                        start=START,
                        weeks_off=weeks_off,
                        run_days=run_days,
                        can_run=can_run,
                        pace_min_per_unit=per_unit,
                    )
                    try:
                        plan = build_plan(request, catalog)
                    except RehabplanError as exc:
                        problems.append(f"{what}: {exc}")
                        continue
                    except Exception as exc:  # the data broke the planner: say so in one line
                        problems.append(f"{what}: the planner failed ({type(exc).__name__}: {exc})")
                        continue
                    problems += _check(plan, what, cap)
    return problems


def _check(plan: Plan, what: str, cap: Fraction) -> list[str]:
    target = Fraction(repr(plan.target_weekly_distance))
    weeks = [Fraction(repr(w.run_distance)) for w in plan.weeks]
    out = []
    if max(weeks) > target:
        out.append(f"{what}: a week runs more than the usual mileage")
    if weeks[-1] != target:
        out.append(f"{what}: the plan does not end at the usual mileage")
    ramp = [i for i, w in enumerate(plan.weeks) if w.ramp_week]
    for a, b in itertools.pairwise(ramp):
        if b == a + 1 and weeks[a] > 0 and weeks[b] > weeks[a] * cap:
            out.append(f"{what}: week {b + 1} grows by more than the weekly cap")
            break
    return out
