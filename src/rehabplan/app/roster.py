"""A squad's roster: its columns, reading the CSV as coaches save it, safe folder names, and
one row into a checked plan request."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, RehabplanError
from ..planning.limits import DEFAULT_UNITS
from . import inputs

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..planning import PlanRequest


# --------------------------------------------------------------------------- roster columns

REQUIRED = ("name", "condition", "mileage")
OPTIONAL = ("units", "start", "site", "weeks_off", "run_days", "can_run", "long_run", "pace", "tz")
COLUMNS = REQUIRED + OPTIONAL
_ALIASES = {"unit": "units", "time_zone": "tz", "timezone": "tz", "easy_pace": "pace", "athlete": "name"}
INDEX_NAME = "index.csv"
INDEX_FIELDS = (
    "row",
    "line",
    "name",
    "condition",
    "site",
    "mileage",
    "unit",
    "start",
    "end",
    "weeks",
    "folder",
    "status",
)
MAX_ROSTER_BYTES = 20_000_000
MAX_FOLDER = 60


def _column_key(header: str) -> str:
    """'Weeks Off', 'weeks-off' and 'WEEKS_OFF' all name the column weeks_off."""
    key = re.sub(r"[\s\-]+", "_", header.strip().lower()).strip("_")
    return _ALIASES.get(key, key)


# --------------------------------------------------------------------------- folder names

_TRANSLIT = {
    # Latin letters that do not decompose into a base letter and a mark
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "ß": "ss",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ł": "l",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŋ": "ng",
    "ĸ": "k",
    "ſ": "s",
    # Cyrillic
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "ў": "u",
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "џ": "dz",
    "ђ": "dj",
    "ћ": "c",
    # Greek
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(name: str) -> str:
    """A readable, safe folder name: ASCII where the letters allow, never a path, '' when nothing is left."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = "".join(_TRANSLIT.get(c, c) for c in text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = "".join(_TRANSLIT.get(c, c) for c in text)  # letters that were accented before (e.g. Greek έ)
    # letters and digits stay (ASCII now where a transliteration exists, e.g. CJK otherwise); all else is a '-'
    kept = [c if c.isalnum() else "-" for c in text]
    slug = re.sub(r"-+", "-", "".join(kept)).strip("-")
    slug = unicodedata.normalize("NFC", slug)
    if len(slug) > MAX_FOLDER:
        slug = slug[:MAX_FOLDER].rstrip("-")
    if slug in _RESERVED:
        slug = f"runner-{slug}"
    return slug


def folder_names(names: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Unique folder names by row, in row order: 'sam-lee', 'sam-lee-2', ...; case-insensitive unique."""
    used: set[str] = set()
    out: dict[int, str] = {}
    for row, name in names:
        base = slugify(name) or f"runner-{row}"
        candidate, n = base, 1
        while candidate.casefold() in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate.casefold())
        out[row] = candidate
    return out


def name_collisions(names: Iterable[tuple[int, str]]) -> dict[int, int]:
    """Rows whose name is an earlier row's name once case, accents and punctuation are set aside
    ('Zoë Ørsted' and 'zoe orsted'): row -> that earlier row."""
    first: dict[str, int] = {}
    out: dict[int, int] = {}
    for row, name in names:
        key = slugify(name).casefold()
        if not key:
            continue
        if key in first:
            out[row] = first[key]
        else:
            first[key] = row
    return out


def roster_date_order(starts: Iterable[str]) -> str | None:
    """The day/month order a roster's slashed dates show (25/03/2027 is day first), if they agree."""
    seen = set()
    for text in starts:
        m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-]\d{4}", inputs.straight(text).strip())
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > 12 >= b:
                seen.add("DMY")
            elif b > 12 >= a:
                seen.add("MDY")
    return seen.pop() if len(seen) == 1 else None


# --------------------------------------------------------------------------- reading the roster


@dataclass(frozen=True)
class RosterRow:
    row: int  # 1-based among the data rows
    line: int  # line in the file where the row starts (the header is line 1)
    cells: dict[str, str]
    problem: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # columns the plan does not use (email, phone, ...), as headed


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Unicode category Cc, less tab, LF and CR


MAX_CELL = 1000  # characters in one roster value (a name, a note): more is a pasting mistake


def _decode(data: bytes, label: str, notes: list[str] | None) -> str:
    """UTF-8 (with or without a BOM); a file wholly in Windows' Western encoding is read too, with a
    note. A file that mixes the two is refused, naming the first line that is not UTF-8: decoding
    it either way would garble the other lines' names."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8_text = any(not line.isascii() and _is_utf8(line) for line in lines)
    if utf8_text:
        bad = next(i for i, line in enumerate(lines, start=1) if not _is_utf8(line))
        raise InputError(
            f"{label} line {bad}: not UTF-8, while other lines are: the file mixes two encodings. "
            "Save the roster again as CSV UTF-8."
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            f"{label} is not a CSV text file; save the roster as CSV (UTF-8) with a header row: name,condition,mileage."
        ) from None
    if notes is not None:
        notes.append("read as Windows text (cp1252), not UTF-8; check the names in the index.")
    return text


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_roster(path: Path, notes: list[str] | None = None) -> list[RosterRow]:
    """The data rows of a roster CSV; raise InputError when the file as a whole cannot be used.

    The file is checked for being a regular file of a sane size before it is read (a device or a
    pipe is refused); a problem in one row (a control character, a value too long) is that row's."""
    label = str(path)
    if not path.exists():
        raise InputError(
            f"roster {label!r} does not exist; give a CSV file with a header row (name,condition,mileage)."
        )
    if path.is_dir():
        raise InputError(f"roster {label!r} is a folder; give a CSV file with a header row (name,condition,mileage).")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before opening: opening a pipe would wait for a writer
            raise InputError(f"roster {label!r} is not a regular file (a device or a pipe); give a CSV file.")
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"roster {label!r} is not a regular file (a device or a pipe); give a CSV file.")
            if info.st_size > MAX_ROSTER_BYTES:
                raise InputError(
                    f"roster {label!r} is larger than {MAX_ROSTER_BYTES // 1_000_000} MB; split it into smaller files."
                )
            data = fh.read(MAX_ROSTER_BYTES + 1)  # bounded, even if the file grows while it is read
    except OSError as exc:
        raise InputError(f"roster {label!r} cannot be read ({exc.strerror or exc}).") from None
    if len(data) > MAX_ROSTER_BYTES:
        raise InputError(
            f"roster {label!r} is larger than {MAX_ROSTER_BYTES // 1_000_000} MB; split it into smaller files."
        )
    not_csv = (
        f"{label} is not a CSV text file; save the roster as CSV (UTF-8) with a header row: name,condition,mileage."
    )
    if b"\x00" in data:
        raise InputError(not_csv)
    text = _decode(data, label, notes)
    if not text.strip():
        raise InputError(f"{label} is empty; give a header row (name,condition,mileage) and one row per runner.")
    first = text.lstrip("\r\n").splitlines()[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    # one long value fails its own row (below), not the whole file
    csv.field_size_limit(max(csv.field_size_limit(), MAX_ROSTER_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = []
        prev = 0
        for cells in reader:
            records.append((prev + 1, cells))
            prev = reader.line_num
    except csv.Error as exc:
        raise InputError(f"{label} line {reader.line_num}: not valid CSV ({exc}).") from None
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise InputError(f"{label} is empty; give a header row (name,condition,mileage) and one row per runner.")
    header_line, header = records[0]
    keys = [_column_key(h) for h in header]
    if not any(k in REQUIRED for k in keys):
        shown = ", ".join(repr(h.strip()) for h in header[:6])
        raise InputError(
            f"{label} line {header_line}: the first row must be a header naming the columns name, condition and mileage "
            f"(found {shown}); save the roster as CSV with that header row."
        )
    # other columns (email, phone, group, ...) are kept as they are and carried into the index
    extra_names: dict[int, str] = {}
    for i, (h, k) in enumerate(zip(header, keys, strict=False)):
        if k not in COLUMNS:
            base = " ".join(inputs.straight(h).split()) or f"column {i + 1}"
            name, n = base, 2
            while name in extra_names.values() or name in INDEX_FIELDS:
                name, n = f"{base} ({n})", n + 1
            extra_names[i] = name
    dupes = sorted({k for k in keys if k in COLUMNS and keys.count(k) > 1})
    if dupes:
        raise InputError(
            f"{label} line {header_line}: column {', '.join(repr(d) for d in dupes)} appears more than once."
        )
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        raise InputError(
            f"{label} line {header_line}: missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; the header needs name, condition and mileage (optional: {', '.join(OPTIONAL)})."
        )
    rows: list[RosterRow] = []
    for n, (line, cells) in enumerate(records[1:], start=1):
        problem = None
        if len(cells) > len(keys) and any(c.strip() for c in cells[len(keys) :]):
            problem = f"has {len(cells)} fields but the header has {len(keys)}; check for an unquoted {delimiter!r} in a value."
        elif any(len(c) > MAX_CELL for c in cells):
            problem = f"a value is longer than {MAX_CELL} characters; check for text pasted into the wrong cell."
        elif any(_CONTROL.search(c) for c in cells):
            problem = "a value holds a control character (an invisible one pasted in); retype that cell."
        padded = list(cells[: len(keys)]) + [""] * (len(keys) - len(cells))
        known = {k: v for i, (k, v) in enumerate(zip(keys, padded, strict=True)) if i not in extra_names}
        extra = tuple((name, padded[i]) for i, name in extra_names.items())
        rows.append(RosterRow(n, line, known, problem, extra))
    if not rows:
        raise InputError(f"{label} has a header but no runners; add one row per runner below the header.")
    return rows


def parse_row(
    cells: dict[str, str], catalog: Catalog, today: dt.date, date_order: str | None = None
) -> tuple[PlanRequest, str | None]:
    """A roster row into a checked PlanRequest (and the row's time zone); raise InputError naming the column.

    `date_order` ("DMY" or "MDY") reads a start date like 01/03/2027."""

    def get(key: str) -> str:
        return cells.get(key, "").strip()

    try:
        if not get("name"):
            raise InputError(
                "{field} is empty; give the runner's name (it names their folder and their files).", "name"
            )
        inputs.parse_label(cells.get("name", ""), "name")  # a bad name is the row's first error
        if not get("condition"):
            raise InputError(
                "{field} is empty; give one of the conditions listed by `rehabplan conditions`.", "condition"
            )
        if not get("mileage"):
            catalog.resolve(get("condition"), get("site") or None)  # a bad condition, site or unit is reported first
            unit = inputs.parse_units(get("units")) if get("units") else DEFAULT_UNITS
            raise InputError(
                f"{{field}} is empty; give the runner's usual weekly {'miles' if unit == 'mi' else 'km'}, e.g. 30.",
                "mileage",
            )
        request = inputs.plan_request(
            catalog,
            condition=get("condition"),
            site=get("site") or None,
            mileage=get("mileage"),
            units=get("units") or None,
            start=get("start") or None,
            weeks_off=get("weeks_off") or None,
            run_days=get("run_days") or None,
            can_run=get("can_run") or None,
            long_run=get("long_run") or None,
            pace=get("pace") or None,
            name=cells.get("name", ""),
            today=today,
            date_order=date_order,
            date_hint=", or run batch with --date-format DMY (day first) or MDY (month first)",
        )
        tz = inputs.parse_tz(inputs.straight(get("tz"))) if get("tz") else None
    except RehabplanError as exc:
        raise InputError(" ".join(exc.worded().split())) from None  # a field is named as its column
    return request, tz


# --------------------------------------------------------------------------- the worker side
