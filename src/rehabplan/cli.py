"""The command line: parse what was typed, call the pipeline, turn problems into one clear line."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # typer >= 0.29 carries click
from typer.core import TyperGroup

from . import __version__
from .errors import DataError, InputError, RehabplanError, quoted
from .planning.limits import CAN_RUN, DEFAULT_UNITS, JOBS, RUN_DAYS, UNITS, WEEKS_OFF

if TYPE_CHECKING:
    from .catalog import Catalog
    from .planning import PlanRequest
    from .render.options import BookletOptions, CalendarOptions


def flag(field: str) -> str:
    """The command-line option for an input field: weeks_off -> --weeks-off."""
    return "--" + field.replace("_", "-")


def _fail(message: str, code: int) -> None:
    lines = message.strip().splitlines() or ["unknown problem"]
    for line in lines:
        sys.stderr.write(f"rehabplan: error: {line}\n")
    sys.stderr.flush()
    sys.exit(code)


class _Group(TyperGroup):
    """Every failure ends as 'rehabplan: error: …' on stderr with exit 1 or 2, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.pop("standalone_mode", True)
        kwargs.setdefault("prog_name", "rehabplan")
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[misc]
        except (KeyboardInterrupt, typer.Abort):
            _fail("interrupted; no files were written or changed.", 130)
        except NoArgsIsHelpError as exc:
            sys.stdout.write(exc.format_message() + "\n")
            rv = 0
        except UsageError as exc:
            msg = " ".join(exc.format_message().split())
            where = (
                f" (see `rehabplan {exc.ctx.info_name} --help`)"
                if exc.ctx and exc.ctx.parent
                else " (see `rehabplan --help`)"
            )
            _fail(msg + where, 2)
        except ClickException as exc:
            _fail(" ".join(exc.format_message().split()), exc.exit_code or 1)
        except DataError as exc:
            _fail("\n".join(exc.problems), exc.exit_code)
        except RehabplanError as exc:
            _fail(" ".join(exc.worded(flag).split()), exc.exit_code)
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename or ''}".strip(": "), 1)
        except Exception as exc:  # a bug: still one line, never a traceback, unless debugging
            if os.environ.get("REHABPLAN_DEBUG"):
                raise
            _fail(
                f"internal error ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); no files were written. "
                "Please report this, with the command you ran.",
                1,
            )
        if rv == 130:
            _fail("interrupted; no files were written or changed.", 130)
        if standalone:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help=(
        "Turn a running knee injury and your usual weekly mileage into a safe rehab plan: "
        "a printable PDF booklet, a calendar (.ics) and the plan as JSON.\n\n"
        "Example: rehabplan make --condition itbs --mileage 30"
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rehabplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Rehab and return-to-running plans for runners with knee pain."""


# --------------------------------------------------------------------------- shared options

Condition = typer.Option(
    ...,
    "--condition",
    "-c",
    metavar="ID",
    help="Your condition: itbs, runners-knee, patellar-tendinopathy, bursitis, meniscus, osteoarthritis (or an alias such as pfp, jumpers-knee, oa).",
)
Mileage = typer.Option(
    ...,
    "--mileage",
    "-m",
    metavar="DISTANCE",
    help="Your usual weekly running distance before the knee started hurting: the plan rebuilds to it.",
)
Site = typer.Option(
    None,
    "--site",
    metavar="SITE",
    help="For bursitis: prepatellar (front of the kneecap, the default) or pes-anserine (inner shin below the knee).",
)
WeeksOff = typer.Option(
    None,
    "--weeks-off",
    metavar="WEEKS",
    help=f"Weeks you have already been off running, {WEEKS_OFF.lo} to {WEEKS_OFF.hi} (sets where the walk/run ladder starts). [default: {WEEKS_OFF.default}]",
)
RunDays = typer.Option(
    None,
    "--run-days",
    metavar=f"{RUN_DAYS.lo}-{RUN_DAYS.hi}",
    help=f"Run days a week once rebuilt, {RUN_DAYS.lo} to {RUN_DAYS.hi} (the walk/run ladder uses 3). [default: {RUN_DAYS.default}]",
)
CanRun = typer.Option(
    None,
    "--can-run",
    metavar="MIN",
    help=f"Minutes you can run now before the knee pain starts, {CAN_RUN.lo} to {CAN_RUN.hi}: the plan starts where you are. [default: {CAN_RUN.default}]",
)
LongRun = typer.Option(
    None,
    "--long-run",
    metavar="DISTANCE",
    help="Your usual long run: the plan ends with it. [default: a third of your weekly distance]",
)
Pace = typer.Option(
    None, "--pace", metavar="MM:SS", help="Your easy pace per mile or km, MM:SS. [default: 10:30 /mi, 6:30 /km]"
)
Units = typer.Option(None, "--units", metavar="|".join(UNITS), help=f"{' or '.join(UNITS)}. [default: {DEFAULT_UNITS}]")
Start = typer.Option(
    None, "--start", metavar="YYYY-MM-DD", help="First day of the plan, YYYY-MM-DD. [default: next Monday]"
)
Times = typer.Option(
    [],
    "--time",
    metavar="KIND=HH:MM",
    help="Time of day for a kind of session, KIND=HH:MM (run, walk_run, strength, ice, heat, cross_training, check_in); repeatable.",
)
AllDay = typer.Option(False, "--all-day", help="Calendar events as all-day entries instead of timed ones.")
NoAlarms = typer.Option(False, "--no-alarms", help="No reminders on runs and check-ins.")
NoClobber = typer.Option(False, "--no-clobber", help="Refuse to replace files that already exist.")
DataDir = typer.Option(
    None,
    "--data-dir",
    metavar="DIR",
    help="Use a clinic's own data folder (holding templates/ and exercises/).",
    file_okay=True,
)


def _catalog(data_dir: Path | None) -> Catalog:
    from .catalog import load_catalog

    return load_catalog(data_dir)


def _request(
    catalog: Catalog,
    condition: str,
    site: str | None,
    mileage: str,
    units: str | None,
    start: str | None,
    weeks_off: str | None,
    run_days: str | None,
    can_run: str | None,
    long_run: str | None,
    pace: str | None,
    name: str | None,
) -> PlanRequest:
    from .app import inputs

    return inputs.plan_request(
        catalog,
        condition=condition,
        site=site,
        mileage=mileage,
        units=units,
        start=start,
        weeks_off=weeks_off,
        run_days=run_days,
        can_run=can_run,
        long_run=long_run,
        pace=pace,
        name=name,
        today=dt.date.today(),
    )


def _warn_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        sys.stderr.write(f"rehabplan: note: {note}\n")


# --------------------------------------------------------------------------- make


@app.command()
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
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar="DIR",
        help="Output folder. Existing plan files in it are replaced. [default: CONDITION-START in the current folder]",
    ),
    no_clobber: bool = NoClobber,
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
    from . import wording
    from .app.outputs import generate
    from .planning import build_plan
    from .render.plan_json import to_json

    fmt_key = fmt.strip().lower()
    if fmt_key not in ("files", "json"):
        raise InputError(f"{{field}} {quoted(fmt)} is not known; use files or json.", "format")
    catalog = _catalog(data_dir)
    request = _request(
        catalog, condition, site, mileage, units, start, weeks_off, run_days, can_run, long_run, pace, name
    )
    # every option is checked, also when only the JSON is printed
    booklet = _booklet_options(request.units, paper, coach, clinic, contact, logo)
    calendar = _calendar_options(tz, time, all_day, no_alarms, note_utc=fmt_key == "files")
    if fmt_key == "json":
        plan = build_plan(request, catalog)
        _warn_notes(wording.notes(plan))
        sys.stdout.write(to_json(plan).decode("utf-8"))
        return
    result = generate(request, catalog, booklet, calendar, out, no_clobber=no_clobber, new_plan=new_plan, now=_now())
    _warn_unsupported(booklet, result.plan_text)  # the plan JSON carries the athlete's name too
    _warn_notes((*wording.notes(result.plan), *result.notes))
    typer.echo(f"Booklet:  {result.booklet}")
    typer.echo(f"Summary:  {result.summary}")
    typer.echo(f"Calendar: {result.calendar}")
    typer.echo(f"Plan:     {result.plan_json}")


def _booklet_options(
    units: str, paper: str | None, coach: str | None, clinic: str | None, contact: str | None, logo: Path | None
) -> BookletOptions:
    from .app import inputs
    from .render.options import BookletOptions

    if paper is None:
        paper_key = inputs.default_paper(units)
    else:
        paper_key = paper.strip().lower()
        if paper_key not in ("letter", "a4"):
            raise InputError(f"{{field}} {quoted(paper)} is not a paper size; use letter or a4.", "paper")
    return BookletOptions(
        paper=paper_key,
        coach=inputs.parse_label(coach, "coach"),
        clinic=inputs.parse_label(clinic, "clinic"),
        contact=inputs.parse_label(contact, "contact"),
        logo=inputs.read_logo(logo) if logo is not None else None,
    )


def _now() -> dt.datetime:
    """The time a revision is made (the CLI is where the clock is read)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _calendar_options(
    tz: str | None, times: list[str], all_day: bool, no_alarms: bool, *, note_utc: bool = True
) -> CalendarOptions:
    from .app import inputs
    from .render.options import CalendarOptions

    zone = inputs.parse_tz(tz) if tz is not None else inputs.system_tz()
    if note_utc and tz is None and zone in ("UTC", "Etc/UTC"):
        sys.stderr.write(
            "rehabplan: note: this computer's time zone is UTC, so the calendar uses UTC times "
            "(a 07:00 run shows at 02:00 in New York); give --tz, e.g. --tz America/New_York.\n"
        )
    return CalendarOptions(
        tz=zone,
        times=inputs.parse_times(times),
        all_day=all_day,
        alarms=not no_alarms,
    )


def _warn_unsupported(booklet: BookletOptions, plan_text: str | None = None) -> None:
    """Warn about characters the booklet font cannot draw, in the cover's names or in the plan."""
    from .app.outputs import FONT_GAP_WARNING, font_gaps

    missing = font_gaps(booklet.coach, booklet.clinic, booklet.contact, plan_text)
    if missing:
        sys.stderr.write(f"rehabplan: warning: {FONT_GAP_WARNING.format(missing)}\n")


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
    from .planning import build_plan
    from .render.text import plan_table

    catalog = _catalog(data_dir)
    request = _request(
        catalog, condition, site, mileage, units, start, weeks_off, run_days, can_run, long_run, pace, None
    )
    plan = build_plan(request, catalog)
    typer.echo(plan_table(plan, width=80))


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
    from .catalog.models import Target
    from .wording.formats import dose

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
    typer.echo(f"{'ID':<32} {'TARGET':<8} {'DOSE':<26} EQUIPMENT")
    for e in chosen:
        typer.echo(f"{e.id:<32} {e.target.value:<8} {dose(e.dose)[:26]:<26} {', '.join(q.value for q in e.equipment)}")
    typer.echo(f"\n{len(chosen)} exercises")


@app.command("check-data")
def check_data(data_dir: Path | None = DataDir) -> None:
    """Check the clinical data files and list every problem, one per line.

    Example: rehabplan check-data --data-dir ./my-clinic-data
    """
    catalog = _catalog(data_dir)
    typer.echo(
        f"Data OK: {len(catalog.protocols)} protocols for {len(catalog.conditions())} conditions, "
        f"{len(catalog.exercises)} exercises, {len(catalog.sources.sources)} sources."
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the plan JSON.

    Example: rehabplan schema > plan.schema.json
    """
    from .render.plan_json import schema as plan_schema

    typer.echo(json.dumps(plan_schema(), indent=2))


@app.command()
def batch(
    roster: Path = typer.Argument(
        ...,
        help="A CSV file with a header row: name, condition, mileage (required); units, start, site, weeks_off, run_days, can_run, long_run, pace, tz (optional).",
    ),
    out: Path | None = typer.Option(
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
) -> None:
    """Make plans for a whole squad from a roster CSV: one folder per runner and an index.

    Example: rehabplan batch squad.csv --out squad-plans --coach "Alex Kim" --clinic "Riverside RC"
    """
    from .app import inputs
    from .app.batch import default_jobs, run_roster, summary_line

    n_jobs = inputs.parse_int(jobs, "jobs", JOBS.lo, JOBS.hi, JOBS.what) if jobs is not None else default_jobs()
    booklet = _booklet_options(DEFAULT_UNITS, paper, coach, clinic, contact, logo)
    calendar = _calendar_options(tz, time, all_day, no_alarms)
    _warn_unsupported(booklet)
    result = run_roster(
        roster,
        out,
        today=dt.date.today(),
        booklet=booklet,
        paper_given=paper is not None,
        calendar=calendar,
        data_dir=data_dir,
        jobs=n_jobs,
        no_clobber=no_clobber,
    )
    for row in result.rows:
        if not row.ok:
            sys.stderr.write(f"{roster} line {row.line}: {row.status}\n")
        for note in row.notes:
            sys.stderr.write(f"{roster} line {row.line}: {note}\n")
    typer.echo(summary_line(result))
    typer.echo(f"Index:    {result.index}")
    if result.failed:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- the log and re-planning


PlanFolder = typer.Argument(..., metavar="FOLDER", help="The plan's folder (the one `rehabplan make` wrote).")


@app.command()
def checkin(
    folder: Path = PlanFolder,
    date: str | None = typer.Option(
        None, "--date", metavar="YYYY-MM-DD", help="The day you are logging. [default: today]"
    ),
    pain_during: str | None = typer.Option(
        None, "--pain-during", metavar="0-10", help="Knee pain during the day's session."
    ),
    pain_after: str | None = typer.Option(None, "--pain-after", metavar="0-10", help="Knee pain in the hour after it."),
    pain_next_morning: str | None = typer.Option(
        None, "--pain-next-morning", metavar="0-10", help="Knee pain the next morning."
    ),
    swelling: bool = typer.Option(False, "--swelling", help="The knee looked more swollen than usual."),
    missed: bool = typer.Option(False, "--missed", help="The day's sessions were not done."),
    criteria_met: bool = typer.Option(
        False, "--criteria-met", help="The checks at the end of your current phase are all met."
    ),
    red_flag: bool = typer.Option(False, "--red-flag", help="A warning sign from the booklet's first page appeared."),
    cleared: bool = typer.Option(False, "--cleared", help="A clinician has seen your knee and cleared you to go on."),
    note: str | None = typer.Option(None, "--note", metavar="TEXT", help="Anything else, in words."),
) -> None:
    """Log a day of your plan in the folder's checkins.csv (one row; the file is made if absent).

    Example: rehabplan checkin itbs-2027-03-01 --date 2027-03-24 --pain-during 1 --pain-after 0 --pain-next-morning 0
    """
    from .app import inputs, logbook
    from .app.outputs import find_plan

    if find_plan(folder) is None:
        raise InputError(f"{{field}} {str(folder)!r} holds no plan; give the folder `rehabplan make` wrote.", "folder")
    cells = {
        "date": date if date is not None else dt.date.today().isoformat(),
        "pain_during": pain_during or "",
        "pain_after": pain_after or "",
        "pain_next_morning": pain_next_morning or "",
        **{
            k: "yes" if v else ""
            for k, v in (
                ("swelling", swelling),
                ("missed", missed),
                ("criteria_met", criteria_met),
                ("red_flag", red_flag),
                ("cleared", cleared),
            )
        },
        "note": inputs.parse_label(note, "note") or "",
    }
    entry = logbook.parse_row(cells)
    if not (entry.scored or entry.missed or entry.swelling or entry.criteria_met or entry.red_flag or entry.cleared):
        raise InputError(
            "nothing to log; give your pain (--pain-during, --pain-after, --pain-next-morning) or say what happened "
            "(--missed, --swelling, --criteria-met, --red-flag, --cleared)."
        )
    path = logbook.append(folder, entry)
    typer.echo(f"Logged {entry.date.isoformat()} in {path}")
    if entry.red_flag:
        typer.echo("A warning sign: stop the plan and get help as your booklet's first page says.")
    typer.echo(f"Re-plan from what you logged: rehabplan replan {folder}")


@app.command()
def replan(
    folder: Path = PlanFolder,
    today: str | None = typer.Option(
        None, "--today", metavar="YYYY-MM-DD", help="Plan anew from this day. [default: today]"
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Re-plan from your log: the past stays, and your pain decides what comes next.

    Writes the next version of every file in the folder (booklet, summary, calendar and JSON) and
    says what changed and why. Example: rehabplan replan itbs-2027-03-01
    """
    from . import wording
    from .app import inputs, logbook
    from .app.outputs import find_plan, output_names, render_all, write_rendered
    from .planning.replan import replan as replan_plan
    from .render.options import BookletOptions, CalendarOptions
    from .render.plan_json import read_settings

    found = find_plan(folder)
    if found is None:
        raise InputError(f"{{field}} {str(folder)!r} holds no plan; give the folder `rehabplan make` wrote.", "folder")
    previous, data = found
    booklet, calendar = read_settings(data)
    day = inputs.parse_date(today, "today") if today is not None else dt.date.today()
    plan = replan_plan(previous, _catalog(data_dir), logbook.read(folder), day, _now())
    rendered = render_all(plan, booklet or BookletOptions(), calendar or CalendarOptions())
    old = tuple(n for n in output_names(previous) if n not in output_names(plan))
    result = write_rendered(folder, rendered, remove=old)
    for line in wording.changes(result.plan) or ("Nothing changed: carry on with the plan as it was.",):
        typer.echo(line)
    _warn_notes(result.notes)
    typer.echo(f"Version {result.plan.revision.number} written to {folder}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every network)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    data_dir: Path = typer.Option(
        Path("rehabplan-data"), "--data-dir", metavar="DIR", help="Folder that keeps the site's plans (made if absent)."
    ),
    clinic: Path | None = typer.Option(
        None, "--clinic", metavar="FILE", help="A clinic's TOML file: name, contact, logo, paper and own data."
    ),
) -> None:
    """Serve the web page: runners make a plan, subscribe to its calendar and check in from a phone.

    Needs the web extra: pip install 'rehabplan[web]'. Example: rehabplan serve --port 8000
    """
    try:
        from .web import read_clinic
        from .web import serve as run
    except ImportError as exc:
        raise RehabplanError(
            f"the web page needs the web extra ({exc.name} is missing); install it with: pip install 'rehabplan[web]'"
        ) from None
    run(host, port, data_dir, read_clinic(clinic) if clinic is not None else None)


def main() -> None:
    """Console-script entry point."""
    app()
