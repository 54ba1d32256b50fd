"""What people read for a need's category and status (Babel), apart from the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "roads": _l("Roads and bridges"),
    "water": _l("Clean water"),
    "school": _l("School supplies"),
    "disaster_relief": _l("Help after a flood or storm"),
    "health": _l("Health"),
    "environment": _l("Environment"),
    "other": _l("Other"),
}

STATUS_LABELS = {
    "open": _l("Open"),
    "met": _l("Met"),
    "closed": _l("Closed"),
}

SORT_LABELS = {
    "newest": _l("Newest"),
    "supported": _l("Most supported"),
    "closing": _l("Closing soon"),
}


def category_name(key: str) -> str:
    label = CATEGORY_LABELS.get(key)
    return str(label) if label is not None else key


def status_name(key: str) -> str:
    label = STATUS_LABELS.get(key)
    return str(label) if label is not None else key
