"""The typed sessions a plan is made of: one class per kind, holding numbers and references, no words.

A new kind of session is one member of :class:`SessionKind`, one class here (added to
:data:`Session`) and one entry in ``rehabplan.wording.sessions``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..catalog.models import Dose, Target


class SessionKind(StrEnum):
    RUN = "run"
    WALK_RUN = "walk_run"
    STRENGTH = "strength"
    ICE = "ice"
    HEAT = "heat"
    CROSS_TRAINING = "cross_training"
    CHECK_IN = "check_in"
    REST = "rest"


class CheckKind(StrEnum):
    """What a check-in checks."""

    MORNING_AFTER = "morning_after"  # next-morning pain check after a run
    READINESS = "readiness"  # the ready-to-run self-tests
    PHASE_EXIT = "phase_exit"  # a phase's exit criteria
    NO_IMPROVEMENT = "no_improvement"  # is it getting better after the first week?
    REFERRAL = "referral"  # a dated review point of the condition
    LOAD_TEST = "load_test"  # the weekly tendon load test
    CLINICIAN = "clinician"  # see a clinician before going on (added by re-planning)


class Intensity(StrEnum):
    EASY = "easy"
    STRIDES = "strides"
    HILLS = "hills"


#: The kinds a runner is on their feet for: the pain rule applies to them.
ON_FEET = frozenset({SessionKind.RUN, SessionKind.WALK_RUN, SessionKind.CHECK_IN})
#: The kinds that put running distance into a week.
RUNNING = frozenset({SessionKind.RUN, SessionKind.WALK_RUN})

#: A session's place in its day: check-ins first, rest last (slots follow this order).
_ORDER = {
    CheckKind.MORNING_AFTER: 0,
    CheckKind.READINESS: 1,
    CheckKind.LOAD_TEST: 1,
    CheckKind.CLINICIAN: 1,
    SessionKind.HEAT: 2,
    SessionKind.RUN: 3,
    SessionKind.WALK_RUN: 3,
    SessionKind.STRENGTH: 4,
    SessionKind.CROSS_TRAINING: 5,
    SessionKind.ICE: 6,
    CheckKind.NO_IMPROVEMENT: 7,
    CheckKind.REFERRAL: 7,
    CheckKind.PHASE_EXIT: 8,
    SessionKind.REST: 9,
}


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    date: dt.date
    slot: int = Field(default=0, ge=0, description="place in the day, 0-based")
    minutes: int = Field(default=0, ge=0)

    @property
    def order(self) -> int:
        """Where the session goes among the day's sessions (lower first)."""
        return _ORDER[getattr(self, "check", None) or self.kind]  # type: ignore[attr-defined]


class RunSession(_Base):
    """Continuous running at an easy pace, sometimes with strides or hills."""

    kind: Literal[SessionKind.RUN] = SessionKind.RUN
    run_distance: float = Field(gt=0)
    intensity: Intensity = Intensity.EASY
    long_run: bool = False
    ice_after: int | None = Field(default=None, description="minutes of ice after the run")


class WalkRunSession(_Base):
    """One ladder stage: running and walking in turns (or a short continuous run)."""

    kind: Literal[SessionKind.WALK_RUN] = SessionKind.WALK_RUN
    stage: str
    run_min: float = Field(gt=0)
    walk_min: float = Field(ge=0)
    reps: int = Field(ge=1)
    run_distance: float = Field(ge=0, description="the running part, in the plan's unit")
    ice_after: int | None = None


class PlannedExercise(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str
    name: str
    dose: Dose


class StrengthSession(_Base):
    """A phase's strength routine."""

    kind: Literal[SessionKind.STRENGTH] = SessionKind.STRENGTH
    phase: str
    targets: tuple[Target, ...]
    exercises: tuple[PlannedExercise, ...] = Field(min_length=1)
    heat_before: int | None = Field(default=None, description="minutes of heat before the routine")
    ice_after: int | None = None


class IceSession(_Base):
    kind: Literal[SessionKind.ICE] = SessionKind.ICE


class HeatSession(_Base):
    kind: Literal[SessionKind.HEAT] = SessionKind.HEAT


class CrossTrainingSession(_Base):
    """Pain-free fitness work (bike, pool, elliptical) as the phase describes it."""

    kind: Literal[SessionKind.CROSS_TRAINING] = SessionKind.CROSS_TRAINING
    phase: str


class CheckInSession(_Base):
    """A dated check: what it checks, and for which phase or review points."""

    kind: Literal[SessionKind.CHECK_IN] = SessionKind.CHECK_IN
    check: CheckKind
    phase: str | None = Field(default=None, description="the phase whose exit criteria are checked")
    referrals: tuple[int, ...] = Field(default=(), description="review points of the condition, by index")
    tests: tuple[str, ...] = Field(default=(), description="readiness: the self-tests it holds, by id")

    @model_validator(mode="after")
    def _phase_for_exit(self) -> CheckInSession:
        if (self.check == CheckKind.PHASE_EXIT) != (self.phase is not None):
            raise ValueError("a phase_exit check-in names its phase, and only it does")
        return self


class RestSession(_Base):
    kind: Literal[SessionKind.REST] = SessionKind.REST


Session = Annotated[
    RunSession
    | WalkRunSession
    | StrengthSession
    | IceSession
    | HeatSession
    | CrossTrainingSession
    | CheckInSession
    | RestSession,
    Field(discriminator="kind"),
]
