"""The calendar writer's own header, VTIMEZONE and value formats match what icalendar writes."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zoneinfo

import pytest
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vText, vUTCOffset

from rehabplan.models import CalendarOptions
from rehabplan.render import ics

ZONES = [
    "Europe/London",
    "America/New_York",
    "America/St_Johns",  # half-hour offset, negative
    "Australia/Lord_Howe",  # half-hour daylight saving
    "Australia/Sydney",  # southern hemisphere
    "Asia/Kolkata",  # no changes
    "Africa/Casablanca",  # no yearly rule
    "America/Sao_Paulo",  # stopped daylight saving
    "Pacific/Chatham",
]


def _reference_head(plan, tz: zoneinfo.ZoneInfo) -> list[str]:
    """The calendar header and VTIMEZONE as icalendar itself writes them."""
    cal = Calendar()
    cal.add("prodid", f"-//rehabplan//rehabplan {ics.__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", vText(" ".join(plan.title.split())))
    cal.add("x-wr-calname", vText(" ".join(plan.title.split())))
    cal.add("x-wr-timezone", vText(tz.key))
    vtz = Timezone()
    vtz.add("tzid", tz.key)
    for line in ics._timezone(plan, tz)[2:-1]:
        name, _, value = line.partition(":")
        if name.startswith("BEGIN"):
            sub = TimezoneDaylight() if value == "DAYLIGHT" else TimezoneStandard()
        elif name.startswith("END"):
            vtz.add_component(sub)
        elif name == "DTSTART":
            sub.add("dtstart", dt.datetime.strptime(value, "%Y%m%dT%H%M%S"))
        elif name == "RRULE":
            parts = dict(p.split("=") for p in value.split(";"))
            sub.add("rrule", {"freq": "yearly", "bymonth": int(parts["BYMONTH"]), "byday": parts["BYDAY"]})
        elif name == "TZNAME":
            sub.add("tzname", value)
        else:
            sub.add(name.lower(), vUTCOffset.from_ical(value))
    cal.add_component(vtz)
    return [str(line) for line in cal.content_lines() if line]


@pytest.mark.parametrize("zone", ZONES)
def test_header_and_timezone_are_what_icalendar_writes(zone, catalog):
    """For zones with and without yearly rules the calendar starts with icalendar's exact lines."""
    from datetime import date

    from rehabplan.models import PlanRequest
    from rehabplan.planner import build_plan

    plan = build_plan(PlanRequest(condition="itbs", mileage=20, start=date(2027, 3, 1), athlete="Zoë; A,B \\N"), catalog)
    tz = zoneinfo.ZoneInfo(zone)
    expected = _reference_head(plan, tz)
    written = ics.to_ics(plan, CalendarOptions(tz=zone)).decode("utf-8").replace("\r\n ", "").split("\r\n")
    assert written[: len(expected) - 1] == expected[:-1]
    assert written[-2:] == ["END:VCALENDAR", ""]


def test_values_match_icalendar_formats():
    """Durations, UTC offsets and TEXT escaping come out as icalendar formats them."""
    for seconds in [*range(-200_000, 200_000, 613), 0, 1, -1, 60, 3600, 3661, 86400, -86400]:
        delta = dt.timedelta(seconds=seconds)
        assert ics._duration(delta) == vDuration(delta).to_ical().decode("ascii")
        assert ics._utc_offset(delta) == vUTCOffset(delta).to_ical()
    for text in ["plain", "a;b,c", "back\\slash", "literal \\N break", "line\r\nend\rx\ny"]:
        assert ics._text(text) == vText(text).to_ical().decode("utf-8")


def test_calendar_writer_does_not_import_icalendar():
    """Importing the calendar writer leaves icalendar unloaded, which keeps `rehabplan make` quick."""
    code = "import sys, rehabplan.render.ics; print('icalendar' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
