"""The shipped exercise library: every file is a valid, self-consistent exercise."""

from __future__ import annotations

import tomllib

import pytest

from rehabplan.catalog import default_root
from rehabplan.catalog.models import Exercise, Joint, Target

EXERCISES = default_root() / "exercises"
SOURCES = default_root() / "templates" / "rules" / "sources.toml"
CONDITIONS = {"itbs", "runners-knee", "patellar-tendinopathy", "bursitis", "meniscus", "osteoarthritis"}
FILES = sorted(EXERCISES.iterdir(), key=lambda p: p.name) if EXERCISES.is_dir() else []


@pytest.fixture(scope="module")
def library() -> dict[str, Exercise]:
    """Every shipped exercise, validated straight from its TOML file."""
    out = {}
    for path in FILES:
        if path.name.endswith(".toml"):
            out[path.name.removesuffix(".toml")] = Exercise.model_validate(tomllib.loads(path.read_text("utf-8")))
    return out


@pytest.mark.parametrize("path", [p for p in FILES if p.name.endswith(".toml")], ids=lambda p: p.name)
def test_file_validates_and_is_named_by_its_id(path):
    """Each exercise file validates against the Exercise model and its stem is its id."""
    ex = Exercise.model_validate(tomllib.loads(path.read_text("utf-8")))
    assert path.name == f"{ex.id}.toml"


def test_library_is_large_and_covers_every_target(library):
    """At least 35 exercises, with core, hip, knee and stretch all represented."""
    assert len(library) >= 35
    assert {ex.target for ex in library.values()} == set(Target)


def test_only_toml_files_in_the_folder():
    """The exercises folder holds nothing but exercise files."""
    assert FILES and all(p.name.endswith(".toml") for p in FILES)


def test_cues_are_two_to_four_short_steps(library):
    """Every exercise has 2-4 how-to cues, each a short sentence."""
    for ex in library.values():
        assert 2 <= len(ex.cues) <= 4, ex.id
        assert all(len(c) <= 160 for c in ex.cues), ex.id


def test_avoid_and_caution_name_real_conditions(library):
    """Avoid and caution entries use condition ids, and never both for the same condition."""
    for ex in library.values():
        assert set(ex.avoid) <= CONDITIONS, ex.id
        cautioned = {c.condition for c in ex.caution}
        assert cautioned <= CONDITIONS, ex.id
        assert not cautioned & set(ex.avoid), ex.id
        assert len(cautioned) == len(ex.caution), f"{ex.id}: one caution per condition"


def test_sources_are_listed(library):
    """Every source key an exercise cites is in the sources file (or is the design default)."""
    known = {s["key"] for s in tomllib.loads(SOURCES.read_text("utf-8"))["sources"]}
    for ex in library.values():
        for key in ex.sources:
            assert key == "design-default" or key in known, (ex.id, key)


def test_doses_use_one_measure_and_sensible_sides(library):
    """Holds are seconds, bike time is minutes, and a per-side dose belongs to a one-sided move."""
    for ex in library.values():
        d = ex.dose
        assert [d.reps, d.hold_s, d.minutes].count(None) == 2, ex.id
        if "bike" in ex.equipment:
            assert d.minutes is not None, ex.id
    assert library["core-front-plank"].dose.per_side is False
    assert library["core-side-plank"].dose.per_side is True


def test_figures_rest_on_the_floor_or_a_support(library):
    """No body point sinks below the floor, and some body point rests on the floor or on a prop."""
    airborne = {("knee-hops", "Small springy bounce")}  # the bounce leaves the floor on purpose
    for ex in library.values():
        for frame in ex.pose.frames:
            floors = [p.y for p in frame.props if p.kind == "floor" and (p.y2 is None or p.y2 == p.y)]
            if not floors:
                continue
            lowest = min(p.y for p in frame.points)
            assert lowest >= max(floors) - 1.0, (ex.id, frame.label, "below the floor")
            if (ex.id, frame.label) in airborne:
                continue
            tops = floors + [p.y + p.h for p in frame.props if p.kind in ("bench", "chair", "step", "box")]
            sloped = [p for p in frame.props if p.kind == "floor" and p.y2 is not None and p.y2 != p.y]
            resting = any(0 <= q.y - t <= 9.0 for q in frame.points for t in tops)
            assert resting or sloped, (ex.id, frame.label, "floating")


def test_far_limbs_come_with_their_near_limbs(library):
    """A far-side joint is only given when its near-side counterpart is given too."""
    pairs = {
        Joint.ELBOW_FAR: Joint.ELBOW,
        Joint.HAND_FAR: Joint.HAND,
        Joint.KNEE_FAR: Joint.KNEE,
        Joint.ANKLE_FAR: Joint.ANKLE,
        Joint.TOE_FAR: Joint.TOE,
    }
    for ex in library.values():
        for frame in ex.pose.frames:
            have = {p.joint for p in frame.points}
            for far, near in pairs.items():
                assert far not in have or near in have, (ex.id, frame.label, far)
