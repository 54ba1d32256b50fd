"""Which department takes a field report: the report category's own choice for the place, or
else the routing rules.

Why two steps. A report category ("Đèn đường hỏng", "Rác thải") is the administrator's list
and can grow; the queue's case categories are also officers' skills (app/queue/categories.py),
probed once each by every claim, and meant to stay a small fixed vocabulary. So every field
report is a case of category `field_report` (the one skill an officer needs for them), and
the report category chooses the department, per unit: a category's route for the commune,
else its route for the province, else the routing rules for field reports (one rule per
commune already sends all of them somewhere, so a commune with one team needs no per-category
routes at all). The decision is handed to the core's create_case, which does the rest as for
any case: deadline, event, officer picked by skill in "assign" mode. No Flask here.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AdminUnit, Department, ReportRoute
from app.queue.routing import RouteDecision, route

CASE_TYPE = "field_report"
CASE_CATEGORY = "field_report"  # app/queue/categories.py: the skill officers need


def decide(session: Session, category_id: int, commune: AdminUnit) -> RouteDecision:
    """The department for a report of this category in this commune; NoRoute when neither the
    category nor the routing rules name one."""
    chain = [u.id for u in commune.ancestors()]
    rows = session.execute(
        select(ReportRoute.unit_id, ReportRoute.mode, Department)
        .join(Department, Department.id == ReportRoute.department_id)
        .where(ReportRoute.category_id == category_id, ReportRoute.unit_id.in_(chain))).all()
    # A department switched off, or no longer taking field reports, since the route was set
    # is passed over, as the routing rules pass over an inactive department.
    usable = [r for r in rows if r.Department.active and r.Department.accepts(CASE_TYPE)]
    if usable:
        nearest = min(usable, key=lambda r: chain.index(r.unit_id))
        return RouteDecision(department_id=nearest.Department.id, mode=nearest.mode,
                             rule_id=None)
    return route(session, case_type=CASE_TYPE, category=CASE_CATEGORY, unit_id=commune.id)
