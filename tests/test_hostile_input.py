"""Hostile and broken input: one clear line on stderr, the right exit code, no traceback, no stray file."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from rehabplan.catalog import default_root
from rehabplan.cli import app

PREFIX = "rehabplan: error: "
BASE = {"-c": "itbs", "-m": "30", "--start": "2027-03-01"}
PNG = b"\x89PNG\r\n\x1a\n"


def _png(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A small RGB PNG (red pixels), or one with the given raw IDAT payload."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(rows) if idat is None else idat
    return PNG + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _argv(overrides: dict[str, str | None], extra: list[str] | None = None) -> list[str]:
    """make's arguments: BASE with overrides (None drops an option) and extra arguments appended."""
    opts = {**BASE, **overrides}
    argv = ["make"]
    for key, value in opts.items():
        if value is not None:
            argv += [key, value]
    return argv + (extra or [])


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every path under root with its bytes (None for folders)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


def _assert_clean_failure(result, code: int, fragment: str, *, lines: int | None = 1) -> list[str]:
    """A failure as issue 7 wants it: exit code, nothing on stdout, prefixed stderr lines, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    got = result.stderr.splitlines()
    assert result.stderr.endswith("\n")
    if lines is not None:
        assert len(got) == lines, got
    assert got and all(line.startswith(PREFIX) for line in got), got
    assert re.search(fragment, result.stderr, re.IGNORECASE), (fragment, result.stderr)
    return got


# --------------------------------------------------------------------------- the table

# (id, option overrides, extra arguments, exit code, message fragment as a regular expression)
CASES: list[tuple[str, dict[str, str | None], list[str], int, str]] = [
    ("condition-typo", {"-c": "itbz"}, [], 2, r"did you mean [^?]*'itbs'"),
    ("condition-alias-typo", {"-c": "jumpers-kne"}, [], 2, "did you mean"),
    ("condition-unknown", {"-c": "elbow"}, [], 2, r"`rehabplan conditions` lists each one .*itbs"),
    ("condition-empty", {"-c": ""}, [], 2, "--condition '' is not a condition we know"),
    ("site-unknown", {"-c": "bursitis"}, ["--site", "elbow"], 2, "--site 'elbow' is not a site of bursitis"),
    ("site-typo", {"-c": "bursitis"}, ["--site", "pes-anserin"], 2, r"did you mean [^?]*'pes-anserine'"),
    ("site-on-condition-without-sites", {}, ["--site", "prepatellar"], 2, "has no sites"),
    ("mileage-zero", {"-m": "0"}, [], 2, "positive"),
    ("mileage-negative", {"-m": "-5"}, [], 2, "positive"),
    ("mileage-below-the-least", {"-m": "5"}, [], 2, "at least 7 miles"),
    ("mileage-word", {"-m": "lots"}, [], 2, "not a number"),
    ("mileage-nan", {"-m": "NaN"}, [], 2, "not a number"),
    ("mileage-inf", {"-m": "inf"}, [], 2, "not a number"),
    ("mileage-overflow", {"-m": "1e309"}, [], 2, "limit of 150"),
    ("mileage-thousands", {"-m": "1,000"}, [], 2, "ambiguous"),
    ("mileage-absurd-mi", {"-m": "151"}, [], 2, "limit of 150 miles"),
    ("mileage-absurd-km", {"-m": "241"}, ["--units", "km"], 2, "limit of 240 km"),
    ("mileage-huge", {"-m": "9" * 400}, [], 2, r"'9{50,}'… \(400 characters\) is above the limit of 150"),
    ("unit-unknown", {}, ["--units", "furlongs"], 2, "use mi or km"),
    ("date-feb-30", {"--start": "2027-02-30"}, [], 2, "not a real calendar date"),
    ("date-month-13", {"--start": "2027-13-01"}, [], 2, "not a real calendar date"),
    ("date-word", {"--start": "tomorrow"}, [], 2, "use YYYY-MM-DD"),
    ("date-either-order", {"--start": "03/01/2027"}, [], 2, "could be 3 January or 1 March"),
    ("date-far-future", {"--start": "9999-01-01"}, [], 2, "between 2000 and 2099"),
    ("tz-unknown", {}, ["--tz", "Mars/Olympus"], 2, "not a known time zone"),
    ("tz-path", {}, ["--tz", "../etc"], 2, "not a time zone"),
    ("tz-absolute-path", {}, ["--tz", "/etc/passwd"], 2, "not a time zone"),
    ("tz-folder", {}, ["--tz", "America"], 2, "not a known time zone"),
    ("time-25h", {}, ["--time", "run=25:00"], 2, "not a time of day"),
    ("time-minute-60", {}, ["--time", "strength=18:60"], 2, "not a time of day"),
    ("time-unknown-kind", {}, ["--time", "sprint=06:00"], 2, "KIND is one of run"),
    ("time-no-value", {}, ["--time", "run"], 2, "not KIND=HH:MM"),
    ("pace-word", {}, ["--pace", "fast"], 2, "not an easy pace"),
    ("pace-zero", {}, ["--pace", "0:00"], 2, "not an easy pace"),
    ("pace-99", {}, ["--pace", "99:99"], 2, "not an easy pace"),
    ("pace-nan", {}, ["--pace", "nan"], 2, "not an easy pace"),
    ("run-days-2", {}, ["--run-days", "2"], 2, "from 3 to 6"),
    ("run-days-7", {}, ["--run-days", "7"], 2, "from 3 to 6"),
    ("run-days-word", {}, ["--run-days", "x"], 2, "not a whole number"),
    ("weeks-off-negative", {}, ["--weeks-off", "-1"], 2, "--weeks-off"),
    ("weeks-off-word", {}, ["--weeks-off", "two"], 2, "not a whole number"),
    ("paper-unknown", {}, ["--paper", "a3"], 2, "letter or a4"),
    ("format-unknown", {}, ["--format", "xml"], 2, "files or json"),
    ("option-typo", {}, ["--mileag", "30"], 2, "--mileage"),
    ("mileage-missing", {"-m": None}, [], 2, "--mileage"),
    ("name-10000-chars", {}, ["--name", "A" * 10_000], 2, "at most 200"),
    ("coach-10000-chars", {}, ["--coach", "B" * 10_000], 2, "at most 200"),
    ("name-newline", {}, ["--name", "Sam\nLee"], 2, "control"),
    ("name-nul", {}, ["--name", "Sam\x00Lee"], 2, "control"),
    ("name-escape", {}, ["--name", "Sam \x1b[31mLee"], 2, "control"),
    ("clinic-bidi-override", {}, ["--clinic", "Clinic \u202eevil"], 2, "control"),
    ("contact-tab", {}, ["--contact", "555\t0100"], 2, "control"),
]


@pytest.mark.parametrize(("overrides", "extra", "code", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_option_value_is_one_clear_line(runner, tmp_path, monkeypatch, overrides, extra, code, fragment):
    """Each bad value gives one prefixed stderr line naming it, the right exit code and no file."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, _argv(overrides, [*extra, "--out", str(tmp_path / "out")]))
    [line] = _assert_clean_failure(result, code, fragment)
    assert "\x1b" not in line and "\x00" not in line
    assert len(line) < 2_000
    assert list(tmp_path.iterdir()) == []


LONG = "x" * 10_000
LONG_CASES = [
    pytest.param({"-c": LONG}, [], id="condition"),
    pytest.param({"-c": "bursitis"}, ["--site", LONG], id="site"),
    pytest.param({}, ["--paper", LONG], id="paper"),
    pytest.param({}, ["--format", LONG], id="format"),
    pytest.param({"-m": LONG}, [], id="mileage"),
    pytest.param({}, ["--units", LONG], id="units"),
    pytest.param({"--start": LONG}, [], id="start"),
    pytest.param({}, ["--tz", LONG], id="tz"),
    pytest.param({}, ["--time", "run=" + LONG], id="time"),
    pytest.param({}, ["--pace", LONG], id="pace"),
    pytest.param({}, ["--run-days", LONG], id="run-days"),
    pytest.param({}, ["--weeks-off", LONG], id="weeks-off"),
    pytest.param({}, ["--name", LONG], id="name"),
]


@pytest.mark.parametrize(("overrides", "extra"), LONG_CASES)
def test_very_long_values_are_shortened_in_the_message(runner, tmp_path, monkeypatch, overrides, extra):
    """A 10,000-character value is refused with one short line that quotes only its start."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, _argv(overrides, extra))
    [line] = _assert_clean_failure(result, 2, r"10000|x{20}")
    assert len(line) < 400, len(line)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- paths


def _path_case(kind: str, tmp: Path) -> tuple[list[str], int, str]:
    """Arguments, exit code and message fragment for a hostile path, with any files it needs made."""
    if kind == "data-dir-missing":
        return ["--data-dir", str(tmp / "no-such-folder")], 2, "does not exist"
    if kind == "data-dir-is-file":
        (tmp / "data.txt").write_text("not a folder", encoding="utf-8")
        return ["--data-dir", str(tmp / "data.txt")], 2, "is a file"
    if kind == "logo-missing":
        return ["--logo", str(tmp / "logo.png")], 2, "does not exist"
    if kind == "logo-text-named-png":
        (tmp / "logo.png").write_text("I am not a picture", encoding="utf-8")
        return ["--logo", str(tmp / "logo.png")], 2, "not a PNG or JPEG"
    if kind == "logo-truncated-header":
        (tmp / "logo.png").write_bytes(PNG[:4])
        return ["--logo", str(tmp / "logo.png")], 2, "not a PNG or JPEG"
    if kind == "logo-png-header-then-junk":
        (tmp / "logo.png").write_bytes(PNG + b"junk" * 20)
        return ["--logo", str(tmp / "logo.png")], 2, "damaged or not a PNG or JPEG"
    if kind == "logo-png-bad-pixels":
        (tmp / "logo.png").write_bytes(_png(4, 4, idat=b"not zlib data"))
        return ["--logo", str(tmp / "logo.png")], 2, "damaged or not a PNG or JPEG"
    if kind == "logo-device":
        return ["--logo", "/dev/zero"], 2, "not a regular file"
    if kind == "logo-folder":
        (tmp / "logo.png").mkdir()
        return ["--logo", str(tmp / "logo.png")], 2, "is a folder"
    if kind == "out-below-a-file":
        (tmp / "blocker").write_text("x", encoding="utf-8")
        return ["--out", str(tmp / "blocker" / "plan")], 1, "which is a file"
    if kind == "out-deep-below-a-file":
        (tmp / "blocker").write_text("x", encoding="utf-8")
        return ["--out", str(tmp / "blocker" / "a" / "b")], 1, "which is a file"
    if kind == "out-is-a-file":
        (tmp / "plan.pdf").write_bytes(b"%PDF-1.4 precious")
        return ["--out", str(tmp / "plan.pdf")], 1, "is a file"
    if kind == "out-name-too-long":
        return ["--out", str(tmp / ("a" * 300))], 1, "--out"
    if kind == "out-new-parent-then-too-long":
        return ["--out", str(tmp / "new" / "deeper" / ("a" * 300))], 1, "file name too long.*--out"
    if kind == "out-nul":
        return ["--out", str(tmp / "pl\x00an")], 2, "nul"
    raise AssertionError(kind)


PATH_CASES = [
    "data-dir-missing",
    "data-dir-is-file",
    "logo-missing",
    "logo-text-named-png",
    "logo-truncated-header",
    "logo-png-header-then-junk",
    "logo-png-bad-pixels",
    "logo-device",
    "logo-folder",
    "out-below-a-file",
    "out-deep-below-a-file",
    "out-is-a-file",
    "out-name-too-long",
    "out-new-parent-then-too-long",
    "out-nul",
]


@pytest.mark.parametrize("kind", PATH_CASES)
def test_bad_path_is_one_clear_line_and_touches_nothing(runner, tmp_path, monkeypatch, kind):
    """Missing or wrong-kind paths fail with one line and leave every existing file as it was."""
    monkeypatch.chdir(tmp_path)
    extra, code, fragment = _path_case(kind, tmp_path)
    if "--out" not in extra:
        extra += ["--out", str(tmp_path / "out")]
    before = _tree(tmp_path)
    result = runner.invoke(app, _argv({}, extra))
    _assert_clean_failure(result, code, fragment)
    assert _tree(tmp_path) == before


def _data_copy(root: Path) -> Path:
    """A copy of the shipped data folder under root."""
    shipped = Path(str(default_root()))
    shutil.copytree(shipped / "templates", root / "templates")
    shutil.copytree(shipped / "exercises", root / "exercises")
    return root


def _set_name(path: Path, old: str, new: str) -> None:
    """Replace the top-level name of a TOML data file (whose current name contains old)."""
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("name = "))
    assert old in line
    path.write_text(text.replace(line, "name = " + json.dumps(new), 1), encoding="utf-8")


@pytest.fixture(scope="module")
def broken_data(tmp_path_factory) -> Path:
    """A copy of the shipped data with three independent mistakes in three files."""
    root = _data_copy(tmp_path_factory.mktemp("data"))
    first = sorted((root / "exercises").glob("*.toml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nsparkle = true\n", encoding="utf-8")
    (root / "templates" / "rules" / "ramp.toml").write_text("[ramp\nweekly_cap = ", encoding="utf-8")
    (root / "exercises" / "zz-broken.toml").write_bytes(b"\xff\xfe not utf-8")
    return root


def test_broken_data_dir_lists_every_problem(runner, tmp_path, monkeypatch, broken_data):
    """A --data-dir with several broken files lists each problem on its own line and exits 1."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, _argv({}, ["--data-dir", str(broken_data)]))
    lines = _assert_clean_failure(result, 1, "ramp.toml", lines=None)
    assert len(lines) >= 3
    text = "\n".join(lines)
    assert "sparkle" in text
    assert "templates/rules/ramp.toml" in text
    assert "exercises/zz-broken.toml" in text
    assert list(tmp_path.iterdir()) == []


def test_empty_data_dir_says_what_it_needs(runner, tmp_path, monkeypatch):
    """An empty --data-dir is one line naming templates/ and exercises/, exit 2, nothing written."""
    data = tmp_path / "empty"
    data.mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, _argv({}, ["--data-dir", str(data)]))
    lines = _assert_clean_failure(result, 2, "templates/", lines=None)
    assert any("exercises/" in line for line in lines)
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]


# --------------------------------------------------------------------------- re-running over a folder


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """One real plan written into a folder, with the bytes of every file in it."""
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("written") / "plan"
    result = CliRunner(env={"TZ": "Europe/London"}).invoke(app, _argv({}, ["--out", str(out), "--name", "Sam Lee"]))
    assert result.exit_code == 0, result.stderr
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def test_no_clobber_refuses_and_keeps_files(runner, tmp_path, written):
    """--no-clobber over an existing plan folder exits 1 with one line and changes nothing."""
    src, files = written
    out = tmp_path / "plan"
    shutil.copytree(src, out)
    stat_before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    result = runner.invoke(app, _argv({}, ["--out", str(out), "--name", "Alex Kim", "--no-clobber"]))
    _assert_clean_failure(result, 1, "already exists")
    assert "--no-clobber" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stat_before


def test_no_clobber_refuses_when_only_one_file_exists(runner, tmp_path, written):
    """--no-clobber refuses even if just one of the output files is already there."""
    _, files = written
    out = tmp_path / "plan"
    out.mkdir()
    ics = next(n for n in files if n.endswith(".ics"))
    (out / ics).write_bytes(b"mine")
    result = runner.invoke(app, _argv({}, ["--out", str(out), "--no-clobber"]))
    _assert_clean_failure(result, 1, "already exists")
    assert [p.name for p in out.iterdir()] == [ics] and (out / ics).read_bytes() == b"mine"


def test_rerun_replaces_files_in_place(runner, tmp_path, monkeypatch, written):
    """Re-running without --no-clobber replaces the plan files under the same names, keeping other files."""
    import rehabplan.render.pdf as pdf

    monkeypatch.setattr(pdf, "to_pdf", lambda plan, options: b"%PDF-1.4 new booklet\n")
    monkeypatch.setattr(pdf, "to_summary_pdf", lambda plan, options: b"%PDF-1.4 new summary\n")
    src, files = written
    out = tmp_path / "plan"
    shutil.copytree(src, out)
    (out / "notes.txt").write_text("my own notes", encoding="utf-8")
    result = runner.invoke(app, _argv({}, ["--out", str(out), "--name", "Alex Kim"]))
    assert result.exit_code == 0, result.stderr
    now = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(now) == set(files) | {"notes.txt"}
    assert now["notes.txt"] == b"my own notes"
    json_name = next(n for n in files if n.endswith(".json"))
    assert b"Alex Kim" in now[json_name] and b"Sam Lee" not in now[json_name]
    assert now[json_name] != files[json_name]
    assert all(now[n] != files[n] for n in files)
    assert not [n for n in now if n.startswith(".")]


def test_help_says_files_are_replaced(runner):
    """make --help says an existing output folder's files are replaced, and names --no-clobber."""
    result = runner.invoke(app, ["make", "--help"])
    text = " ".join(result.stdout.split())
    assert "replaced" in text and "--no-clobber" in text


# --------------------------------------------------------------------------- a real process


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["-c", "itbs", "-m", "nan"], 2, "not a number"),
        (["-c", "itbs", "-m", "30", "--tz", "../etc"], 2, "not a time zone"),
        (["-c", "itbs", "-m", "30", "--name", "x\x1b]0;pwned\x07"], 2, "control"),
    ],
)
def test_real_process_fails_cleanly(tmp_path, args, code, fragment):
    """Run as a real process, a bad value still gives one line, no traceback and nothing on stdout."""
    import rehabplan

    here = Path(rehabplan.__file__).resolve().parents[1]  # the same package the tests import
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(here), os.environ.get("PYTHONPATH", "")]))}
    env.pop("REHABPLAN_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "rehabplan", "make", *args], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert proc.returncode == code
    assert proc.stdout == b""
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith(PREFIX)
    assert fragment in err.lower()
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- text that reaches the PDF and the calendar


def _make_files(runner, out: Path, labels: dict[str, str]):
    """Run make into out with the given label options and check it succeeded."""
    argv = _argv({}, ["--out", str(out), "--tz", "Europe/London"])
    for option, value in labels.items():
        argv += [option, value]
    result = runner.invoke(app, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _booklet_text(out: Path) -> str:
    from pypdf import PdfReader

    [booklet] = out.glob("*-booklet.pdf")
    reader = PdfReader(booklet)
    assert len(reader.pages) > 5
    return " ".join(reader.pages[0].extract_text().split())


def _calendar_name(out: Path) -> str:
    from icalendar import Calendar

    [ics] = out.glob("*.ics")
    cal = Calendar.from_ical(ics.read_bytes())
    assert cal.walk("VEVENT")
    # icalendar keeps an X- property's value escaped (\; \, \\); undo the RFC 5545 TEXT escaping here
    raw = str(cal["X-WR-CALNAME"])
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def test_markup_in_names_is_printed_verbatim(runner, tmp_path):
    """Markup and quote characters in --name/--coach/--clinic/--contact appear as typed in the PDF, calendar and JSON."""
    labels = {
        "--name": '<b>Sam</b> & Co; O\'Neil, "Q" C:\\runs <script>x</script>',
        "--coach": 'Dana O\'Neil "Q" ]]> &amp;',
        "--clinic": "Zoë & Łukasz <Knee> Clinic",
        "--contact": "a@b.example; tel:+1 (555) 0100",
    }
    out = tmp_path / "plan"
    result = _make_files(runner, out, labels)
    assert not [line for line in result.stderr.splitlines() if "warning" in line or "error" in line]
    text = _booklet_text(out)
    for value in labels.values():
        assert " ".join(value.split()) in text, value
    # the calendar name leaves out commas and semicolons (some apps show their escaping backslashes)
    name = _calendar_name(out)
    assert "," not in name and ";" not in name
    assert " ".join(labels["--name"].replace(",", " ").replace(";", " ").split()) in name
    [plan_file] = out.glob("*-plan.json")
    assert json.loads(plan_file.read_text(encoding="utf-8"))["athlete"] == labels["--name"]


def test_rtl_emoji_and_cjk_warn_but_still_render(runner, tmp_path):
    """Letters the font cannot draw give one warning line naming them, exit 0, and a PDF whose Latin text is intact."""
    labels = {
        "--name": "Sam \U0001f3c3\u200d\u2640\ufe0f Lee",
        "--coach": "Dana עברית Cohen",
        "--clinic": "Knee العربية Clinic 中文",
    }
    out = tmp_path / "plan"
    result = _make_files(runner, out, labels)
    lines = result.stderr.splitlines()
    assert not [line for line in lines if line.startswith(PREFIX)]
    warnings = [line for line in lines if line.startswith("rehabplan: warning: ")]
    assert len(warnings) == 1, lines
    for char in ("\U0001f3c3", "中", "ע", "ع"):
        assert char in warnings[0]
    text = _booklet_text(out)
    for latin in ("Sam", "Lee", "Dana", "Cohen", "Knee", "Clinic"):
        assert latin in text
    assert labels["--name"] in _calendar_name(out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


# --------------------------------------------------------------------------- hostile data files


def _bare_data(root: Path) -> Path:
    """An otherwise empty data folder layout (its own problems are listed too, which is fine here)."""
    (root / "templates" / "rules").mkdir(parents=True)
    (root / "exercises").mkdir()
    return root


def test_deeply_nested_data_file_is_listed_as_a_problem(runner, tmp_path):
    """A data file nested thousands of levels deep is one problem line, not an internal error."""
    data = _bare_data(tmp_path / "data")
    (data / "exercises" / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check-data", "--data-dir", str(data)])
    lines = _assert_clean_failure(result, 1, "exercises/deep.toml", lines=None)
    assert not any("internal error" in line for line in lines)


def test_data_file_names_with_control_characters_are_escaped(runner, tmp_path):
    """Problem lines never carry raw control characters from a data file's name."""
    data = _bare_data(tmp_path / "data")
    (data / "exercises" / "esc\x1b[31m.toml").write_text("x = ", encoding="utf-8")
    (data / "exercises" / "new\nline.toml").write_text("x = ", encoding="utf-8")
    result = runner.invoke(app, ["check-data", "--data-dir", str(data)])
    lines = _assert_clean_failure(result, 1, "not valid TOML", lines=None)
    assert "\x1b" not in result.stderr
    assert any("new" in line and "line.toml" in line for line in lines)


def test_markup_in_clinic_data_reaches_the_pdf_verbatim(runner, tmp_path):
    """Markup characters in a clinic's own data files are printed as typed, never read as PDF markup."""
    data = _data_copy(tmp_path / "data")
    condition = "ITBS <b>bold</b> & <i>open <br/> &amp;"
    exercise = "Plank <font size=40>big</font> & <para>"
    _set_name(data / "templates" / "itbs.toml", "Iliotibial", condition)
    _set_name(data / "exercises" / "core-front-plank.toml", "plank", exercise)
    out = tmp_path / "plan"
    result = runner.invoke(app, _argv({}, ["--data-dir", str(data), "--out", str(out)]))
    assert result.exit_code == 0, result.stderr
    from pypdf import PdfReader

    [booklet] = out.glob("*-booklet.pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(booklet).pages).split())
    assert condition in text and exercise in text


def test_control_characters_in_clinic_data_never_reach_the_calendar(runner, tmp_path, monkeypatch):
    """A control character in a data file is either reported as a data problem or kept out of the .ics."""
    import rehabplan.render.pdf as pdf

    monkeypatch.setattr(pdf, "to_pdf", lambda plan, options: b"%PDF-1.4 stand-in\n")
    monkeypatch.setattr(pdf, "to_summary_pdf", lambda plan, options: b"%PDF-1.4 stand-in\n")
    data = _data_copy(tmp_path / "data")
    _set_name(data / "templates" / "itbs.toml", "Iliotibial", "ITBS \x07bell \x1b[31m red")
    out = tmp_path / "plan"
    result = runner.invoke(app, _argv({}, ["--data-dir", str(data), "--out", str(out)]))
    if result.exit_code == 0:
        [ics] = out.glob("*.ics")
        raw = ics.read_bytes().replace(b"\r\n", b"").replace(b"\t", b"")
        assert not re.search(rb"[\x00-\x1f\x7f]", raw)
    else:
        _assert_clean_failure(result, 1, "templates/itbs.toml", lines=None)
        assert not out.exists()


# --------------------------------------------------------------------------- the good cases next to the bad ones


def test_valid_png_and_jpeg_logos_are_accepted(tmp_path):
    """Real PNG and JPEG files pass the logo checks and come back as the same picture (as PNG)."""
    import io

    from PIL import Image

    from rehabplan.app.inputs import read_logo

    png = tmp_path / "logo.png"
    png.write_bytes(_png(8, 5))
    with Image.open(io.BytesIO(read_logo(png))) as got, Image.open(png) as sent:
        assert got.size == sent.size and got.convert("RGB").tobytes() == sent.convert("RGB").tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (12, 7), (200, 30, 30)).save(buffer, format="JPEG")
    jpeg = tmp_path / "logo.jpg"
    jpeg.write_bytes(buffer.getvalue())
    with Image.open(io.BytesIO(read_logo(jpeg))) as got:
        assert got.format == "PNG" and got.size == (12, 7)


def test_a_logo_is_turned_upright_and_scaled_down_once(tmp_path):
    """A phone photo stored sideways with an EXIF orientation is drawn upright; a large picture is
    scaled to 1200 pixels on its longer side, and reading a 24-megapixel JPEG stays well under
    200 MB of memory."""
    import io
    import subprocess
    import sys

    from PIL import Image

    from rehabplan.app.inputs import read_logo

    sideways = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to view"
    photo = tmp_path / "photo.jpg"
    sideways.save(photo, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(read_logo(photo))) as got:
        assert got.size == (20, 40)

    big = tmp_path / "big.jpg"
    Image.new("RGB", (6000, 4000), (250, 250, 250)).save(big, format="JPEG", quality=60)
    # the child's own peak (VmHWM starts afresh with the new program; ru_maxrss would carry the
    # parent's peak across exec)
    code = (
        "import sys; from pathlib import Path; from rehabplan.app.inputs import read_logo; "
        "import io; from PIL import Image; data = read_logo(Path(sys.argv[1])); "
        "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]; "
        "print(Image.open(io.BytesIO(data)).size, peak)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(big)], capture_output=True, text=True, check=True).stdout
    size, peak_kb = out.rsplit(" ", 1)
    assert size == "(1200, 800)"
    assert int(peak_kb) < 200_000  # kilobytes


@pytest.mark.parametrize(
    "value", ["", ":", "../../etc/passwd", "EST5EDT,M3.2.0,M11.1.0", "Mars/Olympus", ":/etc/localtime", "\x1b[31m"]
)
def test_hostile_tz_environment_falls_back_to_a_real_zone(monkeypatch, value):
    """A strange TZ environment variable never leaks into the calendar: the zone used is always a real one."""
    import zoneinfo

    from rehabplan.app.inputs import system_tz

    monkeypatch.setenv("TZ", value)
    zone = system_tz()
    zoneinfo.ZoneInfo(zone)
    assert re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", zone), zone


def test_undrawable_characters_in_clinic_data_give_a_warning(runner, tmp_path, monkeypatch):
    """An exercise name the booklet font cannot draw gives a warning line, and the plan is still made."""
    import rehabplan.render.pdf as pdf

    monkeypatch.setattr(pdf, "to_pdf", lambda plan, options: b"%PDF-1.4 stand-in\n")
    monkeypatch.setattr(pdf, "to_summary_pdf", lambda plan, options: b"%PDF-1.4 stand-in\n")
    data = _data_copy(tmp_path / "data")
    _set_name(data / "templates" / "itbs.toml", "Iliotibial", "ITBS 髂胫束综合征")
    result = runner.invoke(app, _argv({}, ["--data-dir", str(data), "--out", str(tmp_path / "plan")]))
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("rehabplan: warning: ")]
    assert len(warnings) == 1 and "髂" in warnings[0]


def test_undrawable_characters_in_clinic_data_give_a_warning_per_batch_row(runner, tmp_path):
    """In a batch, each runner whose plan carries letters the font cannot draw (here from the clinic's
    data) gets a warning naming them, and every plan is still made."""
    data = _data_copy(tmp_path / "data")
    _set_name(data / "templates" / "itbs.toml", "Iliotibial", "ITBS 髂胫束综合征")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,condition,mileage\nAnn Lee,itbs,20\nBo Kim,runners-knee,20\n", encoding="utf-8")
    result = runner.invoke(
        app, ["batch", str(roster), "--data-dir", str(data), "--out", str(tmp_path / "squad"), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "cannot draw" in line]
    assert len(warnings) == 1 and "髂" in warnings[0] and "line 2" in warnings[0], result.stderr
