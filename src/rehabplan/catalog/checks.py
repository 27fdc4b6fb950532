"""Checks that a protocol makes sense as a plan, beyond each file being valid on its own.

Every message is one line, ``templates/<file>: <field>: <reason>``, like the rest of check-data.
"""

from __future__ import annotations

import re

from .models import Exercise, Protocol, RampFile, Running

#: Words in an exit criterion that ask for running the plan schedules only in some phases.
_HILLS = re.compile(r"\b(hills?|downhill|uphill)\b", re.IGNORECASE)
_STRIDES = re.compile(r"\bstrides?\b", re.IGNORECASE)
_TRAILS = re.compile(r"\btrails?\b", re.IGNORECASE)


def coherence(protocol: Protocol, exercises: dict[str, Exercise], ramp: RampFile | None, problems: list[str]) -> None:
    """A protocol's readiness tests test what it trains first, and its exit criteria ask only for
    what its phases schedule."""
    label = f"templates/{protocol.id}.toml"
    _readiness_is_trained(protocol, ramp, label, problems)
    for pi, ph in enumerate(protocol.phases):
        for ci, text in enumerate(ph.exit_criteria):
            loc = f"{label}: phases[{pi}].exit_criteria[{ci}]"
            if _HILLS.search(text) and not (ph.running == Running.HOLD and protocol.hills_allowed):
                problems.append(
                    f"{loc}: asks for hills, which the plan schedules only in the last (hold) phase"
                    + ("" if protocol.hills_allowed else ", and never for this protocol (hills_allowed = false)")
                )
            if _STRIDES.search(text) and ph.running not in (Running.RAMP, Running.HOLD):
                problems.append(f"{loc}: asks for strides, which the plan schedules only once running builds")
            if _TRAILS.search(text):
                problems.append(f"{loc}: asks for trail running, which the plan never schedules")


def _readiness_is_trained(protocol: Protocol, ramp: RampFile | None, label: str, problems: list[str]) -> None:
    """Each readiness test's exercises are practised in a phase that always comes before running."""
    if ramp is None:
        return
    tests = {t.id: t for t in ramp.readiness_tests}
    before: set[str] = set()
    for ph in protocol.phases:
        if ph.running != Running.NONE:
            break
        if ph.min_weeks >= 1:
            before.update(s.id for s in ph.exercises)
    for i, tid in enumerate(protocol.readiness.tests):
        test = tests.get(tid)
        if test is None or not test.requires:
            continue
        if not before & set(test.requires):
            need = ", ".join(test.requires)
            problems.append(
                f"{label}: readiness.tests[{i}]: {tid!r} tests what no phase before running trains "
                f"(it needs one of: {need}, in a phase with min_weeks of at least 1)"
            )
