"""The officer workbench as officers and leaders use it, through the checked test client."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Case, CaseEvent, utcnow
from app.queue.calendar import LOCAL_TZ, local_day
from tests.factories import make_case, make_department, make_officer, make_resident

PASSWORD = "officer-pass-1"


@pytest.fixture
def office(session):
    """One department with an intake officer, two specialists and a leader; a second
    department elsewhere; a few cases."""
    dept = make_department(session, case_types="dossier,petition", name_vi="Tư pháp - Hộ tịch",
                           name_en="Justice and Civil Status")
    other = make_department(session, case_types="dossier", name_vi="Địa chính", name_en="Land office")
    people = {
        "intake": make_officer(session, dept, desk="intake", skills=["civil_status"], password=PASSWORD),
        "minh": make_officer(session, dept, skills=["civil_status"], password=PASSWORD, full_name="Trần Văn Minh"),
        "hoa": make_officer(session, dept, skills=["civil_status"], password=PASSWORD, full_name="Lê Thị Hoa"),
        "leader": make_officer(session, dept, desk="leader", lead=True, password=PASSWORD),
        "outsider": make_officer(session, other, skills=["civil_status"], password=PASSWORD),
        "resident": make_resident(session, password=PASSWORD),
    }
    now = utcnow()
    cases = {
        "late": make_case(session, dept, state=2, received_at=now - timedelta(days=10),
                          due_at=now - timedelta(days=1), code="HS-LATE"),
        "soon": make_case(session, dept, state=2, received_at=now - timedelta(days=2),
                          due_at=now + timedelta(days=3), code="HS-SOON", priority=1),
        "later": make_case(session, dept, state=2, received_at=now - timedelta(days=1),
                           due_at=now + timedelta(days=8), code="HS-LATER"),
        "elsewhere": make_case(session, other, state=2, due_at=now + timedelta(days=2), code="HS-ELSE"),
    }
    session.commit()
    return {"dept": dept, "other": other, "people": people, "cases": cases}


def _login(client, user, lang="vi"):
    assert client.login(user.email or user.phone, PASSWORD, lang=lang).status_code == 302


def test_residents_and_anonymous_visitors_cannot_open_the_workbench(client, office):
    assert client.get("/vi/workbench/").status_code == 302  # to the login page
    _login(client, office["people"]["resident"])
    assert client.get("/vi/workbench/").status_code == 403
    assert client.get(f"/vi/workbench/departments/{office['dept'].id}/queue").status_code == 403


def test_an_officer_cannot_see_another_departments_queue_or_cases(client, office):
    _login(client, office["people"]["outsider"])
    assert client.get(f"/en/workbench/departments/{office['dept'].id}/queue").status_code == 403
    assert client.get(f"/en/workbench/cases/{office['cases']['late'].id}").status_code == 403
    token = client.csrf_token("/en/workbench/")
    response = client.post(f"/en/workbench/departments/{office['dept'].id}/claim-next",
                           data={"csrf_token": token})
    assert response.status_code == 403


def test_the_queue_lists_overdue_first_and_marks_the_due_band(client, office):
    _login(client, office["people"]["minh"], lang="en")
    page = client.get(f"/en/workbench/departments/{office['dept'].id}/queue").page
    codes = [a.get_text() for a in page.select("#queue-table tbody td:first-child a")]
    assert codes == ["HS-LATE", "HS-SOON", "HS-LATER"]
    first_row = page.select("#queue-table tbody tr")[0]
    assert "Overdue" in first_row.get_text()


def test_queue_filters_narrow_the_list_and_survive_pagination_links(client, office):
    _login(client, office["people"]["minh"], lang="en")
    page = client.get(f"/en/workbench/departments/{office['dept'].id}/queue?band=overdue").page
    codes = [a.get_text() for a in page.select("#queue-table tbody td:first-child a")]
    assert codes == ["HS-LATE"]
    page = client.get(f"/en/workbench/departments/{office['dept'].id}/queue?q=soon").page
    assert [a.get_text() for a in page.select("#queue-table tbody td:first-child a")] == ["HS-SOON"]


def test_the_queue_paginates(client, office, session):
    for i in range(30):
        make_case(session, office["dept"], state=2, due_at=utcnow() + timedelta(days=20, minutes=i),
                  code=f"HS-P{i:02d}")
    session.commit()
    _login(client, office["people"]["minh"], lang="en")
    url = f"/en/workbench/departments/{office['dept'].id}/queue?assignment=unassigned"
    first = client.get(url).page
    assert len(first.select("#queue-table tbody tr")) == 25
    next_link = first.find("a", rel="next")
    assert "assignment=unassigned" in next_link["href"] and "page=2" in next_link["href"]
    second = client.get(next_link["href"]).page
    assert len(second.select("#queue-table tbody tr")) == 8


def test_htmx_refresh_gets_only_the_table(client, office):
    _login(client, office["people"]["minh"])
    response = client.get(f"/vi/workbench/departments/{office['dept'].id}/queue",
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html and "HS-LATE" in html


def test_claim_next_takes_the_most_urgent_case_and_opens_it(client, office, session):
    _login(client, office["people"]["minh"], lang="en")
    token = client.csrf_token("/en/workbench/")
    response = client.post(f"/en/workbench/departments/{office['dept'].id}/claim-next",
                           data={"csrf_token": token})
    assert response.status_code == 302
    late = session.get(Case, office["cases"]["late"].id, populate_existing=True)
    assert late.assignee_id == office["people"]["minh"].id and late.lease_until is not None
    page = client.get(response.headers["Location"]).page
    assert page.h1.get_text() == "Case HS-LATE"
    assert "Claimed" in page.select_one(".timeline").get_text()
    # The case is now the officer's: the start action is on offer.
    assert page.find("button", string="Start processing")


def test_working_a_case_through_the_forms(client, office, session):
    _login(client, office["people"]["minh"], lang="en")
    case = office["cases"]["soon"]
    case.assignee_id = office["people"]["minh"].id
    session.commit()
    url = f"/en/workbench/cases/{case.id}"
    page = client.get(url).page
    version = page.find("input", attrs={"name": "start-version"})["value"]
    response = client.submit(f"{url}/actions/start", {"start-version": version, "start-note": ""},
                             form_url=url)
    assert response.status_code == 302
    page = client.get(url).page
    assert "Processing" in page.select_one(".facts").get_text()
    # A supplement request needs a reason: without one nothing happens and the page says why.
    version = page.find("input", attrs={"name": "request_supplement-version"})["value"]
    response = client.submit(f"{url}/actions/request_supplement",
                             {"request_supplement-version": version, "request_supplement-note": ""},
                             form_url=url)
    assert response.status_code == 409
    assert "Write a note" in response.page.get_text()
    assert session.get(Case, case.id, populate_existing=True).state == 4
    response = client.submit(f"{url}/actions/request_supplement",
                             {"request_supplement-version": version,
                              "request_supplement-note": "Thiếu bản sao giấy chứng sinh"}, form_url=url)
    assert response.status_code == 302
    timeline = client.get(url).page.select_one(".timeline").get_text()
    assert "Thiếu bản sao giấy chứng sinh" in timeline and "Supplement requested" in timeline


def test_a_stale_form_is_refused_without_changing_anything(client, office, session):
    _login(client, office["people"]["minh"], lang="en")
    case = office["cases"]["soon"]
    case.assignee_id = office["people"]["minh"].id
    session.commit()
    url = f"/en/workbench/cases/{case.id}"
    old_version = client.get(url).page.find("input", attrs={"name": "start-version"})["value"]
    case = session.get(Case, case.id)
    case.version += 1  # someone else changed it meanwhile
    session.commit()
    events_before = session.scalar(select(func.count(CaseEvent.id)))
    response = client.submit(f"{url}/actions/start", {"start-version": old_version}, form_url=url)
    assert response.status_code == 409
    assert "Someone changed this case" in response.page.get_text()
    assert session.get(Case, case.id, populate_existing=True).state == 2
    assert session.scalar(select(func.count(CaseEvent.id))) == events_before


def test_an_action_that_is_not_allowed_now_is_refused_in_the_pages_language(client, office, session):
    _login(client, office["people"]["minh"], lang="vi")
    case = office["cases"]["soon"]
    case.assignee_id = office["people"]["minh"].id
    session.commit()
    url = f"/vi/workbench/cases/{case.id}"
    # (complete, not return_result: a dossier hands its result over on the desk's own page)
    response = client.submit(f"{url}/actions/complete", {"complete-version": case.version},
                             form_url=url)
    assert response.status_code == 409
    assert response.page.html["lang"] == "vi"
    assert session.get(Case, case.id, populate_existing=True).state == 2


def test_transfer_to_a_department_that_does_not_take_the_case_type_is_refused(client, office, session):
    case = make_case(session, office["dept"], state=4, case_type="petition", category="civil_status",
                     assignee=office["people"]["minh"], code="PA-1", due_at=utcnow() + timedelta(days=5))
    session.commit()
    _login(client, office["people"]["minh"], lang="en")
    url = f"/en/workbench/cases/{case.id}"
    page = client.get(url).page
    options = [o["value"] for o in page.select("select[name='transfer-to_department_id'] option")]
    assert str(office["other"].id) not in options  # the land office takes no petitions
    response = client.submit(f"{url}/actions/transfer",
                             {"transfer-version": case.version, "transfer-note": "Sai thẩm quyền",
                              "transfer-to_department_id": office["other"].id}, form_url=url)
    assert response.status_code in (400, 409)
    assert session.get(Case, case.id, populate_existing=True).department_id == office["dept"].id


def test_release_puts_the_case_back_in_the_queue(client, office, session):
    case = office["cases"]["later"]
    case.assignee_id = office["people"]["minh"].id
    session.commit()
    _login(client, office["people"]["minh"], lang="en")
    url = f"/en/workbench/cases/{case.id}"
    response = client.submit(f"{url}/release", {"release-version": case.version}, form_url=url)
    assert response.status_code == 302
    assert session.get(Case, case.id, populate_existing=True).assignee_id is None


@pytest.mark.parametrize("state, offered", [(2, True), (4, True), (5, False), (6, False)])
def test_release_is_offered_only_where_it_can_succeed(client, office, session, state, offered):
    case = make_case(session, office["dept"], state=state, assignee=office["people"]["minh"],
                     code=f"HS-REL{state}")
    session.commit()
    _login(client, office["people"]["minh"], lang="en")
    page = client.get(f"/en/workbench/cases/{case.id}").page
    form = page.find("form", action=lambda a: a and a.endswith(f"/cases/{case.id}/release"))
    assert (form is not None) is offered


def test_the_reassign_list_leaves_out_closed_accounts_and_officers_on_leave_in_vietnam(
        client, office, session):
    people = office["people"]
    late = office["cases"]["late"]
    people["hoa"].active = False
    # On leave from today, Vietnam time: early in the morning there the UTC date is yesterday.
    away = make_officer(session, office["dept"], skills=["civil_status"], full_name="Đỗ Văn Vắng",
                        leave_from=local_day(utcnow()), leave_until=local_day(utcnow()))
    make_officer(session, office["dept"], skills=["civil_status"], full_name="Phạm Sẵn")  # eligible
    session.commit()
    _login(client, people["leader"], lang="en")
    page = client.get(f"/en/workbench/cases/{late.id}").page
    names = {o.get_text(strip=True) for o in page.select("#reassign-officer_id option")}
    assert "Phạm Sẵn" in names
    assert "Lê Thị Hoa" not in names and "Đỗ Văn Vắng" not in names
    url = f"/en/workbench/cases/{late.id}"
    client.submit(f"{url}/reassign", {"reassign-version": late.version,
                                      "reassign-officer_id": away.id}, form_url=url)
    assert session.get(Case, late.id, populate_existing=True).assignee_id != away.id


def test_leader_sees_load_overdue_and_approvals_and_can_reassign(client, office, session):
    people = office["people"]
    waiting = make_case(session, office["dept"], state=4, assignee=people["minh"], requires_approval=True,
                        pending_approval=True, code="HS-APPROVE", due_at=utcnow() + timedelta(days=2))
    late = office["cases"]["late"]
    late.assignee_id = people["minh"].id
    session.commit()
    _login(client, people["leader"], lang="en")
    page = client.get(f"/en/workbench/departments/{office['dept'].id}/leader").page
    assert "HS-APPROVE" in page.get_text() and "HS-LATE" in page.get_text()
    minh_row = next(tr for tr in page.select("tbody tr") if "Trần Văn Minh" in tr.get_text())
    assert [td.get_text(strip=True) for td in minh_row.select("td")][2:4] == ["2", "1"]
    url = f"/en/workbench/cases/{late.id}"
    response = client.submit(f"{url}/reassign", {"reassign-version": late.version,
                                                  "reassign-officer_id": people["hoa"].id}, form_url=url)
    assert response.status_code == 302
    assert session.get(Case, late.id, populate_existing=True).assignee_id == people["hoa"].id
    # The approval is on offer to the leader.
    assert client.get(f"/en/workbench/cases/{waiting.id}").page.find("button", string="Approve")


def test_an_officer_who_is_not_the_leader_cannot_open_the_leader_view(client, office):
    _login(client, office["people"]["minh"])
    assert client.get(f"/vi/workbench/departments/{office['dept'].id}/leader").status_code == 403


def test_workbench_pages_are_bilingual(client, office):
    _login(client, office["people"]["leader"], lang="vi")
    for lang, word in (("vi", "Hồ sơ được giao cho tôi"), ("en", "My cases")):
        page = client.get(f"/{lang}/workbench/").page
        assert page.html["lang"] == lang and word in page.h1.get_text()


def test_an_approved_apology_gives_a_printable_letter_with_the_new_date(client, office, session):
    from app.queue.actions import perform

    people = office["people"]
    resident = people["resident"]
    now = utcnow()
    case = make_case(session, office["dept"], state=4, assignee=people["minh"], applicant=resident,
                     code="HS-SORRY", due_at=now - timedelta(days=1))
    session.commit()
    perform(session, case.id, "request_apology", people["minh"], new_due_at=now + timedelta(days=4),
            note="Chờ xác minh hộ tịch ở xã khác")
    _login(client, people["minh"], lang="en")
    assert client.get(f"/en/workbench/cases/{case.id}/apology-letter").status_code == 404  # not yet
    perform(session, case.id, "approve_apology", people["leader"])
    page = client.get(f"/en/workbench/cases/{case.id}/apology-letter").page
    text = page.get_text(" ")
    assert "HS-SORRY" in text and resident.full_name in text and "Chờ xác minh hộ tịch" in text
    assert ((now + timedelta(days=4)).astimezone(LOCAL_TZ).strftime("%d/%m/%Y")) in text
    # The timeline says when the appointment moved.
    timeline = client.get(f"/en/workbench/cases/{case.id}").page.select_one(".timeline").get_text(" ")
    assert "New appointment date: " + (now + timedelta(days=4)).astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y") in timeline
    # Someone from another department cannot read it.
    client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
    _login(client, people["outsider"], lang="en")
    assert client.get(f"/en/workbench/cases/{case.id}/apology-letter").status_code == 403


def test_claim_next_is_offered_only_where_the_person_has_a_seat(client, office, session):
    """An administrator sees every queue but has no desk to claim at: no button that can only
    fail (the access matrix records the 403 such a claim gets)."""
    from app.models import Role
    from tests.factories import make_user

    admin = make_user(session, role=Role.ADMIN, password=PASSWORD)
    session.commit()
    queue_url = f"/en/workbench/departments/{office['dept'].id}/queue"
    _login(client, office["people"]["minh"], lang="en")
    assert client.get(queue_url).page.find("button", string="Claim next case")
    client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
    _login(client, admin, lang="en")
    assert client.get(queue_url).status_code == 200
    assert not client.get(queue_url).page.find("button", string="Claim next case")
    assert not client.get("/en/workbench/").page.find("button", string=re.compile("Claim next"))
