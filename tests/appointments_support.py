"""What the desk appointment tests share: a commune whose one-stop desk is open on weekdays
08:00–11:00 in 30-minute slots of 2, its staff, staff of another commune, residents, a
procedure; a browser per person; and small readers of what changed."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.appointments import booking
from app.appointments.booking import BookingRequest, Settings
from app.models import Appointment, DeskOpening, DeskSlot, OutboxMessage, utcnow
from app.queue.calendar import LOCAL_TZ, local_day
from app.queue.calendar_db import calendar_from_db
from tests.access_matrix import PersonClient
from tests.factories import (make_department, make_officer, make_procedure, make_resident,
                             make_unit, make_user)

PASSWORD = "desk-pass-1"
SETTINGS = Settings()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(timezone.utc)


@pytest.fixture
def desk(session):
    province = make_unit(session, level="province")
    commune = make_unit(session, level="commune", parent=province, name_vi="Xã Tân Hòa",
                        name_en="Tan Hoa Commune")
    other = make_unit(session, level="commune", parent=province)
    dept = make_department(session, commune)
    officer = make_officer(session, dept, desk="intake", password=PASSWORD)
    leader = make_officer(session, dept, desk="leader", password=PASSWORD)
    outsider = make_officer(session, make_department(session, other), desk="intake",
                            password=PASSWORD)
    admin = make_user(session, role="admin", password=PASSWORD)
    resident = make_resident(session, commune=commune, password=PASSWORD,
                             full_name="Trần Thị Hạnh")
    neighbour = make_resident(session, commune=commune, password=PASSWORD)
    third = make_resident(session, commune=commune, password=PASSWORD)
    stranger = make_resident(session, commune=other, password=PASSWORD)
    english = make_resident(session, commune=commune, password=PASSWORD)
    english.locale = "en"
    procedure = make_procedure(session, name_vi="Đăng ký khai sinh", name_en="Birth registration")
    # Weekdays 08:00–11:00 in 30-minute slots of 2 seats.
    session.add_all([DeskOpening(unit_id=commune.id, weekday=d, start_minute=480,
                                 end_minute=660, slot_minutes=30, capacity=2)
                     for d in range(5)])
    session.commit()
    return dict(commune=commune, other=other, officer=officer, leader=leader,
                outsider=outsider, admin=admin, resident=resident, neighbour=neighbour,
                third=third, stranger=stranger, english=english, procedure=procedure)


class Fresh(PersonClient):
    """A person's browser; after each request the test's own session starts afresh, so it reads
    what the request wrote."""

    def open(self, *args, **kwargs):
        from app.extensions import db

        response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


def browser(app, user=None):
    app.test_client_class = Fresh
    client = app.test_client()
    if user is not None:
        assert client.login(user.phone or user.email, PASSWORD).status_code == 302
    return client


def working_day_ahead(session, after: int = 2) -> date:
    """A working day at least `after` days from today: its slots are all bookable."""
    calendar = calendar_from_db(session)
    day = local_day(utcnow()) + timedelta(days=after - 1)
    return calendar.next_working_day(day)


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def snapshot(session) -> tuple:
    session.rollback()
    return (count(session, Appointment), count(session, OutboxMessage),
            tuple(session.execute(select(DeskSlot.id, DeskSlot.booked).order_by(DeskSlot.id))))


def book_now(session, who, desk, day, key="08:00", now=None) -> Appointment:
    return booking.book(session, who, BookingRequest(desk["procedure"].id, day, key), SETTINGS,
                        now=now)


def errors(response) -> str:
    return " ".join(e.get_text(" ", strip=True) for e in response.page.select(
        ".error-summary, .error-message"))
