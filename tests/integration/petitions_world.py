"""The office the petition tests work in, and the helpers they share: a commune whose justice
office takes petitions and whose land office takes land ones, their people, topics, residents;
a browser per person; the office's whole path from receiving to approving."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Case, Petition, PetitionTopic, RoutingRule
from app.queue.actions import perform
from tests.access_matrix import PersonClient
from tests.factories import (make_department, make_officer, make_procedure, make_unit,
                             make_user)

PASSWORD = "petition-pass-1"
PDF = b"%PDF-1.4 a scanned letter"


class _Fresh(PersonClient):
    """A person's browser; after each request the test's session starts a new transaction, so
    it reads what the request wrote."""

    def open(self, *args, **kwargs):
        from app.extensions import db

        response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


def browser(app, user=None):
    app.test_client_class = _Fresh
    client = app.test_client()
    if user is not None:
        assert client.login(user.email or user.phone, PASSWORD).status_code == 302
    return client


@pytest.fixture
def office(session):
    """A commune whose justice office takes petitions (a pull rule), with its desk, an
    officer who holds the 'petition' skill and its leader; a land office for land topics; a
    second commune with staff of its own; topics; residents."""
    province = make_unit(session, level="province")
    commune = make_unit(session, level="commune", parent=province, name_vi="Xã Đại Phúc",
                        name_en="Dai Phuc Commune")
    other = make_unit(session, level="commune", parent=province)
    justice = make_department(session, commune, case_types="dossier,petition",
                              name_vi="Tư pháp – Hộ tịch", name_en="Justice")
    land = make_department(session, commune, case_types="petition",
                           name_vi="Địa chính – Xây dựng", name_en="Land and Construction")
    session.add_all([
        RoutingRule(case_type="petition", category=None, unit_id=commune.id,
                    department_id=justice.id, mode="pull", active=True),
        RoutingRule(case_type="petition", category="land", unit_id=commune.id,
                    department_id=land.id, mode="pull", active=True)])
    intake = make_officer(session, justice, desk="intake", skills=["petition"], password=PASSWORD)
    officer = make_officer(session, justice, skills=["petition"], password=PASSWORD)
    leader = make_officer(session, justice, desk="leader", lead=True, password=PASSWORD)
    land_officer = make_officer(session, land, skills=["land"], password=PASSWORD)
    outsider = make_officer(session, make_department(session, other, case_types="petition"),
                            skills=["petition"], password=PASSWORD)
    admin = make_user(session, role="admin", password=PASSWORD)
    resident = make_user(session, role="resident", password=PASSWORD, commune=commune,
                         full_name="Hoàng Văn An", phone="0912345678")
    english = make_user(session, role="resident", password=PASSWORD, email="lan@example.vn",
                        full_name="Trần Thị Lan")
    english.locale = "en"
    general = PetitionTopic(code="hanh-chinh", name_vi="Thủ tục hành chính",
                            name_en="Administrative procedures", category="petition", sla_days=10)
    land_topic = PetitionTopic(code="dat-dai", name_vi="Đất đai", name_en="Land",
                               category="land", sla_days=15)
    retired = PetitionTopic(code="cu", name_vi="Chủ đề cũ", name_en="Old topic",
                            category="petition", sla_days=5, active=False)
    session.add_all([general, land_topic, retired])
    procedure = make_procedure(session, name_vi="Đăng ký khai sinh", name_en="Birth registration")
    session.commit()
    return dict(commune=commune, other=other, justice=justice, land=land, intake=intake,
                officer=officer, leader=leader, land_officer=land_officer, outsider=outsider,
                admin=admin, resident=resident, english=english, topic=general,
                land_topic=land_topic, retired=retired, procedure=procedure)


def ask_data(office, **overrides):
    data = {"kind": "question", "topic_id": str(office["topic"].id),
            "unit_id": str(office["commune"].id), "procedure_id": "0",
            "title": "Hỏi về thời hạn đăng ký khai sinh",
            "body": "Con tôi sinh được 70 ngày, có bị phạt khi đăng ký muộn không?",
            "asker_name": "Hoàng Văn An", "asker_phone": "0912345678", "asker_email": "",
            "public": "y", "idempotency_key": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def ask(client, office, lang="en", **overrides):
    return client.submit(f"/{lang}/petitions/ask", ask_data(office, **overrides))


def last_petition(session) -> Petition:
    return session.scalar(select(Petition).order_by(Petition.id.desc()))


def flashes(page) -> str:
    return " ".join(p.get_text(" ", strip=True) for p in page.select(".flash"))


def problems(page) -> str:
    return " ".join(p.get_text(" ", strip=True)
                    for p in page.select(".error-summary, .error-message"))


def answer_and_approve(session, office, petition, text="Không bị phạt nếu đăng ký trong 60 "
                                                       "ngày; quá hạn thì bị nhắc nhở."):
    """The office's whole path: the desk receives, the officer starts and drafts, the leader
    approves (the queue's own actions)."""
    from app.petitions.answers import draft_answer

    case_id = petition.case_id
    case = session.get(Case, case_id)
    justice = case.department_id == office["justice"].id
    # The justice office's own people; elsewhere an administrator, who may act as any of them.
    intake, officer, leader = ((office["intake"], office["officer"], office["leader"])
                               if justice else (office["admin"],) * 3)
    perform(session, case_id, "receive", intake)
    case.assignee_id = officer.id
    session.commit()
    perform(session, case_id, "start", officer)
    draft_answer(session, case_id, officer, text)
    perform(session, case_id, "approve", leader)
    session.refresh(petition)
    return petition
