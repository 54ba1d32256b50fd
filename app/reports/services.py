"""The rules of field reports: making one (from the page or an Open311 client, the same way),
supporting one, the official answer, merging a duplicate into its original, the reporter's
rating, and reading them (the public state in plain words, the lists).

A report is a case of type 'field_report' plus its `field_reports` row, made in one
transaction with the photos' rows; the photos are cleaned and stored before it (and removed
again if it fails), so a refused report leaves nothing behind. State changes go through the
queue's perform(), joined to the same transaction as the report's own columns. Refusals raise
ReportError. No Flask here besides Babel's force_locale for the officers' log notes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Mapping, Sequence

from flask_babel import force_locale, gettext as _
from sqlalchemy import case as sql_case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.db import write_transaction
from app.inputs import bad_character, clean_text
from app.models import (AdminUnit, Case, FieldReport, FieldReportPhoto, FieldReportSupport,
                        ReportCategory, User, utcnow)
from app.pagination import Page, page_of_query
from app.queue import tally
from app.queue.errors import NoRoute
from app.queue.states import OPEN_STATES, State
from app import photos as photo_rules
from app.reports.categories import by_code, read_attributes
from app.reports.errors import ReportError
from app.reports.geo import CoordinateError, check_point, in_vietnam, parse_degrees
from app.reports.routing import CASE_CATEGORY, CASE_TYPE, decide
from app.text import escape_like, fold, normalize_phone
from app.uploads import UploadError

DESCRIPTION_MAX = 4000   # Open311's limit for a description
ADDRESS_MAX = 300
PAGE_SIZE = 15
STORE_KIND = "reports"
PUBLIC_STATES = ("received", "in_progress", "fixed", "closed", "not_responsible", "duplicate")
_OPEN = sorted(int(s) for s in OPEN_STATES)


# -- reading --------------------------------------------------------------------------------------

def public_state(report: FieldReport, case: Case) -> str:
    """The state in plain words (app/reports/labels.py PUBLIC_STATES)."""
    if report.merged_into_id is not None:
        return "duplicate"
    if report.outcome is not None:
        return report.outcome
    if case.state in (State.SUBMITTED, State.RECEIVED):
        return "received"
    if case.state in OPEN_STATES:
        return "in_progress"
    return "closed"  # withdrawn, or closed without an answer


def public_state_sql():
    """public_state as SQL, for filtering lists (same order of decisions)."""
    return sql_case(
        (FieldReport.merged_into_id.is_not(None), "duplicate"),
        (FieldReport.outcome.is_not(None), FieldReport.outcome),
        (Case.state.in_((1, 2)), "received"),
        (Case.state.in_(_OPEN), "in_progress"),
        else_="closed")


def is_open(report: FieldReport, case: Case) -> bool:
    return report.merged_into_id is None and case.state in OPEN_STATES


def for_case(session: Session, case_id: int) -> FieldReport | None:
    return session.get(FieldReport, case_id)


def by_code_of_case(session: Session, code: str) -> FieldReport | None:
    return session.scalar(select(FieldReport).join(Case, Case.id == FieldReport.case_id)
                          .where(Case.code == code))


def supporters(session: Session, case_id: int) -> list[User]:
    return list(session.scalars(select(User).join(
        FieldReportSupport, FieldReportSupport.user_id == User.id)
        .where(FieldReportSupport.case_id == case_id).order_by(FieldReportSupport.created_at)))


def has_supported(session: Session, user: User | None, case_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return session.get(FieldReportSupport, (case_id, user.id)) is not None


def may_support(report: FieldReport, case: Case, user: User | None) -> bool:
    return (user is not None and getattr(user, "is_authenticated", False)
            and report.reporter_id != user.id and is_open(report, case))


def may_rate(report: FieldReport, user: User | None) -> bool:
    """Only the person who reported it, once, after the commune's answer."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and report.reporter_id == user.id and report.answered_at is not None
            and report.rating is None and report.merged_into_id is None)


@dataclass
class Filters:
    commune_id: int | None = None
    village_id: int | None = None
    category_id: int | None = None
    state: str | None = None
    q: str = ""


def browse(session: Session, filters: Filters, page: int, size: int = PAGE_SIZE) -> Page:
    stmt = (select(FieldReport).join(Case, Case.id == FieldReport.case_id)
            .options(selectinload(FieldReport.case), selectinload(FieldReport.category),
                     selectinload(FieldReport.village), selectinload(FieldReport.commune),
                     selectinload(FieldReport.photos)))
    if filters.commune_id:
        stmt = stmt.where(FieldReport.commune_id == filters.commune_id)
    if filters.village_id:
        stmt = stmt.where(FieldReport.village_id == filters.village_id)
    if filters.category_id:
        stmt = stmt.where(FieldReport.category_id == filters.category_id)
    if filters.state in PUBLIC_STATES:
        stmt = stmt.where(public_state_sql() == filters.state)
    for word in fold(filters.q or "")[:100].split()[:8]:
        stmt = stmt.where(FieldReport.search_text.like(f"%{escape_like(word)}%", escape="\\"))
    stmt = stmt.order_by(FieldReport.created_at.desc(), FieldReport.case_id.desc())
    return page_of_query(session, stmt, page, size)


@dataclass(frozen=True)
class VillageCount:
    village: AdminUnit | None   # None: reports placed in the commune without a village
    open: int
    total: int


def village_counts(session: Session, commune_id: int) -> list[VillageCount]:
    """Reports per village of a commune, open ones counted apart: the map-free overview."""
    open_expr = func.sum(sql_case((Case.state.in_(_OPEN) & FieldReport.merged_into_id.is_(None),
                                   1), else_=0))
    rows = session.execute(
        select(FieldReport.village_id, open_expr, func.count())
        .join(Case, Case.id == FieldReport.case_id)
        .where(FieldReport.commune_id == commune_id)
        .group_by(FieldReport.village_id)).all()
    counts = {r[0]: (int(r[1] or 0), int(r[2])) for r in rows}
    villages = session.scalars(select(AdminUnit).where(AdminUnit.parent_id == commune_id,
                                                       AdminUnit.level == "village")
                               .order_by(AdminUnit.code)).all()
    result = [VillageCount(v, *counts.get(v.id, (0, 0))) for v in villages]
    if None in counts:
        result.append(VillageCount(None, *counts[None]))
    return result


def mine(session: Session, user: User, page: int, size: int = PAGE_SIZE) -> Page:
    stmt = (select(FieldReport).where(FieldReport.reporter_id == user.id)
            .options(selectinload(FieldReport.case), selectinload(FieldReport.category))
            .order_by(FieldReport.created_at.desc(), FieldReport.case_id.desc()))
    return page_of_query(session, stmt, page, size)


# -- making a report ------------------------------------------------------------------------------

@dataclass
class Photo:
    data: bytes
    filename: str


@dataclass
class ReportInput:
    category_code: str
    description: str
    commune_id: int | None
    village_id: int | None = None
    address: str = ""
    lat: str | float | None = None
    lng: str | float | None = None
    location_source: str = "typed"   # "device" when the phone's location filled lat/long
    anonymous: bool = False
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    idempotency_key: str | None = None
    # Open311: which client, and the person it reports for (no account here).
    channel: str = "web"
    api_key_id: int | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


@dataclass
class _Clean:
    category: ReportCategory
    description: str
    commune: AdminUnit
    village: AdminUnit | None
    address: str | None
    point: tuple[float, float] | None
    attributes: dict


def _text(raw: str | None, name: str, limit: int, *, required: bool, multiline: bool) -> str:
    text = clean_text(raw or "")
    text = text.strip() if multiline else " ".join(text.split())
    if bad_character(text, multiline=multiline):
        raise ReportError("bad_character", name)
    if required and not text:
        raise ReportError(f"{name}_required", name)
    if len(text) > limit:
        raise ReportError("too_long", name, max=limit)
    return text


def check_place(session: Session, commune_id: int | None,
                village_id: int | None) -> tuple[AdminUnit, AdminUnit | None]:
    commune = session.get(AdminUnit, commune_id) if commune_id else None
    if commune is None or commune.level != "commune":
        raise ReportError("commune_required", "commune_id")
    village = None
    if village_id:
        village = session.get(AdminUnit, village_id)
        if village is None or village.level != "village" or village.parent_id != commune.id:
            raise ReportError("village_not_in_commune", "village_id")
    return commune, village


def check_coordinates(lat, lng) -> tuple[float, float] | None:
    try:
        return check_point(parse_degrees(lat, "lat"), parse_degrees(lng, "long"))
    except CoordinateError as error:
        raise ReportError(error.code, error.field) from None


def _clean(session: Session, data: ReportInput) -> _Clean:
    category = by_code(session, data.category_code)
    if category is None:
        raise ReportError("category_required", "category")
    description = _text(data.description, "description", DESCRIPTION_MAX, required=True,
                        multiline=True)
    commune, village = check_place(session, data.commune_id, data.village_id)
    address = _text(data.address, "address", ADDRESS_MAX, required=False, multiline=False)
    point = check_coordinates(data.lat, data.lng)
    attributes = read_attributes(category, data.attributes)
    return _Clean(category, description, commune, village, address or None, point, attributes)


def clean_photos(photos: Sequence[Photo]) -> list[photo_rules.CleanPhoto]:
    chosen = [p for p in photos if p is not None and (p.data or p.filename)]
    if len(chosen) > photo_rules.MAX_PHOTOS:
        raise ReportError("too_many_photos", "photos")
    cleaned = []
    for photo in chosen:
        try:
            cleaned.append(photo_rules.clean(photo.data, photo.filename))
        except UploadError as error:
            raise ReportError(f"photo_{error.code}", "photos") from None
    return cleaned


def _search_text(case_code: str, clean: _Clean) -> str:
    parts = [case_code, clean.category.name_vi, clean.category.name_en, clean.description,
             clean.address or "", clean.commune.name_vi]
    if clean.village is not None:
        parts.append(clean.village.name_vi)
    return fold(" ".join(parts))


def _title(clean: _Clean) -> str:
    place = clean.village.name_vi if clean.village is not None else clean.commune.name_vi
    return f"{clean.category.name_vi} · {place}"[:300]


def create_report(session: Session, reporter: User | None, data: ReportInput,
                  photos: Sequence[Photo] = (), *, now: datetime | None = None) -> FieldReport:
    """A new report and its case, routed; the photos cleaned and stored with it.

    The same form sent twice (a double tap, a retry on a flaky line) finds the report the
    first one made, by its idempotency key, and makes no second one."""
    now = now or utcnow()
    if data.idempotency_key:
        earlier = session.scalar(select(FieldReport).where(
            FieldReport.idempotency_key == data.idempotency_key))
        if earlier is not None and earlier.reporter_id == getattr(reporter, "id", None):
            return earlier
    clean = _clean(session, data)
    cleaned = clean_photos(photos)
    point, source = clean.point, data.location_source if clean.point else None
    if point is None:
        # No place typed: the first photo that knows where it was taken, in Vietnam.
        for photo in cleaned:
            if photo.gps is not None and in_vietnam(*photo.gps):
                point, source = (round(photo.gps[0], 7), round(photo.gps[1], 7)), "photo"
                break
    if point is None and clean.village is None and not clean.address:
        raise ReportError("location_required", "location")
    try:
        decision = decide(session, clean.category.id, clean.commune)
    except NoRoute:
        raise ReportError("no_route", "category") from None
    contact_phone = normalize_phone(data.contact_phone or "") if data.contact_phone else None

    from app.queue.routing import create_case
    from app.storage import file_store

    store = file_store()
    keys = [store.save(photo.data, STORE_KIND) for photo in cleaned]
    try:
        with write_transaction(session):
            case = create_case(session, case_type=CASE_TYPE, category=CASE_CATEGORY,
                               title=_title(clean), unit_id=clean.commune.id,
                               sla_days=clean.category.sla_days, received_at=now,
                               applicant_id=reporter.id if reporter is not None else None,
                               decision=decision)
            report = FieldReport(
                case_id=case.id, category_id=clean.category.id, commune_id=clean.commune.id,
                village_id=clean.village.id if clean.village else None,
                reporter_id=reporter.id if reporter is not None else None,
                anonymous=bool(data.anonymous), channel=data.channel,
                api_key_id=data.api_key_id, contact_name=data.contact_name or None,
                contact_email=data.contact_email or None, contact_phone=contact_phone,
                description=clean.description, address=clean.address,
                lat=point[0] if point else None, lng=point[1] if point else None,
                location_source=source, attributes=clean.attributes,
                search_text=_search_text(case.code, clean),
                idempotency_key=data.idempotency_key or None, created_at=now)
            report.photos = [FieldReportPhoto(position=i, key=key, width=p.width,
                                              height=p.height, size=len(p.data))
                             for i, (key, p) in enumerate(zip(keys, cleaned), start=1)]
            session.add(report)
            session.flush()
    except IntegrityError:
        # Two sends of one form at the same moment: the other made the report.
        for key in keys:
            store.delete(key)
        earlier = session.scalar(select(FieldReport).where(
            FieldReport.idempotency_key == data.idempotency_key)) if data.idempotency_key else None
        if earlier is None:
            raise
        return earlier
    except BaseException:
        for key in keys:
            store.delete(key)
        raise
    return report


# -- supporting -----------------------------------------------------------------------------------

def support(session: Session, case_id: int, user: User, now: datetime | None = None) -> FieldReport:
    """`user` has the same problem: they follow the report and hear of its answer. Once each;
    not one's own; only while the report is open."""
    now = now or utcnow()
    user_id = user.id
    try:
        with write_transaction(session):
            report = session.get(FieldReport, case_id, populate_existing=True)
            if report is None:
                raise ReportError("not_found")
            case = session.get(Case, case_id, populate_existing=True)
            if not is_open(report, case):
                raise ReportError("not_open")
            if report.reporter_id == user_id:
                raise ReportError("own")
            if session.get(FieldReportSupport, (case_id, user_id)) is not None:
                raise ReportError("twice")
            session.add(FieldReportSupport(case_id=case_id, user_id=user_id, created_at=now))
            session.flush()
            session.execute(update(FieldReport).where(FieldReport.case_id == case_id)
                            .values(support_count=FieldReport.support_count + 1)
                            .execution_options(synchronize_session=False))
    except IntegrityError:
        session.rollback()
        raise ReportError("twice") from None
    return session.get(FieldReport, case_id, populate_existing=True)


# -- the official answer --------------------------------------------------------------------------

OUTCOMES = ("fixed", "closed", "not_responsible")
# Which state-machine action ends a report with each outcome, from the state it is in.
_OUTCOME_ACTIONS = {
    (State.PROCESSING, "fixed"): ("complete", "return_result"),
    (State.PROCESSING, "closed"): ("complete", "return_result"),
    (State.PROCESSING, "not_responsible"): ("stop",),
    (State.SUBMITTED, "closed"): ("refuse",),
    (State.SUBMITTED, "not_responsible"): ("refuse",),
}


def _may(session: Session, case: Case, officer: User, actions: Sequence[str]) -> bool:
    """Whether `officer` may take these actions one after the other, from the case's state."""
    from app.queue.actions import capacities_of, view_of
    from app.queue.errors import IllegalTransition, NotAllowed
    from app.queue.states import check

    capacities = capacities_of(session, case, officer)
    view = view_of(case, utcnow())
    for action in actions:
        try:
            target = check(view, action, capacities)
        except (IllegalTransition, NotAllowed):
            return False
        view = replace(view, state=target)
    return True


def outcomes_now(session: Session, case: Case, report: FieldReport, officer: User) -> list[str]:
    """The endings this officer may give the report now (never one that would fail)."""
    if report.answered_at is not None or report.merged_into_id is not None:
        return []
    return [o for o in OUTCOMES if (case.state, o) in _OUTCOME_ACTIONS
            and _may(session, case, officer, _OUTCOME_ACTIONS[(case.state, o)])]


def answer(session: Session, case_id: int, officer: User, *, outcome: str, text: str,
           fix_photo: Photo | None = None, expected_version: int | None = None,
           now: datetime | None = None) -> FieldReport:
    """The commune's public answer and the report's ending, written with the case's state
    change in one transaction (which also queues the messages to reporter and supporters).
    A "fixed" answer may carry a photo of the fix, cleaned like any report photo."""
    from app.queue.actions import perform
    from app.storage import file_store

    now = now or utcnow()
    if outcome not in OUTCOMES:
        raise ReportError("bad_outcome", "outcome")
    body = _text(text, "answer", DESCRIPTION_MAX, required=True, multiline=True)
    cleaned = None
    if fix_photo is not None and (fix_photo.data or fix_photo.filename):
        if outcome != "fixed":
            fix_photo = None
        else:
            try:
                cleaned = photo_rules.clean(fix_photo.data, fix_photo.filename)
            except UploadError:
                raise ReportError("fix_photo", "fix_photo") from None
    store = file_store()
    key = store.save(cleaned.data, STORE_KIND) if cleaned is not None else None
    try:
        with write_transaction(session):
            report = session.get(FieldReport, case_id, populate_existing=True)
            case = session.get(Case, case_id, populate_existing=True)
            if report is None or case is None:
                raise ReportError("not_found")
            if report.answered_at is not None or report.merged_into_id is not None:
                raise ReportError("answered")
            actions = _OUTCOME_ACTIONS.get((case.state, outcome))
            if actions is None:
                raise ReportError("outcome_not_now", "outcome")
            report.outcome = outcome
            report.answer = body
            report.answered_at = now
            report.answered_by_id = officer.id
            report.fix_photo_key = key
            session.flush()
            for index, action in enumerate(actions):
                perform(session, case_id, action, officer,
                        expected_version=expected_version if index == 0 else None,
                        note=body[:1000], now=now)
    except BaseException:
        if key is not None:
            store.delete(key)
        raise
    return report


# -- merging a duplicate --------------------------------------------------------------------------

# How a duplicate is closed from each state it may be merged in (one transaction).
_MERGE_ACTIONS = {
    State.SUBMITTED: ("refuse",),
    State.RECEIVED: ("start", "stop"),
    State.PROCESSING: ("stop",),
}


def may_merge(session: Session, case: Case, report: FieldReport, officer: User) -> bool:
    actions = _MERGE_ACTIONS.get(case.state)
    return (actions is not None and report.merged_into_id is None and report.answered_at is None
            and _may(session, case, officer, actions))


def merge(session: Session, duplicate_id: int, original_code: str, officer: User, *,
          expected_version: int | None = None, now: datetime | None = None) -> FieldReport:
    """Close `duplicate_id` as a duplicate of the report with code `original_code`: it points
    at the original, its reporter and supporters follow the original from now on (they hear
    of its answer), and they are told, in the same transaction."""
    from app.queue.actions import perform

    now = now or utcnow()
    code = " ".join((original_code or "").split()).upper()[:40]
    with write_transaction(session):
        duplicate = session.get(FieldReport, duplicate_id, populate_existing=True)
        dup_case = session.get(Case, duplicate_id, populate_existing=True)
        if duplicate is None or dup_case is None:
            raise ReportError("not_found")
        if not may_merge(session, dup_case, duplicate, officer):
            raise ReportError("merge_not_now")
        original = by_code_of_case(session, code) if code else None
        if original is None or original.commune_id != duplicate.commune_id:
            raise ReportError("merge_unknown", "original")
        if original.case_id == duplicate.case_id:
            raise ReportError("merge_self", "original")
        if original.merged_into_id is not None:
            raise ReportError("merge_chain", "original")
        if not is_open(original, session.get(Case, original.case_id)):
            raise ReportError("merge_unknown", "original")
        duplicate.merged_into_id = original.case_id
        followers = [u.id for u in supporters(session, duplicate.case_id)]
        if duplicate.reporter_id is not None:
            followers.insert(0, duplicate.reporter_id)
        added = 0
        for user_id in dict.fromkeys(followers):
            if user_id == original.reporter_id or session.get(
                    FieldReportSupport, (original.case_id, user_id)) is not None:
                continue
            session.add(FieldReportSupport(case_id=original.case_id, user_id=user_id,
                                           created_at=now))
            added += 1
        if added:
            session.execute(update(FieldReport).where(FieldReport.case_id == original.case_id)
                            .values(support_count=FieldReport.support_count + added)
                            .execution_options(synchronize_session=False))
        session.flush()
        with force_locale("vi"):  # the officers' log reads in Vietnamese
            note = _("Duplicate of report %(code)s.", code=session.get(Case, original.case_id).code)
        for index, action in enumerate(_MERGE_ACTIONS[dup_case.state]):
            perform(session, duplicate.case_id, action, officer,
                    expected_version=expected_version if index == 0 else None, note=note,
                    now=now)
    return duplicate


def merge_candidates(session: Session, report: FieldReport, radius_m: float,
                     limit: int = 10) -> list:
    """Open reports an officer may merge this one into: the same category nearby first, then
    the newest open ones of the same category in the commune."""
    from app.reports.nearby import open_nearby

    found = []
    if report.lat is not None:
        found = [n.report for n in open_nearby(session, category_id=report.category_id,
                                               lat=report.lat, lng=report.lng,
                                               radius_m=radius_m,
                                               exclude_case_id=report.case_id, limit=limit)]
    seen = {r.case_id for r in found}
    more = session.scalars(
        select(FieldReport).join(Case, Case.id == FieldReport.case_id)
        .where(FieldReport.commune_id == report.commune_id,
               FieldReport.category_id == report.category_id,
               FieldReport.case_id != report.case_id, FieldReport.merged_into_id.is_(None),
               Case.state.in_(_OPEN))
        .order_by(FieldReport.created_at.desc()).limit(limit))
    for other in more:
        if other.case_id not in seen and len(found) < limit:
            found.append(other)
    return found


# -- the reporter's rating ------------------------------------------------------------------------

def rate(session: Session, case_id: int, user: User, level: int, comment: str | None,
         now: datetime | None = None) -> FieldReport:
    from app.dossiers.services import RATING_LEVELS  # the same five levels as dossiers

    if level not in RATING_LEVELS:
        raise ReportError("bad_rating", "level")
    text = _text(comment, "comment", 1000, required=False, multiline=True) or None
    now = now or utcnow()
    with write_transaction(session):
        report = session.get(FieldReport, case_id, populate_existing=True)
        if report is None or not may_rate(report, user):
            raise ReportError("not_rateable")
        done = session.execute(
            update(FieldReport).where(FieldReport.case_id == case_id,
                                      FieldReport.rating.is_(None),
                                      FieldReport.reporter_id == user.id,
                                      FieldReport.answered_at.is_not(None))
            .values(rating=level, rating_comment=text, rated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if done != 1:
            raise ReportError("not_rateable")
        # Counted like a dossier's rating, in the same transaction (the statistics' rows).
        tally.record_rating(session, session.get(Case, case_id), level, actor_id=user.id,
                            at=now)
    return session.get(FieldReport, case_id, populate_existing=True)


def followers(session: Session, report: FieldReport) -> list[User]:
    """The reporter (an account) and every supporter, each once, active accounts only."""
    people: dict[int, User] = {}
    reporter = session.get(User, report.reporter_id) if report.reporter_id else None
    for person in [reporter, *supporters(session, report.case_id)]:
        if person is not None and person.active:
            people.setdefault(person.id, person)
    return list(people.values())
