"""The command line's frame: the app, its error handling, and the options several commands share."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # typer >= 0.29 carries click
from typer.core import TyperGroup

from .. import __version__
from ..errors import DataError, InputError, RehabplanError
from ..planning.limits import CAN_RUN, DEFAULT_UNITS, RUN_DAYS, UNITS, WEEKS_OFF

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..planning import PlanRequest
    from ..render.options import BookletOptions, CalendarOptions


P = ParamSpec("P")
R = TypeVar("R")


def flag(field: str) -> str:
    """The command-line option for an input field: weeks_off -> --weeks-off."""
    return "--" + field.replace("_", "-")


def one_plan(command: Callable[P, R]) -> Callable[P, R]:
    """For a command that renders one plan: no garbage collection while it runs. What it makes
    lives until the files are written, and it is over soon (about 3% of a make; batch and serve,
    which go on, keep collecting)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return run


def _fail(message: str, code: int) -> None:
    lines = message.strip().splitlines() or ["unknown problem"]
    for line in lines:
        sys.stderr.write(f"rehabplan: error: {line}\n")
    sys.stderr.flush()
    sys.exit(code)


_ORDER = (
    "make",
    "show",
    "checkin",
    "replan",
    "batch",
    "serve",
    "conditions",
    "exercises",
    "check-data",
    "export-data",
    "schema",
)


class _Group(TyperGroup):
    """Every failure ends as 'rehabplan: error: …' on stderr with exit 1 or 2, never a traceback."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Commands in the order a runner meets them, whatever order their modules load in."""
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: _ORDER.index(n) if n in _ORDER else len(_ORDER))

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
    add_completion=True,
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
Layout = typer.Option(
    None,
    "--booklet",
    metavar="full|handout",
    help="full: the whole booklet; handout: at most 8 pages (warning signs, the plan at a glance, the pain rule, "
    "the exercises, the weeks and a log page). [default: full]",
)
Accent = typer.Option(
    None,
    "--accent",
    metavar="#RRGGBB",
    help="Brand colour for headings and bands, e.g. '#0b5563'; it must be dark enough to read on paper.",
)
NoClobber = typer.Option(False, "--no-clobber", help="Refuse to replace files that already exist.")
DataDir = typer.Option(
    None,
    "--data-dir",
    metavar="DIR",
    help="Use a clinic's own data folder (holding templates/ and exercises/).",
    file_okay=True,
)


def _catalog(data_dir: Path | None) -> Catalog:
    from ..catalog import load_catalog

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
    from ..app import inputs

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


def _booklet_options(
    units: str,
    paper: str | None,
    coach: str | None,
    clinic: str | None,
    contact: str | None,
    logo: Path | None,
    layout: str | None = None,
    accent: str | None = None,
) -> BookletOptions:
    from ..app import inputs
    from ..render.options import BookletOptions

    return BookletOptions(
        paper=inputs.default_paper(units) if paper is None else inputs.parse_paper(paper),
        layout=inputs.parse_layout(layout) if layout is not None else "full",
        accent=inputs.parse_accent(accent) if accent is not None else None,
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
    from ..app import inputs
    from ..render.options import CalendarOptions

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
    from ..app.outputs import FONT_GAP_WARNING, font_gaps

    missing = font_gaps(booklet.coach, booklet.clinic, booklet.contact, plan_text)
    if missing:
        sys.stderr.write(f"rehabplan: warning: {FONT_GAP_WARNING.format(missing)}\n")


def _folder(text: str | None) -> Path | None:
    """An output folder as typed; an empty one is a mistake, not the current folder."""
    if text is None:
        return None
    if not text.strip():
        raise InputError("{field} is empty; give a folder, or leave it out for the default.", "out")
    return Path(text)


_REPORT_LOST = False


def report(line: str) -> None:
    """A line about files already written. If stdout is closed or full (`make | true`,
    `> /dev/full`), say so once on stderr and carry on: the files are written, so the run succeeded."""
    global _REPORT_LOST
    if _REPORT_LOST:
        return
    try:
        typer.echo(line)
        sys.stdout.flush()
    except OSError as exc:
        _REPORT_LOST = True
        with contextlib.suppress(OSError):  # nothing more goes to the broken stdout, not even at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.stderr.write(
            f"rehabplan: warning: could not print to standard output ({exc.strerror or exc}); the files were written.\n"
        )
