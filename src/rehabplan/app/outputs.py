"""A plan folder: its file names, the rendered files, and writing them all or none."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..catalog import Catalog
from ..errors import InputError, RehabplanError
from ..planning import Plan, PlanRequest, build_plan
from ..render.options import BookletOptions, CalendarOptions


@dataclass(frozen=True)
class Outputs:
    plan: Plan
    booklet: Path
    summary: Path
    calendar: Path
    plan_json: Path
    plan_text: str  # the plan JSON as written, for checks on the text it carries


def file_stem(plan: Plan) -> str:
    """The shared start of every output file name, e.g. 'itbs-2027-03-01'."""
    parts = [plan.condition]
    if plan.site:
        parts.append(plan.site)
    parts.append(plan.start.isoformat())
    return "-".join(parts)


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


def output_names(plan: Plan) -> tuple[str, str, str, str]:
    """The file names of the booklet, summary, calendar and plan JSON, in that order."""
    stem = file_stem(plan)
    return (f"{stem}-booklet.pdf", f"{stem}-summary.pdf", f"{stem}.ics", f"{stem}-plan.json")


def render_all(plan: Plan, booklet: BookletOptions, calendar: CalendarOptions) -> dict[str, bytes]:
    """Every output file, by name, rendered in memory (nothing is written here)."""
    from ..render.ics import to_ics
    from ..render.pdf import to_pdf, to_summary_pdf
    from ..render.plan_json import to_json

    booklet_name, summary_name, ics_name, json_name = output_names(plan)
    return {
        booklet_name: to_pdf(plan, booklet),
        summary_name: to_summary_pdf(plan, booklet),
        ics_name: to_ics(plan, calendar),
        json_name: to_json(plan),
    }


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


def write_atomic(out_dir: Path, files: dict[str, bytes], *, no_clobber: bool = False) -> list[Path]:
    """Write every file or none: temporary files in out_dir, renamed only when all are written.

    Existing files are kept as hidden hard links until every rename has succeeded; on any
    failure (a full disk, a failed rename, Ctrl-C) the files already renamed are put back, so
    the folder holds exactly what it held before and no temporary file is left behind.
    """
    _refuse_nul(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RehabplanError(f"output folder {str(out_dir)!r} is a file; choose another {{field}} folder.", "out")
    targets = [out_dir / name for name in files]
    if no_clobber:
        _refuse_existing(targets)
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
            os.chmod(tmp, 0o644)
        for target in targets:
            if target.is_dir():
                raise RehabplanError(
                    f"{str(target)!r} is a folder; move it away or choose another {{field}} folder.", "out"
                )
            backups[target] = _keep_backup(target) if target.exists() or target.is_symlink() else None
        replaced: list[Path] = []
        try:
            for part, target in zip(temps, targets, strict=True):
                os.replace(part, target)
                replaced.append(target)
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
) -> Outputs:
    """Build, render and write one runner's plan; return the paths written."""
    plan = build_plan(request, catalog)
    folder = out_dir if out_dir is not None else default_out_dir(plan)
    check_writable(folder)
    if no_clobber:  # refuse before the slow rendering, and again just before writing
        _refuse_existing([folder / name for name in output_names(plan)])
    files = render_all(plan, booklet, calendar)
    paths = write_atomic(folder, files, no_clobber=no_clobber)
    booklet_path, summary_path, ics_path, json_path = paths
    return Outputs(plan, booklet_path, summary_path, ics_path, json_path, files[json_path.name].decode("utf-8"))
