"""The plan: dated weeks of typed sessions, with the clinical data the outputs print.

The planner fills these in and writes no sentence of its own; the texts here are the clinical
data's (condition, phases, exercises, safety), which ``rehabplan.wording`` puts into words.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..catalog.models import (
    Advice,
    Dose,
    KneeRegion,
    LoadTest,
    PainRule,
    PhaseKind,
    Pose,
    ReadinessTest,
    RedFlagTier,
    Running,
    SessionText,
    Source,
    Target,
)
from .checkins import CheckIn
from .request import PlanRequest, Unit
from .sessions import Session


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Week(_Frozen):
    index: int = Field(ge=1)
    start: dt.date
    end: dt.date
    phase: str
    phase_name: str
    running_allowed: bool
    ramp_week: bool
    hold_week: bool = False
    run_distance: float = Field(ge=0)
    time_on_feet_min: int = Field(ge=0)
    sessions: tuple[Session, ...]


class PhaseSummary(_Frozen):
    id: str
    name: str
    kind: PhaseKind
    start: dt.date
    end: dt.date
    running: Running
    goals: tuple[str, ...]
    exit_criteria: tuple[str, ...]
    cross_training: str | None = None


class ExerciseCard(_Frozen):
    """Everything the booklet prints about one scheduled exercise."""

    id: str
    name: str
    target: Target
    equipment: tuple[str, ...]
    dose: Dose
    progression: str
    regression: str
    cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    caution: str | None = None
    pose: Pose


class ConditionInfo(_Frozen):
    id: str
    site: str | None
    name: str
    where_it_hurts: str
    knee_region: KneeRegion
    causes: tuple[str, ...]
    how_the_plan_helps: str
    cautions: tuple[str, ...]
    running_modifications: tuple[str, ...]
    red_flags: tuple[str, ...]
    referrals: tuple[str, ...]


class LadderStep(_Frozen):
    """A ladder stage as this plan uses it: `reps` x (run, walk) in `minutes` on feet."""

    id: str
    run_min: float
    walk_min: float
    reps: int
    minutes: int
    note: str | None = None


class Guidance(_Frozen):
    """The fixed clinical text of a plan, resolved from the catalog so renderers never read it."""

    red_flags: tuple[RedFlagTier, ...]
    absolute_stops: tuple[str, ...]
    no_improvement: str
    calendar_line: str
    pain_rule: PainRule
    ramp_rules: tuple[str, ...]
    ramp_convention: str
    ice: str
    heat: str
    ice_safety: tuple[str, ...]
    heat_safety: tuple[str, ...]
    medicines: tuple[str, ...]
    readiness_tests: tuple[ReadinessTest, ...]
    readiness_pain_max: int
    readiness_note: str | None
    ladder_name: str | None = Field(description="the ladder the plan uses, if any")
    ladder_steps: tuple[LadderStep, ...] = ()
    load_test: LoadTest | None = None
    session_text: SessionText
    training_mistakes: tuple[Advice, ...]
    recovery: tuple[Advice, ...]
    disclaimer: str
    sources: tuple[Source, ...]


class LongPlanNote(_Frozen):
    """The plan is longer than a clinician would usually hand out unreviewed."""

    kind: Literal["long_plan"] = "long_plan"
    weeks: int
    limit: int
    interim: float | None = Field(default=None, description="a nearer weekly target that fits within the limit")


Note = LongPlanNote


class ChangeKind(StrEnum):
    HELD = "held"  # an amber day: the step is repeated
    STEPPED_BACK = "stepped_back"  # a red day: one step back, with rest days first
    CLINICIAN = "clinician"  # two red days in 14 days: see a clinician first
    WARNING_SIGN = "warning_sign"  # a warning sign: running paused for a week, see a clinician first
    CLEARED = "cleared"  # the clinician check-in was logged done
    MOVED_ON = "moved_on"  # a green phase with its exit criteria met ends early
    MISSED = "missed"  # missed sessions are not counted as done
    LENGTH = "length"  # the plan got longer or shorter


class Change(_Frozen):
    """Something a re-plan changed, and the day that caused it."""

    kind: ChangeKind
    date: dt.date
    phase: str | None = None
    stage_from: str | None = None
    stage_to: str | None = None
    distance_from: float | None = None
    distance_to: float | None = None
    weeks_from: int | None = None
    weeks_to: int | None = None


class EventRecord(_Frozen):
    """A calendar event as last written: enough to tell whether it changed, and to cancel it."""

    uid: str
    sequence: int = Field(ge=0)
    digest: str = Field(description="of everything the event says")
    summary: str
    start: dt.datetime | dt.date = Field(description="UTC for a timed event, the day for an all-day one")
    end: dt.datetime | dt.date
    cancelled: bool = False


class Revision(_Frozen):
    """Which plan this is and which version of it: calendars match events across revisions by it."""

    plan_id: str = Field(pattern=r"^[0-9a-f]{16}$", description="made from the first request, kept ever after")
    number: int = Field(default=1, ge=1)
    stamp: dt.datetime = Field(description="when the revision was made, UTC (the calendar's DTSTAMP)")
    seam: dt.date | None = Field(default=None, description="the first day this revision planned anew")
    changes: tuple[Change, ...] = ()
    events: tuple[EventRecord, ...] = ()


class Plan(_Frozen):
    request: PlanRequest
    revision: Revision
    log: tuple[CheckIn, ...] = Field(default=(), description="the days the runner logged, oldest first")
    athlete: str | None
    condition: str
    site: str | None
    unit: Unit
    target_weekly_distance: float
    pace_min_per_unit: float
    run_days: int
    weeks_off: int
    can_run: int = 0
    long_run: float = Field(description="the usual long run the plan ends with")
    start: dt.date
    end: dt.date
    notes: tuple[Note, ...] = ()
    info: ConditionInfo
    phases: tuple[PhaseSummary, ...]
    weeks: tuple[Week, ...]
    exercises: tuple[ExerciseCard, ...]
    guidance: Guidance

    def sessions(self) -> list[Session]:
        """Every session of the plan, in date and slot order."""
        return [s for w in self.weeks for s in w.sessions]

    def phase(self, phase_id: str) -> PhaseSummary:
        """The plan's phase with this id."""
        return next(p for p in self.phases if p.id == phase_id)
