"""What the public reads: questions and petitions whose asker chose to publish them, once a
leader approved their answer; searchable with or without diacritics, by topic and by the agency
that answered, newest answer first. Voters' petitions are published with their meeting's answer
sheet instead (app/petitions/voters.py). No Flask here.

Every reader here goes through `PUBLISHED`, the one definition of "published", so the list,
the page, the procedure's Q&A and the API cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, contains_eager

from app.models import Case, Department, Petition, PetitionTopic
from app.pagination import Page, page_of_query
from app.petitions.services import ANSWERED_STATES, PAGE_SIZE
from app.text import escape_like, fold, vietnamese_sort_key

PUBLISHED = and_(Petition.source == "online", Petition.public.is_(True),
                 Petition.status == "filed", Case.state.in_(ANSWERED_STATES))
MAX_WORDS = 8


@dataclass(frozen=True)
class Search:
    q: str = ""
    topic_id: int | None = None
    department_id: int | None = None


def _published():
    return (select(Petition).join(Case, Case.id == Petition.case_id).where(PUBLISHED)
            .options(contains_eager(Petition.case)))


def search(session: Session, query: Search, page: int | None, size: int = PAGE_SIZE) -> Page:
    stmt = _published()
    if query.topic_id:
        stmt = stmt.where(Petition.topic_id == query.topic_id)
    if query.department_id:
        stmt = stmt.where(Case.department_id == query.department_id)
    for word in fold(query.q).split()[:MAX_WORDS]:
        stmt = stmt.where(Petition.search_text.like(f"%{escape_like(word)}%", escape="\\"))
    stmt = stmt.order_by(Case.finished_at.desc(), Petition.id.desc())
    return page_of_query(session, stmt, page, size)


def published(session: Session, petition_id: int) -> Petition | None:
    return session.scalar(_published().where(Petition.id == petition_id))


def is_published(petition: Petition) -> bool:
    return (petition.source == "online" and petition.public and petition.status == "filed"
            and petition.case is not None and petition.case.state in ANSWERED_STATES)


def for_procedure(session: Session, procedure_id: int, limit: int = 5) -> tuple[list, int]:
    """The latest published questions naming this procedure, and how many there are."""
    stmt = _published().where(Petition.procedure_id == procedure_id)
    total = session.scalar(select(func.count()).select_from(
        stmt.order_by(None).subquery())) or 0
    items = session.scalars(stmt.order_by(Case.finished_at.desc(), Petition.id.desc())
                            .limit(limit)).all()
    return list(items), total


def topics_published(session: Session) -> list[PetitionTopic]:
    """Topics with at least one published answer (the list's filter offers only those)."""
    ids = select(Petition.topic_id).join(Case, Case.id == Petition.case_id).where(PUBLISHED)
    return sorted(session.scalars(select(PetitionTopic).where(PetitionTopic.id.in_(ids))),
                  key=lambda t: vietnamese_sort_key(t.name_vi))


def agencies_published(session: Session) -> list[Department]:
    ids = select(Case.department_id).join(Petition, Petition.case_id == Case.id).where(PUBLISHED)
    return sorted(session.scalars(select(Department).where(Department.id.in_(ids))),
                  key=lambda d: vietnamese_sort_key(d.name_vi))


def on_time(case: Case) -> bool:
    """Answered by its due date (the leader's approval is the moment it was answered)."""
    return case.finished_at is not None and case.finished_at <= case.due_at
