"""The calendar's lines: RFC 5545 framing, exactly what icalendar writes, and TEXT that round-trips."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from rehabplan import CalendarOptions, Plan, PlanRequest, build_plan, calendar_ics

START = dt.date(2027, 3, 1)
HOSTILE = 'Zoë "Q", O\'Neil; C:\\Runs\\ \n2nd line \U0001f3c3\u200d♀️ 中文, ok;'
ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",  # half-hour offset, negative
    "Australia/Lord_Howe",  # half-hour daylight saving
    "Australia/Sydney",  # southern hemisphere
    "Asia/Kolkata",  # no changes
    "Africa/Casablanca",  # no yearly rule
    "Asia/Gaza",  # no yearly rule before 2026
    "America/Sao_Paulo",  # stopped daylight saving
    "Pacific/Chatham",
]
# Text that ICS must escape or fold with care: delimiters, backslashes next to escapable letters,
# multi-byte characters, line breaks. A backslash before a capital N is left out: icalendar reads
# "\N" in a text as an escaped line break (and so writes one), as it does for every TEXT value.
SPECIALS = ",;:\\\"'\n \t<>&^=é中🏃\u200d♀️"
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIALS), st.characters(blacklist_categories=("Cs", "Cc"))),
    min_size=1,
    max_size=120,
).filter(lambda t: "\\N" not in t and t.strip())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unescape(raw: bytes) -> str:
    """RFC 5545 TEXT unescaping, for NAME and X-WR-CALNAME, which icalendar hands back as written."""
    text = raw.decode("utf-8")
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


@pytest.fixture(scope="module")
def plan(catalog) -> Plan:
    """An ITBS plan, 20 miles a week, cut after its first end-of-phase check-in (so it has one)."""
    full = build_plan(PlanRequest(condition="itbs", mileage=20, start=START, athlete="Sam Runner"), catalog)
    last = next(
        i for i, w in enumerate(full.weeks) if any(getattr(s, "check", None) == "phase_exit" for s in w.sessions)
    )
    return full.model_copy(update={"weeks": full.weeks[: last + 1], "end": full.weeks[last].end})


def _renamed(plan: Plan, athlete: str, phase: str, disclaimer: str) -> Plan:
    """The plan for another athlete, with another phase name (in a SUMMARY) and disclaimer (in every DESCRIPTION)."""
    return plan.model_copy(
        update={
            "athlete": athlete,
            "phases": tuple(p.model_copy(update={"name": phase}) for p in plan.phases),
            "guidance": plan.guidance.model_copy(update={"disclaimer": disclaimer}),
        }
    )


# --------------------------------------------------------------------------- framing


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("all_day", [False, True])
def test_framing_is_rfc_5545(plan, zone, all_day):
    """CRLF line ends only, lines of at most 75 octets, VERSION 2.0 and PRODID once each, and one VCALENDAR."""
    data = calendar_ics(_renamed(plan, HOSTILE * 3, HOSTILE, HOSTILE * 4), CalendarOptions(tz=zone, all_day=all_day))
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character
    unfolded = data.replace(b"\r\n ", b"").split(b"\r\n")
    assert unfolded.count(b"VERSION:2.0") == 1
    assert len([line for line in unfolded if line.startswith(b"PRODID:-//rehabplan//")]) == 1
    assert unfolded.count(b"BEGIN:VCALENDAR") == unfolded.count(b"END:VCALENDAR") == 1


@pytest.mark.parametrize("zone", ZONES)
def test_the_file_is_what_icalendar_writes(plan, zone):
    """Read back and written again by icalendar, the calendar comes out byte for byte the same (folding and escaping included)."""
    for options in (CalendarOptions(tz=zone), CalendarOptions(tz=zone, all_day=True, alarm_minutes=1440)):
        data = calendar_ics(_renamed(plan, HOSTILE, HOSTILE * 2, HOSTILE * 5), options)
        assert Calendar.from_ical(data).to_ical() == data


@settings(max_examples=40, deadline=None)
@given(athlete=TEXT, phase=TEXT, disclaimer=TEXT, pad=st.integers(0, 80))
def test_any_text_round_trips_through_both_parsers(plan, athlete, phase, disclaimer, pad):
    """Any text, folded at any point, comes back from icalendar and vobject as written (names and summaries on one line)."""
    disclaimer = "x" * pad + disclaimer  # moves every special across the fold boundaries
    data = calendar_ics(_renamed(plan, athlete, phase, disclaimer), CalendarOptions(tz="Europe/London"))
    assert Calendar.from_ical(data).to_ical() == data
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
    cal = Calendar.from_ical(data)
    # the calendar's name, on one line and without commas or semicolons (apps show their escapes)
    name = " ".join(
        _one_line(f"Knee rehab plan: {plan.info.name} for {athlete}").replace(",", " ").replace(";", " ").split()
    )
    assert _unescape(cal["NAME"].to_ical()) == _unescape(cal["X-WR-CALNAME"].to_ical()) == name
    summaries = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    check_in = _one_line(f"Check-in: end of {phase}")
    if len(check_in) > 40:  # titles stay short: a long phase name gives way to its number
        check_in = "Check-in: end of phase 1"
    assert check_in in summaries
    assert all(str(e["DESCRIPTION"]).endswith("\n\n" + disclaimer) for e in cal.walk("VEVENT"))
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.x_wr_calname.value == name
    assert check_in in {v.summary.value for v in parsed.vevent_list}
    assert all(v.description.value.endswith("\n\n" + disclaimer) for v in parsed.vevent_list)


# --------------------------------------------------------------------------- values


@settings(max_examples=30, deadline=None)
@given(lead=st.integers(0, 1440), all_day=st.booleans())
def test_alarm_triggers_read_back_as_set(plan, lead, all_day):
    """Every reminder's TRIGGER reads back, in both parsers, as alarm_minutes before the start; all-day
    events carry none (clients disagree on what a reminder on a date means)."""
    data = calendar_ics(plan, CalendarOptions(tz="Asia/Kolkata", all_day=all_day, alarm_minutes=lead))
    expected = dt.timedelta(minutes=-lead)
    mine = [a.decoded("TRIGGER") for e in Calendar.from_ical(data).walk("VEVENT") for a in e.walk("VALARM")]
    theirs = [
        a.trigger.value for e in vobject.readOne(data.decode()).vevent_list for a in getattr(e, "valarm_list", [])
    ]
    assert mine == theirs
    if all_day:
        assert mine == []
    else:
        assert mine and set(mine) == {expected}


@pytest.mark.parametrize(
    ("zone", "offsets"),
    [
        ("America/St_Johns", {"-0330", "-0230"}),
        ("Pacific/Chatham", {"+1245", "+1345"}),
        ("Australia/Lord_Howe", {"+1030", "+1100"}),
    ],
)
def test_utc_offsets_in_minutes_are_written_exactly(catalog, zone, offsets):
    """Half-hour and 45-minute offsets are written as +HHMM in the VTIMEZONE."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=20, start=START), catalog)
    unfolded = calendar_ics(plan, CalendarOptions(tz=zone)).replace(b"\r\n ", b"").decode().split("\r\n")
    written = {line.split(":", 1)[1] for line in unfolded if line.startswith(("TZOFFSETFROM:", "TZOFFSETTO:"))}
    assert written == offsets


def test_importing_rehabplan_does_not_load_icalendar():
    """`import rehabplan` and its command line leave icalendar unloaded until a calendar is rendered."""
    code = (
        "import sys, rehabplan, rehabplan.cli; before = 'icalendar' in sys.modules; "
        "rehabplan.calendar_ics; print(before, 'icalendar' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
