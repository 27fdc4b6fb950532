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
    loads: tuple[int, ...], training: tuple[bool, ...], k: int, cap: int, gap: int, since: int | None
) -> tuple[int, ...] | None:
    """The k run days of a week, from how many sessions each day already holds (`loads`) and
    which days already hold training.

    Each run brings a pain check the next morning; no day goes over `cap` sessions, one day stays
    free of training, and runs are at least `gap` days apart (counting `since`, the days from the
    last run to the week's first day) and spread out. None when no choice fits.
    """
    best: tuple[tuple[int, int, tuple[int, ...]], tuple[int, ...]] | None = None
    for days in combinations(range(DAYS), k):
        if since is not None and since + days[0] < gap:
            continue
        if any(b - a < gap for a, b in pairwise(days)):
            continue
        busy = list(loads)
        for d in days:
            busy[d] += 1
            if d + 1 < DAYS:
                busy[d + 1] += 1
        if any(b > cap for b in busy):
            continue
        if all(training[i] or i in days for i in range(DAYS)):
            continue
        consecutive, spread = spacing(days, k)
        if since is not None and since + days[0] == 1:
            consecutive += 1
        key = (consecutive, spread, days)
        if best is None or key < best[0]:
            best = (key, days)
    return best[1] if best else None
