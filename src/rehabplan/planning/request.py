"""What decides a plan: the request, built from the defaults and bounds in ``limits.py``.

The command line, a roster row and the web form all end in a PlanRequest.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..catalog.models import Id
from .limits import CAN_RUN, DEFAULT_UNITS, MAX_LABEL, PACE_LIMITS, RUN_DAYS, WEEKS_OFF


class Unit(StrEnum):
    MI = "mi"
    KM = "km"


Label = Annotated[str, StringConstraints(max_length=MAX_LABEL)]


class PlanRequest(BaseModel):
    """Everything that decides a plan. The caller reads the clock for it (the start date)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    condition: Id
    site: Id | None = None
    mileage: float = Field(gt=0, description="usual weekly running distance before the injury")
    units: Unit = Unit(DEFAULT_UNITS)
    start: dt.date
    weeks_off: int = Field(default=WEEKS_OFF.default, ge=WEEKS_OFF.lo, le=WEEKS_OFF.hi, description=WEEKS_OFF.what)
    run_days: int = Field(default=RUN_DAYS.default, ge=RUN_DAYS.lo, le=RUN_DAYS.hi, description=RUN_DAYS.what)
    pace_min_per_unit: float | None = Field(default=None, description="easy pace, minutes per unit")
    can_run: int = Field(default=CAN_RUN.default, ge=CAN_RUN.lo, le=CAN_RUN.hi, description=CAN_RUN.what)
    long_run: float | None = Field(default=None, gt=0, description="the usual long run, in the plan's unit")
    athlete: Label | None = None

    @model_validator(mode="after")
    def _pace_in_range(self) -> PlanRequest:
        if self.pace_min_per_unit is not None:
            lo, hi = PACE_LIMITS[self.units]
            if not lo <= self.pace_min_per_unit <= hi:
                raise ValueError(f"pace_min_per_unit must be from {lo:g} to {hi:g} minutes per {self.units.value}")
        if self.long_run is not None:
            lo_run, hi_run = long_run_limits(self.mileage, self.run_days)
            if not lo_run < self.long_run <= hi_run:
                raise ValueError(
                    f"long_run must be longer than an even share of the week ({lo_run:.2f}) "
                    f"and at most half of it ({hi_run:.2f})"
                )
        return self


def long_run_limits(mileage: float, run_days: int) -> tuple[float, float]:
    """A long run must be longer than an even share of the week and at most half of it."""
    return mileage / run_days, mileage / 2
