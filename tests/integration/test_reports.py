"""Field reports through the pages, as residents, officers and the public meet them: reporting
in two steps with photos and a place, the open reports nearby offered before sending, the
anonymous option, photos stored without their metadata, the official answer in plain words,
merging a duplicate, the reporter's one rating, browsing and searching."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.models import Case, CaseEvent, FieldReport, FieldReportPhoto, OutboxMessage
from tests.conftest import only_on
from tests.reports_world import HERE, PASSWORD, build, jpeg, png


@pytest.fixture
def world(session):
    return build(session)


def browser(app):
    """Another person's browser (cookies of its own, an application context per request)."""
    from tests.access_matrix import PersonClient

    app.test_client_class = PersonClient
    return app.test_client()


def login(client, user):
    response = client.login(user.phone or user.email, PASSWORD)
    assert response.status_code == 302
    return client


def step_one(client, world, *, category="cong-ranh-tac", lat=HERE[0], lng=HERE[1],
             village=None, address="", lang="vi"):
    args = {"category": category, "commune_id": world.commune.id,
            "village_id": village.id if village else "", "address": address,
            "lat": "" if lat is None else str(lat), "long": "" if lng is None else str(lng)}
    return client.get(f"/{lang}/reports/new", query_string=args)


def send(client, world, *, description="Cống trước nhà văn hóa bị tắc, nước tràn mặt đường.",
         photos=(), anonymous=False, extra=None, lang="vi", **place):
    """Step one, then the step-two form as the browser would send it."""
    page = step_one(client, world, lang=lang, **place)
    assert page.status_code == 200, page.page.select_one(".error-summary")
    form = page.page.select_one("form[enctype='multipart/form-data']")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data["description"] = description
    if anonymous:
        data["anonymous"] = "y"
    data.update(extra or {})
    data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
    return client.post(f"/{lang}/reports/new", data=data, content_type="multipart/form-data")


def only_report(session) -> FieldReport:
    session.rollback()
    return session.scalars(select(FieldReport)).one()


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


# -- reporting ---------------------------------------------------------------------------------

def test_a_resident_reports_a_blocked_drain_and_it_becomes_a_routed_case(client, session, world):
    login(client, world.resident)
    response = send(client, world, village=world.village, address="Trước nhà văn hóa")
    assert response.status_code == 302
    report = only_report(session)
    case = session.get(Case, report.case_id)
    assert case.case_type == "field_report" and case.category == "field_report"
    assert case.department_id == world.dept.id and case.unit_id == world.commune.id
    assert case.applicant_id == world.resident.id and case.state == 1
    assert case.code.startswith("HT-")
    assert (report.lat, report.lng) == HERE and report.location_source == "typed"
    assert report.village_id == world.village.id and report.address == "Trước nhà văn hóa"
    page = client.get(response.headers["Location"])
    state = page.page.select_one("h2#state-title").get_text(strip=True)
    assert state == "Trạng thái: Được tiếp nhận"
    assert case.code in page.page.select_one("h1").get_text()


def test_reporting_needs_an_account(client, world):
    response = client.get("/vi/reports/new")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_home_page_links_report_a_problem_to_the_form(client, world):
    page = client.get("/vi/").page
    assert page.select_one("a[href='/vi/reports/new']") is not None


def test_a_village_or_an_address_is_enough_without_coordinates(client, session, world):
    login(client, world.resident)
    assert send(client, world, lat=None, lng=None, village=world.village).status_code == 302
    assert send(client, world, lat=None, lng=None, address="Cạnh cầu tre").status_code == 302
    assert count(session, FieldReport) == 2


def test_no_place_at_all_is_refused_with_a_message(client, session, world):
    login(client, world.resident)
    response = step_one(client, world, lat=None, lng=None)
    assert response.status_code == 400
    summary = response.page.select_one(".error-summary").get_text()
    assert "Cho biết vấn đề ở đâu" in summary
    assert count(session, Case) == 0


@pytest.mark.parametrize("lat,lng,message", [
    ("13.7563", "100.5018", "ngoài lãnh thổ Việt Nam"),      # Bangkok
    ("105.8141", "21.5862", "Vĩ độ"),                         # typed the wrong way round
    ("21.5862", "", "cả vĩ độ và kinh độ"),
    ("hai mươi", "105.8", "số thập phân"),
])
def test_coordinates_that_are_not_in_vietnam_are_refused_and_kept_as_typed(
        client, session, world, lat, lng, message):
    login(client, world.resident)
    response = step_one(client, world, lat=lat, lng=lng)
    assert response.status_code == 400
    assert message in response.page.select_one(".error-summary").get_text()
    assert response.page.select_one("#lat")["value"] == lat
    assert count(session, Case) == 0


def test_english_pages_explain_the_same_refusal_in_english(client, world):
    login(client, world.resident)
    response = step_one(client, world, lat="13.7563", lng="100.5018", lang="en")
    assert "outside Vietnam" in response.page.select_one(".error-summary").get_text()


def test_coordinates_typed_with_a_decimal_comma_are_understood(client, session, world):
    login(client, world.resident)
    assert send(client, world, lat="21,5862", lng="105,8141").status_code == 302
    assert (only_report(session).lat, only_report(session).lng) == HERE


def test_a_report_without_a_description_comes_back_with_everything_kept(client, session, world):
    login(client, world.resident)
    response = send(client, world, description="   ", village=world.village)
    assert response.status_code == 400
    assert "Mô tả vấn đề" in response.page.select_one(".error-summary").get_text()
    hidden = {i["name"]: i.get("value") for i in response.page.select("form input[type=hidden]")}
    assert hidden["category"] == "cong-ranh-tac" and hidden["village_id"] == str(world.village.id)
    assert count(session, Case) == 0


def test_a_required_extra_question_must_be_answered(client, session, world):
    login(client, world.resident)
    response = send(client, world, category="cay-do")
    assert response.status_code == 400
    assert response.page.select_one("#attribute-blocking-error") is not None
    assert count(session, Case) == 0
    assert send(client, world, category="cay-do",
                extra={"attribute-blocking": "co"}).status_code == 302
    assert only_report(session).attributes == {"blocking": "co"}


def test_sending_the_same_form_twice_makes_one_report(client, session, world):
    login(client, world.resident)
    page = step_one(client, world)
    form = page.page.select_one("form[enctype='multipart/form-data']")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data["description"] = "Cống tắc."
    first = client.post("/vi/reports/new", data=dict(data))
    second = client.post("/vi/reports/new", data=dict(data))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(session, FieldReport) == 1


def test_without_a_department_for_the_commune_nothing_is_sent(client, session, world):
    from app.models import RoutingRule

    session.query(RoutingRule).delete()
    session.commit()
    login(client, world.resident)
    response = send(client, world)
    assert response.status_code == 400
    assert "Chưa có phòng ban" in response.page.select_one(".flashes").get_text()
    assert count(session, Case) == 0


# -- photos ------------------------------------------------------------------------------------

def test_photos_are_stored_without_exif_or_gps(client, app, session, world):
    login(client, world.resident)
    original = jpeg(gps=(21.59, 105.81), comment=b"Phone serial 12345")
    assert b"Exif" in original and b"PhoneMaker" in original
    response = send(client, world, photos=[(original, "IMG_0001.jpg"), (png(), "so-do.png")])
    assert response.status_code == 302
    report = only_report(session)
    assert [p.position for p in report.photos] == [1, 2]
    from app.storage import file_store

    for photo in report.photos:
        stored = file_store().open(photo.key).read()
        assert stored.startswith(b"\xff\xd8\xff")
        assert b"Exif" not in stored and b"PhoneMaker" not in stored
        assert b"Phone serial" not in stored
        image = Image.open(io.BytesIO(stored))
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
        assert not image.getexif().get_ifd(0x8825)
    served = client.get(f"/vi/reports/{report.case_id}/photos/1")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"Exif" not in served.data


def test_the_place_is_read_from_the_photo_when_none_was_typed(client, session, world):
    login(client, world.resident)
    response = send(client, world, lat=None, lng=None, village=world.village,
                    photos=[(jpeg(gps=(21.5901, 105.8222)), "anh.jpg")])
    assert response.status_code == 302
    report = only_report(session)
    assert report.location_source == "photo"
    assert report.lat == pytest.approx(21.5901, abs=1e-4)
    assert report.lng == pytest.approx(105.8222, abs=1e-4)


def test_a_photo_taken_abroad_gives_no_place(client, session, world):
    login(client, world.resident)
    response = send(client, world, lat=None, lng=None, village=world.village,
                    photos=[(jpeg(gps=(48.8566, 2.3522)), "paris.jpg")])
    assert response.status_code == 302
    assert only_report(session).lat is None


@pytest.mark.parametrize("content,name,message", [
    (b"MZ\x90\x00 this is a program", "anh.jpg", "JPEG hoặc PNG"),
    (b"\xff\xd8\xff" + b"not really a jpeg" * 20, "anh.jpg", "không đọc được"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "anh.png", "không đọc được"),
    (None, "anh.jpg", "quá lớn"),
    ("bomb", "bom.png", "quá nhiều điểm ảnh"),
])
def test_fake_broken_oversized_or_bomb_images_are_refused_and_nothing_is_saved(
        client, app, session, world, content, name, message, tmp_path):
    if content is None:
        content = b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024 + 10)
    elif content == "bomb":
        image = Image.new("1", (12000, 12000))
        out = io.BytesIO()
        image.save(out, "PNG")
        content = out.getvalue()
        assert len(content) < 100_000  # small on the wire, 144 megapixels decoded
    login(client, world.resident)
    response = send(client, world, photos=[(content, name)])
    assert response.status_code == 400
    assert message in response.page.select_one(".flashes, .error-summary").get_text()
    assert count(session, Case) == 0 and count(session, FieldReportPhoto) == 0
    from pathlib import Path

    stored = Path(app.config["UPLOAD_DIR"]) / "reports"
    assert not stored.exists() or not any(stored.iterdir())


def test_more_than_three_photos_are_refused(client, session, world):
    login(client, world.resident)
    response = send(client, world, photos=[(jpeg(), f"{i}.jpg") for i in range(4)])
    assert response.status_code == 400
    assert "Tối đa 3 ảnh" in response.page.select_one(".error-summary").get_text()
    assert count(session, Case) == 0


# -- anonymous to the public -----------------------------------------------------------------

def test_an_anonymous_report_hides_the_name_from_the_public_but_not_from_officers(
        app, client, session, world):
    login(client, world.resident)
    send(client, world, anonymous=True)
    report = only_report(session)
    name = world.resident.full_name
    public = browser(app).get(f"/vi/reports/{report.case_id}")
    assert name not in public.get_data(as_text=True)
    assert "không muốn nêu tên" in public.page.get_text()
    listing = browser(app).get("/vi/reports/")
    assert name not in listing.get_data(as_text=True)
    officer = login(browser(app), world.intake)
    workbench = officer.get(f"/vi/workbench/cases/{report.case_id}")
    assert name in workbench.page.select_one("#report-title").find_parent("section").get_text()
    assert "Ẩn danh với công chúng" in workbench.page.get_text()


def test_a_named_report_shows_the_reporter_to_the_public(app, client, session, world):
    login(client, world.resident)
    send(client, world)
    page = browser(app).get(f"/vi/reports/{only_report(session).case_id}")
    assert world.resident.full_name in page.page.get_text()


# -- reports nearby, support -------------------------------------------------------------------

def _report(session, world, who=None, *, category="cong-ranh-tac", at=HERE, description="Cống tắc"):
    from app.reports import services

    return services.create_report(session, who or world.neighbour, services.ReportInput(
        category_code=category, description=description, commune_id=world.commune.id,
        lat=at[0] if at else None, lng=at[1] if at else None,
        village_id=None if at else world.village.id,
        attributes={"blocking": ["co"]} if category == "cay-do" else {}))


def test_open_reports_of_the_same_kind_within_100_m_are_offered_before_sending(
        client, session, world):
    near = _report(session, world, at=(HERE[0] + 0.0006, HERE[1]))          # about 67 m north
    far = _report(session, world, at=(HERE[0] + 0.0014, HERE[1]))           # about 156 m
    other_kind = _report(session, world, category="cay-do", at=HERE)
    login(client, world.resident)
    page = step_one(client, world).page
    section = page.select_one("#nearby-title").find_parent("section")
    codes = section.get_text()
    assert near.case.code in codes
    assert far.case.code not in codes and other_kind.case.code not in codes
    assert "67 m" in codes or "66 m" in codes


def test_closed_or_merged_reports_are_not_offered(client, session, world):
    from app.reports import services

    done = _report(session, world)
    services.answer(session, done.case_id, world.intake, outcome="closed", text="Đã kiểm tra.")
    login(client, world.resident)
    assert step_one(client, world).page.select_one("#nearby-title") is None


def test_placed_by_its_village_alone_the_village_s_open_reports_are_offered(client, session,
                                                                          world):
    """Without a location (no GPS, or no JavaScript) there is no distance to measure: the open
    reports of the same kind in the chosen village are offered instead, newest first."""
    from app.reports import services

    in_village = _report(session, world, at=None)
    other_kind = _report(session, world, category="cay-do", at=None)
    located = _report(session, world)  # a point, no village: not "in the village"
    closed = _report(session, world, at=None)
    services.answer(session, closed.case_id, world.intake, outcome="closed", text="Đã xem.")
    login(client, world.resident)
    page = step_one(client, world, lat=None, lng=None, village=world.village).page
    title = page.select_one("#nearby-title")
    assert title is not None and world.village.name_vi in title.get_text()
    codes = title.find_parent("section").get_text()
    assert in_village.case.code in codes
    for absent in (other_kind, located, closed):
        assert absent.case.code not in codes
    assert "cách " not in codes  # no distance without a point to measure from
    english = step_one(client, world, lat=None, lng=None, village=world.village, lang="en")
    assert "Already reported in" in english.page.select_one("#nearby-title").get_text()


def test_a_resident_supports_a_nearby_report_instead_of_sending_one(client, session, world):
    near = _report(session, world)
    login(client, world.resident)
    page = step_one(client, world).page
    form = page.select_one(f"form[action='/vi/reports/{near.case_id}/support']")
    response = client.post(form["action"], data={"csrf_token": form.select_one(
        "input[name=csrf_token]")["value"]})
    assert response.status_code == 302
    session.rollback()
    assert session.get(FieldReport, near.case_id).support_count == 1
    again = client.post(f"/vi/reports/{near.case_id}/support",
                        data={"csrf_token": client.csrf_token("/vi/reports/")})
    assert again.status_code == 302
    assert "Mỗi người chỉ ủng hộ một lần" in client.get("/vi/reports/").page.get_text()
    session.rollback()
    assert session.get(FieldReport, near.case_id).support_count == 1
    assert count(session, FieldReport) == 1


def test_support_by_htmx_answers_the_block_alone(client, session, world):
    near = _report(session, world)
    login(client, world.resident)
    response = client.post(f"/vi/reports/{near.case_id}/support",
                           data={"csrf_token": client.csrf_token("/vi/reports/")},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert response.page.select_one("#support") is not None


def test_one_cannot_support_ones_own_report(client, session, world):
    own = _report(session, world, world.resident)
    login(client, world.resident)
    page = client.get(f"/vi/reports/{own.case_id}").page
    assert page.select_one("#support form") is None
    response = client.post(f"/vi/reports/{own.case_id}/support",
                           data={"csrf_token": client.csrf_token("/vi/reports/")},
                           headers={"HX-Request": "true"})
    assert response.status_code == 409


# -- the official answer, in plain words -------------------------------------------------------

def _officer(app, user):
    return login(browser(app), user)


def _answer_via_page(app, world, report, outcome, text="Đã nạo vét cống.", photo=None):
    from app.queue.actions import perform

    session = __import__("app.extensions", fromlist=["db"]).db.session
    case = session.get(Case, report.case_id)
    if case.state == 1 and outcome == "fixed":
        perform(session, case.id, "receive", world.intake)
        perform(session, case.id, "start", world.leader)
    officer = _officer(app, world.leader if outcome != "refuse" else world.intake)
    page = officer.get(f"/vi/reports/cases/{report.case_id}/answer")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": page.page.select_one("input[name=csrf_token]")["value"],
            "version": page.page.select_one("input[name=version]")["value"],
            "outcome": outcome, "text": text}
    if photo:
        data["fix_photo"] = (io.BytesIO(photo), "da-sua.jpg")
    response = officer.post(f"/vi/reports/cases/{report.case_id}/answer", data=data,
                            content_type="multipart/form-data")
    session.rollback()  # the test's own session reads what the officer's request committed
    return response


def test_the_workbench_sends_ending_a_report_to_the_answer_page(app, session, world):
    report = _report(session, world)
    officer = _officer(app, world.intake)
    page = officer.get(f"/vi/workbench/cases/{report.case_id}").page
    links = [a["href"] for a in page.select(".action-list a.button")]
    assert f"/vi/reports/cases/{report.case_id}/answer" in links
    generic = officer.post(f"/vi/workbench/cases/{report.case_id}/actions/refuse",
                           data={"csrf_token": officer.csrf_token("/vi/"),
                                 "refuse-version": "1", "refuse-note": "x"})
    assert generic.status_code == 404


def test_an_officer_answers_fixed_with_a_photo_and_the_public_sees_it(app, client, session, world):
    report = _report(session, world, world.resident)
    response = _answer_via_page(app, world, report, "fixed", photo=jpeg(gps=HERE))
    assert response.status_code == 302
    session.rollback()
    case = session.get(Case, report.case_id)
    assert case.state == 10  # done, and the answer handed over
    page = client.get(f"/vi/reports/{report.case_id}").page
    assert page.select_one("#state-title").get_text(strip=True) == "Trạng thái: Đã khắc phục"
    assert "Đã nạo vét cống." in page.select_one("#answer-title").find_parent("section").get_text()
    fix = client.get(f"/vi/reports/{report.case_id}/fix-photo")
    assert fix.status_code == 200 and b"Exif" not in fix.data
    messages = session.scalars(select(OutboxMessage)).all()
    assert any("Đã nạo vét cống." in m.body for m in messages)


@pytest.mark.parametrize("outcome,state_word,case_state", [
    ("closed", "Đã đóng", 3), ("not_responsible", "Không thuộc trách nhiệm của xã", 3)])
def test_a_new_report_can_be_closed_or_declined_at_intake(app, client, session, world, outcome,
                                                         state_word, case_state):
    report = _report(session, world)
    officer = _officer(app, world.intake)
    page = officer.get(f"/vi/reports/cases/{report.case_id}/answer").page
    offered = {i["value"] for i in page.select("input[name=outcome]")}
    assert offered == {"closed", "not_responsible"}  # "fixed" needs the work started
    response = officer.post(f"/vi/reports/cases/{report.case_id}/answer", data={
        "csrf_token": page.select_one("input[name=csrf_token]")["value"],
        "version": page.select_one("input[name=version]")["value"], "outcome": outcome,
        "text": "Đoạn suối thuộc xã bên cạnh."})
    assert response.status_code == 302
    session.rollback()
    assert session.get(Case, report.case_id).state == case_state
    public = client.get(f"/vi/reports/{report.case_id}").page
    assert state_word in public.select_one("#state-title").get_text()


def test_an_answer_without_text_is_refused_and_nothing_changes(app, session, world):
    report = _report(session, world)
    officer = _officer(app, world.intake)
    page = officer.get(f"/vi/reports/cases/{report.case_id}/answer").page
    response = officer.post(f"/vi/reports/cases/{report.case_id}/answer", data={
        "csrf_token": page.select_one("input[name=csrf_token]")["value"],
        "version": page.select_one("input[name=version]")["value"], "outcome": "closed",
        "text": "  "})
    assert response.status_code == 400
    assert "Viết câu trả lời" in response.page.select_one(".error-summary").get_text()
    session.rollback()
    assert session.get(Case, report.case_id).state == 1
    assert session.get(FieldReport, report.case_id).answer is None


def test_public_states_follow_the_case_in_plain_words(client, session, world):
    from app.queue.actions import perform

    report = _report(session, world)
    words = lambda: client.get(f"/vi/reports/{report.case_id}").page.select_one(  # noqa: E731
        "#state-title").get_text(strip=True)
    assert words() == "Trạng thái: Được tiếp nhận"
    perform(session, report.case_id, "receive", world.intake)
    assert words() == "Trạng thái: Được tiếp nhận"
    perform(session, report.case_id, "start", world.leader)
    assert words() == "Trạng thái: Đang thực hiện"


# -- merging duplicates ------------------------------------------------------------------------

def test_an_officer_merges_a_duplicate_and_its_people_follow_the_original(app, client, session,
                                                                          world):
    from app.models import User
    from app.reports import services

    original = _report(session, world, world.resident)
    duplicate = _report(session, world, world.neighbour, at=(HERE[0] + 0.0002, HERE[1]))
    third = __import__("tests.factories", fromlist=["make_user"]).make_user(
        session, role="resident", full_name="Trần Văn Ba")
    session.commit()
    services.support(session, duplicate.case_id, session.get(User, third.id))
    officer = _officer(app, world.intake)
    case_page = officer.get(f"/vi/workbench/cases/{duplicate.case_id}").page
    facts = case_page.select_one("#report-title").find_parent("section").get_text()
    assert original.case.code in facts
    page = officer.get(f"/vi/reports/cases/{duplicate.case_id}/merge").page
    choice = page.select_one(f"input[name=candidate][value='{original.case.code}']")
    assert choice is not None
    response = officer.post(f"/vi/reports/cases/{duplicate.case_id}/merge", data={
        "csrf_token": page.select_one("input[name=csrf_token]")["value"],
        "version": page.select_one("input[name=version]")["value"],
        "candidate": original.case.code})
    assert response.status_code == 302
    session.rollback()
    dup = session.get(FieldReport, duplicate.case_id)
    assert dup.merged_into_id == original.case_id
    assert session.get(Case, duplicate.case_id).state == 3
    assert session.get(FieldReport, original.case_id).support_count == 2  # neighbour and Ba
    public = client.get(f"/vi/reports/{duplicate.case_id}").page
    assert "Trùng với một phản ánh khác" in public.select_one("#state-title").get_text()
    assert public.select_one(f"a[href='/vi/reports/{original.case_id}']") is not None
    told = {m.recipient for m in session.scalars(select(OutboxMessage))
            if original.case.code in m.body and "trùng" in m.subject.lower()}
    assert world.neighbour.phone in told and third.phone in told
    # Now the original's answer reaches them too.
    _answer_via_page(app, world, session.get(FieldReport, original.case_id), "fixed")
    answered = {m.recipient for m in session.scalars(select(OutboxMessage))
                if "Đã nạo vét cống." in m.body}
    assert {world.resident.phone, world.neighbour.phone, third.phone} <= answered


@pytest.mark.parametrize("code,message", [
    ("HT-000000-000000", "Không có phản ánh đang mở"), ("SELF", "không thể gộp vào chính nó")])
def test_merging_into_an_unknown_report_or_itself_is_refused(app, session, world, code, message):
    duplicate = _report(session, world)
    officer = _officer(app, world.intake)
    page = officer.get(f"/vi/reports/cases/{duplicate.case_id}/merge").page
    response = officer.post(f"/vi/reports/cases/{duplicate.case_id}/merge", data={
        "csrf_token": page.select_one("input[name=csrf_token]")["value"],
        "version": page.select_one("input[name=version]")["value"],
        "other_code": duplicate.case.code if code == "SELF" else code})
    assert response.status_code == 400
    assert message in response.page.select_one(".error-summary").get_text()
    session.rollback()
    assert session.get(FieldReport, duplicate.case_id).merged_into_id is None
    assert session.get(Case, duplicate.case_id).state == 1


# -- the reporter rates the answer ----------------------------------------------------------------

def test_only_the_reporter_rates_only_after_the_answer_and_only_once(app, client, session, world):
    report = _report(session, world, world.resident)
    login(client, world.resident)
    early = client.get(f"/vi/reports/{report.case_id}/rate")
    assert early.status_code == 302  # not answered yet: back to the report, with a message
    _answer_via_page(app, world, report, "fixed")
    neighbour = login(browser(app), world.neighbour)
    assert neighbour.get(f"/vi/reports/{report.case_id}/rate").status_code == 404
    page = client.get(f"/vi/reports/{report.case_id}")
    link = page.page.select_one(f"a[href='/vi/reports/{report.case_id}/rate']")
    assert link is not None
    form = client.get(link["href"]).page
    labels = [lab.get_text(strip=True) for lab in form.select("#level label")]
    assert labels == ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng",
                      "Rất không hài lòng"]
    token = form.select_one("input[name=csrf_token]")["value"]
    assert client.post(f"/vi/reports/{report.case_id}/rate",
                       data={"csrf_token": token, "level": "9"}).status_code == 400
    response = client.post(f"/vi/reports/{report.case_id}/rate",
                           data={"csrf_token": token, "level": "5", "comment": "Nhanh"})
    assert response.status_code == 302
    session.rollback()
    assert session.get(FieldReport, report.case_id).rating == 5
    again = client.post(f"/vi/reports/{report.case_id}/rate",
                        data={"csrf_token": token, "level": "1"})
    assert again.status_code == 302
    session.rollback()
    assert session.get(FieldReport, report.case_id).rating == 5
    shown = client.get(f"/vi/reports/{report.case_id}").page.get_text()
    assert "Rất hài lòng" in shown
    # Counted for the statistics like a dossier's rating: one "rated" event, one tallied 5.
    from app.models import CaseEvent, CaseTally

    rated = session.scalars(select(CaseEvent).where(CaseEvent.case_id == report.case_id,
                                                    CaseEvent.action == "rated")).all()
    assert [e.data for e in rated] == [{"rating": 5}]
    assert session.scalar(select(func.sum(CaseTally.rated_5)).where(
        CaseTally.case_type == "field_report", CaseTally.grain == 2,
        CaseTally.level == 0)) == 1


# -- browsing and searching --------------------------------------------------------------------

def test_the_list_filters_by_village_kind_and_state_and_searches_without_accents(
        app, client, session, world):
    from app.reports import services

    drain = _report(session, world, at=None, description="Cống rãnh đầu thôn bị tắc nghẽn")
    tree = _report(session, world, category="cay-do", at=HERE,
                   description="Cây bạch đàn đổ chắn đường")
    services.answer(session, tree.case_id, world.intake, outcome="not_responsible",
                    text="Đường tỉnh, không thuộc xã.")
    page = client.get("/vi/reports/", query_string={"q": "cong ranh tac"}).page
    assert drain.case.code in page.get_text() and tree.case.code not in page.get_text()
    page = client.get("/vi/reports/", query_string={"q": "BẠCH ĐÀN"}).page
    assert tree.case.code in page.get_text()
    page = client.get("/vi/reports/", query_string={"state": "not_responsible"}).page
    assert tree.case.code in page.get_text() and drain.case.code not in page.get_text()
    page = client.get("/vi/reports/", query_string={"category": "cong-ranh-tac"}).page
    assert drain.case.code in page.get_text() and tree.case.code not in page.get_text()
    page = client.get("/vi/reports/", query_string={"commune": world.commune.id,
                                                   "village": world.village.id}).page
    assert drain.case.code in page.get_text() and tree.case.code not in page.get_text()


def test_a_commune_lists_its_villages_with_their_open_reports(client, session, world):
    _report(session, world, at=None)
    page = client.get("/vi/reports/", query_string={"commune": world.commune.id}).page
    overview = page.select_one("#villages-title").find_parent("section")
    rows = [li.get_text(" ", strip=True) for li in overview.select("li")]
    assert any(r.startswith("Thôn Đồng Bầu") and "1 đang mở" in r for r in rows)
    assert any(r.startswith("Thôn Tân Lập") and "0 đang mở" in r for r in rows)
    link = overview.select_one("a")
    assert f"village={world.village.id}" in link["href"]


def test_the_list_pages_through_many_reports(client, session, world):
    for i in range(17):
        _report(session, world, at=None, description=f"Cống số {i}")
    first = client.get("/vi/reports/").page
    assert len(first.select(".report-card")) == 15
    assert first.select_one("a[rel=next]") is not None
    second = client.get("/vi/reports/", query_string={"page": 2}).page
    assert len(second.select(".report-card")) == 2


def test_an_empty_list_says_so(client, world):
    assert "Chưa có ai phản ánh" in client.get("/vi/reports/").page.get_text()


def test_my_reports_lists_only_mine(client, session, world):
    mine = _report(session, world, world.resident)
    theirs = _report(session, world, world.neighbour)
    login(client, world.resident)
    text = client.get("/vi/reports/mine").page.get_text()
    assert mine.case.code in text and theirs.case.code not in text


# -- messages ----------------------------------------------------------------------------------

def test_the_reporter_hears_when_the_commune_receives_the_report(session, world):
    from app.queue.actions import perform

    report = _report(session, world, world.resident)
    perform(session, report.case_id, "receive", world.intake)
    messages = session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == world.resident.phone)).all()
    assert len(messages) == 1 and report.case.code in messages[0].subject
    assert re.search(r"http://localhost/vi/reports/\d+", messages[0].body)


def test_claims_and_transfers_tell_nobody(session, world):
    from app.queue.claims import claim_next
    from app.models import utcnow

    _report(session, world, world.resident)
    claim_next(session, world.intake.id, world.dept.id, now=utcnow(), lease_minutes=60)
    assert count(session, OutboxMessage) == 0
    assert count(session, CaseEvent) >= 2


@only_on("postgresql")
def test_neighbours_supporting_at_once_each_count_once_and_a_double_tap_counts_once(
        session, world):
    """Eight neighbours press "I have this problem too" at the same moment, one of them twice:
    eight supports, a count of eight, and the double tap is refused as a second support."""
    import threading
    from sqlalchemy.orm import Session as Plain

    from app.models import FieldReportSupport
    from app.reports import services
    from app.reports.services import ReportError
    from tests.factories import make_user

    report = _report(session, world)
    people = [make_user(session, role="resident", commune=world.commune) for _ in range(8)]
    session.commit()
    case_id, ids = report.case_id, [p.id for p in people]
    engine = session.get_bind()
    outcomes: list[str] = []
    start = threading.Barrier(len(ids) + 1)

    def press(user_id):
        from app.models import User
        with Plain(engine) as s:
            user = s.get(User, user_id)
            start.wait()
            try:
                services.support(s, case_id, user)
                outcomes.append("ok")
            except ReportError as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=press, args=(i,)) for i in ids + ids[:1]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok"] * 8 + ["twice"]
    session.rollback()
    assert session.get(FieldReport, case_id).support_count == 8
    assert session.scalar(select(func.count()).select_from(FieldReportSupport)
                          .where(FieldReportSupport.case_id == case_id)) == 8
