"""Submitting a dossier, online or at the desk: one transaction makes the case (routed, with
its deadline and "submitted" event) and the dossier row beside it, or nothing at all.

* The dossier code is Circular 01/2018's `<agency code>-<yymmdd>-<4-digit daily sequence>`,
  the sequence taken by one upsert on `dossier_sequences` (a row lock on PostgreSQL, the
  write lock on SQLite), so simultaneous submissions get distinct, consecutive numbers.
* A submission carries an idempotency key (one per form shown): the same key again returns
  the dossier it already made, so a double tap or a retry on a flaky connection makes one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, case as when, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import in_write_transaction, write_transaction
from app.dossiers.fees import FEE_ORDER, LatestFee, ResultChoice
from app.inputs import bad_character
from app.models import (AdminUnit, Case, CaseEvent, Dossier, DossierFee, DossierResult,
                        OfficerMembership, Procedure, utcnow)
from app.models.base import Bilingual
from app.models.dossiers import CHANNELS
from app.pagination import page_of_query
from app.queue import tally
from app.queue.actions import perform
from app.queue.calendar import local_day
from app.queue.errors import NoRoute
from app.queue.routing import create_case, route
from app.queue.states import OPEN_STATES
from app.refusals import Refusal
from app.text import normalize_phone, vietnamese_sort_key
from app.tracking import clean_code, contact_matches

SEQUENCE_DIGITS = 4
_ID_NUMBER_LENGTHS = (9, 12)  # CMND, CCCD


class DossierError(Refusal):
    """A rule refused the submission; `code` names the reason, `field` the form field."""


@dataclass(frozen=True)
class Submission:
    procedure_id: int
    unit_id: int                      # the commune (or ward) whose desk receives it
    applicant_name: str
    applicant_phone: str | None = None
    applicant_id_number: str | None = None
    channel: str = "online"
    form_data: dict = field(default_factory=dict)
    idempotency_key: str | None = None
    applicant_user_id: int | None = None   # the resident's account, when they have one
    submitted_by_id: int | None = None     # who pressed "submit": the resident or the desk


def next_code(session: Session, agency_code: str, day: date) -> str:
    """The next dossier code of this agency today. Must run inside a write transaction."""
    last = session.execute(text(
        "INSERT INTO dossier_sequences (agency_code, day, last) VALUES (:agency, :day, 1) "
        "ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + 1 "
        "RETURNING last"), {"agency": agency_code, "day": day}).scalar_one()
    if last >= 10 ** SEQUENCE_DIGITS:
        raise DossierError("daily_limit")
    return f"{agency_code}-{day:%y%m%d}-{last:0{SEQUENCE_DIGITS}d}"


def _clean_applicant(sub: Submission) -> tuple[str, str | None, str | None]:
    name = " ".join((sub.applicant_name or "").split())
    if not name:
        raise DossierError("name_required", "applicant_name")
    if len(name) > 120 or bad_character(name):
        raise DossierError("bad_name", "applicant_name")
    phone = None
    if sub.applicant_phone:
        phone = normalize_phone(sub.applicant_phone)
        if phone is None:
            raise DossierError("bad_phone", "applicant_phone")
    id_number = (sub.applicant_id_number or "").strip() or None
    if id_number is not None and not (id_number.isascii() and id_number.isdigit()
                                      and len(id_number) in _ID_NUMBER_LENGTHS):
        raise DossierError("bad_id_number", "applicant_id_number")
    if phone is None and id_number is None:
        raise DossierError("contact_required", "applicant_phone")
    return name, phone, id_number


def find_by_key(session: Session, key: str | None) -> Dossier | None:
    if not key:
        return None
    return session.scalar(select(Dossier).where(Dossier.idempotency_key == key))


def submit(session: Session, sub: Submission, *, now: datetime | None = None) -> Dossier:
    """Create the dossier and its case in state 1, routed by procedure and unit; or return the
    one this idempotency key already made. Raises DossierError (or NoRoute, as a DossierError
    "no_route") and leaves nothing behind."""
    now = now or utcnow()
    if sub.channel not in CHANNELS:
        raise DossierError("bad_channel")
    name, phone, id_number = _clean_applicant(sub)
    # Inside a caller's write transaction (an online draft becoming a dossier, its files moved
    # in the same commit) this joins it; alone it commits.
    joined = in_write_transaction(session)
    try:
        with write_transaction(session, join=True):
            existing = find_by_key(session, sub.idempotency_key)
            if existing is not None:
                return existing
            procedure = session.get(Procedure, sub.procedure_id)
            if procedure is None or not procedure.active:
                raise DossierError("unknown_procedure", "procedure_id")
            if not procedure.field.category:
                raise DossierError("procedure_not_routable", "procedure_id")
            unit = session.get(AdminUnit, sub.unit_id)
            if unit is None or unit.level != "commune":
                raise DossierError("unknown_unit", "unit_id")
            code = next_code(session, unit.code, local_day(now))
            case = create_case(
                session, case_type="dossier", category=procedure.field.category,
                title=procedure.name_vi[:300], unit_id=unit.id, sla_days=procedure.processing_days,
                received_at=now, applicant_id=sub.applicant_user_id, procedure_id=procedure.id,
                requires_approval=procedure.requires_approval, code=code)
            dossier = Dossier(case_id=case.id, procedure_id=procedure.id, channel=sub.channel,
                              applicant_name=name, applicant_phone=phone,
                              applicant_id_number=id_number, form_data=dict(sub.form_data),
                              idempotency_key=sub.idempotency_key,
                              submitted_by_id=sub.submitted_by_id, created_at=now)
            session.add(dossier)
            session.flush()
    except NoRoute:
        raise DossierError("no_route", "procedure_id") from None
    except IntegrityError:
        if joined:
            raise  # the caller's transaction is the one to roll back, not ours to end
        # Two requests with the same key raced: the first one's dossier is the answer.
        session.rollback()
        existing = find_by_key(session, sub.idempotency_key)
        if existing is None:
            raise
        return existing
    return dossier


# -- tracking -------------------------------------------------------------------------------

# Notes the resident is meant to read (the reason for a refusal, what to bring, why it
# stopped); every other note is the office's own.
PUBLIC_NOTE_ACTIONS = frozenset({"refuse", "request_supplement", "stop", "request_fees",
                                 "withdraw"})


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    state: int
    note: str | None


# What the tracking page and the status API read, as plain values: the look-up is a public,
# rate-limited hot path, and it needs a handful of columns, not whole entities and their
# relationships.

@dataclass(frozen=True)
class TrackedProcedure(Bilingual):
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class TrackedDossier:
    procedure: TrackedProcedure


@dataclass(frozen=True)
class TrackedCase:
    id: int
    code: str
    state: int
    due_at: datetime
    received_at: datetime
    applicant_id: int | None
    apology_approved_at: datetime | None


@dataclass(frozen=True)
class Tracked:
    dossier: TrackedDossier
    case: TrackedCase
    timeline: list[TimelineEntry]
    fee: LatestFee | None         # the latest fee asked (see fees.tracked_progress)
    result: ResultChoice | None   # how the result is collected, once the office has said


_cases, _dossiers, _procedures = Case.__table__, Dossier.__table__, Procedure.__table__
_fees, _results, _events = DossierFee.__table__, DossierResult.__table__, CaseEvent.__table__

# Everything the page shows but the history, in one statement; built once at import, since
# building the expressions is a good part of what a query costs in SQLAlchemy. The latest
# fee is the last in fees.FEE_ORDER.
_later = _fees.alias("later_fee")
_latest_fee = (select(_later.c.id).where(_later.c.case_id == _cases.c.id)
               .order_by(*(_later.c[c.key].desc() for c in FEE_ORDER)).limit(1)
               .correlate(_cases).scalar_subquery())
_TRACK = (select(_cases.c.id, _cases.c.code, _cases.c.state, _cases.c.due_at,
                 _cases.c.received_at, _cases.c.applicant_id, _cases.c.apology_approved_at,
                 _dossiers.c.applicant_phone, _dossiers.c.applicant_id_number,
                 _procedures.c.code.label("procedure_code"), _procedures.c.name_vi,
                 _procedures.c.name_en,
                 _fees.c.id.label("fee_id"), _fees.c.amount, _fees.c.reason,
                 _fees.c.amount_paid, _fees.c.paid_on,
                 _results.c.method.label("result_method"),
                 _results.c.file_key.label("result_file_key"))
          .select_from(_dossiers.join(_cases, _cases.c.id == _dossiers.c.case_id)
                       .join(_procedures, _procedures.c.id == _dossiers.c.procedure_id)
                       .outerjoin(_fees, _fees.c.id == _latest_fee)
                       .outerjoin(_results, _results.c.case_id == _cases.c.id))
          .where(_cases.c.code == bindparam("code"), _cases.c.case_type == "dossier"))
_HISTORY = (select(_events.c.at, _events.c.from_state, _events.c.to_state, _events.c.action,
                   _events.c.note)
            .where(_events.c.case_id == bindparam("case_id"))
            .order_by(_events.c.at, _events.c.id))


def track(session: Session, code: str, contact: str) -> Tracked | None:
    """The dossier with this code, if `contact` is its applicant's phone or ID number.

    Returns None alike for "no such code" and "wrong phone" (the rules: app/tracking.py)."""
    code = clean_code(code)
    if code is None:
        return None
    connection = session.connection()
    row = connection.execute(_TRACK, {"code": code}).first()
    if row is None:
        return None
    if not contact_matches(contact, row.applicant_phone, row.applicant_id_number):
        return None
    events = connection.execute(_HISTORY, {"case_id": row.id})
    timeline = [TimelineEntry(e.at, e.to_state, e.note if e.action in PUBLIC_NOTE_ACTIONS else None)
                for e in events
                if e.to_state is not None and (e.from_state != e.to_state or e.from_state is None)]
    case = TrackedCase(row.id, row.code, row.state, row.due_at, row.received_at,
                       row.applicant_id, row.apology_approved_at)
    procedure = TrackedProcedure(row.procedure_code, row.name_vi, row.name_en)
    fee = (LatestFee(row.fee_id, row.amount, row.reason, row.amount_paid, row.paid_on)
           if row.fee_id is not None else None)
    result = (ResultChoice(row.result_method, row.result_file_key)
              if row.result_method is not None else None)
    return Tracked(TrackedDossier(procedure), case, timeline, fee, result)


# -- the desk ---------------------------------------------------------------------------------

def active_procedures(session: Session, lang: str) -> list[Procedure]:
    procedures = session.scalars(select(Procedure).where(Procedure.active)).all()
    return sorted(procedures, key=lambda p: vietnamese_sort_key(p.name(lang)))


def desk_can_receive(session: Session, officer_id: int, procedure_id: int, unit_id: int) -> bool:
    """Whether this officer sits at the intake (or leader) desk of the department that
    procedure's dossiers from that commune are routed to."""
    procedure = session.get(Procedure, procedure_id)
    if procedure is None or not procedure.field.category:
        return False
    try:
        decision = route(session, case_type="dossier", category=procedure.field.category,
                         unit_id=unit_id, procedure_id=procedure.id)
    except NoRoute:
        return False
    desk = session.scalar(select(OfficerMembership.desk).where(
        OfficerMembership.user_id == officer_id,
        OfficerMembership.department_id == decision.department_id))
    return desk in ("intake", "leader")


def register_walk_in(session: Session, sub: Submission, officer, *,
                     now: datetime | None = None) -> Dossier:
    """A paper dossier at the desk: submitted (channel walk_in) and received at once by the
    intake officer, so the receipt can carry the appointment date. Receiving is the desk's own
    right (no claim needed); should it fail, the dossier waits in the intake queue like an
    online one, and nothing is lost."""
    now = now or utcnow()
    dossier = submit(session, sub, now=now)
    if dossier.case.state == 1:
        perform(session, dossier.case_id, "receive", officer, now=now)
    return dossier


def mine(session: Session, user_id: int, page: int | None, size: int = 20):
    """A resident's own dossiers, open ones first, newest first within each."""
    open_first = when((Case.state.in_([int(s) for s in OPEN_STATES]), 0), else_=1)
    stmt = (select(Case).join(Dossier, Dossier.case_id == Case.id)
            .where(Case.applicant_id == user_id, Case.case_type == "dossier")
            .order_by(open_first, Case.received_at.desc(), Case.id.desc()))
    return page_of_query(session, stmt, page, size)


def own_case(session: Session, user_id: int, case_id: int):
    """The resident's own dossier case, or None (someone else's looks exactly like none)."""
    case = session.get(Case, case_id)
    if case is None or case.case_type != "dossier" or case.applicant_id != user_id:
        return None
    return case


def can_withdraw(case) -> bool:
    """Before the result is ready (state 9) and while still open."""
    return case.state in OPEN_STATES


RATING_LEVELS = (5, 4, 3, 2, 1)


def can_rate(case, dossier: Dossier) -> bool:
    """Once the result is handed over (state 10), once."""
    return case.state == 10 and dossier.rating is None


def rate(session: Session, user_id: int, case_id: int, level: int, comment: str | None,
         *, now: datetime | None = None) -> None:
    """Record the applicant's one rating; DossierError "not_rateable" otherwise (not theirs,
    not handed over yet, or already rated: a guarded UPDATE, so two taps rate once)."""

    if level not in RATING_LEVELS:
        raise DossierError("bad_rating", "level")
    with write_transaction(session):
        case = own_case(session, user_id, case_id)
        if case is None or case.state != 10:
            raise DossierError("not_rateable")
        now = now or utcnow()
        done = session.execute(
            update(Dossier).where(Dossier.case_id == case_id, Dossier.rating.is_(None))
            .values(rating=level, rating_comment=(comment or "").strip() or None,
                    rated_at=now)).rowcount
        if done != 1:
            raise DossierError("not_rateable")
        # Counted in the public satisfaction figures, from the event log like every figure.
        tally.record_rating(session, case, level, actor_id=user_id, at=now)


def dossiers_of(session: Session, cases) -> dict[int, Dossier]:
    ids = [c.id for c in cases]
    if not ids:
        return {}
    return {d.case_id: d for d in session.scalars(select(Dossier).where(Dossier.case_id.in_(ids)))}
