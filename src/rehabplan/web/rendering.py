"""Rendering a plan's files (booklet, summary, calendar, JSON) for the web page.

A site given worker processes renders in them, so runners who submit the form at the same time
are spread over the machine's cores, and the server's own process stays free to answer plan
pages and calendar feeds meanwhile. Without workers (the tests' default) plans render in a thread,
one at a time: the PDF renderer's per-process caches are not shared between threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from ..app.outputs import Rendered, render_all
from ..planning import Plan
from ..render.options import BookletOptions, CalendarOptions

_ONE_AT_A_TIME = threading.Lock()


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _render_here(plan: Plan, booklet: BookletOptions, calendar: CalendarOptions) -> Rendered:
    with _ONE_AT_A_TIME:
        return render_all(plan, booklet, calendar)


def _worker_started() -> None:
    # Ctrl-C in the terminal reaches the whole process group: the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ..render.pdf import pagecache

    pagecache.enable()  # a worker renders many plans: lay out each condition's fixed pages once


class Renderer:
    """Renders plans off the event loop: in `workers` processes, or (0) in one thread."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._pool: Executor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> Executor:
        with self._lock:
            if self._pool is None:
                if self.workers > 0:
                    self._pool = ProcessPoolExecutor(
                        max_workers=self.workers,
                        # spawn: a fork of a server with threads running can inherit a held lock
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_worker_started,
                    )
                else:
                    self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rehabplan-render")
            return self._pool

    async def render(self, plan: Plan, booklet: BookletOptions, calendar: CalendarOptions) -> Rendered:
        """Every file of `plan`, rendered in memory."""
        fn = render_all if self.workers > 0 else _render_here
        return await asyncio.get_running_loop().run_in_executor(self._executor(), fn, plan, booklet, calendar)

    def close(self) -> None:
        """Stop the workers (waiting for a render under way)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
