"""A plan's next version: `make` again over a folder, `checkin` and `replan`, as a runner uses them.

Calendars are read back with icalendar and vobject; the plan JSON is the published document.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import vobject
from icalendar import Calendar

from rehabplan.cli import app

START = "2027-03-01"
MAKE = ["make", "-c", "itbs", "--start", START, "--tz", "Europe/London", "--name", "Sam Lee"]
PREFIX = "rehabplan: error: "


def _make(runner, out: Path, *extra: str):
    result = runner.invoke(app, [*MAKE, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def _plan(folder: Path) -> dict[str, Any]:
    [path] = folder.glob("*-plan.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _calendar(folder: Path) -> bytes:
    [path] = folder.glob("*.ics")
    return path.read_bytes()


def _events(data: bytes) -> dict[str, Any]:
    """Events by UID, checked to be unique, with vobject agreeing on the set."""
    events = Calendar.from_ical(data).walk("VEVENT")
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)
    assert {str(v.uid.value) for v in vobject.readOne(data.decode("utf-8")).vevent_list} == set(by_uid)
    return by_uid


def _content(event: Any) -> tuple[str, ...]:
    return tuple(str(event.get(k)) for k in ("SUMMARY", "DESCRIPTION", "DTSTART", "DTEND", "STATUS"))


def _compare(old: dict[str, Any], new: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """UIDs unchanged, changed and cancelled from `old` to `new`, asserting the SEQUENCE rules of a
    calendar that updates: unchanged keep their SEQUENCE, changed and cancelled raise it."""
    assert set(old) <= set(new), "an event of the last version vanished instead of being cancelled"
    same, changed, cancelled = set(), set(), set()
    for uid, before in old.items():
        after = new[uid]
        if str(after.get("STATUS", "")) == "CANCELLED" and str(before.get("STATUS", "")) != "CANCELLED":
            cancelled.add(uid)
            assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
        elif _content(after) == _content(before):
            same.add(uid)
            assert int(after["SEQUENCE"]) == int(before["SEQUENCE"])
        else:
            changed.add(uid)
            assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    for uid in set(new) - set(old):
        assert int(new[uid].get("SEQUENCE", 0)) == 0
    return same, changed, cancelled


def test_make_again_over_a_folder_is_the_next_version(runner, tmp_path):
    """A new mileage over an existing plan keeps its id and UIDs, updates what changed and cancels what was dropped."""
    out = tmp_path / "plan"
    _make(runner, out, "-m", "30")
    first, first_ics = _plan(out), _calendar(out)
    _make(runner, out, "-m", "45")
    second, second_ics = _plan(out), _calendar(out)

    assert first["revision"]["number"] == 1 and second["revision"]["number"] == 2
    assert second["revision"]["plan_id"] == first["revision"]["plan_id"]
    assert second["target_weekly_distance"] == 45
    stamp1 = dt.datetime.fromisoformat(first["revision"]["stamp"])
    stamp2 = dt.datetime.fromisoformat(second["revision"]["stamp"])
    assert stamp2 > stamp1

    cal1, cal2 = Calendar.from_ical(first_ics), Calendar.from_ical(second_ics)
    assert cal1["UID"] == cal2["UID"]
    old, new = _events(first_ics), _events(second_ics)
    same, changed, _ = _compare(old, new)
    # the weeks before the build do not depend on the mileage; the build does
    assert same and changed
    assert all(new[uid].decoded("DTSTAMP") == stamp2 for uid in new)
    assert len([p for p in out.iterdir() if p.suffix in (".pdf", ".ics", ".json")]) == 4

    # back to the shorter plan: the weeks it no longer has are cancelled, not left behind
    _make(runner, out, "-m", "30")
    third = _events(_calendar(out))
    assert _plan(out)["revision"]["number"] == 3
    _, _, cancelled = _compare(new, third)
    assert cancelled
    last_day = max(dt.date.fromisoformat(w["end"]) for w in _plan(out)["weeks"])
    assert any(third[uid].decoded("DTSTART").isoformat()[:10] > last_day.isoformat() for uid in cancelled)


def test_new_plan_starts_afresh(runner, tmp_path):
    """--new-plan writes version 1 of a new plan, whose calendar shares no UID with the old one."""
    out = tmp_path / "plan"
    _make(runner, out, "-m", "30")
    old = _events(_calendar(out))
    _make(runner, out, "-m", "30", "--new-plan", "--can-run", "20")
    assert _plan(out)["revision"]["number"] == 1
    assert not set(old) & set(_events(_calendar(out)))


def _first_ladder_run(plan: dict[str, Any]) -> dt.date:
    return min(
        dt.date.fromisoformat(s["date"]) for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "walk_run"
    )


def _runs_on(plan: dict[str, Any], days: list[dt.date]) -> list[str]:
    wanted = {d.isoformat() for d in days}
    return [
        s["date"]
        for w in plan["weeks"]
        for s in w["sessions"]
        if s["kind"] in ("run", "walk_run") and s["date"] in wanted
    ]


def test_a_red_check_in_rests_and_steps_back_and_the_calendar_follows(runner, tmp_path):
    """checkin then replan: the past stays, two rest days follow a red day, the ladder steps back, the
    calendar keeps the past events and raises SEQUENCE on the ones that moved."""
    out = tmp_path / "plan"
    _make(runner, out, "-m", "30")
    first, first_ics = _plan(out), _calendar(out)
    day = _first_ladder_run(first)
    for d, pains in ((day, ("1", "1", "1")), (day + dt.timedelta(days=2), ("6", "7", "6"))):
        result = runner.invoke(
            app,
            [
                "checkin",
                str(out),
                "--date",
                d.isoformat(),
                "--pain-during",
                pains[0],
                "--pain-after",
                pains[1],
                "--pain-next-morning",
                pains[2],
            ],
        )
        assert result.exit_code == 0, result.output
    rows = (out / "checkins.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].split(",")[:4] == ["date", "pain_during", "pain_after", "pain_next_morning"]
    assert len(rows) == 3

    red = day + dt.timedelta(days=2)
    today = red + dt.timedelta(days=1)
    result = runner.invoke(app, ["replan", str(out), "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Version 2 written" in result.stdout
    second = _plan(out)
    assert second["revision"]["number"] == 2 and second["revision"]["changes"]
    # every session before the re-plan's first day is as it was
    past = lambda plan: [s for w in plan["weeks"] for s in w["sessions"] if s["date"] < today.isoformat()]  # noqa: E731
    assert [(s["date"], s["kind"], s["title"]) for s in past(second)] == [
        (s["date"], s["kind"], s["title"]) for s in past(first)
    ]
    assert _runs_on(second, [red + dt.timedelta(days=1), red + dt.timedelta(days=2)]) == []
    old, new = _events(first_ics), _events(_calendar(out))
    same, changed, cancelled = _compare(old, new)
    assert changed | cancelled
    past_uids = {uid for uid, e in old.items() if e.decoded("DTSTART").isoformat()[:10] < today.isoformat()}
    assert past_uids and past_uids <= same


def test_replan_with_no_check_ins_changes_nothing(runner, tmp_path):
    """With an empty log the next version plans the same sessions, and says so."""
    out = tmp_path / "plan"
    _make(runner, out, "-m", "30")
    before = _plan(out)
    result = runner.invoke(app, ["replan", str(out), "--today", "2027-03-03"])
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.stdout
    after = _plan(out)
    sessions = lambda plan: [(s["date"], s["kind"], s["title"]) for w in plan["weeks"] for s in w["sessions"]]  # noqa: E731
    assert sessions(after) == sessions(before)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--pain-during", "11"], "--pain-during"),
        (["--pain-after", "x"], "--pain-after"),
        (["--date", "2027-02-30"], "--date"),
    ],
)
def test_a_bad_check_in_is_one_line_and_writes_nothing(runner, tmp_path, args, flag):
    out = tmp_path / "plan"
    _make(runner, out, "-m", "30")
    result = runner.invoke(app, ["checkin", str(out), "--date", "2027-03-02", *args])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(PREFIX) and flag in lines[0]
    assert not (out / "checkins.csv").exists()


def test_bad_rows_in_a_hand_written_log_are_listed_by_line(runner, tmp_path):
    """A log typed in by hand: every bad row is named by its line, and no file changes."""
    out = tmp_path / "plan"
    _make(runner, out, "-m", "30")
    (out / "checkins.csv").write_text(
        "Date,Pain during,Pain after,Pain next morning,Swelling,Note\n"
        "2027-03-02,1,0,0,,fine\n"
        "2027-03-03,12,0,0,,\n"
        "2027-03-04,1,0,0,,ok\n"
        "03/05/2027,1,0,0,maybe,\n",
        encoding="utf-8",
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = runner.invoke(app, ["replan", str(out), "--today", "2027-03-06"])
    assert result.exit_code != 0
    lines = result.stderr.splitlines()
    assert any(line.startswith(PREFIX) and "checkins.csv line 3:" in line and "pain_during" in line for line in lines)
    assert any("checkins.csv line 5:" in line and "date" in line for line in lines)
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_checkin_needs_a_plan_folder(runner, tmp_path):
    result = runner.invoke(app, ["checkin", str(tmp_path), "--date", "2027-03-02", "--pain-during", "1"])
    assert result.exit_code == 2
    assert "holds no plan" in result.stderr
