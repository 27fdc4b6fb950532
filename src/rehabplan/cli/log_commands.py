"""After the plan is made: `checkin`, `replan`, and the web page (`serve`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from ..errors import InputError, RehabplanError
from .base import DataDir, _catalog, _now, _warn_notes, app, one_plan, report

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
    from ..app import inputs, logbook
    from ..app.outputs import find_plan

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
    from ..app.outputs import folder_lock

    with folder_lock(folder):
        path = logbook.append(folder, entry)
    report(f"Logged {entry.date.isoformat()} in {path}")
    if entry.red_flag:
        report("A warning sign: stop the plan and get help as your booklet's first page says.")
    report(f"Re-plan from what you logged: rehabplan replan {folder}")


@app.command()
@one_plan
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
    from .. import wording
    from ..app import inputs, logbook
    from ..app.outputs import find_plan, folder_lock, output_names, render_all, runner_of, write_rendered
    from ..planning.replan import replan as replan_plan
    from ..render.options import BookletOptions, CalendarOptions
    from ..render.pdf import pagecache
    from ..render.plan_json import read_settings

    with folder_lock(folder):  # one change to a plan folder at a time
        found = find_plan(folder)
        if found is None:
            raise InputError(
                f"{{field}} {str(folder)!r} holds no plan; give the folder `rehabplan make` wrote.", "folder"
            )
        previous, data = found
        booklet, calendar = read_settings(data)
        day = inputs.parse_date(today, "today") if today is not None else dt.date.today()
        plan = replan_plan(previous, _catalog(data_dir), logbook.read(folder), day, _now())
        runner = runner_of(folder, previous)
        with pagecache.kept_if_cached():
            rendered = render_all(plan, booklet or BookletOptions(), calendar or CalendarOptions(), runner)
        old = tuple(n for n in output_names(previous, runner) if n not in output_names(plan, runner))
        result = write_rendered(folder, rendered, remove=old)
        for line in wording.changes(result.plan) or ("Nothing changed: carry on with the plan as it was.",):
            report(line)
    _warn_notes(result.notes)
    report(f"Version {result.plan.revision.number} written to {folder}")


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
        from ..web import read_clinic
        from ..web import serve as run
    except ImportError as exc:
        raise RehabplanError(
            f"the web page needs the web extra ({exc.name} is missing); install it with: pip install 'rehabplan[web]'"
        ) from None
    run(host, port, data_dir, read_clinic(clinic) if clinic is not None else None)
