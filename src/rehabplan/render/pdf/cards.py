"""The exercise cards: a card for every exercise in the plan, its figure beside or above its words."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, TableStyle

from ...planning.plan import ExerciseCard
from ...wording import booklet as words
from . import styles as st
from .flowables import BookletTable, Kit, layout_style
from .speedups import pose_figure


def _card(k: Kit, card: ExerciseCard) -> Flowable:
    fig_w, fig_h = 64 * mm, 46 * mm
    wide = len(card.pose.frames) >= 3
    if wide:
        fig_w, fig_h = min(k.width - 16, 150 * mm), 42 * mm
    drawing = pose_figure(card.pose, fig_w, fig_h)
    text: list[Flowable] = [k.p(words.HOW_TO, "CardLabel"), *k.bullets(card.cues, "CardBullet")]
    text += [k.p(words.MISTAKES_LABEL, "CardLabel"), *k.bullets(card.mistakes, "CardBullet")]
    text += [k.p(words.EASIER, "CardLabel"), k.p(card.regression, "CardText")]
    text += [k.p(words.HARDER, "CardLabel"), k.p(card.progression, "CardText")]
    if card.caution:
        text += [Spacer(1, 4), k.styled(words.card_caution(card.caution), "CardText")]
    inner_w = k.width - 16
    title = [
        k.p(card.name, "CardTitle"),
        k.styled(words.card_meta(card), "Small"),
        Spacer(1, 2),
        k.styled(words.card_dose(card), "CardText"),
    ]
    if wide:
        t = BookletTable([[title], [drawing], [text]], colWidths=[inner_w])
    else:
        left_w = fig_w + 8
        t = BookletTable([[drawing, [*title, *text]]], colWidths=[left_w, inner_w - left_w])
    t.setStyle(layout_style(right=4, top=2, bottom=3))
    outer = BookletTable([[t]], colWidths=[k.width])
    outer.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, st.RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 2.5, k.brand.accent),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return KeepTogether([outer, Spacer(1, 6)])


def exercises(k: Kit) -> list[Flowable]:
    """A card for every exercise in the plan."""
    out = k.section(words.EXERCISES)
    out.append(k.p(words.EXERCISES_LEAD, "Lead"))
    out += [_card(k, card) for card in k.plan.exercises]
    return out
