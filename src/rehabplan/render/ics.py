"""Render a Plan as an RFC 5545 calendar: one event per session, stable UIDs, fixed DTSTAMP."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from icalendar import Alarm, Calendar, Event, Timezone, vText

from rehabplan import __version__
from rehabplan.models import CalendarOptions, Plan, Session

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
# Kinds that carry the pain rule and a reminder.
_ON_FEET = frozenset({"run", "walk_run", "check_in"})
_UID_DOMAIN = "rehabplan"


def _num(value: float) -> str:
    """A number in plain words: 3.0 -> '3', 2.5 -> '2.5'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


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
    keeps the UIDs of the sessions that stayed where they were, so a re-import updates them.
    """
    parts = [_plan_key(plan), session.date.isoformat(), session.kind, str(session.slot)]
    if occurrence:
        parts.append(str(occurrence))
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{digest[:24]}@{_UID_DOMAIN}"


def _sessions(plan: Plan) -> list[Session]:
    """Every non-rest session of the plan, in date and slot order."""
    found = [s for week in plan.weeks for s in week.sessions if s.kind != "rest"]
    return sorted(found, key=lambda s: (s.date, s.slot, s.kind))


def _minutes(session: Session) -> int:
    return session.minutes if session.minutes > 0 else _FALLBACK_MINUTES


def _start_times(
    sessions: Iterable[Session], options: CalendarOptions, tz: dt.tzinfo
) -> dict[int, dt.datetime]:
    """Start of each session (keyed by id()), pushed later where it would overlap another.

    Each kind starts at its chosen time of day; on a day where two sessions would overlap (two
    sessions of one kind, or times chosen by the caller that collide), the later one starts
    when the earlier one ends.
    """
    by_day: dict[dt.date, list[Session]] = defaultdict(list)
    for session in sessions:
        by_day[session.date].append(session)
    starts: dict[int, dt.datetime] = {}
    for day, todays in by_day.items():
        wanted = sorted(
            todays,
            key=lambda s: (_time_of(s.kind, options), s.slot, s.kind),
        )
        free_from: dt.datetime | None = None
        for session in wanted:
            naive = dt.datetime.combine(day, _time_of(session.kind, options))
            if free_from is not None and naive < free_from:
                naive = free_from
            starts[id(session)] = naive.replace(tzinfo=tz)
            free_from = naive + dt.timedelta(minutes=_minutes(session))
    return starts


def _time_of(kind: str, options: CalendarOptions) -> dt.time:
    return options.times.get(kind, DEFAULT_TIMES.get(kind, dt.time(7, 0)))


# --------------------------------------------------------------------------- description


def _what_to_do(plan: Plan, s: Session) -> list[str]:
    unit = plan.unit.value
    lines: list[str] = []
    if s.kind == "run":
        what = f"Run {_num(s.run_distance)} {unit}"
        if s.intensity == "strides":
            what += ", easy, with strides"
        elif s.intensity == "hills":
            what += ", easy, with hills"
        else:
            what += " at an easy pace"
        lines.append(f"{what}: about {_minutes(s)} min.")
    elif s.kind == "walk_run":
        if s.run_min is not None and s.reps:
            interval = f"run {_num(s.run_min)} min"
            if s.walk_min:
                interval += f", walk {_num(s.walk_min)} min"
            lines.append(f"Walk/run: {s.reps} × ({interval}). {_minutes(s)} min on your feet in all.")
        else:
            lines.append(f"Walk/run: {_minutes(s)} min on your feet.")
        if s.run_distance:
            lines.append(f"Running part: about {_num(s.run_distance)} {unit}.")
        if s.stage:
            lines.append(f"Ladder step: {s.stage}.")
    elif s.kind in ("strength", "cross_training"):
        lines.append(f"About {_minutes(s)} min.")
    elif s.kind == "ice":
        lines.append(plan.guidance.ice)
    elif s.kind == "heat":
        lines.append(plan.guidance.heat)
    lines.extend(s.details)
    return lines


def _description(plan: Plan, s: Session) -> str:
    blocks: list[list[str]] = [_what_to_do(plan, s)]
    if s.exercises:
        blocks.append(["Exercises:", *(f"- {e.name}: {e.dose}" for e in s.exercises)])
    if s.checklist:
        blocks.append(["Check before you move on:", *(f"☐ {item}" for item in s.checklist)])
    if s.check == "no_improvement" and plan.guidance.no_improvement not in s.details:
        blocks.append([plan.guidance.no_improvement])
    if s.aftercare:
        blocks.append([f"Afterwards: {s.aftercare}"])
    if s.kind == "ice":
        blocks.append(["Ice safely:", *(f"- {line}" for line in plan.guidance.ice_safety)])
    if s.kind == "heat":
        blocks.append(["Heat safely:", *(f"- {line}" for line in plan.guidance.heat_safety)])
    if s.kind in _ON_FEET:
        rule = plan.guidance.pain_rule
        blocks.append(
            [
                "Pain rule (0-10 scale):",
                f"Green: {rule.green}",
                f"Amber: {rule.amber}",
                f"Red: {rule.red}",
            ]
        )
    blocks.append(_safety_lines(plan))
    blocks.append([plan.guidance.disclaimer])
    return "\n\n".join("\n".join(block) for block in blocks if block)


def _safety_lines(plan: Plan) -> list[str]:
    """The same-day red flags first, then the signs that end a session at once."""
    lines: list[str] = []
    urgent = sorted(plan.guidance.red_flags, key=lambda tier: tier.tier)
    if urgent:
        tier = urgent[0]
        lines.append(f"{tier.heading}: {' '.join(tier.items)} {tier.action}")
    if plan.guidance.absolute_stops:
        lines.append(f"Stop the session if: {' '.join(plan.guidance.absolute_stops)}")
    return lines


# --------------------------------------------------------------------------- calendar


def _timezone(plan: Plan, tz: zoneinfo.ZoneInfo) -> Timezone:
    """A VTIMEZONE covering the plan's calendar years, so every DST change in it is listed."""
    first = dt.date(plan.start.year, 1, 1)
    last = dt.date(plan.end.year + 1, 1, 1)
    return Timezone.from_tzinfo(tz, tzid=tz.key, first_date=first, last_date=last)


def _alarm(summary: str, trigger: dt.timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", vText(summary))
    alarm.add("trigger", trigger)
    return alarm


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

    cal = Calendar()
    cal.add("prodid", f"-//rehabplan//rehabplan {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", vText(_one_line(plan.title)))
    cal.add("x-wr-calname", vText(_one_line(plan.title)))
    utc = tz.key in ("UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "UCT", "Zulu", "Universal", "Etc/Universal")
    if timed:
        cal.add("x-wr-timezone", vText(tz.key))
        if not utc:
            cal.add_component(_timezone(plan, tz))

    sessions = _sessions(plan)
    starts = _start_times(sessions, options, dt.UTC if utc else tz) if timed else {}
    seen: dict[tuple[dt.date, str, int], int] = defaultdict(int)
    for s in sessions:
        key = (s.date, s.kind, s.slot)
        uid = event_uid(plan, s, seen[key])
        seen[key] += 1
        summary = _one_line(s.title)

        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("sequence", 0)
        if timed:
            start = starts[id(s)]
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=_minutes(s)))
        else:
            event.add("dtstart", s.date)
            event.add("dtend", s.date + dt.timedelta(days=1))
        event.add("summary", vText(summary))
        event.add("description", vText(_description(plan, s)))
        event.add("categories", [s.kind.upper()])
        event.add("transp", "OPAQUE")
        if options.alarms and s.kind in _ON_FEET:
            before = dt.timedelta(minutes=options.alarm_minutes)
            if timed:
                trigger = -before
            else:
                # An all-day event starts at midnight: remind at the kind's time of day instead.
                at = _time_of(s.kind, options)
                trigger = dt.timedelta(hours=at.hour, minutes=at.minute) - before
            event.add_component(_alarm(summary, trigger))
        cal.add_component(event)
    return bytes(cal.to_ical())
