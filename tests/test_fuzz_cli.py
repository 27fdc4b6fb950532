"""Fuzzing make's arguments: every run either succeeds with parseable outputs or fails with one clean line."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from pypdf import PdfReader
from typer.testing import CliRunner

from rehabplan.cli import app

CONDITIONS = ["itbs", "runners-knee", "patellar-tendinopathy", "bursitis", "meniscus", "osteoarthritis"]
ALIASES = ["pfp", "jumpers-knee", "oa", "ITBS", " itbs ", "Runners Knee", "runner's-knee", "pt"]
JUNK_WORDS = [
    "",
    " ",
    "itbz",
    "knee",
    "--mileage",
    "-",
    "☃",
    "itbs\x00",
    "../etc/passwd",
    "a" * 300,
    "<b>x</b>",
    "1e309",
]
ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
    "Factory",
    "EST5EDT",
    "Etc/GMT+12",
    "Mars/Olympus",
    "../etc",
    "/etc/localtime",
    "",
    "Europe/London\n",
]
KINDS = ["run", "walk_run", "walk-run", "strength", "ice", "heat", "cross_training", "check_in", "sprint", "RUN", ""]
HOSTILE_TEXT = [
    "<b>bold</b> & <i>co</i>",
    "Zoë O'Neil-Łukasiewicz",
    "עברית",
    "العربية",
    "Sam \U0001f3c3\u200d\u2640\ufe0f",
    "中文 名字",
    "]]> <!-- ' \" \\ ; , :",
    "Sam\nLee",
    "x\x1b[2J",
    "\u202eevil",
    "A" * 201,
    "   ",
]


def _number_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-5, 260).map(str),
        st.integers(1, 150).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.floats(0.5, 250).map(lambda x: f"{x:.3f}"),
        st.sampled_from(
            ["nan", "NaN", "-inf", "1e309", "9" * 500, "30,5", "1,000", "thirty", "", "0x1e", "٣٠", "30 mi"]
        ),
        st.text(max_size=8),
    )


def _date_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates(min_value=dt.date(1999, 12, 1), max_value=dt.date(2100, 2, 1)).map(dt.date.isoformat),
        st.sampled_from(
            ["2027-02-30", "2027-13-01", "2028-02-29", "2027-02-29", "tomorrow", "2027-3-1", "", "2027-03-01T00:00"]
        ),
        st.text(max_size=12),
    )


def _time_item() -> st.SearchStrategy[str]:
    clock = st.one_of(
        st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 25), st.integers(0, 61)),
        st.sampled_from(["6:30", "24:00", "-1:00", "06:3", "noon", ""]),
    )
    return st.one_of(
        st.builds(lambda k, c: f"{k}={c}", st.sampled_from(KINDS), clock),
        st.sampled_from(["run", "=06:00", "run=06:00=07:00"]),
    )


def _pace_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda m, s: f"{m}:{s:02d}", st.integers(0, 99), st.integers(0, 99)),
        st.sampled_from(["fast", "0:00", "99:99", "8", "nan", "inf", "10:30", "6:30", ""]),
    )


def _label() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))


@st.composite
def make_args(draw, formats: st.SearchStrategy[str]) -> list[str]:
    """make's arguments, mostly plausible, some hostile, with the given --format."""
    args = ["make"]
    args += [
        "--condition",
        draw(
            st.one_of(
                st.sampled_from(CONDITIONS),
                st.sampled_from(CONDITIONS),
                st.sampled_from(ALIASES),
                st.sampled_from(JUNK_WORDS),
            )
        ),
    ]
    args += ["--mileage", draw(st.one_of(st.integers(1, 150).map(str), st.integers(1, 150).map(str), _number_text()))]
    optional = {
        "--site": st.sampled_from(["prepatellar", "pes-anserine", "pes_anserine", "elbow", ""]),
        "--units": st.sampled_from(["mi", "km", "KM", " miles", "kilometres", "furlongs", ""]),
        "--start": st.one_of(st.sampled_from(["2027-03-01", "2028-02-29", "2026-12-31", "2027-10-31"]), _date_text()),
        "--tz": st.sampled_from(ZONES),
        "--pace": _pace_text(),
        "--run-days": st.one_of(st.integers(-1, 8).map(str), st.sampled_from(["x", "", "4.5", "٤"])),
        "--weeks-off": st.one_of(st.integers(-2, 110).map(str), st.sampled_from(["x", "", "1e3"])),
        "--name": _label(),
        "--coach": _label(),
        "--clinic": _label(),
        "--contact": _label(),
        "--paper": st.sampled_from(["letter", "a4", "A4", "a3"]),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=6))
    for option in chosen:
        args += [option, draw(optional[option])]
    for item in draw(st.lists(_time_item(), max_size=3)):
        args += ["--time", item]
    if draw(st.booleans()):
        args.append(draw(st.sampled_from(["--all-day", "--no-alarms"])))
    args += ["--format", draw(formats)]
    return args


def _run(args: list[str], *, files: bool) -> None:
    """Run make in an empty temporary folder and check the outcome is a clean success or a clean failure."""
    runner = CliRunner(env={"COLUMNS": "200", "TZ": "Europe/London"})
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            out = Path(tmp) / "out"
            result = runner.invoke(app, [*args, "--out", str(out)] if files else args)
            assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
            assert "Traceback" not in result.stderr
            lines = result.stderr.splitlines()
            assert all(
                line.startswith(("rehabplan: error: ", "rehabplan: warning: ", "rehabplan: note: ")) for line in lines
            ), lines
            errors = [line for line in lines if line.startswith("rehabplan: error: ")]
            if result.exit_code == 0:
                assert errors == []
                if files:
                    _check_files(out)
                    assert sorted(p.name for p in Path(tmp).iterdir()) == ["out"]
                else:
                    plan = json.loads(result.stdout)
                    assert plan["weeks"] and plan["weeks"][0]["start"] == plan["start"]
                    assert list(Path(tmp).iterdir()) == []
            else:
                assert result.exit_code in (1, 2), (args, result.exit_code, result.stderr)
                assert result.stdout == ""
                assert len(errors) == 1, (args, lines)
                assert list(Path(tmp).iterdir()) == [], (args, list(Path(tmp).rglob("*")))
        finally:
            os.chdir(old)


def _check_files(out: Path) -> None:
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 and not any(n.startswith(".") for n in names), names
    for pdf in out.glob("*.pdf"):
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 1
        assert reader.pages[0].extract_text()
    [ics] = out.glob("*.ics")
    cal = Calendar.from_ical(ics.read_bytes())
    assert cal.walk("VEVENT")
    [plan_file] = out.glob("*-plan.json")
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    assert len(cal.walk("VEVENT")) == sum(1 for w in plan["weeks"] for s in w["sessions"] if s["kind"] != "rest")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(make_args(st.sampled_from(["json", "json", "json", "JSON", "xml"])))
def test_fuzz_make_json(args):
    """make with fuzzed arguments and --format json: valid plan JSON on stdout, or one clean error line."""
    _run(args, files=False)


@st.composite
def file_args(draw) -> list[str]:
    """Plausible make arguments for a real file run, with hostile names and varied zones and times."""
    args = ["make", "-c", draw(st.sampled_from(CONDITIONS + ALIASES[:3])), "-m", draw(st.integers(1, 150).map(str))]
    args += ["--start", draw(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2029, 12, 31))).isoformat()]
    args += ["--tz", draw(st.sampled_from(ZONES[:10]))]
    if draw(st.booleans()):
        args += ["--units", "km", "-m", draw(st.integers(1, 240).map(str))]
    for option in draw(
        st.lists(st.sampled_from(["--name", "--coach", "--clinic", "--contact"]), unique=True, max_size=4)
    ):
        args += [option, draw(st.sampled_from(HOSTILE_TEXT))]
    for kind in draw(st.lists(st.sampled_from(KINDS[:8]), unique=True, max_size=2)):
        args += ["--time", f"{kind}={draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"]
    if draw(st.booleans()):
        args.append(draw(st.sampled_from(["--all-day", "--no-alarms"])))
    return args


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(file_args(), make_args(st.just("files"))))
def test_fuzz_make_files(args):
    """make with fuzzed arguments writing files: PDF, ICS and JSON that parse, or one clean error line."""
    _run(args, files=True)
