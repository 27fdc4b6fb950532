"""Hand-worked plans: the ladder sized to the runner, its stages and dates, the build, and what shortens a plan."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from rehabplan import InputError, Plan, PlanRequest, build_plan, plan_text, wording
from rehabplan.catalog import Catalog, load_catalog
from rehabplan.catalog.models import Running

START = dt.date(2027, 3, 1)  # a Monday


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The shipped catalog with the ramp numbers the hand calculations assume, pinned so an edit to
    the shipped data does not silently change the worked examples: weekly cap 1.10, hold every 4th
    build week, restart at 60%, restart share 50%, single run cap 1.10 over 30 days, intensity from
    75%, 2 maintain weeks, long run a third of the week from half the target, easy pace 10:30/mi."""
    cat = load_catalog()
    rules = cat.ramp.ramp.model_copy(
        update={
            "weekly_cap": 1.10,
            "hold_every": 4,
            "restart_fraction": 0.6,
            "restart_share": 0.5,
            "no_ladder_minutes": 30,
            "long_run_fraction": 0.334,
            "long_run_from": 0.5,
            "single_run_cap": 1.10,
            "single_run_window_days": 30,
            "intensity_fraction": 0.75,
            "maintain_weeks": 2,
            "long_plan_weeks": 26,
            "default_pace_min_per_mi": 10.5,
            "default_pace_min_per_km": 6.5,
            "no_improvement_days": 7,
        }
    )
    return dataclasses.replace(cat, ramp=cat.ramp.model_copy(update={"ramp": rules}))


def _dist(plan: Plan) -> list[float]:
    return [w.run_distance for w in plan.weeks]


def _ladder(plan: Plan) -> list[tuple[int, str]]:
    """(day of the plan, stage) of every walk/run session."""
    return [((s.date - plan.start).days, s.stage) for s in plan.sessions() if s.kind == "walk_run"]


def test_itbs_30_mi_worked_example(catalog: Catalog) -> None:
    """ITBS, 30 mi at 10:30/mi: three weeks without running, readiness tests two days before a
    ladder of 45-minute sessions every other day, continuous running in week 6, 30 mi in week 17."""
    # Usual running 30 x 10.5 = 315 min a week; the ladder's share is half, 157.5 min, over 3.5
    # sessions a week (every other day) = 45 min a session (the most a session may last).
    # Three paused weeks count as time off: entry r3. Running parts at 10:30/mi, down to 0.1 mi:
    # r3 2:1 x15 = 30 min 2.8 mi, r4 3:1 x11 = 33 min 3.1, r5 4:1 x9 = 36 min 3.4, r6 6:1 x6 3.4,
    # r7 9:1 x4 3.4, r8 14:1 x3 = 42 min 4.0, r9 45 min continuous 4.2.
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START), catalog)
    assert [w.phase for w in plan.weeks[:3]] == ["settle", "hip-loading", "knee-loading"]
    assert _dist(plan)[:3] == [0, 0, 0]
    ready = [s for s in plan.sessions() if getattr(s, "check", None) == "readiness"]
    assert [s.date for s in ready] == [dt.date(2027, 3, 20)]  # 48 hours before the first ladder run
    assert set(ready[0].tests) == set(catalog.protocols["itbs"].readiness.tests)  # all practised by then
    # A session's stage moves up after a good session, at most twice in any 7 days.
    assert _ladder(plan)[:12] == [
        (21, "r3"), (23, "r4"), (25, "r5"), (27, "r5"), (29, "r5"), (31, "r6"),
        (33, "r7"), (35, "r7"), (37, "r7"), (39, "r8"), (41, "r9"), (43, "r9"),
    ]  # fmt: skip
    assert {s.minutes for s in plan.sessions() if s.kind == "walk_run"} == {45}
    assert _dist(plan)[3:8] == [12.7, 10.2, 15.0, 12.6, 16.8]  # the short week 7 is followed by a full one
    first_continuous = next(w.index for w in plan.weeks for s in w.sessions if getattr(s, "stage", "") == "r9")
    assert first_continuous == 6
    # The build starts from the last ladder week (4 x 4.2 = 16.8): 16.8 x 1.1 = 18.48, down to 18.4
    # (4 x 4.6). Each run may then be at most 110% of the longest in 30 days (4.6 -> 5.06 -> 5.0,
    # 5.0 -> 5.5), which holds weeks 10-11 to 4 x 5.0 and 4 x 5.5; week 12 is flat; then +10%
    # (22.0 -> 24.2 -> 26.6 -> 29.2), flat, the target, and the two maintain weeks pinned above.
    assert _dist(plan)[8:] == [
        18.4, 20.0, 22.0, 22.0, 24.2, 26.6, 29.2, 29.2, 30.0, 30.0, 30.0,
    ]  # fmt: skip
    assert len(plan.weeks) == 19 and plan.end == START + dt.timedelta(days=19 * 7 - 1)
    last = sorted(s.run_distance for s in plan.weeks[-1].sessions if s.kind == "run")
    assert last[-1] == plan.long_run == 10.0 and last[-2] < last[-1]


def test_a_small_runner_gets_short_sessions(catalog: Catalog) -> None:
    """At 10 mi a week the ladder's share (52.5 min) makes sessions under 20 minutes, so they are 20."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=10, start=START), catalog)
    assert {s.minutes for s in plan.sessions() if s.kind == "walk_run"} == {20}
    assert plan.weeks[-1].run_distance == 10.0


def test_a_runner_who_can_run_30_minutes_skips_the_ladder(catalog: Catalog) -> None:
    """--can-run 35 for ITBS: no ladder, readiness tests, then a first week of at most 60% (18 mi)."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START, can_run=35), catalog)
    assert not any(s.kind == "walk_run" for s in plan.sessions())
    first = next(w for w in plan.weeks if w.run_distance)
    assert first.index == 4 and first.run_distance == 18.0
    ready = next(s for s in plan.sessions() if getattr(s, "check", None) == "readiness")
    first_run = min(s.date for s in first.sessions if s.kind == "run")
    assert (first_run - ready.date).days >= 2
    assert plan.guidance.ladder_name is None and plan.guidance.ladder_steps == ()


def test_weeks_off_shorten_the_paused_phases_and_move_the_ladder_entry(catalog: Catalog) -> None:
    """Four weeks already off: the paused phases keep only their minimum, and the ladder starts at r2."""
    base = build_plan(PlanRequest(condition="itbs", mileage=30, start=START), catalog)
    off = build_plan(PlanRequest(condition="itbs", mileage=30, start=START, weeks_off=4), catalog)
    assert len(off.weeks) <= len(base.weeks)
    assert _ladder(off)[0][1] == "r2"


def test_can_run_starts_the_ladder_where_the_runner_is(catalog: Catalog) -> None:
    """A runner who can run 10 minutes starts at the stage with 9-minute runs (r7)."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START, can_run=10), catalog)
    assert _ladder(plan)[0][1] == "r7"


def test_a_green_runner_keeps_running_where_the_protocol_allows(catalog: Catalog) -> None:
    """Where the protocol keeps a pain-free runner running, --can-run gives shorter runs from the first
    week instead of a pause, and the plan is no longer."""
    proto = catalog.protocols["runners-knee"].model_copy(update={"keep_running": True})
    cat = dataclasses.replace(catalog, protocols={**catalog.protocols, "runners-knee": proto})
    kept = build_plan(PlanRequest(condition="runners-knee", mileage=25, start=START, can_run=15), cat)
    assert kept.weeks[0].run_distance > 0
    assert not any(getattr(s, "check", None) == "readiness" for s in kept.sessions())
    paused = build_plan(PlanRequest(condition="runners-knee", mileage=25, start=START), cat)
    assert paused.weeks[0].run_distance == 0
    assert len(kept.weeks) <= len(paused.weeks)


def test_small_target_shortens_the_ladder(catalog: Catalog) -> None:
    """At the smallest mileage and the slowest pace no stage may run more than a quarter of the week
    per session; the plan still reaches the target in 0.1 steps."""
    least, _ = catalog.ramp.ramp.mileage_limits("mi")
    plan = build_plan(PlanRequest(condition="itbs", mileage=least, start=START, pace_min_per_unit=25), catalog)
    ladder = [s for s in plan.sessions() if s.kind == "walk_run"]
    assert ladder and all(4 * s.run_distance <= least for s in ladder)
    assert all(round(d * 10) == d * 10 for d in _dist(plan))
    assert max(_dist(plan)) == least


def test_mileage_below_the_least_is_refused_in_plain_words(catalog: Catalog) -> None:
    """A weekly mileage under the data's least is refused, saying the least and what to do."""
    from rehabplan.app.inputs import plan_request

    least, _ = catalog.ramp.ramp.mileage_limits("km")
    with pytest.raises(InputError) as err:
        plan_request(
            catalog,
            **dict.fromkeys(("site", "start", "weeks_off", "run_days", "pace", "name")),
            condition="itbs",
            mileage=str(least - 1),
            units="km",
            today=START,
        )
    assert f"at least {least:g} km a week" in str(err.value) and "physiotherapist" in str(err.value)


def test_long_plan_gets_a_note_with_an_interim_target(catalog: Catalog) -> None:
    """A 150 mi plan runs past 26 weeks and suggests the largest target that fits in 26 weeks."""
    req = PlanRequest(condition="itbs", mileage=150, start=START)
    plan = build_plan(req, catalog)
    assert len(plan.weeks) > 26
    [note] = plan.notes
    assert note.weeks == len(plan.weeks) and note.limit == 26
    assert f"{len(plan.weeks)} weeks" in wording.notes(plan)[0]
    assert note.interim is not None
    fits = build_plan(req.model_copy(update={"mileage": note.interim}), catalog)
    too_long = build_plan(req.model_copy(update={"mileage": note.interim + 1}), catalog)
    assert len(fits.weeks) <= 26 < len(too_long.weeks)
    assert fits.notes == ()


def test_plan_fields_come_from_the_catalog(catalog: Catalog) -> None:
    """Title, condition info, phases, exercise cards (with their site's cautions only) and guidance
    come from the protocol."""
    req = PlanRequest(condition="bursitis", site="pes-anserine", mileage=25, start=START, athlete="Sam")
    plan = build_plan(req, catalog)
    proto = catalog.protocols["bursitis-pes-anserine"]
    title = wording.title(plan)
    assert title.endswith("Sam") and proto.name in title
    assert plan.info.site == "pes-anserine" and plan.info.referrals
    assert [p.id for p in plan.phases] == [ph.id for ph in proto.phases if ph.id in {p.id for p in plan.phases}]
    assert plan.phases[0].start == plan.start and plan.phases[-1].end == plan.end
    for a, b in zip(plan.phases, plan.phases[1:], strict=False):
        assert b.start == a.end + dt.timedelta(days=1)
    scheduled = {e.id for s in plan.sessions() for e in getattr(s, "exercises", ())}
    assert {c.id for c in plan.exercises} == scheduled
    for card in plan.exercises:
        ex = catalog.exercises[card.id]
        expected = next(
            (c.note for c in ex.caution if c.condition == "bursitis" and c.site in (None, "pes-anserine")), None
        )
        assert card.caution == expected
    known = {x.key for x in catalog.sources.sources}
    assert plan.guidance.sources and all(s.key in known for s in plan.guidance.sources)


def test_review_points_fall_on_their_days(catalog: Catalog) -> None:
    """The 7-day check-in for acute conditions and each referral land on start + their days."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START), catalog)
    checks = {(s.check, s.date) for s in plan.sessions() if s.kind == "check_in"}
    assert ("no_improvement", START + dt.timedelta(days=7)) in checks
    for ref in catalog.protocols["itbs"].referrals:
        day = START + dt.timedelta(days=ref.after_days)
        assert ("referral", day) in checks or ("no_improvement", day) in checks


@pytest.mark.parametrize("protocol", ["osteoarthritis", "patellar-tendinopathy"])
def test_chronic_conditions_have_no_seven_day_check(catalog: Catalog, protocol: str) -> None:
    """Osteoarthritis and tendinopathy use their own review points, not the 7-day check for acute injuries."""
    proto = catalog.protocols[protocol]
    if proto.no_improvement_check:
        pytest.skip("the shipped data still asks for the 7-day check")
    plan = build_plan(PlanRequest(condition=proto.condition, mileage=20, start=START), catalog)
    assert not any(getattr(s, "check", None) == "no_improvement" for s in plan.sessions())


def test_too_large_a_mileage_is_refused(catalog: Catalog) -> None:
    """A weekly mileage above the catalog's maximum raises an InputError about the mileage."""
    with pytest.raises(InputError, match="mileage") as err:
        build_plan(PlanRequest(condition="itbs", mileage=151, start=START), catalog)
    assert err.value.field == "mileage"


def test_plan_table_fits_80_columns(catalog: Catalog) -> None:
    """The text view lists every week, draws a bar per week, prints the notes and fits 80 columns."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=150, start=START), catalog)
    text = plan_text(plan)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert wording.notes(plan)[0].split()[0] in text and "Notes" in lines
    bars = [line for line in lines if "|" in line]
    assert len(bars) == len(plan.weeks)
    assert bars[-1].count("#") == max(b.count("#") + b.count("=") for b in bars)


def test_paused_phases_hold_no_running(catalog: Catalog) -> None:
    """No run falls in a week of a phase that pauses running (for a runner who cannot run yet)."""
    for proto in catalog.protocols.values():
        plan = build_plan(PlanRequest(condition=proto.condition, site=proto.site, mileage=30, start=START), catalog)
        paused = {ph.id for ph in proto.phases if ph.running == Running.NONE}
        for w in plan.weeks:
            if w.phase in paused:
                assert w.run_distance == 0, (proto.id, w.index)


@pytest.mark.parametrize(("mileage", "can_run"), [(7, 0), (12, 40), (30, 30), (60, 60)])
def test_tendinopathy_keeps_its_12_week_heavy_course(catalog: Catalog, mileage: int, can_run: int) -> None:
    """However soon running is back, heavy slow resistance runs for 12 weeks after the week of holds."""
    plan = build_plan(
        PlanRequest(condition="patellar-tendinopathy", mileage=mileage, can_run=can_run, start=START), catalog
    )
    heavy = {
        w.index
        for w in plan.weeks
        for s in w.sessions
        if s.kind == "strength" and any(ex.id == "knee-hsr-squat" for ex in s.exercises)
    }
    assert len(plan.weeks) >= 13
    assert len(heavy) >= 12
