"""The booklet's cover: logo, title, athlete, key facts, a contents list and the safety pointer."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, TableStyle

from ...wording import booklet as words
from . import styles as st
from .document import BookletCanvas
from .flowables import BookletTable, Filler, Kit, box, clean, given, logo_image


class Contents(Flowable):
    """The cover's list of sections with their page numbers.

    Page numbers are known only when the booklet is finished, so the list is a PDF form that the
    cover uses here and the canvas defines just before it saves. When the cover has no room for
    it (a tall logo, a long title), it takes no room and is left out.
    """

    _FORM = "rp_contents"
    _COLUMNS = 3
    _ROW = 12.5
    _GUTTER = 6 * mm

    def __init__(self, reserve: Flowable, gap: float) -> None:
        super().__init__()
        self._reserve = reserve
        self._gap = gap  # room kept free below the list, above the reserved flowable
        self.rows = -(-len(words.SECTIONS) // self._COLUMNS)
        self.full_height = 14 + self.rows * self._ROW
        self.shown = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        below = self._reserve.wrap(availWidth, availHeight)[1] + self._gap
        self.shown = availHeight - below >= self.full_height + 2
        self.width = availWidth
        self.height = self.full_height if self.shown else 0.0
        return self.width, self.height

    def draw(self) -> None:
        if self.shown and isinstance(self.canv, BookletCanvas):
            self.canv.doForm(self._FORM)
            self.canv.before_save = self._define_form

    def _define_form(self, canvas: BookletCanvas) -> None:
        """Define the form: a heading, then the sections in columns, each with its page."""
        canvas.beginForm(self._FORM, 0, 0, self.width, self.height)
        canvas.setFont(st.FONT_SEMIBOLD, 9)
        canvas.setFillColor(st.MUTED)
        canvas.drawString(0, self.height - 9, words.CONTENTS)
        col_w = (self.width - self._GUTTER * (self._COLUMNS - 1)) / self._COLUMNS
        canvas.setStrokeColor(st.GRID)
        canvas.setLineWidth(0.4)
        for i, (title, page) in enumerate(canvas.sections):
            col, row = divmod(i, self.rows)
            x = col * (col_w + self._GUTTER)
            y = self.height - 14 - (row + 1) * self._ROW
            canvas.line(x, y, x + col_w, y)
            canvas.setFillColor(st.INK)
            canvas.setFont(st.FONT, 9)
            canvas.drawString(x, y + 3.5, st.fit_text(title, st.FONT, 9, col_w - 20))
            canvas.setFillColor(st.MUTED)
            canvas.drawRightString(x + col_w, y + 3.5, str(page))
        canvas.endForm()


def cover(k: Kit) -> list[Flowable]:
    """The cover page's flowables."""
    plan, opt = k.plan, k.options
    out: list[Flowable] = [Spacer(1, 12 * mm)]
    img = logo_image(opt.logo, 70 * mm, 28 * mm) if opt.logo else None
    if img is not None:
        out += [img, Spacer(1, 10 * mm)]
    elif not opt.logo:
        out.append(Spacer(1, 20 * mm))
    out.append(k.p(words.COVER_KICKER, "CoverKicker"))
    out.append(k.p(k.title, "CoverTitle" if len(clean(k.title)) <= 90 else "CoverTitleLong"))
    out.append(Spacer(1, 14 * mm))
    if k.athlete:
        out.append(k.p(words.PREPARED_FOR, "CoverLabel"))
        out.append(k.p(k.athlete, "CoverName" if len(k.athlete) <= 60 else "CoverValue"))
        out.append(Spacer(1, 8 * mm))
    facts = words.cover_facts(plan, given(opt.coach), given(opt.clinic), given(opt.contact))
    rows = [[k.p(label, "CoverLabel"), k.p(value, "CoverValue")] for label, value in facts]
    t = BookletTable(rows, colWidths=[30 * mm, k.width - 30 * mm], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, st.GRID),
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, st.GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    out.append(t)
    warn = [k.styled(((words.READ_FIRST, "b"),), "BodyTight"), k.p(plan.guidance.disclaimer, "Small")]
    panel = box(warn, k.width, st.ALERT, st.SHADE)
    gap = 6 * mm  # kept free above the panel; the contents leave it out of the room they ask for
    out += [Spacer(1, 5 * mm), Contents(panel, gap=gap), Spacer(1, gap), Filler(panel), panel]
    return out


def cover_page(setup: st.PageSetup, accent: Color) -> Any:
    """The onPage callback of the cover: an accent band at the top and a thin one at the foot."""

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        w, h = setup.size
        canvas.setFillColor(accent)
        canvas.rect(0, h - 9 * mm, w, 9 * mm, stroke=0, fill=1)
        canvas.rect(0, 0, w, 4 * mm, stroke=0, fill=1)
        canvas.restoreState()

    return draw
