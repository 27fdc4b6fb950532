"""What a runner logs about a day, and the traffic light it gives under the condition's pain rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ..catalog.models import PainRule

#: Pain scores are 0 (none) to 10 (the worst imaginable).
PAIN = Field(default=None, ge=0, le=10)


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class CheckIn(BaseModel):
    """One day as the runner logged it (a row of checkins.csv, or the web form)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    date: dt.date
    pain_during: int | None = PAIN
    pain_after: int | None = PAIN
    pain_next_morning: int | None = PAIN
    swelling: bool = False
    missed: bool = False  # the day's sessions were not done
    criteria_met: bool = False  # the current phase's exit criteria are met
    red_flag: bool = False  # a warning sign from the booklet's first page
    cleared: bool = False  # a clinician has seen the knee and cleared the plan to go on
    note: str = Field(default="", max_length=500)

    @property
    def scored(self) -> bool:
        return any(p is not None for p in (self.pain_during, self.pain_after, self.pain_next_morning))

    def light(self, rule: PainRule) -> Light | None:
        """The traffic light of the day: the worst pain against the rule; swelling is at least amber,
        a warning sign red. None for a day with no score and nothing to report."""
        if self.red_flag:
            return Light.RED
        worst = max(
            (p for p in (self.pain_during, self.pain_after, self.pain_next_morning) if p is not None), default=None
        )
        if worst is None:
            return Light.AMBER if self.swelling else None
        light = Light.GREEN if worst <= rule.green_max else Light.AMBER if worst <= rule.amber_max else Light.RED
        if self.swelling and light == Light.GREEN:
            light = Light.AMBER
        return light


def latest_by_day(checkins: Iterable[CheckIn]) -> dict[dt.date, CheckIn]:
    """One check-in a day: a later row for the same day replaces an earlier one."""
    out: dict[dt.date, CheckIn] = {}
    for c in checkins:
        out[c.date] = c
    return out


def worst(lights: Sequence[Light | None]) -> Light | None:
    order = {Light.GREEN: 0, Light.AMBER: 1, Light.RED: 2}
    found = [x for x in lights if x is not None]
    return max(found, key=order.__getitem__) if found else None
