"""Batch plans from a roster CSV: one safe folder per runner, an index, bad rows reported by line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rehabplan.app.roster import folder_names, parse_row, read_roster, slugify
from rehabplan.cli import app
from rehabplan.errors import InputError

# Ten runners: seven with awkward names that must still get distinct, safe folders, and three bad
# rows (a blank name, an unknown condition, a mileage that is not a number).
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
GOOD_NAMES = ["Zoë Ørsted", "Жанна", "../../etc", "a/b", "CON", "Sam Lee", "Sam Lee"]
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
    """Three bad rows give exit code 1 while the seven good runners each get a folder."""
    result, _, out = squad
    assert result.exit_code == 1, result.stderr
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == 7
    assert (out / "index.csv").is_file()


def test_bad_rows_are_reported_with_file_line_and_reason(squad):
    """Each bad row is one stderr line naming the roster file, its line number and the reason."""
    result, roster, _ = squad
    errors = [line for line in result.stderr.splitlines() if " line " in line and ": note: " not in line]
    assert len(errors) == 3, result.stderr
    assert errors[0].startswith(f"{roster} line 7: ") and "name is empty" in errors[0]
    assert errors[1].startswith(f"{roster} line 9: ") and "knee-itis" in errors[1] and "itbs" in errors[1]
    assert errors[2].startswith(f"{roster} line 11: ") and "mileage 'lots' is not a number" in errors[2]
    assert "--mileage" not in result.stderr
    assert "Traceback" not in result.stderr


def test_stdout_has_summary_and_index_path(squad):
    """stdout says how many plans were made out of how many rows and where the index is."""
    result, _, out = squad
    assert "Made 7 of 10 plans" in result.stdout
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
    assert len({f.casefold() for f in folders}) == 7
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
    assert [r["name"] for r in bad] == ["", "Bad Condition", "Bad Miles"]
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
        ("name,condition,miles,shoe size\nSam,itbs,20,9\n", "missing required column mileage"),
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


def test_other_columns_are_kept_and_carried_into_the_index(tmp_path):
    """Columns a coach's spreadsheet has besides the plan's (email, phone) are not an error: each
    row's values come back in index.csv, after the plan's own columns."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,condition,Phone number,mileage,email\nSam,sam@example.org,itbs,0123,20,other@example.org\n",
        encoding="utf-8",
    )
    result = _runner().invoke(app, ["batch", str(roster), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    [row] = _index(tmp_path / "out")
    assert row["status"] == "ok" and row["mileage"] == "20"
    header = (tmp_path / "out" / "index.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[-3:] == ["email", "Phone number", "email (2)"]
    assert (row["email"], row["Phone number"], row["email (2)"]) == ("sam@example.org", "0123", "other@example.org")


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


# --------------------------------------------------------------------------- rosters as spreadsheets save them

EXCEL = """\
Name;Condition;Mileage;Units;Start;Email
Ana Pérez;Runner’s knee;30 mi;;01/03/2027;ana@example.org
Bo Ek;itbs;48km;;25/03/2027;
Cy Dunn;Knee osteoarthritis;40 km;km;01.03.2027;
Di Fox;pfp;20;;2027-3-1;
"""


def _run(tmp_path: Path, text: str, *args: str, encoding: str = "utf-8"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    roster = tmp_path / "squad.csv"
    roster.write_bytes(text.encode(encoding))
    out = tmp_path / "out"
    return _runner().invoke(app, ["batch", str(roster), "--out", str(out), "-j", "1", *args]), out


def test_a_roster_as_excel_saves_it_makes_every_plan(tmp_path):
    """Semicolons, curly apostrophes, units in the mileage and local date forms: every plan is made,
    slashed dates read day first because another row (25/03/2027) shows it, and the roster says so."""
    result, out = _run(tmp_path, EXCEL, encoding="cp1252")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in _index(out)}
    assert all(r["status"] == "ok" for r in rows.values())
    assert (rows["Ana Pérez"]["condition"], rows["Ana Pérez"]["unit"], rows["Ana Pérez"]["start"]) == (
        "runners-knee",
        "mi",
        "2027-03-01",
    )
    assert (rows["Bo Ek"]["mileage"], rows["Bo Ek"]["unit"], rows["Bo Ek"]["start"]) == ("48", "km", "2027-03-25")
    assert (rows["Cy Dunn"]["unit"], rows["Cy Dunn"]["start"]) == ("km", "2027-03-01")
    assert rows["Di Fox"]["start"] == "2027-03-01"
    assert "read day first" in result.stderr
    assert rows["Ana Pérez"]["Email"] == "ana@example.org"


def test_an_ambiguous_date_names_the_date_format_option(tmp_path):
    """01/03/2027 alone could be either: that row fails naming --date-format; with it, it is read."""
    text = "name,condition,mileage,start\nAna,itbs,30,01/03/2027\nBo,itbs,30,2027-03-08\n"
    result, out = _run(tmp_path, text)
    assert result.exit_code == 1
    assert "line 2: start '01/03/2027' could be 1 March or 3 January" in result.stderr
    assert "--date-format DMY" in result.stderr
    for order, expected in (("DMY", "2027-03-01"), ("mdy", "2027-01-03")):
        result, out = _run(tmp_path / order, text, "--date-format", order)
        assert result.exit_code == 0, result.stderr
        assert _index(out)[0]["start"] == expected


def test_a_bad_date_format_is_one_line(tmp_path):
    result, out = _run(tmp_path, "name,condition,mileage\nAna,itbs,30\n", "--date-format", "YDM")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "rehabplan: error: --date-format 'YDM' is not known; use DMY (day first) or MDY (month first)."
    )
    assert not out.exists()


def test_a_mileage_unit_that_contradicts_the_units_column_fails_that_row(tmp_path):
    result, out = _run(tmp_path, "name,condition,mileage,units\nAna,itbs,30 mi,km\nBo,itbs,30,\n")
    assert result.exit_code == 1
    assert "line 2: mileage '30 mi' is in mi but the units are km" in result.stderr
    assert [r["status"] for r in _index(out)][1] == "ok"


def test_names_that_fold_to_the_same_are_reported_and_kept_apart(tmp_path):
    """'Sam Lee' and 'sam  lee', 'Zoë Ørsted' and 'Zoe Orsted': one note line each, separate folders."""
    text = "name,condition,mileage\nSam Lee,itbs,20\nsam  lee,itbs,25\nZoë Ørsted,itbs,20\nZoe Orsted,oa,20\n"
    result, out = _run(tmp_path, text)
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "the same name as" in line]
    assert len(notes) == 2
    assert "line 3: note: the same name as line 2" in notes[0] and "'sam-lee-2'" in notes[0]
    assert "line 5: note: the same name as line 4" in notes[1]
    assert [r["folder"] for r in _index(out)] == ["sam-lee", "sam-lee-2", "zoe-orsted", "zoe-orsted-2"]


def test_file_names_carry_the_runner_and_a_replan_keeps_them(tmp_path):
    """A squad's files are named for the runner (sam-lee-itbs-booklet.pdf), so copying them into one
    folder overwrites nothing; re-planning in the runner's folder keeps those names."""
    result, out = _run(tmp_path, "name,condition,mileage,start\nSam Lee,itbs,20,2027-03-01\n")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (out / "sam-lee").iterdir())
    assert names == [
        "sam-lee-itbs-booklet.pdf",
        "sam-lee-itbs-plan.json",
        "sam-lee-itbs-summary.pdf",
        "sam-lee-itbs.ics",
    ]
    folder = out / "sam-lee"
    day = "2027-03-25"
    logged = _runner().invoke(app, ["checkin", str(folder), "--date", day, "--pain-during", "7"])
    assert logged.exit_code == 0, logged.stderr
    replanned = _runner().invoke(app, ["replan", str(folder), "--today", "2027-03-26"])
    assert replanned.exit_code == 0, replanned.stderr
    assert sorted(p.name for p in folder.iterdir() if p.name != "checkins.csv") == names
    plan = json.loads((folder / "sam-lee-itbs-plan.json").read_text(encoding="utf-8"))
    assert plan["revision"]["number"] == 2


def test_print_writes_one_file_of_summaries_and_one_of_booklets(tmp_path):
    """--print adds two PDFs for one print job: every runner in roster order, each starting on an
    odd page (a blank page before where needed) and bookmarked by name."""
    from pypdf import PdfReader

    text = "name,condition,mileage\nAna,itbs,30\nBo,oa,20\nCy,pfp,15\nBad,knee-itis,10\n"
    result, out = _run(tmp_path, text, "--print")
    assert result.exit_code == 1
    for name, each in (("squad-summaries.pdf", "*-summary.pdf"), ("squad-booklets.pdf", "*-booklet.pdf")):
        assert str(out / name) in result.stdout
        combined = PdfReader(out / name)
        marks = [(o.title, combined.get_destination_page_number(o)) for o in combined.outline]
        assert [t for t, _ in marks] == ["Ana", "Bo", "Cy"]
        assert all(start % 2 == 0 for _, start in marks)  # page 1, 3, 5...: the front of a sheet
        pages = [len(PdfReader(next((out / f).glob(each))).pages) for f in ("ana", "bo", "cy")]
        for (_, start), n, (_, following) in zip(marks, pages, [*marks[1:], ("", len(combined.pages))], strict=True):
            assert following - start == n + n % 2 or following == len(combined.pages)
        assert "Ana" in combined.pages[marks[0][1]].extract_text()


# --------------------------------------------------------------------------- files as they come


def test_a_roster_mixing_encodings_is_refused_naming_the_line(tmp_path):
    """One Windows-encoded name among UTF-8 lines would garble every other name if the file were
    read either way: the file is refused, naming that line."""
    data = "name,condition,mileage\nZoë Ørsted,itbs,20\n".encode() + "José,itbs,20\n".encode("cp1252")
    roster = tmp_path / "squad.csv"
    roster.write_bytes(data)
    result = _runner().invoke(app, ["batch", str(roster), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{roster} line 3: not UTF-8, while other lines are" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_roster_wholly_in_windows_encoding_is_read_with_a_note(tmp_path):
    result, out = _run(tmp_path, "name,condition,mileage\nJosé Müller,itbs,20\n", encoding="cp1252")
    assert result.exit_code == 0, result.stderr
    assert _index(out)[0]["name"] == "José Müller"
    assert "read as Windows text (cp1252)" in result.stderr


@pytest.mark.parametrize(
    ("bad", "reason"),
    [("x" * 131_072, "longer than 1000 characters"), ("Sam\u0085Lee", "control character")],
)
def test_one_bad_value_fails_only_its_row(tmp_path, bad, reason):
    """A pasted megavalue or an invisible control character rejects its row, with its line number;
    the other runners are made."""
    text = f"name,condition,mileage\nAna,itbs,20\n{bad},itbs,20\nBo,oa,20\n"
    result, out = _run(tmp_path, text)
    assert result.exit_code == 1
    assert f"line 3: {reason}" in result.stderr.replace("a value is ", "").replace("a value holds a ", "")
    assert [r["status"] == "ok" for r in _index(out)] == [True, False, True]


def test_a_device_or_pipe_is_not_read_as_a_roster(tmp_path):
    """/dev/zero or a named pipe is refused at once, before any byte is read."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        result = _runner().invoke(app, ["batch", path, "--out", str(tmp_path / "out")])
        assert result.exit_code == 2
        assert "is not a regular file" in result.stderr


# --------------------------------------------------------------------------- signals, as a coach's terminal sends them


def _squad(tmp_path: Path, n: int = 40) -> Path:
    roster = tmp_path / "squad.csv"
    roster.write_text(
        "name,condition,mileage\n" + "".join(f"Runner {i},itbs,{20 + i % 20}\n" for i in range(n)), encoding="utf-8"
    )
    return roster


def _workers_of(roster: Path) -> list[str]:
    """Processes still running this roster's batch (a worker left behind would show here)."""
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore")
        except OSError:
            continue
        if str(roster) in cmd:
            found.append(pid)
    return found


def _started_batch(roster: Path, out: Path):
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "rehabplan", "batch", str(roster), "--out", str(out), "-j", "2", "--tz", "UTC"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (out.is_dir() and any(p.is_dir() for p in out.iterdir())):  # runners are being made
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("how", ["ctrl-c once", "ctrl-c four times", "term"])
def test_an_interrupted_batch_ends_at_once_and_says_what_it_made(tmp_path, how):
    """Ctrl-C (any number of times) or TERM ends a batch within seconds, with exit 130, no worker
    left running, index.csv written, and one line naming exactly the runner folders that are
    complete; each of those holds its four files."""
    import signal
    import time

    roster, out = _squad(tmp_path), tmp_path / "out"
    proc = _started_batch(roster, out)
    t0 = time.monotonic()
    if how == "term":
        proc.send_signal(signal.SIGTERM)
    else:
        for _ in range(1 if how == "ctrl-c once" else 4):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.1)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    [said] = [line for line in err.splitlines() if line.startswith("rehabplan: interrupted; ")]
    named = said.split("complete: ", 1)[1].split(";", 1)[0].split(", ") if "complete: " in said else []
    index = {r["folder"] for r in _index(out) if r["status"] == "ok"}
    assert set(named) == index == {p.name for p in out.iterdir() if p.is_dir()}
    for folder in named:
        assert len(list((out / folder).iterdir())) == 4
    time.sleep(0.5)
    assert _workers_of(roster) == []


def test_killing_the_batch_stops_its_workers(tmp_path):
    """KILL on the batch leaves no worker writing on alone."""
    import signal
    import time

    roster, out = _squad(tmp_path), tmp_path / "out"
    proc = _started_batch(roster, out)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while _workers_of(roster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _workers_of(roster) == []


def test_an_index_that_cannot_be_written_is_reported_with_every_note(tmp_path):
    """When index.csv cannot be written (a folder in its place), the runners' folders stand, every
    row's note is still printed, and the last line says the index was not written; exit 1."""
    roster = tmp_path / "squad.csv"
    roster.write_text("name,condition,mileage\nSam Lee,itbs,20\nsam lee,itbs,25\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "index.csv").mkdir(parents=True)
    result = _runner().invoke(app, ["batch", str(roster), "--out", str(out), "-j", "1"])
    assert result.exit_code == 1
    assert "line 3: note: the same name as line 2" in result.stderr
    assert "rehabplan: error: index.csv was not written: " in result.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "index.csv") == ["sam-lee", "sam-lee-2"]


def test_a_read_only_runner_file_fails_its_row_unless_forced(tmp_path):
    """A runner's plan file made read-only is kept (that row fails, saying so); --force replaces it."""
    text = "name,condition,mileage,start\nSam Lee,itbs,20,2027-03-01\nBo Ek,oa,20,2027-03-01\n"
    result, out = _run(tmp_path, text)
    assert result.exit_code == 0, result.stderr
    booklet = out / "sam-lee" / "sam-lee-itbs-booklet.pdf"
    os.chmod(booklet, 0o444)
    again, _ = _run(tmp_path, text.replace(",20,", ",25,", 1))
    assert again.exit_code == 1 and "line 2: " in again.stderr and "is read-only, so it is kept" in again.stderr
    forced, _ = _run(tmp_path, text.replace(",20,", ",25,", 1), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (
        json.loads((out / "sam-lee" / "sam-lee-itbs-plan.json").read_text(encoding="utf-8"))["target_weekly_distance"]
        == 25
    )
