"""The plan as a printable PDF booklet and a one-page summary sheet (reportlab Platypus).

Every clinical word printed here comes from the Plan; this module only adds headings, labels
and layout. All data text is cleaned of control characters and XML-escaped before it goes into
a Paragraph.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.styles import StyleSheet1
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    LayoutError,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText

from .. import wording
from ..catalog.models import RedFlagTier, Running
from ..planning.plan import Plan, Week
from ..planning.sessions import (
    CheckInSession,
    CheckKind,
    RunSession,
    Session,
    SessionKind,
    StrengthSession,
    WalkRunSession,
)
from ..wording import formats as fmt
from . import styles as st
from .figures import knee_diagram, pose_drawing
from .options import BookletOptions

__all__ = ["SECTION_HEADINGS", "to_pdf", "to_summary_pdf", "unsupported_chars"]

SECTION_HEADINGS = (
    "Stop and get help",
    "Your condition",
    "The plan at a glance",
    "How to use the plan",
    "Week by week",
    "Your exercises",
    "Ice and heat, safely",
    "Training mistakes to avoid",
    "Recovery basics",
    "Pain and training log",
    "Medicines: a caution",
    "Sources",
    "About this plan",
)

_DAYS = fmt.DAYS
_BOX = "☐"
_TICK = "✓"
_STRIPPED = {"Cc", "Cs", "Co", "Cn"}
_RUNNING_LABEL = {
    Running.NONE: "No running",
    Running.LADDER: "Walk/run ladder",
    Running.RAMP: "Building up",
    Running.HOLD: "Holding steady",
}


# --------------------------------------------------------------------------- text helpers


def escape(data: str) -> str:
    """'&', '<' and '>' as XML entities: xml.sax.saxutils.escape without its costly imports
    (it loads urllib, http and ssl, which nothing else here needs)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _clean(text: object) -> str:
    """Drop characters that must never reach the PDF (controls, surrogates, unassigned)."""
    text = str(text)
    if text.isprintable():
        return text
    charmap = st.font_charmap()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat in ("Zl", "Zp"):
            out.append(" ")
            continue
        if cat in _STRIPPED:
            continue
        if cat == "Cf" and ord(ch) not in charmap:
            continue  # invisible format characters the font lacks (zero-width, bidi marks)
        out.append(ch)
    return "".join(out)


def _esc(text: object) -> str:
    """Cleaned, XML-escaped text, safe inside Paragraph markup."""
    return escape(_clean(text))


def unsupported_chars(text: str) -> set[str]:
    """Characters in text that the booklet font cannot draw (they print as a box).

    Whitespace and control characters are not reported: the renderer removes them.
    """
    charmap = st.font_charmap()
    missing = set()
    for ch in set(text):
        if ch.isspace() or unicodedata.category(ch) in _STRIPPED:
            continue
        if ord(ch) not in charmap:
            if unicodedata.category(ch) == "Cf":
                continue
            missing.add(ch)
    return missing


def _embedded(d: Drawing) -> Drawing:
    """Make a drawing start in the booklet font, so no unembedded standard font is referenced."""
    d.initialFontName = st.FONT  # type: ignore[attr-defined]
    d.initialFontSize = 8  # type: ignore[attr-defined]
    return d


class _PathLog:
    """Keeps the calls made on a canvas path while a drawing is recorded."""

    def __init__(self) -> None:
        self.ops: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *a, **kw: self.ops.append((name, a, kw))


class _CanvasLog:
    """Stands in for a canvas while reportlab's renderer draws a Drawing, and keeps every call."""

    def __init__(self) -> None:
        self.__dict__.update(calls=[], _fontname=st.FONT, _fontsize=8)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*a: Any, **kw: Any) -> Any:
            if name == "beginPath":
                return _PathLog()
            if name == "setFont":
                self.__dict__.update(_fontname=a[0], _fontsize=a[1])
            self.calls.append((name, a, kw))
            return None

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_fillMode":  # the renderer sets the fill rule as an attribute
            self.calls.append(("=_fillMode", (value,), {}))
        self.__dict__[name] = value


class _Figure(Flowable):
    """A drawing whose canvas calls are recorded the first time it is drawn and replayed after.

    The replayed calls are the ones reportlab's renderer would make, in the same order, so the
    page is the same; a figure shared by many booklets (an exercise, a knee) is walked once.
    """

    def __init__(self, drawing: Drawing) -> None:
        super().__init__()
        self.drawing = _embedded(drawing)
        self._calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = self.drawing.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        if self._calls is None:
            from reportlab.graphics import renderPDF

            log = _CanvasLog()
            renderPDF.draw(self.drawing, log, 0, 0)
            self._calls = log.calls
        canvas = self.canv
        for name, args, kw in self._calls:
            if name == "=_fillMode":
                canvas._fillMode = args[0]
                continue
            if args and isinstance(args[0], _PathLog):
                path = canvas.beginPath()
                for op, pa, pkw in args[0].ops:
                    getattr(path, op)(*pa, **pkw)
                args = (path, *args[1:])
            getattr(canvas, name)(*args, **kw)


@contextlib.contextmanager
def _unchecked_shapes() -> Iterator[None]:
    """Build drawings without reportlab's check of every shape attribute (a development aid that
    doubles the cost; the figure tests build the same drawings with it on)."""
    from reportlab import rl_config

    before = rl_config.shapeChecking
    rl_config.shapeChecking = 0
    try:
        yield
    finally:
        rl_config.shapeChecking = before


@functools.lru_cache(maxsize=256)
def _pose_figure(pose: Any, width: float, height: float) -> _Figure:
    with _unchecked_shapes():
        return _Figure(pose_drawing(pose, width, height, font=st.FONT))


@functools.lru_cache(maxsize=64)
def _knee_figure(region: Any, width: float, height: float) -> _Figure:
    with _unchecked_shapes():
        return _Figure(knee_diagram(region, width, height, font=st.FONT))


_date = fmt.date
_date_short = fmt.date_short
_span = fmt.span
_span_short = fmt.span_short
_dist = fmt.distance
_num = fmt.number


# Parsed fragments by (markup, style, bullet): the booklet repeats many identical texts (day
# names, doses, tick boxes), and parsing markup is a large part of the cost of a Paragraph.
_PARSED: dict[tuple[str, Any, object], tuple[Any, ...]] = {}
_PARSED_MAX = 20000
# Line breaking of one-line paragraphs by (parse key, width), and the attributes wrap() sets.
_WRAPPED: dict[tuple[Any, float], dict[str, Any]] = {}
_WRAP_ATTRS = (
    "width",
    "height",
    "_wrapWidths",
    "blPara",
    "frags",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)


_PLAIN_FRAG: dict[Any, Any] = {}


def _plain_frag(style: Any) -> Any:
    """The fragment reportlab's parser makes for unmarked text in this style (text aside)."""
    frag = _PLAIN_FRAG.get(style)
    if frag is None:
        frag = _PLAIN_FRAG[style] = Paragraph("x", style).frags[0]
    return frag


class _Para(Paragraph):
    """A Paragraph that parses each distinct (text, style) once per process and remembers its
    last line breaking, so the repeated wraps that tables and KeepTogether ask for are free.

    Parsed fragments are shared read-only: reportlab's line breaking clones fragments before it
    changes them and keeps its word list on the instance.
    """

    def __init__(self, text: Any, style: Any, bulletText: Any = None, frags: Any = None, **kw: Any) -> None:  # noqa: N803
        self._rp_wrapped: tuple[float, float, float] | None = None
        self._rp_key: tuple[str, Any, object] | None = None
        if frags is not None or kw or not isinstance(text, str):  # reportlab's own split() path
            super().__init__(text, style, bulletText, frags=frags, **kw)
            return
        bullet = bulletText or getattr(style, "bulletText", None)
        key = (text, style, bullet)  # styles hash by identity and stay alive as part of the key
        self._rp_key = key
        hit = _PARSED.get(key)
        if hit is None:
            clean = cleanBlockQuotedText(text) if "<" not in text and "&" not in text else ""
            if clean and not getattr(style, "textTransform", None):
                # Plain text parses to one fragment in the style's font: build it directly.
                frag = _plain_frag(style).clone()
                frag.text = clean
                frag.link = []
                frag.us_lines = []
                super().__init__(text, style, bulletText, frags=[frag])
                self.text = clean
            else:
                super().__init__(text, style, bulletText)
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[key] = (style, list(self.frags), self.bulletText, self.style, self.text)
        else:
            _, frags, bullet_out, parsed_style, clean_text = hit
            self.caseSensitive = 1
            self.encoding = "utf8"
            self.text = clean_text
            self.frags = list(frags)
            self.style = parsed_style
            self.bulletText = bullet_out
            self.debug = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        memo = self._rp_wrapped
        if memo is not None and memo[0] == availWidth and "blPara" in self.__dict__:  # split() may drop it
            return memo[1], memo[2]
        key = self._rp_key
        shared = _WRAPPED.get((key, availWidth)) if key is not None else None
        if shared is not None:
            self.__dict__.update(shared)
            w, h = self.width, self.height
        else:
            w, h = super().wrap(availWidth, availHeight)
            # A one-line paragraph never splits, so its line breaking can be shared read-only
            # by every paragraph with the same text, style and width.
            if key is not None and availWidth >= 1e-8 and len(self.blPara.lines) <= 1:
                if len(_WRAPPED) >= _PARSED_MAX:
                    _WRAPPED.clear()
                _WRAPPED[(key, availWidth)] = {a: self.__dict__[a] for a in _WRAP_ATTRS if a in self.__dict__}
        if availWidth >= 1e-8:
            self._rp_wrapped = (availWidth, w, h)
        return w, h


class _Kit:
    """What every section builder needs: styles, page geometry and the plan's unit."""

    def __init__(self, plan: Plan, options: BookletOptions, base_size: float = 10) -> None:
        self.plan = plan
        self.options = options
        self.s: StyleSheet1 = st.shared_styles(base_size)
        self.page = st.page_setup(options.paper)
        self.width = self.page.frame_width
        self.unit = plan.unit.value

    @functools.cached_property
    def title(self) -> str:
        return wording.title(self.plan)

    def words(self, s: Session) -> wording.Worded:
        """A session's words, worked out once per booklet."""
        cache = self.__dict__.setdefault("_words", {})
        key = id(s)
        if key not in cache:
            cache[key] = (s, wording.word(self.plan, s))
        return cache[key][1]

    def p(self, text: object, style: str = "Body") -> Paragraph:
        return _Para(_esc(text), self.s[style])

    def m(self, markup: str, style: str = "Body") -> Paragraph:
        """A paragraph from markup the caller has already escaped."""
        return _Para(markup, self.s[style])

    def bullets(self, items: Iterable[object], style: str = "Bullet", bullet: str = "•") -> list[Flowable]:
        return [_Para(_esc(x), self.s[style], bulletText=bullet) for x in items]

    def section(self, title: str, new_page: bool = True) -> list[Flowable]:
        rule = HRFlowable(width="100%", thickness=1.2, color=st.ACCENT, spaceBefore=1, spaceAfter=10)
        head: list[Flowable] = [PageBreak()] if new_page else [CondPageBreak(60 * mm), Spacer(1, 8)]
        heading = self.m(escape(title), "H1")
        heading._rp_section = title  # type: ignore[attr-defined]  # picked up by _Booklet.afterFlowable
        return [*head, heading, rule]


class _Table(Table):
    """A Table whose plain-string cells use the booklet font (reportlab's default is Helvetica)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        self._rp_calc: tuple[float, float] | None = None
        super().__init__(*args, **kw)
        self.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.FONT)]))

    def setStyle(self, tblstyle: Any) -> None:  # noqa: N802 - reportlab's name
        self._rp_calc = None
        super().setStyle(tblstyle)

    def _calc(self, availWidth: float, availHeight: float) -> None:  # noqa: N803
        """Lay out rows and columns, unless the last layout already holds for this size.

        KeepTogether, the frame and split() each ask a table for its size, often with the same
        room; the cells' wraps do not depend on the room (column widths are fixed), so the last
        result stands when the width is the same and either the height is too or the last
        layout measured every row in less room (reportlab stops measuring rows only when they
        overflow the room).
        """
        last = self._rp_calc
        if last is not None and last[0] == availWidth:
            if last[1] == availHeight:
                return
            if availHeight >= last[1] and self._hmax == len(self._argH):
                return
        super()._calc(availWidth, availHeight)
        self._rp_calc = (availWidth, availHeight)


def _grid_style(header: bool = True, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, st.GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        cmds += [("BACKGROUND", (0, 0), (-1, 0), st.SHADE_DARK), ("LINEBELOW", (0, 0), (-1, 0), 0.8, st.RULE)]
    cmds += list(extra)
    return TableStyle(cmds)


def _layout_style(
    left: float = 0, right: float | None = None, top: float | None = None, bottom: float | None = None
) -> TableStyle:
    """A borderless layout table: cells aligned to the top, with the given paddings."""
    cmds: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), left)]
    for name, value in (("RIGHTPADDING", right), ("TOPPADDING", top), ("BOTTOMPADDING", bottom)):
        if value is not None:
            cmds.append((name, (0, 0), (-1, -1), value))
    return TableStyle(cmds)


def _box(content: list[Flowable], width: float, bar: Any, fill: Any, bar_width: float = 3.5) -> Table:
    """Content in a shaded panel with a strong bar down its left side."""
    t = _Table([[content]], colWidths=[width])
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("LINEBEFORE", (0, 0), (0, -1), bar_width, bar),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return t


# --------------------------------------------------------------------------- cover


def _logo(data: bytes, max_w: float, max_h: float) -> Image | None:
    try:
        reader = ImageReader(io.BytesIO(data))
        iw, ih = reader.getSize()
    except Exception:
        return None
    if iw <= 0 or ih <= 0:
        return None
    scale = min(max_w / iw, max_h / ih)
    img = Image(io.BytesIO(data), width=iw * scale, height=ih * scale)
    img.hAlign = "LEFT"
    return img


class _Filler(Flowable):
    """Takes up the rest of the frame but the last flowable's height: pins that one to the page foot.

    It never asks for more room than is left, so it cannot push anything onto a new page.
    """

    def __init__(self, reserve: Flowable | None = None) -> None:
        super().__init__()
        self._reserve = reserve

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        need = self._reserve.wrap(aw, ah)[1] if self._reserve is not None else 0.0
        self.height = max(ah - need - 2, 0.0)
        return aw, self.height

    def draw(self) -> None:
        return None


class _Contents(Flowable):
    """The cover's list of sections with their page numbers.

    Page numbers are known only when the booklet is finished, so the list is a PDF form that the
    cover uses here and the document draws at the end (_Booklet._endBuild). When the cover has no
    room for it (a tall logo, a long title), it takes no room and is left out.
    """

    _FORM = "rp_contents"
    _COLUMNS = 3
    _ROW = 12.5
    _GUTTER = 6 * mm

    def __init__(self, reserve: Flowable, gap: float) -> None:
        super().__init__()
        self._reserve = reserve
        self._gap = gap  # room kept free below the list, above the reserved flowable
        self.rows = -(-len(SECTION_HEADINGS) // self._COLUMNS)
        self.full_height = 14 + self.rows * self._ROW
        self.shown = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        below = self._reserve.wrap(availWidth, availHeight)[1] + self._gap
        self.shown = availHeight - below >= self.full_height + 2
        self.width = availWidth
        self.height = self.full_height if self.shown else 0.0
        return self.width, self.height

    def draw(self) -> None:
        if self.shown:
            self.canv.doForm(self._FORM)
            self.canv._rp_contents = self  # type: ignore[attr-defined]  # picked up by _Booklet._endBuild

    def draw_form(self, canvas: Any, pages: Sequence[tuple[str, int]]) -> None:
        """Define the form: a heading, then the sections in columns, each with its page."""
        canvas.beginForm(self._FORM, 0, 0, self.width, self.height)
        canvas.setFont(st.FONT_SEMIBOLD, 8.5)
        canvas.setFillColor(st.MUTED)
        canvas.drawString(0, self.height - 9, "INSIDE THIS BOOKLET")
        col_w = (self.width - self._GUTTER * (self._COLUMNS - 1)) / self._COLUMNS
        canvas.setStrokeColor(st.GRID)
        canvas.setLineWidth(0.4)
        for i, (title, page) in enumerate(pages):
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


def _cover(k: _Kit) -> list[Flowable]:
    plan, opt = k.plan, k.options
    out: list[Flowable] = [Spacer(1, 12 * mm)]
    if opt.logo:
        img = _logo(opt.logo, 70 * mm, 28 * mm)
        if img is not None:
            out += [img, Spacer(1, 10 * mm)]
    else:
        out.append(Spacer(1, 20 * mm))
    out.append(k.m("KNEE REHABILITATION PROGRAMME", "CoverKicker"))
    out.append(k.p(k.title, "CoverTitle" if len(_clean(k.title)) <= 90 else "CoverTitleLong"))
    if _clean(plan.info.name).casefold() not in _clean(k.title).casefold():
        out.append(k.p(plan.info.name, "CoverSub"))
    out.append(Spacer(1, 14 * mm))
    if plan.athlete and _clean(plan.athlete).strip():
        out.append(k.m("PREPARED FOR", "CoverLabel"))
        out.append(k.p(plan.athlete, "CoverName" if len(_clean(plan.athlete)) <= 60 else "CoverValue"))
        out.append(Spacer(1, 8 * mm))

    n_weeks = len(plan.weeks)
    facts = [
        ("Starts", _date(plan.start)),
        ("Ends", _date(plan.end)),
        ("Length", f"{n_weeks} week{'s' if n_weeks != 1 else ''}"),
        ("Goal", f"back to {_dist(plan.target_weekly_distance, k.unit)} a week"),
    ]
    for label, value in (("Coach", opt.coach), ("Clinic", opt.clinic), ("Contact", opt.contact)):
        if value and _clean(value).strip():
            facts.append((label, value))
    rows = [[k.m(escape(a.upper()), "CoverLabel"), k.p(b, "CoverValue")] for a, b in facts]
    t = _Table(rows, colWidths=[30 * mm, k.width - 30 * mm], hAlign="LEFT")
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
    warn = [
        k.m("<b>Read “Stop and get help” on the next page first.</b>", "BodyTight"),
        k.p(plan.guidance.disclaimer, "Small"),
    ]
    box = _box(warn, k.width, st.ALERT, st.SHADE)
    gap = 6 * mm  # kept free above the box; the contents leave it out of the room they ask for
    out += [Spacer(1, 5 * mm), _Contents(box, gap=gap), Spacer(1, gap), _Filler(box), box]
    return out


def _cover_page(setup: st.PageSetup) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        w, h = setup.size
        canvas.setFillColor(st.ACCENT)
        canvas.rect(0, h - 9 * mm, w, 9 * mm, stroke=0, fill=1)
        canvas.rect(0, 0, w, 4 * mm, stroke=0, fill=1)
        canvas.restoreState()

    return draw


# --------------------------------------------------------------------------- safety


def _tier_box(k: _Kit, tier: RedFlagTier, bar: Any, fill: Any) -> Table:
    content: list[Flowable] = [
        k.p(tier.heading, "AlertHead"),
        k.m(f"<b>{_esc(tier.action)}</b>", "BodyTight"),
        Spacer(1, 2),
        *k.bullets(tier.items, "BoxBullet"),
    ]
    return _box(content, k.width, bar, fill)


def _no_improvement_date(plan: Plan) -> dt.date | None:
    for w in plan.weeks:
        for s in w.sessions:
            if isinstance(s, CheckInSession) and s.check == CheckKind.NO_IMPROVEMENT:
                return s.date
    return None


def _stop(k: _Kit) -> list[Flowable]:
    plan, g = k.plan, k.plan.guidance
    out = k.section(SECTION_HEADINGS[0])
    out.append(k.p("Check this page before you start and whenever something changes.", "Body"))
    look = {"A": (st.ALERT, st.ALERT_LIGHT), "B": (st.AMBER, st.SHADE), "C": (st.MUTED, st.SHADE)}
    for tier in sorted(g.red_flags, key=lambda t: t.tier):
        bar, fill = look.get(tier.tier, (st.MUTED, st.SHADE))
        out += [_tier_box(k, tier, bar, fill), Spacer(1, 6)]
    left: list[Flowable] = []
    if plan.info.red_flags:
        left.append(k.p(f"Also watch for, with {plan.info.name}", "H3"))
        left += k.bullets(plan.info.red_flags, "BoxBullet")
    right: list[Flowable] = []
    if plan.info.referrals:
        right.append(k.p("When to see a professional", "H3"))
        right += k.bullets(plan.info.referrals, "BoxBullet")
    right.append(k.p("If it is not getting better", "H3"))
    body: list[Flowable] = [k.p(g.no_improvement, "BodyTight")]
    when = _no_improvement_date(plan)
    if when is not None:
        body.append(Spacer(1, 3))
        body.append(k.m(f"<b>Your check-in date: {escape(_date(when))}</b>", "BodyTight"))
    half = (k.width - 6 * mm) / 2
    right.append(_box(body, half, st.ACCENT, st.ACCENT_LIGHT))
    if left:
        t = _Table([[left, "", right]], colWidths=[half, 6 * mm, half])
        t.setStyle(_layout_style(right=0, top=0))
        out.append(t)
    else:
        out += right
    return out


# --------------------------------------------------------------------------- condition


def _condition(k: _Kit) -> list[Flowable]:
    info = k.plan.info
    out = k.section(SECTION_HEADINGS[1])
    out.append(k.p(info.name, "H2"))
    dw = 78 * mm
    drawing = _knee_figure(info.knee_region, dw, 62 * mm)
    right = [k.p("Where it hurts", "H3"), k.p(info.where_it_hurts)]
    t = _Table([[drawing, right]], colWidths=[dw + 6 * mm, k.width - dw - 6 * mm])
    t.setStyle(_layout_style())
    out.append(t)
    out.append(k.p("What causes it", "H2"))
    out += k.bullets(info.causes)
    out.append(k.p("How the plan fixes it", "H2"))
    out.append(k.p(info.how_the_plan_helps))
    if info.cautions:
        out.append(k.p("Take care", "H2"))
        out += k.bullets(info.cautions)
    if info.running_modifications:
        out.append(k.p("Running, changed for now", "H2"))
        out += k.bullets(info.running_modifications)
    return out


# --------------------------------------------------------------------------- plan at a glance


def _phase_fill(i: int) -> Any:
    return st.PHASE_FILLS[i % len(st.PHASE_FILLS)]


def _chart_text(
    x: float, y: float, text: str, size: float = 7.5, anchor: str = "start", font: str = st.FONT, colour: Any = st.MUTED
) -> String:
    """A label in a chart: small and muted unless told otherwise."""
    return String(x, y, text, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def _timeline(k: _Kit) -> Drawing:
    plan = k.plan
    width, height = k.width, 56.0
    d = _embedded(Drawing(width, height))
    total = max((plan.end - plan.start).days + 1, 1)
    bar_y, bar_h = 24.0, 22.0
    for i, ph in enumerate(plan.phases):
        x0 = width * max((ph.start - plan.start).days, 0) / total
        x1 = width * min((ph.end - plan.start).days + 1, total) / total
        w = max(x1 - x0, 0.5)
        d.add(Rect(x0, bar_y, w, bar_h, fillColor=_phase_fill(i), strokeColor=st.WHITE, strokeWidth=1.2))
        label = f"{i + 1} {_clean(ph.name)}"
        if stringWidth(label, st.FONT_SEMIBOLD, 8.5) > w - 6:
            label = st.fit_text(str(i + 1), st.FONT_SEMIBOLD, 8.5, w - 1)
        wide = len(label) > 2
        d.add(
            _chart_text(
                x0 + 3 if wide else x0 + w / 2,
                bar_y + 8,
                label,
                8.5,
                "start" if wide else "middle",
                st.FONT_SEMIBOLD,
                st.INK,
            )
        )
        d.add(Line(x0, bar_y - 2, x0, bar_y - 7, strokeColor=st.RULE, strokeWidth=0.6))
    # week ticks: start date at the left end, end date at the right end, and phase starts
    d.add(Line(width, bar_y - 2, width, bar_y - 7, strokeColor=st.RULE, strokeWidth=0.6))
    d.add(_chart_text(0, bar_y - 16, _date_short(plan.start)))
    d.add(_chart_text(width, bar_y - 16, _date_short(plan.end), anchor="end"))
    return d


def _nice_step(top: float) -> float:
    raw = top / 5
    mag = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    while mag > raw:
        mag /= 10
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def _volume_chart(k: _Kit) -> Drawing:
    plan = k.plan
    weeks = plan.weeks
    width, height = k.width, 138.0
    left, bottom, top_pad = 34.0, 22.0, 14.0
    d = _embedded(Drawing(width, height))
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
        d.add(_chart_text(left - 4, yy - 2.5, _num(round(y, 2)), 7, "end"))
        y += step
    d.add(_chart_text(2, bottom + plot_h + 5, k.unit, font=st.FONT_SEMIBOLD))
    every = 1 if n <= 26 else 2 if n <= 52 else 4
    for i, w in enumerate(weeks):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * w.run_distance / ymax
        if h > 0:
            fill = _phase_fill(phase_index.get(w.phase, 0))
            d.add(Rect(x, bottom, bar_w, h, fillColor=fill, strokeColor=st.INK, strokeWidth=0.5))
        if i % every == 0:
            d.add(_chart_text(x + bar_w / 2, bottom - 10, str(w.index), 7, "middle"))
    target_y = bottom + plot_h * plan.target_weekly_distance / ymax
    d.add(Line(left, target_y, left + plot_w, target_y, strokeColor=st.ACCENT, strokeWidth=1, strokeDashArray=[4, 2]))
    label = f"Your usual week: {_dist(plan.target_weekly_distance, k.unit)}"
    d.add(_chart_text(left + 3, target_y + 3, label, font=st.FONT_SEMIBOLD, colour=st.ACCENT))
    d.add(_chart_text(left + plot_w / 2, 1, "Week", anchor="middle"))
    return d


def _glance(k: _Kit) -> list[Flowable]:
    plan = k.plan
    out = k.section(SECTION_HEADINGS[2])
    n = len(plan.weeks)
    out.append(
        k.m(
            f"<b>{n} weeks</b>, {escape(_span(plan.start, plan.end))}. Goal: back to "
            f"<b>{escape(_dist(plan.target_weekly_distance, k.unit))}</b> a week over {plan.run_days} run days.",
            "Lead",
        )
    )
    if plan.notes:
        out.append(_box(k.bullets(wording.notes(plan), "BoxBullet"), k.width, st.AMBER, st.SHADE))
        out.append(Spacer(1, 6))
    out += [k.p("Phases", "H3"), _timeline(k), Spacer(1, 4)]
    head = ["", "Phase", "Dates", "Running", "Goals", "Move on when"]
    rows: list[list[Any]] = [[k.p(h, "CellHead") for h in head]]
    for i, ph in enumerate(plan.phases):
        goals = k.bullets(ph.goals, "CellBullet")
        if ph.cross_training:
            goals.append(k.m(f"<i>Cross-training:</i> {_esc(ph.cross_training)}", "CellSmall"))
        exits = k.bullets(ph.exit_criteria, "CellBullet", _BOX)
        rows.append(
            [
                k.p(str(i + 1), "CellBold"),
                k.p(ph.name, "CellBold"),
                k.p(f"{_date_short(ph.start)} – {_date_short(ph.end)}", "CellSmall"),
                k.p(_RUNNING_LABEL.get(ph.running, ph.running.value), "CellSmall"),
                goals,
                exits,
            ]
        )
    w = k.width
    cols = [7 * mm, 26 * mm, 22 * mm, 22 * mm]
    rest = w - sum(cols)
    t = _Table(rows, colWidths=[*cols, rest * 0.5, rest * 0.5], repeatRows=1)
    t.setStyle(
        _grid_style(extra=[("BACKGROUND", (0, i + 1), (0, i + 1), _phase_fill(i)) for i in range(len(plan.phases))])
    )
    out.append(t)
    chart = [
        k.p(f"Weekly running distance ({k.unit})", "H3"),
        _volume_chart(k),
        k.p("Bars are shaded by phase; the dashed line is your usual weekly distance.", "Small"),
    ]
    out.append(KeepTogether(chart))
    return out


# --------------------------------------------------------------------------- how to use


def _pain_range(lo: int, hi: int) -> str:
    if lo > hi:
        return ""
    return f"pain {lo} of 10" if lo == hi else f"pain {lo}–{hi} of 10"


def _pain_rule_table(k: _Kit, width: float, compact: bool = False) -> Table:
    pr = k.plan.guidance.pain_rule
    spec = [
        ("GREEN", "carry on", _pain_range(0, pr.green_max), pr.green, st.GREEN),
        ("AMBER", "hold", _pain_range(pr.green_max + 1, pr.amber_max), pr.amber, st.AMBER),
        ("RED", "step back", _pain_range(pr.amber_max + 1, 10), pr.red, st.RED),
    ]
    cell = "CellSmall" if compact else "Cell"
    rows = []
    for word, verb, rng, text, _colour in spec:
        label = [k.m(f"{word}: {verb}", "CellWhite")]
        if rng:
            label.append(k.m(escape(rng), "CellWhite"))
        rows.append([label, k.p(text, cell)])
    lw = 30 * mm
    t = _Table(rows, colWidths=[lw, width - lw])
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, st.GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 3 if compact else 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4 if compact else 6),
    ]
    for i, (*_, colour) in enumerate(spec):
        cmds.append(("BACKGROUND", (0, i), (0, i), colour))
    t.setStyle(TableStyle(cmds))
    return t


def _how_to_use(k: _Kit) -> list[Flowable]:
    g = k.plan.guidance
    out = k.section(SECTION_HEADINGS[3])
    out.append(k.p("Pain decides: the traffic-light rule", "H2"))
    out.append(k.p("Score your knee pain from 0 (no pain) to 10 (the worst pain you can imagine).", "Body"))
    out.append(_pain_rule_table(k, k.width))
    out.append(k.p("Stop at once if", "H2"))
    out += k.bullets(g.absolute_stops)
    out.append(k.p("How the plan builds up", "H2"))
    out += k.bullets(g.ramp_rules)
    out.append(k.p(g.ramp_convention, "Note"))
    if g.readiness_tests:
        out.append(CondPageBreak(70 * mm))
        out.append(k.p("Ready to run? The self-tests", "H2"))
        if g.readiness_note:
            out.append(k.p(g.readiness_note))
        rows: list[list[Any]] = [[k.p("Test", "CellHead"), k.p("You pass when", "CellHead"), k.p("Passed", "CellHead")]]
        for rt in g.readiness_tests:
            rows.append([k.p(rt.name, "CellBold"), k.p(rt.standard, "Cell"), k.p(_BOX, "CellCenter")])
        t = _Table(rows, colWidths=[45 * mm, k.width - 45 * mm - 15 * mm, 15 * mm], repeatRows=1)
        t.setStyle(_grid_style())
        out.append(t)
    if g.ladder_steps:
        block: list[Flowable] = [k.p(f"The {g.ladder_name.lower()}" if g.ladder_name else "The ladder", "H2")]
        head = ["Stage", "Run", "Walk", "Repeats", "Session", "Notes"]
        rows = [[k.p(h, "CellHead") for h in head]]
        for stage in g.ladder_steps:
            rows.append(
                [
                    k.p(stage.id, "CellBold"),
                    k.p(f"{_num(stage.run_min)} min", "Cell"),
                    k.p(f"{_num(stage.walk_min)} min" if stage.walk_min else "–", "Cell"),
                    k.p(f"× {stage.reps}", "Cell"),
                    k.p(f"{stage.minutes} min", "Cell"),
                    k.p(stage.note or "", "CellSmall"),
                ]
            )
        cols = [16 * mm, 18 * mm, 18 * mm, 18 * mm, 20 * mm]
        t = _Table(rows, colWidths=[*cols, k.width - sum(cols)], repeatRows=1)
        t.setStyle(_grid_style())
        block.append(t)
        out += block
    return out


# --------------------------------------------------------------------------- weeks
#
# The week-by-week section is one part per phase: a key that spells out the phase's sessions
# once (strength routines with their exercises, what every run asks, each check-in with its
# checklist), then a grid with a row per week and a column per day, where each session is a
# short label with a tick box. A line that only some sessions of a kind carry gets a number in
# the grid and is spelled out in the key.

_GROUP_LABEL = {
    "run": "Every run",
    "walk_run": "Every walk/run",
    "strength": "Every strength session",
    "ice": "Ice",
    "heat": "Heat",
    "cross_training": "Cross-training",
    "rest": "Rest days",
}
_WEEK_COL = 25 * mm
_KEY_COL = 34 * mm


def _days(w: Week) -> Iterable[tuple[dt.date, list[Session]]]:
    """Each day of the week in order, with its sessions (none on an empty day)."""
    by_day: dict[dt.date, list[Session]] = {}
    for s in w.sessions:
        by_day.setdefault(s.date, []).append(s)
    day = w.start
    while day <= w.end:
        yield day, sorted(by_day.get(day, []), key=lambda s: s.slot)
        day += dt.timedelta(days=1)


def _group(s: Session) -> tuple[str, str]:
    """Sessions explained together in a phase key: by kind, and check-ins by what they check."""
    return (s.kind, s.check) if isinstance(s, CheckInSession) else (s.kind, "")


def _routine(s: Session) -> tuple[Any, ...]:
    assert isinstance(s, StrengthSession)
    return (s.targets, s.minutes, s.exercises, s.heat_before, s.ice_after)


def _routine_letters(plan: Plan) -> dict[tuple[Any, ...], str]:
    """A letter for each distinct strength routine, in order of first use ('' when there is one)."""
    seen = list(dict.fromkeys(_routine(s) for w in plan.weeks for s in w.sessions if s.kind == "strength"))
    if len(seen) == 1:
        return {seen[0]: ""}
    return {r: _letter(i) for i, r in enumerate(seen)}


def _letter(i: int) -> str:
    text = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        text = chr(65 + r) + text
    return text


def _lines_of(k: _Kit, s: Session) -> tuple[str, ...]:
    """What a session asks beyond its label: its lines, a pointer to its safety card, its after-care."""
    words = k.words(s)
    lines = list(words.details)
    if words.safety:
        lines.append(f"Safety rules: see “{SECTION_HEADINGS[6]}”.")
    if words.aftercare:
        lines.append(words.aftercare)
    return tuple(lines)


class _PhaseKey:
    """The key of one phase: shared lines per group, and numbered lines that only some sessions carry."""

    def __init__(self, k: _Kit, weeks: Sequence[Week], letters: dict[tuple[Any, ...], str]) -> None:
        self.k = k
        self.letters = letters
        groups: dict[tuple[str, str], list[Session]] = {}
        for w in weeks:
            for s in w.sessions:
                groups.setdefault(_group(s), []).append(s)
        self.groups = groups
        self.common: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.marks: dict[tuple[tuple[str, str], tuple[str, ...], tuple[str, ...]], int] = {}
        self._mark_of: dict[tuple[dt.date, int], int] = {}  # by (date, slot): a session's number
        for g, sessions in groups.items():
            lines_of = [_lines_of(k, s) for s in sessions]
            checks_of = [k.words(s).checklist for s in sessions]
            lines = tuple(x for x in dict.fromkeys(lines_of[0]) if all(x in other for other in lines_of[1:]))
            checks = tuple(x for x in dict.fromkeys(checks_of[0]) if all(x in other for other in checks_of[1:]))
            self.common[g] = (lines, checks)
            for s, own, own_checks in zip(sessions, lines_of, checks_of, strict=True):
                extra = (tuple(x for x in own if x not in lines), tuple(x for x in own_checks if x not in checks))
                if extra[0] or extra[1]:
                    n = self.marks.setdefault((g, *extra), len(self.marks) + 1)
                    self._mark_of[(s.date, s.slot)] = n

    def mark(self, s: Session) -> int | None:
        return self._mark_of.get((s.date, s.slot))

    def rows(self) -> list[list[Any]]:
        """Key rows: [label cell, content cell]."""
        k = self.k
        rows: list[list[Any]] = []
        routines = dict.fromkeys(_routine(s) for s in self.groups.get(("strength", ""), []))
        for r in routines:
            targets, minutes, exercises, _, _ = r
            label = wording.sessions.strength_routine(self.letters[r])
            head = _esc(f"{wording.sessions.targets_title(targets)} · {fmt.minutes(minutes)}")
            rows.append(
                [
                    k.m(f"<b>{escape(label)}</b>", "KeyLabel"),
                    [k.m(f"<b>{head}</b>", "KeyText"), _exercise_list(k, exercises)],
                ]
            )
        for g, sessions in self.groups.items():
            lines, checks = self.common[g]
            kind, check = g
            content: list[Flowable] = []
            if kind == "check_in":
                label = wording.CHECK_LABEL[CheckKind(check)]
                titles = dict.fromkeys(k.words(s).title for s in sessions)
                content.append(k.m("<b>" + " / ".join(_esc(t) for t in titles) + "</b>", "KeyText"))
            else:
                label = _GROUP_LABEL[kind]
            content += [k.p(x, "KeyText") for x in lines]
            content += [k.m(f"{_BOX}&nbsp; {_esc(c)}", "KeyCheck") for c in checks]
            for (mg, extra, extra_checks), n in self.marks.items():
                if mg != g:
                    continue
                texts = list(extra)
                marked = [k.p(x, "KeyText") for x in texts] + [
                    k.m(f"{_BOX}&nbsp; {_esc(c)}", "KeyCheck") for c in extra_checks
                ]
                sup = _superscript(n)
                first = f"{sup} {_esc(texts[0])}" if texts else f"{sup}&nbsp;{_BOX}&nbsp; {_esc(extra_checks[0])}"
                content += [k.m(first, "KeyText" if texts else "KeyCheck"), *marked[1:]]
            if len(content) > (1 if kind == "check_in" else 0):
                rows.append([k.m(f"<b>{escape(label)}</b>", "KeyLabel"), content])
        return rows


def _exercise_list(k: _Kit, exercises: Sequence[Any]) -> Flowable:
    """A routine's exercises with their doses, in two columns when there are several."""
    items = [
        k.m(f"{_esc(ex.name)} <font color='{st.MUTED_HEX}'>— {_esc(fmt.dose(ex.dose))}</font>", "ExLine")
        for ex in exercises
    ]
    cols = 2 if len(items) >= 4 else 1
    per = -(-len(items) // cols)
    avail = k.width - _KEY_COL - 12
    t = _Table([[items[c * per : (c + 1) * per] for c in range(cols)]], colWidths=[avail / cols] * cols, hAlign="LEFT")
    t.setStyle(_layout_style(right=6, top=1, bottom=0))
    return t


def _cell_label(k: _Kit, s: Session, letters: dict[tuple[Any, ...], str]) -> str:
    """A session's short name in the grid (plain text)."""
    if isinstance(s, StrengthSession):
        return wording.sessions.strength_routine(letters[_routine(s)])
    return _clean(wording.short_label(k.plan, s))


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(n: int) -> str:
    return str(n).translate(_SUPERSCRIPT)


class _Lines(Flowable):
    """Short lines of plain text drawn straight onto the canvas, each wrapped to the cell's width
    (continuation lines indented under a leading tick box): a grid cell at a fraction of the cost
    of a Paragraph."""

    def __init__(self, lines: Sequence[tuple[str, str, Any]], size: float, leading: float) -> None:
        super().__init__()
        self.lines = lines  # (text, font name, colour)
        self.size = size
        self.leading = leading
        self._split: list[tuple[float, str, str, Any]] = []
        self._for_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._for_width != availWidth:
            self._for_width = availWidth
            self._split = []
            for text, font, colour in self.lines:
                indent = stringWidth(_BOX + " ", font, self.size) if text.startswith(_BOX + " ") else 0.0
                lines = self._wrap_words(text.split(), font, availWidth, availWidth - indent)
                self._split += [(indent if i else 0.0, line, font, colour) for i, line in enumerate(lines)]
        self.width = availWidth
        self.height = len(self._split) * self.leading
        return availWidth, self.height

    def _wrap_words(self, words: list[str], font: str, first: float, rest: float) -> list[str]:
        """Words filled into lines (the first line `first` wide, the others `rest`); a word too
        long for a whole line is cut into pieces that fit."""
        space = stringWidth(" ", font, self.size)
        lines: list[str] = []
        line, used = "", 0.0
        for word in words:
            w = stringWidth(word, font, self.size)
            room = first if not lines else rest
            if line and used + space + w <= room:
                line, used = f"{line} {word}", used + space + w
                continue
            if line:
                lines.append(line)
                room = rest
            while w > room and len(word) > 1:  # cut a long word at the last character that fits
                n = len(word) - 1
                while n > 1 and stringWidth(word[:n], font, self.size) > room:
                    n -= 1
                lines.append(word[:n])
                word = word[n:]
                w = stringWidth(word, font, self.size)
                room = rest
            line, used = word, w
        lines.append(line)
        return lines

    def draw(self) -> None:
        t = self.canv.beginText()
        y = self.height - self.size
        last: tuple[str, Any] | None = None
        for x, text, font, colour in self._split:
            if (font, colour) != last:
                t.setFont(font, self.size)
                t.setFillColor(colour)
                last = (font, colour)
            t.setTextOrigin(x, y)
            t.textOut(text)
            y -= self.leading
        self.canv.drawText(t)


def _lines(k: _Kit, lines: Sequence[tuple[str, str, Any]], style: str = "GridCell") -> _Lines:
    """Plain lines at the size and leading of a style (each line names its own font and colour)."""
    ps = k.s[style]
    return _Lines(lines, ps.fontSize, ps.leading)


def _week_running(k: _Kit, w: Week) -> str:
    """A week's running in a few words: its distance, 'no running' or 'walk/run'."""
    if w.run_distance > 0:
        return _dist(w.run_distance, k.unit)
    return "no running" if not w.running_allowed else "walk/run"


def _week_cell(k: _Kit, w: Week) -> _Lines:
    running = _week_running(k, w)
    lines = [
        (f"Week {w.index}", st.FONT_BOLD, st.INK),
        (_span_short(w.start, w.end), st.FONT, st.INK),
        (running, st.FONT, st.INK),
    ]
    if w.hold_week:
        lines.append(("hold week", st.FONT, st.MUTED))
    return _lines(k, lines)


def _phase_part(k: _Kit, weeks: Sequence[Week], number: int, letters: dict[tuple[Any, ...], str]) -> list[Flowable]:
    first, last = weeks[0], weeks[-1]
    span = f"Week {first.index}" if first is last else f"Weeks {first.index}–{last.index}"
    band = _Table(
        [
            [
                k.m(f"Phase {number} · {_esc(first.phase_name)}", "BandHead"),
                k.p(f"{span} · {_span(first.start, last.end)}", "BandSub"),
            ]
        ],
        colWidths=[k.width * 0.55, k.width * 0.45],
    )
    band.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), st.ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    key = _PhaseKey(k, weeks, letters)
    out: list[Flowable] = [CondPageBreak(70 * mm), band]
    key_rows = key.rows()
    if key_rows:
        t = _Table(key_rows, colWidths=[_KEY_COL, k.width - _KEY_COL])
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, -1), st.ACCENT_LIGHT),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.4, st.WHITE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        out.append(t)
    out.append(Spacer(1, 5))
    day_w = (k.width - _WEEK_COL) / 7
    head = [k.p("Week", "GridHead")]
    head += [k.p(_DAYS[(first.start.weekday() + i) % 7], "GridHead") for i in range(7)]
    rows: list[list[Any]] = [head]
    for w in weeks:
        row: list[Any] = [_week_cell(k, w)]
        for day, todays in _days(w):
            lines = [(_date_short(day), st.FONT, st.MUTED)]
            for s in todays:
                label = _cell_label(k, s, letters)
                n = key.mark(s)
                if n is not None:
                    label += _superscript(n)
                lines.append(
                    (label, st.FONT, st.MUTED) if s.kind == SessionKind.REST else (f"{_BOX} {label}", st.FONT, st.INK)
                )
            if not todays:
                lines.append(("Rest day", st.FONT, st.MUTED))
            row.append(_lines(k, lines))
        row += [""] * (8 - len(row))
        rows.append(row)
    grid = _Table(rows, colWidths=[_WEEK_COL] + [day_w] * 7, repeatRows=1)
    grid.setStyle(
        _grid_style(
            extra=[
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("BACKGROUND", (0, 1), (0, -1), st.SHADE),
            ]
        )
    )
    out += [grid, Spacer(1, 14)]
    return out


def _weeks(k: _Kit) -> list[Flowable]:
    out = k.section(SECTION_HEADINGS[4])
    out.append(
        k.p(
            "Each phase starts with a key to its sessions: the exercises of each strength routine, what every "
            "run asks of you and what each check-in looks for. A small number next to a session points to a "
            "line in the key. Tick a box when the session is done, and score your pain in the log at the back. "
            "If a session breaks your pain rule, hold or step back before moving on.",
            "Lead",
        )
    )
    letters = _routine_letters(k.plan)
    for number, (_, weeks) in enumerate(itertools.groupby(k.plan.weeks, key=lambda w: w.phase), 1):
        out += _phase_part(k, list(weeks), number, letters)
    return out


# --------------------------------------------------------------------------- exercise cards


_TARGET_LABEL = {"core": "Core", "hip": "Hip", "knee": "Knee", "stretch": "Stretch"}


def _card(k: _Kit, card: Any) -> Flowable:
    fig_w, fig_h = 64 * mm, 46 * mm
    n = len(card.pose.frames)
    if n >= 3:
        fig_w, fig_h = min(k.width - 16, 150 * mm), 42 * mm
    drawing = _pose_figure(card.pose, fig_w, fig_h)
    equipment = ", ".join(e for e in card.equipment if e and e != "none") or "none"
    meta = k.m(
        f"<b>{escape(_TARGET_LABEL.get(card.target.value, card.target.value))}</b> · equipment: {_esc(equipment)}",
        "Small",
    )
    dose = k.m(f"<b>Dose:</b> {_esc(fmt.dose(card.dose))}", "CardText")
    text: list[Flowable] = [k.p("How to do it", "CardLabel"), *k.bullets(card.cues, "CardBullet")]
    text += [k.p("Common mistakes", "CardLabel"), *k.bullets(card.mistakes, "CardBullet")]
    text += [k.p("Too hard? Make it easier", "CardLabel"), k.p(card.regression, "CardText")]
    text += [k.p("Too easy? Make it harder", "CardLabel"), k.p(card.progression, "CardText")]
    if card.caution:
        text += [Spacer(1, 4), k.m(f"<b>Take care:</b> {_esc(card.caution)}", "CardText")]
    inner_w = k.width - 16
    title = [k.p(card.name, "CardTitle"), meta, Spacer(1, 2), dose]
    if n >= 3:
        rows = [[title], [drawing], [text]]
        t = _Table(rows, colWidths=[inner_w])
    else:
        left_w = fig_w + 8
        t = _Table([[drawing, [*title, *text]]], colWidths=[left_w, inner_w - left_w])
    t.setStyle(_layout_style(right=4, top=2, bottom=3))
    outer = _Table([[t]], colWidths=[k.width])
    outer.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, st.RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 2.5, st.ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return KeepTogether([outer, Spacer(1, 6)])


def _exercises(k: _Kit) -> list[Flowable]:
    out = k.section(SECTION_HEADINGS[5])
    out.append(
        k.p(
            "Every exercise in your plan, with how to do it and how to make it easier or harder. "
            "The dose shown is the usual one; the key at the start of each phase gives the dose for that phase.",
            "Lead",
        )
    )
    for card in k.plan.exercises:
        out.append(_card(k, card))
    return out


# --------------------------------------------------------------------------- advice sections


def _ice_heat(k: _Kit) -> list[Flowable]:
    g = k.plan.guidance
    out = k.section(SECTION_HEADINGS[6])
    out.append(k.p("Ice", "H2"))
    out.append(k.p(g.ice))
    out += k.bullets(g.ice_safety)
    out.append(k.p("Heat", "H2"))
    out.append(k.p(g.heat))
    out += k.bullets(g.heat_safety)
    return out


def _advice(k: _Kit, heading: str, items: Sequence[Any], new_page: bool) -> list[Flowable]:
    out = k.section(heading, new_page=new_page)
    for i, a in enumerate(items, 1):
        block: list[Flowable] = [k.p(f"{i}. {a.title}", "H3")]
        block += [k.p(b) for b in a.body]
        out.append(KeepTogether(block))
    return out


def _planned(k: _Kit, sessions: Sequence[Session]) -> str:
    parts: list[str] = []
    for s in sessions:  # in slot order, as _days gives them
        if isinstance(s, (RunSession, WalkRunSession)) and s.run_distance > 0:
            parts.append(f"{wording.KIND_LABEL[s.kind]} {_dist(s.run_distance, k.unit)}")
        else:
            parts.append(wording.KIND_LABEL[s.kind])
    return ", ".join(dict.fromkeys(parts)) or "Rest"


def _log(k: _Kit) -> list[Flowable]:
    plan = k.plan
    out = k.section(SECTION_HEADINGS[9])
    out.append(
        k.p(
            "One row a day: your worst knee pain (0-10), a tick when the day's sessions are done, "
            "and anything worth telling your coach or clinician.",
            "Body",
        )
    )
    head = ["Date", "Week", "Planned", "Pain 0–10", f"Done {_TICK}", "Notes"]
    cols = [24 * mm, 12 * mm, 48 * mm, 18 * mm, 16 * mm]
    style = k.s["CellSmall"]
    room = cols[2] - 10  # the cell's width less its paddings
    rows: list[list[Any]] = [[k.p(h, "CellHead") for h in head]]
    shade: list[tuple[Any, ...]] = []
    r = 1
    for w in plan.weeks:
        for day, todays in _days(w):
            # plain text draws far faster than a Paragraph; only a plan line too long for its cell wraps
            planned: Any = _clean(_planned(k, todays))
            if stringWidth(planned, style.fontName, style.fontSize) > room:
                planned = k.p(planned, "CellSmall")
            rows.append([f"{_DAYS[day.weekday()]} {_date_short(day)}", str(w.index), planned, "", "", ""])
            if day.weekday() == 6 or day == w.end:
                shade.append(("LINEBELOW", (0, r), (-1, r), 1.0, st.RULE))
            r += 1
    t = _Table(rows, colWidths=[*cols, k.width - sum(cols)], repeatRows=1, rowHeights=[None] + [17] * (len(rows) - 1))
    t.setStyle(
        _grid_style(
            extra=[
                ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
                ("FONTSIZE", (0, 1), (-1, -1), style.fontSize),
                ("TEXTCOLOR", (0, 1), (-1, -1), style.textColor),
                *shade,
            ]
        )
    )
    out.append(t)
    return out


def _medicines(k: _Kit) -> list[Flowable]:
    out = k.section(SECTION_HEADINGS[10])
    out += k.bullets(k.plan.guidance.medicines)
    return out


def _sources(k: _Kit) -> list[Flowable]:
    out = k.section(SECTION_HEADINGS[11], new_page=False)
    rows = [
        [k.p(src.key, "CellSmall"), k.p(wording.sources.short_reference(src), "CellSmall")]
        for src in k.plan.guidance.sources
    ]
    if rows:
        t = _Table(rows, colWidths=[22 * mm, k.width - 22 * mm])
        t.setStyle(_layout_style(top=1, bottom=2))
        out.append(t)
    return out


def _disclaimer(k: _Kit) -> list[Flowable]:
    out = k.section(SECTION_HEADINGS[12], new_page=False)
    out.append(_box([k.p(k.plan.guidance.disclaimer, "BodyTight")], k.width, st.ACCENT, st.SHADE))
    return out


# --------------------------------------------------------------------------- documents


def _footer_text(plan: Plan) -> str:
    text = _clean(wording.title(plan))
    who = _clean(plan.athlete or "").strip()
    if who and who not in text:
        text += f" · {who}"
    return text


class _Booklet(SimpleDocTemplate):
    """A document that bookmarks each section in the PDF outline and names the current section
    in the footer (drawn at the end of each page, when the page's last section is known)."""

    def __init__(self, *args: Any, footer_text: str, setup: st.PageSetup, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._rp_footer = footer_text
        self._rp_setup = setup
        self._rp_section = ""
        self._rp_pages: list[tuple[str, int]] = []

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab's hook name
        title = getattr(flowable, "_rp_section", None)
        if title:
            self._rp_section = title
            self._rp_pages.append((title, self.canv.getPageNumber()))
            key = f"section-{len(self._rp_pages)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=0)

    def _endBuild(self) -> None:  # noqa: N802 - reportlab's name
        """Finish the pages, then draw the cover's contents (now that every page is known) and save."""
        self._doSave = 0
        super()._endBuild()
        contents = getattr(self.canv, "_rp_contents", None)
        if contents is not None:
            contents.draw_form(self.canv, self._rp_pages)
        self.canv.save()

    def handle_pageEnd(self) -> None:  # noqa: N802 - reportlab's hook name
        if self.canv.getPageNumber() > 1:
            st.draw_footer(self.canv, self._rp_setup, self._rp_footer, self._rp_section)
        super().handle_pageEnd()


def _doc(buf: io.BytesIO, k: _Kit, subject: str, booklet: bool = False, cls: Any = None) -> SimpleDocTemplate:
    plan, opt = k.plan, k.options
    author = next((_clean(x) for x in (opt.clinic, opt.coach) if x and _clean(x).strip()), "rehabplan")
    if cls is None:
        cls = _Booklet if booklet else SimpleDocTemplate
    extra: dict[str, Any] = {"footer_text": _footer_text(plan), "setup": k.page} if booklet else {}
    return cls(
        buf,
        pagesize=k.page.size,
        leftMargin=k.page.left,
        rightMargin=k.page.right,
        topMargin=k.page.top,
        bottomMargin=k.page.bottom,
        title=_clean(wording.title(plan)),
        author=author,
        subject=subject,
        creator="rehabplan",
        keywords=["knee", "rehabilitation", "running", plan.condition],
        invariant=True,
        initialFontName=st.FONT,
        initialFontSize=10,
        initialLeading=13.8,
        **extra,
    )


def _subject(plan: Plan, what: str) -> str:
    who = f" for {_clean(plan.athlete)}" if plan.athlete and _clean(plan.athlete).strip() else ""
    return f"{what}: {_clean(plan.info.name)}{who}, {_span(plan.start, plan.end)}"


def to_pdf(plan: Plan, options: BookletOptions) -> bytes:
    """The full booklet, from cover to disclaimer, as PDF bytes (deterministic)."""
    k = _Kit(plan, options)
    story: list[Flowable] = []
    story += _cover(k)
    story += _stop(k)
    story += _condition(k)
    story += _glance(k)
    story += _how_to_use(k)
    story += _weeks(k)
    story += _exercises(k)
    story += _ice_heat(k)
    story += _advice(k, SECTION_HEADINGS[7], plan.guidance.training_mistakes, new_page=True)
    story += _advice(k, SECTION_HEADINGS[8], plan.guidance.recovery, new_page=False)
    story += _log(k)
    story += _medicines(k)
    story += _sources(k)
    story += _disclaimer(k)
    buf = io.BytesIO()
    doc = _doc(buf, k, _subject(plan, "Knee rehabilitation booklet"), booklet=True)
    doc.build(story, onFirstPage=_cover_page(k.page))
    return buf.getvalue()


# --------------------------------------------------------------------------- summary sheet


def _checkins(w: Week) -> str:
    days = sorted({s.date for s in w.sessions if s.kind == SessionKind.CHECK_IN})
    return ", ".join(f"{_DAYS[d.weekday()]} {d.day}" for d in days)


class _TooNarrow(Exception):
    """A summary layout whose columns cannot fit the page width."""


def _summary_table(k: _Kit, weeks: Sequence[Week], width: float, compact: bool) -> Table:
    cell = "CellSmall" if compact else "Cell"
    head = ["Wk", "Dates", "Phase", "Running", "Check-in", _TICK]
    rows: list[list[Any]] = [[k.p(h, "CellHead") for h in head]]

    def text(value: str, style: str = cell) -> _Lines:  # plain lines: a long table at little cost
        ps = k.s[style]
        return _lines(k, [(_clean(value), ps.fontName, ps.textColor)], style)

    for w in weeks:
        rows.append(
            [
                text(str(w.index), "CellBold" if not compact else "CellSmall"),
                text(f"{_date_short(w.start)} – {_date_short(w.end)}"),
                text(w.phase_name),
                text(_week_running(k, w) + (" (hold)" if w.run_distance > 0 and w.hold_week else "")),
                text(_checkins(w)),
                text(_BOX),
            ]
        )
    fs = k.s[cell].fontSize
    fixed = [fs * 1.9 + 6, fs * 7.6 + 6, 0.0, fs * 6.6 + 6, fs * 6.2 + 6, fs * 1.2 + 6]
    fixed[2] = width - sum(fixed)
    if fixed[2] < fs * 6:
        raise _TooNarrow
    t = _Table(rows, colWidths=fixed, repeatRows=1)
    pad = 1.5 if compact else 3
    t.setStyle(
        _grid_style(
            extra=[
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


def _summary_story(k: _Kit, columns: int) -> list[Flowable]:
    plan, g = k.plan, k.plan.guidance
    compact = columns > 1 or k.s["Base"].fontSize < 9
    who = f"{_esc(plan.athlete)} · " if plan.athlete and _clean(plan.athlete).strip() else ""
    story: list[Flowable] = [
        k.p(k.title, "H1"),
        HRFlowable(width="100%", thickness=1.2, color=st.ACCENT, spaceBefore=1, spaceAfter=5),
        k.m(
            f"<b>{who}{_esc(plan.info.name)}</b> · {escape(_span(plan.start, plan.end))} · "
            f"goal {escape(_dist(plan.target_weekly_distance, k.unit))} a week",
            "Body",
        ),
        k.p("Pain decides: the traffic-light rule", "H3"),
        _pain_rule_table(k, k.width, compact=True),
        Spacer(1, 4),
        k.m(f"<b>Stop at once if:</b> {' '.join(_esc(x) for x in g.absolute_stops)}", "Small"),
        k.p("Week by week", "H3"),
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
        outer = _Table([tables[:-1]], colWidths=([col_w, gap] * columns)[:-1])
        outer.setStyle(_layout_style(right=0))
        story.append(outer)
    story += [Spacer(1, 5), k.p(g.disclaimer, "Small")]
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


class _Overflow(Exception):
    """A summary layout that runs onto a second page."""


class _Sheet(SimpleDocTemplate):
    """The summary document; with one_page set, it stops as soon as a second page would begin
    (reportlab begins a page only when content is left for it, so a finished build is one page)."""

    _rp_one_page = False

    def handle_pageBegin(self) -> None:  # noqa: N802 - reportlab's hook name
        if self._rp_one_page and self.page >= 1:
            raise _Overflow
        super().handle_pageBegin()


def _surely_too_tall(k: _Kit, columns: int) -> bool:
    """True when the layout cannot fit one page: its paragraphs and tables, with the least space
    the frame leaves between flowables, are taller than the frame.

    Those heights do not depend on the room they are given (only on the frame's width, used
    here as the frame uses it), so this is a lower bound of what the frame needs. Anything
    unexpected leaves the decision to a real build.
    """
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
    except _TooNarrow:
        return True  # the real build would stop at the same point
    except Exception:
        return False
    return total > room + 1


def _summary_build(plan: Plan, k: _Kit, columns: int, one_page: bool) -> bytes | None:
    """The sheet in one layout; None when the layout does not fit (or, with one_page, needs a second page)."""
    buf = io.BytesIO()
    doc = _doc(buf, k, _subject(plan, "Knee rehabilitation summary"), cls=_Sheet)
    doc._rp_one_page = one_page  # type: ignore[attr-defined]
    footer = st.footer_callback(_footer_text(plan), k.page)
    try:
        doc.build(_summary_story(k, columns), onFirstPage=footer, onLaterPages=footer)
    except (LayoutError, _TooNarrow, _Overflow):
        return None
    return buf.getvalue()


def to_summary_pdf(plan: Plan, options: BookletOptions) -> bytes:
    """A one-page sheet for the fridge: the pain rule and the week-by-week table.

    The first layout (in _SUMMARY_LAYOUTS order) that fits one page is used; when none does,
    the last layout that can be built at all.
    """
    for size, columns in _SUMMARY_LAYOUTS:
        k = _Kit(plan, options, base_size=size)
        if _surely_too_tall(k, columns):
            continue
        data = _summary_build(plan, k, columns, one_page=True)
        if data is not None:
            return data
    for size, columns in reversed(_SUMMARY_LAYOUTS):
        data = _summary_build(plan, _Kit(plan, options, base_size=size), columns, one_page=False)
        if data is not None:
            return data
    return b""
