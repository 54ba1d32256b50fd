"""Citizen reception (issue 11, item 3): leaders publish reception hours (never on a day the
office is closed), residents register once with what they want to raise, not after the session
starts and not past its places; the reception's record can open a petition case through the
petition service."""
from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import (CalendarDay, Case, OutboxMessage, Petition, ReceptionRecord,
                        ReceptionRegistration, ReceptionSession, utcnow)
from app.queue.calendar import local_day
from app.queue.calendar_db import calendar_from_db
from app.reception import services
from tests.conftest import only_on
from tests.factories import make_user
from tests.integration.petitions_world import (PASSWORD, browser, count, office,  # noqa: F401
                                              problems)


def working_day(session, after: int = 2) -> date:
    calendar = calendar_from_db(session)
    day = local_day(utcnow()) + timedelta(days=after)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def weekend_day(session) -> date:
    day = local_day(utcnow()) + timedelta(days=2)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return day


def session_data(office, when: date, **overrides):
    data = {"unit_id": str(office["commune"].id), "day": when.isoformat(), "starts_at": "08:00",
            "ends_at": "11:00", "place": "Phòng tiếp công dân, UBND xã",
            "receiver": "Ông Nguyễn Văn Bình, Chủ tịch UBND xã", "topics_vi": "Đất đai, chính sách",
            "topics_en": "Land, social policy", "capacity": ""}
    data.update(overrides)
    return data


@pytest.fixture
def reception(session, office):
    return services.publish_session(session, office["leader"], services.SessionInput(
        unit_id=office["commune"].id, day=working_day(session), starts_at=time(8, 0),
        ends_at=time(11, 0), place="Phòng tiếp công dân", receiver="Ông Nguyễn Văn Bình",
        topics_vi="Đất đai", capacity=2))


def test_a_leader_publishes_reception_hours_on_a_working_day(app, session, office):
    leader = browser(app, office["leader"])
    day = working_day(session)
    response = leader.submit("/en/reception/sessions/new", session_data(office, day))
    assert response.status_code == 302
    found = session.scalar(select(ReceptionSession))
    assert (found.day, found.starts_at, found.capacity) == (day, time(8, 0), None)
    page = browser(app).get("/en/reception/").page
    assert "Ông Nguyễn Văn Bình" in page.get_text() and "Land, social policy" in page.get_text()
    assert "Đất đai" in browser(app).get("/vi/reception/").page.get_text()


@pytest.mark.parametrize("change, message", [
    ("weekend", "The office is closed that day"),
    ("holiday", "The office is closed that day"),
    ("past", "The reception must be in the future."),
    ("hours", "must end after it starts"),
    ("bad_time", "Enter a time of day"),
    ("capacity", "from 1 to 500"),
])
def test_bad_reception_hours_are_refused_and_nothing_is_published(
        app, session, office, change, message):
    day = working_day(session)
    overrides = {}
    if change == "weekend":
        overrides["day"] = weekend_day(session).isoformat()
    elif change == "holiday":
        session.add(CalendarDay(day=day, kind="holiday", name_vi="Nghỉ", name_en="Day off"))
        session.commit()
    elif change == "past":
        overrides["day"] = (local_day(utcnow()) - timedelta(days=7)).isoformat()
    elif change == "hours":
        overrides.update(starts_at="11:00", ends_at="08:00")
    elif change == "bad_time":
        overrides["starts_at"] = "25:99"
    elif change == "capacity":
        overrides["capacity"] = "900"
    response = browser(app, office["leader"]).submit("/en/reception/sessions/new",
                                                     session_data(office, day, **overrides))
    assert response.status_code == 400 and message in problems(response.page)
    assert count(session, ReceptionSession) == 0


def test_only_leaders_of_the_commune_publish(app, session, office):
    assert browser(app, office["officer"]).get("/en/reception/sessions/new").status_code == 403
    assert browser(app, office["resident"]).get("/en/reception/sessions/new").status_code == 403


def test_a_resident_registers_once_with_a_topic(app, session, office, reception):
    client = browser(app, office["resident"])
    url = f"/en/reception/sessions/{reception.id}"
    empty = client.submit(f"{url}/register", {"topic": " "}, form_url=url)
    assert empty.status_code == 400 and "Say in a few words" in problems(empty.page)
    done = client.submit(f"{url}/register", {"topic": "Tranh chấp ranh giới đất"}, form_url=url)
    assert done.status_code == 302
    assert "You are registered" in client.get(url).page.get_text()
    again = client.post(f"{url}/register", data={"csrf_token": client.csrf_token("/en/"),
                                                 "topic": "Lần nữa"})
    assert again.status_code == 409 and "already registered" in problems(again.page)
    assert count(session, ReceptionRegistration) == 1
    session.refresh(reception)
    assert reception.registered == 1
    mail = session.scalar(select(OutboxMessage).where(
        OutboxMessage.user_id == office["resident"].id))
    assert mail is not None and "Phòng tiếp công dân" in mail.body


def test_registration_after_the_session_started_is_refused(app, session, office, reception):
    client = browser(app, office["resident"])
    url = f"/en/reception/sessions/{reception.id}"
    token = client.csrf_token(url)
    session.execute(update(ReceptionSession).where(ReceptionSession.id == reception.id)
                    .values(day=local_day(utcnow()) - timedelta(days=1)))
    session.commit()
    page = client.get(url).page
    assert "Registration for this session has closed." in page.get_text()
    assert not page.select("textarea#topic")
    late = client.post(f"{url}/register", data={"csrf_token": token, "topic": "Muộn"})
    assert late.status_code == 409 and "has closed" in problems(late.page)
    vietnamese = client.post(f"/vi/reception/sessions/{reception.id}/register",
                             data={"csrf_token": token, "topic": "Muộn"})
    assert vietnamese.status_code == 409 and vietnamese.page.find("html")["lang"] == "vi"
    assert "has closed" not in problems(vietnamese.page) and problems(vietnamese.page)
    assert count(session, ReceptionRegistration) == 0


def test_a_full_session_takes_nobody_more(app, session, office, reception):
    for _ in range(2):
        services.register(session, make_user(session, password=PASSWORD), reception.id, "Đất")
    client = browser(app, office["resident"])
    url = f"/en/reception/sessions/{reception.id}"
    assert "This session is full" in client.get(url).page.get_text()
    full = client.post(f"{url}/register", data={"csrf_token": client.csrf_token(url),
                                                "topic": "Đất"})
    assert full.status_code == 409 and "full" in problems(full.page)
    assert count(session, ReceptionRegistration) == 2


def test_staff_may_not_register_and_visitors_are_asked_to_log_in(app, session, office, reception):
    url = f"/en/reception/sessions/{reception.id}"
    assert "Log in to register" in browser(app).get(url).page.get_text()
    officer = browser(app, office["officer"])
    assert officer.post(f"{url}/register", data={"csrf_token": officer.csrf_token(url),
                                                 "topic": "x"}).status_code == 403


@only_on("postgresql")
def test_sixteen_residents_racing_for_the_last_place_get_it_once(app, session, office):
    from app.extensions import db

    reception = services.publish_session(session, office["leader"], services.SessionInput(
        unit_id=office["commune"].id, day=working_day(session), starts_at=time(8, 0),
        ends_at=time(11, 0), place="Phòng tiếp dân", receiver="Chủ tịch", topics_vi="Đất đai",
        capacity=1))
    people = [make_user(session, password=PASSWORD).id for _ in range(16)]
    reception_id = reception.id
    session.commit()
    start = threading.Barrier(len(people))
    won, refused, errors = [], [], []

    def one(user_id: int) -> None:
        with app.app_context(), Session(db.engine) as own:
            try:
                user = own.get(services.User, user_id)
                own.rollback()  # give the connection back: 16 threads, a pool of 15
                start.wait(timeout=10)
                services.register(own, user, reception_id, "Đất")
                won.append(user_id)
            except services.ReceptionError as error:
                refused.append(error.code)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=one, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(won) == 1 and refused == ["full"] * 15
    session.expire_all()
    assert session.get(ReceptionSession, reception_id).registered == 1
    assert count(session, ReceptionRegistration) == 1


# -- the record -------------------------------------------------------------------------------------

def _on_the_day(session, reception):
    session.execute(update(ReceptionSession).where(ReceptionSession.id == reception.id)
                    .values(day=local_day(utcnow())))
    session.commit()


def test_the_record_opens_a_petition_case_through_the_petition_service(
        app, session, office, reception):
    registration = services.register(session, office["resident"], reception.id,
                                     "Tranh chấp đất")
    staff = browser(app, office["officer"])
    url = f"/en/reception/sessions/{reception.id}/record"
    data = {"registration_id": str(registration.id), "citizen_name": "Hoàng Văn An",
            "citizen_phone": "0912345678", "citizen_id_number": "001090012345",
            "content": "Hàng xóm lấn ranh giới đất.", "response": "Giao địa chính xác minh.",
            "make_petition": "y", "topic_id": str(office["land_topic"].id),
            "subject": "Lấn ranh giới đất"}
    early = staff.submit(url, data)
    assert early.status_code == 400 and "on or after the day" in problems(early.page)
    assert count(session, ReceptionRecord) == count(session, Petition) == 0
    _on_the_day(session, reception)
    no_topic = staff.submit(url, {**data, "topic_id": "0"})
    assert no_topic.status_code == 400 and count(session, Petition) == 0
    done = staff.submit(url, data)
    assert done.status_code == 302
    record = session.scalar(select(ReceptionRecord))
    petition = session.get(Petition, record.petition_id)
    assert petition.source == "reception" and petition.user_id == office["resident"].id
    case = petition.case
    assert (case.case_type, case.category, case.department_id, case.state) == (
        "petition", "land", office["land"].id, 1)
    assert case.requires_approval and case.applicant_id == office["resident"].id
    told = session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == office["resident"].id)).all()
    assert any(petition.code in m.body for m in told)
    page = staff.get(url).page.get_text()
    assert "Hàng xóm lấn ranh giới đất." in page and "A petition case was opened" in page
    # The citizen follows it like any petition of theirs.
    assert browser(app, office["resident"]).get(
        f"/en/petitions/yours/{petition.id}").status_code == 200
    twice = staff.submit(url, data)
    assert twice.status_code == 400 and "already recorded" in problems(twice.page)
    assert count(session, Petition) == 1


def test_a_record_without_a_case_and_its_bad_input(app, session, office, reception):
    _on_the_day(session, reception)
    staff = browser(app, office["officer"])
    url = f"/en/reception/sessions/{reception.id}/record"
    data = {"registration_id": "0", "citizen_name": "Lò Thị Mai", "citizen_phone": "",
            "citizen_id_number": "", "content": "Hỏi về trợ cấp.",
            "response": "Đã giải thích tại chỗ.", "topic_id": "0", "subject": ""}
    bad_id = staff.submit(url, {**data, "citizen_id_number": "12345"})
    assert bad_id.status_code == 400 and "12 digits" in problems(bad_id.page)
    assert staff.submit(url, data).status_code == 302
    record = session.scalar(select(ReceptionRecord))
    assert record.petition_id is None and count(session, Case) == 0
    outsider = browser(app, office["outsider"])
    assert outsider.get(url).status_code == 403
