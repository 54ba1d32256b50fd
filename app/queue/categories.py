"""Case categories. A case's category is also the skill an officer must hold to take it, so
routing rules, officer skills and claims all speak the same small vocabulary.

Only the keys live here (the queue has no Flask, hence no Babel); what people read is
app/labels.py's CATEGORY_NAMES, translated like every other word on a page.
"""
from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "civil_status", "residence", "certification", "land", "construction", "social_support",
    "petition", "field_report", "initiative", "village_need",
)
