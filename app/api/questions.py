"""Published questions and answers in the JSON API (`/api/v1/questions`): the same set as the
public pages (app/petitions/public.py), the same redacted words (app/petitions/privacy.py).

The answer's models have no field for who asked (no name, phone, e-mail or ID number), so no
change to a view can leak one through here; the texts are the redacted ones.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated

from flask import request
from flask_babel import force_locale, gettext as _
from pydantic import BaseModel, Field
from spectree import Response

from app.api.routes import PUBLIC_CACHE, bp, spec
from app.api.schemas import (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ErrorBody, Lang, LangQuery,
                             QueryInt, Text)
from app.errors import refuse
from app.extensions import db
from app.input_guard import MAX_PAGE
from app.links import public_url
from app.petitions import public
from app.petitions.privacy import public_text
from app.queue.calendar import local_day
from app.security import public as public_route


class QuestionQuery(LangQuery):
    q: Annotated[Text, Field(max_length=200)] = Field(
        "", description="Words to look for in the question and the answer; accents and case "
                        "are ignored (`dat dai` finds `đất đai`).")
    topic: QueryInt | None = Field(None, ge=1, le=2 ** 31 - 1, description="A topic's id.")
    agency: QueryInt | None = Field(None, ge=1, le=2 ** 31 - 1,
                                    description="The id of the department that answered.")
    page: QueryInt = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    size: QueryInt = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE,
                           description=f"Questions per page, 1 to {MAX_PAGE_SIZE}.")


class Named(BaseModel):
    id: int
    name: str


class QuestionSummary(BaseModel):
    id: int
    kind: str = Field(description="question or petition.")
    title: str
    topic: Named
    agency: Named = Field(description="The department that answered.")
    commune: str
    asked_on: date
    answered_on: date
    on_time: bool = Field(description="Answered by its due date.")
    url: str = Field(description="The question's page on the portal.")


class QuestionDetail(QuestionSummary):
    question: str
    answer: str
    procedure_code: str | None = Field(description="The procedure it is about, if any.")


class QuestionPage(BaseModel):
    lang: Lang
    query: str
    items: list[QuestionSummary]
    page: int
    pages: int
    size: int
    total: int


def _summary(petition, lang: str) -> dict:
    case = petition.case
    return dict(
        id=petition.id, kind=petition.kind, title=public_text(petition, petition.title),
        topic=Named(id=petition.topic_id, name=petition.topic.name(lang)),
        agency=Named(id=case.department_id, name=case.department.name(lang)),
        commune=petition.unit.name(lang), asked_on=local_day(case.received_at),
        answered_on=local_day(case.finished_at), on_time=public.on_time(case),
        url=public_url("petitions.detail", lang_code=lang, petition_id=petition.id))


@bp.get("/questions")
@public_route
@spec.validate(query=QuestionQuery, resp=Response(HTTP_200=QuestionPage), tags=["questions"])
def questions():
    """Published questions and petitions with their answers, newest answer first."""
    query: QuestionQuery = request.context.query
    page = public.search(db.session, public.Search(q=query.q, topic_id=query.topic,
                                                   department_id=query.agency),
                         query.page, query.size)
    answer = QuestionPage(lang=query.lang, query=query.q,
                          items=[QuestionSummary(**_summary(p, query.lang)) for p in page.items],
                          page=page.number, pages=page.pages, size=query.size, total=page.total)
    return answer, 200, {"Cache-Control": PUBLIC_CACHE}


@bp.get("/questions/<int:petition_id>")
@public_route
@spec.validate(query=LangQuery, resp=Response(HTTP_200=QuestionDetail, HTTP_404=ErrorBody),
               tags=["questions"],
               path_parameter_descriptions={"petition_id": "The question's id."})
def question(petition_id: int):
    """One published question with its answer."""
    query: LangQuery = request.context.query
    petition = public.published(db.session, petition_id)
    if petition is None:
        with force_locale(query.lang):
            refuse(404, _("There is no published question with this number."))
    answer = QuestionDetail(
        **_summary(petition, query.lang), question=public_text(petition, petition.body),
        answer=public_text(petition, petition.answer),
        procedure_code=petition.procedure.code if petition.procedure else None)
    return answer, 200, {"Cache-Control": PUBLIC_CACHE}
