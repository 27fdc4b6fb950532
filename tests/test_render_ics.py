"""The calendar: one event per session, parsed back by two parsers, true times in any zone, stable UIDs."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import zoneinfo
from collections import Counter
from typing import Any

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

import rehabplan
from rehabplan import CalendarOptions, Plan, PlanRequest, build_plan, calendar_ics

START = dt.date(2026, 3, 2)  # a Monday; New York moves its clocks on 8 March, London on 29 March
AUTUMN = dt.date(2026, 8, 3)  # a Monday; runs go on past London's (25 Oct) and New York's (1 Nov) change
HOSTILE = 'Zoë "Q", O\'Neil; C:\\Runs\\ \n2nd line \U0001f3c3\u200d♀️ 中文, ok;'
ON_FEET = {"run", "walk_run", "check_in"}
#: The start times the README promises when the caller sets none.
DEFAULTS = {
    "check_in": dt.time(6, 45),
    "run": dt.time(7, 0),
    "walk_run": dt.time(7, 0),
    "cross_training": dt.time(12, 30),
    "heat": dt.time(17, 30),
    "strength": dt.time(18, 0),
    "ice": dt.time(19, 30),
}
# Times far enough apart that no session is pushed later by the one before it.
APART = {
    "check_in": dt.time(5, 0),
    "run": dt.time(6, 10),
    "walk_run": dt.time(6, 10),
    "cross_training": dt.time(9, 20),
    "strength": dt.time(12, 40),
    "heat": dt.time(15, 50),
    "ice": dt.time(20, 5),
}
ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


# --------------------------------------------------------------------------- helpers


def _sessions(plan: Plan) -> list[dict]:
    """The plan's non-rest sessions as the published plan JSON words them, in calendar order."""
    found = [s for w in json.loads(rehabplan.plan_json(plan))["weeks"] for s in w["sessions"] if s["kind"] != "rest"]
    return sorted(found, key=lambda s: (s["date"], s["slot"], s["kind"]))


def _events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def _kind(event) -> str:
    return str(event["CATEGORIES"].cats[0]).lower()


def _minutes(s: dict) -> int:
    return s["minutes"] if s["minutes"] > 0 else 15


def _text(value) -> str:
    """A TEXT value unescaped (RFC 5545 3.3.11): icalendar hands NAME and X-WR-CALNAME back as written."""
    raw = value.to_ical().decode("utf-8")
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def _title(plan: Plan) -> str:
    return " ".join(json.loads(rehabplan.plan_json(plan))["title"].split())


def _file_zone(data: bytes) -> dt.tzinfo:
    """The zone as the file's own VTIMEZONE describes it, not as tzdata knows its name."""
    (vtz,) = Calendar.from_ical(data).walk("VTIMEZONE")
    return vtz.to_tz(lookup_tzid=False)


def _unambiguous(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """A wall time that happens exactly once in the zone (not skipped or repeated by a clock change)."""
    naive = local.replace(tzinfo=None)
    once = naive.replace(tzinfo=tz, fold=0).utcoffset() == naive.replace(tzinfo=tz, fold=1).utcoffset()
    return once and naive.replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) == naive


def _first_of_day(events: list, local: dt.tzinfo | None = None) -> dict[tuple[dt.date, str], dt.datetime]:
    """The start of each kind's first event on each day (a second one that day waits for the first),
    as wall-clock times in `local` when the file gives UTC times."""
    first: dict[tuple[dt.date, str], dt.datetime] = {}
    for e in events:
        start = e.decoded("DTSTART")
        if local is not None:
            start = start.astimezone(local).replace(tzinfo=None)
        key = (start.date(), _kind(e))
        first[key] = min(first.get(key, start), start)
    return first


def _with_week(plan: Plan, week_index: int, sessions: tuple) -> Plan:
    """The plan cut to one week, holding the given sessions."""
    week = plan.weeks[week_index].model_copy(update={"sessions": sessions})
    return plan.model_copy(update={"weeks": (week,), "end": week.end})


@pytest.fixture(scope="module")
def make(catalog):
    """Build a real plan from the shipped catalog; keyword arguments go into the PlanRequest."""
    cache: dict[str, Plan] = {}

    def build(**kw) -> Plan:
        fields = {"condition": "itbs", "mileage": 30, "start": START, "athlete": "Sam Runner"} | kw
        key = repr(sorted(fields.items()))
        if key not in cache:
            cache[key] = build_plan(PlanRequest(**fields), catalog)
        return cache[key]

    return build


@pytest.fixture(scope="module")
def plan(make) -> Plan:
    """The everyday plan: ITBS, 30 miles a week, starting the Monday before New York's DST change."""
    return make()


@pytest.fixture(scope="module")
def ny(plan) -> bytes:
    """The everyday plan as a timed New York calendar."""
    return calendar_ics(plan, CalendarOptions(tz="America/New_York"))


# --------------------------------------------------------------------------- structure


def test_every_non_rest_session_is_one_event_with_the_plan_json_dates(plan, ny):
    """Each session in the plan JSON except rest days appears once, on its date, with its title and kind."""
    expected = Counter((s["date"], s["kind"].upper(), s["title"]) for s in _sessions(plan))
    events = _events(ny)
    got = Counter(
        (e.decoded("DTSTART").date().isoformat(), str(e["CATEGORIES"].cats[0]), str(e["SUMMARY"])) for e in events
    )
    assert len(events) == len(_sessions(plan)) > 0
    assert got == expected


def test_timed_events_start_at_the_kind_time_and_last_the_session_minutes(plan, ny):
    """Events start at their kind's time or, to dodge an overlap, when another event that day ends; runs never move."""
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    for e, s in zip(_events(ny), _sessions(plan), strict=True):
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert e["DTSTART"].params["TZID"] == e["DTEND"].params["TZID"] == "America/New_York"
        assert start.date().isoformat() == s["date"]
        assert end - start == dt.timedelta(minutes=_minutes(s))
        if s.get("check") == "morning_after":
            assert start.hour < 9  # the next-morning check happens in the morning
        by_day.setdefault(start.date(), []).append((start, end, s["kind"]))
    moved = 0
    for spans in by_day.values():
        spans.sort()
        ends = {end for _, end, _ in spans}
        for start, _, kind in spans:
            wanted = dt.datetime.combine(start.date(), DEFAULTS[kind], tzinfo=start.tzinfo)
            if kind in ("run", "walk_run"):
                assert start == wanted
            else:
                assert start == wanted or (start > wanted and start in ends), spans
            moved += start != wanted
        for (_, end, _), (nxt, _, _) in itertools.pairwise(spans):
            assert end <= nxt, spans
    assert moved < len(_sessions(plan)) / 20  # moving a session is the exception


@pytest.mark.parametrize(
    ("condition", "site"),
    [
        ("itbs", None),
        ("runners-knee", None),
        ("patellar-tendinopathy", None),
        ("bursitis", "prepatellar"),
        ("bursitis", "pes-anserine"),
        ("meniscus", None),
        ("osteoarthritis", None),
    ],
)
def test_no_overlaps_and_runs_keep_their_time_at_high_mileage(make, condition, site):
    """Even with the longest runs (150 mi a week) no two events overlap and every run starts at its set time."""
    plan = make(condition=condition, site=site, mileage=150, athlete=None)
    events = _events(calendar_ics(plan, CalendarOptions(tz="Europe/London")))
    assert len(events) == len(_sessions(plan))
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}
    for e in events:
        start = e.decoded("DTSTART")
        by_day.setdefault(start.date(), []).append((start, e.decoded("DTEND")))
        if _kind(e) in ("run", "walk_run"):
            assert start.time() == DEFAULTS["run"] == DEFAULTS["walk_run"]
    for spans in by_day.values():
        spans.sort()
        for (_, end), (nxt, _) in itertools.pairwise(spans):
            assert end <= nxt, spans


def test_same_kind_sessions_on_one_day_are_offset(plan):
    """Two sessions of one kind on the same day follow each other instead of overlapping."""
    week = plan.weeks[0]
    first = next(s for s in week.sessions if s.kind == "strength")
    second = first.model_copy(update={"slot": first.slot + 5})
    events = _events(calendar_ics(_with_week(plan, 0, (*week.sessions, second)), CalendarOptions(tz="Europe/London")))
    same_day = sorted(
        (e.decoded("DTSTART"), e.decoded("DTEND"))
        for e in events
        if _kind(e) == "strength" and e.decoded("DTSTART").date() == first.date
    )
    assert len(same_day) == 2
    assert same_day[0][0].time() == DEFAULTS["strength"]
    assert same_day[1][0] == same_day[0][1]


def test_a_second_check_in_moves_out_of_the_runs_way(plan):
    """On a walk/run day extra check-ins never shift the run: the second waits until the run is over."""
    index, run = next((i, s) for i, w in enumerate(plan.weeks) for s in w.sessions if s.kind == "walk_run")
    check = next(s for s in plan.sessions() if s.kind == "check_in")
    extra = tuple(check.model_copy(update={"date": run.date, "slot": run.slot + 1 + n}) for n in range(2))
    day = tuple(s for s in plan.weeks[index].sessions if s.date == run.date and s.kind != "check_in")
    events = _events(calendar_ics(_with_week(plan, index, (*day, *extra)), CalendarOptions(tz="UTC")))
    (run_start, run_end) = next((e.decoded("DTSTART"), e.decoded("DTEND")) for e in events if _kind(e) == "walk_run")
    assert run_start.time() == DEFAULTS["walk_run"]
    checks = sorted((e.decoded("DTSTART"), e.decoded("DTEND")) for e in events if _kind(e) == "check_in")
    assert len(checks) == 2
    assert checks[0][0] == dt.datetime.combine(run.date, DEFAULTS["check_in"], tzinfo=dt.UTC) or checks[0][0] >= run_end
    assert checks[-1][0] >= run_end


def test_times_option_overrides_the_default(plan):
    """options.times moves every session of that kind, and only that kind."""
    data = calendar_ics(plan, CalendarOptions(tz="Europe/London", times={"strength": dt.time(12, 15)}))
    starts: dict[str, set[dt.time]] = {}
    for e in _events(data):
        starts.setdefault(_kind(e), set()).add(e.decoded("DTSTART").time())
    assert starts["strength"] == {dt.time(12, 15)}
    assert DEFAULTS["walk_run"] in starts["walk_run"] and DEFAULTS["check_in"] in starts["check_in"]


def test_a_run_time_moves_walk_runs_and_the_morning_check_with_it(plan):
    """Setting only the run time moves walk/runs to it and keeps the morning check-in just before it."""
    data = calendar_ics(plan, CalendarOptions(tz="Europe/London", times={"run": dt.time(5, 30)}))
    starts: dict[str, set[dt.time]] = {}
    for e in _events(data):
        starts.setdefault(_kind(e), set()).add(e.decoded("DTSTART").time())
    assert starts["walk_run"] == starts["run"] == {dt.time(5, 30)}
    assert dt.time(5, 15) in starts["check_in"] and max(starts["check_in"]) < dt.time(6, 0)
    assert starts["strength"] == {DEFAULTS["strength"]}


def test_calendar_header_and_event_properties(plan, ny):
    """The calendar names itself and its zone; events carry the plan's DTSTAMP, SEQUENCE 0 and a VTIMEZONE match."""
    cal = Calendar.from_ical(ny)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == f"-//rehabplan//rehabplan {rehabplan.__version__}//EN"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert _text(cal["NAME"]) == _text(cal["X-WR-CALNAME"]) == _title(plan)
    assert str(cal["UID"]).endswith("@rehabplan")
    assert ny.count(b"\r\nX-WR-TIMEZONE:America/New_York\r\n") == 1
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.UTC)
    for e in _events(ny):
        assert e.decoded("DTSTAMP") == stamp
        assert int(e["SEQUENCE"]) == 0
        assert "STATUS" not in e
        assert e["DTSTART"].params["TZID"] == "America/New_York"
        assert str(e["TRANSP"]) == "OPAQUE"  # a timed session blocks its slot
    uids = [str(e["UID"]) for e in _events(ny)]
    assert len(set(uids)) == len(uids)
    assert all(u.endswith("@rehabplan") for u in uids)
    assert str(cal["UID"]) not in uids


def test_description_carries_what_the_runner_needs(plan, ny):
    """Doses, intervals, checklists, safety lines, the pain rule (once), the stop lines and the disclaimer are in the events."""
    g = plan.guidance
    rule = g.pain_rule
    for e, s in zip(_events(ny), _sessions(plan), strict=True):
        text = str(e["DESCRIPTION"])
        assert text.count(g.disclaimer) == 1
        assert g.calendar_line in text and " ".join(g.absolute_stops) in text
        for ex in s.get("exercises", ()):
            assert f"{ex['name']}: {ex['dose_text']}" in text
        for item in s["checklist"]:
            assert item in text
        for line in s["details"]:  # the session's own lines, with the ice or heat safety rules
            assert line in text
        if s["aftercare"]:
            assert s["aftercare"] in text
        assert "None" not in text and "nan" not in text.split() and "\n\n\n" not in text
        if s["kind"] in ON_FEET:
            assert text.count(rule.green) == text.count(rule.amber) == text.count(rule.red) == 1
        else:
            assert rule.red not in text
        if s["kind"] == "walk_run" and s["walk_min"]:
            assert f"{s['reps']} × (run {s['run_min']:g} min, walk {s['walk_min']:g} min)" in text
        elif s["kind"] == "walk_run":
            assert f"Run {s['run_min']:g} min without a walking break" in text


# --------------------------------------------------------------------------- second parser


def test_vobject_reads_the_same_events(plan, ny):
    """An independent parser (vobject) finds the same UIDs, summaries, dates, durations and descriptions."""
    cal = vobject.readOne(ny.decode("utf-8"))
    mine = {str(e["UID"]): e for e in _events(ny)}
    theirs = cal.vevent_list
    assert len(theirs) == len(mine) == len(_sessions(plan))
    for ev in theirs:
        ref = mine[ev.uid.value]
        assert ev.summary.value == str(ref["SUMMARY"])
        assert ev.dtstart.value == ref.decoded("DTSTART")
        assert ev.dtend.value - ev.dtstart.value == ref.decoded("DTEND") - ref.decoded("DTSTART")
        assert ev.description.value == str(ref["DESCRIPTION"])
    assert cal.x_wr_calname.value == _title(plan)


# --------------------------------------------------------------------------- time zones


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London"])
def test_dst_keeps_local_time_and_the_vtimezone_gives_the_right_offsets(make, zone):
    """Across the autumn clock change a 07:00 run stays 07:00 local, and the file's own VTIMEZONE gives every event its true UTC offset."""
    plan = make(start=AUTUMN)
    data = calendar_ics(plan, CalendarOptions(tz=zone))
    tz, own = zoneinfo.ZoneInfo(zone), _file_zone(data)
    events = _events(data)
    morning = [e.decoded("DTSTART") for e in events if _kind(e) in ("run", "walk_run")]
    assert morning and all(start.time() == dt.time(7, 0) for start in morning)
    assert {start.replace(tzinfo=own).utcoffset() for start in morning} == {
        dt.datetime(2026, 10, 1, 7, tzinfo=tz).utcoffset(),
        dt.datetime(2026, 12, 1, 7, tzinfo=tz).utcoffset(),
    }  # summer and winter time both occur among the runs
    for e in events:
        start = e.decoded("DTSTART")
        assert start.replace(tzinfo=own).utcoffset() == start.replace(tzinfo=tz).utcoffset(), start
    for ev in vobject.readOne(data.decode("utf-8")).vevent_list:  # vobject's own reading of the zone name
        assert ev.dtstart.value.utcoffset() == ev.dtstart.value.replace(tzinfo=tz).utcoffset()


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Australia/Sydney", AUTUMN),  # southern hemisphere: clocks go forward in October
        ("Australia/Lord_Howe", dt.date(2026, 3, 2)),  # a half-hour change, back in April
        ("Pacific/Chatham", AUTUMN),  # +12:45 / +13:45
        ("America/St_Johns", AUTUMN),  # -03:30 / -02:30
        ("Asia/Kolkata", AUTUMN),  # no change at all
        ("Africa/Casablanca", dt.date(2027, 1, 4)),  # no yearly rule: an hour back for Ramadan, 7 Feb to 14 Mar 2027
        ("Africa/Casablanca", dt.date(2025, 12, 29)),  # the same in 2026 (15 Feb to 22 Mar)
        ("Asia/Gaza", dt.date(2025, 2, 3)),  # no yearly rule until 2026: summer time began after Ramadan in 2025
        ("America/Sao_Paulo", AUTUMN),  # stopped daylight saving in 2019
        ("America/Godthab", AUTUMN),  # changes at 23:00 on a Saturday
        ("Antarctica/Troll", dt.date(2026, 2, 2)),  # a two-hour change
    ],
)
def test_vtimezone_gives_true_offsets_in_unusual_zones(make, zone, start):
    """Southern, half-hour, 45-minute, two-hour and no-DST zones: the file's VTIMEZONE agrees with tzdata for
    every event. Zones without a yearly rule (Casablanca, Gaza) are written in UTC, at the same instants."""
    plan = make(start=start)
    data = calendar_ics(plan, CalendarOptions(tz=zone, times=APART))
    tz = zoneinfo.ZoneInfo(zone)
    irregular = zone in ("Africa/Casablanca", "Asia/Gaza")
    assert (b"BEGIN:VTIMEZONE" not in data) == irregular
    own = dt.UTC if irregular else _file_zone(data)
    events = _events(data)
    assert len(events) == len(_sessions(plan))
    offsets = set()
    for e in events:
        for value in (e.decoded("DTSTART"), e.decoded("DTEND")):
            if irregular:
                assert value.utcoffset() == dt.timedelta(0), (zone, value)  # written as UTC (a trailing Z)
                value = value.astimezone(tz)
            else:
                assert value.replace(tzinfo=own).utcoffset() == value.replace(tzinfo=tz).utcoffset(), (zone, value)
            offsets.add(value.replace(tzinfo=tz).utcoffset())
    for (day, kind), first in _first_of_day(events, tz if irregular else None).items():
        assert first.time() == APART[kind], (day, kind)  # wall-clock time, whatever the offset
    # the zone's change falls inside the plan, so both offsets are checked
    assert len(offsets) == (1 if zone in ("Asia/Kolkata", "America/Sao_Paulo") else 2), offsets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=st.sampled_from(ZONES), start=st.dates(dt.date(2024, 1, 1), dt.date(2036, 12, 31)))
def test_any_zone_keeps_wall_times_and_true_offsets(catalog, zone, start):
    """In any IANA zone and any season, each kind keeps its local time and the file's VTIMEZONE agrees with tzdata."""
    plan = build_plan(PlanRequest(condition="osteoarthritis", mileage=20, start=start), catalog)
    data = calendar_ics(plan, CalendarOptions(tz=zone, times=APART))
    tz = zoneinfo.ZoneInfo(zone)
    events = _events(data)
    in_utc = b"BEGIN:VTIMEZONE" not in data  # a zone without a yearly rule: times written in UTC

    def local_day(e: Any) -> str:  # a UTC time is shown on the runner's own day
        start_at = e.decoded("DTSTART")
        return (start_at.astimezone(tz) if in_utc else start_at).date().isoformat()

    assert [local_day(e) for e in events] == [s["date"] for s in _sessions(plan)]
    own = dt.UTC if in_utc else _file_zone(data)
    for (day, kind), first in _first_of_day(events, tz if in_utc else None).items():
        assert first.time() == APART[kind], (day, kind)
    for e in events:
        start_at = e.decoded("DTSTART")
        if in_utc:
            assert start_at.utcoffset() == dt.timedelta(0)
        elif _unambiguous(start_at, tz):
            assert start_at.replace(tzinfo=own).utcoffset() == start_at.replace(tzinfo=tz).utcoffset(), (zone, start_at)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Sydney"])
def test_vtimezone_is_one_yearly_rule_each_way(plan, zone):
    """Zones with a regular DST rule get one DAYLIGHT and one STANDARD rule (RRULE, no RDATE), which every calendar app reads."""
    cal = Calendar.from_ical(calendar_ics(plan, CalendarOptions(tz=zone)))
    (vtz,) = cal.walk("VTIMEZONE")
    subs = list(vtz.subcomponents)
    assert sorted(c.name for c in subs) == ["DAYLIGHT", "STANDARD"]
    for sub in subs:
        assert "RRULE" in sub and "RDATE" not in sub
        assert sub.decoded("DTSTART").date() < plan.start  # in force before the first event
        before, after = sub.decoded("TZOFFSETFROM"), sub.decoded("TZOFFSETTO")
        assert (after > before) == (sub.name == "DAYLIGHT")


def test_vtimezone_onsets_are_local_times_before_the_change(plan):
    """An observance starts at the local time before its change (RFC 5545): London's summer time at 01:00, winter time at 02:00."""
    (vtz,) = Calendar.from_ical(calendar_ics(plan, CalendarOptions(tz="Europe/London"))).walk("VTIMEZONE")
    onsets = {sub.name: sub.decoded("DTSTART").time() for sub in vtz.subcomponents}
    assert onsets == {"DAYLIGHT": dt.time(1, 0), "STANDARD": dt.time(2, 0)}


def test_utc_calendar_uses_utc_times_without_vtimezone(plan):
    """In UTC events are written with a Z and no VTIMEZONE is needed."""
    data = calendar_ics(plan, CalendarOptions(tz="UTC"))
    assert b"BEGIN:VTIMEZONE" not in data
    assert b"TZID=" not in data
    assert b"\r\nX-WR-TIMEZONE:UTC\r\n" in data
    for e in _events(data):
        assert e.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        assert e["DTSTART"].to_ical().endswith(b"Z")


@pytest.mark.parametrize(
    "zones", [("Europe/London", "Europe/Lisbon", "UTC"), ("UTC", "Europe/Dublin", "Europe/London")]
)
def test_each_calendar_writes_its_own_zone_when_the_instants_are_the_same(make, zones):
    """Winter mornings in London, Lisbon, Dublin and UTC are the same instants: calendars made one
    after another (as a squad's are) each name their own zone, never the one written before."""
    winter = make(start=dt.date(2027, 1, 4))
    for zone in zones:
        events = _events(calendar_ics(winter, CalendarOptions(tz=zone)))
        before_summer_time = [e for e in events if e.decoded("DTSTART").date() < dt.date(2027, 3, 20)]
        assert len(before_summer_time) > 30
        for e in before_summer_time:
            assert e.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        for e in events:
            for name in ("DTSTART", "DTEND"):
                assert e[name].params.get("TZID") == (None if zone == "UTC" else zone)
                assert e[name].to_ical().endswith(b"Z") == (zone == "UTC")


def test_all_day_events_end_the_next_day(plan):
    """All-day mode writes VALUE=DATE events whose exclusive DTEND is the next day, with no time zone."""
    data = calendar_ics(plan, CalendarOptions(tz="America/New_York", all_day=True))
    assert b"BEGIN:VTIMEZONE" not in data and b"TZID=" not in data and b"X-WR-TIMEZONE" not in data
    events = _events(data)
    assert len(events) == len(_sessions(plan))
    for e, s in zip(events, _sessions(plan), strict=True):
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is dt.date and type(end) is dt.date
        assert start.isoformat() == s["date"]
        assert end - start == dt.timedelta(days=1)
        assert str(e["TRANSP"]) == "TRANSPARENT"  # an all-day entry must not block the day
    for ev in vobject.readOne(data.decode("utf-8")).vevent_list:
        assert ev.dtend.value - ev.dtstart.value == dt.timedelta(days=1)
        assert ev.dtstart.params.get("VALUE") == ["DATE"]


# --------------------------------------------------------------------------- alarms


def _alarms(data: bytes) -> dict[str, list[dt.timedelta]]:
    found: dict[str, list[dt.timedelta]] = {}
    for e in _events(data):
        triggers = [a.decoded("TRIGGER") for a in e.walk("VALARM")]
        for a in e.walk("VALARM"):
            assert str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) == str(e["SUMMARY"])
        found.setdefault(_kind(e), []).extend(triggers)
    return found


def test_alarms_on_runs_walk_runs_and_check_ins_only(plan, ny):
    """Runs, walk/runs and check-ins get one reminder before the start; other sessions get none."""
    found = _alarms(ny)
    counts = Counter(s["kind"] for s in _sessions(plan))
    for kind, triggers in found.items():
        if kind in ON_FEET:
            assert triggers == [dt.timedelta(minutes=-30)] * counts[kind]
        else:
            assert triggers == []
    assert all(found.get(k) for k in ON_FEET)


def test_alarm_minutes_and_alarms_off(plan):
    """alarm_minutes sets the lead time, and alarms=False leaves every VALARM out."""
    early = _alarms(calendar_ics(plan, CalendarOptions(tz="Europe/London", alarm_minutes=45)))
    assert {t for ts in early.values() for t in ts} == {dt.timedelta(minutes=-45)}
    off = calendar_ics(plan, CalendarOptions(tz="Europe/London", alarms=False))
    assert b"BEGIN:VALARM" not in off


def test_all_day_events_carry_no_reminder(make):
    """All-day events have no VALARM: clients read a reminder on a date differently (Outlook: the evening before)."""
    plan = make()
    data = calendar_ics(plan, CalendarOptions(all_day=True, alarm_minutes=30))
    assert _events(data) and b"BEGIN:VALARM" not in data
    assert all(not isinstance(e.decoded("DTSTART"), dt.datetime) for e in _events(data))


# --------------------------------------------------------------------------- text and identity


def test_hostile_athlete_name_survives_both_parsers(make):
    """Commas, semicolons, quotes, backslashes, emoji, CJK and a newline in the name round-trip as one line."""
    plan = make(athlete=HOSTILE)
    data = calendar_ics(plan, CalendarOptions(tz="Europe/London"))
    expected = " ".join(_title(plan).replace(",", " ").replace(";", " ").split())  # no , or ; in a calendar name
    assert "\\" in expected and "\U0001f3c3" in expected and "中文" in expected
    cal = Calendar.from_ical(data)
    assert _text(cal["X-WR-CALNAME"]) == _text(cal["NAME"]) == expected
    assert vobject.readOne(data.decode("utf-8")).x_wr_calname.value == expected
    assert len(_events(data)) == len(_sessions(plan))


def test_hostile_text_in_sessions_is_escaped(plan):
    """Clinical text with ICS specials (a phase name in a SUMMARY, a line in every DESCRIPTION) comes back unchanged from both parsers."""
    name = "Settle; easy, slow \\ ok"
    text = "Line one, with; specials \\\nLine two 🦵"
    odd = plan.model_copy(
        update={
            "phases": tuple(p.model_copy(update={"name": name}) for p in plan.phases),
            "guidance": plan.guidance.model_copy(update={"disclaimer": text}),
        }
    )
    data = calendar_ics(odd, CalendarOptions(tz="Europe/London"))
    events = _events(data)
    assert all(str(e["DESCRIPTION"]).endswith(text) for e in events)
    assert f"Check-in: end of {name}" in {str(e["SUMMARY"]) for e in events}
    parsed = vobject.readOne(data.decode("utf-8")).vevent_list
    assert all(v.description.value.endswith(text) for v in parsed)
    assert f"Check-in: end of {name}" in {v.summary.value for v in parsed}


def test_regenerating_gives_identical_bytes(make, catalog):
    """The same request and options give the same bytes: no clock, no random UID."""
    options = CalendarOptions(tz="Europe/London", times={"run": dt.time(6, 30)})
    first = calendar_ics(make(), options)
    again = calendar_ics(
        build_plan(PlanRequest(condition="itbs", mileage=30, start=START, athlete="Sam Runner"), catalog), options
    )
    assert first == again
    assert calendar_ics(make(), CalendarOptions(tz="Europe/London", times={"run": dt.time(6, 30)})) == first


def test_uids_depend_on_who_the_plan_is_for(make):
    """Another athlete, condition or start date gives other UIDs, so two plans never overwrite each other."""
    options = CalendarOptions(tz="UTC")

    def uids(plan: Plan) -> set[str]:
        cal = Calendar.from_ical(calendar_ics(plan, options))
        return {str(cal["UID"])} | {str(e["UID"]) for e in cal.walk("VEVENT")}

    base = uids(make())
    for other in (make(athlete="Alex"), make(condition="runners-knee"), make(start=START + dt.timedelta(days=7))):
        assert not base & uids(other)


def test_golden_calendar(make, golden):
    """A small real plan renders byte for byte as the reviewed file in tests/golden."""
    plan = make(condition="patellar-tendinopathy", mileage=12, athlete="Golden Runner", start=dt.date(2026, 10, 19))
    small = plan.model_copy(update={"weeks": plan.weeks[:2], "end": plan.weeks[1].end})
    golden("patellar-tendinopathy-2-weeks.ics", calendar_ics(small, CalendarOptions(tz="Europe/London")))


def test_a_backslash_before_n_in_a_name_stays_as_typed(catalog):
    """'\\N' typed in a name is written as an escaped backslash and an N (never a line break), and
    a parser reads the name back as typed."""
    name = "Sam \\N Lee \\n C:\\Runs"
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START, athlete=name), catalog)
    data = calendar_ics(plan, CalendarOptions(tz="Europe/London"))
    unfolded = data.decode("utf-8").replace("\r\n ", "")
    assert "for Sam \\\\N Lee \\\\n C:\\\\Runs" in unfolded
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.x_wr_calname.value.endswith(f"for {name}")
    assert all("\n" not in str(e["SUMMARY"]) for e in Calendar.from_ical(data).walk("VEVENT"))
