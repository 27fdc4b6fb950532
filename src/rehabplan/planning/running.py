"""The running track of a plan: the walk/run ladder, then the weekly build, then holding the target.

The track moves on by itself from week to week, whatever phase the week belongs to: a runner who
keeps running (shorter) from the first week climbs the ladder while still in the settle phase.
Each week it places its runs; :class:`Track` holds where the runner is, so a plan can also be
continued from any point (re-planning starts from the track as the runner left it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..catalog.models import Running
from ..errors import PlanningError
from . import progression as pg
from .days import DAYS, best_run_days
from .schedule import Mode, Schedule, WeekDraft
from .sessions import Intensity, RunSession, WalkRunSession


@dataclass
class Track:
    """Where the runner is on the running track."""

    mode: Mode  # LADDER, RAMP or HOLD (NONE: not started)
    stage: int = 0  # ladder: index into ctx.stages
    done_at_stage: int = 0
    finals: int = 0  # sessions of the last stage done
    advances: list[dt.date] = field(default_factory=list)
    next_run: dt.date | None = None  # ladder: the next run day of the rhythm
    consolidate: bool = False  # ladder: one more week of the last stage
    prev_h: int | None = None  # the last week's running
    ramp_weeks: int = 0
    k: int = 0  # run days a week in the build
    shortest_first: int = 0
    hold_weeks: int = 0
    hold_until: dt.date | None = None  # no moving up before this day (a clinician check-in comes first)
    next_want: int | None = None  # the build: next week's running, set by a re-plan (hold or step back)

    @property
    def ladder_done(self) -> bool:
        return self.mode != Mode.LADDER


def start_track(sched: Schedule, first_run: dt.date) -> Track:
    """The track as running starts on `first_run`: on the ladder, or straight into the build."""
    ctx = sched.ctx
    if ctx.stages:
        return Track(Mode.LADDER, next_run=first_run)
    return Track(Mode.RAMP, next_run=first_run, k=ctx.start_days())


# --------------------------------------------------------------------------- ladder


def ladder_week(sched: Schedule, wk: WeekDraft, tr: Track) -> None:
    """Place a week of ladder sessions on the ladder's rhythm; move up after good sessions."""
    ctx = sched.ctx
    end = wk.day(DAYS - 1)
    day = max(tr.next_run or wk.start, wk.start, sched.runs_from)
    while day <= end:
        if not _ladder_day_ok(sched, wk, day):
            day += dt.timedelta(days=1)
            continue
        stage = ctx.stages[tr.stage]
        h = stage.run_h
        sched.add_run(
            WalkRunSession(
                date=day,
                minutes=stage.minutes,
                stage=stage.id,
                run_min=stage.run_min,
                walk_min=stage.walk_min,
                reps=stage.reps,
                run_distance=pg.from_hundredths(h),
                ice_after=sched.ice_after_runs(wk.phase),
            ),
            h,
        )
        wk.run_h += h
        wk.run_days.add((day - wk.start).days)
        after_session(sched, tr, day)
        day += dt.timedelta(days=ctx.gap)
        tr.next_run = day
    finished = tr.finals >= ctx.ladder.final_repeats
    if finished and not tr.consolidate and wk.run_h < ctx.ladder_week_h():
        tr.consolidate = True  # a short week at the top: one more week at the last stage first
    elif finished:
        tr.mode = Mode.RAMP
        tr.prev_h = wk.run_h  # the build starts from the week just run (D4: at most 1.10 x that)
        tr.k = ctx.start_days()


def _ladder_day_ok(sched: Schedule, wk: WeekDraft, day: dt.date) -> bool:
    """A ladder run fits on a day: room for it and for the next morning's check, and (where runs
    go with strength) a strength day."""
    if not (sched.room(day) and sched.room(day + dt.timedelta(days=1))):
        return False
    if not sched.keeps_rest_day(wk, {(day - wk.start).days}):
        return False  # the week's last free day stays free (a re-planned week's past may fill the rest)
    if wk.strength_days is not None:
        return (day - wk.start).days in wk.strength_days
    return True


def after_session(sched: Schedule, tr: Track, day: dt.date) -> None:
    """A good session: count it, and move up a stage when the ladder's rules allow."""
    ctx = sched.ctx
    last = len(ctx.stages) - 1
    if tr.stage == last:
        tr.finals += 1
        return
    tr.done_at_stage += 1
    recent = [d for d in tr.advances if (day - d).days < DAYS]
    if tr.hold_until is not None and day < tr.hold_until:
        return  # progression stopped until the clinician check-in
    if tr.done_at_stage >= ctx.ladder.sessions_per_stage and len(recent) < ctx.ladder.max_advances_per_week:
        tr.stage += 1
        tr.done_at_stage = 0
        tr.advances = [*recent, day]


# --------------------------------------------------------------------------- the build


def ramp_week(sched: Schedule, wk: WeekDraft, tr: Track) -> None:
    """One week of the build: at most +10% on the last week (every 4th week flat), up to the target."""
    ctx = sched.ctx
    rules = ctx.rules
    held = tr.hold_until is not None and wk.start < tr.hold_until
    if tr.next_want is not None:  # a re-plan decided this week: hold or one step back
        want, tr.next_want = tr.next_want, None
        hold = True
    elif held and tr.prev_h is not None:  # waiting for the clinician: no progression, no count
        want, hold = tr.prev_h, True
    else:
        tr.ramp_weeks += 1
        hold = tr.ramp_weeks % rules.hold_every == 0
        if tr.prev_h is None:
            want = max(pg.restart_cap(ctx.target_h, rules.restart_fraction), pg.STEP)
        elif hold:
            want = tr.prev_h
        else:
            want = min(ctx.target_h, pg.weekly_cap(tr.prev_h, rules.weekly_cap))
    if tr.ramp_weeks > 1 and not held:
        tr.k = _grown(tr, want, ctx.max_run_days())
    wk.hold_week = hold
    total = _run_week(sched, wk, tr, want, allow_intensity=hold)
    if total > 0:  # a week without runs (a pause after a warning sign) leaves the build where it was
        tr.prev_h = total
    if total >= ctx.target_h:
        tr.mode = Mode.HOLD


def hold_week(sched: Schedule, wk: WeekDraft, tr: Track) -> None:
    """A week at the target, with strides or hills, the long run growing to its usual length."""
    ctx = sched.ctx
    tr.k = _grown(tr, ctx.target_h, ctx.max_run_days())
    # at the target, or (after a week that fell short of it) at most 10% more than that week
    base = ctx.target_h if tr.prev_h is None else min(ctx.target_h, pg.weekly_cap(tr.prev_h, ctx.rules.weekly_cap))
    want = base if tr.next_want is None else tr.next_want
    tr.next_want = None
    # strides or hills only once the phase itself holds the target (not while a strength phase runs on)
    at_target = want == ctx.target_h and wk.phase.running == Running.HOLD
    total = _run_week(sched, wk, tr, want, allow_intensity=at_target)
    if total == 0:  # a pause (a warning sign): not a week held at the target
        return
    tr.prev_h = total
    if tr.prev_h < ctx.target_h:  # stepped back from the target: build up again, then hold afresh
        tr.mode = Mode.RAMP
        tr.hold_weeks = 0
    else:
        tr.hold_weeks += 1


def long_run_reached(sched: Schedule) -> bool:
    """The last week's longest run is the runner's usual long run."""
    week = sched.weeks[-1]
    runs = [h for d, h in sched.runs if week.start <= d <= week.day(DAYS - 1)]
    return bool(runs) and max(runs) >= sched.ctx.long_h


def _grown(tr: Track, want: int, limit: int) -> int:
    """A week gains a run day once its runs, split one more way, stay as long as the first week's shortest."""
    k = max(1, min(tr.k, limit))
    if k < limit and tr.shortest_first and want // (k + 1) >= tr.shortest_first:
        k += 1
    return k


def _longest_before(sched: Schedule, week_start: dt.date) -> int:
    """Longest running session that every run of this week still has in its window."""
    window = sched.ctx.rules.single_run_window_days
    earliest = week_start + dt.timedelta(days=DAYS - 1 - window)
    return max((h for d, h in sched.runs if earliest <= d < week_start), default=0)


def _run_days(
    sched: Schedule, wk: WeekDraft, k: int, *, final: bool, earliest: dt.date | None
) -> tuple[int, ...] | None:
    """k run days: spread out, with room for each run and its next-morning check, a day kept
    free, none before `earliest` (the first run after the readiness tests)."""
    ctx = sched.ctx
    loads = [sched.load(wk.day(i)) for i in range(DAYS)]
    if earliest is not None:
        for i in range(min(max((earliest - wk.start).days, 0), DAYS)):
            loads[i] = ctx.cap  # no room: too soon after the readiness tests
    if final:
        loads[DAYS - 1] += 1  # the phase check on the week's last day
    training = tuple(sched.trains(wk.day(i)) for i in range(DAYS))
    gap = 2 if ctx.protocol.every_other_day else 1
    prev = sched.last_run
    since = (wk.start - prev).days if prev is not None else None
    allowed = wk.strength_days
    for kk in range(k, 0, -1):
        days = best_run_days(tuple(loads), training, kk, ctx.cap, gap, since)
        if days is not None and (allowed is None or set(days) <= set(allowed)) and sched.keeps_rest_day(wk, set(days)):
            return days
        if allowed is not None:
            fit = tuple(d for d in allowed if _fits(loads, d, ctx.cap))
            if len(fit) >= kk and sched.keeps_rest_day(wk, set(fit[:kk])):
                return fit[:kk]
    return None


def _fits(loads: list[int], d: int, cap: int) -> bool:
    return loads[d] + 1 <= cap and (d + 1 >= DAYS or loads[d + 1] + 1 <= cap)


def _run_week(sched: Schedule, wk: WeekDraft, tr: Track, want: int, *, allow_intensity: bool) -> int:
    """Place a continuous-running week of (at most) `want`; return its total."""
    ctx = sched.ctx
    longest = _longest_before(sched, wk.start)
    cap_h = pg.run_cap(longest, ctx.rules.single_run_cap) if longest else None
    k = max(1, min(tr.k or ctx.start_days(), ctx.max_run_days(), want // pg.PER_UNIT))  # runs of a unit or more
    while cap_h is not None and k < ctx.max_run_days() and k * cap_h < want:
        k += 1
    earliest = max(tr.next_run or sched.seam, sched.seam, sched.runs_from)
    done = [h for d, h in sched.runs if wk.start <= d < earliest]  # already run this week (re-planning)
    if done:  # the runs already done this week count for the single-run cap too
        longest = max(longest, *done)
        cap_h = pg.run_cap(longest, ctx.rules.single_run_cap)
        want -= sum(done)
        k = max(1, k - len(done))
        if want <= 0:
            wk.run_h = sum(done)
            return wk.run_h
    days = _run_days(sched, wk, k, final=False, earliest=earliest)
    if days is None and earliest > wk.start:  # the week's first days are rest days (or the past)
        wk.run_h = sum(done)
        return wk.run_h
    if days is None:
        raise PlanningError("could not place the week's runs; check the protocol's session counts.")
    k = len(days)
    long_goal = None
    start = pg.exact(ctx.rules.long_run_from)
    if want * start.denominator >= ctx.target_h * start.numerator and k > 1 and cap_h is not None:
        long_goal = pg.floor_step(ctx.long_h * want // ctx.target_h)
    runs = pg.split_runs(want, k, cap_h, long_goal) if want > 0 else []
    if 0 in runs:  # too little to share out: fewer, longer runs (still under the cap)
        pairs = [(d, h) for d, h in zip(days, runs, strict=True) if h > 0]
        days, runs = tuple(d for d, _ in pairs), [h for _, h in pairs]
    if not runs:
        wk.run_h = sum(done)
        return wk.run_h
    if tr.ramp_weeks == 1 and tr.mode == Mode.RAMP and not tr.shortest_first:
        tr.shortest_first = min(runs)
    tr.k = k
    frac = pg.exact(ctx.rules.intensity_fraction)
    total = sum(runs)
    intense = allow_intensity and total * frac.denominator >= ctx.target_h * frac.numerator
    for n, (d, h) in enumerate(zip(days, runs, strict=True)):
        intensity = Intensity.EASY
        if intense and n == 0:
            hills = ctx.protocol.hills_allowed and not wk.hold_week
            intensity = Intensity.HILLS if hills else Intensity.STRIDES
        sched.add_run(
            RunSession(
                date=wk.day(d),
                minutes=ctx.run_minutes(h),
                run_distance=pg.from_hundredths(h),
                intensity=intensity,
                long_run=long_goal is not None and n == k - 1 and h > max(runs[:-1], default=0),
                ice_after=sched.ice_after_runs(wk.phase),
            ),
            h,
        )
        wk.run_days.add(d)
    wk.run_h = total + sum(done)
    return wk.run_h
