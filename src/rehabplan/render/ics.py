"""Render a Plan as an RFC 5545 calendar: one event per session, stable UIDs, fixed DTSTAMP."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import zoneinfo
from collections import defaultdict

from .. import __version__, wording
from ..planning.plan import Plan
from ..planning.sessions import ON_FEET, Session, SessionKind, StrengthSession
from ..wording import calendar as words
from .options import CalendarOptions

__all__ = ["DEFAULT_TIMES", "event_uid", "to_ics"]

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


def _one_line(text: str) -> str:
    """Collapse line breaks and runs of whitespace: SUMMARY and calendar names are single lines."""
    return " ".join(text.split())


def _plan_key(plan: Plan) -> str:
    """Who and what the plan is for: everything but the mileage and other dosing inputs."""
    return "\x1f".join((plan.athlete or "", plan.condition, plan.site or "", plan.start.isoformat()))


def event_uid(plan: Plan, session: Session, occurrence: int = 0) -> str:
    """The UID of a session's event, derived from the plan's identity and the session's place.

    It depends on who the plan is for (athlete, condition, site, start date) and on the
    session's date, kind and slot, never on the mileage: regenerating a plan with other numbers
    keeps the UIDs of the sessions that stayed where they were, so a calendar that matches
    events by UID can update them instead of adding copies. ``occurrence`` separates sessions
    that share date, kind and slot (a planner never makes them; the UIDs stay unique anyway).
    """
    parts = [_plan_key(plan), session.date.isoformat(), session.kind, str(session.slot)]
    if occurrence:
        parts.append(str(occurrence))
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{digest[:24]}@{_UID_DOMAIN}"


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
    another. Times are wall-clock times in ``tz``: a 07:00 run stays at 07:00 across a
    daylight-saving change.
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


# --------------------------------------------------------------------------- description


def _description(plan: Plan, s: Session, worded: wording.Worded, rule_lines: tuple[str, ...], safety: tuple[str, ...]) -> str:
    """Everything the runner needs for this session, without the booklet.

    What to do and the session's own lines come first (with ice and heat safety, and the
    no-improvement advice, for the sessions that need them); then the exercises, the checklist,
    the after-care, the pain rule for sessions on feet, the red-flag and stop lines, and the
    disclaimer.
    """
    exercises = [words.exercise(e) for e in (s.exercises if isinstance(s, StrengthSession) else ())]
    blocks: list[tuple[str | None, list[str], str]] = [
        (None, [*words.what_to_do(plan, s), *worded.all_details], ""),
        (words.EXERCISES_HEADING, exercises, words.EXERCISE_MARK),
        (words.CHECKLIST_HEADING, list(worded.checklist), words.CHECKLIST_MARK),
    ]
    if worded.aftercare:
        blocks.append((None, [worded.aftercare], ""))
    if worded.pain_rule:
        blocks.append((words.PAIN_RULE_HEADING, list(rule_lines), ""))
    blocks.append((None, safety, ""))
    blocks.append((None, [plan.guidance.disclaimer], ""))
    out = ["\n".join(([heading] if heading else []) + [bullet + item for item in items]) for heading, items, bullet in blocks if items]
    return "\n\n".join(out)


# --------------------------------------------------------------------------- calendar


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@functools.lru_cache(maxsize=256)
def _transitions(tz: zoneinfo.ZoneInfo, year: int) -> tuple[tuple[dt.datetime, dt.timedelta, dt.timedelta], ...]:
    """The zone's offset changes in a year: (local wall time just before, offset before, after)."""
    def offset(at: dt.datetime) -> dt.timedelta:
        return at.astimezone(tz).utcoffset() or dt.timedelta(0)

    found: list[tuple[dt.datetime, dt.timedelta, dt.timedelta]] = []
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
    tz: zoneinfo.ZoneInfo, moment: dt.datetime, before: dt.timedelta, after: dt.timedelta, byday: str | None = None
) -> list[str]:
    """One STANDARD or DAYLIGHT block: the change at local time ``moment``, yearly if ``byday``."""
    kind = "DAYLIGHT" if after > before else "STANDARD"
    lines = [f"BEGIN:{kind}", f"DTSTART:{_ical_datetime(moment)}"]  # properties in name order
    if byday:
        lines.append(f"RRULE:FREQ=YEARLY;BYDAY={byday};BYMONTH={moment.month}")
    lines += [
        f"TZNAME:{_text(tz.tzname(moment + dt.timedelta(days=1)) or tz.key)}",
        f"TZOFFSETFROM:{_utc_offset(before)}",
        f"TZOFFSETTO:{_utc_offset(after)}",
        f"END:{kind}",
    ]
    return lines


def _timezone(plan: Plan, tz: zoneinfo.ZoneInfo) -> list[str]:
    """A VTIMEZONE for the plan's years, written as yearly rules where the zone follows one.

    One yearly rule each way (RRULE) suits the widest range of calendar apps (some read nothing
    else). The rules start in the year before the plan, so every event falls after a listed
    onset, and they are checked against tzdata for every year from then to the year after the
    plan ends. A zone that follows no such rule is written change by change instead.
    """
    years = range(plan.start.year - 1, plan.end.year + 2)
    per_year = [_transitions(tz, year) for year in years]
    head = ["BEGIN:VTIMEZONE", f"TZID:{_text(tz.key)}"]
    if all(len(changes) == 2 for changes in per_year):
        forward = [max(changes, key=lambda c: c[2] - c[1]) for changes in per_year]
        back = [min(changes, key=lambda c: c[2] - c[1]) for changes in per_year]
        rules = [(group, _yearly_rule([moment for moment, _, _ in group])) for group in (forward, back)]
        if all(byday and len({(b, a) for _, b, a in group}) == 1 for group, byday in rules):
            blocks = [line for group, byday in rules for line in _observance(tz, *group[0], byday=byday)]
            return [*head, *blocks, "END:VTIMEZONE"]
    # No single rule (or no change at all): the offset in force at first, then each change.
    at = dt.datetime(years[0], 1, 1)
    start = tz.utcoffset(at) or dt.timedelta(0)
    lines = [*head, *_observance(tz, at, start, start)]
    for changes in per_year:
        for change in changes:
            lines += _observance(tz, *change)  # no RDATE lists: every reader handles this
    return [*lines, "END:VTIMEZONE"]


def to_ics(plan: Plan, options: CalendarOptions) -> bytes:
    """Render every non-rest session of the plan as an iCalendar file (CRLF, folded, UTF-8).

    Timed events use ``options.tz`` (with a matching VTIMEZONE) and the start time of each
    session kind (``DEFAULT_TIMES`` overridden by ``options.times``); ``options.all_day``
    writes date-only events ending the next day instead. Output depends only on the plan and
    the options: UIDs come from :func:`event_uid` and DTSTAMP is the plan's start at 00:00 UTC.
    """
    tz = zoneinfo.ZoneInfo(options.tz)
    timed = not options.all_day
    stamp = dt.datetime.combine(plan.start, dt.time(0, 0), tzinfo=dt.UTC)

    # The calendar's properties in the order icalendar writes them (RFC 5545 lists no order).
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_text(f'-//rehabplan//rehabplan {__version__}//EN')}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{_text(_one_line(wording.title(plan)))}",
        f"X-WR-CALNAME:{_text(_one_line(wording.title(plan)))}",
    ]
    utc = tz.key in ("UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "UCT", "Zulu", "Universal", "Etc/Universal")
    if timed:
        lines.append(f"X-WR-TIMEZONE:{_text(tz.key)}")
        if not utc:
            lines += _timezone(plan, tz)

    sessions = _sessions(plan)
    times = {kind: _time_of(kind, options) for kind in DEFAULT_TIMES}
    starts = _start_times(sessions, times) if timed else []
    tzid = "" if utc else f";TZID={tz.key}"
    zulu = "Z" if utc else ""
    dtstamp = f"DTSTAMP:{_ical_datetime(stamp)}Z"
    rule_lines = wording.pain_rule_lines(plan)
    safety = words.when_to_stop(plan)
    before = dt.timedelta(minutes=options.alarm_minutes)
    events: list[str] = []
    seen: dict[tuple[dt.date, str, int], int] = defaultdict(int)
    for n, s in enumerate(sessions):
        key = (s.date, s.kind, s.slot)
        uid = event_uid(plan, s, seen[key])
        seen[key] += 1
        worded = wording.word(plan, s)
        summary = _escape(_one_line(worded.title))
        if timed:
            start = starts[n]
            end = start + dt.timedelta(minutes=_minutes(s))
            when = (
                f"DTSTART{tzid}:{_ical_datetime(start)}{zulu}",
                f"DTEND{tzid}:{_ical_datetime(end)}{zulu}",
            )
        else:
            when = (
                f"DTSTART;VALUE=DATE:{s.date.strftime('%Y%m%d')}",
                f"DTEND;VALUE=DATE:{(s.date + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            )
        # The order icalendar writes an event in: its canonical properties, then the rest by name.
        events += [
            "BEGIN:VEVENT",
            f"SUMMARY:{summary}",
            *when,
            dtstamp,
            f"UID:{_escape(uid)}",
            "SEQUENCE:0",
            f"CATEGORIES:{_escape(s.kind.upper())}",
            f"DESCRIPTION:{_escape(_description(plan, s, worded, rule_lines, safety))}",
            # A timed session blocks its slot; an all-day entry must not mark the whole day as busy.
            f"TRANSP:{'OPAQUE' if timed else 'TRANSPARENT'}",
        ]
        if options.alarms and s.kind in ON_FEET:
            if timed:
                trigger = -before
            else:
                # An all-day event starts at midnight: remind at the kind's time of day instead.
                at = times[s.kind]
                trigger = dt.timedelta(hours=at.hour, minutes=at.minute) - before
            events += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{summary}",
                f"TRIGGER:{_duration(trigger)}",
                "END:VALARM",
            ]
        events.append("END:VEVENT")
    lines += events  # the events go last, as icalendar places them
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) + b"\r\n" for line in lines)


def _escape(text: str) -> str:
    """iCalendar TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _text(text: str) -> str:
    """A TEXT value escaped as icalendar escapes it (also turning a literal '\\N' into a line break)."""
    return _escape(text.replace("\\N", "\n"))


def _utc_offset(offset: dt.timedelta) -> str:
    """A UTC-OFFSET value: +HHMM, or +HHMMSS when the offset has seconds."""
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02}{minutes:02}{secs:02}" if secs else f"{sign}{hours:02}{minutes:02}"


def _duration(delta: dt.timedelta) -> str:
    """A DURATION value (RFC 5545 §3.3.6) as icalendar writes it, e.g. -PT30M or P1DT6H."""
    sign = "-" if delta.days < 0 else ""
    delta = -delta if delta.days < 0 else delta
    time = ""
    if delta.seconds:
        hours, rest = divmod(delta.seconds, 3600)
        minutes, secs = divmod(rest, 60)
        time = "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or (hours and secs) else "")
        time += f"{secs}S" if secs else ""
    if delta.days == 0 and time:
        return f"{sign}P{time}"
    return f"{sign}P{delta.days}D{time}"


def _ical_datetime(moment: dt.datetime) -> str:
    """A DATE-TIME value without its zone: 20270301T070000."""
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


def _fold(line: str) -> bytes:
    """Fold one content line into pieces of at most 75 octets (RFC 5545 §3.1).

    The same result as icalendar's own folding, computed on whole chunks instead of one
    character at a time: a piece never splits a UTF-8 character, and never ends on the
    backslash of an escape (some clients misread an escape split across a fold).
    """
    raw = line.encode("utf-8")
    limit = 74  # the first piece; each further piece is a space plus 74 octets
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
