"""Turn a PlanRequest and the clinical catalog into a dated Plan.

Pure: no I/O, no clock, no randomness, no sentences. Every clinical number (ramp factors,
ladders, entry stages, phase lengths, session counts and minutes, referral days) comes from the
catalog. Distances are worked out in whole hundredths of the plan's unit (see progression.py)
and only turned into floats when the Plan is built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field

from ..catalog.loading import Catalog
from ..catalog.models import Exercise, Phase, Running
from . import progression as pg
from .context import Context
from .days import DAYS
from .plan import (
    ConditionInfo,
    ExerciseCard,
    Guidance,
    LadderStep,
    LongPlanNote,
    PhaseSummary,
    Plan,
    Revision,
    Week,
)
from .request import PlanRequest
from .running import Track, hold_week, ladder_week, long_run_reached, ramp_week, start_track
from .schedule import Mode, Schedule, WeekDraft
from .sessions import RunSession, Session, SessionKind, StrengthSession, WalkRunSession

#: A plan longer than this many weeks is a bug in the data, not a plan (check-data tests for it).
_MAX_WEEKS = 260
#: Extra weeks at the target for the long run to grow back to its usual length.
_LONG_RUN_GRACE = 6


@dataclass
class Cursor:
    """Where the schedule stands: the phase, weeks done in it, the fixed phases' lengths, the track."""

    phase: int = 0
    in_phase: int = 0
    pre_left: dict[str, int] = field(default_factory=dict)  # weeks of each phase before running
    track: Track | None = None
    started_at: int = 0  # the week index at which the current phase started
    hold_until: dt.date | None = None  # no progression before this day (a clinician check-in first)


def _schedule(ctx: Context) -> Schedule:
    """Place every session of every phase: the phases give each week its content, the running
    track its runs."""
    sched = Schedule(ctx)
    sched.anchor_fixed_checkins()
    cur = Cursor(pre_left=dict(ctx.pre_weeks))
    if ctx.running_from_start:
        cur.track = start_track(sched, ctx.request.start)
    run_phases(sched, cur)
    return sched


def run_phases(sched: Schedule, cur: Cursor) -> None:
    """Place weeks from the cursor on until the last phase is done."""
    ctx = sched.ctx
    phases = ctx.protocol.phases
    while cur.phase < len(phases):
        ph = phases[cur.phase]
        if _phase_done(sched, ph, cur):
            if len(sched.weeks) > cur.started_at:
                end = sched.weeks[-1].start + dt.timedelta(days=DAYS - 1)
                sched.phase_spans.append((ph, sched.weeks[cur.started_at].start, end))
            cur.phase += 1
            cur.in_phase = 0
            cur.started_at = len(sched.weeks)
            continue
        if cur.track is None and ph.running in (Running.LADDER, Running.RAMP):
            cur.track = start_track(sched, sched.readiness(max(_next_monday(sched), sched.seam)))
        last = cur.in_phase + 1 >= cur.pre_left.get(ph.id, 0) if ph.running == Running.NONE else None
        _week(sched, ph, cur.track, last=last)
        cur.in_phase += 1
        _check_length(sched)


def _phase_done(sched: Schedule, ph: Phase, cur: Cursor) -> bool:
    if sched.weeks and sched.weeks[-1].start + dt.timedelta(days=DAYS) <= sched.seam:
        return False  # a re-plan always plans the seam's own week (it holds the past's last days)
    track = cur.track
    if ph.running == Running.NONE:
        return cur.in_phase >= cur.pre_left.get(ph.id, 0)
    if ph.running == Running.LADDER:
        return not sched.ctx.stages or (track is not None and track.mode != Mode.LADDER)
    if ph.running == Running.RAMP:
        return track is not None and track.mode not in (Mode.RAMP, Mode.LADDER)
    return track is not None and cur.in_phase > 0 and track.mode == Mode.HOLD and _held_enough(sched, track)


def _next_monday(sched: Schedule) -> dt.date:
    """The first day of the next week of the plan."""
    return sched.ctx.request.start + dt.timedelta(days=DAYS * len(sched.weeks))


def _week(sched: Schedule, ph: Phase, track: Track | None, *, last: bool | None) -> None:
    """One week of a phase, with the running track's runs for that week. `last` says whether the
    week ends the phase; None: the track decides (the phase lasts while its running does)."""
    mode = Mode.NONE if track is None else track.mode
    if track is not None and track.next_run is not None and track.next_run > _next_monday(sched) + dt.timedelta(days=6):
        mode = Mode.NONE  # running starts later than this week
    wk = sched.open_week(ph, mode)
    if track is not None and mode == Mode.LADDER:
        ladder_week(sched, wk, track)
    elif track is not None and mode == Mode.RAMP:
        ramp_week(sched, wk, track)
    elif track is not None and mode == Mode.HOLD:
        hold_week(sched, wk, track)
    elif track is not None and track.mode in (Mode.RAMP, Mode.HOLD):
        _paused_week(sched, wk, track)
    if last is None:
        assert track is not None
        if ph.running == Running.LADDER:
            last = track.mode != Mode.LADDER
        elif ph.running == Running.RAMP:
            last = track.mode != Mode.RAMP
        else:
            last = track.mode == Mode.HOLD and _held_enough(sched, track)
    sched.close_week(wk, last_of_phase=last)
    _check_length(sched)


def _paused_week(sched: Schedule, wk: WeekDraft, track: Track) -> None:
    """A week of the build with no new runs (a pause after a warning sign): what was run in it
    before the pause is where the build goes on from."""
    done = sum(h for d, h in sched.runs if wk.start <= d < wk.start + dt.timedelta(days=DAYS))
    if done == 0:
        return
    track.prev_h = done
    if done < sched.ctx.target_h and track.mode == Mode.HOLD:
        track.mode = Mode.RAMP
        track.hold_weeks = 0


def _held_enough(sched: Schedule, track: Track) -> bool:
    """The target has been held for the maintain weeks, ending with the usual long run (a few
    more weeks are allowed for the long run to grow back to it)."""
    weeks = sched.ctx.rules.maintain_weeks
    if track.hold_weeks < weeks:
        return False
    if len(sched.weeks) < (sched.ctx.protocol.min_total_weeks or 0):
        return False  # the condition's strength course is not over yet
    return long_run_reached(sched) or track.hold_weeks >= weeks + _LONG_RUN_GRACE


def _check_length(sched: Schedule) -> None:
    if len(sched.weeks) > _MAX_WEEKS:
        from ..errors import PlanningError

        raise PlanningError("the plan did not reach the target within five years; check the ramp rules.")


def _week_count(request: PlanRequest, catalog: Catalog, target_h: int) -> int:
    """Weeks a plan aiming at target_h lasts (more than any limit when it cannot be planned)."""
    from ..errors import PlanningError

    try:
        return len(_schedule(Context.of(request, catalog, target_h)).weeks)
    except PlanningError:
        return _MAX_WEEKS + 1


def _interim_target(request: PlanRequest, catalog: Catalog, limit: int) -> int | None:
    """The largest whole-unit target whose plan fits in `limit` weeks (None if none does)."""
    hi = int(request.mileage)
    if pg.to_hundredths(hi) >= pg.to_hundredths(request.mileage):
        hi -= 1
    lo = math.ceil(catalog.ramp.ramp.mileage_limits(request.units.value)[0])
    if hi < lo or _week_count(request, catalog, lo * pg.PER_UNIT) > limit:
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _week_count(request, catalog, mid * pg.PER_UNIT) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _sessions_of(sched: Schedule, start: dt.date) -> tuple[Session, ...]:
    """A week's sessions by day, each day's in their order, with their slots."""
    out: list[Session] = []
    for i in range(DAYS):
        day = start + dt.timedelta(days=i)
        placed = sorted(sched.days.get(day, ()), key=lambda s: s.order)
        out += [s.model_copy(update={"slot": slot}) for slot, s in enumerate(placed)]
    return tuple(out)


def build_plan(request: PlanRequest, catalog: Catalog) -> Plan:
    """The whole dated plan for a request: phases, weeks, sessions, exercise cards and guidance."""
    ctx = Context.of(request, catalog)
    return assemble(ctx, _schedule(ctx), request, catalog)


def assemble(ctx: Context, sched: Schedule, request: PlanRequest, catalog: Catalog) -> Plan:
    """The Plan from a finished schedule (revision 1; re-planning sets its own)."""
    proto = ctx.protocol

    weeks: list[Week] = []
    for wk in sched.weeks:
        sessions = _sessions_of(sched, wk.start)
        running = [s for s in sessions if isinstance(s, (RunSession, WalkRunSession))]
        weeks.append(
            Week(
                index=wk.index,
                start=wk.start,
                end=wk.start + dt.timedelta(days=DAYS - 1),
                phase=wk.phase.id,
                phase_name=wk.phase.name,
                running_allowed=wk.mode != Mode.NONE,
                ramp_week=wk.mode in (Mode.RAMP, Mode.HOLD),
                hold_week=wk.hold_week,
                run_distance=pg.from_hundredths(sum(pg.to_hundredths(s.run_distance) for s in running)),
                time_on_feet_min=sum(s.minutes for s in running),
                sessions=sessions,
            )
        )

    notes: list[LongPlanNote] = []
    limit = ctx.rules.long_plan_weeks
    if len(weeks) > limit:
        interim = _interim_target(request, catalog, limit)
        notes.append(LongPlanNote(weeks=len(weeks), limit=limit, interim=interim))

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
        for ph, start, end in sched.phase_spans
    )

    # exercise cards: every exercise scheduled, with its first scheduled dose
    cards: dict[str, ExerciseCard] = {}
    for w in weeks:
        for s in w.sessions:
            if not isinstance(s, StrengthSession):
                continue
            for pe in s.exercises:
                if pe.id in cards:
                    continue
                ex = catalog.exercises[pe.id]
                caution = next(
                    (c.note for c in ex.caution if c.condition == proto.condition and c.site in (None, proto.site)),
                    None,
                )
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
    return Plan(
        request=request,
        revision=first_revision(request),
        athlete=request.athlete,
        condition=proto.condition,
        site=proto.site,
        unit=request.units,
        target_weekly_distance=pg.from_hundredths(ctx.target_h),
        pace_min_per_unit=ctx.pace,
        run_days=request.run_days,
        weeks_off=request.weeks_off,
        can_run=request.can_run,
        long_run=pg.from_hundredths(ctx.long_h),
        start=request.start,
        end=weeks[-1].end,
        notes=tuple(notes),
        info=info,
        phases=phases,
        weeks=tuple(weeks),
        exercises=tuple(cards.values()),
        guidance=_guidance(sched, [catalog.exercises[i] for i in cards]),
    )


def plan_id(request: PlanRequest) -> str:
    """The plan's id, made from the request it was first made from (the same request gives the
    same id, so the same command in a fresh folder gives the same files)."""
    return hashlib.sha256(request.model_dump_json().encode("utf-8")).hexdigest()[:16]


def first_revision(request: PlanRequest) -> Revision:
    """Revision 1, stamped with the plan's first day at midnight UTC (no clock is read)."""
    return Revision(plan_id=plan_id(request), stamp=dt.datetime.combine(request.start, dt.time(0, 0), tzinfo=dt.UTC))


def _guidance(sched: Schedule, exercises: list[Exercise]) -> Guidance:
    ctx = sched.ctx
    cat = ctx.catalog
    proto = ctx.protocol
    used = {t for day in sched.days.values() for s in day for t in getattr(s, "tests", ())}
    tests = [t for t in ctx.readiness_tests() if t.id in used]
    on_ladder = any(s.kind == SessionKind.WALK_RUN for day in sched.days.values() for s in day)
    keys: set[str] = set()
    keys.update(proto.sources, proto.pain_rule.sources, proto.modality.sources)
    for ph, _, _ in sched.phase_spans:
        keys.update(ph.sources)
    for r in proto.referrals:
        keys.update(r.sources)
    keys.update(cat.ramp.ramp.sources)
    if on_ladder:
        keys.update(ctx.ladder.sources)
    if proto.load_test is not None:
        keys.update(proto.load_test.sources)
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
        readiness_pain_max=proto.readiness.pain_max,
        readiness_note=proto.readiness.note,
        ladder_name=ctx.ladder.name if on_ladder else None,
        ladder_steps=tuple(
            LadderStep(id=s.id, run_min=s.run_min, walk_min=s.walk_min, reps=s.reps, minutes=s.minutes, note=s.note)
            for s in ctx.stages
        )
        if on_ladder
        else (),
        load_test=proto.load_test,
        session_text=cat.advice.session_text,
        training_mistakes=cat.advice.training_mistakes,
        recovery=cat.advice.recovery,
        disclaimer=cat.safety.disclaimer,
        sources=sources,
    )
