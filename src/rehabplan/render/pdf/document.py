"""The PDF documents: metadata, the booklet's outline and section footers, the cover's contents."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from ...wording import booklet as words
from . import speedups
from . import styles as st
from .flowables import Kit, SectionHeading, clean, given

#: reportlab's Frame padding on each side, as SimpleDocTemplate makes its frame.
FRAME_PAD = 6.0
#: The state a canvas starts each page in (its text's font, size and leading).
CANVAS_START: dict[str, Any] = {"initialFontName": st.FONT, "initialFontSize": 10, "initialLeading": 13.8}


class BookletCanvas(Canvas):
    """A canvas that knows the booklet's sections and their pages, and, before it saves, lets the
    cover's contents (drawn as a form on page 1) fill in the page numbers. Given kept pages' font
    order (see pagecache), it names its fonts in that order before anything is drawn."""

    def __init__(self, *args: Any, prime: speedups.Prime | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.sections: list[tuple[str, int]] = []
        self.before_save: Callable[[BookletCanvas], None] | None = None
        if prime is not None:
            speedups.apply_prime(self, prime)

    def save(self) -> None:
        if self.before_save is not None:
            self.before_save(self)
        super().save()


class KeptPage(Flowable):
    """One kept page: it takes the whole frame and writes the page's content where it was drawn."""

    def __init__(self, code: list[str], sections: tuple[str, ...], section: str) -> None:
        super().__init__()
        self.code = code
        self.sections = sections  # sections whose heading is on this page, in order
        self.section = section  # the section the page's footer names

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return availWidth, availHeight

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803 - reportlab's names
        speedups.emit(canvas, self.code)


class Booklet(SimpleDocTemplate):
    """A document that bookmarks each section in the PDF outline and names the current section
    in the footer (drawn at the end of each page, when the page's last section is known)."""

    def __init__(self, *args: Any, footer_text: str, setup: st.PageSetup, footer_from: int, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._rp_footer_from = footer_from
        self._rp_footer = footer_text
        self._rp_setup = setup
        self._rp_section = ""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab's hook name
        if isinstance(flowable, SectionHeading):
            self._section_starts(flowable.section)
        elif isinstance(flowable, KeptPage):
            self._section_starts(*flowable.sections)
            self._rp_section = flowable.section

    def _section_starts(self, *titles: str) -> None:
        """Sections whose headings are on this page: named in the footer, bookmarked, outlined."""
        if not isinstance(self.canv, BookletCanvas):
            return
        for title in titles:
            self._rp_section = title
            self.canv.sections.append((title, self.canv.getPageNumber()))
            key = f"section-{len(self.canv.sections)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=0)

    def handle_pageEnd(self) -> None:  # noqa: N802 - reportlab's hook name
        if self.canv.getPageNumber() >= self._rp_footer_from:
            st.draw_footer(self.canv, self._rp_setup, self._rp_footer, self._rp_section)
        super().handle_pageEnd()


def footer_text(k: Kit) -> str:
    """What the footers print: the plan's title; with a clinic, the runner (or the condition) and the
    clinic with its contact, which must not be cut short."""
    clinic = ", ".join(x for x in (given(k.options.clinic), given(k.options.contact)) if x)
    if not clinic:
        return clean(k.title)
    return clean(f"{k.athlete or k.plan.info.name} · {clinic}")


def new_document(buf: io.BytesIO, k: Kit, summary: bool = False, footer_from: int = 2) -> SimpleDocTemplate:
    """The booklet's (or the summary's) document on the kit's paper, with its metadata; a booklet's
    footers start on page `footer_from` (after the cover)."""
    opt = k.options
    author = next((name for name in (given(opt.clinic), given(opt.coach)) if name), "rehabplan")
    kw: dict[str, Any] = {}
    cls: type[SimpleDocTemplate] = SimpleDocTemplate
    if not summary:
        cls = Booklet
        kw = {"footer_text": footer_text(k), "setup": k.page, "footer_from": footer_from}
    return cls(
        buf,
        pagesize=k.page.size,
        leftMargin=k.page.left,
        rightMargin=k.page.right,
        topMargin=k.page.top,
        bottomMargin=k.page.bottom,
        title=clean(k.title),
        author=author,
        subject=clean(words.subject(k.plan, k.athlete, summary=summary)),
        creator="rehabplan",
        keywords=[*words.KEYWORDS, k.plan.condition],
        invariant=True,
        **CANVAS_START,
        **kw,
    )
