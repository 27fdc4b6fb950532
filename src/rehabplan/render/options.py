"""How the outputs look: paper and branding for the PDFs, time zone and times for the calendar.

None of it changes the plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..planning.limits import MAX_LABEL
from ..planning.sessions import SessionKind

#: The kinds of session that have a time of day in the calendar (rest days have none).
TIMED_KINDS: tuple[str, ...] = tuple(k.value for k in SessionKind if k != SessionKind.REST)

Paper = Literal["letter", "a4"]
#: The full booklet, or the short handout (at most eight pages).
Layout = Literal["full", "handout"]


class BookletOptions(BaseModel):
    """How the booklet and summary look."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    paper: Paper = "letter"
    layout: Layout = "full"
    coach: str | None = Field(default=None, max_length=MAX_LABEL)
    clinic: str | None = Field(default=None, max_length=MAX_LABEL)
    contact: str | None = Field(default=None, max_length=MAX_LABEL)
    logo: bytes | None = None  # PNG or JPEG bytes, already checked by the caller
    accent: str | None = Field(default=None, pattern=r"^#[0-9a-f]{6}$")  # checked for print contrast by the caller


class CalendarOptions(BaseModel):
    """How the calendar is written."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    tz: str = "UTC"  # an IANA zone name, already checked by the caller
    times: dict[str, dt.time] = Field(default_factory=dict)  # overrides per session kind
    all_day: bool = False
    alarms: bool = True
    alarm_minutes: int = Field(default=30, ge=0, le=1440)
    clinic: str | None = Field(default=None, max_length=MAX_LABEL)  # named in every event, with its contact
    contact: str | None = Field(default=None, max_length=MAX_LABEL)
