"""The web page's words: field labels (errors name a field by its label), hints and messages."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "condition": "Where it hurts",
    "site": "Where it hurts",
    "mileage": "Usual weekly distance",
    "units": "Miles or kilometres",
    "start": "Start date",
    "weeks_off": "Weeks already off running",
    "can_run": "Minutes you can run now",
    "run_days": "Run days a week",
    "pace": "Easy pace",
    "long_run": "Usual long run",
    "tz": "Time zone",
    "time": "Time",
    "time_run": "Runs at",
    "time_strength": "Strength at",
    "time_check_in": "Morning check-in at",
    "time_cross_training": "Cross-training at",
    "all_day": "All-day events",
    "alarms": "Reminders",
    "paper": "Paper size",
    "name": "Your name",
    "date": "Day",
    "pain_during": "Pain during",
    "pain_after": "Pain after",
    "pain_next_morning": "Pain next morning",
    "note": "Note",
}

HINTS: dict[str, str] = {
    "mileage": "What you ran in a normal week before the injury, e.g. 30.",
    "start": "A Monday is best; the plan's weeks start on this day.",
    "weeks_off": "Time already spent resting shortens the first phases.",
    "can_run": "How long you can run now before the knee hurts (0 if you cannot run).",
    "run_days": "How many days a week you will run once rebuilt (3 to 6).",
    "pace": "Minutes:seconds per mile or km at an easy, chatty pace, e.g. 10:30. Leave empty if unsure.",
    "long_run": "Your usual longest run of the week. Leave empty for a third of your week.",
    "tz": "Filled in from your phone or computer; e.g. Europe/London.",
    "name": "Printed on the booklet's cover. Leave empty if you prefer.",
    "time_run": "Walk/runs go at the same time; the morning check-in moves with it unless you set it.",
    "paper": "For printing the booklet at home.",
    "note": "Anything else, in words (at most 200 characters).",
}

PICK_CONDITION = "Choose where your knee hurts."
GIVE_MILEAGE = "Give your usual weekly distance, e.g. 30."
NOTHING_TO_LOG = (
    "Nothing to log: give your pain (during, after, next morning) or tick what happened "
    "(missed, swelling, checks met, warning sign, cleared)."
)
NOT_FOUND = "There is no plan at this address. Check the link, or make a new plan."
DELETED = "Your plan and its check-ins are deleted for good."
TOO_LARGE = "That request is too large."
CROSS_SITE = "This form was sent from another site, so it was not accepted. Open the page again and send it from there."
NOTHING_CHANGED = "Nothing changed: carry on with the plan as it was."


def label(field: str) -> str:
    """A field as the page names it."""
    return LABELS.get(field, field.replace("_", " ").capitalize())


def paper_default(clinic_paper: str | None) -> str:
    """The paper choice that leaves it to the site: the clinic's paper, or one by the units."""
    if clinic_paper is not None:
        return f"The clinic's ({'A4' if clinic_paper == 'a4' else 'Letter'})"
    return "Letter for miles, A4 for kilometres"
