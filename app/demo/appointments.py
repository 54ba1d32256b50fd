"""Demo desk appointments in Xã Đại Phúc, made through the services as the desk and residents
would: the leader sets the one-stop desk's hours (mornings 07:30–11:00 and afternoons
13:30–16:30, 30-minute slots), Hoàng Văn An (0912345678) has two bookings coming up and one
attended last week, and two neighbours have booked the next working day, one of them for the
same time as An."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.appointments import booking, schedule
from app.appointments.booking import BookingRequest, Settings
from app.models import Procedure, User, utcnow
from app.queue.calendar import LOCAL_TZ, local_day
from app.queue.calendar_db import calendar_from_db

MORNING = (7 * 60 + 30, 11 * 60, 30, 3)
AFTERNOON = (13 * 60 + 30, 16 * 60 + 30, 30, 2)
NEIGHBOURS = ("0388000101", "0388000102")


def _procedure(session: Session, name_vi: str) -> Procedure:
    return session.scalar(select(Procedure).where(Procedure.name_vi == name_vi))


def _book(session: Session, user: User, procedure: Procedure, day, key: str,
          settings: Settings, now: datetime):
    return booking.book(session, user, BookingRequest(procedure.id, day, key), settings, now=now)


def seed_appointments(session: Session, people: dict[str, User]) -> dict[str, int]:
    resident = people["resident"]
    commune_id = resident.commune_id
    for start, end, length, capacity in (MORNING, AFTERNOON):
        schedule.add_openings(session, people["leader"], commune_id, schedule.OpeningInput(
            weekdays=list(schedule.WEEKDAYS), start=start, end=end, length=length,
            capacity=capacity))
    settings = Settings()
    now = utcnow()
    birth = _procedure(session, "Đăng ký khai sinh")
    copies = _procedure(session, "Cấp bản sao trích lục hộ tịch")
    marriage = _procedure(session, "Đăng ký kết hôn")
    calendar = calendar_from_db(session)
    # The next working days from tomorrow on: whatever the hour, their slots can be booked.
    first = calendar.next_working_day(local_day(now))
    second = calendar.next_working_day(calendar.next_working_day(first))
    made = [_book(session, resident, birth, first, "08:30", settings, now),
            _book(session, resident, copies or birth, second, "14:00", settings, now)]
    for phone, procedure in zip(NEIGHBOURS, (marriage or birth, birth)):
        neighbour = session.scalar(select(User).where(User.phone == phone))
        if neighbour is not None:
            made.append(_book(session, neighbour, procedure, first, "08:30", settings, now))
    # Last week: booked three days ahead, and An came.
    past = local_day(now) - timedelta(days=7)
    while not calendar.is_working_day(past):
        past -= timedelta(days=1)
    booked_at = datetime.combine(past - timedelta(days=3), datetime.min.time(),
                                 tzinfo=LOCAL_TZ) + timedelta(hours=9)
    earlier = _book(session, resident, birth, past, "09:00", settings, booked_at)
    booking.mark_arrived(session, people["intake"], earlier.id,
                         now=earlier.starts_at + timedelta(minutes=5))
    return {"appointments": len(made) + 1}
