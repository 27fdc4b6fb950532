"""Vector illustrations drawn from data: exercise stick figures and the knee diagram.

Everything here is generated in code from the pose data in `exercises/` (D8); no image files are
used. Drawings are black and grey only, so they print clearly in black and white.

Pose data is in a 100 x 100 box with y pointing up. Near-side limbs are dark, far-side limbs grey;
arms hang from `shoulder` (or `neck`), legs from `pelvis`. Each frame is scaled to fit its panel,
with the same scale for every frame of a pose so the frames compare. How props are read:

- `floor`: a line from (x, y), w long (or to x2, y2 for a slope); level floors and `mat`
  strips run to the panel edges.
- `wall`, `step`, `box`: a rectangle x, y, w, h. `bench`: legs from y, top surface at y + h.
- `chair`: seat w wide with its top at y + h; the backrest rises from the seat at x2 (default x).
- `band`, `arrow`: from (x, y) to (x2, y2). `ball`: centred on (x, y), w across.
- `bike`: an exercise bike in the box x, y, w, h; saddle near (x + 0.22 w, y + 0.62 h), pedal
  crank at (x + 0.45 w, y + 0.24 h), bars at (x + 0.9 w, y + 0.92 h).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Group, Line, Path, Polygon, PolyLine, Rect, String
from reportlab.lib.colors import Color, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from ...catalog.models import Joint, KneeRegion, Pose, PoseFrame, Prop, PropKind
from ...wording import booklet as words

__all__ = ["figure_fill", "figure_size", "knee_diagram", "pose_drawing", "rect"]

_INK = Color(0.08, 0.08, 0.08)  # near-side limbs, trunk, head
_FAR = Color(0.56, 0.56, 0.56)  # far-side limbs
_PROP_FILL = Color(0.87, 0.87, 0.87)
_PROP_LINE = Color(0.62, 0.62, 0.62)
_MOTION = Color(0.42, 0.42, 0.42)  # motion arrows, arrows between panels
_PANEL = Color(0.8, 0.8, 0.8)
_LABEL = Color(0.15, 0.15, 0.15)

_MARGIN = 4.0  # pose units kept free around the figure and its props
_HEAD_R = 5.2
_LIMB_W = 3.3
_TRUNK_W = 3.9
_STROKE_SCALE = 1.5  # points per pose unit, the most lines are thickened (a big figure lying down)


def rect(x: float, y: float, width: float, height: float, **style: Any) -> Rect:
    """A Rect with its style (reportlab's type stubs miss the unpacking of Rect's keywords)."""
    return Rect(x, y, width, height, **style)


def _font_ok(font: str) -> str:
    """The font if reportlab knows it, else Helvetica (always available)."""
    try:
        stringWidth("x", font, 8)
    except KeyError:
        return "Helvetica"
    return font


class _Frame:
    """Maps pose units (y up) into one panel: the pose's content box, scaled to fit and centred."""

    def __init__(self, x0: float, y0: float, w: float, h: float, box: tuple[float, float, float, float]) -> None:
        bx0, by0, bx1, by1 = box
        self.scale = min(w / (bx1 - bx0), h / (by1 - by0))
        self.cx, self.cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        self.mx, self.my = x0 + w / 2, y0 + h / 2
        half = w / 2 / self.scale
        self.x_min, self.x_max = self.cx - half, self.cx + half  # visible pose units, left to right

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return self.mx + (x - self.cx) * self.scale, self.my + (y - self.cy) * self.scale

    def len(self, v: float) -> float:
        return v * self.scale

    def stroke(self, v: float) -> float:
        """A line's width: it grows with the figure, up to the weight of a figure a panel high."""
        return v * min(self.scale, _STROKE_SCALE)


_LINES = (PropKind.FLOOR, PropKind.BAND, PropKind.ARROW)  # drawn from (x, y) to (x2, y2)


def _is_ground(p: Prop) -> bool:
    """Floors and mats run off the panel edges, so they never set the picture's size."""
    if p.kind is PropKind.MAT:
        return True
    return p.kind is PropKind.FLOOR and (p.y2 is None or p.y2 == p.y) and (p.x2 is None or p.x2 >= p.x)


def _end(p: Prop) -> tuple[float, float]:
    """Where a prop ends: its own x2/y2 where given, else its corner at x + w, y + h."""
    return (p.x2 if p.x2 is not None else p.x + p.w, p.y2 if p.y2 is not None else p.y + p.h)


def _content_box(pose: Pose, *, tight: bool = False) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1, pose units) holding every frame's figure and props, plus a margin.

    A tight box has no margin and is never enlarged: it is what the figure really covers.
    """
    xs: list[float] = []
    ys: list[float] = []
    for frame in pose.frames:
        for p in frame.points:
            r = _HEAD_R + 1 if p.joint is Joint.HEAD else _LIMB_W / 2
            xs += [p.x - r, p.x + r]
            ys += [p.y - r, p.y + r]
        for pr in frame.props:
            if _is_ground(pr):
                ys += [pr.y - 1, pr.y + pr.h]
                continue
            if pr.kind in _LINES:
                x2, y2 = _end(pr)
            elif pr.kind is PropKind.BALL:
                r = max(pr.w, 4.0) / 2
                x2, y2 = pr.x + r, pr.y + r
                xs.append(pr.x - r)
                ys.append(pr.y - r)
            elif pr.kind is PropKind.CHAIR:
                x2, y2 = pr.x + pr.w, pr.y + pr.h * 1.95
                if pr.x2 is not None:  # the backrest may stand outside the seat
                    xs += [pr.x2 - 2, pr.x2 + 2]
            else:
                x2, y2 = pr.x + pr.w, pr.y + pr.h
                if pr.kind is PropKind.BIKE:  # the flywheel's radius follows the height
                    xs += [pr.x + 0.8 * pr.w - 0.2 * pr.h, pr.x + 0.8 * pr.w + 0.2 * pr.h]
            xs += [pr.x, x2]
            ys += [pr.y, y2]
    if tight:
        return min(xs), min(ys), max(xs), max(ys)
    m = _MARGIN
    x0, x1, y0, y1 = min(xs) - m, max(xs) + m, min(ys) - m, max(ys) + m
    # never zoom in more than 1.6 times the plain 100 x 100 box: a small figure is given room
    # around it, keeping its shape (a figure lying down stays a wide, low box)
    minimum = 100 / 1.6
    grow = minimum / max(x1 - x0, y1 - y0)
    if grow > 1:
        cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * grow / 2, (y1 - y0) * grow / 2
        x0, x1, y0, y1 = cx - hw, cx + hw, cy - hh, cy + hh
    return x0, y0, x1, y1


def _poly(points: Sequence[tuple[float, float]], color: Color, width: float) -> PolyLine:
    flat = [c for p in points for c in p]
    return PolyLine(flat, strokeColor=color, strokeWidth=width, strokeLineCap=1, strokeLineJoin=1)


def _arrow(x1: float, y1: float, x2: float, y2: float, color: Color, width: float) -> Group:
    g = Group()
    dx, dy = x2 - x1, y2 - y1
    d = math.hypot(dx, dy) or 1.0
    ux, uy = dx / d, dy / d
    head = min(max(width * 3.2, d * 0.18), width * 4.5, d * 0.6)
    bx, by = x2 - ux * head, y2 - uy * head
    g.add(
        Line(x1, y1, bx + ux * head * 0.3, by + uy * head * 0.3, strokeColor=color, strokeWidth=width, strokeLineCap=1)
    )
    px, py = -uy * head * 0.55, ux * head * 0.55
    g.add(
        Polygon(
            [x2, y2, bx + px, by + py, bx - px, by - py],
            fillColor=color,
            strokeColor=color,
            strokeWidth=width * 0.4,
            strokeLineJoin=1,
        )
    )
    return g


# --------------------------------------------------------------------------- props


def _prop(p: Prop, f: _Frame) -> Group:
    """One prop in light grey (motion arrows a little darker)."""
    g = Group()
    thin = f.stroke(0.9)
    x, y = f.pt(p.x, p.y)
    w, h = f.len(p.w), f.len(p.h)
    x2, y2 = f.pt(*_end(p))

    def block(rx: float, ry: float, rw: float, rh: float, fill: Color = _PROP_FILL) -> None:
        g.add(
            rect(rx, ry, max(rw, thin), max(rh, thin), fillColor=fill, strokeColor=_PROP_LINE, strokeWidth=thin * 0.6)
        )

    kind = p.kind
    if _is_ground(p):  # clipped to the panel
        inset = 1.5
        lo = max(p.x, f.x_min + inset)
        hi = min(_end(p)[0], f.x_max - inset)
        if hi > lo:
            x, y = f.pt(lo, p.y)
            if kind is PropKind.MAT:
                block(x, y, f.len(hi - lo), h if p.h else f.len(1.6), Color(0.78, 0.78, 0.78))
            else:
                g.add(
                    Line(x, y, f.pt(hi, p.y)[0], y, strokeColor=_PROP_LINE, strokeWidth=f.stroke(1.4), strokeLineCap=1)
                )
    elif kind is PropKind.FLOOR:
        g.add(Line(x, y, x2, y2, strokeColor=_PROP_LINE, strokeWidth=f.stroke(1.4), strokeLineCap=1))
    elif kind in (PropKind.WALL, PropKind.STEP, PropKind.BOX):
        block(x, y, w, h)
    elif kind is PropKind.BENCH:
        top = f.len(3.0)
        block(x, y + h - top, w, top)
        leg = f.len(2.0)
        block(x + f.len(2), y, leg, h - top)
        block(x + w - f.len(2) - leg, y, leg, h - top)
    elif kind is PropKind.CHAIR:
        seat = f.len(2.6)
        leg = f.len(1.8)
        back_x = x2 if p.x2 is not None else x
        block(x, y + h - seat, w, seat)  # seat, its top at y + h
        block(x + f.len(0.5), y, leg, h - seat)
        block(x + w - f.len(0.5) - leg, y, leg, h - seat)
        block(back_x - (leg if back_x > x + w / 2 else 0), y + h - seat, leg, h * 0.95)
    elif kind is PropKind.BAND:
        g.add(
            Line(
                x,
                y,
                x2,
                y2,
                strokeColor=_FAR,
                strokeWidth=f.stroke(1.3),
                strokeLineCap=1,
                strokeDashArray=[f.stroke(2.2), f.stroke(1.4)],
            )
        )
    elif kind is PropKind.BALL:
        r = f.len(max(p.w, 4.0)) / 2
        g.add(Circle(x, y, r, fillColor=_PROP_FILL, strokeColor=_PROP_LINE, strokeWidth=thin))
    elif kind is PropKind.BIKE:
        # x, y: floor at the rear foot; w, h: overall size. Saddle, bars and crank follow from them.
        lw = f.stroke(2.0)
        saddle = (x + w * 0.22, y + h * 0.62)
        bars = (x + w * 0.9, y + h * 0.92)
        crank = (x + w * 0.45, y + h * 0.24)
        wheel = (x + w * 0.8, y + h * 0.26)
        g.add(Line(x, y, x + w, y, strokeColor=_PROP_LINE, strokeWidth=lw, strokeLineCap=1))
        g.add(_poly([(x + w * 0.2, y), saddle], _PROP_LINE, lw))
        g.add(_poly([(x + w * 0.16, saddle[1]), (x + w * 0.3, saddle[1])], _PROP_LINE, lw * 1.4))
        g.add(_poly([crank, (x + w * 0.62, y + h * 0.75), bars], _PROP_LINE, lw))
        g.add(_poly([(x + w * 0.62, y + h * 0.75), (x + w * 0.85, y)], _PROP_LINE, lw))
        g.add(Circle(wheel[0], wheel[1], h * 0.2, fillColor=None, strokeColor=_PROP_LINE, strokeWidth=lw))
        g.add(Circle(crank[0], crank[1], f.len(2.0), fillColor=_PROP_FILL, strokeColor=_PROP_LINE, strokeWidth=thin))
    elif kind is PropKind.ARROW:
        g.add(_arrow(x, y, x2, y2, _MOTION, f.stroke(1.2)))
    return g


# --------------------------------------------------------------------------- figure


_NEAR_ARM = (Joint.ELBOW, Joint.HAND)
_FAR_ARM = (Joint.ELBOW_FAR, Joint.HAND_FAR)
_NEAR_LEG = (Joint.KNEE, Joint.ANKLE, Joint.TOE)
_FAR_LEG = (Joint.KNEE_FAR, Joint.ANKLE_FAR, Joint.TOE_FAR)


def _chain(
    start: tuple[float, float], joints: Iterable[Joint], at: dict[Joint, tuple[float, float]]
) -> list[tuple[float, float]]:
    pts = [start]
    for j in joints:
        if j not in at:
            break
        pts.append(at[j])
    return pts


def _figure(frame: PoseFrame, f: _Frame) -> Group:
    """Props, then far limbs, trunk and head, near limbs, and motion arrows on top."""
    g = Group()
    for prop in frame.props:
        if prop.kind is not PropKind.ARROW:
            g.add(_prop(prop, f))
    at = {p.joint: f.pt(p.x, p.y) for p in frame.points}
    neck, pelvis, head = at[Joint.NECK], at[Joint.PELVIS], at[Joint.HEAD]
    shoulder = at.get(Joint.SHOULDER, neck)
    limb, trunk = f.stroke(_LIMB_W), f.stroke(_TRUNK_W)

    def draw(chain: list[tuple[float, float]], color: Color, width: float) -> None:
        if len(chain) > 1:
            g.add(_poly(chain, color, width))

    # far side first, so the near side is drawn over it
    draw(_chain(shoulder, _FAR_ARM, at), _FAR, limb)
    draw(_chain(pelvis, _FAR_LEG, at), _FAR, limb)
    draw([pelvis, shoulder, neck], _INK, trunk)
    r = f.len(_HEAD_R)
    hx, hy = head
    nx, ny = neck
    d = math.hypot(hx - nx, hy - ny)
    if d > r:  # neck line up to the edge of the head
        draw([neck, (hx - (hx - nx) * r / d, hy - (hy - ny) * r / d)], _INK, limb)
    g.add(Circle(hx, hy, r, fillColor=white, strokeColor=_INK, strokeWidth=f.stroke(1.9)))
    draw(_chain(pelvis, _NEAR_LEG, at), _INK, limb)
    draw(_chain(shoulder, _NEAR_ARM, at), _INK, limb)
    for prop in frame.props:
        if prop.kind is PropKind.ARROW:
            g.add(_prop(prop, f))
    return g


def _exact_fit(lines: list[str], max_w: float, font: str) -> float:
    """The largest font size at which every line fits max_w (slightly under, for rounding)."""
    widest = max(stringWidth(t, font, 1.0) for t in lines)
    return max_w / widest * 0.995 if widest > 0 else 1e9


def _label(text: str, cx: float, y: float, max_w: float, size: float, font: str) -> String:
    """One line of centred text, shrunk until it fits max_w."""
    size = min(size, _exact_fit([text], max_w, font))
    return String(cx, y, text, fontName=font, fontSize=size, fillColor=_LABEL, textAnchor="middle")


def _fit(text: str, max_w: float, size: float, font: str) -> tuple[list[str], float]:
    """Lines and font size for a panel label: one line if it fits at a readable size, else two."""
    s = size
    while s >= 5.5:
        if stringWidth(text, font, s) <= max_w:
            return [text], s
        s -= 0.5
    words = text.split()
    if len(words) < 2:
        lines = [text]
    else:
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        lines = list(min(splits, key=lambda p: max(stringWidth(t, font, size) for t in p)))
    return lines, min(size, _exact_fit(lines, max_w, font))


class _Layout(NamedTuple):
    """Where a pose's panels go in a drawing: n panels, gap apart, captions label_h high below."""

    n: int
    gap: float
    panel_w: float
    panel_h: float
    label_h: float
    label_size: float
    fits: list[tuple[list[str], float]]


_INSET = 0.6  # the panel's outline, inside its box
_PAD = 2 * _INSET  # the figure's room, inside the outline


def _layout(pose: Pose, width: float, height: float, font: str) -> _Layout:
    n = len(pose.frames)
    gap = min(16.0, width * 0.07) if n > 1 else 0.0
    label_size = max(5.0, min(8.0, height * 0.085))
    panel_w = max((width - gap * (n - 1)) / n, 1.0)
    fits = [_fit(f.label, panel_w - 2, label_size, font) for f in pose.frames]
    lines = max(len(t) for t, _ in fits)
    label_h = label_size * (1.6 if lines == 1 else 2.7)
    panel_h = max(height - label_h, 1.0)
    return _Layout(n, gap, panel_w, panel_h, label_h, label_size, fits)


@functools.lru_cache(maxsize=1024)  # the same cards in the same rooms, booklet after booklet
def figure_size(pose: Pose, max_w: float, max_h: float, *, font: str = "Helvetica") -> tuple[float, float]:
    """The largest drawing within max_w x max_h whose panels have the shape of the pose's content:
    wide and low for a figure lying down, narrow and tall for one standing."""
    font = _font_ok(font)
    x0, y0, x1, y1 = _content_box(pose)
    aspect = (x1 - x0) / (y1 - y0)
    # the captions' height depends on the drawing's size (a caption may take one line or two):
    # each size is settled in a few steps, keeping the largest, so the panels have room enough
    h, tall = max_h, 0.0
    for _ in range(6):  # as wide as allowed, as high as the panels need
        lay = _layout(pose, max_w, h, font)
        inner_w = (max_w - lay.gap * (lay.n - 1)) / lay.n - 2 * _PAD
        h = inner_w / aspect + 2 * _PAD + lay.label_h
        tall = max(tall, h)
    if tall <= max_h:
        return max_w, tall
    w, wide = max_w, 0.0
    for _ in range(6):  # too high: as high as allowed, as wide as the panels need
        lay = _layout(pose, w, max_h, font)
        inner_h = max_h - lay.label_h - 2 * _PAD
        w = lay.n * (inner_h * aspect + 2 * _PAD) + lay.gap * (lay.n - 1)
        wide = max(wide, w)
    return min(wide, max_w), max_h


def figure_fill(pose: Pose, width: float, height: float, *, font: str = "Helvetica") -> list[tuple[float, float]]:
    """For each panel of the drawing, how much of it the figure covers: its share of the panel in
    the dimension that limits it, and its share of the panel's area."""
    font = _font_ok(font)
    lay = _layout(pose, width, height, font)
    w, h = lay.panel_w - 2 * _PAD, lay.panel_h - 2 * _PAD
    f = _Frame(0, 0, w, h, _content_box(pose))
    tx0, ty0, tx1, ty1 = _content_box(pose, tight=True)
    cw, ch = (tx1 - tx0) * f.scale, (ty1 - ty0) * f.scale
    return [(max(cw / w, ch / h), cw * ch / (w * h))] * lay.n


def pose_drawing(pose: Pose, width: float, height: float, *, font: str = "Helvetica") -> Drawing:
    """Draw the pose's frames side by side: one labelled panel each, an arrow between panels."""
    font = _font_ok(font)
    d = Drawing(width, height)
    n, gap, panel_w, panel_h, label_h, label_size, fits = _layout(pose, width, height, font)
    box = _content_box(pose)
    for i, frame in enumerate(pose.frames):
        px = i * (panel_w + gap)
        inset = _INSET
        d.add(
            rect(
                px + inset,
                label_h + inset,
                panel_w - 2 * inset,
                panel_h - 2 * inset,
                rx=3,
                ry=3,
                fillColor=None,
                strokeColor=_PANEL,
                strokeWidth=0.6,
            )
        )
        pad = 2 * inset
        d.add(_figure(frame, _Frame(px + pad, label_h + pad, panel_w - 2 * pad, panel_h - 2 * pad, box)))
        texts, size = fits[i]
        top = label_h - label_size * 1.05
        for k, text in enumerate(texts):
            d.add(
                String(
                    px + panel_w / 2,
                    top - k * size * 1.15,
                    text,
                    fontName=font,
                    fontSize=size,
                    fillColor=_LABEL,
                    textAnchor="middle",
                )
            )
        if i < n - 1:
            ax = px + panel_w
            ay = label_h + panel_h / 2
            d.add(_arrow(ax + gap * 0.2, ay, ax + gap * 0.8, ay, _MOTION, max(0.8, gap * 0.07)))
    return d


# --------------------------------------------------------------------------- knee diagram

_BONE = Color(0.97, 0.97, 0.97)
_BONE_LINE = Color(0.25, 0.25, 0.25)
_TENDON = Color(0.8, 0.8, 0.8)


class _Box:
    """Maps a 100 x 100 diagram box (y up) into the drawing."""

    def __init__(self, x0: float, y0: float, size: float) -> None:
        self.s = size / 100.0
        self.x0, self.y0 = x0, y0

    def p(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + x * self.s, self.y0 + y * self.s


_PATH_OPS = {"M": ("moveTo", 2), "L": ("lineTo", 2), "C": ("curveTo", 6)}


def _shape(box: _Box, outline: str, fill: Color, width: float) -> Path:
    """A closed outline from 'M x y', 'L x y' and 'C x1 y1 x2 y2 x y' steps in the 100 x 100 box."""
    path = Path(fillColor=fill, strokeColor=_BONE_LINE, strokeWidth=width, strokeLineJoin=1, strokeLineCap=1)
    tokens = outline.split()
    i = 0
    while i < len(tokens):
        op, count = _PATH_OPS[tokens[i]]
        args = [float(t) for t in tokens[i + 1 : i + 1 + count]]
        getattr(path, op)(*(c for j in range(0, count, 2) for c in box.p(args[j], args[j + 1])))
        i += 1 + count
    path.closePath()
    return path


def _line_ellipse(
    x0: float, y0: float, dx: float, dy: float, cx: float, cy: float, rx: float, ry: float
) -> tuple[float, float] | None:
    """Parameters t where the line (x0, y0) + t (dx, dy) is inside the ellipse, or None."""
    ax, ay = (x0 - cx) / rx, (y0 - cy) / ry
    bx, by = dx / rx, dy / ry
    a = bx * bx + by * by
    b = 2 * (ax * bx + ay * by)
    c = ax * ax + ay * ay - 1
    disc = b * b - 4 * a * c
    if a == 0 or disc <= 0:
        return None
    r = math.sqrt(disc)
    return (-b - r) / (2 * a), (-b + r) / (2 * a)


def _hatch(
    box: _Box,
    outer: tuple[float, float, float, float],
    inner: tuple[float, float, float, float] | None,
    spacing: float,
    width: float,
) -> Group:
    """Diagonal hatching inside an ellipse (cx, cy, rx, ry), minus an optional inner ellipse."""
    g = Group()
    cx, cy, rx, ry = outer
    dx, dy = 1.0, 1.0  # 45 degree lines
    n = int((rx + ry) * 1.5 / spacing) + 2
    for k in range(-n, n + 1):
        # line through (cx + k * spacing * sqrt2, cy) along (1, 1)
        x0, y0 = cx + k * spacing * math.sqrt(2), cy
        span = _line_ellipse(x0, y0, dx, dy, cx, cy, rx, ry)
        if span is None:
            continue
        pieces = [span]
        if inner is not None:
            hole = _line_ellipse(x0, y0, dx, dy, *inner)
            if hole is not None:
                t0, t1 = span
                h0, h1 = max(hole[0], t0), min(hole[1], t1)
                pieces = [(a, b) for a, b in ((t0, h0), (h1, t1)) if b - a > 1e-6] if h0 < h1 else [span]
        for t0, t1 in pieces:
            p0 = box.p(x0 + dx * t0, y0 + dy * t0)
            p1 = box.p(x0 + dx * t1, y0 + dy * t1)
            g.add(Line(p0[0], p0[1], p1[0], p1[1], strokeColor=_INK, strokeWidth=width, strokeLineCap=1))
    return g


def _mark(
    box: _Box, outer: tuple[float, float, float, float], inner: tuple[float, float, float, float] | None = None
) -> Group:
    g = Group()
    g.add(_hatch(box, outer, inner, 3.2, box.s * 0.9))
    cx, cy, rx, ry = outer
    x, y = box.p(cx, cy)
    g.add(Ellipse(x, y, rx * box.s, ry * box.s, fillColor=None, strokeColor=_INK, strokeWidth=box.s * 1.8))
    if inner is not None:
        icx, icy, irx, iry = inner
        ix, iy = box.p(icx, icy)
        g.add(Ellipse(ix, iy, irx * box.s, iry * box.s, fillColor=None, strokeColor=_INK, strokeWidth=box.s * 1.2))
    return g


Ellipse4 = tuple[float, float, float, float]  # cx, cy, rx, ry in the 100 x 100 box


class _Outline(NamedTuple):
    fill: Color
    weight: float  # of the view's line width
    path: str
    outer_side: bool = False  # drawn only when the view shows the outer side


class _View(NamedTuple):
    outlines: tuple[_Outline, ...]
    kneecap: Ellipse4
    marks: dict[KneeRegion, tuple[Ellipse4, Ellipse4 | None]]  # outer ring and an optional hole


_FRONT = _View(
    (
        # thigh bone with its two condyles
        _Outline(
            _BONE,
            1,
            "M 42 100 L 42 70 C 41 63 31 60 30 53 C 29 47 34 44.5 39 45 C 44 45.5 46 48 50 48.5 "
            "C 54 48 56 45.5 61 45 C 66 44.5 71 47 70 53 C 69 60 59 63 58 70 L 58 100",
        ),
        # shin bone
        _Outline(
            _BONE, 1, "M 31 41.5 C 40 43 60 43 69 41.5 C 70 37 66 33 60 27 L 58 0 L 43 0 L 41 27 C 35 32 30 36 31 41.5"
        ),
        # fibula, on the outer side
        _Outline(_BONE, 1, "M 25.5 35 C 25 39 31 39.5 31.5 35.5 L 29.5 30 L 29.5 0 L 26.5 0 L 26.5 30"),
        # thigh tendon above and kneecap tendon below the kneecap
        _Outline(_TENDON, 0.6, "M 44 88 L 56 88 L 57 66 L 43 66"),
        _Outline(_TENDON, 0.6, "M 45.5 50 L 54.5 50 L 53.5 28 L 46.5 28"),
    ),
    kneecap=(50, 58, 9, 11),
    marks={
        KneeRegion.OUTER: ((30, 52, 7.5, 8.5), None),
        KneeRegion.AROUND_KNEECAP: ((50, 58, 15, 17), (50, 58, 9.5, 11.5)),
        KneeRegion.BELOW_KNEECAP: ((50, 45, 6.5, 6.5), None),
        KneeRegion.FRONT_OF_KNEECAP: ((50, 58, 11, 13), None),
        KneeRegion.INNER_SHIN: ((64, 30, 7, 6.5), None),
        KneeRegion.JOINT_LINE: ((50, 43.3, 24, 4.2), None),
        KneeRegion.WHOLE_KNEE: ((50, 50, 29, 24), None),
    },
)
# Side view with the front of the knee to the right; seen from the inner side for inner-shin.
_SIDE = _View(
    (
        # the fibula is on the outer side, behind the shin bone
        _Outline(_BONE, 1, "M 33.5 35 C 33 39.5 40 40 40.5 35.5 L 39 30 L 38.5 0 L 35.5 0 L 35.5 30", outer_side=True),
        # shin bone with the bump at the front where the tendon attaches
        _Outline(
            _BONE,
            1,
            "M 36 41.5 C 45 43.5 56 43.5 62 41.5 C 62 36 62 31 61 27 C 58 22 57 20 56 14 L 55 0 L 44 0 L 43 22 "
            "C 40 28 36 34 36 41.5",
        ),
        # thigh bone: shaft and the rounded end
        _Outline(_BONE, 1, "M 41 100 L 41 70 C 35 62 35 48 44 45.2 C 52 43.5 62 47 61 56 C 60 63 56 67 55 72 L 55 100"),
        _Outline(_TENDON, 0.6, "M 57 88 L 62 88 L 67 65 L 60 66"),
        _Outline(_TENDON, 0.6, "M 62.5 50 L 67 49 L 62.5 27 L 59.5 29"),
    ),
    kneecap=(64.5, 58, 4.5, 10),
    marks={
        KneeRegion.OUTER: ((47, 55, 7, 7.5), None),
        KneeRegion.AROUND_KNEECAP: ((64.5, 58, 9, 15), (64.5, 58, 5, 10.5)),
        KneeRegion.BELOW_KNEECAP: ((64.5, 46, 5, 6), None),
        KneeRegion.FRONT_OF_KNEECAP: ((71.5, 58, 5.5, 10), None),
        KneeRegion.INNER_SHIN: ((51, 31, 7, 6.5), None),
        KneeRegion.JOINT_LINE: ((49, 43.3, 15, 4.2), None),
        KneeRegion.WHOLE_KNEE: ((51, 50, 22, 24), None),
    },
)


def _knee_view(box: _Box, view: _View, region: KneeRegion) -> Group:
    """The bones and tendons of a view, the kneecap, then the painful region marked."""
    g = Group()
    w = box.s * 1.3
    outer_side = region is not KneeRegion.INNER_SHIN
    for outline in view.outlines:
        if outer_side or not outline.outer_side:
            g.add(_shape(box, outline.path, outline.fill, w * outline.weight))
    cx, cy, rx, ry = view.kneecap
    kx, ky = box.p(cx, cy)
    g.add(Ellipse(kx, ky, rx * box.s, ry * box.s, fillColor=_BONE, strokeColor=_BONE_LINE, strokeWidth=w))
    g.add(_mark(box, *view.marks[region]))
    return g


def knee_diagram(region: KneeRegion, width: float, height: float, *, font: str = "Helvetica") -> Drawing:
    """A front and a side view of the knee with the painful region hatched and outlined."""
    font = _font_ok(font)
    d = Drawing(width, height)
    label_size = max(5.0, min(8.0, height * 0.07))
    label_h = label_size * 1.7
    gap = width * 0.04
    panel_w = (width - gap) / 2
    size = max(min(panel_w, height - 2 * label_h), 1.0)
    y0 = label_h + (height - 2 * label_h - size) * 0.15  # the views sit just above their captions
    front_name, side_name, front_sides, side_sides = words.knee_views(region)
    for i, (title, view) in enumerate(((front_name, _FRONT), (side_name, _SIDE))):
        px = i * (panel_w + gap)
        box = _Box(px + (panel_w - size) / 2, y0, size)
        d.add(_knee_view(box, view, region))
        d.add(_label(title, px + panel_w / 2, label_size * 0.5, panel_w - 2, label_size, font))
    # which side is which: a word either side of the shin in each view
    room = max(0.22 * size + (panel_w - size) / 2 - 1, 0.5)
    small = min(label_size * 0.9, _exact_fit([*front_sides, *side_sides], room, font))
    for i, ((left, right), left_end, right_start) in enumerate(((front_sides, 24, 62), (side_sides, 33, 60))):
        px = i * (panel_w + gap)
        box = _Box(px + (panel_w - size) / 2, y0, size)
        xl, y = box.p(left_end, 11)
        xr = box.p(right_start, 11)[0]
        xl = max(xl, px + 1 + stringWidth(left, font, small))
        xr = min(xr, px + panel_w - 1 - stringWidth(right, font, small))
        d.add(String(xl, y, left, fontName=font, fontSize=small, fillColor=_LABEL, textAnchor="end"))
        d.add(String(xr, y, right, fontName=font, fontSize=small, fillColor=_LABEL, textAnchor="start"))
    return d
