"""A kind of case tells the core who hears of a change: the applicant of a dossier gets a
message on every change of state, in their language, queued by the same transaction."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import OutboxMessage, utcnow
from app.queue import kinds
from app.queue.actions import perform
from app.queue.errors import QueueError
from tests.factories import make_case, make_department, make_officer, make_resident


@pytest.fixture
def desk(session):
    dept = make_department(session)
    officer = make_officer(session, dept, skills=["civil_status"])
    intake = make_officer(session, dept, desk="intake")
    session.commit()
    return dept, officer, intake


def _messages(session, user):
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                                .order_by(OutboxMessage.id)))


def test_the_factory_registers_the_dossier_kind(app):
    assert "dossier" in kinds.registered()


def test_an_applicant_hears_of_a_supplement_request_in_their_language(session, desk):
    dept, officer, _ = desk
    english = make_resident(session, email="mai@example.vn")
    english.locale = "en"
    case = make_case(session, dept, state=4, assignee=officer, applicant=english,
                     title="Birth registration")
    session.commit()
    perform(session, case.id, "request_supplement", officer, note="A copy of the parents' ID")
    [message] = _messages(session, english)
    assert message.channel == "email" and message.recipient == "mai@example.vn"
    assert case.code in message.subject and "Waiting for you" in message.subject
    assert "A copy of the parents' ID" in message.body
    assert "What you must do now: Provide what is listed below" in message.body


def test_a_vietnamese_applicant_reads_vietnamese_with_the_appointment_date(session, desk):
    dept, _, intake = desk
    resident = make_resident(session)  # phone only, Vietnamese by default
    case = make_case(session, dept, state=1, applicant=resident, sla_days=3, assignee=intake,
                     received_at=utcnow() - timedelta(hours=1))
    session.commit()
    perform(session, case.id, "receive", intake)
    [message] = _messages(session, resident)
    assert message.channel == "sms"
    assert "Đã tiếp nhận tại bộ phận một cửa" in message.subject
    assert "Ngày hẹn trả kết quả" in message.body
    assert case.due_at.astimezone().strftime("%Y") in message.body


def test_a_refused_change_sends_nothing(session, desk):
    dept, officer, _ = desk
    resident = make_resident(session)
    case = make_case(session, dept, state=4, assignee=officer, applicant=resident)
    session.commit()
    with pytest.raises(QueueError):  # the officer may not receive, and 4 -> 2 is no transition
        perform(session, case.id, "receive", officer)
    assert _messages(session, resident) == []


def test_changes_the_applicant_need_not_know_send_nothing(session, desk):
    dept, officer, _ = desk
    other = make_department(session)
    resident = make_resident(session)
    case = make_case(session, dept, state=4, assignee=officer, applicant=resident)
    session.commit()
    perform(session, case.id, "transfer", officer, to_department_id=other.id,
            note="Đúng thẩm quyền phòng khác")
    assert _messages(session, resident) == []


def test_a_case_without_an_applicant_or_without_its_kinds_row_sends_nothing(session, desk):
    dept, officer, _ = desk
    walk_in = make_case(session, dept, state=4, assignee=officer)
    petition = make_case(session, dept, state=4, assignee=officer, case_type="petition",
                         applicant=make_resident(session))  # no petition row behind it
    session.commit()
    perform(session, walk_in.id, "request_supplement", officer, note="Thiếu giấy")
    perform(session, petition.id, "stop", officer, note="Trùng nội dung")
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_each_kind_offers_only_the_steps_of_its_trade(app):
    """A dossier has every step; the others leave out what their residents have no page for
    (papers to add, fees to pay) and a result to collect where the answer is the end. The
    actions a kind handles on a page of its own are among its actions."""
    from app.queue.states import FEE_ACTIONS, SUPPLEMENT_ACTIONS, Action
    assert kinds.actions_for("dossier") is None
    for name in ("petition", "field_report", "initiative", "village_need"):
        allowed = kinds.actions_for(name)
        assert allowed and not (allowed & (FEE_ACTIONS | SUPPLEMENT_ACTIONS)), name
        assert Action.COMPLETE in allowed and Action.WITHDRAW in allowed, name
        assert set(kinds.kind_for(name).action_pages) <= allowed, name
    assert Action.RETURN_RESULT in kinds.actions_for("field_report")
    assert Action.RETURN_RESULT not in kinds.actions_for("petition")


def test_a_step_a_kind_does_not_have_is_neither_offered_nor_taken(session, desk):
    from app.queue.actions import available_actions
    from app.queue.errors import IllegalTransition
    from app.queue.states import Action
    dept, officer, _intake = desk
    dept.case_types = "dossier,petition"
    petition = make_case(session, dept, state=4, case_type="petition", category="civil_status",
                         assignee=officer)
    dossier = make_case(session, dept, state=4, category="civil_status", assignee=officer)
    session.commit()
    offered = available_actions(session, petition, officer)
    assert Action.REQUEST_FEES not in offered and Action.REQUEST_SUPPLEMENT not in offered
    assert Action.STOP in offered
    assert Action.REQUEST_FEES in available_actions(session, dossier, officer)
    with pytest.raises(IllegalTransition) as refused:
        perform(session, petition.id, "request_fees", officer, note="50.000")
    assert refused.value.details["reason"] == "not_for_this_kind"
    session.rollback()
    assert session.get(type(petition), petition.id).state == 4
