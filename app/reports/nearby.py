"""Open reports of the same category near a point: what a resident is shown before sending a
new report, and what an officer merges.

The look-up never scans the table. The bounding box of the circle (app/reports/geo.py) turns
"within r metres" into a latitude range and a longitude range, which the partial index
`ix_field_reports_nearby` (category_id, lat, lng) WHERE lat IS NOT NULL answers: an equality
on the category, a range seek on the latitude, the longitude filtered from the same index
entries. Only the few rows in the box are fetched, and the exact haversine distance keeps those
inside the circle (the box's corners are outside it). tests/integration/test_reports_nearby.py
checks the plan on both engines. No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Case, FieldReport
from app.queue.states import OPEN_STATES
from app.reports.geo import bounding_box, haversine_m

DEFAULT_RADIUS_M = 100
MAX_SHOWN = 10


@dataclass(frozen=True)
class Nearby:
    report: FieldReport
    distance_m: float | None  # None when found by its village, with no point to measure from


def box_query(category_id: int, lat: float, lng: float, radius_m: float):
    box = bounding_box(lat, lng, radius_m)
    return (select(FieldReport)
            .where(FieldReport.category_id == category_id,
                   FieldReport.lat.is_not(None),
                   FieldReport.lat >= box.south, FieldReport.lat <= box.north,
                   FieldReport.lng >= box.west, FieldReport.lng <= box.east))


def _open(stmt):
    return (stmt.join(Case, Case.id == FieldReport.case_id)
            .where(Case.state.in_(sorted(int(s) for s in OPEN_STATES)),
                   FieldReport.merged_into_id.is_(None))
            .options(selectinload(FieldReport.case), selectinload(FieldReport.photos)))


def open_in_village(session: Session, *, category_id: int, village_id: int,
                    limit: int = MAX_SHOWN) -> list[Nearby]:
    """Open, unmerged reports of the category in the village, newest first: what a resident
    who placed the problem by its village alone (no location on the phone, or no JavaScript)
    is shown instead of a distance look-up. The village's index answers it."""
    stmt = _open(select(FieldReport).where(FieldReport.category_id == category_id,
                                           FieldReport.village_id == village_id))
    stmt = stmt.order_by(FieldReport.case_id.desc()).limit(limit)
    return [Nearby(report, None) for report in session.scalars(stmt)]


def open_nearby(session: Session, *, category_id: int, lat: float, lng: float,
                radius_m: float = DEFAULT_RADIUS_M, exclude_case_id: int | None = None,
                limit: int = MAX_SHOWN) -> list[Nearby]:
    """Open, unmerged reports of the category within `radius_m` metres, nearest first."""
    stmt = _open(box_query(category_id, lat, lng, radius_m))
    if exclude_case_id is not None:
        stmt = stmt.where(FieldReport.case_id != exclude_case_id)
    found = []
    for report in session.scalars(stmt):
        distance = haversine_m(lat, lng, report.lat, report.lng)
        if distance <= radius_m:
            found.append(Nearby(report, distance))
    found.sort(key=lambda n: (n.distance_m, -n.report.case_id))
    return found[:limit]
