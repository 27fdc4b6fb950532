"""Regenerate samples/: a booklet, summary and calendar for every condition, plus PNG previews.

Run from the repository root:  python scripts/make_samples.py
It needs the test extra (pip install '.[test]'); the previews need pdftoppm (Debian/Ubuntu: apt-get install poppler-utils).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

from rehabplan import BookletOptions, CalendarOptions, PlanRequest, booklet_pdf, build_plan, load_catalog, render_all
from rehabplan.app.inputs import default_paper
from rehabplan.app.outputs import output_names

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
START = dt.date(2027, 3, 1)
ATHLETES = {
    "itbs": ("Sam O'Brien", 30, "mi", "America/New_York"),
    "runners-knee": ("Zoë Ørsted", 40, "km", "Europe/Copenhagen"),
    "patellar-tendinopathy": ("Łukasz Żółć", 35, "km", "Europe/Warsaw"),
    "bursitis-prepatellar": ("Ξένια Παππά", 20, "mi", "Europe/Athens"),
    "bursitis-pes-anserine": ("Жанна Иванова", 25, "km", "Europe/Riga"),
    "meniscus": ("Priya Nair", 18, "mi", "America/Chicago"),
    "osteoarthritis": ("Margaret Hughes", 15, "mi", "Europe/London"),
}


def main() -> int:
    catalog = load_catalog()
    SAMPLES.mkdir(exist_ok=True)
    for old in SAMPLES.iterdir():
        if old.suffix in (".pdf", ".ics", ".json", ".png"):
            old.unlink()
    previews_from = None
    for proto_id, (name, miles, unit, tz) in ATHLETES.items():
        proto = catalog.protocols[proto_id]
        request = PlanRequest(
            condition=proto.condition, site=proto.site, mileage=miles, units=unit, start=START, athlete=name
        )
        plan = build_plan(request, catalog)
        booklet = BookletOptions(
            paper=default_paper(unit),
            coach="Ana Ruiz",
            clinic="Riverside Running Clinic",
            contact="clinic@example.org · 020 7946 0000",
        )
        files = render_all(plan, booklet, CalendarOptions(tz=tz)).files
        for fname, data in files.items():
            if fname.endswith("-summary.pdf") and proto_id != "itbs":
                continue  # one summary sheet is enough to show the format
            (SAMPLES / fname).write_bytes(data)
        if proto_id == "itbs":
            previews_from = SAMPLES / output_names(plan)[0]
            # the short handout, in the clinic's own colour
            handout = booklet.model_copy(update={"layout": "handout", "accent": "#0b5563"})
            stem = output_names(plan)[0].removesuffix("-booklet.pdf")
            (SAMPLES / f"{stem}-handout.pdf").write_bytes(booklet_pdf(plan, handout))
        print(f"{proto_id}: {len(plan.weeks)} weeks, ends {plan.end}")
    if previews_from is not None:
        _previews(previews_from)
    return 0


def _previews(pdf: Path) -> None:
    """PNG previews of the cover, a week-by-week page, an exercise page, the summary sheet and the
    handout's exercise page."""
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: previews not made (apt-get install poppler-utils)", file=sys.stderr)
        return
    reader = PdfReader(pdf)
    texts = [page.extract_text() or "" for page in reader.pages]
    # a week-by-week page with a walk/run week in its grid (the grid's header row reads Week, Mon, Tue, ...)
    week_page = next(i for i, t in enumerate(texts) if "Week\nMon\nTue" in t and "☐ Walk/run" in t) + 1
    exercise_page = next(i for i, t in enumerate(texts) if "Too easy? Make it harder" in t) + 1
    with tempfile.TemporaryDirectory() as tmp:
        for label, page in (("cover", 1), ("week", week_page), ("exercises", exercise_page)):
            base = Path(tmp) / label
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(base)],
                check=True,
            )
            shutil.copy(f"{base}.png", SAMPLES / f"preview-{label}.png")
        for label, other in (("summary", "-summary.pdf"), ("handout", "-handout.pdf")):
            source = pdf.with_name(pdf.name.removesuffix("-booklet.pdf") + other)
            page = 1 if label == "summary" else _page_with(source, "Your exercises")
            base = Path(tmp) / label
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "70",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(source),
                    str(base),
                ],
                check=True,
            )
            shutil.copy(f"{base}.png", SAMPLES / f"preview-{label}.png")


def _page_with(pdf: Path, heading: str) -> int:
    """The first page whose text holds the heading."""
    return next(i for i, page in enumerate(PdfReader(pdf).pages, 1) if heading in (page.extract_text() or ""))


if __name__ == "__main__":
    sys.exit(main())
