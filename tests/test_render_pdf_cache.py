"""The PDF renderer's per-process caches never change what a document shows."""

from __future__ import annotations

import datetime as dt

from rehabplan.models import BookletOptions, PlanRequest
from rehabplan.planner import build_plan
from rehabplan.render import pdf

START = dt.date(2027, 3, 1)


def _plan(catalog, condition: str, mileage: float, weeks_off: int = 0):
    return build_plan(PlanRequest(condition=condition, mileage=mileage, start=START, weeks_off=weeks_off), catalog)


def test_documents_do_not_depend_on_what_the_process_rendered_before(catalog) -> None:
    """A booklet and summary rendered with empty caches (text and figures) match the same ones rendered after other plans."""
    target = _plan(catalog, "patellar-tendinopathy", 24, weeks_off=2)
    options = BookletOptions(paper="a4", coach="Coach Kim")
    pdf._PARSED.clear()
    pdf._WRAPPED.clear()
    pdf._pose_figure.cache_clear()  # the first booklet draws its figures; the later ones replay them
    pdf._knee_figure.cache_clear()
    cold_summary = pdf.to_summary_pdf(target, options)
    cold_booklet = pdf.to_pdf(target, options)
    # Other plans in between: shared texts (day names, doses, the disclaimer) come from the caches,
    # and summary layouts that do not fit make reportlab drop and redo line breaking.
    for condition, mileage in (("itbs", 10), ("runners-knee", 17), ("meniscus", 30)):
        other = _plan(catalog, condition, mileage)
        pdf.to_pdf(other, BookletOptions())
        pdf.to_summary_pdf(other, BookletOptions())
    assert pdf.to_summary_pdf(target, options) == cold_summary
    assert pdf.to_pdf(target, options) == cold_booklet


def test_summary_after_booklet_renders_for_every_condition(catalog) -> None:
    """Rendering each condition's booklet then its summary in one process gives two valid PDFs."""
    for condition in ("itbs", "runners-knee", "patellar-tendinopathy", "bursitis", "meniscus", "osteoarthritis"):
        plan = _plan(catalog, condition, 12)
        booklet = pdf.to_pdf(plan, BookletOptions())
        summary = pdf.to_summary_pdf(plan, BookletOptions())
        assert booklet.startswith(b"%PDF") and summary.startswith(b"%PDF")
        assert summary.count(b"/Type /Page\n") == 1
