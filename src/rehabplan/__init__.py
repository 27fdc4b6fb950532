"""rehabplan: safe rehab and return-to-running plans for runners with knee pain.

The public API, used by the command line, the roster batch and the web page alike::

    import datetime as dt
    import rehabplan

    catalog = rehabplan.load_catalog()
    request = rehabplan.PlanRequest(condition="itbs", mileage=30, start=dt.date(2027, 3, 1))
    plan = rehabplan.build_plan(request, catalog)
    pdf = rehabplan.booklet_pdf(plan, rehabplan.BookletOptions(paper="a4"))
    ics = rehabplan.calendar_ics(plan, rehabplan.CalendarOptions(tz="Europe/London"))

Names are imported on first use, so ``import rehabplan`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Catalog": ("rehabplan.catalog", "Catalog"),
    "load_catalog": ("rehabplan.catalog", "load_catalog"),
    "PlanRequest": ("rehabplan.planning", "PlanRequest"),
    "Unit": ("rehabplan.planning", "Unit"),
    "Plan": ("rehabplan.planning", "Plan"),
    "build_plan": ("rehabplan.planning", "build_plan"),
    "CheckIn": ("rehabplan.planning.checkins", "CheckIn"),
    "replan": ("rehabplan.planning.replan", "replan"),
    "BookletOptions": ("rehabplan.render.options", "BookletOptions"),
    "CalendarOptions": ("rehabplan.render.options", "CalendarOptions"),
    "booklet_pdf": ("rehabplan.render.pdf", "to_pdf"),
    "summary_pdf": ("rehabplan.render.pdf", "to_summary_pdf"),
    "calendar_ics": ("rehabplan.render.ics", "to_ics"),
    "plan_json": ("rehabplan.render.plan_json", "to_json"),
    "read_plan_json": ("rehabplan.render.plan_json", "read_plan"),
    "plan_text": ("rehabplan.render.text", "plan_table"),
    "render_all": ("rehabplan.app.outputs", "render_all"),
    "write_plan": ("rehabplan.app.outputs", "generate"),
    "RehabplanError": ("rehabplan.errors", "RehabplanError"),
    "InputError": ("rehabplan.errors", "InputError"),
    "DataError": ("rehabplan.errors", "DataError"),
    "PlanningError": ("rehabplan.errors", "PlanningError"),
}

__all__ = [
    "BookletOptions",
    "CalendarOptions",
    "Catalog",
    "CheckIn",
    "DataError",
    "InputError",
    "Plan",
    "PlanRequest",
    "PlanningError",
    "RehabplanError",
    "Unit",
    "__version__",
    "booklet_pdf",
    "build_plan",
    "calendar_ics",
    "load_catalog",
    "plan_json",
    "plan_text",
    "read_plan_json",
    "render_all",
    "replan",
    "summary_pdf",
    "write_plan",
]

if TYPE_CHECKING:
    from .app.outputs import generate as write_plan
    from .app.outputs import render_all as render_all
    from .catalog import Catalog as Catalog
    from .catalog import load_catalog as load_catalog
    from .errors import DataError as DataError
    from .errors import InputError as InputError
    from .errors import PlanningError as PlanningError
    from .errors import RehabplanError as RehabplanError
    from .planning import Plan as Plan
    from .planning import PlanRequest as PlanRequest
    from .planning import Unit as Unit
    from .planning import build_plan as build_plan
    from .planning.checkins import CheckIn as CheckIn
    from .planning.replan import replan as replan
    from .render.ics import to_ics as calendar_ics
    from .render.options import BookletOptions as BookletOptions
    from .render.options import CalendarOptions as CalendarOptions
    from .render.pdf import to_pdf as booklet_pdf
    from .render.pdf import to_summary_pdf as summary_pdf
    from .render.plan_json import read_plan as read_plan_json
    from .render.plan_json import to_json as plan_json
    from .render.text import plan_table as plan_text


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'rehabplan' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
