"""The operations dashboard: only leaders and administrators; live load per department and
officer, what is late or about to be, what waits for a leader, throughput; every number links
to the cases behind it; htmx refreshes it with a fragment of the same URL."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import utcnow
from app.queue.actions import perform
from app.dossiers import services as dossiers
from tests.factories import make_department, make_officer, make_resident, make_unit

PASSWORD = "officer-pass-1"


@pytest.fixture
def desk(app, session):
    from tests.factories import make_dossier_office

    office = make_dossier_office(session, processing_days=3)
    dept, commune, procedure = office["dept"], office["commune"], office["procedure"]
    intake = make_officer(session, dept, desk="intake", skills=["civil_status"], password=PASSWORD)
    specialist = make_officer(session, dept, skills=["civil_status"], password=PASSWORD)
    leader = make_officer(session, dept, desk="leader", lead=True, password=PASSWORD)
    admin = make_officer(session, dept, desk="leader", role="admin", password=PASSWORD)
    elsewhere = make_department(session, make_unit(session, level="commune"))
    other_leader = make_officer(session, elsewhere, desk="leader", lead=True, password=PASSWORD)
    resident = make_resident(session, commune=commune, password=PASSWORD)
    session.commit()
    now = utcnow()

    def submit(key, when):
        return dossiers.submit(session, dossiers.Submission(
            procedure_id=procedure.id, unit_id=commune.id, applicant_name="Trần Thị Bình",
            applicant_phone="0912345678", applicant_user_id=resident.id,
            idempotency_key=key), now=when).case

    late = submit("late", now - timedelta(days=20))
    perform(session, late.id, "receive", intake, now=now - timedelta(days=20))
    fresh = submit("fresh", now - timedelta(hours=1))
    done = submit("done", now - timedelta(hours=3))
    perform(session, done.id, "receive", intake, now=now - timedelta(hours=2))
    perform(session, done.id, "start", leader, now=now - timedelta(hours=2))
    perform(session, done.id, "complete", leader, now=now - timedelta(minutes=30))
    return {"dept": dept, "intake": intake, "specialist": specialist, "leader": leader,
            "admin": admin, "other_leader": other_leader, "resident": resident,
            "late": late, "fresh": fresh, "done": done, "commune": commune}


def _login(client, user):
    identifier = user.email or user.phone
    assert client.login(identifier, PASSWORD).status_code == 302


@pytest.mark.parametrize("who, status", [("intake", 403), ("specialist", 403),
                                         ("resident", 403)])
def test_only_leaders_and_administrators_see_the_dashboard(client, desk, who, status):
    _login(client, desk[who])
    assert client.get("/vi/statistics/operations").status_code == status
    assert client.get("/vi/statistics/operations/cases?band=overdue").status_code == status


def test_a_visitor_is_asked_to_log_in(client, desk):
    response = client.get("/vi/statistics/operations")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_leader_sees_the_live_load_and_every_figure_links_to_its_cases(client, desk):
    _login(client, desk["leader"])
    response = client.get("/en/statistics/operations")
    assert response.status_code == 200
    page = response.page
    row = next(tr for tr in page.select("#ops-load ~ div table tbody tr")
               if desk["dept"].name_en in tr.get_text())
    cells = {td["data-label"]: td for td in row.select("td")}
    assert cells["Open"].get_text(strip=True) == "2"
    assert cells["Overdue"].get_text(strip=True) == "1"
    overdue_link = cells["Overdue"].select_one("a")["href"]
    assert "band=overdue" in overdue_link and f"department={desk['dept'].id}" in overdue_link
    listed = client.get(overdue_link).page
    codes = [a.get_text(strip=True) for a in listed.select("table tbody td:first-child a")]
    assert codes == [desk["late"].code]
    # The overdue list, the oldest open case and the throughput of today link to cases too.
    assert desk["late"].code in page.select_one("#ops-overdue").find_parent("section").get_text()
    assert desk["late"].code in page.select_one("#ops-oldest").find_parent("section").get_text()
    finished = page.select_one("#ops-throughput ~ div table tbody tr td[data-label=Finished] a")
    assert finished is not None and finished.get_text(strip=True) == "1"
    done_list = client.get(finished["href"]).page
    assert [a.get_text(strip=True) for a in done_list.select("table tbody td:first-child a")] \
        == [desk["done"].code]


def test_a_leader_sees_only_their_own_departments(client, desk):
    _login(client, desk["other_leader"])
    page = client.get("/en/statistics/operations").page
    assert desk["dept"].name_en not in page.get_text()
    listed = client.get("/en/statistics/operations/cases?band=overdue").page
    assert desk["late"].code not in listed.get_text()
    refused = client.get(f"/en/statistics/operations/cases?department={desk['dept'].id}")
    assert refused.status_code == 400
    assert "Choose one of your own departments." in refused.page.select_one(
        "#department-error").get_text()


def test_htmx_gets_the_fragment_of_the_same_url(client, desk):
    _login(client, desk["admin"])
    response = client.get("/vi/statistics/operations", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="ops-live"') and "<html" not in html
    assert 'hx-trigger="every 60s"' in html
    full = client.get("/vi/statistics/operations").page
    assert full.select_one("#ops-live[hx-get]") is not None


def test_an_administrator_narrows_to_one_commune_and_an_unknown_code_is_refused(client, desk):
    _login(client, desk["admin"])
    page = client.get(f"/en/statistics/operations?commune={desk['commune'].code}").page
    assert desk["dept"].name_en in page.get_text()
    response = client.get("/en/statistics/operations?commune=NOPE")
    assert response.status_code == 400
    assert "No commune or ward has this code" in response.page.select_one(
        "#commune-error").get_text()


@pytest.mark.parametrize("query, field", [("band=soon", "band"), ("group=lost", "group"),
                                          ("finished_on=2026-02-30", "finished_on"),
                                          ("case_type=ufo", "case_type")])
def test_a_list_filter_that_makes_no_sense_says_so(client, desk, query, field):
    _login(client, desk["leader"])
    response = client.get(f"/en/statistics/operations/cases?{query}")
    assert response.status_code == 400
    assert response.page.select_one(f"#{field}-error") is not None


def test_the_officers_table_and_the_approvals_waiting_agree_with_the_cases(client, session,
                                                                          desk):
    """Each officer's open work is the open cases they hold, and a case an officer sent for
    approval is listed under the approvals, with a link to every case waiting for one."""
    from sqlalchemy import func, select

    from app.models import Case
    from app.queue.states import OPEN_STATES

    fresh = desk["fresh"]
    fresh.requires_approval = True  # as its procedure would ask
    session.commit()
    perform(session, fresh.id, "receive", desk["intake"])
    perform(session, fresh.id, "start", desk["leader"])
    perform(session, fresh.id, "submit_for_approval", desk["leader"])
    session.commit()
    held = dict(session.execute(
        select(Case.assignee_id, func.count()).where(
            Case.department_id == desk["dept"].id, Case.assignee_id.is_not(None),
            Case.state.in_(sorted(int(s) for s in OPEN_STATES)))
        .group_by(Case.assignee_id)).all())
    names = {desk[w].id: desk[w].full_name for w in ("intake", "specialist", "leader", "admin")}
    _login(client, desk["leader"])
    page = client.get("/en/statistics/operations").page
    rows = page.select_one("#ops-officers").find_parent("section").select("tbody tr")
    shown = {tr.select_one("td[data-label=Officer]").get_text(strip=True):
             int(tr.select_one("td[data-label=Open]").get_text(strip=True)) for tr in rows}
    assert shown == {names[officer]: count for officer, count in held.items()}
    approvals = page.select_one("#ops-approvals").find_parent("section")
    assert approvals.select_one("h2").get_text(strip=True) == "1 approval waiting"
    assert fresh.code in approvals.get_text()
    every = approvals.find("a", string="Every case waiting for a decision")["href"]
    listed = client.get(every).page
    assert [a.get_text(strip=True) for a in listed.select("table tbody td:first-child a")] \
        == [fresh.code]
