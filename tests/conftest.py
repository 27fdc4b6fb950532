"""Shared fixtures: the shipped catalog, a CLI runner and golden-file comparison."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehabplan.catalog import Catalog, load_catalog

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped clinical catalog, loaded once."""
    return load_catalog()


@pytest.fixture()
def runner() -> CliRunner:
    """A CLI runner with a wide terminal, so messages never wrap."""
    return CliRunner(env={"COLUMNS": "200", "TZ": "Europe/London"})


@pytest.fixture()
def golden(request: pytest.FixtureRequest):
    """Compare bytes with tests/golden/<name>; rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden") or os.environ.get("REHABPLAN_UPDATE_GOLDEN") == "1"

    def check(name: str, actual: bytes) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual)
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        assert actual == path.read_bytes(), f"output differs from {path}; review and run pytest --update-golden"

    return check
