"""Pages laid out once per process: the booklet's sections that are the same for every runner of
a condition, paper and brand colour, kept as drawn and written into each booklet as they are.

Only processes that render many booklets (a batch's workers, the web page's) turn this on: the
first booklet of a condition pays for one more layout of those pages, every later one saves it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable, PageBreak

from . import speedups
from .document import BookletCanvas, KeptPage, new_document
from .flowables import Kit

Block = Callable[[Kit], list[Flowable]]
#: A kept page: its content, the sections whose headings it holds, the section its footer names.
Page = tuple[list[str], tuple[str, ...], str]

_CACHE: dict[tuple[Any, ...], Recording | None] = {}
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


def recording(k: Kit, blocks: Sequence[Block]) -> Recording | None:
    """The kept pages of these blocks for this plan's condition data, paper and brand colour
    (laid out on first use); None when keeping is off or the pages cannot be kept."""
    if not _enabled:
        return None
    plan, opt = k.plan, k.options
    # the guidance but for what the runner's own plan changes (shown outside the kept blocks)
    guidance = tuple(v for name, v in plan.guidance if name not in _OWN)
    key = (tuple(blocks), opt.paper, opt.accent, plan.info, plan.exercises, guidance)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = _record(k, blocks)
    return _CACHE[key]


def kept_pages(rec: Recording, index: int) -> list[Flowable]:
    """A block's kept pages, each on a page of its own."""
    return [PageBreak(), *(KeptPage(code, titles, section) for code, titles, section in rec.blocks[index])]
