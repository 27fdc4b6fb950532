"""The installed package finds its data; a built wheel carries it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rehabplan.catalog import default_root

ROOT = Path(__file__).resolve().parents[1]


def test_data_root_has_both_folders():
    """The resolved data root holds templates/ and exercises/ with TOML files."""
    root = default_root()
    assert any(e.name.endswith(".toml") for e in (root / "templates").iterdir())
    assert any(e.name.endswith(".toml") for e in (root / "exercises").iterdir())


def test_python_dash_m_works():
    """`python -m rehabplan` behaves like the rehabplan command."""
    out = subprocess.run([sys.executable, "-m", "rehabplan", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("rehabplan ")


@pytest.mark.slow
def test_wheel_contains_data(tmp_path):
    """A built wheel carries rehabplan/templates and rehabplan/exercises."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("rehabplan-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("rehabplan/templates/") and n.endswith(".toml") for n in names)
    assert any(n.startswith("rehabplan/templates/rules/") for n in names)
    assert sum(n.startswith("rehabplan/exercises/") for n in names) >= 35


def test_an_older_python_is_told_the_version_it_needs():
    """Building on Python 3.9 stops with one line naming Python 3.11 (older pips otherwise only say
    a dependency has no matching version); this Python passes."""
    import importlib.util
    from pathlib import Path

    hook_file = Path(__file__).resolve().parents[1] / "hatch_build.py"
    spec = importlib.util.spec_from_file_location("hatch_build", hook_file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.check_python()
    with pytest.raises(SystemExit, match=r"rehabplan needs Python 3\.11 or newer; this is Python 3\.9\.18\."):
        module.check_python((3, 9, 18))
