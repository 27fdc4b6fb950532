"""Week by week: one part per phase, a key that spells out the phase's sessions, then its day grid.

The key spells out the phase's sessions once (strength routines with their exercises, what
every run asks, each check-in with its checklist); the grid has a row per week and a column per
day, where each session is a short label with a tick box. A line that only some sessions of a
group carry gets a number in the grid and is spelled out in the key next to the same number.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, TableStyle

from ... import wording
from ...catalog.models import Target
from ...planning.plan import Plan, Week
from ...planning.sessions import CheckInSession, CheckKind, PlannedExercise, Session, SessionKind, StrengthSession
from ...wording import booklet as words
from ...wording import formats as fmt
from . import styles as st
from .flowables import BOX, BookletTable, Kit, Line, Lines, clean, days, esc, grid_style, layout_style

_WEEK_COL = 21 * mm
_KEY_COL = 34 * mm

#: What makes two strength sessions the same routine.
Routine = tuple[tuple[Target, ...], int, tuple[PlannedExercise, ...], int | None, int | None]
#: Sessions explained together in a key: by kind, and check-ins by what they check.
Group = tuple[SessionKind, CheckKind | None]


def _routine(s: StrengthSession) -> Routine:
    return (s.targets, s.minutes, s.exercises, s.heat_before, s.ice_after)


def _letter(i: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    text = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        text = chr(65 + r) + text
    return text


def _routine_letters(plan: Plan) -> dict[Routine, str]:
    """A letter for each distinct strength routine, in order of first use ('' when there is one)."""
    seen = list(dict.fromkeys(_routine(s) for s in plan.sessions() if isinstance(s, StrengthSession)))
    if len(seen) == 1:
        return {seen[0]: ""}
    return {r: _letter(i) for i, r in enumerate(seen)}


def _group(s: Session) -> Group:
    return (s.kind, s.check if isinstance(s, CheckInSession) else None)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(n: int) -> str:
    return str(n).translate(_SUPERSCRIPT)


def _check(k: Kit, item: str, mark: str = "") -> Flowable:
    """A checklist item with its tick box (and the number that points to it, if any)."""
    lead = f"{mark}&nbsp;" if mark else ""
    return k.m(f"{lead}{BOX}&nbsp; {esc(item)}", "KeyCheck")


class _PhaseKey:
    """The key of one phase: the lines every session of a group shares, and numbered lines that
    only some sessions carry."""

    def __init__(self, k: Kit, weeks: Sequence[Week], letters: dict[Routine, str]) -> None:
        self.k = k
        self.letters = letters
        groups: dict[Group, list[Session]] = {}
        for w in weeks:
            for s in w.sessions:
                groups.setdefault(_group(s), []).append(s)
        self.groups = groups
        self.common: dict[Group, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.marks: dict[tuple[Group, tuple[str, ...], tuple[str, ...]], int] = {}
        self._mark_of: dict[tuple[dt.date, int], int] = {}  # by (date, slot): a session's number
        for g, sessions in groups.items():
            lines_of = [self._lines_of(s) for s in sessions]
            checks_of = [k.words(s).checklist for s in sessions]
            lines = tuple(x for x in dict.fromkeys(lines_of[0]) if all(x in other for other in lines_of[1:]))
            checks = tuple(x for x in dict.fromkeys(checks_of[0]) if all(x in other for other in checks_of[1:]))
            self.common[g] = (lines, checks)
            for s, own, own_checks in zip(sessions, lines_of, checks_of, strict=True):
                extra = (tuple(x for x in own if x not in lines), tuple(x for x in own_checks if x not in checks))
                if extra[0] or extra[1]:
                    n = self.marks.setdefault((g, *extra), len(self.marks) + 1)
                    self._mark_of[(s.date, s.slot)] = n

    def _lines_of(self, s: Session) -> tuple[str, ...]:
        """What a session asks beyond its label: its lines, a pointer to its safety card, its after-care."""
        worded = self.k.words(s)
        pointer = (words.SAFETY_POINTER,) if worded.safety else ()
        aftercare = (worded.aftercare,) if worded.aftercare else ()
        ran = s.kind in (SessionKind.RUN, SessionKind.WALK_RUN)
        rule = (words.pain_rule_reminder(self.k.plan),) if worded.pain_rule and ran else ()
        return (*worded.details, *rule, *pointer, *aftercare)

    def mark(self, s: Session) -> int | None:
        """The number a session carries in the grid, if it has lines of its own."""
        return self._mark_of.get((s.date, s.slot))

    def rows(self) -> list[list[Any]]:
        """Key rows: [label cell, content cell]."""
        k = self.k
        rows: list[list[Any]] = []
        routines: dict[Routine, Session] = {}
        for s in self.groups.get((SessionKind.STRENGTH, None), []):
            assert isinstance(s, StrengthSession)
            routines.setdefault(_routine(s), s)
        for routine, first in routines.items():
            label = wording.sessions.strength_routine(self.letters[routine])
            head = k.styled(((k.words(first).title, "b"),), "KeyText")
            rows.append([k.styled(((label, "b"),), "KeyLabel"), [head, _exercise_list(k, routine[2])]])
        for g, sessions in self.groups.items():
            lines, checks = self.common[g]
            kind, check = g
            content: list[Flowable] = []
            if check is not None:
                label = wording.CHECK_LABEL[check]
                titles = dict.fromkeys(k.words(s).title for s in sessions)
                content.append(k.m("<b>" + " / ".join(esc(t) for t in titles) + "</b>", "KeyText"))
            else:
                label = words.GROUP_LABEL[kind]
            content += [k.p(x, "KeyText") for x in lines]
            content += [_check(k, c) for c in checks]
            for (mg, extra, extra_checks), n in self.marks.items():
                if mg != g:
                    continue
                sup = _superscript(n)
                if extra:
                    content.append(k.m(f"{sup} {esc(extra[0])}", "KeyText"))
                    content += [k.p(x, "KeyText") for x in extra[1:]]
                    content += [_check(k, c) for c in extra_checks]
                else:
                    content.append(_check(k, extra_checks[0], sup))
                    content += [_check(k, c) for c in extra_checks[1:]]
            if len(content) > (1 if check is not None else 0):
                rows.append([k.styled(((label, "b"),), "KeyLabel"), content])
        return rows


def _exercise_list(k: Kit, exercises: Sequence[PlannedExercise]) -> Flowable:
    """A routine's exercises with their doses, in two columns when there are several."""
    items = [
        k.m(f"{esc(ex.name)} <font color='{st.MUTED_HEX}'>— {esc(fmt.dose(ex.dose))}</font>", "ExLine")
        for ex in exercises
    ]
    cols = 2 if len(items) >= 4 else 1
    per = -(-len(items) // cols)
    avail = k.width - _KEY_COL - 12
    t = BookletTable(
        [[items[c * per : (c + 1) * per] for c in range(cols)]], colWidths=[avail / cols] * cols, hAlign="LEFT"
    )
    t.setStyle(layout_style(right=6, top=1, bottom=0))
    return t


def _cell_label(k: Kit, s: Session, letters: dict[Routine, str]) -> str:
    """A session's short name in the grid (plain text)."""
    if isinstance(s, StrengthSession):
        return wording.sessions.strength_routine(letters[_routine(s)])
    return clean(wording.short_label(k.plan, s))


def _week_cell(k: Kit, w: Week) -> Lines:
    label, span, running = words.week_cell(k.plan, w)
    lines = [Line(label, st.FONT_BOLD, st.INK), Line(span, st.FONT, st.INK), Line(running, st.FONT, st.INK)]
    if w.hold_week:
        lines.append(Line(words.HOLD_WEEK, st.FONT, st.MUTED))
    return k.lines(lines)


def _band(k: Kit, weeks: Sequence[Week], number: int) -> BookletTable:
    first, last = weeks[0], weeks[-1]
    band = BookletTable(
        [[k.p(words.phase_band(number, first.phase_name), "BandHead"), k.p(words.phase_dates(first, last), "BandSub")]],
        colWidths=[k.width * 0.55, k.width * 0.45],
    )
    band.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), k.brand.accent),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return band


def _key_table(k: Kit, rows: list[list[Any]]) -> BookletTable:
    t = BookletTable(rows, colWidths=[_KEY_COL, k.width - _KEY_COL])
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), k.brand.light),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, st.WHITE),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return t


def _phase_part(k: Kit, weeks: Sequence[Week], number: int, letters: dict[Routine, str]) -> list[Flowable]:
    key = _PhaseKey(k, weeks, letters)
    out: list[Flowable] = [CondPageBreak(70 * mm), _band(k, weeks, number)]
    key_rows = key.rows()
    if key_rows:
        out.append(_key_table(k, key_rows))
    out.append(Spacer(1, 5))
    first_day = weeks[0].start.weekday()
    rows: list[list[Any]] = [[k.p(words.GRID_WEEK, "GridHead")]]
    rows[0] += [k.p(fmt.DAYS[(first_day + i) % 7], "GridHead") for i in range(7)]
    for w in weeks:
        row: list[Any] = [_week_cell(k, w)]
        for day, todays in days(w):
            lines = [Line(fmt.date_short(day), st.FONT, st.MUTED)]
            for s in todays:
                n = key.mark(s)
                label = _cell_label(k, s, letters) + (_superscript(n) if n is not None else "")
                if s.kind == SessionKind.REST:
                    lines.append(Line(label, st.FONT, st.MUTED))
                else:
                    lines.append(Line(label, st.FONT, st.INK, boxed=True))
            if not todays:
                lines.append(Line(words.REST_DAY, st.FONT, st.MUTED))
            row.append(k.lines(lines))
        rows.append(row + [""] * (8 - len(row)))
    grid = BookletTable(rows, colWidths=[_WEEK_COL] + [(k.width - _WEEK_COL) / 7] * 7, repeatRows=1)
    extra = [
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("BACKGROUND", (0, 1), (0, -1), st.SHADE),
    ]
    grid.setStyle(grid_style(extra=extra))
    return [*out, grid, Spacer(1, 14)]


def weeks(k: Kit) -> list[Flowable]:
    """The week-by-week section: a lead paragraph, then each phase's key and grid."""
    out = k.section(words.WEEKS)
    out.append(k.p(words.WEEKS_LEAD, "Lead"))
    letters = _routine_letters(k.plan)
    for number, (_, phase_weeks) in enumerate(itertools.groupby(k.plan.weeks, key=lambda w: w.phase), 1):
        out += _phase_part(k, list(phase_weeks), number, letters)
    return out
