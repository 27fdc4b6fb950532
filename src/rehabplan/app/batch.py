"""Plans for a whole squad: make every runner's files in parallel, write an index."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import wording
from ..errors import InputError, RehabplanError
from ..planning.limits import UNITS
from . import inputs

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..planning import PlanRequest
    from ..render.options import BookletOptions, CalendarOptions

from .roster import (
    INDEX_FIELDS,
    INDEX_NAME,
    folder_names,
    name_collisions,
    parse_row,
    read_roster,
    roster_date_order,
    slugify,
)

# --------------------------------------------------------------------------- one row → one request


@dataclass(frozen=True)
class Job:
    """What a worker needs for one runner: small and picklable."""

    row: int
    folder: str
    request: PlanRequest
    tz: str | None  # the row's own time zone, else the shared one


@dataclass(frozen=True)
class Shared:
    """Options for every row, sent once to each worker."""

    booklets: dict[str, BookletOptions]  # by unit: the --paper given, else letter for mi and a4 for km
    calendar: CalendarOptions
    out_dir: Path
    data_dir: Path | None
    no_clobber: bool
    force: bool = False  # replace read-only plan files too


@dataclass(frozen=True)
class Done:
    row: int
    end: str = ""
    weeks: int = 0
    error: str | None = None
    notes: tuple[str, ...] = ()


_state: dict[str, object] = {}


def _init_worker(shared: Shared, catalog: Catalog | None = None, in_worker: bool = False) -> None:
    """Once per worker process: ignore Ctrl-C (the parent decides), load the catalog and the renderers."""
    if in_worker:
        from ..render.pdf import pagecache

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent()
        pagecache.enable()  # each condition's fixed booklet pages, laid out once for all its runners
    if catalog is None:
        from ..catalog import load_catalog

        catalog = load_catalog(shared.data_dir)
    _warm_up()
    _state.update(shared=shared, catalog=catalog)


def _die_with_parent() -> None:
    """A worker ends when the batch that started it is killed, instead of writing on alone."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent was already gone
        os._exit(1)


def _warm_up() -> None:
    """Import the renderers and register the fonts before the first runner, not during it."""
    from ..render import ics, pdf  # noqa: F401
    from ..render.pdf.styles import register_fonts
    from . import outputs  # noqa: F401

    register_fonts()


def _run_job(job: Job) -> Done:
    """Build, render and write one runner's files (all or none); never raise."""
    from .outputs import FONT_GAP_WARNING, font_gaps, generate

    shared: Shared = _state["shared"]  # type: ignore[assignment]
    catalog: Catalog = _state["catalog"]  # type: ignore[assignment]
    booklet = shared.booklets[job.request.units]
    calendar = shared.calendar if job.tz is None else shared.calendar.model_copy(update={"tz": job.tz})
    notes: list[str] = []
    try:
        result = generate(
            job.request,
            catalog,
            booklet,
            calendar,
            shared.out_dir / job.folder,
            no_clobber=shared.no_clobber,
            runner=job.folder,
            force=shared.force,
        )
        missing = font_gaps(result.plan_text)  # the shared cover names are checked once, before the rows
        if missing:
            notes.append(f"warning: {FONT_GAP_WARNING.format(missing)}")
    except RehabplanError as exc:
        return Done(job.row, error=" ".join(str(exc).split()))
    except Exception as exc:  # a bug must not sink the other runners; the row reports it
        return Done(job.row, error=f"could not make this plan ({type(exc).__name__}: {' '.join(str(exc).split())})")
    notes.extend(f"note: {n}" for n in wording.notes(result.plan))
    return Done(job.row, end=result.plan.end.isoformat(), weeks=len(result.plan.weeks), notes=tuple(notes))


# --------------------------------------------------------------------------- the whole roster


@dataclass(frozen=True)
class RowResult:
    row: int
    line: int
    name: str
    condition: str
    site: str
    mileage: str
    unit: str
    start: str
    end: str
    weeks: str
    folder: str
    status: str  # "ok" or the reason the row failed
    notes: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # the roster's other columns, carried into the index

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class BatchResult:
    roster: Path
    out_dir: Path
    index: Path
    rows: list[RowResult] = field(default_factory=list)
    seconds: float = 0.0
    notes: tuple[str, ...] = ()  # about the roster as a whole
    printed: tuple[Path, ...] = ()  # the squad's combined PDFs (batch --print)
    interrupted: bool = False  # Ctrl-C or TERM: only the rows marked ok have their folders
    index_error: str | None = None  # why index.csv could not be written

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def made(self) -> int:
        return sum(1 for r in self.rows if r.ok)


def default_out_dir(roster: Path) -> Path:
    """Without --out: '<roster name>-plans' next to where the command runs."""
    return Path(f"{slugify(roster.stem) or 'roster'}-plans")


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_roster(
    roster: Path,
    out_dir: Path | None,
    *,
    today: dt.date,
    booklet: BookletOptions,
    paper_given: bool,
    calendar: CalendarOptions,
    data_dir: Path | None = None,
    jobs: int | None = None,
    no_clobber: bool = False,
    date_format: str | None = None,
    print_files: bool = False,
    force: bool = False,
) -> BatchResult:
    """Make every runner's plan into its own folder under out_dir and write out_dir/index.csv.

    Whole-file problems (missing, not CSV, bad header, no rows) raise InputError before any work;
    a bad row is reported in the result and the others still complete.
    """
    from ..catalog import load_catalog
    from .outputs import check_writable, write_atomic

    t0 = time.perf_counter()
    roster_notes: list[str] = []
    rows = read_roster(roster, roster_notes)
    out = out_dir if out_dir is not None else default_out_dir(roster)
    check_writable(out)
    index = out / INDEX_NAME
    if no_clobber and index.exists():
        raise RehabplanError(
            f"{str(index)!r} already exists and {{field}} was given; choose another output folder or leave it out.",
            "no_clobber",
        )
    catalog = load_catalog(data_dir)

    # slashed dates (01/03/2027) are read as --date-format says, else as the roster's other dates show
    order = date_format or roster_date_order(r.cells.get("start", "") for r in rows)
    if order and not date_format and any("/" in r.cells.get("start", "") for r in rows):
        way = "day first (25/03/2027)" if order == "DMY" else "month first (03/25/2027)"
        roster_notes.append(f"dates with slashes are read {way}, as the roster's other dates show.")

    # check every row here (cheap), so folders go only to runners whose rows are usable
    parsed: dict[int, tuple[PlanRequest, str | None]] = {}
    errors: dict[int, str] = {}
    for r in rows:
        if r.problem:
            errors[r.row] = r.problem
            continue
        try:
            parsed[r.row] = parse_row(r.cells, catalog, today, order)
        except InputError as exc:
            errors[r.row] = str(exc)
    named = [(r.row, r.cells.get("name", "")) for r in rows if r.row in parsed]
    folders = folder_names(named)
    lines = {r.row: r.line for r in rows}
    same = {
        row: f"the same name as line {lines[other]} once case and accents are set aside; kept apart, "
        f"in folder {folders[row]!r}."
        for row, other in name_collisions(named).items()
    }
    job_list = [Job(row, folders[row], req, tz) for row, (req, tz) in parsed.items()]
    booklets = {
        u: booklet if paper_given else booklet.model_copy(update={"paper": inputs.default_paper(u)}) for u in UNITS
    }
    shared = Shared(booklets, calendar, out, data_dir, no_clobber, force)

    done: dict[int, Done] = {}
    futures: list[Future[Done]] = []
    n_jobs = max(1, min(jobs or default_jobs(), len(job_list)))
    show = sys.stderr.isatty()
    # start the workers before the progress bar's thread exists: fork copies only the calling thread
    pool = _start_pool(shared, catalog, n_jobs) if n_jobs > 1 else None
    if job_list and pool is None:
        _init_worker(shared, catalog)
    interrupted = False
    # Ctrl-C or a TERM (a closed terminal, `kill`) ends the batch once; any more change nothing
    stop = _Stop()
    handlers = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)} if _main_thread() else {}
    try:
        with _Progress(len(rows), enabled=show) as bar:
            bar.advance(len(errors))
            if pool is None:
                from ..render.pdf import pagecache

                kept_before = pagecache.enable()
                try:
                    for job in job_list:
                        done[job.row] = _run_job(job)
                        bar.advance(1)
                finally:
                    pagecache.enable(kept_before)
            else:
                _drain(pool, job_list, futures, done, bar)
    except KeyboardInterrupt:
        interrupted = True
    except BrokenExecutor as exc:  # a worker killed by the system (e.g. out of memory)
        raise RehabplanError(f"the batch stopped: a worker process died ({exc}); try fewer --jobs.") from None
    finally:
        if pool is not None:
            _wind_down(pool, futures, interrupted or stop.raised)
        interrupted = interrupted or stop.raised
        for sig, handler in handlers.items():
            signal.signal(sig, signal.SIG_IGN if interrupted else handler)  # ending: stay deaf to more
    if interrupted:
        for fut in futures:  # runners that finished while the pool wound down
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                d = fut.result()
                done[d.row] = d
        for job in job_list:
            done.setdefault(job.row, Done(job.row, error=INTERRUPTED))

    results: list[RowResult] = []
    for r in rows:
        c = r.cells
        made = done.get(r.row)
        req = parsed.get(r.row, (None, None))[0]
        status = errors.get(r.row) or (made.error if made and made.error else "ok")
        ok = status == "ok"
        results.append(
            RowResult(
                row=r.row,
                line=r.line,
                name=(req.athlete or "") if req else c.get("name", "").strip(),
                condition=req.condition if req else c.get("condition", "").strip(),
                site=(req.site or "") if req else c.get("site", "").strip(),
                mileage=f"{req.mileage:g}" if req else c.get("mileage", "").strip(),
                unit=req.units.value if req else c.get("units", "").strip(),
                start=req.start.isoformat() if req else c.get("start", "").strip(),
                end=made.end if ok and made else "",
                weeks=str(made.weeks) if ok and made else "",
                folder=folders[r.row] if ok else "",
                status=status,
                notes=((f"note: {same[r.row]}",) if r.row in same else ()) + (made.notes if made else ()),
                extra=r.extra,
            )
        )
    files = {INDEX_NAME: index_csv(results)}
    if print_files and not interrupted:
        from .printing import squad_pdfs

        files.update(squad_pdfs(out, [(r.name, r.folder) for r in results if r.ok]))
    index_error = None
    try:
        write_atomic(out, files, no_clobber=no_clobber)
    except RehabplanError as exc:  # the runners' folders stand; say so, with every row's notes
        index_error = " ".join(str(exc).split())
        files = {}
    printed = tuple(out / n for n in files if n != INDEX_NAME)
    return BatchResult(
        roster,
        out,
        index,
        results,
        time.perf_counter() - t0,
        tuple(roster_notes),
        printed,
        interrupted=interrupted,
        index_error=index_error,
    )


INTERRUPTED = "not made: the batch was interrupted"
#: Seconds a runner being written when Ctrl-C comes may take to finish its files.
GRACE_SECONDS = 5.0


class _Stop:
    """A signal handler that stops the batch the first time (as Ctrl-C does) and ignores the rest."""

    def __init__(self) -> None:
        self.raised = False

    def __call__(self, signum: int, frame: object) -> None:
        if not self.raised:
            self.raised = True
            raise KeyboardInterrupt


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _wind_down(pool: ProcessPoolExecutor, futures: list[Future[Done]], interrupted: bool) -> None:
    """Stop the workers: at once when all is done; after Ctrl-C, let runners mid-write finish (a few
    seconds at most, whatever more Ctrl-Cs come), then end every worker."""
    import multiprocessing

    if not interrupted:
        pool.shutdown(wait=True)
        return
    for fut in futures:
        fut.cancel()
    wait([f for f in futures if not f.done()], timeout=GRACE_SECONDS)
    for child in multiprocessing.active_children():
        child.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _ping() -> int:
    return os.getpid()


def _start_pool(shared: Shared, catalog: Catalog, n_jobs: int) -> ProcessPoolExecutor:
    """Worker processes, started and ready (catalog loaded, renderers imported, fonts registered)."""
    import functools
    import multiprocessing
    from multiprocessing.context import BaseContext

    ctx: BaseContext
    if "fork" in multiprocessing.get_all_start_methods():
        # fork shares the loaded catalog, modules and fonts with the workers at no cost
        _warm_up()
        ctx = multiprocessing.get_context("fork")
        init = functools.partial(_init_worker, shared, catalog, True)
    else:  # pragma: no cover - not on Linux: each worker loads its own
        ctx = multiprocessing.get_context()
        init = functools.partial(_init_worker, shared, None, True)
    pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx, initializer=init)
    try:
        pool.submit(_ping).result()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return pool


def _drain(
    pool: ProcessPoolExecutor, job_list: list[Job], futures: list[Future[Done]], done: dict[int, Done], bar: _Progress
) -> None:
    futures.extend(pool.submit(_run_job, job) for job in job_list)
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in finished:
            d = fut.result()
            done[d.row] = d
            bar.advance(1)


class _Progress:
    """A rich progress bar on stderr, or nothing at all."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("Making plans"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("plans", total=self.total)
        return self

    def advance(self, n: int) -> None:
        if self._bar is not None and n:
            self._bar.advance(self._task, n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


# --------------------------------------------------------------------------- the index

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """A value typed by a person, made safe for spreadsheets (no formula can run when the index is opened)."""
    return "'" + text if text.startswith(_FORMULA) else text


def index_csv(results: list[RowResult]) -> bytes:
    """The index: one line per roster row, in roster order, with its folder and status."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    extra = list(dict.fromkeys(name for r in results for name, _ in r.extra))
    writer.writerow([*INDEX_FIELDS, *extra])
    for r in results:
        theirs = dict(r.extra)
        writer.writerow(
            [
                r.row,
                r.line,
                _cell(r.name),
                _cell(r.condition),
                _cell(r.site),
                _cell(r.mileage),
                _cell(r.unit),
                _cell(r.start),
                r.end,
                r.weeks,
                r.folder,
                r.status,
                *(_cell(theirs.get(name, "")) for name in extra),
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def summary_line(result: BatchResult) -> str:
    total = len(result.rows)
    failed = len(result.failed)
    rate = result.made / result.seconds if result.seconds > 0 else 0.0
    text = (
        f"Made {result.made} of {total} plan{'s' if total != 1 else ''} in {result.seconds:.1f} s ({rate:.1f} a second)"
    )
    if failed:
        text += f"; {failed} row{'s' if failed != 1 else ''} failed (see above and the index)"
    return text + "."
