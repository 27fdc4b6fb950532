"""The plan as plain terminal text: a week table, a bar chart of weekly running, and the notes.

Pure: it only reads the Plan. ASCII drawing characters keep it readable in any terminal.
"""

from __future__ import annotations

import textwrap
from collections import Counter

from .. import wording
from ..planning.plan import Plan, Week
from ..planning.sessions import CheckKind, RunSession, SessionKind, WalkRunSession
from ..wording.formats import number as number_text

_MIN_WIDTH = 60


def _dates(week: Week) -> str:
    return wording.formats.span_compact(week.start, week.end)


def _key_sessions(week: Week) -> str:
    """A short summary of what the week holds, most important first."""
    parts: list[str] = []
    runs = [s for s in week.sessions if isinstance(s, RunSession)]
    ladder = [s for s in week.sessions if isinstance(s, WalkRunSession)]
    if ladder:
        stages = dict.fromkeys(s.stage.upper() for s in ladder)
        parts.append(f"{len(ladder)} walk/run {'/'.join(stages)}")
    if runs:
        longest = max(s.run_distance for s in runs)
        parts.append(f"{len(runs)} runs, max {number_text(longest)}")
        for s in runs:
            if s.intensity != "easy":
                parts.append(s.intensity.value)
    counts = Counter(s.kind for s in week.sessions)
    for kind in (SessionKind.STRENGTH, SessionKind.CROSS_TRAINING, SessionKind.ICE, SessionKind.HEAT):
        if counts.get(kind):
            parts.append(f"{counts[kind]}x {wording.KIND_LABEL[kind].lower()}")
    checks = [getattr(s, "check", None) for s in week.sessions]
    parts += [wording.CHECK_LABEL[c].lower() for c in dict.fromkeys(checks) if c and c != CheckKind.MORNING_AFTER]
    if week.hold_week:
        parts.insert(0, "hold")
    return ", ".join(parts) or "rest"


def plan_table(plan: Plan, width: int = 80) -> str:
    """The plan as a week table, a bar chart of weekly running and the notes, within `width` columns."""
    width = max(width, _MIN_WIDTH)
    unit = plan.unit.value
    lines: list[str] = []
    lines += textwrap.wrap(wording.title(plan), width=width)
    lines += textwrap.wrap(
        f"Target {number_text(plan.target_weekly_distance)} {unit} a week, {len(plan.weeks)} weeks, "
        f"{plan.start:%d %b %Y} to {plan.end:%d %b %Y}",
        width=width,
    )
    lines.append("")

    longest = max((len(w.phase_name) for w in plan.weeks), default=5)
    phase_w = min(longest, 18, max(10, width - 64))
    run_head = f"Run {unit}"
    head = f"{'Wk':>3}  {'Dates':<13}  {'Phase':<{phase_w}}  {run_head:>7}  "
    rest = width - len(head)
    lines.append(head + "Key sessions")
    lines.append("-" * width)  # the head leaves at least 19 columns for the key sessions
    for w in plan.weeks:
        # long phase names and session lists wrap onto more lines; nothing is cut off
        phase = textwrap.wrap(w.phase_name, width=phase_w) or [""]
        key = textwrap.wrap(_key_sessions(w), width=rest) or [""]
        for i in range(max(len(phase), len(key))):
            name = phase[i] if i < len(phase) else ""
            if i == 0:
                row = f"{w.index:>3}  {_dates(w):<13}  {name:<{phase_w}}  {number_text(w.run_distance):>7}  "
            else:
                row = f"{'':>3}  {'':<13}  {name:<{phase_w}}  {'':>7}  "
            lines.append((row + (key[i] if i < len(key) else "")).rstrip())

    lines.append("")
    lines.append(f"Weekly running ({unit})")
    top = max((w.run_distance for w in plan.weeks), default=0.0)
    label_w = max(len(number_text(w.run_distance)) for w in plan.weeks)
    bar_w = width - 3 - 3 - label_w - 1
    for w in plan.weeks:
        n = 0 if top <= 0 else round(w.run_distance / top * bar_w)
        if w.run_distance > 0 and n == 0:
            n = 1
        bar = ("=" if w.hold_week else "#") * n
        lines.append(f"{w.index:>3} |{bar:<{bar_w}} {number_text(w.run_distance):>{label_w}}")
    lines.append("    # build or ladder week   = hold week")

    if plan.notes:
        lines.append("")
        lines.append("Notes")
        for note in wording.notes(plan):
            lines.extend(textwrap.wrap(note, width=width, initial_indent="- ", subsequent_indent="  "))
    return "\n".join(lines) + "\n"
