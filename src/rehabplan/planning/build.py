"""Turn a PlanRequest and the clinical catalog into a dated Plan.

Pure: no I/O, no clock, no randomness, no sentences. Every clinical number (ramp factors,
ladders, entry stages, phase lengths, session counts and minutes, referral days) comes from the
catalog. Distances are worked out in whole hundredths of the plan's unit (see progression.py)
and only turned into floats when the Plan is built.
"""

from __future__ import annotations

import datetime as dt

from ..catalog.loading import Catalog
from ..catalog.models import Exercise, Running
from . import progression as pg
from .days import DAYS
from .ladder import entry_stages, ladder_phase
from .plan import ConditionInfo, ExerciseCard, Guidance, LongPlanNote, PhaseSummary, Plan, Week
from .ramp import RunDays, hold_phase, ramp_phase
from .request import PlanRequest
from .schedule import Context, Schedule
from .sessions import RunSession, Session, StrengthSession, WalkRunSession


def _schedule(ctx: Context) -> Schedule:
    """Place every session of every phase."""
    sched = Schedule(ctx)
    sched.anchor_fixed_checkins()
    phases = ctx.protocol.phases
    weeks_off = ctx.request.weeks_off  # running paused before the ladder counts as time off
    for ph in phases:
        if ph.running == Running.LADDER:
            break
        if ph.running == Running.NONE:
            weeks_off += ph.weeks
    readiness_pending = False
    days = RunDays(ctx.start_days())
    for ph in phases:
        first_week = len(sched.weeks)
        if ph.running == Running.NONE:
            for w in range(ph.weeks):
                wk = sched.open_week(ph, ramp_week=False)
                sched.close_week(wk, set(), w == ph.weeks - 1)
        elif ph.running == Running.LADDER:
            stages = entry_stages(ctx, weeks_off)
            if stages is None:
                readiness_pending = True  # restart without the ladder: test readiness on ramp day 1
            else:
                ladder_phase(sched, ph, stages)
        elif ph.running == Running.RAMP:
            days = ramp_phase(sched, ph, readiness_pending)
            readiness_pending = False
        else:  # HOLD
            hold_phase(sched, ph, ctx.rules.maintain_weeks, days)
        if len(sched.weeks) > first_week:
            start = sched.weeks[first_week].start
            end = sched.weeks[-1].start + dt.timedelta(days=DAYS - 1)
            sched.phase_spans.append((ph, start, end))
    return sched


def _week_count(request: PlanRequest, catalog: Catalog, target_h: int) -> int:
    return len(_schedule(Context.of(request, catalog, target_h)).weeks)


def _interim_target(request: PlanRequest, catalog: Catalog, limit: int) -> int | None:
    """The largest whole-unit target whose plan fits in `limit` weeks (None if none does)."""
    hi = int(request.mileage)
    if pg.to_hundredths(hi) >= pg.to_hundredths(request.mileage):
        hi -= 1
    lo = 1
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
    sched = _schedule(ctx)
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
                running_allowed=wk.phase.running != Running.NONE,
                ramp_week=wk.ramp_week,
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
        athlete=request.athlete,
        condition=proto.condition,
        site=proto.site,
        unit=request.units,
        target_weekly_distance=pg.from_hundredths(ctx.target_h),
        pace_min_per_unit=ctx.pace,
        run_days=request.run_days,
        weeks_off=request.weeks_off,
        start=request.start,
        end=weeks[-1].end,
        notes=tuple(notes),
        info=info,
        phases=phases,
        weeks=tuple(weeks),
        exercises=tuple(cards.values()),
        guidance=_guidance(sched, [catalog.exercises[i] for i in cards]),
    )


def _guidance(sched: Schedule, exercises: list[Exercise]) -> Guidance:
    ctx = sched.ctx
    cat = ctx.catalog
    proto = ctx.protocol
    by_id = {t.id: t for t in cat.ramp.readiness_tests}
    tests = [by_id[t] for t in proto.readiness.tests if t in by_id]
    keys: set[str] = set()
    keys.update(proto.sources, proto.pain_rule.sources, proto.modality.sources)
    for ph, _, _ in sched.phase_spans:
        keys.update(ph.sources)
    for r in proto.referrals:
        keys.update(r.sources)
    keys.update(cat.ramp.ramp.sources, ctx.ladder.sources)
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
        ladder_name=ctx.ladder.name,
        ladder_stages=ctx.ladder.stages,
        session_text=cat.advice.session_text,
        training_mistakes=cat.advice.training_mistakes,
        recovery=cat.advice.recovery,
        disclaimer=cat.safety.disclaimer,
        sources=sources,
    )
