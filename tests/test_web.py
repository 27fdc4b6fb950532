"""The web page, driven over HTTP in-process: forms, errors in the CLI's words, private links,
downloads, the calendar feed, check-ins that re-plan, deleting, and the security rules."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from starlette.testclient import TestClient
from typer.testing import CliRunner

from rehabplan.cli import app as cli
from rehabplan.errors import RehabplanError
from rehabplan.web.app import MAX_BODY, create_app
from rehabplan.web.store import SCHEMA_VERSION, Store

TZ = "Europe/London"


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo(TZ)).date()


def _form(**changes: str) -> dict[str, str]:
    base = {
        "condition": "itbs",
        "mileage": "30",
        "units": "mi",
        "start": (_today() - dt.timedelta(days=28)).isoformat(),
        "weeks_off": "0",
        "can_run": "0",
        "run_days": "4",
        "pace": "",
        "long_run": "",
        "tz": TZ,
        "time_run": "07:00",
        "time_strength": "18:00",
        "time_check_in": "06:45",
        "name": "Sam Lee",
    }
    return {**base, **changes}


@pytest.fixture
def client(catalog, tmp_path: Path) -> TestClient:
    return TestClient(create_app(catalog, tmp_path / "data"), follow_redirects=False)


def _make(client: TestClient, **changes: str) -> str:
    resp = client.post("/new", data=_form(**changes))
    assert resp.status_code == 303, resp.text[:2000]
    location = resp.headers["location"]
    assert re.fullmatch(r"/p/[A-Za-z0-9_-]+", location)
    return location


class _Errors(HTMLParser):
    """The problems a page shows next to its fields: element id 'FIELD-error' → its text."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, str] = {}
        self._at: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id") or ""
        if ident.endswith("-error"):
            self._at = ident.removesuffix("-error")
            self.errors[self._at] = ""

    def handle_endtag(self, tag: str) -> None:
        self._at = None

    def handle_data(self, data: str) -> None:
        if self._at:
            self.errors[self._at] += data


def _errors(html: str) -> dict[str, str]:
    parser = _Errors()
    parser.feed(html)
    return {k: " ".join(v.split()) for k, v in parser.errors.items()}


def _cli_error(*args: str) -> str:
    result = CliRunner().invoke(cli, ["make", "--format", "json", *args])
    assert result.exit_code == 2
    return result.stderr.strip().removeprefix("rehabplan: error: ")


def test_start_page_puts_the_red_flags_first_and_loads_nothing_from_elsewhere(client, catalog):
    """The start page opens with the warning signs, says what the plan is not, and every resource
    it loads is its own; every response carries the security headers."""
    resp = client.get("/")
    assert resp.status_code == 200
    text = resp.text
    first_flag = catalog.safety.red_flags[0].items[0]
    assert text.index("stop and get help") < text.index(first_flag) < text.index("What you get")
    assert "What it is not" in text
    for url in re.findall(r'(?:src|href)="([^"]+)"', text):
        assert url.startswith("/"), url
    csp = resp.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_a_plan_is_made_and_its_files_download_and_parse(client):
    """The form makes a plan behind a private link of at least 128 bits; the booklet, summary,
    calendar and JSON download, parse, and describe the same plan."""
    page = _make(client)
    token = page.removeprefix("/p/")
    assert len(token) * 6 >= 128
    html = client.get(page).text
    assert "Iliotibial band syndrome" in html and "The plan at a glance" in html and "Week 1" in html
    assert html.index("Stop and get help") < html.index("The plan at a glance")  # warning signs first
    assert "Get medical care today" in html
    assert f"webcal://testserver/p/{token}/calendar.ics" in html

    booklet = client.get(f"{page}/booklet.pdf")
    assert booklet.headers["content-type"] == "application/pdf"
    assert "attachment" in booklet.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(booklet.content))
    assert len(reader.pages) > 10 and "Sam Lee" in reader.pages[0].extract_text()
    summary = PdfReader(io.BytesIO(client.get(f"{page}/summary.pdf").content))
    assert len(summary.pages) == 1
    plan = client.get(f"{page}/plan.json").json()
    assert plan["condition"] == "itbs" and plan["target_weekly_distance"] == 30 and plan["athlete"] == "Sam Lee"
    feed = client.get(f"{page}/calendar.ics")
    assert feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert events and {str(e["UID"]) for e in events} == {e["uid"] for e in plan["revision"]["events"]}
    qr = client.get(f"{page}/qr.svg")
    assert qr.headers["content-type"] == "image/svg+xml" and b"<svg" in qr.content


@pytest.mark.parametrize(
    ("field", "value", "cli_args"),
    [
        ("mileage", "3", ["-c", "itbs", "--mileage", "3"]),
        ("mileage", "lots", ["-c", "itbs", "--mileage", "lots"]),
        ("pace", "9.45.1", ["-c", "itbs", "--mileage", "30", "--pace", "9.45.1"]),
        ("start", "2027-02-30", ["-c", "itbs", "--mileage", "30", "--start", "2027-02-30"]),
        ("run_days", "9", ["-c", "itbs", "--mileage", "30", "--run-days", "9"]),
        ("tz", "Mars/Olympus", ["-c", "itbs", "--mileage", "30", "--tz", "Mars/Olympus"]),
        ("paper", "legal", ["-c", "itbs", "--mileage", "30", "--paper", "legal"]),
    ],
)
def test_a_bad_field_shows_the_form_again_with_the_clis_words_next_to_it(client, field, value, cli_args):
    """A bad value comes back as the form with the problem next to its field, worded as the
    command line words it (with the field's label for the flag), and the typed values kept."""
    resp = client.post("/new", data=_form(**{field: value, "name": "Zoë"}))
    assert resp.status_code == 400
    errors = _errors(resp.text)
    assert set(errors) == {field}
    cli_words = _cli_error(*cli_args)
    flag = "--" + field.replace("_", "-")
    assert cli_words.startswith(flag)
    assert errors[field].endswith(cli_words.removeprefix(flag))
    assert 'value="Zoë"' in resp.text


def _times(calendar: bytes) -> set[str]:
    starts = [e.decoded("DTSTART") for e in Calendar.from_ical(calendar).walk("VEVENT")]
    return {s.strftime("%H:%M") for s in starts if isinstance(s, dt.datetime)}


def test_the_calendar_choices_on_the_form_reach_the_files(client):
    """Session times, all-day events, reminders and paper are taken from the form as `make` takes
    them: a run time given alone moves the morning check-in with it, as --time run=... does."""
    page = _make(client, time_run="06:00", time_cross_training="16:15", paper="a4", alarms="on")
    calendar = client.get(f"{page}/calendar.ics").content
    times = _times(calendar)
    assert {"06:00", "05:45", "16:15"} <= times and not {"07:00", "06:45", "12:30"} & times
    assert b"BEGIN:VALARM" in calendar
    booklet = PdfReader(io.BytesIO(client.get(f"{page}/booklet.pdf").content))
    assert round(float(booklet.pages[0].mediabox.width)) == 595  # A4, though the plan is in miles

    page = _make(client, all_day="on")  # no "alarms": the box was unticked
    calendar = client.get(f"{page}/calendar.ics").content
    assert not _times(calendar) and b"DTSTART;VALUE=DATE:" in calendar and b"BEGIN:VALARM" not in calendar


def test_every_problem_is_shown_at_once(client):
    """Several bad fields (no condition, a bad time and a bad mileage) are all reported together."""
    resp = client.post("/new", data=_form(condition="", mileage="0", time_run="25:00"))
    assert resp.status_code == 400
    assert set(_errors(resp.text)) == {"condition", "mileage", "time_run"}


def test_a_wrong_link_is_a_plain_404(client):
    """Any link that is not a plan's is a 404 that says nothing about other plans."""
    page = _make(client)
    for path in ("/p/nothing-here", page + "x", f"{page}/booklet.pdf".replace("/p/", "/p/a"), f"{page}/other.pdf"):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert "no plan at this address" in resp.text
    assert client.get("/no/such/page").status_code == 404


def _last_ladder_day(plan: dict) -> str:
    """The last walk/run session on or before today (the one a runner logs)."""
    today = _today().isoformat()
    return max(
        s["date"] for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "walk_run" and s["date"] <= today
    )


def test_a_red_check_in_replans_and_the_feed_follows(client):
    """A red day logged on the page re-plans: the page says what changed, the plan is version 2,
    and the calendar feed raises SEQUENCE on changed events and keeps every UID."""
    page = _make(client)
    before = client.get(f"{page}/plan.json").json()
    feed1 = Calendar.from_ical(client.get(f"{page}/calendar.ics").content)
    day = _last_ladder_day(before)
    assert day <= _today().isoformat()
    resp = client.post(
        f"{page}/checkin", data={"date": day, "pain_during": "7", "pain_after": "7", "pain_next_morning": "6"}
    )
    assert resp.status_code == 303 and resp.headers["location"] == f"{page}?checked=1"
    html = client.get(resp.headers["location"]).text
    assert "What changed" in html and "red day" in html
    after = client.get(f"{page}/plan.json").json()
    assert after["revision"]["number"] == 2 and after["revision"]["plan_id"] == before["revision"]["plan_id"]
    feed2 = Calendar.from_ical(client.get(f"{page}/calendar.ics").content)
    old = {str(e["UID"]): e for e in feed1.walk("VEVENT")}
    new = {str(e["UID"]): e for e in feed2.walk("VEVENT")}
    assert set(old) <= set(new)
    changed = [u for u in old if str(old[u].get("DESCRIPTION")) != str(new[u].get("DESCRIPTION"))]
    changed += [u for u in old if old[u].decoded("DTSTART") != new[u].decoded("DTSTART")]
    assert changed and all(int(new[u]["SEQUENCE"]) > int(old[u]["SEQUENCE"]) for u in changed)


def test_an_unchanged_feed_is_not_sent_again(client):
    """A calendar app asking with the ETag it has gets 304 until a check-in changes the calendar;
    the feed may be kept by the runner's app but not by a shared cache."""
    page = _make(client)
    first = client.get(f"{page}/calendar.ics")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(f"{page}/calendar.ics", headers={"if-none-match": etag})
    assert again.status_code == 304 and not again.content
    assert client.get(f"{page}/calendar.ics", headers={"if-none-match": '"other"'}).status_code == 200
    day = _last_ladder_day(client.get(f"{page}/plan.json").json())
    client.post(f"{page}/checkin", data={"date": day, "pain_during": "7", "pain_after": "7"})
    changed = client.get(f"{page}/calendar.ics", headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert client.get(page).headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "yesterday", "pain_during": "1"}, "date"),
        ({"pain_during": "11"}, "pain_during"),
        ({"pain_after": "-1"}, "pain_after"),
        ({}, "form"),
    ],
)
def test_a_bad_check_in_shows_the_form_again_and_changes_nothing(client, data, field):
    """A bad check-in is shown next to its field (or above the form) and the plan stays as it was."""
    page = _make(client)
    resp = client.post(f"{page}/checkin", data={"date": _today().isoformat(), **data})
    assert resp.status_code == 400
    assert field in _errors(resp.text) or (field == "form" and "Nothing to log" in resp.text)
    assert client.get(f"{page}/plan.json").json()["revision"]["number"] == 1


def test_a_check_in_for_a_day_still_to_come_is_refused(client):
    page = _make(client)
    tomorrow = (_today() + dt.timedelta(days=1)).isoformat()
    resp = client.post(f"{page}/checkin", data={"date": tomorrow, "pain_during": "1"})
    assert resp.status_code == 400 and "date" in _errors(resp.text)


def test_deleting_removes_the_plan_and_its_check_ins_for_good(client, tmp_path):
    """Delete needs its box ticked; then the plan, its files, its feed and its check-ins are gone."""
    page = _make(client)
    day = _last_ladder_day(client.get(f"{page}/plan.json").json())
    client.post(f"{page}/checkin", data={"date": day, "pain_during": "1"})
    assert client.post(f"{page}/delete", data={}).status_code == 303
    assert client.get(page).status_code == 200
    resp = client.post(f"{page}/delete", data={"confirm": "yes"})
    assert resp.status_code == 200 and "deleted for good" in resp.text
    for path in (page, f"{page}/calendar.ics", f"{page}/booklet.pdf", f"{page}/checkin"):
        assert client.get(path).status_code == 404
    db = sqlite3.connect(tmp_path / "data" / "rehabplan.sqlite3")
    assert db.execute("SELECT count(*) FROM plans").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


@pytest.mark.parametrize(
    "headers", [{"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}, {"origin": "https://evil.example"}]
)
def test_forms_sent_from_another_site_are_refused(client, tmp_path, headers):
    """A POST that a browser says came from another site is refused and makes nothing."""
    resp = client.post("/new", data=_form(), headers=headers)
    assert resp.status_code == 403
    page = _make(client)
    assert client.post(f"{page}/delete", data={"confirm": "yes"}, headers=headers).status_code == 403
    assert client.get(page).status_code == 200
    db = sqlite3.connect(tmp_path / "data" / "rehabplan.sqlite3")
    assert db.execute("SELECT count(*) FROM plans").fetchone()[0] == 1


def test_a_same_site_form_is_accepted(client):
    resp = client.post("/new", data=_form(), headers={"sec-fetch-site": "same-origin", "origin": "http://testserver"})
    assert resp.status_code == 303


def test_a_request_body_over_the_limit_is_refused(client):
    big = "x" * (MAX_BODY + 1)
    assert client.post("/new", data=_form(name=big)).status_code == 413
    assert client.post("/new", content=b"a=" + b"x" * MAX_BODY, headers={"content-length": "10"}).status_code in (
        400,
        413,
    )


def test_the_log_holds_no_link_name_or_pain_score(client, caplog):
    """What the site logs names the kind of page, never the private link, the name or the pains."""
    caplog.set_level(logging.INFO, logger="rehabplan.web")
    page = _make(client, name="Zebedee Quartermain")
    token = page.removeprefix("/p/")
    day = _last_ladder_day(client.get(f"{page}/plan.json").json())
    client.post(f"{page}/checkin", data={"date": day, "pain_during": "7", "note": "Knee felt wobbly"})
    client.get(f"{page}/calendar.ics")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /new 303" in logged and "GET /p/…/calendar.ics 200" in logged
    for secret in (token, "Zebedee", "wobbly", "pain_during"):
        assert secret not in logged


def test_the_store_migrates_an_empty_file_and_refuses_a_newer_one(tmp_path):
    """A new data folder gets the current schema; a file from a newer version is refused in words."""
    store = Store(tmp_path)
    assert store.version() == SCHEMA_VERSION
    store.close()
    db = sqlite3.connect(tmp_path / "rehabplan.sqlite3")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(RehabplanError, match="newer rehabplan"):
        Store(tmp_path)


def test_the_data_file_is_readable_only_by_its_owner(client, tmp_path):
    """The plans (names, pain scores) are kept in files only the site's user can read."""
    _make(client)
    data = tmp_path / "data"
    assert data.stat().st_mode & 0o077 == 0
    for path in data.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_a_schema_step_upgrades_an_older_file_and_keeps_its_plans(client, tmp_path, monkeypatch):
    """An older data file is brought up to date one step at a time, in a transaction, keeping every
    plan; a step that fails leaves the file at its old version."""
    from rehabplan.web import store as store_module

    data = tmp_path / "data"
    page = _make(client)
    token = page.removeprefix("/p/")
    old = SCHEMA_VERSION
    step = ("ALTER TABLE plans ADD COLUMN note TEXT NOT NULL DEFAULT ''",)
    broken = ("ALTER TABLE plans ADD COLUMN other TEXT", "SELECT * FROM no_such_table")
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", old + 2)
    monkeypatch.setattr(store_module, "_MIGRATIONS", (*store_module._MIGRATIONS, step, broken))
    with pytest.raises(sqlite3.OperationalError):
        Store(data)
    db = sqlite3.connect(data / "rehabplan.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == old + 1  # the good step stayed, the bad one did not
    assert [r[1] for r in db.execute("PRAGMA table_info(plans)")][-1] == "note"
    db.close()
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", old + 1)
    monkeypatch.setattr(store_module, "_MIGRATIONS", (*store_module._MIGRATIONS[: old + 1],))
    upgraded = Store(data)
    assert upgraded.version() == old + 1 and upgraded.get(token) is not None


def test_only_the_web_package_imports_the_web_framework():
    """The web framework, server, templates and QR library are imported only in rehabplan/web, and
    drawing libraries only in rehabplan/render (the architecture's one owner per step)."""
    import ast

    import rehabplan

    root = Path(rehabplan.__file__).parent
    owners = {
        "web": ("starlette", "jinja2", "uvicorn", "segno", "multipart", "python_multipart"),
        "render": ("reportlab", "icalendar"),
    }
    wrong = []
    for path in root.rglob("*.py"):
        part = path.relative_to(root).parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                wrong += [f"{path.relative_to(root)}: {top}" for o, libs in owners.items() if top in libs and part != o]
    assert not wrong


def test_the_plan_page_shows_the_clinic(catalog, tmp_path):
    """A clinic's site shows its name and contact on every page."""
    from rehabplan.web import read_clinic

    toml = tmp_path / "clinic.toml"
    toml.write_text('name = "Riverside Physio"\ncontact = "020 7946 0000"\npaper = "a4"\n', encoding="utf-8")
    clinic = read_clinic(toml)
    client = TestClient(create_app(catalog, tmp_path / "data", booklet=clinic.booklet), follow_redirects=False)
    assert "Riverside Physio" in client.get("/").text
    page = _make(client)
    assert "020 7946 0000" in client.get(page).text
    booklet = PdfReader(io.BytesIO(client.get(f"{page}/booklet.pdf").content))
    assert "Riverside Physio" in booklet.pages[0].extract_text()
    assert round(float(booklet.pages[0].mediabox.width)) == 595  # the clinic's A4


@pytest.mark.parametrize(
    ("line", "says"),
    [('colour = "red"', "unknown key 'colour'"), ('accent = "#f5d76e"', "too light to print clearly")],
)
def test_a_bad_clinic_file_is_one_clear_line(tmp_path, line, says):
    toml = tmp_path / "clinic.toml"
    toml.write_text(f'name = "X"\n{line}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--clinic", str(toml)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr and str(toml) in result.stderr


def test_a_clinic_file_sets_the_colour(tmp_path):
    from rehabplan.web import read_clinic

    toml = tmp_path / "clinic.toml"
    toml.write_text('name = "Riverside Physio"\naccent = "#0B5563"\n', encoding="utf-8")
    assert read_clinic(toml).booklet.accent == "#0b5563"


def test_plan_json_round_trips_from_the_page(client):
    """The JSON download is the plan document the command line writes (it reads back as a plan)."""
    from rehabplan import read_plan_json

    page = _make(client)
    plan = read_plan_json(json.loads(client.get(f"{page}/plan.json").content))
    assert plan.request.mileage == 30


def test_plans_render_in_worker_processes_and_the_workers_stop_with_the_site(catalog, tmp_path):
    """A site with render workers (as `rehabplan serve` runs) makes and re-plans plans in them, and
    stops them when it shuts down."""
    app = create_app(catalog, tmp_path / "data", default_tz=TZ, workers=1)
    with TestClient(app, follow_redirects=False) as client:
        page = _make(client)
        assert client.get(f"{page}/booklet.pdf").content.startswith(b"%PDF")
        day = _last_ladder_day(client.get(f"{page}/plan.json").json())
        resp = client.post(f"{page}/checkin", data={"date": day, "pain_during": "7", "pain_after": "7"})
        assert resp.status_code == 303
        assert client.get(f"{page}/plan.json").json()["revision"]["number"] == 2
        renderer = app.app.state.site.renderer  # type: ignore[attr-defined]
        workers = list(renderer._pool._processes.values())
        assert workers and all(w.is_alive() for w in workers)
    assert renderer._pool is None and not any(w.is_alive() for w in workers)


def test_check_ins_sent_at_the_same_time_are_each_planned_in_turn(catalog, tmp_path):
    """Two check-ins for one plan sent at once (a double tap, two phones) both count: each revision
    re-plans from the one before, so the last holds both days."""
    # one event loop for every request, as under uvicorn
    with TestClient(create_app(catalog, tmp_path / "data"), follow_redirects=False) as client:
        _check_in_twice_at_once(client)


def _check_in_twice_at_once(client: TestClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    page = _make(client)
    plan = client.get(f"{page}/plan.json").json()
    days = sorted({s["date"] for w in plan["weeks"] for s in w["sessions"] if s["date"] <= _today().isoformat()})
    sent = [{"date": day, "pain_during": "1", "pain_after": "1"} for day in days[-2:]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(lambda data: client.post(f"{page}/checkin", data=data).status_code, sent))
    assert codes == [303, 303]
    after = client.get(f"{page}/plan.json").json()
    assert after["revision"]["number"] == 3
    assert {c["date"] for c in after["log"]} == set(days[-2:])


def test_plans_made_at_the_same_time_all_succeed(client):
    """Several runners submitting the form at once each get their own plan."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        pages = list(pool.map(lambda n: _make(client, name=f"Runner {n}"), range(6)))
    assert len(set(pages)) == 6
    names = {client.get(f"{p}/plan.json").json()["athlete"] for p in pages}
    assert names == {f"Runner {n}" for n in range(6)}
