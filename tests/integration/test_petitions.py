"""Petitions and questions answered in public (issue 11, item 1): residents ask signed in or
anonymously with a phone number; the case is routed by topic and commune with the topic's
deadline; an officer drafts the answer, a leader approves it (the queue's approval step) and
only then does anyone outside the office read it; the asker is told, in their language, and
rates it once; personal details never reach a public page or the API; abusive words are held
for a moderator."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import Case, CaseEvent, OutboxMessage, Petition, PetitionFile, PetitionTopic
from app.petitions import moderation, services
from app.queue.actions import perform
from app.queue.calendar_db import calendar_from_db
from tests.conftest import only_on
from tests.integration.petitions_world import (PDF, answer_and_approve, ask, ask_data, browser,
                                               count, flashes, last_petition, office,  # noqa: F401
                                               problems)


# -- asking ---------------------------------------------------------------------------------------

def test_a_signed_in_resident_asks_and_the_case_is_routed_with_the_topic_deadline(
        app, session, office):
    client = browser(app, office["resident"])
    response = ask(client, office)
    assert response.status_code == 302
    petition = last_petition(session)
    assert response.headers["Location"].endswith(f"/en/petitions/yours/{petition.id}")
    case = petition.case
    assert case.code == petition.code and re.fullmatch(r"PA-\d{6}-[0-9A-F]{6}", case.code)
    assert (case.case_type, case.category, case.state) == ("petition", "petition", 1)
    assert case.department_id == office["justice"].id and case.unit_id == office["commune"].id
    assert case.requires_approval and case.applicant_id == office["resident"].id
    assert case.due_at == calendar_from_db(session).add_working_days(case.received_at, 10)
    assert petition.public and petition.user_id == office["resident"].id
    page = client.get(response.headers["Location"]).page
    assert petition.code in page.get_text() and "Sent; waiting for the office" in page.get_text()
    assert "We will" not in flashes(page) and petition.code in flashes(page)
    # A signed-in asker finds it in their list; nobody else can open its page.
    assert petition.title in client.get("/en/petitions/mine").page.get_text()
    assert browser(app, office["english"]).get(f"/en/petitions/yours/{petition.id}").status_code == 404
    assert browser(app).get(f"/en/petitions/yours/{petition.id}").status_code == 404


def test_a_land_topic_goes_to_the_land_office_by_its_category(app, session, office):
    ask(browser(app, office["resident"]), office, topic_id=str(office["land_topic"].id))
    case = last_petition(session).case
    assert (case.category, case.department_id) == ("land", office["land"].id)
    assert case.due_at == calendar_from_db(session).add_working_days(case.received_at, 15)


def test_an_anonymous_asker_gets_a_code_by_sms_and_finds_the_question_with_it(
        app, session, office):
    client = browser(app)
    response = ask(client, office, asker_name="Lò Văn Pả", asker_phone="0988 111 222",
                   public=None)
    assert response.status_code == 302
    petition = last_petition(session)
    assert petition.user_id is None and petition.asker_phone == "0988111222"
    assert not petition.public and petition.asker_locale == "en"
    sms = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "0988111222")).all()
    assert len(sms) == 1 and sms[0].channel == "sms" and petition.code in sms[0].body
    assert "http://localhost/en/petitions/find" in sms[0].body
    # The same browser sees it at once; another one must prove it with the code and phone.
    assert client.get(f"/en/petitions/yours/{petition.id}").status_code == 200
    stranger = browser(app)
    assert stranger.get(f"/en/petitions/yours/{petition.id}").status_code == 404
    wrong_phone = stranger.submit("/en/petitions/find", {"code": petition.code,
                                                         "phone": "0988111223"})
    wrong_code = stranger.submit("/en/petitions/find", {"code": "PA-000000-000000",
                                                        "phone": "0988111222"})
    assert wrong_phone.status_code == wrong_code.status_code == 200
    assert problems(wrong_phone.page) == problems(wrong_code.page) != ""
    found = stranger.submit("/en/petitions/find", {"code": petition.code.lower(),
                                                   "phone": "+84 988 111 222"})
    assert found.headers["Location"].endswith(f"/en/petitions/yours/{petition.id}")
    assert stranger.get(f"/en/petitions/yours/{petition.id}").status_code == 200


def test_an_anonymous_asker_must_give_a_phone_number(app, session, office):
    response = ask(browser(app), office, asker_phone="")
    assert response.status_code == 400
    assert "Enter your mobile phone number" in problems(response.page)
    assert response.page.select_one("#title")["value"] == "Hỏi về thời hạn đăng ký khai sinh"
    assert count(session, Petition) == count(session, Case) == 0


@pytest.mark.parametrize("field, value, message", [
    ("body", "   ", "Write your question or petition."),
    ("body", "x" * 5001, "Keep it under 5000 characters"),
    ("title", "", "Write the subject in a few words."),
    ("title", "t" * 201, "The subject can be at most 200 characters."),
    ("asker_phone", "12345", "Enter a Vietnamese mobile number"),
    ("asker_email", "not an address", "Enter an e-mail address"),
    ("topic_id", "0", "Choose the topic."),
])
def test_bad_input_is_refused_with_its_own_message_and_nothing_is_saved(
        app, session, office, field, value, message):
    response = ask(browser(app, office["resident"]), office, **{field: value})
    assert response.status_code == 400
    assert message in problems(response.page)
    assert count(session, Petition) == count(session, Case) == count(session, OutboxMessage) == 0


def test_a_retired_topic_or_a_commune_without_an_office_is_refused(app, session, office):
    client = browser(app, office["resident"])
    response = ask(client, office, topic_id=str(office["retired"].id))
    assert response.status_code == 400 and "Not a valid choice" in problems(response.page)
    response = ask(client, office, unit_id=str(office["other"].id))
    assert response.status_code == 400 and "No office of this commune takes" in problems(
        response.page)
    assert count(session, Petition) == 0


def test_bad_input_messages_are_in_the_pages_language(app, session, office):
    response = ask(browser(app, office["resident"]), office, lang="vi", body="")
    assert response.status_code == 400
    assert response.page.find("html")["lang"] == "vi"
    assert "Write your question" not in problems(response.page)
    assert problems(response.page)


def test_attachments_are_checked_by_content_and_read_only_by_asker_and_office(
        app, session, office):
    from io import BytesIO

    client = browser(app, office["resident"])
    data = ask_data(office)
    data["files"] = (BytesIO(b"MZ not a pdf"), "giay-to.pdf")
    refused = client.submit("/en/petitions/ask", data, content_type="multipart/form-data")
    assert refused.status_code == 400 and "is not a PDF, JPG or PNG" in problems(refused.page)
    assert count(session, Petition) == count(session, PetitionFile) == 0
    data = ask_data(office)
    data["files"] = (BytesIO(PDF), "Giấy khai sinh.pdf")
    assert client.submit("/en/petitions/ask", data,
                         content_type="multipart/form-data").status_code == 302
    item = session.scalar(select(PetitionFile))
    assert item.kind == "pdf" and item.filename == "Giấy khai sinh.pdf"
    url = f"/en/petitions/files/{item.id}"
    got = client.get(url)
    assert got.status_code == 200 and got.data == PDF and "no-store" in got.headers["Cache-Control"]
    assert browser(app, office["officer"]).get(url).status_code == 200      # the case's office
    assert browser(app, office["outsider"]).get(url).status_code == 404     # another commune
    assert browser(app, office["english"]).get(url).status_code == 404      # another resident
    assert browser(app).get(url).status_code == 404


def test_sending_twice_with_one_form_makes_one_petition(app, session, office):
    client = browser(app, office["resident"])
    first = ask(client, office, idempotency_key="one-form-key")
    again = ask(client, office, idempotency_key="one-form-key")
    assert first.headers["Location"] == again.headers["Location"]
    assert count(session, Petition) == count(session, Case) == 1


# -- abusive words ----------------------------------------------------------------------------------

def test_abusive_words_are_held_for_a_moderator_with_no_case(app, session, office):
    client = browser(app)
    response = ask(client, office, body="Cán bộ xã là đồ chó, làm việc chậm.",
                   asker_phone="0977000111")
    assert response.status_code == 302
    petition = last_petition(session)
    assert petition.status == "held" and petition.case_id is None and count(session, Case) == 0
    page = client.get(response.headers["Location"]).page
    assert "a moderator of the commune will read it" in flashes(page)
    assert "Held for a moderator" in page.get_text()
    sms = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "0977000111"))
    assert "moderator" in sms.body
    # Staff of the commune see it; staff of another commune and residents do not.
    assert petition.title in browser(app, office["officer"]).get("/en/petitions/held").page.get_text()
    assert petition.title not in browser(app, office["outsider"]).get(
        "/en/petitions/held").page.get_text()
    assert browser(app, office["outsider"]).get(
        f"/en/petitions/held/{petition.id}").status_code == 403
    assert browser(app, office["resident"]).get("/en/petitions/held").status_code == 403


def test_a_moderator_releases_a_held_petition_into_the_queue(app, session, office):
    ask(browser(app), office, body="Thái độ mất dạy của bảo vệ chợ.", asker_phone="0977000111")
    petition = last_petition(session)
    staff = browser(app, office["officer"])
    page = staff.get(f"/en/petitions/held/{petition.id}").page
    assert "mất dạy" in page.get_text()
    response = staff.submit(f"/en/petitions/held/{petition.id}", {"decision": "release",
                                                                  "note": ""})
    assert response.status_code == 302
    session.refresh(petition)
    assert petition.status == "filed" and petition.case.state == 1
    assert petition.case.code == petition.code and petition.moderated_by_id == office["officer"].id
    # Deciding twice is refused with a message; nothing changes.
    again = staff.submit(f"/en/petitions/held/{petition.id}", {"decision": "reject",
                                                               "note": "x"})
    assert again.status_code == 404 and count(session, Case) == 1


def test_a_moderator_rejects_with_a_reason_the_asker_is_told(app, session, office):
    ask(browser(app, office["english"]), office, body="Fuck this office.", public=None)
    petition = last_petition(session)
    staff = browser(app, office["officer"])
    no_reason = staff.submit(f"/en/petitions/held/{petition.id}", {"decision": "reject",
                                                                   "note": "  "})
    assert no_reason.status_code == 400 and "Give the reason" in problems(no_reason.page)
    session.refresh(petition)
    assert petition.status == "held"
    staff.submit(f"/en/petitions/held/{petition.id}", {"decision": "reject",
                                                       "note": "Ngôn từ xúc phạm."})
    session.refresh(petition)
    assert petition.status == "rejected" and petition.case_id is None
    mail = session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "lan@example.vn").order_by(OutboxMessage.id)).all()[-1]
    assert "was not accepted" in mail.subject and "Ngôn từ xúc phạm." in mail.body
    page = browser(app, office["english"]).get(f"/en/petitions/yours/{petition.id}").page
    assert "Not accepted by the moderator" in page.get_text() and "Ngôn từ xúc phạm." in page.get_text()


# -- the answer and its approval ---------------------------------------------------------------------

def _file(session, office, **overrides) -> Petition:
    values = dict(kind="question", topic_id=office["topic"].id, unit_id=office["commune"].id,
                  title="Hỏi về thời hạn đăng ký khai sinh",
                  body="Con tôi sinh được 70 ngày, có bị phạt không?",
                  asker_name="Hoàng Văn An", asker_phone="0912345678", public=True,
                  user_id=office["resident"].id)
    values.update(overrides)
    return services.file_petition(session, None, services.Filing(**values))


def _to_officer(session, office, petition):
    perform(session, petition.case_id, "receive", office["intake"])
    session.get(Case, petition.case_id).assignee_id = office["officer"].id
    session.commit()
    perform(session, petition.case_id, "start", office["officer"])


def test_the_officer_drafts_the_leader_approves_and_only_then_is_it_public(
        app, session, office):
    petition = _file(session, office)
    _to_officer(session, office, petition)
    officer = browser(app, office["officer"])
    case_page = officer.get(f"/en/workbench/cases/{petition.case_id}").page
    link = case_page.select_one(f"a[href='/en/petitions/cases/{petition.case_id}/answer']")
    assert link is not None and "Submit for approval" in link.get_text()
    assert "Hỏi về thời hạn" in case_page.get_text() and "0912345678" in case_page.get_text()
    form = officer.get(f"/en/petitions/cases/{petition.case_id}/answer")
    assert form.status_code == 200
    empty = officer.submit(f"/en/petitions/cases/{petition.case_id}/answer",
                           {"version": str(petition.case.version), "answer": "  "})
    assert empty.status_code == 400 and "Write the answer." in problems(empty.page)
    session.refresh(petition.case)
    response = officer.submit(f"/en/petitions/cases/{petition.case_id}/answer",
                              {"version": str(petition.case.version),
                               "answer": "Không bị phạt nếu đăng ký trong 60 ngày."})
    assert response.status_code == 302
    session.refresh(petition)
    case = petition.case
    assert case.state == 4 and case.pending_approval and petition.answer.startswith("Không")
    # Drafted, waiting for the leader: no one outside the office reads it.
    public_page = browser(app).get("/en/petitions/")
    assert petition.title not in public_page.page.get_text()
    assert browser(app).get(f"/en/petitions/{petition.id}").status_code == 404
    own = browser(app, office["resident"]).get(f"/en/petitions/yours/{petition.id}").page
    assert "Không bị phạt" not in own.get_text()
    assert not session.scalars(select(OutboxMessage).where(
        OutboxMessage.body.contains("Không bị phạt"))).all()
    # The officer cannot finish it without the leader.
    assert "complete" not in {f.get("action", "").rsplit("/", 1)[-1]
                              for f in officer.get(f"/en/workbench/cases/{case.id}").page.select("form")}
    leader = browser(app, office["leader"])
    page = leader.get(f"/en/workbench/cases/{case.id}").page
    assert "waiting for the leader" in page.get_text() and "Không bị phạt" in page.get_text()
    approved = leader.submit(f"/en/workbench/cases/{case.id}/actions/approve",
                             {"approve-version": str(case.version), "approve-note": ""},
                             form_url=f"/en/workbench/cases/{case.id}")
    assert approved.status_code == 302
    session.refresh(case)
    assert case.state == 9 and case.finished_at is not None
    listed = browser(app).get("/en/petitions/").page
    assert petition.title in listed.get_text()
    detail = browser(app).get(f"/en/petitions/{petition.id}").page
    assert "Không bị phạt nếu đăng ký trong 60 ngày." in detail.get_text()
    # The asker is told, in their account's language, with the answer.
    note = session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == office["resident"].id).order_by(OutboxMessage.id)).all()[-1]
    assert "Không bị phạt nếu đăng ký trong 60 ngày." in note.body


def test_a_leader_who_sends_the_answer_back_returns_it_to_the_officer(app, session, office):
    from app.petitions.answers import draft_answer

    petition = _file(session, office)
    _to_officer(session, office, petition)
    draft_answer(session, petition.case_id, office["officer"], "Bản nháp đầu.")
    perform(session, petition.case_id, "reject_approval", office["leader"],
            note="Trích dẫn điều luật.")
    case = session.get(Case, petition.case_id)
    assert case.state == 4 and not case.pending_approval
    assert browser(app).get(f"/en/petitions/{petition.id}").status_code == 404
    form = browser(app, office["officer"]).get(f"/en/petitions/cases/{case.id}/answer").page
    assert form.select_one("#answer").get_text().strip() == "Bản nháp đầu."


def test_no_answer_can_be_written_on_a_closed_or_unstarted_case(app, session, office):
    petition = _file(session, office)
    officer = browser(app, office["officer"])
    session.get(Case, petition.case_id).assignee_id = office["officer"].id
    session.commit()
    early = officer.get(f"/en/petitions/cases/{petition.case_id}/answer")
    assert early.status_code == 302
    _to_officer(session, office, petition)
    perform(session, petition.case_id, "stop", office["officer"], note="Không thuộc thẩm quyền.")
    case = session.get(Case, petition.case_id)
    version = case.version
    closed = officer.get(f"/en/petitions/cases/{case.id}/answer", follow_redirects=True)
    assert "A closed case takes no more answers." in flashes(closed.page)
    posted = officer.submit(f"/en/petitions/cases/{case.id}/answer",
                            {"version": str(version), "answer": "Trả lời muộn."},
                            form_url=f"/en/workbench/cases/{case.id}")
    assert posted.status_code == 302
    session.refresh(petition)
    session.refresh(case)
    assert petition.answer is None and case.version == version and case.state == 8
    # Another department's officer may not answer at all.
    assert browser(app, office["outsider"]).get(
        f"/en/petitions/cases/{case.id}/answer").status_code == 403


def test_the_stopped_petition_tells_the_asker_why(app, session, office):
    petition = _file(session, office, user_id=None, asker_phone="0966000222")
    _to_officer(session, office, petition)
    perform(session, petition.case_id, "stop", office["officer"], note="Đã giải quyết ở kỳ trước.")
    bodies = [m.body for m in session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "0966000222"))]
    assert any("Đã giải quyết ở kỳ trước." in b for b in bodies)


# -- privacy ---------------------------------------------------------------------------------------

def test_personal_details_never_reach_a_public_page_or_the_api(app, session, office):
    petition = _file(session, office, asker_name="Nguyễn Thị Bích Ngọc", asker_phone="0933444555",
                     asker_email="ngoc@example.vn", user_id=office["english"].id,
                     title="Nguyễn Thị Bích Ngọc hỏi về trợ cấp",
                     body="Tôi là Nguyễn Thị Bích Ngọc, CCCD 001199012345, gọi 0933.444.555 "
                          "hoặc ngoc@example.vn. Hỏi về trợ cấp 1.500.000 đồng.")
    answer_and_approve(session, office, petition,
                       "Chị Nguyễn Thị Bích Ngọc liên hệ 0933444555 để nhận trợ cấp.")
    secrets = ["Nguyễn Thị Bích Ngọc", "Trần Thị Lan", "0933444555", "0933.444.555",
               "ngoc@example.vn", "lan@example.vn", "001199012345"]
    client = browser(app)
    pages = [client.get("/en/petitions/"), client.get(f"/en/petitions/{petition.id}"),
             client.get("/vi/petitions/?q=tro cap"),
             client.get(f"/en/procedures/{office['procedure'].code}"),
             client.get("/api/v1/questions?q=tro cap"),
             client.get(f"/api/v1/questions/{petition.id}")]
    for response in pages:
        assert response.status_code == 200, response.request.path
        text = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in text, (response.request.path, secret)
    detail = pages[1].page.get_text()
    assert "1.500.000 đồng" in detail and "trợ cấp" in detail  # the rest of the words stay
    # Searching for a phone number finds nothing.
    assert petition.title not in client.get("/en/petitions/?q=0933444555").page.get_text()


# -- the asker's rating ------------------------------------------------------------------------------

def test_the_asker_rates_once_and_only_after_the_answer(app, session, office):
    petition = _file(session, office)
    client = browser(app, office["resident"])
    early = client.submit(f"/en/petitions/yours/{petition.id}/rate", {"level": "5"},
                          form_url=f"/en/petitions/yours/{petition.id}")
    assert early.status_code == 409 and "cannot be rated" in problems(early.page)
    answer_and_approve(session, office, petition)
    page = client.get(f"/en/petitions/yours/{petition.id}").page
    assert "Rate the answer" in page.get_text() and page.select("input[name=level]")
    bad = client.submit(f"/en/petitions/yours/{petition.id}/rate", {"level": "7"})
    assert bad.status_code == 400 and count(session, Petition) == 1
    session.refresh(petition)
    assert petition.rating is None
    done = client.submit(f"/en/petitions/yours/{petition.id}/rate",
                         {"level": "4", "comment": "Rõ ràng."})
    assert done.status_code == 302
    session.refresh(petition)
    assert (petition.rating, petition.rating_comment) == (4, "Rõ ràng.")
    again = client.post(f"/en/petitions/yours/{petition.id}/rate",
                        data={"csrf_token": client.csrf_token("/en/petitions/mine"), "level": "1"})
    assert again.status_code == 409
    session.refresh(petition)
    assert petition.rating == 4
    labels = client.get(f"/en/petitions/yours/{petition.id}").page.get_text()
    assert "Your rating: Satisfied." in labels
    # Someone else cannot rate it (no such page for them).
    other = browser(app, office["english"])
    assert other.post(f"/en/petitions/yours/{petition.id}/rate",
                      data={"csrf_token": other.csrf_token("/en/petitions/mine"),
                            "level": "1"}).status_code == 404


def test_an_anonymous_asker_reads_and_rates_after_finding_it(app, session, office):
    petition = _file(session, office, user_id=None, asker_phone="0966000333", public=False)
    answer_and_approve(session, office, petition)
    assert browser(app).get(f"/en/petitions/{petition.id}").status_code == 404  # private
    sms = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "0966000333")
                          .order_by(OutboxMessage.id)).all()[-1]
    assert sms.channel == "sms" and "Không bị phạt" in sms.body and petition.code in sms.body
    # Queued outside any request (the leader's approval here), the link is still absolute and
    # in the asker's language.
    assert "http://localhost/vi/petitions/find" in sms.body
    client = browser(app)
    client.submit("/vi/petitions/find", {"code": petition.code, "phone": "0966000333"})
    page = client.get(f"/vi/petitions/yours/{petition.id}").page
    assert "Không bị phạt" in page.get_text()
    assert client.submit(f"/vi/petitions/yours/{petition.id}/rate",
                         {"level": "5"}).status_code == 302
    session.refresh(petition)
    assert petition.rating == 5


# -- reading and searching ----------------------------------------------------------------------------

def test_published_answers_are_searchable_without_diacritics_by_topic_and_agency(
        app, session, office):
    first = answer_and_approve(session, office, _file(
        session, office, title="Tranh chấp đất đai với hàng xóm", topic_id=office["land_topic"].id,
        body="Ranh giới thửa đất bị lấn."))
    second = answer_and_approve(session, office, _file(session, office, title="Giờ làm việc"))
    hidden = answer_and_approve(session, office, _file(session, office, title="Riêng tư",
                                                       public=False))
    client = browser(app)
    titles = lambda url: [a.get_text(strip=True) for a in client.get(url).page.select(
        "ul.cards h2 a")]  # noqa: E731
    assert set(titles("/en/petitions/")) == {first.title, second.title}
    assert hidden.title not in client.get("/en/petitions/").page.get_text()
    assert titles("/en/petitions/?q=TRANH CHAP dat dai") == [first.title]
    assert titles(f"/en/petitions/?topic={office['land_topic'].id}") == [first.title]
    assert titles(f"/en/petitions/?agency={office['justice'].id}") == [second.title]
    assert titles("/en/petitions/?q=%25") == []
    empty = client.get("/en/petitions/?q=xyzzy").page.get_text()
    assert "No published answer matches" in empty


def test_the_list_pages_ten_at_a_time(app, session, office):
    for n in range(12):
        answer_and_approve(session, office, _file(session, office, title=f"Câu hỏi {n:02d}"))
    client = browser(app)
    first = client.get("/en/petitions/").page
    assert len(first.select("ul.cards > li")) == 10 and first.select_one("a[rel=next]")
    assert len(client.get("/en/petitions/?page=2").page.select("ul.cards > li")) == 2


def test_an_empty_list_says_so(app, office):
    assert "No answer has been published yet" in browser(app).get("/en/petitions/").page.get_text()


def test_the_procedure_page_lists_its_published_questions(app, session, office):
    procedure = office["procedure"]
    named = answer_and_approve(session, office, _file(session, office, procedure_id=procedure.id))
    _file(session, office, procedure_id=procedure.id, title="Chưa trả lời")
    page = browser(app).get(f"/en/procedures/{procedure.code}").page
    section = page.select_one("#qa-title").find_parent("section")
    assert [a.get_text(strip=True) for a in section.select("li a")] == [named.title]
    ask_link = section.select_one(f"a[href='/en/petitions/ask?procedure={procedure.code}']")
    assert ask_link is not None
    form = browser(app, office["resident"]).get(ask_link["href"]).page
    assert form.select_one("#procedure_id option[selected]")["value"] == str(procedure.id)


# -- topics -----------------------------------------------------------------------------------------

def test_administrators_keep_the_topics(app, session, office):
    admin = browser(app, office["admin"])
    assert admin.get("/en/petitions/topics").status_code == 200
    data = {"code": "moi-truong", "name_vi": "Môi trường", "name_en": "Environment",
            "category": "petition", "sla_days": "12", "active": "y"}
    bad = admin.submit("/en/petitions/topics/new", {**data, "sla_days": "120"})
    assert bad.status_code == 400 and "from 1 to 90" in problems(bad.page)
    taken = admin.submit("/en/petitions/topics/new", {**data, "code": "dat-dai"})
    assert taken.status_code == 400 and "already has this code" in problems(taken.page)
    assert admin.submit("/en/petitions/topics/new", data).status_code == 302
    topic = session.scalar(select(PetitionTopic).where(PetitionTopic.code == "moi-truong"))
    assert (topic.name_en, topic.sla_days, topic.active) == ("Environment", 12, True)
    edited = admin.submit(f"/en/petitions/topics/{topic.id}/edit", {**data, "sla_days": "20",
                                                                    "active": ""})
    assert edited.status_code == 302
    session.refresh(topic)
    assert (topic.sla_days, topic.active) == (20, False)
    assert browser(app, office["leader"]).get("/en/petitions/topics").status_code == 403


def test_the_petition_appears_in_the_workbench_queue_and_the_events_log(app, session, office):
    petition = _file(session, office)
    page = browser(app, office["officer"]).get(
        f"/en/workbench/departments/{office['justice'].id}/queue").page
    assert petition.code in page.get_text()
    actions = [e.action for e in session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == petition.case_id))]
    assert actions == ["submitted"]


# -- rate limits ------------------------------------------------------------------------------------

def test_looking_up_a_petition_counts_in_the_tracking_pages_bucket(database):
    """Guessing phone numbers through the petition form and through dossier tracking adds up:
    one budget of look-ups per address (the tracking rules, app/tracking.py)."""
    from app.extensions import db
    from tests.conftest import _app_for

    app = _app_for(database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   RATELIMIT_LOOKUP="3 per minute", WTF_CSRF_ENABLED=False)
    with app.app_context():
        client = app.test_client()
        guess = {"code": "PA-000000-000000", "phone": "0987654321"}
        petitions = [client.post("/vi/petitions/find", data=guess).status_code for _ in range(2)]
        dossier = client.post("/vi/dossiers/track", data={"code": "X-1", "contact": "0987654321"})
        after = client.post("/vi/petitions/find", data=guess)
        db.session.remove()
        db.engine.dispose()
    assert petitions == [200, 200] and dossier.status_code == 200 and after.status_code == 429


def test_sending_petitions_is_rate_limited(database):
    from app.extensions import db
    from tests.conftest import _app_for

    app = _app_for(database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   RATELIMIT_PETITION="2 per minute", WTF_CSRF_ENABLED=False)
    with app.app_context():
        client = app.test_client()
        statuses = [client.post("/vi/petitions/ask", data={"title": ""}).status_code
                    for _ in range(3)]
        db.session.remove()
        db.engine.dispose()
    assert statuses == [400, 400, 429]


@only_on("postgresql")
def test_two_moderators_releasing_at_once_make_one_case(app, session, office):
    import threading

    from sqlalchemy.orm import Session

    from app.extensions import db

    ask(browser(app), office, body="Đồ ngu, làm chậm quá.", asker_phone="0977000111")
    petition_id = last_petition(session).id
    moderators = [office["officer"].id, office["intake"].id, office["leader"].id,
                  office["admin"].id]
    session.commit()
    start = threading.Barrier(len(moderators))
    done, refused, errors = [], [], []

    def one(user_id: int) -> None:
        with app.app_context(), Session(db.engine) as own:
            try:
                moderator = own.get(services.User, user_id)
                own.rollback()
                start.wait(timeout=10)
                moderation.release(own, moderator, petition_id)
                done.append(user_id)
            except services.PetitionError as error:
                refused.append(error.code)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=one, args=(m,)) for m in moderators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(done) == 1 and refused == ["not_held"] * 3
    assert count(session, Case) == 1
