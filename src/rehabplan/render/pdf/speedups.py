"""Faster paths through reportlab: the one module that touches reportlab's private names.

Each speed-up gives the same pages as reportlab's own path, and stays only while it is worth its
keep. Measured with ``python benchmarks/speedups.py`` (median time to render one full booklet,
with the speed-up and with reportlab's own path instead; 2-core Xeon, Python 3.11, reportlab 5.1):

- ``Para`` (parse each distinct paragraph once, share one-line layouts): 108 ms instead of 183-198 ms
  for a 30 mi plan, 135 ms instead of 210 ms for a 120 mi plan (about 40% of the render).
- ``Figure`` (exercise figures and knee diagrams drawn once per process, replayed after): 108 ms
  instead of 114 ms, 135 ms instead of 140 ms (about 5%; more in a batch, where every booklet
  repeats the same figures).
- ``SparseTable`` (no empty text object drawn in an empty cell; a booklet has some 380): within
  the noise of one booklet, 1.4% off a 200-runner batch (``farm-bench`` A/B, 5 pairs).
- ``compress_once`` (a stream the process compressed before is not compressed again: kept pages,
  font subsets): 62 ms instead of 67 ms with kept pages (``--kept``, as a batch renders), and
  about 3 ms less a booklet over a batch of mixed conditions and mileages.

A table that kept its last layout was measured too (108 ms either way) and removed.
"""

from __future__ import annotations

import contextlib
import functools
import re
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, NamedTuple

from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.paragraph import cleanBlockQuotedText

from ...catalog.models import KneeRegion, Pose
from . import styles as st
from .figures import knee_diagram, pose_drawing

__all__ = [
    "Figure",
    "Para",
    "Prime",
    "SparseTable",
    "apply_prime",
    "emit",
    "knee_figure",
    "page_code",
    "pose_figure",
    "prime_of",
    "replayable",
]

# --------------------------------------------------------------------------- paragraphs
#
# The booklet repeats many identical texts (day names, doses, tick boxes, the disclaimer), and
# parsing markup and breaking lines are most of what a Paragraph costs.

# Parsed fragments by (markup, style, bullet).
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


class Para(Paragraph):
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
            _PARSED[key] = (list(self.frags), self.bulletText, self.style, self.text)
        else:
            frags, bullet_out, parsed_style, clean_text = hit
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
            if key is not None and availWidth >= 1e-8 and len(self.__dict__["blPara"].lines) <= 1:
                if len(_WRAPPED) >= _PARSED_MAX:
                    _WRAPPED.clear()
                _WRAPPED[(key, availWidth)] = {a: self.__dict__[a] for a in _WRAP_ATTRS if a in self.__dict__}
        if availWidth >= 1e-8:
            self._rp_wrapped = (availWidth, w, h)
        return w, h


# --------------------------------------------------------------------------- compressed streams
#
# reportlab compresses every page and font stream as it saves a document. In a batch the kept
# pages, and the font subsets of booklets of one condition, are the same bytes again and again.

_PACKED: OrderedDict[bytes, bytes] = OrderedDict()
_PACKED_MAX = 512  # streams kept: the most recently used (kept pages come back with every runner)


def compress_once(content: str | bytes) -> bytes:
    """zlib-compress a stream as reportlab does, or return what the same bytes compressed to before."""
    raw = content.encode("utf8") if isinstance(content, str) else content
    packed = _PACKED.get(raw)
    if packed is None:
        packed = _PACKED[raw] = zlib.compress(raw)
        if len(_PACKED) > _PACKED_MAX:
            _PACKED.popitem(last=False)
    else:
        _PACKED.move_to_end(raw)
    return packed


# reportlab's one Flate filter, shared by every stream it writes
pdfdoc.PDFZCompress.encode = compress_once  # type: ignore[method-assign,assignment]


# --------------------------------------------------------------------------- tables
#
# Layout tables leave empty cells between their columns, and grids empty days and spans; reportlab
# draws an empty text object in each.


class SparseTable(Table):
    """A Table that draws nothing in an empty cell (no empty text object), unless it is a link."""

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802 - reportlab's name
        if isinstance(cellval, str) and cellval == "" and not cellstyle.href and not cellstyle.destination:
            return
        super()._drawCell(cellval, cellstyle, pos, size)  # type: ignore[misc]  # not in the stubs


# --------------------------------------------------------------------------- figures
#
# An exercise's figure or a knee diagram is the same in every booklet that shows it: its
# drawing is built and walked by reportlab's renderer once per process, and replayed after.


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


class Figure(Flowable):
    """A drawing whose canvas calls are recorded the first time it is drawn and replayed after.

    The replayed calls are the ones reportlab's renderer would make, in the same order, so the
    page is the same.
    """

    def __init__(self, drawing: Drawing) -> None:
        super().__init__()
        self.drawing = st.embedded(drawing)
        self._calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = self.drawing.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        if self._calls is None:
            log = _CanvasLog()
            renderPDF.draw(self.drawing, log, 0, 0)  # type: ignore[arg-type]
            self._calls = log.calls
        canvas: Canvas = self.canv
        for name, args, kw in self._calls:
            if name == "=_fillMode":
                setattr(canvas, "_fillMode", args[0])  # noqa: B010 - a private name, set as the renderer sets it
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
    before = rl_config.shapeChecking
    rl_config.shapeChecking = 0
    try:
        yield
    finally:
        rl_config.shapeChecking = before


@functools.lru_cache(maxsize=256)
def pose_figure(pose: Pose, width: float, height: float) -> Figure:
    """An exercise's figure, drawn once per process."""
    with _unchecked_shapes():
        return Figure(pose_drawing(pose, width, height, font=st.FONT))


@functools.lru_cache(maxsize=64)
def knee_figure(region: KneeRegion, width: float, height: float) -> Figure:
    """The knee diagram of a region, drawn once per process."""
    with _unchecked_shapes():
        return Figure(knee_diagram(region, width, height, font=st.FONT))


# --------------------------------------------------------------------------- recorded pages
#
# The booklet's pages that depend only on the condition's data, the paper and the brand colour
# (the condition, how to use the plan, the exercise cards, the advice, the sources) are the same
# for every runner of a batch. They are laid out once per process in a document of their own,
# their page contents kept, and written into each runner's booklet as they are. A page's text
# refers to the font subsets by codes given out in order of first use, so each booklet first
# gives out the codes in the order the recording did ("primes" its fonts) and the kept pages
# read the same.

#: Marks a kept page cannot carry: images and forms (Do), graphics states (gs), shadings (sh),
#: which name resources of the document that drew them.
_FOREIGN = re.compile(r"(?:^|\s)(?:Do|gs|sh)(?:\s|$)")
_STRING = re.compile(r"\((?:\\.|[^\\)])*\)")  # a PDF string literal, escapes included


class Prime(NamedTuple):
    """The fonts a recording used, in the order it named them, each with its characters in the
    order it gave them codes."""

    fonts: tuple[tuple[str, str], ...]


def page_code(canvas: Any) -> list[str]:
    """What has been drawn on the canvas's current page, as PDF content."""
    return list(canvas._code)


def replayable(pages: list[list[str]]) -> bool:
    """Whether kept pages name no resource but fonts (which the priming gives the same names);
    the text they show is left out of the search."""
    return not any(_FOREIGN.search(_STRING.sub("()", op)) for page in pages for op in page)


def prime_of(canvas: Any) -> Prime:
    """The order in which the canvas's document named its fonts and coded their characters."""
    doc = canvas._doc
    fonts = []
    for name in doc.fontMapping:
        font = pdfmetrics.getFont(name)
        state = getattr(font, "state", {}).get(doc)
        if state is None:  # a standard font: named, no codes
            fonts.append((name, ""))
            continue
        chars = sorted(state.assignments, key=state.assignments.__getitem__)
        fonts.append((name, "".join(map(chr, chars))))
    return Prime(tuple(fonts))


def apply_prime(canvas: Any, prime: Prime) -> None:
    """Name the fonts and code their characters in the recorded order, before anything is drawn."""
    doc = canvas._doc
    for name, chars in prime.fonts:
        font: Any = pdfmetrics.getFont(name)
        if not getattr(font, "_dynamicFont", False):
            doc.getInternalFontName(name)
            continue
        subsets = {subset for subset, _ in font.splitString(chars, doc)} or {0}
        for subset in sorted(subsets):
            font.getSubsetInternalName(subset, doc)


def emit(canvas: Any, code: list[str]) -> None:
    """Write kept page content onto the canvas's current page."""
    canvas._code.extend(code)
