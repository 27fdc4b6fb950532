"""What decides a plan: the request, with every default and bound written once.

The command line, a roster row and the web form all end in a PlanRequest; their help texts and
checks read the defaults and limits from here (see :func:`bounds` and :data:`PACE_LIMITS`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..catalog.models import Id


class Unit(StrEnum):
    MI = "mi"
    KM = "km"


#: Easy pace limits in minutes per unit (a walk is slower, a race faster).
PACE_LIMITS: dict[Unit, tuple[float, float]] = {Unit.MI: (4.0, 25.0), Unit.KM: (2.5, 16.0)}
#: The longest name, club or contact line printed on a cover.
MAX_LABEL = 200

Label = Annotated[str, StringConstraints(max_length=MAX_LABEL)]


class PlanRequest(BaseModel):
    """Everything that decides a plan. The caller reads the clock for it (the start date)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    condition: Id
    site: Id | None = None
    mileage: float = Field(gt=0, description="usual weekly running distance before the injury")
    units: Unit = Unit.MI
    start: dt.date
    weeks_off: int = Field(default=0, ge=0, le=104, description="weeks already off running")
    run_days: int = Field(default=4, ge=3, le=6, description="run days a week once rebuilt")
    pace_min_per_unit: float | None = Field(default=None, description="easy pace, minutes per unit")
    athlete: Label | None = None

    @model_validator(mode="after")
    def _pace_in_range(self) -> PlanRequest:
        if self.pace_min_per_unit is not None:
            lo, hi = PACE_LIMITS[self.units]
            if not lo <= self.pace_min_per_unit <= hi:
                raise ValueError(f"pace_min_per_unit must be from {lo:g} to {hi:g} minutes per {self.units.value}")
        return self


def bounds(field: str) -> tuple[Any, int | float | None, int | float | None]:
    """A request field's default and its lower and upper bound (None where it has none)."""
    info = PlanRequest.model_fields[field]
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else lo
        hi = getattr(meta, "le", None) if getattr(meta, "le", None) is not None else hi
    return info.default, lo, hi
