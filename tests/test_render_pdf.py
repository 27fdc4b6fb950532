"""The PDF booklet and summary sheet, read back with pypdf: content, fonts, paper, determinism and hostile text."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

import rehabplan
from rehabplan import BookletOptions, Plan, PlanRequest, booklet_pdf, build_plan, plan_json, summary_pdf
from rehabplan.render.pdf import unsupported_chars

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
PROTOCOLS = (
    ("itbs", None),
    ("runners-knee", None),
    ("patellar-tendinopathy", None),
    ("bursitis", "prepatellar"),
    ("bursitis", "pes-anserine"),
    ("meniscus", None),
    ("osteoarthritis", None),
)


def _logo_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 80, 100)).save(buf, format="PNG")
    return buf.getvalue()


def _long_date(d: dt.date) -> str:
    return f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def _distance(value: float, unit: str) -> str:
    """A distance as a reader sees it: '4 mi', '12.3 km' (plan distances are in 0.1 steps)."""
    return f"{round(value, 2):g} {unit}"


def _flat(text: str) -> str:
    """Whitespace-normalised text, so words wrapped onto a new line (a long one after its hyphen)
    still match."""
    return re.sub(r"(?<=\w-) (?=\w)", "", " ".join(text.split()))


def _text(pdf: bytes) -> list[str]:
    return [_flat(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def _sizes(pdf: bytes) -> Counter[float]:
    """Characters of text by the type size they are printed at (points)."""
    sizes: Counter[float] = Counter()

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            sizes[round(size * tm[0] * cm[0], 2)] += len(text.strip())

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def _document(plan: Plan) -> dict[str, Any]:
    """The plan as its published JSON (sessions with their words)."""
    return json.loads(plan_json(plan))


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
    return plan, options, booklet_pdf(plan, options)


@pytest.fixture(scope="module")
def oa(catalog) -> tuple[Plan, BookletOptions, bytes]:
    """Osteoarthritis at 60 km after 4 weeks off, on A4, for a Cyrillic and Greek name."""
    request = PlanRequest(
        condition="osteoarthritis", mileage=60, units="km", start=START, weeks_off=4, athlete="Жанна Ξένια"
    )
    plan = build_plan(request, catalog)
    options = BookletOptions(paper="a4")
    return plan, options, booklet_pdf(plan, options)


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


def test_footer_names_the_section_and_page(itbs_text):
    """Every page after the cover has a footer naming a section of the booklet and the page's number."""
    sections = "|".join(re.escape(s) for s in SECTIONS)
    for number, page in enumerate(itbs_text[1:], 2):
        assert re.search(rf"(?:{sections}) · Page {number}(?!\d)", page), (number, page[-120:])
        assert HOSTILE in page


def test_safety_comes_first(booklet):
    """Red flags are on page 2, straight after the cover, with every dated review point of the plan."""
    plan, _, _, pages = booklet
    assert "Stop and get help" in pages[1]
    for tier in plan.guidance.red_flags:
        assert _flat(tier.heading) in pages[1]
    data = _document(plan)
    reviews = [
        (s["check"], s["date"])
        for w in data["weeks"]
        for s in w["sessions"]
        if s.get("check") in ("no_improvement", "referral")
    ]
    assert reviews, "the plan should have dated review points"
    for check, day in reviews:
        label = "Your check-in date" if check == "no_improvement" else "Review point"
        assert f"{label}: {_long_date(dt.date.fromisoformat(day))}" in " ".join(pages[1:3])


def test_every_scheduled_exercise_is_named(booklet):
    """Every exercise the plan schedules, and every exercise card, is printed by name."""
    plan, _, _, pages = booklet
    full = " ".join(pages)
    data = _document(plan)
    names = {ex["name"] for w in data["weeks"] for s in w["sessions"] for ex in s.get("exercises", ())}
    names |= {c["name"] for c in data["exercises"]}
    assert names
    missing = sorted(n for n in names if _flat(n) not in full)
    assert not missing


def test_every_session_line_is_printed(booklet):
    """Every session's detail line, checklist item and after-care note (the plan JSON's words), and
    every title but the runs', appears; ice and heat safety rules appear on their own page."""
    plan, _, _, pages = booklet
    full = " ".join(pages)
    lines = set()
    for week in _document(plan)["weeks"]:
        for s in week["sessions"]:
            lines |= {*s["details"], *s["checklist"]}
            if s["kind"] != "run":  # a run is named by its distance, tested below
                lines.add(s["title"])
            if s["aftercare"]:
                lines.add(s["aftercare"])
    missing = sorted(x for x in lines if _flat(x) not in full)
    assert not missing


_DAY_NAME = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_SUPERSCRIPT = "[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


def _phase_groups(weeks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The plan's weeks in runs of the same phase, in order."""
    groups: list[list[dict[str, Any]]] = []
    for week in weeks:
        if not groups or groups[-1][-1]["phase"] != week["phase"]:
            groups.append([])
        groups[-1].append(week)
    return groups


def _week_section(pages: list[str]) -> str:
    text = " ".join(pages)
    start = text.index("Week by week Each phase")
    return text[start : text.index("Your exercises Every exercise", start)]


def test_each_phase_spells_out_its_own_sessions(booklet):
    """Each phase's part of the week-by-week section prints every detail line, checklist item and
    after-care note of its sessions (ice and heat safety rules point to their own page), and every
    numbered marker in its grid has a line in its key, and the other way round."""
    plan, _, _, pages = booklet
    parts = re.split(r"(?=Phase \d+ · )", _week_section(pages))[1:]
    groups = _phase_groups(_document(plan)["weeks"])
    assert len(parts) == len(groups)
    g = plan.guidance
    safety = {_flat(x) for x in (*g.ice_safety, *g.heat_safety)}
    for part, weeks in zip(parts, groups, strict=True):
        header = re.search(rf"Week {_DAY_NAME} {_DAY_NAME} ", part)
        assert header, part[:200]
        key, grid = part[: header.start()], part[header.start() :]
        for s in (s for w in weeks for s in w["sessions"]):
            for line in (*s["details"], *s["checklist"], *([s["aftercare"]] if s["aftercare"] else [])):
                if _flat(line) in safety:
                    assert "Safety rules: see “Ice and heat, safely”." in key
                else:
                    assert _flat(line) in key, (weeks[0]["phase_name"], line)
        assert set(re.findall(rf"({_SUPERSCRIPT}) ", key)) == set(re.findall(_SUPERSCRIPT, grid))


def _week_rows(pages: list[str]) -> dict[int, str]:
    """The text of each week's row in the week-by-week grids, by week number."""
    rows: dict[int, str] = {}
    for part in re.split(rf"(?=Week \d+ )|(?=Phase \d+ · )|(?=Week {_DAY_NAME} )", _week_section(pages)):
        m = re.match(r"Week (\d+) (?!·)", part)  # not a one-week phase's band ("Week 1 · dates")
        if m:
            assert int(m.group(1)) not in rows, f"week {m.group(1)} has two rows"
            rows[int(m.group(1))] = part
    return rows


def test_every_week_dates_and_distances(booklet):
    """Each week has one grid row with every one of its dates, its running distance (as in the plan
    JSON), a tick box per session and each run's distance; each phase is headed by its dates."""
    plan, _, _, pages = booklet
    full = " ".join(pages)
    data = _document(plan)
    unit = data["unit"]
    rows = _week_rows(pages)
    assert sorted(rows) == [w["index"] for w in data["weeks"]]
    for week in data["weeks"]:
        row = rows[week["index"]]
        start = dt.date.fromisoformat(week["start"])
        end = dt.date.fromisoformat(week["end"])
        pos = 0
        for i in range((end - start).days + 1):  # each date once, in order ('1 Mar' must not match in '21 Mar')
            day = start + dt.timedelta(days=i)
            m = re.compile(rf"(?<!\d){day.day} {MONTHS[day.month - 1]}").search(row, pos)
            assert m, (week["index"], day)
            pos = m.end()
        if week["run_distance"] > 0:
            assert _distance(week["run_distance"], unit) in row, week["index"]
        sessions = [s for s in week["sessions"] if s["kind"] != "rest"]
        assert row.count("☐") == len(sessions), week["index"]
        for s in sessions:
            if s.get("run_distance", 0) > 0:
                assert _distance(s["run_distance"], unit) in row, s
    for n, weeks in enumerate(_phase_groups(data["weeks"]), 1):
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


def test_whole_distances_print_without_a_decimal(itbs_text):
    """Distances use the one number format: '30 mi', never '30.0 mi'."""
    full = " ".join(itbs_text)
    assert "back to 30 mi a week" in full
    assert not re.search(r"\d\.0 mi\b", full)


def test_hostile_names_verbatim(itbs, itbs_text):
    """User text with quotes, ampersands and angle brackets is printed exactly as typed."""
    cover = itbs_text[0]
    assert HOSTILE in cover
    assert "Ξένια & Partners" in cover
    assert "Жанна <zh@example.org>" in cover
    assert "Łukasz Żółć" in cover
    assert HOSTILE in itbs_text[5]  # the footer of a later page


def test_unicode_names_survive(oa, oa_text):
    """Greek and Cyrillic names come back from the PDF text unchanged."""
    assert "Жанна Ξένια" in oa_text[0]
    assert "Жанна Ξένια" in _text(summary_pdf(oa[0], oa[1]))[0]


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
        pdf = summary_pdf(plan, options)
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts += _fonts(page.get("/Resources"), set())
    assert fonts
    bad = sorted({str(f.get("/BaseFont")) for f in fonts if not _embedded(f)})
    assert not bad


def test_renders_are_byte_identical(oa):
    """The same plan and options give byte-identical booklet and summary PDFs."""
    plan, options, pdf = oa
    assert booklet_pdf(plan, options) == pdf
    assert summary_pdf(plan, options) == summary_pdf(plan, options)


def test_metadata(itbs):
    """The PDF carries the plan title, an author (the clinic when given) and a subject."""
    plan, _, pdf = itbs
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == _document(plan)["title"]
    assert meta.author == "Ξένια & Partners"
    assert meta.subject.startswith(f"Knee rehabilitation booklet: {plan.info.name} for {HOSTILE}, ")


def test_logo_only_when_given(itbs):
    """The cover, the 'Stop and get help' page beside the clinic's contact, the summary and the
    handout's first page carry the logo when one is given, and no image otherwise."""
    plan, options, pdf = itbs

    def images(data: bytes, page: int = 0) -> int:
        found = PdfReader(io.BytesIO(data)).pages[page]
        xo = found["/Resources"].get("/XObject")
        return sum(1 for v in (xo.get_object().values() if xo else []) if v.get_object().get("/Subtype") == "/Image")

    assert options.logo and options.clinic
    handout = options.model_copy(update={"layout": "handout"})
    assert images(pdf) == 1 and images(pdf, 1) == 1
    assert images(summary_pdf(plan, options)) == 1 and images(booklet_pdf(plan, handout)) == 1
    bare = options.model_copy(update={"logo": None})
    assert images(booklet_pdf(plan, bare)) == images(booklet_pdf(plan, bare), 1) == 0
    assert images(summary_pdf(plan, bare)) == 0


def test_size_and_pages(itbs, oa):
    """A booklet of 18 weeks or more stays small enough to email and print (under 400 KB)."""
    for plan, _, pdf in (itbs, oa):
        assert len(plan.weeks) >= 18
        assert len(pdf) < 400_000


def test_control_characters_never_break_rendering(oa):
    """Control characters and lone surrogates in user text are dropped, the rest is printed."""
    plan, options, _ = oa
    nasty = plan.model_copy(update={"athlete": "Ann\x00a\x07 Lee\x1b[0m\ud800\u200b"})
    opts = options.model_copy(update={"coach": "Coach\x0bName\x7f", "clinic": "Tab\tClinic"})
    cover = _text(booklet_pdf(nasty, opts))[0]
    assert "Anna Lee[0m" in cover
    assert "CoachName" in cover
    assert "Tab Clinic" in cover
    assert len(_text(summary_pdf(nasty, opts))) == 1


def test_unsupported_chars():
    """Characters outside the font are reported; Latin Extended, Greek, Cyrillic and symbols are not."""
    assert unsupported_chars("Łukasz Żółć Ξένια Жанна ✓ ☐ → O'Brien & <Sons>") == set()
    assert unsupported_chars("王 Ann 🙂") == {"王", "🙂"}
    assert unsupported_chars("tab\there\x00\n") == set()
    assert unsupported_chars('{"name": "' + "Ann Lee, " * 20000 + '王", "x": "\x7f"}') == {"王"}


def test_a_checklist_item_only_some_check_ins_carry_is_numbered_in_the_key(catalog):
    """When two check-ins of one kind in a phase differ only by a checklist item, the grid marks the
    one that has it and the phase key prints that item next to the same number."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=20, start=START), catalog)
    week = next(w for w in plan.weeks if any(getattr(s, "check", None) == "no_improvement" for s in w.sessions))
    check = next(s for s in week.sessions if getattr(s, "check", None) == "no_improvement")
    extra = next(i for i in range(len(plan.info.referrals)) if i not in check.referrals)
    twin = check.model_copy(update={"date": week.end, "slot": 9, "referrals": (*check.referrals, extra)})
    weeks = [w.model_copy(update={"sessions": (*w.sessions, twin)}) if w is week else w for w in plan.weeks]
    text = " ".join(_text(booklet_pdf(plan.model_copy(update={"weeks": tuple(weeks)}), BookletOptions())))
    assert "¹ ☐ " + _flat(plan.info.referrals[extra]) in text
    row = _week_rows([text])[week.index]
    assert "Progress check¹" in row and row.count("Progress check") == 2


# --------------------------------------------------------------------------- the summary sheet


@pytest.fixture(scope="module")
def long_plan(catalog) -> Plan:
    """The longest plan the planner makes: patellar tendinopathy back to 150 mi a week (55 weeks)."""
    request = PlanRequest(
        condition="patellar-tendinopathy", mileage=150, start=START, weeks_off=4, athlete="Łukasz Żółć"
    )
    return build_plan(request, catalog)


def _check_summary(plan: Plan, options: BookletOptions) -> Counter[float]:
    """Assert the plan's summary is one page with its pain rule, notes and every week; return its type sizes."""
    pdf = summary_pdf(plan, options)
    pages = _text(pdf)
    assert len(pages) == 1
    text = pages[0]
    rule = plan.guidance.pain_rule
    for part in (rule.green, rule.amber, rule.red):
        assert _flat(part) in text
    data = _document(plan)
    for note in data["notes"]:
        assert _flat(note["text"]) in text
    squeezed = text.replace(" ", "")
    for week in data["weeks"]:
        runs = [s for s in week["sessions"] if s["kind"] == "run"]
        if runs:  # runs by their distance; a walk/run by its turns (run:walk minutes ×times), not a distance
            total = round(sum(s["run_distance"] for s in runs), 1)
            assert _distance(total, data["unit"]) in text, week["index"]
        for s in week["sessions"]:
            if s["kind"] == "walk_run" and s["walk_min"]:
                turns = f"{s['run_min']:g}:{s['walk_min']:g}×{s['reps']}"
                assert turns in squeezed, (week["index"], turns)
    for phase in {w["phase_name"] for w in data["weeks"]}:
        assert _flat(phase).replace(" ", "") in text.replace(" ", "")
    return _sizes(pdf)


@pytest.mark.parametrize("which", ["itbs", "oa", "long"])
def test_summary_is_one_page_with_pain_rule_and_weeks(which, itbs, oa, long_plan):
    """The summary sheet fits one page and carries the pain rule, the plan's notes and every week's distance."""
    plan, options = (long_plan, BookletOptions()) if which == "long" else (itbs if which == "itbs" else oa)[:2]
    _check_summary(plan, options)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_longest_plan_summary_keeps_text_readable(long_plan, paper):
    """Even the longest plan's summary prints no text smaller than 6.5 pt."""
    assert min(_check_summary(long_plan, BookletOptions(paper=paper))) >= 6.5


def test_short_plan_summary_uses_large_type(catalog):
    """A short plan's summary is one column in large type: nothing under 8 pt."""
    plan = build_plan(
        PlanRequest(condition="osteoarthritis", mileage=10, units="km", start=START, weeks_off=1), catalog
    )
    assert min(_check_summary(plan, BookletOptions(paper="a4"))) >= 8


_requests = st.builds(
    lambda protocol, distance, weeks_off, run_days, named, paper: (
        PlanRequest(
            condition=protocol[0],
            site=protocol[1],
            mileage=distance[1],
            units=distance[0],
            start=START,
            weeks_off=weeks_off,
            run_days=run_days,
            athlete="Maximiliana Oyelaran-Featherstonehaugh" if named else None,
        ),
        BookletOptions(
            paper=paper,
            **({"clinic": "Riverside Running and Sports Injury Clinic", "contact": "020 7946 0000"} if named else {}),
        ),
    ),
    protocol=st.sampled_from(PROTOCOLS),
    distance=st.one_of(st.tuples(st.just("mi"), st.integers(7, 150)), st.tuples(st.just("km"), st.integers(10, 240))),
    weeks_off=st.integers(0, 8),
    run_days=st.integers(3, 6),
    named=st.booleans(),
    paper=st.sampled_from(["letter", "a4"]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_requests)
def test_every_summary_is_one_readable_page(catalog, case):
    """Every protocol at any mileage (7-150 mi, 10-240 km), 0-8 weeks off and 3-6 run days, with or
    without a long name and a clinic, gets a one-page summary with no text under 6.5 pt."""
    request, options = case
    plan = build_plan(request, catalog)
    assert min(_check_summary(plan, options)) >= 6.5


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_requests)
def test_the_summary_takes_the_largest_type_that_fits(catalog, case):
    """The sheet's layout is the first of the layouts (largest type first) whose whole sheet fits
    the page, each measured in full here, also those the layout passes over without building."""
    from reportlab.platypus import Spacer

    from rehabplan.render.pdf import styles
    from rehabplan.render.pdf import summary as sheet
    from rehabplan.render.pdf.document import FRAME_PAD
    from rehabplan.render.pdf.flowables import Kit

    request, options = case
    plan = build_plan(request, catalog)
    page = styles.page_setup(options.paper)
    room = page.size[1] - page.top - page.bottom - 2 * FRAME_PAD - sheet._SLACK
    first: tuple[float, float] | None = None
    for size, columns in sheet._LAYOUTS:
        k = Kit(plan, options, base_size=size)
        table = sheet._weeks(k, columns)
        if table is None:
            continue  # its columns do not fit the width
        story = [*sheet._head(k), table, Spacer(1, 5), k.p(plan.guidance.disclaimer, "Small")]
        first = (size, sheet._height(story, k.width - 2 * FRAME_PAD))
        if first[1] <= room:
            break
    chosen, story = sheet._layout(plan, options)
    assert (chosen.s["Base"].fontSize, sheet._height(story, chosen.width - 2 * FRAME_PAD)) == first


def test_long_phase_names_wrap_and_keep_every_character(catalog):
    """A phase name with a word too long for its column is cut into pieces, and no character is lost."""
    plan = build_plan(PlanRequest(condition="runners-knee", mileage=17, start=START), catalog)
    name = "Knee" + "strength" * 6 + " and walk/run"
    weeks = tuple(w.model_copy(update={"phase_name": name}) if w.index <= 3 else w for w in plan.weeks)
    text = _text(summary_pdf(plan.model_copy(update={"weeks": weeks}), BookletOptions()))[0]
    assert name.replace(" ", "") in text.replace(" ", "")


def test_public_api_names_the_renderers():
    """The package's public API gives the booklet and summary renderers."""
    assert rehabplan.booklet_pdf is booklet_pdf and rehabplan.summary_pdf is summary_pdf


def test_the_plan_at_a_glance_says_why_the_plan_is_this_long(booklet):
    """The glance page explains the plan's length in one line whose parts add up to its weeks and
    whose build runs from the first build week's distance to the target."""
    plan, _, _, text = booklet
    page = next(t for t in text if t.startswith("The plan at a glance"))
    m = re.search(r"Why (\d+) weeks: (.*?)\.(?: |$)", page)
    assert m, page[:400]
    assert int(m.group(1)) == len(plan.weeks)
    parts = [int(n) for n in re.findall(r"(\d+) weeks? (?:to|of|building|holding)", m.group(2))]
    assert sum(parts) == len(plan.weeks), m.group(0)
    first_build = next(w for w in plan.weeks if w.ramp_week)
    unit = plan.unit.value
    assert (
        f"from {_distance(first_build.run_distance, unit)} to {_distance(plan.target_weekly_distance, unit)}"
        in m.group(2)
    )


def test_the_summary_carries_the_warning_signs(catalog):
    """The summary goes on the fridge alone: it names the signs that mean care today or within days."""
    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START), catalog)
    text = _text(rehabplan.summary_pdf(plan, BookletOptions(paper="a4")))[0]
    assert "Warning signs:" in text and _flat(plan.guidance.calendar_line) in text


def test_the_clinic_is_on_the_red_flags_page_every_footer_the_summary_and_every_event(runner, tmp_path):
    """A clinic's name and contact reach every place a runner looks for help: the 'Stop and get
    help' page, the footer of every page, the summary, every calendar event and the plan JSON."""
    from icalendar import Calendar

    from rehabplan.cli import app

    out = tmp_path / "plan"
    args = ["make", "-c", "itbs", "-m", "30", "--tz", "UTC", "--out", str(out)]
    result = runner.invoke(app, [*args, "--clinic", "Riverside Physio", "--contact", "020 7946 0000"])
    assert result.exit_code == 0, result.stderr
    line = "Your clinic: Riverside Physio, 020 7946 0000"
    pages = _text(next(out.glob("*-booklet.pdf")).read_bytes())
    stop_page = next(p for p in pages[1:] if p.startswith("Stop and get help"))
    assert line in stop_page
    assert all("Riverside Physio, 020 7946 0000" in p for p in pages[1:])  # the cover has its own block
    assert line in _text(next(out.glob("*-summary.pdf")).read_bytes())[0]
    events = Calendar.from_ical(next(out.glob("*.ics")).read_bytes()).walk("VEVENT")
    assert events and all(line in str(e["DESCRIPTION"]) for e in events)
    plan = json.loads(next(out.glob("*-plan.json")).read_text(encoding="utf-8"))
    assert plan["settings"]["booklet"]["clinic"] == "Riverside Physio"


def test_the_summary_shows_this_phases_exercises_with_doses(catalog):
    """The sheet a runner follows alone names the current phase's exercises with their doses: the
    first phase for a new plan, the phase of the last day logged for a re-planned one."""
    from rehabplan.planning.checkins import CheckIn
    from rehabplan.planning.sessions import StrengthSession
    from rehabplan.wording.formats import dose

    plan = build_plan(PlanRequest(condition="itbs", mileage=30, start=START), catalog)

    def shown(p: Plan, phase: str) -> None:
        text = _text(summary_pdf(p, BookletOptions()))[0]
        named = {
            (ex.name, dose(ex.dose))
            for s in p.sessions()
            if isinstance(s, StrengthSession) and s.phase == phase
            for ex in s.exercises
        }
        assert named
        for name, amount in named:
            assert _flat(f"{name}: {amount}") in text, name
        assert _flat(next(ph.name for ph in p.phases if ph.id == phase)) in text

    shown(plan, plan.phases[0].id)
    later = next(w for w in plan.weeks if w.phase != plan.phases[0].id and w.phase != plan.phases[1].id)
    logged = plan.model_copy(update={"log": (CheckIn(date=later.start, pain_during=1),)})
    shown(logged, later.phase)
