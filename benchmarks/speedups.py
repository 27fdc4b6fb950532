"""What each speed-up in render/pdf/speedups.py saves: the median time to render a full booklet
with it, and with reportlab's own path in its place (the numbers in that module's docstring).

Run from the repository root:  python benchmarks/speedups.py [--mileage 30] [--runs 12] [--kept]

--kept renders as a batch's workers do, with each condition's fixed pages kept (see pagecache).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import statistics
import subprocess
import sys
import time

CONDITIONS = ("itbs", "runners-knee", "osteoarthritis", "meniscus")


def _measure(mode: str, mileage: float, runs: int, kept: bool) -> float:
    """Median seconds per booklet in this process, with one speed-up replaced (or none)."""
    from reportlab.pdfbase import pdfdoc

    import rehabplan
    from rehabplan.render.pdf import pagecache, sections, speedups
    from rehabplan.render.pdf.figures import knee_diagram, pose_drawing

    pagecache.enable(kept)
    if mode == "without compress_once":
        del pdfdoc.PDFZCompress.encode  # reportlab's own method again
    elif mode == "without SparseTable":
        del speedups.SparseTable._drawCell  # reportlab's own method again
    elif mode == "without Para":
        from reportlab.platypus import Paragraph

        speedups.Para.__init__ = Paragraph.__init__  # type: ignore[method-assign]
        speedups.Para.wrap = Paragraph.wrap  # type: ignore[method-assign]
    elif mode == "without Figure":
        st = speedups.st

        @functools.cache
        def pose(p, w, h):  # type: ignore[no-untyped-def]
            return st.embedded(pose_drawing(p, w, h, font=st.FONT))

        @functools.cache
        def knee(r, w, h):  # type: ignore[no-untyped-def]
            return st.embedded(knee_diagram(r, w, h, font=st.FONT))

        sections.pose_figure = pose  # type: ignore[assignment]
        sections.knee_figure = knee  # type: ignore[assignment]
    catalog = rehabplan.load_catalog()
    start = dt.date(2027, 3, 1)
    plans = [
        rehabplan.build_plan(rehabplan.PlanRequest(condition=c, mileage=mileage, start=start), catalog)
        for c in CONDITIONS
    ]
    options = rehabplan.BookletOptions(paper="letter")
    for plan in plans:  # warm up: fonts, caches, imports
        rehabplan.booklet_pdf(plan, options)
    times = []
    for i in range(runs):
        t = time.perf_counter()
        rehabplan.booklet_pdf(plans[i % len(plans)], options)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mileage", type=float, default=30)
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--kept", action="store_true", help="keep each condition's fixed pages, as a batch does")
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        print(_measure(args.mode, args.mileage, args.runs, args.kept))
        return
    modes = ("with every speed-up", "without Para", "without Figure", "without compress_once", "without SparseTable")
    for mode in modes:
        kept = ["--kept"] if args.kept else []
        out = subprocess.run(
            [sys.executable, __file__, "--mode", mode, "--mileage", str(args.mileage), "--runs", str(args.runs), *kept],
            check=True,
            capture_output=True,
            text=True,
        )
        print(f"{mode:<22} {float(out.stdout) * 1000:6.0f} ms per booklet ({args.mileage:g} mi plans)")


if __name__ == "__main__":
    main()
