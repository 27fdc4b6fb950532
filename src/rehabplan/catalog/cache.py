"""A per-user cache of the validated catalog, so a command need not read and validate every data file.

The cache is keyed by the contents of every file the catalog is built from (names and bytes),
by the code that reads and validates them (models.py, loading.py, checks.py) and by the versions of
rehabplan, pydantic and Python. Only a catalog that passed every check is stored, so a broken
data folder is always read and reported in full. Any problem with the cache (a missing, unreadable,
corrupt, forged or unwritable file or folder) is silent: the caller reads the data files as usual.

Entries are JSON, read back through the same models (never pickle, nothing that can run code), and
signed (see rehabplan.usercache, which also says where the cache lives).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .. import usercache
from ..usercache import cache_dir

__all__ = ["cache_dir", "data_key", "load", "store"]

_KIND = "catalog"
_KEEP = 8  # catalogs kept at most (a clinic editing its data leaves older versions behind)
_MAX_BYTES = 20_000_000


def data_key(files: list[tuple[str, Traversable]]) -> str:
    """A digest of the code and versions that shape a catalog and of every data file's name and bytes."""
    import pydantic

    from .. import __version__
    from . import checks, loading, models

    h = hashlib.sha256()
    h.update(f"{__version__}\0{pydantic.VERSION}\0{sys.version}\0".encode())
    for module in (models, loading, checks):
        h.update(Path(str(module.__file__)).read_bytes())
    for label, entry in files:
        if isinstance(entry, Path):  # a pipe or a device would hang or never end: no key, no cache
            info = os.stat(entry)
            if not stat.S_ISREG(info.st_mode) or info.st_size > 2_000_000:
                raise ValueError(f"{label} is not a regular data file")
        data = entry.read_bytes()
        h.update(b"\0%s\0%d\0" % (label.encode("utf-8", "surrogateescape"), len(data)))
        h.update(data)
    return h.hexdigest()


def load(key: str) -> Any | None:
    """The catalog stored under key, or None (no cache, another key, or any problem reading it)."""
    from pydantic import TypeAdapter

    from .loading import Catalog

    body = usercache.load(_KIND, key, _MAX_BYTES)
    if body is None:
        return None
    try:
        return TypeAdapter(Catalog).validate_json(body)
    except Exception:
        return None


def store(key: str, catalog: Any) -> None:
    """Keep a validated catalog under key; quietly do nothing when that cannot be done."""
    from pydantic import TypeAdapter

    from .loading import Catalog

    if cache_dir() is None or not isinstance(catalog, Catalog):
        return
    usercache.store(_KIND, key, TypeAdapter(Catalog).dump_json(catalog), _KEEP)
