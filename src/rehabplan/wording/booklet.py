"""The booklet's and the summary sheet's own words: headings, labels, column heads and lead lines.

The clinical sentences come from the plan's data; these are the words around them. Where a line
mixes plain and bold (or italic) words it is given as :data:`Styled` pieces, so the renderer
chooses the markup and this module never writes any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..catalog.models import Equipment, KneeRegion, Running, Target
from ..planning.plan import ExerciseCard, LadderStep, PhaseSummary, Plan, Week
from ..planning.sessions import CheckInSession, CheckKind, Intensity, RunSession, Session, SessionKind, WalkRunSession
from . import formats as fmt
from .sessions import CHECK_LABEL, KIND_LABEL, word

#: Text in pieces, each plain (""), bold ("b") or italic ("i").
Styled = tuple[tuple[str, Literal["", "b", "i"]], ...]

# --------------------------------------------------------------------------- sections

STOP = "Stop and get help"
CONDITION = "Your condition"
GLANCE = "The plan at a glance"
HOW_TO_USE = "How to use the plan"
WEEKS = "Week by week"
EXERCISES = "Your exercises"
ICE_HEAT = "Ice and heat, safely"
MISTAKES = "Training mistakes to avoid"
RECOVERY = "Recovery basics"
LOG = "Pain and training log"
MEDICINES = "Medicines: a caution"
SOURCES = "Sources"
ABOUT = "About this plan"
#: The booklet's sections in print order (the cover's contents and the PDF outline list them).
SECTIONS = (
    STOP,
    CONDITION,
    GLANCE,
    HOW_TO_USE,
    WEEKS,
    EXERCISES,
    ICE_HEAT,
    MISTAKES,
    RECOVERY,
    LOG,
    MEDICINES,
    SOURCES,
    ABOUT,
)


def weeks(n: int) -> str:
    """'1 week', '20 weeks'."""
    return f"{n} week{'s' if n != 1 else ''}"


def goal(plan: Plan) -> str:
    """'back to 30 mi a week'."""
    return f"back to {fmt.distance(plan.target_weekly_distance, plan.unit.value)} a week"


def week_running(plan: Plan, w: Week) -> str:
    """A week's running in a few words: its distance, 'no running' or 'walk/run'."""
    if w.run_distance > 0:
        return fmt.distance(w.run_distance, plan.unit.value)
    return "walk/run" if w.running_allowed else "no running"


# --------------------------------------------------------------------------- cover

COVER_KICKER = "KNEE REHABILITATION PROGRAMME"
PREPARED_FOR = "PREPARED FOR"
CONTENTS = "INSIDE THIS BOOKLET"
READ_FIRST = f"Read “{STOP}” on the next page first."


def cover_facts(plan: Plan, coach: str | None, clinic: str | None, contact: str | None) -> tuple[tuple[str, str], ...]:
    """The cover's (label, value) rows; the caller passes None for a blank name or contact."""
    facts = [
        ("STARTS", fmt.date(plan.start)),
        ("ENDS", fmt.date(plan.end)),
        ("LENGTH", weeks(len(plan.weeks))),
        ("GOAL", goal(plan)),
    ]
    facts += [(label, value) for label, value in (("COACH", coach), ("CLINIC", clinic), ("CONTACT", contact)) if value]
    return tuple(facts)


# --------------------------------------------------------------------------- stop and get help, condition

STOP_LEAD = "Check this page before you start and whenever something changes."
WHEN_TO_SEE = "When to see a professional"
NOT_BETTER = "If it is not getting better"
WHERE_IT_HURTS = "Where it hurts"
CAUSES = "What causes it"
HOW_IT_HELPS = "How the plan fixes it"
TAKE_CARE = "Take care"
RUNNING_CHANGED = "Running, changed for now"


def also_watch_for(plan: Plan) -> str:
    """The heading of the condition's own red flags."""
    return f"Also watch for, with {plan.info.name}"


def review_date(check: CheckKind, d: dt.date) -> str:
    """'Your check-in date: Mon 8 Mar 2027' for the first-week check, 'Review point: ...' for the others."""
    if check is CheckKind.NO_IMPROVEMENT:
        return f"Your check-in date: {fmt.date(d)}"
    return f"Review point: {fmt.date(d)}"


def knee_views(region: KneeRegion) -> tuple[str, str, tuple[str, str], tuple[str, str]]:
    """The knee diagram's captions (front view, side view) and the words either side of each view."""
    side = "inner" if region is KneeRegion.INNER_SHIN else "outer"
    return "Front", f"Side, from the {side} side", ("outer", "inner"), ("back", "front")


# --------------------------------------------------------------------------- plan at a glance

PHASES = "Phases"
PHASE_HEAD = ("", "Phase", "Dates", "Running", "Goals", "Move on when")
RUNNING_LABEL = {
    Running.NONE: "No running",
    Running.LADDER: "Walk/run ladder",
    Running.RAMP: "Building up",
    Running.HOLD: "Holding steady",
}


def pain_rule_reminder(plan: Plan) -> str:
    """The green light of the pain rule, as a reminder under every run."""
    return f"Pain rule: {plan.guidance.pain_rule.green}"


KEPT_RUNNING = "Easy running kept, within the pain rule"


def running_label(plan: Plan, phase: PhaseSummary) -> str:
    """What running a phase holds in this plan: a phase that pauses running for most runners keeps
    it for one whose knee already allows easy running."""
    if phase.running is Running.NONE and any(
        s.kind in (SessionKind.RUN, SessionKind.WALK_RUN) for w in plan.weeks if w.phase == phase.id for s in w.sessions
    ):
        return KEPT_RUNNING
    return RUNNING_LABEL[phase.running]


CHART_NOTE = "Bars are shaded by phase; the dashed line is your usual weekly distance."
CHART_WEEK = "Week"


def glance_lead(plan: Plan) -> Styled:
    """'20 weeks, Mon 1 Mar 2027 – …. Goal: back to 30 mi a week over 4 run days.'"""
    return (
        (weeks(len(plan.weeks)), "b"),
        (f", {fmt.span(plan.start, plan.end)}. Goal: back to ", ""),
        (fmt.distance(plan.target_weekly_distance, plan.unit.value), "b"),
        (f" a week over {plan.run_days} run days.", ""),
    )


def cross_training(activity: str) -> Styled:
    """A phase's cross-training, labelled."""
    return (("Cross-training:", "i"), (f" {activity}", ""))


def chart_heading(plan: Plan) -> str:
    """'Weekly running distance (mi)'."""
    return f"Weekly running distance ({plan.unit.value})"


def usual_week(plan: Plan) -> str:
    """The label of the chart's target line."""
    return f"Your usual week: {fmt.distance(plan.target_weekly_distance, plan.unit.value)}"


# --------------------------------------------------------------------------- how to use the plan

PAIN_RULE = "Pain decides: the traffic-light rule"
PAIN_SCALE = "Score your knee pain from 0 (no pain) to 10 (the worst pain you can imagine)."
STOP_AT_ONCE = "Stop at once if"
HOW_IT_BUILDS = "How the plan builds up"
SELF_TESTS = "Ready to run? The self-tests"
SELF_TEST_HEAD = ("Test", "You pass when", "Passed")
LADDER_HEAD = ("Stage", "Run", "Walk", "Repeats", "Session", "Notes")


@dataclass(frozen=True)
class PainBand:
    """One light of the traffic-light rule: its level, its label, its pain scores and what to do."""

    level: Literal["green", "amber", "red"]
    label: str
    scores: str
    action: str


def pain_bands(plan: Plan) -> tuple[PainBand, PainBand, PainBand]:
    """The condition's pain rule, green to red."""
    rule = plan.guidance.pain_rule
    return (
        PainBand("green", "GREEN: carry on", fmt.pain_range(0, rule.green_max), rule.green),
        PainBand("amber", "AMBER: hold", fmt.pain_range(rule.green_max + 1, rule.amber_max), rule.amber),
        PainBand("red", "RED: step back", fmt.pain_range(rule.amber_max + 1, 10), rule.red),
    )


def ladder_heading(plan: Plan) -> str:
    """'The walk/run ladder' (the ladder's own name)."""
    name = plan.guidance.ladder_name
    return f"The {name.lower()}" if name else "The ladder"


def ladder_row(stage: LadderStep) -> tuple[str, str, str, str, str, str]:
    """One stage of the ladder table: stage, run, walk, repeats, session length, note."""
    walk = fmt.minutes(stage.walk_min) if stage.walk_min else "–"
    return (
        stage.id,
        fmt.minutes(stage.run_min),
        walk,
        f"× {stage.reps}",
        fmt.minutes(stage.minutes),
        stage.note or "",
    )


# --------------------------------------------------------------------------- week by week

WEEKS_LEAD = (
    "Each phase starts with a key to its sessions: the exercises of each strength routine, what every "
    "run asks of you and what each check-in looks for. A small number next to a session points to a "
    "line in the key. Tick a box when the session is done, and score your pain in the log at the back. "
    "If a session breaks your pain rule, hold or step back before moving on."
)
#: How a phase key names the sessions of a kind (check-ins are named by what they check).
GROUP_LABEL = {
    SessionKind.RUN: "Every run",
    SessionKind.WALK_RUN: "Every walk/run",
    SessionKind.STRENGTH: "Every strength session",
    SessionKind.ICE: "Ice",
    SessionKind.HEAT: "Heat",
    SessionKind.CROSS_TRAINING: "Cross-training",
    SessionKind.REST: "Rest days",
}
SAFETY_POINTER = f"Safety rules: see “{ICE_HEAT}”."
GRID_WEEK = "Week"
REST_DAY = "Rest day"
HOLD_WEEK = "hold week"


def phase_band(number: int, phase_name: str) -> str:
    """'Phase 2 · Strengthen'."""
    return f"Phase {number} · {phase_name}"


def phase_dates(first: Week, last: Week) -> str:
    """'Weeks 3–6 · Mon 15 Mar 2027 – Sun 11 Apr 2027'."""
    span = f"Week {first.index}" if first is last else f"Weeks {first.index}–{last.index}"
    return f"{span} · {fmt.span(first.start, last.end)}"


def week_cell(plan: Plan, w: Week) -> tuple[str, str, str]:
    """A week's first grid cell: its number, its days and its running."""
    return f"Week {w.index}", fmt.span_short(w.start, w.end), week_running(plan, w)


# --------------------------------------------------------------------------- exercises

EXERCISES_LEAD = (
    "Every exercise in your plan, with how to do it and how to make it easier or harder. "
    "The dose shown is the usual one; the key at the start of each phase gives the dose for that phase."
)
TARGET_LABEL = {Target.CORE: "Core", Target.HIP: "Hip", Target.KNEE: "Knee", Target.STRETCH: "Stretch"}
HOW_TO = "How to do it"
MISTAKES_LABEL = "Common mistakes"
EASIER = "Too hard? Make it easier"
HARDER = "Too easy? Make it harder"


def card_continued(name: str) -> str:
    """The line over a card's words that go on over the page: 'Side plank, continued'."""
    return f"{name}, continued"


def card_meta(card: ExerciseCard) -> Styled:
    """'Hip · equipment: band, mat'."""
    equipment = ", ".join(e for e in card.equipment if e != Equipment.NONE) or Equipment.NONE.value
    return ((TARGET_LABEL[card.target], "b"), (f" · equipment: {equipment}", ""))


def card_dose(card: ExerciseCard) -> Styled:
    """'Dose: 3 × 10 each side'."""
    return (("Dose:", "b"), (f" {fmt.dose(card.dose)}", ""))


def card_caution(caution: str) -> Styled:
    """'Take care: …'."""
    return ((f"{TAKE_CARE}:", "b"), (f" {caution}", ""))


# --------------------------------------------------------------------------- advice, log, sources

ICE = KIND_LABEL[SessionKind.ICE]
HEAT = KIND_LABEL[SessionKind.HEAT]
LOG_LEAD = (
    "One row a day: your worst knee pain (0-10), a tick when the day's sessions are done, "
    "and anything worth telling your coach or clinician."
)
LOG_HEAD = ("Date", "Week", "Planned", "Pain 0–10", "Done ✓", "Notes")


def numbered(i: int, text: str) -> str:
    """'3. Too much, too soon'."""
    return f"{i}. {text}"


def planned(plan: Plan, sessions: Iterable[Session]) -> str:
    """A day's sessions in the log: 'Run 4 mi, Strength, Ice' ('Rest' for none)."""
    parts: list[str] = []
    for s in sessions:
        label = KIND_LABEL[s.kind]
        if isinstance(s, (RunSession, WalkRunSession)) and s.run_distance > 0:
            label += f" {fmt.distance(s.run_distance, plan.unit.value)}"
        parts.append(label)
    return ", ".join(dict.fromkeys(parts)) or KIND_LABEL[SessionKind.REST]


# --------------------------------------------------------------------------- page and document


def page_footer(section: str, page: int) -> str:
    """The right-hand footer: 'Week by week  ·  Page 7' (or 'Page 7')."""
    return f"{section}  ·  Page {page}" if section else f"Page {page}"


def subject(plan: Plan, athlete: str | None, summary: bool = False) -> str:
    """The PDF's subject line; the caller passes None for a blank athlete name."""
    what = "Knee rehabilitation summary" if summary else "Knee rehabilitation booklet"
    who = f" for {athlete}" if athlete else ""
    return f"{what}: {plan.info.name}{who}, {fmt.span(plan.start, plan.end)}"


KEYWORDS = ("knee", "rehabilitation", "running")


# --------------------------------------------------------------------------- summary sheet

#: The summary's week table: these columns, the seven days between the running and the tick.
PHASE = "Phase"
SUMMARY_HEAD = ("Wk", "Dates", PHASE, "Running", "✓")
#: Each day's marks in the summary's week table, and the key that explains them.
DAY_MARK = {SessionKind.RUN: "R", SessionKind.WALK_RUN: "R", SessionKind.STRENGTH: "E", SessionKind.CHECK_IN: "C"}
DAY_KEY: Styled = (
    ("R", "b"),
    (" run or walk/run · ", ""),
    ("E", "b"),
    (" exercises · ", ""),
    ("C", "b"),
    (" check-in: score your knee · ", ""),
    ("2:1 ×15", "b"),
    (": run 2 min, walk 1 min, 15 times", ""),
)


def day_marks(sessions: Iterable[Session]) -> str:
    """A day's marks in the summary's week table, always in the order R, E, C: 'RC', 'E', '' for a
    rest day."""
    marks = {DAY_MARK[s.kind] for s in sessions if s.kind in DAY_MARK}
    return "".join(m for m in "REC" if m in marks)


def summary_line(plan: Plan, athlete: str | None, clinic: str | None = None) -> Styled:
    """'Sam Lee · IT band syndrome · Mon 1 Mar 2027 – … · goal 30 mi a week' (names in bold), and
    the clinic's line after it when given."""
    who = f"{athlete} · " if athlete else ""
    goal_line = f"goal {fmt.distance(plan.target_weekly_distance, plan.unit.value)} a week"
    tail = f" · {clinic}" if clinic else ""
    return ((f"{who}{plan.info.name}", "b"), (f" · {fmt.span(plan.start, plan.end)} · {goal_line}{tail}", ""))


def stop_at_once_line(plan: Plan) -> Styled:
    """The absolute stops on one line, labelled."""
    return ((f"{STOP_AT_ONCE}:", "b"), (" " + " ".join(plan.guidance.absolute_stops), ""))


GET_HELP = "Warning signs"
YOUR_CLINIC = "Your clinic"


def clinic_line(clinic: str | None, contact: str | None) -> str | None:
    """'Your clinic: Riverside Physio, 020 7946 0000' (None without either)."""
    named = ", ".join(x for x in (clinic, contact) if x)
    return f"{YOUR_CLINIC}: {named}" if named else None


def get_help_line(plan: Plan) -> Styled:
    """The warning signs that mean care today or within days, on one line, labelled (the summary
    goes on the fridge without the booklet)."""
    return ((f"{GET_HELP}:", "b"), (" " + plan.guidance.calendar_line, ""))


def _intervals(s: WalkRunSession) -> str:
    """A walk/run session's turns: '2:1 ×15' (run 2 min, walk 1, 15 times) or 'run 30 min'."""
    if s.walk_min == 0:
        return f"run {fmt.number(s.run_min * s.reps)} min"
    return f"{fmt.number(s.run_min)}:{fmt.number(s.walk_min)} ×{s.reps}"


def summary_running(plan: Plan, w: Week) -> str:
    """A week's running on the summary: '12.3 mi (hold)', 'walk/run 2:1 ×15, 3:1 ×11' (minutes of
    running and walking, and how many times), 'no running'."""
    ladder = [s for s in sorted(w.sessions, key=lambda s: s.date) if isinstance(s, WalkRunSession)]
    runs = sum(s.run_distance for s in w.sessions if isinstance(s, RunSession))
    parts = []
    if ladder:
        turns = ", ".join(dict.fromkeys(_intervals(s) for s in ladder))
        parts.append(turns if all(s.walk_min == 0 for s in ladder) else f"{WALK_RUN_WORD} {turns}")
    if runs > 0:
        parts.append(fmt.distance(runs, plan.unit.value) + (" (hold)" if w.hold_week else ""))
    return "; ".join(parts) or week_running(plan, w)


WALK_RUN_WORD = "walk/run"
THIS_PHASE = "This phase"


def this_phase_line(phase: PhaseSummary, number: int, days: str) -> Styled:
    """'This phase: 2 · Walk/run ladder, to Sun 11 Apr 2027 · exercises on Mon Wed Fri'."""
    when = f" · exercises on {days}" if days else ""
    return (
        (f"{THIS_PHASE}: {number} · {phase.name}", "b"),
        (f", {fmt.date_short(phase.start)} to {fmt.date_short(phase.end)}{when}", ""),
    )


# --------------------------------------------------------------------------- the short handout

HANDOUT_WEEKS_LEAD = (
    "Each row is one week: the runs and their days, the exercise days and the checks. The morning "
    "after every run, score your knee and follow the pain rule: it can hold or step back any week. "
    "Tick the last box when the week is done."
)
HANDOUT_WEEKS_HEAD = ("Wk", "Dates", "Running", "Exercises", "Checks", "✓")
HANDOUT_LOG_LEAD = (
    "One row a day, from your first day: your worst knee pain (0-10), a tick when the day's "
    "sessions are done, and anything to tell your coach or clinician. Copy this page for later weeks."
)
NO_RUNNING = "No running"


def days_of(days: Iterable[dt.date]) -> str:
    """'Tue Thu Sat', in the order given."""
    return " ".join(fmt.weekday(d) for d in days)


def _short_run(plan: Plan, s: RunSession | WalkRunSession) -> str:
    """A run in a few words: 'Easy 3 mi', 'Long 4.5 mi', '3 mi with strides', or the walk/run's title."""
    if isinstance(s, WalkRunSession):
        return word(plan, s).title
    dist = fmt.distance(s.run_distance, plan.unit.value)
    if s.intensity != Intensity.EASY:
        return f"{dist} with {s.intensity.value}"
    return f"Long {dist}" if s.long_run else f"Easy {dist}"


def week_runs(plan: Plan, w: Week) -> str:
    """A week's runs by kind with their days: 'Easy 3 mi: Tue Thu · Long 4.5 mi: Sun'."""
    by_title: dict[str, list[dt.date]] = {}
    for s in sorted(w.sessions, key=lambda s: s.date):
        if isinstance(s, (RunSession, WalkRunSession)):
            by_title.setdefault(_short_run(plan, s), []).append(s.date)
    if not by_title:
        return NO_RUNNING
    return " · ".join(f"{title}: {days_of(days)}" for title, days in by_title.items())


def week_kind_days(w: Week, kind: SessionKind) -> str:
    """The weekdays of a week's sessions of one kind ('Mon Wed Fri'; '' for none)."""
    return days_of(sorted({s.date for s in w.sessions if s.kind == kind}))


def week_checks(w: Week) -> str:
    """A week's checks with their days, but the morning-after checks that follow every run:
    'Ready-to-run tests: Sun'."""
    by_check: dict[str, list[dt.date]] = {}
    for s in sorted(w.sessions, key=lambda s: s.date):
        if isinstance(s, CheckInSession) and s.check != CheckKind.MORNING_AFTER:
            by_check.setdefault(CHECK_LABEL[s.check], []).append(s.date)
    return " · ".join(f"{label}: {days_of(days)}" for label, days in by_check.items())
