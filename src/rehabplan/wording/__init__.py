"""Every word the outputs print about a plan: session texts, labels, number and date formats.

The planner schedules typed sessions and writes no sentence; renderers ask this package for
words and read structure (kinds, numbers, which safety card applies) from the plan itself.
"""

from . import booklet, formats
from .plan import notes, title
from .sessions import CHECK_LABEL, KIND_LABEL, Worded, pain_rule_lines, short_label, what_to_do, word

__all__ = [
    "CHECK_LABEL",
    "KIND_LABEL",
    "Worded",
    "booklet",
    "formats",
    "notes",
    "pain_rule_lines",
    "short_label",
    "title",
    "what_to_do",
    "word",
]
