"""Submitting a dossier (the service the online form and the desk will call): one case and one
dossier, routed, with the code Circular 01/2018 prescribes; nothing at all when refused."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dossiers.services import DossierError, Submission, submit
from app.models import Case, CaseEvent, Dossier, DossierSequence, RoutingRule
from tests.factories import make_dossier_office

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 09:00 in Hanoi


@pytest.fixture
def office(session):
    office = make_dossier_office(session)
    session.commit()
    return office


def _submission(office, **overrides) -> Submission:
    values = dict(procedure_id=office["procedure"].id, unit_id=office["commune"].id,
                  applicant_name="Nguyễn  Văn Bình", applicant_phone="0912 345 678",
                  form_data={"child_name": "Nguyễn Văn An"})
    values.update(overrides)
    return Submission(**values)


def _count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def test_an_online_submission_makes_one_routed_case_in_state_1_with_its_code(session, office):
    dossier = submit(session, _submission(office, idempotency_key="form-1"), now=NOW)
    case = session.get(Case, dossier.case_id)
    code = office["commune"].code
    assert case.code == f"{code}-261123-0001"
    assert (case.state, case.case_type, case.category) == (1, "dossier", "civil_status")
    assert case.department_id == office["dept"].id and case.procedure_id == office["procedure"].id
    assert case.due_at > NOW and case.sla_days == 3
    assert dossier.applicant_name == "Nguyễn Văn Bình" and dossier.applicant_phone == "0912345678"
    assert dossier.channel == "online" and dossier.form_data == {"child_name": "Nguyễn Văn An"}
    assert [e.action for e in session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id))] == ["submitted"]
    second = submit(session, _submission(office, applicant_id_number="012345678901",
                                         applicant_phone=None, channel="walk_in"), now=NOW)
    assert session.get(Case, second.case_id).code == f"{code}-261123-0002"


def test_submitting_twice_with_the_same_form_makes_one_dossier(session, office):
    first = submit(session, _submission(office, idempotency_key="tap-tap"), now=NOW)
    again = submit(session, _submission(office, idempotency_key="tap-tap"), now=NOW)
    assert again.case_id == first.case_id
    assert _count(session, Case) == 1 and _count(session, Dossier) == 1


@pytest.mark.parametrize("overrides,code", [
    ({"procedure_id": 10 ** 6}, "unknown_procedure"),
    ({"applicant_phone": None}, "contact_required"),
    ({"applicant_phone": "12345"}, "bad_phone"),
    ({"applicant_phone": None, "applicant_id_number": "12345"}, "bad_id_number"),
    ({"applicant_phone": None, "applicant_id_number": "０１２３４５６７８９０１"}, "bad_id_number"),
    ({"applicant_name": "   "}, "name_required"),
    ({"applicant_name": "Bình\u202e"}, "bad_name"),
    ({"channel": "fax"}, "bad_channel"),
])
def test_a_refused_submission_leaves_nothing_behind(session, office, overrides, code):
    with pytest.raises(DossierError) as refused:
        submit(session, _submission(office, **overrides), now=NOW)
    assert refused.value.code == code
    assert _count(session, Case) == 0 and _count(session, Dossier) == 0
    assert _count(session, DossierSequence) == 0


def test_a_procedure_nobody_routes_is_refused_without_using_a_number(session, office):
    session.execute(RoutingRule.__table__.delete())
    session.commit()
    with pytest.raises(DossierError) as refused:
        submit(session, _submission(office), now=NOW)
    assert refused.value.code == "no_route"
    assert _count(session, Case) == 0 and _count(session, DossierSequence) == 0


def test_simultaneous_submissions_get_distinct_consecutive_codes(app, session, office):
    from app.extensions import db

    engine = db.engine
    # Plain values: the fixture's rows belong to the test's session, not to the threads.
    ids = {"procedure": office["procedure"].id, "commune": office["commune"].id}
    plain = {"procedure": type("P", (), {"id": ids["procedure"]}),
             "commune": type("C", (), {"id": ids["commune"]})}
    codes, errors = [], []
    start = threading.Barrier(8)

    def one(n: int) -> None:
        # Each thread is one request of its own: its own application context and session.
        with app.app_context(), Session(engine) as own:
            try:
                start.wait(timeout=10)
                dossier = submit(own, _submission(plain, idempotency_key=f"k{n}"), now=NOW)
                codes.append(own.get(Case, dossier.case_id).code)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    numbers = sorted(int(re.search(r"-(\d{4})$", c).group(1)) for c in codes)
    assert numbers == list(range(1, 9))
    assert _count(session, Dossier) == 8


def test_the_same_form_sent_from_four_connections_at_once_makes_one_dossier(app, session, office):
    """A flaky connection's retries arrive together: one dossier, one number used, and every
    request answers with that dossier."""
    from app.extensions import db

    engine = db.engine
    plain = {"procedure": type("P", (), {"id": office["procedure"].id}),
             "commune": type("C", (), {"id": office["commune"].id})}
    answers, errors = [], []
    start = threading.Barrier(4)

    def one() -> None:
        with app.app_context(), Session(engine) as own:
            try:
                start.wait(timeout=10)
                answers.append(submit(own, _submission(plain, idempotency_key="retry"),
                                      now=NOW).case_id)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(answers) == 4 and len(set(answers)) == 1
    assert _count(session, Case) == 1 and _count(session, Dossier) == 1
    assert session.scalar(select(DossierSequence.last)) == 1
