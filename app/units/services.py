"""Reading the administrative-unit tree for forms and routing."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AdminUnit
from app.text import vietnamese_sort_key


def units_of_level(session: Session, level: str) -> list[AdminUnit]:
    units = session.scalars(select(AdminUnit).where(AdminUnit.level == level)).all()
    return sorted(units, key=lambda u: vietnamese_sort_key(u.name_vi))


def commune_choices(session: Session, lang: str) -> list[tuple[int, str]]:
    return [(u.id, u.name(lang)) for u in units_of_level(session, "commune")]


def village_choices(session: Session, lang: str, empty_label: str) -> dict[str, list[tuple[int, str]]]:
    """Villages grouped by commune (an <optgroup> each), so the list works without JavaScript."""
    communes = {u.id: u for u in units_of_level(session, "commune")}
    grouped: dict[str, list[tuple[int, str]]] = {"": [(0, empty_label)]}
    for village in units_of_level(session, "village"):
        commune = communes.get(village.parent_id)
        if commune is not None:
            grouped.setdefault(commune.name(lang), []).append((village.id, village.name(lang)))
    return grouped
