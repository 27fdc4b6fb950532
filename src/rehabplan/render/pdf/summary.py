"""The one-page summary sheet: the pain rule, the plan's notes, the stops and every week in a table.

The layout (type size and number of table columns) is chosen from the plan's size before the sheet
is built: the heading, notes and pain rule are measured, the week table's rows are measured at the
column widths their text needs, and the largest type whose sheet fits one page is used.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Spacer

from ...planning.plan import Plan, Week
from ...planning.sessions import SessionKind
from ...wording import booklet as words
from ...wording import formats as fmt
from ...wording import notes
from ..options import BookletOptions
from . import styles as st
from .document import footer_text, new_document
from .flowables import BOX, BookletTable, Kit, Line, Lines, box, given, grid_style, layout_style
from .sections import pain_rule_table

# Layouts from the largest type down: (base font size, table columns). The first that fits is used.
_LAYOUTS = (
    (10, 1),
    (9, 1),
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
_FRAME_PAD = 6.0  # reportlab's Frame padding on each side, as SimpleDocTemplate makes its frame
_SLACK = 4.0  # points kept free at the foot of the frame, against rounding in the measure


def _check_in_days(w: Week) -> str:
    return words.check_in_days(sorted({s.date for s in w.sessions if s.kind == SessionKind.CHECK_IN}))


def _cells(k: Kit, w: Week, first_of_phase: bool) -> tuple[str, ...]:
    """One week's row, as text; the phase is named in its first week only."""
    return (
        str(w.index),
        fmt.span_days(w.start, w.end),
        w.phase_name if first_of_phase else "",
        words.summary_running(k.plan, w),
        _check_in_days(w),
        BOX,
    )


def _widths(k: Kit, rows: Sequence[tuple[str, ...]], width: float, style: str) -> list[float]:
    """Column widths: each column but the phase as wide as its longest text; the phase takes the rest.
    When that leaves the phase too little, the check-in column gives way and wraps."""
    ps = k.s[style]
    head = k.s["CellHead"]
    widths = [
        max(
            stringWidth(words.SUMMARY_HEAD[c], head.fontName, head.fontSize),
            max((stringWidth(r[c], ps.fontName, ps.fontSize) for r in rows), default=0.0),
        )
        + 2 * _PAD
        + 0.5
        for c in range(len(words.SUMMARY_HEAD))
    ]
    phase_min = ps.fontSize * 8
    widths[2] = width - sum(widths) + widths[2]
    if widths[2] < phase_min:
        give = min(phase_min - widths[2], widths[4] - ps.fontSize * 4)
        widths[4] -= give
        widths[2] += give
    return widths


def _table(k: Kit, weeks: Sequence[Week], width: float, compact: bool) -> BookletTable | None:
    """The week table at this width, or None when its columns cannot fit."""
    style = "CellSmall" if compact else "Cell"
    rows = [_cells(k, w, i == 0 or w.phase_name != weeks[i - 1].phase_name) for i, w in enumerate(weeks)]
    widths = _widths(k, rows, width, style)
    if widths[2] < k.s[style].fontSize * 5:
        return None
    ps = k.s[style]

    def text(value: str, bold: bool = False) -> Lines:  # plain lines: a long table at little cost
        font = k.s["CellBold"].fontName if bold else ps.fontName
        return k.lines([Line(value, font, ps.textColor)], style)

    body: list[list[Any]] = [[k.p(h, "CellHead") for h in words.SUMMARY_HEAD]]
    body += [[text(r[0], bold=not compact), *(text(v) for v in r[1:])] for r in rows]
    t = BookletTable(body, colWidths=widths, repeatRows=1)
    pad = 1.5 if compact else 3
    t.setStyle(
        grid_style(
            extra=[
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 1),
                ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
            ]
        )
    )
    return t


def _head(k: Kit) -> list[Flowable]:
    """Everything above the week table."""
    plan = k.plan
    story: list[Flowable] = [
        k.p(k.title, "H1"),
        HRFlowable(width="100%", thickness=1.2, color=k.brand.accent, spaceBefore=1, spaceAfter=5),
        k.styled(words.summary_line(plan, k.athlete), "Body"),
    ]
    clinic = words.clinic_line(given(k.options.clinic), given(k.options.contact))
    if clinic:
        story.append(k.p(clinic, "Body"))
    if plan.notes:
        story += [Spacer(1, 4), box(k.bullets(notes(plan), "BoxBullet"), k.width, st.AMBER, st.SHADE)]
    story += [
        k.p(words.PAIN_RULE, "H3"),
        pain_rule_table(k, k.width, compact=True),
        Spacer(1, 4),
        box([k.styled(words.get_help_line(plan), "Small")], k.width, st.RED, st.SHADE),
        Spacer(1, 3),
        k.styled(words.stop_at_once_line(plan), "Small"),
        k.p(words.WEEKS, "H3"),
    ]
    return story


def _weeks(k: Kit, columns: int) -> Flowable | None:
    """The week table, split side by side into `columns` tables; None when it cannot fit the width."""
    weeks = list(k.plan.weeks)
    compact = columns > 1 or k.s["Base"].fontSize < 9
    if columns == 1:
        return _table(k, weeks, k.width, compact)
    col_w = (k.width - _GAP * (columns - 1)) / columns
    per = -(-len(weeks) // columns)
    cells: list[Any] = []
    for c in range(columns):
        part = weeks[c * per : (c + 1) * per]
        table = _table(k, part, col_w, compact) if part else ""
        if table is None:
            return None
        cells += [table, ""]
    outer = BookletTable([cells[:-1]], colWidths=([col_w, _GAP] * columns)[:-1])
    outer.setStyle(layout_style(right=0))
    return outer


def _story(k: Kit, columns: int) -> list[Flowable] | None:
    table = _weeks(k, columns)
    if table is None:
        return None
    return [*_head(k), table, Spacer(1, 5), k.p(k.plan.guidance.disclaimer, "Small")]


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
    """The largest-type layout whose sheet fits one page (the smallest when none does)."""
    page = st.page_setup(options.paper)
    room = page.size[1] - page.top - page.bottom - 2 * _FRAME_PAD - _SLACK
    chosen: tuple[Kit, list[Flowable]] | None = None
    for size, columns in _LAYOUTS:
        k = Kit(plan, options, base_size=size)
        story = _story(k, columns)
        if story is None:
            continue
        chosen = (k, story)
        if _height(story, k.width - 2 * _FRAME_PAD) <= room:
            break
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
