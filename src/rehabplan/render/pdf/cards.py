"""The exercise cards: a card for every exercise in the plan, its figure beside or above its words.

A figure's frame takes the shape of its pose: a standing figure stands in a tall frame beside the
card's words, a figure lying down gets a wide, low frame across the card. A card is one table:
its first row holds the title with the figure (they never part), the rows after it hold the words,
so a card may go on over the page between rows instead of leaving the page's foot empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, PageBreakIfNotEmpty, Spacer, TableStyle

from ...catalog.models import Pose
from ...planning.plan import ExerciseCard
from ...wording import booklet as words
from . import styles as st
from .document import FRAME_PAD
from .figures import figure_size
from .flowables import BookletTable, Kit, layout_style
from .speedups import pose_figure

_PAD = 8  # the card's padding, left and right
_GUTTER = 10  # between two columns of words, and between a figure and the words beside it
_SIDE_W = 0.5  # a tall figure beside the words takes at most this share of the card
_SIDE_H = 62 * mm  # height of a tall figure beside the words
_WIDE_H = 46 * mm  # greatest height of a wide figure
_TEXT_MIN_W = 62 * mm  # narrowest room for words beside a figure


def _figure(card: ExerciseCard, max_w: float, max_h: float) -> tuple[Flowable, float, float]:
    """The pose drawn in the largest frame of its shape that fits max_w x max_h, and its size."""
    w, h = (round(v, 2) for v in figure_size(card.pose, max_w, max_h, font=st.FONT))
    return pose_figure(card.pose, w, h), w, h


def _height(flowables: Sequence[Flowable], width: float) -> float:
    return sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def _columns(left: Sequence[Flowable], right: Sequence[Flowable], width: float) -> BookletTable:
    """Two columns of words side by side."""
    col = (width - _GUTTER) / 2
    t = BookletTable([[list(left), list(right)]], colWidths=[col + _GUTTER, col])
    t.setStyle(layout_style(right=0, top=0, bottom=0))
    t.setStyle(TableStyle([("RIGHTPADDING", (0, 0), (0, 0), _GUTTER)]))
    return t


def _beside(left: Flowable, left_w: float, right: Sequence[Flowable], width: float) -> BookletTable:
    t = BookletTable([[left, list(right)]], colWidths=[left_w, width - left_w])
    t.setStyle(layout_style(right=0, top=0, bottom=0))
    return t


def card_figure_room(pose: Pose, width: float) -> tuple[float, float]:
    """The room (width, height) a card `width` wide gives its figure: a tall figure stands beside
    the words; a wide one lies beside them where there is room for the words, else across the
    card under the title."""
    side = (width * _SIDE_W, _SIDE_H)
    if figure_size(pose, *side, font=st.FONT)[1] >= _SIDE_H * 0.85:
        return side
    return width, _WIDE_H


class _Card(BookletTable):
    """A card's table: when it goes on over the page, the rest starts on the next page under its
    exercise's name, so no card's words stand on a page without it."""

    def __init__(self, *args: Any, continued: Flowable | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)  # reportlab makes each part of a split table with no title
        self._continued = continued

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts: list[Flowable] = super().split(availWidth, availHeight)
        if len(parts) != 2 or self._continued is None:
            return parts
        return [parts[0], PageBreak(), self._continued, parts[1]]


def _card(k: Kit, card: ExerciseCard) -> list[Flowable]:
    inner_w = k.width - 2 * _PAD
    title = [
        k.p(card.name, "CardTitle"),
        k.styled(words.card_meta(card), "Small"),
        Spacer(1, 2),
        k.styled(words.card_dose(card), "CardText"),
    ]
    blocks: list[list[Flowable]] = [
        [k.p(words.HOW_TO, "CardLabel"), *k.bullets(card.cues, "CardBullet")],
        [k.p(words.MISTAKES_LABEL, "CardLabel"), *k.bullets(card.mistakes, "CardBullet")],
        [k.p(words.EASIER, "CardLabel"), k.p(card.regression, "CardText")],
        [k.p(words.HARDER, "CardLabel"), k.p(card.progression, "CardText")],
    ]
    fig, fw, fh = _figure(card, *card_figure_room(card.pose, inner_w))
    rows: list[list[Flowable | list[Flowable]]]
    if inner_w - fw - _GUTTER >= _TEXT_MIN_W:
        text_w = inner_w - fw - _GUTTER
        beside = [*title, *blocks.pop(0)]
        while blocks and _height([*beside, *blocks[0]], text_w) <= fh + 8:
            beside += blocks.pop(0)
        rows = [[_beside(fig, fw + _GUTTER, beside, inner_w)]]
    else:
        rows = [[[*title, Spacer(1, 3), fig]]]
    if len(blocks) == 1:
        rows.append([blocks[0]])
    elif blocks:
        rows.append([_columns(blocks[0], [f for b in blocks[1:] for f in b], inner_w)])
    if card.caution:
        rows.append([k.styled(words.card_caution(card.caution), "CardText")])
    continued = k.p(words.card_continued(card.name), "CardContinued")
    t = _Card(rows, colWidths=[k.width], continued=continued)
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.6, st.RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 2.5, k.brand.accent),
                ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ]
        )
    )
    return [t, Spacer(1, 8)]


def exercises(k: Kit) -> list[Flowable]:
    """A card for every exercise in the plan."""
    out = k.section(words.EXERCISES)
    out.append(k.p(words.EXERCISES_LEAD, "Lead"))
    for card in k.plan.exercises:
        out += _card(k, card)
    return out


# --------------------------------------------------------------------------- compact cards
#
# For a short handout: every exercise as a small card, two to a row and three rows to a page, with
# its name, dose, figure and first cues, so 18 exercises fit on three pages.

_COMPACT_ROWS = 3  # rows of cards on a page
_COMPACT_GAP = 6  # between two rows, and between two cards of a row
_COMPACT_PAD = 6  # a compact card's padding
# (cues, figure height) from the roomiest to the tightest: a row takes the first that fits
_COMPACT_FITS = tuple((cues, h * mm) for cues, h in ((3, 42), (3, 38), (3, 34), (2, 34), (2, 30), (2, 26), (2, 22)))


def _compact_cell(k: Kit, card: ExerciseCard, width: float, cues: int, fig_h: float) -> list[Flowable]:
    """A compact card's contents: name, dose, figure and the first cues."""
    fig = _figure(card, width, fig_h)[0]
    return [
        k.p(card.name, "CardTitle"),
        k.styled(words.card_dose(card), "CardText"),
        Spacer(1, 3),
        fig,
        Spacer(1, 2),
        *k.bullets(card.cues[:cues], "CardBullet"),
    ]


def _compact_row(k: Kit, cards: Sequence[ExerciseCard], budget: float) -> BookletTable:
    """Up to two compact cards side by side, made to fit `budget` high where they can, with lower
    figures and then two cues instead of three."""
    col = (k.width - _COMPACT_GAP) / 2
    inner = col - 2 * _COMPACT_PAD
    cells: list[list[Flowable]] = []
    for cues, fig_h in _COMPACT_FITS:
        cells = [_compact_cell(k, c, inner, cues, fig_h) for c in cards]
        if max(_height(cell, inner) for cell in cells) + 2 * _COMPACT_PAD + 3 <= budget:
            break
    row: list[Flowable | list[Flowable] | str] = [cells[0], "", cells[1] if len(cells) > 1 else ""]
    t = BookletTable([row], colWidths=[col, _COMPACT_GAP, col])
    boxed = [(0, 0), (2, 0)] if len(cells) > 1 else [(0, 0)]
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # the figure; words fill the width
        ("LEFTPADDING", (0, 0), (-1, -1), _COMPACT_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _COMPACT_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), _COMPACT_PAD - 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), _COMPACT_PAD),
        ("LEFTPADDING", (1, 0), (1, 0), 0),
        ("RIGHTPADDING", (1, 0), (1, 0), 0),
    ]
    for cell in boxed:
        cmds += [("BOX", cell, cell, 0.6, st.RULE), ("LINEABOVE", cell, cell, 2.5, k.brand.accent)]
    t.setStyle(TableStyle(cmds))
    return t


def compact_cards(k: Kit, new_page: bool = True, rows: list[Flowable] | None = None) -> list[Flowable]:
    """Every exercise in the plan as a compact card, two to a row, three rows to a page; without a
    new page, they start where the page before leaves room. `rows` are compact_rows(k), given when
    they were kept (see pagecache)."""
    return [*_compact_head(k, new_page), *(rows if rows is not None else compact_rows(k))]


def _compact_head(k: Kit, new_page: bool) -> list[Flowable]:
    out = k.section(words.EXERCISES, new_page=new_page)
    if isinstance(out[0], PageBreak):  # a new page, but no blank one where the handout starts
        out[0] = PageBreakIfNotEmpty()
    return out


def compact_rows(k: Kit) -> list[Flowable]:
    """The compact cards' rows, each made to fit a third of a page (less the heading on the first)."""
    page = k.page
    frame_h = page.size[1] - page.top - page.bottom - 2 * FRAME_PAD  # inside the frame's padding
    head_h = _height([f for f in _compact_head(k, False) if not isinstance(f, PageBreak)], k.width)
    cards = list(k.plan.exercises)
    out: list[Flowable] = []
    for i in range(0, len(cards), 2):
        first_page = i < 2 * _COMPACT_ROWS
        budget = (frame_h - (head_h if first_page else 0)) / _COMPACT_ROWS - _COMPACT_GAP
        out += [_compact_row(k, cards[i : i + 2], budget), Spacer(1, _COMPACT_GAP)]
    return out
