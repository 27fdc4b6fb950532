"""The booklet: every section, from the cover to the disclaimer, in one document."""

from __future__ import annotations

import functools
import io

from reportlab.platypus import Flowable

from ...planning.plan import Plan
from ...wording import booklet as words
from ..options import BookletOptions
from . import pagecache, sections
from .cards import exercises
from .cover import cover, cover_page
from .document import BookletCanvas, new_document
from .flowables import Kit
from .glance import glance
from .grid import weeks
from .handout import to_handout_pdf


def _condition(k: Kit) -> list[Flowable]:
    return sections.condition(k)


def _cards_and_advice(k: Kit) -> list[Flowable]:
    g = k.plan.guidance
    return [
        *exercises(k),
        *sections.ice_heat(k),
        *sections.advice(k, words.MISTAKES, g.training_mistakes, new_page=True),
        *sections.advice(k, words.RECOVERY, g.recovery, new_page=False),
    ]


def _closing(k: Kit) -> list[Flowable]:
    return [*sections.medicines(k), *sections.sources(k), *sections.disclaimer(k)]


#: The sections that are the same for every runner of a condition, paper and brand colour, in
#: blocks of whole pages (see pagecache). "How to use the plan" is not: it shows the runner's
#: own ladder and self-tests.
FIXED = (_condition, _cards_and_advice, _closing)


def to_pdf(plan: Plan, options: BookletOptions) -> bytes:
    """The booklet as PDF bytes (deterministic): in full, from cover to disclaimer, or the short
    handout when the options ask for it."""
    if options.layout == "handout":
        return to_handout_pdf(plan, options)
    k = Kit(plan, options)
    kept = pagecache.recording(k, FIXED)

    def fixed(i: int) -> list[Flowable]:
        return pagecache.kept_pages(kept, i) if kept is not None else FIXED[i](k)

    story: list[Flowable] = [
        *cover(k),
        *sections.stop(k),
        *fixed(0),
        *glance(k),
        *sections.how_to_use(k),
        *weeks(k),
        *fixed(1),
        *sections.log(k),
        *fixed(2),
    ]
    maker = functools.partial(BookletCanvas, prime=kept.prime) if kept is not None else BookletCanvas
    buf = io.BytesIO()
    new_document(buf, k).build(story, onFirstPage=cover_page(k.page, k.brand.accent), canvasmaker=maker)
    return buf.getvalue()
