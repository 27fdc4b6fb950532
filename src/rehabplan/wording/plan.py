"""A plan's own words: its title and its notes."""

from __future__ import annotations

from ..planning.plan import LongPlanNote, Note, Plan
from . import formats as fmt


def title(plan: Plan) -> str:
    """'Knee rehab plan: IT band syndrome for Sam Lee'."""
    text = f"Knee rehab plan: {plan.info.name}"
    if plan.athlete:
        text += f" for {plan.athlete}"
    return text


def note(plan: Plan, n: Note) -> str:
    """A note in one or two sentences."""
    assert isinstance(n, LongPlanNote)
    line = f"This plan runs {n.weeks} weeks, longer than {n.limit}: have a clinician review it"
    if n.interim is not None:
        line += (
            f", or aim first for {fmt.distance(n.interim, plan.unit.value)} a week, which this plan reaches "
            f"within {n.limit} weeks."
        )
    else:
        line += "."
    return line


def notes(plan: Plan) -> tuple[str, ...]:
    """Every note of the plan, worded."""
    return tuple(note(plan, n) for n in plan.notes)


def why_this_long(plan: Plan) -> str:
    """The plan's length explained in one line: each part, and the build's start and end."""
    weeks = plan.weeks
    target = plan.target_weekly_distance
    reached = next((i for i, w in enumerate(weeks) if w.ramp_week and w.run_distance >= target), len(weeks) - 1)
    paused = sum(1 for w in weeks if not w.running_allowed)
    ladder = sum(1 for w in weeks if w.running_allowed and not w.ramp_week)
    building = [w for w in weeks[: reached + 1] if w.ramp_week]
    held = len(weeks) - reached - 1
    parts = []
    if paused:
        parts.append(f"{_weeks(paused)} to settle and strengthen without running")
    if ladder:
        parts.append(f"{_weeks(ladder)} of walk/run")
    if building:
        first = fmt.distance(building[0].run_distance, plan.unit.value)
        parts.append(
            f"{_weeks(len(building))} building from {first} to {fmt.distance(target, plan.unit.value)} "
            "by no more than 10% a week, every 4th week flat"
        )
    if held:
        parts.append(f"{_weeks(held)} holding it")
    return f"Why {_weeks(len(weeks))}: " + ", ".join(parts) + "."


def _weeks(n: int) -> str:
    return f"{n} week" if n == 1 else f"{n} weeks"
