"""What people read for an announcement's category, an alert's hazard and severity, and the
subscription choices (Babel), apart from the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ANNOUNCEMENT_CATEGORY_LABELS = {
    "meeting": _l("Meeting"),
    "vaccination": _l("Vaccination"),
    "power_cut": _l("Power cut"),
    "water": _l("Water supply"),
    "agriculture": _l("Agriculture"),
    "health": _l("Health"),
    "education": _l("Schools and education"),
    "security": _l("Security and order"),
    "other": _l("Other"),
}

HAZARD_LABELS = {
    "flood": _l("Flood"),
    "storm": _l("Storm"),
    "landslide": _l("Landslide"),
    "outage": _l("Power, water or phone outage"),
    "public_health": _l("Public health"),
}

SEVERITY_LABELS = {
    "advisory": _l("Advisory"),
    "warning": _l("Warning"),
    "emergency": _l("Emergency"),
}

PERIOD_LABELS = {
    "current": _l("Current"),
    "past": _l("Past"),
    "all": _l("All"),
}

STATUS_LABELS = {
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
}

MODE_LABELS = {
    "each": _l("Each announcement as it is published"),
    "digest": _l("One message a day with the day's announcements"),
    "none": _l("No announcements (alerts only)"),
}


def _name(labels: dict, key: str) -> str:
    label = labels.get(key)
    return str(label) if label is not None else key


def category_name(key: str) -> str:
    return _name(ANNOUNCEMENT_CATEGORY_LABELS, key)


def hazard_name(key: str) -> str:
    return _name(HAZARD_LABELS, key)


def severity_name(key: str) -> str:
    return _name(SEVERITY_LABELS, key)


def labels() -> dict:
    """What the announcement and alert templates look labels up with."""
    return {"category_name": category_name, "hazard_name": hazard_name,
            "severity_name": severity_name, "period_labels": PERIOD_LABELS,
            "status_labels": STATUS_LABELS, "category_labels": ANNOUNCEMENT_CATEGORY_LABELS}
