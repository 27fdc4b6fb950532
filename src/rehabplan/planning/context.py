"""What a plan holds fixed while it is built: the request, the clinical rules it uses, and the
ladder sized to the runner (D4).

The ladder's weekly time on feet is the condition's restart share of the runner's usual weekly
running time (mileage x easy pace). Sessions come every other day (the tendon ladder every third
day), each of the same length, 20-45 minutes; only the split between running and walking
changes from stage to stage, so time on feet never grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..catalog.loading import Catalog
from ..catalog.models import Ladder, LadderRules, LadderStage, Phase, Protocol, RampRules, ReadinessTest, Running
from ..errors import InputError
from . import progression as pg
from .days import DAYS
from .request import PlanRequest, Unit


@dataclass(frozen=True)
class SizedStage:
    """A ladder stage as this runner does it: `reps` x (run, walk) within `minutes` on feet."""

    id: str
    run_min: float
    walk_min: float
    reps: int
    minutes: int
    run_h: int  # the running part of one session, in hundredths of the unit (rounded down)
    note: str | None

    @property
    def bout(self) -> float:
        """The longest stretch of running in a session, in minutes."""
        return self.run_min


@dataclass(frozen=True)
class Context:
    """The request and the rules a plan is built from, with the derived numbers every step uses."""

    request: PlanRequest
    catalog: Catalog
    protocol: Protocol
    rules: RampRules
    ladder: LadderRules
    pace: Fraction  # easy pace, minutes per unit
    target_h: int  # the weekly target, in hundredths of the unit
    long_h: int  # the usual long run the plan ends with
    session_min: int  # a ladder session's time on feet
    stages: tuple[SizedStage, ...]  # the ladder from the runner's entry stage (empty: no ladder)
    pre_weeks: tuple[tuple[str, int], ...]  # length of each phase before the ladder, by phase id
    running_from_start: bool  # the runner keeps running (shorter) from the first week

    @classmethod
    def of(cls, request: PlanRequest, catalog: Catalog, target_h: int | None = None) -> Context:
        protocol = catalog.resolve(request.condition, request.site)
        rules = catalog.ramp.ramp
        ladders = {lad.id: lad for lad in catalog.ramp.ladders}
        ladder = ladders[protocol.ladder]
        if request.pace_min_per_unit is not None:
            pace = pg.exact(request.pace_min_per_unit)
        elif request.units == Unit.MI:
            pace = pg.exact(rules.default_pace_min_per_mi)
        else:
            pace = pg.exact(rules.default_pace_min_per_km)
        target = pg.floor_step(pg.to_hundredths(request.mileage)) if target_h is None else target_h
        least, top = rules.mileage_limits(request.units.value)
        if target < pg.to_hundredths(least) or target > pg.to_hundredths(top):
            raise InputError(
                f"{{field}} {pg.from_hundredths(target):g} is outside what this planner supports "
                f"({least:g} to {top:g} {request.units.value} a week).",
                "mileage",
            )
        long_h = _long_run(request, rules, target)
        pre = _pre_weeks(protocol, request.weeks_off)
        weeks_off = request.weeks_off + sum(w for _, w in pre)
        keep = protocol.keep_running and request.can_run > 0
        share = pg.exact(protocol.restart_share or rules.restart_share)
        per_week = Fraction(DAYS, ladder.min_rest_days_between_runs + 1)
        weekly_minutes = share * target * pace / pg.PER_UNIT
        session = int(weekly_minutes / per_week)
        session = max(ladder.session_min_minutes, min(ladder.session_max_minutes, session))
        # the last stage runs at least one whole unit, so its runs can grow in 10% steps of 0.1
        session = min(ladder.session_max_minutes, max(session, math.ceil(pace)))
        ctx = cls(
            request=request,
            catalog=catalog,
            protocol=protocol,
            rules=rules,
            ladder=ladder,
            pace=pace,
            target_h=target,
            long_h=long_h,
            session_min=session,
            stages=(),
            pre_weeks=pre,
            running_from_start=keep,
        )
        stages: list[SizedStage] = []
        if request.can_run < rules.no_ladder_minutes:
            stages = ctx._ladder_from(_entry_index(catalog, protocol, ladder, 0 if keep else weeks_off))
            stages = ctx._from_can_run(stages, request.can_run)
        return cls(**{**ctx.__dict__, "stages": tuple(stages)})

    # ------------------------------------------------------------------ sizing

    @property
    def cap(self) -> int:
        """Most sessions in one day."""
        return self.rules.max_sessions_per_day

    @property
    def gap(self) -> int:
        """Days from one ladder run to the next."""
        return self.ladder.min_rest_days_between_runs + 1

    def minutes_h(self, minutes: float | Fraction) -> int:
        """Running minutes at easy pace as a distance, in hundredths (rounded down)."""
        return int(Fraction(minutes) * pg.PER_UNIT / self.pace)

    def _tenths(self, minutes: Fraction) -> int:
        """A session's running part as the distance a runner reads: down to 0.1 of the unit."""
        return pg.floor_step(self.minutes_h(minutes))

    def run_minutes(self, h: int) -> int:
        """About how long a run of h hundredths takes at easy pace (at least a minute)."""
        return max(1, int(self.pace * h / pg.PER_UNIT + Fraction(1, 2)))

    def max_run_days(self) -> int:
        """Run days a week at most: the runner's choice, fewer where runs must be spaced out."""
        days = self.request.run_days
        if self.protocol.every_other_day or self.protocol.runs_with_strength:
            days = min(days, 3)
        return days

    def start_days(self) -> int:
        """Run days a week when the build starts: the ladder's rhythm, or three."""
        return min(self.max_run_days(), self.sessions_per_week_max() if self.stages else 3)

    def sessions_per_week_max(self) -> int:
        """The most ladder sessions a week can hold at the ladder's rhythm."""
        return math.ceil(DAYS / self.gap)

    def ladder_week_h(self) -> int:
        """A week of the ladder's last stage, averaged over the rhythm (e.g. 3.5 sessions)."""
        if not self.stages:
            return 0
        return pg.floor_step(int(self.stages[-1].run_h * Fraction(DAYS, self.gap)))

    def _size(self, stage: LadderStage) -> SizedStage | None:
        s = self.session_min
        if stage.continuous:
            run, walk, reps = float(s), 0.0, 1
        elif stage.reps is not None:
            run, walk, reps = stage.run_min, stage.walk_min, stage.reps
            if run * reps >= s:
                return None  # as long as the session: the continuous stage covers it
        else:
            run, walk = stage.run_min, stage.walk_min
            reps = int(s // (run + walk))
            if reps < 1:
                return None
        return SizedStage(stage.id, run, walk, reps, s, self._tenths(Fraction(str(run)) * reps), stage.note)

    def _ladder_from(self, index: int) -> list[SizedStage]:
        """The sized stages from `index` on that fit the target (a small target ends the ladder early)."""
        most = self.sessions_per_week_max()
        out: list[SizedStage] = []
        for stage in self.ladder.stages[index:]:
            sized = self._size(stage)
            if sized is None:
                continue
            if most * sized.run_h > self.target_h:
                break
            out.append(sized)
        if out:
            return out
        return self._shortened(self.ladder.stages[index], most)

    def _shortened(self, stage: LadderStage, most: int) -> list[SizedStage]:
        """The entry stage cut to fit a small target: fewer repeats, then shorter runs."""
        first = self._size(stage) or self._size(self.ladder.stages[-1])
        assert first is not None
        for reps in range(first.reps - 1, 0, -1):
            h = self._tenths(Fraction(str(first.run_min)) * reps)
            if most * h <= self.target_h:
                return [SizedStage(first.id, first.run_min, first.walk_min, reps, first.minutes, h, first.note)]
        quarter = int(first.run_min * 4)
        while quarter >= 1:
            h = self._tenths(Fraction(quarter, 4))
            if 0 < most * h <= self.target_h:
                return [SizedStage(first.id, quarter / 4, first.walk_min, 1, first.minutes, h, first.note)]
            quarter -= 1
        return []

    def _from_can_run(self, stages: list[SizedStage], can_run: int) -> list[SizedStage]:
        """Skip the stages a runner already does: those whose longest run is within what they can run."""
        if can_run <= 0 or not stages:
            return stages
        done = [i for i, s in enumerate(stages) if s.bout <= can_run]
        return stages[done[-1] :] if done else stages

    def phase(self, running: Running) -> Phase | None:
        return next((p for p in self.protocol.phases if p.running == running), None)

    def readiness_tests(self) -> list[ReadinessTest]:
        """The protocol's ready-to-run tests, in its order."""
        by_id = {t.id: t for t in self.catalog.ramp.readiness_tests}
        return [by_id[t] for t in self.protocol.readiness.tests if t in by_id]


def _long_run(request: PlanRequest, rules: RampRules, target: int) -> int:
    """The usual long run: the runner's, else a share of the week, longer than an even split."""
    if request.long_run is not None:  # the runner's own, scaled when the plan aims lower first
        wanted = pg.to_hundredths(request.long_run) * target // pg.to_hundredths(request.mileage)
    else:
        share = pg.scale_down(target, rules.long_run_fraction)
        even_plus = target * 6 // (5 * request.run_days)  # 20% above an even split
        wanted = max(share, even_plus)
    return max(pg.floor_step(wanted), pg.STEP)


def _pre_weeks(protocol: Protocol, weeks_off: int) -> tuple[tuple[str, int], ...]:
    """Each phase before the ladder, shortened by the weeks the runner has already spent off
    running (never below the phase's minimum)."""
    out = []
    left = weeks_off
    for ph in protocol.phases:
        if ph.running != Running.NONE:
            break
        served = min(left, ph.weeks - ph.min_weeks)
        left -= served
        out.append((ph.id, ph.weeks - served))
    return tuple(out)


def _entry_index(catalog: Catalog, protocol: Protocol, ladder: LadderRules, weeks_off: int) -> int:
    """The ladder stage a runner starts on after `weeks_off` weeks without running."""
    entries = [e for e in catalog.ramp.entry if e.min_weeks_off <= weeks_off]
    entry = max(entries, key=lambda e: e.min_weeks_off)
    stage_id = entry.tendon if protocol.ladder == Ladder.TENDON else entry.standard
    return [s.id for s in ladder.stages].index(stage_id)
