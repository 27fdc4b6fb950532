"""The web page in a real browser (Debian's Chromium, driven by Playwright) at phone size: a runner
makes a plan, downloads it, subscribes to its calendar, checks in red and sees the plan and the
feed follow; the forms work without JavaScript; axe-core finds no serious or critical problem.

Needs Chromium (``apt-get install chromium``, or REHABPLAN_CHROMIUM=/path) and npm (for axe-core,
fetched once into ~/.cache/rehabplan-tests). Missing either fails the tests with a clear message.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pypdf import PdfReader

AXE_VERSION = "4.10.3"
PHONE = {"width": 360, "height": 740}
TZ = "Europe/London"
SHOTS = os.environ.get("REHABPLAN_SCREENSHOTS")  # a folder: save each page's screenshot there


def _chromium() -> str:
    path = os.environ.get("REHABPLAN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("the browser tests need Chromium: apt-get install chromium (or set REHABPLAN_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from npm once per machine."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rehabplan-tests" / f"axe-{AXE_VERSION}"
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("the accessibility check needs npm to fetch axe-core: apt-get install npm")
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(cache), f"axe-core@{AXE_VERSION}"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(catalog, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site on a free local port, served by uvicorn in a thread."""
    import uvicorn

    from rehabplan.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(catalog, tmp_path_factory.mktemp("web"), default_tz=TZ, workers=1)  # as serve runs it
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the site did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield b
        b.close()


def _page(browser: Any, *, javascript: bool = True, viewport: dict[str, int] = PHONE) -> Any:
    context = browser.new_context(
        viewport=viewport, java_script_enabled=javascript, bypass_csp=True, accept_downloads=True, timezone_id=TZ
    )
    return context.new_page()


def _check(page: Any, axe_source: str, name: str) -> None:
    """No serious or critical accessibility problem, no sideways scrolling at phone width; a
    screenshot when asked for."""
    page.add_script_tag(content=axe_source)
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways ({width} px)"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-phone.png"), full_page=True)


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo(TZ)).date()


def _events(data: bytes) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_a_runner_on_a_phone_makes_a_plan_subscribes_checks_in_and_the_calendar_follows(site, browser, axe_source):
    page = _page(browser)
    page.goto(site + "/")
    _check(page, axe_source, "start")
    page.get_by_role("link", name="Make my plan").click()
    page.wait_for_url(site + "/new")
    assert page.input_value("#tz") == TZ  # filled from the browser's time zone
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")  # the knee pictures
    _check(page, axe_source, "form")

    # a mistake first: the form comes back with the problem next to the field
    page.fill("#mileage", "3")
    page.get_by_role("button", name="Make my plan").click()
    assert "at least 7 miles a week" in page.inner_text("#mileage-error")
    assert "Choose where your knee hurts" in page.inner_text("#condition-error")
    _check(page, axe_source, "form-errors")

    page.click("label[for=condition-itbs]")
    page.fill("#mileage", "30")
    page.fill("#start", (_today() - dt.timedelta(days=28)).isoformat())
    page.fill("#name", "Sam Lee")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url(lambda url: "/p/" in url)
    plan_url = page.url
    assert "Knee rehab plan: Iliotibial band syndrome (ITBS) for Sam Lee" in page.inner_text("h1")
    _check(page, axe_source, "plan")

    with page.expect_download() as got:
        page.get_by_role("link", name="Booklet (PDF, to print)").click()
    booklet = PdfReader(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert len(booklet.pages) > 10 and "Sam Lee" in booklet.pages[0].extract_text()
    with page.expect_download() as got:
        page.get_by_role("link", name="Calendar file (.ics)").click()
    downloaded = _events(Path(got.value.path()).read_bytes())

    # subscribe: the link on the page is the feed, and it is the downloaded calendar
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")  # QR and knees
    feed_url = page.inner_text(".link code")
    assert feed_url == plan_url + "/calendar.ics"
    webcal = page.get_attribute("a[href^='webcal://']", "href")
    assert webcal == "webcal://" + feed_url.split("://", 1)[1]
    feed1 = page.request.get(feed_url)
    assert feed1.ok and feed1.headers["content-type"].startswith("text/calendar")
    before = _events(feed1.body())
    assert set(before) == set(downloaded)

    # check in red on the first walk/run day
    plan = page.request.get(plan_url + "/plan.json").json()
    today = _today().isoformat()
    day = max(s["date"] for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "walk_run" and s["date"] <= today)
    page.get_by_role("link", name="Check in").first.click()
    _check(page, axe_source, "checkin")
    page.get_by_role("button", name="Save and re-plan").click()  # nothing filled in: said on the form
    assert "Nothing to log" in page.inner_text(".problems")
    _check(page, axe_source, "checkin-errors")
    page.fill("#date", day)
    for field in ("#pain_during", "#pain_after", "#pain_next_morning"):
        page.fill(field, "7")
    page.get_by_role("button", name="Save and re-plan").click()
    page.wait_for_url(plan_url + "?checked=1")
    changed_box = page.inner_text(".changes")
    assert "What changed" in changed_box and "red day" in changed_box
    _check(page, axe_source, "plan-after-check-in")

    after = _events(page.request.get(feed_url).body())
    assert set(before) <= set(after)
    moved = [u for u in before if before[u].decoded("DTSTART") != after[u].decoded("DTSTART")]
    moved += [u for u in before if str(before[u].get("DESCRIPTION")) != str(after[u].get("DESCRIPTION"))]
    assert moved and all(int(after[u]["SEQUENCE"]) > int(before[u]["SEQUENCE"]) for u in moved)

    # delete for good: the page says so, and the link and the feed are gone
    page.check("#confirm")
    page.get_by_role("button", name="Delete for good").click()
    assert "deleted for good" in page.inner_text("main")
    _check(page, axe_source, "deleted")
    assert page.request.get(feed_url).status == 404 and page.request.get(plan_url).status == 404
    page.context.close()


def test_without_javascript_a_plan_is_made_downloaded_and_checked_in(site, browser):
    page = _page(browser, javascript=False)
    page.goto(site + "/new")
    page.click("label[for=condition-runners-knee]")
    page.fill("#mileage", "40")
    page.select_option("#units", "km")
    page.fill("#start", (_today() - dt.timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url(lambda url: "/p/" in url)
    plan_url = page.url
    assert "Runner" in page.inner_text("h1")
    assert page.request.get(plan_url + "/summary.pdf").body().startswith(b"%PDF")
    page.goto(plan_url + "/checkin")
    page.fill("#pain_during", "1")
    page.check("#criteria_met")
    page.get_by_role("button", name="Save and re-plan").click()
    page.wait_for_url(plan_url + "?checked=1")
    assert "What changed" in page.inner_text(".changes")
    page.context.close()


def test_the_plan_page_prints_every_week(site, browser):
    """Printed, the plan page drops the buttons and shows every week, not only the open one."""
    page = _page(browser)
    page.goto(site + "/new")
    page.click("label[for=condition-osteoarthritis]")
    page.fill("#mileage", "20")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url(lambda url: "/p/" in url)
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    weeks = page.locator("details.week").count()
    assert f"Week {weeks}" in text and "Delete for good" not in text and "Subscribe" not in text
    assert "Get medical care today" in text  # the warning signs print too
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}])
def test_the_pages_fit_phone_and_desktop(site, browser, axe_source, viewport):
    """Start, form and a wrong link read without sideways scrolling and pass the accessibility check
    at phone and desktop width."""
    page = _page(browser, viewport=viewport)
    for path, name in (("/", "start"), ("/new", "form"), ("/p/not-a-plan", "missing")):
        page.goto(site + path)
        _check(page, axe_source, f"{name}-{viewport['width']}")
    page.context.close()
