"""Batch plans from a roster CSV: one safe folder per runner, an index, bad rows reported by line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rehabplan.app.roster import COLUMNS, folder_names, parse_row, read_roster, slugify
from rehabplan.cli import app
from rehabplan.errors import InputError

# Ten runners: eight with awkward names that must still get distinct, safe folders, and two bad rows.
ROSTER = """\
Name,Condition,Mileage,Units,Start,Weeks-Off
Zoë Ørsted,itbs,9,mi,2027-03-01,0
Жанна,runners-knee,12,km,2027-03-01,2
../../etc,meniscus,7,,2027-03-01,
a/b,pfp,8,,2027-03-01,
CON,oa,7,,2027-03-01,
  ,bursitis,7,,2027-03-01,
Sam Lee,itbs,8,,2027-03-01,
Bad Condition,knee-itis,10,,2027-03-01,
Sam Lee,itbs,9,,2027-03-01,
Bad Miles,itbs,lots,,2027-03-01,
"""
GOOD_NAMES = ["Zoë Ørsted", "Жанна", "../../etc", "a/b", "CON", "", "Sam Lee", "Sam Lee"]
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "TZ": "Europe/London"})


@pytest.fixture(scope="module")
def squad(tmp_path_factory: pytest.TempPathFactory):
    """The ten-row roster run once through `rehabplan batch --jobs 2`."""
    root = tmp_path_factory.mktemp("squad")
    roster = root / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = root / "out"
    result = _runner().invoke(app, ["batch", str(roster), "--out", str(out), "--jobs", "2", "--coach", "Alex Kim"])
    return result, roster, out


def _index(out: Path) -> list[dict[str, str]]:
    text = (out / "index.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _is_safe(folder: str) -> bool:
    return (
        bool(folder)
        and "/" not in folder
        and "\\" not in folder
        and ".." not in folder
        and not folder.startswith(".")
        and folder.strip() == folder
        and all(unicodedata.category(c)[0] != "C" for c in folder)
        and folder.lower() not in WINDOWS_RESERVED
    )


def test_bad_rows_fail_alone_with_exit_code_1(squad):
    """Two bad rows give exit code 1 while the eight good runners each get a folder."""
    result, _, out = squad
    assert result.exit_code == 1, result.stderr
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == 8
    assert (out / "index.csv").is_file()


def test_bad_rows_are_reported_with_file_line_and_reason(squad):
    """Each bad row is one stderr line naming the roster file, its line number and the reason."""
    result, roster, _ = squad
    errors = [line for line in result.stderr.splitlines() if " line " in line]
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith(f"{roster} line 9: ") and "knee-itis" in errors[0] and "itbs" in errors[0]
    assert errors[1].startswith(f"{roster} line 11: ") and "mileage 'lots' is not a number" in errors[1]
    assert "--mileage" not in result.stderr
    assert "Traceback" not in result.stderr


def test_stdout_has_summary_and_index_path(squad):
    """stdout says how many plans were made out of how many rows and where the index is."""
    result, _, out = squad
    assert "Made 8 of 10 plans" in result.stdout
    assert str(out / "index.csv") in result.stdout


def test_every_folder_holds_the_four_plan_files(squad):
    """Each runner's folder has the booklet, summary, calendar and plan JSON, and nothing half-written."""
    _, _, out = squad
    for folder in (p for p in out.iterdir() if p.is_dir()):
        names = sorted(p.name for p in folder.iterdir())
        assert len(names) == 4, (folder, names)
        assert [
            n.rsplit("-", 1)[-1] if n.endswith(".pdf") or n.endswith(".json") else n.rsplit(".", 1)[-1] for n in names
        ] == [
            "booklet.pdf",
            "plan.json",
            "summary.pdf",
            "ics",
        ]
        assert not any(n.startswith(".") or n.endswith(".part") for n in names)


def test_odd_and_equal_names_get_distinct_safe_folders_inside_out(squad):
    """Names with '/', '..', unicode, blanks, Windows device names or duplicates map to distinct safe folders in --out."""
    _, _, out = squad
    rows = [r for r in _index(out) if r["status"] == "ok"]
    folders = [r["folder"] for r in rows]
    assert len({f.casefold() for f in folders}) == 8
    for folder in folders:
        assert _is_safe(folder), folder
        assert (out / folder).resolve().parent == out.resolve()
    by_name = {}
    for r in rows:
        by_name.setdefault(r["name"], []).append(r["folder"])
    assert by_name["Zoë Ørsted"] == ["zoe-orsted"]
    assert by_name["Жанна"] == ["zhanna"]
    assert by_name["Sam Lee"] == ["sam-lee", "sam-lee-2"]
    assert by_name["CON"][0].lower() != "con"
    assert not (out.parent / "etc").exists()


def test_index_lists_every_row_in_order_with_status(squad):
    """The index has one line per roster row, in order, with plan end date and weeks for the good ones."""
    _, _, out = squad
    rows = _index(out)
    assert [int(r["row"]) for r in rows] == list(range(1, 11))
    assert [int(r["line"]) for r in rows] == list(range(2, 12))
    assert [r["name"] for r in rows if r["status"] == "ok"] == list(GOOD_NAMES)
    bad = [r for r in rows if r["status"] != "ok"]
    assert [r["name"] for r in bad] == ["Bad Condition", "Bad Miles"]
    assert all(r["folder"] == "" and r["end"] == "" for r in bad)
    for r in rows:
        if r["status"] == "ok":
            start, end = dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["end"])
            assert end > start and int(r["weeks"]) >= 1
            plan_file = next((out / r["folder"]).glob("*-plan.json"))
            plan = json.loads(plan_file.read_text(encoding="utf-8"))
            assert plan["end"] == r["end"] and len(plan["weeks"]) == int(r["weeks"])
            assert plan["athlete"] == (r["name"] or None)


def test_rows_in_km_default_to_a4_and_use_their_own_unit(squad):
    """A row in km gets a km plan; the index records the unit it was made in."""
    _, _, out = squad
    row = next(r for r in _index(out) if r["name"] == "Жанна")
    assert row["unit"] == "km" and row["mileage"] == "12"
    plan = json.loads(next((out / row["folder"]).glob("*-plan.json")).read_text(encoding="utf-8"))
    assert plan["unit"] == "km"


# --------------------------------------------------------------------------- whole-file problems (no plans made)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("name,condition,mileage\n", "no runners"),
        ("name,condition,miles,shoe size\nSam,itbs,20,9\n", "unknown columns 'miles', 'shoe size'"),
        ("name,condition\nSam,itbs\n", "missing required column mileage"),
        ("hello there, this is a letter\nnot a roster at all\n", "header"),
    ],
)
def test_unusable_roster_is_one_clear_line_exit_2(tmp_path, content, expected):
    """An empty roster, a bad header or a file that is not a roster is one error line with exit code 2 and no output."""
    roster = tmp_path / "roster.csv"
    roster.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = _runner().invoke(app, ["batch", str(roster), "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rehabplan: error: ")
    assert expected in lines[0]
    assert not out.exists()


def test_unknown_column_error_names_the_accepted_columns(tmp_path):
    """The unknown-column message lists every accepted column."""
    roster = tmp_path / "roster.csv"
    roster.write_text("name,condition,mileage,colour\nSam,itbs,20,red\n", encoding="utf-8")
    result = _runner().invoke(app, ["batch", str(roster), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    for column in COLUMNS:
        assert column in result.stderr


def test_binary_file_is_not_a_roster(tmp_path):
    """A spreadsheet or other binary file is refused as not CSV, with exit code 2."""
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)))
    result = _runner().invoke(app, ["batch", str(roster), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "not a CSV text file" in result.stderr


def test_missing_roster_file_exit_2(tmp_path):
    """A roster path that does not exist is one clear line with exit code 2."""
    result = _runner().invoke(app, ["batch", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_bad_jobs_value_exit_2(tmp_path):
    """--jobs must be a whole number of at least 1."""
    roster = tmp_path / "roster.csv"
    roster.write_text("name,condition,mileage\nSam,itbs,20\n", encoding="utf-8")
    result = _runner().invoke(app, ["batch", str(roster), "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.stderr


# --------------------------------------------------------------------------- reading rows


def test_header_names_are_case_insensitive_and_accept_spaces_and_hyphens(tmp_path):
    """'Weeks Off', 'RUN-DAYS' and 'Tz' name the weeks_off, run_days and tz columns; line numbers count the header."""
    roster = tmp_path / "r.csv"
    roster.write_text(
        '\ufeffNAME, Condition ,Mileage,Weeks Off,RUN-DAYS,Tz\n\nAna,itbs,20,3,5,Europe/Paris\n"Bo\nBo",oa,12,,,\n',
        encoding="utf-8",
    )
    rows = read_roster(roster)
    assert [r.line for r in rows] == [3, 4]
    assert rows[0].cells == {
        "name": "Ana",
        "condition": "itbs",
        "mileage": "20",
        "weeks_off": "3",
        "run_days": "5",
        "tz": "Europe/Paris",
    }
    assert rows[1].cells["name"] == "Bo\nBo"


def test_semicolon_separated_roster_is_read(tmp_path):
    """A roster saved with ';' separators (common in European spreadsheets) reads the same."""
    roster = tmp_path / "r.csv"
    roster.write_text("name;condition;mileage\nAna;itbs;20,5\n", encoding="utf-8")
    rows = read_roster(roster)
    assert rows[0].cells == {"name": "Ana", "condition": "itbs", "mileage": "20,5"}


def test_row_with_extra_fields_is_a_row_problem(tmp_path):
    """A row with more values than the header has is reported for that row only."""
    roster = tmp_path / "r.csv"
    roster.write_text("name,condition,mileage\nAna,itbs,20,oops\nBo,oa,12\n", encoding="utf-8")
    rows = read_roster(roster)
    assert rows[0].problem and "4 fields" in rows[0].problem
    assert rows[1].problem is None


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"start": "2027-02-30"}, "start"),
        ({"units": "furlongs"}, "units"),
        ({"pace": "99:00"}, "pace"),
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"weeks_off": "many"}, "weeks_off"),
        ({"run_days": "9"}, "run_days"),
        ({"site": "elbow", "condition": "bursitis"}, "site"),
        ({"mileage": ""}, "mileage"),
        ({"condition": ""}, "condition"),
        ({"name": "Sam\x07Lee"}, "name"),
    ],
)
def test_bad_row_values_name_the_column(catalog, cells, column):
    """A bad value in a row raises an error that names the roster column, not a command-line option."""
    row = {"name": "Sam", "condition": "itbs", "mileage": "20"} | cells
    with pytest.raises(InputError) as info:
        parse_row(row, catalog, dt.date(2027, 1, 6))
    message = str(info.value)
    assert column in message
    assert "--" not in message


def test_row_defaults_start_next_monday_and_mi(catalog):
    """A row with only name, condition and mileage starts next Monday, in miles, with the usual defaults."""
    request, tz = parse_row({"name": " Sam ", "condition": "PFP", "mileage": "20"}, catalog, dt.date(2027, 1, 6))
    assert request.start == dt.date(2027, 1, 11)
    assert request.units.value == "mi" and request.condition == "runners-knee"
    assert request.athlete == "Sam" and tz is None


# --------------------------------------------------------------------------- folder names


def test_folder_names_are_readable_and_deterministic():
    """Folder names keep names readable and number repeats in row order."""
    names = [
        (1, "Zoë Ørsted"),
        (2, "Жанна"),
        (3, "../../etc"),
        (4, "a/b"),
        (5, "CON"),
        (6, "  "),
        (7, "Sam Lee"),
        (8, "sam lee"),
        (9, "Sam-Lee"),
        (10, ".hidden"),
        (11, "Ελένη"),
        (12, "李雷"),
    ]
    folders = folder_names(names)
    assert folders == folder_names(names)
    assert folders[1] == "zoe-orsted" and folders[2] == "zhanna" and folders[11] == "eleni"
    assert folders[3] == "etc" and folders[4] == "a-b" and folders[10] == "hidden"
    assert [folders[7], folders[8], folders[9]] == ["sam-lee", "sam-lee-2", "sam-lee-3"]
    assert folders[6] == "runner-6"
    assert folders[12] == "李雷"
    assert all(_is_safe(f) for f in folders.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=12))
def test_folder_names_are_always_safe_and_distinct(names):
    """Whatever the names, every folder name is non-empty, safe and distinct (also ignoring case)."""
    folders = folder_names(enumerate(names, start=1))
    values = list(folders.values())
    assert len({v.casefold() for v in values}) == len(values)
    for v in values:
        assert _is_safe(v), v
        assert len(v) <= 70


def test_slugify_strips_path_and_control_characters():
    """Separators, dots and control characters never reach a folder name."""
    assert slugify("..\\..\\Windows\\System32") == "windows-system32"
    assert slugify("\x00\x1f/..") == ""
    assert slugify("  Anne-Marie  O'Neil ") == "anne-marie-o-neil"
    assert slugify("lpt1") != "lpt1"


def test_batch_help_has_an_example():
    """`rehabplan batch --help` shows the roster columns and an example."""
    result = _runner().invoke(app, ["batch", "--help"])
    assert result.exit_code == 0
    assert "Example: rehabplan batch" in result.stdout
    assert "--jobs" in result.stdout and "weeks_off" in result.stdout
