"""The plan as JSON: the typed plan, with each session's words beside its numbers.

The document is the Plan dumped by pydantic, plus what ``rehabplan.wording`` says of it: the
plan's title, each note's text, each session's title, details, checklist and after-care, and
each dose in words. :func:`read_plan` reads a document back into a Plan (the words are left out:
they follow from the plan). :func:`schema` is the published JSON Schema.
"""

from __future__ import annotations

import json
from typing import Any

from .. import wording
from ..planning.plan import Plan

#: Keys the document adds to the typed plan (left out again when it is read back).
_PLAN_WORDS = ("title",)
_SESSION_WORDS = ("title", "details", "checklist", "aftercare")
_NOTE_WORDS = ("text",)
_DOSE_WORDS = ("dose_text",)


def document(plan: Plan) -> dict[str, Any]:
    """The plan as a JSON-ready dict, words included."""
    data = plan.model_dump(mode="json")
    out: dict[str, Any] = {"title": wording.title(plan), **data}
    for note, text in zip(out["notes"], wording.notes(plan), strict=True):
        note["text"] = text
    sessions = plan.sessions()
    dumped = [s for w in out["weeks"] for s in w["sessions"]]
    for s, d in zip(sessions, dumped, strict=True):
        words = wording.word(plan, s)
        d.update(
            title=words.title,
            details=list(words.all_details),
            checklist=list(words.checklist),
            aftercare=words.aftercare,
        )
        for ex, ed in zip(getattr(s, "exercises", ()), d.get("exercises", ()), strict=True):
            ed["dose_text"] = wording.formats.dose(ex.dose)
    for card, cd in zip(plan.exercises, out["exercises"], strict=True):
        cd["dose_text"] = wording.formats.dose(card.dose)
    return out


def to_json(plan: Plan) -> bytes:
    """The plan document as pretty JSON, UTF-8, one trailing newline."""
    return json.dumps(document(plan), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def read_plan(data: dict[str, Any]) -> Plan:
    """A plan document (as parsed JSON) back into a Plan."""
    plan = {k: v for k, v in data.items() if k not in _PLAN_WORDS}
    plan["notes"] = [{k: v for k, v in n.items() if k not in _NOTE_WORDS} for n in plan.get("notes", ())]
    weeks = []
    for w in plan.get("weeks", ()):
        sessions = []
        for s in w.get("sessions", ()):
            s = {k: v for k, v in s.items() if k not in _SESSION_WORDS}
            if "exercises" in s:
                s["exercises"] = [{k: v for k, v in e.items() if k not in _DOSE_WORDS} for e in s["exercises"]]
            sessions.append(s)
        weeks.append({**w, "sessions": sessions})
    plan["weeks"] = weeks
    plan["exercises"] = [{k: v for k, v in c.items() if k not in _DOSE_WORDS} for c in plan.get("exercises", ())]
    return Plan.model_validate(plan)


def schema() -> dict[str, Any]:
    """The JSON Schema of the plan document: the Plan's, with the worded fields added."""
    out = Plan.model_json_schema()
    defs = out.get("$defs", {})
    text = {"type": "string"}
    lines = {"type": "array", "items": text}
    out["properties"] = {"title": text, **out["properties"]}
    out["required"] = ["title", *out.get("required", [])]
    for name, d in defs.items():
        props = d.get("properties", {})
        if name.endswith("Session"):
            props.update(title=text, details=lines, checklist=lines, aftercare={"anyOf": [text, {"type": "null"}]})
            d.setdefault("required", []).extend(["title", "details", "checklist"])
        elif name.endswith("Note"):
            props["text"] = text
            d.setdefault("required", []).append("text")
        elif name in ("PlannedExercise", "ExerciseCard"):
            props["dose_text"] = text
            d.setdefault("required", []).append("dose_text")
    return out
