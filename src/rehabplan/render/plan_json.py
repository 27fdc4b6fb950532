"""The plan as JSON: the typed plan, with each session's words beside its numbers.

The document is the Plan dumped by pydantic, plus what ``rehabplan.wording`` says of it: the
plan's title, each note's text, each session's title, details, checklist and after-care, and
each dose in words. :func:`read_plan` reads a document back into a Plan (the words are left out:
they follow from the plan). :func:`schema` is the published JSON Schema.
"""

from __future__ import annotations

import base64
from typing import Any

import pydantic_core

from .. import wording
from ..planning.plan import Plan
from .options import BookletOptions, CalendarOptions

#: Keys the document adds to the typed plan (left out again when it is read back).
_PLAN_WORDS = ("title", "settings")
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


def to_json(plan: Plan, booklet: BookletOptions | None = None, calendar: CalendarOptions | None = None) -> bytes:
    """The plan document as pretty JSON, UTF-8, one trailing newline; with the settings the
    booklet and calendar were made with, when given (a re-plan makes them the same way)."""
    doc = document(plan)
    if booklet is not None or calendar is not None:
        doc["settings"] = settings(booklet, calendar)
    # pydantic's own writer: the same text as json.dumps(indent=2, ensure_ascii=False), in an eighth of the time
    return pydantic_core.to_json(doc, indent=2) + b"\n"


def settings(booklet: BookletOptions | None, calendar: CalendarOptions | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if booklet is not None:
        out["booklet"] = booklet.model_dump(mode="json", exclude={"logo"})
        if booklet.logo:
            out["booklet"]["logo"] = base64.b64encode(booklet.logo).decode("ascii")
    if calendar is not None:
        out["calendar"] = calendar.model_dump(mode="json")
    return out


def read_settings(data: dict[str, Any]) -> tuple[BookletOptions | None, CalendarOptions | None]:
    """The booklet and calendar settings a plan document was made with (None where it has none)."""
    found = data.get("settings") or {}
    booklet = found.get("booklet")
    if booklet is not None and booklet.get("logo"):
        booklet = {**booklet, "logo": base64.b64decode(booklet["logo"])}
    return (
        BookletOptions.model_validate(booklet) if booklet is not None else None,
        CalendarOptions.model_validate(found["calendar"]) if found.get("calendar") is not None else None,
    )


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
