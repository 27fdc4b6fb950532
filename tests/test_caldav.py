"""A plan's calendar on a real CalDAV server (Radicale, run on 127.0.0.1) through a runner's rehab.

The scenario: make a plan; three green ladder sessions; a red one; replan; two greens with the
phase's checks met; replan. After each version the runner's calendar app syncs: it uploads each
event of the new file under its UID, as CalDAV clients do. The server must then hold exactly the
current version: every event once, with the file's content and SEQUENCE, sessions the plan dropped
cancelled, nothing duplicated and nothing left over from an older version.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vobject
from icalendar import Calendar

from rehabplan.cli import app

START = "2027-03-01"
USER = "runner"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A CalDAV collection on a Radicale server, spoken to over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.collection = f"{base}/{USER}/knee-rehab/"
        self._auth = "Basic " + base64.b64encode(f"{USER}:x".encode()).decode()

    def request(self, method: str, url: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
        req = urllib.request.Request(url, data=body, method=method, headers={"Authorization": self._auth, **headers})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def make_calendar(self) -> None:
        status, body = self.request("MKCALENDAR", self.collection)
        assert status == 201, body

    def sync(self, ics: bytes) -> None:
        """Upload every event of a calendar file as its own resource, named by its UID."""
        cal = Calendar.from_ical(ics)
        zones = cal.walk("VTIMEZONE")
        for event in cal.walk("VEVENT"):
            one = Calendar()
            for key in ("VERSION", "PRODID"):
                one.add(key, cal[key])
            for zone in zones:
                one.add_component(zone)
            one.add_component(event)
            url = f"{self.collection}{event['UID']}.ics"
            status, body = self.request("PUT", url, one.to_ical(), **{"Content-Type": "text/calendar; charset=utf-8"})
            assert status in (201, 204), (status, body)

    def events(self) -> dict[str, Any]:
        """What the server holds, read back as one calendar (checked to name each UID once)."""
        status, body = self.request("GET", self.collection)
        assert status == 200, body
        events = Calendar.from_ical(body).walk("VEVENT")
        by_uid = {str(e["UID"]): e for e in events}
        assert len(by_uid) == len(events), "the server holds an event twice"
        return by_uid


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """Radicale on a free local port, storing in a temporary folder, any login accepted."""
    port = _free_port()
    store = tmp_path / "radicale"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(store),
            "--auth-type",
            "none",
            "--rights-type",
            "owner_only",
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Radicale did not start: {proc.stderr.read().decode() if proc.stderr else ''}"
                    ) from None
                time.sleep(0.1)
        srv = Server(base)
        srv.make_calendar()
        yield srv
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _plan(folder: Path) -> dict[str, Any]:
    [path] = folder.glob("*-plan.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _ics(folder: Path) -> bytes:
    [path] = folder.glob("*.ics")
    return path.read_bytes()


def _file_events(data: bytes) -> dict[str, Any]:
    events = Calendar.from_ical(data).walk("VEVENT")
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)
    assert {str(v.uid.value) for v in vobject.readOne(data.decode("utf-8")).vevent_list} == set(by_uid)
    return by_uid


def _content(event: Any) -> tuple[str, ...]:
    """What a calendar shows of an event."""
    return (
        event.decoded("DTSTART").isoformat(),
        *(str(event.get(k, "")) for k in ("SUMMARY", "DESCRIPTION", "STATUS")),
    )


def _view(event: Any) -> tuple[str, ...]:
    """What a calendar shows of an event, and the version it is at."""
    return (*_content(event), str(event.get("SEQUENCE", "")), str(event.get("DTSTAMP", "")))


def _assert_server_is(server: Server, ics: bytes) -> dict[str, Any]:
    """The server shows exactly the file: the same UIDs, each with the file's content and SEQUENCE."""
    mine, theirs = _file_events(ics), server.events()
    assert set(theirs) == set(mine)
    for uid, event in mine.items():
        assert _view(theirs[uid]) == _view(event), uid
    return mine


def _ladder(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "walk_run"]


def _check_in(runner, folder: Path, day: str, pain: int, *extra: str) -> None:
    args = ["checkin", str(folder), "--date", day]
    for field in ("--pain-during", "--pain-after", "--pain-next-morning"):
        args += [field, str(pain)]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output


def _replan(runner, folder: Path, today: dt.date) -> str:
    result = runner.invoke(app, ["replan", str(folder), "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def _active(events: dict[str, Any]) -> set[str]:
    return {uid for uid, e in events.items() if str(e.get("STATUS", "")) != "CANCELLED"}


def test_the_server_follows_the_plan_through_a_red_day_and_an_early_move_on(runner, tmp_path, server):
    """make, 3 greens, a red, replan, 2 greens with the checks met, replan: the plan steps back, then
    moves on early, and after each sync the server holds exactly the current version."""
    out = tmp_path / "plan"
    made = runner.invoke(
        app, ["make", "-c", "itbs", "-m", "30", "--start", START, "--tz", "Europe/London", "--out", str(out)]
    )
    assert made.exit_code == 0, made.output
    first = _plan(out)
    server.sync(_ics(out))
    v1 = _assert_server_is(server, _ics(out))

    # three green ladder sessions, then a red one
    ladder = _ladder(first)
    for s in ladder[:3]:
        _check_in(runner, out, s["date"], 1)
    red = ladder[3]
    _check_in(runner, out, red["date"], 7)
    red_day = dt.date.fromisoformat(red["date"])
    said = _replan(runner, out, red_day + dt.timedelta(days=1))
    second = _plan(out)
    assert second["revision"]["number"] == 2
    assert "red day" in said
    # the step back: the next ladder session is an earlier stage than the red day's
    stages = [step["id"] for step in first["guidance"]["ladder_steps"]]
    after = [s for s in _ladder(second) if s["date"] > red["date"]]
    assert after and stages.index(after[0]["stage"]) < stages.index(red["stage"])
    # two rest days after the red day
    rest = {(red_day + dt.timedelta(days=n)).isoformat() for n in (1, 2)}
    assert not [
        s for w in second["weeks"] for s in w["sessions"] if s["kind"] in ("run", "walk_run") and s["date"] in rest
    ]

    server.sync(_ics(out))
    v2 = _assert_server_is(server, _ics(out))
    assert set(v2) >= set(v1), "an event of version 1 vanished instead of being cancelled"
    moved = {uid for uid in v1 if _content(v1[uid]) != _content(v2[uid])}
    assert moved and all(int(v2[uid]["SEQUENCE"]) > int(v1[uid]["SEQUENCE"]) for uid in moved)

    # two greens with the phase's checks met: the ladder moves on early and the plan gets shorter
    greens = after[:2]
    _check_in(runner, out, greens[0]["date"], 1)
    _check_in(runner, out, greens[1]["date"], 1, "--criteria-met")
    said = _replan(runner, out, dt.date.fromisoformat(greens[1]["date"]) + dt.timedelta(days=1))
    third = _plan(out)
    assert third["revision"]["number"] == 3
    assert len(third["weeks"]) < len(second["weeks"]), said
    assert "checks met" in said

    server.sync(_ics(out))
    v3 = _assert_server_is(server, _ics(out))
    dropped = set(v2) - set(v3)
    assert not dropped, "an event of version 2 vanished instead of being cancelled"
    cancelled = _active(v2) - _active(v3)
    assert cancelled, "the shorter plan cancels the sessions it no longer has"
    assert all(int(v3[uid]["SEQUENCE"]) > int(v2[uid]["SEQUENCE"]) for uid in cancelled)
    # the server's planned (not cancelled) events are the file's, and every session of the plan but rest days is among them
    assert _active(server.events()) == _active(v3)
    shown = {e.decoded("DTSTART").isoformat()[:10] for uid, e in v3.items() if uid in _active(v3)}
    assert {s["date"] for w in third["weeks"] for s in w["sessions"] if s["kind"] != "rest"} <= shown
