"""The booklet: every section, from the cover to the disclaimer, in one document."""

from __future__ import annotations

import io

from reportlab.platypus import Flowable

from ...planning.plan import Plan
from ...wording import booklet as words
from ..options import BookletOptions
from . import sections
from .cards import exercises
from .cover import cover, cover_page
from .document import BookletCanvas, new_document
from .flowables import Kit
from .glance import glance
from .grid import weeks
from .handout import to_handout_pdf


def to_pdf(plan: Plan, options: BookletOptions) -> bytes:
    """The booklet as PDF bytes (deterministic): in full, from cover to disclaimer, or the short
    handout when the options ask for it."""
    if options.layout == "handout":
        return to_handout_pdf(plan, options)
    k = Kit(plan, options)
    g = plan.guidance
    story: list[Flowable] = [
        *cover(k),
        *sections.stop(k),
        *sections.condition(k),
        *glance(k),
        *sections.how_to_use(k),
        *weeks(k),
        *exercises(k),
        *sections.ice_heat(k),
        *sections.advice(k, words.MISTAKES, g.training_mistakes, new_page=True),
        *sections.advice(k, words.RECOVERY, g.recovery, new_page=False),
        *sections.log(k),
        *sections.medicines(k),
        *sections.sources(k),
        *sections.disclaimer(k),
    ]
    buf = io.BytesIO()
    new_document(buf, k).build(story, onFirstPage=cover_page(k.page, k.brand.accent), canvasmaker=BookletCanvas)
    return buf.getvalue()
