"""What a re-plan changed and why, in a few plain lines (the terminal, the booklet, the web page)."""

from __future__ import annotations

from ..planning.plan import Change, ChangeKind, Plan
from . import formats as fmt


def _step(stage: str | None) -> str:
    return f"step {stage.upper()}" if stage else "the same step"


def change_line(plan: Plan, c: Change) -> str:
    """One change as a sentence."""
    day = fmt.weekday_date(c.date)
    unit = plan.unit.value
    if c.kind == ChangeKind.HELD:
        if c.stage_from:
            return f"{day} was an amber day: {_step(c.stage_from)} of the ladder is repeated before moving up."
        return (
            f"{day} was an amber day: next week stays at {fmt.distance(c.distance_to or 0, unit)} instead of building."
        )
    if c.kind == ChangeKind.STEPPED_BACK:
        if c.stage_from:
            return (
                f"{day} was a red day: two rest days, then the ladder goes back from "
                f"{_step(c.stage_from)} to {_step(c.stage_to)}."
            )
        return (
            f"{day} was a red day: two rest days, then a week of "
            f"{fmt.distance(c.distance_to or 0, unit)} before building again."
        )
    if c.kind == ChangeKind.CLINICIAN:
        return (
            f"{day}: two red days within two weeks. See a physiotherapist or doctor before the plan moves "
            "on; until you log that you were cleared, the plan holds where you are."
        )
    if c.kind == ChangeKind.WARNING_SIGN:
        return (
            f"{day}: a warning sign. Stop running and see a doctor or physiotherapist (the booklet's first "
            "page says how soon). Running is paused for a week, and the plan holds until you log that you "
            "were cleared."
        )
    if c.kind == ChangeKind.CLEARED:
        return f"{day}: a clinician cleared you, so the plan moves on again."
    if c.kind == ChangeKind.MOVED_ON:
        if c.stage_to:
            return f"{day}: green throughout with the checks met, so the ladder moves on to its last step."
        name = plan.phase(c.phase).name if c.phase and any(p.id == c.phase for p in plan.phases) else "the phase"
        return f"{day}: green throughout with the checks met, so {name} ends early."
    if c.kind == ChangeKind.MISSED:
        return f"Missed sessions (the last on {day}) are not counted as done; the plan goes on from what you did."
    return f"The plan is now {c.weeks_to} weeks long (it was {c.weeks_from})."


def changes(plan: Plan) -> tuple[str, ...]:
    """Every change of the plan's latest revision, as sentences."""
    return tuple(change_line(plan, c) for c in plan.revision.changes)
