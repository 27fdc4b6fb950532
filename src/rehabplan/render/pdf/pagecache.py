"""Pages laid out once per process: the booklet's sections that are the same for every runner of
a condition, paper, brand colour and clinic, kept as drawn and written into each booklet as they
are; and, for the handout, such flowables kept one by one (its red flags and exercise cards
start wherever the page before leaves room).

Processes that render many booklets (a batch's workers, the web page's) turn this on: the first
booklet of a condition pays for one more layout of those pages, every later one saves it. Kept
content also goes into the user's cache (see below), so `make` turns it on when there is one:
the next command, in a new process, reads the pages instead of laying them out.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pydantic_core
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, PageBreak, Spacer

from ... import usercache
from . import speedups
from .document import CANVAS_START, FRAME_PAD, BookletCanvas, KeptPage, new_document
from .flowables import Kit

Block = Callable[[Kit], list[Flowable]]
#: A kept page: its content, the sections whose headings it holds, the section its footer names.
Page = tuple[list[str], tuple[str, ...], str]

_CACHE: dict[tuple[Any, ...], Recording | Kept | None] = {}  # in this process, by blocks and inputs
_CACHE_MAX = 32
_enabled = False
#: Guidance that differs from runner to runner of a condition; the kept blocks must not show it.
_OWN = frozenset({"ladder_steps", "ladder_name", "readiness_tests"})


def enable(on: bool = True) -> bool:
    """Keep the fixed pages from now on in this process (or, off, lay them out every time); the
    setting it had before."""
    global _enabled
    before, _enabled = _enabled, on
    return before


@contextlib.contextmanager
def kept_if_cached() -> Iterator[None]:
    """For a command that renders one booklet: keep pages while it renders when the user's cache
    can hold them for the next command (laying them out to keep for this one alone would only
    cost time); the setting before, after."""
    before = enable(_enabled or usercache.cache_dir() is not None)
    try:
        yield
    finally:
        enable(before)


@dataclass(frozen=True)
class Recording:
    """The fixed pages of each block, the sections starting on each page, and the font order."""

    blocks: tuple[tuple[Page, ...], ...]
    prime: speedups.Prime


class _Mark(Flowable):
    """A block's start in the recording: notes the page it falls on."""

    def __init__(self, starts: list[int]) -> None:
        super().__init__()
        self._starts = starts

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        self._starts.append(self.canv.getPageNumber())


class _Recorder(BookletCanvas):
    """A canvas that keeps each page's content as it is finished."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.pages: list[list[str]] = []
        self.prime = speedups.Prime(())

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self.pages.append(speedups.page_code(self))
        super().showPage()

    def save(self) -> None:
        self.prime = speedups.prime_of(self)  # before saving, which lets the fonts' codes go
        super().save()


def _record(k: Kit, blocks: Sequence[Block]) -> Recording | None:
    starts: list[int] = []
    story: list[Flowable] = []
    for i, block in enumerate(blocks):
        part = block(k)
        lead = 1 if part and isinstance(part[0], PageBreak) else 0
        if i == 0:
            part, lead = part[lead:], 0  # the recording opens on the block's first page
        story += [*part[:lead], _Mark(starts), *part[lead:]]  # the mark falls on the block's first page
    canvases: list[_Recorder] = []

    def maker(*args: Any, **kw: Any) -> _Recorder:
        canvases.append(_Recorder(*args, **kw))
        return canvases[-1]

    doc = new_document(io.BytesIO(), k, footer_from=10**9)
    doc.build(story, canvasmaker=maker)
    canvas = canvases[-1]
    pages = canvas.pages
    if len(starts) != len(blocks) or not speedups.replayable(pages):
        return None
    heads: dict[int, list[str]] = {}
    for title, page in canvas.sections:
        heads.setdefault(page, []).append(title)
    kept: list[tuple[Page, ...]] = []
    section = ""
    ends = [*starts[1:], len(pages) + 1]
    for first, end in zip(starts, ends, strict=True):
        block_pages: list[Page] = []
        for page in range(first, end):
            titles = tuple(heads.get(page, ()))
            section = titles[-1] if titles else section
            block_pages.append((pages[page - 1], titles, section))
        kept.append(tuple(block_pages))
    return Recording(tuple(kept), canvas.prime)


def _inputs(k: Kit) -> tuple[Any, ...]:
    """What kept content shows besides its blocks: the condition's data, the paper, the units, the
    brand colour and the clinic; the guidance but for what the runner's own plan changes (shown
    outside kept content)."""
    plan, opt = k.plan, k.options
    guidance = tuple(v for name, v in plan.guidance if name not in _OWN)
    return (opt.paper, opt.accent, opt.clinic, opt.contact, plan.unit, plan.info, plan.exercises, guidance)


def _kept(k: Kit, blocks: Sequence[Block], make: Callable[[], Recording | Kept | None]) -> Recording | Kept | None:
    """Kept content from this process, else from the user's cache, else made now (and cached)."""
    inputs = _inputs(k)
    key = (tuple(blocks), *inputs)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        stored = _disk_key(blocks, inputs)
        found = _from_disk(stored) if stored is not None else None
        if found is None:
            found = make()
            if found is not None and stored is not None:
                usercache.store(_DISK_KIND, stored, _to_json(found), _DISK_KEEP)
        _CACHE[key] = found
    return _CACHE[key]


# --------------------------------------------------------------------------- in the user's cache
#
# A later command (a make, a batch's workers, a restarted web page) reads the kept content back
# from the user's cache (see rehabplan.usercache: signed entries, nothing that can run code)
# instead of laying it out again. An entry is tied to the code that draws and words the pages,
# the versions of rehabplan, reportlab and Python, the fonts, and the same inputs as above.

_DISK_KIND = "pages"
_DISK_KEEP = 64  # entries kept: conditions x papers x colours, booklet pages and handout cards
_DISK_MAX = 16_000_000


@functools.cache
def _code_digest() -> bytes:
    """The code, versions and fonts that kept content depends on, beyond its inputs."""
    import reportlab

    from ... import __version__
    from ...catalog import models
    from ...planning import plan, sessions

    h = hashlib.sha256(f"{__version__}\0{reportlab.Version}\0{sys.version}\0".encode())
    here = Path(__file__).parent
    sources = [
        *sorted(here.glob("*.py")),
        here.parent / "options.py",
        *sorted((here.parent.parent / "wording").glob("*.py")),
        *(Path(str(m.__file__)) for m in (models, plan, sessions)),
    ]
    for path in sources:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in sorted(pdfmetrics.getRegisteredFontNames()):
        face = getattr(pdfmetrics.getFont(name), "face", None)
        filename = getattr(face, "filename", None)
        if filename:
            h.update(f"{name}\0{os.path.getsize(filename)}\0".encode())
    return h.digest()


def _disk_key(blocks: Sequence[Block], inputs: tuple[Any, ...]) -> str | None:
    """The name of kept content in the user's cache; None when there is no cache."""
    if usercache.cache_dir() is None:
        return None
    try:
        h = hashlib.sha256(_code_digest())
        h.update(pydantic_core.to_json([[f"{b.__module__}.{b.__qualname__}" for b in blocks], *inputs]))
        return h.hexdigest()[:40]
    except (OSError, ValueError, TypeError):
        return None


def _to_json(found: Recording | Kept) -> bytes:
    prime = [list(font) for font in found.prime.fonts]
    if isinstance(found, Recording):
        blocks = [[[code, list(titles), section] for code, titles, section in block] for block in found.blocks]
        return json.dumps({"pages": blocks, "prime": prime}).encode()
    kept = [[part if isinstance(part, float) else list(part) for part in block] for block in found.blocks]
    return json.dumps({"flowables": kept, "prime": prime}).encode()


def _part(part: Any) -> _Drawn | float:
    """A kept flowable (or a spacer's height) as read back."""
    if isinstance(part, (int, float)):
        return float(part)
    width, height, code, align, before, after = part
    return _Drawn(float(width), float(height), [str(op) for op in code], align, float(before), float(after))


def _from_disk(key: str) -> Recording | Kept | None:
    """Kept content read back, or None when there is none (or it does not read as kept content)."""
    body = usercache.load(_DISK_KIND, key, _DISK_MAX)
    if body is None:
        return None
    try:
        data = json.loads(body)
        prime = speedups.Prime(tuple((str(name), str(chars)) for name, chars in data["prime"]))
        if "pages" in data:
            blocks = tuple(
                tuple(
                    ([str(op) for op in code], tuple(map(str, titles)), str(section)) for code, titles, section in block
                )
                for block in data["pages"]
            )
            return Recording(blocks, prime)
        kept = tuple(tuple(_part(part) for part in block) for block in data["flowables"])
        return Kept(kept, prime)
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def recording(k: Kit, blocks: Sequence[Block]) -> Recording | None:
    """The kept pages of these blocks for this plan's condition data, paper and brand colour
    (laid out on first use); None when keeping is off or the pages cannot be kept."""
    if not _enabled:
        return None
    found = _kept(k, blocks, lambda: _record(k, blocks))
    return found if isinstance(found, Recording) else None


def kept_pages(rec: Recording, index: int) -> list[Flowable]:
    """A block's kept pages, each on a page of its own."""
    return [PageBreak(), *(KeptPage(code, titles, section) for code, titles, section in rec.blocks[index])]


# --------------------------------------------------------------------------- kept flowables


class _Drawn(NamedTuple):
    """One flowable as drawn: its size, its content and how the frame places it."""

    width: float
    height: float
    code: list[str]
    h_align: Any  # reportlab's alignment: a name or a number
    space_before: float
    space_after: float


@dataclass(frozen=True)
class Kept:
    """Blocks of flowables, each flowable drawn once (a spacer is kept as its height), and the
    font order of the drawing."""

    blocks: tuple[tuple[_Drawn | float, ...], ...]
    prime: speedups.Prime

    def flowables(self, index: int) -> list[Flowable]:
        """A block for one document (reportlab marks the flowables it places, so each document
        gets its own)."""
        return [Spacer(1, part) if isinstance(part, float) else KeptFlowable(part) for part in self.blocks[index]]


class KeptFlowable(Flowable):
    """A flowable as drawn once: its size, and its content, written where the frame places it."""

    def __init__(self, drawn: _Drawn) -> None:
        super().__init__()
        self.width, self.height, self.code = drawn.width, drawn.height, drawn.code
        self.hAlign = drawn.h_align
        self.spaceBefore, self.spaceAfter = drawn.space_before, drawn.space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        speedups.emit(self.canv, self.code)


def _draw_once(k: Kit, blocks: Sequence[Block]) -> Kept | None:
    """Draw each flowable of the blocks once, at the origin of a page of the booklet's canvas (as
    a frame would, from the page's first state and with the frame's width); None when one cannot
    be kept."""
    canvas = BookletCanvas(io.BytesIO(), pagesize=k.page.size, invariant=True, **CANVAS_START)
    width = k.width - 2 * FRAME_PAD
    kept: list[tuple[_Drawn | float, ...]] = []
    drawn: list[list[str]] = []
    for block in blocks:
        parts: list[_Drawn | float] = []
        for flowable in block(k):
            w, h = flowable.wrapOn(canvas, width, 1e6)
            if isinstance(flowable, Spacer):
                parts.append(float(h))
                continue
            start = len(speedups.page_code(canvas))
            flowable.drawOn(canvas, 0, 0)
            code = speedups.page_code(canvas)[start:]
            drawn.append(code)
            align = getattr(flowable, "hAlign", "LEFT")
            parts.append(_Drawn(w, h, code, align, flowable.getSpaceBefore(), flowable.getSpaceAfter()))
        kept.append(tuple(parts))
    if not speedups.replayable(drawn):
        return None
    return Kept(tuple(kept), speedups.prime_of(canvas))


def kept_flowables(k: Kit, blocks: Sequence[Block]) -> Kept | None:
    """Blocks of flowables (none of which splits) drawn once for this plan's condition data, paper,
    brand colour and clinic; None when keeping is off or they cannot be kept. The document that
    shows them must name its fonts in the kept order (BookletCanvas's `prime`)."""
    if not _enabled:
        return None
    found = _kept(k, blocks, lambda: _draw_once(k, blocks))
    return found if isinstance(found, Kept) else None
