"""The PDF booklet and summary sheet: content, fonts, paper, determinism and hostile text."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from rehabplan.models import BookletOptions, Plan, PlanRequest
from rehabplan.planner import build_plan
from rehabplan.render.pdf import to_pdf, to_summary_pdf, unsupported_chars

# The booklet's sections, in the order issue 5 asks for.
SECTIONS = (
    "Stop and get help",
    "Your condition",
    "The plan at a glance",
    "How to use the plan",
    "Week by week",
    "Your exercises",
    "Ice and heat, safely",
    "Training mistakes to avoid",
    "Recovery basics",
    "Pain and training log",
    "Medicines: a caution",
    "Sources",
    "About this plan",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOSTILE = "O'Brien & <Sons>"
START = dt.date(2026, 11, 30)


def _logo_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 80, 100)).save(buf, format="PNG")
    return buf.getvalue()


def _long_date(d: dt.date) -> str:
    return f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def _flat(text: str) -> str:
    """Whitespace-normalised text, so words wrapped onto a new line still match."""
    return " ".join(text.split())


def _text(pdf: bytes) -> list[str]:
    return [_flat(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def itbs(catalog) -> tuple[Plan, BookletOptions, bytes]:
    """ITBS at 30 mi on Letter, with a hostile athlete name, unicode coach details and a logo."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START, athlete=HOSTILE), catalog)
    options = BookletOptions(
        paper="letter",
        coach="Łukasz Żółć",
        clinic="Ξένια & Partners",
        contact="Жанна <zh@example.org>",
        logo=_logo_png(),
    )
    return plan, options, to_pdf(plan, options)


@pytest.fixture(scope="module")
def oa(catalog) -> tuple[Plan, BookletOptions, bytes]:
    """Osteoarthritis at 60 km after 4 weeks off, on A4, for a Cyrillic and Greek name."""
    request = PlanRequest(
        condition="osteoarthritis", mileage=60, units="km", start=START, weeks_off=4, athlete="Жанна Ξένια"
    )
    plan = build_plan(request, catalog)
    options = BookletOptions(paper="a4")
    return plan, options, to_pdf(plan, options)


@pytest.fixture(scope="module")
def itbs_text(itbs) -> list[str]:
    """Text of every page of the ITBS booklet."""
    return _text(itbs[2])


@pytest.fixture(scope="module")
def oa_text(oa) -> list[str]:
    """Text of every page of the osteoarthritis booklet."""
    return _text(oa[2])


@pytest.fixture(params=["itbs", "oa"])
def booklet(request, itbs, oa, itbs_text, oa_text):
    """Each rendered booklet with its plan, options and page texts."""
    plan, options, pdf = itbs if request.param == "itbs" else oa
    return plan, options, pdf, itbs_text if request.param == "itbs" else oa_text


def test_sections_present_in_order(booklet):
    """Every section heading of the booklet appears after the cover, in the order the issue lists them."""
    _, _, _, pages = booklet
    full = " ".join(pages[1:])  # the cover lists them too
    positions = []
    for heading in SECTIONS:
        assert heading in full, heading
        positions.append(full.index(heading, positions[-1] if positions else 0))
    assert positions == sorted(positions)


def test_outline_bookmarks_sections(booklet):
    """The PDF outline lists every section in order, each pointing at a page no earlier than the last."""
    _, _, pdf, _ = booklet
    reader = PdfReader(io.BytesIO(pdf))
    entries = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert [t for t, _ in entries] == list(SECTIONS)
    pages = [p for _, p in entries]
    assert pages == sorted(pages) and pages[0] == 1


def test_cover_lists_each_section_with_its_page(booklet):
    """The cover's contents name every section with the page its outline bookmark points to."""
    _, _, pdf, pages = booklet
    reader = PdfReader(io.BytesIO(pdf))
    cover = pages[0]
    assert "INSIDE THIS BOOKLET" in cover
    listed = cover[cover.index("INSIDE THIS BOOKLET") :]
    for entry in reader.outline:
        page = reader.get_destination_page_number(entry) + 1
        assert f"{entry.title} {page} " in listed + " ", (entry.title, page)


def test_safety_comes_first(booklet):
    """Red flags are on page 2, straight after the cover, with the dated no-improvement check-in."""
    plan, _, _, pages = booklet
    assert pages[1].find("Stop and get help") != -1
    for tier in plan.guidance.red_flags:
        assert _flat(tier.heading) in pages[1]
    check = [s.date for w in plan.weeks for s in w.sessions if s.check == "no_improvement"]
    assert check, "the plan should have a no-improvement check-in"
    assert _long_date(check[0]) in " ".join(pages[1:3])


def test_every_scheduled_exercise_is_named(booklet):
    """Every exercise the plan schedules, and every exercise card, is printed by name."""
    plan, _, _, pages = booklet
    full = " ".join(pages)
    names = {ex.name for w in plan.weeks for s in w.sessions for ex in s.exercises} | {c.name for c in plan.exercises}
    assert names
    missing = sorted(n for n in names if _flat(n) not in full)
    assert not missing


def test_every_session_line_is_printed(booklet):
    """Every session's detail line, checklist item and after-care note, and every title but the runs', appears."""
    plan, _, _, pages = booklet
    full = " ".join(pages)
    lines = set()
    for week in plan.weeks:
        for s in week.sessions:
            lines |= {*s.details, *s.checklist}
            if s.kind != "run":  # a run is named by its distance, tested below
                lines.add(s.title)
            if s.aftercare:
                lines.add(s.aftercare)
    missing = sorted(x for x in lines if _flat(x) not in full)
    assert not missing


_DAY_NAME = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_SUPERSCRIPT = "[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


def _phase_groups(plan: Plan) -> list[list]:
    """The plan's weeks in runs of the same phase, in order."""
    groups: list[list] = []
    for week in plan.weeks:
        if not groups or groups[-1][-1].phase != week.phase:
            groups.append([])
        groups[-1].append(week)
    return groups


def test_each_phase_spells_out_its_own_sessions(booklet):
    """Each phase's part of the week-by-week section prints every detail line, checklist item and
    after-care note of its sessions (ice and heat safety rules point to their own page), and every
    numbered marker in its grid has a line in its key, and the other way round."""
    plan, _, _, pages = booklet
    text = " ".join(pages)
    start = text.index("Week by week Each phase")
    section = text[start : text.index("Your exercises Every exercise", start)]
    parts = re.split(r"(?=Phase \d+ · )", section)[1:]
    groups = _phase_groups(plan)
    assert len(parts) == len(groups)
    g = plan.guidance
    safety = {_flat(x) for x in (*g.ice_safety, *g.heat_safety)}
    for part, weeks in zip(parts, groups):
        header = re.search(rf"Week {_DAY_NAME} {_DAY_NAME} ", part)
        assert header, part[:200]
        key, grid = part[: header.start()], part[header.start() :]
        for s in (s for w in weeks for s in w.sessions):
            for line in (*s.details, *s.checklist, *([s.aftercare] if s.aftercare else [])):
                if _flat(line) in safety:
                    assert "Safety rules: see “Ice and heat, safely”." in key
                else:
                    assert _flat(line) in key, (weeks[0].phase_name, line)
        assert set(re.findall(rf"({_SUPERSCRIPT}) ", key)) == set(re.findall(_SUPERSCRIPT, grid)), weeks[0].phase_name


def _week_rows(pages: list[str]) -> dict[int, str]:
    """The text of each week's row in the week-by-week grids, by week number."""
    text = " ".join(pages)
    start = text.index("Week by week Each phase")
    section = text[start : text.index("Your exercises Every exercise", start)]
    rows: dict[int, str] = {}
    for part in re.split(rf"(?=Week \d+ )|(?=Phase \d+ · )|(?=Week {_DAY_NAME} )", section):
        m = re.match(r"Week (\d+) ", part)
        if m:
            assert int(m.group(1)) not in rows, f"week {m.group(1)} has two rows"
            rows[int(m.group(1))] = part
    return rows


def test_every_week_dates_and_distances(booklet):
    """Each week has one grid row with every one of its dates, its running distance (as in the plan
    JSON), a tick box per session and each run's distance; each phase is headed by its dates."""
    plan, _, _, pages = booklet
    full = " ".join(pages)
    data = json.loads(plan.model_dump_json())
    unit = data["unit"]
    rows = _week_rows(pages)
    assert sorted(rows) == [w["index"] for w in data["weeks"]]
    for week in data["weeks"]:
        row = rows[week["index"]]
        start = dt.date.fromisoformat(week["start"])
        end = dt.date.fromisoformat(week["end"])
        dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        pos = 0
        for day in dates:  # each date once, in order ('1 Mar' must not match inside '21 Mar')
            m = re.compile(rf"(?<!\d){day.day} {MONTHS[day.month - 1]}").search(row, pos)
            assert m, (week["index"], day)
            pos = m.end()
        if week["run_distance"] > 0:
            assert f"{week['run_distance']} {unit}" in row, week["index"]
        sessions = [s for s in week["sessions"] if s["kind"] != "rest"]
        assert row.count("☐") == len(sessions), week["index"]
        for s in sessions:
            if s["run_distance"] > 0:
                assert f"{s['run_distance']} {unit}" in row, s
    phases: list[list[dict]] = []
    for week in data["weeks"]:
        if not phases or phases[-1][-1]["phase"] != week["phase"]:
            phases.append([])
        phases[-1].append(week)
    for n, weeks in enumerate(phases, 1):
        first = dt.date.fromisoformat(weeks[0]["start"])
        last = dt.date.fromisoformat(weeks[-1]["end"])
        assert f"Phase {n} · {weeks[0]['phase_name']}" in full
        assert f"{_long_date(first)} – {_long_date(last)}" in full, n


def test_log_has_a_row_per_day(booklet):
    """The pain and adherence log lists every day of the plan."""
    plan, _, _, pages = booklet
    log = " ".join(pages[next(i for i, p in enumerate(pages) if "Pain and training log" in p) :])
    day = plan.start
    while day <= plan.end:
        assert f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}" in log, day
        day += dt.timedelta(days=1)


def test_no_placeholder_or_missing_glyph_text(booklet):
    """No 'None', 'nan', missing-glyph box or escaped entity leaks into the text."""
    _, _, _, pages = booklet
    full = " ".join(pages)
    for bad in ("None", "nan ", "■", "&amp;", "&lt;", "\x00"):
        assert bad not in full, bad


def test_hostile_names_verbatim(itbs, itbs_text):
    """User text with quotes, ampersands and angle brackets is printed exactly as typed."""
    plan, options, _ = itbs
    cover = itbs_text[0]
    assert HOSTILE in cover
    assert "Ξένια & Partners" in cover
    assert "Жанна <zh@example.org>" in cover
    assert "Łukasz Żółć" in cover
    assert HOSTILE in itbs_text[5]  # the footer of a later page


def test_unicode_names_survive(oa, oa_text):
    """Greek and Cyrillic names come back from the PDF text unchanged."""
    assert "Жанна Ξένια" in oa_text[0]
    summary = _text(to_summary_pdf(oa[0], oa[1]))
    assert "Жанна Ξένια" in summary[0]


def test_page_size_matches_paper(itbs, oa):
    """Letter booklets are 612 × 792 pt and A4 booklets 595 × 842 pt, on every page."""
    for (_, _, pdf), size in ((itbs, (612, 792)), (oa, (595, 842))):
        for page in PdfReader(io.BytesIO(pdf)).pages:
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == size


def _fonts(resources, seen) -> list:
    out = []
    if resources is None:
        return out
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        out += [f.get_object() for f in fonts.get_object().values()]
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            xo = ref.get_object()
            if id(xo) in seen:
                continue
            seen.add(id(xo))
            out += _fonts(xo.get("/Resources"), seen)
    return out


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    desc = font.get("/FontDescriptor")
    if desc is None:
        return False
    desc = desc.get_object()
    return any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("kind", ["booklet", "summary"])
def test_every_font_embedded(itbs, kind):
    """Every font used on any page is embedded, so the PDF prints the same everywhere."""
    plan, options, pdf = itbs
    if kind == "summary":
        pdf = to_summary_pdf(plan, options)
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts += _fonts(page.get("/Resources"), set())
    assert fonts
    bad = sorted({str(f.get("/BaseFont")) for f in fonts if not _embedded(f)})
    assert not bad


def test_renders_are_byte_identical(oa):
    """The same plan and options give byte-identical booklet and summary PDFs."""
    plan, options, pdf = oa
    assert to_pdf(plan, options) == pdf
    assert to_summary_pdf(plan, options) == to_summary_pdf(plan, options)


def test_metadata(itbs):
    """The PDF carries the plan title, an author (the clinic when given) and a subject."""
    plan, _, pdf = itbs
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == plan.title
    assert meta.author == "Ξένια & Partners"
    assert plan.info.name in meta.subject


def test_logo_only_when_given(itbs, catalog):
    """The cover carries an image when a logo is given, and none otherwise."""
    plan, options, pdf = itbs

    def images(data: bytes) -> int:
        page = PdfReader(io.BytesIO(data)).pages[0]
        xo = page["/Resources"].get("/XObject")
        return sum(1 for v in (xo.get_object().values() if xo else []) if v.get_object().get("/Subtype") == "/Image")

    assert images(pdf) == 1
    assert images(to_pdf(plan, options.model_copy(update={"logo": None}))) == 0


def test_size_and_pages(itbs, oa):
    """A 30-week booklet stays small enough to email and print (under 400 KB)."""
    for plan, _, pdf in (itbs, oa):
        assert len(plan.weeks) >= 20
        assert len(pdf) < 400_000


@pytest.fixture(scope="module")
def long_plan(catalog) -> Plan:
    """A long plan: runner's knee back to 150 mi a week."""
    return build_plan(PlanRequest(condition="runners-knee", mileage=150, start=START, athlete="Łukasz Żółć"), catalog)


@pytest.mark.parametrize("which", ["itbs", "oa", "long"])
def test_summary_is_one_page_with_pain_rule_and_weeks(which, itbs, oa, long_plan):
    """The summary sheet fits one page and carries the pain rule and every week's distance."""
    if which == "long":
        plan, options = long_plan, BookletOptions(paper="letter")
    else:
        plan, options, _ = itbs if which == "itbs" else oa
    pages = _text(to_summary_pdf(plan, options))
    assert len(pages) == 1
    text = pages[0]
    rule = plan.guidance.pain_rule
    for part in (rule.green, rule.amber, rule.red):
        assert _flat(part) in text
    data = json.loads(plan.model_dump_json())
    for week in data["weeks"]:
        if week["run_distance"] > 0:
            assert f"{week['run_distance']} {data['unit']}" in text, week["index"]


def test_control_characters_never_break_rendering(oa):
    """Control characters and lone surrogates in user text are dropped, the rest is printed."""
    plan, options, _ = oa
    nasty = plan.model_copy(update={"athlete": "Ann\x00a\x07 Lee\x1b[0m\ud800\u200b"})
    opts = options.model_copy(update={"coach": "Coach\x0bName\x7f", "clinic": "Tab\tClinic"})
    pdf = to_pdf(nasty, opts)
    cover = _text(pdf)[0]
    assert "Anna Lee[0m" in cover
    assert "CoachName" in cover
    assert "Tab Clinic" in cover
    assert len(_text(to_summary_pdf(nasty, opts))) == 1


def test_unsupported_chars():
    """Characters outside the font are reported; Latin Extended, Greek, Cyrillic and symbols are not."""
    assert unsupported_chars("Łukasz Żółć Ξένια Жанна ✓ ☐ → O'Brien & <Sons>") == set()
    assert unsupported_chars("王 Ann 🙂") == {"王", "🙂"}
    assert unsupported_chars("tab\there\x00\n") == set()


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab Wm·×:1☐ -ÆŁ"), max_size=120),
    width=st.floats(min_value=20, max_value=200),
)
def test_grid_cell_lines_fit_their_width_and_keep_every_character(text, width):
    """A grid cell's text is wrapped so no line is wider than the cell, and no character but the
    spaces it breaks at is lost or added."""
    from rehabplan.render import styles
    from rehabplan.render.pdf import _Lines

    styles.register_fonts()
    cell = _Lines([(text, styles.FONT, styles.INK)], 7.5, 9.6)
    cell.wrap(width, 1000)
    for x, line, font, _ in cell._split:
        assert x + stringWidth(line, font, 7.5) <= width + 0.01 or len(line) == 1, line
    assert "".join(line for _, line, _, _ in cell._split).replace(" ", "") == text.replace(" ", "")


def test_a_checklist_item_only_some_check_ins_carry_is_numbered_in_the_key(catalog):
    """When two check-ins of one kind in a phase differ only by a checklist item, the grid marks the
    one that has it and the phase key prints that item next to the same number."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=20, start=START), catalog)
    week = next(w for w in plan.weeks if any(s.check == "readiness" for s in w.sessions))
    ready = next(s for s in week.sessions if s.check == "readiness")
    extra = "Hop ten times on the sore leg without pain."
    twin = ready.model_copy(update={"date": week.end, "slot": 9, "checklist": (*ready.checklist, extra)})
    weeks = [w.model_copy(update={"sessions": (*w.sessions, twin)}) if w is week else w for w in plan.weeks]
    text = " ".join(_text(to_pdf(plan.model_copy(update={"weeks": tuple(weeks)}), BookletOptions())))
    assert "¹ ☐ " + extra in text
    row = _week_rows([text])[week.index]
    assert "Ready-to-run tests¹" in row and row.count("Ready-to-run tests") == 2
