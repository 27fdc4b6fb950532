"""Turn what a person typed (on the command line, in a roster row or a web form) into checked values.

Every error is an InputError naming its field (``mileage``, ``start``, ...) through ``{field}``,
so the command line, the roster and the web form each word it their own way. Defaults and
bounds come from the request model (``rehabplan.planning.request``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..errors import quoted as shown
from ..planning.limits import CAN_RUN, DEFAULT_UNITS, MAX_LABEL, PACE_LIMITS, RUN_DAYS, WEEKS_OFF, Bound
from ..planning.request import PlanRequest, Unit, long_run_limits
from ..render.options import TIMED_KINDS

if TYPE_CHECKING:
    from ..catalog import Catalog

KINDS_WITH_TIMES = TIMED_KINDS
MAX_LOGO_BYTES = 5_000_000
DATE_ORDERS = ("DMY", "MDY")

# What a word processor or a spreadsheet makes of quotes, dashes and spaces, read as typed.
_STRAIGHT = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u00a0\u2007\u202f", " "),
    }
)
_UNIT_WORDS = {
    "mi": "mi",
    "mile": "mi",
    "miles": "mi",
    "km": "km",
    "kms": "km",
    "k": "km",
    "kilometre": "km",
    "kilometres": "km",
    "kilometer": "km",
    "kilometers": "km",
}


def straight(text: str) -> str:
    """Curly quotes, long dashes and hard spaces as the plain ones a person meant."""
    return text.translate(_STRAIGHT)


def split_mileage(text: str) -> tuple[str, str | None]:
    """'30 mi' -> ('30', 'mi'); '48km' -> ('48', 'km'); '30' -> ('30', None)."""
    m = re.fullmatch(r"\s*(.*?\d)\s*([^\W\d_]+)\.?\s*", straight(text))
    if not m:
        return text, None
    unit = _UNIT_WORDS.get(m.group(2).lower())
    if unit is None:
        raise InputError(
            f"{{field}} {shown(text)} has a unit we do not know ({m.group(2)!r}); write miles as mi and kilometres as km, "
            "e.g. 30 mi or 48 km.",
            "mileage",
        )
    return m.group(1), unit


def next_monday(today: dt.date) -> dt.date:
    """The plan's default start: today when today is a Monday, else the Monday after."""
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


def default_paper(units: str) -> str:
    """The paper a plan prints on unless --paper says otherwise: A4 for km, Letter for miles."""
    return "a4" if units == "km" else "letter"


#: The least contrast a brand colour needs against white paper (and white text on it), as WCAG
#: asks of body text: it also keeps the colour dark when printed in grey.
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def contrast_with_white(hex_colour: str) -> float:
    """The WCAG contrast ratio of a '#rrggbb' colour against white."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def parse_accent(text: str, field: str = "accent") -> str:
    """--accent: a brand colour as #rrggbb (or #rgb), dark enough to print clearly; '#rrggbb'."""
    match = _HEX.match(text.strip())
    if match is None:
        raise InputError(f"{{field}} {shown(text)} is not a colour; give it as #rrggbb, e.g. #0b5563.", field)
    digits = match.group(1).lower()
    colour = "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise InputError(
            f"{{field}} {shown(text)} is too light to print clearly: its contrast with white paper is "
            f"{ratio:.1f}:1 and headings need at least {MIN_CONTRAST}:1; choose a darker shade.",
            field,
        )
    return colour


def parse_layout(text: str) -> str:
    """--booklet: full or handout."""
    key = text.strip().lower()
    if key not in ("full", "handout"):
        raise InputError(f"{{field}} {shown(text)} is not known; use full or handout.", "booklet")
    return key


def parse_paper(text: str) -> str:
    """--paper: letter or a4."""
    key = text.strip().lower()
    if key not in ("letter", "a4"):
        raise InputError(f"{{field}} {shown(text)} is not a paper size; use letter or a4.", "paper")
    return key


def parse_units(text: str) -> str:
    key = text.strip().lower()
    aliases = {"mi": "mi", "mile": "mi", "miles": "mi", "km": "km", "kms": "km", "kilometres": "km", "kilometers": "km"}
    if key not in aliases:
        raise InputError(f"{{field}} {shown(text)} is not a unit; use mi or km.", "units")
    return aliases[key]


def parse_mileage(text: str, units: str, limits: tuple[float, float]) -> float:
    """A weekly distance within the limits, to 0.1 (rounded down, as every distance in a plan)."""
    least, limit = limits
    word = "miles" if units == "mi" else "km"
    not_number = f"{{field}} {shown(text)} is not a number; give your usual weekly {word}, e.g. 30."
    if re.fullmatch(r"\s*\d{1,3}(,\d{3})+\s*", text):
        raise InputError(
            f"{{field}} {shown(text)} is ambiguous; write the number without a thousands separator, "
            "with a dot or comma for decimals, e.g. 30 or 7.5.",
            "mileage",
        )
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise InputError(not_number, "mileage") from None
    if math.isnan(value) or (math.isinf(value) and "inf" in text.lower()):
        raise InputError(not_number, "mileage")
    if value <= 0:
        raise InputError(f"{{field}} must be a positive number of {word} a week, got {shown(text.strip())}.", "mileage")
    if value < least:
        raise InputError(
            f"{{field}} must be at least {least:g} {word} a week, got {shown(text.strip())}; below that the plan "
            "cannot rebuild in safe 10% steps, so ask a physiotherapist for a plan made for you.",
            "mileage",
        )
    if value > limit:
        raise InputError(
            f"{{field}} {shown(text.strip())} is above the limit of {limit:g} {word} a week; "
            f"give your usual weekly {word} before the injury (at most {limit:g}).",
            "mileage",
        )
    return math.floor(value * 10 + 1e-6) / 10


def parse_long_run(text: str, units: str, weekly: float, run_days: int) -> float:
    """The usual long run: longer than an even share of the week, at most half of it."""
    word = "miles" if units == "mi" else "km"
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = float("nan")
    lo, hi = long_run_limits(weekly, run_days)
    if math.isnan(value) or math.isinf(value):
        raise InputError(
            f"{{field}} {shown(text)} is not a distance; give your usual long run in {word}, e.g. 10.", "long_run"
        )
    if not lo < value <= hi:
        raise InputError(
            f"{{field}} must be longer than an even share of your week ({lo:.1f} {units} over {run_days} run days) "
            f"and at most half of it ({hi:.1f} {units}), got {shown(text.strip())}.",
            "long_run",
        )
    return math.floor(value * 10 + 1e-6) / 10


def parse_date(text: str, field: str = "start", order: str | None = None, ambiguous_hint: str = "") -> dt.date:
    """A date in 2000-2099: YYYY-MM-DD (also 2027-3-1 or 2027/03/01), day.month.year with dots,
    or day and month with slashes where they cannot be mixed up (25/03/2027), or in `order`
    ("DMY" or "MDY") when given. `ambiguous_hint` ends the error for a date like 01/03/2027."""
    t = straight(text).strip()
    ymd = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", t)
    dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", t)
    slashed = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", t)
    if ymd:
        y, mo, d = (int(g) for g in ymd.groups())
    elif dotted:
        d, mo, y = (int(g) for g in dotted.groups())
    elif slashed:
        a, b, y = (int(g) for g in slashed.groups())
        if order is None:
            order = "DMY" if a > 12 >= b else "MDY" if b > 12 >= a else "DMY" if a == b else None
        if order is None:
            raise InputError(
                f"{{field}} {shown(text)} could be {_day_month(a, b)} or {_day_month(b, a)}; write it as year-month-day, "
                f"e.g. {y}-{b:02d}-{a:02d}{ambiguous_hint}.",
                field,
            )
        d, mo = (a, b) if order == "DMY" else (b, a)
    else:
        if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", t):
            raise InputError(
                f"{{field}} {shown(text)} has a two-digit year; write the year in full, e.g. 2027-03-01.", field
            )
        raise InputError(f"{{field}} {shown(text)} is not a date; use YYYY-MM-DD, e.g. 2027-03-01.", field)
    try:
        value = dt.date(y, mo, d)
    except ValueError:
        raise InputError(
            f"{{field}} {shown(text)} is not a real calendar date; use YYYY-MM-DD, e.g. 2027-03-01.", field
        ) from None
    if not 2000 <= value.year <= 2099:
        raise InputError(f"{{field}} {shown(text)} is out of range; use a date between 2000 and 2099.", field)
    return value


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _day_month(day: int, month: int) -> str:
    return f"{day} {_MONTHS[month - 1]}" if 1 <= month <= 12 else f"day {day} of month {month}"


def parse_tz(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", name) or name.startswith("/"):
        raise InputError(
            f"{{field}} {shown(text)} is not a time zone; use a name like Europe/London or America/New_York.", "tz"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(
            f"{{field}} {shown(text)} is not a known time zone; use a name like Europe/London or America/New_York.",
            "tz",
        ) from None
    if not _is_place(name):  # files in the zone database that are not places (localtime, Factory, posix/...)
        raise InputError(
            f"{{field}} {shown(text)} is not the name of a place's time zone; use a name like Europe/London or "
            "America/New_York.",
            "tz",
        )
    return name


_HELPERS = ("posix/", "right/", "SystemV/")
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules", "leapseconds"})


def _is_place(name: str) -> bool:
    """Whether a zone that loads is a place's time zone, spelled as the database spells it."""
    if name.startswith(_HELPERS) or name in _NOT_PLACES:
        return False
    # quick: the file is in the system's zone folder under exactly this name (case included)
    import zoneinfo

    for root in zoneinfo.TZPATH:
        path = root
        for part in name.split("/"):
            try:
                found = part in os.listdir(path)
            except OSError:
                found = False
            if not found:
                break
            path = os.path.join(path, part)
        else:
            if os.path.isfile(path):
                return True
    return name in _zone_names()


@functools.cache
def _zone_names() -> frozenset[str]:
    """The IANA names of places' time zones (and UTC), without the database's helper files."""
    import zoneinfo

    names = {n for n in zoneinfo.available_timezones() if not n.startswith(_HELPERS)}
    return frozenset(names - _NOT_PLACES) | {"UTC"}


def system_tz() -> str:
    """The machine's time zone name, or UTC when it cannot be told."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        try:
            return parse_tz(env)
        except InputError:
            pass
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return parse_tz(target.split("zoneinfo/", 1)[1])
    except (OSError, InputError):
        pass
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        return parse_tz(name)
    except (OSError, InputError):
        return "UTC"


def _clock(text: str) -> dt.time | None:
    """A 24-hour HH:MM time of day, or None when the text is not one."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return dt.time(int(m.group(1)), int(m.group(2)))


def parse_times(items: list[str]) -> dict[str, dt.time]:
    """`--time run=06:30` items into a kind → time map."""
    out: dict[str, dt.time] = {}
    for item in items:
        kind, sep, value = item.partition("=")
        kind = kind.strip().lower().replace("-", "_").replace("/", "_")
        if not sep or kind not in KINDS_WITH_TIMES:
            raise InputError(
                f"{{field}} {shown(item)} is not KIND=HH:MM; KIND is one of {', '.join(KINDS_WITH_TIMES)}, e.g. run=06:30.",
                "time",
            )
        clock = _clock(value)
        if clock is None:
            raise InputError(
                f"{{field}} {shown(item)} is not a time of day; use 24-hour KIND=HH:MM, e.g. {kind}=06:30.", "time"
            )
        out[kind] = clock
    return out


def parse_pace(text: str, units: str) -> float:
    """Easy pace 'MM:SS' (or minutes) per unit, into minutes per unit."""
    per = "mile" if units == "mi" else "km"
    lo, hi = PACE_LIMITS[units]
    t = text.strip()
    m = re.fullmatch(r"(\d{1,2}):([0-5]\d)", t)
    if not m and re.fullmatch(r"\d{1,2}[.,]\d+", t):  # 9.45 could mean 9:45 or 9.45 minutes: ask
        raise InputError(
            f"{{field}} {shown(text)} is not minutes:seconds; write your easy pace per {per} as MM:SS, e.g. "
            f"{t.replace(',', '.').split('.')[0]}:{t.replace(',', '.').split('.')[1][:2].ljust(2, '0')}.",
            "pace",
        )
    try:
        value = int(m.group(1)) + int(m.group(2)) / 60 if m else float(int(t))
    except ValueError:
        value = float("nan")
    if math.isnan(value) or not lo <= value <= hi:
        raise InputError(
            f"{{field}} {shown(text)} is not an easy pace; give minutes:seconds per {per} between "
            f"{int(lo)}:{int(lo % 1 * 60):02d} and {int(hi)}:00, e.g. {'10:30' if units == 'mi' else '6:30'}.",
            "pace",
        )
    return round(value, 4)


def parse_int(text: str, field: str, lo: int, hi: int, what: str) -> int:
    """A whole number from lo to hi; `what` says in a few words what it counts."""
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(
            f"{{field}} {shown(text)} is not a whole number; give {what} from {lo} to {hi}.", field
        ) from None
    if not lo <= value <= hi:
        raise InputError(f"{{field}} must be from {lo} to {hi} ({what}), got {value}.", field)
    return value


def parse_bounded(text: str | None, field: str, bound: Bound) -> int:
    """A whole number within its bound (its default when the field was not given)."""
    if text is None:
        return bound.default
    return parse_int(text, field, bound.lo, bound.hi, bound.what)


def parse_label(text: str | None, field: str) -> str | None:
    """A person's or a club's name: printable, at most MAX_LABEL characters."""
    if text is None:
        return None
    value = unicodedata.normalize("NFC", text).strip()
    if not value:
        return None
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c not in "\u200d\u200c"]
    if bad:
        raise InputError(
            f"{{field}} contains a control or invisible character ({bad[0]!a}); remove it and try again.", field
        )
    if len(value) > MAX_LABEL:
        raise InputError(f"{{field}} is {len(value)} characters long; use at most {MAX_LABEL}.", field)
    return value


def read_logo(path: Path) -> bytes:
    """A PNG or JPEG logo, checked and prepared once (upright, at most 1200 pixels a side, PNG)."""
    if not path.exists():
        raise InputError(f"{{field}} {str(path)!r} does not exist; give a PNG or JPEG file.", "logo")
    if path.is_dir():
        raise InputError(f"{{field}} {str(path)!r} is a folder; give a PNG or JPEG file.", "logo")
    if not path.is_file():
        raise InputError(f"{{field}} {str(path)!r} is not a regular file; give a PNG or JPEG file.", "logo")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_LOGO_BYTES + 1)  # never more than the limit, even from a growing file
    except OSError as exc:
        raise InputError(
            f"{{field}} {str(path)!r} cannot be read ({exc.strerror}); give a readable PNG or JPEG file.", "logo"
        ) from None
    if len(data) > MAX_LOGO_BYTES:
        raise InputError(f"{{field}} {str(path)!r} is larger than 5 MB; use a smaller PNG or JPEG.", "logo")
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise InputError(f"{{field}} {str(path)!r} is not a PNG or JPEG image; give a PNG or JPEG file.", "logo")
    return _prepared_image(path, data)


MAX_LOGO_PIXELS = 25_000_000


MAX_LOGO_SIDE = 1200  # pixels on the longer side: sharp at print size, small to draw in every booklet


def _prepared_image(path: Path, data: bytes) -> bytes:
    """The logo decoded once, turned upright as its camera meant (EXIF orientation) and scaled down
    to at most 1200 pixels a side, as PNG: a damaged file is an input error here, not a failure
    mid-render, and every booklet then draws a small image. A large JPEG is decoded at a reduced
    size from the start, so memory stays low."""
    import io
    import warnings

    try:
        from PIL import Image, ImageOps  # installed with reportlab, which draws the logo with it
    except ImportError:  # pragma: no cover - without Pillow the header check above has to do
        return data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_LOGO_PIXELS:
                    raise InputError(
                        f"{{field}} {str(path)!r} is {width}x{height} pixels; use a logo of at most 25 million pixels.",
                        "logo",
                    )
                if img.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 size, still at least the size kept
                    scale = min(1.0, MAX_LOGO_SIDE / max(width, height))
                    img.draft("RGB", (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))))
                img.load()
                upright = ImageOps.exif_transpose(img)
                upright.thumbnail((MAX_LOGO_SIDE, MAX_LOGO_SIDE))
                if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                    upright = upright.convert("RGBA")
                out = io.BytesIO()
                upright.save(out, format="PNG", optimize=True)
                return out.getvalue()
    except InputError:
        raise
    except Exception:
        raise InputError(
            f"{{field}} {str(path)!r} is damaged or not a PNG or JPEG image; give a PNG or JPEG file.", "logo"
        ) from None


def plan_request(
    catalog: Catalog,
    *,
    condition: str,
    site: str | None,
    mileage: str,
    units: str | None,
    start: str | None,
    weeks_off: str | None,
    run_days: str | None,
    pace: str | None,
    name: str | None,
    today: dt.date,
    can_run: str | None = None,
    long_run: str | None = None,
    date_order: str | None = None,
    date_hint: str = "",
) -> PlanRequest:
    """Typed plan settings into a checked PlanRequest; errors name the field.

    None for an optional field means its default. A mileage may carry its unit ("30 mi"), which
    then sets the units; `date_order` reads slashed dates as "DMY" or "MDY".
    """
    if start is not None and not start.strip():
        raise InputError("{field} is empty; give a date as YYYY-MM-DD, or leave it out to start next Monday.", "start")
    protocol = catalog.resolve(straight(condition), straight(site) if site is not None else None)
    number, unit_given = split_mileage(mileage)
    unit = parse_units(straight(units)) if units is not None else unit_given or DEFAULT_UNITS
    if unit_given is not None and unit_given != unit:
        raise InputError(
            f"{{field}} {shown(mileage)} is in {unit_given} but the units are {unit}; give one or the other.", "mileage"
        )
    weekly = parse_mileage(number, unit, catalog.ramp.ramp.mileage_limits(unit))
    days = parse_bounded(run_days, "run_days", RUN_DAYS)
    return PlanRequest(
        condition=protocol.condition,
        site=protocol.site,
        mileage=weekly,
        units=Unit(unit),
        start=parse_date(start, order=date_order, ambiguous_hint=date_hint) if start else next_monday(today),
        weeks_off=parse_bounded(weeks_off, "weeks_off", WEEKS_OFF),
        run_days=days,
        can_run=parse_bounded(can_run, "can_run", CAN_RUN),
        long_run=parse_long_run(long_run, unit, weekly, days) if long_run is not None else None,
        pace_min_per_unit=parse_pace(pace, unit) if pace else None,
        athlete=parse_label(name, "name"),
    )
