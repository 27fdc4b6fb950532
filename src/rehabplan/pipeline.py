"""The library entry point: catalog → plan → rendered files → written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog
from .errors import RehabplanError
from .models import BookletOptions, CalendarOptions, Plan, PlanRequest
from .planner import build_plan


@dataclass(frozen=True)
class Outputs:
    plan: Plan
    booklet: Path
    summary: Path
    calendar: Path
    plan_json: Path


def file_stem(plan: Plan) -> str:
    """The shared start of every output file name, e.g. 'itbs-2027-03-01'."""
    parts = [plan.condition]
    if plan.site:
        parts.append(plan.site)
    parts.append(plan.start.isoformat())
    return "-".join(parts)


def default_out_dir(plan: Plan) -> Path:
    return Path(file_stem(plan))


def plan_json(plan: Plan) -> bytes:
    """The plan as pretty JSON (the published schema: `rehabplan schema`)."""
    return (json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def render_all(plan: Plan, booklet: BookletOptions, calendar: CalendarOptions) -> dict[str, bytes]:
    """Every output file, by name, rendered in memory (nothing is written here)."""
    from .render.ics import to_ics
    from .render.pdf import to_pdf, to_summary_pdf

    stem = file_stem(plan)
    return {
        f"{stem}-booklet.pdf": to_pdf(plan, booklet),
        f"{stem}-summary.pdf": to_summary_pdf(plan, booklet),
        f"{stem}.ics": to_ics(plan, calendar),
        f"{stem}-plan.json": plan_json(plan),
    }


def write_atomic(out_dir: Path, files: dict[str, bytes], *, no_clobber: bool = False) -> list[Path]:
    """Write every file or none: temporary files in out_dir, renamed only when all are written.

    Existing files are left untouched on any failure (including Ctrl-C).
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise RehabplanError(f"output folder {str(out_dir)!r} is a file; choose another --out folder.")
    targets = [out_dir / name for name in files]
    if no_clobber:
        existing = [p for p in targets if p.exists()]
        if existing:
            raise RehabplanError(
                f"{str(existing[0])!r} already exists and --no-clobber was given; "
                "choose another --out folder or leave out --no-clobber to replace the files."
            )
    created = False
    try:
        if not out_dir.exists():
            out_dir.mkdir(parents=True)
            created = True
    except OSError as exc:
        raise RehabplanError(
            f"cannot create output folder {str(out_dir)!r} ({exc.strerror or exc}); choose a folder you can write to with --out."
        ) from None
    temps: list[Path] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=out_dir)
            temps.append(Path(tmp))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
        temps.clear()
    except OSError as exc:
        raise RehabplanError(
            f"cannot write into {str(out_dir)!r} ({exc.strerror or exc}); choose a folder you can write to with --out."
        ) from None
    finally:
        for tmp in temps:
            try:
                tmp.unlink()
            except OSError:
                pass
        if created and temps:
            try:
                out_dir.rmdir()
            except OSError:
                pass
    return targets


def check_writable(out_dir: Path) -> None:
    """Fail early, before any work, when out_dir cannot hold our files."""
    probe = out_dir
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        where = "is a file" if probe == out_dir else f"is inside {str(probe)!r}, which is a file"
        raise RehabplanError(f"output folder {str(out_dir)!r} {where}; choose another --out folder.")
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise RehabplanError(
            f"cannot write into {str(probe)!r} (permission denied); choose a folder you can write to with --out."
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
    files = render_all(plan, booklet, calendar)
    paths = write_atomic(folder, files, no_clobber=no_clobber)
    booklet_path, summary_path, ics_path, json_path = paths
    return Outputs(plan, booklet_path, summary_path, ics_path, json_path)
