"""Building blocks of the booklet and the summary: safe text, paragraphs, plain-text cells, panels
and table styles, with the kit every section builder is handed.

All data text is cleaned of control characters and XML-escaped before it goes into a Paragraph.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    PageBreak,
    Paragraph,
    Spacer,
    TableStyle,
)

from ... import wording
from ...planning.plan import Plan, Week
from ...planning.sessions import Session
from ...wording.booklet import Styled
from ..options import BookletOptions
from . import styles as st
from .speedups import Para, SparseTable

BOX = "☐"
_STRIPPED = {"Cc", "Cs", "Co", "Cn"}
_PRINTABLE_ASCII = "".join(map(chr, range(0x20, 0x7F)))
_PRINTABLE_ASCII_RUNS = re.compile(r"[\x20-\x7e]+")


# --------------------------------------------------------------------------- text


def escape(data: str) -> str:
    """'&', '<' and '>' as XML entities: xml.sax.saxutils.escape without its costly imports
    (it loads urllib, http and ssl, which nothing else here needs)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def clean(text: object) -> str:
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


def esc(text: object) -> str:
    """Cleaned, XML-escaped text, safe inside Paragraph markup."""
    return escape(clean(text))


def given(text: str | None) -> str | None:
    """User text cleaned, or None when nothing printable is left (a blank name prints nothing)."""
    if text is None:
        return None
    cleaned = clean(text)
    return cleaned if cleaned.strip() else None


def unsupported_chars(text: str) -> set[str]:
    """Characters in text that the booklet font cannot draw (they print as a box).

    Whitespace and control characters are not reported: the renderer removes them.
    """
    charmap = st.font_charmap()
    if all(ord(ch) in charmap for ch in _PRINTABLE_ASCII):  # the font draws them: look at the rest only
        if text.isascii():
            return set()  # and other ASCII is whitespace or control characters
        text = _PRINTABLE_ASCII_RUNS.sub("", text)  # a plan's JSON is mostly ASCII: far fewer to look at
    missing = set()
    for ch in set(text):
        cat = unicodedata.category(ch)
        if ch.isspace() or cat in _STRIPPED or cat == "Cf":
            continue
        if ord(ch) not in charmap:
            missing.add(ch)
    return missing


def markup(pieces: Styled) -> str:
    """Styled words as Paragraph markup."""
    return "".join(f"<{tag}>{esc(text)}</{tag}>" if tag else esc(text) for text, tag in pieces)


def days(w: Week) -> Iterator[tuple[dt.date, list[Session]]]:
    """Each day of the week in order, with its sessions in slot order (none on an empty day)."""
    by_day: dict[dt.date, list[Session]] = {}
    for s in w.sessions:
        by_day.setdefault(s.date, []).append(s)
    day = w.start
    while day <= w.end:
        yield day, sorted(by_day.get(day, []), key=lambda s: s.slot)
        day += dt.timedelta(days=1)


# --------------------------------------------------------------------------- the kit


class SectionHeading(Para):
    """A section's heading: the booklet bookmarks it and names its section in the page footers."""

    section = ""


class Kit:
    """What every section builder needs: the plan, styles, page geometry and paragraph makers."""

    def __init__(self, plan: Plan, options: BookletOptions, base_size: float = 10) -> None:
        self.plan = plan
        self.options = options
        self.brand = st.brand(options.accent)
        self.s = st.shared_styles(base_size, options.accent)
        self.page = st.page_setup(options.paper)
        self.width = self.page.frame_width
        self.title = wording.title(plan)
        self.athlete = given(plan.athlete)
        self._words: dict[int, tuple[Session, wording.Worded]] = {}

    def words(self, s: Session) -> wording.Worded:
        """A session's words, worked out once per document."""
        hit = self._words.get(id(s))
        if hit is None:
            hit = self._words[id(s)] = (s, wording.word(self.plan, s))  # s kept alive with its id
        return hit[1]

    def p(self, text: object, style: str = "Body") -> Paragraph:
        """A paragraph of plain text."""
        return Para(esc(text), self.s[style])

    def m(self, markup_text: str, style: str = "Body") -> Paragraph:
        """A paragraph from markup the caller has already escaped."""
        return Para(markup_text, self.s[style])

    def styled(self, pieces: Styled, style: str = "Body") -> Paragraph:
        """A paragraph of plain, bold and italic words."""
        return Para(markup(pieces), self.s[style])

    def bullets(self, items: Iterable[object], style: str = "Bullet", bullet: str = "•") -> list[Flowable]:
        """One bulleted paragraph per item."""
        return [Para(esc(x), self.s[style], bulletText=bullet) for x in items]

    def section(self, title: str, new_page: bool = True) -> list[Flowable]:
        """A section's start: a new page (or a break when little room is left), its heading and a rule."""
        rule = HRFlowable(width="100%", thickness=1.2, color=self.brand.accent, spaceBefore=1, spaceAfter=10)
        head: list[Flowable] = [PageBreak()] if new_page else [CondPageBreak(60 * mm), Spacer(1, 8)]
        heading = SectionHeading(escape(title), self.s["H1"])
        heading.section = title
        return [*head, heading, rule]

    def phase_number(self, phase_id: str) -> int:
        """The phase's number in the plan, from 1."""
        return next(i for i, ph in enumerate(self.plan.phases, 1) if ph.id == phase_id)

    def lines(self, lines: Sequence[Line], style: str = "GridCell") -> Lines:
        """Plain lines at the size and leading of a style (each line names its own font and colour)."""
        ps = self.s[style]
        return Lines(lines, ps.fontSize, ps.leading)


# --------------------------------------------------------------------------- flowables


class Line(NamedTuple):
    """A line of a plain-text cell; a boxed line starts with a tick box and wraps under its text."""

    text: str
    font: str
    colour: Color
    boxed: bool = False


class Lines(Flowable):
    """Short lines of plain text drawn straight onto the canvas, each wrapped to the cell's width:
    a grid cell at a fraction of the cost of a Paragraph."""

    def __init__(self, lines: Sequence[Line], size: float, leading: float) -> None:
        super().__init__()
        self.lines = lines
        self.size = size
        self.leading = leading
        self._split: list[tuple[float, str, str, Color]] = []
        self._for_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._for_width != availWidth:
            self._for_width = availWidth
            self._split = []
            for line in self.lines:
                text, indent = line.text, 0.0
                if line.boxed:
                    text = f"{BOX} {text}"
                    indent = stringWidth(BOX + " ", line.font, self.size)
                parts = self._wrap_words(text.split(), line.font, availWidth, availWidth - indent)
                self._split += [(indent if i else 0.0, part, line.font, line.colour) for i, part in enumerate(parts)]
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
            while w > room and len(word) > 1:  # cut a long word after a hyphen, or where it must
                n = len(word) - 1
                while n > 1 and stringWidth(word[:n], font, self.size) > room:
                    n -= 1
                hyphen = word.rfind("-", 0, n)
                if hyphen > 0:
                    n = hyphen + 1
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
        last: tuple[str, Color] | None = None
        for x, text, font, colour in self._split:
            if (font, colour) != last:
                t.setFont(font, self.size)
                t.setFillColor(colour)
                last = (font, colour)
            t.setTextOrigin(x, y)
            t.textOut(text)
            y -= self.leading
        self.canv.drawText(t)


class Filler(Flowable):
    """Takes up the rest of the frame but the last flowable's height: pins that one to the page foot.

    It never asks for more room than is left, so it cannot push anything onto a new page.
    """

    def __init__(self, reserve: Flowable) -> None:
        super().__init__()
        self._reserve = reserve

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.height = max(availHeight - self._reserve.wrap(availWidth, availHeight)[1] - 2, 0.0)
        return availWidth, self.height

    def draw(self) -> None:
        return None


class BookletTable(SparseTable):
    """A Table whose plain-string cells use the booklet font (reportlab's default is Helvetica)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.FONT)]))


def grid_style(header: bool = True, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    """A ruled table, cells aligned to the top, with a shaded head row."""
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
    return TableStyle([*cmds, *extra])


def layout_style(
    left: float = 0, right: float | None = None, top: float | None = None, bottom: float | None = None
) -> TableStyle:
    """A borderless layout table: cells aligned to the top, with the given paddings."""
    cmds: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), left)]
    for name, value in (("RIGHTPADDING", right), ("TOPPADDING", top), ("BOTTOMPADDING", bottom)):
        if value is not None:
            cmds.append((name, (0, 0), (-1, -1), value))
    return TableStyle(cmds)


def box(content: Sequence[Flowable], width: float, bar: Color, fill: Color, bar_width: float = 3.5) -> BookletTable:
    """Content in a shaded panel with a strong bar down its left side."""
    t = BookletTable([[list(content)]], colWidths=[width])
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


def logo_image(data: bytes, max_w: float, max_h: float) -> Image | None:
    """The logo scaled to fit max_w x max_h, left-aligned; None when it cannot be read."""
    try:
        reader = ImageReader(io.BytesIO(data))
        iw, ih = reader.getSize()
    except Exception:  # a logo the imaging library cannot read is left off
        return None
    if iw <= 0 or ih <= 0:
        return None
    scale = min(max_w / iw, max_h / ih)
    img = Image(io.BytesIO(data), width=iw * scale, height=ih * scale)
    img.hAlign = "LEFT"
    return img


def beside_logo(k: Kit, content: list[Flowable], width: float, logo_w: float, logo_h: float) -> list[Flowable]:
    """Content `width` wide with the clinic's logo (at most logo_w x logo_h) on its right, or the
    content alone when there is no logo."""
    img = logo_image(k.options.logo, logo_w, logo_h) if k.options.logo else None
    if img is None:
        return content
    t = BookletTable([[content, img]], colWidths=[width - logo_w - 4 * mm, logo_w + 4 * mm])
    t.setStyle(layout_style(right=0, top=0, bottom=0))
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    return [t]
