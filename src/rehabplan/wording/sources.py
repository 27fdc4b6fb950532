"""Sources as short references: authors, year, journal, and the DOI, PubMed id or address."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..catalog.models import Source

#: A person as references name them: a surname, then initials (and Jr or the like).
_PERSON = re.compile(r"^[^\W\d][\w'’ -]*\s[A-Z]{1,3}(\s(Jr|Sr|II|III))?\.?$")


def _unbracketed(text: str) -> str:
    """The text without its asides in brackets: 'NHS Gloucestershire (G-Care guidance)' -> 'NHS Gloucestershire'."""
    return re.sub(r"\s*\([^()]*\)", "", text).strip() or text


def first_author(authors: str) -> str:
    """'Buist I, Bredeweg SW, et al.' -> 'Buist I et al.'; a single author or a body stays whole
    (without its asides in brackets)."""
    authors = _unbracketed(authors)
    parts = [a.strip() for a in authors.replace(" et al.", "").split(",") if a.strip()]
    if parts and not _PERSON.match(parts[0]):  # a body ('NHS Trust, Physiotherapy'): its name alone
        return parts[0]
    return parts[0] + (" et al." if len(parts) > 1 or "et al" in authors else "") if parts else authors


def _same_body(journal: str, authors: str) -> bool:
    """Whether a publisher repeats the authors (a body that published its own guidance)."""
    a, b = ("".join(ch for ch in s.lower() if ch.isalnum()) for s in (journal, authors))
    return a.startswith(b) or b.startswith(a)


def short_reference(src: Source) -> str:
    """One line a clinician can look up: 'Buist I et al. 2008. Am J Sports Med 2008;36(1):33-39.
    doi:10.1177/…'. A paper is found by its DOI or PubMed id, so its title is left out; a guideline
    or handout keeps its title and gives the site it is published on."""
    if src.kind == "design-default":
        return "Design default: a cautious planning choice where no source gave a number, to adjust, not a research finding."
    who = first_author(src.authors) if src.authors else (src.journal or "")
    parts = [who.rstrip(".") + "."]
    if src.year and not (src.journal and str(src.year) in src.journal):  # a citation carries its year
        parts.append(f"{src.year}.")
    if src.title and not (src.doi or src.pmid):
        parts.append(src.title.rstrip(".") + ".")
    journal = _unbracketed(src.journal) if src.journal and not (src.doi or src.pmid) else src.journal
    if journal and src.authors and not _same_body(journal, _unbracketed(src.authors)):
        parts.append(journal.rstrip(".") + ".")
    if src.doi:
        parts.append(f"doi:{src.doi}")
    elif src.pmid:
        parts.append(f"PMID {src.pmid}")
    elif src.url:
        parts.append(urlsplit(src.url).netloc)
    return " ".join(parts)
