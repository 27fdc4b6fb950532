"""Stop an install on a Python older than 3.11 with a line that says so (older pips otherwise only
say that some dependency has no matching version)."""

from __future__ import annotations

import sys
from typing import Any

NEEDED = (3, 11)


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> None:
    """Raise SystemExit with one clear line when `version` is older than NEEDED."""
    if tuple(version[:2]) < NEEDED:
        found = ".".join(str(n) for n in version[:3])
        raise SystemExit(
            f"rehabplan needs Python {NEEDED[0]}.{NEEDED[1]} or newer; this is Python {found}. "
            "Install a newer Python (python.org, or your system's package manager) and try again."
        )


try:  # hatchling is there while the package is built, not when the tests import this file
    from hatchling.metadata.plugin.interface import MetadataHookInterface
except ImportError:  # pragma: no cover
    pass
else:

    class CustomMetadataHook(MetadataHookInterface):
        def update(self, metadata: dict[str, Any]) -> None:
            check_python(tuple(sys.version_info[:3]))
