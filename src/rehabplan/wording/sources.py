"""Sources as short references: authors, year, journal, and the DOI, PubMed id or address."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..catalog.models import Source


def first_author(authors: str) -> str:
    """'Buist I, Bredeweg SW, et al.' -> 'Buist I et al.'; a single author or a body stays whole."""
    parts = [a.strip() for a in authors.replace(" et al.", "").split(",") if a.strip()]
    return parts[0] + (" et al." if len(parts) > 1 or "et al" in authors else "") if parts else authors


def short_reference(src: Source) -> str:
    """One line a clinician can look up: 'Buist I et al. 2008. Am J Sports Med 2008;36(1):33-39.
    doi:10.1177/…'. A paper is found by its DOI or PubMed id, so its title is left out; a guideline
    or handout keeps its title and gives the site it is published on."""
    if src.kind == "design-default":
        return "Design default: a cautious planning choice where no source gave a number, to adjust, not a research finding."
    who = first_author(src.authors) if src.authors else (src.journal or "")
    parts = [who.rstrip(".") + "."]
    if src.year:
        parts.append(f"{src.year}.")
    if src.title and not (src.doi or src.pmid):
        parts.append(src.title.rstrip(".") + ".")
    if src.journal and src.authors:
        parts.append(src.journal.rstrip(".") + ".")
    if src.doi:
        parts.append(f"doi:{src.doi}")
    elif src.pmid:
        parts.append(f"PMID {src.pmid}")
    elif src.url:
        parts.append(urlsplit(src.url).netloc)
    return " ".join(parts)
