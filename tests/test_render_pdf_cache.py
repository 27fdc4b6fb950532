"""What a process rendered before never changes what a booklet or summary shows."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from rehabplan import BookletOptions, PlanRequest, booklet_pdf, build_plan, load_catalog, summary_pdf
from rehabplan.render.pdf import pagecache

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


# --------------------------------------------------------------------------- kept pages


@functools.cache
def _catalog():
    return load_catalog()


def _logo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 80, 100)).save(buf, format="PNG")
    return buf.getvalue()


def _seen(pdf: bytes) -> tuple[list[str], list[tuple[str, int]]]:
    """A booklet as a reader sees it: each page's text, and the outline with its pages."""
    reader = PdfReader(io.BytesIO(pdf))
    outline = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    return [p.extract_text() for p in reader.pages], outline


@settings(max_examples=10, deadline=None)
@given(
    layout=st.sampled_from(["full", "handout"]),
    condition=st.sampled_from(["itbs", "runners-knee", "meniscus", "osteoarthritis", "patellar-tendinopathy"]),
    mileages=st.tuples(st.integers(10, 90), st.integers(10, 90)),
    units=st.sampled_from(["mi", "km"]),
    can_run=st.sampled_from([0, 10, 40]),
    weeks_off=st.integers(0, 6),
    paper=st.sampled_from(["letter", "a4"]),
    accent=st.sampled_from([None, "#7a1f3d"]),
    clinic=st.sampled_from(["none", "short", "long, with a logo"]),
)
def test_kept_pages_read_as_laid_out(layout, condition, mileages, units, can_run, weeks_off, paper, accent, clinic):
    """With a condition's fixed pages (or, in a handout, its red flags and exercise cards) kept
    from an earlier runner's booklet (as batch and the web page's workers do), a booklet reads
    exactly as one laid out afresh: every page's text (which also checks the font codes), the
    pages and the outline. The two runners differ in what their own pages show (mileage, ladder,
    dates, name) and share the condition's fixed pages, clinic and logo."""
    catalog = _catalog()
    first, second = (
        build_plan(
            PlanRequest(
                condition=condition,
                mileage=m,
                units=units,
                start=START,
                weeks_off=weeks_off,
                can_run=can_run,
                athlete=name,
            ),
            catalog,
        )
        for m, name in ((mileages[0], "Ann Lee"), (mileages[1], "Émile Zoë Ødegård"))
    )
    options = BookletOptions(layout=layout, paper=paper, accent=accent, clinic="Riverside", contact="020 7946 0000")
    fresh = _seen(booklet_pdf(second, options))
    pagecache.enable()
    try:
        booklet_pdf(first, options)  # lays out and keeps the condition's fixed pages
        kept = _seen(booklet_pdf(second, options))
    finally:
        pagecache.enable(False)
    assert kept == fresh


# --------------------------------------------------------------------------- kept in the user's cache


def _make(folder, cache, *extra: str) -> subprocess.CompletedProcess[str]:
    """`rehabplan make` in a fresh process, with this cache folder ('' turns the cache off)."""
    env = {**os.environ, "REHABPLAN_CACHE_DIR": str(cache)}
    args = ["make", "--condition", "meniscus", "--mileage", "26", "--start", "2027-03-01", "--tz", "UTC"]
    return subprocess.run(
        [sys.executable, "-m", "rehabplan", *args, "--out", str(folder), *extra],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )


def _booklet(folder) -> bytes:
    return next(folder.glob("*-booklet.pdf")).read_bytes()


def _entries(cache) -> list:
    return sorted(cache.glob("pages-*.json"))


def test_kept_pages_from_the_users_cache_read_as_laid_out(tmp_path) -> None:
    """A make keeps its condition's fixed pages in the user's cache; the next make (a new
    process) reads them from there: its booklet is byte for byte the first one's, and reads
    exactly as a booklet laid out with no cache at all. Both the full booklet and the handout."""
    cache = tmp_path / "cache"
    for layout in ("full", "handout"):
        _make(tmp_path / f"{layout}-1", cache, "--booklet", layout)
        entries = _entries(cache)
        assert entries
        _make(tmp_path / f"{layout}-2", cache, "--booklet", layout)
        assert _entries(cache) == entries  # read, not made again
        _make(tmp_path / f"{layout}-fresh", "", "--booklet", layout)
        first, second = _booklet(tmp_path / f"{layout}-1"), _booklet(tmp_path / f"{layout}-2")
        assert first == second
        assert _seen(second) == _seen(_booklet(tmp_path / f"{layout}-fresh"))


def test_an_entry_not_signed_with_the_users_key_is_ignored(tmp_path) -> None:
    """A kept-pages entry changed by anyone without the user's key (or damaged) is not used:
    the booklet is laid out afresh and reads as one made with no cache."""
    cache = tmp_path / "cache"
    _make(tmp_path / "first", cache)
    (entry,) = _entries(cache)
    mac, _, body = entry.read_bytes().partition(b"\n")
    entry.write_bytes(mac + b"\n" + body.replace(b"Meniscus", b"Forged!!", 1))
    _make(tmp_path / "forged", cache)
    entry.write_bytes(mac + b"\n" + body[: len(body) // 2])
    _make(tmp_path / "damaged", cache)
    _make(tmp_path / "fresh", "")
    fresh = _seen(_booklet(tmp_path / "fresh"))
    assert _seen(_booklet(tmp_path / "forged")) == _seen(_booklet(tmp_path / "damaged")) == fresh
    assert not any("Forged!!" in page for page in fresh[0])


def test_a_signed_entry_is_what_the_booklet_shows(tmp_path) -> None:
    """The kept pages really come from the user's cache: an entry re-signed with the user's own
    key after a change shows that change in the next booklet (which is why only the user's own
    processes can sign one)."""
    import hashlib
    import hmac

    cache = tmp_path / "cache"
    _make(tmp_path / "first", cache)
    (entry,) = _entries(cache)
    _, _, body = entry.read_bytes().partition(b"\n")
    changed = body.replace(b"(Meniscus", b"(Menisxus", 1)
    assert changed != body
    key = entry.name.rsplit("-", 1)[1].removesuffix(".json")
    secret = (cache / "key").read_bytes()
    mac = hmac.new(secret, key.encode() + b"\0" + changed, hashlib.sha256).hexdigest().encode()
    entry.write_bytes(mac + b"\n" + changed)
    _make(tmp_path / "second", cache)
    assert any("Menisxus" in page for page in _seen(_booklet(tmp_path / "second"))[0])
