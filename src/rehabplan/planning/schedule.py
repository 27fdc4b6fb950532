"""The schedule being built: what a plan holds fixed (its context) and what has been placed so far.

The phases (``ladder.py``, ``ramp.py``) place their runs; :func:`close_week` then adds the
week's phase check, rest day, strength, cross-training and ice or heat around them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..catalog.loading import Catalog
from ..catalog.models import Ladder, LadderRules, Phase, Protocol, RampRules, Target
from ..errors import PlanningError
from . import progression as pg
from .days import DAYS, best_run_days, pick_days
from .request import PlanRequest, Unit
from .sessions import (
    CheckInSession,
    CheckKind,
    CrossTrainingSession,
    HeatSession,
    IceSession,
    PlannedExercise,
    RestSession,
    Session,
    StrengthSession,
)


@dataclass(frozen=True)
class Context:
    """What stays the same while a plan is built: the request and the clinical rules it uses."""

    request: PlanRequest
    catalog: Catalog
    protocol: Protocol
    rules: RampRules
    ladder: LadderRules
    standard: LadderRules
    pace: float  # minutes per unit
    target_h: int  # the weekly target, in hundredths of the unit

    @classmethod
    def of(cls, request: PlanRequest, catalog: Catalog, target_h: int | None = None) -> Context:
        protocol = catalog.resolve(request.condition, request.site)
        rules = catalog.ramp.ramp
        ladders = {lad.id: lad for lad in catalog.ramp.ladders}
        if request.pace_min_per_unit is not None:
            pace = request.pace_min_per_unit
        elif request.units == Unit.MI:
            pace = rules.default_pace_min_per_mi
        else:
            pace = rules.default_pace_min_per_km
        target = pg.to_hundredths(request.mileage) if target_h is None else target_h
        if target < 1:
            raise PlanningError("mileage is too small to plan; give at least 0.01.")
        top = rules.max_mileage_mi if request.units == Unit.MI else rules.max_mileage_km
        if target > pg.to_hundredths(top):
            raise PlanningError(
                f"mileage {pg.from_hundredths(target):g} {request.units.value} is above the "
                f"{top:g} {request.units.value} this planner supports."
            )
        return cls(
            request=request,
            catalog=catalog,
            protocol=protocol,
            rules=rules,
            ladder=ladders[protocol.ladder],
            standard=ladders[Ladder.STANDARD],
            pace=pace,
            target_h=target,
        )

    @property
    def cap(self) -> int:
        """Most sessions in one day."""
        return self.rules.max_sessions_per_day

    def start_days(self) -> int:
        """Run days a week when continuous running starts."""
        return min(self.request.run_days, self.standard.runs_per_week)


@dataclass
class WeekDraft:
    index: int
    start: dt.date
    phase: Phase
    ramp_week: bool
    hold_week: bool = False
    run_h: int = 0

    def day(self, i: int) -> dt.date:
        return self.start + dt.timedelta(days=i)


@dataclass
class Schedule:
    """Everything placed so far, by day, with the runs in order."""

    ctx: Context
    days: dict[dt.date, list[Session]] = field(default_factory=dict)
    runs: list[tuple[dt.date, int]] = field(default_factory=list)  # (date, running distance)
    weeks: list[WeekDraft] = field(default_factory=list)
    last_ladder_run: dt.date | None = None
    phase_spans: list[tuple[Phase, dt.date, dt.date]] = field(default_factory=list)
    _strength: dict[str, StrengthSession] = field(default_factory=dict)  # a phase's routine, by phase id

    def add(self, s: Session) -> None:
        self.days.setdefault(s.date, []).append(s)

    def load(self, day: dt.date) -> int:
        return len(self.days.get(day, ()))

    def open_week(self, phase: Phase, *, ramp_week: bool, hold_week: bool = False) -> WeekDraft:
        index = len(self.weeks) + 1
        start = self.ctx.request.start + dt.timedelta(days=DAYS * (index - 1))
        wk = WeekDraft(index=index, start=start, phase=phase, ramp_week=ramp_week, hold_week=hold_week)
        self.weeks.append(wk)
        return wk

    def choose_runs(self, start: dt.date, k: int, *, extra: dict[int, int], ladder: bool) -> tuple[int, ...] | None:
        """The run days of a week: spacing, day caps and a free rest day all respected."""
        loads = tuple(self.load(start + dt.timedelta(days=i)) + extra.get(i, 0) for i in range(DAYS))
        gap = self.ctx.ladder.min_rest_days_between_runs + 1 if ladder else 1
        prev = self.last_ladder_run if ladder else (self.runs[-1][0] if self.runs else None)
        since = (start - prev).days if prev is not None else None
        return best_run_days(loads, k, self.ctx.cap, gap, since, ladder)

    # ------------------------------------------------------------------ check-ins

    def anchor_fixed_checkins(self) -> None:
        """The dated review points: is it getting better after the first week, and the protocol's own."""
        ctx = self.ctx
        start = ctx.request.start
        no_imp = start + dt.timedelta(days=ctx.rules.no_improvement_days)
        merged: list[int] = []
        for i, ref in enumerate(ctx.protocol.referrals):
            day = start + dt.timedelta(days=ref.after_days)
            if day == no_imp:
                merged.append(i)  # same day as the no-improvement check-in: one check-in carries both
            else:
                self.add(CheckInSession(date=day, check=CheckKind.REFERRAL, referrals=(i,)))
        self.days.setdefault(no_imp, []).insert(
            0, CheckInSession(date=no_imp, check=CheckKind.NO_IMPROVEMENT, referrals=tuple(merged))
        )

    # ------------------------------------------------------------------ around the runs

    def close_week(self, wk: WeekDraft, run_days: set[int], last_of_phase: bool) -> None:
        """Add the phase exit, rest day, strength, cross-training and ice/heat to a week."""
        if last_of_phase:
            self.add(CheckInSession(date=wk.day(DAYS - 1), check=CheckKind.PHASE_EXIT, phase=wk.phase.id))
        free = [i for i in range(DAYS) if self.load(wk.day(i)) == 0 and i not in run_days]
        if not free:
            raise PlanningError("could not keep a full rest day in a week; check the protocol's session counts.")
        rest = free[-1]
        self.add(RestSession(date=wk.day(rest)))
        self._fill_week(wk, run_days, [i for i in range(DAYS) if i != rest])
        for i in range(DAYS):
            if self.load(wk.day(i)) == 0:
                self.add(RestSession(date=wk.day(i)))

    def _fill_week(self, wk: WeekDraft, run_days: set[int], open_days: list[int]) -> None:
        ctx = self.ctx
        phase = wk.phase

        def room(i: int) -> bool:
            return self.load(wk.day(i)) < ctx.cap

        mod = ctx.protocol.modality
        strength_days: tuple[int, ...] = ()
        if phase.strength_days and phase.exercises:
            cands = [i for i in open_days if room(i)]
            strength_days = pick_days(tuple(cands), phase.strength_days, frozenset(run_days))
            routine = self._routine(phase)
            for i in strength_days:
                self.add(routine.model_copy(update={"date": wk.day(i)}))
        if phase.cross_training and phase.cross_training_days:
            cands = [i for i in open_days if room(i) and i not in strength_days]
            if len(cands) < phase.cross_training_days:
                cands = [i for i in open_days if room(i)]
            avoid = frozenset(run_days | set(strength_days))
            for i in pick_days(tuple(cands), phase.cross_training_days, avoid):
                self.add(CrossTrainingSession(date=wk.day(i), minutes=phase.cross_training_minutes, phase=phase.id))
        # Stand-alone ice or heat only where the phase prescribes it, and not on days where it
        # is already the after-care (ice) or the warm-up (heat) of another session.
        ice_skip = set(strength_days) if mod.ice_after_strength else set()
        if mod.ice_after_runs:
            ice_skip |= run_days
        heat_skip = set(strength_days) if mod.heat_before_strength else set()
        for kind, phases, skip, minutes in (
            (IceSession, mod.ice_in_phases, ice_skip, mod.ice_minutes),
            (HeatSession, mod.heat_in_phases, heat_skip, mod.heat_minutes),
        ):
            if phase.id not in phases:
                continue
            for i in open_days:
                if i in skip or not room(i):
                    continue
                self.add(kind(date=wk.day(i), minutes=minutes))

    def _routine(self, phase: Phase) -> StrengthSession:
        """What every strength session of a phase holds (the same on each of its days)."""
        routine = self._strength.get(phase.id)
        if routine is None:
            cat = self.ctx.catalog
            mod = self.ctx.protocol.modality
            exercises = []
            targets: list[Target] = []
            for sched in phase.exercises:
                ex = cat.exercises[sched.id]
                exercises.append(PlannedExercise(id=ex.id, name=ex.name, dose=sched.dose or ex.dose))
                if ex.target not in targets:
                    targets.append(ex.target)
            routine = self._strength[phase.id] = StrengthSession(
                date=self.ctx.request.start,
                minutes=phase.strength_minutes,
                phase=phase.id,
                targets=tuple(targets),
                exercises=tuple(exercises),
                heat_before=mod.heat_minutes if mod.heat_before_strength else None,
                ice_after=mod.ice_minutes if mod.ice_after_strength else None,
            )
        return routine

    # ------------------------------------------------------------------ runs

    def add_run(self, s: Session, h: int) -> None:
        """A run or walk/run, kept in the list of runs (the single-run cap looks back at them)."""
        self.add(s)
        self.runs.append((s.date, h))

    def ice_after_runs(self) -> int | None:
        mod = self.ctx.protocol.modality
        return mod.ice_minutes if mod.ice_after_runs else None
