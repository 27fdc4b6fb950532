"""Typed sessions into words: a title, the lines that say what to do, a checklist and after-care.

Every output (plan JSON, booklet, summary, calendar, terminal) words a session through
:func:`word`, so a session reads the same everywhere. The clinical sentences come from the plan's
data (``plan.guidance.session_text``, the phases, the condition); this module chooses and fills
them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..catalog.models import Target
from ..planning.plan import Plan
from ..planning.sessions import (
    CheckInSession,
    CheckKind,
    CrossTrainingSession,
    HeatSession,
    IceSession,
    Intensity,
    RestSession,
    RunSession,
    Session,
    SessionKind,
    StrengthSession,
    WalkRunSession,
)
from . import formats as fmt


@dataclass(frozen=True)
class Worded:
    """A session in words.

    ``details`` are the session's own lines; ``safety`` names the safety card whose rules apply
    (their lines are ``safety_lines``), and ``pain_rule`` says whether the condition's pain rule
    goes with the session (it is not set where the rule already is the checklist), so a renderer
    can print a card or a pointer to it without matching any text.
    """

    title: str
    details: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()
    aftercare: str | None = None
    safety: Literal["ice", "heat"] | None = None
    safety_lines: tuple[str, ...] = ()
    pain_rule: bool = False

    @property
    def all_details(self) -> tuple[str, ...]:
        """The session's lines followed by its safety rules (what the plan JSON carries)."""
        return (*self.details, *self.safety_lines)


#: The longest title: what a phone shows of a calendar event.
TITLE_MAX = 40

#: Short names of the session kinds (grid labels, log lines, calendar categories in words).
KIND_LABEL = {
    SessionKind.RUN: "Run",
    SessionKind.WALK_RUN: "Walk/run",
    SessionKind.STRENGTH: "Strength",
    SessionKind.ICE: "Ice",
    SessionKind.HEAT: "Heat",
    SessionKind.CROSS_TRAINING: "Cross-training",
    SessionKind.CHECK_IN: "Check-in",
    SessionKind.REST: "Rest",
}

#: Short names of the check-ins (booklet grid, terminal table).
CHECK_LABEL = {
    CheckKind.READINESS: "Ready-to-run tests",
    CheckKind.LOAD_TEST: "Tendon load test",
    CheckKind.CLINICIAN: "See a clinician",
    CheckKind.MORNING_AFTER: "Morning pain check",
    CheckKind.PHASE_EXIT: "End-of-phase check",
    CheckKind.NO_IMPROVEMENT: "Progress check",
    CheckKind.REFERRAL: "Review check",
}

_TARGET_WORD = {Target.CORE: "core", Target.HIP: "hip", Target.KNEE: "knee", Target.STRETCH: "stretches"}


def _fill(template: str, minutes: int) -> str:
    return template.replace("{minutes}", str(minutes))


def exit_criteria(plan: Plan, phase_id: str) -> tuple[str, ...]:
    """A phase's exit criteria, with this plan's numbers filled in (e.g. the ladder's session length)."""
    steps = plan.guidance.ladder_steps
    minutes = str(steps[-1].minutes) if steps else "30"
    return tuple(c.replace("{session_minutes}", minutes) for c in plan.phase(phase_id).exit_criteria)


def pain_rule_lines(plan: Plan) -> tuple[str, str, str]:
    """The condition's traffic-light rule as three lines."""
    rule = plan.guidance.pain_rule
    return (f"Green: {rule.green}", f"Amber: {rule.amber}", f"Red: {rule.red}")


def targets_title(targets: tuple[Target, ...]) -> str:
    """'Strength: hip, core & stretches'."""
    named = [_TARGET_WORD[t] for t in targets]
    if not named:
        return "Strength"
    if len(named) == 1:
        return f"Strength: {named[0]}"
    return "Strength: " + ", ".join(named[:-1]) + " & " + named[-1]


def strength_routine(letter: str) -> str:
    """A strength routine's name in the booklet: 'Strength A' (or 'Strength' when there is one)."""
    return f"Strength {letter}".strip()


def _ice_after(plan: Plan, minutes: int | None) -> str | None:
    return _fill(plan.guidance.session_text.ice_after, minutes) if minutes else None


def _run(plan: Plan, s: RunSession) -> Worded:
    text = plan.guidance.session_text
    dist = fmt.distance(s.run_distance, plan.unit.value)
    lines = [text.run_warm_up]
    if s.intensity == Intensity.STRIDES:
        title = f"Run {dist} with strides"
        lines.append(text.strides)
    elif s.intensity == Intensity.HILLS:
        title = f"Run {dist} with hills"
        lines.append(text.hills)
    else:
        title = f"Long run {dist} easy" if s.long_run else f"Run {dist} easy"
    if s.long_run:
        lines.append(text.longer_run)
    return Worded(title, tuple(lines), aftercare=_ice_after(plan, s.ice_after), pain_rule=True)


def _walk_run(plan: Plan, s: WalkRunSession) -> Worded:
    text = plan.guidance.session_text
    run, walk = fmt.number(s.run_min), fmt.number(s.walk_min)
    total_run = fmt.number(s.run_min * s.reps)
    if s.walk_min == 0 and s.run_min * s.reps >= s.minutes:
        title = f"Easy run {total_run} min"
        plan_line = f"Stage {s.stage.upper()}: run {total_run} min without stopping"
    elif s.walk_min == 0:
        title = f"Run {total_run} min, walk to {s.minutes} min"
        plan_line = f"Stage {s.stage.upper()}: run {total_run} min without stopping"
    else:
        title = f"Walk/run {run}:{walk} ×{s.reps} · {s.minutes} min"
        times = "once" if s.reps == 1 else f"{s.reps} times"
        plan_line = f"Stage {s.stage.upper()}: run {run} min, walk {walk} min, {times}"
    if s.run_min * s.reps + s.walk_min * s.reps < s.minutes:
        plan_line += f"; walk briskly to make {s.minutes} min on your feet."
    else:
        plan_line += "."
    lines = [text.ladder_warm_up, plan_line, text.ladder_ground]
    note = next((st.note for st in plan.guidance.ladder_steps if st.id == s.stage), None)
    if note:
        lines.append(note)
    return Worded(title, tuple(lines), aftercare=_ice_after(plan, s.ice_after), pain_rule=True)


def _strength(plan: Plan, s: StrengthSession) -> Worded:
    text = plan.guidance.session_text
    lines = []
    if s.heat_before:
        lines.append(_fill(text.heat_before_strength, s.heat_before))
    lines.append(text.strength_rule)
    return Worded(strength_title(s.targets, s.minutes), tuple(lines), aftercare=_ice_after(plan, s.ice_after))


def strength_title(targets: tuple[Target, ...], minutes: int) -> str:
    """'Strength: hip, core & stretches · 25 min', or 'Strength · 25 min' where that is too long."""
    title = f"{targets_title(targets)} · {fmt.minutes(minutes)}"
    return title if len(title) <= TITLE_MAX else f"Strength · {fmt.minutes(minutes)}"


def _check_in(plan: Plan, s: CheckInSession) -> Worded:
    g = plan.guidance
    referrals = tuple(plan.info.referrals[i] for i in s.referrals)
    if s.check == CheckKind.NO_IMPROVEMENT:
        return Worded("Check-in: is it getting better?", checklist=(g.no_improvement, *referrals), pain_rule=True)
    if s.check == CheckKind.REFERRAL:
        return Worded("Check-in: time for a review?", checklist=referrals, pain_rule=True)
    if s.check == CheckKind.CLINICIAN:
        return Worded(
            "See a clinician before going on",
            (
                "Two red days within two weeks, or a warning sign, mean a physiotherapist or doctor should "
                "see your knee before the plan moves on. Book it now and take your log with you.",
                "Until then, keep to the step you are on. Once you have been cleared, log it (rehabplan "
                "checkin --cleared) and re-plan.",
            ),
            checklist=("A clinician has seen your knee.", "They cleared you to go on with the plan."),
            pain_rule=True,
        )
    if s.check == CheckKind.PHASE_EXIT:
        phase = plan.phase(s.phase or "")
        number = [p.id for p in plan.phases].index(phase.id) + 1
        long = f"Check-in: end of {phase.name}"
        return Worded(
            long if len(long) <= TITLE_MAX else f"Check-in: end of phase {number}",
            (g.session_text.phase_exit,),
            checklist=exit_criteria(plan, phase.id),
            pain_rule=True,
        )
    if s.check == CheckKind.LOAD_TEST:
        test = g.load_test
        assert test is not None
        return Worded(
            "Check-in: tendon load test",
            (test.how,),
            checklist=(f"Pain {test.pain_max}/10 or less, and no higher than last week.",),
            pain_rule=True,
        )
    if s.check == CheckKind.READINESS:
        checklist = [f"{t.name}: {t.standard}" for t in g.readiness_tests if t.id in s.tests]
        checklist.append(f"Pain during the tests at most {g.readiness_pain_max}/10.")
        if g.readiness_note:
            checklist.append(g.readiness_note)
        return Worded(
            "Check-in: ready to run?", (g.session_text.readiness_intro,), checklist=tuple(checklist), pain_rule=True
        )
    # the pain rule is this check-in's checklist: it is not printed a second time beside it
    return Worded("Check-in: next-morning pain check", (g.session_text.morning_after,), checklist=pain_rule_lines(plan))


def word(plan: Plan, s: Session) -> Worded:
    """The words for one session of ``plan``."""
    g = plan.guidance
    if isinstance(s, RunSession):
        return _run(plan, s)
    if isinstance(s, WalkRunSession):
        return _walk_run(plan, s)
    if isinstance(s, StrengthSession):
        return _strength(plan, s)
    if isinstance(s, CheckInSession):
        return _check_in(plan, s)
    if isinstance(s, IceSession):
        return Worded(f"Ice {fmt.minutes(s.minutes)}", (g.ice,), safety="ice", safety_lines=g.ice_safety)
    if isinstance(s, HeatSession):
        return Worded(f"Heat {fmt.minutes(s.minutes)}", (g.heat,), safety="heat", safety_lines=g.heat_safety)
    if isinstance(s, CrossTrainingSession):
        activity = plan.phase(s.phase).cross_training
        return Worded(f"Cross-training {fmt.minutes(s.minutes)}", (activity,) if activity else ())
    assert isinstance(s, RestSession)
    return Worded("Rest day", (g.session_text.rest_day,))


def short_label(plan: Plan, s: Session) -> str:
    """A session's name in a few words, for a grid cell (strength routines are lettered by the caller)."""
    if isinstance(s, CheckInSession):
        return CHECK_LABEL[s.check]
    if isinstance(s, RunSession):
        extra = f" with {s.intensity.value}" if s.intensity != Intensity.EASY else ""
        return f"Run {fmt.distance(s.run_distance, plan.unit.value)}{extra}"
    label = word(plan, s).title
    if isinstance(s, WalkRunSession) and s.run_distance > 0:
        label += f", about {fmt.distance(s.run_distance, plan.unit.value)}"
    return label
