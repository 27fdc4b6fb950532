"""The README's table of plan lengths: weeks per condition and usual weekly mileage.

Run from the repository root:  python scripts/weeks_table.py          (rewrites the table in README.md)
                               python scripts/weeks_table.py --check  (exit 1 if the table is out of date)
Each cell reads "reached / total": the week the plan reaches the usual mileage, and its length,
with default inputs (just injured, no running now, 4 run days, a start on a Monday).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from rehabplan import Plan, PlanRequest, build_plan, load_catalog

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START_MARK = "<!-- weeks-table:start -->"
END_MARK = "<!-- weeks-table:end -->"
DISTANCES = ((10, "mi"), (20, "mi"), (30, "mi"), (50, "mi"), (30, "km"), (50, "km"), (80, "km"))
START = dt.date(2027, 3, 1)


def _reached(plan: Plan) -> int:
    return next(w.index for w in plan.weeks if w.ramp_week and w.run_distance >= plan.target_weekly_distance)


def _continuous(plan: Plan) -> int | None:
    """The first week with 30 minutes or more of running without walking breaks."""
    pace = plan.pace_min_per_unit
    for w in plan.weeks:
        for s in w.sessions:
            if s.kind == "walk_run" and s.walk_min == 0 and s.run_min >= 30:
                return w.index
            if s.kind == "run" and s.run_distance * pace >= 30:
                return w.index
    return None


def table() -> str:
    catalog = load_catalog()
    head = ["Condition", *(f"{d} {u}" for d, u in DISTANCES), "30 min non-stop from (30 mi)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for proto in sorted(catalog.protocols.values(), key=lambda p: p.name):
        cells = [proto.name]
        for distance, units in DISTANCES:
            request = PlanRequest(
                condition=proto.condition, site=proto.site, mileage=distance, units=units, start=START
            )
            plan = build_plan(request, catalog)
            cells.append(f"{_reached(plan)} / {len(plan.weeks)}")
        plan = build_plan(PlanRequest(condition=proto.condition, site=proto.site, mileage=30, start=START), catalog)
        week = _continuous(plan)
        cells.append(f"week {week}" if week else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    before, rest = text.split(START_MARK, 1)
    _, after = rest.split(END_MARK, 1)
    new = f"{before}{START_MARK}\n{table()}{END_MARK}{after}"
    if "--check" in argv:
        if new != text:
            print("README.md: the weeks table is out of date; run python scripts/weeks_table.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
