"""The web page: make a plan, see it, download it, subscribe to its calendar, check in.

Each plan lives behind a private link (``/p/<token>``); there are no accounts. What a plan page
serves (booklet, summary, calendar, JSON) is the latest revision's files as stored: a calendar
app fetching the feed never makes the server render anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import wording
from ..app.outputs import file_stem, output_names
from ..catalog import Catalog
from ..planning import Plan, build_plan
from ..planning.replan import replan
from ..render.options import BookletOptions, CalendarOptions
from ..render.plan_json import read_plan, read_settings
from ..render.svg import knee_svg
from ..wording import formats as fmt
from ..wording import web as words
from . import forms
from .rendering import Renderer
from .store import Files, Store, Stored

log = logging.getLogger("rehabplan.web")

MAX_BODY = 64 * 1024  # bytes a request may send (the forms need a few hundred)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_DOWNLOADS = {
    "booklet.pdf": ("booklet", "application/pdf", "booklet.pdf"),
    "summary.pdf": ("summary", "application/pdf", "summary.pdf"),
    "calendar.ics": ("calendar", "text/calendar; charset=utf-8", ".ics"),
    "plan.json": ("plan_json", "application/json", "plan.json"),
}


@dataclass(frozen=True)
class Site:
    """What every page needs: the clinical data, the plans, and the clinic's settings."""

    catalog: Catalog
    store: Store
    booklet: BookletOptions  # the clinic's name, contact, logo and paper (empty for a runner's own site)
    default_tz: str
    renderer: Renderer
    _locks: weakref.WeakValueDictionary[int, asyncio.Lock] = field(default_factory=weakref.WeakValueDictionary)

    def lock(self, plan_id: int) -> asyncio.Lock:
        """The lock that keeps changes to one plan in turn."""
        found = self._locks.get(plan_id)
        if found is None:
            found = self._locks[plan_id] = asyncio.Lock()
        return found


# --------------------------------------------------------------------------- middleware


class Guard:
    """Security headers on every response; POSTs only from this site and of a sane size; a log
    line per request that holds no link, name or pain score."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        private = scope["path"].startswith("/p/")

        async def send_guarded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                if private:
                    extra.append((b"x-robots-tag", b"noindex"))
                    if not any(k.lower() == b"cache-control" for k, _ in message.get("headers", [])):
                        extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            if scope["method"] == "POST":
                problem = _refuse_post(headers)
                if problem is not None:
                    await _plain(problem[0], problem[1])(scope, receive, send_guarded)
                    return
                receive = _limited(receive)
            await self.app(scope, receive, send_guarded)
        except _TooLarge:
            await _plain(413, words.TOO_LARGE)(scope, receive, send_guarded)
        finally:
            route = scope["path"]
            if private:  # the private link stays out of the log
                rest = route[3:].partition("/")[2]
                route = "/p/…" + ("/" + rest if rest else "")
            log.info("%s %s %d %.0f ms", scope["method"], route, status, (time.perf_counter() - started) * 1000)


class _TooLarge(Exception):
    pass


def _refuse_post(headers: dict[str, str]) -> tuple[int, str] | None:
    length = headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        return 413, words.TOO_LARGE
    # Browsers say where a request comes from: Sec-Fetch-Site (all current ones), else Origin.
    # A client that sends neither is not a browser a cross-site page could drive.
    fetch = headers.get("sec-fetch-site")
    if fetch is not None:
        return None if fetch in ("same-origin", "none") else (403, words.CROSS_SITE)
    origin = headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != headers.get("host"):
        return 403, words.CROSS_SITE
    return None


def _limited(receive: Receive) -> Receive:
    seen = 0

    async def inner() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise _TooLarge
        return message

    return inner


def _plain(status: int, text: str) -> Response:
    return Response(text + "\n", status_code=status, media_type="text/plain; charset=utf-8")


# --------------------------------------------------------------------------- pages


@functools.cache
def _templates() -> Environment:
    env = Environment(loader=PackageLoader("rehabplan.web", "templates"), autoescape=select_autoescape(["html"]))
    env.globals["label"] = words.label
    env.globals["hint"] = words.HINTS.get
    return env


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates().get_template(name).render(**context), status_code=status)


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


@functools.lru_cache(maxsize=64)
def _plan_of(plan_id: int, revision: int, plan_json: bytes) -> tuple[Plan, dict[str, Any]]:
    """A stored plan document, read back once per revision."""
    data = json.loads(plan_json)
    return read_plan(data), data


def _files(rendered_files: dict[str, bytes], plan: Plan) -> Files:
    booklet, summary, calendar, plan_json = (rendered_files[n] for n in output_names(plan))
    return Files(file_stem(plan), booklet, summary, calendar, plan_json)


async def start(request: Request) -> Response:
    site = _site(request)
    return _page("start.html", red_flags=site.catalog.safety.red_flags, clinic=site.booklet)


def _plan_form(request: Request, form: forms.Form, status: int = 200) -> HTMLResponse:
    site = _site(request)
    return _page(
        "new.html",
        status,
        form=form,
        conditions=forms.condition_choices(site.catalog),
        times=forms.TIMES,
        paper_default=words.paper_default(site.booklet.paper if site.booklet.clinic else None),
        clinic=site.booklet,
    )


async def new_plan(request: Request) -> Response:
    site = _site(request)
    if request.method == "GET":
        return _plan_form(request, forms.Form(forms.plan_defaults(dt.date.today(), site.default_tz)))
    raw = await request.form()
    form, plan_request, booklet, calendar = forms.read_plan_form(raw, site.catalog, dt.date.today(), site.booklet)
    if plan_request is None or booklet is None or calendar is None:
        return _plan_form(request, form, 400)
    plan = form.attempt(lambda: build_plan(plan_request, site.catalog), "mileage")
    if plan is None:  # a planning problem is shown on the form, like any other
        return _plan_form(request, form, 400)
    # rendering takes a moment: off the event loop, so feeds and pages keep being served meanwhile
    rendered = await site.renderer.render(plan, booklet, calendar)
    token = site.store.add(_files(rendered.files, rendered.plan), rendered.plan.revision.number)
    return RedirectResponse(f"/p/{token}", status_code=303)


def _links(request: Request, token: str) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    https = f"{base}/p/{token}/calendar.ics"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1], "page": f"{base}/p/{token}"}


def _weeks(plan: Plan, today: dt.date) -> list[dict[str, Any]]:
    out = []
    for w in plan.weeks:
        days: dict[dt.date, list[str]] = {}
        for s in w.sessions:
            if s.kind != "rest":
                days.setdefault(s.date, []).append(wording.short_label(plan, s))
        out.append(
            {
                "index": w.index,
                "dates": fmt.span_days(w.start, w.end),
                "phase": w.phase_name,
                "distance": fmt.distance(w.run_distance, plan.unit.value) if w.ramp_week else "",
                "now": w.start <= today <= w.end,
                "days": [(f"{fmt.weekday(d)} {d.day}", labels) for d, labels in sorted(days.items())],
            }
        )
    return out


def _opened(request: Request) -> tuple[Site, str, Stored, Plan, dict[str, Any], dt.date] | None:
    """The plan a private link names, read back, with today's date where the runner is (None: no plan)."""
    site = _site(request)
    token = request.path_params["token"]
    stored = site.store.get(token)
    if stored is None:
        return None
    plan, data = _plan_of(stored.id, stored.revision, stored.files.plan_json)
    _, calendar = read_settings(data)
    today = dt.datetime.now(ZoneInfo(calendar.tz if calendar is not None else "UTC")).date()
    return site, token, stored, plan, data, today


async def plan_page(request: Request) -> Response:
    found = _opened(request)
    if found is None:
        return _page("missing.html", 404)
    site, token, stored, plan, _, today = found
    return _page(
        "plan.html",
        plan=plan,
        title=wording.title(plan),
        token=token,
        links=_links(request, token),
        lead="".join(t for t, _ in wording.booklet.glance_lead(plan)),
        why=wording.why_this_long(plan),
        notes=wording.notes(plan),
        pain_rule=wording.pain_rule_lines(plan),
        weeks=_weeks(plan, today),
        changes=stored.changes,
        just_checked_in=request.query_params.get("checked") == "1",
        nothing_changed=words.NOTHING_CHANGED,
        red_flags=site.catalog.safety.red_flags,
        clinic=site.booklet,
        fmt=fmt,
    )


async def download(request: Request) -> Response:
    site = _site(request)
    token, name = request.path_params["token"], request.path_params["name"]
    if name not in _DOWNLOADS:
        return _page("missing.html", 404)
    column, media, suffix = _DOWNLOADS[name]
    found = site.store.file(token, column)
    if found is None:
        return _page("missing.html", 404)
    stem, data = found
    # Calendar apps ask again every few hours: an unchanged file is a short "not modified". The
    # file may be kept by the runner's own app (private), never by a shared cache.
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    cache = {"etag": etag, "cache-control": "private, no-cache"}
    if etag in (t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=cache)
    filename = f"{stem}{suffix}" if suffix.startswith(".") else f"{stem}-{suffix}"
    disposition = "inline" if column == "calendar" else "attachment"
    headers = {"content-disposition": f'{disposition}; filename="{filename}"', **cache}
    return Response(data, media_type=media, headers=headers)


async def qr(request: Request) -> Response:
    import segno

    site = _site(request)
    token = request.path_params["token"]
    if site.store.get(token) is None:
        return _page("missing.html", 404)
    code = segno.make(_links(request, token)["webcal"], error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml")


def _checkin_form(plan: Plan, token: str, form: forms.Form, status: int = 200) -> HTMLResponse:
    return _page(
        "checkin.html",
        status,
        title=wording.title(plan),
        token=token,
        form=form,
        pain_rule=wording.pain_rule_lines(plan),
    )


async def check_in(request: Request) -> Response:
    found = _opened(request)
    if found is None:
        return _page("missing.html", 404)
    site, token, stored, previous, _, today = found
    if request.method == "GET":
        return _checkin_form(previous, token, forms.Form(forms.checkin_defaults(today)))
    form, entry = forms.read_checkin_form(await request.form())
    if entry is not None and entry.date > today:
        form.errors["date"] = (
            f"{words.label('date')} {entry.date.isoformat()} is after today; log a day once it is done."
        )
        entry = None
    if entry is None:
        return _checkin_form(previous, token, form, 400)
    # One change to a plan at a time (a double tap, two phones): each re-plans from the one before.
    async with site.lock(stored.id):
        found = _opened(request)
        if found is None:  # deleted meanwhile
            return _page("missing.html", 404)
        _, _, stored, previous, data, today = found
        booklet, calendar = read_settings(data)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        plan = replan(previous, site.catalog, [*site.store.checkins(stored.id), entry], today, now)
        rendered = await site.renderer.render(plan, booklet or site.booklet, calendar or CalendarOptions())
        changes = tuple(wording.changes(rendered.plan))
        files = _files(rendered.files, rendered.plan)
        site.store.update(stored.id, files, rendered.plan.revision.number, changes, entry)
    return RedirectResponse(f"/p/{token}?checked=1", status_code=303)


async def delete(request: Request) -> Response:
    site = _site(request)
    token = request.path_params["token"]
    form = await request.form()
    stored = site.store.get(token)
    if stored is None:
        return _page("missing.html", 404)
    if not form.get("confirm"):
        return RedirectResponse(f"/p/{token}#delete", status_code=303)
    async with site.lock(stored.id):  # not in the middle of a re-plan
        site.store.delete(token)
    return _page("deleted.html", message=words.DELETED)


async def knee(request: Request) -> Response:
    svg = knee_svg(request.path_params["region"])
    return _page("missing.html", 404) if svg is None else Response(svg, media_type="image/svg+xml")


async def not_found(request: Request, exc: Exception) -> Response:
    return _page("missing.html", 404)


def create_app(
    catalog: Catalog,
    data_dir: Path,
    *,
    booklet: BookletOptions | None = None,
    default_tz: str = "UTC",
    workers: int = 0,
) -> ASGIApp:
    """The site, keeping its plans in `data_dir`, rendering them in `workers` processes (0: in a
    thread of its own)."""
    site = Site(catalog, Store(data_dir), booklet or BookletOptions(), default_tz, Renderer(workers))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            site.renderer.close()

    static = Path(__file__).parent / "static"
    token = "{token:str}"
    app = Starlette(
        routes=[
            Route("/", start),
            Route("/new", new_plan, methods=["GET", "POST"]),
            Route(f"/p/{token}", plan_page),
            Route(f"/p/{token}/checkin", check_in, methods=["GET", "POST"]),
            Route(f"/p/{token}/delete", delete, methods=["POST"]),
            Route(f"/p/{token}/qr.svg", qr),
            Route(f"/p/{token}/{{name:str}}", download),
            Route("/knee/{region:str}.svg", knee),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ],
        exception_handlers={404: not_found},
        lifespan=lifespan,
    )
    app.state.site = site
    return Guard(app)
