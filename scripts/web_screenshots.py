"""Screenshots of every page of the web site, at phone and desktop width, for docs/screenshots/.

Run from the repository root, after installing the test extra (it needs Chromium):
    python scripts/web_screenshots.py
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from rehabplan import load_catalog
from rehabplan.web.app import create_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 860}}
TZ = "Europe/London"


def _serve(data: Path) -> tuple[str, uvicorn.Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(load_catalog(), data, default_tz=TZ)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _shots(page: Page, base: str, size: str) -> None:
    def shot(name: str) -> None:
        page.screenshot(path=str(OUT / f"{name}-{size}.png"))

    today = dt.date.today()
    page.goto(base + "/")
    shot("start")
    page.goto(base + "/new")
    shot("form")
    page.evaluate("document.querySelector('fieldset:has(#tz) legend').scrollIntoView()")
    shot("form-calendar")
    page.fill("#mileage", "3")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_selector(".problems")
    page.wait_for_load_state()
    shot("form-errors")
    page.click("label[for=condition-itbs]")
    page.fill("#mileage", "30")
    page.fill("#start", (today - dt.timedelta(days=28)).isoformat())
    page.fill("#name", "Sam Lee")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url(lambda url: "/p/" in url)
    plan_url = page.url
    shot("plan")
    page.goto(plan_url + "#calendar")
    shot("subscribe")
    plan = page.request.get(plan_url + "/plan.json").json()
    day = max(
        s["date"]
        for w in plan["weeks"]
        for s in w["sessions"]
        if s["kind"] == "walk_run" and s["date"] <= today.isoformat()
    )
    page.goto(plan_url + "/checkin")
    page.fill("#date", day)
    for field in ("#pain_during", "#pain_after", "#pain_next_morning"):
        page.fill(field, "7")
    shot("checkin")
    page.get_by_role("button", name="Save and re-plan").click()
    page.wait_for_url(plan_url + "?checked=1")
    shot("replanned")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("REHABPLAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as data:
        base, server = _serve(Path(data))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, timezone_id=TZ)
                _shots(context.new_page(), base, size)
                context.close()
            browser.close()
        server.should_exit = True
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
