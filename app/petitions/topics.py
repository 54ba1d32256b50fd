"""Petition topics, kept by administrators: what a petition is about, how many working days
the office has to answer it, and which queue category it goes to.

The category is how a topic maps onto routing and skills, on purpose without a third
vocabulary: routing rules already choose a department by (case type, category, unit) and an
officer must hold the category as a skill to take a case. A topic about land is filed under
"land", so the land office's rule for petitions sends it to the officers who know land law; a
topic with no specialism of its own stays under "petition", the petition desk's skill. Adding a
topic therefore never needs a new rule or skill, and an administrator who wants one topic
handled elsewhere adds a rule for its category. No Flask here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.models import PetitionTopic
from app.queue.categories import CATEGORIES
from app.refusals import Refusal
from app.text import vietnamese_sort_key

# Categories that belong to other kinds of case and are never a petition's.
TOPIC_CATEGORIES = tuple(c for c in CATEGORIES
                         if c not in ("field_report", "initiative", "village_need"))
SLA_RANGE = (1, 90)
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class TopicError(Refusal):
    pass


@dataclass(frozen=True)
class TopicInput:
    code: str
    name_vi: str
    name_en: str
    category: str
    sla_days: int | None
    active: bool = True


def topics(session: Session, *, active_only: bool = True) -> list[PetitionTopic]:
    stmt = select(PetitionTopic)
    if active_only:
        stmt = stmt.where(PetitionTopic.active.is_(True))
    return sorted(session.scalars(stmt), key=lambda t: vietnamese_sort_key(t.name_vi))


def _check(data: TopicInput) -> TopicInput:
    code = (data.code or "").strip().lower()
    if not _CODE.match(code):
        raise TopicError("bad_code", "code")
    name_vi = " ".join((data.name_vi or "").split())
    name_en = " ".join((data.name_en or "").split())
    if not name_vi:
        raise TopicError("name_required", "name_vi")
    if len(name_vi) > 200 or len(name_en) > 200:
        raise TopicError("name_too_long", "name_vi" if len(name_vi) > 200 else "name_en")
    if data.category not in TOPIC_CATEGORIES:
        raise TopicError("bad_category", "category")
    if data.sla_days is None or not SLA_RANGE[0] <= data.sla_days <= SLA_RANGE[1]:
        raise TopicError("bad_sla", "sla_days")
    return TopicInput(code, name_vi, name_en, data.category, data.sla_days, bool(data.active))


def save_topic(session: Session, data: TopicInput,
               topic: PetitionTopic | None = None) -> PetitionTopic:
    """Add a topic, or change one (`topic`); TopicError before anything is written. A topic
    already used keeps its petitions: changing its days counts from the next one filed."""
    clean = _check(data)
    try:
        with write_transaction(session):
            clash = session.scalar(select(PetitionTopic.id).where(
                PetitionTopic.code == clean.code))
            if clash is not None and (topic is None or clash != topic.id):
                raise TopicError("code_taken", "code")
            if topic is None:
                topic = PetitionTopic()
                session.add(topic)
            topic.code, topic.name_vi, topic.name_en = clean.code, clean.name_vi, clean.name_en
            topic.category, topic.sla_days, topic.active = (clean.category, clean.sla_days,
                                                            clean.active)
    except IntegrityError:
        raise TopicError("code_taken", "code") from None
    return topic
