"""Which days of a week get which sessions: pure choices, kept because weeks repeat them."""

from __future__ import annotations

import functools
from itertools import combinations, pairwise

DAYS = 7


def spacing(days: tuple[int, ...], n: int) -> tuple[int, int]:
    """How evenly n days sit in the week: back-to-back pairs, and the spread of the gaps
    between them (around the week's end too); lower is better."""
    consecutive = sum(1 for a, b in pairwise(days) if b - a == 1)
    gaps = [b - a for a, b in pairwise(days)] + [DAYS + days[0] - days[-1]]
    return consecutive, sum((g * n - DAYS) ** 2 for g in gaps)


@functools.lru_cache(maxsize=50_000)
def pick_days(candidates: tuple[int, ...], n: int, avoid: frozenset[int]) -> tuple[int, ...]:
    """n of the candidate days, away from `avoid` days and spread over the week."""
    n = min(n, len(candidates))
    if n <= 0:
        return ()
    return min(
        combinations(candidates, n),
        key=lambda days: (sum(1 for d in days if d in avoid), *spacing(days, n), days),
    )


@functools.lru_cache(maxsize=50_000)
def best_run_days(
    loads: tuple[int, ...], k: int, cap: int, gap: int, since: int | None, ladder: bool
) -> tuple[int, ...] | None:
    """The k run days of a week, from how many sessions each day already holds (`loads`).

    No day goes over `cap` sessions, a full rest day stays free, and runs are spread out. For a
    ladder, runs are at least `gap` days apart (counting `since`, the days from the last ladder
    run to the week's first day) and the morning after each run holds a check-in. None when no
    choice fits.
    """
    best: tuple[tuple[int, int, tuple[int, ...]], tuple[int, ...]] | None = None
    for days in combinations(range(DAYS), k):
        if ladder:
            if since is not None and since + days[0] < gap:
                continue
            if any(b - a < gap for a, b in pairwise(days)):
                continue
        busy = list(loads)
        ok = True
        for d in days:
            busy[d] += 1
            if busy[d] > cap:
                ok = False
            if ladder and d + 1 < DAYS:
                busy[d + 1] += 1
                if busy[d + 1] > cap:
                    ok = False
        if not ok:
            continue
        taken = set(days)
        if ladder:
            taken |= {d + 1 for d in days}
        if not any(busy[i] == 0 and i not in taken for i in range(DAYS)):
            continue
        consecutive, spread = spacing(days, k)
        if since is not None and since + days[0] == 1:
            consecutive += 1
        key = (consecutive, spread, days)
        if best is None or key < best[0]:
            best = (key, days)
    return best[1] if best else None
