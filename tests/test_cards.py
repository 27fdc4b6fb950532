"""Exercise cards: words that read, figures that fill their frames and differ frame to frame,
pages packed with cards, and compact cards for a short handout."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math

import pytest
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Table

from rehabplan import PlanRequest, build_plan
from rehabplan.catalog import Catalog
from rehabplan.catalog.models import Pose, PropKind
from rehabplan.render.options import BookletOptions
from rehabplan.render.pdf import cards
from rehabplan.render.pdf import styles as st
from rehabplan.render.pdf.figures import figure_fill, figure_size
from rehabplan.render.pdf.flowables import Kit
from rehabplan.render.pdf.speedups import Figure

PAPERS = ("letter", "a4")
START = dt.date(2027, 3, 1)
CARD_STYLES = ("CardTitle", "CardLabel", "CardText", "CardBullet")
MOVE = 6.0  # pose units (of the 100 x 100 box) a joint must move between two frames


def _plan(catalog: Catalog, condition: str):
    return build_plan(PlanRequest(condition=condition, mileage=30, start=START), catalog)


def _kit(catalog: Catalog, condition: str, paper: str) -> Kit:
    return Kit(_plan(catalog, condition), BookletOptions(paper=paper))


def _walk(node: object) -> list[object]:
    """Every flowable inside a flowable, tables' cells included, in order."""
    out: list[object] = [node]
    if isinstance(node, (list, tuple)):
        return [x for item in node for x in _walk(item)]
    if isinstance(node, Table):
        for row in node._cellvalues:
            for cell in row:
                out += _walk(cell)
    return out


class _Measured(SimpleDocTemplate):
    """A document that notes how far down each page its flowables reached (0 to 1)."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.fill: list[float] = []

    def handle_pageEnd(self) -> None:
        f = self.frame
        top = f._y1 + f._height - f._topPadding
        bottom = f._y1 + f._bottomPadding
        self.fill.append((top - f._y) / (top - bottom))
        super().handle_pageEnd()


def _render(k: Kit, story: list[Flowable]) -> _Measured:
    story = list(story)  # the document uses the list up
    if story and type(story[0]) is PageBreak:  # the section's new page: no blank first page here
        story = story[1:]
    page = k.page
    doc = _Measured(
        io.BytesIO(),
        pagesize=page.size,
        leftMargin=page.left,
        rightMargin=page.right,
        topMargin=page.top,
        bottomMargin=page.bottom,
    )
    doc.build(story)
    return doc


# --------------------------------------------------------------------------- print that reads


@pytest.mark.parametrize("paper", PAPERS)
def test_card_words_and_labels_are_at_least_10_pt(catalog, paper):
    """The card styles, and every paragraph of every card but the small equipment line, are 10 pt
    or more."""
    k = _kit(catalog, "itbs", paper)
    for name in CARD_STYLES:
        assert k.s[name].fontSize >= 10, name
    small = k.s["Small"]
    paragraphs = [p for p in _walk(cards.exercises(k)[3:]) if isinstance(p, Paragraph)]
    assert len(paragraphs) > 10 * len(k.plan.exercises)
    for p in paragraphs:
        if p.style is not small:
            assert p.style.fontSize >= 10, (p.style.name, p.text)


# --------------------------------------------------------------------------- packed pages


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("condition", ["itbs", "osteoarthritis", "runners-knee", "meniscus"])
def test_exercise_pages_are_at_least_two_thirds_full(catalog, condition, paper):
    """Cards go on over the page between their rows: no page but the last is left a third empty."""
    k = _kit(catalog, condition, paper)
    doc = _render(k, cards.exercises(k))
    assert len(doc.fill) >= 2
    assert all(f >= 0.66 for f in doc.fill[:-1]), [round(f, 2) for f in doc.fill]


@pytest.mark.parametrize("paper", PAPERS)
def test_a_cards_title_is_never_parted_from_its_figure(catalog, paper):
    """Each card is a table whose first row, which never splits, holds the title and the figure."""
    k = _kit(catalog, "itbs", paper)
    tables = [f for f in cards.exercises(k) if isinstance(f, Table)]
    assert len(tables) == len(k.plan.exercises)
    for table, card in zip(tables, k.plan.exercises, strict=True):
        first = _walk(table._cellvalues[0])
        assert any(isinstance(f, Figure) for f in first), card.name
        titles = [f for f in first if isinstance(f, Paragraph) and f.style.name == "CardTitle"]
        assert [t.text for t in titles] == [card.name]


# --------------------------------------------------------------------------- figures fill their frames


def _fills(pose: Pose, max_w: float, max_h: float) -> list[tuple[float, float]]:
    w, h = figure_size(pose, max_w, max_h, font=st.FONT)
    assert w <= max_w + 0.01 and h <= max_h + 0.01
    return figure_fill(pose, w, h, font=st.FONT)


@pytest.mark.parametrize("paper", PAPERS)
def test_every_figure_fills_its_frame(catalog, paper):
    """Whatever the pose, standing or lying down, the figure covers its frame: its content box
    reaches 85% of the panel in the limiting dimension and covers 35% of the panel's area, on a
    card and on a compact card."""
    width = st.page_setup(paper).frame_width
    card_room = width - 2 * cards._PAD
    compact_room = (width - cards._COMPACT_GAP) / 2 - 2 * cards._COMPACT_PAD
    rooms = [(compact_room, h) for _, h in cards._COMPACT_FITS]
    assert catalog.exercises
    for ex in catalog.exercises.values():
        for max_w, max_h in [cards.card_figure_room(ex.pose, card_room), *rooms]:
            for limiting, area in _fills(ex.pose, max_w, max_h):
                assert limiting >= 0.85, (ex.id, max_w, max_h, limiting)
                assert area >= 0.35, (ex.id, max_w, max_h, area)


def test_lying_figures_get_wide_frames_and_standing_ones_tall(catalog):
    """The frame takes the pose's shape: wider than high when lying, higher than wide a panel
    when standing."""
    width = st.page_setup("letter").frame_width - 2 * cards._PAD
    for ex_id in ("hip-glute-bridge", "hip-clamshell", "core-front-plank", "core-bird-dog"):
        pose = catalog.exercises[ex_id].pose
        w, h = figure_size(pose, *cards.card_figure_room(pose, width), font=st.FONT)
        assert w / len(pose.frames) > 1.2 * h, ex_id
    for ex_id in ("knee-mini-squat", "hip-pelvic-drop", "knee-step-down"):
        pose = catalog.exercises[ex_id].pose
        w, h = figure_size(pose, *cards.card_figure_room(pose, width), font=st.FONT)
        assert w / len(pose.frames) < 0.8 * h, ex_id


# --------------------------------------------------------------------------- frames differ


def _props(frame) -> list[tuple]:
    return [(p.kind, p.x, p.y, p.w, p.h, p.x2, p.y2) for p in frame.props if p.kind is not PropKind.ARROW]


def _props_differ(a, b) -> bool:
    pa, pb = _props(a), _props(b)
    if len(pa) != len(pb):
        return True
    return any(
        x[0] != y[0] or max(abs((u or 0) - (v or 0)) for u, v in zip(x[1:], y[1:], strict=True)) >= MOVE
        for x, y in zip(pa, pb, strict=True)
    )


def test_every_figures_frames_differ_visibly(catalog):
    """Between two key frames a joint moves at least MOVE units, or a prop (not just the motion
    arrow) clearly moves: no two frames look the same."""
    same = []
    for ex in catalog.exercises.values():
        frames = ex.pose.frames
        for a, b in itertools.pairwise(frames):
            at = {p.joint: (p.x, p.y) for p in a.points}
            moved = max((math.dist(at[p.joint], (p.x, p.y)) for p in b.points if p.joint in at), default=0.0)
            if moved < MOVE and not _props_differ(a, b):
                same.append((ex.id, a.label, b.label, round(moved, 1)))
    assert not same


def test_pelvic_drop_shows_the_free_foot_sink_below_the_step_then_rise_level(catalog):
    """The free (near) foot hangs clearly below the step's top, then lifts to it or above."""
    sink, lift = catalog.exercises["hip-pelvic-drop"].pose.frames
    step = next(p for p in sink.props if p.kind is PropKind.STEP)
    top = step.y + step.h

    def ankle(frame) -> float:
        return next(p.y for p in frame.points if p.joint.value == "ankle")

    assert ankle(sink) <= top - 4
    assert ankle(lift) >= top
    assert ankle(lift) - ankle(sink) >= 1.5 * MOVE


# --------------------------------------------------------------------------- compact cards


@pytest.mark.parametrize("paper", PAPERS)
def test_compact_cards_fit_three_pages(catalog, paper):
    """Every condition's exercises, up to 18 of them, fit three pages as compact cards, at 10 pt."""
    for condition in catalog.conditions():
        k = _kit(catalog, condition, paper)
        story = cards.compact_cards(k)
        doc = _render(k, story)
        assert len(k.plan.exercises) <= 18
        assert doc.page <= 3, (condition, paper, doc.page)
        titles = [f.text for f in _walk(story) if isinstance(f, Paragraph) and f.style.name == "CardTitle"]
        assert titles == [c.name for c in k.plan.exercises]
        figures = [f for f in _walk(story) if isinstance(f, Figure)]
        assert len(figures) == len(k.plan.exercises)
        for f in _walk(story):
            if isinstance(f, Paragraph) and f.style.name.startswith("Card"):
                assert f.style.fontSize >= 10


def test_compact_cards_start_with_the_exercises_heading(catalog):
    """The handout's cards open with the section's heading, on a new page but never a blank one."""
    k = _kit(catalog, "itbs", "letter")
    story = cards.compact_cards(k)
    heading = next(f for f in story if isinstance(f, Paragraph))
    assert heading.text == "Your exercises"
    doc = _render(k, list(story))
    assert doc.fill[0] > 0.5
