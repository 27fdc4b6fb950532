"""A plan folder: its file names, the rendered files, and writing them all or none."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..errors import InputError, RehabplanError
from ..planning import Plan, PlanRequest, build_plan
from ..planning.plan import Revision
from ..render.options import BookletOptions, CalendarOptions


@dataclass(frozen=True)
class Outputs:
    plan: Plan
    booklet: Path
    summary: Path
    calendar: Path
    plan_json: Path
    plan_text: str  # the plan JSON as written, for checks on the text it carries
    notes: tuple[str, ...] = ()  # for the person making it (e.g. a calendar written in UTC)


@dataclass(frozen=True)
class Rendered:
    """Every output file by name, the plan as the files describe it (with its calendar's events),
    and notes for the person making it."""

    files: dict[str, bytes]
    plan: Plan
    notes: tuple[str, ...]


PLAN_SUFFIX = "-plan.json"
MAX_PLAN_BYTES = 20_000_000


def find_plan(folder: Path) -> tuple[Plan, dict[str, Any]] | None:
    """The plan a folder holds (its plan JSON, read back), or None when it holds none."""
    from ..render.plan_json import read_plan

    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.iterdir() if p.name.endswith(PLAN_SUFFIX) and not p.name.startswith("."))
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(f"{str(folder)!r} holds more than one plan ({names}); keep one plan per folder.")
    path = found[0]
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_PLAN_BYTES + 1)
        if len(raw) > MAX_PLAN_BYTES:
            raise ValueError("too large")
        data = json.loads(raw.decode("utf-8"))
        return read_plan(data), data
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
        raise RehabplanError(
            f"{str(path)!r} is not a plan this version can read ({type(exc).__name__}); "
            "make a new plan with --new-plan, or in another folder."
        ) from None


def file_stem(plan: Plan, runner: str = "") -> str:
    """The shared start of every output file name: 'itbs-2027-03-01', or with the runner's folder
    name (a squad's plans, which may end up in one folder) 'sam-lee-itbs'."""
    parts = [runner] if runner else []
    parts.append(plan.condition)
    if plan.site:
        parts.append(plan.site)
    if not runner:
        parts.append(plan.start.isoformat())
    return "-".join(parts)


def runner_of(folder: Path, plan: Plan) -> str:
    """The runner part of the names of the plan files a folder already holds ('' for none)."""
    tail = "-".join([plan.condition, *([plan.site] if plan.site else [])]) + PLAN_SUFFIX
    for path in folder.glob("*" + PLAN_SUFFIX):
        if path.name.endswith("-" + tail) and path.name != file_stem(plan) + PLAN_SUFFIX:
            return path.name[: -len("-" + tail)]
    return ""


def default_out_dir(plan: Plan) -> Path:
    return Path(file_stem(plan))


FONT_GAP_WARNING = "the booklet font cannot draw {}; they are shown as a box in the PDF."


def font_gaps(*texts: str | None) -> str:
    """The characters the booklet font cannot draw in these texts (names, or a plan's JSON, which
    carries every text of the plan, a clinic's own data included): sorted and space-separated,
    '' when none."""
    text = "".join(t for t in texts if t)
    if not text:
        return ""
    from ..render.pdf import unsupported_chars

    return " ".join(sorted(unsupported_chars(text)))


def output_names(plan: Plan, runner: str = "") -> tuple[str, str, str, str]:
    """The file names of the booklet, summary, calendar and plan JSON, in that order."""
    stem = file_stem(plan, runner)
    return (f"{stem}-booklet.pdf", f"{stem}-summary.pdf", f"{stem}.ics", f"{stem}-plan.json")


def render_all(plan: Plan, booklet: BookletOptions, calendar: CalendarOptions, runner: str = "") -> Rendered:
    """Every output file, by name, rendered in memory (nothing is written here). The calendar
    goes first: the plan JSON keeps the events it wrote, for the next revision to compare with."""
    from ..render import ics
    from ..render.pdf import to_pdf, to_summary_pdf
    from ..render.plan_json import to_json

    cal = ics.render(plan, calendar)
    plan = plan.model_copy(update={"revision": plan.revision.model_copy(update={"events": cal.events})})
    booklet_name, summary_name, ics_name, json_name = output_names(plan, runner)
    files = {
        booklet_name: to_pdf(plan, booklet),
        summary_name: to_summary_pdf(plan, booklet),
        ics_name: cal.data,
        json_name: to_json(plan, booklet, calendar),
    }
    return Rendered(files, plan, cal.notes)


def next_revision(plan: Plan, previous: Plan, now: dt.datetime) -> Plan:
    """`plan` as the next revision of `previous`: the same plan id (so every calendar UID stays),
    a higher number, its own stamp, and the events the previous revision wrote."""
    stamp = max(now.astimezone(dt.UTC).replace(microsecond=0), previous.revision.stamp + dt.timedelta(seconds=1))
    revision = Revision(
        plan_id=previous.revision.plan_id,
        number=previous.revision.number + 1,
        stamp=stamp,
        changes=plan.revision.changes,
        seam=plan.revision.seam,
        events=previous.revision.events,
    )
    return plan.model_copy(update={"revision": revision})


def _refuse_existing(targets: list[Path]) -> None:
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    if existing:
        raise RehabplanError(
            f"{str(existing[0])!r} already exists and {{field}} was given; "
            "choose another output folder or leave it out to replace the files.",
            "no_clobber",
        )


def _unique_sibling(folder: Path, name: str, suffix: str) -> Path:
    """A free hidden file name next to `name` in folder (the file itself is not kept)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    os.close(fd)
    os.unlink(tmp)
    return Path(tmp)


def _keep_backup(target: Path) -> Path:
    """A hidden hard link (or, where links are not allowed, a copy) of an existing target."""
    backup = _unique_sibling(target.parent, target.name, ".bak")
    try:
        os.link(target, backup, follow_symlinks=False)  # a symlink is kept as the link itself
    except OSError:
        if target.is_symlink():
            os.symlink(os.readlink(target), backup)
        else:
            shutil.copy2(target, backup)
    return backup


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _make_folder(out_dir: Path) -> Path | None:
    """Create out_dir (and missing parents); return the topmost folder created, if any."""
    if out_dir.exists():
        return None
    top = out_dir
    while not top.parent.exists() and top.parent != top:
        top = top.parent
    try:
        out_dir.mkdir(parents=True)
    except OSError as exc:
        _remove_created(out_dir, top)  # mkdir may have made some of the parents before failing
        raise RehabplanError(
            f"cannot create output folder {str(out_dir)!r} ({exc.strerror or exc}); choose a folder you can write to with {{field}}.",
            "out",
        ) from None
    return top


def _remove_created(out_dir: Path, top: Path | None) -> None:
    """Remove the folders _make_folder created, innermost first, if they are empty."""
    if top is None:
        return
    folder = out_dir
    while True:
        try:
            folder.rmdir()
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENAMETOOLONG):
                return  # not empty or not ours: keep it
            # never made (mkdir failed further down the path): go on to its parent
        if folder == top or folder.parent == folder:
            return
        folder = folder.parent


JOURNAL = ".rehabplan-journal"
LOCK_WAIT_SECONDS = 60.0


@contextlib.contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Only one rehabplan at a time changes a folder: a second one waits for the first to finish
    (up to a minute, then says so). The lock lives outside the folder, so the folder itself is
    only made when there is something to write into it."""
    import hashlib
    import time

    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; runs are not serialised there
        yield
        return

    where = Path(tempfile.gettempdir()) / f"rehabplan-locks-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    where.mkdir(mode=0o700, exist_ok=True)
    name = hashlib.sha256(os.path.abspath(out_dir).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    fd = os.open(where / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RehabplanError(
                        f"another rehabplan has been writing into {str(out_dir)!r} for over a minute; "
                        "wait for it to finish, then run this again."
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _recover(out_dir: Path) -> None:
    """Put back the set of files an interrupted write left half-replaced (its journal says which),
    and remove the temporary files any interruption left behind."""
    journal = out_dir / JOURNAL
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        entries = json.loads(journal.read_text(encoding="utf-8"))
        for target_name, backup_name in entries:
            target = out_dir / target_name
            if backup_name is not None and (out_dir / backup_name).exists():
                os.replace(out_dir / backup_name, target)  # the old file, back in place
            elif backup_name is None:
                _remove_quietly(target)  # new in the interrupted set: the old set had no such file
        journal.unlink()
    with contextlib.suppress(OSError):
        for leftover in out_dir.iterdir():
            if leftover.name.startswith(".") and leftover.name.endswith((".part", ".bak")):
                _remove_quietly(leftover)


def write_atomic(
    out_dir: Path, files: dict[str, bytes], *, no_clobber: bool = False, force: bool = False
) -> list[Path]:
    """Write every file or none: temporary files in out_dir, renamed only when all are written.

    Existing files are kept as hidden hard links until every rename has succeeded; on any
    failure (a full disk, a failed rename, Ctrl-C) the files already renamed are put back, so
    the folder holds exactly what it held before and no temporary file is left behind.
    """
    _refuse_nul(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RehabplanError(f"output folder {str(out_dir)!r} is a file; choose another {{field}} folder.", "out")
    targets = [out_dir / name for name in files]
    if out_dir.is_dir():
        _recover(out_dir)
    if no_clobber:
        _refuse_existing(targets)
    modes = _modes(targets, force)
    created = _make_folder(out_dir)
    temps: list[Path] = []
    backups: dict[Path, Path | None] = {}  # target -> backup of what it held (None: it was new)
    unrestored: set[Path] = set()
    done = False
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=out_dir)
            temps.append(Path(tmp))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, modes.get(out_dir / name, 0o644))  # a replaced file keeps its permissions
        for target in targets:
            if target.is_dir():
                raise RehabplanError(
                    f"{str(target)!r} is a folder; move it away or choose another {{field}} folder.", "out"
                )
            backups[target] = _keep_backup(target) if target.exists() or target.is_symlink() else None
        replaced: list[Path] = []
        # the journal names what each target held, so a run killed between two renames is undone
        # by the next one (the folder never stays a mix of two sets)
        journal = out_dir / JOURNAL
        entries = [[t.name, None if backups[t] is None else backups[t].name] for t in targets]  # type: ignore[union-attr]
        journal.write_text(json.dumps(entries), encoding="utf-8")
        try:
            for part, target in zip(temps, targets, strict=True):
                os.replace(part, target)
                replaced.append(target)
            journal.unlink()  # every file is in place: the new set stands
        except BaseException:
            for target in reversed(replaced):
                backup = backups.get(target)
                try:
                    if backup is None:
                        target.unlink()
                    else:
                        os.replace(backup, target)
                except OSError:
                    if backup is not None:
                        unrestored.add(backup)  # keep the old file rather than lose it
            _remove_quietly(journal)
            raise
        done = True
    except OSError as exc:
        raise RehabplanError(
            f"cannot write into {str(out_dir)!r} ({exc.strerror or exc}); choose a folder you can write to with {{field}}.",
            "out",
        ) from None
    finally:
        for part in temps:
            if part.exists():
                _remove_quietly(part)
        for backup in backups.values():
            if backup is not None and backup not in unrestored and (backup.exists() or backup.is_symlink()):
                _remove_quietly(backup)
        if not done:
            _remove_created(out_dir, created)
    return targets


def _modes(targets: list[Path], force: bool) -> dict[Path, int]:
    """The permissions of the files about to be replaced; a read-only one is refused unless forced."""
    import stat

    modes: dict[Path, int] = {}
    for target in targets:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            continue
        if not mode & stat.S_IWUSR and not force:
            raise RehabplanError(
                f"{str(target)!r} is read-only, so it is kept; make it writable, or give --force to replace it.",
                "out",
            )
        modes[target] = mode
    return modes


def _refuse_nul(out_dir: Path) -> None:
    if "\x00" in str(out_dir):
        raise InputError(
            f"output folder {str(out_dir)!r} contains a NUL character; choose another {{field}} folder.", "out"
        )


def check_writable(out_dir: Path) -> None:
    """Fail early, before any work, when out_dir cannot hold our files."""
    _refuse_nul(out_dir)
    try:
        probe = out_dir
        while not probe.exists():
            if probe.parent == probe:
                break
            probe = probe.parent
        if probe.exists() and not probe.is_dir():
            where = "is a file" if probe == out_dir else f"is inside {str(probe)!r}, which is a file"
            raise RehabplanError(f"output folder {str(out_dir)!r} {where}; choose another {{field}} folder.", "out")
        writable = os.access(probe, os.W_OK | os.X_OK)
        try:
            name_max = os.pathconf(probe, "PC_NAME_MAX") if probe.exists() else 255
        except (OSError, ValueError):
            name_max = 255
        for part in out_dir.parts:
            if len(os.fsencode(part)) > name_max:
                raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
    except OSError as exc:
        raise RehabplanError(
            f"cannot use output folder {str(out_dir)!r} ({exc.strerror or exc}); choose another {{field}} folder.",
            "out",
        ) from None
    if probe.exists() and not writable:
        raise RehabplanError(
            f"cannot write into {str(probe)!r} (permission denied); choose a folder you can write to with {{field}}.",
            "out",
        )


def generate(
    request: PlanRequest,
    catalog: Catalog,
    booklet: BookletOptions,
    calendar: CalendarOptions,
    out_dir: Path | None = None,
    *,
    no_clobber: bool = False,
    new_plan: bool = False,
    now: dt.datetime | None = None,
    runner: str | None = None,
    force: bool = False,
) -> Outputs:
    """Build, render and write one runner's plan; return the paths written.

    Over a folder that already holds a plan (and unless `new_plan`), the new plan is the next
    revision of that plan: the calendar keeps its UIDs and says what changed. `runner` starts
    every file name (a squad's plans); by default the folder's existing files decide.
    """
    plan = build_plan(request, catalog)
    folder = out_dir if out_dir is not None else default_out_dir(plan)
    check_writable(folder)
    with folder_lock(folder):
        return _generate(
            plan,
            folder,
            booklet,
            calendar,
            no_clobber=no_clobber,
            new_plan=new_plan,
            now=now,
            runner=runner,
            force=force,
        )


def _generate(
    plan: Plan,
    folder: Path,
    booklet: BookletOptions,
    calendar: CalendarOptions,
    *,
    no_clobber: bool,
    new_plan: bool,
    now: dt.datetime | None,
    runner: str | None,
    force: bool = False,
) -> Outputs:
    if no_clobber:  # refuse before the slow rendering, and again just before writing
        _refuse_existing([folder / name for name in output_names(plan, runner or "")])
    found = None if new_plan or no_clobber else find_plan(folder)
    old_names: tuple[str, ...] = ()
    if found is not None:
        previous = found[0]
        before = runner_of(folder, previous)
        runner = before if runner is None else runner
        plan = next_revision(plan, previous, now or dt.datetime.now(dt.UTC))
        old_names = tuple(n for n in output_names(previous, before) if n not in output_names(plan, runner))
    rendered = render_all(plan, booklet, calendar, runner or "")
    return write_rendered(folder, rendered, no_clobber=no_clobber, remove=old_names, force=force)


def write_rendered(
    folder: Path, rendered: Rendered, *, no_clobber: bool = False, remove: tuple[str, ...] = (), force: bool = False
) -> Outputs:
    """Write a rendered plan into its folder, all files or none (and drop files of an earlier
    revision whose names changed)."""
    paths = write_atomic(folder, rendered.files, no_clobber=no_clobber, force=force)
    for name in remove:
        _remove_quietly(folder / name)
    booklet_path, summary_path, ics_path, json_path = paths
    text = rendered.files[json_path.name].decode("utf-8")
    return Outputs(rendered.plan, booklet_path, summary_path, ics_path, json_path, text, rendered.notes)
