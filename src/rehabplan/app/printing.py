"""One print job for a squad: every runner's summary in one PDF, every booklet in another.

Each runner starts on an odd page (a blank page goes before where needed), so a duplex printer
never puts two runners on one sheet, and each runner is a bookmark.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

SUMMARIES = "squad-summaries.pdf"
BOOKLETS = "squad-booklets.pdf"


def _combined(parts: Sequence[tuple[str, Path]]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for name, path in parts:
        reader = PdfReader(path)
        if len(writer.pages) % 2:  # the last runner ended on a front page: leave its back blank
            last = writer.pages[-1].mediabox
            writer.add_blank_page(float(last.width), float(last.height))
        start = len(writer.pages)
        writer.append(reader, import_outline=False)
        writer.add_outline_item(title=name, page_number=start)
    writer.add_metadata({"/Title": "Squad plans"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def squad_pdfs(out_dir: Path, runners: Sequence[tuple[str, str]]) -> dict[str, bytes]:
    """The two combined PDFs for (name, folder) of every runner whose plan was made, in roster order."""
    summaries: list[tuple[str, Path]] = []
    booklets: list[tuple[str, Path]] = []
    for name, folder in runners:
        where = out_dir / folder
        summaries += [(name or folder, p) for p in sorted(where.glob("*-summary.pdf"))[:1]]
        booklets += [(name or folder, p) for p in sorted(where.glob("*-booklet.pdf"))[:1]]
    if not summaries:
        return {}
    return {SUMMARIES: _combined(summaries), BOOKLETS: _combined(booklets)}
