"""Every word the outputs print about a plan: session texts, labels, number and date formats.

The planner schedules typed sessions and writes no sentence; renderers ask this package for
words and read structure (kinds, numbers, which safety card applies) from the plan itself.
"""

from . import booklet, calendar, formats, sources
from .calendar import what_to_do
from .changes import changes
from .plan import notes, title, why_this_long
from .sessions import CHECK_LABEL, KIND_LABEL, Worded, exit_criteria, pain_rule_lines, short_label, word

__all__ = [
    "CHECK_LABEL",
    "KIND_LABEL",
    "Worded",
    "booklet",
    "calendar",
    "changes",
    "exit_criteria",
    "formats",
    "notes",
    "pain_rule_lines",
    "short_label",
    "sources",
    "title",
    "what_to_do",
    "why_this_long",
    "word",
]
