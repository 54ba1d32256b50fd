"""Voters' petitions (issue 11, item 2): staff record a voters' meeting and each petition with
the agency it goes to; each becomes a case at that agency; the answers are published together
as the meeting's answer sheet, with the share answered on time."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models import Case, Petition, VoterMeeting
from app.petitions import voters
from app.queue.actions import perform
from tests.integration.petitions_world import (answer_and_approve, browser, count, flashes,
                                              office, problems)  # noqa: F401
from tests.factories import make_department

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@pytest.fixture
def meeting(session, office):
    found = voters.create_meeting(session, office["officer"], voters.MeetingInput(
        unit_id=office["commune"].id, title="Tiếp xúc cử tri trước kỳ họp thứ 10",
        held_on=date.today() - timedelta(days=3), place="Nhà văn hóa thôn Đông",
        deputies="Ông Nguyễn Văn Bình\nBà Lê Thị Hoa"))
    return found


def meeting_data(office, **overrides):
    data = {"unit_id": str(office["commune"].id), "title": "Tiếp xúc cử tri cuối năm",
            "held_on": YESTERDAY, "place": "Hội trường UBND xã",
            "deputies": "Ông Nguyễn Văn Bình\nBà Lê Thị Hoa"}
    data.update(overrides)
    return data


def petition_data(office, **overrides):
    data = {"topic_id": str(office["topic"].id), "department_id": str(office["land"].id),
            "title": "Đường liên thôn xuống cấp", "body": "Cử tri đề nghị sửa đường liên thôn.",
            "raised_by": "Ông Lò Văn Pả"}
    data.update(overrides)
    return data


def test_staff_record_a_meeting_and_its_petitions_become_cases_at_the_named_agency(
        app, session, office):
    staff = browser(app, office["officer"])
    response = staff.submit("/en/petitions/voter-meetings/new", meeting_data(office))
    assert response.status_code == 302
    found = session.scalar(select(VoterMeeting))
    assert found.deputies == "Ông Nguyễn Văn Bình\nBà Lê Thị Hoa"
    url = f"/en/petitions/voter-meetings/{found.id}"
    added = staff.submit(f"{url}/petitions", petition_data(office), form_url=url)
    assert added.status_code == 302
    staff.submit(f"{url}/petitions", petition_data(
        office, department_id=str(office["justice"].id), title="Giờ tiếp dân"), form_url=url)
    petitions = session.scalars(select(Petition).order_by(Petition.id)).all()
    assert [p.case.department_id for p in petitions] == [office["land"].id, office["justice"].id]
    assert all(p.source == "voter" and p.meeting_id == found.id and p.case.state == 1
               and p.case.requires_approval and p.user_id is None for p in petitions)
    # The land office's rule would not matter: the meeting named the agency.
    assert petitions[0].case.category == "petition"
    # Voters' petitions never appear on their own in the public list, nor have a private page.
    assert browser(app).get(f"/en/petitions/yours/{petitions[0].id}").status_code == 404


@pytest.mark.parametrize("field, value, message", [
    ("held_on", (date.today() + timedelta(days=2)).isoformat(), "cannot be in the future"),
    ("held_on", "31/02/2026", "Enter a real date"),
    ("deputies", "  ", "Name the deputies."),
    ("place", "", "Enter where it was held."),
])
def test_a_bad_meeting_is_refused_with_its_message(app, session, office, field, value, message):
    response = browser(app, office["officer"]).submit("/en/petitions/voter-meetings/new",
                                                      meeting_data(office, **{field: value}))
    assert response.status_code == 400 and message in problems(response.page)
    assert count(session, VoterMeeting) == 0


def test_a_petition_must_go_to_an_agency_that_takes_petitions(app, session, office, meeting):
    closed = make_department(session, office["commune"], case_types="dossier")
    session.commit()
    url = f"/en/petitions/voter-meetings/{meeting.id}"
    staff = browser(app, office["officer"])
    response = staff.submit(f"{url}/petitions", petition_data(
        office, department_id=str(closed.id)), form_url=url)
    assert response.status_code == 400 and "Not a valid choice" in problems(response.page)
    empty = staff.submit(f"{url}/petitions", petition_data(office, body=""), form_url=url)
    assert empty.status_code == 400 and "Write the petition." in problems(empty.page)
    assert count(session, Petition) == count(session, Case) == 0


def test_only_staff_of_the_commune_record_and_see_an_unpublished_sheet(
        app, session, office, meeting):
    url = f"/en/petitions/voter-meetings/{meeting.id}"
    assert browser(app).get(url).status_code == 404
    assert browser(app, office["resident"]).get(url).status_code == 404
    assert browser(app, office["outsider"]).get(url).status_code == 404
    assert browser(app, office["officer"]).get(url).status_code == 200
    outsider = browser(app, office["outsider"])
    refused = outsider.post(f"{url}/petitions", data={
        "csrf_token": outsider.csrf_token("/en/petitions/voter-meetings"),
        **petition_data(office)})
    assert refused.status_code == 404 and count(session, Petition) == 0
    assert meeting.title not in browser(app).get("/en/petitions/voter-meetings").page.get_text()


def _add(session, office, meeting, title, agency="justice"):
    return voters.add_petition(session, office["officer"], meeting, voters.VoterPetitionInput(
        topic_id=office["topic"].id, department_id=office[agency].id, title=title,
        body="Cử tri Lò Văn Pả (0977 123 456) đề nghị xem xét.", raised_by="Lò Văn Pả"))


def test_the_answer_sheet_is_published_once_every_petition_is_settled(
        app, session, office, meeting):
    first = _add(session, office, meeting, "Sửa đường liên thôn")
    second = _add(session, office, meeting, "Mở rộng giờ tiếp dân")
    third = _add(session, office, meeting, "Lắp đèn đường")
    staff = browser(app, office["officer"])
    url = f"/en/petitions/voter-meetings/{meeting.id}"
    early = staff.submit(f"{url}/publish", {}, form_url=url)
    assert early.status_code == 409 and "must be answered" in flashes(early.page)
    session.refresh(meeting)
    assert meeting.published_at is None
    answer_and_approve(session, office, first, "Đã đưa vào kế hoạch năm sau.")
    answer_and_approve(session, office, second, "Tiếp dân thêm chiều thứ Năm.")
    answer_and_approve(session, office, third, "Đã lắp xong.")
    # The third was answered late: its due date had passed by then.
    case = session.get(Case, third.case_id)
    case.due_at = case.finished_at - timedelta(hours=1)
    session.commit()
    assert browser(app).get(url).status_code == 404  # not published yet
    assert staff.submit(f"{url}/publish", {}, form_url=url).status_code == 302
    page = browser(app).get(url).page
    text = page.get_text(" ")
    assert "Đã đưa vào kế hoạch năm sau." in text and "Đã lắp xong." in text
    assert "2 of 3 petitions (67%)" in text
    # The voter who raised it is never named on the public sheet, nor their phone.
    assert "Lò Văn Pả" not in text and "0977 123 456" not in text and "đề nghị xem xét" in text
    listing = browser(app).get("/en/petitions/voter-meetings").page.get_text()
    assert meeting.title in listing
    # Published: it cannot change any more.
    again = staff.submit(f"{url}/petitions", petition_data(office), form_url=url)
    assert again.status_code == 400 and "already published" in problems(again.page)
    assert count(session, Petition) == 3


def test_a_petition_the_agency_closed_with_a_reason_counts_as_settled(
        app, session, office, meeting):
    only = _add(session, office, meeting, "Việc ngoài thẩm quyền")
    perform(session, only.case_id, "refuse", office["intake"], note="Thuộc thẩm quyền tỉnh.")
    sheet = voters.sheet(session, meeting)
    assert sheet.complete and sheet.on_time == 0 and sheet.on_time_percent == 0
    voters.publish(session, office["officer"], meeting)
    page = browser(app).get(f"/en/petitions/voter-meetings/{meeting.id}").page
    assert "closed it with a reason" in page.get_text()
