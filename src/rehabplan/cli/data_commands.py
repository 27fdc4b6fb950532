"""The catalog and squads: `conditions`, `exercises`, `check-data`, `schema` and `batch`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

from ..errors import DataError, InputError, quoted
from ..planning.limits import DEFAULT_UNITS, JOBS
from .base import (
    Accent,
    AllDay,
    DataDir,
    Layout,
    NoAlarms,
    NoClobber,
    Times,
    _booklet_options,
    _calendar_options,
    _catalog,
    _folder,
    _warn_unsupported,
    app,
    report,
)

# --------------------------------------------------------------------------- catalog commands


@app.command()
def conditions(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
    data_dir: Path | None = DataDir,
) -> None:
    """List the conditions a plan can be made for, with where each one hurts.

    Example: rehabplan conditions
    """
    catalog = _catalog(data_dir)
    rows: list[dict[str, Any]] = []
    for cond in catalog.conditions():
        # the default site first: it names the condition and leads its aliases
        group = sorted((p for p in catalog.protocols.values() if p.condition == cond), key=lambda p: not p.default_site)
        lead = group[0]
        rows.append(
            {
                "id": cond,
                "name": lead.name.split(":")[0] if lead.site else lead.name,
                "aliases": list(dict.fromkeys(a for p in group for a in p.aliases)),
                "where_it_hurts": lead.where_it_hurts,
                "summary": lead.summary,
                "sites": [
                    {"id": p.site, "name": p.name, "default": p.default_site, "where_it_hurts": p.where_it_hurts}
                    for p in group
                    if p.site
                ],
            }
        )
    if as_json:
        typer.echo(
            json.dumps([{k: v for k, v in r.items() if k != "summary"} for r in rows], indent=2, ensure_ascii=False)
        )
        return
    width = max(len(r["id"]) for r in rows) + 2
    for r in rows:
        typer.echo(f"{r['id']:<{width}}{r['summary']}")
        for s in r["sites"]:
            mark = " (default)" if s["default"] else ""
            typer.echo(f"{'':<{width}}  --site {s['id']}{mark}: {s['where_it_hurts']}")
        if r["aliases"]:
            typer.echo(f"{'':<{width}}  also: {', '.join(r['aliases'][:6])}")
    typer.echo("\nMake a plan: rehabplan make --condition ID --mileage YOUR-WEEKLY-MILES")


@app.command()
def exercises(
    condition: str | None = typer.Option(
        None, "--condition", "-c", metavar="ID", help="Only exercises that are not avoided for this condition."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
    data_dir: Path | None = DataDir,
) -> None:
    """List the exercise library: target, equipment and starting dose.

    Example: rehabplan exercises --condition itbs
    """
    from ..catalog.models import Target
    from ..wording.formats import dose

    catalog = _catalog(data_dir)
    chosen = list(catalog.exercises.values())
    if condition is not None:
        cond = catalog.resolve(condition).condition
        chosen = [e for e in chosen if cond not in e.avoid]
    chosen.sort(key=lambda e: (list(Target).index(e.target), e.name))
    if as_json:
        data = [
            {
                "id": e.id,
                "name": e.name,
                "target": e.target.value,
                "equipment": [q.value for q in e.equipment],
                "dose": dose(e.dose),
                "avoid": list(e.avoid),
            }
            for e in chosen
        ]
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    import textwrap

    for target in dict.fromkeys(e.target for e in chosen):
        typer.echo(f"{target.value.capitalize()}")
        for e in (e for e in chosen if e.target == target):
            kit = ", ".join(q.value for q in e.equipment) or "no equipment"
            typer.echo(f"  {e.name}  ({e.id})")
            for line in textwrap.wrap(
                f"{dose(e.dose)}; {kit}", width=76, initial_indent="    ", subsequent_indent="    "
            ):
                typer.echo(line)
        typer.echo("")
    typer.echo(f"{len(chosen)} exercises. Use an id with --json for scripts.")


@app.command("check-data")
def check_data(data_dir: Path | None = DataDir) -> None:
    """Check the clinical data files and list every problem, one per line; then plan a grid of
    runners with the data (every condition, both units, the smallest to the largest mileage) and
    report any plan that cannot be made safely.

    Example: rehabplan check-data --data-dir ./my-clinic-data
    """
    from ..app.selftest import self_test
    from ..catalog.loading import default_root

    catalog = _catalog(data_dir)
    failed = self_test(catalog)  # data that passes must also plan, for any runner
    if failed:
        raise DataError(failed)
    typer.echo(
        f"Data OK: {len(catalog.protocols)} protocols for {len(catalog.conditions())} conditions, "
        f"{len(catalog.exercises)} exercises, {len(catalog.sources.sources)} sources."
    )
    typer.echo(f"Checked:  {data_dir if data_dir is not None else default_root()}")
    typer.echo(f"Shipped data (templates/ and exercises/): {default_root()}")
    if data_dir is not None:
        from ..catalog.loading import overrides

        replaced, added = overrides(data_dir)
        typer.echo(f"Your files over the shipped ones: {', '.join(replaced) or 'none'}")
        if added:
            typer.echo(f"Your new files: {', '.join(added)}")


@app.command("export-data")
def export_data(
    folder: Path = typer.Argument(..., metavar="DIR", help="A new or empty folder to write the data into."),
) -> None:
    """Write the shipped clinical data (templates/ and exercises/) into a folder, to edit.

    Keep only the files you change: with --data-dir the rest come from the shipped data.
    Example: rehabplan export-data our-protocols
    """
    import shutil

    from ..catalog.loading import DATA_FOLDERS, _toml_files, default_root

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{{field}} {str(folder)!r} is not an empty folder; give a new or empty one.", "folder")
    shipped = default_root()
    count = 0
    for sub in DATA_FOLDERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for entry in _toml_files(shipped / sub):
            (folder / sub / entry.name).write_bytes(entry.read_bytes())
            count += 1
    for doc in ("README.md",):
        if (shipped / "templates" / doc).is_file():
            shutil.copyfile(str(shipped / "templates" / doc), folder / "templates" / doc)
    report(f"Wrote {count} data files into {folder}.")
    report("Edit the ones you want to change and delete the others (they come from the shipped data), then check:")
    report(f"  rehabplan check-data --data-dir {folder}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the plan JSON.

    Example: rehabplan schema > plan.schema.json
    """
    from ..render.plan_json import schema as plan_schema

    typer.echo(json.dumps(plan_schema(), indent=2))


@app.command()
def batch(
    roster: Path = typer.Argument(
        ...,
        help="A CSV file with a header row: name, condition, mileage (required); units, start, site, weeks_off, run_days, can_run, long_run, pace, tz (optional).",
    ),
    out: str | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar="DIR",
        help="Output folder: one folder per runner and index.csv. [default: ROSTER-plans in the current folder]",
    ),
    coach: str | None = typer.Option(None, "--coach", metavar="NAME", help="Coach name for every cover."),
    clinic: str | None = typer.Option(None, "--clinic", metavar="NAME", help="Clinic or club name for every cover."),
    contact: str | None = typer.Option(
        None, "--contact", metavar="TEXT", help="Contact line for every cover (phone, e-mail)."
    ),
    logo: Path | None = typer.Option(None, "--logo", metavar="FILE", help="A PNG or JPEG logo for every cover."),
    accent: str | None = Accent,
    layout: str | None = Layout,
    paper: str | None = typer.Option(
        None, "--paper", metavar="letter|a4", help="letter or a4. [default: letter; a4 for rows in km]"
    ),
    tz: str | None = typer.Option(
        None,
        "--tz",
        metavar="ZONE",
        help="Time zone for rows without a tz value, e.g. Europe/London. [default: this computer's]",
    ),
    time: list[str] = Times,
    all_day: bool = AllDay,
    no_alarms: bool = NoAlarms,
    jobs: str | None = typer.Option(
        None, "--jobs", "-j", metavar="N", help="Plans made at the same time. [default: the number of CPU cores]"
    ),
    no_clobber: bool = NoClobber,
    data_dir: Path | None = DataDir,
    date_format: str | None = typer.Option(
        None,
        "--date-format",
        metavar="DMY|MDY",
        help="How to read start dates with slashes such as 01/03/2027: DMY (day first) or MDY (month first). [default: as the roster's other dates show]",
    ),
    force: bool = typer.Option(False, "--force", help="Replace runners' plan files even where they are read-only."),
    print_files: bool = typer.Option(
        False,
        "--print",
        help="Also write squad-summaries.pdf and squad-booklets.pdf: every runner in one file each, for one print job (each runner starts on a new sheet when printed double-sided).",
    ),
) -> None:
    """Make plans for a whole squad from a roster CSV: one folder per runner and an index.

    Example: rehabplan batch squad.csv --out squad-plans --coach "Alex Kim" --clinic "Riverside RC"
    """
    from ..app import inputs
    from ..app.batch import INTERRUPTED, default_jobs, run_roster, summary_line

    n_jobs = inputs.parse_int(jobs, "jobs", JOBS.lo, JOBS.hi, JOBS.what) if jobs is not None else default_jobs()
    order = date_format.strip().upper() if date_format is not None else None
    if order is not None and order not in inputs.DATE_ORDERS:
        raise InputError(
            f"{{field}} {quoted(date_format or '')} is not known; use DMY (day first) or MDY (month first).",
            "date_format",
        )
    booklet = _booklet_options(DEFAULT_UNITS, paper, coach, clinic, contact, logo, layout, accent)
    calendar = _calendar_options(tz, time, all_day, no_alarms)
    calendar = calendar.model_copy(update={"clinic": booklet.clinic, "contact": booklet.contact})
    _warn_unsupported(booklet)
    result = run_roster(
        roster,
        _folder(out),
        today=dt.date.today(),
        booklet=booklet,
        paper_given=paper is not None,
        calendar=calendar,
        data_dir=data_dir,
        jobs=n_jobs,
        no_clobber=no_clobber,
        date_format=order,
        print_files=print_files,
        force=force,
    )
    for note in result.notes:
        sys.stderr.write(f"{roster}: note: {note}\n")
    for row in result.rows:
        if not row.ok and not (result.interrupted and row.status == INTERRUPTED):
            sys.stderr.write(f"{roster} line {row.line}: {row.status}\n")
        for note in row.notes:
            sys.stderr.write(f"{roster} line {row.line}: {note}\n")
    if result.interrupted:
        complete = [r.folder for r in result.rows if r.ok]
        sys.stderr.write(
            f"rehabplan: interrupted; {len(complete)} runner folder{'s are' if len(complete) != 1 else ' is'} complete"
            + (f": {', '.join(complete)}" if complete else "")
            + "; the other runners were not made, and no file was left half-written.\n"
        )
    else:
        report(summary_line(result))
    if result.index_error:
        sys.stderr.write(f"rehabplan: error: index.csv was not written: {result.index_error}\n")
    else:
        report(f"Index:    {result.index}" + (" (written)" if result.interrupted else ""))
    for path in result.printed:
        report(f"Print:    {path}")
    if result.interrupted:
        sys.stdout.flush()
        raise SystemExit(130)  # already said what was made; no second message
    if result.failed or result.index_error:
        raise typer.Exit(1)
