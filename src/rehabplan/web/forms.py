"""The web page's two forms (make a plan, check in): their fields, and turning them into a plan
request and options, or into problems shown next to the fields they are about.

Parsing and messages are the command line's own (``app/inputs`` and ``app/logbook``); only the
way a field is named differs: by its label on the page.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..app import inputs, logbook
from ..catalog import Catalog
from ..errors import InputError, RehabplanError
from ..planning import PlanRequest
from ..planning.checkins import CheckIn
from ..planning.limits import CAN_RUN, RUN_DAYS, WEEKS_OFF
from ..render.ics import DEFAULT_TIMES
from ..render.options import BookletOptions, CalendarOptions
from ..wording import web as words

T = TypeVar("T")

#: Session kinds whose time of day the form sets, with their defaults (the calendar's own).
TIMES = tuple(
    (kind, DEFAULT_TIMES[kind].strftime("%H:%M")) for kind in ("run", "check_in", "strength", "cross_training")
)
PLAN_FIELDS = (
    "condition",
    "mileage",
    "units",
    "start",
    "weeks_off",
    "can_run",
    "run_days",
    "pace",
    "long_run",
    "tz",
    *(f"time_{kind}" for kind, _ in TIMES),
    "paper",
    "name",
)
PLAN_FLAGS = ("all_day", "alarms")
CHECKIN_FIELDS = ("date", "pain_during", "pain_after", "pain_next_morning", "note")
CHECKIN_FLAGS = ("swelling", "missed", "criteria_met", "red_flag", "cleared")
MAX_FIELD = 500  # characters kept of any one field


@dataclass
class Form:
    """What was typed (to fill the form again) and the problem with each field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def attempt(self, fn: Callable[[], T], where: str | None = None) -> T | None:
        """Run one parsing step; keep its problem next to its field (or `where`) and return None."""
        try:
            return fn()
        except InputError as exc:
            name = "condition" if exc.field == "site" else exc.field
            if name not in self.values:
                name = where or "form"
            self.errors.setdefault(name, _sentence(exc.worded(words.label)))
        except RehabplanError as exc:
            self.errors.setdefault(where or "form", _sentence(exc.worded(words.label)))
        return None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clean(raw: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    return {n: str(raw.get(n, ""))[:MAX_FIELD] for n in names}


def condition_choices(catalog: Catalog) -> list[tuple[str, str, str, str]]:
    """(value, name, where it hurts, knee region) for every condition and site, in the order of the
    knee: the value is 'condition' or 'condition:site'."""
    out = []
    for p in sorted(catalog.protocols.values(), key=lambda p: p.name):
        value = p.condition if p.site is None else f"{p.condition}:{p.site}"
        out.append((value, p.name, p.where_it_hurts, p.knee_region.value))
    return out


def plan_defaults(today: dt.date, tz: str) -> dict[str, str]:
    """The form as first shown."""
    return {
        "condition": "",
        "mileage": "",
        "units": "mi",
        "start": inputs.next_monday(today).isoformat(),
        "weeks_off": str(WEEKS_OFF.default),
        "can_run": str(CAN_RUN.default),
        "run_days": str(RUN_DAYS.default),
        "pace": "",
        "long_run": "",
        "tz": tz,
        **{f"time_{kind}": clock for kind, clock in TIMES},
        "all_day": "",
        "alarms": "on",
        "paper": "",
        "name": "",
    }


def read_plan_form(
    raw: Mapping[str, Any], catalog: Catalog, today: dt.date, booklet: BookletOptions
) -> tuple[Form, PlanRequest | None, BookletOptions | None, CalendarOptions | None]:
    """The make-a-plan form into a request and options, or the form with its problems."""
    form = Form(_clean(raw, PLAN_FIELDS))
    form.values.update({f: "on" if raw.get(f) else "" for f in PLAN_FLAGS})
    v = form.values
    condition, _, site = v["condition"].partition(":")
    if not condition:  # the other fields are still checked, against any condition
        form.errors["condition"] = words.PICK_CONDITION
        first = min(catalog.protocols.values(), key=lambda p: p.id)
        condition, site = first.condition, first.site or ""
    if not v["mileage"].strip():
        form.errors["mileage"] = words.GIVE_MILEAGE

    def optional(name: str) -> str | None:
        return v[name].strip() or None

    request = None
    if "mileage" not in form.errors:
        request = form.attempt(
            lambda: inputs.plan_request(
                catalog,
                condition=condition,
                site=site or None,
                mileage=v["mileage"],
                units=optional("units"),
                start=optional("start"),
                weeks_off=optional("weeks_off"),
                run_days=optional("run_days"),
                can_run=optional("can_run"),
                long_run=optional("long_run"),
                pace=optional("pace"),
                name=optional("name"),
                today=today,
            )
        )
    zone = form.attempt(lambda: inputs.parse_tz(v["tz"] or "UTC"))
    times: dict[str, dt.time] = {}
    for kind, default in TIMES:
        name = f"time_{kind}"
        if v[name].strip() in ("", default):  # as the command line: a time not given follows the others
            continue
        got = form.attempt(functools.partial(inputs.parse_times, [f"{kind}={v[name]}"]), name)
        if got:
            times.update(got)
    paper = form.attempt(lambda: inputs.parse_paper(v["paper"])) if v["paper"].strip() else None
    if form.errors or request is None or zone is None:
        return form, None, None, None
    if paper is None:
        paper = booklet.paper if booklet.clinic else inputs.default_paper(request.units.value)
    calendar = CalendarOptions(
        tz=zone,
        times=times,
        all_day=bool(v["all_day"]),
        alarms=bool(v["alarms"]),
        clinic=booklet.clinic,
        contact=booklet.contact,
    )
    return form, request, booklet.model_copy(update={"paper": paper}), calendar


def checkin_defaults(today: dt.date) -> dict[str, str]:
    return {"date": today.isoformat(), "pain_during": "", "pain_after": "", "pain_next_morning": "", "note": ""}


def read_checkin_form(raw: Mapping[str, Any]) -> tuple[Form, CheckIn | None]:
    """The check-in form into one day's log, or the form with its problems."""
    form = Form(_clean(raw, CHECKIN_FIELDS))
    flags = {f: "yes" if raw.get(f) else "" for f in CHECKIN_FLAGS}
    form.values.update({f: "on" if flags[f] else "" for f in CHECKIN_FLAGS})
    note = form.attempt(lambda: inputs.parse_label(form.values["note"] or None, "note"))
    cells = {**form.values, **flags, "note": note or ""}
    entry = form.attempt(lambda: logbook.parse_row(cells))
    if entry is not None and not (
        entry.scored or entry.missed or entry.swelling or entry.criteria_met or entry.red_flag or entry.cleared
    ):
        form.errors["form"] = words.NOTHING_TO_LOG
    return form, None if form.errors else entry
