"""Rules of citizen reception (tiếp công dân): a leader publishes the hours they receive
citizens (never on a day the office is closed, by the working-day calendar); residents register
to come, with what they want to raise (once each, before the session starts, within its
capacity); the reception's record says what was raised and answered, and a matter that needs an
office's answer becomes a petition, made by the petition service (so it is the same kind of
case, routed and answered the same way).

No Flask here but Babel's `force_locale` for the registrant's confirmation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import force_locale, gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.db import write_transaction
from app.inputs import plausible_date
from app.models import (AdminUnit, ReceptionRecord, ReceptionRegistration, ReceptionSession,
                        User, utcnow)
from app.models.reception import CAPACITY_MAX
from app.notifications.outbox import queue_for_user
from app.pagination import Page, page_of_query
from app.petitions.services import Filing, PetitionError, file_petition
from app.queue.calendar import LOCAL_TZ, local_day
from app.queue.calendar_db import calendar_from_db
from app.refusals import Refusal
from app.text import normalize_phone
from app.units.staff import is_commune_staff

PAGE_SIZE = 10
TOPIC_MAX = 500
PLACE_MAX = 300
RECEIVER_MAX = 200
TEXT_MAX = 5000
NAME_MAX = 120
PUBLISHERS = ("leader", "admin")


class ReceptionError(Refusal):
    pass


@dataclass(frozen=True)
class SessionInput:
    unit_id: int | None
    day: date | None
    starts_at: time | None
    ends_at: time | None
    place: str
    receiver: str
    topics_vi: str
    topics_en: str = ""
    capacity: int | None = None


@dataclass(frozen=True)
class RecordInput:
    citizen_name: str
    content: str
    response: str
    registration_id: int | None = None
    citizen_phone: str | None = None
    citizen_id_number: str | None = None
    make_petition: bool = False
    topic_id: int | None = None
    subject: str | None = None


def _line(raw: str | None, field: str, limit: int, *, required: bool = True) -> str:
    text = " ".join((raw or "").split())
    if required and not text:
        raise ReceptionError(f"{field}_required", field)
    if len(text) > limit:
        raise ReceptionError("too_long", field)
    return text


def _block(raw: str | None, field: str, limit: int = TEXT_MAX) -> str:
    text = (raw or "").strip()
    if not text:
        raise ReceptionError(f"{field}_required", field)
    if len(text) > limit:
        raise ReceptionError("too_long", field)
    return text


# -- who may do what ----------------------------------------------------------------------------

def may_publish(session: Session, user: User | None, unit_id: int | None) -> bool:
    """Leaders (and administrators) who are staff of the commune publish its reception hours."""
    return (user is not None and getattr(user, "role", None) in PUBLISHERS
            and is_commune_staff(session, user, unit_id))


def may_manage(session: Session, user: User | None, reception: ReceptionSession) -> bool:
    """Staff of the commune keep the record (the leader, or the officer who writes it)."""
    return is_commune_staff(session, user, reception.unit_id)


# -- the sessions -------------------------------------------------------------------------------

def starts(reception: ReceptionSession) -> datetime:
    return datetime.combine(reception.day, reception.starts_at, tzinfo=LOCAL_TZ)


def is_open(reception: ReceptionSession, now: datetime) -> bool:
    """Registration is open until the session starts."""
    return now < starts(reception)


def publish_session(session: Session, user: User, data: SessionInput, *,
                    now: datetime | None = None) -> ReceptionSession:
    now = now or utcnow()
    place = _line(data.place, "place", PLACE_MAX)
    receiver = _line(data.receiver, "receiver", RECEIVER_MAX)
    topics_vi = _line(data.topics_vi, "topics_vi", TOPIC_MAX)
    topics_en = _line(data.topics_en, "topics_en", TOPIC_MAX, required=False)
    if data.day is None or not plausible_date(data.day):
        raise ReceptionError("day_required", "day")
    if data.starts_at is None:
        raise ReceptionError("starts_required", "starts_at")
    if data.ends_at is None:
        raise ReceptionError("ends_required", "ends_at")
    if data.ends_at <= data.starts_at:
        raise ReceptionError("bad_hours", "ends_at")
    if data.capacity is not None and not 1 <= data.capacity <= CAPACITY_MAX:
        raise ReceptionError("bad_capacity", "capacity")
    with write_transaction(session):
        unit = session.get(AdminUnit, data.unit_id) if data.unit_id else None
        if unit is None or unit.level != "commune":
            raise ReceptionError("bad_unit", "unit_id")
        if not may_publish(session, user, unit.id):
            raise ReceptionError("not_publisher", "unit_id")
        if datetime.combine(data.day, data.starts_at, tzinfo=LOCAL_TZ) <= now:
            raise ReceptionError("day_past", "day")
        if not calendar_from_db(session).is_working_day(data.day):
            raise ReceptionError("not_working_day", "day")
        reception = ReceptionSession(
            unit_id=unit.id, day=data.day, starts_at=data.starts_at, ends_at=data.ends_at,
            place=place, receiver=receiver, topics_vi=topics_vi, topics_en=topics_en,
            capacity=data.capacity, created_by_id=user.id, created_at=now)
        session.add(reception)
    return reception


def sessions_page(session: Session, *, past: bool, page: int | None, now: datetime | None = None,
                  size: int = PAGE_SIZE) -> Page:
    """Coming sessions, soonest first; or past ones, latest first."""
    today = local_day(now or utcnow())
    stmt = select(ReceptionSession).options(joinedload(ReceptionSession.unit))
    if past:
        stmt = stmt.where(ReceptionSession.day < today).order_by(
            ReceptionSession.day.desc(), ReceptionSession.starts_at.desc(), ReceptionSession.id)
    else:
        stmt = stmt.where(ReceptionSession.day >= today).order_by(
            ReceptionSession.day, ReceptionSession.starts_at, ReceptionSession.id)
    return page_of_query(session, stmt, page, size)


# -- registering ----------------------------------------------------------------------------------

def registration_of(session: Session, reception: ReceptionSession,
                    user: User | None) -> ReceptionRegistration | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(select(ReceptionRegistration).where(
        ReceptionRegistration.session_id == reception.id,
        ReceptionRegistration.user_id == user.id))


def register(session: Session, user: User, session_id: int, topic: str, *,
             now: datetime | None = None) -> ReceptionRegistration:
    """Once per person, before the session starts, while seats remain: the seat is taken by a
    guarded UPDATE of the counter, so two people taking the last seat cannot both get it."""
    now = now or utcnow()
    topic = _line(topic, "topic", TOPIC_MAX)
    try:
        with write_transaction(session):
            reception = session.get(ReceptionSession, session_id, populate_existing=True)
            if reception is None:
                raise ReceptionError("not_found")
            if not is_open(reception, now):
                raise ReceptionError("closed")
            if registration_of(session, reception, user) is not None:
                raise ReceptionError("already_registered")
            seat = (update(ReceptionSession).where(ReceptionSession.id == reception.id)
                    .where((ReceptionSession.capacity.is_(None))
                           | (ReceptionSession.registered < ReceptionSession.capacity))
                    .values(registered=ReceptionSession.registered + 1)
                    .execution_options(synchronize_session=False))
            if session.execute(seat).rowcount != 1:
                raise ReceptionError("full")
            row = ReceptionRegistration(session_id=reception.id, user_id=user.id, topic=topic,
                                        created_at=now)
            session.add(row)
            session.flush()
            _confirm(session, user, reception, topic)
    except IntegrityError:
        raise ReceptionError("already_registered") from None  # a double tap raced the first
    return row


def _confirm(session: Session, user: User, reception: ReceptionSession, topic: str) -> None:
    from app.templating import format_day

    if not user.active or not (user.email or user.phone):
        return
    with force_locale(user.locale or "vi"):
        subject = _("Citizen reception on %(day)s", day=format_day(reception.day))
        body = "\n".join([
            _("You are registered for the citizen reception on %(day)s at %(time)s, %(place)s.",
              day=format_day(reception.day), time=reception.starts_at.strftime("%H:%M"),
              place=reception.place),
            _("Received by: %(receiver)s.", receiver=reception.receiver),
            _("What you want to raise: %(topic)s", topic=topic),
            _("Bring your identity card."),
        ])
    queue_for_user(session, user, subject, body)


def registrations_of(session: Session, reception: ReceptionSession) -> list[ReceptionRegistration]:
    return list(session.scalars(select(ReceptionRegistration)
                                .where(ReceptionRegistration.session_id == reception.id)
                                .options(joinedload(ReceptionRegistration.user))
                                .order_by(ReceptionRegistration.id)))


# -- the record ------------------------------------------------------------------------------------

def records_of(session: Session, reception: ReceptionSession) -> list[ReceptionRecord]:
    return list(session.scalars(select(ReceptionRecord)
                                .where(ReceptionRecord.session_id == reception.id)
                                .order_by(ReceptionRecord.id)))


def add_record(session: Session, user: User, reception: ReceptionSession, data: RecordInput, *,
               now: datetime | None = None) -> ReceptionRecord:
    """What one citizen raised and what the leader answered; with `make_petition`, also a
    petition (source 'reception') and its case, in the same transaction."""
    now = now or utcnow()
    name = _line(data.citizen_name, "citizen_name", NAME_MAX)
    phone = None
    if (data.citizen_phone or "").strip():
        phone = normalize_phone(data.citizen_phone)
        if phone is None:
            raise ReceptionError("bad_phone", "citizen_phone")
    id_number = (data.citizen_id_number or "").strip() or None
    if id_number is not None and not (id_number.isascii() and id_number.isdigit()
                                      and len(id_number) in (9, 12)):
        raise ReceptionError("bad_id_number", "citizen_id_number")
    content = _block(data.content, "content")
    response = _block(data.response, "response")
    subject = _line(data.subject, "subject", 200, required=data.make_petition)
    if data.make_petition and not data.topic_id:
        raise ReceptionError("topic_required", "topic_id")
    try:
        with write_transaction(session):
            if not may_manage(session, user, reception):
                raise ReceptionError("not_staff")
            if local_day(now) < reception.day:
                raise ReceptionError("not_yet", "content")
            registration = None
            if data.registration_id:
                registration = session.get(ReceptionRegistration, data.registration_id)
                if registration is None or registration.session_id != reception.id:
                    raise ReceptionError("bad_registration", "registration_id")
                if session.scalar(select(ReceptionRecord.id).where(
                        ReceptionRecord.registration_id == registration.id)) is not None:
                    raise ReceptionError("already_recorded", "registration_id")
            record = ReceptionRecord(
                session_id=reception.id, registration_id=registration.id if registration else None,
                citizen_name=name, citizen_phone=phone, citizen_id_number=id_number,
                content=content, response=response, created_by_id=user.id, created_at=now)
            if data.make_petition:
                asker = registration.user if registration is not None else None
                petition = file_petition(session, None, Filing(
                    kind="petition", topic_id=data.topic_id, unit_id=reception.unit_id,
                    title=subject, body=content, asker_name=name, asker_phone=phone,
                    user_id=asker.id if asker is not None else None,
                    locale=(asker.locale if asker is not None else None) or "vi",
                    source="reception"), now=now)
                record.petition_id = petition.id
            session.add(record)
            session.flush()
    except PetitionError as error:
        raise ReceptionError(f"petition_{error.code}",
                             "topic_id" if error.field == "topic_id" else None) from None
    except IntegrityError:
        raise ReceptionError("already_recorded", "registration_id") from None
    return record
