"""The shipped exercise library: every file is a valid, self-consistent exercise."""

from __future__ import annotations

import re
import tomllib

import pytest

from rehabplan.catalog import default_root
from rehabplan.catalog.models import Exercise, Joint, Position, Target

EXERCISES = default_root() / "exercises"
SOURCES = default_root() / "templates" / "rules" / "sources.toml"
TEMPLATES = default_root() / "templates"
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
        keys = [(c.condition, c.site) for c in ex.caution]
        assert len(set(keys)) == len(keys), f"{ex.id}: one caution per condition (and site)"
        for cond in cautioned:
            sites = {c.site for c in ex.caution if c.condition == cond}
            assert None not in sites or sites == {None}, f"{ex.id}: {cond}: a caution for every site and one per site"


# Words that tie a bursitis caution to one site: front of the kneecap, or the inner shin.
SITE_WORDS = {"prepatellar": ("kneecap", "kneel"), "pes-anserine": ("inner shin", "inner-shin", "hamstring")}


def test_cautions_name_the_site_they_were_written_for(library):
    """A caution's site is one its condition has, and a note about one site is filed under that site."""
    sites = {}
    for path in sorted(TEMPLATES.glob("*.toml")):
        proto = tomllib.loads(path.read_text("utf-8"))
        if proto.get("site"):
            sites.setdefault(proto["condition"], set()).add(proto["site"])
    for ex in library.values():
        for c in ex.caution:
            assert c.site is None or c.site in sites.get(c.condition, set()), (ex.id, c.condition, c.site)
            if c.condition not in sites:
                continue
            note = c.note.lower()
            for site, words in SITE_WORDS.items():
                if any(w in note for w in words):
                    assert c.site == site, f"{ex.id}: caution {c.note!r} is about the {site} site"


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
    airborne = {  # these frames leave the floor on purpose
        ("knee-hops", "Bounce on two feet"),
        ("knee-hops", "Then hop on one foot"),
        ("knee-pogo", "Spring up a few centimetres"),
        ("knee-hops-single", "Hop straight up and down"),
        ("knee-hops-forward", "Jump forward, arms swing through"),
    }
    assert airborne <= {(ex.id, f.label) for ex in library.values() for f in ex.pose.frames}
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


# --------------------------------------------------------------------------- body positions

# Words in an exercise's own text (name, cues, progression, regression) that put the body in a
# position. A simple keyword check: each match implies the position must be listed, and each
# listed position must be named somewhere in that text.
POSITION_WORDS = {
    Position.STANDING: r"\bstand(ing|s)?\b",
    Position.SEATED: r"\bsit(ting)?,? (on|in|tall|near|and|or|with)\b|\bseated\b",
    Position.SUPINE: r"\bon your back\b",
    Position.PRONE: r"\bface down\b|\bon your (front|stomach|tummy)\b",
    Position.SIDE_LYING: r"\bon your side\b",
    Position.KNEELING: r"(?<!half-)\bkneel(s|ing)?\b",
    Position.HALF_KNEELING: r"\bhalf-kneel(ing)?\b",
    Position.QUADRUPED: r"\bhands and knees\b|\ball fours\b",
}
NEGATION = re.compile(r"\b(no|not|never|without|instead of|rather than)\b(\W+\w+){0,2}\W*$")


def _card_text(ex: Exercise) -> str:
    return " ".join((ex.name, *ex.cues, ex.progression, ex.regression)).lower()


def _named_positions(ex: Exercise) -> set[Position]:
    """The positions the card's own words put the body in ('never kneel' does not count)."""
    text = _card_text(ex)
    found = set()
    for pos, pattern in POSITION_WORDS.items():
        for m in re.finditer(pattern, text):
            if not NEGATION.search(text[max(0, m.start() - 40) : m.start()]):
                found.add(pos)
    return found


def test_position_words_are_read_as_meant():
    """The keyword check itself: what it finds, and what it leaves alone."""

    def named(*cues: str) -> set[str]:
        ex = Exercise.model_validate(
            tomllib.loads((EXERCISES / "knee-heel-slide.toml").read_text("utf-8")) | {"cues": cues}
        )
        return {p.value for p in _named_positions(ex)}  # heel slide's other text names none

    assert named("Lie face down.", "Bend the knee.") == {"prone"}
    assert named("Kneel on a mat on hands and knees.", "Reach.") == {"kneeling", "quadruped"}
    assert named("Go into half-kneeling.", "Tuck the pelvis.") == {"half-kneeling"}
    assert named("Sit back with the shins upright.", "Hold.") == set()  # a squat, not a chair
    assert named("Never kneel on the sore knee.", "Stand tall.") == {"standing"}


def test_positions_match_the_cues(library):
    """Every position the card's words describe is listed, and every listed one is described."""
    for ex in library.values():
        listed = set(ex.positions)
        assert len(listed) == len(ex.positions), f"{ex.id}: a position is listed twice"
        named = _named_positions(ex)
        assert named <= listed, f"{ex.id}: the text puts the body {sorted(named - listed)} but positions omit it"
        assert listed <= named, f"{ex.id}: positions list {sorted(listed - named)} but no cue or version says so"


# Positions that press on or load the front of the kneecap (prepatellar bursitis).
KNEECAP_LOADING = {Position.KNEELING, Position.HALF_KNEELING, Position.QUADRUPED, Position.PRONE}


def test_kneecap_friendly_options_exist(library):
    """Without kneeling, all-fours or face-down work there are still core and hamstring options."""
    free = {ex.id: ex for ex in library.values() if not set(ex.positions) & KNEECAP_LOADING}
    core = {i for i, ex in free.items() if ex.target is Target.CORE}
    assert len(core) >= 3, core
    assert {"core-dead-bug", "core-side-plank"} <= core
    assert "knee-hamstring-curl" in free, "the hamstring curl needs no face-down position"
    assert Position.PRONE in library["core-front-plank"].positions
    assert {Position.KNEELING, Position.QUADRUPED} <= set(library["core-bird-dog"].positions)


# --------------------------------------------------------------------------- protocols


def _protocols() -> list[dict]:
    return [tomllib.loads(p.read_text("utf-8")) for p in sorted(TEMPLATES.glob("*.toml"))]


def test_every_exercise_a_protocol_uses_exists(library):
    """Each exercise id named by a protocol phase has its own file in exercises/."""
    for proto in _protocols():
        for phase in proto["phases"]:
            for sched in phase.get("exercises", []):
                assert sched["id"] in library, f"{proto['id']}: phase {phase['id']}: no exercise {sched['id']!r}"


def test_front_of_kneecap_protocol_needs_no_kneeling_or_face_down_work(library):
    """The prepatellar plan schedules nothing done kneeling, half-kneeling, on all fours or face down."""
    prepatellar = [p for p in _protocols() if p.get("site") == "prepatellar"]
    assert prepatellar
    for proto in prepatellar:
        ruled_out = KNEECAP_LOADING | {Position(x) for x in proto.get("exclude_positions", [])}
        for phase in proto["phases"]:
            for sched in phase.get("exercises", []):
                bad = set(library[sched["id"]].positions) & ruled_out
                assert not bad, f"{proto['id']}: {sched['id']} is done {sorted(bad)}"
