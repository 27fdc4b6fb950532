"""Turn what a person typed (on the command line or in a roster row) into checked values."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from .errors import InputError
from .models import SessionTimeKind

if TYPE_CHECKING:
    from .catalog import Catalog
    from .models import PlanRequest

KINDS_WITH_TIMES: tuple[str, ...] = get_args(SessionTimeKind)
MAX_NAME = 200
MAX_LOGO_BYTES = 5_000_000


def shown(text: str, limit: int = 60) -> str:
    """A typed value quoted for an error message, shortened when it is very long."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[: limit - 1]) + f"… ({len(text)} characters)"


def next_monday(today: dt.date) -> dt.date:
    """The Monday after today (a week ahead when today is a Monday)."""
    return today + dt.timedelta(days=7 - today.weekday())


def default_paper(units: str) -> str:
    """The paper a plan prints on unless --paper says otherwise: A4 for km, Letter for miles."""
    return "a4" if units == "km" else "letter"


def parse_units(text: str) -> str:
    key = text.strip().lower()
    aliases = {"mi": "mi", "mile": "mi", "miles": "mi", "km": "km", "kms": "km", "kilometres": "km", "kilometers": "km"}
    if key not in aliases:
        raise InputError(f"--units {shown(text)} is not a unit; use mi or km.")
    return aliases[key]


def parse_mileage(text: str, units: str, limit: float) -> float:
    """A weekly distance from 1 up to the limit, with at most two decimals kept."""
    word = "miles" if units == "mi" else "km"
    if re.fullmatch(r"\s*\d{1,3}(,\d{3})+\s*", text):
        raise InputError(
            f"--mileage {shown(text)} is ambiguous; write the number without a thousands separator, "
            "with a dot or comma for decimals, e.g. 30 or 7.5."
        )
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise InputError(f"--mileage {shown(text)} is not a number; give your usual weekly {word}, e.g. 30.") from None
    if math.isnan(value) or (math.isinf(value) and "inf" in text.lower()):
        raise InputError(f"--mileage {shown(text)} is not a number; give your usual weekly {word}, e.g. 30.")
    if value <= 0:
        raise InputError(f"--mileage must be a positive number of {word} a week, got {shown(text.strip())}.")
    if value < 1:
        raise InputError(f"--mileage must be at least 1 {word} a week, got {shown(text.strip())}.")
    if value > limit:
        raise InputError(
            f"--mileage {shown(text.strip())} is above the limit of {limit:g} {word} a week; "
            f"give your usual weekly {word} before the injury (at most {limit:g})."
        )
    return math.floor(value * 100 + 1e-6) / 100


def parse_date(text: str) -> dt.date:
    """A --start date, YYYY-MM-DD, in 2000-2099."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise InputError(f"--start {shown(text)} is not a date; use YYYY-MM-DD, e.g. 2027-03-01.")
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--start {shown(text)} is not a real calendar date; use YYYY-MM-DD, e.g. 2027-03-01.") from None
    if not 2000 <= value.year <= 2099:
        raise InputError(f"--start {shown(text)} is out of range; use a date between 2000 and 2099.")
    return value


def parse_tz(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", name) or name.startswith("/"):
        raise InputError(f"--tz {shown(text)} is not a time zone; use a name like Europe/London or America/New_York.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(f"--tz {shown(text)} is not a known time zone; use a name like Europe/London or America/New_York.") from None
    return name


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
                f"--time {shown(item)} is not KIND=HH:MM; KIND is one of {', '.join(KINDS_WITH_TIMES)}, e.g. --time run=06:30."
            )
        clock = _clock(value)
        if clock is None:
            raise InputError(f"--time {shown(item)} is not a time of day; use 24-hour KIND=HH:MM, e.g. --time {kind}=06:30.")
        out[kind] = clock
    return out


def parse_pace(text: str, units: str) -> float:
    """Easy pace 'MM:SS' (or minutes) per unit, into minutes per unit."""
    per = "mile" if units == "mi" else "km"
    lo, hi = (4.0, 25.0) if units == "mi" else (2.5, 16.0)
    m = re.fullmatch(r"(\d{1,2}):([0-5]\d)", text.strip())
    try:
        value = int(m.group(1)) + int(m.group(2)) / 60 if m else float(text.strip())
    except ValueError:
        value = float("nan")
    if math.isnan(value) or not lo <= value <= hi:
        raise InputError(
            f"--pace {shown(text)} is not an easy pace; give minutes:seconds per {per} between "
            f"{int(lo)}:{int(lo % 1 * 60):02d} and {int(hi)}:00, e.g. {'10:30' if units == 'mi' else '6:30'}."
        )
    return round(value, 4)


def parse_int(text: str, option: str, lo: int, hi: int, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"{option} {shown(text)} is not a whole number; give {what} from {lo} to {hi}.") from None
    if not lo <= value <= hi:
        raise InputError(f"{option} must be from {lo} to {hi} ({what}), got {value}.")
    return value


def parse_label(text: str | None, option: str) -> str | None:
    """A person's or a club's name: printable, at most MAX_NAME characters."""
    if text is None:
        return None
    value = unicodedata.normalize("NFC", text).strip()
    if not value:
        return None
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c not in "\u200d\u200c"]
    if bad:
        raise InputError(
            f"{option} contains a control or invisible character ({ascii(bad[0])}); remove it and try again."
        )
    if len(value) > MAX_NAME:
        raise InputError(f"{option} is {len(value)} characters long; use at most {MAX_NAME}.")
    return value


def read_logo(path: Path) -> bytes:
    """The bytes of a PNG or JPEG logo, checked."""
    if not path.exists():
        raise InputError(f"--logo {str(path)!r} does not exist; give a PNG or JPEG file.")
    if path.is_dir():
        raise InputError(f"--logo {str(path)!r} is a folder; give a PNG or JPEG file.")
    if not path.is_file():
        raise InputError(f"--logo {str(path)!r} is not a regular file; give a PNG or JPEG file.")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_LOGO_BYTES + 1)  # never more than the limit, even from a growing file
    except OSError as exc:
        raise InputError(f"--logo {str(path)!r} cannot be read ({exc.strerror}); give a readable PNG or JPEG file.") from None
    if len(data) > MAX_LOGO_BYTES:
        raise InputError(f"--logo {str(path)!r} is larger than 5 MB; use a smaller PNG or JPEG.")
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise InputError(f"--logo {str(path)!r} is not a PNG or JPEG image; give a PNG or JPEG file.")
    _check_image(path, data)
    return data


MAX_LOGO_PIXELS = 25_000_000


def _check_image(path: Path, data: bytes) -> None:
    """Decode the logo once, so a damaged file is an input error and not a failure mid-render."""
    import io
    import warnings

    try:
        from PIL import Image  # installed with reportlab, which draws the logo with it
    except ImportError:  # pragma: no cover - without Pillow the header check above has to do
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_LOGO_PIXELS:
                    raise InputError(
                        f"--logo {str(path)!r} is {width}x{height} pixels; use a logo of at most 25 million pixels."
                    )
                img.load()
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - any decoder failure means the same thing to the user
        raise InputError(f"--logo {str(path)!r} is damaged or not a PNG or JPEG image; give a PNG or JPEG file.") from None


def plan_request(
    catalog: Catalog,
    *,
    condition: str,
    site: str | None,
    mileage: str,
    units: str,
    start: str | None,
    weeks_off: str,
    run_days: str,
    pace: str | None,
    name: str | None,
    today: dt.date,
) -> PlanRequest:
    """Typed plan settings into a checked PlanRequest; errors name the command-line options."""
    from .models import PlanRequest

    protocol = catalog.resolve(condition, site)
    unit = parse_units(units)
    limit = catalog.ramp.ramp.max_mileage_mi if unit == "mi" else catalog.ramp.ramp.max_mileage_km
    return PlanRequest(
        condition=protocol.condition,
        site=protocol.site,
        mileage=parse_mileage(mileage, unit, limit),
        units=unit,
        start=parse_date(start) if start else next_monday(today),
        weeks_off=parse_int(weeks_off, "--weeks-off", 0, 104, "the weeks you have already been off running"),
        run_days=parse_int(run_days, "--run-days", 3, 6, "run days a week"),
        pace_min_per_unit=parse_pace(pace, unit) if pace else None,
        athlete=parse_label(name, "--name"),
    )
