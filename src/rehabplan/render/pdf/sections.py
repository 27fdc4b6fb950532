"""The booklet's sections in words and tables: safety, the condition, how to use the plan, the
exercise cards, the advice pages, the log, medicines, sources and the disclaimer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, TableStyle
from reportlab.platypus.flowables import BalancedColumns

from ... import wording
from ...catalog.models import Advice, RedFlagTier
from ...planning.plan import Plan
from ...planning.sessions import CheckInSession, CheckKind
from ...wording import booklet as words
from ...wording import formats as fmt
from . import styles as st
from .flowables import BOX, BookletTable, Kit, beside_logo, box, clean, days, given, grid_style, layout_style
from .speedups import knee_figure

# --------------------------------------------------------------------------- stop and get help


def _tier_box(k: Kit, tier: RedFlagTier, bar: Color, fill: Color, width: float | None = None) -> BookletTable:
    content: list[Flowable] = [
        k.p(tier.heading, "AlertHead"),
        k.styled(((tier.action, "b"),), "BodyTight"),
        Spacer(1, 2),
        *k.bullets(tier.items, "BoxBullet"),
    ]
    return box(content, width or k.width, bar, fill)


def _review_points(plan: Plan) -> list[CheckInSession]:
    """The plan's dated 'is it getting better?' and review check-ins, in order."""
    kinds = (CheckKind.NO_IMPROVEMENT, CheckKind.REFERRAL)
    return [s for s in plan.sessions() if isinstance(s, CheckInSession) and s.check in kinds]


def stop(k: Kit) -> list[Flowable]:
    """Red flags by tier, the condition's own, when to see someone, and the dated check-in."""
    return [*k.section(words.STOP), *_stop_body(k, compact=False)]


def compact_stop_body(k: Kit) -> list[Flowable]:
    """The handout's "Stop and get help" under its heading, the tiers after the first side by side:
    the same for every runner of a condition and clinic (and so kept, see pagecache)."""
    return _stop_body(k, compact=True)


def _stop_body(k: Kit, compact: bool) -> list[Flowable]:
    plan, g = k.plan, k.plan.guidance
    out: list[Flowable] = [k.p(words.STOP_LEAD, "Body")]
    clinic = words.clinic_line(given(k.options.clinic), given(k.options.contact))
    if clinic:  # who to call, on the page that says when to call, with the clinic's logo
        text: list[Flowable] = [k.p(clinic, "BodyTight")]
        if not compact:  # the handout shows the logo once, by its title
            text = beside_logo(k, text, k.width - 18, 40 * mm, 14 * mm)  # the box pads 18
        out += [box(text, k.width, k.brand.accent, k.brand.light), Spacer(1, 6)]
    look = {"A": (st.ALERT, st.ALERT_LIGHT), "B": (st.AMBER, st.SHADE), "C": (st.MUTED, st.SHADE)}
    tiers = sorted(g.red_flags, key=lambda t: t.tier)
    half = (k.width - 6 * mm) / 2
    if compact and len(tiers) == 3:
        first, *rest = tiers
        out += [_tier_box(k, first, *look[first.tier]), Spacer(1, 6)]
        pair = BookletTable(
            [
                [
                    _tier_box(k, rest[0], *look[rest[0].tier], width=half),
                    "",
                    _tier_box(k, rest[1], *look[rest[1].tier], width=half),
                ]
            ],
            colWidths=[half, 6 * mm, half],
        )
        pair.setStyle(layout_style(right=0, top=0, bottom=0))
        out += [pair, Spacer(1, 6)]
    else:
        for tier in tiers:
            out += [_tier_box(k, tier, *look[tier.tier]), Spacer(1, 6)]
    left: list[Flowable] = []
    if plan.info.red_flags:
        left.append(k.p(words.also_watch_for(plan), "H3"))
        left += k.bullets(plan.info.red_flags, "BoxBullet")
    if compact:  # when to stop a session beside them; the review dates go with the plan at a glance
        right: list[Flowable] = [k.p(words.STOP_AT_ONCE, "H3"), *k.bullets(g.absolute_stops, "BoxBullet")]
    else:
        right = not_getting_better(k, half)
    if left:
        t = BookletTable([[left, "", right]], colWidths=[half, 6 * mm, half])
        t.setStyle(layout_style(right=0, top=0))
        out.append(t)
    else:
        out += right
    return out


def not_getting_better(k: Kit, width: float) -> list[Flowable]:
    """When to see someone, and the dated checks of whether the knee is getting better."""
    plan, g = k.plan, k.plan.guidance
    out: list[Flowable] = []
    points = _review_points(plan)
    dated = {i for s in points for i in s.referrals}
    undated = [r for i, r in enumerate(plan.info.referrals) if i not in dated]
    if undated:
        out.append(k.p(words.WHEN_TO_SEE, "H3"))
        out += k.bullets(undated, "BoxBullet")
    out.append(k.p(words.NOT_BETTER, "H3"))
    body: list[Flowable] = []
    if any(s.check == CheckKind.NO_IMPROVEMENT for s in points):
        body.append(k.p(g.no_improvement, "BodyTight"))
    for s in points:
        body += [Spacer(1, 3), k.styled(((words.review_date(s.check, s.date), "b"),), "BodyTight")]
        if s.check == CheckKind.REFERRAL:  # the first-week check is the lead text above
            body += k.bullets([plan.info.referrals[i] for i in s.referrals], "BoxBullet")
    if not body:
        body.append(k.p(g.no_improvement, "BodyTight"))
    out.append(box(body, width, k.brand.accent, k.brand.light))
    return out


# --------------------------------------------------------------------------- condition


def condition(k: Kit) -> list[Flowable]:
    """Where it hurts (with the knee diagram), its causes, how the plan helps, its cautions."""
    info = k.plan.info
    out = k.section(words.CONDITION)
    out.append(k.p(info.name, "H2"))
    dw = 78 * mm
    right = [k.p(words.WHERE_IT_HURTS, "H3"), k.p(info.where_it_hurts)]
    t = BookletTable(
        [[knee_figure(info.knee_region, dw, 62 * mm), right]], colWidths=[dw + 6 * mm, k.width - dw - 6 * mm]
    )
    t.setStyle(layout_style())
    out.append(t)
    out += [k.p(words.CAUSES, "H2"), *k.bullets(info.causes)]
    out += [k.p(words.HOW_IT_HELPS, "H2"), k.p(info.how_the_plan_helps)]
    if info.cautions:
        out += [k.p(words.TAKE_CARE, "H2"), *k.bullets(info.cautions)]
    if info.running_modifications:
        out += [k.p(words.RUNNING_CHANGED, "H2"), *k.bullets(info.running_modifications)]
    return out


# --------------------------------------------------------------------------- how to use the plan

_LIGHT = {"green": st.GREEN, "amber": st.AMBER, "red": st.RED}


def pain_rule_table(k: Kit, width: float, compact: bool = False) -> BookletTable:
    """The traffic-light rule: a coloured label with its pain scores, then what to do."""
    bands = words.pain_bands(k.plan)
    rows = []
    for band in bands:
        label = [k.p(band.label, "CellWhite")]
        if band.scores:
            label.append(k.p(band.scores, "CellWhite"))
        rows.append([label, k.p(band.action, "CellSmall" if compact else "Cell")])
    lw = 30 * mm
    t = BookletTable(rows, colWidths=[lw, width - lw])
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, st.GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 3 if compact else 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4 if compact else 6),
    ]
    cmds += [("BACKGROUND", (0, i), (0, i), _LIGHT[band.level]) for i, band in enumerate(bands)]
    t.setStyle(TableStyle(cmds))
    return t


def _head(k: Kit, labels: Sequence[str], style: str = "CellHead") -> list[Any]:
    return [k.p(h, style) for h in labels]


def how_to_use(k: Kit) -> list[Flowable]:
    """The pain rule, the stops, how the plan builds up, the self-tests and the ladder."""
    g = k.plan.guidance
    out = k.section(words.HOW_TO_USE)
    out += [k.p(words.PAIN_RULE, "H2"), k.p(words.PAIN_SCALE, "Body"), pain_rule_table(k, k.width)]
    out += [k.p(words.STOP_AT_ONCE, "H2"), *k.bullets(g.absolute_stops)]
    out += [k.p(words.HOW_IT_BUILDS, "H2"), *k.bullets(g.ramp_rules), k.p(g.ramp_convention, "Note")]
    if g.readiness_tests:
        out += [CondPageBreak(70 * mm), k.p(words.SELF_TESTS, "H2")]
        if g.readiness_note:
            out.append(k.p(g.readiness_note))
        rows = [_head(k, words.SELF_TEST_HEAD)]
        rows += [[k.p(t.name, "CellBold"), k.p(t.standard, "Cell"), k.p(BOX, "CellCenter")] for t in g.readiness_tests]
        t = BookletTable(rows, colWidths=[45 * mm, k.width - 45 * mm - 15 * mm, 15 * mm], repeatRows=1)
        t.setStyle(grid_style())
        out.append(t)
    if g.ladder_steps:
        rows = [_head(k, words.LADDER_HEAD)]
        for stage in g.ladder_steps:
            stage_id, *cells, note = words.ladder_row(stage)
            rows.append([k.p(stage_id, "CellBold"), *(k.p(c, "Cell") for c in cells), k.p(note, "CellSmall")])
        cols = [16 * mm, 18 * mm, 18 * mm, 18 * mm, 20 * mm]
        t = BookletTable(rows, colWidths=[*cols, k.width - sum(cols)], repeatRows=1)
        t.setStyle(grid_style())
        out += [k.p(words.ladder_heading(k.plan), "H2"), t]
    return out


# --------------------------------------------------------------------------- advice


def ice_heat(k: Kit) -> list[Flowable]:
    """Ice and heat, each with its safety rules."""
    g = k.plan.guidance
    out = k.section(words.ICE_HEAT)
    out += [k.p(words.ICE, "H2"), k.p(g.ice), *k.bullets(g.ice_safety)]
    out += [k.p(words.HEAT, "H2"), k.p(g.heat), *k.bullets(g.heat_safety)]
    return out


def advice(k: Kit, heading: str, items: Sequence[Advice], new_page: bool) -> list[Flowable]:
    """Numbered pieces of advice, each kept on one page."""
    out = k.section(heading, new_page=new_page)
    for i, a in enumerate(items, 1):
        out.append(KeepTogether([k.p(words.numbered(i, a.title), "H3"), *(k.p(b) for b in a.body)]))
    return out


def log(k: Kit) -> list[Flowable]:
    """A row a day: date, week, what is planned, and room for pain, a tick and notes."""
    return [*k.section(words.LOG), k.p(words.LOG_LEAD, "Body"), log_table(k)]


_LOG_COLS = (24 * mm, 12 * mm, 54 * mm, 18 * mm, 16 * mm)  # the notes take the rest
_LOG_PAD = 7  # a log row's top and bottom padding together


def log_table(k: Kit, row_h: float = 17, room: float | None = None) -> BookletTable:
    """The log's table from the plan's first day: every day, or as many as fit in `room` points
    (with its head row). A day's row is `row_h` high, or as high as a plan line that wraps needs."""
    cols = [*_LOG_COLS, k.width - sum(_LOG_COLS)]
    style = k.s["CellSmall"]
    text_w = cols[2] - 10  # the cell's width less its paddings
    head = _head(k, words.LOG_HEAD)
    used = max(p.wrap(w - 10, 1e6)[1] for p, w in zip(head, cols, strict=False)) + _LOG_PAD
    rows: list[list[Any]] = [head]
    heights: list[float | None] = [None]
    rules: list[tuple[Any, ...]] = []
    for week, day, todays in ((w, d, t) for w in k.plan.weeks for d, t in days(w)):
        # plain text draws far faster than a Paragraph; only a plan line too long for its cell wraps
        planned: Any = clean(words.planned(k.plan, todays))
        height = row_h
        if stringWidth(planned, style.fontName, style.fontSize) > text_w:
            planned = k.p(planned, "CellSmall")
            height = max(row_h, planned.wrap(text_w, 1e6)[1] + _LOG_PAD)
        if room is not None and used + height > room:
            break
        used += height
        rows.append([fmt.weekday_date(day), str(week.index), planned, "", "", ""])
        heights.append(height)
        if day.weekday() == 6 or day == week.end:
            rules.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 1.0, st.RULE))
    t = BookletTable(rows, colWidths=cols, repeatRows=1, rowHeights=heights)
    extra = [
        ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
        ("FONTSIZE", (0, 1), (-1, -1), style.fontSize),
        ("TEXTCOLOR", (0, 1), (-1, -1), style.textColor),
        *rules,
    ]
    t.setStyle(grid_style(extra=extra))
    return t


def medicines(k: Kit) -> list[Flowable]:
    """The NSAID caution (the plan never doses medicines)."""
    return [*k.section(words.MEDICINES), *k.bullets(k.plan.guidance.medicines)]


def sources(k: Kit) -> list[Flowable]:
    """The sources the clinical text rests on."""
    out = k.section(words.SOURCES, new_page=False)
    refs: list[Flowable] = [
        k.styled(((src.key, "b"), (" " + wording.sources.short_reference(src), "")), "Reference")
        for src in k.plan.guidance.sources
    ]
    if refs:  # in two balanced columns: most references take two short lines there, not one long one
        out.append(BalancedColumns(refs, nCols=2, spaceBefore=0, innerPadding=4 * mm, endSlack=0))
    return out


def disclaimer(k: Kit) -> list[Flowable]:
    """What the plan is not: a clinician's examination."""
    out = k.section(words.ABOUT, new_page=False)
    out.append(box([k.p(k.plan.guidance.disclaimer, "BodyTight")], k.width, k.brand.accent, st.SHADE))
    return out
