"""The per-user catalog cache: same catalog as a fresh read, never stale, never in the way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rehabplan.catalog import cache as catalog_cache
from rehabplan.catalog import default_root, load_catalog
from rehabplan.errors import DataError


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("REHABPLAN_CACHE_DIR", str(folder))
    return folder


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A copy of the shipped data folder that a test may change."""
    root = tmp_path / "data"
    for folder in ("templates", "exercises"):
        shutil.copytree(Path(str(default_root() / folder)), root / folder)
    return root


def _stored(cache: Path) -> list[Path]:
    return sorted(cache.glob("catalog-*.json")) if cache.is_dir() else []


def test_second_load_comes_from_the_cache_and_equals_a_fresh_read(cache, data, monkeypatch):
    """A cached catalog is stored on the first load and is equal to one read without a cache."""
    first = load_catalog(data)
    assert len(_stored(cache)) == 1
    second = load_catalog(data)
    monkeypatch.setenv("REHABPLAN_CACHE_DIR", "")
    fresh = load_catalog(data)
    assert second == fresh == first
    assert list(second.protocols) == list(fresh.protocols)
    assert list(second.exercises) == list(fresh.exercises)


def _same_types(a: object, b: object, where: str = "catalog") -> None:
    """a and b are equal and of the same type all the way down (an enum member equals its text,
    an int equals its float: == alone would not tell them apart)."""
    import dataclasses
    from collections.abc import Mapping

    from pydantic import BaseModel

    if isinstance(a, Mapping) and isinstance(b, Mapping):  # a cached mapping builds its values on use
        assert list(a) == list(b), where
        for k in a:
            _same_types(a[k], b[k], f"{where}[{k!r}]")
        return
    assert type(a) is type(b), where
    if isinstance(a, BaseModel):
        for name in type(a).model_fields:
            _same_types(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _same_types(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), where  # type: ignore[arg-type]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
            _same_types(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_a_hit_is_the_same_catalog_down_to_every_value_type_without_validating_again(cache, data, monkeypatch):
    """A cached catalog is built back from the entry this program signed, without pydantic's
    validators (the slow part of a hit), into the very objects validating the entry would give:
    the same models, enums, numbers and tuples."""
    import pydantic

    from rehabplan.catalog import Catalog
    from rehabplan.usercache import load as load_entry

    monkeypatch.setenv("REHABPLAN_CACHE_DIR", "")
    fresh = load_catalog(data)
    monkeypatch.setenv("REHABPLAN_CACHE_DIR", str(cache))
    load_catalog(data)  # stores it
    (stored,) = _stored(cache)
    key = stored.name.rsplit("-", 1)[1].removesuffix(".json")
    validated = pydantic.TypeAdapter(Catalog).validate_json(load_entry("catalog", key, 20_000_000))

    def refuse(*args, **kwargs):
        raise AssertionError("validated a cached catalog again")

    monkeypatch.setattr(pydantic, "TypeAdapter", refuse)
    built = load_catalog(data)
    _same_types(built, validated)
    assert built == fresh


def test_a_cached_catalog_builds_each_exercise_when_first_used_and_travels_as_plain_data(cache, data):
    """A hit builds an exercise only when it is asked for, the same object each time after; the
    catalog pickles (as a process pool sends it) into plain dicts equal to it."""
    import pickle

    load_catalog(data)
    cached = load_catalog(data)
    first = cached.exercises["hip-clamshell"]
    assert cached.exercises["hip-clamshell"] is first
    assert "no-such-exercise" not in cached.exercises
    with pytest.raises(KeyError):
        cached.exercises["no-such-exercise"]
    copy = pickle.loads(pickle.dumps(cached))
    assert type(copy.exercises) is dict and type(copy.protocols) is dict
    assert copy == cached


def test_a_hit_reads_no_toml(cache, data, monkeypatch):
    """With a warm cache the TOML files are not parsed again."""
    load_catalog(data)
    import tomllib

    def refuse(*args, **kwargs):
        raise AssertionError("parsed TOML despite a cached catalog")

    monkeypatch.setattr(tomllib, "load", refuse)
    monkeypatch.setattr(tomllib, "loads", refuse)
    assert load_catalog(data).protocols


def test_edited_data_file_is_never_served_stale(cache, data):
    """Changing one data file (even keeping its size) gives the new value, not the cached one."""
    before = load_catalog(data)
    path = data / "exercises" / "hip-clamshell.toml"
    text = path.read_text(encoding="utf-8")
    old_name = before.exercises["hip-clamshell"].name
    new_name = old_name[:-1] + ("X" if old_name[-1] != "X" else "Y")
    path.write_text(text.replace(f'name = "{old_name}"', f'name = "{new_name}"', 1), encoding="utf-8")
    assert load_catalog(data).exercises["hip-clamshell"].name == new_name


def test_added_file_is_seen(cache, data):
    """A new exercise file appears although the other files are unchanged."""
    load_catalog(data)
    shutil.copy(data / "exercises" / "hip-clamshell.toml", data / "exercises" / "zz-extra.toml")
    with pytest.raises(DataError) as err:
        load_catalog(data)
    assert "exercises/zz-extra.toml: id: duplicate id 'hip-clamshell'" in str(err.value)


def test_broken_data_gives_the_same_lines_and_is_not_cached(cache, data, monkeypatch):
    """A broken folder reports the same problems with or without a cache, and nothing is stored."""
    (data / "templates" / "rules" / "ramp.toml").write_text("not = [valid", encoding="utf-8")
    (data / "exercises" / "hip-clamshell.toml").write_text('id = "clamshell"\n', encoding="utf-8")
    with pytest.raises(DataError) as cached_err:
        load_catalog(data)
    assert _stored(cache) == []
    monkeypatch.setenv("REHABPLAN_CACHE_DIR", "")
    with pytest.raises(DataError) as plain_err:
        load_catalog(data)
    assert cached_err.value.problems == plain_err.value.problems
    assert any(line.startswith("templates/rules/ramp.toml: not valid TOML") for line in plain_err.value.problems)


def test_corrupt_or_foreign_cache_file_is_ignored(cache, data, monkeypatch):
    """A truncated cache file, or one holding another key, falls back to reading the data."""
    good = load_catalog(data)
    (stored,) = _stored(cache)
    stored.write_bytes(stored.read_bytes()[:100])
    assert load_catalog(data) == good
    (stored,) = _stored(cache)
    key = stored.name.rsplit("-", 1)[1].removesuffix(".json")
    catalog_cache.store(key, "not a catalog")
    assert load_catalog(data) == good


def test_unusable_cache_folder_is_silent(tmp_path, data, monkeypatch):
    """A cache path that is a file (so nothing can be written there) still loads the catalog."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("REHABPLAN_CACHE_DIR", str(blocker / "cache"))
    assert load_catalog(data).protocols
    assert blocker.read_text() == "a file, not a folder"


def test_empty_setting_turns_the_cache_off(tmp_path, monkeypatch):
    """REHABPLAN_CACHE_DIR set to nothing writes no cache anywhere."""
    monkeypatch.setenv("REHABPLAN_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert catalog_cache.cache_dir() is None
    load_catalog()
    assert not (tmp_path / "xdg").exists()


def test_default_folder_follows_xdg_then_home(tmp_path, monkeypatch):
    """Without REHABPLAN_CACHE_DIR the cache lives under $XDG_CACHE_HOME, else ~/.cache."""
    monkeypatch.delenv("REHABPLAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert catalog_cache.cache_dir() == tmp_path / "xdg" / "rehabplan"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert catalog_cache.cache_dir() == tmp_path / "home" / ".cache" / "rehabplan"


def test_old_entries_are_pruned(cache, data):
    """At most a handful of catalogs are kept, however often the data changes."""
    path = data / "exercises" / "hip-clamshell.toml"
    text = path.read_text(encoding="utf-8")
    for i in range(12):
        path.write_text(text + f"\n# edit {i}\n", encoding="utf-8")
        load_catalog(data)
    assert 1 <= len(_stored(cache)) <= 8


def test_files_changing_during_a_read_are_not_cached(cache, data, monkeypatch):
    """When the data changes between hashing and reading, the catalog is returned but not stored."""
    keys = iter(["first", "second"])
    monkeypatch.setattr(catalog_cache, "data_key", lambda files: next(keys))
    assert load_catalog(data).protocols
    assert _stored(cache) == []


def test_a_planted_entry_is_never_trusted_and_a_pickle_never_runs(cache, data, tmp_path):
    """A catalog file written by someone else (changed content, no valid signature) is ignored,
    so a planted catalog cannot skip the checks; a planted pickle is never loaded and is removed."""
    import os
    import pickle

    good = load_catalog(data)
    (stored,) = _stored(cache)
    mac, _, body = stored.read_bytes().partition(b"\n")
    forged = body.replace(good.exercises["hip-clamshell"].name.encode(), b"Planted name")
    assert forged != body
    stored.write_bytes(mac + b"\n" + forged)
    assert load_catalog(data) == good
    stored.write_bytes(b"0" * 64 + b"\n" + forged)
    assert load_catalog(data) == good

    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    planted = cache / stored.name.replace(".json", ".pickle")
    planted.write_bytes(pickle.dumps(Boom()))
    (data / "exercises" / "hip-clamshell.toml").write_text(
        (data / "exercises" / "hip-clamshell.toml").read_text(encoding="utf-8") + "\n# edit\n", encoding="utf-8"
    )
    load_catalog(data)
    load_catalog(data)
    assert not marker.exists()
    assert not planted.exists()  # old formats are removed when a new entry is kept


def test_a_key_others_can_read_turns_the_cache_off(cache, data):
    """The signing key must be this user's alone; if others can read it, no entry is trusted."""
    import os

    good = load_catalog(data)
    key = cache / "key"
    assert key.stat().st_mode & 0o777 == 0o600
    os.chmod(key, 0o644)
    (stored,) = _stored(cache)
    mac, _, body = stored.read_bytes().partition(b"\n")
    stored.write_bytes(mac + b"\n" + body.replace(good.exercises["hip-clamshell"].name.encode(), b"Planted name"))
    assert load_catalog(data) == good


def test_entries_of_other_versions_are_removed(cache, data):
    load_catalog(data)
    old = cache / "catalog-0.0.1-0123456789abcdef.json"
    old.write_text("{}", encoding="utf-8")
    (data / "exercises" / "hip-clamshell.toml").write_text(
        (data / "exercises" / "hip-clamshell.toml").read_text(encoding="utf-8") + "\n# edit\n", encoding="utf-8"
    )
    load_catalog(data)
    assert not old.exists() and len(_stored(cache)) == 2


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_device_as_a_data_file_is_refused_at_once(cache, data, kind):
    """With the cache on, a named pipe or /dev/zero in place of a rule file is reported, not read
    (reading it would wait for ever or never end)."""
    import os
    import signal

    target = data / "templates" / "rules" / "advice.toml"
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")

    def too_slow(*_: object) -> None:
        raise TimeoutError("load_catalog hung on a data file that is not a regular file")

    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(20)
    try:
        with pytest.raises(DataError) as err:
            load_catalog(data)
    finally:
        signal.alarm(0)
    assert "templates/rules/advice.toml: not a regular file" in "\n".join(err.value.problems)
