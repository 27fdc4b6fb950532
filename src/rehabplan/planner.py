"""Turn a PlanRequest and the clinical catalog into a dated Plan.

Pure: no I/O, no clock, no randomness. Every clinical number (ramp factors, ladders, entry stages,
phase lengths, session counts and minutes, referral days) comes from the catalog. Distances are
worked out in whole hundredths of the plan's unit (see progression.py) and only turned into
floats when the Plan is built.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

from . import progression as pg
from .catalog import Catalog
from .errors import PlanningError
from .models import (
    ConditionInfo,
    ExerciseCard,
    Guidance,
    Ladder,
    LadderRules,
    LadderStage,
    Phase,
    PhaseSummary,
    Plan,
    PlannedExercise,
    PlanRequest,
    Protocol,
    ReadinessTest,
    Running,
    Session,
    Unit,
    Week,
    number_text,
)

DAYS = 7

# order of sessions inside one day (slot numbers follow it)
_PRIORITY = {
    "morning_after": 0,
    "readiness": 1,
    "heat": 2,
    "run": 3,
    "walk_run": 3,
    "strength": 4,
    "cross_training": 5,
    "ice": 6,
    "no_improvement": 7,
    "referral": 7,
    "phase_exit": 8,
    "rest": 9,
}


# --------------------------------------------------------------------------- helpers


def _fmt_h(h: int) -> str:
    return number_text(pg.from_hundredths(h))


def _targets_title(targets: list[str]) -> str:
    named = ["stretches" if t == "stretch" else t for t in targets]
    if not named:
        return "Strength"
    if len(named) == 1:
        return f"Strength: {named[0]}"
    return "Strength: " + ", ".join(named[:-1]) + " & " + named[-1]


@dataclass
class _Draft:
    """A session before it gets its slot."""

    date: dt.date
    kind: str
    fields: dict[str, Any]

    @property
    def prio(self) -> int:
        """Its place in the day: by what a check-in checks, else by kind."""
        return _PRIORITY[self.fields.get("check") or self.kind]


@dataclass
class _WeekDraft:
    index: int
    start: dt.date
    phase: Phase
    ramp_week: bool
    hold_week: bool = False
    run_h: int = 0


@dataclass
class _State:
    """Everything the schedule has placed so far."""

    days: dict[dt.date, list[_Draft]] = field(default_factory=dict)
    runs: list[tuple[dt.date, int]] = field(default_factory=list)  # (date, running distance)
    weeks: list[_WeekDraft] = field(default_factory=list)
    last_ladder_run: dt.date | None = None
    phase_spans: list[tuple[Phase, dt.date, dt.date]] = field(default_factory=list)

    def add(self, d: _Draft) -> None:
        self.days.setdefault(d.date, []).append(d)

    def load(self, day: dt.date) -> int:
        return len(self.days.get(day, ()))


class _Planner:
    def __init__(self, request: PlanRequest, catalog: Catalog, target_h: int | None = None) -> None:
        self.req = request
        self.cat = catalog
        self.proto: Protocol = catalog.resolve(request.condition, request.site)
        self.rules = catalog.ramp.ramp
        ladders = {lad.id: lad for lad in catalog.ramp.ladders}
        self.ladder: LadderRules = ladders[self.proto.ladder]
        self.standard: LadderRules = ladders[Ladder.STANDARD]
        self.unit = request.units
        if request.pace_min_per_unit is not None:
            self.pace = request.pace_min_per_unit
        elif self.unit == Unit.MI:
            self.pace = self.rules.default_pace_min_per_mi
        else:
            self.pace = self.rules.default_pace_min_per_km
        self.target_h = pg.to_hundredths(request.mileage) if target_h is None else target_h
        if self.target_h < 1:
            raise PlanningError("the weekly mileage is too small to plan; give at least 0.01.")
        top = self.rules.max_mileage_mi if self.unit == Unit.MI else self.rules.max_mileage_km
        if self.target_h > pg.to_hundredths(top):
            raise PlanningError(
                f"a weekly mileage of {_fmt_h(self.target_h)} {self.unit.value} is above the "
                f"{number_text(top)} {self.unit.value} this planner supports."
            )
        self.cap = self.rules.max_sessions_per_day
        self.text = self.cat.advice.session_text
        self.st = _State()
        self._k = self._start_days()  # run days a week, carried from the ramp into the hold phase
        self.shortest_first = 0  # shortest run of the first ramp week
        self._strength_fields: dict[str, dict[str, Any]] = {}  # by phase id
        self._pain_lines = (
            f"Green: {self.proto.pain_rule.green}",
            f"Amber: {self.proto.pain_rule.amber}",
            f"Red: {self.proto.pain_rule.red}",
        )
        self._anchor_fixed_checkins()

    # ------------------------------------------------------------------ dated check-ins

    def _check_in(self, day: dt.date, check: str, title: str, checklist: tuple[str, ...], details: tuple[str, ...] = ()) -> _Draft:
        return _Draft(day, "check_in", dict(title=title, minutes=0, check=check, checklist=checklist, details=details))

    def _anchor_fixed_checkins(self) -> None:
        start = self.req.start
        no_imp = start + dt.timedelta(days=self.rules.no_improvement_days)
        self.st.add(self._check_in(no_imp, "no_improvement", "Check-in: is it getting better?", (self.cat.safety.no_improvement,)))
        for ref in self.proto.referrals:
            day = start + dt.timedelta(days=ref.after_days)
            if day == no_imp:
                # same day as the no-improvement check-in: one check-in carries both
                first = self.st.days[no_imp][0]
                if ref.action not in first.fields["checklist"]:
                    first.fields["checklist"] += (ref.action,)
                continue
            self.st.add(self._check_in(day, "referral", "Check-in: time for a review?", (ref.action,), (ref.action,)))

    def _phase_exit(self, phase: Phase, day: dt.date) -> _Draft:
        title = f"Check-in: end of {phase.name}"
        return self._check_in(day, "phase_exit", title, tuple(phase.exit_criteria), (self.text.phase_exit,))

    def _readiness(self, day: dt.date) -> _Draft:
        checklist = [f"{t.name}: {t.standard}" for t in self._readiness_tests()]
        checklist.append(f"Pain during the tests at most {self.proto.readiness.pain_max}/10.")
        if self.proto.readiness.note:
            checklist.append(self.proto.readiness.note)
        return self._check_in(day, "readiness", "Check-in: ready to run?", tuple(checklist), (self.text.readiness_intro,))

    def _readiness_tests(self) -> list[ReadinessTest]:
        by_id = {t.id: t for t in self.cat.ramp.readiness_tests}
        return [by_id[t] for t in self.proto.readiness.tests if t in by_id]

    def _morning_after(self, day: dt.date) -> _Draft:
        title = "Check-in: next-morning pain check"
        return self._check_in(day, "morning_after", title, self._pain_lines, (self.text.morning_after,))

    # ------------------------------------------------------------------ day choice

    def _week_loads(self, start: dt.date, extra: dict[int, int]) -> list[int]:
        loads = []
        for i in range(DAYS):
            day = start + dt.timedelta(days=i)
            loads.append(self.st.load(day) + extra.get(i, 0))
        return loads

    def _choose_runs(
        self,
        start: dt.date,
        k: int,
        *,
        extra: dict[int, int],
        ladder: bool,
    ) -> tuple[int, ...] | None:
        """The run days of a week: spacing, day caps and a free rest day all respected."""
        loads = tuple(self._week_loads(start, extra))
        gap = self.ladder.min_rest_days_between_runs + 1 if ladder else 1
        prev = self.st.last_ladder_run if ladder else (self.st.runs[-1][0] if self.st.runs else None)
        since = (start - prev).days if prev is not None else None
        return _best_run_days(loads, k, self.cap, gap, since, ladder)

    # ------------------------------------------------------------------ week filling

    def _open_week(self, phase: Phase, *, ramp_week: bool, hold_week: bool = False) -> _WeekDraft:
        index = len(self.st.weeks) + 1
        start = self.req.start + dt.timedelta(days=DAYS * (index - 1))
        wk = _WeekDraft(index=index, start=start, phase=phase, ramp_week=ramp_week, hold_week=hold_week)
        self.st.weeks.append(wk)
        return wk

    def _close_week(self, wk: _WeekDraft, run_days: set[int], last_of_phase: bool) -> None:
        """Add the phase exit, rest day, strength, cross-training and ice/heat to a week."""
        start = wk.start
        phase = wk.phase
        if last_of_phase:
            self.st.add(self._phase_exit(phase, start + dt.timedelta(days=DAYS - 1)))

        def day(i: int) -> dt.date:
            return start + dt.timedelta(days=i)

        free = [i for i in range(DAYS) if self.st.load(day(i)) == 0 and i not in run_days]
        if not free:
            raise PlanningError("could not keep a full rest day in a week; check the protocol's session counts.")
        rest = free[-1]
        self.st.add(self._rest(day(rest)))
        open_days = [i for i in range(DAYS) if i != rest]
        self._fill_week(wk, run_days, open_days)
        for i in range(DAYS):
            if self.st.load(day(i)) == 0:
                self.st.add(self._rest(day(i)))

    def _rest(self, day: dt.date) -> _Draft:
        return _Draft(
            day,
            "rest",
            dict(
                title="Rest day",
                minutes=0,
                details=(self.text.rest_day,),
            ),
        )

    def _fill_week(self, wk: _WeekDraft, run_days: set[int], open_days: list[int]) -> None:
        start = wk.start
        phase = wk.phase

        def day(i: int) -> dt.date:
            return start + dt.timedelta(days=i)

        def room(i: int) -> bool:
            return self.st.load(day(i)) < self.cap

        mod = self.proto.modality
        strength_days: tuple[int, ...] = ()
        if phase.strength_days and phase.exercises:
            cands = [i for i in open_days if room(i)]
            strength_days = _pick_days(tuple(cands), phase.strength_days, frozenset(run_days))
            for i in strength_days:
                self.st.add(self._strength(phase, day(i)))
        if phase.cross_training and phase.cross_training_days:
            cands = [i for i in open_days if room(i) and i not in strength_days]
            if len(cands) < phase.cross_training_days:
                cands = [i for i in open_days if room(i)]
            for i in _pick_days(tuple(cands), phase.cross_training_days, frozenset(run_days | set(strength_days))):
                self.st.add(
                    _Draft(
                        day(i),
                        "cross_training",
                        dict(
                            title=f"Cross-training {phase.cross_training_minutes} min",
                            minutes=phase.cross_training_minutes,
                            details=(phase.cross_training,),
                        ),
                    )
                )
        # Stand-alone ice or heat only where the phase prescribes it, and not on days where it
        # is already the after-care (ice) or the warm-up (heat) of another session.
        ice_skip = set(strength_days) if mod.ice_after_strength else set()
        if mod.ice_after_runs:
            ice_skip |= run_days
        heat_skip = set(strength_days) if mod.heat_before_strength else set()
        for kind, phases, skip, minutes, lead, safety in (
            ("ice", mod.ice_in_phases, ice_skip, mod.ice_minutes, mod.ice, self.cat.safety.ice_safety),
            ("heat", mod.heat_in_phases, heat_skip, mod.heat_minutes, mod.heat, self.cat.safety.heat_safety),
        ):
            if phase.id not in phases:
                continue
            for i in open_days:
                if i in skip or not room(i):
                    continue
                self.st.add(
                    _Draft(
                        day(i),
                        kind,
                        dict(
                            title=f"{kind.capitalize()} {minutes} min",
                            minutes=minutes,
                            details=(lead, *safety),
                        ),
                    )
                )

    def _ice_aftercare(self) -> str:
        return self.text.ice_after.replace("{minutes}", str(self.proto.modality.ice_minutes))

    def _strength(self, phase: Phase, day: dt.date) -> _Draft:
        fields = self._strength_fields.get(phase.id)
        if fields is None:
            fields = self._strength_fields[phase.id] = self._strength_session(phase)
        return _Draft(day, "strength", dict(fields))

    def _strength_session(self, phase: Phase) -> dict[str, Any]:
        """What every strength session of a phase holds (the same on each of its days)."""
        exercises = []
        targets: list[str] = []
        for sched in phase.exercises:
            ex = self.cat.exercises[sched.id]
            dose = sched.dose or ex.dose
            exercises.append(PlannedExercise(id=ex.id, name=ex.name, dose=dose.text()))
            if ex.target.value not in targets:
                targets.append(ex.target.value)
        mod = self.proto.modality
        details = []
        if mod.heat_before_strength:
            details.append(self.text.heat_before_strength.replace("{minutes}", str(mod.heat_minutes)))
        details.append(self.text.strength_rule)
        return dict(
            title=f"{_targets_title(targets)} · {phase.strength_minutes} min",
            minutes=phase.strength_minutes,
            exercises=tuple(exercises),
            aftercare=self._ice_aftercare() if mod.ice_after_strength else None,
            details=tuple(details),
        )

    # ------------------------------------------------------------------ phases

    def build(self) -> None:
        phases = list(self.proto.phases)
        eff_off = self.req.weeks_off
        for ph in phases:
            if ph.running == Running.LADDER:
                break
            if ph.running == Running.NONE:
                eff_off += ph.weeks
        ready_pending = False
        for ph in phases:
            first_week = len(self.st.weeks)
            if ph.running == Running.NONE:
                for w in range(ph.weeks):
                    wk = self._open_week(ph, ramp_week=False)
                    self._close_week(wk, set(), w == ph.weeks - 1)
            elif ph.running == Running.LADDER:
                stages = self._ladder_stages(eff_off)
                if stages is None:
                    ready_pending = True  # restart without the ladder: test readiness on ramp day 1
                else:
                    self._ladder_phase(ph, stages)
            elif ph.running == Running.RAMP:
                self._ramp_phase(ph, ready_pending)
                ready_pending = False
            else:  # HOLD
                self._hold_phase(ph, self.rules.maintain_weeks)
            if len(self.st.weeks) > first_week:
                start = self.st.weeks[first_week].start
                end = self.st.weeks[-1].start + dt.timedelta(days=DAYS - 1)
                self.st.phase_spans.append((ph, start, end))

    # ladder --------------------------------------------------------------

    def _stage_h(self, stage: LadderStage) -> int:
        minutes = pg.exact(stage.run_min) * stage.reps
        h = minutes * pg.PER_UNIT / pg.exact(self.pace)
        return int(h)  # floor: positive

    def _ladder_rpw(self) -> int:
        return max(1, min(self.ladder.runs_per_week, DAYS // (self.ladder.min_rest_days_between_runs + 1)))

    def _ladder_stages(self, eff_off: int) -> list[LadderStage] | None:
        entries = [e for e in self.cat.ramp.entry if e.min_weeks_off <= eff_off]
        entry = max(entries, key=lambda e: e.min_weeks_off)
        stage_id = entry.tendon if self.proto.ladder == Ladder.TENDON else entry.standard
        if stage_id is None:
            return None
        ids = [s.id for s in self.ladder.stages]
        stages = list(self.ladder.stages[ids.index(stage_id) :])
        rpw = self._ladder_rpw()
        fits = []
        for s in stages:
            if rpw * self._stage_h(s) <= self.target_h:
                fits.append(s)
            else:
                break
        if fits:
            return fits
        first = stages[0]
        # even the entry stage is too much running for the target: fewer repeats, then shorter runs
        max_minutes = Fraction(self.target_h, rpw * pg.PER_UNIT) * pg.exact(self.pace)
        reps = int(max_minutes / pg.exact(first.run_min))
        while reps >= 1:
            cand = first.model_copy(update={"reps": reps})
            if rpw * self._stage_h(cand) <= self.target_h:
                return [cand]
            reps -= 1
        quarter = int(max_minutes * 4)
        while quarter >= 1:
            cand = first.model_copy(update={"reps": 1, "run_min": quarter / 4})
            if rpw * self._stage_h(cand) <= self.target_h and self._stage_h(cand) > 0:
                return [cand]
            quarter -= 1
        return None

    def _ladder_phase(self, ph: Phase, stages: list[LadderStage]) -> None:
        queue = [s for s in stages for _ in range(self.ladder.sessions_per_stage)]
        rpw = self._ladder_rpw()
        first = True
        while queue:
            wk = self._open_week(ph, ramp_week=False)
            if first:
                self.st.add(self._readiness(wk.start))
            chosen: tuple[int, ...] | None = None
            last = False
            for k in range(rpw, 0, -1):
                last = len(queue) <= k
                extra = {DAYS - 1: 1} if last else {}
                chosen = self._choose_runs(wk.start, k, extra=extra, ladder=True)
                if chosen is not None:
                    break
            if chosen is None:
                raise PlanningError("could not place the ladder runs; check the ladder's spacing rules.")
            sessions = queue[: len(chosen)]
            del queue[: len(chosen)]
            while len(sessions) < len(chosen):
                sessions.append(sessions[-1] if sessions else stages[-1])
            for d, stage in zip(chosen, sessions):
                day = wk.start + dt.timedelta(days=d)
                wk.run_h += self._walk_run(day, stage)
                ma = day + dt.timedelta(days=1)
                self.st.add(self._morning_after(ma))
            first = False
            self._close_week(wk, set(chosen), not queue)

    def _walk_run(self, day: dt.date, stage: LadderStage) -> int:
        """Add a ladder session; return its running distance (hundredths)."""
        h = self._stage_h(stage)
        run, walk = number_text(stage.run_min), number_text(stage.walk_min)
        total_run = number_text(stage.run_min * stage.reps)
        if stage.walk_min == 0:
            title = f"Easy run {total_run} min · {stage.session_min} min on feet"
            plan_line = f"Stage {stage.id.upper()}: run {total_run} min without stopping"
        else:
            title = f"Walk/run {run}:{walk} ×{stage.reps} · {stage.session_min} min"
            times = "once" if stage.reps == 1 else f"{stage.reps} times"
            plan_line = f"Stage {stage.id.upper()}: run {run} min, walk {walk} min, {times}"
        if stage.run_min * stage.reps + stage.walk_min * stage.reps < stage.session_min:
            plan_line += f"; walk briskly to make {stage.session_min} min on your feet."
        else:
            plan_line += "."
        details = [
            self.text.ladder_warm_up,
            plan_line,
            self.text.ladder_ground,
        ]
        if stage.note:
            details.append(stage.note)
        fields = dict(run_min=stage.run_min, walk_min=stage.walk_min, reps=stage.reps, stage=stage.id, intensity="easy")
        self._add_run(day, "walk_run", h, title, stage.session_min, details, **fields)
        self.st.last_ladder_run = day
        return h

    def _add_run(self, day: dt.date, kind: str, h: int, title: str, minutes: int, details: list[str], **fields: Any) -> None:
        """A run or walk/run, with what every one carries: the pain rule, ice afterwards where the
        protocol asks for it, and its place in the list of runs."""
        details.append(f"Pain rule: {self.proto.pain_rule.green}")
        aftercare = self._ice_aftercare() if self.proto.modality.ice_after_runs else None
        fields.update(title=title, minutes=minutes, run_distance=pg.from_hundredths(h), aftercare=aftercare, details=tuple(details))
        self.st.add(_Draft(day, kind, fields))
        self.st.runs.append((day, h))

    # continuous running ---------------------------------------------------

    def _longest_before(self, week_start: dt.date) -> int:
        """Longest running session that every run of this week still has in its window."""
        window = self.rules.single_run_window_days
        earliest = week_start + dt.timedelta(days=DAYS - 1 - window)
        return max((h for d, h in self.st.runs if earliest <= d < week_start), default=0)

    def _run_week(
        self, wk: _WeekDraft, want: int, k: int, *, allow_intensity: bool, final: bool
    ) -> tuple[int, list[int], set[int]]:
        """Place the runs of one continuous-running week; return (how many run days, the runs, their days)."""
        longest = self._longest_before(wk.start)
        cap_h = pg.run_cap(longest, self.rules.single_run_cap) if longest else None
        k = max(1, min(k, self.req.run_days))
        while cap_h is not None and k < self.req.run_days and k * cap_h < want:
            k += 1
        total = self._week_total(want, k, cap_h)
        extra = {DAYS - 1: 1} if final and total == self.target_h else {}
        days = None
        for kk in range(k, 0, -1):
            days = self._choose_runs(wk.start, kk, extra=extra, ladder=False)
            if days is not None:
                if kk != k:
                    k = kk
                    total = self._week_total(want, k, cap_h)
                break
        if days is None:
            raise PlanningError("could not place the week's runs; check the protocol's session counts.")
        runs = pg.split_week(total, k, cap_h)
        assert runs is not None
        frac = pg.exact(self.rules.intensity_fraction)
        intense_ok = allow_intensity and total * frac.denominator >= self.target_h * frac.numerator
        hills_ok = self.proto.hills_allowed
        for n, (d, h) in enumerate(zip(days, runs)):
            intensity = "easy"
            if intense_ok and n == 0:
                intensity = "hills" if (hills_ok and not wk.hold_week) else "strides"
            self._run(wk.start + dt.timedelta(days=d), h, intensity, longer=(n == k - 1 and h > runs[0]))
        wk.run_h = total
        return k, runs, set(days)

    def _week_total(self, want: int, k: int, cap_h: int | None) -> int:
        """A week's running for k runs: want, or what k runs within the single-run cap allow."""
        if cap_h is None:
            return pg.equal_split(want, k) * k
        if k * cap_h < want:
            return pg.floor_step_from_one(k * cap_h)
        return want

    def _run(self, day: dt.date, h: int, intensity: str, longer: bool) -> None:
        unit = self.unit.value
        minutes = int(pg.exact(self.pace) * h / pg.PER_UNIT + Fraction(1, 2))
        dist = _fmt_h(h)
        details = [self.text.run_warm_up]
        if intensity == "strides":
            title = f"Run {dist} {unit} with strides"
            details.append(self.text.strides)
        elif intensity == "hills":
            title = f"Run {dist} {unit} with hills"
            details.append(self.text.hills)
        else:
            title = f"Run {dist} {unit} easy"
        if longer:
            details.append(self.text.longer_run)
        self._add_run(day, "run", h, title, max(1, minutes), details, intensity=intensity)

    def _start_days(self) -> int:
        return min(self.req.run_days, self.standard.runs_per_week)

    def _ramp_phase(self, ph: Phase, readiness_first: bool) -> None:
        prev = self.st.weeks[-1].run_h if self.st.weeks and self.st.weeks[-1].run_h else None
        i = 0
        k = self._start_days()
        while True:
            i += 1
            if i > 520:
                raise PlanningError("the ramp did not reach the target; check the ramp rules.")
            hold = i % self.rules.hold_every == 0
            if prev is None:
                want = pg.restart_cap(self.target_h, self.rules.restart_fraction)
                want = max(want, 1)
            elif hold:
                want = prev
            else:
                want = min(self.target_h, pg.weekly_cap(prev, self.rules.weekly_cap))
            if i > 1 and k < self.req.run_days and self.shortest_first and want // (k + 1) >= self.shortest_first:
                k += 1
            wk = self._open_week(ph, ramp_week=True, hold_week=hold)
            if i == 1 and readiness_first:
                self.st.add(self._readiness(wk.start))
            k, runs, run_days = self._run_week(wk, want, k, allow_intensity=hold, final=True)
            if i == 1:
                self.shortest_first = min(runs)
            done = wk.run_h == self.target_h
            self._close_week(wk, run_days, done)
            prev = wk.run_h
            if done:
                break
        self._k = k

    def _hold_phase(self, ph: Phase, weeks: int) -> None:
        k = self._k
        for w in range(weeks):
            if k < self.req.run_days and self.shortest_first and self.target_h // (k + 1) >= self.shortest_first:
                k += 1
            wk = self._open_week(ph, ramp_week=True)
            k, _, run_days = self._run_week(wk, self.target_h, k, allow_intensity=True, final=w == weeks - 1)
            self._close_week(wk, run_days, w == weeks - 1)
        self._k = k



# --------------------------------------------------------------------------- assembly


def _sessions_of(st: _State, start: dt.date) -> tuple[Session, ...]:
    out: list[Session] = []
    for i in range(DAYS):
        day = start + dt.timedelta(days=i)
        drafts = sorted(st.days.get(day, ()), key=lambda d: d.prio)
        for slot, d in enumerate(drafts):
            out.append(Session(date=day, kind=d.kind, slot=slot, **d.fields))  # type: ignore[arg-type]
    return tuple(out)


def _total_weeks(request: PlanRequest, catalog: Catalog, target_h: int) -> int:
    p = _Planner(request, catalog, target_h=target_h)
    p.build()
    return len(p.st.weeks)


def _interim_target(request: PlanRequest, catalog: Catalog, limit: int) -> int | None:
    """The largest whole-unit target whose plan fits in `limit` weeks (None if none does)."""
    hi = int(request.mileage)
    if pg.to_hundredths(hi) >= pg.to_hundredths(request.mileage):
        hi -= 1
    lo = 1
    if hi < lo or _total_weeks(request, catalog, lo * pg.PER_UNIT) > limit:
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _total_weeks(request, catalog, mid * pg.PER_UNIT) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def build_plan(request: PlanRequest, catalog: Catalog) -> Plan:
    """The whole dated plan for a request: phases, weeks, sessions, exercise cards and guidance."""
    planner = _Planner(request, catalog)
    planner.build()
    st = planner.st
    proto = planner.proto
    rules = planner.rules
    unit = request.units.value

    weeks: list[Week] = []
    for wk in st.weeks:
        sessions = _sessions_of(st, wk.start)
        run_h = sum(pg.to_hundredths(s.run_distance) for s in sessions)
        weeks.append(
            Week(
                index=wk.index,
                start=wk.start,
                end=wk.start + dt.timedelta(days=DAYS - 1),
                phase=wk.phase.id,
                phase_name=wk.phase.name,
                running_allowed=wk.phase.running != Running.NONE,
                ramp_week=wk.ramp_week,
                hold_week=wk.hold_week,
                run_distance=pg.from_hundredths(run_h),
                time_on_feet_min=sum(s.minutes for s in sessions if s.kind in ("run", "walk_run")),
                sessions=sessions,
            )
        )

    notes: list[str] = []
    if len(weeks) > rules.long_plan_weeks:
        interim = _interim_target(request, catalog, rules.long_plan_weeks)
        line = (
            f"This plan runs {len(weeks)} weeks, longer than {rules.long_plan_weeks}: have a clinician "
            "review it"
        )
        if interim is not None:
            line += (
                f", or aim first for {interim} {unit} a week, which this plan reaches within "
                f"{rules.long_plan_weeks} weeks."
            )
        else:
            line += "."
        notes.append(line)

    phases = tuple(
        PhaseSummary(
            id=ph.id,
            name=ph.name,
            kind=ph.kind,
            start=start,
            end=end,
            running=ph.running,
            goals=ph.goals,
            exit_criteria=ph.exit_criteria,
            cross_training=ph.cross_training,
        )
        for ph, start, end in st.phase_spans
    )

    # exercise cards: every exercise scheduled, first scheduled dose
    cards: dict[str, ExerciseCard] = {}
    for w in weeks:
        for s in w.sessions:
            for pe in s.exercises:
                if pe.id in cards:
                    continue
                ex = catalog.exercises[pe.id]
                caution = next((c.note for c in ex.caution if c.condition == proto.condition), None)
                cards[pe.id] = ExerciseCard(
                    id=ex.id,
                    name=ex.name,
                    target=ex.target,
                    equipment=tuple(e.value for e in ex.equipment),
                    dose=pe.dose,
                    progression=ex.progression,
                    regression=ex.regression,
                    cues=ex.cues,
                    mistakes=ex.mistakes,
                    caution=caution,
                    pose=ex.pose,
                )

    info = ConditionInfo(
        id=proto.condition,
        site=proto.site,
        name=proto.name,
        where_it_hurts=proto.where_it_hurts,
        knee_region=proto.knee_region,
        causes=proto.causes,
        how_the_plan_helps=proto.how_the_plan_helps,
        cautions=proto.cautions,
        running_modifications=proto.running_modifications,
        red_flags=proto.red_flags,
        referrals=tuple(r.action for r in proto.referrals),
    )

    guidance = _guidance(planner, [catalog.exercises[i] for i in cards])
    title = f"Knee rehab plan: {proto.name}"
    if request.athlete:
        title += f" for {request.athlete}"
    return Plan(
        title=title,
        athlete=request.athlete,
        condition=proto.condition,
        site=proto.site,
        unit=request.units,
        target_weekly_distance=pg.from_hundredths(planner.target_h),
        pace_min_per_unit=planner.pace,
        run_days=request.run_days,
        weeks_off=request.weeks_off,
        start=request.start,
        end=weeks[-1].end,
        notes=tuple(notes),
        info=info,
        phases=phases,
        weeks=tuple(weeks),
        exercises=tuple(cards.values()),
        guidance=guidance,
    )


def _guidance(planner: _Planner, exercises: list[Any]) -> Guidance:
    cat = planner.cat
    proto = planner.proto
    tests = planner._readiness_tests()
    keys: set[str] = set()
    keys.update(proto.sources, proto.pain_rule.sources, proto.modality.sources)
    for ph, _, _ in planner.st.phase_spans:
        keys.update(ph.sources)
    for r in proto.referrals:
        keys.update(r.sources)
    keys.update(cat.ramp.ramp.sources, planner.ladder.sources)
    for t in tests:
        keys.update(t.sources)
    for ex in exercises:
        keys.update(ex.sources)
    keys.update(cat.safety.sources)
    for tier in cat.safety.red_flags:
        keys.update(tier.sources)
    for adv in (*cat.advice.training_mistakes, *cat.advice.recovery):
        keys.update(adv.sources)
    sources = tuple(s for s in cat.sources.sources if s.key in keys)
    return Guidance(
        red_flags=cat.safety.red_flags,
        absolute_stops=cat.safety.absolute_stops,
        no_improvement=cat.safety.no_improvement,
        calendar_line=cat.safety.calendar_line,
        pain_rule=proto.pain_rule,
        ramp_rules=cat.ramp.ramp.rules_in_plain_words,
        ramp_convention=cat.ramp.ramp.convention_note,
        ice=proto.modality.ice,
        heat=proto.modality.heat,
        ice_safety=cat.safety.ice_safety,
        heat_safety=cat.safety.heat_safety,
        medicines=cat.safety.medicines,
        readiness_tests=tuple(tests),
        readiness_note=proto.readiness.note,
        ladder_name=planner.ladder.name,
        ladder_stages=planner.ladder.stages,
        training_mistakes=cat.advice.training_mistakes,
        recovery=cat.advice.recovery,
        disclaimer=cat.safety.disclaimer,
        sources=sources,
    )


def _spacing(days: tuple[int, ...], n: int) -> tuple[int, int]:
    """How evenly n days sit in the week: back-to-back pairs, and the spread of the gaps
    between them (around the week's end too); lower is better."""
    consecutive = sum(1 for a, b in zip(days, days[1:]) if b - a == 1)
    gaps = [b - a for a, b in zip(days, days[1:])] + [DAYS + days[0] - days[-1]]
    return consecutive, sum((g * n - DAYS) ** 2 for g in gaps)


@functools.lru_cache(maxsize=50_000)
def _pick_days(candidates: tuple[int, ...], n: int, avoid: frozenset[int]) -> tuple[int, ...]:
    """n of the candidate days, away from `avoid` days and spread over the week (pure, so kept)."""
    n = min(n, len(candidates))
    if n <= 0:
        return ()
    return min(combinations(candidates, n), key=lambda days: (sum(1 for d in days if d in avoid), *_spacing(days, n), days))


@functools.lru_cache(maxsize=50_000)
def _best_run_days(
    loads: tuple[int, ...], k: int, cap: int, gap: int, since: int | None, ladder: bool
) -> tuple[int, ...] | None:
    """The run days of a week from its day loads (see _Planner._choose_runs).

    `since` is the number of days from the last run (or ladder run) to the week's first day.
    The answer depends on nothing else, and weeks (and the trial plans built to find an
    interim target) repeat the same loads, so answers are kept.
    """
    best: tuple[Any, tuple[int, ...]] | None = None
    for days in combinations(range(DAYS), k):
        if ladder:
            if since is not None and since + days[0] < gap:
                continue
            if any(b - a < gap for a, b in zip(days, days[1:])):
                continue
        busy = list(loads)
        ok = True
        for d in days:
            busy[d] += 1
            if busy[d] > cap:
                ok = False
            if ladder and d + 1 < DAYS:
                busy[d + 1] += 1
                if busy[d + 1] > cap:
                    ok = False
        if not ok:
            continue
        taken = set(days)
        if ladder:
            taken |= {d + 1 for d in days}
        if not any(busy[i] == 0 and i not in taken for i in range(DAYS)):
            continue
        consecutive, spread = _spacing(days, k)
        if since is not None and since + days[0] == 1:
            consecutive += 1
        key_ = (consecutive, spread, days)
        if best is None or key_ < best[0]:
            best = (key_, days)
    return best[1] if best else None
