"""The one-page summary sheet: the pain rule, the plan's notes, the stops and every week in a table.

The layout (type size and number of table columns) is chosen from the plan's size before the sheet
is built: the heading, notes and pain rule are measured, the week table's rows are measured at the
column widths their text needs, and the largest type whose sheet fits one page is used. A type whose
heading alone, with the fewest lines the table could take, overfills the page is passed over unbuilt.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Spacer, TableStyle

from ...planning.plan import Plan, Week
from ...planning.sessions import StrengthSession
from ...wording import booklet as words
from ...wording import formats as fmt
from ...wording import notes
from ..options import BookletOptions
from . import styles as st
from .document import FRAME_PAD, footer_text, new_document
from .flowables import BOX, BookletTable, Kit, Line, Lines, beside_logo, box, days, given, grid_style, layout_style

# Layouts from the largest type down: (base font size, table columns). The first that fits is used.
_LAYOUTS = (
    (10, 1),
    (9, 1),
    (8.5, 1),
    (8, 1),
    (10, 2),
    (9, 2),
    (8.5, 2),
    (8, 2),
    (7.5, 2),
    (7, 2),
    (6.5, 2),
    (6, 3),
    (5.5, 3),
    (5, 3),
    (4.5, 3),
)
_GAP = 5 * mm  # between table columns
_PAD = 3.0  # a cell's left and right padding
_DAY_PAD = 1.5  # a day's and the tick's: their marks are short and centred
_SLACK = 4.0  # points kept free at the foot of the frame, against rounding in the measure
_SKIP_OVER = 1.15  # a smaller type is skipped when its sheet would still be 15% too tall


def _head_row(weeks: Sequence[Week], phases: bool) -> tuple[str, ...]:
    """The table's head: the week, its dates (and phase) and running, then its seven days by name."""
    first = weeks[0].start.weekday()
    head = words.SUMMARY_HEAD[:-1] if phases else tuple(h for h in words.SUMMARY_HEAD[:-1] if h != words.PHASE)
    return (*head, *(fmt.DAYS[(first + i) % 7] for i in range(7)), words.SUMMARY_HEAD[-1])


def _cells(k: Kit, w: Week, phase: str | None) -> tuple[str, ...]:
    """One week's row, as text: its number, dates, phase (named in its first week only, when the
    table has a phase column) and running, then each day's marks (run, exercises, check-in)."""
    return (
        str(w.index),
        fmt.span_days(w.start, w.end),
        *(() if phase is None else (phase,)),
        words.summary_running(k.plan, w),
        *(words.day_marks(todays) for _, todays in days(w)),
        BOX,
    )


def _widths(
    k: Kit, head: Sequence[str], rows: Sequence[tuple[str, ...]], width: float, style: str, phases: bool
) -> list[float]:
    """Column widths: each column as wide as its longest text, but the third (the phase, or else
    the running), which takes the rest and wraps."""
    ps = k.s[style]
    hs = k.s["CellHead"]
    days_from = len(head) - 8
    widths = [
        max(
            stringWidth(head[c], hs.fontName, hs.fontSize),
            max((stringWidth(r[c], ps.fontName, ps.fontSize) for r in rows), default=0.0),
        )
        + 2 * (_DAY_PAD if c >= days_from else _PAD)
        + 0.5
        for c in range(len(head))
    ]
    widths[2] = width - sum(widths) + widths[2]
    if phases and widths[2] < ps.fontSize * 8:  # a narrow phase column: the running wraps too
        give = max(min(ps.fontSize * 8 - widths[2], widths[3] - ps.fontSize * 6), 0)
        widths[3] -= give
        widths[2] += give
    return widths


def _table(k: Kit, weeks: Sequence[Week], width: float, compact: bool, phases: bool) -> BookletTable | None:
    """The week table at this width, with a phase column or a band naming each phase; None when its
    columns cannot fit."""
    style = "CellSmall" if compact else "Cell"
    firsts = [i == 0 or w.phase != weeks[i - 1].phase for i, w in enumerate(weeks)]
    rows = [
        _cells(k, w, (w.phase_name if first else "") if phases else None)
        for w, first in zip(weeks, firsts, strict=True)
    ]
    head = _head_row(weeks, phases)
    widths = _widths(k, head, rows, width, style, phases)
    ps = k.s[style]
    if widths[2] < ps.fontSize * (5 if phases else 6):
        return None

    def text(value: str, bold: bool = False) -> Lines:  # plain lines: a long table at little cost
        font = k.s["CellBold"].fontName if bold else ps.fontName
        return k.lines([Line(value, font, ps.textColor)], style)

    body: list[list[Any]] = [[k.p(h, "CellHead") for h in head]]
    bands: list[tuple[Any, ...]] = []
    for w, r, first in zip(weeks, rows, firsts, strict=True):
        if first and not phases:
            body.append(
                [text(words.phase_band(k.phase_number(w.phase), w.phase_name), bold=True), *[""] * (len(head) - 1)]
            )
            n = len(body) - 1
            bands += [("SPAN", (0, n), (-1, n)), ("BACKGROUND", (0, n), (-1, n), k.brand.light)]
        body.append([text(r[0], bold=not compact), *(text(v) for v in r[1:])])
    t = BookletTable(body, colWidths=widths, repeatRows=1)
    pad = 1.0 if compact else 2.5
    days_from = len(head) - 8
    t.setStyle(
        grid_style(
            extra=[
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 1),
                ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
                ("ALIGN", (days_from, 1), (-1, -1), "CENTER"),
                ("LEFTPADDING", (days_from, 0), (-1, -1), _DAY_PAD),
                ("RIGHTPADDING", (days_from, 0), (-1, -1), _DAY_PAD),
                *bands,
            ]
        )
    )
    return t


def _gap(k: Kit) -> Spacer:
    """The space between the sheet's panels: less in the smaller types of a long plan."""
    return Spacer(1, 4 if k.s["Base"].fontSize >= 9 else 2)


def _head(k: Kit) -> list[Flowable]:
    """Everything above the week table."""
    plan = k.plan
    story: list[Flowable] = [
        k.p(k.title, "H2"),
        HRFlowable(width="100%", thickness=1.2, color=k.brand.accent, spaceBefore=0, spaceAfter=5),
    ]
    clinic = words.clinic_line(given(k.options.clinic), given(k.options.contact))
    line: list[Flowable] = [k.styled(words.summary_line(plan, k.athlete, clinic), "Body")]
    story += beside_logo(k, line, k.width, 36 * mm, 12 * mm) if clinic else line
    if plan.notes:
        story += [_gap(k), box(k.bullets(notes(plan), "BoxBullet"), k.width, st.AMBER, st.SHADE)]
    story += _this_phase(k)
    story += [
        k.p(words.PAIN_RULE, "H3"),
        _pain_rule(k),
        _gap(k),
        box([k.styled(words.get_help_line(plan), "Small")], k.width, st.RED, st.SHADE),
        _gap(k),
        k.styled(words.stop_at_once_line(plan), "Small"),
        k.p(words.WEEKS, "H3"),
        k.styled(words.DAY_KEY, "Small"),
    ]
    return story


def _pain_rule(k: Kit) -> BookletTable:
    """The traffic-light rule in three columns, green to red: each light with its scores, then what to do."""
    bands = words.pain_bands(k.plan)
    head = [k.p(" · ".join(x for x in (b.label, b.scores) if x), "CellWhite") for b in bands]
    rows = [head, [k.p(b.action, "Cell") for b in bands]]
    t = BookletTable(rows, colWidths=[k.width / 3] * 3)
    light = {"green": st.GREEN, "amber": st.AMBER, "red": st.RED}
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, st.GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *(("BACKGROUND", (i, 0), (i, 0), light[b.level]) for i, b in enumerate(bands)),
            ]
        )
    )
    return t


def _current_week(plan: Plan) -> Week:
    """The week the runner is in: the one holding the last day logged, else the first."""
    day = plan.log[-1].date if plan.log else plan.start
    return next((w for w in plan.weeks if w.start <= day <= w.end), plan.weeks[0])


def _this_phase(k: Kit) -> list[Flowable]:
    """The current phase's exercises with their doses, and the days they fall on."""
    plan = k.plan
    week = _current_week(plan)
    phase, number = plan.phase(week.phase), k.phase_number(week.phase)
    strength = [s for s in plan.sessions() if isinstance(s, StrengthSession) and s.phase == phase.id]
    if not strength:
        return []
    days = words.days_of(sorted({s.date for s in week.sessions if isinstance(s, StrengthSession)}))
    done: dict[str, str] = {}
    for s in strength:
        for ex in s.exercises:
            done.setdefault(ex.name, fmt.dose(ex.dose))
    items = [k.styled(((name, "b"), (f": {dose}", "")), "Cell") for name, dose in done.items()]
    n = 2 if k.s["Base"].fontSize >= 9 else 3  # smaller type: three columns, fewer lines
    gap = 5 * mm
    width = (k.width - 18 - gap * (n - 1)) / n  # the box pads 18
    per = -(-len(items) // n)
    cells: list[Any] = []
    for c in range(n):
        cells += [items[c * per : (c + 1) * per], ""]
    cols = BookletTable([cells[:-1]], colWidths=([width, gap] * n)[:-1])
    cols.setStyle(layout_style(right=0, top=0, bottom=0))
    head = k.styled(words.this_phase_line(phase, number, days), "BodyTight")
    return [_gap(k), box([head, Spacer(1, 2), cols], k.width, k.brand.accent, k.brand.light)]


def _weeks(k: Kit, columns: int) -> Flowable | None:
    """The week table, split side by side into `columns` tables; None when it cannot fit the width."""
    weeks = list(k.plan.weeks)
    compact = columns > 1 or k.s["Base"].fontSize < 9
    if columns == 1:
        return _table(k, weeks, k.width, compact, phases=True)
    col_w = (k.width - _GAP * (columns - 1)) / columns
    per = -(-len(weeks) // columns)
    cells: list[Any] = []
    for c in range(columns):
        part = weeks[c * per : (c + 1) * per]
        table = _table(k, part, col_w, compact, phases=False) if part else ""
        if table is None:
            return None
        cells += [table, ""]
    outer = BookletTable([cells[:-1]], colWidths=([col_w, _GAP] * columns)[:-1])
    outer.setStyle(layout_style(right=0))
    return outer


def _least_table(k: Kit, columns: int) -> float:
    """A floor on the week table's height, before it is built: its head row and each week's row
    hold at least one line between their cells' top and bottom padding, and a column holds its
    share of the weeks."""
    compact = columns > 1 or k.s["Base"].fontSize < 9
    pad = 2 * (1.0 if compact else 2.5) + 1
    rows = -(-len(k.plan.weeks) // columns)
    head: float = k.s["CellHead"].leading
    line: float = k.s["CellSmall" if compact else "Cell"].leading
    return head + pad + rows * (line + pad)


def _height(story: Sequence[Flowable], width: float) -> float:
    """The story's height in a frame of this width: each flowable's wrapped height, and between two
    flowables the larger of the one's space after and the next one's space before, as frames lay out."""
    total, after = 0.0, None
    for f in story:
        if after is not None:
            total += max(after, f.getSpaceBefore())
        total += f.wrap(width, 1e9)[1]
        after = f.getSpaceAfter()
    return total


def _layout(plan: Plan, options: BookletOptions) -> tuple[Kit, list[Flowable]]:
    """The largest-type layout whose sheet fits one page (the smallest when none does). A type
    whose sheet, scaled from a larger one of as many columns that was too tall, would still be
    well over the page is not measured, nor one whose heading and fewest possible table lines
    already overfill it."""
    page = st.page_setup(options.paper)
    room = page.size[1] - page.top - page.bottom - 2 * FRAME_PAD - _SLACK
    chosen: tuple[Kit, list[Flowable]] | None = None
    measured: dict[int, tuple[float, float]] = {}  # columns: (size, height) of the last too-tall sheet
    for n, (size, columns) in enumerate(_LAYOUTS):
        last = measured.get(columns)
        # a sheet's height goes down about in step with its type: skip a size that cannot fit
        if last is not None and n < len(_LAYOUTS) - 1 and last[1] * size / last[0] > room * _SKIP_OVER:
            continue
        k = Kit(plan, options, base_size=size)
        width = k.width - 2 * FRAME_PAD
        head, foot = _head(k), [Spacer(1, 5), k.p(plan.guidance.disclaimer, "Small")]
        if n < len(_LAYOUTS) - 1 and _height([*head, *foot], width) + _least_table(k, columns) > room:
            continue  # cannot fit, whatever the table's rows hold: not built
        table = _weeks(k, columns)
        if table is None:
            continue
        story = [*head, table, *foot]
        chosen = (k, story)
        height = _height(story, width)
        if height <= room:
            break
        measured[columns] = (size, height)
    assert chosen is not None, "the smallest layout always fits the page width"
    return chosen


def to_summary_pdf(plan: Plan, options: BookletOptions) -> bytes:
    """A one-page sheet for the fridge: the plan's notes, the pain rule and the week-by-week table."""
    k, story = _layout(plan, options)
    buf = io.BytesIO()
    doc = new_document(buf, k, summary=True)
    footer = st.footer_callback(footer_text(k), k.page)
    # the measured flowables are laid out afresh by the build
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
