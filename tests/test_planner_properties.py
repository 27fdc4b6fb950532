"""Property tests: every plan keeps the design's invariants, checked from its JSON alone."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehabplan import Plan, PlanRequest, Unit, build_plan, plan_json
from rehabplan.catalog import Catalog, load_catalog
from rehabplan.planning.limits import PACE_LIMITS


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The shipped catalog, loaded once for the module."""
    return load_catalog()


def _frac(x: float) -> Fraction:
    return Fraction(repr(x))


def _h(x: float) -> int:
    return round(Fraction(repr(x)) * 100)


def _doc(plan: Plan) -> dict:
    """The plan as its published JSON document."""
    return json.loads(plan_json(plan))


def _cap_allowed(prev: int, factor: Fraction) -> int:
    """Largest week allowed after prev (hundredths): factor x prev down to 0.1, or to 0.01 for small steps."""
    raw = prev * factor.numerator // factor.denominator
    return raw if raw - prev < 10 else raw // 10 * 10


def _targets(catalog: Catalog) -> list[tuple[str, str | None]]:
    return [(p.condition, p.site) for p in catalog.protocols.values()]


def _request(draw: st.DrawFn, catalog: Catalog) -> PlanRequest:
    cond, site = draw(st.sampled_from(_targets(catalog)))
    units = draw(st.sampled_from(["mi", "km"]))
    top = 150 if units == "mi" else 240
    mileage = draw(st.integers(min_value=100, max_value=top * 100)) / 100
    lo, hi = PACE_LIMITS[Unit(units)]
    pace = draw(st.one_of(st.none(), st.integers(int(lo * 100), int(hi * 100)).map(lambda x: x / 100)))
    return PlanRequest(
        condition=cond,
        site=site,
        mileage=mileage,
        units=units,
        start=draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))),
        weeks_off=draw(st.integers(0, 12)),
        run_days=draw(st.integers(3, 6)),
        pace_min_per_unit=pace,
    )


def check_plan(data: dict, catalog: Catalog) -> None:
    """Assert every invariant of design section 5 and the planner rules on a plan's JSON."""
    ramp = catalog.ramp.ramp
    proto = catalog.resolve(data["condition"], data["site"])
    phases = {ph.id: ph for ph in proto.phases}
    target = _h(data["target_weekly_distance"])
    weekly = _frac(ramp.weekly_cap)
    single = _frac(ramp.single_run_cap)
    intensity = _frac(ramp.intensity_fraction)
    restart = _frac(ramp.restart_fraction)
    weeks = data["weeks"]
    assert weeks, "a plan has weeks"

    # dates contiguous, 7-day weeks from the start
    start = dt.date.fromisoformat(data["start"])
    for i, w in enumerate(weeks):
        ws = dt.date.fromisoformat(w["start"])
        assert w["index"] == i + 1
        assert ws == start + dt.timedelta(days=7 * i)
        assert dt.date.fromisoformat(w["end"]) == ws + dt.timedelta(days=6)
        for s in w["sessions"]:
            assert ws <= dt.date.fromisoformat(s["date"]) <= ws + dt.timedelta(days=6)
    assert dt.date.fromisoformat(data["end"]) == dt.date.fromisoformat(weeks[-1]["end"])

    # week sums, no week above the target, last week == target
    dist = [_h(w["run_distance"]) for w in weeks]
    for w, d in zip(weeks, dist, strict=False):
        assert d == sum(_h(s.get("run_distance", 0)) for s in w["sessions"])
        assert d <= target
    assert dist[-1] == target

    # no running in paused phases; ramp weeks after the ladder
    for w in weeks:
        ph = phases[w["phase"]]
        running = ph.running.value
        kinds = {s["kind"] for s in w["sessions"]}
        if running == "none":
            assert not kinds & {"run", "walk_run"}
            assert dist[weeks.index(w)] == 0
        if running == "ladder":
            assert "run" not in kinds
        if running in ("ramp", "hold"):
            assert w["ramp_week"] and "walk_run" not in kinds
        else:
            assert not w["ramp_week"]

    # the 10% rule, hold weeks, first ramp week
    first_ramp = next(i for i, w in enumerate(weeks) if w["ramp_week"])
    if first_ramp > 0 and dist[first_ramp - 1] > 0:
        assert dist[first_ramp] <= _cap_allowed(dist[first_ramp - 1], weekly)
    else:
        assert dist[first_ramp] * restart.denominator <= target * restart.numerator
    for i in range(first_ramp + 1, len(weeks)):
        assert dist[i] <= _cap_allowed(dist[i - 1], weekly)
        if weeks[i]["hold_week"]:
            assert dist[i] == dist[i - 1]
    ramp_idx = [i for i, w in enumerate(weeks) if phases[w["phase"]].running.value == "ramp"]
    for n, i in enumerate(ramp_idx, start=1):
        assert weeks[i]["hold_week"] == (n % ramp.hold_every == 0)
    assert dist[ramp_idx[-1]] == target
    assert all(dist[i] < target for i in ramp_idx[:-1])
    hold_idx = [i for i, w in enumerate(weeks) if phases[w["phase"]].running.value == "hold"]
    assert len(hold_idx) == ramp.maintain_weeks and all(dist[i] == target for i in hold_idx)

    sessions = [s for w in weeks for s in w["sessions"]]
    by_day: dict[str, list[dict]] = defaultdict(list)
    for s in sessions:
        by_day[s["date"]].append(s)

    # per-run 30-day cap, equal runs when the window is empty
    running = [
        (dt.date.fromisoformat(s["date"]), _h(s["run_distance"])) for s in sessions if s["kind"] in ("run", "walk_run")
    ]
    window = ramp.single_run_window_days
    for w in weeks:
        runs = [s for s in w["sessions"] if s["kind"] == "run"]
        lengths = set()
        for s in runs:
            day = dt.date.fromisoformat(s["date"])
            before = [h for d, h in running if day - dt.timedelta(days=window) <= d < day]
            h = _h(s["run_distance"])
            assert h > 0
            if before:
                assert h * single.denominator <= max(before) * single.numerator
            else:
                lengths.add(h)
        assert len(lengths) <= 1

    # intensity only at >= 75% of target, in hold or maintain weeks, once a week; no hills for ITBS
    for w, d in zip(weeks, dist, strict=False):
        hard = [s for s in w["sessions"] if s["kind"] == "run" and s["intensity"] != "easy"]
        if hard:
            assert len(hard) == 1
            assert d * intensity.denominator >= target * intensity.numerator
            assert w["hold_week"] or phases[w["phase"]].running.value == "hold"
            if data["condition"] == "itbs":
                assert hard[0]["intensity"] == "strides"

    # ladder runs never on consecutive days, also across weeks
    ladder = next(lad for lad in catalog.ramp.ladders if lad.id == proto.ladder)
    ladder_days = sorted(dt.date.fromisoformat(s["date"]) for s in sessions if s["kind"] == "walk_run")
    for a, b in itertools.pairwise(ladder_days):
        assert (b - a).days >= ladder.min_rest_days_between_runs + 1
    for day in ladder_days:
        nxt = (day + dt.timedelta(days=1)).isoformat()
        assert any(s.get("check") == "morning_after" for s in by_day[nxt])

    # at most N sessions a day, slots 0..n-1; at least one full rest day per week
    for items in by_day.values():
        assert len(items) <= ramp.max_sessions_per_day
        assert sorted(s["slot"] for s in items) == list(range(len(items)))
        if any(s["kind"] == "rest" for s in items):
            assert len(items) == 1
        # never ice right before a run on the same day
        run_slots = [s["slot"] for s in items if s["kind"] in ("run", "walk_run")]
        ice_slots = [s["slot"] for s in items if s["kind"] == "ice"]
        assert all(i > r for i in ice_slots for r in run_slots)
    for w in weeks:
        ws = dt.date.fromisoformat(w["start"])
        rest_days = 0
        for i in range(7):
            items = by_day.get((ws + dt.timedelta(days=i)).isoformat(), [])
            if all(s["kind"] == "rest" for s in items):
                rest_days += 1
        assert rest_days >= 1

    # exercises exist and are not avoided; ice and heat minutes
    for s in sessions:
        for ex in s.get("exercises", ()):
            assert ex["id"] in catalog.exercises
            assert proto.condition not in catalog.exercises[ex["id"]].avoid
        if s["kind"] == "ice":
            assert s["minutes"] <= 20 and s["date"] and s["kind"]
            assert phases[_phase_of(weeks, s)].id in proto.modality.ice_in_phases
        if s["kind"] == "heat":
            assert s["minutes"] <= (30 if proto.condition == "osteoarthritis" else 20)
            assert phases[_phase_of(weeks, s)].id in proto.modality.heat_in_phases
    card_ids = {c["id"] for c in data["exercises"]}
    assert card_ids == {ex["id"] for s in sessions for ex in s.get("exercises", ())}


def _phase_of(weeks: list[dict], session: dict) -> str:
    return next(w["phase"] for w in weeks if w["start"] <= session["date"] <= w["end"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_plan_keeps_the_invariants(catalog: Catalog, data: st.DataObject) -> None:
    """Random requests over every condition, unit, mileage and start give plans that keep all invariants."""
    request = data.draw(st.composite(lambda draw: _request(draw, catalog))())
    plan = build_plan(request, catalog)
    check_plan(_doc(plan), catalog)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_equal_requests_give_equal_plans(catalog: Catalog, data: st.DataObject) -> None:
    """Building the same request twice gives the same plan, field for field."""
    request = data.draw(st.composite(lambda draw: _request(draw, catalog))())
    again = PlanRequest.model_validate(request.model_dump())
    assert build_plan(request, catalog) == build_plan(again, catalog)


@pytest.mark.parametrize("units,top", [("mi", 150), ("km", 240)])
def test_extremes_keep_the_invariants(catalog: Catalog, units: str, top: float) -> None:
    """The smallest and largest mileage, with every condition, keep all invariants."""
    for cond, site in _targets(catalog):
        for mileage in (1.0, 1.01, 2.37, float(top)):
            for weeks_off in (0, 12):
                request = PlanRequest(
                    condition=cond,
                    site=site,
                    mileage=mileage,
                    units=units,
                    start=dt.date(2028, 2, 29),
                    weeks_off=weeks_off,
                    run_days=6,
                )
                check_plan(_doc(build_plan(request, catalog)), catalog)


def test_the_checker_catches_broken_plans(catalog: Catalog) -> None:
    """The invariant checker fails on a plan whose JSON breaks the ramp, a week sum or the rest day."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=dt.date(2026, 11, 30)), catalog)
    good = _doc(plan)
    check_plan(good, catalog)

    def broken(edit) -> dict:
        data = _doc(plan)
        edit(data)
        return data

    def jump(data: dict) -> None:  # a ramp week 20% above the week before, runs to match
        w = next(w for w in data["weeks"] if w["ramp_week"] and not w["hold_week"] and w["index"] > 20)
        prev = data["weeks"][w["index"] - 2]["run_distance"]
        runs = [s for s in w["sessions"] if s["kind"] == "run"]
        for s in runs:
            s["run_distance"] = round(prev * 1.2 / len(runs), 2)
        w["run_distance"] = round(sum(s["run_distance"] for s in runs), 2)

    def wrong_sum(data: dict) -> None:
        data["weeks"][12]["run_distance"] += 0.1

    def no_rest(data: dict) -> None:
        for w in data["weeks"]:
            for s in w["sessions"]:
                if s["kind"] == "rest":
                    s["kind"] = "strength"

    for edit in (jump, wrong_sum, no_rest):
        with pytest.raises(AssertionError):
            check_plan(broken(edit), catalog)
