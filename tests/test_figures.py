"""Exercise stick figures and knee diagrams: they render, stay in bounds and print in grey."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Group, PolyLine, Shape, String

from rehabplan.catalog import default_root
from rehabplan.catalog.models import Exercise, Joint, KneeRegion, Point, Pose, PoseFrame, Prop, PropKind
from rehabplan.render.pdf.figures import knee_diagram, pose_drawing

EXERCISE_FILES = sorted((default_root() / "exercises").glob("*.toml"))
SIZES = [(240.0, 120.0), (120.0, 150.0), (420.0, 80.0)]
EPS = 0.01


def _load(path) -> Exercise:
    return Exercise.model_validate(tomllib.loads(path.read_text("utf-8")))


def _shapes(node) -> list[Shape]:
    out = []
    for child in getattr(node, "contents", []):
        out += _shapes(child) if isinstance(child, Group) else [child]
    return out


def _in_bounds(d: Drawing) -> None:
    x0, y0, x1, y1 = d.getBounds()
    assert x0 >= -EPS and y0 >= -EPS, (x0, y0)
    assert x1 <= d.width + EPS and y1 <= d.height + EPS, (x1, y1, d.width, d.height)


def _colours(d: Drawing) -> set[tuple[float, float, float]]:
    out = set()
    for s in _shapes(d):
        for attr in ("strokeColor", "fillColor"):
            c = getattr(s, attr, None)
            if c is not None:
                out.add((round(c.red, 4), round(c.green, 4), round(c.blue, 4)))
    return out


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_every_exercise_pose_renders_inside_its_box(path):
    """Each shipped pose draws at several sizes, with every shape inside the drawing."""
    ex = _load(path)
    for w, h in SIZES:
        d = pose_drawing(ex.pose, w, h)
        assert isinstance(d, Drawing) and (d.width, d.height) == (w, h)
        _in_bounds(d)
    d = pose_drawing(ex.pose, 240, 120)
    assert all(r == g == b for r, g, b in _colours(d)), "greys only, so it prints in black and white"
    assert renderPDF.drawToString(d).startswith(b"%PDF")


@pytest.mark.parametrize("path", EXERCISE_FILES[:6], ids=lambda p: p.stem)
def test_each_frame_gets_its_label(path):
    """Every frame's label is printed once under its panel."""
    ex = _load(path)
    texts = [s.text for s in _shapes(pose_drawing(ex.pose, 300, 120)) if isinstance(s, String)]
    assert texts == [f.label for f in ex.pose.frames]


def test_far_side_limbs_are_lighter():
    """A figure whose only far limb is a leg draws that leg lighter than the near leg."""
    pts = {
        Joint.HEAD: (50, 90),
        Joint.NECK: (50, 80),
        Joint.PELVIS: (50, 50),
        Joint.KNEE: (55, 30),
        Joint.ANKLE: (55, 10),
        Joint.KNEE_FAR: (45, 30),
        Joint.ANKLE_FAR: (45, 10),
        Joint.TOE: (60, 8),
    }
    frame = PoseFrame(label="Stand", points=tuple(Point(joint=j, x=x, y=y) for j, (x, y) in pts.items()))
    d = pose_drawing(Pose(frames=(frame,)), 100, 100)
    legs = [s for s in _shapes(d) if isinstance(s, PolyLine) and len(s.points) >= 6]
    ends = {round(s.points[-2]): s.strokeColor.red for s in legs}
    # the near leg ends at the toe (x 60), the far leg at its ankle (x 45), mapped into the drawing
    near = max(ends.items())[1]
    far = min(ends.items())[1]
    assert near < far


@pytest.mark.parametrize("region", list(KneeRegion), ids=lambda r: r.value)
def test_every_knee_region_has_a_diagram(region):
    """Each knee region draws a front and side view, inside the box, in greys only."""
    for w, h in [(260.0, 150.0), (90.0, 60.0), (400.0, 120.0), (120.0, 220.0)]:
        _in_bounds(knee_diagram(region, w, h))
    d = knee_diagram(region, 260, 150)
    assert all(r == g == b for r, g, b in _colours(d))
    texts = [s.text for s in _shapes(d) if isinstance(s, String)]
    assert "Front" in texts and any(t.startswith("Side") for t in texts)
    assert renderPDF.drawToString(d).startswith(b"%PDF")


def test_knee_regions_are_marked_differently():
    """No two regions produce the same marking."""

    def fingerprint(region: KneeRegion) -> tuple:
        return tuple(
            (type(s).__name__, *(round(float(getattr(s, a, 0) or 0), 2) for a in ("cx", "cy", "rx", "ry", "x1", "y1")))
            for s in _shapes(knee_diagram(region, 200, 120))
        )

    prints = {fingerprint(r) for r in KneeRegion}
    assert len(prints) == len(KneeRegion)


_coord = st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def _frames(draw):
    joints = list(Joint)
    pts = tuple(Point(joint=j, x=draw(_coord), y=draw(_coord)) for j in joints)
    props = tuple(
        Prop(
            kind=draw(st.sampled_from(list(PropKind))),
            x=draw(_coord),
            y=draw(_coord),
            w=draw(st.floats(0, 100)),
            h=draw(st.floats(0, 100)),
            x2=draw(st.none() | _coord),
            y2=draw(st.none() | _coord),
        )
        for _ in range(draw(st.integers(0, 4)))
    )
    return PoseFrame(
        label=draw(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=60)).strip() or "x",
        points=pts,
        props=props,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=st.lists(_frames(), min_size=1, max_size=3), w=st.floats(40, 600), h=st.floats(30, 300))
def test_any_valid_pose_stays_inside_any_box(frames, w, h):
    """Whatever the pose data and the size asked for, nothing is drawn outside the drawing."""
    d = pose_drawing(Pose(frames=tuple(frames)), w, h)
    _in_bounds(d)
