"""Making a plan and showing it: `make` and `show`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..errors import InputError, quoted
from .base import (
    Accent,
    AllDay,
    CanRun,
    Condition,
    DataDir,
    Layout,
    LongRun,
    Mileage,
    NoAlarms,
    NoClobber,
    Pace,
    RunDays,
    Site,
    Start,
    Times,
    Units,
    WeeksOff,
    _booklet_options,
    _calendar_options,
    _catalog,
    _folder,
    _now,
    _request,
    _warn_notes,
    _warn_unsupported,
    app,
    one_plan,
    report,
)

# --------------------------------------------------------------------------- make


@app.command()
@one_plan
def make(
    condition: str = Condition,
    mileage: str = Mileage,
    site: str | None = Site,
    units: str | None = Units,
    start: str | None = Start,
    weeks_off: str | None = WeeksOff,
    run_days: str | None = RunDays,
    can_run: str | None = CanRun,
    long_run: str | None = LongRun,
    pace: str | None = Pace,
    tz: str | None = typer.Option(
        None, "--tz", metavar="ZONE", help="Time zone for the calendar, e.g. Europe/London. [default: this computer's]"
    ),
    time: list[str] = Times,
    all_day: bool = AllDay,
    no_alarms: bool = NoAlarms,
    paper: str | None = typer.Option(
        None, "--paper", metavar="letter|a4", help="letter or a4. [default: letter; a4 with --units km]"
    ),
    name: str | None = typer.Option(None, "--name", metavar="NAME", help="Athlete name for the cover and calendar."),
    coach: str | None = typer.Option(None, "--coach", metavar="NAME", help="Coach name for the cover."),
    clinic: str | None = typer.Option(None, "--clinic", metavar="NAME", help="Clinic or club name for the cover."),
    contact: str | None = typer.Option(
        None, "--contact", metavar="TEXT", help="Contact line for the cover (phone, e-mail)."
    ),
    logo: Path | None = typer.Option(None, "--logo", metavar="FILE", help="A PNG or JPEG logo for the cover."),
    accent: str | None = Accent,
    layout: str | None = Layout,
    out: str | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar="DIR",
        help="Output folder. Existing plan files in it are replaced. [default: CONDITION-START in the current folder]",
    ),
    no_clobber: bool = NoClobber,
    force: bool = typer.Option(False, "--force", help="Replace plan files even where they are read-only."),
    new_plan: bool = typer.Option(
        False,
        "--new-plan",
        help="Start a new plan in a folder that already holds one (by default a new make there is the next version of that plan, and calendars update in place).",
    ),
    fmt: str = typer.Option(
        "files",
        "--format",
        metavar="files|json",
        help="files (booklet, summary, calendar and JSON into the output folder) or json (print the plan JSON, write nothing). [default: files]",
        show_default=False,
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Make a plan: a PDF booklet, a one-page summary, a calendar (.ics) and the plan as JSON.

    Example: rehabplan make --condition itbs --mileage 30 --start 2027-03-01 --name "Sam Lee"
    """
    from .. import wording
    from ..app.outputs import generate
    from ..planning import build_plan
    from ..render.pdf import pagecache
    from ..render.plan_json import to_json

    fmt_key = fmt.strip().lower()
    if fmt_key not in ("files", "json"):
        raise InputError(f"{{field}} {quoted(fmt)} is not known; use files or json.", "format")
    catalog = _catalog(data_dir)
    request = _request(
        catalog, condition, site, mileage, units, start, weeks_off, run_days, can_run, long_run, pace, name
    )
    # every option is checked, also when only the JSON is printed
    booklet = _booklet_options(request.units, paper, coach, clinic, contact, logo, layout, accent)
    calendar = _calendar_options(tz, time, all_day, no_alarms, note_utc=fmt_key == "files")
    calendar = calendar.model_copy(update={"clinic": booklet.clinic, "contact": booklet.contact})
    if fmt_key == "json":
        plan = build_plan(request, catalog)
        _warn_notes(wording.notes(plan))
        sys.stdout.write(to_json(plan).decode("utf-8"))
        return
    folder = _folder(out)
    with pagecache.kept_if_cached():  # each condition's fixed pages, laid out once for later commands too
        result = generate(
            request,
            catalog,
            booklet,
            calendar,
            folder,
            no_clobber=no_clobber,
            new_plan=new_plan,
            now=_now(),
            force=force,
        )
    _warn_unsupported(booklet, result.plan_text)  # the plan JSON carries the athlete's name too
    _warn_notes((*wording.notes(result.plan), *result.notes))
    report(f"Starts:   {wording.formats.date(result.plan.start)}")
    report(f"Booklet:  {result.booklet}")
    report(f"Summary:  {result.summary}")
    report(f"Calendar: {result.calendar}")
    report(f"Plan:     {result.plan_json}")


# --------------------------------------------------------------------------- show


@app.command()
def show(
    condition: str = Condition,
    mileage: str = Mileage,
    site: str | None = Site,
    units: str | None = Units,
    start: str | None = Start,
    weeks_off: str | None = WeeksOff,
    run_days: str | None = RunDays,
    can_run: str | None = CanRun,
    long_run: str | None = LongRun,
    pace: str | None = Pace,
    data_dir: Path | None = DataDir,
) -> None:
    """Print the plan as a week table with a bar chart of weekly running, without writing files.

    Example: rehabplan show --condition runners-knee --mileage 25
    """
    from ..planning import build_plan
    from ..render.text import plan_table

    catalog = _catalog(data_dir)
    request = _request(
        catalog, condition, site, mileage, units, start, weeks_off, run_days, can_run, long_run, pace, None
    )
    plan = build_plan(request, catalog)
    typer.echo(plan_table(plan, width=80))
