"""Render a Plan as an RFC 5545 calendar with icalendar: one event per session, stable UIDs.

:func:`to_ics` works out what every event shares (the stamp, the zone and its VTIMEZONE, the
start times of the day, the pain-rule and stop lines), asks :func:`_session_lines` for each
session's event, and has icalendar write every content line (names, parameters, values and
their escaping). A session that repeats another's words (most do) reuses the lines icalendar
wrote for it, with its own UID, start and end. Only the 75-octet folding is done here, the
same way icalendar folds but a chunk at a time, which takes a fraction of the time.

The output depends on the plan and the options only, never on the clock. Calendars that update
(design D9): every UID comes from the plan's id (made from its first request and kept by every
later revision) and the session's place (its day, its kind, and which one of that kind on that
day it is), so a corrected name or a new mileage keeps every UID. DTSTAMP is the revision's
time. Against the events the previous revision wrote (kept in the plan), an event whose content
changed gets a higher SEQUENCE, and a session the revision dropped is written again with
STATUS:CANCELLED and a higher SEQUENCE, so calendars that follow RFC 5545 update in place.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from icalendar import (
    STATUS,
    TRANSP,
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDate,
    vDatetime,
    vRecur,
    vText,
)
from icalendar.parser import Contentline, Parameters

from .. import __version__, wording
from ..planning.plan import EventRecord, Plan
from ..planning.sessions import ON_FEET, CheckInSession, Session, SessionKind, StrengthSession
from ..wording import calendar as words
from .options import CalendarOptions

__all__ = ["DEFAULT_TIMES", "Rendered", "event_uid", "render", "to_ics"]

#: Start time of each session kind when the caller gives none. Chosen so that the usual lengths
#: never overlap: the morning check-in ends before the 07:00 run, heat ends before strength,
#: strength ends before the evening ice.
DEFAULT_TIMES: dict[str, dt.time] = {
    "check_in": dt.time(6, 45),
    "run": dt.time(7, 0),
    "walk_run": dt.time(7, 0),
    "cross_training": dt.time(12, 30),
    "heat": dt.time(17, 30),
    "strength": dt.time(18, 0),
    "ice": dt.time(19, 30),
}

# Length of an event whose session gives no minutes (a check-in without a stated length).
_FALLBACK_MINUTES = 15
# Kinds that keep their time of day when sessions collide; the others move out of their way.
_ANCHORED = frozenset({"run", "walk_run"})
_UID_DOMAIN = "rehabplan"
# Zone names that mean UTC itself: their times are written with a Z and need no VTIMEZONE.
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "UCT", "Zulu", "Universal", "Etc/Universal"})


def _one_line(text: str) -> str:
    """Collapse line breaks and runs of whitespace: SUMMARY and calendar names are single lines."""
    return " ".join(text.split())


def _uid(parts: list[str]) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{digest[:24]}@{_UID_DOMAIN}"


def _identity(session: Session) -> str:
    """What a session is, apart from its day: its kind, and for a check-in what it checks."""
    check = session.check.value if isinstance(session, CheckInSession) else ""
    return f"{session.kind.value}:{check}"


def event_uid(plan: Plan, session: Session, occurrence: int = 0) -> str:
    """The UID of a session's event: the plan's id, the session's day and kind, and which one of
    that kind on that day it is (``occurrence``). Neither the mileage nor the runner's name is
    part of it, and neither is the session's place among the day's other sessions, so a revised
    plan keeps the UID of every session that is still there."""
    return _uid([plan.revision.plan_id, session.date.isoformat(), _identity(session), str(occurrence)])


def _calendar_uid(plan: Plan) -> str:
    """The calendar's own UID (RFC 7986), from the plan's id."""
    return _uid([plan.revision.plan_id, "calendar"])


# --------------------------------------------------------------------------- times of day


def _sessions(plan: Plan) -> list[Session]:
    """Every non-rest session of the plan, in date and slot order."""
    found = [s for s in plan.sessions() if s.kind != SessionKind.REST]
    return sorted(found, key=lambda s: (s.date, s.slot, s.kind))


def _minutes(session: Session) -> int:
    return session.minutes if session.minutes > 0 else _FALLBACK_MINUTES


def _start_times(sessions: list[Session], times: dict[str, dt.time]) -> list[dt.datetime]:
    """Start of each session (same order as ``sessions``), moved later where it would overlap.

    Each kind starts at its time of day. Runs and walk/runs are placed first and keep their
    time; every other session takes the first free stretch from its own time on, so two
    sessions of one kind, a second check-in or colliding times chosen by the caller follow one
    another. Times are wall-clock times in the calendar's zone: a 07:00 run stays at 07:00
    across a daylight-saving change.
    """
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for i, session in enumerate(sessions):
        by_day[session.date].append(i)
    starts: dict[int, dt.datetime] = {}
    for day, todays in by_day.items():
        todays.sort(key=lambda i: (sessions[i].kind not in _ANCHORED, times[sessions[i].kind], sessions[i].slot))
        taken: list[tuple[dt.datetime, dt.datetime]] = []
        for i in todays:
            start = dt.datetime.combine(day, times[sessions[i].kind])
            length = dt.timedelta(minutes=_minutes(sessions[i]))
            for busy_from, busy_to in sorted(taken):
                if start < busy_to and busy_from < start + length:
                    start = busy_to
            taken.append((start, start + length))
            starts[i] = start
    return [starts[i] for i in range(len(sessions))]


def _time_of(kind: str, options: CalendarOptions) -> dt.time:
    """The start time of a kind: the caller's choice, else one that follows a chosen run time.

    A run time given without the others moves walk/runs with it and keeps the morning check-in
    just before it, as the defaults are; every other kind keeps its default.
    """
    if kind in options.times:
        return options.times[kind]
    run = options.times.get("run")
    if run is not None and kind == "walk_run":
        return run
    if run is not None and kind == "check_in":
        day = dt.date(2000, 1, 1)
        lead = dt.datetime.combine(day, DEFAULT_TIMES["run"]) - dt.datetime.combine(day, DEFAULT_TIMES["check_in"])
        before = dt.datetime.combine(day, run) - lead
        return before.time() if before.date() == day else dt.time(0, 0)
    return DEFAULT_TIMES[kind]


# --------------------------------------------------------------------------- time zones


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# A change of offset: the local wall time just before it, the offset before and the offset after.
_Change = tuple[dt.datetime, dt.timedelta, dt.timedelta]


@functools.lru_cache(maxsize=256)
def _transitions(tz: zoneinfo.ZoneInfo, year: int) -> tuple[_Change, ...]:
    """The zone's offset changes in a year, found day by day and narrowed to the minute.

    The onset is the local time before the change, as RFC 5545 reads an observance's DTSTART
    (a change at 01:00 UTC in London starts summer time at 01:00, ends it at 02:00).
    """

    def offset(at: dt.datetime) -> dt.timedelta:
        return at.astimezone(tz).utcoffset() or dt.timedelta(0)

    found: list[_Change] = []
    day = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    here = offset(day)
    while day.year == year:
        nxt = day + dt.timedelta(days=1)
        there = offset(nxt)
        if here != there:
            lo, hi = day, nxt  # the change happens in (lo, hi]; narrow it to the minute
            while hi - lo > dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    mid = lo + dt.timedelta(minutes=1)
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            before, after = offset(lo), offset(hi)
            found.append(((hi + before).replace(tzinfo=None), before, after))
        day, here = nxt, there
    return tuple(found)


def _yearly_rule(moments: list[dt.datetime]) -> str | None:
    """The BYDAY part (e.g. '2SU', '-1SU') that gives every one of these moments, if there is one."""
    first = moments[0]
    if any((m.month, m.weekday(), m.time()) != (first.month, first.weekday(), first.time()) for m in moments):
        return None
    day = _WEEKDAYS[first.weekday()]
    if all((m + dt.timedelta(days=7)).month != m.month for m in moments):
        return f"-1{day}"
    nths = {(m.day - 1) // 7 + 1 for m in moments}
    return f"{nths.pop()}{day}" if len(nths) == 1 else None


def _observance(
    tz: zoneinfo.ZoneInfo, change: _Change, byday: str | None = None
) -> TimezoneDaylight | TimezoneStandard:
    """One STANDARD or DAYLIGHT block: the change at its local onset, every year if ``byday``."""
    moment, before, after = change
    block = TimezoneDaylight() if after > before else TimezoneStandard()
    block.add("DTSTART", moment)
    if byday:
        block.add("RRULE", vRecur({"FREQ": "YEARLY", "BYDAY": byday, "BYMONTH": moment.month}))
    block.add("TZNAME", tz.tzname(moment + dt.timedelta(days=1)) or tz.key)
    block.add("TZOFFSETFROM", before)
    block.add("TZOFFSETTO", after)
    return block


def _yearly(tz: zoneinfo.ZoneInfo, first_year: int, last_year: int) -> bool:
    """Whether the zone follows one yearly rule each way (or never changes) over these years."""
    per_year = [_transitions(tz, year) for year in range(first_year, last_year + 1)]
    if all(not changes for changes in per_year):
        return True
    if not all(len(changes) == 2 for changes in per_year):
        return False
    forward = [max(changes, key=lambda c: c[2] - c[1]) for changes in per_year]
    back = [min(changes, key=lambda c: c[2] - c[1]) for changes in per_year]
    return all(
        _yearly_rule([m for m, _, _ in group]) and len({(b, a) for _, b, a in group}) == 1 for group in (forward, back)
    )


@functools.lru_cache(maxsize=64)
def _vtimezone(tz: zoneinfo.ZoneInfo, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for these years, written as yearly rules where the zone follows one.

    One yearly rule each way (RRULE) suits the widest range of calendar apps (some read nothing
    else). The rules start in ``first_year``, so every event falls after a listed onset, and
    they are checked against tzdata for every year up to ``last_year``. A zone that follows no
    such rule (Africa/Casablanca, Asia/Gaza) is written change by change instead, one
    observance each, without RDATE lists: every reader handles this.

    icalendar's ``Timezone.from_tzinfo`` is not used: it writes only RDATE lists, starts an
    observance at the local time after the change, and its search steps over a change of
    offset that lasts less than its first step (Casablanca's Ramadan hour in 2027).
    Built once per zone and years; the calendar only reads it.
    """
    per_year = [_transitions(tz, year) for year in range(first_year, last_year + 1)]
    vtz = Timezone()
    vtz.add("TZID", tz.key)
    if all(len(changes) == 2 for changes in per_year):
        forward = [max(changes, key=lambda c: c[2] - c[1]) for changes in per_year]
        back = [min(changes, key=lambda c: c[2] - c[1]) for changes in per_year]
        rules = [(group, _yearly_rule([moment for moment, _, _ in group])) for group in (forward, back)]
        if all(byday and len({(b, a) for _, b, a in group}) == 1 for group, byday in rules):
            for group, byday in rules:
                vtz.add_component(_observance(tz, group[0], byday))
            return vtz
    # No single rule (or no change at all): the offset in force at first, then each change.
    at = dt.datetime(first_year, 1, 1)
    start = tz.utcoffset(at) or dt.timedelta(0)
    vtz.add_component(_observance(tz, (at, start, start)))
    for changes in per_year:
        for change in changes:
            vtz.add_component(_observance(tz, change))
    return vtz


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class _Shared:
    """What every event of one calendar has in common, worked out once per calendar."""

    plan: Plan
    stamp: dt.datetime  # DTSTAMP, in UTC
    times: dict[str, dt.time]  # the time of day of each session kind
    alarm_before: dt.timedelta | None  # how long before a session its reminder fires; None: no reminders
    pain_rule: tuple[str, ...]
    when_to_stop: tuple[str, ...]
    clinic: str | None  # 'Your clinic: name, contact', when given


def _description(shared: _Shared, session: Session, worded: wording.Worded) -> str:
    """Everything the runner needs for this session, without the booklet.

    What to do and the session's own lines come first (with the ice or heat safety rules for
    the sessions that have them); then the exercises, the checklist, the after-care, the pain
    rule for the sessions it goes with, the red-flag and stop lines, and the disclaimer.
    """
    plan = shared.plan
    exercises = session.exercises if isinstance(session, StrengthSession) else ()
    blocks: list[tuple[str | None, tuple[str, ...], str]] = [
        (None, (*words.what_to_do(plan, session), *worded.details, *worded.safety_lines), ""),
        (words.EXERCISES_HEADING, tuple(words.exercise(e) for e in exercises), words.EXERCISE_MARK),
        (words.CHECKLIST_HEADING, worded.checklist, words.CHECKLIST_MARK),
    ]
    if worded.aftercare:
        blocks.append((None, (worded.aftercare,), ""))
    if worded.pain_rule:
        blocks.append((words.PAIN_RULE_HEADING, shared.pain_rule, ""))
    blocks.append((None, shared.when_to_stop, ""))
    if shared.clinic:
        blocks.append((None, (shared.clinic,), ""))
    blocks.append((None, (plan.guidance.disclaimer,), ""))
    return "\n\n".join(
        "\n".join(([heading] if heading else []) + [mark + item for item in items])
        for heading, items, mark in blocks
        if items
    )


def _session_lines(
    shared: _Shared, session: Session, uid: str, start: dt.date | dt.datetime, end: dt.date | dt.datetime
) -> tuple[str, list[str]]:
    """The summary and content lines of one session's event: its words, its time (timed or
    all-day) and its reminder.

    ``start`` and ``end`` are dates for an all-day event, else datetimes in the calendar's zone.
    All-day events carry no reminder: calendar apps disagree on when a reminder of an all-day
    event fires (Outlook puts it the evening before).
    """
    worded = wording.word(shared.plan, session)
    summary = _one_line(worded.title)
    timed = isinstance(start, dt.datetime)
    alarm = shared.alarm_before if session.kind in ON_FEET and timed else None
    body, places = _body(summary, _description(shared, session, worded), session.kind, timed, shared.stamp, alarm)
    lines = list(body)
    lines[places[0]] = Contentline.from_parts("UID", Parameters(), vText(uid))  # as icalendar writes a UID
    lines[places[1]] = _time_line("DTSTART", start, _zone(start))
    lines[places[2]] = _time_line("DTEND", end, _zone(end))
    return summary, lines


# A plan repeats its sessions (the same strength session three times a week for a phase, and the
# same sessions for every runner of a squad with that condition), so icalendar writes each shape
# of event (kind, timed or all-day, reminder) once, and each distinct summary, description, UID,
# start and end line once. Every event's lines are the ones icalendar writes for it whole, byte
# for byte.
_OWN = ("UID", "DTSTART", "DTEND")


@functools.lru_cache(maxsize=1024)
def _body(
    summary: str,
    description: str,
    kind: SessionKind,
    timed: bool,
    stamp: dt.datetime,
    alarm: dt.timedelta | None,
) -> tuple[tuple[str, ...], tuple[int, int, int]]:
    """The content lines of an event (with icalendar's closing empty line, as digests have it),
    and where its UID, DTSTART and DTEND lines are, to be replaced by the event's own."""
    lines, own, (said, described, reminded) = _shape(kind, timed, stamp, alarm)
    out = list(lines)
    out[said] = _text_line("SUMMARY", summary)
    out[described] = _text_line("DESCRIPTION", description)
    if reminded >= 0:
        out[reminded] = _text_line("DESCRIPTION", summary)  # the reminder says the session's name
    return tuple(out), own


@functools.lru_cache(maxsize=64)
def _shape(
    kind: SessionKind, timed: bool, stamp: dt.datetime, alarm: dt.timedelta | None
) -> tuple[tuple[str, ...], tuple[int, int, int], tuple[int, int, int]]:
    """An event of this shape as icalendar writes it, with stand-ins for its own lines: where its
    UID, DTSTART and DTEND are, and where its summary, description and reminder's text are (-1:
    no reminder)."""
    start = dt.datetime(2000, 1, 1) if timed else dt.date(2000, 1, 1)  # stand-ins, replaced by the event's own
    event = Event.new(
        uid="-",
        stamp=stamp,
        sequence=0,
        summary=_Text("-"),
        start=start,
        end=start + dt.timedelta(days=1),
        categories=[kind.upper()],
        description=_Text("-"),
        # A timed session blocks its slot; an all-day entry must not mark the whole day as busy.
        transparency=TRANSP.OPAQUE if timed else TRANSP.TRANSPARENT,
    )
    if alarm is not None:
        event.add_component(Alarm.new_display(description=_Text("-"), trigger=-alarm))
    lines = tuple(event.content_lines())
    uid, begins, ends = (next(i for i, line in enumerate(lines) if _named(line, name)) for name in _OWN)
    said = next(i for i, line in enumerate(lines) if _named(line, "SUMMARY"))
    texts = [i for i, line in enumerate(lines) if _named(line, "DESCRIPTION")]  # the event's, then its reminder's
    return lines, (uid, begins, ends), (said, texts[0], texts[1] if alarm is not None else -1)


def _text_line(name: str, text: str) -> str:
    """A text property's content line, as icalendar writes it in an event."""
    value = _Text(text)
    line: str = Contentline.from_parts(name, value.params, value, sorted=True)
    return line


def _named(line: str, name: str) -> bool:
    """Whether a content line is the property `name` (followed by its parameters or its value)."""
    return line.startswith(name) and line[len(name) : len(name) + 1] in (":", ";")


def _zone(value: dt.date | dt.datetime) -> str:
    """The zone of a start or end, which (unlike its instant) decides its content line."""
    return str(value.tzinfo) if isinstance(value, dt.datetime) else ""


@functools.lru_cache(maxsize=2048)  # the same days and times recur across a squad's calendars
def _time_line(name: str, value: dt.date | dt.datetime, zone: str) -> str:
    """A start or end line as icalendar writes it in an event: the name and parameters it writes
    for a value of this kind in this zone, then the value as icalendar writes it (`zone` tells
    apart equal instants in different zones, which are written differently)."""
    if isinstance(value, dt.datetime):  # its day, then its clock time (the same few recur all plan long)
        written = _day_text(value.date()) + _clock_text(value.hour, value.minute, value.second, value.tzinfo)
    else:
        written = _day_text(value)
    return _time_head(name, zone, value) + written


@functools.lru_cache(maxsize=1024)
def _day_text(day: dt.date) -> str:
    """A day as icalendar writes a date: 20270301."""
    written: bytes = vDate(day).to_ical()  # type: ignore[no-untyped-call]
    return written.decode("ascii")


@functools.lru_cache(maxsize=256)
def _clock_text(hour: int, minute: int, second: int, zone: dt.tzinfo | None) -> str:
    """The rest of a date-time as icalendar writes it after the day: T070000, and Z in UTC."""
    written: bytes = vDatetime(dt.datetime(2000, 1, 1, hour, minute, second, tzinfo=zone)).to_ical()  # type: ignore[no-untyped-call]
    return written.decode("ascii")[8:]


def _time_head(name: str, zone: str, value: dt.date | dt.datetime) -> str:
    """The start of a start or end line, up to its value: `DTSTART;TZID=Europe/London:`."""
    key = (name, zone, isinstance(value, dt.datetime))
    head = _HEADS.get(key)
    if head is None:
        holder = Event()
        holder.add(name, value)
        line = str(holder.content_line(name, holder[name]))
        head = _HEADS[key] = line[: line.rindex(":") + 1]  # a date or time holds no colon
    return head


_HEADS: dict[tuple[str, str, bool], str] = {}


class _Text(vText):
    """Text escaped as RFC 5545 says, and only so: a backslash typed before an N (say in a name)
    stays a backslash and an N, where icalendar's own escaping would turn it into a line break."""

    def to_ical(self) -> bytes:
        text = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        return text.replace("\r\n", "\\n").replace("\n", "\\n").encode("utf-8")


def _digest(lines: list[str]) -> str:
    """What an event's content lines say, apart from when it was written and its version."""
    said = [line for line in lines if not line.startswith(("DTSTAMP", "SEQUENCE"))]
    return hashlib.sha256("\n".join(said).encode("utf-8")).hexdigest()[:24]


def _when(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """A record's time: UTC for a timed event, the day for an all-day one."""
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


def _cancelled(record: EventRecord, stamp: dt.datetime) -> Event:
    """A session the revision dropped, written once more as cancelled (in UTC: no zone needed)."""
    return Event.new(
        uid=record.uid,
        stamp=stamp,
        sequence=record.sequence,
        summary=_Text(record.summary),
        start=record.start,
        end=record.end,
        status=STATUS.CANCELLED,
        transparency=TRANSP.TRANSPARENT,
    )


@dataclass(frozen=True)
class Rendered:
    """A calendar file, the events it holds (for the next revision to compare with), and notes
    for the person making it."""

    data: bytes
    events: tuple[EventRecord, ...]
    notes: tuple[str, ...] = ()


def to_ics(plan: Plan, options: CalendarOptions) -> bytes:
    """The plan's calendar as iCalendar bytes (see :func:`render`)."""
    return render(plan, options).data


def render(plan: Plan, options: CalendarOptions) -> Rendered:
    """Every non-rest session of the plan as an iCalendar file (CRLF, folded, UTF-8), with
    SEQUENCE and cancelled events worked out against the plan's previous revision.

    Timed events use ``options.tz`` (with a matching VTIMEZONE) and the start time of each
    session kind (``DEFAULT_TIMES`` overridden by ``options.times``); ``options.all_day``
    writes date-only events ending the next day instead. A zone that changes its clocks on no
    yearly rule (Africa/Casablanca, Asia/Gaza) is written in UTC times, which every app reads
    the same, with a note saying so.
    """
    tz = zoneinfo.ZoneInfo(options.tz)
    timed = not options.all_day
    notes: list[str] = []
    utc = tz.key in _UTC_NAMES
    if timed and not utc and not _yearly(tz, plan.start.year - 1, plan.end.year + 1):
        utc = True
        notes.append(words.irregular_zone_note(tz.key))
    cal = Calendar.new(
        uid=_calendar_uid(plan),
        prodid=f"-//rehabplan//rehabplan {__version__}//EN",
        calscale="GREGORIAN",
        method="PUBLISH",
        # Without commas or semicolons, which some apps show with their escaping backslashes.
        name=_Text(words.calendar_name(plan)),
    )
    if timed:
        cal.add("X-WR-TIMEZONE", vText(tz.key))
        if not utc:
            cal.add_component(_vtimezone(tz, plan.start.year - 1, plan.end.year + 1))

    sessions = _sessions(plan)
    stamp = plan.revision.stamp.astimezone(dt.UTC).replace(microsecond=0)
    shared = _Shared(
        plan=plan,
        stamp=stamp,
        times={kind: _time_of(kind, options) for kind in DEFAULT_TIMES},
        alarm_before=dt.timedelta(minutes=options.alarm_minutes) if options.alarms else None,
        pain_rule=wording.pain_rule_lines(plan),
        when_to_stop=words.when_to_stop(plan),
        clinic=wording.booklet.clinic_line(options.clinic, options.contact),
    )
    previous = {r.uid: r for r in plan.revision.events}
    records: list[EventRecord] = []
    event_lines: list[str] = []
    starts = _start_times(sessions, shared.times) if timed else []
    seen: dict[tuple[dt.date, str], int] = defaultdict(int)
    for n, session in enumerate(sessions):
        key = (session.date, _identity(session))
        uid = event_uid(plan, session, seen[key])
        seen[key] += 1
        if timed:
            local = starts[n].replace(tzinfo=tz)  # wall-clock time: 07:00 stays 07:00 across a clock change
            start: dt.date | dt.datetime = local.astimezone(dt.UTC) if utc else local
            end: dt.date | dt.datetime = start + dt.timedelta(minutes=_minutes(session))
        else:
            start, end = session.date, session.date + dt.timedelta(days=1)
        summary, lines = _session_lines(shared, session, uid, start, end)
        digest = _digest(lines)
        before = previous.pop(uid, None)
        sequence = (
            0 if before is None else before.sequence + (0 if before.digest == digest and not before.cancelled else 1)
        )
        if sequence:
            lines = [f"SEQUENCE:{sequence}" if line == "SEQUENCE:0" else line for line in lines]
        event_lines += lines
        records.append(
            EventRecord(uid=uid, sequence=sequence, digest=digest, summary=summary, start=_when(start), end=_when(end))
        )
    for record in previous.values():  # dropped by this revision: cancelled, with a higher SEQUENCE
        gone = (
            record
            if record.cancelled
            else record.model_copy(update={"sequence": record.sequence + 1, "cancelled": True})
        )
        event_lines += _cancelled(gone, stamp).content_lines()
        records.append(gone)
    # icalendar writes every content line (names, parameters, values, escaping); the events' lines
    # go in before the calendar's END, as icalendar places its subcomponents, and folding them
    # here rather than in its to_ical() gives the same bytes in a fraction of the time.
    head = [line for line in cal.content_lines() if line]
    data = b"".join(_fold(line) + b"\r\n" for line in (*head[:-1], *event_lines, head[-1]) if line)
    return Rendered(data, tuple(records), tuple(notes))


@functools.lru_cache(maxsize=2048)
def _fold(line: str) -> bytes:
    """One content line folded into pieces of at most 75 octets, exactly as icalendar folds it.

    icalendar looks at one character at a time, which took most of the time of a calendar;
    this cuts whole chunks. Like icalendar, a piece never splits a UTF-8 character, and never
    ends on the backslash of an escape or a parameter's caret (some clients misread an escape
    split across a fold). The tests check whole files against icalendar's own output.
    """
    raw = line.encode("utf-8")
    limit = 74  # octets of the first piece; each further piece is a space and up to 74 more
    if len(raw) <= limit:
        return raw
    pieces: list[bytes] = []
    start = 0
    while len(raw) - start > limit:
        end = start + limit
        while raw[end] & 0xC0 == 0x80:  # inside a multi-byte character: back off to its start
            end -= 1
        if raw[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(raw[start:end])
        start = end
    pieces.append(raw[start:])
    return b"\r\n ".join(pieces)
