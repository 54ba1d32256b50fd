"""Filing a petition or a question, finding one's own again by code and phone, and rating the
answer (holding an abusive one for a moderator: moderation.py).

One transaction makes the petition row, its case (routed by its topic's category and its
commune, due in the topic's working days) and its attachments' rows, or nothing: the files are
checked by content and stored first, and forgotten again if the transaction fails. A text with
abusive words (app/abusive.py) is kept as "held", with no case, until staff of its commune
release it (then the case is made, and its clock starts) or reject it with a reason.

The only Flask-adjacent import is Babel's `force_locale`, so each asker's messages are in their
own language, as app/village/services.py does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.abusive import is_abusive
from app.db import in_write_transaction, write_transaction
from app.dossiers.files import Upload, discard, store_uploads
from app.dossiers.services import RATING_LEVELS
from app.models import (AdminUnit, Case, Petition, PetitionFile, PetitionTopic,
                        Procedure, User, utcnow)
from app.models.petitions import PETITION_KINDS
from app.pagination import Page, page_of_query
from app.petitions.privacy import public_text
from app.queue import kinds, tally
from app.queue.errors import NoRoute, WrongDepartment
from app.queue.routing import create_case, named_department, new_case_code, route
from app.refusals import Refusal
from app.storage import FileStore
from app.text import fold, normalize_phone
from app.tracking import clean_code, contact_matches

TITLE_MAX = 200
BODY_MAX = 5000
NAME_MAX = 120
EMAIL_MAX = 254
NOTE_MAX = 500
MAX_FILES = 3
STORE_KIND = "petitions"
# The states in which a petition's case has its answer approved and published.
ANSWERED_STATES = (9, 10)
PAGE_SIZE = 10


class PetitionError(Refusal):
    """A rule refused the request; `code` picks the message, `field` the form field."""


@dataclass(frozen=True)
class Filing:
    kind: str
    topic_id: int | None
    unit_id: int | None
    title: str
    body: str
    asker_name: str | None = None
    asker_phone: str | None = None
    asker_email: str | None = None
    public: bool = False
    procedure_id: int | None = None
    user_id: int | None = None          # the signed-in asker
    locale: str = "vi"
    source: str = "online"
    idempotency_key: str | None = None
    meeting_id: int | None = None       # a voters' meeting's petition...
    department_id: int | None = None    # ...goes to the agency the meeting named


@dataclass(frozen=True)
class _Clean:
    title: str
    body: str
    topic: PetitionTopic
    unit: AdminUnit
    procedure_id: int | None
    name: str | None
    phone: str | None
    email: str | None


def _text(raw: str | None, field: str, limit: int, *, multiline: bool = False) -> str:
    text = (raw or "").strip() if multiline else " ".join((raw or "").split())
    if not text:
        raise PetitionError(f"{field}_required", field)
    if len(text) > limit:
        raise PetitionError(f"{field}_too_long", field)
    return text


def _asker(filing: Filing) -> tuple[str | None, str | None, str | None]:
    name = " ".join((filing.asker_name or "").split()) or None
    if filing.source != "voter" and name is None:
        raise PetitionError("name_required", "asker_name")
    if name is not None and len(name) > NAME_MAX:
        raise PetitionError("name_too_long", "asker_name")
    phone = None
    if (filing.asker_phone or "").strip():
        phone = normalize_phone(filing.asker_phone)
        if phone is None:
            raise PetitionError("bad_phone", "asker_phone")
    elif filing.source == "online" and filing.user_id is None:
        # The only way back to an anonymous question: its code and this number.
        raise PetitionError("phone_required", "asker_phone")
    email = (filing.asker_email or "").strip() or None
    if email is not None and (len(email) > EMAIL_MAX or email.count("@") != 1
                              or email.startswith("@") or email.endswith("@")
                              or any(ch.isspace() for ch in email)):
        raise PetitionError("bad_email", "asker_email")
    return name, phone, email


def _clean(session: Session, filing: Filing) -> _Clean:
    if filing.kind not in PETITION_KINDS:
        raise PetitionError("bad_kind", "kind")
    topic = session.get(PetitionTopic, filing.topic_id) if filing.topic_id else None
    if topic is None or not topic.active:
        raise PetitionError("bad_topic", "topic_id")
    unit = session.get(AdminUnit, filing.unit_id) if filing.unit_id else None
    if unit is None or unit.level != "commune":
        raise PetitionError("bad_unit", "unit_id")
    procedure_id = None
    if filing.procedure_id:
        procedure = session.get(Procedure, filing.procedure_id)
        if procedure is None or not procedure.active:
            raise PetitionError("bad_procedure", "procedure_id")
        procedure_id = procedure.id
    title = _text(filing.title, "title", TITLE_MAX)
    body = _text(filing.body, "body", BODY_MAX, multiline=True)
    name, phone, email = _asker(filing)
    return _Clean(title, body, topic, unit, procedure_id, name, phone, email)


def search_text_of(petition: Petition) -> str:
    """What the public search compares: the redacted words, folded (so "dat dai" finds "đất
    đai" and a phone number typed into the text finds nothing)."""
    parts = [petition.title, petition.body, petition.answer or ""]
    return fold(" ".join(public_text(petition, p) for p in parts))


def find_by_key(session: Session, key: str | None) -> Petition | None:
    if not key:
        return None
    return session.scalar(select(Petition).where(Petition.idempotency_key == key))


def _check_route(session: Session, filing: Filing, clean: _Clean) -> None:
    """Refuse at once a petition no office of this commune takes (held ones too: releasing
    them later would only fail then)."""
    try:
        if filing.department_id is not None:
            named_department(session, "petition", filing.department_id)
        else:
            route(session, case_type="petition", category=clean.topic.category,
                  unit_id=clean.unit.id, procedure_id=clean.procedure_id)
    except NoRoute:
        raise PetitionError("no_route", "topic_id") from None
    except WrongDepartment:
        raise PetitionError("bad_department", "department_id") from None


def open_case(session: Session, petition: Petition, now: datetime) -> Case:
    """The petition's case: routed by topic and commune (or to the named agency), due in the
    topic's working days, its answer to be approved by a leader before anyone reads it."""
    topic = session.get(PetitionTopic, petition.topic_id)
    try:
        decision = (named_department(session, "petition", petition.department_id)
                    if petition.department_id is not None else None)
        return create_case(session, case_type="petition", category=topic.category,
                           title=petition.title[:300], unit_id=petition.unit_id,
                           sla_days=topic.sla_days, received_at=now,
                           applicant_id=petition.user_id, procedure_id=petition.procedure_id,
                           requires_approval=True, code=petition.code, decision=decision)
    except NoRoute:
        raise PetitionError("no_route", "topic_id") from None
    except WrongDepartment:
        raise PetitionError("bad_department", "department_id") from None


def file_petition(session: Session, store: FileStore | None, filing: Filing,
                  uploads: list[Upload] = (), *, now: datetime | None = None) -> Petition:
    """Make the petition (and its case, unless it is held); or return the one this
    idempotency key already made. PetitionError or UploadError leave nothing behind."""
    now = now or utcnow()
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise PetitionError("too_many_files", "files")
    joined = in_write_transaction(session)
    existing = None if joined else find_by_key(session, filing.idempotency_key)
    if existing is not None:
        return existing
    clean = _clean(session, filing)
    _check_route(session, filing, clean)
    held = filing.source == "online" and is_abusive(clean.title, clean.body)
    stored = store_uploads(store, uploads, store_kind=STORE_KIND) if uploads else []
    try:
        with write_transaction(session, join=True):
            petition = Petition(
                code=new_case_code("petition", now), source=filing.source, kind=filing.kind,
                status="held" if held else "filed", topic_id=clean.topic.id,
                unit_id=clean.unit.id, procedure_id=clean.procedure_id,
                meeting_id=filing.meeting_id, department_id=filing.department_id,
                title=clean.title, body=clean.body, user_id=filing.user_id,
                asker_name=clean.name, asker_phone=clean.phone, asker_email=clean.email,
                asker_locale=filing.locale if filing.locale in ("vi", "en") else "vi",
                public=bool(filing.public) and filing.source == "online",
                idempotency_key=filing.idempotency_key or None, created_at=now,
                updated_at=now)
            if not held:
                petition.case_id = open_case(session, petition, now).id
            session.add(petition)
            session.flush()
            petition.search_text = search_text_of(petition)
            for item in stored:
                session.add(PetitionFile(petition_id=petition.id, storage_key=item.key,
                                         kind=item.kind, filename=item.filename,
                                         size=item.size, sha256=item.sha256, created_at=now))
            if filing.source != "voter":  # voters hear through their deputies' answer sheet
                tell_asker(session, petition, _received_words(petition, held))
            session.flush()
    except IntegrityError:
        discard(store, stored)
        if joined:
            raise
        session.rollback()
        # Two presses of "send" with one form raced: the first one's petition is the answer.
        existing = find_by_key(session, filing.idempotency_key)
        if existing is None:
            raise
        return existing
    except BaseException:
        discard(store, stored)
        raise
    return petition


# -- messages to the asker (outside a case transition) -----------------------------------------

def asker_notice(session: Session, petition: Petition, words) -> kinds.Notice | None:
    """A notice to the asker in their language: to their account, or by SMS to the phone they
    gave. `words()` is called inside that language and returns (subject, lines)."""
    account = session.get(User, petition.user_id) if petition.user_id else None
    if account is not None and account.active:
        with force_locale(account.locale or "vi"):
            subject, lines = words()
        return kinds.Notice(account, subject, "\n".join(lines))
    if petition.asker_phone:
        with force_locale(petition.asker_locale or "vi"):
            subject, lines = words()
        return kinds.Notice(None, subject, "\n".join(lines), phone=petition.asker_phone)
    return None


def tell_asker(session: Session, petition: Petition, words) -> None:
    notice = asker_notice(session, petition, words)
    if notice is not None:
        kinds.deliver(session, notice)


def lookup_line(petition: Petition) -> str:
    """Where an asker without an account reads the answer, in the message's language."""
    from flask_babel import get_locale

    from app.links import public_url

    lang = str(get_locale() or "vi")
    return _("Read it at %(url)s with the code %(code)s and your phone number.",
             url=public_url("petitions.lookup", lang_code=lang if lang in ("vi", "en") else "vi"),
             code=petition.code)


def _received_words(petition: Petition, held: bool):
    def words():
        subject = _("Your message %(code)s was received", code=petition.code)
        lines = [_("We received “%(title)s” (code %(code)s).", title=petition.title,
                   code=petition.code)]
        if held:
            lines.append(_("It contains words the portal does not pass on unread, so a "
                           "moderator of the commune will read it first. We will tell you "
                           "what they decide."))
        else:
            lines.append(_("It has been sent to the office in charge."))
        if petition.user_id is None:
            lines.append(lookup_line(petition))
        return subject, lines
    return words


# -- the asker's own -----------------------------------------------------------------------------

def find_own(session: Session, code: str | None, phone: str | None) -> Petition | None:
    """The petition with this code, if `phone` is the one its asker gave; None alike for "no
    such code" and "wrong phone" (the tracking rules: app/tracking.py)."""
    code = clean_code(code)
    if code is None:
        return None
    petition = session.scalar(select(Petition).where(Petition.code == code,
                                                     Petition.source != "voter"))
    if petition is None or not contact_matches(phone, petition.asker_phone):
        return None
    return petition


def mine(session: Session, user_id: int, page: int | None, size: int = PAGE_SIZE) -> Page:
    stmt = (select(Petition).where(Petition.user_id == user_id)
            .order_by(Petition.created_at.desc(), Petition.id.desc()))
    return page_of_query(session, stmt, page, size)


def files_of(session: Session, petition_id: int) -> list[PetitionFile]:
    return list(session.scalars(select(PetitionFile).where(PetitionFile.petition_id == petition_id)
                                .order_by(PetitionFile.id)))


def for_case(session: Session, case_id: int) -> Petition | None:
    return session.scalar(select(Petition).where(Petition.case_id == case_id))


def is_answered(petition: Petition) -> bool:
    """The answer was approved by a leader (the case reached "done"): it may be read."""
    return petition.case is not None and petition.case.state in ANSWERED_STATES


def can_rate(petition: Petition) -> bool:
    return is_answered(petition) and petition.rating is None


def rate(session: Session, petition_id: int, level: int, comment: str | None, *,
         now: datetime | None = None) -> None:
    """The asker's one rating of the answer (the caller checked it is the asker). A guarded
    UPDATE: only an answered, unrated petition takes it, so two taps rate once."""
    if level not in RATING_LEVELS:
        raise PetitionError("bad_rating", "level")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > 1000:
        raise PetitionError("comment_too_long", "comment")
    now = now or utcnow()
    with write_transaction(session):
        answered = select(Case.id).where(Case.state.in_(ANSWERED_STATES))
        done = session.execute(
            update(Petition).where(Petition.id == petition_id, Petition.rating.is_(None),
                                   Petition.case_id.in_(answered))
            .values(rating=level, rating_comment=comment, rated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if done != 1:
            raise PetitionError("not_rateable")
        # Counted like a dossier's rating, in the same transaction (the statistics' rows).
        case_id, asker_id = session.execute(select(Petition.case_id, Petition.user_id)
                                            .where(Petition.id == petition_id)).one()
        tally.record_rating(session, session.get(Case, case_id), level, actor_id=asker_id,
                            at=now)
