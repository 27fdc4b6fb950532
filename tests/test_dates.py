"""Dates and times: leap days, year ends and DST changes keep the right weekdays and local session times."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from icalendar import Calendar

from rehabplan import CalendarOptions, Plan, PlanRequest, build_plan, calendar_ics
from rehabplan.cli import app

# Times far enough apart that no session is pushed later by the one before it.
TIMES = {
    "check_in": dt.time(5, 0),
    "run": dt.time(6, 10),
    "walk_run": dt.time(6, 10),
    "cross_training": dt.time(9, 20),
    "strength": dt.time(12, 40),
    "heat": dt.time(15, 50),
    "ice": dt.time(20, 5),
}
STARTS = [dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2027, 3, 1), dt.date(2027, 9, 27)]
# (zone, a start before its spring or autumn change, does it change its clocks at all)
ZONES = [
    ("America/New_York", dt.date(2027, 3, 1), True),  # clocks go forward 14 Mar 2027
    ("Europe/London", dt.date(2027, 3, 1), True),  # forward 28 Mar 2027
    ("Australia/Sydney", dt.date(2027, 3, 1), True),  # back 4 Apr 2027
    ("America/New_York", dt.date(2027, 9, 27), True),  # back 7 Nov 2027
    ("Europe/London", dt.date(2027, 9, 27), True),  # back 31 Oct 2027
    ("Australia/Sydney", dt.date(2027, 9, 27), True),  # forward 3 Oct 2027
    ("Asia/Kolkata", dt.date(2027, 3, 1), False),
]


@pytest.fixture(scope="module")
def plan_for(catalog):
    """Build (once) the ITBS 30 mi plan starting on a given date."""
    cache: dict[tuple, Plan] = {}

    def build(start: dt.date, **kw) -> Plan:
        key = (start, tuple(sorted(kw.items())))
        if key not in cache:
            cache[key] = build_plan(PlanRequest(condition="itbs", mileage=30, start=start, **kw), catalog)
        return cache[key]

    return build


@pytest.mark.parametrize("start", STARTS, ids=str)
def test_weeks_follow_the_start_day(plan_for, start):
    """Week n starts at start + 7(n-1) and ends 6 days later; weeks are back to back; every session sits in its week."""
    plan = plan_for(start)
    assert plan.start == start
    assert plan.weeks[0].start == start
    for week in plan.weeks:
        assert week.start == start + dt.timedelta(days=7 * (week.index - 1))
        assert week.end == week.start + dt.timedelta(days=6)
        assert week.start.weekday() == start.weekday()
        assert all(week.start <= s.date <= week.end for s in week.sessions)
    assert [w.index for w in plan.weeks] == list(range(1, len(plan.weeks) + 1))
    assert plan.end == plan.weeks[-1].end


def test_leap_day_start_covers_every_day_once(plan_for):
    """From 29 Feb 2028 the weeks cover each calendar day exactly once, with 1 Mar in week 1."""
    plan = plan_for(dt.date(2028, 2, 29))
    covered = [w.start + dt.timedelta(days=i) for w in plan.weeks for i in range((w.end - w.start).days + 1)]
    expected = [plan.start + dt.timedelta(days=i) for i in range((plan.end - plan.start).days + 1)]
    assert covered == expected
    assert plan.weeks[0].start <= dt.date(2028, 3, 1) <= plan.weeks[0].end
    assert plan.weeks[0].end == dt.date(2028, 3, 6)  # Tuesday to Monday


def test_year_end_start_crosses_into_the_new_year(plan_for):
    """A plan starting on 31 Dec 2026 has its first week end on 6 Jan 2027, a Wednesday."""
    plan = plan_for(dt.date(2026, 12, 31))
    assert plan.weeks[0].end == dt.date(2027, 1, 6)
    assert plan.weeks[0].end.weekday() == 2
    assert plan.weeks[1].start == dt.date(2027, 1, 7)


def test_cli_accepts_leap_day_and_rejects_a_false_one(runner, tmp_path, monkeypatch):
    """make takes --start 2028-02-29 and refuses 2027-02-29, which does not exist."""
    monkeypatch.chdir(tmp_path)
    good = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--start", "2028-02-29", "--format", "json"])
    assert good.exit_code == 0, good.stderr
    data = json.loads(good.stdout)
    assert data["start"] == "2028-02-29" and data["weeks"][1]["start"] == "2028-03-07"
    bad = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--start", "2027-02-29", "--format", "json"])
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "2027-02-29" in bad.stderr and "not a real calendar date" in bad.stderr


def _events(plan: Plan, **options) -> list:
    return list(Calendar.from_ical(calendar_ics(plan, CalendarOptions(**options))).walk("VEVENT"))


def _kind(event) -> str:
    return str(event["CATEGORIES"].cats[0]).lower()


@pytest.mark.parametrize(("zone", "start", "has_dst"), ZONES, ids=[f"{z}-{s}" for z, s, _ in ZONES])
def test_local_session_times_survive_dst(plan_for, zone, start, has_dst):
    """Each kind of session keeps its local start time before and after a DST change, in the chosen zone."""
    plan = plan_for(start)
    events = _events(plan, tz=zone, times=TIMES)
    assert events
    tz = zoneinfo.ZoneInfo(zone)
    offsets = set()
    first_of_day: dict[tuple[dt.date, str], dt.datetime] = {}
    for event in events:
        start_dt = event["DTSTART"].dt
        assert isinstance(start_dt, dt.datetime) and start_dt.tzinfo is not None
        assert event["DTSTART"].params.get("TZID") == zone
        local = start_dt.astimezone(tz)
        assert (local.hour, local.minute) == (start_dt.hour, start_dt.minute)
        offsets.add(local.utcoffset())
        first_of_day.setdefault((local.date(), _kind(event)), local)
    for (day, kind), local in first_of_day.items():
        assert local.time() == TIMES[kind], (day, kind, local)
    assert (len(offsets) == 2) == has_dst, offsets


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Sydney"])
def test_event_dates_match_session_dates(plan_for, zone):
    """Every timed event falls on its session's date in the calendar's zone, across DST changes."""
    plan = plan_for(dt.date(2027, 3, 1))
    sessions = sorted(
        ((s.date, s.kind) for w in plan.weeks for s in w.sessions if s.kind != "rest"),
    )
    events = _events(plan, tz=zone, times=TIMES)
    got = sorted((e["DTSTART"].dt.date(), _kind(e)) for e in events)
    assert got == sessions


@pytest.mark.parametrize("start", [dt.date(2028, 2, 29), dt.date(2026, 12, 31)], ids=str)
def test_all_day_events_end_the_next_day(plan_for, start):
    """All-day events end on the following date, including over 29 Feb and 31 Dec."""
    plan = plan_for(start)
    events = _events(plan, tz="Europe/London", all_day=True)
    for event in events:
        begin, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(begin) is dt.date and type(end) is dt.date
        assert end == begin + dt.timedelta(days=1)
    assert any(e["DTSTART"].dt == start for e in events)


def test_booklet_prints_the_right_weekday_on_a_leap_day(plan_for):
    """The summary PDF names 29 Feb 2028 as a Tuesday."""
    import io

    from pypdf import PdfReader

    from rehabplan import BookletOptions, summary_pdf

    data = summary_pdf(plan_for(dt.date(2028, 2, 29)), BookletOptions())
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert "29 Feb 2028" in text
    assert "Tue 29 Feb 2028" in text
    assert "Wed 29 Feb 2028" not in text and "Mon 29 Feb 2028" not in text
