"""The committed samples are current and every sample calendar parses in two parsers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar
from pypdf import PdfReader

from rehabplan import PlanRequest, build_plan, plan_json

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PLANS = sorted(SAMPLES.glob("*-plan.json"))


def test_a_sample_for_every_protocol(catalog):
    """samples/ holds a booklet, calendar and plan for every shipped protocol, and a summary sheet."""
    stems = {p.name[: -len("-plan.json")] for p in PLANS}
    expected = {f"{p.condition}-{p.site + '-' if p.site else ''}2027-03-01" for p in catalog.protocols.values()}
    assert stems == expected
    for stem in stems:
        assert (SAMPLES / f"{stem}-booklet.pdf").is_file()
        assert (SAMPLES / f"{stem}.ics").is_file()
    assert len(list(SAMPLES.glob("*-summary.pdf"))) >= 1
    assert len(list(SAMPLES.glob("*-handout.pdf"))) >= 1
    for name in (
        "preview-cover.png",
        "preview-week.png",
        "preview-exercises.png",
        "preview-summary.png",
        "preview-handout.png",
    ):
        assert (SAMPLES / name).is_file()


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.name)
def test_sample_is_current_and_parses(catalog, plan_path):
    """Each sample plan equals a fresh plan; its calendar parses in icalendar and vobject with one event per session."""
    data = json.loads(plan_path.read_text(encoding="utf-8"))
    request = PlanRequest(
        condition=data["condition"],
        site=data["site"],
        mileage=data["target_weekly_distance"],
        units=data["unit"],
        start=dt.date.fromisoformat(data["start"]),
        athlete=data["athlete"],
        run_days=data["run_days"],
        weeks_off=data["weeks_off"],
    )
    settings = data.pop("settings")  # the output options a later revision reuses
    assert set(settings) >= {"booklet", "calendar"}
    record = data["revision"].pop("events")  # the calendar as written: one entry per event, by UID
    fresh = json.loads(plan_json(build_plan(request, catalog)))
    fresh["revision"].pop("events", None)
    assert fresh == data, "run: python scripts/make_samples.py"
    sessions = [s for w in data["weeks"] for s in w["sessions"] if s["kind"] != "rest"]
    ics = plan_path.with_name(plan_path.name.replace("-plan.json", ".ics")).read_bytes()
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == len(sessions)
    assert [str(e["UID"]) for e in events] == [r["uid"] for r in record]
    assert all(int(e.get("SEQUENCE", 0)) == r["sequence"] == 0 for e, r in zip(events, record, strict=True))
    assert [
        e.decoded("DTSTART").date() if isinstance(e.decoded("DTSTART"), dt.datetime) else e.decoded("DTSTART")
        for e in events
    ] == [dt.date.fromisoformat(s["date"]) for s in sessions]
    parsed = vobject.readOne(ics.decode("utf-8"))
    assert len(parsed.vevent_list) == len(sessions)
    booklet = PdfReader(plan_path.with_name(plan_path.name.replace("-plan.json", "-booklet.pdf")))
    assert data["athlete"] in (booklet.pages[0].extract_text() or "")
