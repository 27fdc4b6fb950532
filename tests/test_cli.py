"""The command line: exit codes, stdout vs stderr, files written, help on every command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from rehabplan.cli import app

COMMANDS = ["make", "show", "batch", "conditions", "exercises", "check-data", "schema"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(runner, command):
    """Every command has --help with an example."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: rehabplan" in result.stdout


def test_version(runner):
    """--version prints the version."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("rehabplan ")


def test_make_writes_three_outputs_and_prints_paths(runner, tmp_path):
    """make writes booklet, summary, calendar and plan JSON into --out and prints their paths."""
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["make", "--condition", "itbs", "--mileage", "30", "--start", "2027-03-01", "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "itbs-2027-03-01-booklet.pdf",
        "itbs-2027-03-01-plan.json",
        "itbs-2027-03-01-summary.pdf",
        "itbs-2027-03-01.ics",
    ]
    for name in files:
        assert name in result.stdout
    plan = json.loads((out / "itbs-2027-03-01-plan.json").read_text(encoding="utf-8"))
    assert plan["condition"] == "itbs" and plan["start"] == "2027-03-01"
    assert len(PdfReader(out / "itbs-2027-03-01-booklet.pdf").pages) > 5
    Calendar.from_ical((out / "itbs-2027-03-01.ics").read_bytes())


def test_make_default_folder_is_named_after_condition_and_start(runner, tmp_path, monkeypatch):
    """Without --out the files go to CONDITION-START in the current folder."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["make", "-c", "meniscus", "-m", "12", "--start", "2027-01-04"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "meniscus-2027-01-04" / "meniscus-2027-01-04.ics").is_file()


def test_make_json_prints_plan_and_writes_nothing(runner, tmp_path, monkeypatch):
    """--format json prints the plan JSON on stdout and writes no file."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["make", "-c", "pfp", "-m", "20", "--start", "2027-05-03", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["condition"] == "runners-knee"
    assert data["weeks"][-1]["run_distance"] == 20
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["-c", "itbz", "-m", "30"], 2, "did you mean 'itbs'"),
        (["-c", "itbs", "-m", "0"], 2, "positive"),
        (["-c", "itbs", "-m", "-5"], 2, "positive"),
        (["-c", "itbs", "-m", "lots"], 2, "not a number"),
    ],
)
def test_make_bad_input_is_one_line_on_stderr(runner, tmp_path, monkeypatch, args, code, fragment):
    """Bad input: one line on stderr, nothing on stdout, the right exit code, no file."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["make", *args])
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rehabplan: error: ")
    assert fragment in lines[0].lower()
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_folder(runner, tmp_path):
    """An output folder that cannot be created gives one line and exit 1, and no file."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--out", str(blocker / "plan")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--out" in result.stderr
    assert blocker.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_conditions_json(runner):
    """conditions --json lists the six conditions with the documented fields."""
    result = runner.invoke(app, ["conditions", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] and len(data) == 6
    for d in data:
        assert set(d) == {"id", "name", "aliases", "where_it_hurts", "sites"}
    bursitis = next(d for d in data if d["id"] == "bursitis")
    assert {s["id"] for s in bursitis["sites"]} == {"prepatellar", "pes-anserine"}


def test_exercises_json_filters_avoided(runner, catalog):
    """exercises --condition leaves out exercises avoided for that condition."""
    everything = json.loads(runner.invoke(app, ["exercises", "--json"]).stdout)
    assert len(everything) >= 35
    assert {e["target"] for e in everything} == {"core", "hip", "knee", "stretch"}
    for cond in catalog.conditions():
        shown = json.loads(runner.invoke(app, ["exercises", "--condition", cond, "--json"]).stdout)
        assert all(cond not in e["avoid"] for e in shown)
        assert len(shown) == sum(1 for e in everything if cond not in e["avoid"])


def test_check_data_ok_and_says_where_the_shipped_data_lives(runner):
    """check-data on the shipped data exits 0 with a count, the folder it checked and where the
    shipped data lives (a clinic copies from there)."""
    from rehabplan.catalog.loading import default_root

    result = runner.invoke(app, ["check-data"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Data OK:") and len(lines) == 3
    assert lines[2] == f"Shipped data (templates/ and exercises/): {default_root()}"
    assert (Path(str(default_root())) / "templates").is_dir()


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules", "posix/Europe/London", "right/UTC"])
def test_only_places_time_zones_are_accepted(runner, zone):
    """Files of the zone database that are not a place's zone are refused, naming --tz."""
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--format", "json", "--tz", zone])
    assert result.exit_code == 2
    assert f"--tz '{zone}' is not" in result.stderr and result.stdout == ""


def test_make_leaves_garbage_collection_as_it_found_it(runner):
    """make pauses garbage collection while it renders (it ends soon), never for its caller."""
    import gc

    assert gc.isenabled()
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--format", "json", "--tz", "UTC"])
    assert result.exit_code == 0
    assert gc.isenabled()
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--format", "json", "--tz", "Nowhere/Else"])
    assert result.exit_code == 2
    assert gc.isenabled()


def test_every_places_time_zone_is_accepted_as_the_database_spells_it():
    """Each place's zone in the zone database is taken, and only in its own spelling."""
    import zoneinfo

    from rehabplan.app.inputs import parse_tz
    from rehabplan.errors import InputError

    places = sorted(
        n
        for n in zoneinfo.available_timezones()
        if not n.startswith(("posix/", "right/", "SystemV/")) and n not in ("localtime", "Factory", "posixrules")
    )
    assert len(places) > 300
    for name in places:
        assert parse_tz(name) == name
    for name in places[::25]:
        for other in {name.lower(), name.upper(), name.swapcase()} - {name}:
            with pytest.raises(InputError):
                parse_tz(other)


@pytest.mark.parametrize("option", ["--start", "--out"])
def test_an_empty_start_or_folder_is_an_error_not_the_default(runner, tmp_path, option, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--tz", "UTC", option, ""])
    assert result.exit_code == 2
    assert f"{option} is empty" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("pace", "ask"), [("9.45", "9:45"), ("10,5", "10:50")])
def test_a_decimal_pace_asks_for_minutes_and_seconds(runner, pace, ask):
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--format", "json", "--pace", pace])
    assert result.exit_code == 2
    assert "MM:SS" in result.stderr and f"e.g. {ask}" in result.stderr


def test_a_vague_condition_points_to_the_conditions_command(runner):
    """'knee' could be any of them: no diagnosis is suggested, the list command is named."""
    result = runner.invoke(app, ["make", "-c", "knee", "-m", "30", "--format", "json"])
    assert result.exit_code == 2
    assert "`rehabplan conditions`" in result.stderr and "Did you mean" not in result.stderr
    typo = runner.invoke(app, ["make", "-c", "itbss", "-m", "30", "--format", "json"])
    assert "Did you mean 'itbs'?" in typo.stderr


def test_show_never_cuts_a_phase_name_and_prints_each_note_once(runner):
    """Every word of every phase name is in the table, nothing ends in '...', and a long plan's note
    appears once."""
    result = runner.invoke(app, ["show", "-c", "pt", "-m", "150"])
    assert result.exit_code == 0
    assert "..." not in result.stdout
    plan = json.loads(runner.invoke(app, ["make", "-c", "pt", "-m", "150", "--format", "json"]).stdout)
    table = result.stdout.split("Weekly running")[0]
    for phase in plan["phases"]:
        for word in phase["name"].split():
            assert word in table, phase["name"]
    assert result.stdout.count("clinician review it") + result.stderr.count("clinician review it") == 1


def test_exercises_show_names_and_whole_doses(runner, catalog):
    from rehabplan.wording.formats import dose

    result = runner.invoke(app, ["exercises"])
    text = " ".join(result.stdout.split())
    for e in catalog.exercises.values():
        assert e.name in text and " ".join(dose(e.dose).split()) in text


def test_the_default_start_is_today_on_a_monday_and_make_says_it(runner, tmp_path):
    from rehabplan.app.inputs import next_monday

    monday = dt.date(2027, 3, 1)
    assert next_monday(monday) == monday
    assert all(next_monday(monday + dt.timedelta(days=n)) == monday + dt.timedelta(days=7) for n in range(1, 7))
    result = runner.invoke(
        app, ["make", "-c", "itbs", "-m", "30", "--tz", "UTC", "--start", "2027-03-01", "--out", str(tmp_path / "p")]
    )
    assert result.exit_code == 0 and "Starts:   Mon 1 Mar 2027" in result.stdout


def test_shell_completion_is_offered(runner):
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout


def test_check_data_broken_lists_every_problem(runner, tmp_path):
    """check-data on a broken folder exits 1 and prints each problem on its own line."""
    (tmp_path / "templates" / "rules").mkdir(parents=True)
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "x.toml").write_text("id = [", encoding="utf-8")
    (tmp_path / "templates" / "rules" / "ramp.toml").write_text("weekly_cap = 2\n", encoding="utf-8")
    result = runner.invoke(app, ["check-data", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert any("exercises/x.toml: not valid TOML" in line for line in lines)
    assert any(line.startswith("rehabplan: error: templates/rules/ramp.toml: ") for line in lines)
    assert all(line.startswith("rehabplan: error: ") for line in lines)


def test_export_data_writes_the_shipped_data_to_edit(runner, tmp_path):
    """export-data writes every shipped data file; the copy checks out as is, and says it overrides
    every shipped file; a folder that is not empty is refused."""
    out = tmp_path / "ours"
    result = runner.invoke(app, ["export-data", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "templates" / "itbs.toml").is_file() and (out / "templates" / "rules" / "ramp.toml").is_file()
    checked = runner.invoke(app, ["check-data", "--data-dir", str(out)])
    assert checked.exit_code == 0, checked.stderr
    assert "Your files over the shipped ones: templates/" in checked.stdout
    again = runner.invoke(app, ["export-data", str(out)])
    assert again.exit_code == 2 and "is not an empty folder" in again.stderr


def test_schema_is_json_schema(runner):
    """schema prints a JSON Schema for the plan."""
    result = runner.invoke(app, ["schema"])
    data = json.loads(result.stdout)
    assert data["type"] == "object" and "weeks" in data["properties"]


def test_show_fits_80_columns(runner):
    """show prints a week table no wider than 80 columns."""
    result = runner.invoke(app, ["show", "-c", "itbs", "-m", "30", "--start", "2027-03-01"])
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "2027-03-01" in result.stdout or "Mar" in result.stdout


@pytest.mark.parametrize(
    ("condition", "site"),
    [
        ("itbs", None),
        ("runners-knee", None),
        ("patellar-tendinopathy", None),
        ("bursitis", "prepatellar"),
        ("bursitis", "pes-anserine"),
        ("meniscus", None),
        ("osteoarthritis", None),
    ],
)
def test_every_condition_makes_a_readable_booklet_and_calendar(runner, tmp_path, condition, site):
    """Each condition (and bursitis site) gives a PDF pypdf opens and an .ics icalendar parses."""
    args = ["make", "-c", condition, "-m", "25", "--start", "2027-06-07", "--out", str(tmp_path)]
    if site:
        args += ["--site", site]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    booklet = next(tmp_path.glob("*-booklet.pdf"))
    assert len(PdfReader(booklet).pages) > 5
    plan = json.loads(next(tmp_path.glob("*-plan.json")).read_text(encoding="utf-8"))
    events = Calendar.from_ical(next(tmp_path.glob("*.ics")).read_bytes()).walk("VEVENT")
    assert len(events) == sum(s["kind"] != "rest" for w in plan["weeks"] for s in w["sessions"])
    assert plan["condition"] == condition and plan["site"] == site


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--tz", "Mars/Olympus"], "--tz"),
        (["--time", "run=25:00"], "--time"),
        (["--paper", "a3"], "--paper"),
        (["--logo", "no-such-logo.png"], "--logo"),
        (["--coach", "x" * 300], "--coach"),
    ],
)
def test_format_json_checks_every_option_as_files_do(runner, args, flag):
    """Printing the plan JSON checks the calendar and booklet options too: a bad one is one line
    naming its option, exit 2, and nothing on stdout."""
    result = runner.invoke(app, ["make", "-c", "itbs", "-m", "30", "--format", "json", *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"rehabplan: error: {flag}") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("where", ["full", "closed"])
def test_make_exits_0_when_its_files_are_written_but_stdout_is_full_or_closed(tmp_path, where):
    """`make > /dev/full` and `make | true`: the plan is written, so the run succeeds, with one
    warning on stderr about the lines that could not be printed."""
    import os
    import subprocess
    import sys

    out = tmp_path / "plan"
    cmd = [sys.executable, "-m", "rehabplan", "make", "-c", "itbs", "-m", "30", "--tz", "UTC", "--out", str(out)]
    if where == "full":
        with open("/dev/full", "w") as sink:
            done = subprocess.run(cmd, stdout=sink, stderr=subprocess.PIPE, text=True, timeout=120)
    else:
        read_end, write_end = os.pipe()
        os.close(read_end)
        done = subprocess.run(cmd, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("could not print to standard output") == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert len(list(out.iterdir())) == 4


def test_read_only_plan_files_are_kept_unless_forced(runner, tmp_path):
    """A plan file someone made read-only is not replaced (one line, exit 1, nothing changed);
    with --force it is, keeping its read-only permissions."""
    import os
    import stat

    out = tmp_path / "plan"
    args = ["make", "-c", "itbs", "-m", "30", "--tz", "UTC", "--start", "2027-03-01", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    booklet = next(out.glob("*-booklet.pdf"))
    os.chmod(booklet, 0o444)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    refused = runner.invoke(app, [*args, "--name", "Changed"])
    assert refused.exit_code == 1 and "is read-only, so it is kept" in refused.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    forced = runner.invoke(app, [*args, "--name", "Changed", "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert booklet.read_bytes() != before[booklet.name]
    assert stat.S_IMODE(booklet.stat().st_mode) == 0o444
