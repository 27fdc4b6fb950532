"""The calendar's own words: what each event says around the session's lines.

An event's description must carry everything the runner needs without the booklet (some
calendar apps drop reminders and attachments), so it adds to the session's words a line on
what to do, headed lists of exercises and checks, the pain rule and the lines on when to stop.
The calendar renderer decides which of these an event carries from the session's structure;
every phrase it prints comes from here.
"""

from __future__ import annotations

from ..planning.plan import Plan
from ..planning.sessions import (
    CrossTrainingSession,
    Intensity,
    PlannedExercise,
    RunSession,
    Session,
    StrengthSession,
    WalkRunSession,
)
from . import formats as fmt
from .plan import title as wording_title

#: Headings of the description's lists, and the mark before each item of the list.
EXERCISES_HEADING = "Exercises:"
EXERCISE_MARK = "- "
CHECKLIST_HEADING = "Checklist:"
CHECKLIST_MARK = "☐ "
PAIN_RULE_HEADING = "Pain rule (0-10 scale):"


def what_to_do(plan: Plan, s: Session) -> tuple[str, ...]:
    """The session in one or two plain lines: distance, intervals or length."""
    unit = plan.unit.value
    length = s.minutes if s.minutes > 0 else None
    if isinstance(s, RunSession):
        how = {Intensity.STRIDES: ", easy, with strides", Intensity.HILLS: ", easy, with hills"}.get(
            s.intensity, " at an easy pace"
        )
        return (f"Run {fmt.distance(s.run_distance, unit)}{how}: about {s.minutes} min.",)
    if isinstance(s, WalkRunSession):
        if s.walk_min:
            line = f"Walk/run: {s.reps} × (run {fmt.minutes(s.run_min)}, walk {fmt.minutes(s.walk_min)})"
        else:
            reps = f", {s.reps} times" if s.reps > 1 else ""
            line = f"Run {fmt.minutes(s.run_min)} without a walking break{reps}"
        lines = [f"{line}: {s.minutes} min on your feet in all."]
        if s.run_distance:
            lines.append(f"Running part: about {fmt.distance(s.run_distance, unit)}.")
        return tuple(lines)
    if isinstance(s, (StrengthSession, CrossTrainingSession)) and length:
        return (f"About {length} min.",)
    return ()


def exercise(e: PlannedExercise) -> str:
    """One exercise of a strength session with its dose: 'Clamshells: 3 × 15 each side'."""
    return f"{e.name}: {fmt.dose(e.dose)}"


def when_to_stop(plan: Plan) -> tuple[str, ...]:
    """The red-flag line every event carries, then the signs that end a session at once."""
    lines = [plan.guidance.calendar_line]
    if plan.guidance.absolute_stops:
        lines.append(f"Stop the session if: {' '.join(plan.guidance.absolute_stops)}")
    return tuple(lines)


def calendar_name(plan: Plan) -> str:
    """The calendar's name: the plan's title on one line, without commas or semicolons (some apps
    show those with the backslashes that escape them)."""
    title = " ".join(wording_title(plan).split())
    return " ".join(title.replace(",", " ").replace(";", " ").split())


def irregular_zone_note(zone: str) -> str:
    """Why a calendar is written in UTC times."""
    return (
        f"{zone} changes its clocks on no fixed yearly rule, so the calendar gives its times in UTC; "
        "calendar apps show them in your own time zone."
    )
