"""The plan at a glance: a phase timeline, the phase table and the weekly distance chart."""

from __future__ import annotations

from typing import Any, Literal

from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer

from ... import wording
from ...wording import booklet as words
from ...wording import formats as fmt
from . import styles as st
from .figures import rect
from .flowables import BOX, BookletTable, Kit, box, clean, grid_style


def _phase_fill(k: Kit, i: int) -> Color:
    fills = k.brand.phase_fills
    return fills[i % len(fills)]


def _text(
    x: float,
    y: float,
    text: str,
    size: float = 7.5,
    anchor: Literal["start", "middle", "end"] = "start",
    font: str = st.FONT,
    colour: Color = st.MUTED,
) -> String:
    """A label in a chart: small and muted unless told otherwise."""
    return String(x, y, text, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def timeline(k: Kit) -> Drawing:
    """The phases as shaded bars along the plan's dates."""
    plan = k.plan
    width = k.width
    d = st.embedded(Drawing(width, 56.0))
    total = max((plan.end - plan.start).days + 1, 1)
    bar_y, bar_h = 24.0, 22.0
    for i, ph in enumerate(plan.phases):
        x0 = width * max((ph.start - plan.start).days, 0) / total
        x1 = width * min((ph.end - plan.start).days + 1, total) / total
        w = max(x1 - x0, 0.5)
        d.add(rect(x0, bar_y, w, bar_h, fillColor=_phase_fill(k, i), strokeColor=st.WHITE, strokeWidth=1.2))
        label = f"{i + 1} {clean(ph.name)}"
        if stringWidth(label, st.FONT_SEMIBOLD, 9) <= w - 6:  # the number and name, from the left
            d.add(_text(x0 + 3, bar_y + 8, label, 9, "start", st.FONT_SEMIBOLD, st.INK))
        else:  # the number alone, centred (cut short when even that is too wide)
            number = st.fit_text(str(i + 1), st.FONT_SEMIBOLD, 9, w - 1)
            d.add(_text(x0 + w / 2, bar_y + 8, number, 9, "middle", st.FONT_SEMIBOLD, st.INK))
        d.add(Line(x0, bar_y - 2, x0, bar_y - 7, strokeColor=st.RULE, strokeWidth=0.6))
    # the start date at the left end, the end date at the right end
    d.add(Line(width, bar_y - 2, width, bar_y - 7, strokeColor=st.RULE, strokeWidth=0.6))
    d.add(_text(0, bar_y - 16, fmt.date_short(plan.start), 9))
    d.add(_text(width, bar_y - 16, fmt.date_short(plan.end), 9, anchor="end"))
    return d


def _nice_step(top: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about five gridlines up to top."""
    raw = top / 5
    mag = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    while mag > raw:
        mag /= 10
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def _volume_chart(k: Kit) -> Drawing:
    plan = k.plan
    weeks = plan.weeks
    width, height = k.width, 138.0
    left, bottom, top_pad = 34.0, 22.0, 14.0
    d = st.embedded(Drawing(width, height))
    plot_w, plot_h = width - left - 6, height - bottom - top_pad
    top = max([w.run_distance for w in weeks] + [plan.target_weekly_distance, 1.0])
    step = _nice_step(top)
    ymax = step * (int(top / step) + 1)
    phase_index = {ph.id: i for i, ph in enumerate(plan.phases)}
    n = max(len(weeks), 1)
    slot = plot_w / n
    bar_w = slot * 0.72
    y = 0.0
    while y <= ymax + 1e-9:
        yy = bottom + plot_h * y / ymax
        d.add(Line(left, yy, left + plot_w, yy, strokeColor=st.GRID if y else st.RULE, strokeWidth=0.4 if y else 0.8))
        d.add(_text(left - 4, yy - 2.5, fmt.number(y), 7, "end"))
        y += step
    d.add(_text(2, bottom + plot_h + 5, plan.unit.value, font=st.FONT_SEMIBOLD))
    every = 1 if n <= 26 else 2 if n <= 52 else 4
    for i, w in enumerate(weeks):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * w.run_distance / ymax
        if h > 0:
            fill = _phase_fill(k, phase_index.get(w.phase, 0))
            d.add(rect(x, bottom, bar_w, h, fillColor=fill, strokeColor=st.INK, strokeWidth=0.5))
        if i % every == 0:
            d.add(_text(x + bar_w / 2, bottom - 10, str(w.index), 7, "middle"))
    target_y = bottom + plot_h * plan.target_weekly_distance / ymax
    d.add(
        Line(left, target_y, left + plot_w, target_y, strokeColor=k.brand.accent, strokeWidth=1, strokeDashArray=[4, 2])
    )
    d.add(_text(left + 3, target_y + 3, words.usual_week(plan), 9, font=st.FONT_SEMIBOLD, colour=k.brand.accent))
    d.add(_text(left + plot_w / 2, 1, words.CHART_WEEK, anchor="middle"))
    return d


def glance(k: Kit) -> list[Flowable]:
    """The plan at a glance: its length and goal, its notes, the phases and the weekly distances."""
    plan = k.plan
    out = k.section(words.GLANCE)
    out.append(k.styled(words.glance_lead(plan), "Lead"))
    out.append(k.p(wording.why_this_long(plan)))
    if plan.notes:
        out += [box(k.bullets(wording.notes(plan), "BoxBullet"), k.width, st.AMBER, st.SHADE), Spacer(1, 6)]
    out += [k.p(words.PHASES, "H3"), timeline(k), Spacer(1, 4)]
    rows: list[list[Any]] = [[k.p(h, "CellHead") for h in words.PHASE_HEAD]]
    for i, ph in enumerate(plan.phases):
        goals = k.bullets(ph.goals, "CellBullet")
        if ph.cross_training:
            goals.append(k.styled(words.cross_training(ph.cross_training), "CellSmall"))
        rows.append(
            [
                k.p(str(i + 1), "CellBold"),
                k.p(ph.name, "CellBold"),
                k.p(fmt.span_days(ph.start, ph.end), "CellSmall"),
                k.p(words.running_label(plan, ph), "CellSmall"),
                goals,
                k.bullets(wording.exit_criteria(plan, ph.id), "CellBullet", BOX),
            ]
        )
    cols = [7 * mm, 26 * mm, 22 * mm, 22 * mm]
    rest = k.width - sum(cols)
    t = BookletTable(rows, colWidths=[*cols, rest * 0.5, rest * 0.5], repeatRows=1)
    t.setStyle(
        grid_style(extra=[("BACKGROUND", (0, i + 1), (0, i + 1), _phase_fill(k, i)) for i in range(len(plan.phases))])
    )
    out.append(t)
    chart = [k.p(words.chart_heading(plan), "H3"), _volume_chart(k), k.p(words.CHART_NOTE, "Small")]
    out.append(KeepTogether(chart))
    return out
