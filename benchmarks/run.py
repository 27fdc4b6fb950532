#!/usr/bin/env python3
"""Speed, size and memory of rehabplan, each set against a floor measured in the same run.

Usage (from the repository, with rehabplan installed or importable):

    python benchmarks/run.py                  # full run: 5 timings each, a 200-row roster
    python benchmarks/run.py --runs 3 --rows 40 --jobs 2

It prints a table with PASS/FAIL per target and the machine it ran on, and writes the same
figures to benchmarks/results.md (or --results FILE). It never fails on a missed target: the
figures are for the README, not a test.

What is measured:

- make: `rehabplan make` for a 20-week plan (PDF booklet, summary, .ics, JSON), wall time of the
  whole process, median of --runs, as a user runs it again: the user's cache (the checked data and
  each condition's laid-out pages; a folder of the benchmark's own) was filled by a first make,
  whose time is shown too. The floor is a Python process that imports reportlab,
  icalendar, pydantic (its BaseModel: a bare `import pydantic` loads almost nothing until first
  use) and typer, then writes a PDF with the same page count as the real booklet,
  built with reportlab's own flowables (Paragraph and Table, the booklet's fonts). Target:
  make within 1.25 x the floor.
- `rehabplan --help` wall time, median of --runs. Target: under 0.3 s.
- batch: `rehabplan batch` on a --rows roster (mixed conditions and mileages) with --jobs
  processes, once with full booklets and once with `--booklet handout`; runners per second over
  the whole command, every runner's booklet (or handout), summary, calendar and plan written
  (best of --batch-runs, the first of which fills the user's cache; interleaved with the floor
  loop, so a busy moment on a shared host does not decide the figure). Targets: at least 15 full booklets and 25 handouts a second, and
  full booklets at at least 70% of the rate at which the floor's PDF work runs in a process pool
  on the same cores (one floor PDF per roster row, each with that row's booklet page count).
- calendar: `rehabplan.calendar_ics` for a real plan cut to 200 events, in Europe/London (so
  with a VTIMEZONE), median of --runs. Each run is a fresh process that imports rehabplan and
  icalendar and builds the plan untimed, then times the plan's first calendar, as `make` renders
  one (nothing cached yet). Target: under 100 ms. The same process then times a second calendar
  of the plan, as a batch worker renders its later runners (no target).
- PDF size of the 20-week plan's booklet (under 400 KB) and peak memory, the largest resident
  set of any one process, of make and of batch (under 200 MB each).

Before timing, rehabplan's modules are compiled to bytecode, as pip does on install (the floor's
libraries already are).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "2027-03-01"  # a fixed start date, so every run makes the same plans
CONDITIONS = ("itbs", "runners-knee", "patellar-tendinopathy", "meniscus", "bursitis", "osteoarthritis")
CALENDAR_EVENTS = 200
CALENDAR_TZ = "Europe/London"

# --------------------------------------------------------------------------- the floor


def floor_pdf(pages: int) -> bytes:
    """A booklet-sized PDF of exactly `pages` pages from reportlab's own flowables, in the booklet's fonts."""
    from io import BytesIO

    import font_source_sans_pro
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    faces = {"Floor": "SourceSansPro-Regular.ttf", "Floor-Bold": "SourceSansPro-Bold.ttf"}
    for name, filename in faces.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, os.path.join(font_source_sans_pro.font_directory, filename)))
    body = ParagraphStyle("body", fontName="Floor", fontSize=10, leading=13, spaceAfter=4)
    head = ParagraphStyle("head", fontName="Floor-Bold", fontSize=16, leading=20, spaceAfter=6)
    cell = ParagraphStyle("cell", fontName="Floor", fontSize=9, leading=11)
    words = (  # noqa: SIM905 (a sentence reads better than a list of forty words)
        "Walk easy for five minutes then run one minute and walk two, keep the effort easy and stop "
        "if the knee pain rises above three out of ten during or the morning after the session"
    ).split()

    def text(n: int, seed: int) -> str:
        return " ".join(words[(seed + i) % len(words)] for i in range(n))

    story = []
    for page in range(pages):
        story.append(Paragraph(f"Week {page + 1}: <b>{text(4, page)}</b>", head))
        for k in range(3):
            story.append(Paragraph(text(55, page * 3 + k), body))
        rows = [[Paragraph(f"<b>{h}</b>", cell) for h in ("Day", "Session", "Details", "Done")]]
        for r in range(10):
            rows.append([Paragraph(d, cell) for d in (f"Day {r + 1}", text(3, r), text(14, page + r), "\u2610")])
        table = Table(rows, colWidths=[22 * mm, 40 * mm, 90 * mm, 14 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dbe8ec")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [Spacer(1, 4 * mm), table]
        if page < pages - 1:
            story.append(PageBreak())
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        invariant=True,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    if doc.page != pages:  # pragma: no cover - the block above is sized to fit one page
        raise SystemExit(f"floor: made {doc.page} pages, wanted {pages}")
    return buf.getvalue()


def _floor_job(args: tuple[int, str]) -> int:
    pages, path = args
    data = floor_pdf(pages)
    Path(path).write_bytes(data)
    return len(data)


def _floor_imports() -> None:
    """The heavy imports a plan needs: reportlab, icalendar, pydantic and typer."""
    import icalendar  # noqa: F401
    import reportlab  # noqa: F401
    import typer  # noqa: F401
    from pydantic import BaseModel  # noqa: F401  (`import pydantic` alone defers loading pydantic's code)


def floor_main(pages: int, out: Path) -> None:
    """The floor process for one booklet: the heavy imports, then one PDF written."""
    _floor_imports()
    _floor_job((pages, str(out)))


def floor_loop_main(pages_file: Path, out_dir: Path, jobs: int) -> None:
    """The floor's own work in a loop on the same cores: one floor PDF per roster row, in a process pool."""
    from concurrent.futures import ProcessPoolExecutor

    _floor_imports()

    pages = json.loads(pages_file.read_text())
    work = [(p, str(out_dir / f"floor-{i:04d}.pdf")) for i, p in enumerate(pages)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_floor_job, work))


# --------------------------------------------------------------------------- running and measuring

WRAPPER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "rss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime, "rc": p.returncode, "err": p.stderr.decode("utf-8", "replace")[-2000:]}))
"""


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> dict:
    """Wall time, peak resident set (largest single process) and CPU time of one command."""
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, env=env, cwd=cwd, check=True)
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"benchmark: {' '.join(cmd)} failed with exit code {result['rc']}:\n{result['err']}")
    return result


def rehabplan_cmd() -> tuple[list[str], dict[str, str]]:
    """How to run rehabplan: the installed script when there is one, else `python -m rehabplan` from src/."""
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    script = Path(sys.executable).with_name("rehabplan")
    try:
        import rehabplan  # noqa: F401
    except ImportError:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
        return [sys.executable, "-m", "rehabplan"], env
    if script.exists():
        return [str(script)], env
    return [sys.executable, "-m", "rehabplan"], env


def compile_package(env: dict[str, str]) -> None:
    """Compile rehabplan's modules to bytecode, as pip does when it installs a package.

    The floor's libraries were compiled when they were installed; an editable install (or
    PYTHONDONTWRITEBYTECODE=1) would leave rehabplan to be compiled again on every run.
    """
    where = subprocess.run(  # the rehabplan that cmd runs: this Python's, or src/ through PYTHONPATH
        [sys.executable, "-c", "import os, rehabplan; print(os.path.dirname(rehabplan.__file__))"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", where], env=env, check=True)


def count_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def text_per_page(pdf: Path) -> int | None:
    """Characters of text per page (pypdf, when installed), to show the floor carries as much text as the booklet."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    reader = PdfReader(pdf)
    return sum(len(p.extract_text() or "") for p in reader.pages) // max(1, len(reader.pages))


def twenty_week_plan() -> tuple[str, str, int]:
    """A condition and mileage whose plan runs 20 weeks (the closest to 20 when none does)."""
    sys.path.insert(0, str(ROOT / "src"))
    from rehabplan import PlanRequest, build_plan, load_catalog

    catalog = load_catalog()
    best: tuple[int, str, str, int] | None = None
    for condition in CONDITIONS:
        for mileage in range(10, 41):
            plan = build_plan(
                PlanRequest(condition=condition, mileage=mileage, start=dt.date.fromisoformat(START)), catalog
            )
            weeks = len(plan.weeks)
            key = (abs(weeks - 20), condition, str(mileage), weeks)
            if best is None or key[0] < best[0]:
                best = key
            if weeks == 20:
                return condition, str(mileage), weeks
    assert best is not None
    return best[1], best[2], best[3]


def calendar_plan(events: int):
    """A real plan cut to exactly `events` calendar events (its sessions other than rest days).

    The first plan, by condition and then mileage, with at least that many events keeps its
    weeks up to the one where the count is reached, and of that week its sessions up to it.
    """
    sys.path.insert(0, str(ROOT / "src"))
    from rehabplan import PlanRequest, build_plan, load_catalog

    catalog = load_catalog()
    for condition in CONDITIONS:
        for mileage in range(10, 151):
            request = PlanRequest(condition=condition, mileage=mileage, start=dt.date.fromisoformat(START))
            plan = build_plan(request, catalog)
            if sum(s.kind != "rest" for s in plan.sessions()) < events:
                continue
            weeks, left = [], events
            for week in plan.weeks:
                kept = []
                for session in week.sessions:
                    if left == 0:
                        break
                    kept.append(session)
                    left -= session.kind != "rest"
                weeks.append(week.model_copy(update={"sessions": tuple(kept)}))
                if left == 0:
                    break
            return plan.model_copy(update={"weeks": tuple(weeks), "end": weeks[-1].end})
    raise SystemExit(f"benchmark: no plan has {events} calendar events")


def calendar_main(events: int) -> None:
    """One fresh process: the plan untimed, then its first calendar and a second one, timed (JSON on stdout)."""
    import rehabplan

    plan = calendar_plan(events)
    render = rehabplan.calendar_ics  # imports the calendar module and icalendar, untimed like the floor's imports
    options = rehabplan.CalendarOptions(tz=CALENDAR_TZ)
    times, counts = [], set()
    for _ in range(2):
        t = time.perf_counter()
        data = render(plan, options)
        times.append(time.perf_counter() - t)
        counts.add(data.count(b"BEGIN:VEVENT"))
    if counts != {events}:
        raise SystemExit(f"benchmark: the calendar has {counts} events, wanted {events}")
    print(json.dumps({"first": times[0], "again": times[1]}))


def write_roster(path: Path, rows: int) -> None:
    """A squad: every condition, mileages from 10 to 40 mi (every fifth runner in km)."""
    conditions = ["itbs", "runners-knee", "patellar-tendinopathy", "bursitis", "meniscus", "osteoarthritis"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "condition", "mileage", "units", "start", "weeks_off"])
        for i in range(rows):
            km = i % 5 == 4
            mileage = 10 + (i * 7) % 31
            w.writerow(
                [
                    f"Runner {i + 1:03d}",
                    conditions[i % len(conditions)],
                    round(mileage * 1.6) if km else mileage,
                    "km" if km else "mi",
                    START,
                    i % 4,
                ]
            )


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "unknown"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    try:
        import reportlab

        rl = reportlab.Version
    except ImportError:
        rl = "?"
    try:
        import _rl_accel  # noqa: F401

        accel = "yes"
    except ImportError:
        accel = "no"
    return {
        "cpu": model,
        "cores": str(usable),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "reportlab": f"{rl} (C accelerator rl_accel: {accel})",
        "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?",
    }


# --------------------------------------------------------------------------- the report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timings per single-plan figure (median is reported)")
    ap.add_argument("--rows", type=int, default=200, help="runners in the batch roster")
    ap.add_argument(
        "--batch-runs",
        type=int,
        default=2,
        help="batch and floor-loop timings, interleaved (the best of each is reported)",
    )
    ap.add_argument(
        "--jobs", type=int, default=None, help="processes for batch and the floor loop [default: CPU cores]"
    )
    ap.add_argument(
        "--results", type=Path, default=ROOT / "benchmarks" / "results.md", help="where to write the figures"
    )
    ap.add_argument("--floor", nargs=2, metavar=("PAGES", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--floor-loop", nargs=3, metavar=("PAGES_JSON", "OUT_DIR", "JOBS"), help=argparse.SUPPRESS)
    ap.add_argument("--calendar", type=int, metavar="EVENTS", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.floor:
        floor_main(int(args.floor[0]), Path(args.floor[1]))
        return 0
    if args.floor_loop:
        floor_loop_main(Path(args.floor_loop[0]), Path(args.floor_loop[1]), int(args.floor_loop[2]))
        return 0
    if args.calendar:
        calendar_main(args.calendar)
        return 0

    info = machine()
    jobs = args.jobs or int(info["cores"])
    cmd, env = rehabplan_cmd()
    me = [sys.executable, str(Path(__file__).resolve())]
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['os']}, reportlab {info['reportlab']}"
    )
    print(f"load average at start: {info['load']}", flush=True)
    compile_package(env)

    with tempfile.TemporaryDirectory(prefix="rehabplan-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**env, "REHABPLAN_CACHE_DIR": str(tmp / "cache")}  # a user's cache of our own, empty at first
        condition, mileage, weeks = twenty_week_plan()
        make_args = [*cmd, "make", "--condition", condition, "--mileage", mileage, "--start", START, "--tz", "UTC"]

        # (a) make end to end vs the floor, interleaved so a busy moment hits both alike
        first = tmp / "make-0"
        first_s = measure([*make_args, "--out", str(first)], env, tmp)["wall"]  # fills the user's cache
        booklet_path = next(first.glob("*-booklet.pdf"))
        booklet = booklet_path.read_bytes()
        pages = count_pages(booklet)
        density = (text_per_page(booklet_path), None)
        make_runs, floor_runs = [], []
        for i in range(args.runs):
            make_runs.append(measure([*make_args, "--out", str(tmp / f"make-{i + 1}")], env, tmp))
            floor_runs.append(measure([*me, "--floor", str(pages), str(tmp / f"floor-{i}.pdf")], env, tmp))
        density = (density[0], text_per_page(tmp / "floor-0.pdf"))
        make_s = statistics.median(r["wall"] for r in make_runs)
        floor_s = statistics.median(r["wall"] for r in floor_runs)
        make_rss = max(r["rss_kb"] for r in make_runs) / 1024
        print(f"make: {make_s:.2f} s, floor ({pages} pages): {floor_s:.2f} s", flush=True)

        # (b) --help
        help_runs = [measure([*cmd, "--help"], env, tmp)["wall"] for _ in range(max(args.runs, 5))]
        help_s = statistics.median(help_runs)
        print(f"--help: {help_s:.3f} s", flush=True)

        # (c) the calendar alone, a fresh process each run
        calendar_cmd = [*me, "--calendar", str(CALENDAR_EVENTS)]
        calendar_runs = [
            json.loads(subprocess.run(calendar_cmd, capture_output=True, env=env, cwd=tmp, check=True).stdout)
            for _ in range(args.runs)
        ]
        calendar_ms = statistics.median(r["first"] for r in calendar_runs) * 1000
        again_ms = statistics.median(r["again"] for r in calendar_runs) * 1000
        print(f"calendar, {CALENDAR_EVENTS} events: {calendar_ms:.1f} ms, again: {again_ms:.1f} ms", flush=True)

        # (d) batch vs the floor's work in a loop on the same cores
        roster = tmp / "roster.csv"
        write_roster(roster, args.rows)
        batch_cmd = [*cmd, "batch", str(roster), "--out", str(tmp / "batch"), "--jobs", str(jobs), "--tz", "UTC"]
        batch_runs, loop_runs, handout_runs = [], [], []
        for i in range(args.batch_runs):  # interleaved, best of each: a busy host slows one run, not the figure
            shutil.rmtree(tmp / "batch", ignore_errors=True)
            handout = measure([*batch_cmd, "--booklet", "handout"], env, tmp)
            handouts = len(list((tmp / "batch").glob("*/*-booklet.pdf")))
            handout_runs.append(handout)
            print(f"batch --booklet handout: {handouts} handouts in {handout['wall']:.1f} s", flush=True)
            shutil.rmtree(tmp / "batch", ignore_errors=True)
            batch = measure(batch_cmd, env, tmp)
            booklets = sorted((tmp / "batch").glob("*/*-booklet.pdf"))
            batch_runs.append(batch)
            print(f"batch: {len(booklets)} booklets in {batch['wall']:.1f} s", flush=True)
            if i == 0:
                batch_pages = [count_pages(p.read_bytes()) for p in booklets]
                pages_file = tmp / "pages.json"
                pages_file.write_text(json.dumps(batch_pages))
            floor_dir = tmp / f"floor-loop-{i}"
            floor_dir.mkdir()
            loop_runs.append(measure([*me, "--floor-loop", str(pages_file), str(floor_dir), str(jobs)], env, tmp))
            shutil.rmtree(floor_dir, ignore_errors=True)
            print(f"floor loop: {len(batch_pages)} PDFs in {loop_runs[-1]['wall']:.1f} s", flush=True)
        batch = min(batch_runs, key=lambda r: r["wall"])
        loop = min(loop_runs, key=lambda r: r["wall"])
        batch["rss_kb"] = max(r["rss_kb"] for r in batch_runs)
        batch_rate = len(booklets) / batch["wall"]
        handout_rate = handouts / min(r["wall"] for r in handout_runs)
        floor_rate = len(batch_pages) / loop["wall"]
        shutil.rmtree(tmp / "batch", ignore_errors=True)

    batch_cpu = batch["cpu"] / max(1, len(booklets))
    loop_cpu = loop["cpu"] / max(1, len(batch_pages))
    pdf_kb = len(booklet) / 1000
    ratio = make_s / floor_s
    share = batch_rate / floor_rate
    rows = [
        (
            f"make end to end ({condition} {mileage} mi, {weeks} weeks; median of {args.runs})",
            f"{make_s:.2f} s",
            "",
            "",
        ),
        ("make, the first time (empty user's cache)", f"{first_s:.2f} s", "", ""),
        (f"floor: imports + reportlab PDF of {pages} pages", f"{floor_s:.2f} s", "", ""),
        ("text per page, booklet / floor", f"{density[0] or '?'} / {density[1] or '?'} chars", "", ""),
        ("make / floor", f"{ratio:.2f} x", "<= 1.25 x", verdict(ratio <= 1.25)),
        ("rehabplan --help", f"{help_s:.3f} s", "< 0.3 s", verdict(help_s < 0.3)),
        (
            f"calendar, {CALENDAR_EVENTS} events ({CALENDAR_TZ}; a fresh process's first, median of {args.runs})",
            f"{calendar_ms:.1f} ms",
            "< 100 ms",
            verdict(calendar_ms < 100),
        ),
        (f"calendar, {CALENDAR_EVENTS} events, again in that process", f"{again_ms:.1f} ms", "", ""),
        (
            f"batch, {args.rows} rows, --jobs {jobs} (best of {args.batch_runs})",
            f"{batch_rate:.1f} booklets/s",
            ">= 15 /s",
            verdict(batch_rate >= 15),
        ),
        (
            f"batch --booklet handout, {args.rows} rows, --jobs {jobs} (best of {args.batch_runs})",
            f"{handout_rate:.1f} handouts/s",
            ">= 25 /s",
            verdict(handout_rate >= 25),
        ),
        (
            "batch and batch --booklet handout, the first run (the user's cache filling)",
            f"{len(booklets) / batch_runs[0]['wall']:.1f} booklets/s, {handouts / handout_runs[0]['wall']:.1f} handouts/s",
            "",
            "",
        ),
        (
            f"floor loop, {len(batch_pages)} PDFs, {jobs} processes (best of {args.batch_runs})",
            f"{floor_rate:.1f} PDFs/s",
            "",
            "",
        ),
        ("batch / floor loop", f"{share * 100:.1f} %", ">= 70 %", verdict(share >= 0.7)),
        (
            "CPU per booklet: batch / floor loop",
            f"{batch_cpu:.2f} s / {loop_cpu:.2f} s ({loop_cpu / batch_cpu * 100:.0f} %)",
            "",
            "",
        ),
        (f"booklet PDF size, {weeks}-week plan ({pages} pages)", f"{pdf_kb:.0f} KB", "< 400 KB", verdict(pdf_kb < 400)),
        ("peak memory, make", f"{make_rss:.0f} MB", "< 200 MB", verdict(make_rss < 200)),
        (
            "peak memory, batch (largest process)",
            f"{batch['rss_kb'] / 1024:.0f} MB",
            "< 200 MB",
            verdict(batch["rss_kb"] / 1024 < 200),
        ),
    ]
    widths = [max(len(r[i]) for r in [*rows, ("figure", "measured", "target", "result")]) for i in range(4)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format("figure", "measured", "target", "result"))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    md = [
        "# Benchmark results",
        "",
        f"Measured {when} with `python benchmarks/run.py --runs {args.runs} --rows {args.rows} --batch-runs {args.batch_runs} --jobs {jobs}`.",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['os']}, "
        f"reportlab {info['reportlab']}; load average at start {info['load']}.",
        "",
        "| figure | measured | target | result |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
    ]
    args.results.parent.mkdir(parents=True, exist_ok=True)
    # keep the web page's figures (benchmarks/web.py writes them between these markers)
    before = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    start, end = "<!-- web:start -->", "<!-- web:end -->"
    if start in before and end in before:
        md += [before[before.index(start) : before.index(end) + len(end)], ""]
    args.results.write_text("\n".join(md), encoding="utf-8")
    print(f"\nwritten to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
