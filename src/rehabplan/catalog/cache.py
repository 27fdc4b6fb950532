"""A per-user cache of the validated catalog, so a command need not read and validate every data file.

The cache is keyed by the contents of every file the catalog is built from (names and bytes),
by the code that reads and validates them (models.py, loading.py, checks.py) and by the versions of
rehabplan, pydantic and Python. Only a catalog that passed every check is stored, so a broken
data folder is always read and reported in full. Any problem with the cache (a missing, unreadable,
corrupt, forged or unwritable file or folder) is silent: the caller reads the data files as usual.

Entries are JSON, built back into the same models (never pickle, nothing that can run code), and
signed (see rehabplan.usercache, which also says where the cache lives). An entry is one this
program wrote from a catalog that passed every check, so it is not validated again: each model is
made with `model_construct` from its fields' declared types, and each protocol and exercise only
when it is first used (about 5 ms, where building pydantic's validators and running them over the
whole catalog took some 35 ms).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import stat
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping
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
        return _built(Catalog)(json.loads(body))
    except Exception:  # say a field of a type the builder does not know: validate the entry instead
        pass
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


@functools.cache
def _built(tp: Any) -> Callable[[Any], Any]:
    """A function that makes a value of type tp from its JSON form, trusting it (no validation).

    Knows the types the catalog is made of: models, a dataclass of them, tuples, dicts and
    mappings, optional values, string enums, literals and plain values. Raises TypeError for any
    other type."""
    from pydantic import BaseModel

    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _built(args[0])
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp.__private_attributes__:
            raise TypeError(f"{tp.__name__} has private attributes")
        fields = []
        for name, f in tp.model_fields.items():
            annotation: Any = f.annotation
            if annotation is None:
                raise TypeError(f"{tp.__name__}.{name} has no type")
            fields.append((name, _built(annotation)))
        construct = tp.model_construct
        return lambda v: construct(**{name: make(v[name]) for name, make in fields if name in v})
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        parts = [(f.name, _built(hints[f.name])) for f in dataclasses.fields(tp)]
        return lambda v: tp(**{name: make(v[name]) for name, make in parts})
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _built(args[0])
        return lambda v: tuple(map(item, v))
    if origin is dict and args[0] is str:
        value = _built(args[1])
        return lambda v: {k: value(x) for k, x in v.items()}
    if origin is Mapping and args[0] is str:  # the catalog's protocols and exercises: built when used
        value = _built(args[1])
        return lambda v: _OnUse(v, value)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _built(next(a for a in args if a is not type(None)))
        return lambda v: None if v is None else inner(v)
    if origin is typing.Literal or tp in (str, int, bool):
        return lambda v: v
    if tp is float:
        return float
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    raise TypeError(f"cannot build {tp!r} from the cache")


class _OnUse(Mapping[str, Any]):
    """A mapping read from the cache whose values are built the first time each is asked for (a
    plan uses a dozen of the catalog's exercises); it pickles as a plain dict."""

    __slots__ = ("_made", "_make", "_raw")

    def __init__(self, raw: dict[str, Any], make: Callable[[Any], Any]) -> None:
        if not isinstance(raw, dict):
            raise TypeError("a mapping in the cache is not a JSON object")
        self._raw = raw
        self._make = make
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._make(self._raw[key])
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.items()),))
