"""checkins.csv: the runner's log beside the plan, one row a day, written by `rehabplan checkin`
or typed in by hand from the booklet's log page (the same columns).

Columns, in this order (the header row names them; letter case and spaces do not matter):

- date: the day, YYYY-MM-DD
- pain_during, pain_after, pain_next_morning: knee pain from 0 (none) to 10 (the worst
  imaginable) during the day's session, in the hour after it, and the next morning; leave
  empty what you did not score
- swelling: yes if the knee looked more swollen than usual
- missed: yes if the day's sessions were not done
- criteria_met: yes when the current phase's checks at its end are all met
- red_flag: yes if one of the warning signs on the booklet's first page appeared
- cleared: yes when a clinician has seen the knee and cleared you to go on
- note: anything else, in words

Yes may be written yes, y, x, true or 1; no, or empty, is no. A later row for the same day
replaces an earlier one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from ..errors import DataError, InputError, quoted
from ..planning.checkins import CheckIn

NAME = "checkins.csv"
COLUMNS = (
    "date",
    "pain_during",
    "pain_after",
    "pain_next_morning",
    "swelling",
    "missed",
    "criteria_met",
    "red_flag",
    "cleared",
    "note",
)
_PAINS = ("pain_during", "pain_after", "pain_next_morning")
_FLAGS = ("swelling", "missed", "criteria_met", "red_flag", "cleared")
_YES = {"yes", "y", "x", "true", "1", "✓", "✔"}
_NO = {"no", "n", "false", "0", ""}
MAX_BYTES = 2_000_000


def _key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def parse_row(cells: dict[str, str]) -> CheckIn:
    """One row's cells into a CheckIn; raise InputError naming the column."""
    values: dict[str, object] = {}
    text = cells.get("date", "").strip()
    try:
        values["date"] = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{{field}} {quoted(text)} is not a date; use YYYY-MM-DD, e.g. 2027-03-01.", "date") from None
    for name in _PAINS:
        raw = cells.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 0 <= int(raw) <= 10:
            raise InputError(f"{{field}} {quoted(raw)} is not a pain score; give a whole number from 0 to 10.", name)
        values[name] = int(raw)
    for name in _FLAGS:
        raw = cells.get(name, "").strip().lower()
        if raw not in _YES | _NO:
            raise InputError(f"{{field}} {quoted(raw)} is not yes or no; leave it empty for no.", name)
        values[name] = raw in _YES
    note = " ".join(cells.get("note", "").split())
    if len(note) > 500:
        raise InputError(f"{{field}} is {len(note)} characters long; use at most 500.", "note")
    values["note"] = note
    try:
        return CheckIn.model_validate(values)
    except ValidationError as exc:  # pragma: no cover - the checks above cover every field
        raise InputError(str(exc.errors()[0]["msg"])) from None


def read(folder: Path) -> list[CheckIn]:
    """Every row of the folder's checkins.csv (none when it does not exist); raise DataError
    listing every bad row as 'checkins.csv line N: reason'."""
    path = folder / NAME
    if not path.exists():
        return []
    if not path.is_file():
        raise InputError(f"{NAME} in {str(folder)!r} is not a file; move it away.")
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{NAME} is larger than {MAX_BYTES // 1_000_000} MB; it cannot be a log of one plan.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{NAME} is not UTF-8 text; save it as CSV (UTF-8).") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    out: list[CheckIn] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [_key(c) for c in cells]
                unknown = [c for c in header if c not in COLUMNS]
                if "date" not in header or unknown:
                    what = f"unknown column {', '.join(map(repr, unknown))}" if unknown else "no date column"
                    raise DataError([f"{NAME} line {line}: {what}; the columns are {', '.join(COLUMNS)}"])
                continue
            row = dict(zip(header, cells, strict=False))
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                problems.append(f"{NAME} line {line}: more values than columns; quote a note that holds a comma")
                continue
            try:
                out.append(parse_row(row))
            except InputError as exc:
                problems.append(f"{NAME} line {line}: {exc.worded()}")
    except csv.Error as exc:
        problems.append(f"{NAME} line {reader.line_num}: not valid CSV ({exc})")
    if problems:
        raise DataError(problems)
    return out


def row(checkin: CheckIn) -> list[str]:
    def yes(v: bool) -> str:
        return "yes" if v else ""

    pains = [str(getattr(checkin, p)) if getattr(checkin, p) is not None else "" for p in _PAINS]
    flags = [yes(getattr(checkin, f)) for f in _FLAGS]
    return [checkin.date.isoformat(), *pains, *flags, checkin.note]


def append(folder: Path, checkin: CheckIn) -> Path:
    """Add one row to the folder's checkins.csv (made, with its header, when absent); the file is
    checked first, and replaced whole, so a failed write leaves it as it was."""
    existing = read(folder)  # refuse to add to a log that does not read back
    path = folder / NAME
    old = path.read_bytes() if existing or path.exists() else b""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    if not old.strip():
        writer.writerow(COLUMNS)
    writer.writerow(row(checkin))
    data = old + (b"" if not old or old.endswith(b"\n") else b"\r\n") + buf.getvalue().encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{NAME}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
