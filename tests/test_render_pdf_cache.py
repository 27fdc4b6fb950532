"""What a process rendered before never changes what a booklet or summary shows."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import sys

from pypdf import PdfReader

from rehabplan import BookletOptions, PlanRequest, booklet_pdf, build_plan, summary_pdf

START = dt.date(2027, 3, 1)

# Renders the target plan in a fresh process, where nothing was rendered before, and prints the
# digests of its booklet and summary.
_COLD = """
import datetime as dt, hashlib, rehabplan
plan = rehabplan.build_plan(rehabplan.PlanRequest(
    condition="patellar-tendinopathy", mileage=24, start=dt.date(2027, 3, 1), weeks_off=2), rehabplan.load_catalog())
options = rehabplan.BookletOptions(paper="a4", coach="Coach Kim")
for render in (rehabplan.summary_pdf, rehabplan.booklet_pdf):
    print(hashlib.sha256(render(plan, options)).hexdigest())
"""


def _plan(catalog, condition: str, mileage: float, weeks_off: int = 0):
    return build_plan(PlanRequest(condition=condition, mileage=mileage, start=START, weeks_off=weeks_off), catalog)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_documents_do_not_depend_on_what_the_process_rendered_before(catalog) -> None:
    """A booklet and summary rendered after other plans' match the same ones rendered first thing in a fresh process."""
    cold = subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True, check=True).stdout.split()
    # Other plans first: shared texts (day names, doses, the disclaimer) and figures are reused
    # from them, and summary layouts that do not fit are measured and left.
    for condition, mileage in (("itbs", 10), ("runners-knee", 17), ("meniscus", 30)):
        other = _plan(catalog, condition, mileage)
        booklet_pdf(other, BookletOptions())
        summary_pdf(other, BookletOptions())
    target = _plan(catalog, "patellar-tendinopathy", 24, weeks_off=2)
    options = BookletOptions(paper="a4", coach="Coach Kim")
    assert [_digest(summary_pdf(target, options)), _digest(booklet_pdf(target, options))] == cold


def test_summary_after_booklet_renders_for_every_condition(catalog) -> None:
    """Rendering each condition's booklet then its summary in one process gives two valid PDFs, the summary one page."""
    for condition in ("itbs", "runners-knee", "patellar-tendinopathy", "bursitis", "meniscus", "osteoarthritis"):
        plan = _plan(catalog, condition, 12)
        booklet = booklet_pdf(plan, BookletOptions())
        summary = summary_pdf(plan, BookletOptions())
        assert len(PdfReader(io.BytesIO(booklet)).pages) > 10
        assert len(PdfReader(io.BytesIO(summary)).pages) == 1
