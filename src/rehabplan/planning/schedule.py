"""The schedule being built: every session placed so far, by day, and the week filler.

The running phases (``ladder.py``, ``ramp.py``) place a week's runs; :meth:`Schedule.close_week`
then adds what goes around them: the phase check, a day without training, strength,
cross-training, ice or heat, and the weekly load test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from ..catalog.models import Phase, Target
from ..errors import PlanningError
from .context import Context
from .days import DAYS, pick_days
from .sessions import (
    CheckInSession,
    CheckKind,
    CrossTrainingSession,
    HeatSession,
    IceSession,
    PlannedExercise,
    RestSession,
    Session,
    SessionKind,
    StrengthSession,
)

#: Sessions that are training (a rest day has none; check-ins may fall on it).
TRAINING = frozenset(
    {
        SessionKind.RUN,
        SessionKind.WALK_RUN,
        SessionKind.STRENGTH,
        SessionKind.CROSS_TRAINING,
        SessionKind.ICE,
        SessionKind.HEAT,
    }
)


class Mode(StrEnum):
    """What running a week holds."""

    NONE = "none"
    LADDER = "ladder"
    RAMP = "ramp"
    HOLD = "hold"


@dataclass
class WeekDraft:
    index: int
    start: dt.date
    phase: Phase
    mode: Mode
    hold_week: bool = False
    run_h: int = 0
    run_days: set[int] = field(default_factory=set)
    strength_days: tuple[int, ...] | None = None  # chosen before the runs when runs go with strength

    def day(self, i: int) -> dt.date:
        return self.start + dt.timedelta(days=i)


@dataclass
class Schedule:
    """Everything placed so far, by day, with the runs in order."""

    ctx: Context
    days: dict[dt.date, list[Session]] = field(default_factory=dict)
    runs: list[tuple[dt.date, int]] = field(default_factory=list)  # (date, running distance)
    weeks: list[WeekDraft] = field(default_factory=list)
    phase_spans: list[tuple[Phase, dt.date, dt.date]] = field(default_factory=list)
    trained: dict[str, dt.date] = field(default_factory=dict)  # exercise id -> first day scheduled
    last_done: dict[str, dt.date] = field(default_factory=dict)  # exercise id -> last day scheduled
    seam: dt.date = dt.date.min  # nothing new is placed before this day (re-planning keeps the past)
    runs_from: dt.date = dt.date.min  # no run before this day (rest days after a red day)
    # re-planning: the previous plan's sessions from the seam to the end of its week, so that week
    # keeps its strength and cross-training days when its phase stays the same
    prior: dict[dt.date, list[Session]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.seam == dt.date.min:
            self.seam = self.ctx.request.start

    # ------------------------------------------------------------------ days

    def add(self, s: Session) -> None:
        self.days.setdefault(s.date, []).append(s)

    def load(self, day: dt.date) -> int:
        """Sessions already on a day (rest markers aside)."""
        return sum(1 for s in self.days.get(day, ()) if s.kind != SessionKind.REST)

    def trains(self, day: dt.date) -> bool:
        return any(s.kind in TRAINING for s in self.days.get(day, ()))

    def keeps_rest_day(self, wk: WeekDraft, runs: set[int]) -> bool:
        """Whether the week still has a day without training once it runs on `runs` (days 0-6)."""
        taken = runs | wk.run_days
        return any(i not in taken and not self.trains(wk.day(i)) for i in range(DAYS))

    def room(self, day: dt.date, n: int = 1) -> bool:
        """Whether n more sessions fit on a day (never a day before the seam: that is the past)."""
        return day >= self.seam and self.load(day) + n <= self.ctx.cap

    @property
    def last_run(self) -> dt.date | None:
        return self.runs[-1][0] if self.runs else None

    def open_week(self, phase: Phase, mode: Mode, *, hold_week: bool = False) -> WeekDraft:
        index = len(self.weeks) + 1
        start = self.ctx.request.start + dt.timedelta(days=DAYS * (index - 1))
        wk = WeekDraft(index=index, start=start, phase=phase, mode=mode, hold_week=hold_week)
        self.weeks.append(wk)
        if self.ctx.protocol.runs_with_strength and mode != Mode.NONE:
            kept = self._prior_days(wk, SessionKind.STRENGTH)
            wk.strength_days = kept if kept is not None else self._strength_days(wk, set())
        return wk

    def _done_before_seam(self, wk: WeekDraft, kind: SessionKind) -> int:
        """Days of the week before the seam (the past) that held a session of this kind."""
        return sum(
            1
            for i in range(DAYS)
            if wk.day(i) < self.seam and any(s.kind == kind for s in self.days.get(wk.day(i), ()))
        )

    def _prior_days(self, wk: WeekDraft, kind: SessionKind) -> tuple[int, ...] | None:
        """The days from the seam on that held this kind in the previous plan, when the week is the
        seam's and keeps the previous plan's phase there; None otherwise (the days are chosen anew)."""
        days = [wk.day(i) for i in range(DAYS) if wk.day(i) >= self.seam]
        if not self.prior or not days or days[0] != self.seam:
            return None
        phases = {getattr(x, "phase", None) for d in days for x in self.prior.get(d, ())} - {None}
        if phases - {wk.phase.id}:
            return None
        return tuple((d - wk.start).days for d in days if any(x.kind == kind for x in self.prior.get(d, ())))

    def add_run(self, s: Session, h: int) -> None:
        """A run or walk/run, its next-morning pain check, and its place in the list of runs."""
        self.add(s)
        self.runs.append((s.date, h))
        self.add(CheckInSession(date=s.date + dt.timedelta(days=1), check=CheckKind.MORNING_AFTER))

    def ice_after_runs(self, phase: Phase) -> int | None:
        mod = self.ctx.protocol.modality
        return mod.ice_minutes if phase.id in mod.ice_after_runs_in else None

    # ------------------------------------------------------------------ check-ins

    def anchor_fixed_checkins(self) -> None:
        """The dated review points: is it getting better after the first week, and the protocol's own."""
        ctx = self.ctx
        start = ctx.request.start
        no_imp = start + dt.timedelta(days=ctx.rules.no_improvement_days)
        merged: list[int] = []
        for i, ref in enumerate(ctx.protocol.referrals):
            day = start + dt.timedelta(days=ref.after_days)
            if ctx.protocol.no_improvement_check and day == no_imp:
                merged.append(i)  # same day as the no-improvement check-in: one check-in carries both
            else:
                self.add(CheckInSession(date=day, check=CheckKind.REFERRAL, referrals=(i,)))
        if ctx.protocol.no_improvement_check:
            self.days.setdefault(no_imp, []).insert(
                0, CheckInSession(date=no_imp, check=CheckKind.NO_IMPROVEMENT, referrals=tuple(merged))
            )

    def readiness(self, first_run: dt.date) -> dt.date:
        """The ready-to-run tests, at least 48 hours before the first run they gate, testing only
        what the plan has already trained; return the day of that first run (later than asked
        when the plan starts too soon for the tests)."""
        done = [
            d
            for d, sessions in self.days.items()
            if d < self.seam and any(getattr(x, "check", None) == CheckKind.READINESS for x in sessions)
        ]
        if done:  # re-planning after the tests were done: they still gate the first run
            return max(first_run, max(done) + dt.timedelta(days=2), self.seam)
        start = self.seam
        latest = max(first_run - dt.timedelta(days=2), start)
        day = latest
        while day > start and not self.room(day):
            day -= dt.timedelta(days=1)
        while not self.room(day):  # no room on any day before: the tests, and the run, come later
            day = max(day, latest) + dt.timedelta(days=1)
        tests = tuple(
            t.id
            for t in self.ctx.readiness_tests()
            if not t.requires or any(self.trained.get(ex, day) < day for ex in t.requires)
        )
        self.add(CheckInSession(date=day, check=CheckKind.READINESS, tests=tests))
        return max(first_run, day + dt.timedelta(days=2))

    # ------------------------------------------------------------------ around the runs

    def close_week(self, wk: WeekDraft, last_of_phase: bool) -> None:
        """Add the phase exit, a day without training, strength, cross-training, ice or heat and
        the load test to a week whose runs are placed."""
        if last_of_phase:  # on the phase's last day, or the latest day with room for it
            day = next((d for d in range(DAYS - 1, -1, -1) if self.room(wk.day(d))), DAYS - 1)
            self.add(CheckInSession(date=wk.day(day), check=CheckKind.PHASE_EXIT, phase=wk.phase.id))
        rest = self._rest_day(wk)
        open_days = [i for i in range(DAYS) if i != rest]
        kept = self._prior_days(wk, SessionKind.STRENGTH)
        if wk.strength_days is not None:
            strength = wk.strength_days
        elif kept is not None:
            strength = kept
        else:
            strength = self._strength_days(wk, {rest})
        for i in strength:
            if i != rest and self.room(wk.day(i)):
                self.add(self._routine(wk.phase, wk.day(i)))
        self._cross_training(wk, open_days, set(strength))
        self._ice_heat(wk, open_days, set(strength))
        self._load_test(wk, rest)
        for i in range(DAYS):
            if wk.day(i) >= self.seam and not self.trains(wk.day(i)):
                self.add(RestSession(date=wk.day(i)))

    def _rest_day(self, wk: WeekDraft) -> int:
        """A day of the week kept free of training: the latest free day, away from the runs."""
        free = [i for i in range(DAYS) if not self.trains(wk.day(i)) and i not in wk.run_days]
        if wk.strength_days:
            free = [i for i in free if i not in wk.strength_days] or free
        if not free:
            raise PlanningError("could not keep a day without training in a week; check the protocol's session counts.")
        return min(free, key=lambda i: (self.load(wk.day(i)), -i))

    def _strength_days(self, wk: WeekDraft, taken: set[int]) -> tuple[int, ...]:
        phase = wk.phase
        if not (phase.strength_days and phase.exercises):
            return ()
        cands = tuple(i for i in range(DAYS) if i not in taken and self.room(wk.day(i)))
        need = max(phase.strength_days - self._done_before_seam(wk, SessionKind.STRENGTH), 0)
        if self.ctx.protocol.runs_with_strength:
            # heavy loading and runs share a day and leave the next one free: spread out, never back to back
            return pick_days(cands, min(need, 3), frozenset())
        return pick_days(cands, need, frozenset(wk.run_days))

    def _cross_training(self, wk: WeekDraft, open_days: list[int], strength: set[int]) -> None:
        phase = wk.phase
        if not (phase.cross_training and phase.cross_training_days):
            return
        recovery = {d + 1 for d in wk.run_days} if self.ctx.protocol.runs_with_strength else set()
        busy = wk.run_days | strength
        cands = [i for i in open_days if self.room(wk.day(i)) and i not in busy and i not in recovery]
        kept = self._prior_days(wk, SessionKind.CROSS_TRAINING)
        if kept is not None:
            chosen = tuple(i for i in kept if i in cands or (i in strength and self.room(wk.day(i))))
        else:
            need = max(phase.cross_training_days - self._done_before_seam(wk, SessionKind.CROSS_TRAINING), 0)
            chosen = pick_days(tuple(cands), need, frozenset())
            if len(chosen) < need:  # no free day left: an easy session after strength on a day off running
                spare = [
                    i
                    for i in open_days
                    if i in strength and i not in wk.run_days and i not in recovery and self.room(wk.day(i))
                ]
                chosen += pick_days(tuple(spare), need - len(chosen), frozenset())
        for i in chosen:
            self.add(CrossTrainingSession(date=wk.day(i), minutes=phase.cross_training_minutes, phase=phase.id))

    def _ice_heat(self, wk: WeekDraft, open_days: list[int], strength: set[int]) -> None:
        """Stand-alone ice or heat only where the phase prescribes it, and not on days where it is
        already the after-care (ice) or the warm-up (heat) of another session."""
        mod = self.ctx.protocol.modality
        ice_skip = set(strength) if mod.ice_after_strength else set()
        if wk.phase.id in mod.ice_after_runs_in:
            ice_skip |= wk.run_days
        heat_skip = set(strength) if mod.heat_before_strength else set()
        for kind, phases, skip, minutes in (
            (IceSession, mod.ice_in_phases, ice_skip, mod.ice_minutes),
            (HeatSession, mod.heat_in_phases, heat_skip, mod.heat_minutes),
        ):
            if wk.phase.id not in phases:
                continue
            for i in open_days:
                if i not in skip and self.room(wk.day(i)):
                    self.add(kind(date=wk.day(i), minutes=minutes))

    def _load_test(self, wk: WeekDraft, rest: int) -> None:
        """The weekly tendon load test, on the week's first day with room (before its training)."""
        if self.ctx.protocol.load_test is None:
            return
        for i in range(DAYS):
            if self.room(wk.day(i)):
                self.add(CheckInSession(date=wk.day(i), check=CheckKind.LOAD_TEST))
                return

    def _routine(self, phase: Phase, day: dt.date) -> StrengthSession:
        """The phase's strength routine on a day; an exercise with a spacing rule (hops) only when
        its last session is far enough back."""
        cat = self.ctx.catalog
        mod = self.ctx.protocol.modality
        exercises = []
        targets: list[Target] = []
        for sched in phase.exercises:
            last = self.last_done.get(sched.id)
            if sched.every_days and last is not None and (day - last).days < sched.every_days:
                continue
            ex = cat.exercises[sched.id]
            exercises.append(PlannedExercise(id=ex.id, name=ex.name, dose=sched.dose or ex.dose))
            self.last_done[ex.id] = day
            self.trained.setdefault(ex.id, day)
            if ex.target not in targets:
                targets.append(ex.target)
        return StrengthSession(
            date=day,
            minutes=phase.strength_minutes,
            phase=phase.id,
            targets=tuple(targets),
            exercises=tuple(exercises),
            heat_before=mod.heat_minutes if mod.heat_before_strength else None,
            ice_after=mod.ice_minutes if mod.ice_after_strength else None,
        )
