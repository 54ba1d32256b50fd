"""A signed-in resident's own dossiers: open ones first with what to do now, nobody else's."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.dossiers.services import Submission, submit
from app.models import Case
from tests.factories import make_dossier_office, make_procedure, make_resident

PASSWORD = "mat-khau-2026"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def people(session):
    office = make_dossier_office(session)
    commune, birth = office["commune"], office["procedure"]
    death = make_procedure(session, office["field"], name_vi="Đăng ký khai tử", processing_days=3)
    mai = make_resident(session, password=PASSWORD)
    other = make_resident(session, password=PASSWORD)
    session.commit()

    def file(procedure, who):
        return submit(session, Submission(procedure_id=procedure.id, unit_id=commune.id,
                                          applicant_name=who.full_name, applicant_phone=who.phone,
                                          applicant_user_id=who.id), now=NOW)

    finished = file(death, mai)
    session.get(Case, finished.case_id).state = 10
    session.commit()
    open_one = file(birth, mai)
    file(birth, other)
    return {"mai": mai, "open": open_one, "finished": finished}


def test_a_resident_sees_only_their_dossiers_open_ones_first(client, people, session):
    assert client.login(people["mai"].phone, PASSWORD).status_code == 302
    page = client.get("/vi/dossiers/").page
    cards = page.select("ul.cards > li")
    assert [c.h2.get_text() for c in cards] == ["Đăng ký khai sinh", "Đăng ký khai tử"]
    assert "Đã nộp trực tuyến" in cards[0].get_text() and "Đã trả kết quả" in cards[1].get_text()
    codes = {session.get(Case, people["open"].case_id).code,
             session.get(Case, people["finished"].case_id).code}
    assert {c.strong.get_text() for c in cards} == codes


def test_an_empty_list_says_where_dossiers_come_from(client, session, units):
    resident = make_resident(session, password=PASSWORD)
    session.commit()
    assert client.login(resident.phone, PASSWORD, lang="en").status_code == 302
    assert "You have no dossiers yet" in client.get("/en/dossiers/").page.get_text()


def test_the_home_page_links_to_my_dossiers_and_visitors_are_asked_to_log_in(client, units):
    home = client.get("/vi/").page
    assert home.select_one("a[href='/vi/dossiers/']")
    response = client.get("/vi/dossiers/")
    assert response.status_code == 302 and "/vi/account/login" in response.headers["Location"]


def _withdraw_form(client, case_id, lang="vi"):
    page = client.get(f"/{lang}/dossiers/{case_id}/withdraw").page
    return {"csrf_token": page.select_one("input[name=csrf_token]")["value"],
            "version": page.select_one("input[name=version]")["value"]}


def test_a_resident_withdraws_an_open_dossier_after_confirming(client, people, session):
    assert client.login(people["mai"].phone, PASSWORD).status_code == 302
    case_id = people["open"].case_id
    listing = client.get("/vi/dossiers/").page
    assert listing.select_one(f"a[href='/vi/dossiers/{case_id}/withdraw']")
    assert not listing.select_one(f"a[href='/vi/dossiers/{people['finished'].case_id}/withdraw']")
    data = _withdraw_form(client, case_id)
    response = client.post(f"/vi/dossiers/{case_id}/withdraw", data={**data, "reason": "Nộp nhầm"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Case, case_id).state == 7


def test_a_stale_confirmation_changes_nothing(client, people, session):
    assert client.login(people["mai"].phone, PASSWORD).status_code == 302
    case_id = people["open"].case_id
    data = _withdraw_form(client, case_id)
    case = session.get(Case, case_id)
    case.version += 1
    session.commit()
    response = client.post(f"/vi/dossiers/{case_id}/withdraw", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/withdraw")
    session.expire_all()
    assert session.get(Case, case_id).state == 1


def test_a_finished_or_someone_elses_dossier_cannot_be_withdrawn(client, people, session):
    assert client.login(people["mai"].phone, PASSWORD).status_code == 302
    finished = people["finished"].case_id
    assert client.get(f"/vi/dossiers/{finished}/withdraw").status_code == 302
    stranger = make_resident(session, password=PASSWORD)
    session.commit()
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    assert client.login(stranger.phone, PASSWORD).status_code == 302
    assert client.get(f"/vi/dossiers/{people['open'].case_id}/withdraw").status_code == 404


def _rate(client, case_id, level, comment=""):
    token = client.csrf_token(f"/vi/dossiers/{case_id}/rate")
    return client.post(f"/vi/dossiers/{case_id}/rate",
                       data={"csrf_token": token, "level": level, "comment": comment})


def test_a_handed_over_dossier_is_rated_once(client, people, session):
    from app.models import Dossier

    assert client.login(people["mai"].phone, PASSWORD).status_code == 302
    finished = people["finished"].case_id
    listing = client.get("/vi/dossiers/").page
    assert listing.select_one(f"a[href='/vi/dossiers/{finished}/rate']")
    assert not listing.select_one(f"a[href='/vi/dossiers/{people['open'].case_id}/rate']")
    assert _rate(client, finished, "4", "Cán bộ nhiệt tình").status_code == 302
    session.expire_all()
    dossier = session.get(Dossier, finished)
    assert (dossier.rating, dossier.rating_comment) == (4, "Cán bộ nhiệt tình")
    assert "Hài lòng" in client.get("/vi/dossiers/").page.get_text()
    again = client.get(f"/vi/dossiers/{finished}/rate")
    assert again.status_code == 302
    token = client.csrf_token("/vi/dossiers/")
    client.post(f"/vi/dossiers/{finished}/rate", data={"csrf_token": token, "level": "1"})
    session.expire_all()
    assert session.get(Dossier, finished).rating == 4


@pytest.mark.parametrize("level", ["0", "6", "²", "", "99999999999999999999"])
def test_a_rating_outside_the_five_levels_is_refused(client, people, session, level):
    from app.models import Dossier

    assert client.login(people["mai"].phone, PASSWORD).status_code == 302
    response = _rate(client, people["finished"].case_id, level)
    assert response.status_code == 200 and response.page.select_one(".error-summary")
    session.expire_all()
    assert session.get(Dossier, people["finished"].case_id).rating is None


def test_an_open_dossier_cannot_be_rated(client, people):
    assert client.login(people["mai"].phone, PASSWORD).status_code == 302
    assert client.get(f"/vi/dossiers/{people['open'].case_id}/rate").status_code == 302
