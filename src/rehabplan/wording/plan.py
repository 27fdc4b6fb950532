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
