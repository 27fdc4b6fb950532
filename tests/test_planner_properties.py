"""Property tests: every plan keeps the design's invariants (D4-D6, section 5), checked from its JSON alone."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehabplan import Plan, PlanRequest, Unit, build_plan, plan_json
from rehabplan.catalog import Catalog, load_catalog
from rehabplan.planning.limits import PACE_LIMITS
from rehabplan.planning.request import long_run_limits

TRAINING = {"run", "walk_run", "strength", "cross_training", "ice", "heat"}
RUNNING = {"run", "walk_run"}


@functools.cache
def _catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The shipped catalog, loaded once for the module."""
    return _catalog()


def _frac(x: float) -> Fraction:
    return Fraction(repr(x))


def _h(x: float) -> int:
    return round(Fraction(repr(x)) * 100)


def _doc(plan: Plan) -> dict:
    """The plan as its published JSON document."""
    return json.loads(plan_json(plan))


def _cap_allowed(prev: int, factor: Fraction) -> int:
    """Largest week allowed after prev (hundredths): factor x prev, rounded down to 0.1."""
    return prev * factor.numerator // factor.denominator // 10 * 10


def _targets(catalog: Catalog) -> list[tuple[str, str | None]]:
    return [(p.condition, p.site) for p in catalog.protocols.values()]


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    cond, site = draw(st.sampled_from(_targets(_catalog())))
    units = draw(st.sampled_from(["mi", "km"]))
    least, top = _catalog().ramp.ramp.mileage_limits(units)
    mileage = draw(st.integers(min_value=round(least * 10), max_value=round(top * 10))) / 10
    lo, hi = PACE_LIMITS[units]
    pace = draw(st.one_of(st.none(), st.integers(int(lo * 100), int(hi * 100)).map(lambda x: x / 100)))
    run_days = draw(st.integers(3, 6))
    long_run = None
    if draw(st.booleans()):
        a, b = long_run_limits(mileage, run_days)
        lo, hi = int(a * 100), int(b * 100)
        while lo / 100 <= a:  # strictly longer than an even share, in hundredths
            lo += 1
        while hi / 100 > b:
            hi -= 1
        if lo <= hi:
            long_run = draw(st.integers(lo, hi).map(lambda x: x / 100))
    return PlanRequest(
        condition=cond,
        site=site,
        mileage=mileage,
        units=units,
        start=draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))),
        weeks_off=draw(st.one_of(st.integers(0, 12), st.integers(0, 104))),
        run_days=run_days,
        pace_min_per_unit=pace,
        can_run=draw(st.one_of(st.just(0), st.integers(0, 60))),
        long_run=long_run,
    )


def check_plan(data: dict, catalog: Catalog) -> None:
    """Assert every invariant of the design on a plan's JSON."""
    ramp = catalog.ramp.ramp
    proto = catalog.resolve(data["condition"], data["site"])
    phases = {ph.id: ph for ph in proto.phases}
    ladder = next(lad for lad in catalog.ramp.ladders if lad.id == proto.ladder)
    target = _h(data["target_weekly_distance"])
    weekly = _frac(ramp.weekly_cap)
    single = _frac(ramp.single_run_cap)
    intensity = _frac(ramp.intensity_fraction)
    restart = _frac(ramp.restart_fraction)
    weeks = data["weeks"]
    assert weeks, "a plan has weeks"
    sessions = [s for w in weeks for s in w["sessions"]]
    by_day: dict[str, list[dict]] = defaultdict(list)
    for s in sessions:
        by_day[s["date"]].append(s)

    # dates contiguous, 7-day weeks from the start, every session inside its week
    start = dt.date.fromisoformat(data["start"])
    for i, w in enumerate(weeks):
        ws = dt.date.fromisoformat(w["start"])
        assert w["index"] == i + 1
        assert ws == start + dt.timedelta(days=7 * i)
        assert dt.date.fromisoformat(w["end"]) == ws + dt.timedelta(days=6)
        for s in w["sessions"]:
            assert ws <= dt.date.fromisoformat(s["date"]) <= ws + dt.timedelta(days=6)
    end = dt.date.fromisoformat(data["end"])
    assert end == dt.date.fromisoformat(weeks[-1]["end"])

    # week sums, never above the target, the plan ends at it; every distance in 0.1 steps
    dist = [_h(w["run_distance"]) for w in weeks]
    assert target % 10 == 0
    for w, d in zip(weeks, dist, strict=True):
        runs = [_h(s["run_distance"]) for s in w["sessions"] if s["kind"] in RUNNING]
        assert d == sum(runs)
        assert d <= target
        assert d % 10 == 0 and all(r % 10 == 0 for r in runs), (w["index"], d, runs)
    assert dist[-1] == target

    # what each week may hold: no running unless the week runs; walk/runs on the ladder, runs after it
    for w, d in zip(weeks, dist, strict=True):
        kinds = {s["kind"] for s in w["sessions"]}
        if not w["running_allowed"]:
            assert not kinds & RUNNING and d == 0
        if w["ramp_week"]:
            assert "walk_run" not in kinds
        elif w["running_allowed"]:
            assert "run" not in kinds
        if phases[w["phase"]].running.value in ("ramp", "hold"):
            assert w["ramp_week"]
    if not (proto.keep_running and data["can_run"]):
        paused = [w for w in weeks if phases[w["phase"]].running.value == "none"]
        assert all(not w["running_allowed"] for w in paused)

    # the 10% rule from the first week of continuous running; every 4th build week flat
    ramp_idx = [i for i, w in enumerate(weeks) if w["ramp_week"]]
    first = ramp_idx[0]
    if first > 0 and dist[first - 1] > 0:
        assert dist[first] <= _cap_allowed(dist[first - 1], weekly)
    else:
        assert dist[first] * restart.denominator <= target * restart.numerator
    for i in ramp_idx[1:]:
        assert dist[i] <= _cap_allowed(dist[i - 1], weekly)
        if weeks[i]["hold_week"]:
            assert dist[i] == dist[i - 1]
    build = [i for i in ramp_idx if not weeks[i]["hold_week"]]
    assert build == sorted(build)
    reached = next(i for i in ramp_idx if dist[i] == target)
    assert all(dist[i] < target for i in ramp_idx if i < reached)
    assert all(dist[i] == target for i in range(reached, len(weeks)))
    assert len(weeks) - reached >= ramp.maintain_weeks
    for n, i in enumerate((i for i in ramp_idx if i <= reached), start=1):
        assert weeks[i]["hold_week"] == (n % ramp.hold_every == 0), (i, n)

    # single runs: never more than 10% over the longest session of the last 30 days
    running = [(dt.date.fromisoformat(s["date"]), _h(s["run_distance"]), s) for s in sessions if s["kind"] in RUNNING]
    window = ramp.single_run_window_days
    for day, h, s in running:
        if s["kind"] != "run":
            continue
        before = [b for d, b, _ in running if day - dt.timedelta(days=window) <= d < day]
        assert h > 0
        if before:
            assert h * single.denominator <= max(before) * single.numerator

    # the long run: strictly the week's longest from half the target (unless the cap holds it back),
    # and the plan's last week ends with the usual long run
    half = _frac(ramp.long_run_from)
    for w, d in zip(weeks, dist, strict=True):
        runs = sorted(_h(s["run_distance"]) for s in w["sessions"] if s["kind"] == "run")
        if len(runs) > 1 and d * half.denominator >= target * half.numerator and d >= 100 * len(runs):
            ws = dt.date.fromisoformat(w["start"])
            before = [b for dd, b, _ in running if ws + dt.timedelta(days=6 - window) <= dd < ws]
            # the first week back has nothing to measure a long run against; later the cap may hold it back
            capped = not before or (runs[-1] + 10) * single.denominator > max(before) * single.numerator
            assert runs[-1] > runs[-2] or capped, (w["index"], runs)
    last_runs = sorted(_h(s["run_distance"]) for s in weeks[-1]["sessions"] if s["kind"] == "run")
    if len(last_runs) > 1 and target >= 100 * len(last_runs):
        assert last_runs[-1] > last_runs[-2]

    # intensity only at >= 75% of the target, in hold or maintain weeks, once a week; no hills where not allowed
    for w, d in zip(weeks, dist, strict=True):
        hard = [s for s in w["sessions"] if s["kind"] == "run" and s["intensity"] != "easy"]
        if hard:
            assert len(hard) == 1
            assert d * intensity.denominator >= target * intensity.numerator
            assert w["hold_week"] or phases[w["phase"]].running.value == "hold"
            if not proto.hills_allowed:
                assert hard[0]["intensity"] == "strides"

    # the ladder: sessions never on consecutive days (across weeks too), all the same length within
    # the ladder's limits, stages never going down
    ladder_runs = [s for s in sessions if s["kind"] == "walk_run"]
    days = [dt.date.fromisoformat(s["date"]) for s in ladder_runs]
    for a, b in pairwise(days):
        assert (b - a).days >= ladder.min_rest_days_between_runs + 1
    if ladder_runs:
        assert len({s["minutes"] for s in ladder_runs}) == 1
        assert ladder.session_min_minutes <= ladder_runs[0]["minutes"] <= ladder.session_max_minutes
        order = [st_.id for st_ in ladder.stages]
        seq = [order.index(s["stage"]) for s in ladder_runs]
        assert seq == sorted(seq)
    run_days = sorted({dt.date.fromisoformat(s["date"]) for s in sessions if s["kind"] in RUNNING})
    if proto.every_other_day:
        assert all((b - a).days >= 2 for a, b in pairwise(run_days))

    # pain monitored throughout: a next-morning check after every run inside the plan
    for d in run_days:
        nxt = d + dt.timedelta(days=1)
        if nxt <= end:
            assert any(s.get("check") == "morning_after" for s in by_day[nxt.isoformat()]), d

    # readiness: at least 48 hours before the first run it gates, testing only what was trained
    checks = [s for s in sessions if s["kind"] == "check_in"]
    ready = [s for s in checks if s["check"] == "readiness"]
    if run_days and not (proto.keep_running and data["can_run"]):
        assert len(ready) == 1
        day = dt.date.fromisoformat(ready[0]["date"])
        assert (run_days[0] - day).days >= 2
        trained = {
            ex["id"]
            for s in sessions
            if s["kind"] == "strength" and dt.date.fromisoformat(s["date"]) < day
            for ex in s["exercises"]
        }
        tests = {t.id: t for t in catalog.ramp.readiness_tests}
        for tid in ready[0]["tests"]:
            assert not tests[tid].requires or trained & set(tests[tid].requires), tid

    # at most N sessions a day, slots 0..n-1; a day without training every week
    for items in by_day.values():
        assert len([s for s in items if s["kind"] != "rest"]) <= ramp.max_sessions_per_day
        assert sorted(s["slot"] for s in items) == list(range(len(items)))
        if any(s["kind"] == "rest" for s in items):
            assert not any(s["kind"] in TRAINING for s in items)
        run_slots = [s["slot"] for s in items if s["kind"] in RUNNING]
        ice_slots = [s["slot"] for s in items if s["kind"] == "ice"]
        assert all(i > r for i in ice_slots for r in run_slots), "never ice right before a run"
    for w in weeks:
        ws = dt.date.fromisoformat(w["start"])
        free = [
            i
            for i in range(7)
            if not any(s["kind"] in TRAINING for s in by_day.get((ws + dt.timedelta(days=i)).isoformat(), []))
        ]
        assert free, w["index"]

    # exercises exist, are not avoided and never in a position the protocol rules out; hop spacing
    last_done: dict[str, dt.date] = {}
    for s in sessions:
        for ex in s.get("exercises", ()):
            info = catalog.exercises[ex["id"]]
            assert proto.condition not in info.avoid
            assert not set(info.positions) & set(proto.exclude_positions)
        if s["kind"] == "strength":
            day = dt.date.fromisoformat(s["date"])
            spacing = {e.id: e.every_days for e in phases[s["phase"]].exercises if e.every_days}
            for ex in s["exercises"]:
                if ex["id"] in spacing and ex["id"] in last_done:
                    assert (day - last_done[ex["id"]]).days >= spacing[ex["id"]]
                last_done[ex["id"]] = day
        if s["kind"] == "ice":
            assert s["minutes"] <= 20
            assert _phase_of(weeks, s) in proto.modality.ice_in_phases
        if s["kind"] == "heat":
            assert s["minutes"] <= (30 if proto.condition == "osteoarthritis" else 20)
            assert _phase_of(weeks, s) in proto.modality.heat_in_phases
    for w in weeks:
        strength = [s for s in w["sessions"] if s["kind"] == "strength"]
        assert len(strength) <= phases[w["phase"]].strength_days
    card_ids = {c["id"] for c in data["exercises"]}
    assert card_ids == {ex["id"] for s in sessions for ex in s.get("exercises", ())}

    # heavy loading and runs share a day and leave the next one free
    if proto.runs_with_strength:
        for d in run_days:
            today = by_day[d.isoformat()]
            assert any(s["kind"] == "strength" for s in today), d
            nxt = by_day.get((d + dt.timedelta(days=1)).isoformat(), [])
            assert not any(s["kind"] in RUNNING | {"strength"} for s in nxt), d

    # review points: the 7-day check only for acute conditions; a weekly load test where the protocol has one
    assert any(s["check"] == "no_improvement" for s in checks) == (
        proto.no_improvement_check and start + dt.timedelta(days=ramp.no_improvement_days) <= end
    )
    if proto.load_test is not None:
        for w in weeks:
            assert sum(1 for s in w["sessions"] if s.get("check") == "load_test") == 1


def _phase_of(weeks: list[dict], session: dict) -> str:
    return next(w["phase"] for w in weeks if w["start"] <= session["date"] <= w["end"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests())
def test_every_plan_keeps_the_invariants(request: PlanRequest) -> None:
    """Random requests over every condition, unit, mileage, start, time off and can-run give plans that keep all invariants."""
    check_plan(_doc(build_plan(request, _catalog())), _catalog())


@settings(max_examples=30, deadline=None)
@given(request=requests())
def test_equal_requests_give_equal_plans(request: PlanRequest) -> None:
    """Building the same request twice gives the same plan, field for field."""
    again = PlanRequest.model_validate(request.model_dump())
    assert build_plan(request, _catalog()) == build_plan(again, _catalog())


@pytest.mark.parametrize("units", ["mi", "km"])
@pytest.mark.parametrize("pace", ["slowest", "default", "fastest"])
def test_extremes_keep_the_invariants(catalog: Catalog, units: str, pace: str) -> None:
    """The smallest and largest mileage at the slowest, usual and fastest paces, with every
    condition, keep all invariants (small weeks are where 0.1 steps and 10% rises meet)."""
    least, top = catalog.ramp.ramp.mileage_limits(units)
    lo, hi = PACE_LIMITS[units]
    per_unit = {"slowest": hi, "default": None, "fastest": lo}[pace]
    for cond, site in _targets(catalog):
        for mileage in (least, least + 0.1, least + 1.3, top):
            for weeks_off, can_run, run_days in ((0, 0, 3), (12, 0, 6), (0, 20, 6), (104, 45, 4)):
                request = PlanRequest(
                    condition=cond,
                    site=site,
                    mileage=mileage,
                    units=Unit(units),
                    start=dt.date(2028, 2, 29),
                    weeks_off=weeks_off,
                    run_days=run_days,
                    can_run=can_run,
                    pace_min_per_unit=per_unit,
                )
                check_plan(_doc(build_plan(request, catalog)), catalog)


def test_the_checker_catches_broken_plans(catalog: Catalog) -> None:
    """The invariant checker fails on a plan whose JSON breaks the ramp, a week sum, the rest day or the ladder spacing."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=dt.date(2026, 11, 30)), catalog)
    check_plan(_doc(plan), catalog)

    def broken(edit) -> dict:
        data = _doc(plan)
        edit(data)
        return data

    def jump(data: dict) -> None:  # a build week 20% above the week before, runs to match
        w = next(w for w in data["weeks"] if w["ramp_week"] and not w["hold_week"] and w["index"] > 12)
        prev = data["weeks"][w["index"] - 2]["run_distance"]
        runs = [s for s in w["sessions"] if s["kind"] == "run"]
        for s in runs:
            s["run_distance"] = round(prev * 1.2 / len(runs), 1)
        w["run_distance"] = round(sum(s["run_distance"] for s in runs), 2)

    def wrong_sum(data: dict) -> None:
        data["weeks"][12]["run_distance"] += 0.1

    def no_rest(data: dict) -> None:
        for w in data["weeks"]:
            for s in w["sessions"]:
                if s["kind"] == "rest":
                    s["kind"] = "strength"
                    s["exercises"] = []

    def back_to_back(data: dict) -> None:  # a ladder session moved onto the day after another
        ladder = [s for w in data["weeks"] for s in w["sessions"] if s["kind"] == "walk_run"]
        ladder[1]["date"] = (dt.date.fromisoformat(ladder[0]["date"]) + dt.timedelta(days=1)).isoformat()

    def no_morning_check(data: dict) -> None:
        for w in data["weeks"]:
            w["sessions"] = [s for s in w["sessions"] if s.get("check") != "morning_after"]

    for edit in (jump, wrong_sum, no_rest, back_to_back, no_morning_check):
        with pytest.raises(AssertionError):
            check_plan(broken(edit), catalog)


@settings(max_examples=30, deadline=None)
@given(request=requests(), athlete=st.text(max_size=30))
def test_the_plan_file_is_json_indented_by_two_spaces(request, athlete):
    """The plan file reads as Python's json module writes it indented by two: any name (quotes,
    backslashes, control characters, other scripts) as itself in UTF-8, one trailing newline."""
    named = PlanRequest.model_validate({**request.model_dump(), "athlete": athlete or None})
    data = plan_json(build_plan(named, _catalog()))
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")
    assert data.decode("utf-8") == json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n"
