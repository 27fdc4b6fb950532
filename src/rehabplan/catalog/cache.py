"""A per-user cache of the validated catalog, so a command need not read and validate every data file.

The cache is keyed by the contents of every file the catalog is built from (names and bytes),
by the code that reads and validates them (models.py, catalog.py) and by the versions of
rehabplan, pydantic and Python. Only a catalog that passed every check is stored, so a broken
data folder is always read and reported in full. Any problem with the cache (a missing, unreadable,
corrupt or unwritable file or folder) is silent: the caller reads the data files as usual.

Where: $REHABPLAN_CACHE_DIR (an empty value turns the cache off), else $XDG_CACHE_HOME/rehabplan,
else ~/.cache/rehabplan.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

_PREFIX = "catalog-"
_SUFFIX = ".pickle"
_KEEP = 8  # catalogs kept at most (a clinic editing its data leaves older versions behind)


def cache_dir() -> Path | None:
    """The folder for cached catalogs, or None when caching is turned off."""
    explicit = os.environ.get("REHABPLAN_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):
            return None
    return Path(base) / "rehabplan"


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
        data = entry.read_bytes()
        h.update(b"\0%s\0%d\0" % (label.encode("utf-8", "surrogateescape"), len(data)))
        h.update(data)
    return h.hexdigest()


def load(key: str) -> Any | None:
    """The catalog stored under key, or None (no cache, another key, or any problem reading it)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{_PREFIX}{key}{_SUFFIX}", "rb") as fh:
            if hasattr(os, "getuid") and os.fstat(fh.fileno()).st_uid != os.getuid():
                return None  # only trust a file this user wrote
            stored = pickle.load(fh)
    except Exception:
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
        return None
    return stored[1]


def store(key: str, catalog: Any) -> None:
    """Keep a validated catalog under key; quietly do nothing when that cannot be done."""
    folder = cache_dir()
    if folder is None:
        return
    target = folder / f"{_PREFIX}{key}{_SUFFIX}"
    tmp = folder / f".{_PREFIX}{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = pickle.dumps((key, catalog), protocol=pickle.HIGHEST_PROTOCOL)
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.rename(tmp, target)  # atomic on POSIX: readers see the whole file or none
    except Exception:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Remove all but the newest few cached catalogs."""
    try:
        entries = [p for p in folder.iterdir() if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX)]
        if len(entries) <= _KEEP:
            return
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[_KEEP:]:
            old.unlink()
    except OSError:
        pass
