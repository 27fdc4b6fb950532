"""Look of the booklet: fonts, colours, paragraph styles, page sizes and the page footer."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

import font_source_sans_pro
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ...wording import booklet as words

# --------------------------------------------------------------------------- fonts

FONT = "SourceSans"
FONT_BOLD = "SourceSans-Bold"
FONT_ITALIC = "SourceSans-Italic"
FONT_SEMIBOLD = "SourceSans-Semibold"

_FONT_FILES = {
    FONT: "SourceSansPro-Regular.ttf",
    FONT_BOLD: "SourceSansPro-Bold.ttf",
    FONT_ITALIC: "SourceSansPro-It.ttf",
    FONT_SEMIBOLD: "SourceSansPro-Semibold.ttf",
}


def register_fonts() -> None:
    """Register the Source Sans Pro TTFs and their family once per process."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    if set(_FONT_FILES) <= registered:
        return
    for name, filename in _FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, os.path.join(font_source_sans_pro.font_directory, filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)


@functools.lru_cache(maxsize=1)
def font_charmap() -> frozenset[int]:
    """Code points the regular booklet font can draw."""
    register_fonts()
    face = pdfmetrics.getFont(FONT).face  # type: ignore[attr-defined]
    return frozenset(face.charToGlyph)


def embedded(d: Drawing) -> Drawing:
    """The drawing, set to start in the booklet font, so no unembedded standard font is referenced."""
    d.initialFontName = FONT  # type: ignore[attr-defined]  # read by reportlab's renderer, not in the stubs
    d.initialFontSize = 8  # type: ignore[attr-defined]
    return d


# --------------------------------------------------------------------------- colours
# One dark accent (prints as a dark grey), greys and black; traffic-light colours are always
# paired with their word, so the meaning survives a black-and-white printer.

INK = colors.HexColor("#1b1b1b")
MUTED_HEX = "#555555"
MUTED = colors.HexColor(MUTED_HEX)
RULE = colors.HexColor("#9a9a9a")
GRID = colors.HexColor("#c4c4c4")
SHADE = colors.HexColor("#f0f0f0")
SHADE_DARK = colors.HexColor("#dedede")
ACCENT_HEX = "#0d4f63"  # the brand colour unless a clinic gives its own
ALERT = colors.HexColor("#9e1b1b")
ALERT_LIGHT = colors.HexColor("#f6e3e3")
GREEN = colors.HexColor("#2f6b33")
AMBER = colors.HexColor("#8a5a00")
RED = colors.HexColor("#9e1b1b")
WHITE = colors.white


@dataclass(frozen=True)
class Brand:
    """The accent colour (headings, bands, rules), its light tint for panels, and the phase shades
    for the timeline and charts: the accent mixed with white, distinct in grayscale and light
    enough for black text."""

    accent: colors.Color
    light: colors.Color
    phase_fills: tuple[colors.Color, ...]


def _tint(c: colors.Color, share: float) -> colors.Color:
    """The colour mixed with white: `share` of the colour."""
    return colors.Color(*(1 - share * (1 - v) for v in (c.red, c.green, c.blue)))


@functools.lru_cache(maxsize=16)
def brand(accent_hex: str | None = None) -> Brand:
    """The look for a brand colour (a '#rrggbb' already checked for print contrast), or the default."""
    accent = colors.HexColor(accent_hex or ACCENT_HEX)
    fills = tuple(_tint(accent, share) for share in (0.1, 0.24, 0.4, 0.56, 0.32, 0.17))
    return Brand(accent, _tint(accent, 0.15), fills)


# --------------------------------------------------------------------------- page


@dataclass(frozen=True)
class PageSetup:
    """Paper size and margins in points."""

    size: tuple[float, float]
    left: float = 18 * mm
    right: float = 18 * mm
    top: float = 18 * mm
    bottom: float = 20 * mm

    @property
    def frame_width(self) -> float:
        """Width available to flowables."""
        return self.size[0] - self.left - self.right


def page_setup(paper: str) -> PageSetup:
    """The page for 'letter' or 'a4'."""
    return PageSetup(size=A4 if paper == "a4" else LETTER)


def draw_footer(canvas: Any, setup: PageSetup, footer_text: str, section: str = "") -> None:
    """A thin rule, the plan title on the left and the section and page number on the right."""
    page = canvas.getPageNumber()
    canvas.saveState()
    y = setup.bottom - 9 * mm
    right_edge = setup.size[0] - setup.right
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.5)
    canvas.line(setup.left, y + 4 * mm, right_edge, y + 4 * mm)
    canvas.setFillColor(MUTED)
    right = words.page_footer(section, page)
    canvas.setFont(FONT_SEMIBOLD, 8)
    canvas.drawRightString(right_edge, y, right)
    canvas.setFont(FONT, 8)
    max_w = setup.frame_width - pdfmetrics.stringWidth(right, FONT_SEMIBOLD, 8) - 8 * mm
    canvas.drawString(setup.left, y, fit_text(footer_text, FONT, 8, max_w))
    canvas.restoreState()


def fit_text(text: str, font: str, size: float, max_w: float) -> str:
    """The text, cut short with '…' where it is wider than max_w."""
    if pdfmetrics.stringWidth(text, font, size) <= max_w:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > max_w:
        text = text[:-1]
    return text + "…" if text else ""


def footer_callback(footer_text: str, setup: PageSetup) -> Any:
    """An onPage callback drawing the footer (no section name) on every page."""

    def draw(canvas: Any, doc: Any) -> None:
        draw_footer(canvas, setup, footer_text)

    return draw


# --------------------------------------------------------------------------- paragraph styles


@functools.lru_cache(maxsize=32)
def shared_styles(base_size: float = 10, accent_hex: str | None = None) -> StyleSheet1:
    """The style sheet for a base size and brand colour, built once per process; callers must not
    change it."""
    return build_styles(base_size, accent_hex)


def build_styles(base_size: float = 10, accent_hex: str | None = None) -> StyleSheet1:
    """A fresh style sheet; every style inherits from 'Base' (fonts registered on first call)."""
    register_fonts()
    accent = brand(accent_hex).accent
    s = StyleSheet1()
    lead = base_size * 1.38
    s.add(ParagraphStyle("Base", fontName=FONT, fontSize=base_size, leading=lead, textColor=INK, bulletFontName=FONT))
    base = s["Base"]

    def add(name: str, **kw: Any) -> None:
        s.add(ParagraphStyle(name, parent=kw.pop("parent", base), **kw))

    add("Body", spaceAfter=base_size * 0.5)
    add("BodyTight", spaceAfter=0)
    add("Small", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.3, textColor=MUTED)
    add(
        "Note",
        fontName=FONT_ITALIC,
        fontSize=base_size,
        leading=base_size * 1.3,
        textColor=MUTED,
        spaceAfter=base_size * 0.5,
    )
    add("Bullet", leftIndent=12, bulletIndent=2, spaceAfter=base_size * 0.25, bulletFontName=FONT)
    add(
        "BoxBullet",
        fontSize=base_size,
        leading=base_size * 1.3,
        leftIndent=12,
        bulletIndent=2,
        spaceAfter=1,
    )
    add("ExLine", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.28)
    add("Cell", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.28)
    add("CellSmall", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.24)
    add("CellBullet", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.24, leftIndent=10, bulletIndent=0)
    add(
        "Reference",
        fontSize=base_size * 0.9,
        leading=base_size * 0.9 * 1.15,
        leftIndent=10,
        firstLineIndent=-10,
        spaceAfter=0.5,
        allowWidows=0,
        allowOrphans=0,
    )
    add("CellBold", fontName=FONT_SEMIBOLD, fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.28)
    add("CellHead", fontName=FONT_BOLD, fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.25, textColor=INK)
    add("CellCenter", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.28, alignment=TA_CENTER)
    add("CellWhite", fontName=FONT_BOLD, fontSize=base_size * 0.95, leading=base_size * 1.2, textColor=WHITE)
    add(
        "H1",
        fontName=FONT_BOLD,
        fontSize=base_size * 2.0,
        leading=base_size * 2.4,
        textColor=accent,
        spaceBefore=0,
        spaceAfter=2,
        keepWithNext=1,
    )
    add(
        "H2",
        fontName=FONT_BOLD,
        fontSize=base_size * 1.3,
        leading=base_size * 1.6,
        textColor=INK,
        spaceBefore=base_size * 1.0,
        spaceAfter=base_size * 0.35,
        keepWithNext=1,
    )
    add(
        "H3",
        fontName=FONT_SEMIBOLD,
        fontSize=base_size * 1.1,
        leading=base_size * 1.4,
        textColor=INK,
        spaceBefore=base_size * 0.5,
        spaceAfter=base_size * 0.2,
        keepWithNext=1,
    )
    add("Lead", fontSize=base_size * 1.1, leading=base_size * 1.55, textColor=INK, spaceAfter=base_size * 0.7)
    add(
        "CoverKicker",
        fontName=FONT_SEMIBOLD,
        fontSize=base_size * 1.1,
        leading=base_size * 1.4,
        textColor=accent,
        spaceAfter=6,
    )
    add(
        "CoverTitle",
        fontName=FONT_BOLD,
        fontSize=base_size * 3.0,
        leading=base_size * 3.4,
        textColor=INK,
        spaceAfter=10,
    )
    add(
        "CoverTitleLong",
        fontName=FONT_BOLD,
        fontSize=base_size * 1.8,
        leading=base_size * 2.2,
        textColor=INK,
        spaceAfter=8,
    )
    add("CoverLabel", fontName=FONT_SEMIBOLD, fontSize=base_size * 0.9, leading=base_size * 1.15, textColor=MUTED)
    add("CoverValue", fontName=FONT, fontSize=base_size * 1.25, leading=base_size * 1.6, textColor=INK)
    add("CoverName", fontName=FONT_BOLD, fontSize=base_size * 1.8, leading=base_size * 2.2, textColor=INK)
    add(
        "AlertHead",
        fontName=FONT_BOLD,
        fontSize=base_size * 1.15,
        leading=base_size * 1.45,
        textColor=ALERT,
        keepWithNext=1,
    )
    card = max(10.0, base_size)  # card words print at 10 pt at least, labels too
    add(
        "CardTitle",
        fontName=FONT_BOLD,
        fontSize=card * 1.3,
        leading=card * 1.55,
        textColor=accent,
        spaceAfter=1,
    )
    add(
        "CardContinued",
        fontName=FONT_BOLD,
        fontSize=card,
        leading=card * 1.3,
        textColor=accent,
        spaceAfter=2,
        keepWithNext=1,
    )
    add(
        "CardLabel",
        fontName=FONT_SEMIBOLD,
        fontSize=card,
        leading=card * 1.2,
        textColor=INK,
        spaceBefore=3,
    )
    add("CardText", fontSize=card, leading=card * 1.22)
    add("CardBullet", fontSize=card, leading=card * 1.22, leftIndent=10, bulletIndent=1)
    add("BandHead", fontName=FONT_BOLD, fontSize=base_size * 1.2, leading=base_size * 1.45, textColor=WHITE)
    add("BandSub", fontSize=base_size * 0.9, leading=base_size * 1.15, textColor=WHITE, alignment=TA_RIGHT)
    add("KeyLabel", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.28)
    add("KeyText", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.28, spaceAfter=1)
    add("KeyCheck", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.28, leftIndent=11, firstLineIndent=-11)
    add("GridHead", fontName=FONT_BOLD, fontSize=base_size * 0.9, leading=base_size * 1.1, textColor=INK)
    add("GridCell", fontSize=base_size * 0.9, leading=base_size * 0.9 * 1.2)
    return s
