"""Voters' meetings (tiếp xúc cử tri): staff of the commune record the meeting and each
petition raised there with the agency it goes to; each petition is a petition (source 'voter')
and a case routed to that agency, answered like any other (an officer drafts, a leader
approves). The answers are published together, as the meeting's answer sheet, once every
petition is settled (answered, or stopped with the reason); the sheet shows the share answered
by its due date. No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from app.db import write_transaction
from app.inputs import plausible_date
from app.models import AdminUnit, Department, Petition, User, VoterMeeting, utcnow
from app.pagination import Page, page_of_query
from app.petitions.public import on_time
from app.queue.calendar import local_day
from app.petitions.services import (ANSWERED_STATES, PAGE_SIZE, Filing, PetitionError,
                                    file_petition)
from app.units.staff import communes_staffed, is_commune_staff

# A meeting's petition is settled once answered, or stopped or refused with a reason.
SETTLED_STATES = ANSWERED_STATES + (3, 8)
TITLE_MAX = 200
PLACE_MAX = 300
DEPUTIES_MAX = 2000


@dataclass(frozen=True)
class MeetingInput:
    unit_id: int | None
    title: str
    held_on: date | None
    place: str
    deputies: str


@dataclass(frozen=True)
class VoterPetitionInput:
    topic_id: int | None
    department_id: int | None
    title: str
    body: str
    raised_by: str | None = None    # the voter who raised it, if they gave a name (kept private)


def may_manage(session: Session, user: User | None, meeting: VoterMeeting) -> bool:
    return is_commune_staff(session, user, meeting.unit_id)


def _line(raw: str | None, field: str, limit: int) -> str:
    text = " ".join((raw or "").split())
    if not text:
        raise PetitionError(f"{field}_required", field)
    if len(text) > limit:
        raise PetitionError(f"{field}_too_long", field)
    return text


def create_meeting(session: Session, user: User, data: MeetingInput, *,
                   now: datetime | None = None) -> VoterMeeting:
    now = now or utcnow()
    title = _line(data.title, "title", TITLE_MAX)
    place = _line(data.place, "place", PLACE_MAX)
    deputies = "\n".join(" ".join(line.split()) for line in (data.deputies or "").splitlines()
                         if line.strip())
    if not deputies:
        raise PetitionError("deputies_required", "deputies")
    if len(deputies) > DEPUTIES_MAX:
        raise PetitionError("deputies_too_long", "deputies")
    if data.held_on is None or not plausible_date(data.held_on):
        raise PetitionError("held_on_required", "held_on")
    if data.held_on > local_day(now):
        raise PetitionError("held_on_future", "held_on")
    with write_transaction(session):
        unit = session.get(AdminUnit, data.unit_id) if data.unit_id else None
        if unit is None or unit.level != "commune":
            raise PetitionError("bad_unit", "unit_id")
        if not is_commune_staff(session, user, unit.id):
            raise PetitionError("not_staff", "unit_id")
        meeting = VoterMeeting(unit_id=unit.id, title=title, held_on=data.held_on, place=place,
                               deputies=deputies, created_by_id=user.id, created_at=now)
        session.add(meeting)
    return meeting


def agencies_for(session: Session, meeting: VoterMeeting) -> list[Department]:
    """The agencies a meeting's petition may go to: active departments taking petitions, of
    the meeting's commune or of the province above it."""
    unit_ids = [u.id for u in meeting.unit.ancestors()]
    departments = session.scalars(select(Department).where(
        Department.unit_id.in_(unit_ids), Department.active.is_(True)))
    return sorted((d for d in departments if d.accepts("petition")),
                  key=lambda d: (unit_ids.index(d.unit_id), d.name_vi))


def add_petition(session: Session, user: User, meeting: VoterMeeting, data: VoterPetitionInput,
                 *, now: datetime | None = None) -> Petition:
    """Record one petition of the meeting: a case at the named agency, due in its topic's
    working days. Refused once the answer sheet is published (it would change a public page)."""
    if not may_manage(session, user, meeting):
        raise PetitionError("not_staff")
    if meeting.published_at is not None:
        raise PetitionError("sheet_published")
    if data.department_id not in {d.id for d in agencies_for(session, meeting)}:
        raise PetitionError("bad_department", "department_id")
    return file_petition(session, None, Filing(
        kind="petition", topic_id=data.topic_id, unit_id=meeting.unit_id, title=data.title,
        body=data.body, asker_name=data.raised_by, source="voter", meeting_id=meeting.id,
        department_id=data.department_id), now=now)


def petitions_of(session: Session, meeting_id: int) -> list[Petition]:
    return list(session.scalars(
        select(Petition).where(Petition.meeting_id == meeting_id)
        .options(joinedload(Petition.case), joinedload(Petition.department))
        .order_by(Petition.id)))


@dataclass(frozen=True)
class Sheet:
    petitions: list[Petition]
    settled: int
    answered: int
    on_time: int

    @property
    def total(self) -> int:
        return len(self.petitions)

    @property
    def on_time_percent(self) -> int | None:
        """Answered by the due date, of all the meeting's petitions (whole per cent)."""
        return round(100 * self.on_time / self.total) if self.total else None

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.settled == self.total


def sheet(session: Session, meeting: VoterMeeting) -> Sheet:
    petitions = petitions_of(session, meeting.id)
    cases = [p.case for p in petitions if p.case is not None]
    return Sheet(petitions=petitions,
                 settled=sum(c.state in SETTLED_STATES for c in cases),
                 answered=sum(c.state in ANSWERED_STATES for c in cases),
                 on_time=sum(c.state in ANSWERED_STATES and on_time(c) for c in cases))


def publish(session: Session, user: User, meeting: VoterMeeting, *,
            now: datetime | None = None) -> VoterMeeting:
    """Publish the answer sheet: every petition settled, once (a guarded UPDATE)."""
    now = now or utcnow()
    with write_transaction(session):
        if not may_manage(session, user, meeting):
            raise PetitionError("not_staff")
        if not sheet(session, meeting).complete:
            raise PetitionError("sheet_incomplete")
        done = session.execute(
            update(VoterMeeting).where(VoterMeeting.id == meeting.id,
                                       VoterMeeting.published_at.is_(None))
            .values(published_at=now, published_by_id=user.id)
            .execution_options(synchronize_session=False)).rowcount
        if done != 1:
            raise PetitionError("sheet_published")
    session.refresh(meeting)
    return meeting


def meetings_page(session: Session, user: User | None, page: int | None,
                  size: int = PAGE_SIZE) -> Page:
    """Published answer sheets, newest meeting first; staff also see their communes' meetings
    still being answered."""
    visible = VoterMeeting.published_at.is_not(None)
    communes = communes_staffed(session, user) if user is not None else set()
    if communes is None:
        visible = None
    elif communes:
        visible = visible | VoterMeeting.unit_id.in_(communes)
    stmt = select(VoterMeeting).options(joinedload(VoterMeeting.unit))
    if visible is not None:
        stmt = stmt.where(visible)
    stmt = stmt.order_by(VoterMeeting.held_on.desc(), VoterMeeting.id.desc())
    return page_of_query(session, stmt, page, size)


def visible_meeting(session: Session, meeting_id: int, user: User | None) -> VoterMeeting | None:
    """The meeting if its sheet is published or the viewer is staff of its commune."""
    meeting = session.get(VoterMeeting, meeting_id)
    if meeting is None:
        return None
    if meeting.published_at is None and not may_manage(session, user, meeting):
        return None
    return meeting


def counts(session: Session, meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    rows = session.execute(select(Petition.meeting_id, func.count(Petition.id))
                           .where(Petition.meeting_id.in_(meeting_ids))
                           .group_by(Petition.meeting_id))
    return dict(rows.all())
