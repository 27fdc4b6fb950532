"""The booklet's drawings as SVG, for the web page's "where does it hurt" picker."""

from __future__ import annotations

import functools

from reportlab.graphics import renderSVG

from ..catalog.models import KneeRegion
from .pdf.figures import knee_diagram

#: The size the web page shows a knee diagram at, in CSS pixels.
KNEE_SIZE = (150, 95)


@functools.cache
def knee_svg(region: str) -> bytes | None:
    """The knee diagram marking `region` as SVG bytes (drawn once per process); None for an
    unknown region."""
    try:
        where = KneeRegion(region)
    except ValueError:
        return None
    return renderSVG.drawToString(knee_diagram(where, *KNEE_SIZE)).encode("utf-8")
