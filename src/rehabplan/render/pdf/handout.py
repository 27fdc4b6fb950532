"""The short handout: what a physiotherapist hands over, in at most eight pages.

Red flags with the clinic's contact, the plan at a glance with the pain rule, the exercises as
compact cards, the weeks one row each, and a page of the log.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, PageBreak, Spacer

from ... import wording
from ...planning.plan import Plan
from ...planning.sessions import SessionKind
from ...wording import booklet as words
from ...wording import formats as fmt
from ..options import BookletOptions
from . import pagecache, sections
from . import styles as st
from .cards import compact_cards, compact_rows
from .document import BookletCanvas, new_document
from .flowables import BOX, BookletTable, Kit, beside_logo, box, grid_style
from .glance import timeline


def _title(k: Kit) -> list[Flowable]:
    """The handout's head: its title and the runner's line, the clinic's logo on the right."""
    text: list[Flowable] = [k.p(k.title, "CardTitle"), k.styled(words.summary_line(k.plan, k.athlete), "BodyTight")]
    return [*beside_logo(k, text, k.width, 45 * mm, 18 * mm), Spacer(1, 6)]


def _glance(k: Kit) -> list[Flowable]:
    """The plan's length and phases, the pain rule, the stops and the self-tests."""
    plan, g = k.plan, k.plan.guidance
    out = k.section(words.GLANCE)
    out += [k.styled(words.glance_lead(plan), "Body"), k.p(wording.why_this_long(plan))]
    if plan.notes:
        out += [box(k.bullets(wording.notes(plan), "BoxBullet"), k.width, st.AMBER, st.SHADE), Spacer(1, 6)]
    out += [timeline(k), *sections.not_getting_better(k, k.width)]
    out += [k.p(words.PAIN_RULE, "H2"), k.p(words.PAIN_SCALE, "Body"), sections.pain_rule_table(k, k.width)]
    if g.readiness_tests:
        out.append(k.p(words.SELF_TESTS, "H3"))
        rows: list[list[Any]] = [[k.p(h, "CellHead") for h in words.SELF_TEST_HEAD]]
        rows += [[k.p(t.name, "CellBold"), k.p(t.standard, "Cell"), k.p(BOX, "CellCenter")] for t in g.readiness_tests]
        t = BookletTable(rows, colWidths=[42 * mm, k.width - 42 * mm - 14 * mm, 14 * mm], repeatRows=1)
        t.setStyle(grid_style())
        out.append(t)
    return out


def _weeks(k: Kit) -> list[Flowable]:
    """Every week in a row: its dates, runs, exercise days and checks, under a band per phase."""
    plan = k.plan
    out = k.section(words.WEEKS, new_page=False)  # straight after the cards, where they leave room
    out.append(k.p(words.HANDOUT_WEEKS_LEAD, "Body"))
    rows: list[list[Any]] = [[k.p(h, "CellHead") for h in words.HANDOUT_WEEKS_HEAD]]
    cmds: list[tuple[Any, ...]] = []
    phase = None
    for w in plan.weeks:
        if w.phase != phase:
            phase = w.phase
            rows.append([k.p(words.phase_band(k.phase_number(w.phase), w.phase_name), "CellBold"), "", "", "", "", ""])
            r = len(rows) - 1
            cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), k.brand.light)]
        rows.append(
            [
                k.p(str(w.index), "CellBold"),
                k.p(fmt.span_short(w.start, w.end), "Cell"),
                k.p(words.week_runs(plan, w), "Cell"),
                k.p(words.week_kind_days(w, SessionKind.STRENGTH), "Cell"),
                k.p(words.week_checks(w), "Cell"),
                k.p(BOX, "CellCenter"),
            ]
        )
    cols = [8 * mm, 22 * mm, 0.0, 26 * mm, 36 * mm, 7 * mm]
    cols[2] = k.width - sum(cols)
    t = BookletTable(rows, colWidths=cols, repeatRows=1)
    pads = [("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    t.setStyle(
        grid_style(extra=[*pads, ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 3), *cmds])
    )
    out.append(t)
    return out


def _log(k: Kit) -> list[Flowable]:
    """A page of the log from the plan's first day, as many days as fill the page."""
    out = k.section(words.LOG)
    lead = k.p(words.HANDOUT_LOG_LEAD, "Body")
    about = box([k.p(k.plan.guidance.disclaimer, "BodyTight")], k.width, k.brand.accent, st.SHADE)
    out.append(lead)
    # the frame (less its padding and a margin) less the heading, lead and closing note
    used = sum(f.wrap(k.width, 1e6)[1] for f in (*out[1:], about)) + k.s["H1"].leading + 40
    room = k.page.size[1] - k.page.top - k.page.bottom - 24 - used
    out += [sections.log_table(k, row_h=21, room=room), Spacer(1, 8), about]
    return out


def to_handout_pdf(plan: Plan, options: BookletOptions) -> bytes:
    """The handout, as PDF bytes (deterministic)."""
    k = Kit(plan, options)
    # the red flags and the exercise cards are the same for every runner of a condition and clinic
    kept = pagecache.kept_flowables(k, (sections.compact_stop_body, compact_rows))
    stop = k.section(words.STOP)
    if isinstance(stop[0], PageBreak):  # the handout opens on this page
        stop = stop[1:]
    stop += kept.flowables(0) if kept is not None else sections.compact_stop_body(k)
    story: list[Flowable] = [
        *_title(k),
        HRFlowable(width="100%", thickness=0.6, color=st.GRID, spaceBefore=0, spaceAfter=8),
        *stop,
        *_glance(k),
        *compact_cards(k, new_page=False, rows=kept.flowables(1) if kept is not None else None),
        *_weeks(k),
        *_log(k),
    ]
    buf = io.BytesIO()
    maker = functools.partial(BookletCanvas, prime=kept.prime) if kept is not None else BookletCanvas
    new_document(buf, k, footer_from=1).build(story, canvasmaker=maker)
    return buf.getvalue()
