"""A clinic's settings for its site, from a small TOML file.

    name = "Riverside Physio"
    contact = "020 7946 0000"
    logo = "logo.png"          # PNG or JPEG, next to this file
    paper = "a4"               # letter or a4
    accent = "#0b5563"         # the brand colour, dark enough to print clearly
    data_dir = "our-protocols" # the clinic's own protocol data (see rehabplan check-data)

Every key is optional; paths are read relative to the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..app import inputs
from ..errors import InputError
from ..render.options import BookletOptions

_KEYS = {"name", "contact", "logo", "paper", "accent", "data_dir"}
MAX_BYTES = 100_000


@dataclass(frozen=True)
class Clinic:
    booklet: BookletOptions
    data_dir: Path | None


def read_clinic(path: Path) -> Clinic:
    """The clinic file, checked; errors name the file and the key."""
    where = str(path)
    try:
        if not path.is_file():
            raise InputError(f"{{field}} {where!r} is not a file; give the clinic's TOML file.", "clinic")
        raw = path.read_bytes()[: MAX_BYTES + 1]
        if len(raw) > MAX_BYTES:
            raise InputError(f"{{field}} {where!r} is too large for a clinic file.", "clinic")
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{{field}} {where!r} cannot be read as TOML ({exc}).", "clinic") from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InputError(
            f"{{field}} {where!r}: unknown key {unknown[0]!r}; the keys are {', '.join(sorted(_KEYS))}.", "clinic"
        )
    for key in sorted(_KEYS):
        if key in data and not isinstance(data[key], str):
            raise InputError(f"{{field}} {where!r}: {key} must be text in quotes.", "clinic")
    base = path.parent
    paper = data.get("paper", "letter").strip().lower()
    if paper not in ("letter", "a4"):
        raise InputError(
            f"{{field}} {where!r}: paper {data['paper']!r} is not a paper size; use letter or a4.", "clinic"
        )
    accent = None
    if "accent" in data:
        try:
            accent = inputs.parse_accent(data["accent"])
        except InputError as exc:
            raise InputError(f"{{field}} {where!r}: {exc.worded()}", "clinic") from None
    booklet = BookletOptions(
        paper=paper,
        accent=accent,
        clinic=inputs.parse_label(data.get("name"), "clinic"),
        contact=inputs.parse_label(data.get("contact"), "contact"),
        logo=inputs.read_logo(base / data["logo"]) if "logo" in data else None,
    )
    return Clinic(booklet, base / data["data_dir"] if "data_dir" in data else None)
