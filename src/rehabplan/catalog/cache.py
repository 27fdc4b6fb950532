"""A per-user cache of the validated catalog, so a command need not read and validate every data file.

The cache is keyed by the contents of every file the catalog is built from (names and bytes),
by the code that reads and validates them (models.py, loading.py, checks.py) and by the versions of
rehabplan, pydantic and Python. Only a catalog that passed every check is stored, so a broken
data folder is always read and reported in full. Any problem with the cache (a missing, unreadable,
corrupt, forged or unwritable file or folder) is silent: the caller reads the data files as usual.

Entries are JSON, read back through the same models (never pickle, nothing that can run code), and
each carries an HMAC made with a key only this user can read: a file planted in the folder fails
the check and is ignored. Entries of other versions of rehabplan are removed when a new one is kept.

Where: $REHABPLAN_CACHE_DIR (an empty value turns the cache off), else $XDG_CACHE_HOME/rehabplan,
else ~/.cache/rehabplan.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import sys
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

_PREFIX = "catalog-"
_SUFFIX = ".json"
_KEY_FILE = "key"
_KEEP = 8  # catalogs kept at most (a clinic editing its data leaves older versions behind)
_MAX_BYTES = 20_000_000


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
        if isinstance(entry, Path):  # a pipe or a device would hang or never end: no key, no cache
            info = os.stat(entry)
            if not stat.S_ISREG(info.st_mode) or info.st_size > 2_000_000:
                raise ValueError(f"{label} is not a regular data file")
        data = entry.read_bytes()
        h.update(b"\0%s\0%d\0" % (label.encode("utf-8", "surrogateescape"), len(data)))
        h.update(data)
    return h.hexdigest()


def _version_tag() -> str:
    from .. import __version__

    return __version__.replace("-", "_")


def _private(path: Path, fh: Any) -> bool:
    """A file this user owns and no one else may write (or, for the key, read)."""
    if not hasattr(os, "getuid"):
        return True
    info = os.fstat(fh.fileno())
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def _secret(folder: Path, create: bool) -> bytes | None:
    """This user's key for signing cache entries (made once, readable by this user only)."""
    path = folder / _KEY_FILE
    try:
        with open(path, "rb") as fh:
            key = fh.read(64)
            return key if _private(path, fh) and len(key) == 32 else None
    except FileNotFoundError:
        if not create:
            return None
    except OSError:
        return None
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None  # another process made it first: use it next time
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def _name(key: str) -> str:
    return f"{_PREFIX}{_version_tag()}-{key}{_SUFFIX}"


def load(key: str) -> Any | None:
    """The catalog stored under key, or None (no cache, another key, or any problem reading it)."""
    from pydantic import TypeAdapter

    from .loading import Catalog

    folder = cache_dir()
    if folder is None:
        return None
    try:
        secret = _secret(folder, create=False)
        if secret is None:
            return None
        with open(folder / _name(key), "rb") as fh:
            if not _private(folder / _name(key), fh):
                return None
            raw = fh.read(_MAX_BYTES + 1)
        mac, _, body = raw.partition(b"\n")
        if len(raw) > _MAX_BYTES or not hmac.compare_digest(mac, _mac(secret, key, body)):
            return None  # planted, damaged or from another key: read the data files instead
        return TypeAdapter(Catalog).validate_json(body)
    except Exception:
        return None


def _mac(secret: bytes, key: str, body: bytes) -> bytes:
    return hmac.new(secret, key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()


def store(key: str, catalog: Any) -> None:
    """Keep a validated catalog under key; quietly do nothing when that cannot be done."""
    from pydantic import TypeAdapter

    from .loading import Catalog

    folder = cache_dir()
    if folder is None or not isinstance(catalog, Catalog):
        return
    target = folder / _name(key)
    tmp = folder / f".{_PREFIX}{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = _secret(folder, create=True)
        if secret is None:
            return
        body = TypeAdapter(Catalog).dump_json(catalog)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_mac(secret, key, body) + b"\n" + body)
        os.rename(tmp, target)  # atomic on POSIX: readers see the whole file or none
    except Exception:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Remove entries of other versions (and old formats) and all but the newest few of this one."""
    try:
        mine = f"{_PREFIX}{_version_tag()}-"
        entries = []
        for p in folder.iterdir():
            if not p.name.startswith(_PREFIX):
                continue
            if p.name.startswith(mine) and p.name.endswith(_SUFFIX):
                entries.append(p)
            else:
                p.unlink()  # another version's entry, or an old pickle
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[_KEEP:]:
            old.unlink()
    except OSError:
        pass
