"""Re-planning from what the runner logged (D5): the past stays, pain decides what comes next.

Days before `today` keep the sessions they had, with what was logged about them. From `today`
on, the plan is built again from where the runner actually is, after the condition's traffic
light: an amber day repeats the step, a red day steps back one stage (or one week of the build)
after two rest days, two red days within 14 days or a warning sign bring a clinician check-in
and stop progression until it is logged done, missed sessions are not counted as done, and a
phase that was green throughout with its exit criteria logged met ends early.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..catalog.loading import Catalog
from ..catalog.models import PainRule, Phase, Running
from . import progression as pg
from .build import Cursor, assemble, run_phases
from .checkins import CheckIn, Light, latest_by_day, worst
from .context import Context
from .days import DAYS
from .plan import Change, ChangeKind, Plan, Revision
from .running import Track, after_session
from .schedule import Mode, Schedule, WeekDraft
from .sessions import CheckInSession, CheckKind, RunSession, Session, StrengthSession, WalkRunSession

#: Two red days within this many days bring a clinician check-in.
RED_WINDOW_DAYS = 14
#: Rest days after a red day before the next run.
REST_AFTER_RED = 2
#: Days without running after a warning sign, until a clinician has cleared the knee.
WARNING_PAUSE_DAYS = 7


@dataclass(frozen=True)
class _Past:
    """The previous plan before the seam, with what was logged."""

    sessions: list[Session]
    log: dict[dt.date, CheckIn]
    done_runs: list[tuple[dt.date, int, RunSession | WalkRunSession]]  # runs and walk/runs actually done
    next_stage: str | None  # the ladder stage the previous plan had next, from the seam on


def replan(previous: Plan, catalog: Catalog, checkins: Sequence[CheckIn], today: dt.date, stamp: dt.datetime) -> Plan:
    """The next revision of `previous`, planned anew from `today` after what was logged."""
    ctx = Context.of(previous.request, catalog)
    start = previous.request.start
    seam = max(today, start)
    log = latest_by_day(c for c in checkins if c.date <= today)
    logged_before = {c.date: c for c in previous.log}
    fresh = [c for d, c in log.items() if logged_before.get(d) != c]
    visits = [s.date for s in previous.sessions() if isinstance(s, CheckInSession) and s.check == CheckKind.CLINICIAN]
    awaiting = bool(visits) and not any(c.cleared and c.date >= min(visits) for c in log.values())
    if not awaiting and all(_as_planned(c, ctx.protocol.pain_rule) for c in fresh):
        # nothing new that changes the plan: the same sessions, so no calendar event moves
        return previous.model_copy(
            update={
                "revision": _revision(previous, stamp, seam, ()),
                "log": tuple(sorted(log.values(), key=lambda c: c.date)),
            }
        )
    past = _past(previous, log, seam)
    rule = ctx.protocol.pain_rule
    changes: list[Change] = []

    sched = Schedule(ctx, seam=seam)
    week_end = start + dt.timedelta(days=DAYS * ((seam - start).days // DAYS + 1))  # end of the seam's week
    for s in previous.sessions():
        if seam <= s.date < week_end:
            sched.prior.setdefault(s.date, []).append(s)
    for s in past.sessions:
        sched.add(s)
    sched.runs = [(d, h) for d, h, _ in past.done_runs]
    for s in past.sessions:
        if isinstance(s, StrengthSession):
            for ex in s.exercises:
                sched.trained.setdefault(ex.id, s.date)
                sched.last_done[ex.id] = s.date
    for s in _fixed_checkins(ctx, seam):
        sched.add(s)
    for d, _, _ in past.done_runs:  # the next-morning check of yesterday's run falls on the seam
        if d + dt.timedelta(days=1) == seam:
            sched.add(CheckInSession(date=seam, check=CheckKind.MORNING_AFTER))

    seam_week = (seam - start).days // DAYS
    phases = {ph.id: ph for ph in ctx.protocol.phases}
    prev_weeks = previous.weeks
    for w in prev_weeks[:seam_week]:
        mode = _mode_of(w, phases[w.phase])
        sched.weeks.append(
            WeekDraft(w.index, w.start, phases[w.phase], mode, hold_week=w.hold_week, run_h=_done_in(past, w.start))
        )
    current = prev_weeks[min(seam_week, len(prev_weeks) - 1)].phase
    order = [ph.id for ph in ctx.protocol.phases]
    cur = Cursor(phase=order.index(current))
    cur.in_phase = sum(1 for w in prev_weeks[:seam_week] if w.phase == current)
    cur.started_at = seam_week - cur.in_phase
    cur.pre_left = {
        p.id: sum(1 for w in prev_weeks if w.phase == p.id) for p in ctx.protocol.phases if p.running == Running.NONE
    }
    for span in previous.phases:
        if span.id != current and order.index(span.id) < cur.phase:
            sched.phase_spans.append((phases[span.id], span.start, span.end))

    cur.track = _track(ctx, sched, previous, past, seam, seam_week, current, log)
    recent = [(d, c.light(rule)) for d, c in log.items() if (seam - d).days <= RED_WINDOW_DAYS]
    last_light = _last_light(past, log, rule)
    acted_on = previous.revision.seam
    if last_light is not None and acted_on is not None and last_light[0] < acted_on:
        last_light = None  # the last revision already held or stepped back for that day
    red_days = [d for d, c in log.items() if c.light(rule) == Light.RED]
    if red_days:  # two rest days after a red day, whatever comes next
        sched.runs_from = max(red_days) + dt.timedelta(days=REST_AFTER_RED + 1)
    if cur.track is not None:
        changes += _apply_light(ctx, sched, cur.track, past, last_light, seam, seam_week)
    changes += _clinician(ctx, sched, cur, previous, log, recent, seam)
    changes += _moved_on(ctx, cur, phases[current], previous, log, rule, seam, seam_week)
    changes += [Change(kind=ChangeKind.MISSED, date=d) for d, c in sorted(log.items()) if c.missed and d < seam][-1:]

    run_phases(sched, cur)
    plan = assemble(ctx, sched, previous.request, catalog)
    weeks_from, weeks_to = len(previous.weeks), len(plan.weeks)
    if weeks_from != weeks_to:
        changes.append(Change(kind=ChangeKind.LENGTH, date=seam, weeks_from=weeks_from, weeks_to=weeks_to))
    revision = _revision(previous, stamp, seam, tuple(changes))
    return plan.model_copy(update={"revision": revision, "log": tuple(sorted(log.values(), key=lambda c: c.date))})


def _revision(previous: Plan, stamp: dt.datetime, seam: dt.date, changes: tuple[Change, ...]) -> Revision:
    return Revision(
        plan_id=previous.revision.plan_id,
        number=previous.revision.number + 1,
        stamp=max(stamp, previous.revision.stamp + dt.timedelta(seconds=1)),
        seam=seam,
        changes=changes,
        events=previous.revision.events,
    )


def _as_planned(c: CheckIn, rule: PainRule) -> bool:
    """A day that went as the plan assumed: green or unscored, done, nothing else to report."""
    benign_light = c.light(rule) in (None, Light.GREEN)
    return benign_light and not (c.missed or c.criteria_met or c.red_flag or c.cleared)


# --------------------------------------------------------------------------- the past


def _past(previous: Plan, log: dict[dt.date, CheckIn], seam: dt.date) -> _Past:
    sessions = [s for s in previous.sessions() if s.date < seam]
    done = [
        (s.date, pg.to_hundredths(s.run_distance), s)
        for s in sessions
        if isinstance(s, (RunSession, WalkRunSession)) and not (s.date in log and log[s.date].missed)
    ]
    ahead = (s.stage for s in previous.sessions() if s.date >= seam and isinstance(s, WalkRunSession))
    return _Past(sessions, log, done, next(ahead, None))


def _done_in(past: _Past, week_start: dt.date) -> int:
    end = week_start + dt.timedelta(days=DAYS)
    return sum(h for d, h, _ in past.done_runs if week_start <= d < end)


def _mode_of(week: object, phase: Phase) -> Mode:
    if not getattr(week, "running_allowed", False):
        return Mode.NONE
    if not getattr(week, "ramp_week", False):
        return Mode.LADDER
    return Mode.HOLD if phase.running == Running.HOLD else Mode.RAMP


def _fixed_checkins(ctx: Context, seam: dt.date) -> list[Session]:
    """The dated review points still to come."""
    probe = Schedule(ctx)
    probe.anchor_fixed_checkins()
    return [s for day, items in sorted(probe.days.items()) if day >= seam for s in items]


def _last_light(past: _Past, log: dict[dt.date, CheckIn], rule: object) -> tuple[dt.date, Light] | None:
    """The most recent logged day with a traffic light (a scored day, swelling or a warning sign)."""
    from ..catalog.models import PainRule

    assert isinstance(rule, PainRule)
    for d in sorted(log, reverse=True):
        light = log[d].light(rule)
        if light is not None:
            return d, light
    return None


# --------------------------------------------------------------------------- the track


def _track(
    ctx: Context,
    sched: Schedule,
    previous: Plan,
    past: _Past,
    seam: dt.date,
    seam_week: int,
    current: str,
    log: dict[dt.date, CheckIn],
) -> Track | None:
    """Where the runner is on the running track: the ladder replayed from the sessions actually
    done and how each went (green moves up, amber repeats, red steps back after rest days)."""
    started = any(w.running_allowed for w in previous.weeks[: seam_week + 1])
    if not started:
        return None
    ladder_done = [(d, s) for d, _, s in past.done_runs if isinstance(s, WalkRunSession)]
    runs_done = [(d, h) for d, h, s in past.done_runs if isinstance(s, RunSession)]
    week = previous.weeks[min(seam_week, len(previous.weeks) - 1)]
    in_ladder = not runs_done and ((week.running_allowed and not week.ramp_week) or bool(ctx.stages))
    if in_ladder and ctx.stages:
        ids = [s.id for s in ctx.stages]
        tr = Track(Mode.LADDER, next_run=seam)
        rule = ctx.protocol.pain_rule
        stepped_back = False
        for d, s in ladder_done:
            assert isinstance(s, WalkRunSession)
            idx = ids.index(s.stage) if s.stage in ids else 0
            # the plan's own stages hold until a red day; after it the ladder climbs again from
            # where the red day put it (the stages planned before it assumed no red day)
            if idx != tr.stage and not stepped_back:
                tr.stage, tr.done_at_stage = idx, 0
            light = log[d].light(rule) if d in log else None
            if light == Light.RED:
                stepped_back = True
                idx = tr.stage if idx > tr.stage else idx
                tr.stage, tr.done_at_stage, tr.finals = max(0, idx - 1), 0, 0
                tr.next_run = max(seam, d + dt.timedelta(days=REST_AFTER_RED + 1))
            elif light != Light.AMBER:  # green, or not logged: done as planned
                after_session(sched, tr, d)
        if ladder_done:
            tr.next_run = max(tr.next_run or seam, seam, ladder_done[-1][0] + dt.timedelta(days=ctx.gap))
            if tr.finals >= ctx.ladder.final_repeats:
                tr.mode = Mode.RAMP
                tr.prev_h = (
                    min(_last_full_week(past, previous.request.start, seam_week) or 0, ctx.ladder_week_h()) or None
                )
                tr.k = ctx.start_days()
        return tr
    tr = Track(Mode.HOLD if _phase_running(ctx, current) == Running.HOLD else Mode.RAMP, next_run=seam)
    tr.prev_h = _last_full_week(past, previous.request.start, seam_week) or None
    seam_week_h = (
        pg.to_hundredths(previous.weeks[seam_week].run_distance) if seam_week < len(previous.weeks) else ctx.target_h
    )
    if tr.mode == Mode.HOLD and min(tr.prev_h or 0, seam_week_h) < ctx.target_h:
        tr.mode = Mode.RAMP  # held below the usual distance (a step back): build up to it again first
    ramp_weeks = [w for w in previous.weeks[:seam_week] if w.ramp_week and _phase_running(ctx, w.phase) == Running.RAMP]
    tr.ramp_weeks = sum(1 for w in ramp_weeks if _done_in(past, w.start) > 0)
    for w in reversed(previous.weeks[:seam_week]):  # the weeks just before the seam done at the usual distance
        if _phase_running(ctx, w.phase) != Running.HOLD or _done_in(past, w.start) < ctx.target_h:
            break
        tr.hold_weeks += 1
    last_week = [h for d, h in runs_done if previous.request.start + dt.timedelta(days=DAYS * (seam_week - 1)) <= d]
    tr.k = max(1, len(last_week)) if last_week else ctx.start_days()
    first = next((w for w in ramp_weeks), None)
    if first is not None:
        runs = [pg.to_hundredths(s.run_distance) for s in first.sessions if isinstance(s, RunSession)]
        tr.shortest_first = min(runs, default=0)
    return tr


def _phase_running(ctx: Context, phase_id: str) -> Running:
    return next(p.running for p in ctx.protocol.phases if p.id == phase_id)


def _last_full_week(past: _Past, start: dt.date, seam_week: int) -> int:
    """The running actually done in the last week before the seam's week that had any."""
    for w in range(seam_week - 1, -1, -1):
        h = _done_in(past, start + dt.timedelta(days=DAYS * w))
        if h:
            return h
    return 0


# --------------------------------------------------------------------------- the traffic light


def _apply_light(
    ctx: Context,
    sched: Schedule,
    tr: Track,
    past: _Past,
    last: tuple[dt.date, Light] | None,
    seam: dt.date,
    seam_week: int,
) -> list[Change]:
    """Amber repeats the step; red steps back one stage (or one week of the build) after rest days."""
    if last is None or last[1] == Light.GREEN:
        return []
    day, light = last
    if tr.mode == Mode.LADDER:  # the replay already applied it: say what it did
        done = [s for d, _, s in past.done_runs if d == day and isinstance(s, WalkRunSession)]
        if not done:
            return []
        ids = [s.id for s in ctx.stages]
        # what the runner was to do next, against what the plan now gives
        before = past.next_stage or done[0].stage
        now = ids[tr.stage]
        if light == Light.AMBER:
            return [Change(kind=ChangeKind.HELD, date=day, stage_from=now, stage_to=now)]
        if before not in ids or ids.index(before) > tr.stage:
            return [Change(kind=ChangeKind.STEPPED_BACK, date=day, stage_from=before, stage_to=now)]
        return []  # sessions done as planned since the red day have already climbed back
    if tr.prev_h is None:
        return []
    if light == Light.RED:
        lower = _week_before_last(past, ctx.request.start, seam_week) or tr.prev_h
        want = min(lower, tr.prev_h)
        tr.next_want = want
        tr.next_run = max(tr.next_run or seam, day + dt.timedelta(days=REST_AFTER_RED + 1))
        return [
            Change(
                kind=ChangeKind.STEPPED_BACK,
                date=day,
                distance_from=pg.from_hundredths(tr.prev_h),
                distance_to=pg.from_hundredths(want),
            )
        ]
    tr.next_want = tr.prev_h
    return [
        Change(
            kind=ChangeKind.HELD,
            date=day,
            distance_from=pg.from_hundredths(tr.prev_h),
            distance_to=pg.from_hundredths(tr.prev_h),
        )
    ]


def _week_before_last(past: _Past, start: dt.date, seam_week: int) -> int:
    found = 0
    for w in range(seam_week - 1, -1, -1):
        h = _done_in(past, start + dt.timedelta(days=DAYS * w))
        if h:
            found += 1
            if found == 2:
                return h
    return 0


def _clinician(
    ctx: Context,
    sched: Schedule,
    cur: Cursor,
    previous: Plan,
    log: dict[dt.date, CheckIn],
    recent: list[tuple[dt.date, Light | None]],
    seam: dt.date,
) -> list[Change]:
    """Two red days within 14 days, or a warning sign: a clinician check-in, and no progression
    until it is logged done (a day logged 'cleared' after the last red day)."""
    reds = sorted(d for d, light in recent if light == Light.RED)
    flags = sorted(d for d, c in log.items() if c.red_flag and (seam - d).days <= RED_WINDOW_DAYS)
    trigger = max(reds[-1:] + flags[-1:], default=None) if (len(reds) >= 2 or flags) else None
    pending = [
        s.date
        for s in previous.sessions()
        if isinstance(s, CheckInSession) and s.check == CheckKind.CLINICIAN and s.date < seam
    ]
    if trigger is None and pending:
        trigger = pending[-1]
    if trigger is None:
        return []
    if any(c.cleared and d >= trigger for d, c in log.items()):
        return [Change(kind=ChangeKind.CLEARED, date=max(d for d, c in log.items() if c.cleared))]
    day = seam
    while not sched.room(day):
        day += dt.timedelta(days=1)
    sched.add(CheckInSession(date=day, check=CheckKind.CLINICIAN))
    resume = day + dt.timedelta(days=1)
    if flags:  # a warning sign: no running for a week, moved on at each re-plan until cleared
        resume = max(resume, seam + dt.timedelta(days=WARNING_PAUSE_DAYS))
        sched.runs_from = max(sched.runs_from, resume)
    if cur.track is not None:
        cur.track.hold_until = resume
        cur.track.next_run = max(cur.track.next_run or resume, resume)
    return [Change(kind=ChangeKind.WARNING_SIGN if flags else ChangeKind.CLINICIAN, date=trigger)]


def _moved_on(
    ctx: Context,
    cur: Cursor,
    phase: Phase,
    previous: Plan,
    log: dict[dt.date, CheckIn],
    rule: object,
    seam: dt.date,
    seam_week: int,
) -> list[Change]:
    """A phase that was green throughout, with its exit criteria logged met, ends this week."""
    from ..catalog.models import PainRule

    assert isinstance(rule, PainRule)
    span = next((p for p in previous.phases if p.id == phase.id), None)
    if span is None:
        return []
    days = {d: c for d, c in log.items() if span.start <= d < seam}
    # green throughout since the last day that was not (a step back is done with)
    bad = [d for d, c in days.items() if c.light(rule) in (Light.AMBER, Light.RED) or c.missed]
    if bad:
        days = {d: c for d, c in days.items() if d > max(bad)}
    lights = [c.light(rule) for c in days.values()]
    met = any(c.criteria_met for c in days.values())
    if not met or worst(lights) not in (Light.GREEN, None):
        return []
    mid_week = (seam - ctx.request.start).days % DAYS != 0
    if phase.running == Running.NONE:
        left = cur.in_phase + (1 if mid_week else 0)
        if left >= cur.pre_left.get(phase.id, 0):
            return []
        cur.pre_left[phase.id] = max(left, 1 if cur.in_phase == 0 else left)
        return [Change(kind=ChangeKind.MOVED_ON, date=max(days), phase=phase.id)]
    if phase.running == Running.LADDER and cur.track is not None and cur.track.mode == Mode.LADDER:
        last = len(ctx.stages) - 1
        if cur.track.stage >= last:
            return []
        before = ctx.stages[cur.track.stage].id
        cur.track.stage = last
        cur.track.done_at_stage = 0
        return [
            Change(
                kind=ChangeKind.MOVED_ON,
                date=max(days),
                phase=phase.id,
                stage_from=before,
                stage_to=ctx.stages[last].id,
            )
        ]
    return []
