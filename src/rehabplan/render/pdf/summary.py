"""The one-page summary sheet: the pain rule, the stops and every week in a table."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, LayoutError, Paragraph, SimpleDocTemplate, Spacer, Table

from ...planning.plan import Plan, Week
from ...planning.sessions import SessionKind
from ...wording import booklet as words
from ...wording import formats as fmt
from ..options import BookletOptions
from . import styles as st
from .document import footer_text, new_document
from .flowables import BOX, BookletTable, Kit, Line, Lines, grid_style, layout_style
from .sections import pain_rule_table


def _check_in_days(w: Week) -> str:
    return words.check_in_days(sorted({s.date for s in w.sessions if s.kind == SessionKind.CHECK_IN}))


class _TooNarrowError(Exception):
    """A summary layout whose columns cannot fit the page width."""


def _summary_table(k: Kit, weeks: Sequence[Week], width: float, compact: bool) -> BookletTable:
    cell = "CellSmall" if compact else "Cell"
    rows: list[list[Any]] = [[k.p(h, "CellHead") for h in words.SUMMARY_HEAD]]

    def text(value: str, style: str = cell) -> Lines:  # plain lines: a long table at little cost
        ps = k.s[style]
        return k.lines([Line(value, ps.fontName, ps.textColor)], style)

    for w in weeks:
        rows.append(
            [
                text(str(w.index), "CellBold" if not compact else "CellSmall"),
                text(fmt.span_days(w.start, w.end)),
                text(w.phase_name),
                text(words.summary_running(k.plan, w)),
                text(_check_in_days(w)),
                text(BOX),
            ]
        )
    fs = k.s[cell].fontSize
    fixed = [fs * 1.9 + 6, fs * 7.6 + 6, 0.0, fs * 6.6 + 6, fs * 6.2 + 6, fs * 1.2 + 6]
    fixed[2] = width - sum(fixed)
    if fixed[2] < fs * 6:
        raise _TooNarrowError
    t = BookletTable(rows, colWidths=fixed, repeatRows=1)
    pad = 1.5 if compact else 3
    t.setStyle(
        grid_style(
            extra=[
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


def _summary_story(k: Kit, columns: int) -> list[Flowable]:
    plan = k.plan
    compact = columns > 1 or k.s["Base"].fontSize < 9
    story: list[Flowable] = [
        k.p(k.title, "H1"),
        HRFlowable(width="100%", thickness=1.2, color=st.ACCENT, spaceBefore=1, spaceAfter=5),
        k.styled(words.summary_line(plan, k.athlete), "Body"),
        k.p(words.PAIN_RULE, "H3"),
        pain_rule_table(k, k.width, compact=True),
        Spacer(1, 4),
        k.styled(words.stop_at_once_line(plan), "Small"),
        k.p(words.WEEKS, "H3"),
    ]
    weeks = list(plan.weeks)
    if columns == 1:
        story.append(_summary_table(k, weeks, k.width, compact))
    else:
        gap = 5 * mm
        col_w = (k.width - gap * (columns - 1)) / columns
        per = -(-len(weeks) // columns)
        tables: list[Any] = []
        for c in range(columns):
            part = weeks[c * per : (c + 1) * per]
            tables += [_summary_table(k, part, col_w, compact) if part else "", ""]
        outer = BookletTable([tables[:-1]], colWidths=([col_w, gap] * columns)[:-1])
        outer.setStyle(layout_style(right=0))
        story.append(outer)
    story += [Spacer(1, 5), k.p(plan.guidance.disclaimer, "Small")]
    return story


# Layouts tried in order until the sheet fits one page: (base font size, columns).
_SUMMARY_LAYOUTS = (
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


class _OverflowError(Exception):
    """A summary layout that runs onto a second page."""


class _Sheet(SimpleDocTemplate):
    """The summary document; with one_page set, it stops as soon as a second page would begin
    (reportlab begins a page only when content is left for it, so a finished build is one page)."""

    one_page = False

    def handle_pageBegin(self) -> None:  # noqa: N802 - reportlab's hook name
        if self.one_page and self.page >= 1:
            raise _OverflowError
        super().handle_pageBegin()


def _surely_too_tall(k: Kit, columns: int) -> bool:
    """True when the layout cannot fit one page: its paragraphs and tables, with the least space
    the frame leaves between flowables, are taller than the frame."""
    pad = 6  # reportlab's Frame padding on each side, as SimpleDocTemplate makes its frame
    room = k.page.size[1] - k.page.top - k.page.bottom - 2 * pad
    aw = k.width - 2 * pad
    try:
        total = 0.0
        after = None
        for f in _summary_story(k, columns):
            if after is not None:
                total += max(after, f.getSpaceBefore())
            if isinstance(f, (Paragraph, Table, Spacer, HRFlowable)):
                total += f.wrap(aw, 1e9)[1]
            after = f.getSpaceAfter()
    except _TooNarrowError:
        return True  # the real build would stop at the same point
    return total > room + 1


def _summary_build(k: Kit, columns: int, one_page: bool) -> bytes | None:
    """The sheet in one layout; None when the layout does not fit (or, with one_page, needs a second page)."""
    buf = io.BytesIO()
    doc = new_document(buf, k, summary=True)
    sheet = _Sheet(
        buf,
        **{
            a: getattr(doc, a)
            for a in (
                "pagesize",
                "leftMargin",
                "rightMargin",
                "topMargin",
                "bottomMargin",
                "title",
                "author",
                "subject",
                "creator",
                "keywords",
                "invariant",
                "initialFontName",
                "initialFontSize",
                "initialLeading",
            )
        },
    )
    sheet.one_page = one_page
    footer = st.footer_callback(footer_text(k), k.page)
    try:
        sheet.build(_summary_story(k, columns), onFirstPage=footer, onLaterPages=footer)
    except (LayoutError, _TooNarrowError, _OverflowError):
        return None
    return buf.getvalue()


def to_summary_pdf(plan: Plan, options: BookletOptions) -> bytes:
    """A one-page sheet for the fridge: the pain rule and the week-by-week table.

    The first layout (in _SUMMARY_LAYOUTS order) that fits one page is used; when none does,
    the last layout that can be built at all.
    """
    for size, columns in _SUMMARY_LAYOUTS:
        k = Kit(plan, options, base_size=size)
        if _surely_too_tall(k, columns):
            continue
        data = _summary_build(k, columns, one_page=True)
        if data is not None:
            return data
    for size, columns in reversed(_SUMMARY_LAYOUTS):
        data = _summary_build(Kit(plan, options, base_size=size), columns, one_page=False)
        if data is not None:
            return data
    return b""
