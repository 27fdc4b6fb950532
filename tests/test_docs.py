"""The clinician guide's examples are real: they validate and load beside the shipped data."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

from rehabplan.catalog import default_root, load_catalog
from rehabplan.catalog.models import Exercise, Protocol

DOC = Path(__file__).resolve().parents[1] / "docs" / "clinical-data.md"


def _blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_guide_examples_validate_and_load(tmp_path):
    """The example exercise and protocol in the guide pass check-data in place of the shipped ones."""
    exercise_text, protocol_text = _blocks()
    Exercise.model_validate(tomllib.loads(exercise_text))
    proto = Protocol.model_validate(tomllib.loads(protocol_text))
    root = tmp_path / "data"
    for folder in ("templates", "exercises"):
        shutil.copytree(Path(str(default_root() / folder)), root / folder)
    (root / "templates" / f"{proto.id}.toml").write_text(protocol_text, encoding="utf-8")
    (root / "exercises" / "hip-clamshell.toml").write_text(exercise_text, encoding="utf-8")
    catalog = load_catalog(root)
    assert catalog.protocols[proto.id].name == proto.name


def test_readme_weeks_table_is_current():
    """The README's table of plan lengths is what the planner makes today."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / "weeks_table.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
