"""Numbers, distances, doses and dates as every output prints them (one format each)."""

from __future__ import annotations

import datetime as dt

from ..catalog.models import Dose

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: float) -> str:
    """A distance or a count of minutes in plain figures: 3.20 -> '3.2', 3.0 -> '3', 0.25 -> '0.25'."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def distance(value: float, unit: str) -> str:
    """A distance with its unit: '4 mi', '3.2 km'."""
    return f"{number(value)} {unit}"


def minutes(value: float) -> str:
    """A length of time in minutes: '30 min', '1.5 min'."""
    return f"{number(value)} min"


def dose(d: Dose) -> str:
    """A dose in plain words: '3 × 10 each side', '4 × 30 s hold', '10 min'."""
    if d.reps is not None:
        core = f"{d.sets} × {d.reps}"
    elif d.hold_s is not None:
        core = f"{d.sets} × {d.hold_s} s hold"
    else:
        core = f"{d.minutes} min" if d.sets == 1 else f"{d.sets} × {d.minutes} min"
    if d.per_side:
        core += " each side"
    if d.note:
        core += f" ({d.note})"
    return core


def date(d: dt.date) -> str:
    """'Mon 30 Nov 2026' (the same in every locale)."""
    return f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def date_short(d: dt.date) -> str:
    """'30 Nov'."""
    return f"{d.day} {MONTHS[d.month - 1]}"


def weekday(d: dt.date) -> str:
    """'Mon'."""
    return DAYS[d.weekday()]


def weekday_day(d: dt.date) -> str:
    """'Mon 30'."""
    return f"{DAYS[d.weekday()]} {d.day}"


def weekday_date(d: dt.date) -> str:
    """'Mon 30 Nov'."""
    return f"{DAYS[d.weekday()]} {date_short(d)}"


def span(a: dt.date, b: dt.date) -> str:
    """'Mon 1 Mar 2027 – Sun 20 Jun 2027'."""
    return f"{date(a)} – {date(b)}"


def span_short(a: dt.date, b: dt.date) -> str:
    """'15–21 Mar', '29 Mar – 4 Apr', '28 Dec 2026 – 3 Jan 2027'."""
    if a.year != b.year:
        return f"{date_short(a)} {a.year} – {date_short(b)} {b.year}"
    if a.month != b.month:
        return f"{date_short(a)} – {date_short(b)}"
    return f"{a.day}–{b.day} {MONTHS[a.month - 1]}"


def span_days(a: dt.date, b: dt.date) -> str:
    """'1–7 Mar', '29 Mar – 4 Apr', '28 Dec – 3 Jan' (a week or a phase in a table column, under
    a heading that gives the year)."""
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {MONTHS[a.month - 1]}"
    return f"{date_short(a)} – {date_short(b)}"


def span_compact(a: dt.date, b: dt.date) -> str:
    """'01-07 Mar', '29 Mar-04 Apr' (for narrow terminal columns)."""
    if a.month == b.month:
        return f"{a:%d}-{b:%d} {MONTHS[b.month - 1]}"
    return f"{a:%d} {MONTHS[a.month - 1]}-{b:%d} {MONTHS[b.month - 1]}"


def pain_range(lo: int, hi: int) -> str:
    """'pain 0–2 of 10', 'pain 3 of 10', '' for an empty range."""
    if lo > hi:
        return ""
    return f"pain {lo} of 10" if lo == hi else f"pain {lo}–{hi} of 10"
