"""Writes are all or nothing: a failed render, a full disk, a failed rename or Ctrl-C leave the folder as it was."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest

from rehabplan.app import outputs as pipeline
from rehabplan.cli import app
from rehabplan.errors import RehabplanError

ARGS = ["make", "-c", "itbs", "-m", "30", "--start", "2027-03-01", "--tz", "Europe/London"]
NAMES = (
    "itbs-2027-03-01-booklet.pdf",
    "itbs-2027-03-01-summary.pdf",
    "itbs-2027-03-01.ics",
    "itbs-2027-03-01-plan.json",
)
PREFIX = "rehabplan: error: "


def _tree(root: Path) -> dict[str, tuple[bytes | str | None, int]]:
    """Every entry under root: bytes (files), link target (symlinks) or None (folders), with its inode."""
    out: dict[str, tuple[bytes | str | None, int]] = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            out[str(p.relative_to(root))] = (os.readlink(p), p.lstat().st_ino)
        elif p.is_dir():
            out[str(p.relative_to(root))] = (None, p.stat().st_ino)
        else:
            out[str(p.relative_to(root))] = (p.read_bytes(), p.stat().st_ino)
    return out


def _leftovers(root: Path) -> list[str]:
    """Temporary or backup files write_atomic may have left behind."""
    return [p.name for p in root.rglob("*") if p.name.endswith((".part", ".bak")) or p.name.startswith(".")]


def _files() -> dict[str, bytes]:
    return {name: f"new {name}\n".encode() * 50 for name in NAMES}


@pytest.fixture(scope="session")
def _made_once(tmp_path_factory) -> dict[str, bytes]:
    """Every file of a real plan (20 mi a week), made once."""
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("made") / "plan"
    result = CliRunner().invoke(app, ["make", "-c", "itbs", "-m", "20", "--start", "2027-03-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {name: (out / name).read_bytes() for name in NAMES}


@pytest.fixture()
def old_folder(tmp_path: Path, _made_once: dict[str, bytes]) -> Path:
    """An output folder holding an earlier plan (every file) plus a file of the runner's own."""
    out = tmp_path / "plan"
    out.mkdir()
    for name, data in _made_once.items():
        (out / name).write_bytes(data)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    return out


class _FailOn:
    """Wrap a function so that its n-th call raises exc (other calls go through)."""

    def __init__(self, real, n: int, exc: BaseException) -> None:
        self.real, self.n, self.exc, self.calls = real, n, exc, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise self.exc
        return self.real(*args, **kwargs)


def _assert_one_error_line(result, code: int, fragment: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(PREFIX), lines
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture()
def fast_pdf(monkeypatch):
    """Stand-in PDF renderers, so these tests exercise the write path without a full booklet build."""
    import rehabplan.render.pdf as pdf

    monkeypatch.setattr(pdf, "to_pdf", lambda plan, options: b"%PDF-1.4 booklet stand-in\n")
    monkeypatch.setattr(pdf, "to_summary_pdf", lambda plan, options: b"%PDF-1.4 summary stand-in\n")


# --------------------------------------------------------------------------- renderer failure


def test_renderer_failure_in_library_leaves_folder_untouched(old_folder, monkeypatch, catalog):
    """A renderer failing after another output rendered writes nothing and keeps every existing file."""
    import rehabplan.render.pdf as pdf
    from rehabplan import BookletOptions, CalendarOptions, PlanRequest

    rendered: list[str] = []
    monkeypatch.setattr(pdf, "to_pdf", lambda plan, options: rendered.append("booklet") or b"%PDF-1.4\n")

    def broken(plan, options):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(pdf, "to_summary_pdf", broken)
    before = _tree(old_folder)
    request = PlanRequest(condition="itbs", mileage=30, start=dt.date(2027, 3, 1))
    with pytest.raises(RuntimeError):
        pipeline.generate(request, catalog, BookletOptions(), CalendarOptions(tz="UTC"), old_folder)
    assert rendered == ["booklet"]
    assert _tree(old_folder) == before
    assert _leftovers(old_folder) == []


def test_renderer_failure_into_new_folder_creates_nothing(runner, tmp_path, monkeypatch, fast_pdf):
    """A calendar renderer failing with a known error gives one line, exit 1, and no output folder."""
    import rehabplan.render.ics as ics

    def broken(plan, options):
        raise RehabplanError("the calendar could not be made")

    monkeypatch.setattr(ics, "render", broken)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ARGS)
    _assert_one_error_line(result, 1, "the calendar could not be made")
    assert list(tmp_path.iterdir()) == []


def test_unexpected_renderer_crash_is_one_line_and_no_file(runner, monkeypatch, fast_pdf, old_folder):
    """Even a renderer bug (an unexpected exception) ends as one error line, exit 1, with files untouched."""
    import rehabplan.render.pdf as pdf

    monkeypatch.delenv("REHABPLAN_DEBUG", raising=False)

    def broken(plan, options):
        raise ValueError("boom")

    monkeypatch.setattr(pdf, "to_summary_pdf", broken)
    before = _tree(old_folder)
    result = runner.invoke(app, [*ARGS, "--out", str(old_folder)])
    assert _tree(old_folder) == before
    _assert_one_error_line(result, 1, "internal error")


# --------------------------------------------------------------------------- failures while writing


def test_failed_second_rename_rolls_back_the_first(old_folder, monkeypatch):
    """If the 2nd rename fails, the 1st replaced file is put back: same bytes, same inode."""
    before = _tree(old_folder)
    monkeypatch.setattr(os, "replace", _FailOn(os.replace, 2, OSError(errno.EIO, "Input/output error")))
    with pytest.raises(RehabplanError, match="cannot write into"):
        pipeline.write_atomic(old_folder, _files())
    assert _tree(old_folder) == before
    assert _leftovers(old_folder) == []


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_failed_rename_into_empty_folder_leaves_it_empty(tmp_path, monkeypatch, fail_at):
    """A rename failing at any point removes the files already renamed into a folder that held none."""
    out = tmp_path / "plan"
    out.mkdir()
    monkeypatch.setattr(os, "replace", _FailOn(os.replace, fail_at, OSError(errno.EXDEV, "Invalid cross-device link")))
    with pytest.raises(RehabplanError):
        pipeline.write_atomic(out, _files())
    assert list(out.iterdir()) == []


def test_failure_removes_every_folder_it_created(tmp_path, monkeypatch):
    """A failed write into a new nested folder removes all the folders it made, not just the last."""
    monkeypatch.setattr(os, "replace", _FailOn(os.replace, 3, OSError(errno.EIO, "Input/output error")))
    with pytest.raises(RehabplanError):
        pipeline.write_atomic(tmp_path / "a" / "b" / "plan", _files())
    assert list(tmp_path.iterdir()) == []


def test_folder_creation_failing_half_way_leaves_no_parent_behind(tmp_path):
    """If making a nested output folder fails part way, the parents it did make are removed again."""
    with pytest.raises(RehabplanError, match="cannot create output folder"):
        pipeline.write_atomic(tmp_path / "new" / "deeper" / ("a" * 300), _files())
    assert list(tmp_path.iterdir()) == []


def test_disk_full_while_writing_keeps_old_files(old_folder, monkeypatch):
    """ENOSPC while writing the temporary files leaves no .part file and the old files as they were."""
    before = _tree(old_folder)
    monkeypatch.setattr(os, "fsync", _FailOn(os.fsync, 2, OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(RehabplanError, match="No space left on device"):
        pipeline.write_atomic(old_folder, _files())
    assert _tree(old_folder) == before


def test_hard_links_not_allowed_still_rolls_back(old_folder, monkeypatch):
    """Where hard links are refused, backups are copies and a failed rename still restores the old bytes."""
    before = {name: (old_folder / name).read_bytes() for name in NAMES}

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "replace", _FailOn(os.replace, 4, OSError(errno.EIO, "Input/output error")))
    with pytest.raises(RehabplanError):
        pipeline.write_atomic(old_folder, _files())
    assert {name: (old_folder / name).read_bytes() for name in NAMES} == before
    assert _leftovers(old_folder) == []


def test_symlinked_output_is_restored_as_a_symlink(old_folder, monkeypatch):
    """A plan file that was a symlink is put back as the same symlink when the write fails."""
    (old_folder / "elsewhere.ics").write_bytes(b"linked calendar")
    (old_folder / NAMES[0]).unlink()
    (old_folder / NAMES[0]).symlink_to("elsewhere.ics")
    before = _tree(old_folder)
    monkeypatch.setattr(os, "replace", _FailOn(os.replace, 2, OSError(errno.EIO, "Input/output error")))
    with pytest.raises(RehabplanError):
        pipeline.write_atomic(old_folder, _files())
    assert _tree(old_folder) == before


def test_output_name_taken_by_a_folder_changes_nothing(old_folder):
    """A folder sitting where a plan file goes stops the write before any file is replaced."""
    (old_folder / NAMES[2]).unlink()
    (old_folder / NAMES[2]).mkdir()
    before = _tree(old_folder)
    with pytest.raises(RehabplanError, match="is a folder"):
        pipeline.write_atomic(old_folder, _files())
    assert _tree(old_folder) == before


def test_no_clobber_in_write_atomic_writes_nothing(old_folder):
    """write_atomic with no_clobber refuses when a target exists and writes nothing."""
    (old_folder / NAMES[1]).unlink()
    before = _tree(old_folder)
    with pytest.raises(RehabplanError, match="already exists"):
        pipeline.write_atomic(old_folder, _files(), no_clobber=True)
    assert _tree(old_folder) == before


def test_successful_write_replaces_plan_files_only(old_folder):
    """A successful write replaces the plan files, keeps other files and leaves no temporary file."""
    files = _files()
    paths = pipeline.write_atomic(old_folder, files)
    assert [p.name for p in paths] == list(NAMES)
    assert {p.name: p.read_bytes() for p in paths} == files
    assert (old_folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert _leftovers(old_folder) == []
    assert all(oct(p.stat().st_mode & 0o777) == oct(0o644) for p in paths)


# --------------------------------------------------------------------------- through the CLI


def test_cli_disk_full_is_one_line_and_old_files_kept(runner, old_folder, monkeypatch, fast_pdf):
    """make on a full disk prints one error line naming the folder, exit 1, and keeps the old files."""
    before = _tree(old_folder)
    monkeypatch.setattr(os, "fsync", _FailOn(os.fsync, 3, OSError(errno.ENOSPC, "No space left on device")))
    result = runner.invoke(app, [*ARGS, "--out", str(old_folder)])
    _assert_one_error_line(result, 1, "No space left on device")
    assert _tree(old_folder) == before


@pytest.mark.parametrize(("patched", "n"), [("fsync", 2), ("replace", 3)])
def test_ctrl_c_mid_write_leaves_folder_as_it_was(runner, old_folder, monkeypatch, fast_pdf, patched, n):
    """Ctrl-C while writing or while renaming exits 130 with one line and leaves the folder as it was."""
    before = _tree(old_folder)
    monkeypatch.setattr(os, patched, _FailOn(getattr(os, patched), n, KeyboardInterrupt()))
    result = runner.invoke(app, [*ARGS, "--out", str(old_folder)])
    _assert_one_error_line(result, 130, "interrupted")
    assert _tree(old_folder) == before


def test_ctrl_c_into_new_folder_leaves_no_folder(runner, tmp_path, monkeypatch, fast_pdf):
    """Ctrl-C during the first write into a new default folder leaves nothing in the current folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "fsync", _FailOn(os.fsync, 1, KeyboardInterrupt()))
    result = runner.invoke(app, ARGS)
    _assert_one_error_line(result, 130, "interrupted")
    assert list(tmp_path.iterdir()) == []


def test_folder_without_write_permission_is_refused_early(runner, tmp_path, monkeypatch, fast_pdf):
    """A folder the user may not write to (simulated: tests run as root) gives one line, exit 1, nothing made."""
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode, **kw: False if Path(path) == tmp_path else real_access(path, mode, **kw)
    )
    result = runner.invoke(app, [*ARGS, "--out", str(tmp_path / "plan")])
    _assert_one_error_line(result, 1, "permission denied")
    assert "--out" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_permission_error_while_writing_is_one_line(runner, tmp_path, monkeypatch, fast_pdf):
    """A permission error when creating the temporary files gives one line naming the folder, exit 1, no folder left."""
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    result = runner.invoke(app, [*ARGS, "--out", str(tmp_path / "plan")])
    _assert_one_error_line(result, 1, "cannot write into")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- other processes, real signals


def _cli(*args: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "rehabplan", *args]


def _consistent(folder: Path) -> int:
    """The folder holds one complete set: four files, every one of the same version (the booklet's
    and the calendar's text name the athlete the JSON names), and no hidden leftovers."""
    import json

    from icalendar import Calendar
    from pypdf import PdfReader

    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(NAMES), names
    plan = json.loads((folder / NAMES[3]).read_text(encoding="utf-8"))
    athlete = plan["athlete"]
    assert athlete in PdfReader(folder / NAMES[0]).pages[0].extract_text()
    assert athlete in PdfReader(folder / NAMES[1]).pages[0].extract_text()
    assert athlete in str(Calendar.from_ical((folder / NAMES[2]).read_bytes())["NAME"])
    return int(plan["revision"]["number"])


def test_two_makes_into_one_folder_are_one_after_the_other(tmp_path):
    """Two `make`s started together into one new folder both succeed, one after the other: the
    folder ends as one complete set (the second's), version 2 of one plan."""
    import subprocess

    env = {**os.environ, "TZ": "Europe/London"}
    for round_ in range(3):
        out = tmp_path / f"plan{round_}"
        procs = [
            subprocess.Popen(
                _cli(*ARGS, "--name", who, "--out", str(out)), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for who in ("Ana Alpha", "Bo Beta")
        ]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], results
        assert _consistent(out) == 2


def test_two_no_clobber_makes_race_and_exactly_one_wins(tmp_path):
    import subprocess

    out = tmp_path / "plan"
    procs = [
        subprocess.Popen(
            _cli(*ARGS, "--name", who, "--no-clobber", "--out", str(out)),
            env={**os.environ, "TZ": "Europe/London"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for who in ("Ana Alpha", "Bo Beta")
    ]
    results = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes[0] == 0 and codes[1] != 0, results
    loser = next(err for p, (_, err) in zip(procs, results, strict=True) if p.returncode)
    assert loser.decode().startswith(PREFIX) and b"already exists" in loser
    assert _consistent(out) == 1


def test_a_make_killed_at_any_moment_leaves_no_mix_after_the_next_run(tmp_path):
    """SIGKILL at random moments of a `make` over an existing plan: the next run finds the folder's
    old set (or the new one), never a mix, and no temporary file survives it."""
    import random
    import signal
    import subprocess
    import time

    out = tmp_path / "plan"
    env = {**os.environ, "TZ": "Europe/London"}
    subprocess.run(_cli(*ARGS, "--name", "First Runner", "--out", str(out)), env=env, check=True, capture_output=True)
    rng = random.Random(7)
    for i in range(6):
        proc = subprocess.Popen(
            _cli(*ARGS, "--name", f"Runner {i}", "--out", str(out)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = subprocess.run(
            _cli(*ARGS, "--name", "Check Runner", "--out", str(out)), env=env, capture_output=True, text=True
        )
        assert after.returncode == 0, after.stderr
        _consistent(out)
