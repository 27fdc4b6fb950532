"""The calendar: one event per session, parsed back by two parsers, stable UIDs and exact bytes."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections import Counter

import pytest
import vobject
from icalendar import Calendar

from rehabplan.models import CalendarOptions, Plan, PlanRequest, Session
from rehabplan.planner import build_plan
from rehabplan.render.ics import DEFAULT_TIMES, to_ics

START = dt.date(2026, 3, 2)  # a Monday; New York moves its clocks on 8 March, London on 29 March
AUTUMN = dt.date(2026, 8, 3)  # a Monday; runs go on past London's (25 Oct) and New York's (1 Nov) change
HOSTILE = 'Zoë "Q", O\'Neil; C:\\Runs\\ \n2nd line \U0001f3c3\u200d♀️ 中文, ok;'
ON_FEET = {"run", "walk_run", "check_in"}


# --------------------------------------------------------------------------- helpers


def _sessions(plan: Plan) -> list[Session]:
    return [s for w in plan.weeks for s in w.sessions if s.kind != "rest"]


def _events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def _uids(data: bytes) -> list[str]:
    return [str(e["UID"]) for e in _events(data)]


def _unescape(raw: object) -> str:
    """RFC 5545 TEXT unescaping, for X- properties that icalendar hands back raw."""
    text = raw.to_ical().decode() if hasattr(raw, "to_ical") else str(raw)
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _minutes(s: Session) -> int:
    return s.minutes if s.minutes > 0 else 15


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
    return to_ics(plan, CalendarOptions(tz="America/New_York"))


# --------------------------------------------------------------------------- structure


def test_every_non_rest_session_is_one_event_with_the_plan_json_dates(plan, ny):
    """Each session in the plan JSON except rest days appears once, on its date, with its title and kind."""
    dumped = json.loads(plan.model_dump_json())
    expected = Counter(
        (s["date"], s["kind"].upper(), s["title"])
        for w in dumped["weeks"]
        for s in w["sessions"]
        if s["kind"] != "rest"
    )
    events = _events(ny)
    got = Counter(
        (e.decoded("DTSTART").date().isoformat(), str(e["CATEGORIES"].cats[0]), str(e["SUMMARY"])) for e in events
    )
    assert len(events) == len(_sessions(plan)) > 0
    assert got == expected


def test_timed_events_start_at_the_kind_time_and_last_the_session_minutes(plan, ny):
    """Events start at their kind's time or, to dodge an overlap, when another event that day ends; runs never move."""
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    for e, s in zip(_events(ny), sorted(_sessions(plan), key=lambda s: (s.date, s.slot, s.kind)), strict=True):
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert e["DTSTART"].params["TZID"] == e["DTEND"].params["TZID"] == "America/New_York"
        assert start.date() == s.date
        assert end - start == dt.timedelta(minutes=_minutes(s))
        if s.check == "morning_after":
            assert start.hour < 9  # the next-morning check happens in the morning
        by_day.setdefault(s.date, []).append((start, end, s.kind))
    moved = 0
    for spans in by_day.values():
        spans.sort()
        ends = {end for _, end, _ in spans}
        for start, _, kind in spans:
            wanted = dt.datetime.combine(start.date(), DEFAULT_TIMES[kind], tzinfo=start.tzinfo)
            if kind in ("run", "walk_run"):
                assert start == wanted
            else:
                assert start == wanted or (start > wanted and start in ends), spans
            moved += start != wanted
        for (_, end, _), (nxt, _, _) in zip(spans, spans[1:]):
            assert end <= nxt, spans
    assert moved < len(_sessions(plan)) / 20  # moving a session is the exception


@pytest.mark.parametrize(
    ("condition", "site"),
    [("itbs", None), ("runners-knee", None), ("patellar-tendinopathy", None), ("bursitis", "prepatellar"),
     ("bursitis", "pes-anserine"), ("meniscus", None), ("osteoarthritis", None)],
)
def test_no_overlaps_and_runs_keep_their_time_at_high_mileage(make, condition, site):
    """Even with the longest runs (150 mi a week) no two events overlap and every run starts at its set time."""
    plan = make(condition=condition, site=site, mileage=150, athlete=None)
    events = _events(to_ics(plan, CalendarOptions(tz="Europe/London")))
    assert len(events) == len(_sessions(plan))
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}
    for e in events:
        start = e.decoded("DTSTART")
        by_day.setdefault(start.date(), []).append((start, e.decoded("DTEND")))
        if str(e["CATEGORIES"].cats[0]) in ("RUN", "WALK_RUN"):
            assert start.time() == DEFAULT_TIMES["run"] == DEFAULT_TIMES["walk_run"]
    for spans in by_day.values():
        spans.sort()
        for (_, end), (nxt, _) in zip(spans, spans[1:]):
            assert end <= nxt, spans


def test_same_kind_sessions_on_one_day_are_offset(plan):
    """Two sessions of one kind on the same day follow each other instead of overlapping."""
    week = plan.weeks[0]
    first = next(s for s in week.sessions if s.kind == "strength")
    second = first.model_copy(update={"slot": first.slot + 5, "title": "Second strength"})
    doubled = plan.model_copy(update={"weeks": (week.model_copy(update={"sessions": (*week.sessions, second)}),)})
    events = [e for e in _events(to_ics(doubled, CalendarOptions(tz="Europe/London"))) if str(e["SUMMARY"]) in (first.title, "Second strength")]
    same_day = sorted((e.decoded("DTSTART"), e.decoded("DTEND")) for e in events if e.decoded("DTSTART").date() == first.date)
    assert len(same_day) == 2
    assert same_day[0][0].time() == DEFAULT_TIMES["strength"]
    assert same_day[1][0] == same_day[0][1]


def test_a_second_check_in_moves_out_of_the_runs_way(plan):
    """On a walk/run day a second check-in never shifts the run: it waits until the run is over."""
    week = next(w for w in plan.weeks if any(s.kind == "walk_run" for s in w.sessions))
    run = next(s for s in week.sessions if s.kind == "walk_run")
    extra = [
        Session(date=run.date, kind="check_in", slot=run.slot + 1 + n, title=f"Extra check {n}", minutes=15)
        for n in range(2)
    ]
    day = (*[s for s in week.sessions if s.date == run.date], *extra)
    doc = plan.model_copy(update={"weeks": (week.model_copy(update={"sessions": day}),)})
    starts = {str(e["SUMMARY"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in _events(to_ics(doc, CalendarOptions(tz="UTC")))}
    run_start, run_end = starts[run.title]
    assert run_start.time() == DEFAULT_TIMES["walk_run"]
    checks = sorted(v for k, v in starts.items() if k.startswith("Extra check"))
    assert checks[0][0] == dt.datetime.combine(run.date, DEFAULT_TIMES["check_in"], tzinfo=dt.UTC) or checks[0][0] >= run_end
    assert checks[-1][0] >= run_end


def test_times_option_overrides_the_default(plan):
    """options.times moves every session of that kind, and only that kind."""
    data = to_ics(plan, CalendarOptions(tz="Europe/London", times={"strength": dt.time(12, 15)}))
    starts: dict[str, set[dt.time]] = {}
    for e in _events(data):
        starts.setdefault(str(e["CATEGORIES"].cats[0]), set()).add(e.decoded("DTSTART").time())
    assert starts["STRENGTH"] == {dt.time(12, 15)}
    assert DEFAULT_TIMES["walk_run"] in starts["WALK_RUN"] and DEFAULT_TIMES["check_in"] in starts["CHECK_IN"]


def test_a_run_time_moves_walk_runs_and_the_morning_check_with_it(plan):
    """Setting only the run time moves walk/runs to it and keeps the morning check-in just before it."""
    data = to_ics(plan, CalendarOptions(tz="Europe/London", times={"run": dt.time(5, 30)}))
    starts: dict[str, set[dt.time]] = {}
    for e in _events(data):
        starts.setdefault(str(e["CATEGORIES"].cats[0]), set()).add(e.decoded("DTSTART").time())
    assert starts["WALK_RUN"] == starts["RUN"] == {dt.time(5, 30)}
    assert dt.time(5, 15) in starts["CHECK_IN"] and max(starts["CHECK_IN"]) < dt.time(6, 0)
    assert starts["STRENGTH"] == {DEFAULT_TIMES["strength"]}


def test_calendar_header_and_event_properties(plan, ny):
    """The calendar names itself and its zone; events carry a fixed DTSTAMP, SEQUENCE 0 and a VTIMEZONE match."""
    cal = Calendar.from_ical(ny)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).startswith("-//rehabplan//rehabplan ")
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert _unescape(cal["X-WR-CALNAME"]) == plan.title
    assert ny.count(b"\r\nX-WR-TIMEZONE:America/New_York\r\n") == 1
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.UTC)
    for e in _events(ny):
        assert e.decoded("DTSTAMP") == stamp
        assert int(e["SEQUENCE"]) == 0
        assert e["DTSTART"].params["TZID"] == "America/New_York"
    uids = _uids(ny)
    assert len(set(uids)) == len(uids)
    assert all(u.endswith("@rehabplan") for u in uids)


def test_lines_are_crlf_and_folded_at_75_octets(make):
    """Every line ends in CRLF, is at most 75 octets, and folding never splits a UTF-8 character."""
    data = to_ics(make(athlete=HOSTILE * 2), CalendarOptions(tz="Europe/London"))
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a split character would not decode


def test_description_carries_what_the_runner_needs(plan, ny):
    """Doses, intervals, checklists, the pain rule, the red flags and the disclaimer are in the events."""
    rule = plan.guidance.pain_rule
    for e, s in zip(_events(ny), sorted(_sessions(plan), key=lambda s: (s.date, s.slot, s.kind)), strict=True):
        text = str(e["DESCRIPTION"])
        assert plan.guidance.disclaimer in text
        assert plan.guidance.absolute_stops[0] in text
        for ex in s.exercises:
            assert f"{ex.name}: {ex.dose}" in text
        for item in s.checklist:
            assert item in text
        for line in s.details:
            assert line in text or (s.kind in ON_FEET and rule.green in line)  # the full rule replaces a one-line reminder
        assert text.count(plan.guidance.disclaimer) == 1
        assert "None" not in text and "nan" not in text.split() and "\n\n\n" not in text
        if s.aftercare:
            assert s.aftercare in text
        if s.kind in ON_FEET:
            assert rule.green in text and rule.amber in text and rule.red in text
        else:
            assert rule.red not in text
        if s.kind == "walk_run" and s.walk_min:
            assert f"{s.reps} × (run {s.run_min:g} min, walk {s.walk_min:g} min)" in text
        elif s.kind == "walk_run":
            assert f"Run {s.run_min:g} min without a walking break" in text


# --------------------------------------------------------------------------- second parser


def test_vobject_reads_the_same_events(plan, ny):
    """An independent parser (vobject) finds the same UIDs, summaries, dates and durations."""
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
    assert cal.x_wr_calname.value == plan.title


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London"])
def test_dst_keeps_local_time_and_the_vtimezone_gives_the_right_offsets(make, zone):
    """Across the autumn clock change a 07:00 run stays 07:00 local, and the file's own VTIMEZONE gives every event its true UTC offset."""
    plan = make(start=AUTUMN)
    data = to_ics(plan, CalendarOptions(tz=zone))
    tz = zoneinfo.ZoneInfo(zone)
    events = vobject.readOne(data.decode("utf-8")).vevent_list  # vobject builds its zone from the VTIMEZONE
    morning = [e.dtstart.value for e in events if e.categories.value[0] in ("RUN", "WALK_RUN")]
    assert morning and all(start.time() == dt.time(7, 0) for start in morning)
    assert {start.utcoffset() for start in morning} == {
        dt.datetime(2026, 10, 1, 7, tzinfo=tz).utcoffset(),
        dt.datetime(2026, 12, 1, 7, tzinfo=tz).utcoffset(),
    }  # summer and winter time both occur among the runs
    for ev in events:
        start = ev.dtstart.value
        assert start.utcoffset() == start.replace(tzinfo=tz).utcoffset(), start


@pytest.mark.parametrize(
    "zone",
    ["Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata", "Africa/Casablanca", "America/St_Johns"],
)
def test_vtimezone_gives_true_offsets_in_unusual_zones(make, zone):
    """Southern, half-hour, 45-minute, no-DST and irregular zones: the file's VTIMEZONE agrees with tzdata for every event."""
    plan = make(start=AUTUMN)
    data = to_ics(plan, CalendarOptions(tz=zone))
    tz = zoneinfo.ZoneInfo(zone)
    events = vobject.readOne(data.decode("utf-8")).vevent_list
    assert len(events) == len(_sessions(plan))
    for ev in events:
        for value in (ev.dtstart.value, ev.dtend.value):
            assert value.utcoffset() == value.replace(tzinfo=tz).utcoffset(), (zone, value)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Sydney"])
def test_vtimezone_is_one_yearly_rule_each_way(plan, zone):
    """Zones with a regular DST rule get one DAYLIGHT and one STANDARD rule (RRULE, no RDATE), which every calendar app reads."""
    cal = Calendar.from_ical(to_ics(plan, CalendarOptions(tz=zone)))
    (vtz,) = cal.walk("VTIMEZONE")
    subs = [c for c in vtz.subcomponents]
    assert sorted(c.name for c in subs) == ["DAYLIGHT", "STANDARD"]
    for sub in subs:
        assert "RRULE" in sub and "RDATE" not in sub
        assert sub.decoded("DTSTART").date() < plan.start  # in force before the first event
        before, after = sub.decoded("TZOFFSETFROM"), sub.decoded("TZOFFSETTO")
        assert (after > before) == (sub.name == "DAYLIGHT")


def test_utc_calendar_uses_utc_times_without_vtimezone(plan):
    """In UTC events are written with a Z and no VTIMEZONE is needed."""
    data = to_ics(plan, CalendarOptions(tz="UTC"))
    assert b"BEGIN:VTIMEZONE" not in data
    assert b"TZID=" not in data
    for e in _events(data):
        assert e.decoded("DTSTART").utcoffset() == dt.timedelta(0)


def test_all_day_events_end_the_next_day(plan):
    """All-day mode writes VALUE=DATE events whose exclusive DTEND is the next day, with no time zone."""
    data = to_ics(plan, CalendarOptions(tz="America/New_York", all_day=True))
    assert b"BEGIN:VTIMEZONE" not in data and b"TZID=" not in data and b"X-WR-TIMEZONE" not in data
    events = _events(data)
    assert len(events) == len(_sessions(plan))
    for e in events:
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is dt.date and type(end) is dt.date
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
        found.setdefault(str(e["CATEGORIES"].cats[0]), []).extend(triggers)
    return found


def test_alarms_on_runs_walk_runs_and_check_ins_only(plan, ny):
    """Runs, walk/runs and check-ins get one reminder before the start; other sessions get none."""
    found = _alarms(ny)
    counts = Counter(s.kind.upper() for s in _sessions(plan))
    for kind, triggers in found.items():
        if kind.lower() in ON_FEET:
            assert triggers == [dt.timedelta(minutes=-30)] * counts[kind]
        else:
            assert triggers == []
    assert any(found.get(k.upper()) for k in ON_FEET)


def test_alarm_minutes_and_alarms_off(plan):
    """alarm_minutes sets the lead time, and alarms=False leaves every VALARM out."""
    early = _alarms(to_ics(plan, CalendarOptions(tz="Europe/London", alarm_minutes=45)))
    assert {t for ts in early.values() for t in ts} == {dt.timedelta(minutes=-45)}
    off = to_ics(plan, CalendarOptions(tz="Europe/London", alarms=False))
    assert b"BEGIN:VALARM" not in off


def test_all_day_alarm_fires_before_the_kind_time(plan):
    """An all-day event's reminder fires on its own day, alarm_minutes before the kind's usual time."""
    found = _alarms(to_ics(plan, CalendarOptions(all_day=True, alarm_minutes=30)))
    run_time = DEFAULT_TIMES["walk_run"]
    expected = dt.timedelta(hours=run_time.hour, minutes=run_time.minute - 30)
    assert found.get("WALK_RUN") or found.get("RUN")
    for kind in ("WALK_RUN", "RUN"):
        assert set(found.get(kind, [])) <= {expected}


# --------------------------------------------------------------------------- text and identity


def test_hostile_athlete_name_survives_both_parsers(make):
    """Commas, semicolons, quotes, backslashes, emoji, CJK and a newline in the name round-trip as one line."""
    plan = make(athlete=HOSTILE)
    plan = plan.model_copy(update={"title": f"{plan.title} \u2013 {HOSTILE}"})
    data = to_ics(plan, CalendarOptions(tz="Europe/London"))
    expected = " ".join(plan.title.split())
    assert "\\" in expected and ";" in expected and "," in expected and "\U0001f3c3" in expected
    cal = Calendar.from_ical(data)
    assert _unescape(cal["X-WR-CALNAME"]) == _unescape(cal["NAME"]) == expected
    assert vobject.readOne(data.decode("utf-8")).x_wr_calname.value == expected
    assert len(_events(data)) == len(_sessions(plan))


def test_hostile_text_in_sessions_is_escaped(plan):
    """Titles and details with ICS specials come back unchanged from both parsers."""
    week = plan.weeks[0]
    s = next(s for s in week.sessions if s.kind != "rest")
    odd = s.model_copy(update={"title": "Run; easy, slow \\ ok", "details": ("Line one, with; specials \\", "Line two 🦵")})
    doc = plan.model_copy(update={"weeks": (week.model_copy(update={"sessions": (odd,)}),)})
    data = to_ics(doc, CalendarOptions(tz="Europe/London"))
    (e,) = _events(data)
    assert str(e["SUMMARY"]) == odd.title
    assert "Line one, with; specials \\\nLine two 🦵" in str(e["DESCRIPTION"])
    (v,) = vobject.readOne(data.decode("utf-8")).vevent_list
    assert v.summary.value == odd.title
    assert "Line one, with; specials \\\nLine two 🦵" in v.description.value


def test_regenerating_gives_identical_bytes(make, catalog):
    """The same request and options give the same bytes: no clock, no random UID."""
    options = CalendarOptions(tz="Europe/London", times={"run": dt.time(6, 30)})
    first = to_ics(make(), options)
    again = to_ics(build_plan(PlanRequest(condition="itbs", mileage=30, start=START, athlete="Sam Runner"), catalog), options)
    assert first == again


def _uid_by_session(plan: Plan, data: bytes) -> dict[tuple[dt.date, str, int], str]:
    """Pair events with sessions: events come in plan order (date, slot, kind), which the other tests check."""
    ordered = sorted(_sessions(plan), key=lambda s: (s.date, s.slot, s.kind))
    events = _events(data)
    assert [(e.decoded("DTSTART").date(), str(e["SUMMARY"])) for e in events] == [(s.date, s.title) for s in ordered]
    return {(s.date, s.kind, s.slot): str(e["UID"]) for s, e in zip(ordered, events, strict=True)}


def test_changing_the_mileage_keeps_uids_of_unchanged_sessions(make):
    """A plan rebuilt for another mileage keeps the UIDs of sessions whose date, kind and slot did not move."""
    low, high = make(mileage=30), make(mileage=45)
    options = CalendarOptions(tz="Europe/London")
    a = _uid_by_session(low, to_ics(low, options))
    b = _uid_by_session(high, to_ics(high, options))
    first_ramp = min(w.start for w in low.weeks if w.ramp_week)
    before = {key for key in a if key[0] < first_ramp}
    assert before and before <= b.keys()  # the weeks before the ramp do not depend on the mileage
    shared = a.keys() & b.keys()
    assert all(a[key] == b[key] for key in shared)
    assert len(set(a.values())) == len(a)


def test_uids_depend_on_who_the_plan_is_for(make):
    """Another athlete, condition or start date gives other UIDs, so two plans never overwrite each other."""
    options = CalendarOptions(tz="UTC")
    base = set(_uids(to_ics(make(), options)))
    for other in (make(athlete="Alex"), make(condition="runners-knee"), make(start=START + dt.timedelta(days=7))):
        assert not base & set(_uids(to_ics(other, options)))


def test_golden_calendar(make, golden):
    """A small real plan renders byte for byte as the reviewed file in tests/golden."""
    plan = make(condition="patellar-tendinopathy", mileage=12, athlete="Golden Runner", start=dt.date(2026, 10, 19))
    small = plan.model_copy(update={"weeks": plan.weeks[:2], "end": plan.weeks[1].end})
    golden("patellar-tendinopathy-2-weeks.ics", to_ics(small, CalendarOptions(tz="Europe/London")))
