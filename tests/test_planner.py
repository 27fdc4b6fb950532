"""Hand-worked plans: the planner's week distances, ladder stages, check-ins and notes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from rehabplan import Plan, PlanningError, PlanRequest, build_plan, plan_text, wording
from rehabplan.catalog import Catalog, load_catalog
from rehabplan.catalog.models import Running


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The shipped catalog with the ramp numbers and phase lengths the hand calculations assume.

    Pinned here so an edit to the shipped data does not silently change the worked examples:
    weekly cap 1.10, hold every 4th ramp week, restart at 60%, single run cap 1.10 over 30 days,
    intensity from 75%, 2 maintain weeks, ITBS paused for 2 + 2 weeks, patellar tendinopathy and
    osteoarthritis with no paused phase, and ladder stages as in clinical.md section 8.
    """
    cat = load_catalog()
    rules = cat.ramp.ramp.model_copy(
        update={
            "weekly_cap": 1.10,
            "hold_every": 4,
            "restart_fraction": 0.6,
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
    ramp = cat.ramp.model_copy(update={"ramp": rules})
    protocols = dict(cat.protocols)
    itbs = protocols["itbs"]
    fixed = tuple(
        ph.model_copy(update={"weeks": 2, "min_weeks": 0, "max_weeks": 26}) if ph.running == Running.NONE else ph
        for ph in itbs.phases
    )
    protocols["itbs"] = itbs.model_copy(update={"phases": fixed})
    for pid in ("patellar-tendinopathy", "osteoarthritis"):
        p = protocols[pid]
        protocols[pid] = p.model_copy(update={"phases": tuple(ph for ph in p.phases if ph.running != Running.NONE)})
    return dataclasses.replace(cat, ramp=ramp, protocols=protocols)


def _dist(plan: Plan) -> list[float]:
    return [w.run_distance for w in plan.weeks]


def test_itbs_20_mi_worked_example(catalog: Catalog) -> None:
    """ITBS, 20 mi, 0 weeks off: 4 paused weeks, the ladder from R1, then the 10% ramp to 20 mi."""
    # 4 paused weeks -> effective 4 weeks off -> entry R1. Ladder running at 10.5 min/mi, floored:
    # R1 10 min 0.95, R2 15 min 1.42, R3 20 min 1.90, R4 21 min 2.00, R5/R6 24 min 2.28,
    # R7 27 min 2.57, R8 28 min 2.66, R9 30 min 2.85. Two sessions a stage, three a week:
    # wk5 R1 R1 R2 = 3.32, wk6 R2 R3 R3 = 5.22, wk7 R4 R4 R5 = 6.28, wk8 R5 R6 R6 = 6.84,
    # wk9 R7 R7 R8 = 7.80, wk10 R8 R9 R9 = 8.36.
    # Ramp: 8.36 x 1.1 = 9.196 -> 9.1; 10.01 -> 10.0; 11.0; hold 11.0; 12.1; 13.31 -> 13.3;
    # 14.63 -> 14.6; hold 14.6; 16.06 -> 16.0; 17.6; 19.36 -> 19.3; hold 19.3; min(20, 21.23) = 20;
    # then 2 maintain weeks at 20.
    req = PlanRequest(condition="itbs", mileage=20, start=dt.date(2026, 11, 30))
    plan = build_plan(req, catalog)
    assert _dist(plan) == [
        0, 0, 0, 0,
        3.32, 5.22, 6.28, 6.84, 7.8, 8.36,
        9.1, 10.0, 11.0, 11.0, 12.1, 13.3, 14.6, 14.6, 16.0, 17.6, 19.3, 19.3, 20.0,
        20.0, 20.0,
    ]  # fmt: skip
    assert [w.index for w in plan.weeks if w.hold_week] == [14, 18, 22]
    stages = [[s.stage for s in w.sessions if s.kind == "walk_run"] for w in plan.weeks[4:10]]
    assert stages == [
        ["r1", "r1", "r2"], ["r2", "r3", "r3"], ["r4", "r4", "r5"],
        ["r5", "r6", "r6"], ["r7", "r7", "r8"], ["r8", "r9", "r9"],
    ]  # fmt: skip
    first_ladder_day = plan.weeks[4].start
    day_one = [s for s in plan.weeks[4].sessions if s.date == first_ladder_day]
    assert [getattr(s, "check", None) for s in day_one if s.kind == "check_in"] == ["readiness"]
    assert plan.end == dt.date(2026, 11, 30) + dt.timedelta(days=25 * 7 - 1)
    assert plan.notes == ()
    # every ITBS run carries its ice after-care, and stand-alone ice stays in the settle phase
    runs = [s for w in plan.weeks for s in w.sessions if s.kind in ("run", "walk_run")]
    assert runs and all(s.ice_after for s in runs)
    assert all("Ice" in (wording.word(plan, s).aftercare or "") for s in runs)
    assert {w.phase for w in plan.weeks for s in w.sessions if s.kind == "ice"} == {"settle"}
    # no hills for ITBS: intensity comes back as strides, only in hold and maintain weeks
    hard = [(w.index, s.intensity) for w in plan.weeks for s in w.sessions if s.kind == "run" and s.intensity != "easy"]
    assert hard == [(22, "strides"), (24, "strides"), (25, "strides")]


def test_tendon_ladder_km_worked_example(catalog: Catalog) -> None:
    """Patellar tendinopathy, 30 km at 6 min/km, 3 run days: tendon ladder from T2, then the ramp."""
    # Tendon ladder, entry T2 (0 weeks off), 2 runs a week, 2 sessions a stage:
    # T2 10 min = 1.66 km, T3 2.50, T4 3.33, T5 4.16, T6 5.00 -> weeks 3.32, 5.0, 6.66, 8.32, 10.0.
    # Ramp: 11.0, 12.1, 13.31 -> 13.3, hold 13.3, 14.63 -> 14.6, 16.06 -> 16.0, 17.6, hold 17.6,
    # 19.36 -> 19.3, 21.23 -> 21.2, 23.32 -> 23.3, hold 23.3, 25.63 -> 25.6, 28.16 -> 28.1,
    # min(30, 30.91) = 30; 2 maintain weeks.
    req = PlanRequest(
        condition="patellar-tendinopathy",
        mileage=30,
        units="km",
        start=dt.date(2028, 2, 28),
        run_days=3,
        pace_min_per_unit=6.0,
    )
    plan = build_plan(req, catalog)
    assert _dist(plan) == [
        3.32, 5.0, 6.66, 8.32, 10.0,
        11.0, 12.1, 13.3, 13.3, 14.6, 16.0, 17.6, 17.6, 19.3, 21.2, 23.3, 23.3, 25.6, 28.1, 30.0,
        30.0, 30.0,
    ]  # fmt: skip
    # first ramp week: 11.0 km over 3 runs of at most 1.1 x 5.0 = 5.5 km -> 3.6, 3.7, 3.7
    assert [s.run_distance for s in plan.weeks[5].sessions if s.kind == "run"] == [3.6, 3.7, 3.7]
    ladder_days = [s.date for w in plan.weeks for s in w.sessions if s.kind == "walk_run"]
    assert len(ladder_days) == 10
    assert all((b - a).days >= 3 for a, b in itertools.pairwise(ladder_days))
    # hold week 17 is at 23.3 >= 22.5 km (75%): strides; maintain weeks bring hills back
    hard = [(w.index, s.intensity) for w in plan.weeks for s in w.sessions if s.kind == "run" and s.intensity != "easy"]
    assert hard == [(17, "strides"), (21, "hills"), (22, "hills")]
    assert plan.unit.value == "km" and plan.weeks[-1].run_distance == plan.target_weekly_distance == 30.0


def test_restart_without_ladder(catalog: Catalog) -> None:
    """Osteoarthritis with no time off restarts at 60% of the target in equal runs, with no ladder."""
    # 0.6 x 20 = 12.0 mi as 3 equal runs of 4.0; then 13.2, 14.52 -> 14.5, hold 14.5,
    # 15.95 -> 15.9, 17.49 -> 17.4, 19.14 -> 19.1, hold 19.1, min(20, 21.01) = 20, 2 weeks at 20.
    req = PlanRequest(condition="osteoarthritis", mileage=20, start=dt.date(2027, 1, 1))
    plan = build_plan(req, catalog)
    assert _dist(plan) == [12.0, 13.2, 14.5, 14.5, 15.9, 17.4, 19.1, 19.1, 20.0, 20.0, 20.0]
    first = plan.weeks[0]
    assert [s.run_distance for s in first.sessions if s.kind == "run"] == [4.0, 4.0, 4.0]
    assert getattr(first.sessions[0], "check", None) == "readiness"
    assert not any(s.kind == "walk_run" for w in plan.weeks for s in w.sessions)
    # second week: every run at most 1.1 x 4.0 = 4.4
    assert [s.run_distance for s in plan.weeks[1].sessions if s.kind == "run"] == [4.4, 4.4, 4.4]


def test_small_target_shortens_the_ladder(catalog: Catalog) -> None:
    """A 2 mi target cuts R1 to 7 repeats (3 x 0.66 = 1.98 mi) and ends the ramp in one week."""
    # 2 mi / 3 runs x 10.5 min/mi = 7 min of running per session -> R1 with 7 repeats = 0.66 mi.
    req = PlanRequest(condition="itbs", mileage=2, start=dt.date(2026, 12, 31))
    plan = build_plan(req, catalog)
    ladder = [s for w in plan.weeks for s in w.sessions if s.kind == "walk_run"]
    assert {(s.stage, s.reps, s.run_distance) for s in ladder} == {("r1", 7, 0.66)}
    assert _dist(plan)[4:] == [1.98, 2.0, 2.0, 2.0]
    assert max(_dist(plan)) == 2.0


def test_long_plan_gets_a_note_with_an_interim_target(catalog: Catalog) -> None:
    """A 150 mi plan runs past 26 weeks and suggests the largest target that fits in 26 weeks."""
    req = PlanRequest(condition="itbs", mileage=150, start=dt.date(2026, 11, 30))
    plan = build_plan(req, catalog)
    assert len(plan.weeks) > 26
    assert len(plan.notes) == 1
    note = plan.notes[0]
    assert note.weeks == len(plan.weeks) and note.limit == 26
    assert f"{len(plan.weeks)} weeks" in wording.notes(plan)[0]
    interim = int(note.interim)
    fits = build_plan(req.model_copy(update={"mileage": float(interim)}), catalog)
    too_long = build_plan(req.model_copy(update={"mileage": float(interim + 1)}), catalog)
    assert len(fits.weeks) <= 26 < len(too_long.weeks)
    assert fits.notes == ()


def test_plan_fields_come_from_the_catalog(catalog: Catalog) -> None:
    """Title, condition info, phases, exercise cards and guidance are filled from the protocol."""
    req = PlanRequest(condition="bursitis", site="pes-anserine", mileage=25, start=dt.date(2026, 3, 2), athlete="Sam")
    plan = build_plan(req, catalog)
    proto = catalog.protocols["bursitis-pes-anserine"]
    title = wording.title(plan)
    assert title.endswith("Sam") and proto.name in title
    assert plan.info.site == "pes-anserine" and plan.info.referrals
    assert [p.id for p in plan.phases] == [ph.id for ph in proto.phases]
    assert plan.phases[0].start == plan.start and plan.phases[-1].end == plan.end
    for a, b in zip(plan.phases, plan.phases[1:], strict=False):
        assert b.start == a.end + dt.timedelta(days=1)
    scheduled = {e.id for s in plan.sessions() for e in getattr(s, "exercises", ())}
    assert {c.id for c in plan.exercises} == scheduled
    for card in plan.exercises:
        ex = catalog.exercises[card.id]
        expected = next((c.note for c in ex.caution if c.condition == "bursitis"), None)
        assert card.caution == expected
    assert plan.guidance.ladder_name == "Walk/run ladder"
    assert {t.id for t in plan.guidance.readiness_tests} == set(proto.readiness.tests)
    known = {x.key for x in catalog.sources.sources}
    assert plan.guidance.sources and all(s.key in known for s in plan.guidance.sources)


def test_referral_check_ins_fall_on_their_days(catalog: Catalog) -> None:
    """The no-improvement and referral check-ins land on start + their days, inside the plan."""
    req = PlanRequest(condition="itbs", mileage=30, start=dt.date(2026, 11, 30))
    plan = build_plan(req, catalog)
    checks = {(s.check, s.date) for s in plan.sessions() if s.kind == "check_in"}
    start = req.start
    assert ("no_improvement", start + dt.timedelta(days=7)) in checks
    for ref in catalog.protocols["itbs"].referrals:
        day = start + dt.timedelta(days=ref.after_days)
        assert ("referral", day) in checks or ("no_improvement", day) in checks


def test_too_large_a_mileage_is_refused(catalog: Catalog) -> None:
    """A weekly mileage above the catalog's maximum raises a PlanningError instead of planning."""
    with pytest.raises((PlanningError, ValueError), match="above"):
        build_plan(PlanRequest(condition="itbs", mileage=151, start=dt.date(2026, 1, 5)), catalog)


def test_plan_table_fits_80_columns(catalog: Catalog) -> None:
    """The text view lists every week, draws a bar per week, prints the notes and fits 80 columns."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=150, start=dt.date(2026, 11, 30)), catalog)
    text = plan_text(plan)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert wording.notes(plan)[0].split()[0] in text and "Notes" in lines
    bars = [line for line in lines if "|" in line]
    assert len(bars) == len(plan.weeks)
    # the last week is at the target, the longest week, so its bar is the longest
    assert bars[-1].count("#") == max(b.count("#") + b.count("=") for b in bars)
