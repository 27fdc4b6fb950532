"""A per-user cache of signed entries: work a later command can read back instead of doing again.

Each entry is one file, `<kind>-<version>-<key>.json`, holding an HMAC of its body made with a key
only this user can read, then the body. A file planted in the folder, cut short or damaged fails
the check and is ignored; any problem with the folder (missing, unreadable, unwritable, a file
where a folder should be) is silent: the caller does the work as usual. Entries are written to a
temporary file and renamed, so a reader sees a whole entry or none. Entries of other versions of
rehabplan are removed when a new one is kept, and only the newest few of a kind are kept.

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
from pathlib import Path
from typing import Any

_SUFFIX = ".json"
_KEY_FILE = "key"


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is turned off."""
    explicit = os.environ.get("REHABPLAN_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):
            return None
    return Path(base) / "rehabplan"


def _version_tag() -> str:
    from . import __version__

    return __version__.replace("-", "_")


def _private(fh: Any) -> bool:
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
            return key if _private(fh) and len(key) == 32 else None
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


def _name(kind: str, key: str) -> str:
    return f"{kind}-{_version_tag()}-{key}{_SUFFIX}"


def _mac(secret: bytes, key: str, body: bytes) -> bytes:
    return hmac.new(secret, key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()


def load(kind: str, key: str, max_bytes: int) -> bytes | None:
    """The body of the entry of this kind stored under key, or None (no cache, no such entry, an
    entry not signed with this user's key, or any problem reading it)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        secret = _secret(folder, create=False)
        if secret is None:
            return None
        with open(folder / _name(kind, key), "rb") as fh:
            if not _private(fh):
                return None
            raw = fh.read(max_bytes + 1)
        mac, _, body = raw.partition(b"\n")
        if len(raw) > max_bytes or not hmac.compare_digest(mac, _mac(secret, key, body)):
            return None  # planted, damaged or from another key
        return body
    except Exception:
        return None


def store(kind: str, key: str, body: bytes, keep: int) -> None:
    """Keep a body under key (and at most `keep` entries of its kind); quietly do nothing when
    that cannot be done."""
    folder = cache_dir()
    if folder is None:
        return
    tmp = folder / f".{kind}-{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = _secret(folder, create=True)
        if secret is None:
            return
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_mac(secret, key, body) + b"\n" + body)
        os.rename(tmp, folder / _name(kind, key))  # atomic on POSIX: readers see the whole file or none
    except Exception:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    _prune(folder, kind, keep)


def _prune(folder: Path, kind: str, keep: int) -> None:
    """Remove entries of this kind from other versions (and old formats), and all but the newest
    `keep` of this one."""
    try:
        prefix = f"{kind}-"
        mine = f"{kind}-{_version_tag()}-"
        entries = []
        for p in folder.iterdir():
            if not p.name.startswith(prefix):
                continue
            if p.name.startswith(mine) and p.name.endswith(_SUFFIX):
                entries.append(p)
            else:
                p.unlink()  # another version's entry, or an old format
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink()
    except OSError:
        pass
