"""How fast the web page answers, as a host would see it: median and 95th-percentile latency of

- the plan page after submitting the form (POST /new, then the plan page it leads to), and
- the calendar feed a subscribed calendar app fetches,

with 1 and with 20 users at once, against `rehabplan serve` running in its own process on this
machine. The feed is served from what was stored when the plan was made, so it should stay fast
even while plans are being made.

Run from the repository root after installing the test extra:
    python benchmarks/web.py [--requests 40] [--out benchmarks/results-web.md]
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

START, END = "<!-- web:start -->", "<!-- web:end -->"
FORM = {
    "condition": "itbs",
    "mileage": "30",
    "units": "mi",
    "start": "2027-03-01",
    "weeks_off": "0",
    "can_run": "0",
    "run_days": "4",
    "tz": "Europe/London",
    "time_run": "07:00",
    "time_strength": "18:00",
    "time_check_in": "06:45",
    "name": "Sam Lee",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rehabplan", "serve", "--port", str(port), "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the site did not start") from None
            time.sleep(0.1)


def _make_plan(port: int) -> float:
    """Seconds from submitting the form to having the plan page."""
    body = urllib.parse.urlencode(FORM)
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", "/new", body, {"Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 303, resp.status
    location = resp.getheader("location") or ""
    conn.request("GET", location)
    page = conn.getresponse()
    page.read()
    assert page.status == 200, page.status
    conn.close()
    return time.perf_counter() - start


def _fetch(port: int, path: str) -> float:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    resp = conn.getresponse()
    data = resp.read()
    assert resp.status == 200 and data.startswith(b"BEGIN:VCALENDAR"), resp.status
    conn.close()
    return time.perf_counter() - start


def _run(users: int, count: int, job) -> list[float]:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(max_workers=users) as pool:
        return list(pool.map(lambda _: job(), range(count)))


def _feed_during(port: int, feed: str, users: int, count: int) -> list[float]:
    """Feed latencies, one calendar app fetching in a loop while `users` submit the form."""
    done = threading.Event()
    times: list[float] = []

    def poll() -> None:
        while not done.is_set():
            times.append(_fetch(port, feed))
            time.sleep(0.01)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        _run(users, count, lambda: _make_plan(port))
    finally:
        done.set()
        poller.join()
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=40, help="requests per measurement (default 40)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results.md")
    args = ap.parse_args()
    rows: list[tuple[str, int, int, float, float]] = []
    with tempfile.TemporaryDirectory() as data:
        proc, port = _start(Path(data))
        try:
            feed = "/p/" + _first_plan(port) + "/calendar.ics"
            for users in (1, 20):
                n = max(args.requests // 2, users) if users > 1 else max(args.requests // 4, 5)
                made = _run(users, n, lambda: _make_plan(port))
                rows.append(("plan page after the form", users, n, statistics.median(made), _p95(made)))
                fetched = _run(users, args.requests * 5, lambda: _fetch(port, feed))
                rows.append(("calendar feed", users, args.requests * 5, statistics.median(fetched), _p95(fetched)))
            during = _feed_during(port, feed, 20, 20)
            rows.append(
                (
                    "calendar feed while 20 users submit the form",
                    1,
                    len(during),
                    statistics.median(during),
                    _p95(during),
                )
            )
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    cpu = _cpu()
    lines = [
        START,
        "## Web page latency",
        "",
        f"`python benchmarks/web.py` on {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}: "
        "`rehabplan serve` (one server process, a render worker per core), clients on the same machine.",
        "",
        "| request | users at once | requests | median | 95th percentile |",
        "|---|---|---|---|---|",
        *(f"| {what} | {u} | {n} | {med * 1000:.0f} ms | {p95 * 1000:.0f} ms |" for what, u, n, med, p95 in rows),
        END,
    ]
    text = "\n".join(lines)
    print(text)
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if START in old and END in old:
        new = old[: old.index(START)] + text + old[old.index(END) + len(END) :]
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + text + "\n"
    args.out.write_text(new, encoding="utf-8")
    print(f"\nwritten to {args.out}")


def _first_plan(port: int) -> str:
    body = urllib.parse.urlencode(FORM)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", "/new", body, {"Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    resp.read()
    return (resp.getheader("location") or "").removeprefix("/p/")


def _cpu() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        found = re.search(r"model name\s*:\s*(.+)", text)
        if found:
            return " ".join(found.group(1).split())
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
