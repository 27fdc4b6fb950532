"""The plan as a printable PDF booklet and a one-page summary sheet (reportlab Platypus).

Every word printed comes from the plan or from ``rehabplan.wording``; this package lays it out.
"""

from .booklet import to_pdf
from .flowables import unsupported_chars
from .summary import to_summary_pdf

__all__ = ["to_pdf", "to_summary_pdf", "unsupported_chars"]
