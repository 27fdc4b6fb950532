"""Property tests for re-planning: over random check-in histories, for every condition, the revised
plan keeps the past, follows the traffic light, and keeps every safety rule across the seam,
measured against what was actually logged."""

from __future__ import annotations

import datetime as dt
import functools
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehabplan import Plan, PlanRequest, build_plan
from rehabplan.catalog import Catalog, load_catalog
from rehabplan.planning.checkins import CheckIn, Light
from rehabplan.planning.replan import replan

RUNNING = {"run", "walk_run"}
TRAINING = {"run", "walk_run", "strength", "cross_training", "ice", "heat"}
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@functools.cache
def _catalog() -> Catalog:
    return load_catalog()


def _h(x: float) -> int:
    return round(Fraction(repr(x)) * 100)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Plan, list[CheckIn], dt.date]:
    """A plan, a log of its first weeks (pains, missed days, swelling, criteria met, warning signs,
    clearances), and the day it is re-planned."""
    cat = _catalog()
    proto = draw(st.sampled_from(sorted(cat.protocols.values(), key=lambda p: p.id)))
    units = draw(st.sampled_from(["mi", "km"]))
    request = PlanRequest(
        condition=proto.condition,
        site=proto.site,
        mileage=draw(st.integers(7, 60) if units == "mi" else st.integers(10, 100)),
        units=units,
        start=dt.date(2027, 3, 1) + dt.timedelta(days=draw(st.integers(0, 6))),
        weeks_off=draw(st.integers(0, 6)),
        run_days=draw(st.integers(3, 6)),
        can_run=draw(st.sampled_from([0, 0, 10, 35])),
    )
    plan = build_plan(request, cat)
    days = (plan.end - plan.start).days
    today = plan.start + dt.timedelta(days=draw(st.integers(1, days)))
    run_days = sorted({s.date for s in plan.sessions() if s.kind in RUNNING and s.date < today})
    log: list[CheckIn] = []
    pain = st.one_of(st.none(), st.integers(0, 10))
    for d in run_days[-draw(st.integers(0, 12)) :] if run_days else []:
        if draw(st.integers(0, 3)) == 0:
            continue  # not logged: done as planned
        log.append(
            CheckIn(
                date=d,
                pain_during=draw(pain),
                pain_after=draw(pain),
                pain_next_morning=draw(pain),
                swelling=draw(st.booleans()) and draw(st.booleans()),
                missed=draw(st.integers(0, 5)) == 0,
                criteria_met=draw(st.integers(0, 4)) == 0,
            )
        )
    if draw(st.integers(0, 8)) == 0:
        log.append(CheckIn(date=today - dt.timedelta(days=1), red_flag=True))
    if log and draw(st.integers(0, 6)) == 0:
        log.append(CheckIn(date=today, cleared=True))
    return plan, log, today


def check_replan(previous: Plan, new: Plan, log: list[CheckIn], today: dt.date, cat: Catalog) -> None:
    """Every safety rule across the seam, measured against what was actually logged."""
    ramp = cat.ramp.ramp
    proto = cat.resolve(new.condition, new.site)
    ladder = next(lad for lad in cat.ramp.ladders if lad.id == proto.ladder)
    rule = proto.pain_rule
    seam = new.revision.seam
    assert seam == max(today, previous.start)
    assert new.revision.plan_id == previous.revision.plan_id
    assert new.revision.number == previous.revision.number + 1

    # the past stays as it was planned
    def before(plan: Plan) -> list[tuple]:
        return [(s.date, s.kind, s.model_dump_json(exclude={"slot"})) for s in plan.sessions() if s.date < seam]

    assert sorted(before(new)) == sorted(before(previous))

    logged = {c.date: c for c in log}
    missed = {d for d, c in logged.items() if c.missed}
    sessions = new.sessions()
    done = [
        (s.date, _h(s.run_distance), s.kind)
        for s in sessions
        if s.kind in RUNNING and (s.date >= seam or s.date not in missed)
    ]
    end = new.end

    # weekly running, actually run before the seam and planned after it: never more than 10% on
    # the last week actually run, and never above the target
    weekly = [sum(h for d, h, _ in done if w.start <= d <= w.end) for w in new.weeks]
    target = _h(new.target_weekly_distance)
    factor = Fraction(repr(ramp.weekly_cap))
    seam_week = (seam - new.start).days // 7
    for i in range(seam_week + 1, len(new.weeks)):
        assert weekly[i] <= target
        if not new.weeks[i].ramp_week:
            continue
        last = next((weekly[j] for j in range(i - 1, -1, -1) if weekly[j] > 0), 0)
        if last and new.weeks[i - 1].ramp_week:
            raw = last * factor.numerator // factor.denominator
            allowed = raw if raw - last < 10 else raw // 10 * 10
            assert weekly[i] <= max(allowed, last), (i, weekly[i], last)
    assert weekly[-1] == target, "the revised plan still ends at the usual distance"

    # single runs: never more than 10% over the longest run actually done in the last 30 days
    single = Fraction(repr(ramp.single_run_cap))
    window = ramp.single_run_window_days
    for day, h, kind in done:
        if day < seam or kind != "run":
            continue
        prior = [b for d, b, _ in done if day - dt.timedelta(days=window) <= d < day]
        if prior:
            assert h * single.denominator <= max(prior) * single.numerator, (day, h, max(prior))

    # the ladder: never two sessions on consecutive days, counting those actually done
    ladder_days = sorted(d for d, _, kind in done if kind == "walk_run")
    for a, b in pairwise(ladder_days):
        if b >= seam:
            assert (b - a).days >= ladder.min_rest_days_between_runs + 1, (a, b)

    # a red day brings two rest days before the next run
    reds = [d for d, c in logged.items() if c.light(rule) == Light.RED and d < seam]
    if reds:
        last_red = max(reds)
        later = [d for d, _, _ in done if d >= seam]
        if later:
            assert (min(later) - last_red).days >= 3, (last_red, min(later))

    # two red days within 14 days, or a warning sign, without a clearance: a clinician check-in first,
    # and nothing moves on before it
    recent = [d for d in reds if (seam - d).days <= 14]
    flags = [d for d, c in logged.items() if c.red_flag and (seam - d).days <= 14]
    trigger = max(recent[-1:] + flags[-1:], default=None) if (len(recent) >= 2 or flags) else None
    if trigger is not None and not any(c.cleared and d >= trigger for d, c in logged.items()):
        visits = [s.date for s in sessions if getattr(s, "check", None) == "clinician" and s.date >= seam]
        assert visits, "a clinician check-in"
        first_visit = min(visits)
        stages = [s.stage for s in sessions if s.kind == "walk_run"]
        order = [x.id for x in ladder.stages]
        prior = [
            order.index(s.stage) for s in sessions if s.kind == "walk_run" and s.date < seam and s.date not in missed
        ]
        top = max(prior, default=-1)
        for s in sessions:
            if s.kind == "walk_run" and seam <= s.date <= first_visit and stages:
                assert order.index(s.stage) <= max(top, 0) + 0, "no moving up before the clinician"

    # pain monitored: a next-morning check after every future run; at most N sessions a day;
    # a day without training in every week from the seam on
    by_day: dict[dt.date, list] = {}
    for s in sessions:
        by_day.setdefault(s.date, []).append(s)
    for d, _, _ in done:
        if d >= seam and d + dt.timedelta(days=1) <= end:
            assert any(getattr(s, "check", None) == "morning_after" for s in by_day[d + dt.timedelta(days=1)]), d
    for d, items in by_day.items():
        if d >= seam:
            assert len([s for s in items if s.kind != "rest"]) <= ramp.max_sessions_per_day, d
    for w in new.weeks[seam_week + 1 :]:
        free = [
            i for i in range(7) if not any(s.kind in TRAINING for s in by_day.get(w.start + dt.timedelta(days=i), []))
        ]
        assert free, w.index


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=histories())
def test_replans_keep_every_rule_across_the_seam(case: tuple[Plan, list[CheckIn], dt.date]) -> None:
    """Random logs of every condition give revised plans that keep the past and every safety rule."""
    plan, log, today = case
    new = replan(plan, _catalog(), log, today, NOW)
    check_replan(plan, new, log, today, _catalog())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=histories())
def test_replanning_twice_keeps_the_rules(case: tuple[Plan, list[CheckIn], dt.date]) -> None:
    """A second re-plan a week later, with the same log, is again safe against what was logged."""
    plan, log, today = case
    second_day = today + dt.timedelta(days=7)
    first = replan(plan, _catalog(), log, today, NOW)
    if second_day > first.end:
        return
    second = replan(first, _catalog(), log, second_day, NOW + dt.timedelta(days=7))
    check_replan(first, second, log, second_day, _catalog())


def test_the_scenario_steps_back_then_moves_on(catalog: Catalog) -> None:
    """Three green ladder sessions, a red one, a re-plan; two greens with the criteria met, another
    re-plan: the first revision steps back a stage after two rest days, the second moves on early."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=dt.date(2027, 3, 1)), catalog)
    ladder = [s for s in plan.sessions() if s.kind == "walk_run"]
    log = [CheckIn(date=s.date, pain_during=1, pain_after=0, pain_next_morning=0) for s in ladder[:3]]
    log.append(CheckIn(date=ladder[3].date, pain_during=6, pain_after=4, pain_next_morning=3))
    day = ladder[3].date + dt.timedelta(days=1)
    second = replan(plan, catalog, log, day, NOW)
    kinds = [c.kind for c in second.revision.changes]
    assert "stepped_back" in kinds
    after = [s for s in second.sessions() if s.kind == "walk_run" and s.date >= day]
    assert (after[0].date - ladder[3].date).days >= 3
    assert after[0].stage < ladder[3].stage
    greens = after[:2]
    log += [CheckIn(date=s.date, pain_during=0, criteria_met=i == 1) for i, s in enumerate(greens)]
    third = replan(second, catalog, log, greens[-1].date + dt.timedelta(days=1), NOW)
    assert "moved_on" in [c.kind for c in third.revision.changes]
    assert len(third.weeks) < len(second.weeks)
    check_replan(second, third, log, greens[-1].date + dt.timedelta(days=1), catalog)


@pytest.mark.parametrize("pains,kind", [((2, 3, 3), "held"), ((7, 6, 5), "stepped_back")])
def test_the_build_holds_on_amber_and_steps_back_on_red(catalog: Catalog, pains: tuple[int, ...], kind: str) -> None:
    """In the build, an amber week is repeated and a red one steps back a week, after rest days."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=dt.date(2027, 3, 1)), catalog)
    week = next(w for w in plan.weeks if w.ramp_week and not w.hold_week and w.index > 10)
    runs = [s for s in week.sessions if s.kind == "run"]
    log = [CheckIn(date=s.date, pain_during=0) for s in runs[:-1]]
    log.append(CheckIn(date=runs[-1].date, pain_during=pains[0], pain_after=pains[1], pain_next_morning=pains[2]))
    new = replan(plan, catalog, log, week.end + dt.timedelta(days=1), NOW)
    assert kind in [c.kind for c in new.revision.changes]
    nxt = new.weeks[week.index]
    if kind == "held":
        assert nxt.run_distance == week.run_distance
    else:
        assert nxt.run_distance < week.run_distance
    check_replan(plan, new, log, week.end + dt.timedelta(days=1), catalog)


@st.composite
def _quiet_replans(draw: st.DrawFn) -> tuple[Plan, dt.date]:
    """A plan and a day to re-plan it on, with nothing logged."""
    cat = _catalog()
    proto = draw(st.sampled_from(sorted(cat.protocols.values(), key=lambda p: p.id)))
    units = draw(st.sampled_from(["mi", "km"]))
    request = PlanRequest(
        condition=proto.condition,
        site=proto.site,
        mileage=draw(st.integers(7, 100) if units == "mi" else st.integers(10, 160)),
        units=units,
        start=dt.date(2027, 3, 1) + dt.timedelta(days=draw(st.integers(0, 6))),
        weeks_off=draw(st.integers(0, 8)),
        run_days=draw(st.integers(3, 6)),
        can_run=draw(st.sampled_from([0, 0, 10, 35])),
    )
    plan = build_plan(request, cat)
    today = plan.start + dt.timedelta(days=draw(st.integers(0, (plan.end - plan.start).days)))
    return plan, today


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_quiet_replans())
def test_a_re_plan_with_nothing_logged_keeps_every_session(case):
    """Nothing logged, nothing changes: a calendar subscribed to the plan sees no event move."""
    plan, today = case
    new = replan(plan, _catalog(), [], today, NOW)
    assert new.revision.changes == ()
    assert list(new.sessions()) == list(plan.sessions())
