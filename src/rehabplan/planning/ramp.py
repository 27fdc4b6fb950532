"""Continuous running: the ramp back to the target (at most +10% a week) and the weeks that hold it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from ..catalog.models import Phase
from ..errors import PlanningError
from . import progression as pg
from .days import DAYS
from .schedule import Schedule, WeekDraft
from .sessions import CheckInSession, CheckKind, Intensity, RunSession


@dataclass(frozen=True)
class RunDays:
    """How many runs a week has reached, and the shortest run of the first ramp week: a week
    gains a run day once its runs split that many ways stay at least that long."""

    k: int
    shortest_first: int = 0

    def grown(self, want: int, limit: int) -> RunDays:
        if self.k < limit and self.shortest_first and want // (self.k + 1) >= self.shortest_first:
            return RunDays(self.k + 1, self.shortest_first)
        return self


def ramp_phase(sched: Schedule, ph: Phase, readiness_first: bool) -> RunDays:
    """Weeks of continuous running from the restart volume up to the target."""
    ctx = sched.ctx
    rules = ctx.rules
    prev = sched.weeks[-1].run_h if sched.weeks and sched.weeks[-1].run_h else None
    days = RunDays(ctx.start_days())
    i = 0
    while True:
        i += 1
        if i > 520:
            raise PlanningError("the ramp did not reach the target; check the ramp rules.")
        hold = i % rules.hold_every == 0
        if prev is None:
            want = max(pg.restart_cap(ctx.target_h, rules.restart_fraction), 1)
        elif hold:
            want = prev
        else:
            want = min(ctx.target_h, pg.weekly_cap(prev, rules.weekly_cap))
        if i > 1:
            days = days.grown(want, ctx.request.run_days)
        wk = sched.open_week(ph, ramp_week=True, hold_week=hold)
        if i == 1 and readiness_first:
            sched.add(CheckInSession(date=wk.start, check=CheckKind.READINESS))
        k, runs, run_days = _run_week(sched, wk, want, days.k, allow_intensity=hold, final=True)
        days = RunDays(k, min(runs) if i == 1 else days.shortest_first)
        done = wk.run_h == ctx.target_h
        sched.close_week(wk, run_days, done)
        prev = wk.run_h
        if done:
            return days


def hold_phase(sched: Schedule, ph: Phase, weeks: int, days: RunDays) -> None:
    """Weeks at the target, with intensity allowed."""
    target = sched.ctx.target_h
    for w in range(weeks):
        days = days.grown(target, sched.ctx.request.run_days)
        wk = sched.open_week(ph, ramp_week=True)
        k, _, run_days = _run_week(sched, wk, target, days.k, allow_intensity=True, final=w == weeks - 1)
        days = RunDays(k, days.shortest_first)
        sched.close_week(wk, run_days, w == weeks - 1)


def _longest_before(sched: Schedule, week_start: dt.date) -> int:
    """Longest running session that every run of this week still has in its window."""
    window = sched.ctx.rules.single_run_window_days
    earliest = week_start + dt.timedelta(days=DAYS - 1 - window)
    return max((h for d, h in sched.runs if earliest <= d < week_start), default=0)


def _week_total(want: int, k: int, cap_h: int | None) -> int:
    """A week's running for k runs: want, or what k runs within the single-run cap allow."""
    if cap_h is None:
        return pg.equal_split(want, k) * k
    if k * cap_h < want:
        return pg.floor_step_from_one(k * cap_h)
    return want


def _run_week(
    sched: Schedule, wk: WeekDraft, want: int, k: int, *, allow_intensity: bool, final: bool
) -> tuple[int, list[int], set[int]]:
    """Place the runs of one continuous-running week; return (how many run days, the runs, their days)."""
    ctx = sched.ctx
    longest = _longest_before(sched, wk.start)
    cap_h = pg.run_cap(longest, ctx.rules.single_run_cap) if longest else None
    k = max(1, min(k, ctx.request.run_days))
    while cap_h is not None and k < ctx.request.run_days and k * cap_h < want:
        k += 1
    total = _week_total(want, k, cap_h)
    extra = {DAYS - 1: 1} if final and total == ctx.target_h else {}
    days = None
    for kk in range(k, 0, -1):
        days = sched.choose_runs(wk.start, kk, extra=extra, ladder=False)
        if days is not None:
            if kk != k:
                k = kk
                total = _week_total(want, k, cap_h)
            break
    if days is None:
        raise PlanningError("could not place the week's runs; check the protocol's session counts.")
    runs = pg.split_week(total, k, cap_h)
    assert runs is not None
    frac = pg.exact(ctx.rules.intensity_fraction)
    intense_ok = allow_intensity and total * frac.denominator >= ctx.target_h * frac.numerator
    for n, (d, h) in enumerate(zip(days, runs, strict=True)):
        intensity = Intensity.EASY
        if intense_ok and n == 0:
            intensity = Intensity.HILLS if (ctx.protocol.hills_allowed and not wk.hold_week) else Intensity.STRIDES
        minutes = int(pg.exact(ctx.pace) * h / pg.PER_UNIT + Fraction(1, 2))
        run = RunSession(
            date=wk.day(d),
            minutes=max(1, minutes),
            run_distance=pg.from_hundredths(h),
            intensity=intensity,
            long_run=n == k - 1 and h > runs[0],
            ice_after=sched.ice_after_runs(),
        )
        sched.add_run(run, h)
    wk.run_h = total
    return k, runs, set(days)
