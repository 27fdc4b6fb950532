"""Print that reads: type sizes, page fill, the sources page and the handout's length, measured on
the PDFs themselves for every condition on both papers."""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import rehabplan
from rehabplan import PlanRequest, build_plan, load_catalog
from rehabplan.app import inputs
from rehabplan.catalog.models import KneeRegion
from rehabplan.cli import app
from rehabplan.errors import InputError
from rehabplan.wording import booklet as words

MM = 72 / 25.4
TOP, BOTTOM = 18 * MM, 20 * MM  # the booklet's page margins
FOOTER_BAND = BOTTOM - 2  # the footer line is drawn below the frame
_LABEL = re.compile(r"^[\d\s.,:–-]*(mi|km|Week|[0-9]+ [A-Z][a-z]{2}( [0-9]{4})?)?$")


@dataclass
class Run:
    page: int
    text: str
    size: float
    y: float


def runs(pdf: bytes) -> Iterator[Run]:
    """Every piece of text drawn, with its page, size and height on the page."""
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, 1):
        found: list[tuple[str, float, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float, out=found) -> None:
            if text.strip():
                out.append((text.strip(), round(size * abs(tm[3] * cm[3]), 2), tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
        yield from (Run(number, *f) for f in found)


def sections(pdf: bytes) -> list[tuple[str, int]]:
    """The outline's sections with their first pages."""
    reader = PdfReader(io.BytesIO(pdf))
    return [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline]


@functools.cache
def _catalog():
    return load_catalog()


def _labels(catalog) -> set[str]:
    """Words that figures and charts print as labels (they may be smaller than table text)."""
    out: set[str] = set()
    for ex in catalog.exercises.values():
        for frame in ex.pose.frames:
            out |= set(frame.label.split())
    for region in KneeRegion:
        front, side, across, along = words.knee_views(region)
        out |= {*front.split(), *side.split(), *across, *along}
    return out


def _plans(catalog, mileage: float = 30):
    for p in catalog.protocols.values():
        yield build_plan(
            PlanRequest(condition=p.condition, site=p.site, mileage=mileage, start=dt.date(2027, 3, 1)), catalog
        )


@pytest.fixture(scope="module")
def booklets(catalog) -> list[tuple[str, bytes]]:
    options = rehabplan.BookletOptions
    out = []
    for plan in _plans(catalog):
        for paper in ("letter", "a4"):
            opts = options(paper=paper, clinic="Riverside Running Clinic", contact="020 7946 0000")
            out.append((f"{plan.condition}-{plan.site or ''}-{paper}", rehabplan.booklet_pdf(plan, opts)))
    return out


def test_body_text_is_10pt_and_tables_9pt(booklets, catalog):
    """No text under 9 pt but footers and the labels inside figures and charts; the running text of
    the advice sections is 10 pt or more."""
    labels = _labels(catalog)
    for name, pdf in booklets:
        small = [
            r
            for r in runs(pdf)
            if r.size < 9 and r.y > FOOTER_BAND and not _LABEL.match(r.text) and not (set(r.text.split()) <= labels)
        ]
        assert not small, (name, [(r.page, r.size, r.text[:30]) for r in small[:10]])
        starts = dict(sections(pdf))
        advice_pages = range(starts[words.ICE_HEAT], starts[words.LOG])
        body = [r for r in runs(pdf) if r.page in advice_pages and r.y > FOOTER_BAND and len(r.text) > 30]
        assert body and min(r.size for r in body) >= 10, name


def _extremes(catalog) -> list[tuple[str, bytes]]:
    """The shortest and longest plans of two conditions, on both papers."""
    out = []
    for condition, mileage, paper in itertools.product(("itbs", "osteoarthritis"), (7, 150), ("letter", "a4")):
        plan = build_plan(PlanRequest(condition=condition, mileage=mileage, start=dt.date(2027, 3, 1)), catalog)
        out.append(
            (f"{condition}-{mileage}-{paper}", rehabplan.booklet_pdf(plan, rehabplan.BookletOptions(paper=paper)))
        )
    return out


@pytest.mark.parametrize("which", ["every condition", "shortest and longest"])
def test_no_page_under_a_third_full_but_a_sections_last(booklets, catalog, which):
    """Every page that does not end a section is filled at least a third of the way down."""
    for name, pdf in booklets if which == "every condition" else _extremes(catalog):
        reader = PdfReader(io.BytesIO(pdf))
        height = float(reader.pages[0].mediabox.height)
        frame = height - TOP - BOTTOM
        starts = [p for _, p in sections(pdf)]
        lowest: dict[int, float] = {}
        for r in runs(pdf):
            if r.y > FOOTER_BAND:
                lowest[r.page] = min(lowest.get(r.page, height), r.y)
        last_of_section = {p - 1 for p in starts} | {len(reader.pages)}
        for page in range(2, len(reader.pages) + 1):
            if page in last_of_section:
                continue
            filled = (height - TOP - lowest.get(page, height - TOP)) / frame
            assert filled >= 1 / 3, (name, page, round(filled, 2))


def test_sources_take_at_most_a_page(booklets):
    """The sources are short references (no titles of papers, no long addresses) that take no more
    than one page's height, from their heading to the next section's."""
    for name, pdf in booklets:
        starts = dict(sections(pdf))
        first, end = starts[words.SOURCES], starts[words.ABOUT]
        height = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height)
        found = list(runs(pdf))
        head = next(r.y for r in found if r.page == first and r.text == words.SOURCES)
        about = next(r.y for r in found if r.page == end and r.text == words.ABOUT)
        refs = [r for r in found if (r.page, -r.y) > (first, -head) and (r.page, -r.y) < (end, -about)]
        page = max(r.page for r in refs)
        top = max(r.y for r in refs if r.page == first) + 10  # the first reference's first line
        low = min(r.y for r in refs if r.page == page)  # the references' last line
        tall = top - low if page == first else (top - BOTTOM) + (height - TOP - low)
        assert page - first <= 1 and tall <= height - TOP - BOTTOM, (name, round(tall))
        text = [r.text for r in found if first <= r.page <= end]
        assert not any("https://" in t for t in text), name
        assert any("doi:" in t for t in text), name


# --------------------------------------------------------------------------- the brand colour


def _fills(pdf: bytes) -> set[tuple[float, float, float]]:
    """Every fill colour the PDF's pages set."""
    out = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        data = page.get_contents().get_data().decode("latin-1")
        out |= {tuple(round(float(v), 3) for v in m) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", data)}
    return out


def test_accent_colours_the_booklet_and_handout(runner, tmp_path):
    """--accent is the colour of headings and bands in the booklet and the handout, and is kept
    in the plan's settings so a re-plan prints it again."""
    for layout in ("full", "handout"):
        out = tmp_path / layout
        args = ["make", "-c", "itbs", "-m", "30", "--start", "2027-03-01", "--tz", "UTC", "-o", str(out)]
        result = runner.invoke(app, [*args, "--accent", "#7A1F3D", "--booklet", layout])
        assert result.exit_code == 0, result.output
        fills = _fills(next(out.glob("*-booklet.pdf")).read_bytes())
        assert (round(0x7A / 255, 3), round(0x1F / 255, 3), round(0x3D / 255, 3)) in fills
        assert (round(0x0D / 255, 3), round(0x4F / 255, 3), round(0x63 / 255, 3)) not in fills  # not the default
        settings = json.loads(next(out.glob("*-plan.json")).read_text())["settings"]["booklet"]
        assert settings["accent"] == "#7a1f3d" and settings["layout"] == layout


@pytest.mark.parametrize("colour", ["#ffcc00", "#cccccc", "#3399ff", "teal", "#12345", "#0b556"])
def test_accent_too_light_or_not_a_colour_is_one_line(runner, tmp_path, colour):
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--accent", colour, "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--accent" in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


@given(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)))
def test_accepted_accents_are_dark_enough_in_grey(rgb):
    """A colour is taken exactly when it reaches 4.5:1 against white, and one taken prints as a
    mid-to-dark grey, so white text on its bands and the colour on paper both read."""
    colour = "#{:02x}{:02x}{:02x}".format(*rgb)
    try:
        taken = inputs.parse_accent(colour)
    except InputError:
        assert inputs.contrast_with_white(colour) < inputs.MIN_CONTRAST
        return
    assert taken == colour
    grey = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255
    assert inputs.contrast_with_white(colour) >= inputs.MIN_CONTRAST and grey <= 0.6


# --------------------------------------------------------------------------- the handout


@settings(max_examples=40, deadline=None)
@given(
    protocol=st.sampled_from(
        ["itbs", "runners-knee", "patellar-tendinopathy", "meniscus", "osteoarthritis", "bursitis-pes-anserine"]
    ),
    mileage=st.floats(0.0, 1.0),
    units=st.sampled_from(["mi", "km"]),
    run_days=st.integers(3, 6),
    can_run=st.sampled_from([0, 10, 25, 40]),
    weeks_off=st.integers(0, 10),
    paper=st.sampled_from(["letter", "a4"]),
    names=st.booleans(),
)
def test_the_handout_is_at_most_eight_pages(protocol, mileage, units, run_days, can_run, weeks_off, paper, names):
    """Whatever the plan, the handout holds what a physiotherapist hands over in at most 8 pages,
    in this order: the warning signs, the plan at a glance, the exercises, the weeks, the log."""
    catalog = _catalog()
    condition, _, site = protocol.partition("-") if protocol.startswith("bursitis") else (protocol, "", "")
    low, high = (7, 150) if units == "mi" else (10, 240)
    request = PlanRequest(
        condition=condition,
        site=site or None,
        mileage=round(low + (high - low) * mileage),
        units=units,
        run_days=run_days,
        can_run=can_run,
        weeks_off=weeks_off,
        start=dt.date(2027, 3, 1),
        athlete="Maximiliana Oyelaran-Featherstonehaugh" if names else None,
    )
    plan = build_plan(request, catalog)
    clinic = {"clinic": "Riverside Running and Sports Injury Clinic", "contact": "020 7946 0000"} if names else {}
    pdf = rehabplan.booklet_pdf(plan, rehabplan.BookletOptions(paper=paper, layout="handout", **clinic))
    assert len(PdfReader(io.BytesIO(pdf)).pages) <= 8
    order = [title for title, _ in sections(pdf)]
    assert order == [words.STOP, words.GLANCE, words.EXERCISES, words.WEEKS, words.LOG]
    text = " ".join(r.text for r in runs(pdf))
    assert all(card.name.split()[0] in text for card in plan.exercises)


def test_a_card_that_goes_on_over_the_page_is_named_there(booklets, catalog):
    """Every exercise page opens with an exercise's name (or its name and 'continued'), never with a
    card's words cut off from the exercise they belong to."""
    names = {ex.name for ex in catalog.exercises.values()}
    for name, pdf in booklets:
        starts = dict(sections(pdf))
        pages = range(starts[words.EXERCISES] + 1, starts[words.ICE_HEAT])
        first: dict[int, str] = {}
        for r in runs(pdf):  # in drawing order; figure labels are smaller than 10 pt
            if r.page in pages and r.page not in first and r.size >= 10 and r.y > FOOTER_BAND:
                first[r.page] = r.text
        for page, text in first.items():
            named = text in names or text.removesuffix(", continued") in names
            assert named or any(n.startswith(text) for n in names), (name, page, text)
