"""The duplicate look-up: the right reports by true distance, through the index on both
engines (app/reports/nearby.py)."""
from __future__ import annotations

import math

import pytest
from sqlalchemy import text

from app.reports.nearby import box_query, open_nearby
from tests.reports_world import HERE, build


@pytest.fixture
def world(session):
    return build(session)


def _at(metres_north: float, metres_east: float) -> tuple[float, float]:
    lat = HERE[0] + metres_north / 111_195
    lng = HERE[1] + metres_east / (111_195 * math.cos(math.radians(HERE[0])))
    return lat, lng


def _report(session, world, at, category="cong-ranh-tac"):
    from app.reports import services

    return services.create_report(session, world.resident, services.ReportInput(
        category_code=category, description="Cống tắc", commune_id=world.commune.id,
        lat=at[0], lng=at[1], attributes={"blocking": ["co"]} if category == "cay-do" else {}))


def test_reports_are_found_by_true_distance_in_every_direction(session, world):
    inside = [_report(session, world, _at(n, e)) for n, e in
              ((95, 0), (0, 95), (-95, 0), (0, -95), (60, 60), (0, 0))]
    # The corners of the bounding box are further than 100 m: a box alone would keep them.
    corner = _report(session, world, _at(90, 90))              # about 127 m
    outside = _report(session, world, _at(0, 105))
    other_kind = _report(session, world, HERE, category="cay-do")
    found = open_nearby(session, category_id=world.drain.id, lat=HERE[0], lng=HERE[1],
                        radius_m=100)
    ids = [n.report.case_id for n in found]
    assert set(ids) == {r.case_id for r in inside}
    assert corner.case_id not in ids and outside.case_id not in ids
    assert other_kind.case_id not in ids
    assert ids[0] == inside[-1].case_id and found[0].distance_m < 1  # nearest first
    assert all(n.distance_m <= 100 for n in found)


def test_the_radius_is_a_setting(app, client, session, world):
    _report(session, world, _at(150, 0))
    app.config["REPORT_DUPLICATE_RADIUS_M"] = 200
    client.login(world.resident.phone, "reports-password-1")
    page = client.get("/vi/reports/new", query_string={
        "category": "cong-ranh-tac", "commune_id": world.commune.id, "lat": HERE[0],
        "long": HERE[1]}).page
    assert "200 m" in page.select_one("#nearby-title").get_text()


def test_the_look_up_uses_the_index_not_a_table_scan(session, world):
    for step in range(30):
        _report(session, world, _at(step * 50, step * 30))
    stmt = box_query(world.drain.id, HERE[0], HERE[1], 100)
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if session.get_bind().dialect.name == "sqlite":
        plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_field_reports_nearby" in plan and "SCAN field_reports" not in plan, plan
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in session.execute(text(f"EXPLAIN {compiled}")))
        assert "ix_field_reports_nearby" in plan, plan
        assert "lat >=" in plan.replace("(", "").replace(")", "") or "Index Cond" in plan, plan
    session.rollback()
