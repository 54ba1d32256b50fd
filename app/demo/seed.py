"""`flask seed-demo`: a province to try the portal with, its staff and demo accounts.

Idempotent by design: it refuses to touch a database that already has units, so it can run at
every `make run` without duplicating anything.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo.community_partners import seed_partners
from app.demo.units import COMMUNES, PROVINCE, village_english
from app.models import AdminUnit, CalendarDay, Department, OfficerMembership, OfficerSkill, Role, User
from app.passwords import hash_password

DEMO_PASSWORD = "CongLang@2026"

# (key, full name, role, email, phone, desk, skills)
DEMO_STAFF = [
    ("intake", "Nguyễn Thị Lan", Role.OFFICER, "tiepnhan@conglang.demo", None, "intake",
     ["civil_status", "residence", "certification", "petition", "field_report"]),
    ("specialist", "Trần Văn Minh", Role.OFFICER, "chuyenvien@conglang.demo", None, "specialist",
     ["civil_status", "residence", "certification"]),
    ("leader", "Lê Hoàng Nam", Role.LEADER, "lanhdao@conglang.demo", None, "leader", []),
    ("admin", "Phạm Thu Hà", Role.ADMIN, "quantri@conglang.demo", None, None, []),
]


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(func.count(AdminUnit.id))) == 0


def seed_units(session: Session) -> dict[str, AdminUnit]:
    code, vi, en = PROVINCE
    province = AdminUnit(code=code, level="province", name_vi=vi, name_en=en)
    session.add(province)
    units = {code: province}
    for c_code, c_vi, c_en, villages in COMMUNES:
        commune = AdminUnit(code=c_code, level="commune", name_vi=c_vi, name_en=c_en, parent=province)
        session.add(commune)
        units[c_code] = commune
        for i, v_vi in enumerate(villages, start=1):
            v_code = f"{c_code}-{i:02d}"
            units[v_code] = AdminUnit(code=v_code, level="village", name_vi=v_vi,
                                      name_en=village_english(v_vi), parent=commune)
            session.add(units[v_code])
    session.flush()
    return units


def seed_calendar(session: Session) -> None:
    # The `holidays` package gives 31/8/2026 as a day off but not the Saturday worked in
    # exchange; the administrator enters it, as a real commune would.
    session.add(CalendarDay(day=date(2026, 8, 22), kind="makeup",
                            name_vi="Làm bù cho ngày nghỉ 31/8/2026",
                            name_en="Make-up working day for 31 Aug 2026"))


def seed_people(session: Session, units: dict[str, AdminUnit]) -> dict[str, User]:
    commune = units[COMMUNES[1][0]]  # Xã Đại Phúc: the demo commune with a full staff
    password = hash_password(DEMO_PASSWORD)
    people: dict[str, User] = {}
    people["resident"] = User(full_name="Hoàng Văn An", phone="0912345678", email=None,
                              role=Role.RESIDENT.value, password_hash=password,
                              commune_id=commune.id, village_id=units[f"{commune.code}-01"].id)
    for key, name, role, email, phone, _desk, _skills in DEMO_STAFF:
        people[key] = User(full_name=name, email=email, phone=phone, role=role.value,
                           password_hash=password, commune_id=commune.id)
    session.add_all(people.values())
    session.flush()

    one_stop = Department(unit_id=commune.id, code=f"{commune.code}-MC",
                          name_vi="Bộ phận Một cửa", name_en="One-stop desk",
                          case_types="dossier,petition,field_report,initiative,village_need",
                          leader_id=people["leader"].id)
    session.add(one_stop)
    session.flush()
    for key, _name, _role, _email, _phone, desk, skills in DEMO_STAFF:
        if desk is None:
            continue
        membership = OfficerMembership(user_id=people[key].id, department_id=one_stop.id, desk=desk)
        membership.skills = [OfficerSkill(skill=s) for s in skills]
        session.add(membership)
    session.flush()
    return people


def seed_foundation(session: Session) -> tuple[dict[str, AdminUnit], dict[str, User]]:
    """The province, the calendar and the demo accounts, without any work in the queue."""
    units = seed_units(session)
    seed_calendar(session)
    people = seed_people(session, units)
    return units, people


def seed_demo(session: Session) -> dict:
    units, people = seed_foundation(session)
    from app.demo.queue_seed import seed_queue  # here: it imports this module

    from app.demo.procedures import seed_procedures

    procedures = seed_procedures(session)
    from app.demo.petitions import seed_petitions, seed_topics

    seed_topics(session)  # before the queue: its petition cases get their petition rows
    queue = seed_queue(session, units, people)
    from app.demo.community_village import seed_village_needs
    seed_village_needs(session, units, people)
    session.commit()
    from app.demo.community import seed_community

    community = seed_community(session, units, people, DEMO_PASSWORD)
    community.update(seed_partners(session, units, people))  # pledges to those initiatives
    session.commit()
    from app.demo.community_village import seed_village_help

    community["village_cases"] = seed_village_help(session, people)
    from app.demo.community_moderation import seed_moderation  # on the initiatives and needs

    seed_moderation(session, people)
    session.commit()
    from app.demo.appointments import seed_appointments  # the desk hours and bookings

    community.update(seed_appointments(session, people))
    from app.demo.village_notices import seed_village_notices  # through their services

    community["village_notices"] = seed_village_notices(session, units, people)
    from app.demo.reports import seed_reports  # field reports, through their services

    community.update(seed_reports(session, people))
    session.commit()
    community.update(seed_petitions(session, people))  # questions, voters, reception
    # Issue 12: ratings of the dossiers handed back, the scorecard's entered figures. The
    # queue's demo history is written event by event (app/demo/queue_seed.py), not through
    # perform(): its statistics are recounted from those events, as `stats rebuild` would.
    from app.demo.statistics import seed_statistics
    from app.stats.rebuild import rebuild

    community.update(seed_statistics(session, people))
    rebuild(session)
    return {"units": len(units), "people": len(people), "procedures": procedures, **queue,
            **community}
