"""Names of case categories (which are also officers' skills), through Babel, for every page
that shows one (workbench, administration). The keys are app/queue/categories.py's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.queue.categories import CATEGORIES

CATEGORY_NAMES = {
    "civil_status": _l("Civil status"),
    "residence": _l("Residence"),
    "certification": _l("Certification"),
    "land": _l("Land"),
    "construction": _l("Construction"),
    "social_support": _l("Social support"),
    "petition": _l("Feedback and petitions"),
    "field_report": _l("Field reports (roads, drainage, lighting, environment)"),
    "initiative": _l("Community initiatives"),
    "village_need": _l("Village needs"),
}
assert set(CATEGORY_NAMES) == set(CATEGORIES), "every category needs a name"


def category_name(key: str | None, lang: str | None = None) -> str:
    """The category in the page's language; an unknown key is shown as it is rather than
    failing a page over a category added after this list. (`lang` is accepted for the
    templates' sake; Babel already knows the page's language.)"""
    if not key:
        return ""
    name = CATEGORY_NAMES.get(key)
    return str(name) if name is not None else key


def category_choices() -> list[tuple[str, str]]:
    return [(key, category_name(key)) for key in CATEGORIES]
