"""The walk/run (or tendon) ladder: where a runner enters it, and its weeks."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from ..catalog.models import Ladder, LadderStage, Phase
from ..errors import PlanningError
from . import progression as pg
from .days import DAYS
from .schedule import Context, Schedule
from .sessions import CheckInSession, CheckKind, WalkRunSession


def stage_h(ctx: Context, stage: LadderStage) -> int:
    """The running part of one session of a stage, in hundredths of the unit (rounded down)."""
    minutes = pg.exact(stage.run_min) * stage.reps
    return int(minutes * pg.PER_UNIT / pg.exact(ctx.pace))


def runs_per_week(ctx: Context) -> int:
    """Ladder sessions a week, as many as the spacing between them allows."""
    lad = ctx.ladder
    return max(1, min(lad.runs_per_week, DAYS // (lad.min_rest_days_between_runs + 1)))


def entry_stages(ctx: Context, weeks_off: int) -> list[LadderStage] | None:
    """The ladder stages a runner goes through after `weeks_off` weeks without running; None
    when they restart continuous running without a ladder.

    Stages whose weekly running would pass the target are left out; when even the entry stage
    is too much, it is shortened (fewer repeats, then shorter runs).
    """
    entries = [e for e in ctx.catalog.ramp.entry if e.min_weeks_off <= weeks_off]
    entry = max(entries, key=lambda e: e.min_weeks_off)
    stage_id = entry.tendon if ctx.protocol.ladder == Ladder.TENDON else entry.standard
    if stage_id is None:
        return None
    ids = [s.id for s in ctx.ladder.stages]
    stages = list(ctx.ladder.stages[ids.index(stage_id) :])
    rpw = runs_per_week(ctx)
    fits = []
    for s in stages:
        if rpw * stage_h(ctx, s) > ctx.target_h:
            break
        fits.append(s)
    if fits:
        return fits
    first = stages[0]
    max_minutes = Fraction(ctx.target_h, rpw * pg.PER_UNIT) * pg.exact(ctx.pace)
    reps = int(max_minutes / pg.exact(first.run_min))
    while reps >= 1:
        cand = first.model_copy(update={"reps": reps})
        if rpw * stage_h(ctx, cand) <= ctx.target_h:
            return [cand]
        reps -= 1
    quarter = int(max_minutes * 4)
    while quarter >= 1:
        cand = first.model_copy(update={"reps": 1, "run_min": quarter / 4})
        if rpw * stage_h(ctx, cand) <= ctx.target_h and stage_h(ctx, cand) > 0:
            return [cand]
        quarter -= 1
    return None


def ladder_phase(sched: Schedule, ph: Phase, stages: list[LadderStage]) -> None:
    """The ladder's weeks: each stage done `sessions_per_stage` times, readiness tests first."""
    ctx = sched.ctx
    queue = [s for s in stages for _ in range(ctx.ladder.sessions_per_stage)]
    rpw = runs_per_week(ctx)
    first = True
    while queue:
        wk = sched.open_week(ph, ramp_week=False)
        if first:
            sched.add(CheckInSession(date=wk.start, check=CheckKind.READINESS))
        chosen: tuple[int, ...] | None = None
        for k in range(rpw, 0, -1):
            extra = {DAYS - 1: 1} if len(queue) <= k else {}
            chosen = sched.choose_runs(wk.start, k, extra=extra, ladder=True)
            if chosen is not None:
                break
        if chosen is None:
            raise PlanningError("could not place the ladder runs; check the ladder's spacing rules.")
        todo = queue[: len(chosen)]
        del queue[: len(chosen)]
        while len(todo) < len(chosen):
            todo.append(todo[-1] if todo else stages[-1])
        for d, stage in zip(chosen, todo, strict=True):
            day = wk.day(d)
            wk.run_h += _walk_run(sched, day, stage)
            sched.add(CheckInSession(date=day + dt.timedelta(days=1), check=CheckKind.MORNING_AFTER))
        first = False
        sched.close_week(wk, set(chosen), not queue)


def _walk_run(sched: Schedule, day: dt.date, stage: LadderStage) -> int:
    """Add a ladder session; return its running distance (hundredths)."""
    h = stage_h(sched.ctx, stage)
    session = WalkRunSession(
        date=day,
        minutes=stage.session_min,
        stage=stage.id,
        run_min=stage.run_min,
        walk_min=stage.walk_min,
        reps=stage.reps,
        run_distance=pg.from_hundredths(h),
        ice_after=sched.ice_after_runs(),
    )
    sched.add_run(session, h)
    sched.last_ladder_run = day
    return h
