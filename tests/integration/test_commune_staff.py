""""Staff of the commune" is one rule (app/units/staff.py) that every part of the participation
side asks: initiatives (answers, progress), partners and pledges (verification, delivery),
moderation and the village needs board. A table of accounts proves the rule, and the callers
are checked to use it rather than a copy of their own."""
from __future__ import annotations

import pytest

from app.models import Role
from app.units.staff import communes_staffed, is_commune_staff
from tests.factories import make_department, make_officer, make_resident, make_unit, make_user


@pytest.fixture
def people(session):
    here, there = make_unit(session), make_unit(session)
    seated = make_officer(session, make_department(session, here))
    elsewhere = make_officer(session, make_department(session, there))
    retired = make_officer(session, make_department(session, here))
    retired.active = False
    demoted = make_officer(session, make_department(session, here), role=Role.RESIDENT)
    admin = make_user(session, role=Role.ADMIN)
    resident = make_resident(session)
    session.commit()
    return {"here": here.id, "there": there.id, "seated": seated, "elsewhere": elsewhere,
            "retired": retired, "demoted": demoted, "admin": admin, "resident": resident}


@pytest.mark.parametrize("who, here, there, nowhere", [
    ("seated", True, False, False),
    ("elsewhere", False, True, False),
    ("retired", False, False, False),    # an inactive account keeps no power
    ("demoted", False, False, False),    # a seat left on a resident account keeps none either
    ("admin", True, True, True),         # every commune, and what names none
    ("resident", False, False, False),
])
def test_who_is_staff_of_a_commune(session, people, who, here, there, nowhere):
    user = people[who]
    assert is_commune_staff(session, user, people["here"]) is here
    assert is_commune_staff(session, user, people["there"]) is there
    assert is_commune_staff(session, user, None) is nowhere
    assert is_commune_staff(session, None, people["here"]) is False


def test_an_administrator_staffs_every_commune_and_a_resident_none(session, people):
    assert communes_staffed(session, people["admin"]) is None
    assert communes_staffed(session, people["resident"]) == set()
    assert communes_staffed(session, people["seated"]) == {people["here"]}


def test_every_part_of_the_participation_side_asks_the_same_rule():
    from app.community import initiatives_service, moderation_service, partners_service
    from app.units import staff
    from app.village import services as village

    assert initiatives_service.is_staff_of is staff.is_commune_staff
    assert partners_service.is_commune_staff is staff.is_commune_staff
    assert village.is_commune_staff is staff.is_commune_staff
    assert moderation_service.communes_staffed is staff.communes_staffed
